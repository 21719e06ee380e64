//! Each session flow, written once for every front end: the organizer's
//! (create and open a session, read its status, close it, fetch and
//! verify the result), the participant's (open an invite, submit a
//! prepared answer) and the reader's (verify a result from a read link).
//!
//! The flows are generic over the socket ([`Socket`]): the native CLI runs
//! them over tokio-tungstenite (`crate::native::session_ops`, which adds
//! connecting and time limits), the wasm package over the browser's
//! WebSocket (`sotto-wasm`'s `Organizer` and `Participant`, which map
//! [`FlowError`] to JS errors with stable codes). The steps that need no
//! I/O (signing a manifest, sealing a submission, accepting a result) are
//! in [`crate::session`].

use sotto_core::apps::AnswerError;
use sotto_core::session::{
    Invite, ManifestHash, Role, SessionError, SignedManifest, VerifiedManifest,
};
use sotto_wire::{CreateParams, MintRequest, SessionId, SessionState, Token, TokenMode, Welcome};

use crate::draft::SessionSpec;
use crate::receipts;
use crate::relay::{ClientError, RelayClient, Socket, SubmitAck};
use crate::session::{
    PrepareError, PreparedSubmission, ResultError, VerifiedResult, accept_result, invite_link,
};

/// Why a session flow failed. Messages are safe to show: they never carry
/// a token, key or answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FlowError {
    /// The relay refused a request or could not be reached.
    #[error(transparent)]
    Relay(#[from] ClientError),
    /// The organizer's settings do not make a valid manifest.
    #[error("the session settings are not valid: {0}")]
    Settings(SessionError),
    /// The manifest the relay serves does not match the invite link (a
    /// swapped or altered manifest): nothing should be answered.
    #[error("the relay's session description does not match the link ({0})")]
    ManifestMismatch(SessionError),
    /// The link is not a Sotto invite link.
    #[error(transparent)]
    BadLink(SessionError),
    /// The link carries no well-formed access token.
    #[error("the link carries no valid access token")]
    NoToken,
    /// The answer does not fit the session's questions.
    #[error("invalid answer: {0}")]
    Answer(#[from] AnswerError),
    /// The answer could not be dealt or sealed to the committee.
    #[error(transparent)]
    Prepare(#[from] PrepareError),
    /// Published results failed verification.
    #[error("the published result does not verify: {0}")]
    Unverified(#[from] ResultError),
    /// More committee members than the relay's session format holds.
    #[error("too many committee members")]
    TooManyMembers,
    /// No result carries enough valid member signatures yet.
    #[error("no result with enough valid member signatures yet")]
    NoResult,
    /// The relay did not answer in time (native front ends set limits).
    #[error("the relay did not answer within {} s: {consequence}", seconds(*limit_ms))]
    Timeout {
        /// The limit, in milliseconds.
        limit_ms: u64,
        /// What the caller may assume and do now.
        consequence: &'static str,
    },
}

/// Milliseconds as seconds for people ("2", "2.5"), without float
/// formatting (which would add kilobytes to the wasm modules).
fn seconds(ms: u64) -> String {
    match ms % 1000 {
        0 => (ms / 1000).to_string(),
        frac => format!(
            "{}.{}",
            ms / 1000,
            format!("{frac:03}").trim_end_matches('0')
        ),
    }
}

impl FlowError {
    /// The relay's error code, when the relay refused a request.
    pub fn code(&self) -> Option<sotto_wire::ErrorCode> {
        match self {
            FlowError::Relay(c) => c.code(),
            _ => None,
        }
    }
}

/// A created, open session and its capabilities. Tokens are secrets: hand
/// each only to its holder, never log them.
#[derive(Debug)]
pub struct CreatedSession {
    /// Relay session id.
    pub session: SessionId,
    /// The signed manifest.
    pub manifest: VerifiedManifest,
    /// Organizer token (status, close).
    pub organizer: Token,
    /// Read token (fetch results).
    pub reader: Token,
    /// Member tokens, index 0 = member 1.
    pub members: Vec<Token>,
    /// Participant tokens (single-use, or one open link).
    pub participants: Vec<Token>,
}

impl CreatedSession {
    /// An invite link for `role` carrying `token`, on the relay at `relay`.
    pub fn link(&self, relay: &str, role: Role, token: &Token) -> Result<String, FlowError> {
        invite_link(relay, &self.manifest, role, token).map_err(FlowError::Settings)
    }
}

/// Single-use links minted per request: 10,000 tokens make a reply of
/// about 330 KB, well within the relay's frame limit (the reply to one
/// request for 100,000, the relay's default `--max-mint`, would not fit
/// in one frame).
pub const MINT_BATCH: u32 = 10_000;

/// Organizer: checks the settings (before touching the relay), creates the
/// session on the relay `relay_url` (presenting `create_token` to a relay
/// that restricts creation), signs and registers its manifest, opens it
/// and mints the participant tokens.
pub async fn create_session<S: Socket>(
    c: &mut RelayClient<S>,
    relay_url: &str,
    spec: &SessionSpec,
    organizer: &ed25519_dalek::SigningKey,
    create_token: Option<&Token>,
) -> Result<CreatedSession, FlowError> {
    let (_, unbound) = spec
        .sign(SessionId::NONE, relay_url, organizer)
        .map_err(FlowError::Settings)?;
    let members =
        u16::try_from(spec.committee.members.len()).map_err(|_| FlowError::TooManyMembers)?;
    // Every honest part has this length (the session id does not change
    // it): the relay refuses longer ones.
    let max_part_bytes = crate::session::part_size(&mut crate::os_rng(), &unbound)?;
    let (session, created) = c
        .create_session(&CreateParams {
            members,
            allow_resubmit: false,
            max_part_bytes,
            create_token: create_token.cloned(),
        })
        .await?;
    let (signed, manifest) = spec
        .sign(session, relay_url, organizer)
        .map_err(FlowError::Settings)?;
    c.hello(session, &created.organizer, 0).await?;
    c.register_manifest(&signed.to_bytes()).await?;
    c.set_state(SessionState::Open).await?;
    // Single-use links in batches whose reply fits one relay frame.
    let mut request = spec.mint_request();
    let mut participants = Vec::new();
    let mut left = request.count;
    while left > 0 {
        request.count = left.min(MINT_BATCH);
        participants.extend(c.mint(&request).await?);
        left -= request.count;
    }
    Ok(CreatedSession {
        session,
        manifest,
        organizer: created.organizer,
        reader: created.reader,
        members: created.members,
        participants,
    })
}

/// Why a manifest could not be fetched ([`fetch_manifest`]); a
/// [`FlowError`] elsewhere. Narrow on purpose: the committee member's
/// driver maps exactly these two cases.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The relay refused or could not be reached.
    #[error(transparent)]
    Relay(#[from] ClientError),
    /// The manifest does not verify (framing, hash, signature, session).
    #[error("the relay's session description does not match the link ({0})")]
    Mismatch(SessionError),
}

impl From<FetchError> for FlowError {
    fn from(e: FetchError) -> FlowError {
        match e {
            FetchError::Relay(c) => FlowError::Relay(c),
            FetchError::Mismatch(m) => FlowError::ManifestMismatch(m),
        }
    }
}

/// Fetches the manifest of `session` and verifies it: against `expected`
/// when the caller holds the hash (an invite link), else against its own
/// hash (a member started from a session id trusts what it is shown, and
/// the members' signed Ready messages compare it). The manifest must
/// describe `session`.
pub async fn fetch_manifest<S: Socket>(
    c: &mut RelayClient<S>,
    session: SessionId,
    expected: Option<&ManifestHash>,
) -> Result<VerifiedManifest, FetchError> {
    let bytes = c.get_manifest(session).await?;
    let signed = SignedManifest::from_bytes(&bytes).map_err(FetchError::Mismatch)?;
    let hash = expected.copied().unwrap_or_else(|| signed.hash());
    let verified = signed.verify(&hash).map_err(FetchError::Mismatch)?;
    if verified.manifest.session_id != session {
        return Err(FetchError::Mismatch(SessionError::SessionMismatch {
            expected: session,
            actual: verified.manifest.session_id,
        }));
    }
    Ok(verified)
}

/// Participant or reader: the manifest an invite names, verified against
/// the hash in the link (a relay that swaps or edits it is caught here).
pub async fn open_invite<S: Socket>(
    c: &mut RelayClient<S>,
    invite: &Invite,
) -> Result<VerifiedManifest, FlowError> {
    Ok(fetch_manifest(c, invite.session_id, Some(&invite.manifest_hash)).await?)
}

/// The access token an invite link carries.
pub fn token_of(invite: &Invite) -> Result<Token, FlowError> {
    invite.access_token().ok_or(FlowError::NoToken)
}

/// Participant: submits a prepared answer with `token`. Idempotent: the
/// same prepared submission sent again (after a lost acknowledgement) is
/// stored once and acknowledged with the same receipt.
pub async fn submit<S: Socket>(
    c: &mut RelayClient<S>,
    session: SessionId,
    token: &Token,
    prepared: &PreparedSubmission,
) -> Result<SubmitAck, FlowError> {
    c.hello(session, token, 0).await?;
    let parts: Vec<&[u8]> = prepared.parts.iter().map(Vec::as_slice).collect();
    Ok(c.submit(prepared.idempotency, &parts).await?)
}

/// Organizer: the session as the relay sees it (state and stored answers).
pub async fn status<S: Socket>(
    c: &mut RelayClient<S>,
    session: SessionId,
    organizer: &Token,
) -> Result<Welcome, FlowError> {
    Ok(c.hello(session, organizer, 0).await?)
}

/// Organizer: mints `count` more single-use participant tokens.
pub async fn mint_single_use<S: Socket>(
    c: &mut RelayClient<S>,
    session: SessionId,
    organizer: &Token,
    count: u32,
) -> Result<Vec<Token>, FlowError> {
    c.hello(session, organizer, 0).await?;
    Ok(c.mint(&MintRequest {
        mode: TokenMode::SingleUse,
        count,
        rate_per_min: 0,
    })
    .await?)
}

/// Organizer: closes submissions.
pub async fn close_session<S: Socket>(
    c: &mut RelayClient<S>,
    session: SessionId,
    organizer: &Token,
) -> Result<(), FlowError> {
    c.hello(session, organizer, 0).await?;
    Ok(c.set_state(SessionState::Closed).await?)
}

/// Organizer or reader: fetches the published results and accepts the one
/// carrying at least t + 1 valid member signatures; `Ok(None)` while too
/// few members have signed.
pub async fn fetch_result<S: Socket>(
    c: &mut RelayClient<S>,
    manifest: &VerifiedManifest,
    reader: &Token,
) -> Result<Option<VerifiedResult>, FlowError> {
    let results = c.get_results(manifest.manifest.session_id, reader).await?;
    Ok(accept_result(manifest, &results)?)
}

/// Reader: what a verified result says about `receipt`. A result that
/// lists its receipts answers at once; one that signs a tree root (more
/// than [`receipts::MAX_LISTED`]) is asked about through the relay: its
/// proof from the receipts each signer published, checked against the
/// signed root, the first signer whose proof checks deciding (a relay
/// that serves no proof, or a wrong one, gets
/// [`receipts::ReceiptCheck::Unknown`]).
pub async fn check_receipt<S: Socket>(
    c: &mut RelayClient<S>,
    session: SessionId,
    reader: &Token,
    verified: &VerifiedResult,
    receipt: &[u8; 32],
) -> Result<receipts::ReceiptCheck, FlowError> {
    use receipts::ReceiptCheck;
    let offline = receipts::check_receipt(&verified.json, receipt);
    if offline != ReceiptCheck::Unknown || receipts::signed_root(&verified.json).is_none() {
        return Ok(offline);
    }
    for &m in &verified.signers {
        match c.receipt_proof(session, reader, m, receipt).await {
            Ok(proof) => match receipts::check_proof(&verified.json, receipt, &proof) {
                ReceiptCheck::Unknown => continue,
                answer => return Ok(answer),
            },
            Err(ClientError::Refused { .. } | ClientError::Wire(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(ReceiptCheck::Unknown)
}

/// Reader: the manifest and the verified result a read link names
/// (`Ok((manifest, None))` while too few members have signed).
pub async fn result_from_invite<S: Socket>(
    c: &mut RelayClient<S>,
    invite: &Invite,
) -> Result<(VerifiedManifest, Option<VerifiedResult>), FlowError> {
    let token = token_of(invite)?;
    let manifest = open_invite(c, invite).await?;
    let result = fetch_result(c, &manifest, &token).await?;
    Ok((manifest, result))
}

#[cfg(test)]
mod tests {
    #[test]
    fn time_limits_read_as_seconds() {
        assert_eq!(super::seconds(2000), "2");
        assert_eq!(super::seconds(2500), "2.5");
        assert_eq!(super::seconds(30_050), "30.05");
        assert_eq!(super::seconds(7), "0.007");
    }
}
