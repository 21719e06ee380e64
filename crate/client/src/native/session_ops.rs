//! Organizer, participant and reader operations over the relay for the
//! native front ends (the CLI commands, `sotto simulate` and the tests):
//! each connects with tokio, runs the flow of [`crate::flows`] (written
//! once for native and wasm) and, where a person waits, sets a time limit.

use std::time::Duration;

use crate::draft::SessionSpec;
use crate::flows::CreatedSession;
use crate::flows::{self, FlowError};
use crate::native::relay_client::RelayClient;
use crate::relay::SubmitAck;
use crate::session::prepare_submission;
use crate::session::{VerifiedResult, relay_of_link};
use sotto_core::field::Fp;
use sotto_core::session::{Invite, ManifestHash, VerifiedManifest};
use sotto_wire::Token;

/// Creates the session on the relay, signs and registers its manifest,
/// opens it and mints participant tokens ([`flows::create_session`]).
pub async fn create_session(
    relay: &str,
    spec: &SessionSpec,
    organizer: &ed25519_dalek::SigningKey,
) -> Result<CreatedSession, FlowError> {
    create_session_with_token(relay, spec, organizer, None).await
}

/// [`create_session`] on a relay that creates sessions only with its
/// operator's creation token (`sotto-relay --create-token`).
pub async fn create_session_with_token(
    relay: &str,
    spec: &SessionSpec,
    organizer: &ed25519_dalek::SigningKey,
    create_token: Option<&Token>,
) -> Result<CreatedSession, FlowError> {
    let mut c = RelayClient::connect(relay).await?;
    let created = flows::create_session(&mut c, relay, spec, organizer, create_token).await?;
    let _ = c.close().await;
    Ok(created)
}

/// Deals `values` among the manifest's committee, seals each member's
/// shares to it and submits them with participant `token`. Returns the
/// relay's acknowledgement (position and receipt).
pub async fn submit_values(
    client: &mut RelayClient,
    manifest: &VerifiedManifest,
    values: &[Fp],
    latency: Duration,
) -> Result<SubmitAck, FlowError> {
    let prepared = prepare_submission(&mut crate::os_rng(), manifest, values)?;
    let refs: Vec<&[u8]> = prepared.parts.iter().map(Vec::as_slice).collect();
    pause(latency).await;
    Ok(client.submit(prepared.idempotency, &refs).await?)
}

/// Sleeps `latency` (the `--latency-ms` model: a delay before each frame).
pub async fn pause(latency: Duration) {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
}

/// How long `sotto submit` waits for the relay in all: connecting, the
/// manifest and the acknowledgement.
pub const RELAY_TIMEOUT: Duration = Duration::from_secs(30);

/// `sotto submit`: checks, encodes and submits one answer from a link,
/// giving up after [`RELAY_TIMEOUT`].
pub async fn submit_answer(
    link: &str,
    answer: &serde_json::Value,
) -> Result<(SubmitAck, ManifestHash), FlowError> {
    submit_answer_within(link, answer, RELAY_TIMEOUT).await
}

/// [`submit_answer`], giving up after `limit`. Without an acknowledgement
/// the answer may or may not be stored; submitting again is safe: a
/// single-use link then says it was already used.
pub async fn submit_answer_within(
    link: &str,
    answer: &serde_json::Value,
    limit: Duration,
) -> Result<(SubmitAck, ManifestHash), FlowError> {
    tokio::time::timeout(limit, submit_answer_now(link, answer))
        .await
        .map_err(|_| FlowError::Timeout {
            limit_ms: u64::try_from(limit.as_millis()).unwrap_or(u64::MAX),
            consequence: "the answer may or may not be stored; submitting again is safe",
        })?
}

async fn submit_answer_now(
    link: &str,
    answer: &serde_json::Value,
) -> Result<(SubmitAck, ManifestHash), FlowError> {
    let invite = Invite::parse(link).map_err(FlowError::BadLink)?;
    let token = flows::token_of(&invite)?;
    let mut c = RelayClient::connect(&relay_of_link(&invite.base_url)).await?;
    let manifest = flows::open_invite(&mut c, &invite).await?;
    let values = manifest.manifest.computation().encode(answer)?;
    let prepared = prepare_submission(&mut crate::os_rng(), &manifest, &values)?;
    let ack = flows::submit(&mut c, invite.session_id, &token, &prepared).await?;
    let _ = c.close().await;
    Ok((ack, manifest.hash))
}

/// `sotto close`: closes submissions.
pub async fn close_session(
    relay: &str,
    session: sotto_wire::SessionId,
    token: &Token,
) -> Result<(), FlowError> {
    let mut c = RelayClient::connect(relay).await?;
    flows::close_session(&mut c, session, token).await?;
    let _ = c.close().await;
    Ok(())
}

/// `sotto result`: fetches and verifies the result named by a link whose
/// token is the session's read token.
pub async fn result_from_link(link: &str) -> Result<VerifiedResult, FlowError> {
    let invite = Invite::parse(link).map_err(FlowError::BadLink)?;
    flows::token_of(&invite)?;
    let mut c = RelayClient::connect(&relay_of_link(&invite.base_url)).await?;
    let (_, result) = flows::result_from_invite(&mut c, &invite).await?;
    let _ = c.close().await;
    result.ok_or(FlowError::NoResult)
}

/// What `verified` (the result the read link `link` names) says about
/// `receipt`: from its list, or, for a result that signs a tree root,
/// from the relay's proof checked against that root
/// ([`flows::check_receipt`]).
pub async fn check_receipt(
    link: &str,
    verified: &VerifiedResult,
    receipt: &[u8; 32],
) -> Result<crate::receipts::ReceiptCheck, FlowError> {
    let offline = crate::receipts::check_receipt(&verified.json, receipt);
    if crate::receipts::signed_root(&verified.json).is_none() {
        return Ok(offline);
    }
    let invite = Invite::parse(link).map_err(FlowError::BadLink)?;
    let token = flows::token_of(&invite)?;
    let mut c = RelayClient::connect(&relay_of_link(&invite.base_url)).await?;
    let check = flows::check_receipt(&mut c, invite.session_id, &token, verified, receipt).await;
    let _ = c.close().await;
    check
}

/// The manifest a link names (any role's link: it carries the relay, the
/// session and the manifest hash), fetched and verified against that hash.
pub async fn manifest_from_link(link: &str) -> Result<VerifiedManifest, FlowError> {
    let invite = Invite::parse(link).map_err(FlowError::BadLink)?;
    let mut c = RelayClient::connect(&relay_of_link(&invite.base_url)).await?;
    let manifest = flows::open_invite(&mut c, &invite).await;
    let _ = c.close().await;
    manifest
}
