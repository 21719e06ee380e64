//! End to end: the real `sotto-relay` process, native committee members
//! (each with its own connection) and many participants.
//!
//! Every test is bounded by a timeout and checks results, never timings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sotto_cli::simulate::{Scenario, run as simulate};
use sotto_client::draft::{DraftCommittee, SessionSpec};
use sotto_client::driver::MemberConfig;
use sotto_client::flows;
use sotto_client::flows::CreatedSession;
use sotto_client::member::MemberError;
use sotto_client::native::member::run_member;
use sotto_client::native::relay_client::RelayClient;
use sotto_client::native::session_ops::{
    close_session, create_session, submit_answer, submit_values,
};
use sotto_core::apps::Outcome;
use sotto_core::field::Fp;
use sotto_core::keyfile::MemberKeys;
use sotto_core::session::{
    Deadlines, OutputPolicy, Reveal, Role, SessionKind, VoteMethod, VoteSchema,
};
use sotto_e2e::{committee_of, relay_at, sotto_result_with_receipt};

const TIMEOUT: Duration = Duration::from_secs(240);

fn plurality(options: &[&str]) -> VoteSchema {
    VoteSchema {
        method: VoteMethod::Plurality,
        options: options.iter().map(|s| s.to_string()).collect(),
        reveal: Reveal::Tally,
        max_approvals: None,
        max_score: None,
    }
}

fn member_cfg(url: &str, c: &CreatedSession, keys: &Arc<MemberKeys>, i: usize) -> MemberConfig {
    MemberConfig {
        relay: url.to_string(),
        session: c.session,
        token: c.members[i].clone(),
        keys: keys.clone(),
        manifest_hash: Some(c.manifest.hash),
        latency: Duration::ZERO,
        mismatch_retries: 3,
        max_reconnects: 60,
    }
}

/// Logs to stderr when SOTTO_TEST_LOGS is set (e.g. `SOTTO_TEST_LOGS=sotto=info`).
fn logs() {
    if let Ok(filter) = std::env::var("SOTTO_TEST_LOGS") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    }
}

async fn create(url: &str, keys: &[Arc<MemberKeys>], tokens: u32) -> CreatedSession {
    create_with(url, keys, tokens, Deadlines::default()).await
}

async fn create_with(
    url: &str,
    keys: &[Arc<MemberKeys>],
    tokens: u32,
    deadlines: Deadlines,
) -> CreatedSession {
    let spec = SessionSpec {
        deadlines,
        title: "e2e".into(),
        description: None,
        kind: SessionKind::Vote(plurality(&["A", "B", "C"])),
        committee: DraftCommittee {
            threshold: None,
            members: committee_of(keys),
        },
        policy: OutputPolicy {
            min_submissions: 5,
            ..OutputPolicy::default()
        },
        single_use: tokens,
    };
    let organizer = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    create_session(url, &spec, &organizer).await.unwrap()
}

/// Submits `choices[i]` with participant token `first + i`.
async fn submit_all(url: &str, c: &CreatedSession, first: usize, choices: &[usize]) {
    for (i, &choice) in choices.iter().enumerate() {
        let values = sotto_e2e::proved(
            &c.manifest.manifest.computation().kind.encoding(),
            &[(choice, Fp::ONE)],
        );
        let mut client = RelayClient::connect(url).await.unwrap();
        client
            .hello(c.session, &c.participants[first + i], 0)
            .await
            .unwrap();
        submit_values(&mut client, &c.manifest, &values, Duration::ZERO)
            .await
            .unwrap();
    }
}

async fn verified(url: &str, c: &CreatedSession) -> serde_json::Value {
    let mut client = RelayClient::connect(url).await.unwrap();
    flows::fetch_result(&mut client, &c.manifest, &c.reader)
        .await
        .unwrap()
        .expect("a result with t + 1 valid signatures")
        .json
}

