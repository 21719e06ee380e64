//! The tokio driver of [`super::member::MemberState`]: one relay
//! connection, reconnection with backoff, resume from the last processed
//! sequence number, and the bounded re-read on an inputs mismatch.
//! `--latency-ms` is modelled here as a sleep before every frame sent.

use std::sync::Arc;
use std::time::Duration;

use rand_core::Rng;

use crate::apps::Outcome;
use crate::keyfile::MemberKeys;
use crate::native::member::{MemberError, MemberState, Outgoing};
use crate::native::relay_client::{ClientError, RelayClient};
use crate::session::{ManifestHash, VerifiedManifest};
use crate::wire::{self, Role, SessionState};

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
pub async fn fetch_manifest(
    client: &mut RelayClient,
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

async fn connect(cfg: &MemberConfig, resume: u64) -> Result<RelayClient, ClientError> {
    let mut c = RelayClient::connect(&cfg.relay).await?;
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
pub async fn run_member(cfg: MemberConfig) -> Result<Outcome, MemberError> {
    let mut mismatches = 0;
    loop {
        match run_once(&cfg).await {
            Err(MemberError::Mismatch { members }) if mismatches < cfg.mismatch_retries => {
                mismatches += 1;
                tracing::warn!(
                    ?members,
                    try_ = mismatches,
                    "inputs mismatch: reading the mailbox again"
                );
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            other => return other,
        }
    }
}

async fn run_once(cfg: &MemberConfig) -> Result<Outcome, MemberError> {
    let mut client = connect_retrying(cfg, 0).await?;
    let me = client.member();
    let manifest = fetch_manifest(&mut client, cfg.session, cfg.manifest_hash.as_ref()).await?;
    let mut os = rand_core::UnwrapErr(getrandom::SysRng);
    let mut seed = [0u8; 32];
    os.fill_bytes(&mut seed);
    let epoch = os.next_u32();
    let mut state = MemberState::new(cfg.keys.clone(), me, manifest, epoch, seed)?;
    let mut last_seq = 0u64;
    loop {
        let step = drive(&mut client, &mut state, &mut last_seq, cfg.latency).await;
        match step {
            Ok(true) => {
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
                client = connect_retrying(cfg, last_seq).await?;
            }
            Err(e) => return Err(e),
        }
    }
}

async fn connect_retrying(cfg: &MemberConfig, resume: u64) -> Result<RelayClient, MemberError> {
    let mut delay = Duration::from_millis(100);
    let mut tries = 0;
    loop {
        match connect(cfg, resume).await {
            Ok(c) => return Ok(c),
            Err(e) if transient(&e) && tries < cfg.max_reconnects => {
                tries += 1;
                tracing::debug!(error = %e, tries, "connect failed; backing off");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(2));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Sends everything pending, then handles one delivery. `Ok(true)` once
/// the result is published.
async fn drive(
    client: &mut RelayClient,
    state: &mut MemberState,
    last_seq: &mut u64,
    latency: Duration,
) -> Result<bool, MemberError> {
    while let Some(out) = state.peek_outgoing() {
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
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
        state.on_delivery(&d)?;
        *last_seq = d.seq;
    }
    Ok(false)
}
