//! Argument parsing and dispatch for the `sotto` binary.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Sotto: private surveys, votes and budgets by secure multi-party computation.
#[derive(Debug, Parser)]
#[command(name = "sotto", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Benchmarks that print one table line per run.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Create a committee member's key file and print its public keys.
    Keygen(KeygenArgs),
    /// Organizer: create sessions.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Run as a committee member of a session until its result is published.
    Member(super::commands::MemberArgs),
    /// Participant: answer through an invite link and print the receipt.
    Submit(super::commands::SubmitArgs),
    /// Organizer: close a session (no more submissions; members compute).
    Close(super::commands::CloseArgs),
    /// Fetch a session's result, verify its member signatures, print JSON;
    /// with `--receipt`, say whether that answer was counted.
    Result(super::commands::ResultArgs),
    /// Run a whole session (relay, members, participants) from a scenario file.
    Simulate(super::commands::SimulateArgs),
    /// Compare the web app a server serves with a local build (exit status
    /// 0 equal, 1 a file differs or is missing, 2 nothing compared).
    VerifyApp(super::verify_app::VerifyAppArgs),
    /// Check a committee member's signed proof that another member sent a
    /// wrong share (saved by `sotto member`); prints the member it proves.
    VerifyEvidence(super::evidence::VerifyEvidenceArgs),
}

/// Session commands.
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Create, sign, register and open a session from a draft JSON file.
    Create(super::commands::CreateArgs),
}

/// Arguments of `sotto keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the encrypted key file (never overwritten).
    #[arg(long)]
    pub out: std::path::PathBuf,
    /// Environment variable holding the passphrase; when it is unset the
    /// passphrase is read as one line from standard input. (Never a
    /// command-line argument: those are visible to other users.)
    #[arg(long, default_value = "SOTTO_PASSPHRASE")]
    pub passphrase_env: String,
}

/// The passphrase from `var`, or one line of standard input.
pub(crate) fn read_passphrase(var: &str) -> anyhow::Result<zeroize::Zeroizing<String>> {
    if let Ok(p) = std::env::var(var) {
        return Ok(zeroize::Zeroizing::new(p));
    }
    eprintln!("passphrase for the key file (one line on standard input):");
    let mut line = zeroize::Zeroizing::new(String::new());
    std::io::stdin().read_line(&mut line)?;
    let trimmed = zeroize::Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string());
    anyhow::ensure!(
        !trimmed.is_empty(),
        "an empty passphrase would leave the key unprotected"
    );
    Ok(trimmed)
}

/// Benchmark commands.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Run a whole vote, survey or budget computation in memory.
    App(super::bench_app::AppBenchArgs),
    /// Run committee operations on an in-memory network of parties.
    Engine(super::bench_engine::EngineBenchArgs),
    /// Load-test a running relay with concurrent WebSocket submissions.
    Relay(RelayBenchArgs),
    /// Run a whole session through a relay process, each member a process
    /// of its own; print throughput, time to result, bytes and memory.
    Session(super::bench_session::SessionBenchArgs),
    /// One committee member of `bench session` (internal: reads its
    /// configuration on standard input).
    #[command(hide = true)]
    SessionMember,
}

/// Arguments of `sotto bench relay`.
#[derive(Debug, Args)]
pub struct RelayBenchArgs {
    /// WebSocket URL of the relay, e.g. ws://127.0.0.1:8080; several
    /// relays sharing one store as a comma-separated list (connections are
    /// spread over them round-robin).
    #[arg(long)]
    pub relay: String,
    /// Loopback source addresses (127.0.0.1, 127.0.0.2, ...) to spread the
    /// connections over, so that no address passes the relay's
    /// per-address cap. 0 (the default) picks one address per 500
    /// connections when the relay is on a 127.x address, and binds none
    /// otherwise.
    #[arg(long, default_value_t = 0)]
    pub source_addrs: u8,
    /// Concurrent WebSocket connections.
    #[arg(long, default_value_t = 100)]
    pub connections: usize,
    /// Total submissions to send across all connections.
    #[arg(long, default_value_t = 10_000)]
    pub submissions: usize,
    /// Size in bytes of each submission's payload.
    #[arg(long, default_value_t = 1024)]
    pub size: usize,
    /// Pace submissions at this many per second in total (open loop);
    /// without it every connection submits back to back.
    #[arg(long)]
    pub rate: Option<f64>,
}

/// Entry point of the `sotto` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bench(BenchCommand::Engine(args)) => super::bench_engine::run(&args),
        Command::Bench(BenchCommand::App(args)) => super::bench_app::run(&args),
        Command::Bench(BenchCommand::Relay(args)) => super::bench_relay::run(&args),
        Command::Bench(BenchCommand::Session(args)) => super::bench_session::run(&args),
        Command::Bench(BenchCommand::SessionMember) => {
            sotto_native::init("warn");
            super::simulate::member_process()
        }
        Command::Keygen(args) => {
            read_passphrase(&args.passphrase_env).and_then(|p| super::keygen::run(&args.out, &p))
        }
        Command::Session(SessionCommand::Create(args)) => super::commands::create(&args),
        Command::Member(args) => super::commands::member(&args),
        Command::Submit(args) => super::commands::submit(&args),
        Command::Close(args) => super::commands::close(&args),
        Command::Result(args) => match super::commands::result(&args) {
            // A receipt that was not counted (or cannot be checked).
            Ok(false) => return ExitCode::from(4),
            other => other.map(drop),
        },
        Command::VerifyApp(args) => match super::verify_app::run(&args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(err) => {
                eprintln!("sotto verify-app: {err:#}");
                return ExitCode::from(2);
            }
        },
        Command::VerifyEvidence(args) => super::evidence::run(&args),
        Command::Simulate(args) => match super::commands::simulate(&args) {
            // A member deviated or stopped: the JSON line says who.
            Ok(true) => return ExitCode::from(3),
            other => other.map(drop),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sotto: {err:#}");
            ExitCode::FAILURE
        }
    }
}