fn tally_of(choices: &[usize]) -> serde_json::Value {
    let mut t = BTreeMap::new();
    for (i, name) in ["A", "B", "C"].iter().enumerate() {
        t.insert(*name, choices.iter().filter(|c| **c == i).count());
    }
    json!({ "tally": t })
}

fn choices(n: usize, seed: usize) -> Vec<usize> {
    (0..n).map(|i| (i * 7 + seed + i / 3) % 3).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_members_two_hundred_participants_forged_ballots_counted() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let names = ["A", "B", "C", "D"];
    let answers: Vec<serde_json::Value> = (0..200)
        .map(|i| json!({ "choice": names[(i * 7 + i / 5) % 4] }))
        .collect();
    let mut expected = BTreeMap::new();
    for a in &answers {
        *expected
            .entry(a["choice"].as_str().unwrap())
            .or_insert(0u64) += 1;
    }
    let scenario: Scenario = serde_json::from_value(json!({
        "draft": {"kind": "vote", "title": "Board seat",
            "schema": {"method": "plurality", "options": names, "reveal": "tally"},
            "committee": {"members": 3, "threshold": 1},
            "policy": {"min_submissions": 5}},
        "answers": answers,
        "forged": [[1, 1, 0, 0], [2, 0, 0, 0], [0, 0, 0, 0], [5, 0, 0, 0]]
    }))
    .unwrap();
    let report = tokio::time::timeout(TIMEOUT, simulate(&scenario, &relay.url(), Duration::ZERO))
        .await
        .expect("simulation timed out")
        .unwrap();
    assert_eq!(report.valid, 200);
    assert_eq!(report.invalid, 4);
    assert_eq!(report.result, json!({ "tally": expected }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swapped_manifest_hash_is_refused_by_participants() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let keys: Vec<_> = (0..3)
        .map(|_| Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())))
        .collect();
    let c = create(&relay.url(), &keys, 2).await;
    let good = c
        .link(&relay.url(), Role::Participant, &c.participants[0])
        .unwrap();
    // The relay swapped a member key: the manifest it serves no longer has
    // the hash in the link. Model it with a link carrying another hash.
    let mut other = c.manifest.manifest.clone();
    other.committee.members[1].x25519 = MemberKeys::generate(&mut sotto_client::os_rng())
        .public()
        .x25519;
    let forged_hash = sotto_core::session::ManifestHash::of(&other.to_canonical_bytes().unwrap());
    let bad = good.replace(&c.manifest.hash.to_string(), &forged_hash.to_string());
    let err = submit_answer(&bad, &json!({"choice": "A"}))
        .await
        .expect_err("must refuse");
    let msg = format!("{err:#}");
    assert!(msg.contains("does not match"), "{msg}");
    let (ack, _) = submit_answer(&good, &json!({"choice": "A"})).await.unwrap();
    assert_eq!(ack.position, 1);
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The relay enforces the window the signed manifest declares: nobody
/// closes this session, yet it closes at `closes_at`, the members compute,
/// and a late answer is refused; a session that opens later refuses an
/// early one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_closes_a_session_at_its_deadline() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let url = relay.url();
    let keys: Vec<_> = (0..3)
        .map(|_| Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())))
        .collect();
    let closes_at = unix_now() + 4;
    let c = create_with(
        &url,
        &keys,
        7,
        Deadlines {
            opens_at: None,
            closes_at: Some(closes_at),
        },
    )
    .await;
    let members: Vec<_> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| tokio::spawn(run_member(member_cfg(&url, &c, k, i))))
        .collect();
    let picks = choices(6, 2);
    submit_all(&url, &c, 0, &picks).await;
    assert!(unix_now() < closes_at, "the submissions took too long");
    for m in members {
        tokio::time::timeout(TIMEOUT, m)
            .await
            .expect("the members never saw the close")
            .unwrap()
            .unwrap();
    }
    assert!(unix_now() >= closes_at);
    let result = verified(&url, &c).await;
    assert_eq!(result["valid"], 6);
    assert_eq!(result["result"], tally_of(&picks));

    let late = async {
        let mut client = RelayClient::connect(&url).await.unwrap();
        client
            .hello(c.session, &c.participants[6], 0)
            .await
            .unwrap();
        submit_values(
            &mut client,
            &c.manifest,
            &sotto_e2e::proved(
                &c.manifest.manifest.computation().kind.encoding(),
                &[(0, Fp::ONE)],
            ),
            Duration::ZERO,
        )
        .await
    };
    let err = late.await.expect_err("a late answer was accepted");
    assert!(
        format!("{err:#}").contains("not open for submissions"),
        "{err:#}"
    );

    let later = create_with(
        &url,
        &keys,
        1,
        Deadlines {
            opens_at: Some(unix_now() + 3600),
            closes_at: None,
        },
    )
    .await;
    let mut client = RelayClient::connect(&url).await.unwrap();
    client
        .hello(later.session, &later.participants[0], 0)
        .await
        .unwrap();
    let err = submit_values(
        &mut client,
        &later.manifest,
        &sotto_e2e::proved(
            &later.manifest.manifest.computation().kind.encoding(),
            &[(0, Fp::ONE)],
        ),
        Duration::ZERO,
    )
    .await
    .expect_err("an early answer was accepted");
    assert!(
        format!("{err:#}").contains("does not take submissions yet"),
        "{err:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_killed_mid_computation_restarts_with_the_same_result() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let url = relay.url();
    let keys: Vec<_> = (0..3)
        .map(|_| Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())))
        .collect();
    let c = create(&url, &keys, 40).await;
    let picks = choices(40, 1);
    submit_all(&url, &c, 0, &picks).await;
    let run = async {
        let mut tasks = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let mut cfg = member_cfg(&url, &c, k, i);
            if i == 1 {
                // Member 2's frames are slow: it announces its inputs and
                // starts computing, but cannot finish before it is killed.
                cfg.latency = Duration::from_millis(300);
            }
            tasks.push(tokio::spawn(run_member(cfg)));
        }
        close_session(&url, c.session, &c.organizer).await.unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        tasks[1].abort();
        let _ = (&mut tasks[1]).await;
        tasks[1] = tokio::spawn(run_member(member_cfg(&url, &c, &keys[1], 1)));
        let mut outs: Vec<Outcome> = Vec::new();
        for t in tasks {
            outs.push(t.await.unwrap().unwrap());
        }
        outs
    };
    let outs = tokio::time::timeout(TIMEOUT, run).await.expect("timed out");
    assert!(outs.windows(2).all(|w| w[0] == w[1]));
    let result = verified(&url, &c).await;
    assert_eq!(result["valid"], 40);
    assert_eq!(result["result"], tally_of(&picks));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_sigkilled_and_restarted_loses_nothing() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let mut relay = relay_at(dir.path()).start().unwrap();
    let addr = relay.addr();
    let url = relay.url();
    let keys: Vec<_> = (0..3)
        .map(|_| Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())))
        .collect();
    let c = create(&url, &keys, 60).await;
    let picks = choices(60, 2);
    let run = async {
        let mut tasks = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let mut cfg = member_cfg(&url, &c, k, i);
            cfg.latency = Duration::from_millis(20);
            tasks.push(tokio::spawn(run_member(cfg)));
        }
        submit_all(&url, &c, 0, &picks[..30]).await;
        relay.kill();
        relay = relay_at(dir.path())
            .listen(addr.to_string())
            .start()
            .unwrap();
        submit_all(&url, &c, 30, &picks[30..]).await;
        close_session(&url, c.session, &c.organizer).await.unwrap();
        // Once more in the middle of the computation.
        tokio::time::sleep(Duration::from_millis(500)).await;
        relay.kill();
        relay = relay_at(dir.path())
            .listen(addr.to_string())
            .start()
            .unwrap();
        let mut outs: Vec<Result<Outcome, MemberError>> = Vec::new();
        for t in tasks {
            outs.push(t.await.unwrap());
        }
        outs
    };
    let outs = tokio::time::timeout(TIMEOUT, run).await.expect("timed out");
    for o in &outs {
        assert!(o.is_ok(), "{o:?}");
    }
    let result = verified(&url, &c).await;
    assert_eq!(result["valid"], 60);
    assert_eq!(result["result"], tally_of(&picks));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn circle_mode_seven_members_each_submitting() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let url = relay.url();
    let keys: Vec<_> = (0..7)
        .map(|_| Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())))
        .collect();
    let c = create(&url, &keys, 7).await;
    let picks = choices(7, 0);
    let run = async {
        let tasks: Vec<_> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| tokio::spawn(run_member(member_cfg(&url, &c, k, i))))
            .collect();
        // Every member also answers, with its own participant link.
        submit_all(&url, &c, 0, &picks).await;
        close_session(&url, c.session, &c.organizer).await.unwrap();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
    };
    tokio::time::timeout(TIMEOUT, run).await.expect("timed out");
    let result = verified(&url, &c).await;
    assert_eq!(result["valid"], 7);
    assert_eq!(result["result"], tally_of(&picks));
}

