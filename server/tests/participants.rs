//! Hostile participants against the real relay: malformed, oversized,
//! wrong-session, replayed and double submissions, submissions after close,
//! and floods from one address. Each refusal is a typed error; nothing a
//! refused request sent is stored; other clients are unaffected.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{Raw, Relay, error_code, parts, refs, setup};
use sotto_client::native::relay_client::RelayClient;
use sotto_client::relay::Delivery;
use sotto_wire::{
    self, Bundle, CloseMarker, CreateParams, DeliveryKind, ErrorCode, Header, Kind, MintRequest,
    SessionId, SessionState, TokenMode,
};
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(20);

async fn next(c: &mut RelayClient) -> Delivery {
    timeout(WAIT, c.next_delivery()).await.unwrap().unwrap()
}

/// Closes the session and returns what member 1's mailbox holds: the
/// submission positions, then the close marker's count.
async fn stored(relay: &Relay, s: &mut common::Setup) -> (Vec<u64>, u64) {
    s.organizer.set_state(SessionState::Closed).await.unwrap();
    let mut m = relay.client().await;
    m.hello(s.session, &s.created.members[0], 0).await.unwrap();
    let mut positions = Vec::new();
    loop {
        let d = next(&mut m).await;
        match d.kind {
            DeliveryKind::Submission => positions.push(d.id),
            DeliveryKind::Closed => {
                return (
                    positions,
                    CloseMarker::decode(&d.payload).unwrap().submissions,
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_oversized_submissions_are_refused_and_store_nothing() {
    let relay = Relay::start(&["--max-frame-bytes", "8192"]);
    let mut s = setup(&relay, 3, false, true).await;
    let tokens = s.single_use(3).await;
    let mut p = Raw::connect(&relay, [127, 0, 0, 1]).await;
    // Before Hello nothing but public reads is allowed.
    let f = p.submit(1, &parts(3, b"early")).await;
    assert_eq!(error_code(&f), Some(ErrorCode::Unauthorized));
    assert_eq!(
        p.hello(s.session, &tokens[0]).await.header.kind,
        Kind::Welcome
    );
    // Not a bundle, an empty payload, a bundle with no part or the wrong
    // number of parts: BadRequest, and the connection stays usable.
    for (id, payload) in [
        (2, b"not a bundle at all".to_vec()),
        (3, Vec::new()),
        (4, Bundle::encode(&[])),
        (5, Bundle::encode(&refs(&parts(2, b"two parts")))),
        (6, Bundle::encode(&refs(&parts(4, b"four parts")))),
    ] {
        let f = p.request(Kind::Submit, id, &payload).await;
        assert_eq!(error_code(&f), Some(ErrorCode::BadRequest), "case {id}");
    }
    // Too large: TooLarge, then the connection is closed (1009).
    let big = parts(3, &[0xAB; 4000]);
    let mut h = Header::new(Kind::Submit, s.session);
    h.id = 7;
    p.send(&h, &Bundle::encode(&refs(&big))).await;
    let f = timeout(WAIT, p.recv()).await.unwrap().unwrap();
    assert_eq!(error_code(&f), Some(ErrorCode::TooLarge));
    assert_eq!(
        timeout(WAIT, p.recv()).await.unwrap().err(),
        Some(Some(1009))
    );
    // None of that used the token up: it submits once, normally.
    let mut again = Raw::connect(&relay, [127, 0, 0, 1]).await;
    again.hello(s.session, &tokens[0]).await;
    let f = again.submit(8, &parts(3, b"valid")).await;
    assert_eq!((f.header.kind, f.header.seq), (Kind::Ack, 1));
    // Garbage inside a well-formed bundle is opaque to the relay: stored,
    // and left to the members (they cannot open it; see tests/tests).
    let mut q = relay.client().await;
    q.hello(s.session, &tokens[1], 0).await.unwrap();
    assert_eq!(
        q.submit(9, &refs(&parts(3, b"\xff\xfe garbage ciphertext")))
            .await
            .unwrap()
            .position,
        2
    );
    assert_eq!(stored(&relay, &mut s).await, (vec![1, 2], 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_session_tokens_and_frames_are_refused() {
    let relay = Relay::start(&[]);
    let mut a = setup(&relay, 2, false, true).await;
    let mut b = setup(&relay, 2, false, true).await;
    let ta = a.single_use(1).await;
    let tb = b.single_use(1).await;
    let mut c = relay.client().await;
    // A's participant token does not open B, nor a session that does not exist.
    for session in [b.session, SessionId([0x5A; 16])] {
        let err = c.hello(session, &ta[0], 0).await.unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::Unauthorized));
    }
    // A participant token does not read results.
    let err = c.get_results(a.session, &ta[0]).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized));
    // Authenticated to A, a Submit naming B closes the connection (4004).
    let mut p = Raw::connect(&relay, [127, 0, 0, 1]).await;
    p.hello(a.session, &ta[0]).await;
    p.session = b.session;
    let f = p.submit(1, &parts(2, b"to b")).await;
    assert_eq!(error_code(&f), Some(ErrorCode::WrongSession));
    assert_eq!(
        timeout(WAIT, p.recv()).await.unwrap().err(),
        Some(Some(4004))
    );
    // B's own participant is unaffected, and nothing reached A.
    let mut q = relay.client().await;
    q.hello(b.session, &tb[0], 0).await.unwrap();
    assert_eq!(
        q.submit(1, &refs(&parts(2, b"b"))).await.unwrap().position,
        1
    );
    assert_eq!(stored(&relay, &mut a).await, (vec![], 0));
    assert_eq!(stored(&relay, &mut b).await, (vec![1], 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_and_double_submissions_are_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut relay = Relay::start_in(dir.path(), &[]);
    let mut s = setup(&relay, 2, false, true).await;
    let tokens = s.single_use(2).await;
    let url = relay.url();
    let bundle = parts(2, b"the one answer");
    // The same submission (token and idempotency id) replayed on five
    // connections at once: one position, one receipt.
    let mut tasks = Vec::new();
    for _ in 0..5 {
        let (url, bundle, token, session) =
            (url.clone(), bundle.clone(), tokens[0].clone(), s.session);
        tasks.push(tokio::spawn(async move {
            let mut c = RelayClient::connect(&url).await.unwrap();
            c.hello(session, &token, 0).await.unwrap();
            c.submit(77, &refs(&bundle)).await.unwrap()
        }));
    }
    let mut acks = Vec::new();
    for t in tasks {
        acks.push(t.await.unwrap());
    }
    assert!(acks.iter().all(|a| *a == acks[0]), "{acks:?}");
    assert_eq!(acks[0].position, 1);
    assert_eq!(
        acks[0].receipt,
        sotto_wire::receipt(&Bundle::encode(&refs(&bundle)))
    );
    // A single-use token submitting two different answers at once: exactly
    // one is stored, the other is TokenUsed.
    let mut tasks = Vec::new();
    for id in [1u64, 2] {
        let (url, token, session) = (url.clone(), tokens[1].clone(), s.session);
        tasks.push(tokio::spawn(async move {
            let mut c = RelayClient::connect(&url).await.unwrap();
            c.hello(session, &token, 0).await.unwrap();
            c.submit(id, &refs(&parts(2, &id.to_be_bytes()))).await
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    let ok: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(ok.len(), 1, "{results:?}");
    assert_eq!(ok[0].position, 2);
    assert!(
        results
            .iter()
            .any(|r| matches!(r, Err(e) if e.code() == Some(ErrorCode::TokenUsed)))
    );
    // After a crash and restart the replay still answers the original ack.
    relay.kill();
    relay = Relay::start_in(dir.path(), &[]);
    let mut c = relay.client().await;
    c.hello(s.session, &tokens[0], 0).await.unwrap();
    assert_eq!(c.submit(77, &refs(&bundle)).await.unwrap(), acks[0]);
    // A replay of the same bytes under a new id is a second submission of
    // this token: refused.
    let err = c.submit(78, &refs(&bundle)).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::TokenUsed));
    s.organizer = relay.client().await;
    s.organizer
        .hello(s.session, &s.created.organizer, 0)
        .await
        .unwrap();
    assert_eq!(stored(&relay, &mut s).await, (vec![1, 2], 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submissions_after_close_are_refused() {
    let relay = Relay::start(&[]);
    let mut s = setup(&relay, 1, false, true).await;
    let tokens = s.single_use(2).await;
    let link = s.open_link(100).await;
    let mut p = relay.client().await;
    p.hello(s.session, &tokens[0], 0).await.unwrap();
    p.submit(1, &refs(&parts(1, b"in time"))).await.unwrap();
    let mut late = relay.client().await;
    late.hello(s.session, &tokens[1], 0).await.unwrap();
    let mut open = relay.client().await;
    open.hello(s.session, &link, 0).await.unwrap();
    s.organizer.set_state(SessionState::Closed).await.unwrap();
    for c in [&mut late, &mut open] {
        let err = c.submit(2, &refs(&parts(1, b"late"))).await.unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::BadState));
    }
    // Nor can the organizer reopen the session or mint more tokens.
    assert_eq!(
        s.organizer
            .set_state(SessionState::Open)
            .await
            .unwrap_err()
            .code(),
        Some(ErrorCode::BadState)
    );
    let mint = MintRequest {
        mode: TokenMode::SingleUse,
        count: 1,
        rate_per_min: 0,
    };
    assert_eq!(
        s.organizer.mint(&mint).await.unwrap_err().code(),
        Some(ErrorCode::BadState)
    );
    // Once the member published (done), still refused.
    let mut m = relay.client().await;
    m.hello(s.session, &s.created.members[0], 0).await.unwrap();
    m.publish(b"result").await.unwrap();
    let mut after = relay.client().await;
    after.hello(s.session, &tokens[1], 0).await.unwrap();
    let err = after
        .submit(3, &refs(&parts(1, b"later")))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::BadState));
    // The close marker counts exactly the one in-time submission.
    assert_eq!(next(&mut m).await.id, 1);
    let close = next(&mut m).await;
    assert_eq!(close.kind, DeliveryKind::Closed);
    assert_eq!(CloseMarker::decode(&close.payload).unwrap().submissions, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_address_is_limited_and_others_are_served() {
    let relay = Relay::start(&["--creates-per-min", "5"]);
    let mut s = setup(&relay, 2, false, true).await;
    let link = s.open_link(10).await;
    let singles = s.single_use(1).await;
    let flooder = [127, 0, 0, 2];
    // 40 open-link submissions from one address on one connection: the
    // first 10 (the per-minute burst) pass, the rest are RateLimited.
    let mut f1 = Raw::connect(&relay, flooder).await;
    f1.hello(s.session, &link).await;
    let mut codes = Vec::new();
    for id in 0..40u64 {
        codes.push(error_code(
            &f1.submit(id, &parts(2, &id.to_be_bytes())).await,
        ));
    }
    assert_eq!(codes.iter().filter(|c| c.is_none()).count(), 10);
    assert!(
        codes[10..]
            .iter()
            .all(|c| *c == Some(ErrorCode::RateLimited))
    );
    // A second connection from the same address shares the limit.
    let mut f2 = Raw::connect(&relay, flooder).await;
    f2.hello(s.session, &link).await;
    let f = f2.submit(100, &parts(2, b"again")).await;
    assert_eq!(error_code(&f), Some(ErrorCode::RateLimited));
    // Another address is served at once, and single-use tokens are not
    // rate-limited even from the flooding address.
    let mut other = Raw::connect(&relay, [127, 0, 0, 3]).await;
    other.hello(s.session, &link).await;
    assert_eq!(
        other.submit(200, &parts(2, b"other")).await.header.kind,
        Kind::Ack
    );
    let mut single = Raw::connect(&relay, flooder).await;
    single.hello(s.session, &singles[0]).await;
    assert_eq!(
        single.submit(300, &parts(2, b"single")).await.header.kind,
        Kind::Ack
    );

    // Session creation: 5 per minute per address (one went to `setup`).
    let create = CreateParams {
        members: 2,
        allow_resubmit: false,
        ..CreateParams::default()
    }
    .encode();
    let mut c = Raw::connect(&relay, flooder).await;
    let mut created = 0;
    for id in 0..10 {
        let f = c.request(Kind::Create, id, &create).await;
        match error_code(&f) {
            None => created += 1,
            Some(code) => assert_eq!(code, ErrorCode::RateLimited),
        }
    }
    assert_eq!(created, 5);
    let mut elsewhere = Raw::connect(&relay, [127, 0, 0, 4]).await;
    let f = elsewhere.request(Kind::Create, 1, &create).await;
    assert_eq!(f.header.kind, Kind::Created);

    // A frame flood on one connection is slowed down (backpressure, not an
    // error), and does not delay another client.
    let mut flood = Raw::connect(&relay, flooder).await;
    flood.session = s.session;
    let sender = tokio::spawn(async move {
        for id in 0..1500u64 {
            let mut h = Header::new(Kind::GetManifest, flood.session);
            h.id = id;
            flood.send(&h, &[]).await;
        }
        let mut answered = 0;
        while answered < 1500 {
            let f = timeout(WAIT, flood.recv()).await.unwrap().unwrap();
            assert_eq!(f.header.kind, Kind::Manifest);
            answered += 1;
        }
        Instant::now()
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut quiet = Raw::connect(&relay, [127, 0, 0, 5]).await;
    quiet.session = s.session;
    let served = timeout(
        Duration::from_secs(5),
        quiet.request(Kind::GetManifest, 1, &[]),
    )
    .await
    .expect("served promptly during the flood");
    assert_eq!(served.header.kind, Kind::Manifest);
    let quiet_done = Instant::now();
    let flood_done = timeout(WAIT, sender).await.unwrap().unwrap();
    assert!(
        flood_done > quiet_done,
        "the flood (1,500 frames at 200/s after a burst of 400) finishes after the quiet client"
    );
    // The flood stored nothing and broke nothing.
    assert_eq!(stored(&relay, &mut s).await.0.len(), 12);
}
