//! Native drivers (not compiled for wasm32): the `sotto` command-line tool,
//! its benchmarks and the tokio transports.

pub mod bench_app;
pub mod bench_engine;
pub mod bench_relay;
pub mod cli;
pub mod keygen;
pub mod relay_client;
