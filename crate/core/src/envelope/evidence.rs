//! Signed engine messages, and the evidence they make against a member
//! that sends a wrong share.
//!
//! The channel ([`super::channel`]) tells the recipient who sent a
//! message, but its tag is deniable: the recipient holds the same key and
//! could have made it. So every engine message is also signed with the
//! sender's Ed25519 key (RFC 8032), inside the channel encryption:
//!
//! ```text
//! plaintext = kind (1) || signature (64) || engine message
//! signed    = "sotto/engine-message/v2\0" || manifest hash (32) || session (16) || run (32)
//!             || kind (1) || SHA-256(engine message)
//! kind      = 0x00 any other round
//!           | 0x01 an opening: the sender's own shares of values opened
//!             with all shares checked (`engine::Transmit::opening`)
//! ```
//!
//! The engine message itself names the computation instance, the round,
//! the sender and the recipient ([`crate::engine::message`]); the run
//! ([`super::RunId`]) binds the start of the computation and the manifest
//! hash the committee and its threshold, so a signature cannot be moved
//! to another session, run, round or recipient, nor judged against
//! another manifest of the same session (one with a lower threshold
//! would make honest shares of a degree-2t opening look inconsistent).
//!
//! # Evidence
//!
//! When an opening fails and the engine names a culprit (at least 2t + 2
//! shares, and exactly one member whose share is off the polynomial the
//! others lie on: `crate::share`), the member that saw it gathers that
//! round's signed messages, one from each member whose shares it used,
//! its own among them (addressed to itself, signed by itself). That is an
//! [`Evidence`]: anyone with the session's manifest checks it with
//! [`verify_evidence`], which repeats the engine's reconstruction on the
//! signed shares and names the same member.
//!
//! Why an accuser cannot frame an honest member, even with t − 1 others
//! (at most t deviate in all): the evidence holds m >= 2t + 2 shares of
//! one column, from distinct members, each signed by its sender as its
//! own share of an opening. Honest members sign only their true shares,
//! and their shares of a value opened online lie on one polynomial P of
//! degree t (every sharing the engine opens online is consistent among
//! honest members: participants' inputs are checked against their
//! commitments, preprocessing is verified, and products keep
//! consistency; values members deal during the run, the noise bits and a
//! factor's masks, are checked by an opening that is not flagged and
//! names nobody before any flagged opening involves them: session 11
//! found both opened flagged first, which let a dealer frame the member
//! it dealt a share off the polynomial). The deviating members may sign
//! anything. For an honest
//! member c to be named, the other m − 1 shares must lie on one
//! polynomial Q of degree t. They include at least m − 1 − t >= t + 1
//! honest shares, which lie on P, so Q = P; then c's share, also on P,
//! makes the column consistent, and nobody is named. So a named member
//! signed a share off the polynomial its honest peers' shares fix: it
//! deviated. A member that sends different shares to different members
//! (equivocates) is caught by whichever recipient got a wrong one.
//!
//! What the evidence reveals: the shares of one opening round, which the
//! protocol opens to every member anyway; for online openings these are
//! masked values (uniform `x - a` and the like), so the evidence shows
//! nothing about any input.

use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use super::channel::RunId;
use crate::engine::message::Message;
use crate::field::Fp;
use crate::keyfile::MemberKeys;
use crate::session::{ManifestHash, SessionId, VerifiedManifest};
use crate::share::{self, ShareError};

/// Domain-separation label of engine message signatures.
pub const ENGINE_MESSAGE_LABEL: &[u8] = b"sotto/engine-message/v2\0";
/// The first bytes of an encoded [`Evidence`].
pub const EVIDENCE_MAGIC: &[u8] = b"sotto/evidence/v1\0";
const SIGNATURE_LEN: usize = 64;
/// Bytes a signed message adds to an engine message (kind and signature).
pub const SIGNED_OVERHEAD: usize = 1 + SIGNATURE_LEN;
const KIND_OTHER: u8 = 0;
const KIND_OPENING: u8 = 1;
/// Most messages one evidence may hold (one per committee member).
pub const MAX_EVIDENCE_MESSAGES: usize = 1 << 10;

