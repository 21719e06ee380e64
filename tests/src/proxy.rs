//! A misbehaving network between clients and the relay: a TCP proxy that
//! parses the WebSocket frames going each way and lets a test drop,
//! duplicate, reorder, delay, replay, truncate or alter them, or cut the
//! connection.
//!
//! The HTTP upgrade passes through untouched; after it, every WebSocket
//! frame is handed to the test's [`Hook`] with the connection's number
//! (0 for the first connection through this proxy) and its direction, and
//! the hook says what to send instead. Frames from clients are masked (as
//! RFC 6455 requires) and re-masked after the hook; frames from the relay
//! are not masked.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

/// Which way a frame travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// From the client to the relay (requests).
    ToRelay,
    /// From the relay to the client (replies and deliveries).
    ToClient,
}

/// One WebSocket frame, payload unmasked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsFrame {
    /// The first header byte: FIN, RSV and opcode.
    pub first: u8,
    /// The payload: for binary frames, one `sotto_wire` frame.
    pub payload: Vec<u8>,
}

/// Offsets in the `sotto_wire` header (docs/relay.md).
const KIND: usize = 1;
const TAG: usize = 2;
const FROM: usize = 20;
const SEQ: usize = 32;
const LEN: usize = 40;
/// Length of the `sotto_wire` header.
pub const HEADER: usize = 44;

impl WsFrame {
    /// Whether this is a binary frame carrying a whole relay frame header.
    pub fn is_relay_frame(&self) -> bool {
        self.first & 0x0f == 2 && self.payload.len() >= HEADER
    }

    /// The relay frame kind (`sotto_wire::Kind` as a byte).
    pub fn kind(&self) -> Option<u8> {
        self.is_relay_frame().then(|| self.payload[KIND])
    }

    /// Whether this is a mailbox delivery with delivery kind `tag`
    /// (1 submission, 2 direct, 3 broadcast, 4 close marker).
    pub fn is_delivery(&self, tag: u8) -> bool {
        self.kind() == Some(0x84) && self.payload[TAG] == tag
    }

    /// Whether this is a delivered engine message (a direct member message
    /// whose body starts with the engine tag).
    pub fn is_engine_delivery(&self) -> bool {
        self.is_delivery(2) && self.payload.get(HEADER) == Some(&2)
    }

    /// Whether this is a member's engine message on its way to the relay.
    pub fn is_engine_send(&self) -> bool {
        self.kind() == Some(0x07) && self.payload.get(HEADER) == Some(&2)
    }

    /// The header's sequence number.
    pub fn seq(&self) -> u64 {
        u64::from_be_bytes(self.payload[SEQ..SEQ + 8].try_into().unwrap_or_default())
    }

    /// Rewrites the header's sequence number.
    pub fn set_seq(&mut self, seq: u64) {
        self.payload[SEQ..SEQ + 8].copy_from_slice(&seq.to_be_bytes());
    }

    /// Rewrites the header's `from` field.
    pub fn set_from(&mut self, from: u16) {
        self.payload[FROM..FROM + 2].copy_from_slice(&from.to_be_bytes());
    }

    /// Cuts `n` bytes off the end of the payload, leaving the relay
    /// header's length field as it was (so the frame no longer decodes).
    pub fn truncate(&mut self, n: usize) {
        let keep = self.payload.len().saturating_sub(n);
        self.payload.truncate(keep);
    }

    /// Replaces every occurrence of `from` by `to` (same length) in the
    /// payload after the relay header.
    pub fn swap(&mut self, from: &[u8], to: &[u8]) -> bool {
        assert_eq!(from.len(), to.len(), "swap needs equal lengths");
        let mut hit = false;
        let start = HEADER.min(self.payload.len());
        let body = &mut self.payload[start..];
        let mut i = 0;
        while i + from.len() <= body.len() {
            if &body[i..i + from.len()] == from {
                body[i..i + from.len()].copy_from_slice(to);
                hit = true;
                i += from.len();
            } else {
                i += 1;
            }
        }
        hit
    }

    /// Declared payload length in the relay header.
    pub fn declared_len(&self) -> u32 {
        u32::from_be_bytes(self.payload[LEN..LEN + 4].try_into().unwrap_or_default())
    }
}

/// What the proxy does in place of a frame, in order.
#[derive(Debug, Clone)]
pub enum Out {
    /// Send this frame.
    Frame(WsFrame),
    /// Wait this long first (later frames in this direction wait too).
    Sleep(Duration),
    /// Send only the first `n` bytes of this frame's encoding, then cut
    /// the connection (a stream truncated mid-frame).
    Partial(WsFrame, usize),
    /// Cut the connection (both directions).
    Cut,
}

