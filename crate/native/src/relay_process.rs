//! A `sotto-relay` child process for tests and `sotto simulate`: the one
//! launcher of the relay binary (the relay's own tests, the end-to-end tests
//! and `sotto simulate` all use it).
//!
//! [`RelayOptions::start`] runs the binary with `--listen` and `--data`
//! (a fresh temporary directory unless one is given) and the extra
//! arguments, then waits for the line the relay prints once its store is
//! open and its socket bound, `sotto-relay listening on ADDR`: from then on
//! it serves. The rest of its stdout is collected ([`RelayProcess::stdout`]);
//! its stderr goes where [`Stderr`] says. Dropping a [`RelayProcess`] kills
//! it with SIGKILL.

use std::ffi::OsString;
use std::io::{BufRead as _, BufReader, Read as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// What the relay prints, once, on stdout when it serves.
pub const LISTENING: &str = "sotto-relay listening on ";

/// How long [`RelayOptions::start`] waits for the listening line.
const READY_WITHIN: Duration = Duration::from_secs(60);

/// Where the relay's stderr (its log) goes.
#[derive(Debug, Clone, Default)]
pub enum Stderr {
    /// Nowhere.
    #[default]
    Null,
    /// This process's stderr.
    Inherit,
    /// A file, created or truncated.
    File(PathBuf),
}

/// Why a relay process did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LaunchError {
    /// The binary could not be run.
    #[error("starting {}: {source}", bin.display())]
    Spawn {
        /// The relay binary.
        bin: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A temporary data directory or the stderr file could not be made.
    #[error("preparing the relay's files: {0}")]
    Io(#[from] std::io::Error),
    /// The relay exited (or closed stdout) before it was listening.
    #[error("the relay stopped before listening ({status})")]
    Exited {
        /// Its exit status, or "still running" if only stdout was closed.
        status: String,
    },
    /// The first line was not the listening line.
    #[error("unexpected first line from the relay: {0:?}")]
    Line(String),
    /// No listening line in time.
    #[error("the relay did not report its address within {0:?}")]
    Timeout(Duration),
}

/// How to start a relay process; [`RelayOptions::start`] starts it.
#[derive(Debug, Clone)]
pub struct RelayOptions {
    bin: PathBuf,
    listen: String,
    data: Option<PathBuf>,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    stderr: Stderr,
}

impl RelayOptions {
    /// The relay binary at `bin`, on `127.0.0.1:0`, with a fresh temporary
    /// data directory, no extra arguments, stderr discarded.
    pub fn new(bin: impl Into<PathBuf>) -> RelayOptions {
        RelayOptions {
            bin: bin.into(),
            listen: "127.0.0.1:0".into(),
            data: None,
            args: Vec::new(),
            env: Vec::new(),
            stderr: Stderr::Null,
        }
    }

    /// Listens on `addr` (e.g. the address of an earlier run, to restart it).
    pub fn listen(mut self, addr: impl Into<String>) -> RelayOptions {
        self.listen = addr.into();
        self
    }

    /// Keeps the store in `dir` (kept after the process ends), instead of a
    /// temporary directory removed on drop.
    pub fn data(mut self, dir: impl Into<PathBuf>) -> RelayOptions {
        self.data = Some(dir.into());
        self
    }

    /// Adds command-line arguments after `--listen` and `--data`.
    pub fn args<I, S>(mut self, args: I) -> RelayOptions
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable of the process (e.g. `RUST_LOG`).
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> RelayOptions {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Where stderr goes.
    pub fn stderr(mut self, to: Stderr) -> RelayOptions {
        self.stderr = to;
        self
    }

    /// Starts the relay and waits until it prints its listening line.
    pub fn start(self) -> Result<RelayProcess, LaunchError> {
        let (tmp, data) = match self.data {
            Some(dir) => (None, dir),
            None => {
                let tmp = tempfile::Builder::new().prefix("sotto-relay-").tempdir()?;
                let data = tmp.path().join("data");
                (Some(tmp), data)
            }
        };
        let stderr = match &self.stderr {
            Stderr::Null => Stdio::null(),
            Stderr::Inherit => Stdio::inherit(),
            Stderr::File(path) => Stdio::from(std::fs::File::create(path)?),
        };
        let mut child = Command::new(&self.bin)
            .arg("--listen")
            .arg(&self.listen)
            .arg("--data")
            .arg(&data)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|source| LaunchError::Spawn {
                bin: self.bin.clone(),
                source,
            })?;
        let Some(out) = child.stdout.take() else {
            kill(&mut child);
            return Err(LaunchError::Exited {
                status: "no stdout".into(),
            });
        };
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let (first_tx, first_rx) = mpsc::channel();
        let sink = stdout.clone();
        // Reads the first line, then drains the rest (so the relay never
        // blocks on a full pipe) into `stdout`.
        std::thread::spawn(move || {
            let mut out = BufReader::new(out);
            let mut line = String::new();
            let read = out.read_line(&mut line);
            let _ = first_tx.send(read.map(|_| line));
            let mut buf = [0u8; 4096];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut s) = sink.lock() {
                    s.extend_from_slice(&buf[..n]);
                }
            }
        });
        let line = match first_rx.recv_timeout(READY_WITHIN) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => {
                kill(&mut child);
                return Err(LaunchError::Io(e));
            }
            Err(_) => {
                kill(&mut child);
                return Err(LaunchError::Timeout(READY_WITHIN));
            }
        };
        if line.is_empty() {
            let status = child
                .wait()
                .map_or_else(|e| e.to_string(), |s| s.to_string());
            return Err(LaunchError::Exited { status });
        }
        let Some(addr) = line
            .trim_end()
            .strip_prefix(LISTENING)
            .and_then(|a| a.parse().ok())
        else {
            kill(&mut child);
            return Err(LaunchError::Line(line));
        };
        Ok(RelayProcess {
            child,
            addr,
            data,
            first_line: line,
            stdout,
            _tmp: tmp,
        })
    }
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// A running relay process; SIGKILLed on drop.
#[derive(Debug)]
pub struct RelayProcess {
    child: Child,
    addr: SocketAddr,
    data: PathBuf,
    first_line: String,
    stdout: Arc<Mutex<Vec<u8>>>,
    _tmp: Option<tempfile::TempDir>,
}

impl RelayProcess {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its WebSocket URL, `ws://ADDR/ws`.
    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its data directory (the SQLite store).
    pub fn data(&self) -> &Path {
        &self.data
    }

    /// The listening line, as printed (with its newline).
    pub fn first_line(&self) -> &str {
        &self.first_line
    }

    /// Everything it wrote on stdout after the listening line, so far.
    pub fn stdout(&self) -> Vec<u8> {
        self.stdout.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Kills it with SIGKILL (no goodbye) and waits for it.
    pub fn kill(&mut self) {
        kill(&mut self.child);
    }

    /// Sends SIGTERM (a graceful stop) without waiting; see
    /// [`RelayProcess::wait`].
    #[cfg(unix)]
    pub fn terminate(&self) -> std::io::Result<()> {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()?;
        if status.success() {
            Ok(())
        } else {
            Err(std::io::Error::other(format!("kill -TERM: {status}")))
        }
    }

    /// Waits for it to exit.
    pub fn wait(&mut self) -> std::io::Result<ExitStatus> {
        self.child.wait()
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
