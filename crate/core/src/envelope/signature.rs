//! Result signatures: every member signs the canonical result bytes with
//! Ed25519 (RFC 8032 section 5.1.6); a result is accepted when at least
//! t + 1 distinct committee members signed the identical bytes (DESIGN.md
//! section 3), so at least one honest member vouches for it.
//!
//! ```text
//! message = "sotto/result/v1\0" || session id (16) || manifest hash (32)
//!           || result length (u64 BE) || result bytes
//! ```
//!
//! The session id and manifest hash stop a signature from being replayed
//! into another session or under a swapped manifest; the label separates it
//! from manifest signatures. Verification is `verify_strict` (rejects
//! non-canonical and small-order encodings).

use ed25519_dalek::Signature;

use super::EnvelopeError;
use crate::keyfile::MemberKeys;
use crate::session::{ManifestHash, SessionId, VerifiedManifest};

/// Domain-separation label of result signatures.
pub const RESULT_SIGNATURE_LABEL: &[u8] = b"sotto/result/v1\0";
const SIGNATURE_LEN: usize = 64;

/// One member's signature on a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultSignature {
    /// The signer's 1-based member index.
    pub member: u16,
    /// The Ed25519 signature.
    pub signature: [u8; SIGNATURE_LEN],
}

impl ResultSignature {
    /// Encoding: member (u16 BE) || signature (64).
    pub fn to_bytes(&self) -> [u8; 2 + SIGNATURE_LEN] {
        let mut out = [0u8; 2 + SIGNATURE_LEN];
        out[..2].copy_from_slice(&self.member.to_be_bytes());
        out[2..].copy_from_slice(&self.signature);
        out
    }

    /// Parses the encoding.
    pub fn from_bytes(bytes: &[u8]) -> Result<ResultSignature, EnvelopeError> {
        if bytes.len() != 2 + SIGNATURE_LEN {
            return Err(EnvelopeError::Malformed(
                "result signature must be 66 bytes",
            ));
        }
        let mut signature = [0u8; SIGNATURE_LEN];
        signature.copy_from_slice(&bytes[2..]);
        Ok(ResultSignature {
            member: u16::from_be_bytes([bytes[0], bytes[1]]),
            signature,
        })
    }
}

/// The outcome of [`verify_result`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedResult {
    /// Members whose signature verified, ascending, each once.
    pub signers: Vec<u16>,
    /// Members that sent a signature that did not verify (or an index
    /// outside the committee): worth reporting, not fatal.
    pub invalid: Vec<u16>,
}

/// The exact bytes a member signs for `result` (module docs).
pub fn result_message(session: &SessionId, manifest_hash: &ManifestHash, result: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(RESULT_SIGNATURE_LABEL.len() + 16 + 32 + 8 + result.len());
    msg.extend_from_slice(RESULT_SIGNATURE_LABEL);
    msg.extend_from_slice(session.as_bytes());
    msg.extend_from_slice(manifest_hash.as_bytes());
    msg.extend_from_slice(&(result.len() as u64).to_be_bytes());
    msg.extend_from_slice(result);
    msg
}

/// Signs `result` as member `member` of the session.
pub fn sign_result(
    keys: &MemberKeys,
    member: u16,
    session: &SessionId,
    manifest_hash: &ManifestHash,
    result: &[u8],
) -> ResultSignature {
    let signature = keys.sign(&result_message(session, manifest_hash, result));
    ResultSignature { member, signature }
}

/// Accepts `result` if at least t + 1 distinct members of the verified
/// manifest's committee produced a valid signature over it. Duplicate
/// signatures from one member count once.
pub fn verify_result(
    manifest: &VerifiedManifest,
    result: &[u8],
    signatures: &[ResultSignature],
) -> Result<AcceptedResult, EnvelopeError> {
    let committee = &manifest.manifest.committee;
    let msg = result_message(&manifest.manifest.session_id, &manifest.hash, result);
    let mut signers = Vec::new();
    let mut invalid = Vec::new();
    for sig in signatures {
        if signers.contains(&sig.member) {
            continue;
        }
        let ok = committee.member(sig.member).is_some_and(|m| {
            m.ed25519.verifying_key().is_ok_and(|key| {
                key.verify_strict(&msg, &Signature::from_bytes(&sig.signature))
                    .is_ok()
            })
        });
        if ok {
            signers.push(sig.member);
        } else if !invalid.contains(&sig.member) {
            invalid.push(sig.member);
        }
    }
    signers.sort_unstable();
    invalid.retain(|m| !signers.contains(m));
    invalid.sort_unstable();
    let needed = usize::from(committee.threshold) + 1;
    if signers.len() < needed {
        return Err(EnvelopeError::NotEnoughSignatures {
            valid: signers.len(),
            needed,
        });
    }
    Ok(AcceptedResult { signers, invalid })
}