/// The test's decision for each frame: `(connection, direction, frame)` to
/// what to send instead. Returning `vec![Out::Frame(frame)]` passes it on.
pub type Hook = Box<dyn FnMut(usize, Dir, WsFrame) -> Vec<Out> + Send>;

/// A running proxy; it stops with the test's runtime.
pub struct Proxy {
    /// The proxy's address; clients connect here instead of the relay.
    pub addr: SocketAddr,
    /// Connections accepted so far.
    pub connections: Arc<AtomicUsize>,
}

impl Proxy {
    /// Starts a proxy in front of the relay at `upstream`.
    pub async fn start(upstream: SocketAddr, hook: Hook) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hook = Arc::new(Mutex::new(hook));
        let connections = Arc::new(AtomicUsize::new(0));
        let count = connections.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let conn = count.fetch_add(1, Ordering::SeqCst);
                let Ok(server) = TcpStream::connect(upstream).await else {
                    continue;
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                let cut = Arc::new(tokio::sync::Notify::new());
                tokio::spawn(pump(conn, Dir::ToRelay, cr, sw, hook.clone(), cut.clone()));
                tokio::spawn(pump(conn, Dir::ToClient, sr, cw, hook.clone(), cut));
            }
        });
        Proxy { addr, connections }
    }

    /// The WebSocket URL of the relay behind this proxy.
    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }
}

async fn pump(
    conn: usize,
    dir: Dir,
    mut r: OwnedReadHalf,
    mut w: OwnedWriteHalf,
    hook: Arc<Mutex<Hook>>,
    cut: Arc<tokio::sync::Notify>,
) {
    let run = async {
        // The HTTP upgrade request or response, verbatim.
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            head.push(r.read_u8().await.ok()?);
        }
        w.write_all(&head).await.ok()?;
        loop {
            let frame = read_frame(&mut r).await?;
            let outs = {
                let mut h = hook.lock().unwrap_or_else(|p| p.into_inner());
                (*h)(conn, dir, frame)
            };
            for out in outs {
                match out {
                    Out::Frame(f) => w.write_all(&encode(&f, dir)).await.ok()?,
                    Out::Sleep(d) => tokio::time::sleep(d).await,
                    Out::Partial(f, n) => {
                        let bytes = encode(&f, dir);
                        w.write_all(&bytes[..n.min(bytes.len())]).await.ok()?;
                        return None::<()>;
                    }
                    Out::Cut => return None,
                }
            }
        }
    };
    tokio::select! {
        _ = run => {}
        _ = cut.notified() => {}
    }
    // Either direction ending ends both, like a dropped TCP connection.
    cut.notify_waiters();
    cut.notify_one();
}

async fn read_frame(r: &mut OwnedReadHalf) -> Option<WsFrame> {
    let mut h = [0u8; 2];
    r.read_exact(&mut h).await.ok()?;
    let len = match h[1] & 0x7f {
        126 => u64::from(r.read_u16().await.ok()?),
        127 => r.read_u64().await.ok()?,
        n => u64::from(n),
    };
    let mask = if h[1] & 0x80 != 0 {
        let mut m = [0u8; 4];
        r.read_exact(&mut m).await.ok()?;
        Some(m)
    } else {
        None
    };
    let mut payload = vec![0u8; usize::try_from(len).ok()?];
    r.read_exact(&mut payload).await.ok()?;
    if let Some(m) = mask {
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= m[i % 4];
        }
    }
    Some(WsFrame {
        first: h[0],
        payload,
    })
}

/// Encodes a frame as the sender in direction `dir` must: masked towards
/// the relay, unmasked towards the client.
fn encode(f: &WsFrame, dir: Dir) -> Vec<u8> {
    let masked = dir == Dir::ToRelay;
    let mut out = vec![f.first];
    let bit = if masked { 0x80 } else { 0 };
    let len = f.payload.len();
    if len < 126 {
        out.push(bit | len as u8);
    } else if len <= 0xffff {
        out.push(bit | 126);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(bit | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    if masked {
        let m = [0x5a, 0x17, 0xc3, 0x08];
        out.extend_from_slice(&m);
        out.extend(f.payload.iter().enumerate().map(|(i, b)| b ^ m[i % 4]));
    } else {
        out.extend_from_slice(&f.payload);
    }
    out
}

/// Passes every frame on unchanged.
pub fn pass(frame: WsFrame) -> Vec<Out> {
    vec![Out::Frame(frame)]
}
