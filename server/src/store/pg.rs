//! PostgreSQL as the store of several relays (`--store postgres://...`).
//!
//! Every relay runs the same writer as with SQLite: one connection, batches
//! of commands in one transaction each, replies only after the commit. What
//! changes with other writers on the same database:
//!
//! - **Ordering.** A batch starts by locking the rows of the sessions its
//!   commands touch (`SELECT ... ORDER BY id FOR UPDATE`, in id order, so
//!   two relays never wait on each other in a cycle). Submission positions
//!   and mailbox sequence numbers are read and advanced under that lock, so
//!   they stay gapless and in commit order whichever relay writes.
//! - **Durability.** A reply goes out only after `COMMIT` returned
//!   (`synchronous_commit = on`, PostgreSQL's default; `--sync normal` turns
//!   it off for this relay's connection).
//! - **Push.** The batch ends with `pg_notify('sotto_mailbox', ...)` naming
//!   the mailboxes that grew; PostgreSQL delivers it at commit to every
//!   relay, whose listener thread ([`spawn_listener`]) wakes the members
//!   connected there. After a lost connection the listener re-reads the
//!   heads of every watched mailbox, so a notification missed meanwhile
//!   delays nothing.
//! - **Periodic work** (the deadline sweep) runs under a transaction-level
//!   advisory lock taken with `pg_try_advisory_xact_lock`: each second one
//!   relay does it, the others skip; rows another batch holds are skipped
//!   (`FOR UPDATE SKIP LOCKED`) and closed by the next sweep.
//! - **Migrations** run at start under `pg_advisory_xact_lock`, so relays
//!   starting together apply each version once.
//!
//! A lost connection (PostgreSQL restarted) fails the batch in flight, whose
//! clients get an `Internal` error and retry (submissions are idempotent);
//! the next batch reconnects.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};
use postgres::{Client, NoTls, Statement};
use sotto_wire::SessionId;

use super::db::{
    Arg, BatchWrites, CursorRow, Db, DbError, FoundSubmission, LatestPosition, Migration, Row,
    Stmt, Val, migrate,
};
use crate::config::SyncMode;
use crate::hub::{Hub, MailboxKey};
use crate::presence::{Presence, REFRESH_SECS};

/// The versioned schema changes (`server/migrations/postgres/`).
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_initial.sql",
        sql: include_str!("../../migrations/postgres/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "0002_retention.sql",
        sql: include_str!("../../migrations/postgres/0002_retention.sql"),
    },
    Migration {
        version: 3,
        name: "0003_receipt_pages.sql",
        sql: include_str!("../../migrations/postgres/0003_receipt_pages.sql"),
    },
];

/// The channel mailbox wake-ups are sent on.
const CHANNEL: &str = "sotto_mailbox";
/// The channel relays share presence on (`crate::presence`).
const PRESENCE_CHANNEL: &str = "sotto_presence";
/// Advisory lock key of schema migrations ("sotto" + 1).
const MIGRATE_LOCK: i64 = 0x736f_7474_6f01;
/// Advisory lock key of the periodic work ("sotto" + 2).
const PERIODIC_LOCK: i64 = 0x736f_7474_6f02;
/// Longest `pg_notify` payload the relay sends (PostgreSQL's limit is 8000).
const NOTIFY_BYTES: usize = 7000;

/// A writer connection to PostgreSQL.
pub struct Postgres {
    config: postgres::Config,
    sync: SyncMode,
    client: Client,
    stmts: HashMap<String, Statement>,
}

/// Parses a `postgres://` URL (or key=value string).
pub fn parse_url(url: &str) -> Result<postgres::Config, DbError> {
    let mut config = postgres::Config::from_str(url)?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(5));
    }
    if config.get_application_name().is_none() {
        config.application_name("sotto-relay");
    }
    Ok(config)
}

