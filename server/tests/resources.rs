//! Relay resources against slow, silent and greedy clients, over real
//! sockets: deadlines (handshake, Hello, idle), connection caps, and memory
//! with 2,000 hostile connections held open.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{Raw, Relay, error_code, metric, parts, refs, rss_kib, setup, tcp_from};
use sotto_wire::{DeliveryKind, ErrorCode, Kind, SessionState};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(30);

/// The start of a WebSocket upgrade request that never ends: the headers'
/// blank line never comes.
const PARTIAL: &[u8] = b"GET /ws HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Slow: ";

/// A whole session at the relay level: create, open, submit, deliver to a
/// member, close. Returns how long it took.
async fn round_trip(relay: &Relay) -> Duration {
    let t = Instant::now();
    let mut s = setup(relay, 2, false, true).await;
    let tokens = s.single_use(1).await;
    let mut p = relay.client().await;
    p.hello(s.session, &tokens[0], 0).await.unwrap();
    let ack = p.submit(1, &refs(&parts(2, b"round trip"))).await.unwrap();
    let mut m = relay.client().await;
    m.hello(s.session, &s.created.members[0], 0).await.unwrap();
    let d = m.next_delivery().await.unwrap();
    assert_eq!((d.kind, d.id), (DeliveryKind::Submission, ack.position));
    s.organizer.set_state(SessionState::Closed).await.unwrap();
    assert_eq!(m.next_delivery().await.unwrap().kind, DeliveryKind::Closed);
    t.elapsed()
}

