//! `sotto bench session`: one whole session as users meet it, through a
//! real relay process, with every committee member in a process of its
//! own ([`crate::simulate::Members::Processes`]) and the participants
//! submitting concurrently ([`crate::simulate::PARTICIPANT_CONCURRENCY`]
//! at a time). It runs `sotto simulate`'s session runner
//! ([`crate::simulate::run_with`]) on the workload of `sotto bench app`
//! and prints a table:
//!
//! ```text
//! kind    participants questions options parties latency_ms submissions_per_s close_to_result_s relay_store_before relay_store_after relay_store_growth
//! member  bytes_sent  peak_rss_kib
//! ```
//!
//! - submissions per second: answers acknowledged by the relay, over the
//!   time from the first submission to the last acknowledgement;
//! - close to result: from the organizer's close request to a result with
//!   t + 1 verified member signatures, fetched from the relay;
//! - bytes sent: every frame a member process sent to the relay;
//! - relay store: the bytes of every file in the relay's data directory
//!   (the SQLite store with its journal), when the relay has started and
//!   when the result is published;
//! - peak memory: each member process's VmHWM (`/proc/<pid>/status`).
//!
//! The result is compared with the plaintext answers as `sotto bench app`
//! does; a mismatch fails the run.
//!
//! With `--external-member X25519:ED25519` member 1 is not started here:
//! its seat carries those public keys, and once the session exists the
//! benchmark prints `external member link: <link>` on a line of its own
//! for whoever runs that member (`scripts/bench-browser-member.sh` runs
//! the wasm member in headless Chromium), then goes on as usual. Member 1's
//! row of the table says `external`: its bytes and memory are measured by
//! whoever runs it.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use clap::Args;
use serde_json::json;

use crate::bench_app::{AppKind, Workload, workload};
use crate::simulate::{ExternalMember, Members, Scenario, run_with, start_relay};
use sotto_core::session::{Ed25519PublicKey, X25519PublicKey};

/// Arguments of `sotto bench session`.
#[derive(Debug, Args)]
pub struct SessionBenchArgs {
    /// Which app.
    #[arg(long, value_enum)]
    pub kind: AppKind,
    /// Number of participants (submissions).
    #[arg(long, default_value_t = 1000)]
    pub participants: usize,
    /// Committee members (each a process).
    #[arg(long, default_value_t = 3)]
    pub parties: u16,
    /// Vote options or budget projects (default: 10 for a vote, 8 for a
    /// budget).
    #[arg(long)]
    pub options: Option<usize>,
    /// Survey questions.
    #[arg(long, default_value_t = 20)]
    pub questions: usize,
    /// Votes: reveal the whole tally instead of the winner only.
    #[arg(long, default_value_t = false)]
    pub tally: bool,
    /// Delay before every frame members and participants send, in ms.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Member 1 runs elsewhere with these public keys (hex, as `sotto
    /// keygen` prints them): its member link is printed, and it is not
    /// started here.
    #[arg(long, value_name = "X25519:ED25519", value_parser = parse_external)]
    pub external_member: Option<(X25519PublicKey, Ed25519PublicKey)>,
}

/// Parses `--external-member`: two hex public keys joined by `:`.
fn parse_external(s: &str) -> anyhow::Result<(X25519PublicKey, Ed25519PublicKey)> {
    let (x, ed) = s
        .split_once(':')
        .context("write the keys as X25519:ED25519 (hex)")?;
    Ok((
        X25519PublicKey::from_hex(x).context("the x25519 key")?,
        Ed25519PublicKey::from_hex(ed).context("the ed25519 key")?,
    ))
}

/// Prints the external member's link on a line of its own, at once.
fn announce(link: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "external member link: {link}");
    let _ = out.flush();
}

/// One measured session.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Submissions acknowledged per second.
    pub submissions_per_s: f64,
    /// From the close request to the verified result, in seconds.
    pub close_to_result_s: f64,
    /// Bytes each member sent through the relay.
    pub member_bytes: Vec<u64>,
    /// Each member process's peak resident memory, KiB.
    pub member_peak_kib: Vec<u64>,
    /// Relay data directory size when the relay had started, bytes.
    pub store_before: u64,
    /// Relay data directory size with the result published, bytes.
    pub store_after: u64,
}

