//! The embedded SQLite store: pragmas, migrations, checkpoints, and its
//! [`Db`] implementation.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use rusqlite::types::{ToSqlOutput, ValueRef};
use sotto_wire::SessionId;

use super::db::{Arg, BatchWrites, Db, DbError, Migration, Row, Stmt, Val, migrate};
use crate::config::SyncMode;

/// The versioned schema changes (`server/migrations/sqlite/`), applied at
/// start in order, each once.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_initial.sql",
        sql: include_str!("../../migrations/sqlite/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "0002_retention.sql",
        sql: include_str!("../../migrations/sqlite/0002_retention.sql"),
    },
    Migration {
        version: 3,
        name: "0003_receipt_pages.sql",
        sql: include_str!("../../migrations/sqlite/0003_receipt_pages.sql"),
    },
];

/// Opens (creating if needed) the store at `dir/relay.sqlite3` in WAL mode.
fn connect(dir: &Path, sync: SyncMode) -> rusqlite::Result<Connection> {
    let conn = Connection::open(dir.join("relay.sqlite3"))?;
    // Another connection may briefly hold a lock (e.g. a checkpoint's): wait.
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Free pages can be given back to the file system (see
    // `Sqlite::reclaim`). It takes effect only in a store created now (it
    // must precede the first table); an older store keeps its free pages
    // for reuse until `VACUUM` (docs/deploy.md).
    conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    let sync = match sync {
        SyncMode::Full => "FULL",
        SyncMode::Normal => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", sync)?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    // Bounded page cache (about 16 MiB) so memory stays flat under load.
    conn.pragma_update(None, "cache_size", -16_000)?;
    // Checkpoints run on their own thread (see `checkpointer`), so a commit
    // never waits for the WAL to be copied into the database file.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    // A batch's multi-row inserts keep statement journals (a statement's
    // undo log inside the batch's transaction); past 64 KiB SQLite spills
    // them to a temporary file, created and deleted per statement (a
    // profile showed it). In memory they are bounded by one statement's
    // rows. Durability does not depend on them: the WAL holds the commit.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// The SQLite store as the writer uses it: the one write connection, and
/// the checkpointer thread beside it.
pub struct Sqlite {
    conn: Connection,
    stop: Arc<AtomicBool>,
    wal_frames: Arc<AtomicI64>,
    checkpointer: Option<std::thread::JoinHandle<()>>,
    /// When [`Sqlite::reclaim`] last looked at the free pages.
    reclaimed_at: Instant,
}

/// Free pages (4 KiB) the store keeps for reuse before giving some back to
/// the file system: 16 MiB.
const KEEP_FREE_PAGES: i64 = 4_096;
/// Pages given back per pass (16 MiB): a short pause between two batches.
const RECLAIM_PAGES: i64 = 4_096;
/// How often the free pages are looked at.
const RECLAIM_EVERY: Duration = Duration::from_secs(1);

impl Sqlite {
    /// Between batches, at most once per [`RECLAIM_EVERY`]: when more than
    /// [`KEEP_FREE_PAGES`] are free (a finished session's mailboxes were
    /// deleted), truncates up to [`RECLAIM_PAGES`] of them off the file
    /// (`PRAGMA incremental_vacuum`), so the file shrinks back after a
    /// session instead of staying at its peak. A store created before
    /// `auto_vacuum` was set has none: nothing happens there.
    fn reclaim(&mut self) {
        if self.reclaimed_at.elapsed() < RECLAIM_EVERY {
            return;
        }
        self.reclaimed_at = Instant::now();
        let free: i64 = match self
            .conn
            .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(error = %e, "reading the free page count failed");
                return;
            }
        };
        if free <= KEEP_FREE_PAGES {
            return;
        }
        let pages = (free - KEEP_FREE_PAGES).min(RECLAIM_PAGES);
        // Each step of the statement frees pages: run it to its end (one
        // step, as `execute_batch` does, frees one page).
        let run = |conn: &Connection| -> rusqlite::Result<()> {
            let mut stmt = conn.prepare(&format!("PRAGMA incremental_vacuum({pages})"))?;
            let mut rows = stmt.query([])?;
            while rows.next()?.is_some() {}
            Ok(())
        };
        if let Err(e) = run(&self.conn) {
            tracing::warn!(error = %e, "giving free pages back failed");
        }
    }
}

/// A multi-row `INSERT` in statements of [`ROWS_PER_INSERT`], 16, 4
/// and 1 rows: a batch's rows go in few statements, and the statements stay
/// few (each is prepared once and kept in the connection's cache).
struct BulkInsert {
    /// `INSERT INTO table(columns) VALUES `.
    head: &'static str,
    /// Columns per row.
    columns: usize,
    /// The statement for each row count of [`INSERT_SIZES`], made once.
    sql: std::sync::OnceLock<Vec<String>>,
}

/// Most rows per statement (a mailbox row has 7 parameters; SQLite allows
/// 32,766 per statement).
const ROWS_PER_INSERT: usize = 64;
/// The row counts a batch's rows are split into, largest first.
const INSERT_SIZES: [usize; 4] = [ROWS_PER_INSERT, 16, 4, 1];

static MAILBOX_INSERT: BulkInsert = BulkInsert {
    head: "INSERT INTO mailbox(session, member, seq, kind, sender, msg_id, payload) VALUES ",
    columns: 7,
    sql: std::sync::OnceLock::new(),
};

static SUBMISSION_INSERT: BulkInsert = BulkInsert {
    head: "INSERT INTO submissions(session, position, token, idem, receipt, replaces) VALUES ",
    columns: 6,
    sql: std::sync::OnceLock::new(),
};

impl BulkInsert {
    /// The statement inserting `INSERT_SIZES[k]` rows.
    fn sql(&self, k: usize) -> &str {
        let all = self.sql.get_or_init(|| {
            INSERT_SIZES
                .iter()
                .map(|&rows| {
                    let mut sql = String::from(self.head);
                    let mut p = 0;
                    for r in 0..rows {
                        sql.push_str(if r == 0 { "(" } else { ", (" });
                        for c in 0..self.columns {
                            p += 1;
                            if c > 0 {
                                sql.push_str(", ");
                            }
                            sql.push_str(&format!("?{p}"));
                        }
                        sql.push(')');
                    }
                    sql
                })
                .collect()
        });
        &all[k]
    }
}

impl Sqlite {
    /// Inserts `rows` with `bulk`'s statements; `bind` appends one row's
    /// parameters.
    fn insert_rows<'r, T>(
        &mut self,
        bulk: &BulkInsert,
        rows: &'r [T],
        bind: impl Fn(&'r T, &mut Vec<Arg<'r>>),
    ) -> Result<(), DbError> {
        let mut rest = rows;
        let mut args: Vec<Arg<'r>> = Vec::with_capacity(ROWS_PER_INSERT * bulk.columns);
        for (k, &size) in INSERT_SIZES.iter().enumerate() {
            while rest.len() >= size {
                let (chunk, tail) = rest.split_at(size);
                rest = tail;
                args.clear();
                for r in chunk {
                    bind(r, &mut args);
                }
                self.conn
                    .prepare_cached(bulk.sql(k))?
                    .execute(rusqlite::params_from_iter(args.iter()))?;
            }
        }
        Ok(())
    }

    /// Opens the store in `dir`, applies pending migrations and starts the
    /// checkpointer.
    pub fn open(dir: &Path, sync: SyncMode) -> Result<Sqlite, DbError> {
        let conn = connect(dir, sync)?;
        let stop = Arc::new(AtomicBool::new(false));
        let wal_frames = Arc::new(AtomicI64::new(0));
        let mut db = Sqlite {
            conn,
            stop: stop.clone(),
            wal_frames: wal_frames.clone(),
            checkpointer: None,
            reclaimed_at: Instant::now(),
        };
        db.begin(&[])?;
        migrate(&mut db, MIGRATIONS)?;
        db.commit()?;
        db.checkpointer = Some(checkpointer(
            dir,
            Duration::from_millis(100),
            stop,
            wal_frames,
        )?);
        Ok(db)
    }
}

impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Arg::Int(v) => ValueRef::Integer(v),
            Arg::Bytes(b) => ValueRef::Blob(b),
            Arg::NullInt => ValueRef::Null,
        }))
    }
}

/// A counter (head, position) as stored.
fn count(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// `$1` parameters as SQLite's numbered `?1` (no statement of the store
/// has a `$` anywhere else).
fn numbered(sql: &str) -> String {
    sql.replace('$', "?")
}

impl Db for Sqlite {
    fn exec(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, DbError> {
        let changed = self
            .conn
            .prepare_cached(&numbered(sql))?
            .execute(rusqlite::params_from_iter(args))?;
        Ok(changed as u64)
    }

    fn query(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Row>, DbError> {
        let mut stmt = self.conn.prepare_cached(&numbered(sql))?;
        let cols = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut vals = Vec::with_capacity(cols);
            for c in 0..cols {
                vals.push(match r.get_ref(c)? {
                    ValueRef::Integer(v) => Val::Int(v),
                    ValueRef::Blob(b) | ValueRef::Text(b) => Val::Bytes(b.to_vec()),
                    ValueRef::Null => Val::Null,
                    ValueRef::Real(_) => return Err(DbError::Corrupt("a real number")),
                });
            }
            out.push(Row(vals));
        }
        Ok(out)
    }

    fn script(&mut self, sql: &str) -> Result<(), DbError> {
        Ok(self.conn.execute_batch(sql)?)
    }

    fn stmt(&self, s: Stmt) -> &'static str {
        match s {
            Stmt::CloseDue => {
                "SELECT d.session FROM deadlines d JOIN sessions s ON s.id = d.session WHERE d.closes_at <= $1 AND s.state = $2"
            }
            Stmt::ToExpire => {
                "SELECT id FROM sessions WHERE finished_at IS NULL AND created_at <= $1 ORDER BY id LIMIT $2"
            }
            Stmt::ToPurge => {
                "SELECT id FROM sessions WHERE finished_at <= $1 AND purged_at IS NULL ORDER BY finished_at LIMIT $2"
            }
            Stmt::ToDelete => {
                "SELECT id FROM sessions WHERE finished_at <= $1 ORDER BY finished_at LIMIT $2"
            }
        }
    }

    fn begin(&mut self, _sessions: &[SessionId]) -> Result<(), DbError> {
        // The one writer takes the whole database.
        Ok(self.conn.execute_batch("BEGIN IMMEDIATE")?)
    }

    fn commit(&mut self) -> Result<(), DbError> {
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(e.into());
        }
        Ok(())
    }

    fn sole_writer(&self) -> bool {
        true
    }

    fn try_periodic_lock(&mut self) -> Result<bool, DbError> {
        Ok(true)
    }

    fn recover(&mut self) {
        // A failed statement undoes only itself in SQLite; the batch's
        // transaction is still open: end it.
        if !self.conn.is_autocommit()
            && let Err(e) = self.conn.execute_batch("ROLLBACK")
        {
            tracing::warn!(error = %e, "rolling back a failed batch failed");
        }
    }

    /// The rows in multi-row statements, then one statement per head and
    /// per counter (in-process calls: no round trip to save). No other
    /// relay to tell.
    fn write_batch(&mut self, w: &BatchWrites<'_>) -> Result<(), DbError> {
        self.insert_rows(&SUBMISSION_INSERT, w.submissions, |r, args| {
            args.extend([
                Arg::Bytes(&r.session.0[..]),
                Arg::Int(r.position),
                Arg::Bytes(&r.token[..]),
                Arg::Int(r.idem),
                Arg::Bytes(&r.receipt[..]),
                Arg::Int(r.replaces),
            ]);
        })?;
        self.insert_rows(&MAILBOX_INSERT, w.mailbox, |r, args| {
            args.extend([
                Arg::Bytes(&r.session.0[..]),
                Arg::Int(r.member.into()),
                Arg::Int(r.seq),
                Arg::Int(r.kind.into()),
                Arg::Int(r.sender.into()),
                Arg::Int(r.msg_id),
                Arg::Bytes(&r.payload),
            ]);
        })?;
        let mut stmt = self
            .conn
            .prepare_cached("UPDATE cursors SET head = ?1 WHERE session = ?2 AND member = ?3")?;
        for ((session, member), head) in w.heads {
            stmt.execute(rusqlite::params![count(*head), &session.0[..], member])?;
        }
        let mut stmt = self
            .conn
            .prepare_cached("UPDATE sessions SET next_sub = ?1 WHERE id = ?2")?;
        for (session, next) in w.counters {
            stmt.execute(rusqlite::params![count(*next), &session.0[..]])?;
        }
        Ok(())
    }

    fn idle(&mut self) -> Option<Duration> {
        // After the replies went out: only the next batch waits.
        self.reclaim();
        if self.wal_frames.load(Relaxed) < RESTART_FRAMES {
            return None;
        }
        let t = Instant::now();
        if let Err(e) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
        {
            tracing::warn!(error = %e, "checkpoint failed");
        }
        self.wal_frames.store(0, Relaxed);
        Some(t.elapsed())
    }

    fn close(&mut self) {
        self.stop.store(true, Relaxed);
        if let Some(h) = self.checkpointer.take() {
            let _ = h.join();
        }
        let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
    }
}

