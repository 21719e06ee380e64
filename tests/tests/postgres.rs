//! Several relays over one real PostgreSQL (a private cluster started in a
//! temporary folder by [`sotto_e2e::pg::PgCluster`]): any relay serves any
//! connection, mailbox sequence numbers stay gapless, members are woken at
//! once by commits made through another relay (LISTEN/NOTIFY), and a whole
//! session survives relays SIGKILLed mid-submissions and mid-computation,
//! and PostgreSQL itself crashing and restarting, with an exact result.
//!
//! Every test is bounded by a timeout and checks results, never timings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::json;
use sotto_cli::simulate::{Scenario, run as simulate};
use sotto_client::native::relay_client::RelayClient;
use sotto_e2e::pg::PgCluster;
use sotto_e2e::{Relay, committed, part_overhead, relay_at, slices};
use sotto_wire::{CreateParams, DeliveryKind, MintRequest, ProofAnswer, SessionState, TokenMode};

const TIMEOUT: Duration = Duration::from_secs(300);

/// A relay on the cluster's database (its `--data` folder stays unused).
fn relay_on(pg: &PgCluster, dir: &tempfile::TempDir) -> Relay {
    let url = pg.url();
    relay_at(dir.path())
        .args(["--store", &url])
        .start()
        .unwrap()
}

/// Runs a query on the cluster; the first column of the first row. (On a
/// thread of its own: the blocking client may not run on the runtime's.)
fn scalar(pg: &PgCluster, sql: &str) -> i64 {
    let (url, sql) = (pg.url(), sql.to_string());
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        c.query_one(sql.as_str(), &[]).unwrap().get::<_, i64>(0)
    })
    .join()
    .unwrap()
}

