//! Native drivers (not compiled for wasm32): the `sotto` command-line tool,
//! its benchmarks and the tokio transports.

pub mod bench_app;
pub mod bench_engine;
pub mod bench_relay;
pub mod cli;
pub mod commands;
pub mod keygen;
pub mod logging;
pub mod member;
pub mod relay_client;
pub mod session_ops;
pub mod simulate;