/// Reads until the peer closes; `true` if it did within `within`.
async fn closed_by_peer(s: &mut tokio::net::tcp::OwnedReadHalf, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_slow_connections_keep_memory_bounded_and_others_served() {
    const SLOWLORIS: usize = 1000;
    const SILENT_WS: usize = 1000;
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    // A process of its own: the test measures the relay's memory.
    // Deadlines long enough that all 2,000 connections are open before
    // the first is cut, also on a loaded machine (opening them took up to
    // 5 s at a load average of 16).
    let mut relay = Relay::start_process(&[
        "--handshake-timeout-secs",
        "12",
        "--hello-timeout-secs",
        "12",
    ]);
    let pid = relay.pid();
    timeout(WAIT, round_trip(&relay)).await.unwrap();
    let base = rss_kib(pid);
    let opened = Instant::now();

    // 1,000 raw TCP connections from two addresses, each sending a partial
    // upgrade request and then one more byte every 200 ms.
    let mut readers = Vec::new();
    let mut writers = Vec::new();
    for i in 0..SLOWLORIS {
        let from = [127, 0, 0, 2 + (i % 2) as u8];
        let mut s = tcp_from(from, relay.addr).await.unwrap();
        s.write_all(PARTIAL).await.unwrap();
        let (r, w) = s.into_split();
        readers.push(r);
        writers.push(w);
    }
    let trickle = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            for w in writers.iter_mut() {
                let _ = w.try_write(b"a");
            }
        }
    });
    // 1,000 WebSocket connections from two other addresses that never say
    // Hello (and never read: not even pings are answered).
    let mut silent = Vec::new();
    for batch in 0..SILENT_WS / 50 {
        let conns = (0..50).map(|i| {
            let relay = &relay;
            async move { Raw::connect(relay, [127, 0, 0, 4 + ((batch + i) % 2) as u8]).await }
        });
        silent.extend(futures_util::future::join_all(conns).await);
    }
    timeout(WAIT, async {
        while metric(&relay, "sotto_relay_tcp_connections") < (SLOWLORIS + SILENT_WS) as u64 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("every slow connection reached the relay");
    let held = rss_kib(pid);
    let opening = opened.elapsed();
    assert_eq!(
        metric(&relay, "sotto_relay_connections"),
        SILENT_WS as u64,
        "the silent websockets are all open"
    );

    // Everyone else is served while the slow connections are held.
    let rt = timeout(Duration::from_secs(10), round_trip(&relay))
        .await
        .expect("a session round trip while 2,000 slow connections are held");
    let grown = held.saturating_sub(base);
    println!(
        "relay RSS: {base} KiB before, {held} KiB with {} slow connections (+{grown} KiB, {} B each; opened in {opening:?}); round trip {rt:?}",
        SLOWLORIS + SILENT_WS,
        grown * 1024 / (SLOWLORIS + SILENT_WS) as u64,
    );
    assert!(
        grown < 96 * 1024,
        "2,000 slow connections grew the relay by {grown} KiB"
    );
    assert!(
        opening < Duration::from_secs(11),
        "the connections were not all held together before the deadlines (setup too slow)"
    );

    // The deadlines cut every one of them; trickling bytes does not help.
    for r in readers.iter_mut() {
        assert!(
            closed_by_peer(r, WAIT).await,
            "a slowloris connection was not closed"
        );
    }
    for ws in silent.iter_mut() {
        let f = timeout(WAIT, ws.recv())
            .await
            .unwrap()
            .expect("error frame");
        assert_eq!(error_code(&f), Some(ErrorCode::Unauthorized));
        assert_eq!(
            timeout(WAIT, ws.recv()).await.unwrap().err(),
            Some(Some(4008))
        );
    }
    trickle.abort();
    assert!(metric(&relay, "sotto_relay_timeouts_total{kind=\"handshake\"}") >= SLOWLORIS as u64);
    assert!(metric(&relay, "sotto_relay_timeouts_total{kind=\"hello\"}") >= SILENT_WS as u64);
    timeout(WAIT, async {
        while metric(&relay, "sotto_relay_tcp_connections") > 2 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("every slot released");
    let after = rss_kib(pid);
    println!("relay RSS after the deadlines: {after} KiB");
    timeout(Duration::from_secs(10), round_trip(&relay))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_per_address_cap_refuses_extra_connections_and_spares_other_addresses() {
    let relay = Relay::start(&["--max-conns-per-addr", "50"]);
    let greedy = [127, 0, 0, 7];
    let mut held = Vec::new();
    for _ in 0..50 {
        held.push(tcp_from(greedy, relay.addr).await.unwrap());
    }
    timeout(WAIT, async {
        while metric(&relay, "sotto_relay_tcp_connections") < 50 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap();
    // The 51st from the same address is told 503 and closed.
    let mut extra = tcp_from(greedy, relay.addr).await.unwrap();
    let mut answer = Vec::new();
    timeout(WAIT, extra.read_to_end(&mut answer))
        .await
        .unwrap()
        .unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 503"),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
    assert!(metric(&relay, "sotto_relay_connections_refused_total") >= 1);
    // Other addresses are served as usual.
    timeout(Duration::from_secs(10), round_trip(&relay))
        .await
        .unwrap();
    let mut other = Raw::connect(&relay, [127, 0, 0, 8]).await;
    let f = other.request(Kind::GetManifest, 1, &[]).await;
    assert_eq!(error_code(&f), Some(ErrorCode::NotFound));
    // Released slots are reusable.
    drop(held);
    timeout(WAIT, async {
        loop {
            let mut s = tcp_from(greedy, relay.addr).await.unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: r\r\nConnection: close\r\n\r\n")
                .await
                .unwrap();
            let mut body = Vec::new();
            let _ = s.read_to_end(&mut body).await;
            if body.starts_with(b"HTTP/1.1 200") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hello_deadline_closes_unauthenticated_websockets_only() {
    let relay = Relay::start(&["--hello-timeout-secs", "1"]);
    let s = setup(&relay, 2, false, true).await;
    let t = Instant::now();
    // Silent: an Unauthorized error frame, then close 4008.
    let mut silent = Raw::connect(&relay, [127, 0, 0, 1]).await;
    // Busy with public reads: answered, but the deadline still holds.
    let mut reader = Raw::connect(&relay, [127, 0, 0, 1]).await;
    reader.session = s.session;
    let busy = tokio::spawn(async move {
        let mut answered = 0;
        for id in 1.. {
            let mut h = sotto_wire::Header::new(Kind::GetManifest, reader.session);
            h.id = id;
            reader.send(&h, &[]).await;
            match reader.recv().await {
                Ok(f) if f.header.kind == Kind::Manifest => answered += 1,
                Ok(f) => {
                    assert_eq!(error_code(&f), Some(ErrorCode::Unauthorized));
                    return (answered, reader.recv().await.err());
                }
                Err(code) => return (answered, Some(code)),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        unreachable!()
    });
    // Authenticated: stays open past the deadline.
    let mut member = relay.client().await;
    member
        .hello(s.session, &s.created.members[0], 0)
        .await
        .unwrap();

    let f = timeout(WAIT, silent.recv()).await.unwrap().unwrap();
    assert_eq!(error_code(&f), Some(ErrorCode::Unauthorized));
    assert_eq!(silent.recv().await.err(), Some(Some(4008)));
    assert!(t.elapsed() >= Duration::from_millis(900));
    let (answered, code) = timeout(WAIT, busy).await.unwrap().unwrap();
    assert!(answered >= 3, "public reads are answered meanwhile");
    assert_eq!(code, Some(Some(4008)));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        member.get_manifest(s.session).await.unwrap(),
        b"signed manifest bytes"
    );
    assert!(metric(&relay, "sotto_relay_timeouts_total{kind=\"hello\"}") >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connections_are_closed_and_live_ones_kept_alive_by_pings() {
    let relay = Relay::start(&["--idle-timeout-secs", "2"]);
    let mut s = setup(&relay, 2, false, true).await;
    let tokens = s.single_use(2).await;
    // A member waiting for deliveries reads, so it answers the relay's
    // pings: it stays connected through several idle periods.
    let mut member = relay.client().await;
    member
        .hello(s.session, &s.created.members[0], 0)
        .await
        .unwrap();
    let waiting = tokio::spawn(async move { member.next_delivery().await });
    // A participant that said Hello and then neither sends nor reads.
    let mut mute = Raw::connect(&relay, [127, 0, 0, 9]).await;
    let f = mute.hello(s.session, &tokens[0]).await;
    assert_eq!(f.header.kind, Kind::Welcome);
    // A plain HTTP keep-alive connection after one request.
    let mut http = tcp_from([127, 0, 0, 9], relay.addr).await.unwrap();
    http.write_all(b"GET /healthz HTTP/1.1\r\nHost: r\r\n\r\n")
        .await
        .unwrap();
    let (mut http_r, _http_w) = http.into_split();

    tokio::time::sleep(Duration::from_secs(6)).await;
    // Closed (4008; a client this far behind may see only the reset).
    let closed = timeout(WAIT, mute.recv()).await.unwrap();
    assert!(matches!(closed, Err(None | Some(4008))), "{closed:?}");
    assert!(closed_by_peer(&mut http_r, WAIT).await);
    assert!(metric(&relay, "sotto_relay_timeouts_total{kind=\"idle\"}") >= 2);
    // The member is still there: a submission reaches it.
    let mut p = relay.client().await;
    p.hello(s.session, &tokens[1], 0).await.unwrap();
    p.submit(1, &refs(&parts(2, b"late"))).await.unwrap();
    let d = timeout(WAIT, waiting).await.unwrap().unwrap().unwrap();
    assert_eq!(d.kind, DeliveryKind::Submission);
    // The organizer's connection sat unread all along, so it never answered
    // a ping: the relay dropped it too.
    assert!(s.organizer.set_state(SessionState::Closed).await.is_err());
}
