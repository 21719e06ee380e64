//! The store's commands, run on the writer thread inside a batch transaction.
//!
//! Each command checks everything that can refuse it before it writes, so a
//! refusal leaves nothing behind. Small caches (session metadata, mailbox
//! heads) avoid re-reading hot rows; they are dropped whenever a statement
//! or a commit fails, and reload from the database.
//!
//! [`sessions`] holds the organizer's and the public commands, [`mailbox`]
//! the submission log and the members' mailboxes.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use sotto::wire::{DeliveryKind, ErrorCode, Role, SessionId, SessionState, Token};

use super::{Command, Reply, StoreError};
use crate::config::Limits;
use crate::hub::{Hub, MailboxKey};

mod mailbox;
mod sessions;

type Res<T> = Result<T, StoreError>;

fn refuse<T>(code: ErrorCode, msg: &'static str) -> Res<T> {
    Err(StoreError::Refused(code, msg))
}

#[derive(Debug, Clone, Copy)]
struct Meta {
    state: SessionState,
    members: u16,
    resubmit: bool,
    next_sub: u64,
    has_manifest: bool,
    /// The manifest's submission window (unix seconds), when the relay
    /// could read it.
    opens_at: Option<u64>,
    closes_at: Option<u64>,
}

#[derive(Debug, Clone, Copy)]
struct Cursor {
    head: u64,
    acked: u64,
}

/// The writer thread's state: the connection plus caches.
pub(super) struct Writer {
    conn: Connection,
    limits: Limits,
    hub: Arc<Hub>,
    sessions: HashMap<SessionId, Meta>,
    cursors: HashMap<MailboxKey, Cursor>,
    dirty: HashMap<MailboxKey, u64>,
    session_count: u64,
}

fn random_token() -> Res<Token> {
    let mut t = Token([0; 32]);
    getrandom::fill(&mut t.0)
        .map_err(|_| StoreError::Refused(ErrorCode::Internal, "randomness unavailable"))?;
    Ok(t)
}

/// Seconds since the Unix epoch.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn i(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// An id (request, idempotency or message id: any u64) as an SQLite
/// integer, bit for bit, so that distinct ids stay distinct. Counters
/// (sequence numbers, positions) use [`i`] instead.
pub(super) fn id_sql(v: u64) -> i64 {
    i64::from_le_bytes(v.to_le_bytes())
}

/// The inverse of [`id_sql`].
pub(super) fn id_from_sql(v: i64) -> u64 {
    u64::from_le_bytes(v.to_le_bytes())
}

