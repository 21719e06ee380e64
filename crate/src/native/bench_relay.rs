//! `sotto bench relay`: a load generator for a running relay.
//!
//! It creates a session with a committee of [`MEMBERS`] and an open link,
//! opens `--connections` WebSocket connections (all held open at once),
//! then spreads `--submissions` bundles of `--size` bytes (split evenly
//! between the members) over them. Each connection has one submission in
//! flight at a time; the latency of a submission is the time from when it
//! was due to its acknowledgement, which the relay sends only after the
//! bundle is durably committed.
//!
//! By default every connection submits back to back (closed loop: the
//! highest throughput, with latency set by the queue the connections build).
//! With `--rate N` the submissions are paced at N per second in total
//! (open loop; latency counts from when each submission was due), which
//! measures latency at a given load.
//!
//! The relay's resident memory comes from its `/metrics`. Run the relay
//! with `--max-conns-per-addr` above `--connections` when they all come
//! from one address.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::cli::RelayBenchArgs;
use super::relay_client::RelayClient;
use crate::wire::{CreateParams, MintRequest, SessionState, TokenMode};

/// Committee size of the benchmark session.
pub const MEMBERS: u16 = 3;
/// WebSocket handshakes in progress at once while connecting.
const CONNECT_PARALLEL: usize = 128;

/// Runs the relay benchmark and prints one table line.
pub fn run(args: &RelayBenchArgs) -> anyhow::Result<()> {
    if args.connections == 0 || args.submissions == 0 {
        bail!("--connections and --submissions must be positive");
    }
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let rate = args.rate.filter(|r| *r > 0.0);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let line = rt.block_on(bench(args, rate))?;
    println!("{line}");
    Ok(())
}

async fn bench(args: &RelayBenchArgs, rate: Option<f64>) -> anyhow::Result<String> {
    let mut org = RelayClient::connect(&args.relay)
        .await
        .context("connecting to the relay")?;
    let (session, created) = org
        .create_session(&CreateParams {
            members: MEMBERS,
            allow_resubmit: false,
        })
        .await?;
    org.hello(session, &created.organizer, 0).await?;
    org.register_manifest(b"sotto bench relay").await?;
    org.set_state(SessionState::Open).await?;
    let link = org
        .mint(&MintRequest {
            mode: TokenMode::OpenLink,
            count: 1,
            rate_per_min: u32::MAX,
        })
        .await?
        .pop()
        .context("relay minted no link")?;

    // Connect everyone first: the load runs with all connections open.
    let mut clients = Vec::with_capacity(args.connections);
    let mut pending = tokio::task::JoinSet::new();
    for i in 0..args.connections {
        if pending.len() >= CONNECT_PARALLEL
            && let Some(r) = pending.join_next().await
        {
            clients.push(r??);
        }
        let (url, link) = (args.relay.clone(), link.clone());
        pending.spawn(async move {
            let mut c = RelayClient::connect(&url)
                .await
                .with_context(|| format!("connection {i}"))?;
            c.hello(session, &link, 0).await?;
            anyhow::Ok(c)
        });
    }
    while let Some(r) = pending.join_next().await {
        clients.push(r??);
    }

    let part = vec![0xA5u8; args.size / usize::from(MEMBERS)];
    let c = args.connections;
    let interval = rate.map(|r| Duration::from_secs_f64(c as f64 / r.max(1e-3)));
    let start = Instant::now() + Duration::from_millis(50);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, mut client) in clients.into_iter().enumerate() {
        let n = args.submissions / c + usize::from(i < args.submissions % c);
        let part = part.clone();
        tasks.spawn(async move {
            let parts: Vec<&[u8]> = (0..MEMBERS).map(|_| part.as_slice()).collect();
            let offset = interval.map_or(Duration::ZERO, |iv| iv.mul_f64(i as f64 / c as f64));
            let mut lat = Vec::with_capacity(n);
            for k in 0..n {
                let due = match interval {
                    Some(iv) => start + offset + iv * u32::try_from(k).unwrap_or(u32::MAX),
                    None => Instant::now().max(start),
                };
                tokio::time::sleep_until(due.into()).await;
                let id = (i as u64) << 32 | k as u64;
                client.submit(id, &parts).await?;
                lat.push(due.elapsed());
            }
            anyhow::Ok((lat, client))
        });
    }
    let mut latencies = Vec::with_capacity(args.submissions);
    let mut keep = Vec::new();
    while let Some(r) = tasks.join_next().await {
        let (lat, client) = r??;
        latencies.extend(lat);
        keep.push(client);
    }
    let elapsed = start.elapsed();
    let rss = relay_rss_mb(&args.relay).await.unwrap_or(f64::NAN);
    drop(keep);
    latencies.sort_unstable();
    let pct = |p: f64| {
        let idx = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[idx].as_secs_f64() * 1e3
    };
    Ok(format!(
        "connections={} submissions={} size={} acked_per_s={:.0} p50_ms={:.1} p99_ms={:.1} relay_rss_mb={:.1}",
        args.connections,
        latencies.len(),
        args.size,
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        rss
    ))
}

/// Reads `process_resident_memory_bytes` from the relay's `/metrics`.
async fn relay_rss_mb(relay: &str) -> anyhow::Result<f64> {
    let rest = relay.split_once("://").map_or(relay, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or(rest);
    let mut s = tokio::net::TcpStream::connect(host).await?;
    s.write_all(
        format!("GET /metrics HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await?;
    let mut body = String::new();
    s.read_to_string(&mut body).await?;
    let bytes: f64 = body
        .lines()
        .find_map(|l| l.strip_prefix("process_resident_memory_bytes "))
        .context("no process_resident_memory_bytes in /metrics")?
        .trim()
        .parse()?;
    Ok(bytes / (1024.0 * 1024.0))
}
