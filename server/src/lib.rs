//! `sotto-relay`: the store-and-forward WebSocket relay, as a library.
//!
//! It routes and stores ciphertext between participants and committee
//! members by the routing header of [`sotto_wire`] frames, never holding a
//! key, and serves the web app. See `docs/relay.md` for the protocol, the
//! store and the limits.
//!
//! The binary (`src/main.rs`) parses a [`Config`], binds, prints
//! `sotto-relay listening on ADDR` and calls [`Relay::serve`] until SIGTERM
//! or Ctrl-C; the relay's tests call [`serve`] in their own process on
//! `127.0.0.1:0`:
//!
//! ```no_run
//! # async fn run() -> Result<(), sotto_relay::RelayError> {
//! use clap::Parser as _;
//! let config = sotto_relay::Config::parse_from(["sotto-relay", "--data", "/tmp/relay"]);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! sotto_relay::serve(listener, config, tokio::signal::ctrl_c()).await
//! # }
//! ```
//!
//! ```text
//!  clients ─tcp─▶ listener (caps, deadlines) ─ws─▶ ws::serve ──Command──▶ store writer thread ─▶ SQLite (WAL)
//!                   ▲  (bounded queues)        │ after commit
//!                   └──── deliver::run ◀── hub (mailbox heads)
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod config;
mod deliver;
mod error;
mod http;
mod hub;
mod limits;
mod listener;
mod metrics;
mod presence;
mod proxy;
mod store;
mod tls;
mod ws;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use std::future::Future;
use std::path::PathBuf;

use tokio::net::TcpListener;
use tokio::sync::watch;

pub use crate::config::{Config, Limits, RelayCommand, SyncMode};
pub use crate::error::{ConfigError, RelayError};
use crate::limits::{ConnLimiter, OpenLinkLimiter};
use crate::metrics::Metrics;
use crate::store::Store;
pub use crate::store::{Collected, DbError, Location, OpenError, Retention};

/// State shared by every connection and route.
#[derive(Debug)]
pub(crate) struct App {
    /// The persistent store.
    pub store: Store,
    /// Exported metrics.
    pub metrics: Arc<Metrics>,
    /// Configured limits.
    pub limits: Limits,
    /// Open-connection accounting.
    pub conns: ConnLimiter,
    /// Per-address rate limits of open links.
    pub open_links: OpenLinkLimiter,
    /// Becomes `true` when the relay shuts down.
    pub shutdown: watch::Receiver<bool>,
    /// SHA-256 of `--create-token`: without it no session is created.
    pub create_token: Option<[u8; 32]>,
    /// Reverse proxies whose forwarding headers name the client.
    pub proxies: proxy::TrustedProxies,
    /// Which members are connected (in memory; shared through a
    /// PostgreSQL store).
    pub presence: Arc<presence::Presence>,
}

impl App {
    /// Whether a Create presenting `token` may create a session.
    pub fn may_create(&self, token: Option<&sotto_wire::Token>) -> bool {
        use subtle::ConstantTimeEq as _;
        match (&self.create_token, token) {
            (None, _) => true,
            (Some(want), Some(t)) => bool::from(t.digest().ct_eq(want)),
            (Some(_), None) => false,
        }
    }
}

/// An opened relay: the store is open (schema migrations applied) and the
/// sweeper of deadlines not yet started; [`Relay::serve`] runs it.
#[derive(Debug)]
pub struct Relay {
    app: Arc<App>,
    shutdown_tx: watch::Sender<bool>,
    writer: std::thread::JoinHandle<()>,
    metrics: Arc<Metrics>,
    location: Location,
    static_dir: Option<PathBuf>,
    tls: Option<crate::tls::Tls>,
}

/// Opens the relay described by `config` and serves on `listener` until
/// `shutdown` completes: [`Relay::open`] then [`Relay::serve`].
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future + Send + 'static,
) -> Result<(), RelayError> {
    Relay::open(&config)?.serve(listener, shutdown).await
}

