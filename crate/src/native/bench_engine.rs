//! `sotto bench engine`: committee operations on the in-memory network.

use clap::Args;

/// Arguments of `sotto bench engine`.
#[derive(Debug, Args)]
pub struct EngineBenchArgs {
    /// Number of committee members.
    #[arg(long, default_value_t = 3)]
    pub parties: usize,
}

/// Runs the engine benchmark and prints one line per run.
pub fn run(_args: &EngineBenchArgs) -> anyhow::Result<()> {
    anyhow::bail!("not built yet")
}
