//! Sessions: the signed manifest that fixes what is asked and who computes,
//! and the invite links that point to it.
//!
//! Trust flows from the invite link: its fragment carries the manifest hash
//! (SHA-256 of the canonical manifest bytes), the manifest names the
//! organizer's key and every committee member's keys, and the organizer's
//! signature covers it all. A client that checks [`verify_manifest_for`]
//! before encrypting anything cannot be tricked by the relay into encrypting
//! to keys the relay chose (DESIGN.md section 3, "Envelopes").
//!
//! - [`Manifest`] and its parts: the canonical JSON form, validation;
//! - [`SignedManifest`], [`verify_manifest`]: signatures and the hash check;
//! - [`Invite`]: link formatting and parsing.

mod ids;
mod invite;
mod manifest;
pub mod read;
mod signed;

pub use ids::{Ed25519PublicKey, ManifestHash, SessionId, X25519PublicKey};
pub use invite::{Invite, Role};
pub use manifest::{
    Committee, CommitteeMember, DEFAULT_MIN_SUBMISSIONS, Deadlines, DpPolicy, Epsilon,
    MANIFEST_VERSION, MAX_DESCRIPTION_CHARS, MAX_MANIFEST_LEN, MAX_MEMBERS,
    MAX_QUESTION_DESCRIPTION_CHARS, Manifest, OutputPolicy, answer_frame_len,
};
// The manifest's kind field: defined with each kind's code in `apps`
// (dependencies run session -> apps -> engine).
pub use crate::apps::SessionKind;
pub use crate::apps::vote::{Reveal, VoteMethod, VoteSchema};
pub use signed::{
    MANIFEST_SIGNATURE_LABEL, SignedManifest, VerifiedManifest, verify_manifest,
    verify_manifest_for,
};

/// A JSON error, the source of [`SessionError::Malformed`]: shared, so
/// that [`SessionError`] stays `Clone`, and compared by category and
/// position (serde_json's error has no equality of its own).
#[derive(Debug, Clone)]
pub struct JsonError(std::sync::Arc<serde_json::Error>);

impl From<serde_json::Error> for JsonError {
    fn from(e: serde_json::Error) -> JsonError {
        JsonError(std::sync::Arc::new(e))
    }
}

impl PartialEq for JsonError {
    fn eq(&self, other: &JsonError) -> bool {
        let (a, b) = (&self.0, &other.0);
        a.classify() == b.classify() && a.line() == b.line() && a.column() == b.column()
    }
}

impl Eq for JsonError {}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl JsonError {
    /// serde_json's error.
    pub fn inner(&self) -> &serde_json::Error {
        &self.0
    }
}

// Transparent: it displays as serde_json's error and has its source.
impl std::error::Error for JsonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&*self.0)
    }
}

/// Errors from manifests and invites. Messages are safe to show to users:
/// manifests and links hold no secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// A hex field has the wrong length, uppercase letters or non-hex characters.
    #[error(transparent)]
    BadHex(#[from] sotto_wire::BadHex),
    /// An Ed25519 public key is not a valid point or has small order.
    #[error("invalid Ed25519 public key")]
    BadPublicKey,
    /// The manifest's schema is invalid (including one whose answers would
    /// not fit in a relay frame for its committee).
    #[error("invalid {kind} schema: {reason}")]
    InvalidSchema {
        /// "vote", "survey", "budget" or "check".
        kind: &'static str,
        /// What is wrong, in plain words.
        reason: String,
    },
    /// The manifest breaks a rule (see [`Manifest::validate`]).
    #[error("invalid manifest: {field} {reason}")]
    InvalidManifest {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The manifest or container declares a version this build does not know.
    #[error("unsupported manifest version {0}")]
    UnsupportedVersion(u32),
    /// The manifest could not be serialized.
    #[error("manifest could not be encoded")]
    Encoding,
    /// The manifest bytes are not a well-formed manifest.
    #[error("malformed manifest: {0}")]
    Malformed(#[source] JsonError),
    /// The manifest parses but its bytes are not the canonical encoding.
    #[error("manifest is not in canonical form")]
    NonCanonical,
    /// The manifest is larger than [`MAX_MANIFEST_LEN`].
    #[error("manifest of {0} bytes exceeds the size limit")]
    TooLarge(usize),
    /// The signed-manifest container has a bad magic or is truncated.
    #[error("not a signed Sotto manifest (bad magic or truncated)")]
    BadSignedManifest,
    /// The manifest's hash differs from the one in the invite link.
    #[error("manifest hash {actual} does not match the invite's {expected}: refusing it")]
    HashMismatch {
        /// The hash from the invite.
        expected: ManifestHash,
        /// The hash of the bytes received.
        actual: ManifestHash,
    },
    /// The organizer's signature does not verify.
    #[error("manifest signature does not verify under the organizer's key: refusing it")]
    BadSignature,
    /// The signing key is not the organizer key named in the manifest.
    #[error("signing key is not the manifest's organizer key")]
    OrganizerKeyMismatch,
    /// The manifest is for another session than the invite's.
    #[error("manifest is for session {actual}, the invite is for {expected}")]
    SessionMismatch {
        /// The invite's session id.
        expected: SessionId,
        /// The manifest's session id.
        actual: SessionId,
    },
    /// An invite link is malformed.
    #[error("invalid invite link: {0}")]
    BadInvite(&'static str),
}

#[cfg(test)]
pub(crate) mod tests;
