//! The organizer's, participant's and reader's steps that need no I/O,
//! shared by the native CLI (`native::session_ops`) and the wasm package:
//! building and signing a manifest, preparing a sealed submission, and
//! accepting a published result.

use sotto_core::apps::budget::{BudgetSchema, IncomeSpec};
use sotto_core::apps::check::CheckSpec;
use sotto_core::apps::survey::SurveySchema;
use sotto_core::envelope::{EnvelopeError, SubmissionId, seal_submission, verify_result};
use sotto_core::field::Fp;
use sotto_core::session::{
    Committee, CommitteeMember, Deadlines, Ed25519PublicKey, MANIFEST_VERSION, Manifest,
    OutputPolicy, SessionError, SessionKind, SignedManifest, VerifiedManifest, VoteSchema,
};
use sotto_core::share::{self, ShareError, ShareVec};
use sotto_wire::{MintRequest, TokenMode};

use super::protocol;

/// What an organizer asks for: everything in a manifest but the ids and
/// keys the relay and the organizer's key supply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSpec {
    /// Title.
    pub title: String,
    /// What is asked.
    pub kind: SessionKind,
    /// Members in index order.
    pub members: Vec<CommitteeMember>,
    /// Threshold (default floor((n-1)/2)).
    pub threshold: Option<u16>,
    /// Output policy.
    pub policy: OutputPolicy,
    /// Submission window.
    pub deadlines: Deadlines,
    /// Single-use participant tokens to mint (0: one open link).
    pub single_use: u32,
}

impl SessionSpec {
    /// The signed manifest for relay session `session` at `relay_url`.
    pub fn sign(
        &self,
        session: sotto_wire::SessionId,
        relay_url: &str,
        organizer: &ed25519_dalek::SigningKey,
    ) -> Result<(SignedManifest, VerifiedManifest), SessionError> {
        let n = self.members.len();
        let manifest = Manifest {
            version: MANIFEST_VERSION,
            session_id: session,
            title: self.title.clone(),
            kind: self.kind.clone(),
            organizer: Ed25519PublicKey(organizer.verifying_key().to_bytes()),
            committee: Committee {
                threshold: self
                    .threshold
                    .unwrap_or_else(|| Committee::default_threshold(n)),
                members: self.members.clone(),
            },
            deadlines: self.deadlines,
            policy: self.policy,
            relay_url: super::relay::ws_url(relay_url),
        };
        let signed = SignedManifest::sign(&manifest, organizer)?;
        let verified = signed.verify(&signed.hash())?;
        Ok((signed, verified))
    }

    /// The participant tokens to mint.
    pub fn mint_request(&self) -> MintRequest {
        if self.single_use > 0 {
            MintRequest {
                mode: TokenMode::SingleUse,
                count: self.single_use,
                rate_per_min: 0,
            }
        } else {
            MintRequest {
                mode: TokenMode::OpenLink,
                count: 1,
                rate_per_min: 0,
            }
        }
    }
}

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

/// What an organizer's options or draft file may name as the session's
/// kind: exactly one of the fields.
#[derive(Debug, Clone, Default)]
pub struct KindFields {
    /// A vote.
    pub vote: Option<VoteSchema>,
    /// A survey.
    pub survey: Option<SurveySchema>,
    /// A budget.
    pub budget: Option<BudgetSchema>,
    /// An income survey (made a one-question survey).
    pub income: Option<IncomeSpec>,
    /// A committee check.
    pub check: Option<CheckSpec>,
}

/// An organizer named no kind, or more than one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("give exactly one of \"vote\", \"survey\", \"budget\", \"income\" and \"check\"")]
pub struct KindChoiceError;

/// The session kind from an organizer's `vote`, `survey`, `budget`,
/// `income` or `check` field (exactly one must be present; an income
/// session is a survey).
pub fn kind_of(fields: KindFields) -> Result<SessionKind, KindChoiceError> {
    let KindFields {
        vote,
        survey,
        budget,
        income,
        check,
    } = fields;
    match (vote, survey, budget, income, check) {
        (Some(v), None, None, None, None) => Ok(SessionKind::Vote(v)),
        (None, Some(s), None, None, None) => Ok(SessionKind::Survey(s)),
        (None, None, Some(b), None, None) => Ok(SessionKind::Budget(b)),
        (None, None, None, Some(i), None) => Ok(SessionKind::Survey(i.to_survey())),
        (None, None, None, None, Some(c)) => Ok(SessionKind::Check(c)),
        _ => Err(KindChoiceError),
    }
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

/// Seals already dealt shares (member i's vector at index i - 1) into a
/// submission's parts, exactly as [`prepare_submission`] does after
/// dealing. For drills that submit forged shares (`sotto simulate`'s
/// `forged_shares`); participants use [`prepare_submission`].
pub fn seal_shares(
    rng: &mut impl rand_core::CryptoRng,
    manifest: &VerifiedManifest,
    shares: &[ShareVec],
) -> Result<PreparedSubmission, PrepareError> {
    let committee = &manifest.manifest.committee;
    let bytes: Vec<Vec<u8>> = shares.iter().map(|s| s.to_bytes()).collect();
    let id = SubmissionId::random(rng);
    let sealed = seal_submission(rng, committee, &manifest.manifest.session_id, &id, &bytes)?;
    let parts = sealed
        .iter()
        .map(|s| protocol::encode_part(&id, s))
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
