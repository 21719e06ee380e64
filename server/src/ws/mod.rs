//! One WebSocket connection: reads frames, checks them, runs them against
//! the store with a bounded number in flight, and writes replies in order.
//!
//! Backpressure: replies and deliveries go through a bounded queue to the
//! socket writer; when it is full the reader stops reading, so a slow
//! client slows only itself. Frames beyond the per-connection rate are
//! delayed, not dropped.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesOrdered, SplitSink};
use futures_util::{SinkExt, StreamExt};
mod request;

use sotto_wire::{ErrorBody, ErrorCode, Header, Kind, Role, SessionId};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::App;
use crate::limits::{ConnSlot, TokenBucket};
use crate::store::Caller;

/// Queued outgoing messages per connection.
const OUT_QUEUE: usize = 64;

/// An error frame for request `h`.
pub fn error_frame(h: &Header, code: ErrorCode, message: &str) -> Message {
    let mut eh = Header::new(Kind::Error, h.session);
    eh.id = h.id;
    binary(sotto_wire::encode(
        &eh,
        &ErrorBody {
            code,
            message: message.into(),
        }
        .encode(),
    ))
}

fn binary(bytes: Vec<u8>) -> Message {
    Message::Binary(bytes.into())
}

fn reply(h: &Header, kind: Kind, payload: &[u8]) -> Message {
    let mut rh = Header::new(kind, h.session);
    rh.id = h.id;
    binary(sotto_wire::encode(&rh, payload))
}

