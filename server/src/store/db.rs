//! The SQL the store's commands need, over either database.
//!
//! The commands in [`super::ops`] are written once against [`Db`]: plain
//! statements with `$1`-style parameters that SQLite and PostgreSQL both
//! read, 64-bit integers and byte strings as the only types. What differs
//! between the two is behind the trait: how a batch's transaction starts
//! (SQLite's single writer takes the whole database, PostgreSQL locks the
//! rows of the sessions the batch touches), the few statements that need
//! another spelling, and the wake-ups for other relays
//! (`NOTIFY`, PostgreSQL only).

use sotto_wire::SessionId;

use crate::hub::MailboxKey;

/// A failure of the database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed (or the connection to it).
    #[error("postgres: {0}")]
    Postgres(#[from] postgres::Error),
    /// A row did not hold what the schema promises.
    #[error("unexpected data: {0}")]
    Corrupt(&'static str),
}

/// A statement parameter.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// A 64-bit integer (every integer column).
    Int(i64),
    /// A byte string (ids, digests, ciphertext).
    Bytes(&'a [u8]),
    /// NULL in an integer column.
    NullInt,
}

/// A column value read back.
#[derive(Debug, Clone)]
pub enum Val {
    /// An integer (booleans read as 0 or 1).
    Int(i64),
    /// A byte string.
    Bytes(Vec<u8>),
    /// NULL.
    Null,
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Val>);

impl Row {
    /// Column `i` as an integer.
    pub fn int(&self, i: usize) -> Result<i64, DbError> {
        match self.0.get(i) {
            Some(Val::Int(v)) => Ok(*v),
            _ => Err(DbError::Corrupt("expected an integer")),
        }
    }

    /// Column `i` as an integer or NULL.
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, DbError> {
        match self.0.get(i) {
            Some(Val::Int(v)) => Ok(Some(*v)),
            Some(Val::Null) => Ok(None),
            _ => Err(DbError::Corrupt("expected an integer or NULL")),
        }
    }

    /// Column `i` as a byte string.
    pub fn bytes(&self, i: usize) -> Result<Vec<u8>, DbError> {
        match self.0.get(i) {
            Some(Val::Bytes(v)) => Ok(v.clone()),
            _ => Err(DbError::Corrupt("expected bytes")),
        }
    }

    /// Column `i` as a byte string or NULL.
    pub fn opt_bytes(&self, i: usize) -> Result<Option<Vec<u8>>, DbError> {
        match self.0.get(i) {
            Some(Val::Bytes(v)) => Ok(Some(v.clone())),
            Some(Val::Null) => Ok(None),
            _ => Err(DbError::Corrupt("expected bytes or NULL")),
        }
    }
}

/// A mailbox row (`mailbox` table), written in bulk at the end of a batch.
#[derive(Debug, Clone)]
pub struct MailRow {
    /// Session id.
    pub session: SessionId,
    /// Member index.
    pub member: u16,
    /// Sequence number.
    pub seq: i64,
    /// Delivery kind.
    pub kind: u8,
    /// Sending member.
    pub sender: u16,
    /// Position or message id (as stored).
    pub msg_id: i64,
    /// The delivery payload.
    pub payload: Vec<u8>,
}

/// A submission row (`submissions` table), written in bulk at the end of a
/// batch.
#[derive(Debug, Clone)]
pub struct SubRow {
    /// Session id.
    pub session: SessionId,
    /// Log position.
    pub position: i64,
    /// Token digest.
    pub token: [u8; 32],
    /// Idempotency id (as stored).
    pub idem: i64,
    /// Receipt.
    pub receipt: [u8; 32],
    /// Position replaced, or 0.
    pub replaces: i64,
}

/// What a batch writes at its end ([`Db::write_batch`]).
#[derive(Debug, Clone, Copy)]
pub struct BatchWrites<'a> {
    /// New submission rows.
    pub submissions: &'a [SubRow],
    /// New mailbox rows.
    pub mailbox: &'a [MailRow],
    /// The new head of each mailbox appended to.
    pub heads: &'a [(MailboxKey, u64)],
    /// The new submission counter of each session submitted to.
    pub counters: &'a [(SessionId, u64)],
}

