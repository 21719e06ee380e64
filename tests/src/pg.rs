//! A private PostgreSQL cluster for tests: `initdb` in a temporary folder,
//! `pg_ctl start` on a free loopback port (its socket in that folder too),
//! stopped and removed on drop. Debian's `postgresql` package, which
//! `scripts/setup.sh` installs, provides the binaries
//! (`/usr/lib/postgresql/<version>/bin`). As root, the server runs as the
//! `postgres` user (initdb refuses root).

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A running test cluster; stopped (immediately) and deleted on drop.
pub struct PgCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// The loopback port it listens on.
    pub port: u16,
}

/// The directory of `initdb` and `pg_ctl`: `SOTTO_PG_BIN`, or the newest
/// `/usr/lib/postgresql/*/bin`, or `$PATH`.
fn pg_bin() -> PathBuf {
    if let Some(dir) = std::env::var_os("SOTTO_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("pg_ctl").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b).unwrap_or_default()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl PgCluster {
    /// Creates and starts a cluster with a trusted superuser `sotto`.
    /// Panics with a clear message when PostgreSQL is not installed (run
    /// `scripts/setup.sh`).
    pub fn start() -> PgCluster {
        let bin = pg_bin();
        let initdb = bin.join("initdb");
        assert!(
            bin.as_os_str().is_empty() || initdb.exists(),
            "no PostgreSQL server binaries in {} (scripts/setup.sh installs Debian's postgresql)",
            bin.display()
        );
        let dir = tempfile::Builder::new()
            .prefix("sotto-pg-")
            .tempdir()
            .unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let c = PgCluster { dir, bin, port };
        if is_root() {
            let ok = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(c.dir.path())
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown postgres {}", c.dir.path().display());
        }
        let data = c.data();
        c.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "sotto",
                "--no-sync",
            ],
        );
        c.pg_ctl_start();
        c
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs one of the server programs (as `postgres` when we are root).
    fn run(&self, program: &str, args: &[&str]) {
        let exe = if self.bin.as_os_str().is_empty() {
            PathBuf::from(program)
        } else {
            self.bin.join(program)
        };
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", exe.display()));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn pg_ctl_start(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-o",
                &opts,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        );
    }

    /// The URL relays connect with.
    pub fn url(&self) -> String {
        format!("postgres://sotto@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server at once (`-m immediate`).
    pub fn stop(&self) {
        self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }

    /// Starts the server again after [`PgCluster::stop`].
    pub fn start_again(&self) {
        self.pg_ctl_start();
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.run(
                "pg_ctl",
                &[
                    "-D",
                    data.to_str().unwrap(),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
            );
        }));
    }
}
