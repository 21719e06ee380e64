//! The bytes of one engine message: one round, one sender, one recipient,
//! a vector of field elements.
//!
//! ```text
//! offset size field
//! 0      1    version (1)
//! 1      8    computation instance id, little endian
//! 9      4    round, little endian
//! 13     2    sender (1-based member index)
//! 15     2    recipient (1-based member index)
//! 17     4    count of field elements
//! 21     16*count  canonical field elements
//! ```
//!
//! The transport authenticates the sender and binds the session; this
//! header lets a party check that the bytes were meant for this instance,
//! round and pair.

use super::error::EngineError;
use crate::field::{self, ENCODED_LEN, Fp};

/// Current engine message version.
pub const VERSION: u8 = 1;
/// Header length in bytes.
pub const HEADER_LEN: usize = 21;
/// Largest vector one message may carry (2^24 elements, 256 MiB).
pub const MAX_ELEMENTS: usize = 1 << 24;

/// A decoded engine message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Computation instance id.
    pub instance: u64,
    /// Round number.
    pub round: u32,
    /// Sender (1-based).
    pub from: u16,
    /// Recipient (1-based).
    pub to: u16,
    /// Payload: shares or opened values of this round.
    pub values: Vec<Fp>,
}

impl Message {
    /// Encodes the message.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.values.len() * ENCODED_LEN);
        out.push(VERSION);
        out.extend_from_slice(&self.instance.to_le_bytes());
        out.extend_from_slice(&self.round.to_le_bytes());
        out.extend_from_slice(&self.from.to_le_bytes());
        out.extend_from_slice(&self.to.to_le_bytes());
        out.extend_from_slice(&(self.values.len() as u32).to_le_bytes());
        field::encode_vec(&self.values, &mut out);
        out
    }

    /// Decodes and validates a message (version, lengths, canonical elements).
    pub fn decode(bytes: &[u8]) -> Result<Message, EngineError> {
        if bytes.len() < HEADER_LEN {
            return Err(EngineError::BadMessage("shorter than the header"));
        }
        if bytes[0] != VERSION {
            return Err(EngineError::BadMessage("unknown version"));
        }
        let u64_at = |i: usize| u64::from_le_bytes(array(&bytes[i..i + 8]));
        let u32_at = |i: usize| u32::from_le_bytes(array(&bytes[i..i + 4]));
        let u16_at = |i: usize| u16::from_le_bytes(array(&bytes[i..i + 2]));
        let count = u32_at(17) as usize;
        if count > MAX_ELEMENTS {
            return Err(EngineError::BadMessage("too many elements"));
        }
        if bytes.len() != HEADER_LEN + count * ENCODED_LEN {
            return Err(EngineError::BadMessage(
                "length does not match the element count",
            ));
        }
        Ok(Message {
            instance: u64_at(1),
            round: u32_at(9),
            from: u16_at(13),
            to: u16_at(15),
            values: field::decode_vec(&bytes[HEADER_LEN..])?,
        })
    }
}

/// The round an encoded message names (bytes 9 to 12 of the header),
/// without decoding the rest; `None` when the header is cut short.
pub fn round_of(bytes: &[u8]) -> Option<u32> {
    bytes.get(9..13).map(|b| u32::from_le_bytes(array(b)))
}

fn array<const N: usize>(s: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(s);
    a
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn round_trip_and_pinned_bytes() {
        let m = Message {
            instance: 7,
            round: 3,
            from: 1,
            to: 2,
            values: vec![Fp::ONE],
        };
        let bytes = m.encode();
        assert_eq!(
            hex::encode(&bytes),
            "01070000000000000003000000010002000100000001000000000000000000000000000000"
        );
        assert_eq!(Message::decode(&bytes).unwrap(), m);
    }

    #[test]
    fn rejects_malformed() {
        let m = Message {
            instance: 1,
            round: 0,
            from: 1,
            to: 2,
            values: vec![Fp::ONE, Fp::ZERO],
        };
        let bytes = m.encode();
        assert!(Message::decode(&bytes[..10]).is_err());
        assert!(Message::decode(&bytes[..bytes.len() - 1]).is_err());
        let mut v = bytes.clone();
        v[0] = 9;
        assert_eq!(
            Message::decode(&v),
            Err(EngineError::BadMessage("unknown version"))
        );
        let mut v = bytes.clone();
        v[HEADER_LEN + 15] = 0xff; // top byte of the first element: >= p
        v[HEADER_LEN..HEADER_LEN + 15].fill(0xff);
        assert!(matches!(
            Message::decode(&v),
            Err(EngineError::BadElement(_))
        ));
        let mut v = bytes;
        v[17..21].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Message::decode(&v).is_err());
    }
}