/// A stored submission found by [`Db::find_submissions`]: token digest,
/// idempotency id (as stored), position, receipt.
pub type FoundSubmission = (Vec<u8>, i64, i64, Vec<u8>);

/// A mailbox cursor read by [`Db::session_cursors`]: session id, member,
/// head, acknowledged.
pub type CursorRow = (Vec<u8>, i64, i64, i64);

/// A token digest and its latest position ([`Db::latest_positions`]).
pub type LatestPosition = (Vec<u8>, i64);

/// Statements spelled differently by the two databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stmt {
    /// Open sessions past their deadline: `$1` = now, `$2` = the open state.
    CloseDue,
    /// Unfinished sessions created at or before `$1`; at most `$2`.
    ToExpire,
    /// Finished sessions not yet purged, finished at or before `$1`; at
    /// most `$2`.
    ToPurge,
    /// Finished sessions, finished at or before `$1`; at most `$2`.
    ToDelete,
}

/// A database connection as the store's writer uses it.
pub trait Db: Send {
    /// Runs a statement; the number of rows it changed.
    fn exec(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, DbError>;
    /// Runs a query; all its rows.
    fn query(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Row>, DbError>;
    /// Runs a script of several statements without parameters.
    fn script(&mut self, sql: &str) -> Result<(), DbError>;
    /// The text of a statement that differs between the databases.
    fn stmt(&self, s: Stmt) -> &'static str;
    /// Starts a batch's transaction, holding `sessions` (sorted, distinct)
    /// against every other writer until it ends.
    fn begin(&mut self, sessions: &[SessionId]) -> Result<(), DbError>;
    /// Commits the batch (rolling back when the commit fails).
    fn commit(&mut self) -> Result<(), DbError>;
    /// Whether this connection is the database's only writer, so that
    /// cached rows stay true between batches.
    fn sole_writer(&self) -> bool;
    /// Takes the lock of periodic work for the rest of the transaction;
    /// `false` when another relay holds it (it does that work this time).
    fn try_periodic_lock(&mut self) -> Result<bool, DbError>;
    /// Writes what a batch deferred to its end: its new rows, the heads
    /// of the mailboxes it appended to, the sessions' submission counters;
    /// and tells other relays, when the transaction commits, which
    /// mailboxes grew. In as few statements as the database allows (one
    /// round trip on PostgreSQL).
    fn write_batch(&mut self, w: &BatchWrites<'_>) -> Result<(), DbError>;
    /// After a failed statement or commit: rolls the batch's transaction
    /// back (the writer runs the batch again without the failed command,
    /// see `store::run_batch`) and whatever else it takes to be usable
    /// again. No command runs under a savepoint of its own: on PostgreSQL
    /// many subtransactions in one transaction make it slow (past 64 every
    /// visibility check consults the subtransaction log), on SQLite the
    /// two statements per command cost a fifth of a submission's.
    fn recover(&mut self);
    /// The stored submissions of `session` whose token is one of `tokens`
    /// and idempotency id one of `idems` (a superset of the pairs asked
    /// for): `(token, idem, position, receipt)`. `None` when the database
    /// has no bulk form (the commands then look each one up).
    fn find_submissions(
        &mut self,
        _session: &SessionId,
        _tokens: &[[u8; 32]],
        _idems: &[i64],
    ) -> Result<Option<Vec<FoundSubmission>>, DbError> {
        Ok(None)
    }
    /// The latest position of each of `tokens` in `session`, for those
    /// that submitted; `None` as for [`Db::find_submissions`].
    fn latest_positions(
        &mut self,
        _session: &SessionId,
        _tokens: &[[u8; 32]],
    ) -> Result<Option<Vec<LatestPosition>>, DbError> {
        Ok(None)
    }
    /// The mailbox cursors (`(session, member, head, acked)`) of all of
    /// `sessions`, read at a batch's start; `None` when the database has
    /// no bulk form (the commands then read each one when first needed).
    fn session_cursors(
        &mut self,
        _sessions: &[SessionId],
    ) -> Result<Option<Vec<CursorRow>>, DbError> {
        Ok(None)
    }
    /// Between batches (SQLite finishes a checkpoint when its log grew
    /// long, and gives free pages back to the file system); how long the
    /// checkpoint took, if it ran.
    fn idle(&mut self) -> Option<std::time::Duration> {
        None
    }
    /// At shutdown.
    fn close(&mut self) {}
}

impl<T: Db + ?Sized> Db for Box<T> {
    fn exec(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, DbError> {
        (**self).exec(sql, args)
    }
    fn query(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Row>, DbError> {
        (**self).query(sql, args)
    }
    fn script(&mut self, sql: &str) -> Result<(), DbError> {
        (**self).script(sql)
    }
    fn stmt(&self, s: Stmt) -> &'static str {
        (**self).stmt(s)
    }
    fn begin(&mut self, sessions: &[SessionId]) -> Result<(), DbError> {
        (**self).begin(sessions)
    }
    fn commit(&mut self) -> Result<(), DbError> {
        (**self).commit()
    }
    fn sole_writer(&self) -> bool {
        (**self).sole_writer()
    }
    fn try_periodic_lock(&mut self) -> Result<bool, DbError> {
        (**self).try_periodic_lock()
    }
    fn write_batch(&mut self, w: &BatchWrites<'_>) -> Result<(), DbError> {
        (**self).write_batch(w)
    }
    fn recover(&mut self) {
        (**self).recover()
    }
    fn find_submissions(
        &mut self,
        session: &SessionId,
        tokens: &[[u8; 32]],
        idems: &[i64],
    ) -> Result<Option<Vec<FoundSubmission>>, DbError> {
        (**self).find_submissions(session, tokens, idems)
    }
    fn latest_positions(
        &mut self,
        session: &SessionId,
        tokens: &[[u8; 32]],
    ) -> Result<Option<Vec<LatestPosition>>, DbError> {
        (**self).latest_positions(session, tokens)
    }
    fn session_cursors(
        &mut self,
        sessions: &[SessionId],
    ) -> Result<Option<Vec<CursorRow>>, DbError> {
        (**self).session_cursors(sessions)
    }
    fn idle(&mut self) -> Option<std::time::Duration> {
        (**self).idle()
    }
    fn close(&mut self) {
        (**self).close()
    }
}

/// One versioned schema change: `migrations/<db>/NNNN_name.sql`.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Its version; applied in increasing order, each exactly once.
    pub version: i64,
    /// Its file name, for the log.
    pub name: &'static str,
    /// The SQL script.
    pub sql: &'static str,
}

/// Applies, inside the transaction `db` has open, the migrations newer
/// than the store's recorded version, recording each. Returns how many
/// were applied.
pub fn migrate(db: &mut dyn Db, migrations: &[Migration]) -> Result<usize, DbError> {
    db.script(
        "CREATE TABLE IF NOT EXISTS schema_migrations(version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )?;
    let current = db
        .query(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )?
        .first()
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0);
    let mut applied = 0;
    for m in migrations.iter().filter(|m| m.version > current) {
        tracing::info!(
            version = m.version,
            name = m.name,
            "applying schema migration"
        );
        db.script(m.sql)?;
        db.exec(
            "INSERT INTO schema_migrations(version, applied_at) VALUES ($1, $2)",
            &[Arg::Int(m.version), Arg::Int(super::ops::unix_now_sql())],
        )?;
        applied += 1;
    }
    Ok(applied)
}
