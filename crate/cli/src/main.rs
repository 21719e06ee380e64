//! The `sotto` command-line tool: benchmarks, key generation, the native
//! committee member and session tools. See `sotto --help`.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    sotto_cli::cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