/// Why a signed message or an evidence was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvidenceError {
    /// The bytes are not a signed message or an evidence.
    #[error("malformed evidence: {0}")]
    Malformed(&'static str),
    /// The evidence is about another session than the manifest's.
    #[error("the evidence is about another session")]
    OtherSession,
    /// A message names a member outside the committee.
    #[error("a message names member {0}, who is not on the committee")]
    UnknownMember(u16),
    /// A message's signature does not verify under its sender's key.
    #[error("the signature of member {0}'s message does not verify")]
    BadSignature(u16),
    /// A message was not signed as a share of an opening.
    #[error("member {0}'s message is not signed as a share of an opening")]
    NotAnOpening(u16),
    /// The messages are not of one opening: different instances, rounds,
    /// recipients or lengths, or a sender twice.
    #[error("the messages are not of one opening: {0}")]
    NotOneOpening(&'static str),
    /// Fewer shares than naming a member needs (2t + 2).
    #[error("the evidence holds {have} shares; naming a member needs {need}")]
    TooFew {
        /// Shares held.
        have: usize,
        /// Shares needed.
        need: usize,
    },
    /// The signed shares do not name a member: they are consistent, or
    /// no single member's share is the one off.
    #[error("the signed shares do not prove that any one member deviated")]
    NothingProven,
}

/// One engine message with its sender's signature (module docs). Its
/// bytes may carry secret shares, so they are zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedMessage {
    /// Whether it is signed as the sender's own shares of an opening.
    pub opening: bool,
    /// The Ed25519 signature.
    pub signature: [u8; SIGNATURE_LEN],
    /// The engine message.
    pub bytes: Vec<u8>,
}

impl Drop for SignedMessage {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl core::fmt::Debug for SignedMessage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SignedMessage")
            .field("opening", &self.opening)
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

impl SignedMessage {
    /// Signs engine message `bytes` of `run` in `session` under the
    /// manifest whose hash is `manifest`.
    pub fn sign(
        keys: &MemberKeys,
        manifest: &ManifestHash,
        session: &SessionId,
        run: &RunId,
        opening: bool,
        bytes: Vec<u8>,
    ) -> SignedMessage {
        let signature = keys.sign(&Self::to_sign(manifest, session, run, opening, &bytes));
        SignedMessage {
            opening,
            signature,
            bytes,
        }
    }

    /// The bytes a member signs for engine message `bytes` (module docs):
    /// what [`SignedMessage::sign`] signs, for keys that sign elsewhere.
    pub fn to_sign(
        manifest: &ManifestHash,
        session: &SessionId,
        run: &RunId,
        opening: bool,
        bytes: &[u8],
    ) -> Vec<u8> {
        let mut msg = Vec::with_capacity(ENGINE_MESSAGE_LABEL.len() + 32 + 16 + 32 + 1 + 32);
        msg.extend_from_slice(ENGINE_MESSAGE_LABEL);
        msg.extend_from_slice(&manifest.0);
        msg.extend_from_slice(session.as_bytes());
        msg.extend_from_slice(&run.0);
        msg.push(if opening { KIND_OPENING } else { KIND_OTHER });
        msg.extend_from_slice(&Sha256::digest(bytes));
        msg
    }

    /// Whether the signature verifies under `key` for `run` in `session`
    /// under the manifest whose hash is `manifest` (`verify_strict`: no
    /// malleable or small-order encodings).
    pub fn verify(
        &self,
        key: &VerifyingKey,
        manifest: &ManifestHash,
        session: &SessionId,
        run: &RunId,
    ) -> bool {
        key.verify_strict(
            &Self::to_sign(manifest, session, run, self.opening, &self.bytes),
            &Signature::from_bytes(&self.signature),
        )
        .is_ok()
    }

    /// The channel plaintext: kind, signature, engine message.
    pub fn to_plaintext(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(SIGNED_OVERHEAD + self.bytes.len()));
        out.push(if self.opening {
            KIND_OPENING
        } else {
            KIND_OTHER
        });
        out.extend_from_slice(&self.signature);
        out.extend_from_slice(&self.bytes);
        out
    }

    /// Parses a channel plaintext (not yet verified), taking its bytes.
    pub fn from_plaintext(mut plaintext: Vec<u8>) -> Result<SignedMessage, EvidenceError> {
        if plaintext.len() < SIGNED_OVERHEAD {
            plaintext.zeroize();
            return Err(EvidenceError::Malformed("shorter than a signature"));
        }
        let opening = match plaintext[0] {
            KIND_OTHER => false,
            KIND_OPENING => true,
            _ => {
                plaintext.zeroize();
                return Err(EvidenceError::Malformed("unknown message kind"));
            }
        };
        let mut signature = [0u8; SIGNATURE_LEN];
        signature.copy_from_slice(&plaintext[1..SIGNED_OVERHEAD]);
        plaintext.drain(..SIGNED_OVERHEAD);
        Ok(SignedMessage {
            opening,
            signature,
            bytes: plaintext,
        })
    }

    /// The round the engine message names, if its header is there.
    pub fn round(&self) -> Option<u32> {
        crate::engine::message::round_of(&self.bytes)
    }
}

/// The signed messages of one failed opening (module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The session.
    pub session: SessionId,
    /// The run of the computation.
    pub run: RunId,
    /// One signed message per member whose shares the opening used.
    pub messages: Vec<SignedMessage>,
}

/// What a valid [`Evidence`] proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proven {
    /// The member that signed a wrong share (1-based).
    pub member: u16,
    /// The member that received the shares (the accuser).
    pub recipient: u16,
    /// The engine round of the opening.
    pub round: u32,
    /// The first value whose shares do not agree.
    pub index: usize,
}

