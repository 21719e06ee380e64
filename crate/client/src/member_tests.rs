//! Sans-IO tests of [`MemberState`]: three members wired together in
//! memory, playing the relay's role (mailboxes in order).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::sync::Arc;

use rand_core::SeedableRng;

use super::{MemberError, MemberState, Outgoing};
use crate::protocol;
use crate::relay::Delivery;
use sotto_core::field::Fp;
use sotto_core::keyfile::MemberKeys;
use sotto_core::session::{
    Committee, CommitteeMember, Deadlines, DpPolicy, Ed25519PublicKey, Epsilon, MANIFEST_VERSION,
    Manifest, OutputPolicy, Reveal, SessionId, SessionKind, SignedManifest, VerifiedManifest,
    VoteMethod, VoteSchema,
};
use sotto_wire::{CloseMarker, DeliveryKind, SubmissionDelivery};

fn setup(n: usize) -> (Vec<Arc<MemberKeys>>, VerifiedManifest) {
    setup_with(
        n,
        OutputPolicy {
            min_submissions: 1,
            ..OutputPolicy::default()
        },
    )
}

fn setup_with(n: usize, policy: OutputPolicy) -> (Vec<Arc<MemberKeys>>, VerifiedManifest) {
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([3; 32]);
    let keys: Vec<_> = (0..n)
        .map(|_| Arc::new(MemberKeys::generate(&mut rng)))
        .collect();
    let organizer = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let manifest = Manifest {
        version: MANIFEST_VERSION,
        session_id: SessionId([5; 16]),
        title: "t".into(),
        description: None,
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
        policy,
        relay_url: "ws://127.0.0.1:1/ws".into(),
    };
    let signed = SignedManifest::sign(&manifest, &organizer).unwrap();
    let verified = signed.verify(&signed.hash()).unwrap();
    (keys, verified)
}

/// Mailboxes: entries per member, in order.
fn submissions(m: &VerifiedManifest, ballots: &[Vec<u64>]) -> Vec<Vec<Delivery>> {
    submissions_with(m, ballots, &[])
}

/// The parts of a submission whose participant cheats: it sends member 1
/// bytes that are not a share vector, and commits to what it sends.
fn junk_for_member_1(
    rng: &mut rand_chacha::ChaCha20Rng,
    m: &VerifiedManifest,
    values: &[Fp],
) -> Vec<Vec<u8>> {
    use sotto_core::envelope::commitment::Commitment;
    use sotto_core::envelope::{SealedShares, SubmissionId, seal_submission};
    let committee = &m.manifest.committee;
    let (n, t) = (committee.members.len(), committee.threshold);
    let mut with_g = values.to_vec();
    with_g.push(Fp::random(rng));
    let shares = sotto_core::share::deal(&with_g, n, usize::from(t), rng).unwrap();
    let mut plain: Vec<Vec<u8>> = shares.iter().map(|s| s.to_bytes()).collect();
    plain[0] = b"not a share vector".to_vec();
    let id = SubmissionId::random(rng);
    let sealed = seal_submission(rng, committee, &m.manifest.session_id, &id, &plain).unwrap();
    let encoded: Vec<Vec<u8>> = sealed.iter().map(SealedShares::to_bytes).collect();
    let commitment = Commitment::make(&m.manifest.session_id, &id, t, &shares, &encoded)
        .unwrap()
        .to_bytes();
    sealed
        .iter()
        .map(|s| protocol::encode_part(&id, &commitment, s))
        .collect()
}

/// The parts of a submission whose participant cheats with a share off
/// the polynomial for the last member (the commitment follows the first
/// t + 1), sealed and proven as an honest client seals: that member can
/// only complain with a disclosure.
fn skewed_for_the_last(
    rng: &mut rand_chacha::ChaCha20Rng,
    m: &VerifiedManifest,
    values: &[Fp],
) -> Vec<Vec<u8>> {
    let committee = &m.manifest.committee;
    let (n, t) = (committee.members.len(), usize::from(committee.threshold));
    let mut shares = sotto_core::share::deal(values, n, t, rng).unwrap();
    let mut last = shares[n - 1].values().to_vec();
    last[0] += Fp::from(1u64);
    shares[n - 1] = sotto_core::share::ShareVec::from_values(last);
    crate::session::seal_shares(rng, m, &shares).unwrap().parts
}

/// [`submissions`], with the ballots at the indices in `junk` made by
/// [`junk_for_member_1`].
fn submissions_with(
    m: &VerifiedManifest,
    ballots: &[Vec<u64>],
    junk: &[usize],
) -> Vec<Vec<Delivery>> {
    submissions_cheating(m, ballots, junk, junk_for_member_1)
}

