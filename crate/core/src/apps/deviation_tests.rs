//! A committee member that deviates on purpose, in every way
//! [`Deviation`] lists, from several rounds on, in committees of 3, 4, 5
//! and 7: every honest member ends with the exact result or an abort,
//! never a different result; deviations that touch what the honest
//! members use are caught.
//!
//! Lies start in the first round too, inside the validity check: before
//! participant commitments (issue 15, item 4) a member that lied in the
//! check's consistency opening got an honest submission excluded, a
//! different result that these tests now refuse. Submissions reach the
//! engine consistent (members check them against the participant's
//! commitment, `crate::envelope::complaint`), so every wrong share aborts.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{Value, json};

use super::vote;
use super::vote::testing::{Method, VoteSpec};
use crate::engine::network::{End, Network};
use crate::engine::{Committee, Deviation, EngineError};
use crate::field::Fp;
use crate::share::{ShareVec, deal};

fn committees() -> [Committee; 4] {
    [
        Committee::new(3),
        Committee { n: 4, t: 1 },
        Committee::new(5),
        Committee::new(7),
    ]
}

fn spec(winner_only: bool, dp_milli: Option<u32>) -> VoteSpec {
    VoteSpec {
        method: Method::Plurality,
        options: ["A", "B", "C"].iter().map(|s| s.to_string()).collect(),
        winner_only,
        min_submissions: 1,
        dp_milli,
    }
}

/// Each member's shares of the ballots.
fn shares(spec: &VoteSpec, c: Committee, choices: &[&str]) -> Vec<Vec<ShareVec>> {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut out = vec![Vec::new(); c.n];
    for ch in choices {
        let v = vote::encode(&spec.schema(), &json!({ "choice": ch })).unwrap();
        for (m, s) in deal(&v, c.n, c.t, &mut rng)
            .unwrap()
            .into_iter()
            .enumerate()
        {
            out[m].push(s);
        }
    }
    out
}

/// Runs the tally with `liar` deviating in `how` from `from` on.
fn run(
    spec: &VoteSpec,
    c: Committee,
    liar: Option<(usize, Deviation, u32)>,
    subs: &[Vec<ShareVec>],
) -> Vec<End<Value>> {
    run_over(spec, Network::new(c, 9), liar, subs)
}

/// [`run`] on a given network.
fn run_over(
    spec: &VoteSpec,
    net: Network,
    liar: Option<(usize, Deviation, u32)>,
    subs: &[Vec<ShareVec>],
) -> Vec<End<Value>> {
    net.run_each(|ctx| {
        let subs = subs[ctx.me() - 1].clone();
        let spec = spec.clone();
        if let Some((m, how, from)) = liar
            && m == ctx.me()
        {
            ctx.set_deviation(how, from);
        }
        async move {
            Ok(vote::tally(&ctx, &spec.schema(), spec.policy(), &subs)
                .await?
                .to_json())
        }
    })
    .unwrap()
}

const CHOICES: [&str; 7] = ["A", "B", "B", "C", "B", "A", "C"];

/// The rounds a member runs in the honest tally, and the round the tally
/// starts after the validity check.
fn rounds(spec: &VoteSpec, c: Committee, subs: &[Vec<ShareVec>]) -> (u32, u32) {
    let out = Network::new(c, 9)
        .run(|ctx| {
            let subs = subs[ctx.me() - 1].clone();
            let spec = spec.clone();
            async move {
                vote::tally(&ctx, &spec.schema(), spec.policy(), &subs).await?;
                Ok(ctx.current_round())
            }
        })
        .unwrap();
    let checked = Network::new(c, 9)
        .run(|ctx| {
            let subs = subs[ctx.me() - 1].clone();
            let enc = vote::encoding(&spec.schema());
            async move {
                super::validity::check(&ctx, &enc, &subs).await?;
                Ok(ctx.current_round())
            }
        })
        .unwrap();
    (out.values[0], checked.values[0])
}

