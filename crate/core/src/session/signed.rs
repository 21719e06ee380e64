//! The organizer's signature over a manifest, and the check a client runs
//! before trusting any key in it.
//!
//! Encoding of a [`SignedManifest`]: [`sotto_wire::signed_manifest`] (the
//! relay reads the submission window from it).
//!
//! The signed message is `"sotto/manifest/v1\0" || canonical bytes`; the
//! label keeps a manifest signature from being valid as any other Sotto
//! signature. The organizer key is a field of the manifest, so the hash in
//! the invite pins it: the relay cannot re-sign a manifest with its own key.

use ed25519_dalek::{Signature, Signer};
use sotto_wire::signed_manifest;

use super::{Manifest, ManifestHash, SessionError, SessionId};

/// Domain-separation label prefixed to the signed manifest bytes.
pub const MANIFEST_SIGNATURE_LABEL: &[u8] = b"sotto/manifest/v1\0";

/// Canonical manifest bytes with the organizer's signature, as stored by
/// the relay and fetched by clients. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedManifest {
    manifest_bytes: Vec<u8>,
    signature: [u8; 64],
}

/// A manifest whose hash and signature have been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedManifest {
    /// The parsed, validated manifest.
    pub manifest: Manifest,
    /// Its hash (SHA-256 of the canonical bytes).
    pub hash: ManifestHash,
    /// The signed form it came from.
    pub signed: SignedManifest,
}

fn signed_message(manifest_bytes: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(MANIFEST_SIGNATURE_LABEL.len() + manifest_bytes.len());
    msg.extend_from_slice(MANIFEST_SIGNATURE_LABEL);
    msg.extend_from_slice(manifest_bytes);
    msg
}

impl SignedManifest {
    /// Validates `manifest`, encodes it canonically and signs it. The
    /// signing key must be the one named in [`Manifest::organizer`].
    pub fn sign(
        manifest: &Manifest,
        organizer: &ed25519_dalek::SigningKey,
    ) -> Result<SignedManifest, SessionError> {
        if organizer.verifying_key().to_bytes() != manifest.organizer.0 {
            return Err(SessionError::OrganizerKeyMismatch);
        }
        let manifest_bytes = manifest.to_canonical_bytes()?;
        let signature = organizer.sign(&signed_message(&manifest_bytes)).to_bytes();
        Ok(SignedManifest {
            manifest_bytes,
            signature,
        })
    }

    /// The canonical manifest bytes.
    pub fn manifest_bytes(&self) -> &[u8] {
        &self.manifest_bytes
    }

    /// The organizer's signature.
    pub fn signature(&self) -> &[u8; 64] {
        &self.signature
    }

    /// The manifest hash: SHA-256 of [`Self::manifest_bytes`].
    pub fn hash(&self) -> ManifestHash {
        ManifestHash::of(&self.manifest_bytes)
    }

    /// The transport encoding (see the module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        signed_manifest::join(&self.signature, &self.manifest_bytes)
    }

    /// Splits the transport encoding. Checks only the framing; use
    /// [`verify_manifest`] to trust the content.
    pub fn from_bytes(bytes: &[u8]) -> Result<SignedManifest, SessionError> {
        let (signature, body) = signed_manifest::split(bytes).map_err(|e| match e {
            signed_manifest::FramingError::UnsupportedVersion(v) => {
                SessionError::UnsupportedVersion(u32::from(v))
            }
            _ => SessionError::BadSignedManifest,
        })?;
        if body.len() > super::manifest::MAX_MANIFEST_LEN {
            return Err(SessionError::TooLarge(body.len()));
        }
        Ok(SignedManifest {
            manifest_bytes: body.to_vec(),
            signature: *signature,
        })
    }

    /// Checks the hash against `expected`, parses the canonical manifest and
    /// verifies the organizer's signature (strict RFC 8032 verification).
    pub fn verify(&self, expected: &ManifestHash) -> Result<VerifiedManifest, SessionError> {
        let hash = self.hash();
        if hash != *expected {
            return Err(SessionError::HashMismatch {
                expected: *expected,
                actual: hash,
            });
        }
        let manifest = Manifest::from_canonical_bytes(&self.manifest_bytes)?;
        let key = manifest.organizer.verifying_key()?;
        let signature = Signature::from_bytes(&self.signature);
        key.verify_strict(&signed_message(&self.manifest_bytes), &signature)
            .map_err(|_| SessionError::BadSignature)?;
        Ok(VerifiedManifest {
            manifest,
            hash,
            signed: self.clone(),
        })
    }
}

/// Decodes a [`SignedManifest`] fetched from the relay and accepts it only
/// if its hash equals `expected_hash` (from the invite link) and the
/// organizer's signature verifies. DESIGN.md section 3, "Envelopes".
pub fn verify_manifest(
    bytes: &[u8],
    expected_hash: &ManifestHash,
) -> Result<VerifiedManifest, SessionError> {
    SignedManifest::from_bytes(bytes)?.verify(expected_hash)
}

/// [`verify_manifest`], and also checks that the manifest describes
/// `expected_session` (the session id of the invite link).
pub fn verify_manifest_for(
    bytes: &[u8],
    expected_session: &SessionId,
    expected_hash: &ManifestHash,
) -> Result<VerifiedManifest, SessionError> {
    let verified = verify_manifest(bytes, expected_hash)?;
    if verified.manifest.session_id != *expected_session {
        return Err(SessionError::SessionMismatch {
            expected: *expected_session,
            actual: verified.manifest.session_id,
        });
    }
    Ok(verified)
}