/// WAL frames (4 KiB pages, so 64 MiB) after which the writer finishes a
/// checkpoint itself so that the log restarts from its beginning.
pub const RESTART_FRAMES: i64 = 16_384;

/// Copies the WAL into the database file every `period` on a separate
/// connection, so commits never wait for a full checkpoint.
///
/// PASSIVE checkpoints do the copying without blocking the writer, and
/// report the WAL's size in `wal_frames`. Under a continuous write load they
/// never catch up exactly, so the log would grow without bound: once it
/// passes [`RESTART_FRAMES`] the writer thread, between two batches, runs a
/// PASSIVE checkpoint of its own. Nothing is writing then, so it completes,
/// copying only the frames since the last pass, and the next commit starts
/// the log from its beginning. No lock is ever waited on.
fn checkpointer(
    dir: &Path,
    period: Duration,
    stop: Arc<AtomicBool>,
    wal_frames: Arc<AtomicI64>,
) -> rusqlite::Result<std::thread::JoinHandle<()>> {
    let conn = Connection::open(dir.join("relay.sqlite3"))?;
    let spawned = std::thread::Builder::new()
        .name("store-checkpoint".into())
        .spawn(move || {
            while !stop.load(Relaxed) {
                std::thread::sleep(period);
                match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1)) {
                    Ok(log) => wal_frames.store(log, Relaxed),
                    Err(e) => tracing::warn!(error = %e, "checkpoint failed"),
                }
            }
        });
    spawned.map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(dir: &Path) -> Vec<i64> {
        let c = Connection::open(dir.join("relay.sqlite3")).unwrap();
        let mut s = c
            .prepare("SELECT version FROM schema_migrations ORDER BY version")
            .unwrap();
        s.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn migrations_apply_once_and_adopt_a_store_from_before_them() {
        // A store created before versioned migrations: the tables, no
        // schema_migrations.
        let dir = tempfile::tempdir().unwrap();
        let old = connect(dir.path(), SyncMode::Normal).unwrap();
        old.execute_batch(MIGRATIONS[0].sql).unwrap();
        old.execute("INSERT INTO sessions(id, state, members, resubmit, manifest, next_sub, created_at) VALUES (x'01', 1, 3, 0, NULL, 7, 0)", [])
            .unwrap();
        drop(old);
        for _ in 0..2 {
            let mut db = Sqlite::open(dir.path(), SyncMode::Normal).unwrap();
            db.close();
        }
        let all: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert_eq!(versions(dir.path()), all, "each version recorded once");
        let mut db = Sqlite::open(dir.path(), SyncMode::Normal).unwrap();
        let rows = db.query("SELECT next_sub FROM sessions", &[]).unwrap();
        assert_eq!(rows[0].int(0).unwrap(), 7, "existing data kept");
        db.close();
    }
}
