//! The driver of [`super::member::MemberState`], for any [`Runtime`] (tokio
//! natively, the browser's event loop in wasm): one relay connection,
//! reconnection with backoff, resume from the last processed sequence
//! number, and the bounded re-read on an inputs mismatch. `--latency-ms`
//! is modelled here as a sleep before every frame sent.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use rand_core::Rng;

use super::keys::KeyAgent;
use super::member::{ManifestError, MemberError, MemberState, Outgoing};
use super::relay::{ClientError, RelayClient, Socket};
use sotto_core::apps::Outcome;
use sotto_core::keyfile::MemberKeys;
use sotto_core::session::{ManifestHash, VerifiedManifest};
use sotto_wire::{Role, SessionState};

/// What the driver needs from its platform: sockets, timers and a place
/// to report progress.
pub trait Runtime {
    /// The socket type.
    type Socket: Socket;
    /// Opens a WebSocket to `url` (a URL without a path gets `/ws`).
    fn connect(&self, url: &str) -> impl Future<Output = Result<Self::Socket, ClientError>>;
    /// Waits for `d`.
    fn sleep(&self, d: Duration) -> impl Future<Output = ()>;
    /// Wall-clock time in milliseconds since the Unix epoch: it orders a
    /// member's restarts (see [`super::protocol`]).
    fn unix_ms(&self) -> u64;
    /// Hears about the member's progress (default: nothing).
    fn progress(&self, _p: &Progress) {}
    /// How long to wait before acting (default: [`Timeouts::default`]).
    fn timeouts(&self) -> Timeouts {
        Timeouts::default()
    }
    /// How often to ask the relay which members are connected and report
    /// it as [`Progress::Presence`] (default: never). The browser's
    /// committee console sets it: the member's only relay connection lives
    /// in its worker, so the worker is where presence can come from.
    fn presence_every(&self) -> Option<Duration> {
        None
    }
    /// A test-only hook making this member deviate (default: none).
    #[doc(hidden)]
    fn engine_tamper(&self) -> Option<super::member::EngineTamper> {
        None
    }
    /// A deviation on purpose for tests and simulations: this member
    /// breaks the protocol in the given way from the given engine round
    /// on (default: none; honest members never set one).
    #[doc(hidden)]
    fn deviation(&self) -> Option<(sotto_core::engine::Deviation, u32)> {
        None
    }
}

/// The member's deadlines. With them a member never hangs: a lost reply or
/// delivery costs a reconnect (the relay resends everything after the last
/// processed sequence number), and a computation that cannot finish ends in
/// [`MemberError::Stalled`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Connecting, Hello, or a request (send, publish, manifest) without a
    /// reply for this long: reconnect and send again (same message id, so
    /// the relay stores it once). Default 30 s.
    pub request: Duration,
    /// A mailbox silent for this long: reconnect and resume, so a delivery
    /// the relay or the network lost comes again. Default 30 s.
    pub quiet: Duration,
    /// After the close, no new mailbox entry for this long (counted in
    /// quiet periods and request timeouts): give up with
    /// [`MemberError::Stalled`]. Default 120 s.
    pub stall: Duration,
    /// After the close, waiting this long for the same members: go on
    /// without them if at least 2t + 1 members remain
    /// ([`MemberState::drop_missing`]). Default 20 s: long enough for a
    /// slow browser's round, short enough that a member who closed the
    /// tab costs the others little.
    pub dropout: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            request: Duration::from_secs(30),
            quiet: Duration::from_secs(30),
            stall: Duration::from_secs(120),
            dropout: Duration::from_secs(20),
        }
    }
}

/// Consecutive reconnects caused by a gap, a bad frame or a missing reply
/// without any new mailbox entry, before the member gives up.
const MAX_FRUITLESS: u32 = 10;

/// `Some(output)` of `f`, or `None` if `d` passes first.
async fn within<R: Runtime, T>(rt: &R, d: Duration, f: impl Future<Output = T>) -> Option<T> {
    let f = std::pin::pin!(f);
    let timer = std::pin::pin!(rt.sleep(d));
    match futures_util::future::select(f, timer).await {
        futures_util::future::Either::Left((v, _)) => Some(v),
        futures_util::future::Either::Right(_) => None,
    }
}

