//! A committee member that deviates from the protocol: what the engine
//! detects, whom it names, and what it cannot see. These tests pin down
//! the statements of docs/threat-model.md ("A member that deviates").
//!
//! Engine messages (crate/src/engine/message.rs) are a 21-byte header
//! (version, instance, round u32 LE at offset 9, from, to, count) and
//! 16-byte little-endian field elements; the tampering below edits them
//! as a modified member binary would, before they are sealed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::json;
use sotto_client::draft::{DraftCommittee, SessionSpec};
use sotto_client::driver::MemberConfig;
use sotto_client::flows;
use sotto_client::member::MemberError;
use sotto_client::native::relay_client::RelayClient;
use sotto_client::native::session_ops::{close_session, create_session, submit_values};
use sotto_core::apps::{Computation, Policy};
use sotto_core::engine::network::{Network, NetworkError};
use sotto_core::engine::{Committee, EngineError, Transmit};
use sotto_core::field::Fp;
use sotto_core::keyfile::MemberKeys;
use sotto_core::session::{OutputPolicy, Reveal, SessionKind, VoteMethod, VoteSchema};
use sotto_core::share::{ShareError, ShareVec, deal, reconstruct};
use sotto_e2e::{TestRuntime, committee_of, relay_at};

const HEADER: usize = 21;
/// The field's modulus, 2^127 - 1.
const P: u128 = (1 << 127) - 1;

fn round_of(bytes: &[u8]) -> u32 {
    u32::from_le_bytes(bytes[9..13].try_into().unwrap())
}

/// Adds `delta` to every field element of an engine message. The same
/// shift on every message keeps the member's dealt sharings consistent
/// (a constant added to every share) and makes its share in every opening
/// wrong by `delta`.
fn shift(bytes: &mut [u8], delta: u128) {
    for e in bytes[HEADER..].chunks_exact_mut(16) {
        let v = u128::from_le_bytes(e.try_into().unwrap());
        e.copy_from_slice(&((v + delta) % P).to_le_bytes());
    }
}

fn vote() -> VoteSchema {
    VoteSchema {
        method: VoteMethod::Plurality,
        options: vec!["A".into(), "B".into(), "C".into()],
        reveal: Reveal::Tally,
        max_approvals: None,
        max_score: None,
    }
}

/// The committee program of a plurality vote over `ballots` (one-hot),
/// shared among `c`: what every member runs after the inputs are agreed.
fn tally_on(
    c: Committee,
    ballots: &[usize],
    net: Network,
) -> Result<Vec<serde_json::Value>, NetworkError> {
    tally_as(c, ballots, net, false)
}

/// [`tally_on`], running either the tally alone or, with `daemon`, the
/// program a member daemon runs (the part-tag comparison first).
fn tally_as(
    c: Committee,
    ballots: &[usize],
    net: Network,
    daemon: bool,
) -> Result<Vec<serde_json::Value>, NetworkError> {
    let comp = Computation::new(
        sotto_core::apps::SessionKind::Vote(vote()),
        Policy::from(&OutputPolicy {
            min_submissions: 1,
            ..OutputPolicy::default()
        }),
    );
    let mut rng = ChaCha20Rng::seed_from_u64(42);
    let mut inputs: Vec<Vec<ShareVec>> = vec![Vec::new(); c.n];
    for &b in ballots {
        let mut v = vec![Fp::ZERO; 3];
        v[b] = Fp::ONE;
        for (m, s) in deal(&v, c.n, c.t, &mut rng)
            .unwrap()
            .into_iter()
            .enumerate()
        {
            inputs[m].push(s);
        }
    }
    let tags: Vec<Fp> = (0..ballots.len() as u64).map(Fp::from).collect();
    let out = net.run(|ctx| {
        let (comp, mine, tags) = (comp.clone(), inputs[ctx.me() - 1].clone(), tags.clone());
        async move {
            if daemon {
                comp.compute_bundled(&ctx, &tags, &mine).await
            } else {
                comp.compute(&ctx, &mine).await
            }
        }
    })?;
    Ok(out.values.iter().map(|o| o.to_json()).collect())
}

