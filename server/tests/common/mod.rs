//! Helpers shared by the relay's integration tests: a relay on
//! 127.0.0.1:0 with a temporary data directory, served by the library in
//! this test process ([`Relay::start`]) or, for tests that kill, restart or
//! measure it, the real `sotto-relay` binary ([`Relay::start_process`],
//! [`Relay::start_in`], through `sotto_native::relay_process`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use clap::Parser as _;
use sotto_client::native::relay_client::RelayClient;
use sotto_native::relay_process::{RelayOptions, RelayProcess, Stderr};
use sotto_wire::{CreateParams, Created, MintRequest, SessionId, SessionState, Token, TokenMode};

/// A relay for one test: in this process or a child process; stopped on
/// drop.
pub struct Relay {
    pub addr: SocketAddr,
    pub data: PathBuf,
    run: Run,
    _tmp: Option<tempfile::TempDir>,
}

enum Run {
    /// `sotto_relay::Relay::serve` on a runtime of its own thread.
    InProcess {
        stop: Option<tokio::sync::oneshot::Sender<()>>,
        done: mpsc::Receiver<Result<(), sotto_relay::RelayError>>,
    },
    /// The `sotto-relay` binary.
    Process(RelayProcess),
}

/// Thread-name prefix of the in-process relay's runtime (the store's
/// threads are named `store-*`).
const RUNTIME_THREADS: &str = "relay-rt";

/// How long dropping an in-process relay waits for its graceful stop.
const STOP_WITHIN: Duration = Duration::from_secs(20);

/// Panics on the in-process relays' threads, with their messages.
static RELAY_PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static HOOKED: AtomicUsize = AtomicUsize::new(0);

/// Records panics on relay threads in [`RELAY_PANICS`] (and still prints
/// them), so tests can check the relay never panicked.
fn hook_panics() {
    if HOOKED.swap(1, Ordering::SeqCst) == 1 {
        return;
    }
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("");
        if name.starts_with(RUNTIME_THREADS) || name.starts_with("store-") {
            RELAY_PANICS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(format!("{name}: {info}"));
        }
        default(info);
    }));
}

