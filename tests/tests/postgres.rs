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
use sotto_e2e::{Relay, relay_at};
use sotto_wire::{CreateParams, DeliveryKind, MintRequest, SessionState, TokenMode};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relays_share_one_postgres_with_gapless_mailboxes_and_push() {
    let pg = PgCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let a = relay_on(&pg, &dir);
    let b = relay_on(&pg, &dir);
    let relays = [a.url(), b.url()];
    tokio::time::timeout(Duration::from_secs(120), async {
        // The organizer works through A.
        let mut org = RelayClient::connect(&relays[0]).await.unwrap();
        let (session, created) = org
            .create_session(&CreateParams {
                members: 2,
                allow_resubmit: false,
            })
            .await
            .unwrap();
        org.hello(session, &created.organizer, 0).await.unwrap();
        org.register_manifest(b"manifest").await.unwrap();
        org.set_state(SessionState::Open).await.unwrap();
        let tokens = org
            .mint(&MintRequest {
                mode: TokenMode::SingleUse,
                count: 41,
                rate_per_min: 0,
            })
            .await
            .unwrap();
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
                p.submit(k as u64, &[&part, &part]).await.unwrap().position
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
        assert_eq!(p.submit(1 << 40, &[b"x", b"y"]).await.unwrap().position, 41);

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
    // Both relays applied the migrations; the schema was created once.
    assert_eq!(scalar(&pg, "SELECT count(*) FROM schema_migrations"), 1);
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