fn connect(config: &postgres::Config, sync: SyncMode) -> Result<Client, DbError> {
    let mut client = config.connect(NoTls)?;
    // No NOTICE lines in the relay's log (e.g. "already exists, skipping").
    client.batch_execute("SET client_min_messages = warning")?;
    // Plan each execution with the tables' current size: a generic plan
    // chosen while a new database's tables were empty (sequential scans)
    // would stay cached while they grow, and made the first run on a fresh
    // database about eight times slower in the benchmark.
    client.batch_execute("SET plan_cache_mode = force_custom_plan")?;
    if sync == SyncMode::Normal {
        client.batch_execute("SET synchronous_commit = off")?;
    }
    Ok(client)
}

impl Postgres {
    /// Connects and applies pending migrations.
    pub fn open(config: postgres::Config, sync: SyncMode) -> Result<Postgres, DbError> {
        let client = connect(&config, sync)?;
        let mut db = Postgres {
            config,
            sync,
            client,
            stmts: HashMap::new(),
        };
        db.begin(&[])?;
        db.client
            .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])?;
        migrate(&mut db, MIGRATIONS)?;
        db.commit()?;
        Ok(db)
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, DbError> {
        if let Some(s) = self.stmts.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql)?;
        self.stmts.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

static NULL_INT: Option<i64> = None;

fn params<'a>(args: &'a [Arg<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    args.iter()
        .map(|a| match a {
            Arg::Int(v) => v as &(dyn ToSql + Sync),
            Arg::Bytes(b) => b as &(dyn ToSql + Sync),
            Arg::NullInt => &NULL_INT as &(dyn ToSql + Sync),
        })
        .collect()
}

fn value(row: &postgres::Row, i: usize) -> Result<Val, DbError> {
    let ty = row.columns()[i].type_().clone();
    let v = if ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i)?.map(Val::Int)
    } else if ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i)?
            .map(|v| Val::Int(v.into()))
    } else if ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(i)?
            .map(|v| Val::Int(v.into()))
    } else if ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(i)?
            .map(|v| Val::Int(v.into()))
    } else if ty == Type::BYTEA {
        row.try_get::<_, Option<Vec<u8>>>(i)?.map(Val::Bytes)
    } else if ty == Type::TEXT {
        row.try_get::<_, Option<String>>(i)?
            .map(|v| Val::Bytes(v.into_bytes()))
    } else {
        return Err(DbError::Corrupt("a column of an unexpected type"));
    };
    Ok(v.unwrap_or(Val::Null))
}