/// The rounds in which member `liar` opens values, found by running the
/// honest tally once: the rounds where it sends the same vector to every
/// other member (when it deals a sharing, every member gets another
/// value). The program's rounds do not depend on the data.
fn opening_rounds(c: Committee, liar: usize) -> BTreeSet<u32> {
    rounds_sent_alike(c, liar, false)
}

/// The rounds in which `liar` sends every peer the same values, in the
/// tally alone or (with `daemon`) in a member daemon's program. A
/// daemon's round 0 compares public part tags, not shares, and is left
/// out: a member lying there gets positions excluded at the others, which
/// this file does not test (an active member's deviations in the
/// agreement are the active-security work).
fn rounds_sent_alike(c: Committee, liar: usize, daemon: bool) -> BTreeSet<u32> {
    let sent: Arc<Mutex<BTreeMap<u32, Vec<Vec<u8>>>>> = Arc::default();
    let log = sent.clone();
    let net = Network::new(c, 11).tamper(move |t: &mut Transmit, from| {
        if from == liar {
            let mut log = log.lock().unwrap();
            log.entry(round_of(&t.bytes))
                .or_default()
                .push(t.bytes[HEADER..].to_vec());
        }
    });
    tally_as(c, &BALLOTS, net, daemon).unwrap();
    let sent = sent.lock().unwrap();
    sent.iter()
        .filter(|(_, v)| v.len() == c.n - 1 && v.windows(2).all(|w| w[0] == w[1]))
        .map(|(r, _)| *r)
        .filter(|r| !(daemon && *r == 0))
        .collect()
}

/// A network where member `liar` adds 1 to every value it sends in the
/// openings of the tally (and deals honestly).
fn lying_in_openings(c: Committee, liar: usize) -> Network {
    let rounds = opening_rounds(c, liar);
    assert!(!rounds.is_empty());
    Network::new(c, 7).tamper(move |t: &mut Transmit, from| {
        if from == liar && rounds.contains(&round_of(&t.bytes)) {
            shift(&mut t.bytes, 1);
        }
    })
}

fn opening_error(e: NetworkError) -> ShareError {
    match e {
        NetworkError::Engine {
            error: EngineError::Opening { source, .. },
            ..
        } => source,
        other => panic!("expected an inconsistent opening, got {other}"),
    }
}

const BALLOTS: [usize; 9] = [0, 1, 2, 0, 0, 1, 2, 2, 0];

#[test]
fn honest_committees_agree_on_the_tally() {
    for c in [
        Committee { n: 5, t: 1 },
        Committee::new(3),
        Committee::new(5),
    ] {
        let outs = tally_on(c, &BALLOTS, Network::new(c, 1)).unwrap();
        for o in &outs {
            assert_eq!(o["result"], json!({"tally": {"A": 4, "B": 2, "C": 3}}));
        }
    }
}

#[test]
fn a_member_lying_in_its_openings_is_named_when_n_is_at_least_t_plus_3() {
    // n = 5, t = 1, and n = 5, t = 2 (= 2t + 1): member 4 adds 1 to its
    // share in every opening. The first opening with redundancy names it,
    // at member 1 (the first honest member the network reports).
    for c in [Committee { n: 5, t: 1 }, Committee { n: 5, t: 2 }] {
        match tally_on(c, &BALLOTS, lying_in_openings(c, 4)).unwrap_err() {
            NetworkError::Engine {
                member: 1,
                error: EngineError::Opening { source, .. },
            } => assert!(
                matches!(
                    source,
                    ShareError::Inconsistent {
                        member: Some(4),
                        ..
                    }
                ),
                "n = {}, t = {}: {source}",
                c.n,
                c.t
            ),
            other => panic!("n = {}, t = {}: {other}", c.n, c.t),
        }
    }
}

