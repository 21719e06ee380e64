//! Retention and abuse limits against the real relay (SQLite; the same
//! over PostgreSQL with several relays is in `tests/tests/postgres.rs`):
//! mailbox entries are deleted when acknowledged, member messages at the
//! latest when the session is done; finished sessions are purged, then deleted, by the
//! periodic sweep and by `sotto-relay gc`; unfinished ones are left alone;
//! `--create-token` restricts session creation; a part larger than the
//! session's fixed part size is refused with a typed error and stores
//! nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{Raw, Relay, error_code, part_overhead, parts, refs, setup};
use sotto_client::relay::ClientError;
use sotto_wire::{CreateParams, ErrorCode, Kind, SessionId, SessionState, Token};
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(30);

/// A session of two members, one submission, closed, both results
/// published (each after a page of counted receipts): finished. Returns the session, the participant's token, a
/// member token and the read token.
async fn finished_session(relay: &Relay) -> (SessionId, Token, Token, Token) {
    let mut s = setup(relay, 2, false, true).await;
    let tokens = s.single_use(1).await;
    let mut p = relay.client().await;
    p.hello(s.session, &tokens[0], 0).await.unwrap();
    p.submit(1, &refs(&parts(2, b"a"))).await.unwrap();
    s.organizer.set_state(SessionState::Closed).await.unwrap();
    for m in &s.created.members {
        let mut c = relay.client().await;
        c.hello(s.session, m, 0).await.unwrap();
        c.publish_receipts(0, &[7; 32]).await.unwrap();
        c.publish(b"signed result").await.unwrap();
    }
    (
        s.session,
        tokens[0].clone(),
        s.created.members[0].clone(),
        s.created.reader.clone(),
    )
}

/// Whether `token` still opens `session` (Hello succeeds).
async fn admitted(relay: &Relay, session: SessionId, token: &Token) -> bool {
    let mut c = relay.client().await;
    match c.hello(session, token, 0).await {
        Ok(_) => true,
        Err(ClientError::Refused { code, .. }) => {
            assert_eq!(code, ErrorCode::Unauthorized, "a deleted token is unknown");
            false
        }
        Err(e) => panic!("unexpected {e:?}"),
    }
}

