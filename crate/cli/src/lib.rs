//! The `sotto` command-line tool (native only): the command parser
//! ([`cli`]), its commands, the simulations and the benchmarks. The library
//! part exists so that the end-to-end tests can run [`simulate`] in process;
//! the binary is `src/main.rs`.
#![cfg(not(target_arch = "wasm32"))]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod bench_app;
pub mod bench_engine;
pub mod bench_relay;
pub mod bench_session;
pub mod cli;
pub mod commands;
pub mod draft;
pub mod evidence;
pub mod keygen;
pub mod simulate;
pub mod verify_app;
