//! The TCP listener in front of the HTTP server: caps on open TCP
//! connections, and deadlines for clients that are slow to send their
//! request or go silent.
//!
//! axum serves connections without any timer, so without this a client
//! could hold a connection (and its buffers) forever by sending a partial
//! request one byte at a time ("slowloris"). Every accepted stream is
//! wrapped in a [`GuardedStream`] that
//!
//! - holds a [`ConnSlot`]: at most `--max-connections` TCP connections in
//!   total and `--max-conns-per-addr` per client address are open at once;
//!   beyond that a connection gets `503` and is closed at once;
//! - fails its reads with [`io::ErrorKind::TimedOut`] when the first
//!   request's headers are not complete `--handshake-timeout-secs` after
//!   accept (bytes trickling in do not extend this deadline), or when the
//!   client then sends nothing for `--idle-timeout-secs` (WebSocket
//!   connections are pinged well within that, and every client answers
//!   pings on its own). Hyper and the WebSocket layer see a read error and
//!   drop the connection.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::time::{Instant, Sleep};

use crate::limits::{ConnLimiter, ConnSlot};
use crate::metrics::Metrics;
use crate::proxy::TrustedProxies;
use crate::tls::MaybeTls;

/// What a refused connection is told before it is closed.
const REFUSED: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 20\r\nConnection: close\r\n\r\ntoo many connections";

/// Deadlines applied to every connection.
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    /// From accept to the end of the first request's headers.
    pub handshake: Duration,
    /// Longest silence from the client once its first request arrived.
    pub idle: Duration,
}

/// A TCP listener that caps connections and wraps each in a [`GuardedStream`].
#[derive(Debug)]
pub struct GuardedListener {
    inner: TcpListener,
    limiter: ConnLimiter,
    deadlines: Deadlines,
    metrics: Arc<Metrics>,
    tls: Option<crate::tls::Tls>,
    proxies: TrustedProxies,
}

impl GuardedListener {
    /// Wraps `inner`; with `tls`, every connection starts with a TLS
    /// handshake (under the handshake deadline). Connections from
    /// `proxies` are not capped per address.
    pub fn new(
        inner: TcpListener,
        limiter: ConnLimiter,
        deadlines: Deadlines,
        metrics: Arc<Metrics>,
        tls: Option<crate::tls::Tls>,
        proxies: TrustedProxies,
    ) -> GuardedListener {
        GuardedListener {
            inner,
            limiter,
            deadlines,
            metrics,
            tls,
            proxies,
        }
    }
}

impl axum::serve::Listener for GuardedListener {
    type Io = GuardedStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (GuardedStream, SocketAddr) {
        loop {
            let (stream, addr) = match self.inner.accept().await {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors or a similar transient failure:
                    // back off briefly instead of spinning.
                    if !matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
                    ) {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    continue;
                }
            };
            let slot = if self.proxies.trusts(addr.ip()) {
                self.limiter.acquire_for_proxy(addr.ip())
            } else {
                self.limiter.acquire(addr.ip())
            };
            match slot {
                Ok(slot) => {
                    let _ = stream.set_nodelay(true);
                    let stream = MaybeTls::new(stream, self.tls.as_ref());
                    return (
                        GuardedStream::new(stream, slot, self.deadlines, self.metrics.clone()),
                        addr,
                    );
                }
                Err(reason) => {
                    self.metrics.connections_refused.fetch_add(1, Relaxed);
                    tracing::debug!(%addr, %reason, "tcp connection refused");
                    // Best effort, never waits: the socket buffer is empty.
                    // (Not to a TLS client, which expects a handshake.)
                    if self.tls.is_none() {
                        let _ = stream.try_write(REFUSED);
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// An accepted TCP stream with a connection slot and read deadlines.
#[derive(Debug)]
pub struct GuardedStream {
    inner: MaybeTls,
    _slot: ConnSlot,
    /// The last four bytes read while in the handshake, to spot `\r\n\r\n`.
    tail: u32,
    handshake_done: bool,
    handshake_until: Instant,
    idle: Duration,
    last_read: Instant,
    deadline: Pin<Box<Sleep>>,
    metrics: Arc<Metrics>,
}

impl GuardedStream {
    fn new(
        inner: MaybeTls,
        slot: ConnSlot,
        deadlines: Deadlines,
        metrics: Arc<Metrics>,
    ) -> GuardedStream {
        let now = Instant::now();
        metrics.tcp_connections.fetch_add(1, Relaxed);
        GuardedStream {
            inner,
            _slot: slot,
            tail: 0,
            handshake_done: false,
            handshake_until: now + deadlines.handshake,
            idle: deadlines.idle,
            last_read: now,
            deadline: Box::pin(tokio::time::sleep_until(now + deadlines.handshake)),
            metrics,
        }
    }

    fn saw(&mut self, bytes: &[u8]) {
        self.last_read = Instant::now();
        if self.handshake_done {
            return;
        }
        for &b in bytes {
            self.tail = (self.tail << 8) | u32::from(b);
            if self.tail == u32::from_be_bytes(*b"\r\n\r\n") {
                self.handshake_done = true;
                let at = self.last_read + self.idle;
                self.deadline.as_mut().reset(at);
                return;
            }
        }
    }

    /// Whether the deadline has passed; re-arms the idle timer when the
    /// client was heard from since it was set.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        loop {
            if self.deadline.as_mut().poll(cx).is_pending() {
                return false;
            }
            if !self.handshake_done {
                self.metrics.timeouts_handshake.fetch_add(1, Relaxed);
                return true;
            }
            let at = self.last_read + self.idle;
            if at <= Instant::now() {
                self.metrics.timeouts_idle.fetch_add(1, Relaxed);
                return true;
            }
            self.deadline.as_mut().reset(at);
        }
    }
}

impl Drop for GuardedStream {
    fn drop(&mut self) {
        self.metrics.tcp_connections.fetch_sub(1, Relaxed);
    }
}

impl AsyncRead for GuardedStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let new = &buf.filled()[before..];
                if !new.is_empty() {
                    this.saw(new);
                    if !this.handshake_done && this.last_read >= this.handshake_until {
                        // Still no complete request, however fast it trickles.
                        this.metrics.timeouts_handshake.fetch_add(1, Relaxed);
                        return Poll::Ready(Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "handshake timeout",
                        )));
                    }
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                if this.expired(cx) {
                    let what = if this.handshake_done {
                        "idle timeout"
                    } else {
                        "handshake timeout"
                    };
                    Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, what)))
                } else {
                    Poll::Pending
                }
            }
        }
    }
}

impl AsyncWrite for GuardedStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
