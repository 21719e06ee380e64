//! Identifiers and public keys that appear in manifests, invites and
//! envelopes, with their canonical text form (lowercase hex).

use sha2::{Digest, Sha256};
pub use sotto_wire::SessionId;

use super::SessionError;

sotto_wire::hex_id!(
    /// SHA-256 (FIPS 180-4) of a manifest's canonical bytes: the identity of
    /// a manifest, carried in invite links.
    ManifestHash,
    32,
    "manifest hash"
);

sotto_wire::hex_id!(
    /// A member's X25519 public key (RFC 7748 section 5, 32 bytes): the
    /// recipient key of HPKE submissions and of member-to-member channels.
    X25519PublicKey,
    32,
    "X25519 public key"
);

sotto_wire::hex_id!(
    /// An Ed25519 public key (RFC 8032 section 5.1.5, 32 bytes): verifies a
    /// member's result signatures or the organizer's manifest signature.
    Ed25519PublicKey,
    32,
    "Ed25519 public key"
);

impl ManifestHash {
    /// SHA-256 of `canonical_bytes`.
    pub fn of(canonical_bytes: &[u8]) -> ManifestHash {
        ManifestHash(Sha256::digest(canonical_bytes).into())
    }
}

impl Ed25519PublicKey {
    /// Decodes the point (RFC 8032 section 5.1.3) and refuses small-order
    /// ("weak") keys, for which signatures prove nothing.
    pub fn verifying_key(&self) -> Result<ed25519_dalek::VerifyingKey, SessionError> {
        let key = ed25519_dalek::VerifyingKey::from_bytes(&self.0)
            .map_err(|_| SessionError::BadPublicKey)?;
        if key.is_weak() {
            return Err(SessionError::BadPublicKey);
        }
        Ok(key)
    }
}

impl From<&ed25519_dalek::VerifyingKey> for Ed25519PublicKey {
    fn from(key: &ed25519_dalek::VerifyingKey) -> Self {
        Ed25519PublicKey(key.to_bytes())
    }
}

impl From<&x25519_dalek::PublicKey> for X25519PublicKey {
    fn from(key: &x25519_dalek::PublicKey) -> Self {
        X25519PublicKey(key.to_bytes())
    }
}
