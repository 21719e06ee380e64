//! Identifiers and public keys that appear in manifests, invites and
//! envelopes, with their canonical text form (lowercase hex).

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use super::SessionError;

/// Decodes exactly `N` bytes from lowercase hex; anything else (uppercase,
/// wrong length, non-hex) is refused so that every value has one spelling.
pub(crate) fn hex_array<const N: usize>(
    s: &str,
    what: &'static str,
) -> Result<[u8; N], SessionError> {
    let bad = || SessionError::BadHex {
        what,
        expected_len: 2 * N,
    };
    if s.len() != 2 * N || s.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(bad());
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).map_err(|_| bad())?;
    Ok(out)
}

macro_rules! hex_id {
    ($(#[$doc:meta])* $name:ident, $len:expr, $what:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            /// Length of the raw value in bytes.
            pub const LEN: usize = $len;

            /// The raw bytes.
            pub fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }

            /// Lowercase hex, the canonical text form.
            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }

            /// Parses the canonical lowercase hex form.
            pub fn from_hex(s: &str) -> Result<Self, SessionError> {
                hex_array::<$len>(s, $what).map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.to_hex())
            }
        }

        impl FromStr for $name {
            type Err = SessionError;
            fn from_str(s: &str) -> Result<Self, SessionError> {
                Self::from_hex(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_hex())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::from_hex(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

hex_id!(
    /// A session identifier: 16 random bytes, written as 32 lowercase hex
    /// digits. Chosen by the organizer with [`SessionId::random`].
    SessionId,
    16,
    "session id"
);

hex_id!(
    /// SHA-256 (FIPS 180-4) of a manifest's canonical bytes: the identity of
    /// a manifest, carried in invite links.
    ManifestHash,
    32,
    "manifest hash"
);

hex_id!(
    /// A member's X25519 public key (RFC 7748 section 5, 32 bytes): the
    /// recipient key of HPKE submissions and of member-to-member channels.
    X25519PublicKey,
    32,
    "X25519 public key"
);

hex_id!(
    /// An Ed25519 public key (RFC 8032 section 5.1.5, 32 bytes): verifies a
    /// member's result signatures or the organizer's manifest signature.
    Ed25519PublicKey,
    32,
    "Ed25519 public key"
);

impl SessionId {
    /// Draws a fresh session id from `rng`.
    pub fn random(rng: &mut impl rand_core::CryptoRng) -> SessionId {
        let mut b = [0u8; 16];
        rng.fill_bytes(&mut b);
        SessionId(b)
    }
}

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
