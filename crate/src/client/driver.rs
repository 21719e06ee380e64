//! The driver of [`super::member::MemberState`], for any [`Runtime`] (tokio
//! natively, the browser's event loop in wasm): one relay connection,
//! reconnection with backoff, resume from the last processed sequence
//! number, and the bounded re-read on an inputs mismatch. `--latency-ms`
//! is modelled here as a sleep before every frame sent.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use rand_core::Rng;

use super::member::{MemberError, MemberState, Outgoing};
use super::relay::{ClientError, RelayClient, Socket};
use crate::apps::Outcome;
use crate::keyfile::MemberKeys;
use crate::session::{ManifestHash, VerifiedManifest};
use crate::wire::{self, Role, SessionState};

/// What the driver needs from its platform: sockets, timers and a place
/// to report progress.
pub trait Runtime {
    /// The socket type.
    type Socket: Socket;
    /// Opens a WebSocket to `url` (a URL without a path gets `/ws`).
    fn connect(&self, url: &str) -> impl Future<Output = Result<Self::Socket, ClientError>>;
    /// Waits for `d`.
    fn sleep(&self, d: Duration) -> impl Future<Output = ()>;
    /// Hears about the member's progress (default: nothing).
    fn progress(&self, _p: &Progress) {}
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
    /// The signed result was published.
    Published,
    /// The connection dropped; reconnecting.
    Reconnecting,
}

/// How to run a member.
#[derive(Debug, Clone)]
pub struct MemberConfig {
    /// Relay WebSocket URL.
    pub relay: String,
    /// The relay's session id.
    pub session: wire::SessionId,
    /// This member's relay token.
    pub token: wire::Token,
    /// This member's keys.
    pub keys: Arc<MemberKeys>,
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

fn transient(e: &ClientError) -> bool {
    matches!(e, ClientError::Ws(_) | ClientError::Closed(_))
        || e.code() == Some(wire::ErrorCode::Internal)
}

/// Fetches and verifies the manifest of `session` through `client`.
pub async fn fetch_manifest<S: Socket>(
    client: &mut RelayClient<S>,
    session: wire::SessionId,
    expected: Option<&ManifestHash>,
) -> Result<VerifiedManifest, MemberError> {
    let bytes = client.get_manifest(session).await?;
    let signed = crate::session::SignedManifest::from_bytes(&bytes)
        .map_err(|e| MemberError::Manifest(e.to_string()))?;
    let hash = expected.copied().unwrap_or_else(|| signed.hash());
    let verified = signed
        .verify(&hash)
        .map_err(|e| MemberError::Manifest(e.to_string()))?;
    if verified.manifest.session_id.0 != session.0 {
        return Err(MemberError::Manifest(
            "the manifest describes another session".into(),
        ));
    }
    Ok(verified)
}

async fn connect<R: Runtime>(
    rt: &R,
    cfg: &MemberConfig,
    resume: u64,
) -> Result<RelayClient<R::Socket>, ClientError> {
    let mut c = RelayClient::new(rt.connect(&cfg.relay).await?);
    let welcome = c.hello(cfg.session, &cfg.token, resume).await?;
    if welcome.role != Role::Member {
        return Err(ClientError::Refused {
            code: wire::ErrorCode::Forbidden,
            message: "this token is not a member token".into(),
        });
    }
    if welcome.state == SessionState::Done {
        tracing::warn!("the session is already done");
    }
    Ok(c)
}

/// Runs one member to its published result, reconnecting with backoff and
/// resuming from the last processed sequence number. Returns the outcome.
pub async fn run_member<R: Runtime>(rt: &R, cfg: MemberConfig) -> Result<Outcome, MemberError> {
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

async fn run_once<R: Runtime>(rt: &R, cfg: &MemberConfig) -> Result<Outcome, MemberError> {
    let mut client = connect_retrying(rt, cfg, 0).await?;
    let me = client.member();
    let manifest = fetch_manifest(&mut client, cfg.session, cfg.manifest_hash.as_ref()).await?;
    rt.progress(&Progress::Connected { member: me });
    let mut os = rand_core::UnwrapErr(getrandom::SysRng);
    let mut seed = [0u8; 32];
    os.fill_bytes(&mut seed);
    let epoch = os.next_u32();
    let mut state = MemberState::new(cfg.keys.clone(), me, manifest, epoch, seed)?;
    let mut last_seq = 0u64;
    loop {
        let step = drive(rt, &mut client, &mut state, &mut last_seq, cfg.latency).await;
        match step {
            Ok(true) => {
                rt.progress(&Progress::Published);
                let _ = client.ack(last_seq).await;
                let _ = client.close().await;
                return state
                    .outcome()
                    .cloned()
                    .ok_or_else(|| MemberError::Session("finished without a result".into()));
            }
            Ok(false) => {}
            Err(MemberError::Client(e)) if transient(&e) => {
                tracing::warn!(error = %e, "relay connection lost; reconnecting");
                rt.progress(&Progress::Reconnecting);
                client = connect_retrying(rt, cfg, last_seq).await?;
            }
            Err(e) => return Err(e),
        }
    }
}

async fn connect_retrying<R: Runtime>(
    rt: &R,
    cfg: &MemberConfig,
    resume: u64,
) -> Result<RelayClient<R::Socket>, MemberError> {
    let mut delay = Duration::from_millis(100);
    let mut tries = 0;
    loop {
        match connect(rt, cfg, resume).await {
            Ok(c) => return Ok(c),
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

/// Sends everything pending, then handles one delivery. `Ok(true)` once
/// the result is published.
async fn drive<R: Runtime>(
    rt: &R,
    client: &mut RelayClient<R::Socket>,
    state: &mut MemberState,
    last_seq: &mut u64,
    latency: Duration,
) -> Result<bool, MemberError> {
    while let Some(out) = state.peek_outgoing() {
        if !latency.is_zero() {
            rt.sleep(latency).await;
        }
        match out {
            Outgoing::Send { to, id, payload } => {
                tracing::debug!(me = client.member(), to, len = payload.len(), "sending");
                client.send(*to, *id, payload).await?;
            }
            Outgoing::Publish(blob) => {
                client.publish(blob).await?;
                state.sent();
                return Ok(true);
            }
        }
        state.sent();
    }
    let d = client.next_delivery().await?;
    tracing::debug!(me = client.member(), seq = d.seq, kind = ?d.kind, from = d.from, len = d.payload.len(), "delivery");
    if d.seq > *last_seq {
        let before = (state.submissions(), state.is_closed());
        state.on_delivery(&d)?;
        *last_seq = d.seq;
        match (before, (state.submissions(), state.is_closed())) {
            ((_, false), (n, true)) => rt.progress(&Progress::Computing { submissions: n }),
            ((a, false), (b, false)) if a != b => {
                rt.progress(&Progress::Collecting { submissions: b })
            }
            _ => {}
        }
    }
    Ok(false)
}