#[test]
fn every_deviation_gives_the_exact_result_or_an_abort() {
    for winner_only in [true, false] {
        let spec = spec(winner_only, None);
        for c in committees() {
            let subs = shares(&spec, c, &CHOICES);
            let honest = run(&spec, c, None, &subs);
            let End::Done(truth) = &honest[0] else {
                panic!("the honest run failed: {honest:?}")
            };
            let (total, checked) = rounds(&spec, c, &subs);
            for how in Deviation::ALL {
                if how == Deviation::Noise || how == Deviation::Complain {
                    // No noise in this vote: see the DP test; complaints
                    // are made by the member before the engine runs:
                    // `sotto_client`'s member tests.
                    continue;
                }
                // checked - 2: the round that once opened the consistency
                // combination (a lie there excluded honest submissions).
                let froms = [
                    0,
                    checked / 2,
                    checked - 2,
                    checked,
                    2 * total / 3,
                    total - 1,
                ];
                for liar in [1, c.n] {
                    for from in froms {
                        let ends = run(&spec, c, Some((liar, how, from)), &subs);
                        let mut caught = false;
                        for (i, end) in ends.iter().enumerate() {
                            if i + 1 == liar {
                                continue;
                            }
                            match end {
                                End::Done(v) => assert_eq!(
                                    v,
                                    truth,
                                    "{c:?}, member {liar} {} from round {from}: member {} accepted a wrong result",
                                    how.name(),
                                    i + 1
                                ),
                                End::Failed(_) | End::Waiting(_) => caught = true,
                            }
                        }
                        // A deviation in the first round always matters,
                        // except a wrong re-sharing by a member that does
                        // not re-share (members above 2t + 1).
                        let reshares = liar <= 2 * c.t + 1;
                        let matters = match how {
                            Deviation::Mul | Deviation::Bits | Deviation::Mask => reshares,
                            _ => true,
                        };
                        if from == froms[0] && matters {
                            assert!(
                                caught,
                                "{c:?}, member {liar} {} from round {from} went unnoticed",
                                how.name()
                            );
                        }
                        // A wrong re-shared product from the start is named
                        // by the audit of the failed check, at every member.
                        let dealt =
                            matches!(how, Deviation::Mul | Deviation::Bits | Deviation::Mask);
                        if from == froms[0] && dealt && reshares {
                            for (i, end) in ends.iter().enumerate() {
                                assert!(
                                    matches!(end, End::Failed(e) if e.culprits() == Some(vec![liar])),
                                    "{c:?}, member {liar} {}: member {} ended with {end:?}",
                                    how.name(),
                                    i + 1
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn a_lie_in_openings_is_named_when_n_is_at_least_2t_plus_2() {
    let spec = spec(false, None);
    for (c, named) in [
        (Committee::new(3), None),
        (Committee { n: 4, t: 1 }, Some(4)),
        (Committee::new(7), None),
        (Committee { n: 8, t: 3 }, Some(8)),
    ] {
        let subs = shares(&spec, c, &CHOICES);
        let (_, checked) = rounds(&spec, c, &subs);
        // From the validity check's first online opening (three rounds
        // before its end), and after the check.
        for from in [checked - 3, checked] {
            let ends = run(&spec, c, Some((c.n, Deviation::Open, from)), &subs);
            for end in &ends[..c.n - 1] {
                match end {
                    End::Failed(EngineError::CheckFailed { .. }) => assert_eq!(named, None),
                    End::Failed(EngineError::Opening { source, .. }) => assert!(
                        matches!(source, crate::share::ShareError::Inconsistent { member, .. } if *member == named),
                        "{c:?} from {from}: {source}"
                    ),
                    other => panic!("{c:?} from {from}: {other:?}"),
                }
            }
        }
    }
}

#[test]
fn noise_out_of_its_range_is_caught_and_its_dealer_named() {
    let spec = spec(false, Some(1000));
    for c in committees() {
        let subs = shares(&spec, c, &CHOICES);
        for liar in [1, c.n] {
            let ends = run(&spec, c, Some((liar, Deviation::Noise, 0)), &subs);
            for (i, end) in ends.iter().enumerate() {
                if i + 1 == liar {
                    continue;
                }
                assert!(
                    matches!(end, End::Failed(EngineError::Deviated { member, .. }) if *member == liar),
                    "{c:?}, liar {liar}: member {} ended with {end:?}",
                    i + 1
                );
            }
        }
        // Honest members' noisy tally: three counts near the truth.
        let ends = run(&spec, c, None, &subs);
        let End::Done(v) = &ends[0] else {
            panic!("{ends:?}")
        };
        let tally = &v["result"]["tally"];
        let fp_sum: i64 = ["A", "B", "C"]
            .iter()
            .map(|o| tally[o].as_i64().unwrap_or(0))
            .sum();
        assert!(fp_sum >= 0, "{v}");
        let _ = Fp::ZERO;
    }
}

#[test]
fn a_committee_finishes_over_its_live_members_after_a_crash() {
    // n = 2t + 1 + d: a run stalls when a member crashes, and the rerun
    // over the other members (what the member driver agrees on,
    // `sotto_client::member`) gives the exact result, whichever d members
    // are gone. With n = 2t + 1 nobody may drop out.
    for winner_only in [false, true] {
        let spec = spec(winner_only, None);
        for (c, gone) in [
            (Committee { n: 4, t: 1 }, vec![4]),
            (Committee { n: 4, t: 1 }, vec![1]),
            (Committee { n: 5, t: 1 }, vec![2, 5]),
            (Committee { n: 7, t: 2 }, vec![3, 6]),
        ] {
            let subs = shares(&spec, c, &CHOICES);
            let End::Done(truth) = &run(&spec, c, None, &subs)[0] else {
                panic!("the honest run failed")
            };
            let (total, _) = rounds(&spec, c, &subs);
            let crashed = run(
                &spec,
                c,
                Some((gone[0], Deviation::Crash, total / 2)),
                &subs,
            );
            assert!(
                crashed.iter().all(|e| matches!(e, End::Waiting(_))),
                "{c:?}: a crash must stall the run, not end it: {crashed:?}"
            );
            let live: Vec<usize> = (1..=c.n).filter(|m| !gone.contains(m)).collect();
            let ends = run_over(&spec, Network::new(c, 10).live(live.clone()), None, &subs);
            for m in &live {
                assert!(
                    matches!(&ends[m - 1], End::Done(v) if v == truth),
                    "{c:?} without {gone:?}: member {m} ended with {:?}",
                    ends[m - 1]
                );
            }
        }
    }
    // Fewer than 2t + 1 live members cannot compute.
    let c = Committee { n: 3, t: 1 };
    let spec = spec(false, None);
    let subs = shares(&spec, c, &CHOICES);
    let err = Network::new(c, 9)
        .live(vec![1, 2])
        .run(|ctx| {
            let subs = subs[ctx.me() - 1].clone();
            let spec = spec.clone();
            async move { vote::tally(&ctx, &spec.schema(), spec.policy(), &subs).await }
        })
        .unwrap_err();
    assert!(err.to_string().contains("invalid live set"), "{err}");
}
