//! The persistent store: SQLite in WAL mode, written by one dedicated thread.
//!
//! Every request (reads included) is a [`Command`] sent over a bounded queue
//! to the writer thread. The thread drains up to [`MAX_BATCH`] queued
//! commands, runs them inside one transaction (their new rows, mailbox
//! heads and counters written once at its end; a failing statement rolls
//! the batch back, which runs again without the failed command), commits
//! once, and only then releases the replies and wakes connected members.
//! That is group commit: one fsync covers a whole batch, and nothing is
//! acknowledged or delivered before it is durable.
//!
//! The commands are written once ([`ops`]) over [`db::Db`]: the embedded
//! SQLite store ([`schema`]) or PostgreSQL shared by several relays
//! ([`pg`]).

mod db;
mod ops;
mod pg;
mod schema;

pub use db::DbError;
pub(crate) use ops::PER_SWEEP;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use sotto_wire::{
    Created, ErrorCode, MintRequest, Results, SessionId, SessionState, Token, Welcome,
};
use tokio::sync::{mpsc, oneshot, watch};

use crate::config::Limits;
use crate::hub::Hub;
use crate::metrics::Metrics;

/// Most commands committed together.
pub const MAX_BATCH: usize = 2048;
/// Depth of the command queue; senders wait when it is full (backpressure).
const QUEUE: usize = 8192;

/// A refusal or failure of a store command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The request is refused for a reason the client is told.
    #[error("{1}")]
    Refused(ErrorCode, &'static str),
    /// The database failed.
    #[error("storage: {0}")]
    Sql(#[from] db::DbError),
    /// The writer thread is gone (shutting down).
    #[error("store unavailable")]
    Closed,
}

impl StoreError {
    /// The wire error code and message for this error.
    pub fn to_wire(&self) -> (ErrorCode, &'static str) {
        match self {
            StoreError::Refused(code, msg) => (*code, msg),
            StoreError::Sql(_) => (ErrorCode::Internal, "storage failure"),
            StoreError::Closed => (ErrorCode::Internal, "relay shutting down"),
        }
    }
}

/// The authenticated identity a command acts as.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    /// Session the token belongs to.
    pub session: SessionId,
    /// SHA-256 of the token.
    pub token: [u8; 32],
    /// Member index (members only).
    pub member: u16,
}

/// A request to the store.
#[derive(Debug, Clone)]
pub enum Command {
    /// Create a session with these parameters (`max_part`: the fixed part
    /// size, 0 for none).
    Create {
        members: u16,
        allow_resubmit: bool,
        max_part: u32,
    },
    /// Resolve a token digest; members subscribe to their mailbox.
    Hello {
        session: SessionId,
        token: [u8; 32],
        resume: u64,
    },
    /// Register the manifest (draft only).
    RegisterManifest { session: SessionId, blob: Vec<u8> },
    /// Close every open session whose manifest's `closes_at` has come;
    /// sent every second by the relay.
    CloseDue,
    /// Retention: delete what finished sessions no longer need (see
    /// [`Retention`]); sent periodically by the relay and once by
    /// `sotto-relay gc`.
    Gc(Retention),
    /// Organizer state change.
    SetState {
        session: SessionId,
        state: SessionState,
    },
    /// Mint participant tokens.
    Mint {
        session: SessionId,
        req: MintRequest,
    },
    /// Store a submission bundle (encoded [`sotto_wire::Bundle`]).
    Submit {
        caller: Caller,
        single_use: bool,
        idem: u64,
        bundle: Vec<u8>,
    },
    /// Store a member-to-member message.
    Send {
        caller: Caller,
        to: u16,
        id: u64,
        payload: Vec<u8>,
    },
    /// Mark a member's mailbox processed up to `seq` and drop those entries.
    AckMailbox { caller: Caller, seq: u64 },
    /// Store a member's published result.
    Publish { caller: Caller, blob: Vec<u8> },
    /// Read a manifest.
    GetManifest { session: SessionId },
    /// Read published results with a read (or organizer) token digest.
    GetResults { session: SessionId, token: [u8; 32] },
    /// The organizer's live view: the digests of the session's
    /// single-use tokens an answer is stored with, ascending, after
    /// `after` (one page of [`sotto_wire::USED_TOKENS_PAGE`]).
    UsedTokens {
        session: SessionId,
        after: Option<[u8; 32]>,
    },
    /// Store page `page` of a member's sorted counted receipts.
    PublishReceipts {
        caller: Caller,
        page: u64,
        leaves: Vec<u8>,
    },
    /// The proof about `receipt` in member `member`'s receipt tree, with a
    /// read (or organizer) token digest.
    ReceiptProof {
        session: SessionId,
        token: [u8; 32],
        member: u16,
        receipt: [u8; 32],
    },
    /// Read mailbox entries after `after`.
    Fetch {
        session: SessionId,
        member: u16,
        after: u64,
        limit: u32,
    },
}

