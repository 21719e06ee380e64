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

#[test]
fn bench_session_leaves_member_one_to_an_external_member_given_its_link() {
    use std::io::{BufRead, BufReader, Read};
    const PASSPHRASE: &str = "external member test";
    relay_bin();
    let dir = tempfile::tempdir().unwrap();
    let keys = sotto_e2e::member_keys(1);
    let mut rng = sotto_client::os_rng();
    let file = keys[0]
        .to_keyfile(
            PASSPHRASE,
            sotto_core::keyfile::KdfParams::INSECURE_FOR_TESTS,
            &mut rng,
        )
        .unwrap();
    std::fs::write(dir.path().join("m1.key"), file).unwrap();
    let public = keys[0].public();

    // Bad keys are refused before anything starts.
    let bad = std::process::Command::new(sotto_bin())
        .args(["bench", "session", "--kind", "vote", "--participants", "12"])
        .args(["--external-member", "00:11"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("x25519"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );

    let mut bench = std::process::Command::new(sotto_bin())
        .args(["bench", "session", "--kind", "vote", "--participants", "12"])
        .args(["--options", "3"])
        .arg("--external-member")
        .arg(format!("{}:{}", public.x25519, public.ed25519))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(bench.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let link = first
        .strip_prefix("external member link: ")
        .unwrap_or_else(|| panic!("no link first: {first:?}"))
        .trim()
        .to_string();
    // Member 1 is the `sotto member` daemon, run from its key file.
    let mut member = sotto_e2e::sotto_command(dir.path(), PASSPHRASE)
        .args(["member", "--key", "m1.key", "--link", &link])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let reader = std::thread::spawn(move || {
        let mut rest = String::new();
        out.read_to_string(&mut rest).unwrap();
        rest
    });
    assert!(
        exited_ok(&mut bench, Duration::from_secs(240)),
        "sotto bench session failed"
    );
    let text = reader.join().unwrap();
    assert!(exited_ok(&mut member, Duration::from_secs(60)));
    let session = table(&text, "kind");
    assert_eq!(session.len(), 1, "{text}");
    assert!(cell(&session[0], "close_to_result_s") > 0.0, "{text}");
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip_while(|l| !l.starts_with("member"))
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 3, "{text}");
    // Member 1 is measured by whoever runs it; 2 and 3 ran here.
    assert_eq!(rows[0], ["1", "external", "external"], "{text}");
    for r in &rows[1..] {
        assert!(r[1].parse::<u64>().unwrap() > 10_000, "{text}");
        assert!(r[2].parse::<u64>().unwrap() > 1_000, "{text}");
    }
}
