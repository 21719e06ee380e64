//! Command-line configuration and limits.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, ValueEnum};

/// Sotto's store-and-forward relay: routes and stores ciphertext between
/// participants and committee members, and serves the web app.
#[derive(Debug, Parser)]
#[command(name = "sotto-relay", version, about)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port; the bound address is
    /// printed as `sotto-relay listening on ADDR`).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory of the embedded SQLite store (created if missing), used
    /// unless `--store` names a database.
    #[arg(long, default_value = "./sotto-data")]
    pub data: PathBuf,
    /// A PostgreSQL database to keep everything in instead, e.g.
    /// `postgres://sotto@127.0.0.1:5432/sotto`: any number of relays may
    /// share it (see docs/relay.md).
    #[arg(long)]
    pub store: Option<String>,
    /// Directory of static files (the web app) served at `/`.
    #[arg(long = "static")]
    pub static_dir: Option<PathBuf>,
    /// Serve no static files at all, even when `--static` is given: the
    /// relay only carries WebSockets (and its JSON reads), and the app is
    /// served from another origin, so that the party that carries the
    /// ciphertext does not also serve the code that makes it.
    #[arg(long)]
    pub no_static: bool,
    /// Write the bound port to this file once listening.
    #[arg(long)]
    pub port_file: Option<PathBuf>,
    /// Create sessions only for clients that present this token (64 hex
    /// digits; `sotto create --create-token`, or the web app's create page).
    /// Better given as the environment variable, which other users cannot
    /// read from the process list. Without it anyone may create sessions,
    /// `--creates-per-min` per address.
    #[arg(long, env = "SOTTO_CREATE_TOKEN", hide_env_values = true)]
    pub create_token: Option<String>,
    /// PEM certificate chain: the relay serves `https://` and `wss://`
    /// itself (with `--tls-key`).
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of `--tls-cert` (PKCS#8, PKCS#1 or SEC1).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// A reverse proxy (an address or a CIDR block; repeat the flag or
    /// separate with commas) whose `Forwarded` / `X-Forwarded-For` header
    /// names the client. Only connections from these addresses have the
    /// header read; per-address limits then apply to the client, and the
    /// proxy's own connections count only against `--max-connections`.
    #[arg(long, value_delimiter = ',')]
    pub trusted_proxy: Vec<String>,
    /// Limits.
    #[command(flatten)]
    pub limits: Limits,
    /// What to do instead of serving.
    #[command(subcommand)]
    pub command: Option<RelayCommand>,
}

/// Commands of `sotto-relay` other than serving (the default).
#[derive(Debug, Clone, Copy, clap::Subcommand)]
#[non_exhaustive]
pub enum RelayCommand {
    /// Runs one retention sweep over the store (`--retention-secs`,
    /// `--result-retention-secs`, `--unfinished-retention-secs`), prints
    /// what it deleted and exits; safe beside running relays.
    Gc,
}

impl Config {
    /// Where the store is.
    pub fn location(&self) -> Result<crate::store::Location, crate::ConfigError> {
        match &self.store {
            None => Ok(crate::store::Location::Sqlite(self.data.clone())),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(crate::store::Location::Postgres(url.clone()))
            }
            Some(_) => Err(crate::ConfigError::StoreUrl),
        }
    }

    /// The digest of `--create-token`, if one is set.
    pub fn create_token_digest(&self) -> Result<Option<[u8; 32]>, crate::ConfigError> {
        self.create_token
            .as_deref()
            .map(|hex| {
                sotto_wire::Token::from_hex(hex.trim())
                    .map(|t| t.digest())
                    .map_err(|_| crate::ConfigError::CreateToken)
            })
            .transpose()
    }
}

/// How the store makes a commit durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SyncMode {
    /// fsync the WAL on every commit: an acknowledged write survives power
    /// loss (PostgreSQL: `synchronous_commit = on`).
    Full,
    /// SQLite: fsync only at checkpoints: survives a process crash
    /// (kill -9), but the last commits may be lost on power loss.
    /// PostgreSQL: `synchronous_commit = off`: survives a relay crash, but
    /// a crash of the database server may lose the last commits.
    Normal,
}

