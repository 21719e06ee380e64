//! Real sizes through the real relay: a 1,000-respondent survey, a
//! 1,000-participant budget over 8 projects and a 10,000-ballot vote, each
//! run by `sotto simulate`'s session runner against a `sotto-relay`
//! process with its default limits (so every round larger than one relay
//! frame travels in pieces), and each result compared exactly with the
//! same statistics computed here in the clear from the answers.
//!
//! The answers come from a seeded ChaCha20 stream: the same every run.
//! Each test prints its times and the bytes each member sent (run with
//! `--nocapture` to see them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use serde_json::{Value, json};
use sotto_cli::simulate::{Report, Scenario, run as simulate};
use sotto_e2e::{relay_at, sotto_result_with_receipt};

const TIMEOUT: Duration = Duration::from_secs(600);

async fn run(name: &str, scenario: Value) -> Report {
    run_then(name, scenario, |_| {}).await
}

/// [`run`], then `after` with the report while the relay still runs.
async fn run_then(name: &str, scenario: Value, after: impl FnOnce(&Report)) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let scenario: Scenario = serde_json::from_value(scenario).unwrap();
    let report = tokio::time::timeout(TIMEOUT, simulate(&scenario, &relay.url(), Duration::ZERO))
        .await
        .expect("simulation timed out")
        .unwrap();
    println!(
        "{name}: submit {:.1} s, close to verified result {:.1} s, bytes sent per member {:?}",
        report.ms.submit / 1000.0,
        report.ms.compute / 1000.0,
        report.member_bytes
    );
    after(&report);
    report
}

/// A uniform draw from `lo..=hi` (the modulo bias is irrelevant here).
fn draw(rng: &mut ChaCha20Rng, lo: i64, hi: i64) -> i64 {
    lo + (rng.next_u64() % (hi - lo + 1) as u64) as i64
}

/// Type-7 quartiles (R, NumPy) of `x`, computed in the clear.
fn quartiles(x: &[i64]) -> [f64; 3] {
    let mut s = x.to_vec();
    s.sort_unstable();
    [1.0, 2.0, 3.0].map(|q| {
        let h = (s.len() - 1) as f64 * q / 4.0;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        s[lo] as f64 + (h - h.floor()) * (s[hi] - s[lo]) as f64
    })
}

/// The result of a number question with `buckets` (edges; the last
/// bucket ends at `max`) over the answers given.
fn number_stats(x: &[i64], buckets: &[i64]) -> Value {
    let sum: i64 = x.iter().sum();
    let q = quartiles(x);
    let mut hist = serde_json::Map::new();
    for (i, edge) in buckets.iter().enumerate() {
        let end = buckets.get(i + 1).copied().unwrap_or(i64::MAX);
        let n = x.iter().filter(|v| **v >= *edge && **v < end).count();
        hist.insert(edge.to_string(), json!(n));
    }
    json!({
        "count": x.len(),
        "sum": sum as f64,
        "mean": sum as f64 / x.len() as f64,
        "median": q[1],
        "quartiles": q,
        "histogram": hist,
    })
}

