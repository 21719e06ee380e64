//! Presence (which members are connected, for the live views) and the
//! Welcome's `used` flag of single-use links and the organizer's list of
//! used links, against the real relay
//! process over real WebSockets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Raw, Relay, error_code, parts, refs, setup};
use sotto_client::native::relay_client::RelayClient;
use sotto_wire::{ErrorCode, Kind, MemberPresence, Role, SessionState, UsedTokens};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The organizer's view of member `m` (1-based), polled until `want`
/// holds: a closed connection is seen when the relay notices the close.
async fn wait_for(
    org: &mut RelayClient,
    m: usize,
    want: impl Fn(MemberPresence) -> bool,
) -> MemberPresence {
    for _ in 0..100 {
        let p = org.presence().await.unwrap().0[m - 1];
        if want(p) {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("member {m} never reached the wanted presence");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_online_offline_and_since() {
    let relay = Relay::start(&[]);
    let mut s = setup(&relay, 3, false, true).await;
    // Nobody yet: every member offline, never seen.
    let p = s.organizer.presence().await.unwrap();
    assert_eq!(
        p.0,
        vec![
            MemberPresence {
                online: false,
                since: 0
            };
            3
        ]
    );

    let t0 = now();
    let mut m1 = relay.client().await;
    m1.hello(s.session, &s.created.members[0], 0).await.unwrap();
    let seen = wait_for(&mut s.organizer, 1, |p| p.online).await;
    assert!(
        seen.since >= t0 && seen.since <= now(),
        "since {}",
        seen.since
    );

    // Two tabs of member 2; one closes: still online, since unchanged.
    let mut m2a = relay.client().await;
    m2a.hello(s.session, &s.created.members[1], 0)
        .await
        .unwrap();
    let mut m2b = relay.client().await;
    m2b.hello(s.session, &s.created.members[1], 0)
        .await
        .unwrap();
    let two = wait_for(&mut s.organizer, 2, |p| p.online).await;
    m2b.close().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(s.organizer.presence().await.unwrap().0[1], two);

    // Member 1 goes away: offline, since when it left; back: online again.
    let before_leave = now();
    m1.close().await.unwrap();
    let gone = wait_for(&mut s.organizer, 1, |p| !p.online).await;
    assert!(gone.since >= before_leave, "left at {}", gone.since);
    let mut back = relay.client().await;
    back.hello(s.session, &s.created.members[0], 0)
        .await
        .unwrap();
    wait_for(&mut s.organizer, 1, |p| p.online).await;

    // A member may ask too (the committee's view); it sees the same.
    let from_member = m2a.presence().await.unwrap();
    assert_eq!(from_member, s.organizer.presence().await.unwrap());
    assert!(!from_member.0[2].online && from_member.0[2].since == 0);

    // Participants, readers and connections without Hello may not.
    let tokens = s.single_use(1).await;
    let mut p = relay.client().await;
    p.hello(s.session, &tokens[0], 0).await.unwrap();
    assert_eq!(
        p.presence().await.unwrap_err().code(),
        Some(ErrorCode::Forbidden)
    );
    let mut anon = relay.client().await;
    assert_eq!(
        anon.presence().await.unwrap_err().code(),
        Some(ErrorCode::Unauthorized)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_console_asks_before_joining_without_counting_as_online() {
    let relay = Relay::start(&[]);
    let mut s = setup(&relay, 3, false, true).await;
    let mut m2 = relay.client().await;
    m2.hello(s.session, &s.created.members[1], 0).await.unwrap();
    wait_for(&mut s.organizer, 2, |p| p.online).await;

    // Member 1's console, before any Hello, with its token: the same
    // presence and the session state; member 1 stays offline.
    let mut console = relay.client().await;
    let (state, seen) = console
        .presence_with(s.session, &s.created.members[0])
        .await
        .unwrap();
    assert_eq!(state, SessionState::Open);
    assert_eq!(seen, s.organizer.presence().await.unwrap());
    assert!(!seen.0[0].online && seen.0[1].online);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, again) = console
        .presence_with(s.session, &s.created.members[0])
        .await
        .unwrap();
    assert!(!again.0[0].online, "asking does not count as online");
    assert!(!s.organizer.presence().await.unwrap().0[0].online);

    // The state follows the session; the organizer's token may ask too.
    s.organizer.set_state(SessionState::Closed).await.unwrap();
    let mut other = relay.client().await;
    let (state, _) = other
        .presence_with(s.session, &s.created.organizer)
        .await
        .unwrap();
    assert_eq!(state, SessionState::Closed);

    // A participant's token may not; an unknown one is unauthorized; a
    // payload that is no token is a bad request (and the connection
    // stays usable).
    let mut s2 = setup(&relay, 3, false, true).await;
    let tokens = s2.single_use(1).await;
    let mut p = relay.client().await;
    let forbidden = p.presence_with(s2.session, &tokens[0]).await.unwrap_err();
    assert_eq!(forbidden.code(), Some(ErrorCode::Forbidden));
    let unknown = p
        .presence_with(s2.session, &sotto_wire::Token([7; 32]))
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Some(ErrorCode::Unauthorized));
    let mut raw = Raw::connect(&relay, [127, 0, 0, 1]).await;
    raw.session = s2.session;
    let reply = raw.request(Kind::GetPresence, 1, &[1, 2, 3]).await;
    assert_eq!(error_code(&reply), Some(ErrorCode::BadRequest));
    let (_, fine) = p
        .presence_with(s2.session, &s2.created.members[0])
        .await
        .unwrap();
    assert_eq!(fine.0.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn welcome_says_whether_a_single_use_link_was_used() {
    let relay = Relay::start(&[]);
    let mut s = setup(&relay, 3, false, true).await;
    let tokens = s.single_use(2).await;
    let mut p = relay.client().await;
    let w = p.hello(s.session, &tokens[0], 0).await.unwrap();
    assert_eq!((w.role, w.used), (Role::Participant, false));
    p.submit(1, &refs(&parts(3, b"an answer"))).await.unwrap();
    // Another browser with the same link: told at once.
    let mut again = relay.client().await;
    let w = again.hello(s.session, &tokens[0], 0).await.unwrap();
    assert!(w.used, "the used link");
    let mut other = relay.client().await;
    assert!(
        !other.hello(s.session, &tokens[1], 0).await.unwrap().used,
        "the unused link"
    );
    // An open link and the organizer are never "used".
    let open = s.open_link(60).await;
    let mut o = relay.client().await;
    o.hello(s.session, &open, 0).await.unwrap();
    o.submit(2, &refs(&parts(3, b"open answer"))).await.unwrap();
    let mut o2 = relay.client().await;
    assert!(!o2.hello(s.session, &open, 0).await.unwrap().used);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_organizer_learns_which_single_use_links_were_used() {
    let relay = Relay::start_process(&[]);
    let mut s = setup(&relay, 3, true, true).await;
    let tokens = s.single_use(4).await;
    assert_eq!(
        s.organizer.used_tokens().await.unwrap(),
        Vec::<[u8; 32]>::new()
    );
    // Links 1 and 3 answer (link 3 twice: resubmission is on), and the
    // open link once.
    for (t, tag) in [(0, b"a".as_slice()), (2, b"b"), (2, b"c")] {
        let mut p = relay.client().await;
        p.hello(s.session, &tokens[t], 0).await.unwrap();
        p.submit(1 + u64::from(tag[0]), &refs(&parts(3, tag)))
            .await
            .unwrap();
    }
    let open = s.open_link(60).await;
    let mut o = relay.client().await;
    o.hello(s.session, &open, 0).await.unwrap();
    o.submit(9, &refs(&parts(3, b"open"))).await.unwrap();

    let mut want = vec![tokens[0].digest(), tokens[2].digest()];
    want.sort();
    assert_eq!(s.organizer.used_tokens().await.unwrap(), want);
    // Digests only: no token, and never the open link's.
    let got = s.organizer.used_tokens().await.unwrap();
    assert!(!got.contains(&tokens[0].0) && !got.contains(&open.digest()));

    // Another page starts after its cursor; a bad cursor is refused and
    // the connection goes on.
    let mut raw = Raw::connect(&relay, [127, 0, 0, 1]).await;
    assert_eq!(
        raw.hello(s.session, &s.created.organizer).await.header.kind,
        Kind::Welcome
    );
    let f = raw.request(Kind::GetUsedTokens, 50, &want[0]).await;
    let page = UsedTokens::decode(&f.payload).unwrap();
    assert_eq!((page.digests, page.more), (vec![want[1]], false));
    let f = raw.request(Kind::GetUsedTokens, 51, &[1, 2, 3]).await;
    assert_eq!(error_code(&f), Some(ErrorCode::BadRequest));
    let f = raw.request(Kind::GetUsedTokens, 52, &[]).await;
    assert_eq!(UsedTokens::decode(&f.payload).unwrap().digests, want);

    // Only the organizer may ask.
    for token in [&tokens[1], &s.created.reader, &s.created.members[0], &open] {
        let mut c = Raw::connect(&relay, [127, 0, 0, 1]).await;
        assert_eq!(c.hello(s.session, token).await.header.kind, Kind::Welcome);
        let f = c.request(Kind::GetUsedTokens, 60, &[]).await;
        assert_eq!(error_code(&f), Some(ErrorCode::Forbidden));
    }
}
