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
    /// Directory of the persistent store (created if missing).
    #[arg(long, default_value = "./sotto-data")]
    pub data: PathBuf,
    /// Directory of static files (the web app) served at `/`.
    #[arg(long = "static")]
    pub static_dir: Option<PathBuf>,
    /// Write the bound port to this file once listening.
    #[arg(long)]
    pub port_file: Option<PathBuf>,
    /// Limits.
    #[command(flatten)]
    pub limits: Limits,
}

/// How SQLite syncs the write-ahead log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SyncMode {
    /// fsync the WAL on every commit: an acknowledged write survives power loss.
    Full,
    /// fsync only at checkpoints: survives a process crash (kill -9), but the
    /// last commits may be lost on power loss.
    Normal,
}

/// Resource limits, all configurable, with defaults sized for one small machine.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Largest accepted WebSocket message (frame), in bytes. Clients size
    /// what they send by the default (`sotto::wire::FRAME_LIMIT`), so a
    /// smaller value refuses committee members' messages.
    #[arg(long, default_value_t = sotto::wire::FRAME_LIMIT)]
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
    /// WAL sync mode of the store.
    #[arg(long, value_enum, default_value_t = SyncMode::Full)]
    pub sync: SyncMode,
}