fn choice_stats(x: &[&str], options: &[&str]) -> Value {
    let hist: BTreeMap<&str, usize> = options
        .iter()
        .map(|o| (*o, x.iter().filter(|v| *v == o).count()))
        .collect();
    json!({ "count": x.len(), "histogram": hist })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_1000_respondent_survey_runs_through_the_relay() {
    const N: usize = 1000;
    let colors = ["red", "green", "blue", "other"];
    let modes = ["walk", "bike", "bus", "car", "train"];
    let (age_buckets, hour_buckets) = ([18, 30, 50, 70], [0, 10, 20, 40]);
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    let (mut ages, mut hours, mut cs, mut ms) = (vec![], vec![], vec![], vec![]);
    let answers: Vec<Value> = (0..N)
        .map(|_| {
            let age = draw(&mut rng, 18, 99);
            let color = colors[draw(&mut rng, 0, 3) as usize];
            ages.push(age);
            cs.push(color);
            let mut a = json!({ "age": age, "color": color });
            // Hours and the transport mode are optional: about one in ten
            // respondents skips each.
            if draw(&mut rng, 0, 9) > 0 {
                let h = draw(&mut rng, 0, 80);
                hours.push(h);
                a["hours"] = json!(h);
            }
            if draw(&mut rng, 0, 9) > 0 {
                let m = modes[draw(&mut rng, 0, 4) as usize];
                ms.push(m);
                a["mode"] = json!(m);
            }
            a
        })
        .collect();
    let report = run(
        "survey, 1,000 respondents, 2 numeric + 2 choice questions",
        json!({
            "draft": {"kind": "survey", "title": "Neighbourhood survey",
                "schema": {"questions": [
                    {"id": "age", "text": "Your age",
                     "answer": {"type": "number", "min": 18, "max": 99, "buckets": age_buckets}},
                    {"id": "hours", "text": "Hours outside per week", "optional": true,
                     "answer": {"type": "number", "min": 0, "max": 80, "buckets": hour_buckets}},
                    {"id": "color", "text": "Favourite colour",
                     "answer": {"type": "choice", "options": colors}},
                    {"id": "mode", "text": "How you get to work", "optional": true,
                     "answer": {"type": "choice", "options": modes}}]},
                "committee": {"members": 3, "threshold": 1},
                "policy": {"min_submissions": 5}},
            "answers": answers
        }),
    )
    .await;
    assert_eq!((report.valid, report.invalid), (N as u64, 0));
    let expected = json!({"questions": {
        "age": number_stats(&ages, &age_buckets),
        "hours": number_stats(&hours, &hour_buckets),
        "color": choice_stats(&cs, &colors),
        "mode": choice_stats(&ms, &modes),
    }});
    assert_eq!(report.result, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_1000_participant_budget_over_8_projects_runs_through_the_relay() {
    const N: usize = 1000;
    const TOTAL: i64 = 100;
    let projects = [
        "park", "library", "pool", "bikes", "trees", "lights", "bench", "mural",
    ];
    let mut rng = ChaCha20Rng::from_seed([2; 32]);
    let mut columns = vec![Vec::with_capacity(N); projects.len()];
    let answers: Vec<Value> = (0..N)
        .map(|_| {
            // Seven cut points in 0..=TOTAL split the total into 8 parts.
            let mut cuts: Vec<i64> = (0..projects.len() - 1)
                .map(|_| draw(&mut rng, 0, TOTAL))
                .collect();
            cuts.push(0);
            cuts.push(TOTAL);
            cuts.sort_unstable();
            let mut a = serde_json::Map::new();
            for ((p, col), w) in projects.iter().zip(&mut columns).zip(cuts.windows(2)) {
                let amount = w[1] - w[0];
                col.push(amount);
                a.insert(p.to_string(), json!(amount));
            }
            Value::Object(a)
        })
        .collect();
    let report = run(
        "budget, 1,000 participants, 8 projects",
        json!({
            "draft": {"kind": "budget", "title": "Town budget",
                "schema": {"total": TOTAL, "projects": projects},
                "committee": {"members": 3, "threshold": 1},
                "policy": {"min_submissions": 5}},
            "answers": answers
        }),
    )
    .await;
    assert_eq!((report.valid, report.invalid), (N as u64, 0));
    let mut expected_projects = serde_json::Map::new();
    let mut sums = Vec::new();
    for (o, (p, col)) in projects.iter().zip(&columns).enumerate() {
        let sum: i64 = col.iter().sum();
        sums.push((sum, o));
        // Type 7 median: the mean of the two middle values of 1,000.
        let mut s = col.clone();
        s.sort_unstable();
        let median = (s[(N - 1) / 2] + s[N / 2]) as f64 / 2.0;
        expected_projects.insert(
            p.to_string(),
            json!({"mean": sum as f64 / N as f64, "median": median}),
        );
    }
    // Ranked by mean, highest first; ties keep the schema's order.
    sums.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let ranking: Vec<&str> = sums.iter().map(|(_, o)| projects[*o]).collect();
    assert_eq!(
        report.result,
        json!({"projects": expected_projects, "ranking": ranking})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_10000_ballot_vote_with_a_tally_runs_through_the_relay() {
    const N: usize = 10_000;
    let options = ["Ada", "Grace", "Edsger", "Barbara", "Donald"];
    let mut rng = ChaCha20Rng::from_seed([3; 32]);
    let mut tally: BTreeMap<&str, u64> = options.iter().map(|o| (*o, 0)).collect();
    let answers: Vec<Value> = (0..N)
        .map(|_| {
            // Skewed, so the options' counts differ.
            let i = draw(&mut rng, 0, 14) as usize;
            let choice = options[[0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4][i]];
            *tally.get_mut(choice).unwrap() += 1;
            json!({ "choice": choice })
        })
        .collect();
    // More counted answers than a result lists (8,192): the members sign
    // a tree root, and `sotto result --receipt` checks the relay's proof
    // about a receipt against it, for a counted one and one never sent.
    let check = |report: &Report| {
        let link = report.results_link.as_deref().unwrap();
        let mine = report.receipts.iter().flatten().nth(4321).unwrap();
        let (code, err) = sotto_result_with_receipt(link, &hex::encode(mine));
        assert!(err.contains("your answer was counted"), "{err}");
        assert_eq!(code, Some(0), "{err}");
        let (code, err) = sotto_result_with_receipt(link, &"5a".repeat(32));
        assert!(err.contains("your answer is missing"), "{err}");
        assert_eq!(code, Some(4), "{err}");
    };
    let report = run_then(
        "plurality vote, 10,000 ballots, 5 options, reveal tally",
        json!({
            "draft": {"kind": "vote", "title": "Board seat",
                "schema": {"method": "plurality", "options": options, "reveal": "tally"},
                "committee": {"members": 3, "threshold": 1},
                "policy": {"min_submissions": 5}},
            "answers": answers
        }),
        check,
    )
    .await;
    assert_eq!((report.valid, report.invalid), (N as u64, 0));
    assert_eq!(report.result, json!({ "tally": tally }));
}