/// What to do after a frame.
enum Action {
    Nothing,
    Send(Message),
    Later(BoxFuture<'static, Option<Message>>),
    Close(Message, u16, &'static str),
}

/// Who this connection is, once it said Hello.
struct Auth {
    caller: Caller,
    role: Role,
    rate: u32,
    /// The session's committee size n (from the Welcome).
    members: u16,
}

struct Conn {
    app: Arc<App>,
    addr: SocketAddr,
    out: mpsc::Sender<Message>,
    auth: Option<Auth>,
    delivery: Option<JoinHandle<()>>,
}

/// Serves one upgraded WebSocket until it closes or the relay shuts down.
pub async fn serve(socket: WebSocket, addr: SocketAddr, app: Arc<App>, slot: ConnSlot) {
    let m = &app.metrics;
    m.connections.fetch_add(1, Relaxed);
    m.connections_total.fetch_add(1, Relaxed);
    tracing::debug!(%addr, "connection opened");
    let (sink, mut stream) = socket.split();
    let (out, out_rx) = mpsc::channel(OUT_QUEUE);
    let writer = tokio::spawn(write_loop(sink, out_rx, app.clone()));
    let mut conn = Conn {
        app: app.clone(),
        addr,
        out: out.clone(),
        auth: None,
        delivery: None,
    };
    let mut inflight: FuturesOrdered<BoxFuture<'static, Option<Message>>> = FuturesOrdered::new();
    let limits = &app.limits;
    let mut bucket = TokenBucket::new(
        f64::from(limits.msgs_per_sec),
        f64::from(limits.msg_burst.max(1)),
        Instant::now(),
    );
    let mut shutdown = app.shutdown.clone();
    // Unauthenticated connections get a deadline; everyone gets pinged well
    // within the idle timeout (see `listener`), so only silent peers drop.
    let hello_deadline = tokio::time::sleep(Duration::from_secs(limits.hello_timeout_secs.max(1)));
    tokio::pin!(hello_deadline);
    let ping_every = Duration::from_secs(limits.idle_timeout_secs.max(1)).div_f64(4.0);
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            Some(done) = inflight.next(), if !inflight.is_empty() => {
                if let Some(msg) = done && out.send(msg).await.is_err() {
                    break;
                }
            }
            _ = shutdown.changed() => {
                let _ = out.send(close(1001, "relay shutting down")).await;
                break;
            }
            () = &mut hello_deadline, if conn.auth.is_none() => {
                m.timeouts_hello.fetch_add(1, Relaxed);
                tracing::debug!(%addr, "no hello in time");
                let h = Header::new(Kind::Error, SessionId::NONE);
                let _ = out.send(error_frame(&h, ErrorCode::Unauthorized, "no Hello within the relay's hello timeout")).await;
                let _ = out.send(close(4008, "hello timeout")).await;
                break;
            }
            _ = ping.tick() => {
                // Skipped when the queue is full: the client is busy anyway.
                let _ = out.try_send(Message::Ping(Default::default()));
            }
            msg = stream.next(), if inflight.len() < limits.max_inflight => {
                let bytes = match msg {
                    Some(Ok(Message::Binary(b))) => b,
                    Some(Ok(Message::Text(_))) => {
                        let h = Header::new(Kind::Error, SessionId::NONE);
                        let _ = out.send(error_frame(&h, ErrorCode::BadFrame, "text messages are not frames")).await;
                        let _ = out.send(close(1003, "binary frames only")).await;
                        break;
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | None => {
                        // Requests read before the close still run: a member
                        // acknowledges its mailbox and closes at once after
                        // publishing, and that acknowledgement (which gets
                        // no reply) must not be lost with the connection.
                        while inflight.next().await.is_some() {}
                        break;
                    }
                    Some(Err(e)) if timed_out(&e) => {
                        // The listener's idle deadline: the client went silent.
                        tracing::debug!(%addr, "idle connection closed");
                        let _ = out.send(close(4008, "idle timeout")).await;
                        break;
                    }
                    Some(Err(e)) => {
                        // Most likely a message over the size limit (tungstenite
                        // refuses it before we see it): say so, then close.
                        tracing::debug!(%addr, error = %e, "websocket read failed");
                        let h = Header::new(Kind::Error, SessionId::NONE);
                        let msg = format!("message rejected by the websocket layer (the relay's frame limit is {} bytes, --max-frame-bytes)", limits.max_frame_bytes);
                        let _ = out.send(error_frame(&h, ErrorCode::TooLarge, &msg)).await;
                        let _ = out.send(close(1009, "message too big")).await;
                        break;
                    }
                };
                if let Err(wait) = bucket.take(Instant::now()) {
                    tokio::time::sleep(wait).await;
                    let _ = bucket.take(Instant::now());
                }
                match conn.handle(&bytes).await {
                    Action::Nothing => {}
                    Action::Send(msg) => {
                        if out.send(msg).await.is_err() {
                            break;
                        }
                    }
                    Action::Later(fut) => inflight.push_back(fut),
                    Action::Close(msg, code, reason) => {
                        while let Some(done) = inflight.next().await {
                            if let Some(msg) = done {
                                let _ = out.send(msg).await;
                            }
                        }
                        let _ = out.send(msg).await;
                        let _ = out.send(close(code, reason)).await;
                        break;
                    }
                }
            }
        }
    }
    // Requests read before the connection ended, however it ended (a
    // reset without a closing handshake too), still run: they were
    // accepted, and a member's last acknowledgement gets no reply that
    // would tell it to send it again. (Their replies have nowhere to go.)
    while inflight.next().await.is_some() {}
    if let Some(d) = conn.delivery.take() {
        d.abort();
    }
    if let Some(a) = &conn.auth
        && a.role == Role::Member
    {
        app.presence
            .leave((a.caller.session, a.caller.member), unix_now());
    }
    drop(conn);
    drop(out);
    let _ = writer.await;
    drop(slot);
    m.connections.fetch_sub(1, Relaxed);
    tracing::debug!(%addr, "connection closed");
}

/// Whether a read failed on the listener's deadline (an I/O `TimedOut`
/// somewhere in the error's chain).
/// Seconds since the Unix epoch (presence times).
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn timed_out(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return true;
        }
        source = err.source();
    }
    false
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

async fn write_loop(
    mut sink: SplitSink<WebSocket, Message>,
    mut rx: mpsc::Receiver<Message>,
    app: Arc<App>,
) {
    while let Some(msg) = rx.recv().await {
        let is_close = matches!(msg, Message::Close(_));
        if let Message::Binary(b) = &msg {
            app.metrics.frames_out.fetch_add(1, Relaxed);
            app.metrics.bytes_out.fetch_add(b.len() as u64, Relaxed);
        }
        if sink.send(msg).await.is_err() || is_close {
            break;
        }
    }
    let _ = sink.close().await;
}
