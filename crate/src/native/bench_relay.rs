//! `sotto bench relay`: a load generator for the relay (issue 3).

use super::cli::RelayBenchArgs;

/// Runs the relay benchmark and prints one table line.
pub fn run(_args: &RelayBenchArgs) -> anyhow::Result<()> {
    anyhow::bail!("the relay benchmark is not built yet")
}