#[test]
fn with_three_members_a_lie_is_detected_but_not_attributed() {
    // n = 3 = 2t + 1 = t + 2: one share of redundancy detects, cannot name.
    let c = Committee::new(3);
    match tally_on(c, &BALLOTS, lying_in_openings(c, 2)).unwrap_err() {
        NetworkError::Engine {
            member: 1,
            error: EngineError::Opening { source, .. },
        } => assert!(
            matches!(source, ShareError::Inconsistent { member: None, .. }),
            "{source}"
        ),
        other => panic!("{other}"),
    }
}

/// Member 2 lies only in the opening of r^2 when making random bits
/// (round 1; round 0 deals the random r), then everyone opens the bits.
fn bits_with_a_lie_in_the_square_opening(c: Committee) -> NetworkError {
    let net = Network::new(c, 3).tamper(|t: &mut Transmit, from| {
        if from == 2 && round_of(&t.bytes) == 1 {
            shift(&mut t.bytes, 1);
        }
    });
    net.run(|ctx| async move {
        let bits = ctx.random_bits(8).await?;
        ctx.open(&bits).await
    })
    .unwrap_err()
}

#[test]
fn a_lie_in_a_degree_2t_opening_passes_the_opening_when_n_is_2t_plus_1() {
    // The opening itself: 2t + 1 shares of a degree-2t polynomial have no
    // redundancy, so any values reconstruct, wrong ones included.
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let s = deal(&[Fp::from(9u64)], 3, 2, &mut rng).unwrap();
    let lie = [s[1].values()[0] + Fp::ONE];
    let opened = reconstruct(&[(1, s[0].values()), (2, &lie), (3, s[2].values())], 2).unwrap();
    assert_ne!(opened, vec![Fp::from(9u64)], "a wrong value, no error");
    // In the engine, n = 3, t = 1: the lie in the r^2 opening (round 1)
    // passes; it shows only in the next opening (round 2), and only because
    // this liar kept using the true r^2 itself. A liar that also computes
    // with its lie corrupts the random bits unseen.
    match bits_with_a_lie_in_the_square_opening(Committee::new(3)) {
        NetworkError::Engine {
            error: EngineError::Opening { round: 2, source },
            ..
        } => assert!(matches!(
            source,
            ShareError::Inconsistent { member: None, .. }
        )),
        other => panic!("{other}"),
    }
    // n = 4, t = 1: one extra share detects it in that opening (unnamed);
    // n = 5, t = 1: two extra shares name the liar.
    for (c, named) in [
        (Committee { n: 4, t: 1 }, None),
        (Committee { n: 5, t: 1 }, Some(2)),
    ] {
        match bits_with_a_lie_in_the_square_opening(c) {
            NetworkError::Engine {
                error: EngineError::Opening { round: 1, source },
                ..
            } => assert!(
                matches!(source, ShareError::Inconsistent { member, .. } if member == named),
                "n = {}: {source}",
                c.n
            ),
            other => panic!("n = {}: {other}", c.n),
        }
    }
}

