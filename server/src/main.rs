//! `sotto-relay`: the store-and-forward WebSocket relay.
//!
//! It routes and stores ciphertext between participants and committee
//! members by the routing header of [`sotto_wire`] frames, never holding a
//! key, and serves the web app. See `docs/relay.md` for the protocol, the
//! store and the limits.
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
mod http;
mod hub;
mod limits;
mod listener;
mod metrics;
mod store;
mod ws;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use tokio::sync::watch;

use crate::config::{Config, Limits};
use crate::limits::{ConnLimiter, OpenLinkLimiter};
use crate::metrics::Metrics;
use crate::store::Store;

/// State shared by every connection and route.
#[derive(Debug)]
pub struct App {
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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cfg = Config::parse();
    // RUST_LOG, default info; frame dumps of the WebSocket library are
    // never logged (they would show tokens).
    sotto_native::init("info");
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => tracing::info!(nofile = n, "file descriptor limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the file descriptor limit"),
    }
    if cfg.limits.max_frame_bytes < sotto_wire::FRAME_LIMIT {
        tracing::warn!(
            max_frame_bytes = cfg.limits.max_frame_bytes,
            documented = sotto_wire::FRAME_LIMIT,
            "--max-frame-bytes is below the documented frame limit clients size their messages by: committee members will be refused and stop with a TooLarge error"
        );
    }
    let hub = Arc::new(hub::Hub::default());
    let metrics = Arc::new(Metrics::default());
    let location = cfg.location()?;
    let (store, writer) = Store::open(&location, cfg.limits.clone(), hub, metrics.clone())
        .with_context(|| match &location {
            store::Location::Sqlite(dir) => format!("opening the store in {}", dir.display()),
            store::Location::Postgres(_) => "opening the PostgreSQL store".to_string(),
        })?;
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let limits = cfg.limits.clone();
    let app = Arc::new(App {
        store,
        metrics: metrics.clone(),
        conns: ConnLimiter::new(limits.max_connections, limits.max_conns_per_addr),
        limits,
        open_links: OpenLinkLimiter::default(),
        shutdown: shutdown_rx,
    });
    let sweeper = tokio::spawn(close_at_deadlines(app.store.clone()));
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .with_context(|| format!("binding {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    let listener = listener::GuardedListener::new(
        listener,
        ConnLimiter::new(cfg.limits.max_connections, cfg.limits.max_conns_per_addr),
        listener::Deadlines {
            handshake: Duration::from_secs(cfg.limits.handshake_timeout_secs.max(1)),
            idle: Duration::from_secs(cfg.limits.idle_timeout_secs.max(1)),
        },
        metrics.clone(),
    );
    // Parseable by tests and scripts: the line is printed once, on stdout.
    println!("sotto-relay listening on {addr}");
    if let Some(path) = &cfg.port_file {
        std::fs::write(path, format!("{}\n", addr.port()))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    match &location {
        store::Location::Sqlite(dir) => {
            tracing::info!(%addr, data = %dir.display(), "relay started");
        }
        store::Location::Postgres(_) => tracing::info!(%addr, "relay started on PostgreSQL"),
    }
    let static_dir = if cfg.no_static {
        None
    } else {
        cfg.static_dir.clone()
    };
    let router = http::router(app.clone(), static_dir);
    // `tap_io` (a no-op here) gives the guarded listener axum's
    // `ConnectInfo<SocketAddr>` support.
    axum::serve(
        axum::serve::ListenerExt::tap_io(listener, |_| ()),
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        wait_for_signal().await;
        tracing::info!("shutting down");
        let _ = shutdown_tx.send(true);
    })
    .await?;
    // Let WebSocket tasks send their close frames, then stop the store.
    let deadline = Instant::now() + Duration::from_secs(5);
    while metrics.connections.load(Relaxed) > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sweeper.abort();
    let _ = sweeper.await;
    drop(app);
    tokio::task::spawn_blocking(move || writer.join())
        .await?
        .ok();
    tracing::info!("stopped");
    Ok(())
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

async fn wait_for_signal() {
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