impl Limits {
    /// The retention times the sweeps apply.
    pub fn retention(&self) -> crate::store::Retention {
        crate::store::Retention {
            data: self.retention_secs,
            results: self.result_retention_secs,
            unfinished: self.unfinished_retention_secs,
        }
    }
}

/// Resource limits, all configurable, with defaults sized for one small machine.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Largest accepted WebSocket message (frame), in bytes. Clients size
    /// what they send by the default (`sotto_wire::FRAME_LIMIT`), so a
    /// smaller value refuses committee members' messages.
    #[arg(long, default_value_t = sotto_wire::FRAME_LIMIT)]
    pub max_frame_bytes: usize,
    /// Sustained frames per second per connection (excess is delayed, not dropped).
    #[arg(long, default_value_t = 200)]
    pub msgs_per_sec: u32,
    /// Burst of frames a connection may send before it is slowed down.
    #[arg(long, default_value_t = 400)]
    pub msg_burst: u32,
    /// Concurrent connections (TCP, and WebSocket) per client address.
    #[arg(long, default_value_t = 1024)]
    pub max_conns_per_addr: usize,
    /// Concurrent connections (TCP, and WebSocket) in total.
    #[arg(long, default_value_t = 10_000)]
    pub max_connections: usize,
    /// Seconds from accepting a TCP connection until its first HTTP request
    /// (e.g. the WebSocket upgrade) must be complete; slower ones are closed.
    #[arg(long, default_value_t = 10)]
    pub handshake_timeout_secs: u64,
    /// Seconds a WebSocket connection may stay unauthenticated (no
    /// successful Hello; public reads are answered meanwhile) before it is
    /// closed with 4008.
    #[arg(long, default_value_t = 15)]
    pub hello_timeout_secs: u64,
    /// Seconds a connection may send nothing at all (no frame, no pong)
    /// before it is closed. The relay pings WebSocket clients every quarter
    /// of this, and clients answer pings by themselves.
    #[arg(long, default_value_t = 120)]
    pub idle_timeout_secs: u64,
    /// Sessions the store may hold.
    #[arg(long, default_value_t = 10_000)]
    pub max_sessions: u64,
    /// Undelivered (unacknowledged) entries per member mailbox.
    #[arg(long, default_value_t = 200_000)]
    pub max_mailbox: u64,
    /// Largest committee a session may have.
    #[arg(long, default_value_t = 64)]
    pub max_members: u16,
    /// Most participant tokens minted by one request.
    #[arg(long, default_value_t = 100_000)]
    pub max_mint: u32,
    /// Default open-link submissions per minute per address (when the
    /// organizer does not choose one).
    #[arg(long, default_value_t = 30)]
    pub open_link_rate: u32,
    /// Sessions one address may create per minute.
    #[arg(long, default_value_t = 60)]
    pub creates_per_min: u32,
    /// Requests a connection may have in flight before reading is paused.
    #[arg(long, default_value_t = 32)]
    pub max_inflight: usize,
    /// Seconds after a session finished (every member published) until its
    /// submissions, mailboxes and participant and member tokens are
    /// deleted; its manifest, signed results and read link stay (0: keep).
    #[arg(long, default_value_t = 7 * 86_400)]
    pub retention_secs: u64,
    /// Seconds after a session finished until it is deleted entirely,
    /// manifest and signed results included (0: keep them).
    #[arg(long, default_value_t = 365 * 86_400)]
    pub result_retention_secs: u64,
    /// Seconds after its creation until a session that never finished (an
    /// abandoned draft, a committee that never computed) counts as
    /// finished, so that the two retention times above apply (0: never).
    #[arg(long, default_value_t = 90 * 86_400)]
    pub unfinished_retention_secs: u64,
    /// Seconds between two retention sweeps (with several relays on one
    /// PostgreSQL one of them sweeps each time).
    #[arg(long, default_value_t = 60)]
    pub gc_interval_secs: u64,
    /// WAL sync mode of the store.
    #[arg(long, value_enum, default_value_t = SyncMode::Full)]
    pub sync: SyncMode,
}
