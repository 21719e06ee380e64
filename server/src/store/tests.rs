//! The writer's batches on a real SQLite store, with the commands of one
//! batch chosen exactly (the relay's tests reach the same code through
//! WebSockets, where what shares a batch is up to timing).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use sotto_wire::{Bundle, DeliveryKind, SessionId, SessionState};
use tokio::sync::oneshot;

use super::{Caller, Command, Job, Reply, StoreError, ops, run_batch, schema};
use crate::config::{Config, SyncMode};
use crate::hub::Hub;
use crate::metrics::Metrics;

struct Harness {
    writer: ops::Writer,
    metrics: Metrics,
    dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let db = schema::Sqlite::open(dir.path(), SyncMode::Normal).unwrap();
        let limits = Config::try_parse_from(["sotto-relay"]).unwrap().limits;
        let writer = ops::Writer::new(Box::new(db), limits, Arc::new(Hub::default())).unwrap();
        Harness {
            writer,
            metrics: Metrics::default(),
            dir,
        }
    }

    /// Runs `cmds` as one batch (one transaction); their replies in order.
    fn batch(&mut self, cmds: Vec<Command>) -> Vec<Result<Reply, StoreError>> {
        let mut rxs = Vec::new();
        let mut jobs: Vec<Job> = cmds
            .into_iter()
            .map(|cmd| {
                let (reply, rx) = oneshot::channel();
                rxs.push(rx);
                Job {
                    cmd,
                    queued: Instant::now(),
                    reply,
                }
            })
            .collect();
        run_batch(&mut self.writer, &mut jobs, &self.metrics);
        rxs.into_iter()
            .map(|mut rx| rx.try_recv().unwrap())
            .collect()
    }

    fn one(&mut self, cmd: Command) -> Reply {
        self.batch(vec![cmd]).pop().unwrap().unwrap()
    }

    /// An open session of `members` members.
    fn open_session(&mut self, members: u16) -> SessionId {
        let Reply::Created(session, _) = self.one(Command::Create {
            members,
            allow_resubmit: false,
            max_part: 0,
        }) else {
            panic!("not created")
        };
        self.one(Command::RegisterManifest {
            session,
            blob: b"manifest".to_vec(),
        });
        self.one(Command::SetState {
            session,
            state: SessionState::Open,
        });
        session
    }

    /// Rows of `table` (and a condition), read beside the writer.
    fn rows(&self, table: &str) -> i64 {
        let c = rusqlite::Connection::open(self.dir.path().join("relay.sqlite3")).unwrap();
        c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    fn entries(&mut self, session: SessionId, member: u16) -> Vec<(u64, u8)> {
        let Reply::Entries(e) = self.one(Command::Fetch {
            session,
            member,
            after: 0,
            limit: 1000,
        }) else {
            panic!("no entries")
        };
        e.iter().map(|e| (e.seq, e.kind)).collect()
    }
}

fn caller(session: SessionId, member: u16, token: u8) -> Caller {
    Caller {
        session,
        token: [token; 32],
        member,
    }
}

fn submit(session: SessionId, token: u8, members: u16) -> Command {
    let sealed: Vec<Vec<u8>> = (0..members).map(|m| vec![token, m as u8]).collect();
    let sealed: Vec<&[u8]> = sealed.iter().map(Vec::as_slice).collect();
    let parts = sotto_wire::committed_parts([token; 16], 0, &[[0; 16]], &sealed);
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    Command::Submit {
        caller: caller(session, 0, token),
        single_use: false,
        idem: u64::from(token),
        bundle: Bundle::encode(&refs),
    }
}

