//! A committee member that deviates from the protocol: what the engine
//! detects, whom it names, and what it cannot see. These tests pin down
//! the statements of docs/threat-model.md ("A member that deviates").
//!
//! Engine messages (crate/src/engine/message.rs) are a 21-byte header
//! (version, instance, round u32 LE at offset 9, from, to, count) and
//! 16-byte little-endian field elements; the tampering below edits them
//! as a modified member binary would, before they are sealed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
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
use sotto_core::engine::{Committee, Deviation, EngineError, Transmit};
use sotto_core::field::Fp;
use sotto_core::keyfile::MemberKeys;
use sotto_core::session::{OutputPolicy, Reveal, SessionKind, VoteMethod, VoteSchema};
use sotto_core::share::{ShareError, deal};
use sotto_e2e::{TestRuntime, committee_of, one_hot_shares, relay_at, round_after_validity};

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
    tally_as(c, ballots, net, false, None)
}

/// [`tally_on`], running either the tally alone or, with `daemon`, the
/// program a member daemon runs (the part-tag comparison first), with an
/// optional member deviating on purpose (`Ctx::set_deviation`).
fn tally_as(
    c: Committee,
    ballots: &[usize],
    net: Network,
    daemon: bool,
    deviation: Option<(usize, Deviation, u32)>,
) -> Result<Vec<serde_json::Value>, NetworkError> {
    let comp = Computation::new(
        sotto_core::apps::SessionKind::Vote(vote()),
        Policy::from(&OutputPolicy {
            min_submissions: 1,
            ..OutputPolicy::default()
        }),
    );
    let inputs = one_hot_shares(c, ballots, &comp.kind.encoding(), 42);
    let tags: Vec<Option<Fp>> = (0..ballots.len() as u64)
        .map(|k| Some(Fp::from(k + 1)))
        .collect();
    let out = net.run(|ctx| {
        if let Some((liar, how, from)) = deviation
            && liar == ctx.me()
        {
            ctx.set_deviation(how, from);
        }
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

/// The first round after the validity check in the tally alone or (with
/// `daemon`) in a member daemon's program (the part-tag comparison
/// first): where lies in openings are attributable. Before it, a lie in
/// preprocessing fails a check that names nobody, and a lie in the
/// validity check's consistency opening excludes a submission (issue 15,
/// item 4: the participant-side commitment is not built yet).
fn after_validity(c: Committee, daemon: bool) -> u32 {
    let enc = sotto_core::apps::vote::encoding(&vote());
    let inputs = one_hot_shares(c, &[0; BALLOTS.len()], &enc, 42);
    round_after_validity(c, &enc, &inputs, u32::from(daemon))
}

/// A network run where member `liar` adds a random nonzero value to its
/// share in every opening after the validity check
/// ([`Deviation::Open`]).
fn tally_with_liar(c: Committee, liar: usize) -> Result<Vec<serde_json::Value>, NetworkError> {
    let from = after_validity(c, false);
    tally_deviating(c, &BALLOTS, Some((liar, Deviation::Open, from)))
}

/// The tally with `deviation` (member, how, from round) on the network of
/// seed 7.
fn tally_deviating(
    c: Committee,
    ballots: &[usize],
    deviation: Option<(usize, Deviation, u32)>,
) -> Result<Vec<serde_json::Value>, NetworkError> {
    tally_as(c, ballots, Network::new(c, 7), false, deviation)
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
fn a_member_lying_in_its_openings_is_named_when_n_is_at_least_2t_plus_2() {
    // n = 5, t = 1, and n = 6, t = 2: member 4 lies in every opening after
    // the validity check. The first one names it, at member 1 (the first
    // honest member the network reports). With n = 5, t = 2 it would not
    // be named: two colluders could frame an honest member there
    // (`share::tests::t_colluding_members_cannot_frame_an_honest_one`).
    for c in [Committee { n: 5, t: 1 }, Committee { n: 6, t: 2 }] {
        match tally_with_liar(c, 4).unwrap_err() {
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
    match tally_with_liar(c, 2).unwrap_err() {
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

/// Member 2 changes what it sends in round `round` of making random bits
/// (round 0 deals, 1 re-shares the squares, 2 opens the coins, 3 opens the
/// sacrificed differences, 4 opens the check and the squares), then
/// everyone opens the bits.
fn bits_with_a_change_in_round(c: Committee, round: u32) -> NetworkError {
    let net = Network::new(c, 3).tamper(move |t: &mut Transmit, from| {
        if from == 2 && round_of(&t.bytes) == round {
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
fn a_lie_while_making_random_bits_is_caught_before_any_bit_is_used() {
    // The old protocol opened r^2 as a degree-2t sharing: with n = 2t + 1
    // a lie there passed unseen and corrupted the bits. Now every value is
    // checked: a wrong re-shared square fails the sacrifice (round 1), a
    // wrong share in any opening fails it (rounds 2 to 4), for every size.
    for c in [
        Committee::new(3),
        Committee { n: 4, t: 1 },
        Committee { n: 5, t: 1 },
        Committee::new(5),
    ] {
        for round in 1..=4 {
            match bits_with_a_change_in_round(c, round) {
                NetworkError::Engine {
                    error: EngineError::CheckFailed { .. },
                    ..
                } => {}
                other => panic!("n = {}, round {round}: {other}", c.n),
            }
        }
    }
}

#[test]
fn a_corrupted_resharing_is_caught_and_implicates_nobody() {
    // n = 5, t = 1. The triple behind a product is made by re-sharing
    // (dealers 1..=3, round 1 of preprocessing) and checked by sacrifice.
    let c = Committee { n: 5, t: 1 };
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let a = deal(&[Fp::from(6u64)], 5, 1, &mut rng).unwrap();
    let b = deal(&[Fp::from(7u64)], 5, 1, &mut rng).unwrap();
    let run = |net: Network| {
        let (a, b) = (a.clone(), b.clone());
        net.run(move |ctx| {
            let (x, y) = (a[ctx.me() - 1].clone(), b[ctx.me() - 1].clone());
            async move {
                let p = ctx.mul(&x, &y).await?;
                ctx.open(&p).await
            }
        })
    };
    assert_eq!(
        run(Network::new(c, 1)).unwrap().values[0],
        vec![Fp::from(42u64)]
    );
    // Member 2 re-shares its products plus one (a consistent sharing of a
    // wrong value, as a modified member program would): caught.
    let err = run(Network::new(c, 1).tamper(|t: &mut Transmit, from| {
        if from == 2 && round_of(&t.bytes) == 1 {
            shift(&mut t.bytes, 1);
        }
    }))
    .unwrap_err();
    assert!(
        matches!(
            err,
            NetworkError::Engine {
                error: EngineError::CheckFailed { .. },
                ..
            }
        ),
        "{err}"
    );
    // Member 2 corrupts only the share it deals to member 4: caught, and
    // the honest member 4 is not named (the old protocol named the
    // recipient). Not member 3: since seeded re-sharing, member 3 derives
    // its share of member 2's dealing from their pair key, and member 2
    // sends it an empty message.
    let err = run(Network::new(c, 1).tamper(|t: &mut Transmit, from| {
        if from == 2 && t.to == 4 && round_of(&t.bytes) == 1 {
            shift(&mut t.bytes, 1);
        }
    }))
    .unwrap_err();
    assert!(
        matches!(
            err,
            NetworkError::Engine {
                error: EngineError::CheckFailed { .. },
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_the_relay_the_honest_members_name_the_deviating_daemon() {
    // Five native member daemons (t = 1) through the real relay; member 4
    // runs with a test-only hook that makes it lie in every opening after
    // the validity check (the daemons run the same program, so the same
    // rounds).
    let from = after_validity(Committee { n: 5, t: 1 }, true);
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let url = relay.url();
    let keys: Vec<_> = (0..5)
        .map(|_| Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())))
        .collect();
    let spec = SessionSpec {
        title: "a deviating member".into(),
        description: None,
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
        let v = sotto_e2e::proved(
            &c.manifest.manifest.computation().kind.encoding(),
            &[(b, Fp::ONE)],
        );
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
            rt.deviation = Some((Deviation::Open, from));
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
            // Named with the liar's own signed shares, which anyone
            // checks against the manifest.
            Err(e @ MemberError::Proven { member: 4, .. }) if member != 4 => {
                let evidence = e.evidence().expect("evidence");
                let proven = sotto_core::envelope::evidence::verify_evidence(&c.manifest, evidence)
                    .expect("the evidence verifies");
                assert_eq!((proven.member, usize::from(proven.recipient)), (4, member));
            }
            // The liar sees honest shares only (its own share is not
            // altered for itself): it goes on, and either waits for the
            // others or, when its lie was in the last opening, learns the
            // result it was entitled to; alone it cannot publish it.
            Err(MemberError::Stalled { .. }) | Ok(_) if member == 4 => {}
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
            .contains("committee member 4 sent a wrong share")
    );
}