impl Evidence {
    /// Encoding: magic || session (16) || run (32) || count (u16 BE), then
    /// per message its length (u32 BE) and its channel plaintext
    /// ([`SignedMessage::to_plaintext`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(EVIDENCE_MAGIC);
        out.extend_from_slice(self.session.as_bytes());
        out.extend_from_slice(&self.run.0);
        out.extend_from_slice(&(self.messages.len() as u16).to_be_bytes());
        for m in &self.messages {
            let p = m.to_plaintext();
            out.extend_from_slice(&(p.len() as u32).to_be_bytes());
            out.extend_from_slice(&p);
        }
        out
    }

    /// Parses [`Evidence::to_bytes`] (not yet verified).
    pub fn from_bytes(bytes: &[u8]) -> Result<Evidence, EvidenceError> {
        let rest = bytes
            .strip_prefix(EVIDENCE_MAGIC)
            .ok_or(EvidenceError::Malformed("not a Sotto evidence file"))?;
        let truncated = |_| EvidenceError::Malformed("truncated");
        let mut r = sotto_wire::Reader::new(rest);
        let session = SessionId(r.array().map_err(truncated)?);
        let run = RunId(r.array().map_err(truncated)?);
        let count = usize::from(r.u16().map_err(truncated)?);
        if count > MAX_EVIDENCE_MESSAGES {
            return Err(EvidenceError::Malformed("too many messages"));
        }
        let mut messages = Vec::with_capacity(count);
        for _ in 0..count {
            let len = r.u32().map_err(truncated)? as usize;
            let plaintext = r.take(len).map_err(truncated)?;
            messages.push(SignedMessage::from_plaintext(plaintext.to_vec())?);
        }
        r.finish()
            .map_err(|_| EvidenceError::Malformed("trailing bytes"))?;
        Ok(Evidence {
            session,
            run,
            messages,
        })
    }
}

/// Checks `evidence` against the session's manifest and returns what it
/// proves: every message signed by its sender (a committee member, each
/// once) as its own shares of one opening (same instance, round,
/// recipient and length), at least 2t + 2 of them, and exactly one
/// member's share off the polynomial of degree t the others lie on, as
/// the engine's own reconstruction finds it (`crate::share`).
pub fn verify_evidence(
    manifest: &VerifiedManifest,
    evidence: &Evidence,
) -> Result<Proven, EvidenceError> {
    let m = &manifest.manifest;
    if evidence.session != m.session_id {
        return Err(EvidenceError::OtherSession);
    }
    let t = usize::from(m.committee.threshold);
    let need = 2 * t + 2;
    if evidence.messages.len() < need {
        return Err(EvidenceError::TooFew {
            have: evidence.messages.len(),
            need,
        });
    }
    let mut decoded: Vec<Message> = Vec::with_capacity(evidence.messages.len());
    for signed in &evidence.messages {
        let msg = Message::decode(&signed.bytes)
            .map_err(|_| EvidenceError::Malformed("not an engine message"))?;
        let member = m
            .committee
            .member(msg.from)
            .ok_or(EvidenceError::UnknownMember(msg.from))?;
        let key = member
            .ed25519
            .verifying_key()
            .map_err(|_| EvidenceError::BadSignature(msg.from))?;
        if !signed.verify(&key, &manifest.hash, &evidence.session, &evidence.run) {
            return Err(EvidenceError::BadSignature(msg.from));
        }
        if !signed.opening {
            return Err(EvidenceError::NotAnOpening(msg.from));
        }
        if let Some(first) = decoded.first() {
            if (msg.instance, msg.round, msg.to) != (first.instance, first.round, first.to) {
                return Err(EvidenceError::NotOneOpening(
                    "different instances, rounds or recipients",
                ));
            }
            if msg.values.len() != first.values.len() {
                return Err(EvidenceError::NotOneOpening("different lengths"));
            }
        }
        // Kept in sender order as they come, without a sort (whose code
        // the WebAssembly member module would carry for this type alone).
        let at = decoded.partition_point(|d| d.from < msg.from);
        if decoded.get(at).is_some_and(|d| d.from == msg.from) {
            return Err(EvidenceError::NotOneOpening("a member twice"));
        }
        decoded.insert(at, msg);
    }
    let shares: Vec<(usize, &[Fp])> = decoded
        .iter()
        .map(|d| (usize::from(d.from), d.values.as_slice()))
        .collect();
    match share::reconstruct(&shares, t) {
        Err(ShareError::Inconsistent {
            member: Some(member),
            index,
        }) => Ok(Proven {
            member: member as u16,
            recipient: decoded[0].to,
            round: decoded[0].round,
            index,
        }),
        _ => Err(EvidenceError::NothingProven),
    }
}

#[cfg(test)]
#[path = "evidence_tests.rs"]
mod tests;