/// A committee member's progress, as reported to [`Runtime::progress`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Progress {
    /// Connected to the relay and verified the manifest.
    Connected {
        /// This member's index.
        member: u16,
    },
    /// Submissions received so far (before the close).
    Collecting {
        /// Submissions stored.
        submissions: u64,
    },
    /// The session closed; agreeing on the inputs and computing.
    Computing {
        /// Submissions in the agreed set.
        submissions: u64,
    },
    /// Some members did not answer in time: the others go on without
    /// them (see [`Timeouts::dropout`]).
    Dropped {
        /// The members left out.
        members: Vec<u16>,
    },
    /// The signed result was published.
    Published,
    /// The connection dropped; reconnecting.
    Reconnecting,
    /// Who of the committee is connected, as the relay sees it (only with
    /// [`Runtime::presence_every`]).
    Presence {
        /// Member 1 to n, in order.
        members: Vec<Seen>,
        /// The members the computation has waited for since the last
        /// report without anything new arriving (empty before the close
        /// and while it moves).
        waiting: Vec<u16>,
    },
}

/// One member's connection in [`Progress::Presence`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Seen {
    /// Whether a connection of the member is open now.
    pub online: bool,
    /// Unix seconds of the last change (0: not seen since the relay
    /// started).
    pub since: u64,
}

/// How to run a member whose keys `K` answer its requests
/// ([`crate::keys::KeyAgent`]; the keys in memory by default).
#[derive(Debug)]
pub struct MemberConfig<K = MemberKeys> {
    /// Relay WebSocket URL.
    pub relay: String,
    /// The relay's session id.
    pub session: sotto_wire::SessionId,
    /// This member's relay token.
    pub token: sotto_wire::Token,
    /// This member's keys.
    pub keys: Arc<K>,
    /// Expected manifest hash (from the member link), if known. Without it
    /// the member accepts the relay's manifest only if it is signed by its
    /// own organizer key and lists this member's keys at its index.
    pub manifest_hash: Option<ManifestHash>,
    /// Delay before every frame sent (models network latency).
    pub latency: Duration,
    /// How many times to re-read the mailbox on an inputs mismatch.
    pub mismatch_retries: u32,
    /// How many consecutive failed reconnections before giving up.
    pub max_reconnects: u32,
}

impl<K> Clone for MemberConfig<K> {
    fn clone(&self) -> Self {
        MemberConfig {
            relay: self.relay.clone(),
            session: self.session,
            token: self.token.clone(),
            keys: self.keys.clone(),
            manifest_hash: self.manifest_hash,
            latency: self.latency,
            mismatch_retries: self.mismatch_retries,
            max_reconnects: self.max_reconnects,
        }
    }
}

/// Whether reconnecting may help. A frame the relay refused as too large
/// (an error frame with `TooLarge`, or close code 1009) would be refused
/// again: the member stops with that error instead.
fn transient(e: &ClientError) -> bool {
    match e {
        ClientError::Ws(_) | ClientError::Timeout(_) => true,
        ClientError::Closed(code) => *code != sotto_wire::ErrorCode::TooLarge.close_code(),
        _ => e.code() == Some(sotto_wire::ErrorCode::Internal),
    }
}

/// Fetches and verifies the manifest of `session` through `client`
/// ([`crate::flows::fetch_manifest`]).
pub async fn fetch_manifest<S: Socket>(
    client: &mut RelayClient<S>,
    session: sotto_wire::SessionId,
    expected: Option<&ManifestHash>,
) -> Result<VerifiedManifest, MemberError> {
    crate::flows::fetch_manifest(client, session, expected)
        .await
        .map_err(|e| match e {
            crate::flows::FetchError::Relay(c) => MemberError::Client(c),
            crate::flows::FetchError::Mismatch(m) => ManifestError::Mismatch(m).into(),
        })
}

/// Connects and says Hello; returns the client, the sequence number the
/// relay resumes after, and whether every member has published already
/// (the session is done).
async fn connect<R: Runtime, K>(
    rt: &R,
    cfg: &MemberConfig<K>,
    resume: u64,
) -> Result<(RelayClient<R::Socket>, u64, bool), ClientError> {
    let hello = async {
        let mut c = RelayClient::new(rt.connect(&cfg.relay).await?);
        let welcome = c.hello(cfg.session, &cfg.token, resume).await?;
        Ok::<_, ClientError>((c, welcome))
    };
    let (c, welcome) = within(rt, rt.timeouts().request, hello)
        .await
        .ok_or(ClientError::Timeout("Hello"))??;
    if welcome.role != Role::Member {
        return Err(ClientError::Refused {
            code: sotto_wire::ErrorCode::Forbidden,
            message: "this token is not a member token".into(),
        });
    }
    Ok((c, welcome.resume, welcome.state == SessionState::Done))
}

