//! End-to-end encryption and signatures: what the relay carries but can
//! neither read nor change undetected (DESIGN.md section 3, "Envelopes").
//!
//! - [`submission`]: a participant's share vector for one member, sealed to
//!   that member with HPKE (RFC 9180, base mode, DHKEM(X25519, HKDF-SHA256),
//!   HKDF-SHA256, ChaCha20-Poly1305), bound to session, submission and member;
//! - [`channel`]: member-to-member protocol messages, ChaCha20-Poly1305
//!   (RFC 8439) under per-direction keys from static X25519 DH and HKDF
//!   (RFC 5869), bound to session, computation attempt, round and sequence
//!   number, with replay rejection;
//! - [`commitment`]: a participant's public commitment to its shares, which
//!   each member checks against its own before computing;
//! - [`complaint`]: a member's complaint about its part, and its public
//!   settlement;
//! - [`disclosure`]: a member's proven Diffie-Hellman output for one part
//!   sealed to it, so anyone can decrypt that part and settle a complaint;
//! - [`encapsulation`]: a part sealed with an ephemeral secret the
//!   participant keeps, and its proof of knowing it (Schnorr), without
//!   which a member does not disclose (docs/threat-model.md, "A
//!   disclosure is a Diffie-Hellman oracle");
//! - [`signature`]: Ed25519 (RFC 8032) result signatures and the
//!   t + 1 acceptance rule.
//!
//! `docs/crypto.md` gives the byte layouts and the reasoning.

pub mod challenge;
pub mod channel;
pub mod commitment;
pub mod complaint;
pub mod disclosure;
pub mod encapsulation;
pub mod evidence;
pub mod signature;
pub mod submission;

pub use channel::{CHANNEL_HEADER_LEN, Channel, ChannelHeader, OpenedMessage, RunId};
pub use signature::{
    AcceptedResult, RESULT_SIGNATURE_LABEL, ResultSignature, result_message, sign_result,
    verify_result,
};
pub use submission::{
    SUBMISSION_INFO, SealedShares, SubmissionId, open_shares, seal_shares, seal_submission,
};

/// Errors from envelopes and signatures. Messages never include key
/// material or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// Encryption failed (HPKE or AEAD refused the input).
    #[error("encryption failed")]
    Seal,
    /// A peer or recipient X25519 key is invalid or of small order.
    #[error("invalid or low-order X25519 public key")]
    BadPublicKey,
    /// Authentication failed: wrong key, wrong context (session, submission,
    /// member, attempt, round) or modified bytes.
    #[error("decryption failed: wrong key or context, or the bytes were modified")]
    Decrypt,
    /// The bytes are too short or otherwise not an envelope.
    #[error("malformed envelope: {0}")]
    Malformed(&'static str),
    /// The envelope's format version is not supported.
    #[error("unsupported envelope version {0}")]
    UnsupportedVersion(u8),
    /// A channel message names another session, sender, recipient,
    /// computation instance or attempt than this channel's.
    #[error("message is for another {0}")]
    WrongContext(&'static str),
    /// A channel message's sequence number is not above the highest seen:
    /// a replay or an old message.
    #[error("replayed or stale message: sequence {seq}, already saw up to {highest}")]
    Replay {
        /// The message's sequence number.
        seq: u64,
        /// The highest sequence number accepted so far from that sender.
        highest: u64,
    },
    /// The channel's sending sequence numbers are exhausted.
    #[error("channel sequence numbers exhausted")]
    SequenceExhausted,
    /// A member index is 0, out of the committee, or names oneself as peer.
    #[error("invalid member index {0}")]
    BadMember(u16),
    /// The number of share vectors differs from the committee size.
    #[error("expected {expected} share vectors, got {got}")]
    ShareCount {
        /// Committee size.
        expected: usize,
        /// Vectors given.
        got: usize,
    },
    /// Fewer than t + 1 distinct members signed the result bytes.
    #[error("result has {valid} valid member signatures, needs {needed}")]
    NotEnoughSignatures {
        /// Distinct members with a valid signature.
        valid: usize,
        /// t + 1.
        needed: usize,
    },
}

#[cfg(test)]
mod vectors;
