//! Session flows against the real relay process over real WebSockets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Relay, parts, refs, setup};
use sotto_client::native::relay_client::RelayClient;
use sotto_client::relay::Delivery;
use sotto_wire::{
    BROADCAST, CloseMarker, DeliveryKind, ErrorCode, Role, SessionState, SubmissionDelivery, Token,
    receipt,
};
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(20);

async fn next(c: &mut RelayClient) -> Delivery {
    timeout(WAIT, c.next_delivery())
        .await
        .expect("delivery in time")
        .unwrap()
}

async fn member(relay: &Relay, s: &common::Setup, index: u16, resume: u64) -> RelayClient {
    let mut c = relay.client().await;
    let w = c
        .hello(
            s.session,
            &s.created.members[usize::from(index) - 1],
            resume,
        )
        .await
        .unwrap();
    assert_eq!(w.role, Role::Member);
    assert_eq!(c.member(), index);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_session_flow() {
    let relay = Relay::start(&[]);
    let mut s = setup(&relay, 3, false, false).await;
    // Anyone with the id fetches the manifest, over WebSocket and HTTP.
    let mut anon = relay.client().await;
    assert_eq!(
        anon.get_manifest(s.session).await.unwrap(),
        b"signed manifest bytes"
    );
    let (status, body) = relay.get(
        &format!("/v1/sessions/{}/manifest", s.session.to_hex()),
        &[],
    );
    assert_eq!(
        (status, body.as_slice()),
        (200, &b"signed manifest bytes"[..])
    );
    let tokens = s.single_use(2).await;
    // Submitting to a draft is refused.
    let mut p = relay.client().await;
    assert_eq!(
        p.hello(s.session, &tokens[0], 0).await.unwrap().state,
        SessionState::Draft
    );
    let bundle = parts(3, b"answer-a");
    assert_eq!(
        p.submit(1, &refs(&bundle)).await.unwrap_err().code(),
        Some(ErrorCode::BadState)
    );
    s.organizer.set_state(SessionState::Open).await.unwrap();
    let ack = p.submit(1, &refs(&bundle)).await.unwrap();
    assert_eq!(ack.position, 1);
    assert_eq!(
        ack.receipt,
        receipt(&sotto_wire::Bundle::encode(&refs(&bundle)))
    );
    // Each member gets its own ciphertext, with the receipt.
    let mut members = Vec::new();
    for i in 1..=3u16 {
        let mut m = member(&relay, &s, i, 0).await;
        let d = next(&mut m).await;
        assert_eq!((d.kind, d.seq, d.id), (DeliveryKind::Submission, 1, 1));
        let sub = SubmissionDelivery::decode(&d.payload).unwrap();
        assert_eq!(sub.receipt, ack.receipt);
        assert_eq!(sub.ciphertext, bundle[usize::from(i) - 1].as_slice());
        members.push(m);
    }
    // Live delivery of a second submission, then the close marker.
    let mut p2 = relay.client().await;
    p2.hello(s.session, &tokens[1], 0).await.unwrap();
    assert_eq!(
        p2.submit(9, &refs(&parts(3, b"b"))).await.unwrap().position,
        2
    );
    s.organizer.set_state(SessionState::Closed).await.unwrap();
    assert_eq!(
        p2.submit(10, &refs(&parts(3, b"c")))
            .await
            .unwrap_err()
            .code(),
        Some(ErrorCode::BadState)
    );
    for m in &mut members {
        assert_eq!(next(m).await.id, 2);
        let close = next(m).await;
        assert_eq!(close.kind, DeliveryKind::Closed);
        assert_eq!(CloseMarker::decode(&close.payload).unwrap().submissions, 2);
    }
    // Member-to-member messages: direct and broadcast.
    members[0].send(2, 100, b"to two").await.unwrap();
    members[2].send(BROADCAST, 7, b"to all").await.unwrap();
    let d = next(&mut members[1]).await;
    assert_eq!(
        (d.kind, d.from, d.id, d.payload.as_slice()),
        (DeliveryKind::Direct, 1, 100, &b"to two"[..])
    );
    assert_eq!(next(&mut members[1]).await.kind, DeliveryKind::Broadcast);
    let d = next(&mut members[0]).await;
    assert_eq!(
        (d.kind, d.from, d.payload.as_slice()),
        (DeliveryKind::Broadcast, 3, &b"to all"[..])
    );
    // Results: stored, served with the read token only, session done.
    for (i, m) in members.iter_mut().enumerate() {
        m.publish(format!("result signed by {}", i + 1).as_bytes())
            .await
            .unwrap();
    }
    let results = anon
        .get_results(s.session, &s.created.reader)
        .await
        .unwrap();
    assert_eq!(results.0.len(), 3);
    assert_eq!(results.0[1], (2, b"result signed by 2".to_vec()));
    let wrong = anon
        .get_results(s.session, &Token([1; 32]))
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), Some(ErrorCode::Unauthorized));
    let auth = format!("Bearer {}", s.created.reader.to_hex());
    let (status, body) = relay.get(
        &format!("/v1/sessions/{}/results", s.session.to_hex()),
        &[("Authorization", &auth)],
    );
    assert_eq!(status, 200);
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains(&hex::encode(b"result signed by 3"))
    );
    let mut again = relay.client().await;
    assert_eq!(
        again
            .hello(s.session, &s.created.organizer, 0)
            .await
            .unwrap()
            .state,
        SessionState::Done
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_resumes_after_reconnect() {
    let relay = Relay::start(&[]);
    let mut s = setup(&relay, 2, false, true).await;
    let link = s.open_link(10_000).await;
    let mut p = relay.client().await;
    p.hello(s.session, &link, 0).await.unwrap();
    for i in 1..=5u64 {
        p.submit(i, &refs(&parts(2, &i.to_be_bytes())))
            .await
            .unwrap();
    }
    let mut m = member(&relay, &s, 1, 0).await;
    for seq in 1..=3 {
        assert_eq!(next(&mut m).await.seq, seq);
    }
    m.ack(3).await.unwrap();
    // A round trip after the ack so the relay has processed it.
    m.get_manifest(s.session).await.unwrap();
    drop(m);
    for i in 6..=7u64 {
        p.submit(i, &refs(&parts(2, &i.to_be_bytes())))
            .await
            .unwrap();
    }
    // Resuming from 0 still starts after the relay's stored ack (3).
    let mut m = relay.client().await;
    let w = m.hello(s.session, &s.created.members[0], 0).await.unwrap();
    assert_eq!((w.head, w.resume), (7, 3));
    let seqs: Vec<u64> = [
        next(&mut m).await,
        next(&mut m).await,
        next(&mut m).await,
        next(&mut m).await,
    ]
    .iter()
    .map(|d| d.seq)
    .collect();
    assert_eq!(seqs, vec![4, 5, 6, 7]);
    // An explicit resume point later than the ack is honoured.
    let mut m2 = member(&relay, &s, 1, 6).await;
    assert_eq!(next(&mut m2).await.seq, 7);
    // Member 2 never acked: it gets everything from the start.
    let mut m3 = member(&relay, &s, 2, 0).await;
    assert_eq!(next(&mut m3).await.seq, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_are_delivered_once() {
    let relay = Relay::start(&[]);
    let mut s = setup(&relay, 2, false, true).await;
    let tokens = s.single_use(1).await;
    let mut p = relay.client().await;
    p.hello(s.session, &tokens[0], 0).await.unwrap();
    let bundle = parts(2, b"once");
    let first = p.submit(42, &refs(&bundle)).await.unwrap();
    // A retry with the same idempotency id (say, after a lost ack) returns
    // the same receipt and stores nothing new.
    let mut retry = relay.client().await;
    retry.hello(s.session, &tokens[0], 0).await.unwrap();
    assert_eq!(retry.submit(42, &refs(&bundle)).await.unwrap(), first);
    s.organizer.set_state(SessionState::Closed).await.unwrap();
    let mut m1 = member(&relay, &s, 1, 0).await;
    let mut m2 = member(&relay, &s, 2, 0).await;
    assert_eq!(next(&mut m1).await.kind, DeliveryKind::Submission);
    assert_eq!(
        next(&mut m1).await.kind,
        DeliveryKind::Closed,
        "the retry was not stored twice"
    );
    m2.send(1, 5, b"hello").await.unwrap();
    m2.send(1, 5, b"hello").await.unwrap();
    m2.send(1, 6, b"next").await.unwrap();
    let d = next(&mut m1).await;
    assert_eq!((d.id, d.payload.as_slice()), (5, &b"hello"[..]));
    assert_eq!(next(&mut m1).await.id, 6, "the duplicate send was dropped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_use_tokens_and_resubmission() {
    let relay = Relay::start(&[]);
    let mut strict = setup(&relay, 2, false, true).await;
    let t = strict.single_use(1).await;
    let mut p = relay.client().await;
    p.hello(strict.session, &t[0], 0).await.unwrap();
    p.submit(1, &refs(&parts(2, b"x"))).await.unwrap();
    let err = p.submit(2, &refs(&parts(2, b"y"))).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::TokenUsed));

    let mut lenient = setup(&relay, 2, true, true).await;
    let t = lenient.single_use(1).await;
    let mut p = relay.client().await;
    assert!(
        p.hello(lenient.session, &t[0], 0)
            .await
            .unwrap()
            .allow_resubmit
    );
    let a = p.submit(1, &refs(&parts(2, b"x"))).await.unwrap();
    let b = p.submit(2, &refs(&parts(2, b"y"))).await.unwrap();
    assert_eq!((a.position, b.position), (1, 2));
    let mut m = member(&relay, &lenient, 2, 0).await;
    next(&mut m).await;
    let d = next(&mut m).await;
    let sub = SubmissionDelivery::decode(&d.payload).unwrap();
    let second = parts(2, b"y");
    assert_eq!((sub.replaces, sub.ciphertext), (1, &second[1][..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_tokens_and_roles_are_refused() {
    let relay = Relay::start(&[]);
    let mut s = setup(&relay, 2, false, true).await;
    let other = setup(&relay, 2, false, true).await;
    let mut c = relay.client().await;
    let err = c.hello(s.session, &Token([7; 32]), 0).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized));
    // A real token of another session does not open this one.
    let err = c
        .hello(s.session, &other.created.organizer, 0)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized));
    // Without hello nothing but public reads works.
    let err = c.submit(1, &refs(&parts(2, b"x"))).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized));
    // A participant cannot act as organizer or member.
    let t = s.single_use(1).await;
    c.hello(s.session, &t[0], 0).await.unwrap();
    assert_eq!(
        c.set_state(SessionState::Closed).await.unwrap_err().code(),
        Some(ErrorCode::Forbidden)
    );
    assert_eq!(
        c.send(1, 1, b"x").await.unwrap_err().code(),
        Some(ErrorCode::Forbidden)
    );
    // A bundle with the wrong number of parts is refused, the connection lives.
    assert_eq!(
        c.submit(1, &refs(&parts(3, b"x")))
            .await
            .unwrap_err()
            .code(),
        Some(ErrorCode::BadRequest)
    );
    assert_eq!(
        c.submit(2, &refs(&parts(2, b"x"))).await.unwrap().position,
        1
    );
    // Open links are rate-limited per address.
    let link = s.open_link(2).await;
    let mut o = relay.client().await;
    o.hello(s.session, &link, 0).await.unwrap();
    o.submit(1, &refs(&parts(2, b"1"))).await.unwrap();
    o.submit(2, &refs(&parts(2, b"2"))).await.unwrap();
    assert_eq!(
        o.submit(3, &refs(&parts(2, b"3")))
            .await
            .unwrap_err()
            .code(),
        Some(ErrorCode::RateLimited)
    );
}