#[test]
fn a_corrupted_resharing_is_not_detected_and_can_implicate_an_honest_member() {
    // n = 5, t = 1. Multiplication re-shares the local products (dealers
    // 1..=3, round 0, GRR98) and nothing checks the dealt sharings.
    let c = Committee { n: 5, t: 1 };
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let a = deal(&[Fp::from(6u64)], 5, 1, &mut rng).unwrap();
    let b = deal(&[Fp::from(7u64)], 5, 1, &mut rng).unwrap();
    // `liar` re-shares its product plus one: a consistent sharing of a
    // wrong value, as a modified member program would.
    let run = |net: Network, liar: usize| {
        let (a, b) = (a.clone(), b.clone());
        net.run(move |ctx| {
            let (x, y) = (a[ctx.me() - 1].clone(), b[ctx.me() - 1].clone());
            async move {
                let p = if ctx.me() == liar {
                    let local = vec![x.values()[0] * y.values()[0] + Fp::ONE];
                    ctx.reduce_degree(&local).await?
                } else {
                    ctx.mul(&x, &y).await?
                };
                ctx.open(&p).await
            }
        })
    };
    assert_eq!(
        run(Network::new(c, 1), 0).unwrap().values[0],
        vec![Fp::from(42u64)]
    );
    let wrong = run(Network::new(c, 1), 2).unwrap();
    assert_ne!(wrong.values[0], vec![Fp::from(42u64)]);
    assert!(
        wrong.values.windows(2).all(|w| w[0] == w[1]),
        "every member accepts the same wrong product"
    );
    // Member 2 corrupts only the share it deals to member 3: member 3's
    // product share is off, and the opening names member 3, who is honest.
    let err = opening_error(
        run(
            Network::new(c, 1).tamper(|t: &mut Transmit, from| {
                if from == 2 && t.to == 3 && round_of(&t.bytes) == 0 {
                    shift(&mut t.bytes, 1);
                }
            }),
            0,
        )
        .unwrap_err(),
    );
    assert!(
        matches!(
            err,
            ShareError::Inconsistent {
                member: Some(3),
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_the_relay_the_honest_members_name_the_deviating_daemon() {
    // Five native member daemons (t = 1) through the real relay; member 4
    // runs with a test-only hook that adds 1 to every value it sends in an
    // opening (the daemons run the same program, so the same rounds).
    let rounds = rounds_sent_alike(Committee { n: 5, t: 1 }, 4, true);
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let url = relay.url();
    let keys: Vec<_> = (0..5)
        .map(|_| Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())))
        .collect();
    let spec = SessionSpec {
        title: "a deviating member".into(),
        kind: SessionKind::Vote(vote()),
        committee: DraftCommittee {
            threshold: Some(1),
            members: committee_of(&keys),
        },
        policy: OutputPolicy {
            min_submissions: 1,
            ..OutputPolicy::default()
        },
        deadlines: Default::default(),
        single_use: BALLOTS.len() as u32,
    };
    let organizer = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
    let c = create_session(&url, &spec, &organizer).await.unwrap();
    for (i, &b) in BALLOTS.iter().enumerate() {
        let mut v = vec![Fp::ZERO; 3];
        v[b] = Fp::ONE;
        let mut p = RelayClient::connect(&url).await.unwrap();
        p.hello(c.session, &c.participants[i], 0).await.unwrap();
        submit_values(&mut p, &c.manifest, &v, Duration::ZERO)
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        let mut rt = TestRuntime::quick();
        if i == 3 {
            let rounds = rounds.clone();
            rt.tamper = Some(Arc::new(move || {
                let rounds = rounds.clone();
                Box::new(move |_to: u16, bytes: &mut Vec<u8>| {
                    if rounds.contains(&round_of(bytes)) {
                        shift(bytes, 1);
                    }
                })
            }));
        }
        let cfg = MemberConfig {
            relay: url.clone(),
            session: c.session,
            token: c.members[i].clone(),
            keys: k.clone(),
            manifest_hash: Some(c.manifest.hash),
            latency: Duration::ZERO,
            mismatch_retries: 1,
            max_reconnects: 10,
        };
        tasks.push(tokio::spawn(rt.run(cfg)));
    }
    close_session(&url, c.session, &c.organizer).await.unwrap();
    let mut outs = Vec::new();
    for t in tasks {
        outs.push(
            tokio::time::timeout(Duration::from_secs(60), t)
                .await
                .expect("bounded by the stall deadline")
                .unwrap(),
        );
    }
    for (i, o) in outs.iter().enumerate() {
        let member = i + 1;
        match o {
            Err(MemberError::Engine(EngineError::Opening {
                source:
                    ShareError::Inconsistent {
                        member: Some(4), ..
                    },
                ..
            })) if member != 4 => {}
            // The liar sees honest shares only (its own share is not
            // altered for itself): it goes on, and waits for the others.
            Err(MemberError::Stalled { .. }) if member == 4 => {}
            other => panic!("member {member}: {other:?}"),
        }
    }
    let mut client = RelayClient::connect(&url).await.unwrap();
    let result = flows::fetch_result(&mut client, &c.manifest, &c.reader)
        .await
        .unwrap();
    assert!(result.is_none(), "nothing is published");
    assert!(
        outs[0]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("member 4 disagrees")
    );
}