impl Command {
    /// The session whose row the command writes (or, for a Hello, must
    /// see in order with other relays' writes); `None` for reads and for
    /// commands that make or find their sessions themselves.
    fn session(&self) -> Option<SessionId> {
        match self {
            Command::Hello { session, .. }
            | Command::RegisterManifest { session, .. }
            | Command::SetState { session, .. }
            | Command::Mint { session, .. }
            | Command::UsedTokens { session, .. } => Some(*session),
            Command::Submit { caller, .. }
            | Command::Send { caller, .. }
            | Command::AckMailbox { caller, .. }
            | Command::Publish { caller, .. }
            | Command::PublishReceipts { caller, .. } => Some(caller.session),
            Command::Create { .. }
            | Command::CloseDue
            | Command::Gc(_)
            | Command::GetManifest { .. }
            | Command::GetResults { .. }
            | Command::ReceiptProof { .. }
            | Command::Fetch { .. } => None,
        }
    }
}

/// A stored mailbox entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Sequence number in the mailbox.
    pub seq: u64,
    /// [`sotto_wire::DeliveryKind`] as a byte.
    pub kind: u8,
    /// Sending member (0 for submissions and markers).
    pub sender: u16,
    /// Submission position or message id.
    pub msg_id: u64,
    /// The delivery payload.
    pub payload: Vec<u8>,
}

/// The result of a successful command.
#[derive(Debug)]
pub enum Reply {
    /// Nothing to send back.
    Done,
    /// A new session and its tokens.
    Created(SessionId, Box<Created>),
    /// Hello accepted.
    Welcome {
        /// What the client sees.
        welcome: Welcome,
        /// Member index, or 0.
        member: u16,
        /// Open-link rate per minute per address.
        rate: u32,
        /// Mailbox head watch (members only).
        watch: Option<watch::Receiver<u64>>,
    },
    /// Minted tokens.
    Tokens(Vec<Token>),
    /// A stored (or already stored) submission.
    Submitted {
        position: u64,
        receipt: [u8; 32],
        fresh: bool,
    },
    /// A blob (manifest).
    Blob(Vec<u8>),
    /// Published results.
    Results(Results),
    /// One page of used single-use token digests.
    UsedTokens(sotto_wire::UsedTokens),
    /// A proof about one receipt.
    Proof(sotto_wire::ReceiptProof),
    /// Mailbox entries.
    Entries(Vec<Entry>),
    /// What a retention sweep deleted.
    Collected(Collected),
}

/// How long finished sessions are kept, in seconds (0: forever).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// After a session is done: its submissions, mailboxes and
    /// participant and member tokens are deleted.
    pub data: u64,
    /// After a session is done: the whole session, including its manifest,
    /// signed results and read token, is deleted.
    pub results: u64,
    /// After a session was created, if it never finished: it counts as
    /// finished from then on (abandoned drafts and sessions never computed).
    pub unfinished: u64,
}

/// What one retention sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Collected {
    /// Unfinished sessions past their age that now count as finished.
    pub expired: u64,
    /// Sessions whose submissions, mailboxes and tokens were deleted.
    pub purged: u64,
    /// Sessions deleted entirely.
    pub deleted: u64,
    /// Whether another relay holds the lock of periodic work (it sweeps
    /// this time; nothing was done here).
    pub skipped: bool,
}

struct Job {
    cmd: Command,
    queued: Instant,
    reply: oneshot::Sender<Result<Reply, StoreError>>,
}

/// A handle to the store; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    tx: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

/// Where the store keeps its data. `Debug` and `Display` never show a
/// PostgreSQL URL (it may hold a password).
#[derive(Clone)]
pub enum Location {
    /// The embedded SQLite store in this directory.
    Sqlite(PathBuf),
    /// A PostgreSQL database (a `postgres://` URL), shared with other relays.
    Postgres(String),
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(dir) => f.debug_tuple("Sqlite").field(dir).finish(),
            Location::Postgres(_) => f.write_str("Postgres(<redacted>)"),
        }
    }
}

impl std::fmt::Display for Location {
    /// The SQLite directory, or just "PostgreSQL": the URL may hold a
    /// password, which never goes into an error or a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(dir) => write!(f, "{}", dir.display()),
            Location::Postgres(_) => f.write_str("PostgreSQL"),
        }
    }
}

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// Creating the SQLite directory or starting a thread failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The database refused to open or migrate.
    #[error(transparent)]
    Db(#[from] db::DbError),
    /// The thread opening the store panicked.
    #[error("opening the store panicked")]
    Panicked,
}