/// Runs one member to its published result, reconnecting with backoff and
/// resuming from the last processed sequence number. Returns the outcome.
pub async fn run_member<R: Runtime, K: KeyAgent>(
    rt: &R,
    cfg: MemberConfig<K>,
) -> Result<Outcome, MemberError> {
    let mut mismatches = 0;
    loop {
        match run_once(rt, &cfg).await {
            Err(MemberError::Mismatch { members }) if mismatches < cfg.mismatch_retries => {
                mismatches += 1;
                tracing::warn!(
                    ?members,
                    try_ = mismatches,
                    "inputs mismatch: reading the mailbox again"
                );
                rt.sleep(Duration::from_millis(500)).await;
            }
            other => return other,
        }
    }
}

async fn run_once<R: Runtime, K: KeyAgent>(
    rt: &R,
    cfg: &MemberConfig<K>,
) -> Result<Outcome, MemberError> {
    let timeouts = rt.timeouts();
    let mut tries = 0;
    let (mut client, mut last_seq, manifest) = loop {
        let (mut c, resume) = connect_retrying(rt, cfg, 0).await?;
        let fetched = within(
            rt,
            timeouts.request,
            fetch_manifest(&mut c, cfg.session, cfg.manifest_hash.as_ref()),
        )
        .await;
        let e = match fetched {
            Some(Ok(m)) => break (c, resume, m),
            Some(Err(MemberError::Client(e)))
                if transient(&e) || matches!(e, ClientError::Wire(_)) =>
            {
                e
            }
            Some(Err(e)) => return Err(e),
            None => ClientError::Timeout("the manifest"),
        };
        if tries >= cfg.max_reconnects {
            return Err(e.into());
        }
        tries += 1;
        tracing::warn!(error = %e, "fetching the manifest failed; reconnecting");
        rt.sleep(Duration::from_millis(100)).await;
    };
    let me = client.member();
    rt.progress(&Progress::Connected { member: me });
    let mut os = rand_core::UnwrapErr(getrandom::SysRng);
    let mut seed = [0u8; 32];
    os.fill_bytes(&mut seed);
    let epoch = super::member::new_epoch(rt.unix_ms(), &mut os);
    let mut state = MemberState::new(cfg.keys.public(), me, manifest, epoch, seed)?;
    if let Some(tamper) = rt.engine_tamper() {
        state.set_engine_tamper(tamper);
    }
    if let Some((how, from)) = rt.deviation() {
        state.set_deviation(how, from);
    }
    // Time without a new mailbox entry after the close, and reconnects
    // that brought nothing new: the two bounds on a stuck computation.
    let mut silent = Duration::ZERO;
    let mut fruitless = 0u32;
    // Quiet time since the last new entry (a reconnect after
    // `timeouts.quiet`), and time waiting for the same members (a dropout
    // after `timeouts.dropout`).
    let mut quiet_for = Duration::ZERO;
    let mut stuck = Duration::ZERO;
    let mut mark = state.progress_mark();
    let presence_every = rt.presence_every();
    // Unix ms of the last presence report (0: none yet).
    let mut reported = 0u64;
    loop {
        let mut wait = if state.is_closed() {
            timeouts.quiet.min(timeouts.dropout)
        } else {
            timeouts.quiet
        };
        if let Some(every) = presence_every {
            // Wake up often enough to report presence on time.
            wait = wait.min(every);
            let now_ms = rt.unix_ms();
            if now_ms.saturating_sub(reported) >= every.as_millis() as u64 {
                reported = now_ms;
                let waiting = if stuck.is_zero() {
                    Vec::new()
                } else {
                    state.waiting_for()
                };
                report_presence(rt, &mut client, waiting).await;
            }
        }
        let before = last_seq;
        let step = drive(
            rt,
            &mut client,
            &mut state,
            cfg.keys.as_ref(),
            &mut last_seq,
            cfg.latency,
            wait,
        )
        .await;
        if last_seq > before {
            silent = Duration::ZERO;
            fruitless = 0;
            quiet_for = Duration::ZERO;
        }
        let now = state.progress_mark();
        if now != mark {
            mark = now;
            stuck = Duration::ZERO;
        }
        let reason = match step {
            Ok(Step::Published) => {
                rt.progress(&Progress::Published);
                let _ = client.ack(last_seq).await;
                let _ = client.close().await;
                return state.outcome().cloned().ok_or(MemberError::NoOutcome);
            }
            Ok(Step::Continue) => continue,
            Ok(Step::Quiet) => {
                quiet_for += wait;
                if state.is_closed() {
                    silent += wait;
                    stuck += wait;
                }
                if state.is_closed() && stuck >= timeouts.dropout {
                    stuck = Duration::ZERO;
                    match state.drop_missing() {
                        Ok(gone) if !gone.is_empty() => {
                            rt.progress(&Progress::Dropped { members: gone });
                            silent = Duration::ZERO;
                            mark = state.progress_mark();
                            continue;
                        }
                        Ok(_) => {}
                        Err(e) => {
                            flush_before_stopping(rt, &mut client, &mut state, cfg.keys.as_ref())
                                .await;
                            return Err(e);
                        }
                    }
                }
                if quiet_for < timeouts.quiet && silent < timeouts.stall {
                    continue;
                }
                quiet_for = Duration::ZERO;
                Reconnect::Quiet
            }
            Ok(Step::Resync(why)) => {
                fruitless += 1;
                if state.is_closed() && why == Resync::NoReply {
                    silent += timeouts.request;
                }
                Reconnect::Resync(why)
            }
            Err(MemberError::Client(e)) if transient(&e) => {
                fruitless += 1;
                Reconnect::Lost(e)
            }
            Err(e) => {
                flush_before_stopping(rt, &mut client, &mut state, cfg.keys.as_ref()).await;
                return Err(e);
            }
        };
        if state.is_closed() && (silent >= timeouts.stall || fruitless > MAX_FRUITLESS) {
            return Err(MemberError::Stalled {
                seconds: silent.as_secs(),
                resyncs: fruitless,
                waiting: state.waiting_for(),
            });
        }
        if fruitless > MAX_FRUITLESS {
            return Err(MemberError::Fruitless {
                reconnects: fruitless,
                last: reason,
            });
        }
        tracing::warn!(reason = %reason, resume = last_seq, "reconnecting to the relay");
        rt.progress(&Progress::Reconnecting);
        let _ = within(rt, Duration::from_secs(1), client.close()).await;
        let (c, resume) = connect_retrying(rt, cfg, last_seq).await?;
        client = c;
        // Entries up to the relay's stored acknowledgement are gone; the
        // next delivery follows `resume`.
        last_seq = last_seq.max(resume);
    }
}

