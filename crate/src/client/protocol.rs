//! Pure building blocks of the native committee member: the byte formats it
//! exchanges through the relay and the input-agreement rule
//! (PROTOCOLS.md, "Agreeing on the inputs"). No I/O here.
//!
//! Formats (all integers big-endian):
//!
//! ```text
//! submission part for member i   = submission id (16) || SealedShares bytes
//! member message, Ready          = 0x01 || epoch u32 || inputs hash (32) || Ed25519 signature (64)
//! member message, Engine         = 0x02 || Channel frame (docs/crypto.md)
//! piece of a member message      = 0x03 || message id u64 || index u32 || count u32 || bytes
//! published result blob          = ResultSignature (66) || canonical result bytes
//! ```
//!
//! A member message longer than one relay frame allows
//! ([`crate::wire::FRAME_LIMIT`] less the 44-byte header) travels as pieces
//! ([`super::pieces`]); the receiver reassembles it and only then reads its
//! tag, so the Ready and Engine formats above are always whole messages.
//!
//! A Ready message says "I am running with `epoch` and the accepted
//! submissions hash to `hash`". It is signed so the relay cannot forge or
//! alter it. Each member draws a fresh random epoch every time it starts;
//! the channel `attempt` of a computation is derived from the latest epoch
//! of every member, so a restarted member (new epoch) moves everyone to new
//! channel keys and nonces are never reused.

use sha2::{Digest, Sha256};

use crate::envelope::{EnvelopeError, ResultSignature, SealedShares, SubmissionId};
use crate::keyfile::MemberKeys;
use crate::session::{Committee, SessionId};

/// Tag of a [`Ready`] member message.
pub const TAG_READY: u8 = 1;
/// Tag of an engine member message (a sealed channel frame follows).
pub const TAG_ENGINE: u8 = 2;
const READY_LABEL: &[u8] = b"sotto/ready/v1\0";
const INPUTS_LABEL: &[u8] = b"sotto/inputs/v1\0";
const ATTEMPT_LABEL: &[u8] = b"sotto/attempt/v1\0";
const READY_LEN: usize = 1 + 4 + 32 + 64;

/// Errors of the member protocol formats.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A message or part is too short or has an unknown tag.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// A Ready message's signature does not verify under the sender's key.
    #[error("ready message from member {0} has a bad signature")]
    BadSignature(u16),
    /// An envelope could not be decoded.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
}

/// Splits a submission part into its submission id and sealed shares.
pub fn decode_part(part: &[u8]) -> Result<(SubmissionId, SealedShares), ProtocolError> {
    if part.len() < 16 {
        return Err(ProtocolError::Malformed("submission part"));
    }
    let (id, rest) = part.split_at(16);
    let mut b = [0u8; 16];
    b.copy_from_slice(id);
    Ok((SubmissionId(b), SealedShares::from_bytes(rest)?))
}

/// Formats a submission part (see the module docs).
pub fn encode_part(id: &SubmissionId, sealed: &SealedShares) -> Vec<u8> {
    let mut out = id.0.to_vec();
    out.extend_from_slice(&sealed.to_bytes());
    out
}

/// The hash members compare before computing: SHA-256 over the label and
/// every accepted submission's (log position, receipt) in log order.
pub fn inputs_hash<'a>(accepted: impl IntoIterator<Item = (u64, &'a [u8; 32])>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(INPUTS_LABEL);
    for (pos, receipt) in accepted {
        h.update(pos.to_be_bytes());
        h.update(receipt);
    }
    h.finalize().into()
}

/// The channel attempt for the given latest epoch of each member (index
/// order 1..=n).
pub fn attempt_for(epochs: &[u32]) -> u32 {
    let mut h = Sha256::new();
    h.update(ATTEMPT_LABEL);
    for e in epochs {
        h.update(e.to_be_bytes());
    }
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// A member's signed "ready to compute" announcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ready {
    /// The sender's run epoch.
    pub epoch: u32,
    /// The sender's [`inputs_hash`].
    pub hash: [u8; 32],
}

fn ready_message(session: &SessionId, member: u16, r: &Ready) -> Vec<u8> {
    let mut m = READY_LABEL.to_vec();
    m.extend_from_slice(session.as_bytes());
    m.extend_from_slice(&member.to_be_bytes());
    m.extend_from_slice(&r.epoch.to_be_bytes());
    m.extend_from_slice(&r.hash);
    m
}

