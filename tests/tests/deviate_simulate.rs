//! `sotto simulate` scenarios with a member that deviates on purpose
//! (`"deviate": [...]`), through the real relay process with native
//! member daemons: every run ends with the exact result or an abort, and
//! the abort names the member when n >= 2t + 2 allows it.
//!
//! Lies in openings start inside the validity check: since participants
//! commit to their shares and members complain in public, a lie there
//! aborts like any other, and no member can get a submission excluded
//! without being named.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::{Value, json};
use sotto_cli::simulate::{Finished, Scenario, run_to_end};
use sotto_core::engine::Committee;
use sotto_e2e::{one_hot_shares, relay_at, round_after_validity};

const TIMEOUT: Duration = Duration::from_secs(120);
const CHOICES: [&str; 6] = ["A", "B", "B", "C", "B", "A"];

fn schema() -> Value {
    json!({"method": "plurality", "options": ["A", "B", "C"], "reveal": "tally"})
}

/// The member daemon's first online round of the validity check (its
/// round 0 compares part tags; the check's online part is its last three
/// rounds).
fn in_validity(c: Committee) -> u32 {
    after_validity(c) - 3
}

/// The member daemon's first round after the validity check.
fn after_validity(c: Committee) -> u32 {
    let vote: sotto_core::session::VoteSchema = serde_json::from_value(schema()).unwrap();
    let enc = sotto_core::apps::vote::encoding(&vote);
    let inputs = one_hot_shares(c, &[0; CHOICES.len()], &enc, 4);
    round_after_validity(c, &enc, &inputs, 1)
}

async fn run(c: Committee, deviate: Value) -> Finished {
    run_keeping_relay(c, deviate).await.0
}

/// [`run`], with the relay still serving the session (and its folder).
async fn run_keeping_relay(
    c: Committee,
    deviate: Value,
) -> (
    Finished,
    sotto_native::relay_process::RelayProcess,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let answers: Vec<Value> = CHOICES.iter().map(|c| json!({ "choice": c })).collect();
    let scenario: Scenario = serde_json::from_value(json!({
        "draft": {"kind": "vote", "title": "a deviating member", "schema": schema(),
            "committee": {"members": c.n, "threshold": c.t},
            "policy": {"min_submissions": 1}},
        "answers": answers,
        "deviate": deviate,
    }))
    .unwrap();
    let f = tokio::time::timeout(TIMEOUT, run_to_end(&scenario, &relay.url(), Duration::ZERO))
        .await
        .expect("simulation timed out")
        .unwrap();
    (f, relay, dir)
}