#[test]
fn an_acknowledgement_stops_at_what_the_member_can_have_received() {
    let mut h = Harness::new();
    let s = h.open_session(2);
    h.one(submit(s, 1, 2)); // member 1's mailbox: seq 1
    // One batch: a new submission (seq 2 for member 1, delivered only
    // after the commit) and member 1 acknowledging far beyond anything.
    let replies = h.batch(vec![
        submit(s, 2, 2),
        Command::AckMailbox {
            caller: caller(s, 1, 0),
            seq: u64::MAX,
        },
    ]);
    assert!(replies.iter().all(Result::is_ok), "{replies:?}");
    // Seq 1 is acknowledged and gone; seq 2, which the member cannot have
    // received, is kept and delivered.
    let kind = DeliveryKind::Submission as u8;
    assert_eq!(h.entries(s, 1), vec![(2, kind)]);
    assert_eq!(h.entries(s, 2), vec![(1, kind), (2, kind)]);
    // A later acknowledgement (another batch) takes it.
    h.one(Command::AckMailbox {
        caller: caller(s, 1, 0),
        seq: u64::MAX,
    });
    assert_eq!(h.entries(s, 1), vec![]);
}

#[test]
fn a_done_session_keeps_no_member_messages() {
    let mut h = Harness::new();
    let s = h.open_session(3);
    for t in 1..=4 {
        h.one(submit(s, t, 3));
    }
    h.one(Command::SetState {
        session: s,
        state: SessionState::Closed,
    });
    // Member messages, one member acknowledging part of its mailbox.
    for (from, id) in [(1, 10), (2, 11), (3, 12)] {
        h.one(Command::Send {
            caller: caller(s, from, 0),
            to: sotto_wire::BROADCAST,
            id,
            payload: vec![7; 100],
        });
    }
    h.one(Command::AckMailbox {
        caller: caller(s, 1, 0),
        seq: 3,
    });
    for m in [1, 2] {
        h.one(Command::Publish {
            caller: caller(s, m, 0),
            blob: vec![m as u8],
        });
    }
    // Not done yet: every mailbox is still there.
    assert_eq!(h.entries(s, 3).len(), 4 + 1 + 2);
    // The last publish, with a late message in the same batch.
    let replies = h.batch(vec![
        Command::Send {
            caller: caller(s, 2, 0),
            to: 3,
            id: 13,
            payload: vec![8; 100],
        },
        Command::Publish {
            caller: caller(s, 3, 0),
            blob: b"r3".to_vec(),
        },
    ]);
    assert!(replies.iter().all(Result::is_ok), "{replies:?}");
    // No member message is left, nor any message id; the unacknowledged
    // submission parts and close markers stay (until acknowledged).
    let (sub, closed) = (DeliveryKind::Submission as u8, DeliveryKind::Closed as u8);
    assert_eq!(h.entries(s, 1), vec![(4, sub), (5, closed)]);
    for m in [2, 3] {
        let kept = vec![(1, sub), (2, sub), (3, sub), (4, sub), (5, closed)];
        assert_eq!(h.entries(s, m), kept, "member {m}");
    }
    assert_eq!(h.rows("sent"), 0);
    // Sending is refused now; the submission log and the results stay.
    let late = h.batch(vec![Command::Send {
        caller: caller(s, 1, 0),
        to: 2,
        id: 99,
        payload: vec![1],
    }]);
    assert!(matches!(late[0], Err(StoreError::Refused(..))), "{late:?}");
    assert_eq!(h.rows("submissions"), 4);
    assert_eq!(h.rows("results"), 3);
}

