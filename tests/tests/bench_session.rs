//! `sotto bench session` at a tiny size: it starts a real `sotto-relay`
//! process, runs each committee member as a process of its own, and its
//! table is filled from what it measured (throughput, time to result,
//! bytes each member sent, the relay's store before and after, each
//! member's peak memory).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::time::Duration;

use sotto_e2e::{exited_ok, relay_bin, sotto_bin};

/// The whitespace-separated cells of the line after the header that
/// starts with `first`, keyed by the header's names.
fn table(text: &str, first: &str) -> Vec<Vec<(String, String)>> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.split_whitespace().next() == Some(first))
        .unwrap_or_else(|| panic!("no header {first:?} in {text}"));
    let names: Vec<&str> = lines[at].split_whitespace().collect();
    lines[at + 1..]
        .iter()
        .take_while(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            cells.len() == names.len() && cells.first() != Some(&"member")
        })
        .map(|l| {
            names
                .iter()
                .zip(l.split_whitespace())
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn cell(row: &[(String, String)], name: &str) -> f64 {
    row.iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no column {name:?}"))
        .1
        .parse()
        .unwrap()
}

#[test]
fn bench_session_measures_a_vote_through_a_relay_process_with_member_processes() {
    // Next to the CLI, where `bench session` looks for it.
    relay_bin();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bench.txt");
    let mut child = std::process::Command::new(sotto_bin())
        .args(["bench", "session", "--kind", "vote", "--participants", "12"])
        .args(["--options", "3", "--latency-ms", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::fs::File::create(&out).unwrap()))
        .spawn()
        .unwrap();
    assert!(
        exited_ok(&mut child, Duration::from_secs(240)),
        "sotto bench session failed: {}",
        std::fs::read_to_string(&out).unwrap_or_default()
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let session = table(&text, "kind");
    assert_eq!(session.len(), 1, "{text}");
    let s = &session[0];
    assert_eq!(cell(s, "participants"), 12.0);
    assert_eq!(cell(s, "latency_ms"), 1.0);
    assert!(cell(s, "submissions_per_s") > 0.0, "{text}");
    assert!(cell(s, "close_to_result_s") > 0.0, "{text}");
    let (before, after) = (cell(s, "relay_store_before"), cell(s, "relay_store_after"));
    // The store holds the session, 12 submissions and the members'
    // messages by the end.
    assert!(before > 0.0 && after > before, "{text}");
    assert_eq!(cell(s, "relay_store_growth"), after - before);
    let members = table(&text, "member");
    assert_eq!(members.len(), 3, "{text}");
    for m in &members {
        // Every member sent its share of the rounds through the relay (a
        // vote's validity check alone is kilobytes), and each process
        // had its own memory to measure.
        assert!(cell(m, "bytes_sent") > 10_000.0, "{text}");
        assert!(cell(m, "peak_rss_kib") > 1_000.0, "{text}");
    }
}
