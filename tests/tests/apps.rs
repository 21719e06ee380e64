//! Surveys and budgets end to end: `sotto simulate` against the real relay
//! process with native committee members, honest answers through the
//! participant path and forged vectors bypassing it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::json;
use sotto_cli::simulate::{Scenario, run as simulate};
use sotto_e2e::relay_at;

const TIMEOUT: Duration = Duration::from_secs(240);

async fn run(scenario: serde_json::Value) -> sotto_cli::simulate::Report {
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let scenario: Scenario = serde_json::from_value(scenario).unwrap();
    tokio::time::timeout(TIMEOUT, simulate(&scenario, &relay.url(), Duration::ZERO))
        .await
        .expect("simulation timed out")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_survey_runs_end_to_end_and_rejects_forged_answers() {
    let ages = [23, 35, 35, 41, 52, 60, 67, 29];
    let colors = ["red", "blue", "red", "red", "green", "blue", "red", "blue"];
    let answers: Vec<_> = ages
        .iter()
        .zip(colors)
        .enumerate()
        .map(|(i, (a, c))| {
            if i % 3 == 0 {
                json!({ "age": a, "color": c })
            } else {
                json!({ "age": a, "color": c, "agree": i % 2 == 0 })
            }
        })
        .collect();
    // Encoding (see docs/apps.md): age = [answered, y, 7 bits of y, 7 bits
    // of 81*answered - y]; color = one-hot over 3; agree (optional) =
    // one-hot over [skip, no, yes]. 1 + 1 + 7 + 7 + 3 + 3 = 22 entries.
    let mut out_of_range = vec![0i64; 22];
    out_of_range[0] = 1;
    out_of_range[1] = 200; // age 218, bits not spelling it
    out_of_range[16] = 1;
    out_of_range[19] = 1;
    let mut two_colors = vec![0i64; 22];
    two_colors[0] = 1;
    two_colors[16] = 1;
    two_colors[17] = 1;
    two_colors[19] = 1;
    let report = run(json!({
        "draft": {"kind": "survey", "title": "Neighbourhood survey",
            "schema": {"questions": [
                {"id": "age", "text": "Your age", "answer": {"type": "number", "min": 18, "max": 99}},
                {"id": "color", "text": "Colour", "answer": {"type": "choice", "options": ["red", "green", "blue"]}},
                {"id": "agree", "text": "Agree?", "answer": {"type": "yesno"}, "optional": true}]},
            "committee": {"members": 3, "threshold": 1},
            "policy": {"min_submissions": 5}},
        "answers": answers,
        "forged": [out_of_range, two_colors, vec![0i64; 22]]
    }))
    .await;
    assert_eq!((report.valid, report.invalid), (8, 3));
    let q = &report.result["questions"];
    assert_eq!(q["age"]["count"], json!(8));
    // Sorted: 23 29 35 35 41 52 60 67 -> median (35 + 41) / 2.
    assert_eq!(q["age"]["median"], json!(38.0));
    assert_eq!(
        q["age"]["mean"],
        json!(ages.iter().sum::<i32>() as f64 / 8.0)
    );
    assert_eq!(
        q["color"]["histogram"],
        json!({"red": 4, "green": 1, "blue": 3})
    );
    assert_eq!(q["agree"]["count"], json!(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_budget_runs_end_to_end_and_rejects_forged_allocations() {
    let allocs = [
        [60, 40, 0],
        [10, 10, 80],
        [50, 25, 25],
        [0, 100, 0],
        [30, 30, 40],
        [70, 20, 10],
    ];
    let answers: Vec<_> = allocs
        .iter()
        .map(|a| json!({"park": a[0], "library": a[1], "pool": a[2]}))
        .collect();
    // Encoding: 3 amounts then 7 bits each (total 100). A negative amount
    // that still sums to 100, and an allocation summing to 101.
    let mut negative = vec![0i64; 24];
    negative[0] = 150;
    negative[1] = -50;
    let mut too_much = vec![0i64; 24];
    too_much[0] = 101;
    for b in 0..7 {
        too_much[3 + b] = (101 >> b) & 1;
    }
    let report = run(json!({
        "draft": {"kind": "budget", "title": "Park budget",
            "schema": {"total": 100, "projects": ["park", "library", "pool"]},
            "committee": {"members": 3, "threshold": 1},
            "policy": {"min_submissions": 5}},
        "answers": answers,
        "forged": [negative, too_much]
    }))
    .await;
    assert_eq!((report.valid, report.invalid), (6, 2));
    let p = &report.result["projects"];
    assert_eq!(p["park"]["mean"], json!(220.0 / 6.0));
    // park sorted: 0 10 30 50 60 70 -> median 40.
    assert_eq!(p["park"]["median"], json!(40.0));
    assert_eq!(p["library"]["median"], json!(27.5));
    assert_eq!(report.result["ranking"], json!(["library", "park", "pool"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_differentially_private_vote_runs_end_to_end() {
    // 30 ballots, 20 for A: with ε = 2 each member's noise has scale 1, so
    // the noisy tally stays close, is marked, and the manifest carries ε.
    let answers: Vec<_> = (0..30)
        .map(|i| json!({"choice": if i % 3 == 0 { "B" } else { "A" }}))
        .collect();
    let report = run(json!({
        "draft": {"kind": "vote", "title": "Private vote",
            "schema": {"method": "plurality", "options": ["A", "B"], "reveal": "tally"},
            "committee": {"members": 3, "threshold": 1},
            "policy": {"min_submissions": 5, "dp": {"epsilon": 2}}},
        "answers": answers
    }))
    .await;
    assert_eq!((report.valid, report.invalid), (30, 0));
    assert_eq!(report.result["dp"], json!({"epsilon": 2.0}));
    let a = report.result["tally"]["A"].as_i64().unwrap();
    assert!((a - 20).abs() <= 25, "{}", report.result);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_income_survey_reports_statistics_and_brackets_only() {
    let incomes = [18_000, 25_000, 31_000, 42_000, 55_000, 61_000, 120_000];
    let answers: Vec<_> = incomes.iter().map(|i| json!({ "income": i })).collect();
    let report = run(json!({
        "draft": {"kind": "income", "title": "Household income",
            "schema": {"min": 0, "max": 200000, "brackets": [0, 30000, 60000]},
            "committee": {"members": 3, "threshold": 1},
            "policy": {"min_submissions": 5}},
        "answers": answers
    }))
    .await;
    assert_eq!((report.valid, report.invalid), (7, 0));
    let q = &report.result["questions"]["income"];
    assert_eq!(q["count"], json!(7));
    assert_eq!(q["median"], json!(42_000.0));
    // Type 7 quartiles of 7 values: positions 1.5 and 4.5.
    assert_eq!(q["quartiles"], json!([28_000.0, 42_000.0, 58_000.0]));
    assert_eq!(q["histogram"], json!({"0": 2, "30000": 3, "60000": 2}));
    assert_eq!(q["mean"], json!(incomes.iter().sum::<i32>() as f64 / 7.0));
}
