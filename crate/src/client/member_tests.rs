//! Sans-IO tests of [`MemberState`]: three members wired together in
//! memory, playing the relay's role (mailboxes in order).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::sync::Arc;

use rand_core::SeedableRng;

use super::{MemberError, MemberState, Outgoing};
use crate::client::protocol;
use crate::client::relay::Delivery;
use crate::envelope::{SubmissionId, seal_submission};
use crate::field::Fp;
use crate::keyfile::MemberKeys;
use crate::session::{
    Committee, CommitteeMember, Deadlines, Ed25519PublicKey, MANIFEST_VERSION, Manifest,
    OutputPolicy, Reveal, SessionId, SessionKind, SignedManifest, VerifiedManifest, VoteMethod,
    VoteSchema,
};
use crate::wire::{self, CloseMarker, DeliveryKind, SubmissionDelivery};

fn setup(n: usize) -> (Vec<Arc<MemberKeys>>, VerifiedManifest) {
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([3; 32]);
    let keys: Vec<_> = (0..n)
        .map(|_| Arc::new(MemberKeys::generate(&mut rng)))
        .collect();
    let organizer = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let manifest = Manifest {
        version: MANIFEST_VERSION,
        session_id: SessionId([5; 16]),
        title: "t".into(),
        kind: SessionKind::Vote(VoteSchema {
            method: VoteMethod::Plurality,
            options: vec!["A".into(), "B".into()],
            reveal: Reveal::Tally,
            max_approvals: None,
            max_score: None,
        }),
        organizer: Ed25519PublicKey(organizer.verifying_key().to_bytes()),
        committee: Committee {
            threshold: 1,
            members: keys
                .iter()
                .enumerate()
                .map(|(i, k)| CommitteeMember {
                    name: format!("m{i}"),
                    x25519: k.public().x25519,
                    ed25519: k.public().ed25519,
                })
                .collect(),
        },
        deadlines: Deadlines::default(),
        policy: OutputPolicy {
            min_submissions: 1,
            ..OutputPolicy::default()
        },
        relay_url: "ws://127.0.0.1:1/ws".into(),
    };
    let signed = SignedManifest::sign(&manifest, &organizer).unwrap();
    let verified = signed.verify(&signed.hash()).unwrap();
    (keys, verified)
}

/// Mailboxes: entries per member, in order.
fn submissions(m: &VerifiedManifest, ballots: &[Vec<u64>]) -> Vec<Vec<Delivery>> {
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([4; 32]);
    let n = m.manifest.committee.members.len();
    let mut boxes = vec![Vec::new(); n];
    for (pos, b) in (1u64..).zip(ballots) {
        let values: Vec<Fp> = b.iter().map(|v| Fp::from(*v)).collect();
        let shares = crate::share::deal(&values, n, 1, &mut rng).unwrap();
        let bytes: Vec<Vec<u8>> = shares.iter().map(|s| s.to_bytes()).collect();
        let id = SubmissionId::random(&mut rng);
        let sealed = seal_submission(
            &mut rng,
            &m.manifest.committee,
            &m.manifest.session_id,
            &id,
            &bytes,
        )
        .unwrap();
        for (i, s) in sealed.iter().enumerate() {
            let part = protocol::encode_part(&id, s);
            let payload = SubmissionDelivery {
                receipt: [pos as u8; 32],
                replaces: 0,
                ciphertext: &part,
            }
            .encode();
            boxes[i].push(Delivery {
                seq: 0,
                kind: DeliveryKind::Submission,
                from: 0,
                id: pos,
                payload,
            });
        }
    }
    for mailbox in &mut boxes {
        mailbox.push(Delivery {
            seq: 0,
            kind: DeliveryKind::Closed,
            from: 0,
            id: 0,
            payload: CloseMarker {
                submissions: ballots.len() as u64,
            }
            .encode(),
        });
    }
    boxes
}