/// Runs the benchmark and prints its table.
pub fn run(args: &SessionBenchArgs) -> anyhow::Result<()> {
    let options = args.options.unwrap_or(match args.kind {
        AppKind::Budget => 8,
        _ => 10,
    });
    ensure!(
        args.participants >= 5 && args.parties >= 1 && options >= 2,
        "need 5+ participants (the policy's minimum), 1+ parties and 2+ options"
    );
    let work = workload(
        args.kind,
        args.participants,
        options,
        args.questions,
        !args.tally,
    );
    let m = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(measure(
            &work,
            args.parties,
            args.latency_ms,
            args.external_member,
        ))?;
    let kind = format!("{:?}", args.kind).to_lowercase();
    println!(
        "{:<7} {:>12} {:>9} {:>7} {:>7} {:>10} {:>17} {:>17} {:>18} {:>17} {:>18}",
        "kind",
        "participants",
        "questions",
        "options",
        "parties",
        "latency_ms",
        "submissions_per_s",
        "close_to_result_s",
        "relay_store_before",
        "relay_store_after",
        "relay_store_growth"
    );
    println!(
        "{:<7} {:>12} {:>9} {:>7} {:>7} {:>10} {:>17.1} {:>17.2} {:>18} {:>17} {:>18}",
        kind,
        args.participants,
        if args.kind == AppKind::Survey {
            args.questions
        } else {
            0
        },
        if args.kind == AppKind::Survey {
            0
        } else {
            options
        },
        args.parties,
        args.latency_ms,
        m.submissions_per_s,
        m.close_to_result_s,
        m.store_before,
        m.store_after,
        m.store_after.saturating_sub(m.store_before)
    );
    println!(
        "{:<7} {:>14} {:>14}",
        "member", "bytes_sent", "peak_rss_kib"
    );
    for (i, (b, p)) in m.member_bytes.iter().zip(&m.member_peak_kib).enumerate() {
        if i == 0 && args.external_member.is_some() {
            println!("{:<7} {:>14} {:>14}", 1, "external", "external");
        } else {
            println!("{:<7} {:>14} {:>14}", i + 1, b, p);
        }
    }
    Ok(())
}

/// Starts a relay process, runs the session with member processes (member
/// 1 outside, with these public keys, when `external` is given) and
/// returns what was measured.
pub async fn measure(
    work: &Workload,
    parties: u16,
    latency_ms: u64,
    external: Option<(X25519PublicKey, Ed25519PublicKey)>,
) -> anyhow::Result<Measured> {
    // The draft carries the kind's own tag and schema beside its fields.
    let mut draft = serde_json::to_value(&work.kind)?;
    draft["title"] = json!("benchmark");
    draft["committee"] = json!({ "members": parties });
    draft["policy"] = json!({ "min_submissions": 5 });
    let scenario: Scenario =
        serde_json::from_value(json!({ "draft": draft, "answers": work.answers }))
            .context("building the scenario")?;
    let relay = start_relay().await?;
    let store_before = dir_size(relay.data())?;
    let bin = std::env::current_exe()?;
    let members = match external {
        Some((x25519, ed25519)) => Members::External(
            bin,
            ExternalMember {
                x25519,
                ed25519,
                announce,
            },
        ),
        None => Members::Processes(bin),
    };
    let report = run_with(
        &scenario,
        &relay.url(),
        Duration::from_millis(latency_ms),
        &members,
    )
    .await?;
    let crate::simulate::Finished::Result(report) = report else {
        bail!("the computation aborted: {report:?}");
    };
    let store_after = dir_size(relay.data())?;
    let valid = work.answers.len() as u64;
    if report.valid != valid || !(work.check)(&report.result) {
        bail!(
            "wrong result ({} valid of {valid}): {}",
            report.valid,
            report.result
        );
    }
    Ok(Measured {
        submissions_per_s: valid as f64 / (report.ms.submit / 1000.0).max(1e-9),
        close_to_result_s: report.ms.compute / 1000.0,
        member_bytes: report.member_bytes,
        member_peak_kib: report.member_peak_kib,
        store_before,
        store_after,
    })
}

/// Total size of the files below `dir`.
fn dir_size(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            dir_size(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}