/// The panics on in-process relay threads so far, in this test binary.
pub fn relay_panics() -> Vec<String> {
    RELAY_PANICS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

fn test_logs() -> bool {
    std::env::var_os("SOTTO_TEST_LOGS").is_some()
}

impl Relay {
    /// Serves a relay in this process on 127.0.0.1:0 with a fresh
    /// temporary directory; `extra` are `sotto-relay` command-line
    /// arguments.
    pub fn start(extra: &[&str]) -> Relay {
        hook_panics();
        // As the binary does: clients and relay share this process's
        // descriptors now.
        let _ = rlimit::increase_nofile_limit(u64::MAX);
        if test_logs() {
            sotto_native::init("info");
        }
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let mut args = vec!["sotto-relay".as_ref(), "--data".as_ref(), data.as_os_str()];
        args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
        let config = sotto_relay::Config::try_parse_from(args).expect("relay arguments");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let relay = sotto_relay::Relay::open(&config).expect("open the relay");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (done_tx, done) = mpsc::channel();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(RUNTIME_THREADS)
            .enable_all()
            .build()
            .unwrap();
        std::thread::Builder::new()
            .name(format!("{RUNTIME_THREADS}-main"))
            .spawn(move || {
                let result = rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    relay
                        .serve(listener, async move {
                            let _ = stopped.await;
                        })
                        .await
                });
                let _ = done_tx.send(result);
            })
            .unwrap();
        Relay {
            addr,
            data,
            run: Run::InProcess {
                stop: Some(stop),
                done,
            },
            _tmp: Some(tmp),
        }
    }

    /// Starts the `sotto-relay` binary on a fresh temporary directory (for
    /// tests that signal it or measure the process).
    pub fn start_process(extra: &[&str]) -> Relay {
        let tmp = tempfile::tempdir().unwrap();
        let mut r = Relay::start_in(&tmp.path().join("data"), extra);
        r._tmp = Some(tmp);
        r
    }

    /// Starts the `sotto-relay` binary on `dir` (e.g. again after a crash).
    pub fn start_in(dir: &Path, extra: &[&str]) -> Relay {
        let process = RelayOptions::new(env!("CARGO_BIN_EXE_sotto-relay"))
            .data(dir)
            .args(extra.iter().copied())
            .stderr(if test_logs() {
                Stderr::Inherit
            } else {
                Stderr::Null
            })
            .start()
            .expect("start sotto-relay");
        Relay {
            addr: process.addr(),
            data: dir.to_path_buf(),
            run: Run::Process(process),
            _tmp: None,
        }
    }

    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    pub async fn client(&self) -> RelayClient {
        RelayClient::connect(&self.url()).await.unwrap()
    }

    /// A blocking HTTP/1.1 GET; returns (status, body).
    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> (u16, Vec<u8>) {
        http_get(self.addr, path, headers)
    }

    /// The relay process (only for relays started as processes).
    pub fn process(&mut self) -> &mut RelayProcess {
        match &mut self.run {
            Run::Process(p) => p,
            Run::InProcess { .. } => panic!("this relay runs in the test process"),
        }
    }

    /// The relay's process id (only for relays started as processes).
    pub fn pid(&mut self) -> u32 {
        self.process().pid()
    }

    /// SIGKILL, no goodbye (only for relays started as processes).
    pub fn kill(&mut self) {
        self.process().kill();
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        // A process is SIGKILLed when its `RelayProcess` drops; a relay in
        // this process stops gracefully (bounded, so a stuck stop shows as
        // a message, not a hung test).
        if let Run::InProcess { stop, done } = &mut self.run {
            if let Some(stop) = stop.take() {
                let _ = stop.send(());
            }
            match done.recv_timeout(STOP_WITHIN) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => eprintln!("the in-process relay stopped with an error: {e}"),
                Err(_) => eprintln!("the in-process relay did not stop within {STOP_WITHIN:?}"),
            }
        }
    }
}

pub fn http_get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut body = buf[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, body)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let n = usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 4 + n..];
    }
}

/// A session with a manifest, created by an organizer connection.
pub struct Setup {
    pub session: SessionId,
    pub created: Created,
    pub organizer: RelayClient,
}

pub async fn setup(relay: &Relay, members: u16, allow_resubmit: bool, open: bool) -> Setup {
    let mut org = relay.client().await;
    let (session, created) = org
        .create_session(&CreateParams {
            members,
            allow_resubmit,
            ..CreateParams::default()
        })
        .await
        .unwrap();
    org.hello(session, &created.organizer, 0).await.unwrap();
    org.register_manifest(b"signed manifest bytes")
        .await
        .unwrap();
    if open {
        org.set_state(SessionState::Open).await.unwrap();
    }
    Setup {
        session,
        created,
        organizer: org,
    }
}

impl Setup {
    pub async fn single_use(&mut self, count: u32) -> Vec<Token> {
        self.organizer
            .mint(&MintRequest {
                mode: TokenMode::SingleUse,
                count,
                rate_per_min: 0,
            })
            .await
            .unwrap()
    }

    pub async fn open_link(&mut self, rate_per_min: u32) -> Token {
        let mut t = self
            .organizer
            .mint(&MintRequest {
                mode: TokenMode::OpenLink,
                count: 1,
                rate_per_min,
            })
            .await
            .unwrap();
        t.pop().unwrap()
    }
}

/// A bundle whose part for member i is `tag` followed by `[i]`.
/// A bundle's parts as a participant makes them (see
/// [`sotto_wire::committed_parts`]): member i's sealed bytes are `tag || i`.
pub fn parts(members: u16, tag: &[u8]) -> Vec<Vec<u8>> {
    let sealed: Vec<Vec<u8>> = (1..=members).map(|i| [tag, &[i as u8]].concat()).collect();
    let sealed: Vec<&[u8]> = sealed.iter().map(Vec::as_slice).collect();
    let id: [u8; 16] = sotto_wire::part_hash(tag)[..16].try_into().unwrap();
    sotto_wire::committed_parts(id, 0, &[[0; 16]], &sealed)
}

