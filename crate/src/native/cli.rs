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
}

/// Benchmark commands.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Run committee operations on an in-memory network of parties.
    Engine(super::bench_engine::EngineBenchArgs),
    /// Load-test a running relay with concurrent WebSocket submissions.
    Relay(RelayBenchArgs),
}

/// Arguments of `sotto bench relay`.
#[derive(Debug, Args)]
pub struct RelayBenchArgs {
    /// WebSocket URL of the relay, e.g. ws://127.0.0.1:8080.
    #[arg(long)]
    pub relay: String,
    /// Concurrent WebSocket connections.
    #[arg(long, default_value_t = 100)]
    pub connections: usize,
    /// Total submissions to send across all connections.
    #[arg(long, default_value_t = 10_000)]
    pub submissions: usize,
    /// Size in bytes of each submission's payload.
    #[arg(long, default_value_t = 1024)]
    pub size: usize,
}

/// Entry point of the `sotto` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bench(BenchCommand::Engine(args)) => super::bench_engine::run(&args),
        Command::Bench(BenchCommand::Relay(args)) => super::bench_relay::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sotto: {err:#}");
            ExitCode::FAILURE
        }
    }
}
