//! Issue 13's ballot stuffing through the real relay and real member
//! daemons: `sotto simulate` scenarios whose `forged_shares` are
//! submissions dealt off degree t so that the old validity check accepted
//! them (a score of 1000, a Borda ballot taking every point, approving all
//! options, swinging a winner, IRV cells, a survey age of 145 and an
//! optional question answered three times, a budget moving 9,940 between
//! projects under differential privacy). For committees of 3, 4, 5 and 7
//! each forged submission must be excluded and counted invalid, the honest
//! result exact and no member may abort.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{Value, json};
use sotto_cli::simulate::{Scenario, run as simulate};
use sotto_client::draft::SessionDraft;
use sotto_core::apps::forge::{shares_off_degree_t, shift_within_linear_constraints};
use sotto_core::apps::survey::SurveySchema;
use sotto_core::apps::validity::Encoding;
use sotto_core::apps::{Computation, Policy, survey};
use sotto_core::engine::Committee;
use sotto_core::engine::network::Network;
use sotto_core::field::Fp;
use sotto_core::share::{ShareVec, deal};
use sotto_e2e::relay_at;

const TIMEOUT: Duration = Duration::from_secs(240);

/// A session kind with honest answers and forgeries: (index of the honest
/// answer to start from, entry changes).
struct Attack {
    name: &'static str,
    /// The session draft, without its committee.
    draft: Value,
    honest: Vec<Value>,
    forged: Vec<(usize, Vec<(usize, i128)>)>,
    /// Under differential privacy the result is noisy: compare counts only.
    noisy: bool,
}

fn vote_draft(method: &str, reveal: &str, extra: Value) -> Value {
    let mut v = json!({"method": method, "options": ["A", "B", "C"], "reveal": reveal});
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    json!({"kind": "vote", "title": "Forged vote", "schema": v, "policy": {"min_submissions": 1}})
}

fn survey_schema() -> Value {
    json!({"questions": [
        {"id": "age", "text": "Age", "answer": {"type": "number", "min": 18, "max": 99, "buckets": [30, 50, 70]}},
        {"id": "color", "text": "Color", "optional": true, "answer": {"type": "choice", "options": ["red", "green", "blue"]}}
    ]})
}

fn attacks() -> Vec<Attack> {
    let ranking = |r: [&str; 3]| json!({ "ranking": r });
    let schema: SurveySchema = serde_json::from_value(survey_schema()).unwrap();
    let (_, layouts) = survey::encoding(&schema);
    let age = layouts[0].number.map(|(y, _, _)| y).unwrap();
    let color = layouts[1].first_option;
    vec![
        Attack {
            name: "score: A = 1000 with maximum 5",
            draft: vote_draft("score", "tally", json!({"max_score": 5})),
            honest: vec![
                json!({"scores": {"A": 1, "B": 5}}),
                json!({"scores": {"C": 2}}),
            ],
            forged: vec![(1, vec![(0, 1000)])],
            noisy: false,
        },
        Attack {
            name: "borda: one ballot takes every point",
            draft: vote_draft("borda", "tally", json!({})),
            honest: vec![ranking(["B", "A", "C"]), ranking(["C", "B", "A"])],
            forged: vec![(0, vec![(0, 50)])],
            noisy: false,
        },
        Attack {
            name: "approval with max 1: one ballot approves all",
            draft: vote_draft("approval", "tally", json!({"max_approvals": 1})),
            honest: vec![json!({"approve": ["A"]}), json!({"approve": ["B"]})],
            forged: vec![(0, vec![(1, 1), (2, 1)])],
            noisy: false,
        },
        Attack {
            name: "plurality winner only: +3 for A and -2 for B",
            draft: vote_draft("plurality", "winner", json!({})),
            honest: vec![
                json!({"choice": "B"}),
                json!({"choice": "B"}),
                json!({"choice": "A"}),
            ],
            forged: vec![(0, vec![(0, 3), (1, -2)])],
            noisy: false,
        },
        Attack {
            name: "plurality tally: two colluding ballots, +50/-49 each",
            draft: vote_draft("plurality", "tally", json!({})),
            honest: vec![json!({"choice": "C"}), json!({"choice": "B"})],
            forged: vec![(0, vec![(0, 50), (1, -49)]), (0, vec![(0, -49), (1, 50)])],
            noisy: false,
        },
        Attack {
            name: "instant runoff: one faked cell",
            draft: vote_draft("irv", "tally", json!({})),
            honest: vec![
                ranking(["B", "A", "C"]),
                ranking(["B", "C", "A"]),
                ranking(["C", "A", "B"]),
            ],
            forged: vec![(2, vec![(0, 7)])],
            noisy: false,
        },
        Attack {
            name: "survey: every option of an optional choice; age 145 with max 99",
            draft: json!({"kind": "survey", "title": "Forged survey", "schema": survey_schema(),
                "policy": {"min_submissions": 1}}),
            honest: vec![
                json!({"age": 40, "color": "red"}),
                json!({"age": 99}),
                json!({"age": 18, "color": "blue"}),
            ],
            forged: vec![(2, vec![(color, 1), (color + 1, 1)]), (1, vec![(age, 46)])],
            noisy: false,
        },
        Attack {
            name: "budget under DP: park = 10000, library = -9900",
            draft: json!({"kind": "budget", "title": "Forged budget",
                "schema": {"projects": ["park", "library", "pool"], "total": 100},
                "policy": {"min_submissions": 1, "dp": {"epsilon": 50.0}}}),
            honest: vec![
                json!({"park": 60, "library": 40}),
                json!({"pool": 100}),
                json!({"park": 10, "library": 10, "pool": 80}),
            ],
            forged: vec![(0, vec![(0, 9940), (1, -9940)])],
            noisy: true,
        },
    ]
}