impl Relay {
    /// Opens the store `config` names (creating the SQLite directory,
    /// applying pending migrations) and sets up the shared state. Nothing
    /// is listening yet.
    pub fn open(config: &Config) -> Result<Relay, RelayError> {
        if config.limits.max_frame_bytes < sotto_wire::FRAME_LIMIT {
            tracing::warn!(
                max_frame_bytes = config.limits.max_frame_bytes,
                documented = sotto_wire::FRAME_LIMIT,
                "--max-frame-bytes is below the documented frame limit clients size their messages by: committee members will be refused and stop with a TooLarge error"
            );
        }
        let hub = Arc::new(hub::Hub::default());
        let metrics = Arc::new(Metrics::default());
        let location = config.location()?;
        let create_token = config.create_token_digest()?;
        let proxies = proxy::TrustedProxies::parse(&config.trusted_proxy)?;
        let tls = match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => Some(tls::acceptor(cert, key)?),
            _ => None,
        };
        let presence = Arc::new(presence::Presence::default());
        let (store, writer) = Store::open(
            &location,
            config.limits.clone(),
            hub,
            presence.clone(),
            metrics.clone(),
        )
        .map_err(|source| RelayError::Store {
            location: location.to_string(),
            source,
        })?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let limits = config.limits.clone();
        let app = Arc::new(App {
            store,
            metrics: metrics.clone(),
            conns: ConnLimiter::new(limits.max_connections, limits.max_conns_per_addr),
            limits,
            open_links: OpenLinkLimiter::default(),
            shutdown: shutdown_rx,
            create_token,
            proxies,
            presence,
        });
        let static_dir = if config.no_static {
            None
        } else {
            config.static_dir.clone()
        };
        Ok(Relay {
            app,
            shutdown_tx,
            writer,
            metrics,
            location,
            static_dir,
            tls,
        })
    }

    /// `sotto-relay gc`: runs retention sweeps until one finds nothing
    /// more to do (each handles a bounded number of sessions), then stops
    /// the store. Returns what was deleted in all; `skipped` when another
    /// relay held the lock of periodic work (it sweeps meanwhile).
    pub async fn gc(self) -> Result<Collected, RelayError> {
        let keep = self.app.limits.retention();
        let mut total = Collected::default();
        loop {
            let r = self.app.store.call(store::Command::Gc(keep)).await;
            let c = match r {
                Ok(store::Reply::Collected(c)) => c,
                Ok(_) => break,
                Err(e) => return Err(RelayError::Gc(e.to_string())),
            };
            total.expired += c.expired;
            total.purged += c.purged;
            total.deleted += c.deleted;
            total.skipped |= c.skipped;
            let full = u64::from(store::PER_SWEEP);
            if c.skipped || (c.expired < full && c.purged < full && c.deleted < full) {
                break;
            }
        }
        let Relay { app, writer, .. } = self;
        drop(app);
        tokio::task::spawn_blocking(move || writer.join())
            .await?
            .ok();
        Ok(total)
    }

    /// Serves HTTP and WebSockets on `listener` until `shutdown` completes
    /// (the binary passes SIGTERM or Ctrl-C); then stops accepting, closes
    /// every WebSocket with 1001, waits up to 5 s for connections to end,
    /// and stops the store after its last commit.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future + Send + 'static,
    ) -> Result<(), RelayError> {
        let (app, metrics, shutdown_tx) = (self.app, self.metrics, self.shutdown_tx);
        let addr = listener.local_addr()?;
        let limits = &app.limits;
        let listener = listener::GuardedListener::new(
            listener,
            ConnLimiter::new(limits.max_connections, limits.max_conns_per_addr),
            listener::Deadlines {
                handshake: Duration::from_secs(limits.handshake_timeout_secs.max(1)),
                idle: Duration::from_secs(limits.idle_timeout_secs.max(1)),
            },
            metrics.clone(),
            self.tls.clone(),
            app.proxies.clone(),
        );
        match &self.location {
            Location::Sqlite(dir) => {
                tracing::info!(%addr, data = %dir.display(), "relay started");
            }
            Location::Postgres(_) => tracing::info!(%addr, "relay started on PostgreSQL"),
        }
        let sweeper = tokio::spawn(close_at_deadlines(app.store.clone()));
        let collector = tokio::spawn(collect_garbage(
            app.store.clone(),
            app.limits.retention(),
            Duration::from_secs(app.limits.gc_interval_secs.max(1)),
        ));
        let router = http::router(app.clone(), self.static_dir);
        // `tap_io` (a no-op here) gives the guarded listener axum's
        // `ConnectInfo<SocketAddr>` support.
        let served = axum::serve(
            axum::serve::ListenerExt::tap_io(listener, |_| ()),
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down");
            let _ = shutdown_tx.send(true);
        })
        .await;
        // Let WebSocket tasks send their close frames, then stop the store.
        let deadline = Instant::now() + Duration::from_secs(5);
        while metrics.connections.load(Relaxed) > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        sweeper.abort();
        collector.abort();
        let _ = sweeper.await;
        let _ = collector.await;
        drop(app);
        let writer = self.writer;
        tokio::task::spawn_blocking(move || writer.join())
            .await?
            .ok();
        served.map_err(RelayError::Serve)?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Closes sessions at their manifest's `closes_at`, checking once a second
/// (submissions past the deadline are refused at once, in the store).
async fn close_at_deadlines(store: store::Store) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = store.call(store::Command::CloseDue).await {
            tracing::warn!(error = %e, "closing sessions at their deadline failed");
        }
    }
}

/// Deletes what finished sessions no longer need, every `every` (with
/// several relays on one PostgreSQL, one of them each time).
async fn collect_garbage(store: store::Store, keep: Retention, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = store.call(store::Command::Gc(keep)).await {
            tracing::warn!(error = %e, "the retention sweep failed");
        }
    }
}

/// Completes on SIGTERM or Ctrl-C (SIGINT): what the binary stops on.
pub async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = ctrl_c => {}
                }
            }
            Err(_) => ctrl_c.await,
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}