fn exact(f: &Finished) -> bool {
    matches!(f, Finished::Result(r) if r.result == json!({"tally": {"A": 2, "B": 3, "C": 1}}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lie_in_openings_aborts_and_names_the_liar_when_it_can() {
    for (c, named) in [
        (Committee::new(3), vec![]),
        (Committee { n: 4, t: 1 }, vec![2]),
    ] {
        for from in [in_validity(c), after_validity(c)] {
            let f = run(c, json!([{"member": 2, "how": "open", "from_round": from}])).await;
            match &f {
                Finished::Aborted { aborted } => {
                    assert_eq!(
                        aborted.culprits, named,
                        "{c:?} from {from}: {}",
                        aborted.reason
                    );
                    // Named with the liar's own signed shares, which the
                    // session's manifest verifies.
                    assert_eq!(aborted.proven, named.first().copied(), "{c:?} from {from}");
                }
                other => panic!("{c:?} from {from}: {other:?}"),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_false_complaint_aborts_and_names_its_member() {
    // Member 2 complains about its honest part of the first answer, with a
    // genuine disclosure: every other member settles it as false.
    for c in [Committee::new(3), Committee { n: 4, t: 1 }] {
        let f = run(c, json!([{"member": 2, "how": "complain"}])).await;
        match &f {
            Finished::Aborted { aborted } => {
                assert_eq!(aborted.culprits, vec![2], "{c:?}: {}", aborted.reason)
            }
            other => panic!("{c:?}: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_products_and_equivocation_end_exact_or_aborted() {
    for c in [Committee::new(3), Committee::new(5)] {
        let from = in_validity(c);
        for (deviate, named) in [
            (json!([{"member": 1, "how": "mul"}]), Some(vec![1])),
            (json!([{"member": 2, "how": "bits"}]), Some(vec![2])),
            (
                json!([{"member": 1, "how": "equivocate", "from_round": from}]),
                None,
            ),
        ] {
            let f = run(c, deviate.clone()).await;
            assert!(
                exact(&f) || matches!(f, Finished::Aborted { .. }),
                "{c:?} {deviate}: {f:?}"
            );
            // Members 1 and 2 re-share and open: each of these is caught,
            // and a wrong product is named by the audit of the check.
            let Finished::Aborted { aborted } = &f else {
                panic!("{c:?} {deviate}: {f:?}")
            };
            if let Some(named) = named {
                assert_eq!(
                    aborted.culprits, named,
                    "{c:?} {deviate}: {}",
                    aborted.reason
                );
            }
        }
    }
}

/// A member that sends a wrong share to one member only (and the right
/// one to the others) is named by that member, with its signed message as
/// proof that anyone can check: `sotto verify-evidence` against the
/// session on the relay names it, and refuses the proof altered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_equivocating_member_is_named_with_signed_proof() {
    let c = Committee { n: 4, t: 1 };
    for from in [in_validity(c), after_validity(c)] {
        let (f, _relay, dir) = run_keeping_relay(
            c,
            json!([{"member": 3, "how": "equivocate", "from_round": from}]),
        )
        .await;
        let Finished::Aborted { aborted } = &f else {
            panic!("from {from}: {f:?}");
        };
        assert_eq!(aborted.culprits, vec![3], "from {from}: {}", aborted.reason);
        assert_eq!(aborted.proven, Some(3), "from {from}");
        let link = aborted.results_link.as_deref().expect("results link");
        let file = dir.path().join("proof.bin");
        let mut bytes = aborted.evidence.clone().expect("evidence");
        std::fs::write(&file, &bytes).unwrap();
        let verify = |file: &std::path::Path| {
            std::process::Command::new(sotto_e2e::sotto_bin())
                .args(["verify-evidence", "--link", link])
                .arg(file)
                .output()
                .unwrap()
        };
        let out = verify(&file);
        assert!(out.status.success(), "{out:?}");
        let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(shown["deviated"], 3, "{shown}");
        assert_eq!(shown["name"], "member-3", "{shown}");
        // One flipped bit in the last share: a signature no longer holds.
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let altered = dir.path().join("altered.bin");
        std::fs::write(&altered, &bytes).unwrap();
        let out = verify(&altered);
        assert!(!out.status.success(), "{out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("does not hold"), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_member_stops_the_count_waiting_for_it_and_naming_nobody() {
    // With n = 2t + 1 nobody may drop out: the others wait, then stop,
    // saying whom they waited for without naming it (a relay that
    // withholds an honest member's messages looks the same; the old code
    // named the member waited for as a culprit).
    let f = run(
        Committee::new(3),
        json!([{"member": 3, "how": "crash", "from_round": 2}]),
    )
    .await;
    match &f {
        Finished::Aborted { aborted } => {
            assert_eq!(aborted.culprits, Vec::<u16>::new(), "{}", aborted.reason);
            assert_eq!(aborted.waiting, vec![3], "{}", aborted.reason);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_honest_scenario_still_gives_the_exact_result() {
    assert!(exact(&run(Committee::new(3), json!([])).await));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_that_crash_are_left_out_and_the_others_finish() {
    // n = 2t + 1 + d survives d members gone, before or during the
    // computation, with the exact result.
    for (c, deviate) in [
        (
            Committee { n: 4, t: 1 },
            json!([{"member": 2, "how": "crash", "from_round": 7}]),
        ),
        (
            Committee { n: 5, t: 1 },
            json!([{"member": 1, "how": "crash", "from_round": 0},
                   {"member": 5, "how": "crash", "from_round": 12}]),
        ),
    ] {
        let f = run(c, deviate.clone()).await;
        assert!(exact(&f), "{c:?} {deviate}: {f:?}");
    }
}