/// What a fresh organizer connection's Welcome says: role, state, answers stored.
async fn organizer_view(relay: &Relay, s: &common::Setup) -> (Role, SessionState, u64) {
    let mut c = relay.client().await;
    let w = c.hello(s.session, &s.created.organizer, 0).await.unwrap();
    (w.role, w.state, w.head)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizer_welcome_counts_submissions() {
    let relay = Relay::start(&[]);
    let mut s = setup(&relay, 2, false, true).await;
    let t = s.single_use(3).await;
    let open = (Role::Organizer, SessionState::Open, 0);
    assert_eq!(organizer_view(&relay, &s).await, open);
    for (id, token) in (1..).zip(t.iter().take(2)) {
        let mut p = relay.client().await;
        p.hello(s.session, token, 0).await.unwrap();
        p.submit(id, &refs(&parts(2, b"x"))).await.unwrap();
    }
    let after = (Role::Organizer, SessionState::Open, 2);
    assert_eq!(organizer_view(&relay, &s).await, after);
    s.organizer.set_state(SessionState::Closed).await.unwrap();
    let closed = (Role::Organizer, SessionState::Closed, 2);
    assert_eq!(organizer_view(&relay, &s).await, closed);
    // Readers learn nothing about the count.
    let mut r = relay.client().await;
    let w = r.hello(s.session, &s.created.reader, 0).await.unwrap();
    assert_eq!(w.head, 0);
}
