//! Helpers shared by Sotto's end-to-end tests (`tests/tests/*.rs`): the
//! real relay binary started as a child process.

// Test support: a panic here is how a test reports a broken setup.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Path of the relay binary in this target directory, built if missing.
pub fn relay_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let bin = dir.join(format!("sotto-relay{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let ok = Command::new(cargo)
            .args(["build", "-p", "sotto-relay", "--bin", "sotto-relay"])
            .status()
            .unwrap()
            .success();
        assert!(ok, "building sotto-relay failed");
    }
    bin
}

/// A real `sotto-relay` child process on a loopback port, SIGKILLed on
/// drop.
pub struct Relay {
    child: Child,
    /// The address the relay listens on.
    pub addr: SocketAddr,
}

impl Relay {
    /// Starts the relay on `listen` (e.g. `127.0.0.1:0`) with its store in `dir`.
    pub fn start(dir: &Path, listen: &str) -> Relay {
        let mut child = Command::new(relay_bin())
            .args(["--listen", listen, "--data"])
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = lines.next().unwrap().unwrap();
        let addr = line
            .strip_prefix("sotto-relay listening on ")
            .unwrap()
            .parse()
            .unwrap();
        Relay { child, addr }
    }

    /// The WebSocket URL of the relay.
    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Kills the relay with SIGKILL and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.kill();
    }
}