impl Store {
    /// Opens the store (applying pending schema migrations) and starts the
    /// writer thread (and, for PostgreSQL, the listener of other relays'
    /// commits).
    pub fn open(
        at: &Location,
        limits: Limits,
        hub: Arc<Hub>,
        presence: Arc<crate::presence::Presence>,
        metrics: Arc<Metrics>,
    ) -> Result<(Store, std::thread::JoinHandle<()>), OpenError> {
        // PostgreSQL's blocking client runs its own small runtime, which
        // may not start (nor be dropped) on a thread of ours: open the
        // store on a plain thread; the writer thread owns it afterwards.
        let at = at.clone();
        let mut writer = std::thread::spawn(move || -> Result<ops::Writer, OpenError> {
            let db: Box<dyn db::Db> = match &at {
                Location::Sqlite(dir) => {
                    std::fs::create_dir_all(dir)?;
                    Box::new(schema::Sqlite::open(dir, limits.sync)?)
                }
                Location::Postgres(url) => {
                    let config = pg::parse_url(url)?;
                    let db = pg::Postgres::open(config.clone(), limits.sync)?;
                    presence.share();
                    pg::spawn_listener(config, hub.clone(), presence)?;
                    Box::new(db)
                }
            };
            Ok(ops::Writer::new(db, limits, hub)?)
        })
        .join()
        .map_err(|_| OpenError::Panicked)??;
        let (tx, mut rx) = mpsc::channel::<Job>(QUEUE);
        let m = metrics;
        let handle = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || {
                let mut batch = Vec::with_capacity(MAX_BATCH);
                while let Some(first) = rx.blocking_recv() {
                    batch.push(first);
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    run_batch(&mut writer, &mut batch, &m);
                    if let Some(took) = writer.idle() {
                        m.store_checkpoint_seconds.observe(took);
                    }
                }
                writer.close();
            })?;
        Ok((Store { tx }, handle))
    }

    /// Runs a command and waits for its committed result.
    pub async fn call(&self, cmd: Command) -> Result<Reply, StoreError> {
        let (reply, rx) = oneshot::channel();
        let job = Job {
            cmd,
            queued: Instant::now(),
            reply,
        };
        self.tx.send(job).await.map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

/// Runs of a batch before it is refused as a whole, when statements keep
/// failing.
const BATCH_TRIES: usize = 3;

fn run_batch(writer: &mut ops::Writer, batch: &mut Vec<Job>, m: &Metrics) {
    let started = Instant::now();
    let mut sessions: Vec<SessionId> = batch.iter().filter_map(|j| j.cmd.session()).collect();
    sessions.sort_unstable_by_key(|s| s.0);
    sessions.dedup();
    // A failed statement spoils the transaction: the batch is rolled back,
    // the failed command keeps its error and the batch runs again without
    // it.
    let mut failed: Vec<Option<StoreError>> = (0..batch.len()).map(|_| None).collect();
    let mut tries = 0;
    let (began, results) = loop {
        tries += 1;
        let mut results: Vec<Result<Reply, StoreError>> = Vec::with_capacity(batch.len());
        let began = writer.begin(&sessions).and_then(|()| {
            let submits: Vec<(Caller, bool, u64)> = batch
                .iter()
                .enumerate()
                .filter(|(i, _)| failed[*i].is_none())
                .filter_map(|(_, j)| match &j.cmd {
                    Command::Submit {
                        caller,
                        single_use,
                        idem,
                        ..
                    } => Some((*caller, *single_use, *idem)),
                    _ => None,
                })
                .collect();
            writer.prefetch(&submits)
        });
        let mut aborted = None;
        for (i, job) in batch.iter().enumerate() {
            if let Some(e) = failed[i].take() {
                results.push(Err(e));
                continue;
            }
            let r = match &began {
                Ok(()) => writer.run(&job.cmd),
                Err(_) => Err(StoreError::Closed),
            };
            if began.is_ok() && matches!(r, Err(StoreError::Sql(_))) {
                aborted = Some(i);
            }
            results.push(r);
            if aborted.is_some() {
                break;
            }
        }
        match aborted {
            None => break (began, results),
            Some(_) if tries < BATCH_TRIES => {
                writer.after_failure();
                // Keep the failed commands' errors; run the others again.
                for (k, r) in results.into_iter().enumerate() {
                    if let Err(e @ StoreError::Sql(_)) = r {
                        failed[k] = Some(e);
                    }
                }
            }
            Some(_) => {
                // Statements keep failing: the whole batch is refused below.
                writer.after_failure();
                break (Err(StoreError::Closed), results);
            }
        }
    };
    let committed = began.and_then(|()| writer.commit());
    m.store_batch_seconds.observe(started.elapsed());
    m.store_batches
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    m.store_commands
        .fetch_add(batch.len() as u64, std::sync::atomic::Ordering::Relaxed);
    if let Err(e) = committed {
        tracing::error!(error = %e, "store commit failed; batch refused");
        writer.after_failure();
        for job in batch.drain(..) {
            let _ = job.reply.send(Err(StoreError::Sql(db::DbError::Corrupt(
                "the batch's commit failed",
            ))));
        }
        return;
    }
    writer.publish_heads();
    for (job, r) in batch.drain(..).zip(results) {
        if let Ok(Reply::Submitted { fresh: true, .. }) = &r {
            m.submissions
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        m.store_request_seconds.observe(job.queued.elapsed());
        let _ = job.reply.send(r);
    }
}

#[cfg(test)]
mod tests;
