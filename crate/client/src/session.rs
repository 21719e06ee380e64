//! The organizer's, participant's and reader's steps that need no I/O,
//! shared by the native CLI (`native::session_ops`) and the wasm package:
//! building and signing a manifest, preparing a sealed submission, and
//! accepting a published result.

use sotto_core::envelope::commitment::seal_committed;
use sotto_core::envelope::{EnvelopeError, SubmissionId, verify_result};
use sotto_core::field::Fp;
use sotto_core::session::{SessionError, VerifiedManifest};
use sotto_core::share::{self, ShareError, ShareVec};

use super::protocol;

/// `ws://h:p/ws` -> `http://h:p/` (base of invite links).
pub fn http_base(relay: &str) -> String {
    let (scheme, rest) = relay.split_once("://").unwrap_or(("ws", relay));
    let host = rest.split('/').next().unwrap_or(rest);
    let scheme = if scheme == "wss" || scheme == "https" {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}/")
}

/// `http://h:p/...` -> `ws://h:p/ws` (the relay behind an invite link).
pub fn relay_of_link(base: &str) -> String {
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    let host = rest.split('/').next().unwrap_or(rest);
    let scheme = if scheme == "https" { "wss" } else { "ws" };
    format!("{scheme}://{host}/ws")
}

/// The invite link for `role` carrying `token`, for the session of
/// `manifest` on the relay at `relay` (its page is the relay's root).
pub fn invite_link(
    relay: &str,
    manifest: &VerifiedManifest,
    role: sotto_core::session::Role,
    token: &sotto_wire::Token,
) -> Result<String, SessionError> {
    sotto_core::session::Invite {
        base_url: http_base(relay),
        session_id: manifest.manifest.session_id,
        manifest_hash: manifest.hash,
        token: Some(token.to_hex()),
        role,
    }
    .to_link()
}

/// A submission ready for the relay: one sealed part per member.
#[derive(Debug, Clone)]
pub struct PreparedSubmission {
    /// The submission's random id (its receipt names it).
    pub id: SubmissionId,
    /// The relay's idempotency id (retries of this submission reuse it).
    pub idempotency: u64,
    /// Member i's part at index i - 1 (id || sealed shares).
    pub parts: Vec<Vec<u8>>,
}

/// Why a submission could not be prepared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrepareError {
    /// Sharing failed (never for a validated manifest).
    #[error(transparent)]
    Share(#[from] ShareError),
    /// Sealing failed (a member key is unusable).
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
}

/// Deals `values` among the manifest's committee and seals each member's
/// shares to it (HPKE), with randomness from `rng`.
pub fn prepare_submission(
    rng: &mut impl rand_core::CryptoRng,
    manifest: &VerifiedManifest,
    values: &[Fp],
) -> Result<PreparedSubmission, PrepareError> {
    let committee = &manifest.manifest.committee;
    let n = committee.members.len();
    let shares = share::deal(values, n, usize::from(committee.threshold), rng)?;
    seal_shares(rng, manifest, &shares)
}

/// The length of every part an honest participant of `manifest`'s session
/// submits: the share vector the manifest fixes, sealed to one member.
/// Sealing adds the same overhead to every vector of one length, so
/// sealing zeros measures it exactly (with the code participants run). The
/// organizer fixes it as the session's part size
/// (`CreateParams::max_part_bytes`), and the relay refuses longer parts.
pub fn part_size(
    rng: &mut impl rand_core::CryptoRng,
    manifest: &VerifiedManifest,
) -> Result<u32, PrepareError> {
    let zeros = vec![Fp::ZERO; manifest.manifest.computation().len()];
    let prepared = prepare_submission(rng, manifest, &zeros)?;
    let longest = prepared.parts.iter().map(Vec::len).max().unwrap_or(0);
    Ok(u32::try_from(longest).unwrap_or(u32::MAX))
}

/// Seals already dealt shares (member i's vector at index i - 1) into a
/// submission's parts, exactly as [`prepare_submission`] does after
/// dealing: a blinding entry is appended, and every part carries the
/// participant's commitment (`sotto_core::envelope::commitment`). For
/// drills that submit forged shares (`sotto simulate`'s `forged_shares`);
/// participants use [`prepare_submission`].
pub fn seal_shares(
    rng: &mut impl rand_core::CryptoRng,
    manifest: &VerifiedManifest,
    shares: &[ShareVec],
) -> Result<PreparedSubmission, PrepareError> {
    let committee = &manifest.manifest.committee;
    let id = SubmissionId::random(rng);
    let (commitment, sealed) = seal_committed(
        rng,
        committee,
        &manifest.manifest.session_id,
        &manifest.hash,
        &id,
        shares,
    )?;
    let commitment = commitment.to_bytes();
    let parts = sealed
        .iter()
        .map(|s| protocol::encode_part(&id, &commitment, s))
        .collect();
    let mut idem = [0u8; 8];
    idem.copy_from_slice(&id.0[..8]);
    Ok(PreparedSubmission {
        id,
        idempotency: u64::from_be_bytes(idem),
        parts,
    })
}

/// A result accepted under the manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedResult {
    /// The result JSON.
    pub json: serde_json::Value,
    /// Members whose signatures verified.
    pub signers: Vec<u16>,
}

/// Why published results were not accepted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResultError {
    /// A signature or the result bytes failed verification.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// The signed bytes are not JSON.
    #[error("the signed result is not JSON")]
    NotJson,
}

/// Picks the published result with the most valid signatures and accepts
/// it if at least t + 1 members signed it; `Ok(None)` while too few have.
pub fn accept_result(
    manifest: &VerifiedManifest,
    results: &sotto_wire::Results,
) -> Result<Option<VerifiedResult>, ResultError> {
    let Some((bytes, sigs)) = protocol::best_result(&results.0) else {
        return Ok(None);
    };
    match verify_result(manifest, &bytes, &sigs) {
        Ok(accepted) => Ok(Some(VerifiedResult {
            json: serde_json::from_slice(&bytes).map_err(|_| ResultError::NotJson)?,
            signers: accepted.signers,
        })),
        Err(EnvelopeError::NotEnoughSignatures { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