impl Writer {
    pub(super) fn new(conn: Connection, limits: Limits, hub: Arc<Hub>) -> rusqlite::Result<Writer> {
        let session_count: i64 =
            conn.query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))?;
        Ok(Writer {
            conn,
            limits,
            hub,
            sessions: HashMap::new(),
            cursors: HashMap::new(),
            dirty: HashMap::new(),
            session_count: u64::try_from(session_count).unwrap_or(0),
        })
    }

    pub(super) fn begin(&mut self) -> Res<()> {
        Ok(self.conn.execute_batch("BEGIN IMMEDIATE")?)
    }

    pub(super) fn commit(&mut self) -> Res<()> {
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(e.into());
        }
        Ok(())
    }

    /// Forgets every cache and pending wake-up after a failed commit.
    pub(super) fn after_failure(&mut self) {
        self.dirty.clear();
        self.forget_caches();
    }

    /// Drops the caches so they reload from the database. Pending wake-ups
    /// stay: waking a member for nothing is harmless, missing one is not.
    fn forget_caches(&mut self) {
        self.sessions.clear();
        self.cursors.clear();
        if let Ok(n) = self
            .conn
            .query_row("SELECT count(*) FROM sessions", [], |r| r.get::<_, i64>(0))
        {
            self.session_count = u64::try_from(n).unwrap_or(0);
        }
    }

    /// Wakes members whose mailboxes grew in the committed batch.
    pub(super) fn publish_heads(&mut self) {
        if !self.dirty.is_empty() {
            self.hub.publish(self.dirty.drain());
        }
    }

    /// Completes a checkpoint between batches (see `schema::checkpointer`).
    pub(super) fn finish_checkpoint(&mut self) {
        if let Err(e) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
        {
            tracing::warn!(error = %e, "checkpoint failed");
        }
    }

    /// Checkpoints and truncates the WAL at shutdown.
    pub(super) fn checkpoint(&mut self) {
        let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
    }

    /// Runs one command under its own savepoint.
    pub(super) fn run(&mut self, cmd: Command) -> Res<Reply> {
        self.conn.prepare_cached("SAVEPOINT cmd")?.execute([])?;
        let r = self.dispatch(cmd);
        let end = if matches!(r, Err(StoreError::Sql(_))) {
            let rolled_back = self.conn.execute_batch("ROLLBACK TO cmd; RELEASE cmd");
            self.forget_caches();
            rolled_back
        } else {
            self.conn
                .prepare_cached("RELEASE cmd")?
                .execute([])
                .map(drop)
        };
        end?;
        r
    }

    fn dispatch(&mut self, cmd: Command) -> Res<Reply> {
        match cmd {
            Command::Create {
                members,
                allow_resubmit,
            } => self.create(members, allow_resubmit),
            Command::Hello {
                session,
                token,
                resume,
            } => self.hello(session, &token, resume),
            Command::RegisterManifest { session, blob } => self.register_manifest(session, &blob),
            Command::CloseDue => self.close_due(unix_now()),
            Command::SetState { session, state } => self.set_state(session, state),
            Command::Mint { session, req } => {
                self.mint(session, req.mode, req.count, req.rate_per_min)
            }
            Command::Submit {
                caller,
                single_use,
                idem,
                bundle,
            } => self.submit(caller, single_use, idem, &bundle),
            Command::Send {
                caller,
                to,
                id,
                payload,
            } => self.send(caller, to, id, &payload),
            Command::AckMailbox { caller, seq } => self.ack(caller, seq),
            Command::Publish { caller, blob } => self.publish(caller, &blob),
            Command::GetManifest { session } => self.manifest(session),
            Command::GetResults { session, token } => self.results(session, &token),
            Command::Fetch {
                session,
                member,
                after,
                limit,
            } => self.fetch(session, member, after, limit),
        }
    }

    fn meta(&mut self, session: SessionId) -> Res<Meta> {
        if let Some(m) = self.sessions.get(&session) {
            return Ok(*m);
        }
        let row = self
            .conn
            .prepare_cached("SELECT s.state, s.members, s.resubmit, s.next_sub, s.manifest IS NOT NULL, d.opens_at, d.closes_at FROM sessions s LEFT JOIN deadlines d ON d.session = s.id WHERE s.id = ?1")?
            .query_row(params![&session.0[..]], |r| {
                Ok((r.get::<_, u8>(0)?, r.get::<_, u16>(1)?, r.get::<_, bool>(2)?, r.get::<_, i64>(3)?, r.get::<_, bool>(4)?, r.get::<_, Option<i64>>(5)?, r.get::<_, Option<i64>>(6)?))
            })
            .optional()?;
        let Some((state, members, resubmit, next_sub, has_manifest, opens_at, closes_at)) = row
        else {
            return refuse(ErrorCode::NotFound, "no such session");
        };
        let state = SessionState::try_from(state)
            .map_err(|_| StoreError::Sql(rusqlite::Error::InvalidQuery))?;
        let m = Meta {
            state,
            members,
            resubmit,
            next_sub: u64::try_from(next_sub).unwrap_or(0),
            has_manifest,
            opens_at: opens_at.and_then(|t| u64::try_from(t).ok()),
            closes_at: closes_at.and_then(|t| u64::try_from(t).ok()),
        };
        self.sessions.insert(session, m);
        Ok(m)
    }

    fn set_meta_state(&mut self, session: SessionId, state: SessionState) -> Res<()> {
        self.conn
            .prepare_cached("UPDATE sessions SET state = ?1 WHERE id = ?2")?
            .execute(params![state as u8, &session.0[..]])?;
        if let Some(m) = self.sessions.get_mut(&session) {
            m.state = state;
        }
        Ok(())
    }

    fn cursor(&mut self, key: MailboxKey) -> Res<Cursor> {
        if let Some(c) = self.cursors.get(&key) {
            return Ok(*c);
        }
        let (head, acked): (i64, i64) = self
            .conn
            .prepare_cached("SELECT head, acked FROM cursors WHERE session = ?1 AND member = ?2")?
            .query_row(params![&key.0.0[..], key.1], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or((0, 0));
        let c = Cursor {
            head: u64::try_from(head).unwrap_or(0),
            acked: u64::try_from(acked).unwrap_or(0),
        };
        self.cursors.insert(key, c);
        Ok(c)
    }

    fn check_room(&mut self, session: SessionId, members: impl Iterator<Item = u16>) -> Res<()> {
        for m in members {
            let c = self.cursor((session, m))?;
            if c.head - c.acked >= self.limits.max_mailbox {
                return refuse(ErrorCode::LimitReached, "a member's mailbox is full");
            }
        }
        Ok(())
    }

    fn append(
        &mut self,
        session: SessionId,
        member: u16,
        kind: DeliveryKind,
        sender: u16,
        msg_id: u64,
        payload: &[u8],
    ) -> Res<()> {
        let key = (session, member);
        let mut c = self.cursor(key)?;
        let seq = c.head + 1;
        self.conn
            .prepare_cached("INSERT INTO mailbox(session, member, seq, kind, sender, msg_id, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
            .execute(params![&session.0[..], member, i(seq), kind as u8, sender, id_sql(msg_id), payload])?;
        self.conn
            .prepare_cached("UPDATE cursors SET head = ?1 WHERE session = ?2 AND member = ?3")?
            .execute(params![i(seq), &session.0[..], member])?;
        c.head = seq;
        self.cursors.insert(key, c);
        self.dirty.insert(key, seq);
        Ok(())
    }

    fn insert_token(
        &mut self,
        t: &Token,
        session: SessionId,
        role: Role,
        member: u16,
        rate: u32,
    ) -> Res<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO tokens(hash, session, role, member, rate) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                &t.digest()[..],
                &session.0[..],
                role as u8,
                member,
                rate
            ])?;
        Ok(())
    }
}

#[cfg(test)]
mod id_tests {
    use super::{id_from_sql, id_sql};

    #[test]
    fn ids_keep_all_64_bits() {
        for v in [0, 1, i64::MAX as u64, 1 << 63, (1 << 63) + 1, u64::MAX] {
            assert_eq!(id_from_sql(id_sql(v)), v);
        }
        assert_ne!(
            id_sql(1 << 63),
            id_sql((1 << 63) + 1),
            "distinct large ids must stay distinct"
        );
    }
}