impl Db for Postgres {
    fn exec(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, DbError> {
        let stmt = self.statement(sql)?;
        Ok(self.client.execute(&stmt, &params(args))?)
    }

    fn query(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Row>, DbError> {
        let stmt = self.statement(sql)?;
        let rows = self.client.query(&stmt, &params(args))?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| value(r, i))
                    .collect::<Result<_, _>>()
                    .map(Row)
            })
            .collect()
    }

    fn script(&mut self, sql: &str) -> Result<(), DbError> {
        Ok(self.client.batch_execute(sql)?)
    }

    fn stmt(&self, s: Stmt) -> &'static str {
        match s {
            Stmt::CloseDue => {
                "SELECT s.id FROM sessions s JOIN deadlines d ON d.session = s.id WHERE d.closes_at <= $1 AND s.state = $2 ORDER BY s.id FOR UPDATE OF s SKIP LOCKED"
            }
            // A session another relay's batch holds is left to the next sweep.
            Stmt::ToExpire => {
                "SELECT id FROM sessions WHERE finished_at IS NULL AND created_at <= $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED"
            }
            Stmt::ToPurge => {
                "SELECT id FROM sessions WHERE finished_at <= $1 AND purged_at IS NULL ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED"
            }
            Stmt::ToDelete => {
                "SELECT id FROM sessions WHERE finished_at <= $1 ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED"
            }
        }
    }

    fn begin(&mut self, sessions: &[SessionId]) -> Result<(), DbError> {
        if self.client.is_closed() {
            tracing::warn!("reconnecting to PostgreSQL");
            self.stmts.clear();
            self.client = connect(&self.config, self.sync)?;
        }
        self.client.batch_execute("BEGIN")?;
        if !sessions.is_empty() {
            let ids: Vec<&[u8]> = sessions.iter().map(|s| &s.0[..]).collect();
            let stmt = self
                .statement("SELECT id FROM sessions WHERE id = ANY($1) ORDER BY id FOR UPDATE")?;
            self.client.query(&stmt, &[&ids])?;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), DbError> {
        if let Err(e) = self.client.batch_execute("COMMIT") {
            let _ = self.client.batch_execute("ROLLBACK");
            return Err(e.into());
        }
        Ok(())
    }

    fn sole_writer(&self) -> bool {
        false
    }

    fn try_periodic_lock(&mut self) -> Result<bool, DbError> {
        let stmt = self.statement("SELECT pg_try_advisory_xact_lock($1)")?;
        Ok(self
            .client
            .query_one(&stmt, &[&PERIODIC_LOCK])?
            .try_get(0)?)
    }

    fn find_submissions(
        &mut self,
        session: &SessionId,
        tokens: &[[u8; 32]],
        idems: &[i64],
    ) -> Result<Option<Vec<FoundSubmission>>, DbError> {
        let stmt = self.statement(
            "SELECT token, idem, position, receipt FROM submissions WHERE session = $1 AND token = ANY($2) AND idem = ANY($3)",
        )?;
        let tokens: Vec<&[u8]> = tokens.iter().map(|t| &t[..]).collect();
        let rows = self
            .client
            .query(&stmt, &[&&session.0[..], &tokens, &idems])?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect::<Result<_, DbError>>()
            .map(Some)
    }

    fn latest_positions(
        &mut self,
        session: &SessionId,
        tokens: &[[u8; 32]],
    ) -> Result<Option<Vec<LatestPosition>>, DbError> {
        let stmt = self.statement(
            "SELECT token, max(position) FROM submissions WHERE session = $1 AND token = ANY($2) GROUP BY token",
        )?;
        let tokens: Vec<&[u8]> = tokens.iter().map(|t| &t[..]).collect();
        let rows = self.client.query(&stmt, &[&&session.0[..], &tokens])?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, DbError>>()
            .map(Some)
    }

    fn session_cursors(
        &mut self,
        sessions: &[SessionId],
    ) -> Result<Option<Vec<CursorRow>>, DbError> {
        let stmt = self.statement(
            "SELECT session, member, head, acked FROM cursors WHERE session = ANY($1)",
        )?;
        let ids: Vec<&[u8]> = sessions.iter().map(|s| &s.0[..]).collect();
        let rows = self.client.query(&stmt, &[&ids])?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect::<Result<_, DbError>>()
            .map(Some)
    }

    /// One statement, so one round trip, for all of it: each table's rows
    /// from `unnest` of one array per column, in data-modifying `WITH`
    /// parts, and the wake-ups (`pg_notify`, delivered at commit) as its
    /// result.
    fn write_batch(&mut self, w: &BatchWrites<'_>) -> Result<(), DbError> {
        if w.submissions.is_empty()
            && w.mailbox.is_empty()
            && w.heads.is_empty()
            && w.counters.is_empty()
        {
            return Ok(());
        }
        let stmt = self.statement(
            "WITH sub AS (INSERT INTO submissions(session, position, token, idem, receipt, replaces) \
             SELECT * FROM unnest($1::bytea[], $2::int8[], $3::bytea[], $4::int8[], $5::bytea[], $6::int8[])), \
             mb AS (INSERT INTO mailbox(session, member, seq, kind, sender, msg_id, payload) \
             SELECT * FROM unnest($7::bytea[], $8::int8[], $9::int8[], $10::int8[], $11::int8[], $12::int8[], $13::bytea[])), \
             hd AS (UPDATE cursors c SET head = v.head FROM unnest($14::bytea[], $15::int8[], $16::int8[]) AS v(session, member, head) \
             WHERE c.session = v.session AND c.member = v.member), \
             ns AS (UPDATE sessions s SET next_sub = v.next FROM unnest($17::bytea[], $18::int8[]) AS v(id, next) WHERE s.id = v.id) \
             SELECT pg_notify($19, p) FROM unnest($20::text[]) AS p",
        )?;
        let count = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let subs = w.submissions;
        let s_session: Vec<&[u8]> = subs.iter().map(|r| &r.session.0[..]).collect();
        let s_position: Vec<i64> = subs.iter().map(|r| r.position).collect();
        let s_token: Vec<&[u8]> = subs.iter().map(|r| &r.token[..]).collect();
        let s_idem: Vec<i64> = subs.iter().map(|r| r.idem).collect();
        let s_receipt: Vec<&[u8]> = subs.iter().map(|r| &r.receipt[..]).collect();
        let s_replaces: Vec<i64> = subs.iter().map(|r| r.replaces).collect();
        let mail = w.mailbox;
        let m_session: Vec<&[u8]> = mail.iter().map(|r| &r.session.0[..]).collect();
        let m_member: Vec<i64> = mail.iter().map(|r| r.member.into()).collect();
        let m_seq: Vec<i64> = mail.iter().map(|r| r.seq).collect();
        let m_kind: Vec<i64> = mail.iter().map(|r| r.kind.into()).collect();
        let m_sender: Vec<i64> = mail.iter().map(|r| r.sender.into()).collect();
        let m_msg_id: Vec<i64> = mail.iter().map(|r| r.msg_id).collect();
        let m_payload: Vec<&[u8]> = mail.iter().map(|r| r.payload.as_slice()).collect();
        let h_session: Vec<&[u8]> = w.heads.iter().map(|((s, _), _)| &s.0[..]).collect();
        let h_member: Vec<i64> = w.heads.iter().map(|((_, m), _)| i64::from(*m)).collect();
        let h_head: Vec<i64> = w.heads.iter().map(|(_, h)| count(*h)).collect();
        let c_session: Vec<&[u8]> = w.counters.iter().map(|(s, _)| &s.0[..]).collect();
        let c_next: Vec<i64> = w.counters.iter().map(|(_, n)| count(*n)).collect();
        // Wake-ups: lines of `session-hex member head`, in payloads under
        // PostgreSQL's limit.
        let mut notes: Vec<String> = Vec::new();
        let mut payload = String::new();
        for ((session, member), head) in w.heads {
            if payload.len() > NOTIFY_BYTES {
                notes.push(std::mem::take(&mut payload));
            }
            payload.push_str(&format!("{} {member} {head}\n", session.to_hex()));
        }
        if !payload.is_empty() {
            notes.push(payload);
        }
        self.client.query(
            &stmt,
            &[
                &s_session,
                &s_position,
                &s_token,
                &s_idem,
                &s_receipt,
                &s_replaces,
                &m_session,
                &m_member,
                &m_seq,
                &m_kind,
                &m_sender,
                &m_msg_id,
                &m_payload,
                &h_session,
                &h_member,
                &h_head,
                &c_session,
                &c_next,
                &CHANNEL,
                &notes,
            ],
        )?;
        Ok(())
    }

    fn recover(&mut self) {
        if !self.client.is_closed() {
            let _ = self.client.batch_execute("ROLLBACK");
        }
    }
}