/// The computation a scenario's draft describes.
fn computation(draft: &Value) -> Computation {
    let draft: SessionDraft<u16> = serde_json::from_value(draft.clone()).unwrap();
    Computation::new(draft.kind, Policy::from(&draft.policy))
}

fn encoding(comp: &Computation) -> Encoding {
    comp.kind.encoding()
}

/// The honest result, computed on the in-memory network (whose apps are
/// checked against plaintext twins in the core's tests).
fn honest_result(comp: &Computation, c: Committee, honest: &[Vec<Fp>]) -> Value {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut per_member: Vec<Vec<ShareVec>> = vec![Vec::new(); c.n];
    for h in honest {
        for (m, s) in deal(h, c.n, c.t, &mut rng).unwrap().into_iter().enumerate() {
            per_member[m].push(s);
        }
    }
    let out = Network::new(c, 2)
        .run(|ctx| {
            let subs = per_member[ctx.me() - 1].clone();
            let comp = comp.clone();
            async move { Ok(comp.compute(&ctx, &subs).await?.to_json()) }
        })
        .unwrap();
    out.values[0].clone()
}

/// Every attack, with the members in `claiming` holding keys that cannot
/// prove a disclosure (their complaints are challenged instead).
async fn every_attack_is_excluded(n: usize, t: usize, claiming: &[u16]) {
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(n as u64);
    for attack in attacks() {
        let mut draft = attack.draft.clone();
        draft["committee"] = json!({"members": n, "threshold": t});
        let comp = computation(&draft);
        let enc = encoding(&comp);
        let honest: Vec<Vec<Fp>> = attack
            .honest
            .iter()
            .map(|a| comp.encode(a).unwrap())
            .collect();
        let forged_shares: Vec<Vec<Vec<String>>> = attack
            .forged
            .iter()
            .map(|(from, changes)| {
                let changes: Vec<(usize, Fp)> = changes
                    .iter()
                    .map(|(i, d)| (*i, Fp::from_i128(*d)))
                    .collect();
                let x = shift_within_linear_constraints(&enc, &honest[*from], &changes).unwrap();
                assert!(!enc.is_valid(&x));
                shares_off_degree_t(&enc, &x, n, t, &mut rng)
                    .unwrap()
                    .into_iter()
                    .map(|v| v.iter().map(|e| e.value().to_string()).collect())
                    .collect()
            })
            .collect();
        let scenario: Scenario = serde_json::from_value(json!({
            "draft": draft,
            "answers": attack.honest,
            "forged_shares": forged_shares,
            "claiming": claiming,
        }))
        .unwrap();
        let label = format!("{} with (n, t) = ({n}, {t})", attack.name);
        let report =
            tokio::time::timeout(TIMEOUT, simulate(&scenario, &relay.url(), Duration::ZERO))
                .await
                .unwrap_or_else(|_| panic!("{label}: timed out"))
                .unwrap_or_else(|e| panic!("{label}: {e:#}"));
        assert_eq!(report.invalid, attack.forged.len() as u64, "{label}");
        // Members beyond the commitment's first t + 1 complain about each
        // forgery; claiming members claim, and the others challenge.
        let claimers = (t + 2..=n)
            .filter(|m| claiming.contains(&(*m as u16)))
            .count();
        assert_eq!(
            report.claims,
            (attack.forged.len() * claimers) as u64,
            "{label}: claims"
        );
        assert_eq!(report.valid, honest.len() as u64, "{label}");
        if attack.noisy {
            // Noisy means of allocations in 0..=100 stay near that range
            // (noise of scale about 12 per sum at this epsilon); a counted
            // forgery would move two means by about 2,500.
            let projects = report.result["projects"].as_object().unwrap();
            for project in projects.values() {
                let m = project["mean"].as_f64().unwrap();
                assert!((-1000.0..=1100.0).contains(&m), "{label}: mean {m}");
            }
        } else {
            let want = honest_result(&comp, Committee { n, t }, &honest);
            assert_eq!(report.result, want["result"], "{label}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_shares_are_excluded_with_three_members() {
    every_attack_is_excluded(3, 1, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_shares_are_excluded_with_four_members() {
    every_attack_is_excluded(4, 1, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_shares_are_excluded_with_five_members() {
    every_attack_is_excluded(5, 2, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_shares_are_excluded_with_seven_members() {
    every_attack_is_excluded(7, 3, &[]).await;
}

/// The same attacks when no member can prove a disclosure (every member
/// holds keys like a browser's non-extractable WebCrypto keys): the
/// members beyond the commitment's first t + 1 complain with claimed
/// outputs, every other member challenges each claim over the relay, and
/// each forgery is still excluded with the honest result exact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_shares_are_excluded_when_complaints_are_challenged() {
    every_attack_is_excluded(4, 1, &[1, 2, 3, 4]).await;
}