/// Asks the relay who of the committee is connected and reports it. Best
/// effort: a relay without presence, or a slow reply, costs one report
/// (a broken connection shows in the next delivery wait).
async fn report_presence<R: Runtime>(
    rt: &R,
    client: &mut RelayClient<R::Socket>,
    waiting: Vec<u16>,
) {
    let limit = rt.timeouts().request.min(Duration::from_secs(5));
    if let Some(Ok(p)) = within(rt, limit, client.presence()).await {
        let members =
            p.0.iter()
                .map(|m| Seen {
                    online: m.online,
                    since: m.since,
                })
                .collect();
        rt.progress(&Progress::Presence { members, waiting });
    }
}

/// Best effort, before stopping on an error: sends the member messages
/// the computation produced before it failed (say, this member's share of
/// an opening it then found inconsistent), so the other members reach the
/// same conclusion instead of waiting for them.
async fn flush_before_stopping<R: Runtime>(
    rt: &R,
    client: &mut RelayClient<R::Socket>,
    state: &mut MemberState,
    keys: &impl KeyAgent,
) {
    // Messages queued before the failure still wait for their signatures.
    let _ = answer(state, keys).await;
    while let Some(Outgoing::Send { to, id, payload }) = state.peek_outgoing() {
        let sent = within(rt, rt.timeouts().request, client.send(*to, *id, payload)).await;
        if !matches!(sent, Some(Ok(()))) {
            return;
        }
        state.sent();
    }
}

