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
//! measures latency at a given load. A closed loop cannot show a low p99
//! at its peak: 2,000 requests in flight at 5,000/s wait 400 ms each
//! (Little's law); the paced mode is the latency measurement.
//!
//! It prints a one-row table (offered and acknowledged rate, p50, p90,
//! p99 and the slowest latency, the relay's memory, and the machine's load
//! averages at the end, since the relay shares its cores with the load
//! generator and whatever else runs), then the same as one `key=value`
//! line for scripts.
//!
//! The relay's resident memory comes from its `/metrics` (the largest of
//! the relays when there are several). Connections to a relay on a 127.x
//! address come from several loopback source addresses (127.0.0.1,
//! 127.0.0.2, ..., at most [`PER_SOURCE`] connections each), so the
//! relay's default per-address cap of 1,024 holds; Linux routes all of
//! 127.0.0.0/8 to the loopback interface (other systems need the aliases
//! configured, or `--source-addrs 1` and a higher cap on the relay).

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::cli::RelayBenchArgs;
use sotto_client::native::relay_client::RelayClient;
use sotto_wire::{CreateParams, MintRequest, SessionState, TokenMode};

/// Committee size of the benchmark session.
pub const MEMBERS: u16 = 3;
/// WebSocket handshakes in progress at once while connecting.
const CONNECT_PARALLEL: usize = 128;
/// Connections per loopback source address when the count is automatic.
pub const PER_SOURCE: usize = 500;

/// The loopback source addresses to connect from: `requested` of them, or
/// when 0, one per [`PER_SOURCE`] connections if the relay is on 127.x.
fn source_addrs(relays: &[String], connections: usize, requested: u8) -> Vec<std::net::IpAddr> {
    let loopback = relays.iter().all(|r| {
        let rest = r.split_once("://").map_or(r.as_str(), |(_, r)| r);
        rest.split(['/', ':'])
            .next()
            .is_some_and(|h| h.starts_with("127."))
    });
    let n = match requested {
        0 if loopback => connections.div_ceil(PER_SOURCE).clamp(1, 254),
        0 => 0,
        n => usize::from(n),
    };
    (1..=n)
        .filter_map(|k| u8::try_from(k).ok())
        .map(|k| std::net::IpAddr::from([127, 0, 0, k]))
        .collect()
}

/// Runs the relay benchmark and prints a one-row table, then the same
/// figures as one `key=value` line (for scripts).
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
    let relays: Vec<String> = args
        .relay
        .split(',')
        .map(|r| r.trim().to_string())
        .collect();
    let sources = source_addrs(&relays, args.connections, args.source_addrs);
    let mut org = RelayClient::connect(&relays[0])
        .await
        .context("connecting to the relay")?;
    let (session, created) = org
        .create_session(&CreateParams {
            members: MEMBERS,
            allow_resubmit: false,
            ..CreateParams::default()
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
        let (url, link) = (relays[i % relays.len()].clone(), link.clone());
        let source = (!sources.is_empty()).then(|| sources[i % sources.len()]);
        pending.spawn(async move {
            let c = match source {
                Some(ip) => RelayClient::connect_from(&url, ip).await,
                None => RelayClient::connect(&url).await,
            };
            let mut c = c.with_context(|| format!("connection {i} to {url}"))?;
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
            // Sealed bytes behind the commitment every part carries (its
            // values do not matter to the relay).
            let sealed: Vec<&[u8]> = (0..MEMBERS).map(|_| part.as_slice()).collect();
            let id = (i as u128).to_be_bytes();
            let parts = sotto_wire::committed_parts(id, 0, &[[0; 16]], &sealed);
            let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
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
    let mut rss = f64::NAN;
    for r in &relays {
        if let Ok(mb) = relay_rss_mb(r).await {
            rss = if rss.is_nan() { mb } else { rss.max(mb) };
        }
    }
    drop(keep);
    latencies.sort_unstable();
    let pct = |p: f64| {
        let idx = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[idx].as_secs_f64() * 1e3
    };
    let acked = latencies.len() as f64 / elapsed.as_secs_f64();
    let (mode, offered) = match rate {
        Some(r) => ("paced", format!("{r:.0}")),
        None => ("closed", "-".to_string()),
    };
    let load = load_average().unwrap_or_else(|| "?".into());
    let (relays, connections, submissions, size) =
        (relays.len(), args.connections, latencies.len(), args.size);
    let (p50, p90, p99, max) = (pct(0.50), pct(0.90), pct(0.99), pct(1.0));
    Ok(format!(
        "| relays | connections | submissions | size | mode | offered/s | acknowledged/s | p50 ms | p90 ms | p99 ms | max ms | relay RSS MB | load average |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|\n\
         | {relays} | {connections} | {submissions} | {size} | {mode} | {offered} | {acked:.0} | {p50:.1} | {p90:.1} | {p99:.1} | {max:.1} | {rss:.1} | {load} |\n\
         relays={relays} connections={connections} submissions={submissions} size={size} mode={mode} offered_per_s={offered} acked_per_s={acked:.0} p50_ms={p50:.1} p90_ms={p90:.1} p99_ms={p99:.1} max_ms={max:.1} relay_rss_mb={rss:.1} load_average={}",
        load.replace(' ', "/"),
    ))
}

/// The machine's 1, 5 and 15 minute load averages (Linux), printed with
/// every figure: the relay shares the cores with the load generator and
/// whatever else runs.
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let v: Vec<&str> = text.split_whitespace().take(3).collect();
    (v.len() == 3).then(|| v.join(" "))
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