impl Ready {
    /// Encodes and signs as member `member`.
    pub fn sign(&self, keys: &MemberKeys, session: &SessionId, member: u16) -> Vec<u8> {
        use ed25519_dalek::Signer;
        let sig = keys
            .signing_key()
            .sign(&ready_message(session, member, self));
        let mut out = vec![TAG_READY];
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out.extend_from_slice(&self.hash);
        out.extend_from_slice(&sig.to_bytes());
        out
    }

    /// Decodes a Ready message from member `from` and checks its signature
    /// against that member's key in `committee`.
    pub fn verify(
        bytes: &[u8],
        committee: &Committee,
        session: &SessionId,
        from: u16,
    ) -> Result<Ready, ProtocolError> {
        if bytes.len() != READY_LEN || bytes[0] != TAG_READY {
            return Err(ProtocolError::Malformed("ready message"));
        }
        let epoch = u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&bytes[5..37]);
        let mut sig = [0u8; 64];
        sig.copy_from_slice(&bytes[37..]);
        let r = Ready { epoch, hash };
        let ok = committee.member(from).is_some_and(|m| {
            m.ed25519.verifying_key().is_ok_and(|k| {
                k.verify_strict(
                    &ready_message(session, from, &r),
                    &ed25519_dalek::Signature::from_bytes(&sig),
                )
                .is_ok()
            })
        });
        if ok {
            Ok(r)
        } else {
            Err(ProtocolError::BadSignature(from))
        }
    }
}

/// The members (1-based) whose announced hash differs from `mine`.
pub fn disagreeing(mine: &[u8; 32], hashes: &[(u16, [u8; 32])]) -> Vec<u16> {
    hashes
        .iter()
        .filter(|(_, h)| h != mine)
        .map(|(m, _)| *m)
        .collect()
}

/// Formats a published result blob.
pub fn encode_result_blob(sig: &ResultSignature, result: &[u8]) -> Vec<u8> {
    let mut out = sig.to_bytes().to_vec();
    out.extend_from_slice(result);
    out
}

/// Splits a published result blob into signature and result bytes.
pub fn decode_result_blob(blob: &[u8]) -> Result<(ResultSignature, &[u8]), ProtocolError> {
    if blob.len() < 66 {
        return Err(ProtocolError::Malformed("result blob"));
    }
    let (sig, rest) = blob.split_at(66);
    Ok((ResultSignature::from_bytes(sig)?, rest))
}

/// Groups published results by identical bytes and returns the bytes with
/// the most signatures and those signatures (result verification then
/// applies the t + 1 rule). Malformed blobs are skipped.
pub fn best_result(blobs: &[(u16, Vec<u8>)]) -> Option<(Vec<u8>, Vec<ResultSignature>)> {
    let mut groups: Vec<(Vec<u8>, Vec<ResultSignature>)> = Vec::new();
    for (_, blob) in blobs {
        let Ok((sig, bytes)) = decode_result_blob(blob) else {
            continue;
        };
        match groups.iter_mut().find(|(b, _)| b == bytes) {
            Some((_, sigs)) => sigs.push(sig),
            None => groups.push((bytes.to_vec(), vec![sig])),
        }
    }
    groups.into_iter().max_by_key(|(_, s)| s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_hash_depends_on_order_and_content() {
        let (a, b) = ([1u8; 32], [2u8; 32]);
        let h1 = inputs_hash([(1, &a), (2, &b)]);
        assert_eq!(h1, inputs_hash([(1, &a), (2, &b)]));
        assert_ne!(h1, inputs_hash([(2, &b), (1, &a)]));
        assert_ne!(h1, inputs_hash([(1, &a)]));
    }

    #[test]
    fn attempt_changes_with_any_epoch() {
        assert_ne!(attempt_for(&[1, 2, 3]), attempt_for(&[1, 2, 4]));
        assert_eq!(attempt_for(&[1, 2, 3]), attempt_for(&[1, 2, 3]));
    }

    #[test]
    fn disagreeing_names_members() {
        let mine = [0u8; 32];
        assert_eq!(
            disagreeing(&mine, &[(1, mine), (2, [1; 32]), (3, mine)]),
            vec![2]
        );
    }

    #[test]
    fn malformed_inputs_are_errors() {
        assert!(decode_part(&[0; 3]).is_err());
        assert!(decode_result_blob(&[0; 10]).is_err());
        assert!(best_result(&[(1, vec![1, 2, 3])]).is_none());
    }
}