async fn connect_retrying<R: Runtime, K>(
    rt: &R,
    cfg: &MemberConfig<K>,
    resume: u64,
) -> Result<(RelayClient<R::Socket>, u64), MemberError> {
    let mut delay = Duration::from_millis(100);
    let mut tries = 0;
    loop {
        match connect(rt, cfg, resume).await {
            // Every member published (this one too, in an earlier start):
            // nothing will arrive, so waiting would only stall.
            Ok((_, _, true)) => return Err(MemberError::AlreadyDone),
            Ok((c, resume, false)) => return Ok((c, resume)),
            Err(e) if transient(&e) && tries < cfg.max_reconnects => {
                tries += 1;
                tracing::debug!(error = %e, tries, "connect failed; backing off");
                rt.sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(2));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// What one turn of [`drive`] ended with.
enum Step {
    /// The result is published.
    Published,
    /// A delivery was handled; go on.
    Continue,
    /// Nothing arrived in the time given.
    Quiet,
    /// The connection is no longer trustworthy: reconnect and resume.
    Resync(Resync),
}

/// Why the member resumes from its last acknowledged delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Resync {
    /// A request got no reply in time.
    #[error("a request got no reply in time")]
    NoReply,
    /// A delivery skipped sequence numbers (lost or reordered).
    #[error("a mailbox delivery went missing")]
    Gap,
    /// The relay sent a frame that does not decode.
    #[error("the relay sent a malformed frame")]
    BadFrame,
}

/// Why the member reconnected to the relay.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Reconnect {
    /// Nothing arrived for a quiet period.
    #[error("the mailbox was quiet")]
    Quiet,
    /// The member resumes ([`Resync`]).
    #[error(transparent)]
    Resync(#[from] Resync),
    /// The relay connection was lost.
    #[error("relay connection lost ({0})")]
    Lost(#[source] ClientError),
}

/// Sends everything pending, then handles one delivery (or notices that
/// none came within `wait`).
async fn drive<R: Runtime>(
    rt: &R,
    client: &mut RelayClient<R::Socket>,
    state: &mut MemberState,
    keys: &impl KeyAgent,
    last_seq: &mut u64,
    latency: Duration,
    wait: Duration,
) -> Result<Step, MemberError> {
    let timeouts = rt.timeouts();
    answer(state, keys).await?;
    while let Some(out) = state.peek_outgoing() {
        if !latency.is_zero() {
            rt.sleep(latency).await;
        }
        let (sent, published) = match out {
            Outgoing::Send { to, id, payload } => {
                tracing::debug!(me = client.member(), to, len = payload.len(), "sending");
                (
                    within(rt, timeouts.request, client.send(*to, *id, payload)).await,
                    false,
                )
            }
            Outgoing::Publish(blob) => (
                within(rt, timeouts.request, client.publish(blob)).await,
                true,
            ),
            Outgoing::PublishReceipts { page, leaves } => (
                within(rt, timeouts.request, client.publish_receipts(*page, leaves)).await,
                false,
            ),
        };
        match sent {
            None => return Ok(Step::Resync(Resync::NoReply)),
            Some(Err(ClientError::Wire(_))) => return Ok(Step::Resync(Resync::BadFrame)),
            Some(r) => r?,
        }
        state.sent();
        if published {
            return Ok(Step::Published);
        }
    }
    let d = match within(rt, wait, client.next_delivery()).await {
        None => return Ok(Step::Quiet),
        Some(Err(ClientError::Wire(_))) => return Ok(Step::Resync(Resync::BadFrame)),
        Some(d) => d?,
    };
    tracing::debug!(me = client.member(), seq = d.seq, kind = ?d.kind, from = d.from, len = d.payload.len(), "delivery");
    if d.seq > *last_seq + 1 {
        // Mailbox entries are numbered without gaps: one went missing.
        tracing::warn!(
            expected = *last_seq + 1,
            got = d.seq,
            "mailbox delivery out of sequence"
        );
        return Ok(Step::Resync(Resync::Gap));
    }
    if d.seq > *last_seq {
        let before = (state.submissions(), state.is_closed());
        state.on_delivery(&d)?;
        answer(state, keys).await?;
        *last_seq = d.seq;
        match (before, (state.submissions(), state.is_closed())) {
            ((_, false), (n, true)) => rt.progress(&Progress::Computing { submissions: n }),
            ((a, false), (b, false)) if a != b => {
                rt.progress(&Progress::Collecting { submissions: b })
            }
            _ => {}
        }
    }
    Ok(Step::Continue)
}

/// Answers every request of the state with `keys`, in order
/// ([`crate::keys`]).
async fn answer(state: &mut MemberState, keys: &impl KeyAgent) -> Result<(), MemberError> {
    while let Some(request) = state.key_request() {
        let answer = keys.answer(request).await?;
        state.key_answer(answer)?;
    }
    Ok(())
}
