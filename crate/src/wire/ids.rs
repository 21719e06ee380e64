//! Session ids and capability tokens.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A 16-byte session identifier, chosen at random by the relay.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SessionId(pub [u8; 16]);

impl SessionId {
    /// The all-zero id, used by frames that precede any session.
    pub const NONE: SessionId = SessionId([0; 16]);

    /// Lower-case hex, as used in links and HTTP paths.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 32 hex digits.
    pub fn from_hex(s: &str) -> Option<SessionId> {
        let mut out = [0u8; 16];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(SessionId(out))
    }
}

impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SessionId({})", self.to_hex())
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

    /// Parses 64 hex digits.
    pub fn from_hex(s: &str) -> Option<Token> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(Token(out))
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