/// Parses one wake-up payload: lines of `session-hex member head`.
fn parse_heads(payload: &str) -> Vec<(MailboxKey, u64)> {
    payload
        .lines()
        .filter_map(|l| {
            let mut it = l.split(' ');
            let session = SessionId::from_hex(it.next()?).ok()?;
            let member = it.next()?.parse().ok()?;
            let head = it.next()?.parse().ok()?;
            Some(((session, member), head))
        })
        .collect()
}

/// Starts the thread that `LISTEN`s for other relays' commits and wakes
/// the members connected to this one, and that shares presence with the
/// other relays (`crate::presence`); it reconnects (and re-reads every
/// watched mailbox's head) whenever the connection is lost.
pub fn spawn_listener(
    config: postgres::Config,
    hub: Arc<Hub>,
    presence: Arc<Presence>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("store-listen".into())
        .spawn(move || {
            let mut backoff = Duration::from_millis(100);
            loop {
                match listen(&config, &hub, &presence) {
                    Ok(()) => backoff = Duration::from_millis(100),
                    Err(e) => tracing::warn!(error = %e, "PostgreSQL listener lost its connection"),
                }
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
        })
}

/// How long the listener waits for notifications before it sends this
/// relay's presence changes: the delay before another relay sees them.
const PRESENCE_TICK: Duration = Duration::from_millis(250);

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// One connection's life: LISTEN, catch up, then wake members as
/// notifications arrive and send presence reports, until the connection
/// ends.
fn listen(config: &postgres::Config, hub: &Hub, presence: &Presence) -> Result<(), DbError> {
    let mut client = config.connect(NoTls)?;
    client.batch_execute(&format!("LISTEN {CHANNEL}; LISTEN {PRESENCE_CHANNEL}"))?;
    // Anything committed while nobody listened: read the heads directly.
    let stmt = client.prepare("SELECT head FROM cursors WHERE session = $1 AND member = $2")?;
    for (session, member) in hub.watched() {
        let m = i64::from(member);
        if let Some(row) = client.query_opt(&stmt, &[&&session.0[..], &m])? {
            let head: i64 = row.try_get(0)?;
            hub.publish([((session, member), u64::try_from(head).unwrap_or(0))]);
        }
    }
    tracing::info!("listening for other relays' commits");
    let notify = client.prepare("SELECT pg_notify($1, $2)")?;
    // The first turn refreshes: relays that started meanwhile learn who
    // is connected here.
    let mut refreshed: Option<std::time::Instant> = None;
    loop {
        let refresh = refreshed.is_none_or(|t| t.elapsed() >= Duration::from_secs(REFRESH_SECS));
        if refresh {
            refreshed = Some(std::time::Instant::now());
        }
        for chunk in chunks(presence.outgoing(refresh)) {
            client.execute(&notify, &[&PRESENCE_CHANNEL, &chunk])?;
        }
        let until = std::time::Instant::now() + PRESENCE_TICK;
        {
            let mut notes = client.notifications();
            let mut it = notes.timeout_iter(PRESENCE_TICK);
            while let Some(n) = it.next()? {
                if n.channel() == PRESENCE_CHANNEL {
                    presence.heard(n.payload(), unix_now());
                } else {
                    hub.publish(parse_heads(n.payload()));
                }
                if std::time::Instant::now() >= until {
                    break;
                }
            }
        }
        if client.is_closed() {
            return Ok(());
        }
    }
}

/// Report lines joined into `pg_notify` payloads of at most
/// [`NOTIFY_BYTES`].
fn chunks(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in lines {
        match out.last_mut() {
            Some(last) if last.len() + 1 + line.len() <= NOTIFY_BYTES => {
                last.push('\n');
                last.push_str(&line);
            }
            _ => out.push(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_round_trip_through_the_payload_format() {
        let s = SessionId([7; 16]);
        let payload = format!("{} 3 42\n{} 1 7\ngarbage\n", s.to_hex(), s.to_hex());
        assert_eq!(parse_heads(&payload), vec![((s, 3), 42), ((s, 1), 7)]);
    }

    #[test]
    fn presence_reports_fill_payloads_below_the_limit() {
        let line = "x".repeat(100);
        let out = chunks(vec![line.clone(); 150]);
        assert_eq!(out.len(), 3, "69 + 69 + 12 lines");
        assert!(out.iter().all(|c| c.len() <= NOTIFY_BYTES));
        assert_eq!(out.iter().map(|c| c.lines().count()).sum::<usize>(), 150);
        assert!(chunks(Vec::new()).is_empty());
    }
}