/// Runs the members to completion over in-memory mailboxes.
fn run(states: &mut [MemberState], boxes: Vec<Vec<Delivery>>) -> Result<Vec<Vec<u8>>, MemberError> {
    let n = states.len();
    let mut queues: Vec<VecDeque<Delivery>> = boxes.into_iter().map(VecDeque::from).collect();
    let mut published = vec![None; n];
    for _ in 0..100_000 {
        let mut progress = false;
        for i in 0..n {
            while let Some(out) = states[i].peek_outgoing().cloned() {
                states[i].sent();
                progress = true;
                let from = (i + 1) as u16;
                match out {
                    Outgoing::Send { to, id, payload } => {
                        let (kind, targets): (_, Vec<usize>) = if to == wire::BROADCAST {
                            (
                                DeliveryKind::Broadcast,
                                (0..n).filter(|j| *j != i).collect(),
                            )
                        } else {
                            (DeliveryKind::Direct, vec![usize::from(to) - 1])
                        };
                        for j in targets {
                            queues[j].push_back(Delivery {
                                seq: 0,
                                kind,
                                from,
                                id,
                                payload: payload.clone(),
                            });
                        }
                    }
                    Outgoing::Publish(blob) => published[i] = Some(blob),
                }
            }
            if let Some(d) = queues[i].pop_front() {
                progress = true;
                states[i].on_delivery(&d)?;
            }
        }
        if !progress {
            break;
        }
    }
    Ok(published
        .into_iter()
        .map(|p| p.expect("published"))
        .collect())
}

fn states(keys: &[Arc<MemberKeys>], m: &VerifiedManifest, epochs: &[u32]) -> Vec<MemberState> {
    keys.iter()
        .zip(epochs)
        .enumerate()
        .map(|(i, (k, e))| {
            MemberState::new(k.clone(), (i + 1) as u16, m.clone(), *e, [i as u8; 32]).unwrap()
        })
        .collect()
}

#[test]
fn three_members_agree_compute_and_sign_the_same_result() {
    let (keys, m) = setup(3);
    let ballots = vec![vec![1, 0], vec![0, 1], vec![1, 0], vec![1, 1]];
    let mut st = states(&keys, &m, &[1, 2, 3]);
    let blobs = run(&mut st, submissions(&m, &ballots)).unwrap();
    let mut sigs = Vec::new();
    let mut bytes = None;
    for b in &blobs {
        let (sig, result) = protocol::decode_result_blob(b).unwrap();
        sigs.push(sig);
        assert!(bytes.is_none_or(|x: &[u8]| x == result));
        bytes = Some(result);
    }
    let bytes = bytes.unwrap();
    assert!(crate::envelope::verify_result(&m, bytes, &sigs).is_ok());
    let json: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"valid": 3, "invalid": 1, "result": {"tally": {"A": 2, "B": 1}}})
    );
}

#[test]
fn a_different_accepted_set_aborts_naming_the_member() {
    let (keys, m) = setup(3);
    let ballots = vec![vec![1, 0], vec![0, 1]];
    let mut boxes = submissions(&m, &ballots);
    // Member 3's mailbox lost the first submission (its close marker still
    // says 2): its hash differs.
    boxes[2].remove(0);
    let mut st = states(&keys, &m, &[1, 2, 3]);
    match run(&mut st, boxes) {
        Err(MemberError::Mismatch { members }) => assert!(!members.is_empty()),
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

#[test]
fn an_unreadable_submission_becomes_a_zero_vector() {
    let (keys, m) = setup(3);
    let mut boxes = submissions(&m, &[vec![1, 0]]);
    let mut st = states(&keys, &m, &[1, 2, 3]);
    let last = boxes[0][0].payload.len() - 1;
    boxes[0][0].payload[last] ^= 1;
    st[0].on_delivery(&boxes[0][0]).unwrap();
    assert_eq!(st[0].unreadable(), 1);
}