/// What the tampering proxy does: to the first member-to-member message
/// delivered to the member behind it (flip, replay), or to every frame
/// (swap one byte string for another of the same length, e.g. a member's
/// key in the manifest the relay serves).
#[derive(Clone)]
enum Tamper {
    FlipByte,
    Replay,
    Swap(Vec<u8>, Vec<u8>),
}

/// A TCP proxy between one member and the relay that tampers with the
/// relay's WebSocket frames (unmasked, server to client).
async fn tamper_proxy(upstream: SocketAddr, mode: Tamper) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let done = done.clone();
            let mode = mode.clone();
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut cr, &mut sw).await;
                });
                // HTTP upgrade response, then frames.
                let mut head = Vec::new();
                while !head.ends_with(b"\r\n\r\n") {
                    let Ok(b) = sr.read_u8().await else { return };
                    head.push(b);
                }
                if cw.write_all(&head).await.is_err() {
                    return;
                }
                loop {
                    let mut h = [0u8; 2];
                    if sr.read_exact(&mut h).await.is_err() {
                        return;
                    }
                    let mut frame = h.to_vec();
                    let len = match h[1] & 0x7f {
                        126 => {
                            let mut b = [0u8; 2];
                            if sr.read_exact(&mut b).await.is_err() {
                                return;
                            }
                            frame.extend_from_slice(&b);
                            u64::from(u16::from_be_bytes(b))
                        }
                        127 => {
                            let mut b = [0u8; 8];
                            if sr.read_exact(&mut b).await.is_err() {
                                return;
                            }
                            frame.extend_from_slice(&b);
                            u64::from_be_bytes(b)
                        }
                        n => u64::from(n),
                    };
                    let start = frame.len();
                    frame.resize(start + len as usize, 0);
                    if sr.read_exact(&mut frame[start..]).await.is_err() {
                        return;
                    }
                    let p = &frame[start..];
                    let direct = p.len() > 44 && p[1] == 0x84 && p[2] == 2 && p[44] == 2;
                    let first = direct && !done.swap(true, std::sync::atomic::Ordering::SeqCst);
                    match &mode {
                        Tamper::Swap(from, to) => {
                            let body = &mut frame[start..];
                            let mut i = 0;
                            while i + from.len() <= body.len() {
                                if body[i..i + from.len()] == from[..] {
                                    body[i..i + from.len()].copy_from_slice(to);
                                }
                                i += 1;
                            }
                        }
                        Tamper::FlipByte if first => {
                            let last = frame.len() - 1;
                            frame[last] ^= 1;
                        }
                        Tamper::Replay if first && cw.write_all(&frame).await.is_err() => {
                            return;
                        }
                        _ => {}
                    }
                    if cw.write_all(&frame).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

async fn run_behind_proxy(
    mode: Tamper,
) -> (
    Vec<Result<Outcome, MemberError>>,
    Option<serde_json::Value>,
    Vec<usize>,
) {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let url = relay.url();
    let proxy = tamper_proxy(relay.addr(), mode).await;
    let keys: Vec<_> = (0..3)
        .map(|_| Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())))
        .collect();
    let c = create(&url, &keys, 10).await;
    let picks = choices(10, 0);
    submit_all(&url, &c, 0, &picks).await;
    let mut tasks = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        let mut cfg = member_cfg(&url, &c, k, i);
        if i == 0 {
            cfg.relay = format!("ws://{proxy}/ws");
        }
        tasks.push(tokio::spawn(run_member(cfg)));
    }
    close_session(&url, c.session, &c.organizer).await.unwrap();
    let mut outs = Vec::new();
    let first = tokio::time::timeout(TIMEOUT, &mut tasks[0])
        .await
        .expect("timed out")
        .unwrap();
    outs.push(first);
    for t in tasks.into_iter().skip(1) {
        // Behind a tampered member the others may wait forever: bound them.
        match tokio::time::timeout(Duration::from_secs(5), t).await {
            Ok(r) => outs.push(r.unwrap()),
            Err(_) => outs.push(Err(MemberError::Stalled {
                seconds: 5,
                resyncs: 0,
                waiting: Vec::new(),
            })),
        }
    }
    let mut client = RelayClient::connect(&url).await.unwrap();
    let result = flows::fetch_result(&mut client, &c.manifest, &c.reader)
        .await
        .unwrap()
        .map(|r| r.json);
    (outs, result, picks)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_byte_between_members_stops_with_a_clear_error() {
    let (outs, result, _) = run_behind_proxy(Tamper::FlipByte).await;
    let err = outs[0].as_ref().expect_err("member 1 must detect the flip");
    assert!(matches!(err, MemberError::Tampered { .. }), "{err}");
    assert!(err.to_string().contains("tampering"));
    assert!(result.is_none(), "no result may be accepted: {result:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_frame_is_ignored_and_the_result_is_right() {
    let (outs, result, picks) = run_behind_proxy(Tamper::Replay).await;
    for o in &outs {
        assert!(o.is_ok(), "{o:?}");
    }
    let result = result.expect("verified result");
    assert_eq!(result["result"], tally_of(&picks));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_swapping_a_member_key_in_the_manifest_is_caught() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let keys: Vec<_> = (0..3)
        .map(|_| Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())))
        .collect();
    let c = create(&relay.url(), &keys, 2).await;
    // The proxy serves the manifest with member 2's encryption key replaced
    // by a key the relay controls.
    let honest = c.manifest.manifest.committee.members[1].x25519.to_string();
    let evil = MemberKeys::generate(&mut sotto_client::os_rng())
        .public()
        .x25519
        .to_string();
    let proxy = tamper_proxy(
        relay.addr(),
        Tamper::Swap(honest.into_bytes(), evil.into_bytes()),
    )
    .await;
    let via_proxy = format!("ws://{proxy}/ws");
    let link = c
        .link(&via_proxy, Role::Participant, &c.participants[0])
        .unwrap();
    let err = submit_answer(&link, &json!({"choice": "A"}))
        .await
        .expect_err("must refuse the swapped manifest");
    let msg = format!("{err:#}");
    assert!(msg.contains("does not match"), "{msg}");
    // Straight to the relay the same link works: the refusal came from the swap.
    let direct = c
        .link(&relay.url(), Role::Participant, &c.participants[0])
        .unwrap();
    submit_answer(&direct, &json!({"choice": "A"}))
        .await
        .unwrap();
}