/// `(seq, kind)` of every stored mailbox row of a member, read beside the
/// writer, and the member's stored head.
fn stored_mailbox(h: &Harness, s: SessionId, member: u16) -> (Vec<(i64, i64)>, i64) {
    let c = rusqlite::Connection::open(h.dir.path().join("relay.sqlite3")).unwrap();
    let mut stmt = c
        .prepare("SELECT seq, kind FROM mailbox WHERE session = ?1 AND member = ?2 ORDER BY seq")
        .unwrap();
    let rows = stmt
        .query_map(rusqlite::params![&s.0[..], member], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let head = c
        .query_row(
            "SELECT head FROM cursors WHERE session = ?1 AND member = ?2",
            rusqlite::params![&s.0[..], member],
            |r| r.get(0),
        )
        .unwrap();
    (rows, head)
}

#[test]
fn a_large_batch_writes_its_rows_heads_and_counter_once_and_gapless() {
    let mut h = Harness::new();
    let s = h.open_session(3);
    // 150 submissions in one batch (the bulk inserts' 64, 16, 4 and 1 row
    // statements all run), and a retry of the 7th in the same batch.
    let mut cmds: Vec<Command> = (1..=150u8).map(|t| submit(s, t, 3)).collect();
    cmds.push(submit(s, 7, 3));
    let replies = h.batch(cmds);
    let positions: Vec<u64> = replies
        .iter()
        .map(|r| match r {
            Ok(Reply::Submitted { position, .. }) => *position,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(&positions[..150], (1..=150).collect::<Vec<u64>>());
    assert_eq!(positions[150], 7, "the retry gets the first answer");
    assert!(matches!(
        replies[150],
        Ok(Reply::Submitted { fresh: false, .. })
    ));
    assert_eq!(h.rows("submissions"), 150);
    let kind = i64::from(DeliveryKind::Submission as u8);
    for m in 1..=3 {
        let (rows, head) = stored_mailbox(&h, s, m);
        assert_eq!(rows, (1..=150).map(|q| (q, kind)).collect::<Vec<_>>());
        assert_eq!(head, 150, "member {m}'s head written at commit");
    }
    let c = rusqlite::Connection::open(h.dir.path().join("relay.sqlite3")).unwrap();
    let next: i64 = c
        .query_row("SELECT next_sub FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(next, 150);
    // The next batch goes on from there.
    let Reply::Submitted { position, .. } = h.one(submit(s, 200, 3)) else {
        panic!("not stored")
    };
    assert_eq!(position, 151);
    assert_eq!(stored_mailbox(&h, s, 2).1, 151);
}

#[test]
fn a_failing_statement_undoes_only_its_command() {
    let mut h = Harness::new();
    let s = h.open_session(3);
    h.one(submit(s, 1, 3));
    h.one(Command::SetState {
        session: s,
        state: SessionState::Closed,
    });
    // Beside the writer: member 2's result can no longer be stored.
    let c = rusqlite::Connection::open(h.dir.path().join("relay.sqlite3")).unwrap();
    c.execute_batch(
        "CREATE TRIGGER refuse BEFORE INSERT ON results WHEN NEW.member = 2 BEGIN SELECT RAISE(ABORT, 'refused'); END",
    )
    .unwrap();
    let send = |from: u16, id: u64| Command::Send {
        caller: caller(s, from, 0),
        to: sotto_wire::BROADCAST,
        id,
        payload: vec![9; 10],
    };
    let replies = h.batch(vec![
        send(1, 10),
        Command::Publish {
            caller: caller(s, 2, 0),
            blob: b"r2".to_vec(),
        },
        send(3, 11),
    ]);
    assert!(matches!(replies[0], Ok(Reply::Done)), "{replies:?}");
    assert!(matches!(replies[1], Err(StoreError::Sql(_))), "{replies:?}");
    assert!(matches!(replies[2], Ok(Reply::Done)), "{replies:?}");
    // The batch ran again without the failed command: both messages are
    // stored once, with gapless sequence numbers and heads.
    let (sub, closed) = (
        i64::from(DeliveryKind::Submission as u8),
        i64::from(DeliveryKind::Closed as u8),
    );
    let bc = i64::from(DeliveryKind::Broadcast as u8);
    assert_eq!(
        stored_mailbox(&h, s, 2),
        (vec![(1, sub), (2, closed), (3, bc), (4, bc)], 4)
    );
    assert_eq!(
        stored_mailbox(&h, s, 1),
        (vec![(1, sub), (2, closed), (3, bc)], 3)
    );
    assert_eq!(h.rows("sent"), 2);
    assert_eq!(h.rows("results"), 0);
    // The writer goes on: the same message again is a duplicate.
    h.one(send(1, 10));
    assert_eq!(stored_mailbox(&h, s, 2).1, 4);
}