/// An open session of two members created through `relay` with
/// `params`, and `count` single-use tokens: the organizer's connection,
/// the session, its tokens from Create and the minted tokens.
async fn open_session(
    relay: &str,
    params: CreateParams,
    count: u32,
) -> (
    RelayClient,
    sotto_wire::SessionId,
    sotto_wire::Created,
    Vec<sotto_wire::Token>,
) {
    let mut org = RelayClient::connect(relay).await.unwrap();
    let (session, created) = org.create_session(&params).await.unwrap();
    org.hello(session, &created.organizer, 0).await.unwrap();
    org.register_manifest(b"manifest").await.unwrap();
    org.set_state(SessionState::Open).await.unwrap();
    let tokens = org
        .mint(&MintRequest {
            mode: TokenMode::SingleUse,
            count,
            rate_per_min: 0,
        })
        .await
        .unwrap();
    (org, session, created, tokens)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relays_share_one_postgres_with_gapless_mailboxes_and_push() {
    let pg = PgCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let a = relay_on(&pg, &dir);
    let b = relay_on(&pg, &dir);
    let relays = [a.url(), b.url()];
    tokio::time::timeout(Duration::from_secs(120), async {
        // The organizer works through A.
        let (_org, session, created, tokens) = open_session(
            &relays[0],
            CreateParams {
                members: 2,
                allow_resubmit: false,
                ..CreateParams::default()
            },
            41,
        )
        .await;
        // Member 1 listens on A, member 2 on B.
        let mut m1 = RelayClient::connect(&relays[0]).await.unwrap();
        m1.hello(session, &created.members[0], 0).await.unwrap();
        let mut m2 = RelayClient::connect(&relays[1]).await.unwrap();
        m2.hello(session, &created.members[1], 0).await.unwrap();

        // 40 participants at once, alternating between the relays.
        let mut tasks = Vec::new();
        for (k, token) in tokens[..40].iter().cloned().enumerate() {
            let url = relays[k % 2].clone();
            tasks.push(tokio::spawn(async move {
                let mut p = RelayClient::connect(&url).await.unwrap();
                p.hello(session, &token, 0).await.unwrap();
                let part = [k as u8; 16];
                p.submit(k as u64, &slices(&committed(&part, &[&part, &part])))
                    .await
                    .unwrap()
                    .position
            }));
        }
        let mut positions = BTreeSet::new();
        for t in tasks {
            assert!(
                positions.insert(t.await.unwrap()),
                "a position was given twice"
            );
        }
        assert_eq!(positions, (1..=40).collect(), "positions are gapless");
        // One more through B only: member 1 on A must be woken by B's commit.
        let mut p = RelayClient::connect(&relays[1]).await.unwrap();
        p.hello(session, &tokens[40], 0).await.unwrap();
        assert_eq!(
            p.submit(1 << 40, &slices(&committed(b"x", &[b"x", b"y"])))
                .await
                .unwrap()
                .position,
            41
        );

        for m in [&mut m1, &mut m2] {
            for seq in 1..=41u64 {
                let d = tokio::time::timeout(Duration::from_secs(20), m.next_delivery())
                    .await
                    .expect("a delivery committed through the other relay never came")
                    .unwrap();
                assert_eq!(d.kind, DeliveryKind::Submission);
                assert_eq!(
                    d.seq, seq,
                    "mailbox sequence numbers are gapless and ordered"
                );
                assert_eq!(d.id, seq, "deliveries follow the submission log");
            }
        }
    })
    .await
    .expect("timed out");
    // Both relays started on the fresh database; each migration (0001 to
    // 0003) was applied and recorded once.
    assert_eq!(scalar(&pg, "SELECT count(*) FROM schema_migrations"), 3);
    assert_eq!(
        scalar(&pg, "SELECT count(DISTINCT version) FROM schema_migrations"),
        3
    );
}

fn vote_scenario(n: usize) -> (Scenario, BTreeMap<String, u64>) {
    let names = ["A", "B", "C", "D"];
    let answers: Vec<serde_json::Value> = (0..n)
        .map(|i| json!({ "choice": names[(i * 7 + i / 5) % 4] }))
        .collect();
    let mut expected = BTreeMap::new();
    for a in &answers {
        *expected
            .entry(a["choice"].as_str().unwrap().to_string())
            .or_insert(0u64) += 1;
    }
    let scenario = serde_json::from_value(json!({
        "draft": {"kind": "vote", "title": "Across relays",
            "schema": {"method": "plurality", "options": names, "reveal": "tally"},
            "committee": {"members": 3, "threshold": 1},
            "policy": {"min_submissions": 5}},
        "answers": answers,
    }))
    .unwrap();
    (scenario, expected)
}

type Simulation = tokio::task::JoinHandle<
    Result<anyhow::Result<sotto_cli::simulate::Report>, tokio::time::error::Elapsed>,
>;

/// Starts a vote of `n` participants over `relays` (members and
/// participants round-robin, every frame delayed 10 ms so that faults land
/// mid-phase); the expected tally.
fn start_vote(relays: &[Relay], n: usize) -> (Simulation, BTreeMap<String, u64>) {
    let list = relays.iter().map(Relay::url).collect::<Vec<_>>().join(",");
    let (scenario, expected) = vote_scenario(n);
    let run = tokio::spawn(async move {
        tokio::time::timeout(
            TIMEOUT,
            simulate(&scenario, &list, Duration::from_millis(10)),
        )
        .await
    });
    (run, expected)
}

/// The vote ends with the exact tally, every submission counted once.
async fn expect_exact(pg: &PgCluster, run: Simulation, n: usize, expected: BTreeMap<String, u64>) {
    let report = run
        .await
        .unwrap()
        .expect("simulation timed out")
        .expect("the session failed");
    assert_eq!(report.valid, n as u64, "every submission counted once");
    assert_eq!(report.invalid, 0);
    assert_eq!(report.result, json!({ "tally": expected }));
    assert_eq!(scalar(pg, "SELECT count(*) FROM submissions"), n as i64);
}

/// Waits (polling the database from the test) until `sql` returns at least
/// `at_least`.
async fn wait_for(pg: &PgCluster, sql: &str, at_least: i64) {
    for _ in 0..1200 {
        if scalar(pg, sql) >= at_least {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{sql} never reached {at_least}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_relays_one_killed_mid_submissions_another_mid_computation() {
    let pg = PgCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let mut relays: Vec<Relay> = (0..3).map(|_| relay_on(&pg, &dir)).collect();
    let (run, expected) = start_vote(&relays, 90);
    wait_for(&pg, "SELECT count(*) FROM submissions", 20).await;
    relays[0].kill();
    wait_for(
        &pg,
        "SELECT count(*) FROM sessions WHERE state >= 3", // computing
        1,
    )
    .await;
    relays[1].kill();
    expect_exact(&pg, run, 90, expected).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_mid_session_loses_nothing_acknowledged() {
    let pg = PgCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let relays: Vec<Relay> = (0..2).map(|_| relay_on(&pg, &dir)).collect();
    let (run, expected) = start_vote(&relays, 60);
    wait_for(&pg, "SELECT count(*) FROM submissions", 15).await;
    let before = scalar(&pg, "SELECT count(*) FROM submissions");
    pg.stop(); // as a crash would: no shutdown checkpoint
    tokio::time::sleep(Duration::from_secs(2)).await;
    pg.start_again();
    assert!(
        scalar(&pg, "SELECT count(*) FROM submissions") >= before,
        "committed submissions survived the crash"
    );
    expect_exact(&pg, run, 60, expected).await;
}

/// A relay on the cluster's database with extra arguments.
fn relay_on_with(pg: &PgCluster, dir: &tempfile::TempDir, extra: &[&str]) -> Relay {
    let url = pg.url();
    relay_at(dir.path())
        .args(["--store", &url])
        .args(extra.iter().copied())
        .start()
        .unwrap()
}

/// Creates, runs and finishes (both members publish) a session of two
/// members with `submissions` submissions, through `relay`.
async fn finished_session(relay: &str, submissions: u32) -> sotto_wire::SessionId {
    let (mut org, session, created, tokens) = open_session(
        relay,
        CreateParams {
            members: 2,
            max_part_bytes: 4 + part_overhead(2),
            ..CreateParams::default()
        },
        submissions,
    )
    .await;
    for (k, t) in tokens.iter().enumerate() {
        let mut p = RelayClient::connect(relay).await.unwrap();
        p.hello(session, t, 0).await.unwrap();
        // The session's part size holds on PostgreSQL too.
        let refused = p
            .submit(
                k as u64 + 100,
                &slices(&committed(b"12345", &[b"12345", b"1"])),
            )
            .await;
        assert!(
            matches!(
                refused,
                Err(sotto_client::relay::ClientError::Refused {
                    code: sotto_wire::ErrorCode::TooLarge,
                    ..
                })
            ),
            "{refused:?}"
        );
        p.submit(
            k as u64,
            &slices(&committed(&(k as u64).to_be_bytes(), &[b"1234", b"1"])),
        )
        .await
        .unwrap();
    }
    org.set_state(SessionState::Closed).await.unwrap();
    for m in &created.members {
        let mut c = RelayClient::connect(relay).await.unwrap();
        c.hello(session, m, 0).await.unwrap();
        c.publish(b"signed result").await.unwrap();
    }
    session
}

/// Rows of `table` for `session`.
fn rows_of(pg: &PgCluster, table: &str, session: sotto_wire::SessionId) -> i64 {
    let column = if table == "sessions" { "id" } else { "session" };
    scalar(
        pg,
        &format!(
            "SELECT count(*) FROM {table} WHERE {column} = '\\x{}'::bytea",
            session.to_hex()
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_sweeps_run_once_across_relays_and_gc_works_beside_them() {
    let pg = PgCluster::start();
    let dir = tempfile::tempdir().unwrap();
    // Two relays sweeping every second: each sweep runs in one of them
    // (the lock of periodic work), never both at once.
    let sweeping = [
        "--retention-secs",
        "1",
        "--result-retention-secs",
        "0",
        "--gc-interval-secs",
        "1",
    ];
    let a = relay_on_with(&pg, &dir, &sweeping);
    let b = relay_on_with(&pg, &dir, &sweeping);
    tokio::time::timeout(Duration::from_secs(120), async {
        let session = finished_session(&a.url(), 3).await;
        let other = finished_session(&b.url(), 2).await;
        for s in [session, other] {
            let start = std::time::Instant::now();
            while rows_of(&pg, "submissions", s) > 0 || rows_of(&pg, "mailbox", s) > 0 {
                assert!(start.elapsed() < Duration::from_secs(60), "never purged");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            // Organizer and read tokens, the session row and its results stay.
            assert_eq!(rows_of(&pg, "tokens", s), 2);
            assert_eq!(rows_of(&pg, "results", s), 2);
            assert_eq!(rows_of(&pg, "sessions", s), 1);
            assert_eq!(rows_of(&pg, "cursors", s), 0);
        }
        assert_eq!(
            scalar(
                &pg,
                "SELECT count(*) FROM sessions WHERE purged_at IS NOT NULL"
            ),
            2
        );
        // `sotto-relay gc` beside the running relays deletes what is due.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        // Another relay may hold the periodic lock at that instant: then gc
        // says so, and a later run does the work.
        let mut said = String::new();
        for _ in 0..20 {
            let out = std::process::Command::new(sotto_e2e::relay_bin())
                .args(["--store", &pg.url(), "--result-retention-secs", "1", "gc"])
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
            said = String::from_utf8(out.stdout).unwrap();
            if !said.contains("another relay") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        assert!(said.contains("2 deleted"), "{said}");
        for s in [session, other] {
            for table in ["sessions", "tokens", "results"] {
                assert_eq!(rows_of(&pg, table, s), 0, "{table}");
            }
        }
        // The relays keep serving.
        finished_session(&b.url(), 1).await;
    })
    .await
    .expect("timed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_and_second_uses_within_one_batch_are_caught() {
    // A batch looks its submissions up together and writes their rows at
    // commit: a retry (same token and id) or a second use of a single-use
    // token arriving in the same batch must still be caught.
    let pg = PgCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let relays = [relay_on(&pg, &dir), relay_on(&pg, &dir)];
    let urls = [relays[0].url(), relays[1].url()];
    tokio::time::timeout(Duration::from_secs(120), async {
        let (_org, session, _created, tokens) = open_session(
            &urls[0],
            CreateParams {
                members: 2,
                ..CreateParams::default()
            },
            30,
        )
        .await;
        // Per token, three submissions at once: the same id twice (a
        // retry) and another id (a second use), spread over both relays.
        let mut tasks = Vec::new();
        for (k, token) in tokens.iter().enumerate() {
            for (j, idem) in [(0, k as u64), (1, k as u64), (2, 1000 + k as u64)] {
                let (url, token) = (urls[(k + j) % 2].clone(), token.clone());
                tasks.push(tokio::spawn(async move {
                    let mut p = RelayClient::connect(&url).await.unwrap();
                    p.hello(session, &token, 0).await.unwrap();
                    let part = [idem as u8; 8];
                    (
                        k,
                        idem,
                        p.submit(idem, &slices(&committed(&part, &[&part, &part])))
                            .await,
                    )
                }));
            }
        }
        let mut per_token: BTreeMap<usize, Vec<(u64, u64, [u8; 32])>> = BTreeMap::new();
        for t in tasks {
            let (k, idem, r) = t.await.unwrap();
            match r {
                Ok(ack) => per_token
                    .entry(k)
                    .or_default()
                    .push((idem, ack.position, ack.receipt)),
                Err(sotto_client::relay::ClientError::Refused { code, .. }) => {
                    assert_eq!(code, sotto_wire::ErrorCode::TokenUsed)
                }
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
        let mut positions = BTreeSet::new();
        for (k, acks) in &per_token {
            let first = acks[0];
            for a in acks {
                assert_eq!(
                    (a.0, a.1, a.2),
                    (first.0, first.1, first.2),
                    "token {k}: one submission, retries get its position and receipt"
                );
            }
            positions.insert(first.1);
        }
        assert_eq!(per_token.len(), 30, "every token submitted once");
        assert_eq!(positions, (1..=30).collect(), "gapless positions");
    })
    .await
    .expect("timed out");
    assert_eq!(scalar(&pg, "SELECT count(*) FROM submissions"), 30);
    assert_eq!(scalar(&pg, "SELECT count(*) FROM mailbox"), 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledgements_stop_at_what_was_received_and_done_sessions_keep_no_member_messages() {
    // A batch writes its mailbox rows at commit: an acknowledgement in the
    // same batch as new rows for that member must not pass them (it would
    // leave rows at or below the acknowledged number that nothing delivers
    // or deletes). A member here acknowledges far ahead, over and over,
    // while submissions for it arrive through both relays.
    let pg = PgCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let relays = [relay_on(&pg, &dir), relay_on(&pg, &dir)];
    let urls = [relays[0].url(), relays[1].url()];
    tokio::time::timeout(Duration::from_secs(120), async {
        let (mut org, session, created, tokens) = open_session(
            &urls[0],
            CreateParams {
                members: 2,
                ..CreateParams::default()
            },
            200,
        )
        .await;
        let mut member = RelayClient::connect(&urls[1]).await.unwrap();
        member.hello(session, &created.members[0], 0).await.unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let acking = {
            let stop = stop.clone();
            tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    member.ack(1_000_000).await.unwrap();
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                member
            })
        };
        let mut tasks = Vec::new();
        for (k, token) in tokens.into_iter().enumerate() {
            let url = urls[k % 2].clone();
            tasks.push(tokio::spawn(async move {
                let mut p = RelayClient::connect(&url).await.unwrap();
                p.hello(session, &token, 0).await.unwrap();
                p.submit(
                    k as u64,
                    &slices(&committed(
                        &(k as u64).to_be_bytes(),
                        &[b"for member 1", b"for member 2"],
                    )),
                )
                .await
                .unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut member = acking.await.unwrap();
        member.ack(1_000_000).await.unwrap();
        // Whatever was acknowledged is gone; what is left is exactly what
        // lies above each member's acknowledged number.
        let stale = "SELECT count(*) FROM mailbox m JOIN cursors c \
            ON c.session = m.session AND c.member = m.member WHERE m.seq <= c.acked";
        let above = "SELECT coalesce(sum(head - acked), 0)::bigint FROM cursors";
        for _ in 0..100 {
            if scalar(&pg, "SELECT count(*) FROM mailbox WHERE member = 1") == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(
            scalar(&pg, stale),
            0,
            "rows left at or below an acknowledgement"
        );
        assert_eq!(
            scalar(&pg, "SELECT count(*) FROM mailbox"),
            scalar(&pg, above)
        );
        assert_eq!(
            scalar(&pg, "SELECT count(*) FROM mailbox WHERE member = 2"),
            200
        );

        // Done: every member published. No member message or message id
        // of the session is kept; unacknowledged submission parts and
        // close markers, the log and the results are.
        org.set_state(SessionState::Closed).await.unwrap();
        member.send(2, 7, b"a member message").await.unwrap();
        assert!(scalar(&pg, "SELECT count(*) FROM sent") > 0);
        member.publish(b"result 1").await.unwrap();
        let mut second = RelayClient::connect(&urls[0]).await.unwrap();
        second.hello(session, &created.members[1], 0).await.unwrap();
        second.publish(b"result 2").await.unwrap();
        assert_eq!(
            scalar(&pg, "SELECT count(*) FROM mailbox WHERE kind IN (2, 3)"),
            0
        );
        // Member 2 acknowledged nothing: its 200 parts and the close
        // marker. (Member 1's last acknowledgements may still be arriving
        // and take its close marker: it acknowledged far ahead.)
        assert_eq!(
            scalar(&pg, "SELECT count(*) FROM mailbox WHERE member = 2"),
            201
        );
        assert_eq!(
            scalar(&pg, stale),
            0,
            "rows left at or below an acknowledgement"
        );
        assert_eq!(rows_of(&pg, "sent", session), 0);
        assert_eq!(rows_of(&pg, "submissions", session), 200);
        assert_eq!(rows_of(&pg, "results", session), 2);
    })
    .await
    .expect("timed out");
}

/// The relay's presence report period and lapse (`server/src/presence.rs`:
/// `REFRESH_SECS`, `EXPIRY_SECS`; this crate runs the relay as a process).
const PRESENCE_REFRESH_SECS: u64 = 10;
const PRESENCE_EXPIRY_SECS: u64 = 30;

/// Member `m`'s presence as `org`'s relay reports it, once `want` holds
/// (polled; panics after `within`).
async fn presence_until(
    org: &mut RelayClient,
    m: usize,
    within: Duration,
    want: impl Fn(sotto_wire::MemberPresence) -> bool,
) -> sotto_wire::MemberPresence {
    let end = tokio::time::Instant::now() + within;
    loop {
        let p = org.presence().await.unwrap().0[m - 1];
        if want(p) {
            return p;
        }
        assert!(
            tokio::time::Instant::now() < end,
            "member {m} never reached the wanted presence (last {p:?})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_and_answer_counts_are_shared_between_relays() {
    let pg = PgCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let mut a = relay_on(&pg, &dir);
    let b = relay_on(&pg, &dir);
    let (url_a, url_b) = (a.url(), b.url());
    tokio::time::timeout(TIMEOUT, async {
        let (mut org_a, session, created, tokens) = open_session(
            &url_a,
            CreateParams {
                members: 2,
                allow_resubmit: false,
                ..CreateParams::default()
            },
            1,
        )
        .await;
        // The organizer's live view on B: nobody connected yet.
        let mut org_b = RelayClient::connect(&url_b).await.unwrap();
        org_b.hello(session, &created.organizer, 0).await.unwrap();
        let never = sotto_wire::MemberPresence {
            online: false,
            since: 0,
        };
        assert_eq!(org_b.presence().await.unwrap().0, vec![never; 2]);

        // Member 1 connects to A: B's organizer sees it online.
        let mut m1 = RelayClient::connect(&url_a).await.unwrap();
        m1.hello(session, &created.members[0], 0).await.unwrap();
        let online = presence_until(&mut org_b, 1, Duration::from_secs(10), |p| p.online).await;
        assert!(online.since > 0);
        // And A's organizer still sees it (its own count).
        assert!(org_a.presence().await.unwrap().0[0].online);
        // Member 2 on B is seen on A.
        let mut m2 = RelayClient::connect(&url_b).await.unwrap();
        m2.hello(session, &created.members[1], 0).await.unwrap();
        presence_until(&mut org_a, 2, Duration::from_secs(10), |p| p.online).await;

        // Member 1 leaves A: offline on B too, since it left.
        m1.close().await.unwrap();
        let left = presence_until(&mut org_b, 1, Duration::from_secs(10), |p| !p.online).await;
        assert!(left.since >= online.since, "{left:?} after {online:?}");

        // A relay started now learns, from the others' periodic reports,
        // who is connected elsewhere (member 2 on B).
        let c = relay_on(&pg, &dir);
        let mut org_c = RelayClient::connect(&c.url()).await.unwrap();
        org_c.hello(session, &created.organizer, 0).await.unwrap();
        let refresh = Duration::from_secs(PRESENCE_REFRESH_SECS + 10);
        presence_until(&mut org_c, 2, refresh, |p| p.online).await;

        // The answer count in the organizer's Welcome: an answer through B,
        // the close through A, then a fresh organizer Hello on either relay
        // counts it.
        let mut p = RelayClient::connect(&url_b).await.unwrap();
        p.hello(session, &tokens[0], 0).await.unwrap();
        p.submit(7, &slices(&committed(b"x", &[b"x", b"y"])))
            .await
            .unwrap();
        org_a.set_state(SessionState::Closed).await.unwrap();
        for url in [&url_a, &url_b] {
            let mut org = RelayClient::connect(url).await.unwrap();
            let w = org.hello(session, &created.organizer, 0).await.unwrap();
            assert_eq!((w.state, w.head), (SessionState::Closed, 1), "at {url}");
        }

        // Member 1 back on A, then A is killed: its report lapses and B
        // shows member 1 offline (nobody said goodbye for it).
        let mut m1 = RelayClient::connect(&url_a).await.unwrap();
        m1.hello(session, &created.members[0], 0).await.unwrap();
        presence_until(&mut org_b, 1, Duration::from_secs(10), |p| p.online).await;
        a.kill();
        let expiry = Duration::from_secs(PRESENCE_EXPIRY_SECS + 15);
        presence_until(&mut org_b, 1, expiry, |p| !p.online).await;
        assert!(
            org_b.presence().await.unwrap().0[1].online,
            "member 2 on B stays"
        );
    })
    .await
    .expect("presence across relays timed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn used_links_and_receipt_pages_are_served_by_any_relay() {
    let pg = PgCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let relays: Vec<Relay> = (0..2).map(|_| relay_on(&pg, &dir)).collect();
    let urls: Vec<String> = relays.iter().map(Relay::url).collect();
    tokio::time::timeout(TIMEOUT, async {
        let (mut org_a, session, created, tokens) = open_session(
            &urls[0],
            CreateParams {
                members: 2,
                allow_resubmit: false,
                ..CreateParams::default()
            },
            8,
        )
        .await;
        let open = org_a
            .mint(&MintRequest {
                mode: TokenMode::OpenLink,
                count: 1,
                rate_per_min: 0,
            })
            .await
            .unwrap()
            .remove(0);
        // Five links answer at once on both relays (batches of several
        // submissions), a second use of one of them is refused, and the
        // open link answers too; the organizer polls meanwhile.
        let mut tasks = Vec::new();
        for (i, token) in tokens[..5].iter().chain([&tokens[0], &open]).enumerate() {
            let (url, token) = (urls[i % 2].clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                let mut p = RelayClient::connect(&url).await.unwrap();
                p.hello(session, &token, 0).await.unwrap();
                let tag = [b'u', i as u8];
                p.submit(100 + i as u64, &slices(&committed(&tag, &[&tag, &tag])))
                    .await
                    .is_ok()
            }));
        }
        let mut org_b = RelayClient::connect(&urls[1]).await.unwrap();
        org_b.hello(session, &created.organizer, 0).await.unwrap();
        let during = org_b.used_tokens().await.unwrap();
        let mut stored = 0;
        for t in tasks {
            stored += usize::from(t.await.unwrap());
        }
        assert_eq!(stored, 6, "five links and the open link, once each");
        let mut want: Vec<[u8; 32]> = tokens[..5].iter().map(|t| t.digest()).collect();
        want.sort();
        assert!(during.iter().all(|d| want.contains(d)), "{during:?}");
        for org in [&mut org_a, &mut org_b] {
            assert_eq!(org.used_tokens().await.unwrap(), want);
        }

        // Receipt pages (migration 0003) published through A, a proof
        // through B that checks against the pages' root.
        org_a.set_state(SessionState::Closed).await.unwrap();
        let leaves = [[3u8; 32], [5; 32], [9; 32]];
        let mut m1 = RelayClient::connect(&urls[0]).await.unwrap();
        m1.hello(session, &created.members[0], 0).await.unwrap();
        m1.publish_receipts(0, &leaves.concat()).await.unwrap();
        let mut reader = RelayClient::connect(&urls[1]).await.unwrap();
        let root = sotto_wire::receipt_tree::root(&leaves);
        for (r, want) in [
            ([5; 32], ProofAnswer::Included),
            ([4; 32], ProofAnswer::Excluded),
        ] {
            let proof = reader
                .receipt_proof(session, &created.reader, 1, &r)
                .await
                .unwrap();
            assert_eq!(
                sotto_wire::receipt_tree::check_proof(&proof, &r, &root, 3),
                want
            );
        }
    })
    .await
    .expect("used links and receipt pages across relays timed out");
}
