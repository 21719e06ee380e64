//! `sotto-relay`: parses the command line, binds, prints
//! `sotto-relay listening on ADDR` and serves until SIGTERM or Ctrl-C (the
//! relay itself is the library, `src/lib.rs`).
#![forbid(unsafe_code)]

use anyhow::Context as _;
use clap::Parser as _;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cfg = sotto_relay::Config::parse();
    // RUST_LOG, default info; frame dumps of the WebSocket library are
    // never logged (they would show tokens).
    sotto_native::init("info");
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => tracing::info!(nofile = n, "file descriptor limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the file descriptor limit"),
    }
    let relay = sotto_relay::Relay::open(&cfg)?;
    if let Some(sotto_relay::RelayCommand::Gc) = cfg.command {
        let c = relay.gc().await?;
        if c.skipped {
            println!("another relay is sweeping now; nothing done here");
        } else {
            println!(
                "retention sweep: {} unfinished sessions expired, {} purged, {} deleted",
                c.expired, c.purged, c.deleted
            );
        }
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .with_context(|| format!("binding {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    // Parseable by tests and scripts: the line is printed once, on stdout.
    println!("sotto-relay listening on {addr}");
    if let Some(path) = &cfg.port_file {
        std::fs::write(path, format!("{}\n", addr.port()))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(relay.serve(listener, sotto_relay::stop_signal()).await?)
}
