//! The README's relay benchmark works against a relay with its default
//! limits (as `scripts/run.sh` starts it): `sotto bench relay` spreads its
//! connections over several loopback source addresses, so more
//! connections than the per-address cap (1,024) all get in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::time::Duration;

use sotto_e2e::{exited_ok, relay_at, sotto_bin};

#[test]
fn bench_relay_passes_the_per_address_cap_from_loopback_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let out = dir.path().join("bench.txt");
    let mut child = std::process::Command::new(sotto_bin())
        .args(["bench", "relay", "--relay", &relay.url()])
        .args([
            "--connections",
            "1100",
            "--submissions",
            "1100",
            "--size",
            "96",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::fs::File::create(&out).unwrap()))
        .spawn()
        .unwrap();
    assert!(
        exited_ok(&mut child, Duration::from_secs(180)),
        "sotto bench relay failed against the default per-address cap"
    );
    let line = std::fs::read_to_string(&out).unwrap();
    assert!(
        line.contains("relays=1 connections=1100 submissions=1100 size=96"),
        "{line}"
    );
}
