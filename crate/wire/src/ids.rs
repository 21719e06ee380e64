//! Identifiers and capability tokens, with their one text form: lowercase
//! hex of exactly the right length. Every hex id in Sotto (session ids,
//! tokens, and the core's manifest hashes and public keys, made with
//! [`hex_id!`](crate::hex_id)) is parsed by [`parse_hex`], which refuses
//! uppercase, wrong lengths and non-hex characters so that every value has
//! one spelling.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A hex field with the wrong length, uppercase letters or non-hex
/// characters. Safe to show: it names the field, never its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{what} must be {expected_len} lowercase hex digits")]
pub struct BadHex {
    /// Which field.
    pub what: &'static str,
    /// Expected number of hex digits.
    pub expected_len: usize,
}

/// Decodes exactly `N` bytes from lowercase hex; anything else is refused.
pub fn parse_hex<const N: usize>(s: &str, what: &'static str) -> Result<[u8; N], BadHex> {
    let bad = BadHex {
        what,
        expected_len: 2 * N,
    };
    if s.len() != 2 * N || s.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(bad);
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).map_err(|_| bad)?;
    Ok(out)
}

/// Defines a public, fixed-length byte identifier whose text form is
/// lowercase hex parsed by [`parse_hex`]: `LEN`, `as_bytes`, `to_hex`,
/// `from_hex`, `Display`, `Debug`, `FromStr` and serde (as a hex string).
#[macro_export]
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
                $crate::__hex::encode(self.0)
            }

            /// Parses the canonical lowercase hex form.
            pub fn from_hex(s: &str) -> Result<Self, $crate::BadHex> {
                $crate::parse_hex::<$len>(s, $what).map($name)
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.to_hex())
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = $crate::BadHex;
            fn from_str(s: &str) -> Result<Self, $crate::BadHex> {
                Self::from_hex(s)
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_hex())
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as $crate::__serde::Deserialize>::deserialize(d)?;
                Self::from_hex(&s).map_err(<D::Error as $crate::__serde::de::Error>::custom)
            }
        }
    };
}

hex_id!(
    /// A session identifier: 16 random bytes, written as 32 lowercase hex
    /// digits, chosen by the organizer ([`SessionId::random`]). The relay
    /// keys everything by it.
    SessionId,
    16,
    "session id"
);

impl SessionId {
    /// The all-zero id, used by frames that precede any session.
    pub const NONE: SessionId = SessionId([0; 16]);

    /// Draws a fresh session id from `rng` (a CSPRNG).
    pub fn random(rng: &mut impl rand_core::CryptoRng) -> SessionId {
        let mut b = [0u8; 16];
        rng.fill_bytes(&mut b);
        SessionId(b)
    }
}

impl Default for SessionId {
    fn default() -> Self {
        SessionId::NONE
    }
}

/// A 32-byte capability token. Secret: redacted `Debug`, zeroized on drop,
/// compared in constant time. The relay stores only [`Token::digest`].
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Token(pub [u8; 32]);

impl Token {
    /// SHA-256 of the token: the form in which the relay stores it.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.0).into()
    }

    /// Lower-case hex, for links handed to people.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 lowercase hex digits ([`parse_hex`]).
    pub fn from_hex(s: &str) -> Result<Token, BadHex> {
        parse_hex::<32>(s, "token").map(Token)
    }
}

impl PartialEq for Token {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for Token {}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// SHA-256 of an encoded submission bundle: the receipt a participant keeps.
pub fn receipt(bundle: &[u8]) -> [u8; 32] {
    Sha256::digest(bundle).into()
}