/// Polls `check` until it holds, for at most [`WAIT`].
async fn eventually<F: AsyncFnMut() -> bool>(what: &str, mut check: F) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < WAIT, "never: {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_purges_finished_sessions_then_deletes_them() {
    let relay = Relay::start(&[
        "--retention-secs",
        "1",
        "--result-retention-secs",
        "4",
        "--gc-interval-secs",
        "1",
    ]);
    // An unfinished session (open, one submission) beside it.
    let mut busy = setup(&relay, 2, false, true).await;
    let busy_tokens = busy.single_use(2).await;
    let mut p = relay.client().await;
    p.hello(busy.session, &busy_tokens[0], 0).await.unwrap();
    p.submit(1, &refs(&parts(2, b"x"))).await.unwrap();

    let (session, participant, member, reader) = finished_session(&relay).await;
    let mut r = relay.client().await;
    assert_eq!(r.get_results(session, &reader).await.unwrap().0.len(), 2);
    // Purged: participant and member tokens no longer open the session, but
    // the manifest and the signed results stay readable with the read token.
    eventually("the finished session is purged", async || {
        !admitted(&relay, session, &participant).await
    })
    .await;
    assert!(!admitted(&relay, session, &member).await);
    assert_eq!(
        r.get_manifest(session).await.unwrap(),
        b"signed manifest bytes"
    );
    let results = r.get_results(session, &reader).await.unwrap();
    assert_eq!(results.0.len(), 2, "signed results are kept longer");
    let proof = r
        .receipt_proof(session, &reader, 1, &[7; 32])
        .await
        .unwrap();
    assert_eq!(proof.count, 1, "and the receipt pages with them");
    assert_eq!(
        relay
            .get(
                &format!("/v1/sessions/{}/results", session.to_hex()),
                &[("authorization", &format!("Bearer {}", reader.to_hex()))]
            )
            .0,
        200
    );
    // Deleted entirely after the result retention.
    eventually("the finished session is deleted", async || {
        matches!(
            r.get_manifest(session).await,
            Err(ClientError::Refused {
                code: ErrorCode::NotFound,
                ..
            })
        )
    })
    .await;
    assert!(matches!(
        r.get_results(session, &reader).await,
        Err(ClientError::Refused {
            code: ErrorCode::Unauthorized,
            ..
        })
    ));
    assert_eq!(count(&relay, "SELECT count(*) FROM receipt_pages"), 0);
    // The unfinished session was left alone: its second participant
    // submits at the next position, its members still read everything.
    let mut q = relay.client().await;
    q.hello(busy.session, &busy_tokens[1], 0).await.unwrap();
    assert_eq!(
        q.submit(2, &refs(&parts(2, b"x"))).await.unwrap().position,
        2
    );
    busy.organizer
        .set_state(SessionState::Closed)
        .await
        .unwrap();
    let mut m = relay.client().await;
    m.hello(busy.session, &busy.created.members[0], 0)
        .await
        .unwrap();
    for id in [1, 2] {
        let d = timeout(WAIT, m.next_delivery()).await.unwrap().unwrap();
        assert_eq!(d.id, id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sotto_relay_gc_purges_what_the_relay_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // The sweep is as good as off here: gc does the work.
    let mut relay = Relay::start_in(&data, &["--gc-interval-secs", "86400"]);
    let (session, participant, member, reader) = finished_session(&relay).await;
    let (abandoned, _) = {
        let mut org = relay.client().await;
        org.create_session(&CreateParams {
            members: 2,
            ..CreateParams::default()
        })
        .await
        .unwrap()
    };
    relay.kill();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let gc = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sotto-relay"))
            .arg("--data")
            .arg(&data)
            .args(extra)
            .arg("gc")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    // Retention times not reached: nothing happens.
    assert!(
        gc(&[]).contains("0 unfinished sessions expired, 0 purged, 0 deleted"),
        "defaults keep recent sessions"
    );
    let said = gc(&["--retention-secs", "1", "--unfinished-retention-secs", "1"]);
    assert!(
        said.contains("1 unfinished sessions expired, 1 purged, 0 deleted"),
        "{said}"
    );
    let relay = Relay::start_in(&data, &[]);
    assert!(!admitted(&relay, session, &participant).await);
    assert!(!admitted(&relay, session, &member).await);
    let mut r = relay.client().await;
    assert_eq!(r.get_results(session, &reader).await.unwrap().0.len(), 2);
    // The abandoned draft now counts as finished; deleting everything
    // finished takes both.
    drop(r);
    drop(relay);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let said = gc(&["--result-retention-secs", "1"]);
    assert!(said.contains("0 purged, 2 deleted"), "{said}");
    let relay = Relay::start_in(&data, &[]);
    let mut r = relay.client().await;
    for s in [session, abandoned] {
        assert!(matches!(
            r.get_manifest(s).await,
            Err(ClientError::Refused {
                code: ErrorCode::NotFound,
                ..
            })
        ));
    }
}

/// The one number `sql` selects from the relay's SQLite store (a count, a
/// cursor), read beside the running relay.
fn count(relay: &Relay, sql: &str) -> i64 {
    let c = rusqlite::Connection::open(relay.data.join("relay.sqlite3")).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_messages_go_at_acknowledgement_and_the_rest_when_done() {
    let relay = Relay::start(&[]);
    let mut s = setup(&relay, 2, false, true).await;
    for (k, t) in s.single_use(3).await.iter().enumerate() {
        let mut p = relay.client().await;
        p.hello(s.session, t, 0).await.unwrap();
        p.submit(k as u64, &refs(&parts(2, &(k as u64).to_be_bytes())))
            .await
            .unwrap();
    }
    s.organizer.set_state(SessionState::Closed).await.unwrap();
    let mut m = Vec::new();
    for t in &s.created.members {
        let mut c = relay.client().await;
        c.hello(s.session, t, 0).await.unwrap();
        m.push(c);
    }
    // Member 1 sends two messages to member 2, member 2 one to member 1.
    m[0].send(2, 1, &[1; 300]).await.unwrap();
    m[0].send(2, 2, &[2; 300]).await.unwrap();
    m[1].send(1, 3, &[3; 300]).await.unwrap();
    let mailbox = |member: u16| {
        format!(
            "SELECT count(*) FROM mailbox WHERE session = x'{}' AND member = {member}",
            s.session.to_hex()
        )
    };
    assert_eq!(count(&relay, &mailbox(1)), 3 + 1 + 1);
    assert_eq!(count(&relay, &mailbox(2)), 3 + 1 + 2);
    // What a member acknowledges is deleted at once.
    for _ in 0..5 {
        timeout(WAIT, m[0].next_delivery()).await.unwrap().unwrap();
    }
    m[0].ack(5).await.unwrap();
    eventually("member 1's acknowledged entries are deleted", async || {
        count(&relay, &mailbox(1)) == 0
    })
    .await;
    // Member 2 publishes without acknowledging; a message reaches it
    // after that. Its mailbox stays while the session is not done (a
    // member that restarts reads it again).
    m[1].publish(b"result 2").await.unwrap();
    m[0].send(2, 4, &[4; 300]).await.unwrap();
    assert_eq!(count(&relay, &mailbox(2)), 3 + 1 + 3);
    // The last result: the session is done, and no member message or
    // message id is kept. Member 2's unacknowledged submission parts and
    // close marker stay until it acknowledges them.
    m[0].publish(b"result 1").await.unwrap();
    assert_eq!(count(&relay, &mailbox(2)), 3 + 1);
    assert_eq!(
        count(&relay, "SELECT count(*) FROM mailbox WHERE kind IN (2, 3)"),
        0
    );
    assert_eq!(count(&relay, "SELECT count(*) FROM sent"), 0);
    m[1].ack(7).await.unwrap();
    eventually("member 2's acknowledged entries are deleted", async || {
        count(&relay, "SELECT count(*) FROM mailbox") == 0
    })
    .await;
    assert_eq!(count(&relay, "SELECT count(*) FROM submissions"), 3);
    assert_eq!(count(&relay, "SELECT count(*) FROM results"), 2);
    let mut r = relay.client().await;
    assert_eq!(
        r.get_results(s.session, &s.created.reader)
            .await
            .unwrap()
            .0
            .len(),
        2
    );
    // Nothing more can be sent to a done session.
    assert!(matches!(
        m[0].send(2, 5, &[5; 10]).await,
        Err(ClientError::Refused {
            code: ErrorCode::BadState,
            ..
        })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledgement_just_before_closing_is_kept() {
    // What a member does after publishing: acknowledge, close at once. The
    // acknowledgement gets no reply, so the relay must finish it even
    // though the connection closes right behind it.
    let relay = Relay::start(&[]);
    let mut s = setup(&relay, 2, false, true).await;
    let tokens = s.single_use(20).await;
    for (k, t) in tokens.iter().enumerate() {
        let mut p = relay.client().await;
        p.hello(s.session, t, 0).await.unwrap();
        p.submit(k as u64, &refs(&parts(2, &(k as u64).to_be_bytes())))
            .await
            .unwrap();
    }
    let acked = format!(
        "SELECT acked FROM cursors WHERE session = x'{}' AND member = 1",
        s.session.to_hex()
    );
    for seq in 1..=20 {
        let mut m = relay.client().await;
        m.hello(s.session, &s.created.members[0], 0).await.unwrap();
        m.ack(seq).await.unwrap();
        m.close().await.unwrap();
        eventually("the acknowledgement is stored", async || {
            count(&relay, &acked) == seq as i64
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_token_restricts_session_creation() {
    let token = Token([0x5a; 32]);
    let relay = Relay::start(&["--create-token", &token.to_hex()]);
    let mut c = relay.client().await;
    for (what, presented) in [
        ("no token", None),
        ("a wrong token", Some(Token([0x5b; 32]))),
    ] {
        let refused = c
            .create_session(&CreateParams {
                members: 2,
                create_token: presented,
                ..CreateParams::default()
            })
            .await;
        assert!(
            matches!(
                refused,
                Err(ClientError::Refused {
                    code: ErrorCode::Unauthorized,
                    ..
                })
            ),
            "{what}: {refused:?}"
        );
    }
    // The same connection stays usable, and the operator's token creates.
    let (session, created) = c
        .create_session(&CreateParams {
            members: 2,
            create_token: Some(token.clone()),
            ..CreateParams::default()
        })
        .await
        .unwrap();
    c.hello(session, &created.organizer, 0).await.unwrap();
    // A relay without --create-token ignores a token it is given.
    let open = Relay::start(&[]);
    let mut c = open.client().await;
    assert!(
        c.create_session(&CreateParams {
            members: 2,
            create_token: Some(token),
            ..CreateParams::default()
        })
        .await
        .is_ok()
    );
    // A malformed token on the command line stops the relay at start.
    use clap::Parser as _;
    let bad =
        sotto_relay::Config::try_parse_from(["sotto-relay", "--create-token", "abc"]).unwrap();
    assert!(matches!(
        sotto_relay::Relay::open(&bad),
        Err(sotto_relay::RelayError::Config(
            sotto_relay::ConfigError::CreateToken
        ))
    ));
}

/// An open session created with `params`; an open link to it.
async fn open_session(relay: &Relay, params: CreateParams) -> (SessionId, Token) {
    let mut org = relay.client().await;
    let (session, created) = org.create_session(&params).await.unwrap();
    org.hello(session, &created.organizer, 0).await.unwrap();
    org.register_manifest(b"manifest").await.unwrap();
    org.set_state(SessionState::Open).await.unwrap();
    let link = org
        .mint(&sotto_wire::MintRequest {
            mode: sotto_wire::TokenMode::OpenLink,
            count: 1,
            rate_per_min: 1000,
        })
        .await
        .unwrap()
        .pop()
        .unwrap();
    (session, link)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_part_larger_than_the_sessions_part_size_is_refused() {
    let relay = Relay::start(&[]);
    let (session, link) = open_session(
        &relay,
        CreateParams {
            members: 3,
            max_part_bytes: 8 + part_overhead(3) as u32,
            ..CreateParams::default()
        },
    )
    .await;
    let mut p = Raw::connect(&relay, [127, 0, 0, 1]).await;
    assert_eq!(p.hello(session, &link).await.header.kind, Kind::Welcome);
    // Parts of exactly 8 sealed bytes: stored.
    let f = p.submit(1, &parts(3, b"7 bytes")).await;
    assert_eq!((f.header.kind, f.header.seq), (Kind::Ack, 1));
    // One part of 9 sealed bytes: TooLarge, and the connection stays open.
    let mut big = parts(3, b"7 bytes");
    big[1].push(0);
    let f = p.submit(2, &big).await;
    assert_eq!(error_code(&f), Some(ErrorCode::TooLarge));
    let f = p.submit(3, &parts(3, b"short")).await;
    assert_eq!(
        (f.header.kind, f.header.seq),
        (Kind::Ack, 2),
        "nothing of the refused submission was stored"
    );
    // Sessions created without a part size take any part up to the frame.
    let (s2, link2) = open_session(
        &relay,
        CreateParams {
            members: 1,
            ..CreateParams::default()
        },
    )
    .await;
    let mut q = relay.client().await;
    q.hello(s2, &link2, 0).await.unwrap();
    assert_eq!(
        q.submit(1, &refs(&parts(1, &[7u8; 4096])))
            .await
            .unwrap()
            .position,
        1
    );
}