/// `n` fresh member keys.
fn new_keys(n: usize) -> Vec<Arc<MemberKeys>> {
    (0..n)
        .map(|_| Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())))
        .collect()
}

/// Starts every member, closes the session and waits for all to publish.
async fn close_and_compute(url: &str, c: &CreatedSession, keys: &[Arc<MemberKeys>]) {
    let tasks: Vec<_> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| tokio::spawn(run_member(member_cfg(url, c, k, i))))
        .collect();
    close_session(url, c.session, &c.organizer).await.unwrap();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_checks_its_receipt_with_the_cli() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let url = relay.url();
    let keys = new_keys(3);
    let c = create(&url, &keys, 7).await;
    // Five answers through their links (the CLI's path), one forged
    // ballot (two points for A: excluded by the validity check).
    let mut counted = Vec::new();
    for (i, choice) in ["A", "B", "C", "A", "B"].iter().enumerate() {
        let link = c.link(&url, Role::Participant, &c.participants[i]).unwrap();
        let (ack, _) = submit_answer(&link, &json!({ "choice": choice }))
            .await
            .unwrap();
        counted.push(ack.receipt);
    }
    let mut client = RelayClient::connect(&url).await.unwrap();
    client
        .hello(c.session, &c.participants[5], 0)
        .await
        .unwrap();
    let forged = submit_values(
        &mut client,
        &c.manifest,
        // A "vote" of 2, with the bit proof a cheater computes for it.
        &sotto_e2e::proved(
            &c.manifest.manifest.computation().kind.encoding(),
            &[(0, Fp::from(2u64))],
        ),
        Duration::ZERO,
    )
    .await
    .unwrap();
    tokio::time::timeout(TIMEOUT, close_and_compute(&url, &c, &keys))
        .await
        .expect("timed out");
    let result = verified(&url, &c).await;
    assert_eq!(
        (result["valid"].clone(), result["invalid"].clone()),
        (json!(5), json!(1))
    );
    assert_eq!(result["receipts"]["count"], 5);

    let read = c.link(&url, Role::Organizer, &c.reader).unwrap();
    let web = tokio::task::spawn_blocking(move || {
        // As hex, and as the receipt JSON `sotto submit` prints, in a file.
        let hex0 = sotto_wire::__hex::encode(counted[0]);
        let (code, err) = sotto_result_with_receipt(&read, &hex0);
        assert_eq!(code, Some(0), "{err}");
        assert!(err.contains("your answer was counted"), "{err}");
        let file = tempfile::NamedTempFile::new().unwrap();
        let printed = json!({"position": 4, "receipt": sotto_wire::__hex::encode(counted[4])});
        std::fs::write(file.path(), printed.to_string()).unwrap();
        let (code, err) = sotto_result_with_receipt(&read, file.path().to_str().unwrap());
        assert_eq!(code, Some(0), "{err}");
        assert!(err.contains("your answer was counted"), "{err}");
        // The forged ballot was received but not counted; a receipt
        // nobody submitted is missing too.
        let (code, err) =
            sotto_result_with_receipt(&read, &sotto_wire::__hex::encode(forged.receipt));
        assert_eq!(code, Some(4), "{err}");
        assert!(err.contains("your answer is missing"), "{err}");
        let (code, err) = sotto_result_with_receipt(&read, &"7e".repeat(32));
        assert_eq!(code, Some(4), "{err}");
        assert!(err.contains("your answer is missing"), "{err}");
        // A malformed receipt is refused before the relay is asked.
        let (code, err) = sotto_result_with_receipt(&read, "not-a-receipt");
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains("a receipt is 64 hex digits"), "{err}");
    });
    web.await.unwrap();
}

/// A member started again after every member published (a second
/// `sotto member`, a reopened console) stops at once, saying the result is
/// out, instead of waiting for messages that never come.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_started_after_the_result_is_out_stops_at_once() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let url = relay.url();
    let keys = new_keys(3);
    let c = create(&url, &keys, 5).await;
    submit_all(&url, &c, 0, &[0, 1, 1, 2, 0]).await;
    tokio::time::timeout(TIMEOUT, close_and_compute(&url, &c, &keys))
        .await
        .expect("timed out");
    assert_eq!(verified(&url, &c).await["valid"], 5);
    let again = tokio::time::timeout(
        Duration::from_secs(10),
        run_member(member_cfg(&url, &c, &keys[1], 1)),
    )
    .await
    .expect("the member stopped at once");
    assert!(matches!(again, Err(MemberError::AlreadyDone)), "{again:?}");
}