/// [`submissions`], with the ballots at the indices in `cheats` made by
/// `cheat`.
fn submissions_cheating(
    m: &VerifiedManifest,
    ballots: &[Vec<u64>],
    junk: &[usize],
    cheat: fn(&mut rand_chacha::ChaCha20Rng, &VerifiedManifest, &[Fp]) -> Vec<Vec<u8>>,
) -> Vec<Vec<Delivery>> {
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([4; 32]);
    let n = m.manifest.committee.members.len();
    let mut boxes = vec![Vec::new(); n];
    for (pos, b) in (1u64..).zip(ballots) {
        // The ballot's entries, then the bit proof an honest client adds.
        let enc = m.manifest.computation().kind.encoding();
        let mut values: Vec<Fp> = b.iter().map(|v| Fp::from(*v)).collect();
        values.resize(enc.len.max(values.len()), Fp::ZERO);
        enc.prove(&mut values);
        let t = usize::from(m.manifest.committee.threshold);
        let parts = if junk.contains(&(pos as usize - 1)) {
            cheat(&mut rng, m, &values)
        } else {
            let shares = sotto_core::share::deal(&values, n, t, &mut rng).unwrap();
            crate::session::seal_shares(&mut rng, m, &shares)
                .unwrap()
                .parts
        };
        for (i, part) in parts.iter().enumerate() {
            let payload = SubmissionDelivery {
                receipt: [pos as u8; 32],
                replaces: 0,
                ciphertext: part,
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
fn run(states: &mut [Member], boxes: Vec<Vec<Delivery>>) -> Result<Vec<Vec<u8>>, MemberError> {
    let n = states.len();
    let mut queues: Vec<VecDeque<Delivery>> = boxes.into_iter().map(VecDeque::from).collect();
    let mut published = vec![None; n];
    pump(
        states,
        &mut queues,
        &vec![true; n],
        &mut published,
        &mut Vec::new(),
    )?;
    Ok(published
        .into_iter()
        .map(|p| p.expect("published"))
        .collect())
}

/// Moves messages until nothing moves: active members take deliveries
/// from their queues; everything any member sends is queued for its
/// recipients (inactive ones keep it queued) and logged in `sent` as
/// (sender index, message).
fn pump(
    states: &mut [Member],
    queues: &mut [VecDeque<Delivery>],
    active: &[bool],
    published: &mut [Option<Vec<u8>>],
    sent: &mut Vec<(usize, Outgoing)>,
) -> Result<(), MemberError> {
    let n = states.len();
    for _ in 0..100_000 {
        let mut progress = false;
        for i in 0..n {
            while let Some(out) = states[i].peek_outgoing().cloned() {
                states[i].sent();
                progress = true;
                sent.push((i, out.clone()));
                let from = (i + 1) as u16;
                match out {
                    Outgoing::Send { to, id, payload } => {
                        let (kind, targets): (_, Vec<usize>) = if to == sotto_wire::BROADCAST {
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
                    Outgoing::PublishReceipts { .. } => {}
                }
            }
            if !active[i] {
                continue;
            }
            if let Some(d) = queues[i].pop_front() {
                progress = true;
                states[i].on_delivery(&d)?;
            }
        }
        if !progress {
            // Keys that answer late answer when nothing else moves.
            for (i, member) in states.iter_mut().enumerate() {
                if active[i] && member.key_request().is_some() {
                    member.answer()?;
                    progress = true;
                }
            }
        }
        if !progress {
            break;
        }
    }
    Ok(())
}

/// A member's state with its keys at hand, answering every request as it
/// comes, as the driver does ([`crate::keys`]).
struct Member {
    state: MemberState,
    keys: Arc<MemberKeys>,
    rng: rand_chacha::ChaCha20Rng,
    /// Keys that answer late: after a delivery, only now and then
    /// ([`pump`] answers the rest when nothing else moves).
    late: bool,
    /// Keys that cannot prove a disclosure (a non-extractable WebCrypto
    /// key): the member claims its outputs, and the others challenge.
    claims: bool,
}

impl std::ops::Deref for Member {
    type Target = MemberState;
    fn deref(&self) -> &MemberState {
        &self.state
    }
}

impl std::ops::DerefMut for Member {
    fn deref_mut(&mut self) -> &mut MemberState {
        &mut self.state
    }
}

impl Member {
    /// Member `me` holding `keys` ([`MemberState::new`]).
    fn new(
        keys: &Arc<MemberKeys>,
        me: u16,
        m: &VerifiedManifest,
        epoch: u64,
        seed: [u8; 32],
    ) -> Member {
        let state = MemberState::new(keys.public(), me, m.clone(), epoch, seed).unwrap();
        let mut member = Member {
            state,
            keys: keys.clone(),
            rng: rand_chacha::ChaCha20Rng::from_seed(seed),
            late: false,
            claims: false,
        };
        member.answer().unwrap();
        member
    }

    fn answer(&mut self) -> Result<(), MemberError> {
        use crate::keys::{KeyAnswer, KeyRequest};
        while let Some(request) = self.state.key_request() {
            let answer = match request {
                KeyRequest::Disclose(_) if self.claims => KeyAnswer::Disclosure(None),
                _ => crate::keys::answer_now(&self.keys, &mut self.rng, request)?,
            };
            self.state.key_answer(answer)?;
        }
        Ok(())
    }

    fn on_delivery(&mut self, d: &Delivery) -> Result<(), MemberError> {
        self.state.on_delivery(d)?;
        if self.late && !rand_core::Rng::next_u32(&mut self.rng).is_multiple_of(4) {
            return Ok(());
        }
        self.answer()
    }

    fn drop_missing(&mut self) -> Result<Vec<u16>, MemberError> {
        let gone = self.state.drop_missing()?;
        self.answer()?;
        Ok(gone)
    }
}

fn states(keys: &[Arc<MemberKeys>], m: &VerifiedManifest, epochs: &[u64]) -> Vec<Member> {
    keys.iter()
        .zip(epochs)
        .enumerate()
        .map(|(i, (k, e))| Member::new(k, (i + 1) as u16, m, *e, [i as u8; 32]))
        .collect()
}

/// Keys that answer late (a browser's WebCrypto answers asynchronously)
/// change nothing: deliveries that come meanwhile wait for the answers
/// they must follow, messages wait for their signatures, and the members
/// publish the same result as with keys that answer at once, complaint
/// and disclosure included.
#[test]
fn keys_that_answer_late_change_nothing() {
    let (keys, m) = setup(3);
    let ballots = vec![vec![1, 0], vec![0, 1], vec![1, 0], vec![1, 1]];
    let boxes = submissions_with(&m, &ballots, &[1]);
    let at_once = run(&mut states(&keys, &m, &[1, 2, 3]), boxes.clone()).unwrap();
    let mut st = states(&keys, &m, &[1, 2, 3]);
    for member in &mut st {
        member.late = true;
    }
    let late = run(&mut st, boxes).unwrap();
    // Claims challenged while every member's keys answer late.
    let skewed = submissions_cheating(&m, &ballots, &[1], skewed_for_the_last);
    let proven = run(&mut states(&keys, &m, &[1, 2, 3]), skewed.clone()).unwrap();
    let mut st2 = states(&keys, &m, &[1, 2, 3]);
    for member in &mut st2 {
        member.late = true;
        member.claims = true;
    }
    let claimed = run(&mut st2, skewed).unwrap();
    assert_eq!(st2[2].unreadable(), 1);
    assert_eq!(result_json(&claimed), result_json(&proven));
    assert_eq!(st[0].unreadable(), 1);
    assert_eq!(result_json(&late), result_json(&at_once));
    assert_eq!(
        result_json(&late),
        serde_json::json!({"valid": 2, "invalid": 2, "result": {"tally": {"A": 2, "B": 0}}})
    );
    // The signed blobs are the same too (the signatures are
    // deterministic, the transcript is the run's).
    assert_eq!(late, at_once);
}

/// A delivery waits for the answer that the one before it asked for: the
/// close marker is not read before the part ahead of it, and the Ready
/// it makes is sent only once signed.
#[test]
fn a_delivery_waits_for_the_keys_answer_to_the_one_before_it() {
    use crate::keys::KeyRequest;
    let (keys, m) = setup(3);
    let boxes = submissions(&m, &[vec![1, 0]]);
    let mut st = MemberState::new(keys[0].public(), 1, m, 1, [1; 32]).unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([2; 32]);
    st.answer_with(&keys[0], &mut rng).unwrap();
    st.on_delivery(&boxes[0][0]).unwrap();
    assert!(matches!(st.key_request(), Some(KeyRequest::Dh(_))));
    st.on_delivery(&boxes[0][1]).unwrap();
    assert!(!st.is_closed());
    assert_eq!(st.submissions(), 0);
    assert!(st.peek_outgoing().is_none());
    // The part's answer lets the close in, whose Ready asks to be signed.
    let request = st.key_request().unwrap().clone();
    let answer = crate::keys::answer_now(&keys[0], &mut rng, &request).unwrap();
    st.key_answer(answer).unwrap();
    assert!(st.is_closed());
    assert_eq!(st.submissions(), 1);
    assert!(matches!(st.key_request(), Some(KeyRequest::Sign(_))));
    assert!(st.peek_outgoing().is_none());
    st.answer_with(&keys[0], &mut rng).unwrap();
    assert!(matches!(
        st.peek_outgoing(),
        Some(Outgoing::Send {
            to: sotto_wire::BROADCAST,
            ..
        })
    ));
}

/// A member whose keys cannot prove a disclosure claims it, every other
/// member challenges the claim over the run's check channels, and the
/// cheating participant's submission is excluded exactly as with a proof.
#[test]
fn a_claimed_disclosure_is_challenged_and_settles_as_a_proven_one() {
    for n in [3, 4] {
        let (keys, m) = setup(n);
        let ballots = vec![vec![1, 0], vec![0, 1], vec![1, 0]];
        let boxes = submissions_cheating(&m, &ballots, &[1], skewed_for_the_last);
        let epochs: Vec<u64> = (1..=n as u64).collect();
        let proven = run(&mut states(&keys, &m, &epochs), boxes.clone()).unwrap();
        let mut st = states(&keys, &m, &epochs);
        st[n - 1].claims = true;
        let mut queues: Vec<VecDeque<Delivery>> = boxes.into_iter().map(VecDeque::from).collect();
        let mut published = vec![None; n];
        let mut sent = Vec::new();
        pump(
            &mut st,
            &mut queues,
            &vec![true; n],
            &mut published,
            &mut sent,
        )
        .unwrap();
        let claimed: Vec<Vec<u8>> = published.into_iter().map(Option::unwrap).collect();
        assert_eq!(result_json(&claimed), result_json(&proven), "n = {n}");
        assert_eq!(
            result_json(&claimed),
            serde_json::json!({"valid": 2, "invalid": 1, "result": {"tally": {"A": 2, "B": 0}}})
        );
        // Every other member challenged member n, which answered each.
        let checks = |from: usize, to: u16| {
            sent.iter()
                .filter(|(i, o)| {
                    *i == from
                        && matches!(o, Outgoing::Send { to: t, payload, .. }
                            if *t == to && payload.first() == Some(&protocol::TAG_CHECK))
                })
                .count()
        };
        assert_eq!(st[n - 1].unreadable(), 1);
        for v in 0..n - 1 {
            assert_eq!(
                checks(v, n as u16),
                1,
                "n = {n}: member {} challenged",
                v + 1
            );
            assert_eq!(
                checks(n - 1, v as u16 + 1),
                1,
                "n = {n}: answered {}",
                v + 1
            );
        }
    }
}

/// A complainer that claims a wrong output is named by every member it
/// cannot answer: here `S + T` with `T` of order 2, which a check that
/// did not refuse small-order components would pass, and which would
/// have an honest submission excluded (its part does not open under the
/// wrong output).
#[test]
fn a_wrong_claim_about_an_honest_part_names_its_member() {
    fn shifted(u: &mut [u8; 32]) {
        use curve25519_dalek::montgomery::MontgomeryPoint;
        let p = MontgomeryPoint(*u).to_edwards(0).unwrap();
        let t = curve25519_dalek::constants::EIGHT_TORSION[4];
        *u = (p + t).to_montgomery().to_bytes();
    }
    /// The true output with its top bit set: the same point (every
    /// challenge passes) but other bytes for the key schedule (a
    /// reviewer's finding: the honest part was excluded, nobody named).
    fn high(u: &mut [u8; 32]) {
        u[31] |= 0x80;
    }
    // The true output passes the challenge and opens the honest part (the
    // complaint is false); a wrong one fails the challenge, or is refused
    // on its face.
    for tamper in [
        None,
        Some(shifted as fn(&mut [u8; 32])),
        Some(high as fn(&mut [u8; 32])),
    ] {
        false_complaint_is_named(4, true, tamper);
    }
}

/// Member 2 complains about its honest part of the first ballot, with a
/// genuine disclosure or (`claims`) a claim changed by `tamper`: every
/// run stops naming it, and nobody publishes.
fn false_complaint_is_named(n: usize, claims: bool, tamper: Option<fn(&mut [u8; 32])>) {
    let (keys, m) = setup(n);
    let epochs: Vec<u64> = (1..=n as u64).collect();
    let mut st = states(&keys, &m, &epochs);
    st[1].claims = claims;
    st[1].tamper_claim = tamper;
    st[1].set_deviation(sotto_core::engine::Deviation::Complain, 0);
    let mut queues = queues(&m, &[vec![1, 0], vec![0, 1]]);
    let mut published = vec![None; n];
    let outcome = pump(
        &mut st,
        &mut queues,
        &vec![true; n],
        &mut published,
        &mut Vec::new(),
    );
    match outcome {
        Err(
            e @ MemberError::FalseComplaint {
                member: 2,
                position: 1,
            },
        ) => {
            assert_eq!(e.abort().map(|(_, named)| named), Some(vec![2]), "n = {n}");
        }
        other => panic!("n = {n}, {tamper:?}: expected a false complaint, got {other:?}"),
    }
    assert!(published.iter().all(Option::is_none), "n = {n}");
}

/// A challenge whose proof does not hold gets no answer: a verifier that
/// sends another part's encapsulated key as its point learns nothing
/// (the complainer's key would otherwise be a Diffie-Hellman oracle).
#[test]
fn a_challenge_without_a_valid_proof_gets_no_answer() {
    use sotto_core::envelope::Channel;
    use sotto_core::envelope::challenge::Challenge;
    let (keys, m) = setup(3);
    let boxes = submissions_cheating(&m, &[vec![1, 0], vec![0, 1]], &[0], skewed_for_the_last);
    let mut st = states(&keys, &m, &[1, 2, 3]);
    st[2].claims = true;
    let mut queues: Vec<VecDeque<Delivery>> = boxes.into_iter().map(VecDeque::from).collect();
    let mut published = vec![None; 3];
    let mut sent = Vec::new();
    // Member 3 reads its mailbox and announces its claim; then members 1
    // and 2 read theirs, agree, and challenge member 3, which is held back.
    for active in [[false, false, true], [true, true, false]] {
        pump(&mut st, &mut queues, &active, &mut published, &mut sent).unwrap();
    }
    let run = st[0].checks.as_ref().unwrap().run;
    let session = m.manifest.session_id;
    let key = |i: usize| m.manifest.committee.members[i].x25519;
    let channel = |me: usize, peer: usize| {
        let (a, b) = (me as u16 + 1, peer as u16 + 1);
        Channel::new(
            &keys[me],
            a,
            b,
            &key(peer),
            session,
            protocol::CHECK_INSTANCE,
            &run,
        )
        .unwrap()
    };
    // Member 3 reads the others' Readies, and reaches the run.
    let early: Vec<Delivery> = queues[2]
        .iter()
        .filter(|d| d.payload.first() != Some(&protocol::TAG_CHECK))
        .cloned()
        .collect();
    for d in &early {
        st[2].on_delivery(d).unwrap();
    }
    assert!(st[2].checks.as_ref().is_some_and(|c| c.run == run));
    // Member 1's real challenge, opened the way member 3 would.
    let real = queues[2]
        .iter()
        .find(|d| d.from == 1 && d.payload.first() == Some(&protocol::TAG_CHECK))
        .cloned()
        .unwrap();
    let opened = channel(2, 0).open(&real.payload[1..]).unwrap();
    let Ok(protocol::Check::Challenge {
        position,
        challenge,
    }) = protocol::Check::decode(&opened.plaintext)
    else {
        panic!("not a challenge");
    };
    // Its point replaced by another participant's encapsulated key, its
    // proof kept, sealed on member 1's check channel to member 3.
    let other_enc = sotto_core::envelope::encapsulation::Ephemeral::random(
        &mut rand_chacha::ChaCha20Rng::from_seed([8; 32]),
    )
    .enc();
    let victim = curve25519_dalek::montgomery::MontgomeryPoint(other_enc)
        .to_edwards(0)
        .unwrap()
        .mul_by_cofactor();
    let mut forged = challenge.to_bytes();
    forged[..32].copy_from_slice(&victim.compress().to_bytes());
    let forged = protocol::Check::Challenge {
        position,
        challenge: Challenge::from_bytes(&forged).unwrap(),
    };
    // Sealed second on the channel, after the real challenge.
    let mut sealing = channel(0, 2);
    sealing
        .seal(0, b"the real challenge's sequence number")
        .unwrap();
    let mut payload = vec![protocol::TAG_CHECK];
    payload.extend_from_slice(&sealing.seal(0, &forged.encode()).unwrap());
    let d = Delivery {
        payload,
        ..real.clone()
    };
    // Member 3 answers the real challenge through its keys...
    st[2].state.on_delivery(&real).unwrap();
    assert_eq!(st[2].pending.len(), 1);
    assert!(matches!(
        st[2].key_request(),
        Some(crate::keys::KeyRequest::Dh(_))
    ));
    // ...and asks its keys nothing for the forged one, nor sends a thing.
    let outbox = st[2].outbox.len();
    st[2].state.on_delivery(&d).unwrap();
    assert_eq!(st[2].pending.len(), 1);
    assert_eq!(st[2].outbox.len(), outbox);
}

/// An answer of another kind than the request is refused with a typed
/// error, as is an answer to nothing.
#[test]
fn an_answer_to_another_request_is_refused() {
    let (keys, m) = setup(3);
    let mut st = MemberState::new(keys[0].public(), 1, m.clone(), 1, [1; 32]).unwrap();
    assert!(matches!(
        st.key_request(),
        Some(crate::keys::KeyRequest::Dh(_))
    ));
    let e = st
        .key_answer(crate::keys::KeyAnswer::Signature([0; 64]))
        .unwrap_err();
    assert!(matches!(e, MemberError::Keys(_)), "{e}");
    let mut answered = MemberState::new(keys[0].public(), 1, m, 1, [1; 32]).unwrap();
    answered
        .answer_with(&keys[0], &mut rand_chacha::ChaCha20Rng::from_seed([2; 32]))
        .unwrap();
    assert!(answered.key_request().is_none());
    let e = answered
        .key_answer(crate::keys::KeyAnswer::Signature([0; 64]))
        .unwrap_err();
    assert!(matches!(e, MemberError::Keys(_)), "{e}");
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
    assert!(sotto_core::envelope::verify_result(&m, bytes, &sigs).is_ok());
    let json = result_json(&blobs);
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
fn an_unreadable_submission_is_complained_of_and_excluded_at_every_member() {
    let (keys, m) = setup(3);
    let boxes = submissions_with(&m, &[vec![1, 0], vec![0, 1]], &[0]);
    let mut st = states(&keys, &m, &[1, 2, 3]);
    let blobs = run(&mut st, boxes).unwrap();
    assert_eq!(st[0].unreadable(), 1);
    assert_eq!(st[1].unreadable(), 0);
    let json = result_json(&blobs);
    assert_eq!(
        json,
        serde_json::json!({"valid": 1, "invalid": 1, "result": {"tally": {"A": 0, "B": 1}}})
    );
}

#[test]
fn a_part_damaged_in_transit_stops_its_member_naming_the_relay() {
    let (keys, m) = setup(3);
    let mut boxes = submissions(&m, &[vec![1, 0], vec![0, 1]]);
    let mut st = states(&keys, &m, &[1, 2, 3]);
    // The relay flips a bit of member 1's part of the first ballot: it no
    // longer matches the commitment, which an honest relay checked.
    let last = boxes[0][0].payload.len() - 1;
    boxes[0][0].payload[last] ^= 1;
    match run(&mut st, boxes) {
        Err(e @ MemberError::BadDelivery { position: 1 }) => {
            assert_eq!(e.abort().map(|(_, named)| named), Some(Vec::new()));
        }
        other => panic!("expected a bad delivery, got {other:?}"),
    }
}

/// A tampering relay gives member 1 a copy of the first ballot's
/// commitment with another `z` value (its own part's hash left intact, so
/// the part still matches it). Member 1's check fails against that copy
/// and it complains, honestly; the others hold the participant's
/// commitment, against which the part is fine. Settling the complaint
/// there would name member 1 as a false complainer, so the members
/// compare their commitments first (the inputs hash covers every part's
/// tag) and stop naming nobody. The old code settled first and named
/// member 1.
#[test]
fn a_commitment_altered_for_one_member_stops_the_run_naming_nobody() {
    for n in [3, 4] {
        let (keys, m) = setup(n);
        let mut boxes = submissions(&m, &[vec![1, 0], vec![0, 1]]);
        let sd = SubmissionDelivery::decode(&boxes[0][0].payload).unwrap();
        let mut part = sd.ciphertext.to_vec();
        // id (16) || 0x02 || n u16 || t u16 || n part hashes (32): z(1) next.
        part[16 + 5 + 32 * n] ^= 1;
        boxes[0][0].payload = SubmissionDelivery {
            receipt: sd.receipt,
            replaces: 0,
            ciphertext: &part,
        }
        .encode();
        let epochs: Vec<u64> = (1..=n as u64).collect();
        let mut st = states(&keys, &m, &epochs);
        match run(&mut st, boxes) {
            Err(e @ MemberError::Mismatch { .. }) => {
                assert_eq!(e.abort().map(|(_, named)| named), None, "n = {n}");
            }
            other => panic!("n = {n}: expected the members to disagree, got {other:?}"),
        }
        assert_eq!(st[0].unreadable(), 1, "member 1 complained (n = {n})");
    }
}

/// After member 1's close marker the relay delivers it the first ballot
/// again with an altered commitment (which member 1 would complain of,
/// honestly) and a third ballot. The accepted set was fixed at the close,
/// so both are ignored and the result is exact. The old code took them
/// in: member 1 complained behind a hash the others agreed with (a
/// re-announcement after a dropout carried the complaint to be judged
/// false against their commitments), and even without one it excluded
/// the ballot on its own and the run stopped.
#[test]
fn a_submission_delivered_after_the_close_is_ignored() {
    let (keys, m) = setup(3);
    let ballots = vec![vec![1, 0], vec![0, 1]];
    let mut boxes = submissions(&m, &ballots);
    let third = submissions(&m, &[vec![1, 0], vec![0, 1], vec![1, 0]])[0][2].clone();
    let sd = SubmissionDelivery::decode(&boxes[0][0].payload).unwrap();
    let mut part = sd.ciphertext.to_vec();
    part[16 + 5 + 32 * 3] ^= 1;
    let altered = Delivery {
        payload: SubmissionDelivery {
            receipt: sd.receipt,
            replaces: 0,
            ciphertext: &part,
        }
        .encode(),
        ..boxes[0][0].clone()
    };
    boxes[0].push(altered);
    boxes[0].push(third);
    let mut st = states(&keys, &m, &[1, 2, 3]);
    let json = result_json(&run(&mut st, boxes).unwrap());
    assert_eq!(
        json,
        serde_json::json!({"valid": 2, "invalid": 0, "result": {"tally": {"A": 1, "B": 1}}})
    );
    assert_eq!(st[0].unreadable(), 0);
}

/// The result every member signed (all sign identical bytes), without its
/// transcript hash, which is checked to be there.
fn result_json(blobs: &[Vec<u8>]) -> serde_json::Value {
    let (_, first) = protocol::decode_result_blob(&blobs[0]).unwrap();
    for b in blobs {
        assert_eq!(protocol::decode_result_blob(b).unwrap().1, first);
    }
    let mut json: serde_json::Value = serde_json::from_slice(first).unwrap();
    let transcript = json
        .as_object_mut()
        .unwrap()
        .remove("transcript")
        .expect("the signed result carries the transcript hash");
    assert!(
        transcript
            .as_str()
            .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())),
        "{transcript}"
    );
    let receipts = json
        .as_object_mut()
        .unwrap()
        .remove("receipts")
        .expect("the signed result carries the counted receipts");
    assert_eq!(receipts["count"], json["valid"], "{receipts}");
    assert_eq!(
        receipts["list"].as_array().map(Vec::len),
        json["valid"].as_u64().map(|v| v as usize)
    );
    json
}

/// Mailboxes of three ballots in which the relay replays the first
/// bundle at position 4 (with a receipt of its choosing) to every member,
/// and, if `mix`, gives member 1 the third bundle's part at position 2.
fn replayed(m: &VerifiedManifest, mix: bool) -> Vec<Vec<Delivery>> {
    let mut boxes = submissions(m, &[vec![1, 0], vec![0, 1], vec![1, 0]]);
    for (i, mailbox) in boxes.iter_mut().enumerate() {
        let close = mailbox.pop().unwrap();
        let mut replay = mailbox[0].clone();
        replay.id = 4;
        let sd = SubmissionDelivery::decode(&replay.payload).unwrap();
        replay.payload = SubmissionDelivery {
            receipt: [44; 32],
            replaces: 0,
            ciphertext: sd.ciphertext,
        }
        .encode();
        mailbox.push(replay);
        if mix && i == 0 {
            let sd3 = SubmissionDelivery::decode(&mailbox[2].payload).unwrap();
            let sd2 = SubmissionDelivery::decode(&mailbox[1].payload).unwrap();
            mailbox[1].payload = SubmissionDelivery {
                receipt: sd2.receipt,
                replaces: 0,
                ciphertext: sd3.ciphertext,
            }
            .encode();
        }
        mailbox.push(Delivery {
            payload: CloseMarker { submissions: 4 }.encode(),
            ..close
        });
    }
    boxes
}

#[test]
fn a_replayed_bundle_counts_once() {
    let (keys, m) = setup(3);
    let mut st = states(&keys, &m, &[1, 2, 3]);
    let json = result_json(&run(&mut st, replayed(&m, false)).unwrap());
    // Positions 1 to 3 count once each; the replay at position 4 is
    // excluded and counted invalid.
    assert_eq!(
        json,
        serde_json::json!({"valid": 3, "invalid": 1, "result": {"tally": {"A": 2, "B": 1}}})
    );
}

/// The relay gives member 1 the third bundle's part at position 2: its
/// part tag there differs, so its inputs hash does, and the members stop
/// before computing, naming nobody (the relay or the members that
/// announced another hash deviated). A member that announces the agreed
/// hash and then lies about a tag in the engine is stopped there
/// (`sotto_core::apps::validity::agree_on_bundles`, tested beside it).
/// Excluding the position instead would let such a member drop an honest
/// submission unnoticed.
#[test]
fn parts_of_different_bundles_at_one_position_stop_the_members() {
    let (keys, m) = setup(3);
    let mut st = states(&keys, &m, &[1, 2, 3]);
    match run(&mut st, replayed(&m, true)) {
        Err(e @ MemberError::Mismatch { .. }) => assert_eq!(e.abort(), None),
        other => panic!("expected the members to stop, got {other:?}"),
    }
}

#[test]
fn a_replayed_ready_never_rolls_back_or_reuses_a_nonce() {
    let (keys, m) = setup(3);
    let boxes = submissions(&m, &[vec![1, 0], vec![0, 1], vec![1, 0]]);
    let mut st = states(&keys, &m, &[10, 20, 30]);
    let mut queues: Vec<VecDeque<Delivery>> = vec![VecDeque::new(); 3];
    let mut published = vec![None; 3];
    let mut sent = Vec::new();
    // Member 3 reads its mailbox and announces epoch 30, then crashes.
    for d in &boxes[2] {
        st[2].on_delivery(d).unwrap();
    }
    queues[0].extend(boxes[0].iter().cloned());
    queues[1].extend(boxes[1].iter().cloned());
    pump(
        &mut st,
        &mut queues,
        &[true, true, false],
        &mut published,
        &mut sent,
    )
    .unwrap();
    let old_ready = sent
        .iter()
        .find_map(|(i, o)| match o {
            Outgoing::Send { to, payload, .. } if *i == 2 && *to == sotto_wire::BROADCAST => {
                Some(payload.clone())
            }
            _ => None,
        })
        .unwrap();
    // Member 3 restarts with a later epoch and reads its mailbox again.
    st[2] = Member::new(&keys[2], 3, &m, 40, [9; 32]);
    let mut again: VecDeque<Delivery> = boxes[2].iter().cloned().collect();
    again.extend(queues[2].drain(..));
    queues[2] = again;
    // Member 3 announces epoch 40 and starts the new run; then the relay
    // replays its old Ready to members 1 and 2 right behind the new one.
    pump(
        &mut st,
        &mut queues,
        &[false, false, true],
        &mut published,
        &mut sent,
    )
    .unwrap();
    for q in queues.iter_mut().take(2) {
        q.push_back(Delivery {
            seq: 0,
            kind: DeliveryKind::Broadcast,
            from: 3,
            id: 99,
            payload: old_ready.clone(),
        });
    }
    pump(
        &mut st,
        &mut queues,
        &[true, true, true],
        &mut published,
        &mut sent,
    )
    .unwrap();
    // No (sender, recipient, run, round, seq) is ever sealed twice: a
    // second frame under one key and nonce means a channel was built
    // again for a used run (even when the plaintext repeats).
    let mut frames = std::collections::BTreeSet::new();
    for (i, out) in &sent {
        if let Outgoing::Send { to, payload, .. } = out
            && payload.first() == Some(&protocol::TAG_ENGINE)
        {
            let h = sotto_core::envelope::ChannelHeader::from_bytes(&payload[1..]).unwrap();
            let key = (*i, *to, h.attempt, h.round, h.seq);
            assert!(frames.insert(key), "nonce reused for {key:?}");
        }
    }
    let blobs: Vec<Vec<u8>> = published.into_iter().map(|p| p.unwrap()).collect();
    assert_eq!(
        result_json(&blobs),
        serde_json::json!({"valid": 3, "invalid": 0, "result": {"tally": {"A": 2, "B": 1}}})
    );
}

/// Three members under differential privacy at epsilon 0.1: noise large
/// enough that two independent draws differ.
fn dp_setup() -> (Vec<Arc<MemberKeys>>, VerifiedManifest) {
    setup_with(
        3,
        OutputPolicy {
            min_submissions: 1,
            dp: Some(DpPolicy {
                epsilon: Epsilon::from_milli(100).unwrap(),
            }),
            ..OutputPolicy::default()
        },
    )
}

#[test]
fn a_restart_repeats_the_same_noise() {
    let (keys, m) = dp_setup();
    let ballots = [vec![1, 0], vec![0, 1], vec![1, 0]];
    let first = run(
        &mut states(&keys, &m, &[1, 2, 3]),
        submissions(&m, &ballots),
    )
    .unwrap();
    // A second run of the same session (every member restarted, with new
    // epochs and new process randomness) must not draw new noise: two
    // noisy releases of one count could be averaged.
    let mut again: Vec<Member> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| Member::new(k, (i + 1) as u16, &m, 7 + i as u64, [50 + i as u8; 32]))
        .collect();
    let second = run(&mut again, submissions(&m, &ballots)).unwrap();
    assert_eq!(result_json(&first), result_json(&second));
}

#[test]
fn junk_that_changes_between_runs_does_not_redraw_the_noise() {
    let (keys, m) = dp_setup();
    // Three ballots and one invalid vector.
    let ballots = [vec![1, 0], vec![0, 1], vec![1, 0], vec![1, 1]];
    let first = run(
        &mut states(&keys, &m, &[1, 2, 3]),
        submissions(&m, &ballots),
    )
    .unwrap();
    // A second run in which the invalid vector's participant sent member 1
    // junk instead: it is excluded earlier (by a settled complaint), but
    // the valid set is the same, so the noisy tally must be the same too
    // (fresh noise on the same counts could be averaged away).
    let boxes = submissions_with(&m, &ballots, &[3]);
    let second = run(&mut states(&keys, &m, &[4, 5, 6]), boxes).unwrap();
    assert_eq!(result_json(&first), result_json(&second));
}

/// Every member's mailbox as a queue, for [`pump`].
fn queues(m: &VerifiedManifest, ballots: &[Vec<u64>]) -> Vec<VecDeque<Delivery>> {
    submissions(m, ballots)
        .into_iter()
        .map(VecDeque::from)
        .collect()
}

/// The published blobs of the members in `who` (1-based), all present.
fn published_by(published: &[Option<Vec<u8>>], who: &[usize]) -> Vec<Vec<u8>> {
    who.iter()
        .map(|m| published[m - 1].clone().expect("published"))
        .collect()
}

#[test]
fn a_member_that_never_comes_is_left_out_and_the_others_finish() {
    // n = 4, t = 1: one member may drop out.
    let (keys, m) = setup(4);
    let ballots = vec![vec![1, 0], vec![0, 1], vec![1, 0]];
    let mut st = states(&keys, &m, &[1, 2, 3, 4]);
    let mut queues = queues(&m, &ballots);
    let mut published = vec![None; 4];
    let mut active = vec![true, true, true, false];
    pump(
        &mut st,
        &mut queues,
        &active,
        &mut published,
        &mut Vec::new(),
    )
    .unwrap();
    assert!(published.iter().all(Option::is_none));
    assert_eq!(st[0].waiting_for(), vec![4]);
    // Member 1's dropout timer fires first; the others adopt its set.
    assert_eq!(st[0].drop_missing().unwrap(), vec![4]);
    pump(
        &mut st,
        &mut queues,
        &active,
        &mut published,
        &mut Vec::new(),
    )
    .unwrap();
    let blobs = published_by(&published, &[1, 2, 3]);
    assert_eq!(
        result_json(&blobs),
        serde_json::json!({"valid": 3, "invalid": 0, "result": {"tally": {"A": 2, "B": 1}}})
    );
    for s in &st[..3] {
        assert_eq!(s.live(), [1, 2, 3]);
    }
    let (bytes, sigs) = protocol::best_result(
        &blobs
            .iter()
            .enumerate()
            .map(|(i, b)| (i as u16 + 1, b.clone()))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(sotto_core::envelope::verify_result(&m, &bytes, &sigs).is_ok());
    // Member 4 comes back: it is not needed, and says so.
    active[3] = true;
    match pump(
        &mut st,
        &mut queues,
        &active,
        &mut published,
        &mut Vec::new(),
    ) {
        Err(MemberError::Excluded { live }) => assert_eq!(live, vec![1, 2, 3]),
        other => panic!("member 4 should learn it was left out: {other:?}"),
    }
    assert!(published[3].is_none());
}

#[test]
fn a_member_that_crashes_mid_computation_is_left_out_and_the_rest_recompute() {
    let (keys, m) = setup(4);
    let ballots = vec![vec![1, 0], vec![0, 1], vec![0, 1], vec![1, 1]];
    let truth = result_json(
        &run(
            &mut states(&keys, &m, &[1, 2, 3, 4]),
            submissions(&m, &ballots),
        )
        .unwrap(),
    );
    for crashed in [1usize, 4] {
        let mut st = states(&keys, &m, &[11, 12, 13, 14]);
        st[crashed - 1].set_deviation(sotto_core::engine::Deviation::Crash, 9);
        let mut queues = queues(&m, &ballots);
        let mut published = vec![None; 4];
        let mut active = vec![true; 4];
        pump(
            &mut st,
            &mut queues,
            &active,
            &mut published,
            &mut Vec::new(),
        )
        .unwrap();
        assert!(
            published.iter().all(Option::is_none),
            "member {crashed} crashed"
        );
        active[crashed - 1] = false;
        let others: Vec<usize> = (1..=4).filter(|m| *m != crashed).collect();
        let first = others[0] - 1;
        assert_eq!(st[first].waiting_for(), vec![crashed as u16]);
        assert_eq!(st[first].drop_missing().unwrap(), vec![crashed as u16]);
        pump(
            &mut st,
            &mut queues,
            &active,
            &mut published,
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(result_json(&published_by(&published, &others)), truth);
    }
}

#[test]
fn with_2t_plus_1_members_nobody_is_left_out() {
    let (keys, m) = setup(3);
    let mut st = states(&keys, &m, &[1, 2, 3]);
    let mut queues = queues(&m, &[vec![1, 0]]);
    let mut published = vec![None; 3];
    let active = vec![true, true, false];
    pump(
        &mut st,
        &mut queues,
        &active,
        &mut published,
        &mut Vec::new(),
    )
    .unwrap();
    assert_eq!(st[0].drop_missing().unwrap(), Vec::<u16>::new());
    assert_eq!(st[0].waiting_for(), vec![3]);
    assert_eq!(st[0].live(), [1, 2, 3]);
    pump(
        &mut st,
        &mut queues,
        &active,
        &mut published,
        &mut Vec::new(),
    )
    .unwrap();
    assert!(published.iter().all(Option::is_none));
}

/// A stall names nobody: the members waited for may have crashed, or the
/// relay may be withholding their messages (which it can do to honest
/// members). The old code named them in the abort record.
#[test]
fn a_stall_says_whom_it_waited_for_and_names_nobody() {
    let e = MemberError::Stalled {
        seconds: 120,
        resyncs: 10,
        waiting: vec![3],
    };
    assert_eq!(e.abort().map(|(_, named)| named), Some(Vec::new()));
    assert_eq!(e.waiting(), [3]);
    assert!(e.to_string().contains("waiting for members [3]"), "{e}");
}

#[test]
fn a_member_that_keeps_forcing_restarts_is_refused_after_max_runs() {
    // Every new epoch of a member restarts the computation with fresh
    // masks; a member (or a relay replaying its restarts) that keeps doing
    // so could collect many maskings of one value. After MAX_RUNS runs the
    // others stop.
    let (keys, m) = setup(3);
    let mut st = states(&keys, &m, &[1, 2, 3]);
    let mut queues = queues(&m, &[vec![1, 0]]);
    let mut published = vec![None; 3];
    let mut sent = Vec::new();
    // Member 3 stops after its Ready: the run never finishes.
    st[2].set_deviation(sotto_core::engine::Deviation::Crash, 0);
    pump(&mut st, &mut queues, &[true; 3], &mut published, &mut sent).unwrap();
    let n = 3u16;
    let session = m.manifest.session_id;
    // Member 3's Ready, as the honest code sent it.
    let ready = sent
        .iter()
        .find_map(|(i, out)| match out {
            Outgoing::Send { payload, .. } if *i == 2 && payload[0] == protocol::TAG_READY => {
                protocol::Ready::verify(payload, &m.manifest.committee, &session, 3).ok()
            }
            _ => None,
        })
        .unwrap();
    let mut outcome = Ok(());
    for epoch in 100..100 + super::MAX_RUNS as u64 {
        let again = protocol::Ready {
            epoch,
            ..ready.clone()
        };
        let d = Delivery {
            seq: 0,
            kind: DeliveryKind::Broadcast,
            from: 3,
            id: epoch,
            payload: again.sign(&keys[2], &session, 3, n),
        };
        outcome = st[0].on_delivery(&d);
        if outcome.is_err() {
            break;
        }
    }
    match outcome {
        Err(MemberError::TooManyRuns { runs }) => assert_eq!(runs, super::MAX_RUNS),
        other => panic!("member 1 should refuse the 17th run: {other:?}"),
    }
}

#[test]
fn a_false_complaint_stops_the_run_and_names_its_member() {
    for n in [3, 4] {
        false_complaint_is_named(n, false, None);
    }
}

/// A member that sends a wrong share (to everyone, or to one member
/// only) from any round on stops the computation; in the online phase it
/// is named by a member it sent the share to, which holds every share of
/// that opening signed by its sender: the evidence names the same member
/// for anyone with the manifest, also from its bytes. (In preprocessing
/// a wrong share fails a check that names nobody.) n = 4, t = 1: the
/// 2t + 2 shares naming needs.
#[test]
fn a_wrong_or_equivocated_share_is_named_with_signed_proof() {
    use sotto_core::engine::{Deviation, EngineError};
    use sotto_core::envelope::evidence::{Evidence, verify_evidence};
    let (keys, m) = setup(4);
    for how in [Deviation::Open, Deviation::Equivocate] {
        let mut proofs = 0;
        for from in 0.. {
            let mut st = states(&keys, &m, &[1, 2, 3, 4]);
            st[3].set_deviation(how, from);
            let mut queues = queues(&m, &[vec![1, 0], vec![0, 1], vec![1, 0]]);
            let mut published = vec![None; 4];
            let outcome = pump(
                &mut st,
                &mut queues,
                &[true; 4],
                &mut published,
                &mut Vec::new(),
            );
            let e = match outcome {
                // Past the last round: nothing to lie in.
                Ok(()) if published.iter().all(Option::is_some) => break,
                Ok(()) => panic!("{how:?} from {from}: stalled without an error"),
                Err(e) => e,
            };
            assert!(published.iter().all(Option::is_none), "{how:?} from {from}");
            match &e {
                MemberError::Engine(EngineError::CheckFailed { .. }) => continue,
                MemberError::Proven {
                    member: 4, round, ..
                } => {
                    assert_eq!(e.abort().map(|(_, named)| named), Some(vec![4]));
                    let evidence = e.evidence().expect("evidence");
                    let proven = verify_evidence(&m, evidence).expect("the evidence verifies");
                    assert_eq!((proven.member, proven.round), (4, *round));
                    if how == Deviation::Equivocate {
                        // Only the lowest other member got a wrong share.
                        assert_eq!(proven.recipient, 1);
                    }
                    let back = Evidence::from_bytes(&evidence.to_bytes()).unwrap();
                    assert_eq!(verify_evidence(&m, &back), Ok(proven));
                    proofs += 1;
                }
                other => panic!("{how:?} from {from}: {other:?}"),
            }
        }
        assert!(proofs > 0, "{how:?}: no online opening was tried");
    }
}

/// An engine message whose signature does not verify stops its recipient,
/// naming the sender (the channel proves the sender to the recipient).
#[test]
fn an_unsigned_engine_message_names_its_sender() {
    let (keys, m) = setup(3);
    let mut st = states(&keys, &m, &[1, 2, 3]);
    st[1].sign_badly = true;
    let mut queues = queues(&m, &[vec![1, 0], vec![0, 1]]);
    let mut published = vec![None; 3];
    let outcome = pump(
        &mut st,
        &mut queues,
        &[true; 3],
        &mut published,
        &mut Vec::new(),
    );
    match outcome {
        Err(e @ MemberError::Unsigned { from: 2 }) => {
            assert_eq!(e.abort().map(|(_, named)| named), Some(vec![2]));
        }
        other => panic!("expected an unsigned message from member 2, got {other:?}"),
    }
    assert!(published.iter().all(Option::is_none));
}
