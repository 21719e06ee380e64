//! Bad input, crashes, many connections and shutdown, against the real
//! relay process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Relay, parts, refs, setup};
use sotto_client::native::relay_client::RelayClient;
use sotto_client::relay::ClientError;
use sotto_wire::{
    self, DeliveryKind, ErrorBody, ErrorCode, Header, Kind, SessionId, SessionState,
    SubmissionDelivery,
};
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(30);

/// Sends raw bytes; expects an error frame with `code`, then close `close`.
async fn expect_rejected(relay: &Relay, bytes: Vec<u8>, code: ErrorCode, close: u16) {
    let mut c = relay.client().await;
    c.send_raw(bytes).await.unwrap();
    let f = timeout(WAIT, c.recv_frame()).await.unwrap().unwrap();
    assert_eq!(f.header.kind, Kind::Error);
    assert_eq!(ErrorBody::decode(&f.payload).unwrap().code, code);
    match timeout(WAIT, c.recv_frame()).await.unwrap() {
        Err(ClientError::Closed(Some(c))) => assert_eq!(c, close),
        other => panic!("expected close {close}, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_frames_get_error_frames_and_the_relay_keeps_serving() {
    let relay = Relay::start(&["--max-frame-bytes", "4096"]);
    let s = setup(&relay, 2, false, true).await;
    expect_rejected(
        &relay,
        b"garbage, not a frame at all, long enough to fill a header".to_vec(),
        ErrorCode::UnsupportedVersion,
        4002,
    )
    .await;
    let mut h = Header::new(Kind::GetManifest, s.session);
    let good = sotto_wire::encode(&h, &[]);
    expect_rejected(&relay, good[..20].to_vec(), ErrorCode::BadFrame, 4001).await;
    let mut trailing = good.clone();
    trailing.push(0);
    expect_rejected(&relay, trailing, ErrorCode::BadFrame, 4001).await;
    let mut v9 = good.clone();
    v9[0] = 9;
    expect_rejected(&relay, v9, ErrorCode::UnsupportedVersion, 4002).await;
    expect_rejected(
        &relay,
        sotto_wire::encode(&h, &vec![0u8; 5000]),
        ErrorCode::TooLarge,
        1009,
    )
    .await;
    // Far over the limit: refused by the WebSocket layer, still a clean close.
    // Far over the limit: the WebSocket layer may refuse it mid-send; either
    // way the client gets a TooLarge error frame or a closed connection.
    let mut c = relay.client().await;
    let _ = c.send_raw(vec![1u8; 1 << 20]).await;
    if let Ok(f) = timeout(WAIT, c.recv_frame()).await.unwrap() {
        assert_eq!(
            ErrorBody::decode(&f.payload).unwrap().code,
            ErrorCode::TooLarge
        );
    }
    // A frame for another session on an authenticated connection.
    let mut m = relay.client().await;
    m.hello(s.session, &s.created.members[0], 0).await.unwrap();
    h.session = SessionId([9; 16]);
    h.kind = Kind::Send;
    m.send_raw(sotto_wire::encode(&h, b"x")).await.unwrap();
    let f = timeout(WAIT, m.recv_frame()).await.unwrap().unwrap();
    assert_eq!(
        ErrorBody::decode(&f.payload).unwrap().code,
        ErrorCode::WrongSession
    );
    assert!(matches!(
        timeout(WAIT, m.recv_frame()).await.unwrap(),
        Err(ClientError::Closed(Some(4004)))
    ));
    // Everyone else is still served.
    let mut ok = relay.client().await;
    assert_eq!(
        ok.get_manifest(s.session).await.unwrap(),
        b"signed manifest bytes"
    );
    let (status, _) = relay.get("/healthz", &[]);
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_submissions_survive_sigkill_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut relay = Relay::start_in(dir.path(), &[]);
    let mut s = setup(&relay, 3, false, true).await;
    let link = s.open_link(1_000_000).await;
    let acked: Arc<Mutex<HashMap<u64, [u8; 32]>>> = Arc::default();
    let url = relay.url();
    let mut writers = Vec::new();
    for w in 0..8u64 {
        let (acked, url, link, session) = (acked.clone(), url.clone(), link.clone(), s.session);
        writers.push(tokio::spawn(async move {
            let mut c = RelayClient::connect(&url).await.unwrap();
            c.hello(session, &link, 0).await.unwrap();
            for i in 0..100_000u64 {
                let id = w << 32 | i;
                match c.submit(id, &refs(&parts(3, &id.to_be_bytes()))).await {
                    Ok(ack) => {
                        acked.lock().unwrap().insert(ack.position, ack.receipt);
                    }
                    Err(_) => return,
                }
            }
        }));
    }
    // Kill mid-stream, once a good number of submissions were acknowledged.
    timeout(WAIT, async {
        while acked.lock().unwrap().len() < 400 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap();
    relay.kill();
    for w in writers {
        timeout(WAIT, w).await.unwrap().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let relay = Relay::start_in(dir.path(), &[]);
    for member in 1..=3u16 {
        let mut m = relay.client().await;
        let welcome = m
            .hello(s.session, &s.created.members[usize::from(member) - 1], 0)
            .await
            .unwrap();
        assert!(welcome.head >= acked.len() as u64);
        let mut seen: HashMap<u64, [u8; 32]> = HashMap::new();
        for expected_seq in 1..=welcome.head {
            let d = timeout(WAIT, m.next_delivery()).await.unwrap().unwrap();
            assert_eq!((d.seq, d.kind), (expected_seq, DeliveryKind::Submission));
            let sub = SubmissionDelivery::decode(&d.payload).unwrap();
            assert!(
                seen.insert(d.id, sub.receipt).is_none(),
                "position {} delivered twice",
                d.id
            );
        }
        for (position, receipt) in &acked {
            assert_eq!(
                seen.get(position),
                Some(receipt),
                "acknowledged submission {position} lost"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_connections() {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let relay = Relay::start(&[]);
    let mut s = setup(&relay, 2, false, true).await;
    let link = s.open_link(1_000_000).await;
    let url = relay.url();
    let result = timeout(Duration::from_secs(120), async {
        // Open every connection first, so all 1,000 are concurrent.
        let mut conns = Vec::new();
        for _ in 0..1000 {
            let url = url.clone();
            conns.push(tokio::spawn(
                async move { RelayClient::connect(&url).await },
            ));
        }
        let mut clients = Vec::new();
        for c in conns {
            clients.push(c.await.unwrap().unwrap());
        }
        // The relay counts a connection once its upgrade task runs: poll.
        loop {
            let metrics = String::from_utf8(relay.get("/metrics", &[]).1).unwrap();
            let open: u64 = metrics
                .lines()
                .find_map(|l| l.strip_prefix("sotto_relay_connections "))
                .and_then(|v| v.parse().ok())
                .unwrap();
            if open > 1000 {
                break; // ours plus the organizer's
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut tasks = Vec::new();
        for (i, mut c) in clients.into_iter().enumerate() {
            let (link, session) = (link.clone(), s.session);
            tasks.push(tokio::spawn(async move {
                c.hello(session, &link, 0).await.unwrap();
                c.submit(i as u64, &refs(&parts(2, &(i as u64).to_be_bytes())))
                    .await
                    .unwrap()
                    .position
            }));
        }
        let mut positions = Vec::new();
        for t in tasks {
            positions.push(t.await.unwrap());
        }
        positions.sort_unstable();
        positions
    })
    .await
    .expect("1000 connections served within the time bound");
    assert_eq!(result, (1..=1000).collect::<Vec<u64>>());
    s.organizer.set_state(SessionState::Closed).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_graceful_shutdown_on_sigterm() {
    let mut relay = Relay::start_process(&[]);
    let s = setup(&relay, 1, false, true).await;
    let mut m = relay.client().await;
    m.hello(s.session, &s.created.members[0], 0).await.unwrap();
    let (status, body) = relay.get("/metrics", &[]);
    let text = String::from_utf8(body).unwrap();
    assert_eq!(status, 200);
    for family in [
        "sotto_relay_connections ",
        "sotto_relay_frames_in_total",
        "sotto_relay_bytes_in_total",
        "sotto_relay_submissions_total",
        "sotto_relay_store_batch_seconds_bucket",
        "process_resident_memory_bytes",
    ] {
        assert!(text.contains(family), "missing {family}");
    }
    let (status, _) = relay.get("/v1/sessions/zz/manifest", &[]);
    assert_eq!(status, 404);
    relay.process().terminate().unwrap();
    // The member is told the relay is going away, and the process exits 0.
    match timeout(WAIT, m.recv_frame()).await.unwrap() {
        Err(ClientError::Closed(code)) => assert_eq!(code, Some(1001)),
        other => panic!("expected a close, got {other:?}"),
    }
    let status = relay.process().wait().unwrap();
    assert!(status.success(), "relay exited with {status}");
    // Frames from a second start on the same data show nothing was lost.
    let relay2 = Relay::start_in(&relay.data.clone(), &[]);
    let mut c = relay2.client().await;
    assert_eq!(
        c.get_manifest(s.session).await.unwrap(),
        b"signed manifest bytes"
    );
}
