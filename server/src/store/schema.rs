//! Opening the SQLite database: pragmas and schema.

use std::path::Path;

use rusqlite::Connection;

use crate::config::SyncMode;

/// The tables. Tokens are stored only as SHA-256 digests; payloads are
/// ciphertext the relay cannot read.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sessions(
    id BLOB PRIMARY KEY, state INTEGER NOT NULL, members INTEGER NOT NULL,
    resubmit INTEGER NOT NULL, manifest BLOB, next_sub INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens(
    hash BLOB PRIMARY KEY, session BLOB NOT NULL, role INTEGER NOT NULL,
    member INTEGER NOT NULL, rate INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS submissions(
    session BLOB NOT NULL, position INTEGER NOT NULL, token BLOB NOT NULL,
    idem INTEGER NOT NULL, receipt BLOB NOT NULL, replaces INTEGER NOT NULL,
    PRIMARY KEY(session, position)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS submissions_idem ON submissions(session, token, idem);
CREATE INDEX IF NOT EXISTS submissions_token ON submissions(session, token, position);
CREATE TABLE IF NOT EXISTS mailbox(
    session BLOB NOT NULL, member INTEGER NOT NULL, seq INTEGER NOT NULL,
    kind INTEGER NOT NULL, sender INTEGER NOT NULL, msg_id INTEGER NOT NULL,
    payload BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS mailbox_seq ON mailbox(session, member, seq);
CREATE TABLE IF NOT EXISTS cursors(
    session BLOB NOT NULL, member INTEGER NOT NULL, head INTEGER NOT NULL,
    acked INTEGER NOT NULL, PRIMARY KEY(session, member)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sent(
    session BLOB NOT NULL, sender INTEGER NOT NULL, msg_id INTEGER NOT NULL,
    PRIMARY KEY(session, sender, msg_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS deadlines(
    session BLOB PRIMARY KEY, opens_at INTEGER, closes_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deadlines_close ON deadlines(closes_at);
CREATE TABLE IF NOT EXISTS results(
    session BLOB NOT NULL, member INTEGER NOT NULL, blob BLOB NOT NULL,
    PRIMARY KEY(session, member)
) WITHOUT ROWID;
";

/// Opens (creating if needed) the store at `dir/relay.sqlite3` in WAL mode.
pub fn open(dir: &Path, sync: SyncMode) -> rusqlite::Result<Connection> {
    let conn = Connection::open(dir.join("relay.sqlite3"))?;
    // Another connection may briefly hold a lock (e.g. a checkpoint's): wait.
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
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
    conn.execute_batch(SCHEMA)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
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
pub fn checkpointer(
    dir: &Path,
    period: std::time::Duration,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    wal_frames: std::sync::Arc<std::sync::atomic::AtomicI64>,
) -> rusqlite::Result<std::thread::JoinHandle<()>> {
    use std::sync::atomic::Ordering::Relaxed;
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