/// How much longer than its sealed bytes a part of [`parts`] is.
pub fn part_overhead(members: u16) -> usize {
    16 + sotto_wire::commitment_len(usize::from(members), 0)
}

pub fn refs(v: &[Vec<u8>]) -> Vec<&[u8]> {
    v.iter().map(|p| p.as_slice()).collect()
}

/// A TCP connection to `addr` from the loopback address `from` (any of
/// 127.0.0.0/8 works on Linux), so tests can play several client addresses.
pub async fn tcp_from(from: [u8; 4], addr: SocketAddr) -> std::io::Result<tokio::net::TcpStream> {
    let sock = tokio::net::TcpSocket::new_v4()?;
    sock.bind(SocketAddr::from((from, 0)))?;
    sock.connect(addr).await
}

/// A WebSocket client speaking raw frames, connected from `from`.
pub struct Raw {
    pub ws: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    pub session: SessionId,
    next_id: u64,
}

impl Raw {
    /// Connects to the relay's `/ws` from the loopback address `from`.
    pub async fn connect(relay: &Relay, from: [u8; 4]) -> Raw {
        let tcp = tcp_from(from, relay.addr).await.unwrap();
        let (ws, _) = tokio_tungstenite::client_async(relay.url(), tcp)
            .await
            .unwrap();
        Raw {
            ws,
            session: SessionId::NONE,
            next_id: 0,
        }
    }

    /// Sends one frame.
    pub async fn send(&mut self, header: &sotto_wire::Header, payload: &[u8]) {
        use futures_util::SinkExt;
        self.ws
            .send(tokio_tungstenite::tungstenite::Message::Binary(
                sotto_wire::encode(header, payload).into(),
            ))
            .await
            .unwrap();
    }

    /// The next binary frame, or the close code when the relay closes.
    pub async fn recv(&mut self) -> Result<sotto_wire::Frame, Option<u16>> {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Binary(b))) => return Ok(sotto_wire::Frame::decode(&b).unwrap()),
                Some(Ok(Message::Close(c))) => return Err(c.map(|c| c.code.into())),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Err(None),
            }
        }
    }

    /// Sends a request of `kind` and returns the reply echoing its id.
    pub async fn request(
        &mut self,
        kind: sotto_wire::Kind,
        id: u64,
        payload: &[u8],
    ) -> sotto_wire::Frame {
        let mut h = sotto_wire::Header::new(kind, self.session);
        h.id = id;
        self.send(&h, payload).await;
        loop {
            let f = self.recv().await.expect("connection open");
            if f.header.id == id && f.header.kind != sotto_wire::Kind::Deliver {
                return f;
            }
        }
    }

    /// Says Hello with `token`; returns the reply (Welcome or Error).
    pub async fn hello(&mut self, session: SessionId, token: &Token) -> sotto_wire::Frame {
        self.session = session;
        self.next_id += 1;
        self.request(sotto_wire::Kind::Hello, self.next_id, &token.0)
            .await
    }

    /// Submits `parts` with idempotency id `id`; returns the reply.
    pub async fn submit(&mut self, id: u64, parts: &[Vec<u8>]) -> sotto_wire::Frame {
        let bundle = sotto_wire::Bundle::encode(&refs(parts));
        self.request(sotto_wire::Kind::Submit, id, &bundle).await
    }
}

/// The error code of an Error frame, `None` for any other frame.
pub fn error_code(f: &sotto_wire::Frame) -> Option<sotto_wire::ErrorCode> {
    (f.header.kind == sotto_wire::Kind::Error)
        .then(|| sotto_wire::ErrorBody::decode(&f.payload).unwrap().code)
}

/// A counter or gauge from `/metrics` (the whole line name, labels included).
pub fn metric(relay: &Relay, name: &str) -> u64 {
    let text = String::from_utf8(relay.get("/metrics", &[]).1).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no metric {name}"))
}

/// Resident memory of a process in KiB, from /proc/<pid>/status.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}
