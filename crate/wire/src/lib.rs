//! Versioned binary frames exchanged between clients and the relay.
//!
//! One WebSocket binary message carries one frame: a fixed 44-byte routing
//! header, then an opaque payload. The relay reads only the header (and, for
//! the control kinds in [`payload`], the small structured payloads it must
//! act on); ciphertext payloads are never interpreted. All integers are
//! big-endian.
//!
//! ```text
//! offset size field
//!      0    1 version          (VERSION = 1)
//!      1    1 kind             (Kind)
//!      2    1 tag              (kind-specific subtype, e.g. DeliveryKind)
//!      3    1 reserved         (0; ignored on receipt)
//!      4   16 session id
//!     20    2 from             (sender member index 1..=n, 0 = not a member)
//!     22    2 to               (recipient member, BROADCAST = all, 0 = relay)
//!     24    8 id               (request / idempotency id, echoed in replies)
//!     32    8 seq              (mailbox sequence number, or resume point)
//!     40    4 payload length   (must equal the bytes that follow)
//!     44    n payload
//! ```
//!
//! The encoding is pure (no I/O, no clock), so the same code runs in the
//! relay, the native client and the wasm client. Malformed input yields a
//! [`WireError`], never a panic.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod codes;
pub mod commitment;
mod ids;
pub mod payload;
pub mod presence;
mod reader;
pub mod receipt_tree;
pub mod signed_manifest;

pub use codes::{DeliveryKind, ErrorCode, Kind, Role, SessionState, TokenMode};
pub use commitment::{
    COMMITMENT_VERSION, PROOF_LEN, check_committed_bundle, commitment_len, commitment_prefix,
    committed_parts, encode_commitment, part_hash,
};
pub use ids::{BadHex, SessionId, Token, parse_hex, receipt};

#[doc(hidden)]
pub use hex as __hex;
pub use payload::{
    Bundle, CloseMarker, CreateParams, Created, ErrorBody, MintRequest, Results,
    SubmissionDelivery, TokenList, USED_TOKENS_PAGE, UsedTokens, Welcome,
};
pub use presence::{MemberPresence, Presence};
pub use reader::Reader;
pub use receipt_tree::{ProofAnswer, ProvenLeaf, RECEIPT_PAGE, ReceiptProof};
#[doc(hidden)]
pub use serde as __serde;

/// The only protocol version this code speaks.
pub const VERSION: u8 = 1;
/// Size in bytes of the fixed routing header.
pub const HEADER_LEN: usize = 44;
/// The frame size (routing header included) every relay accepts: the
/// default, and the documented minimum, of `sotto-relay --max-frame-bytes`.
/// Clients size what they send by it: `sotto_client::relay::RelayClient`
/// refuses to send a larger frame, and committee members cut larger
/// messages into pieces (`sotto_client::pieces`). This is the one place
/// the number is written.
pub const FRAME_LIMIT: usize = 1 << 20;
/// Recipient index meaning "every member of the session".
pub const BROADCAST: u16 = 0xFFFF;
/// Member index meaning "not a member" (participants, organizer, relay).
pub const NO_MEMBER: u16 = 0;

/// Errors from decoding frames and payloads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// The input ended before the header or a declared field was complete.
    #[error("truncated: needed {needed} bytes, got {got}")]
    Truncated {
        /// Bytes the decoder needed.
        needed: usize,
        /// Bytes that were available.
        got: usize,
    },
    /// The frame's version byte is not [`VERSION`].
    #[error("unsupported protocol version {0}")]
    UnsupportedVersion(u8),
    /// The frame is larger than the receiver accepts.
    #[error("frame of {len} bytes exceeds the limit of {max}")]
    TooLarge {
        /// Size of the offending frame or field.
        len: usize,
        /// The limit in force.
        max: usize,
    },
    /// Bytes remained after the declared payload or structure ended.
    #[error("{0} trailing bytes")]
    Trailing(usize),
    /// The kind byte names no known frame kind.
    #[error("unknown frame kind {0:#04x}")]
    UnknownKind(u8),
    /// An enumerated field held a value outside its range.
    #[error("invalid {field}: {value}")]
    InvalidValue {
        /// Name of the field.
        field: &'static str,
        /// The value found.
        value: u64,
    },
}

/// The routing header of a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// What the frame is.
    pub kind: Kind,
    /// Kind-specific subtype (0 when unused).
    pub tag: u8,
    /// The session this frame belongs to ([`SessionId::NONE`] before one exists).
    pub session: SessionId,
    /// Sender member index, or [`NO_MEMBER`].
    pub from: u16,
    /// Recipient member index, [`BROADCAST`], or 0 for the relay.
    pub to: u16,
    /// Request or idempotency id; replies echo it.
    pub id: u64,
    /// Mailbox sequence number or log position.
    pub seq: u64,
}

impl Header {
    /// A header of `kind` for `session` with every other field zero.
    pub fn new(kind: Kind, session: SessionId) -> Header {
        Header {
            kind,
            tag: 0,
            session,
            from: 0,
            to: 0,
            id: 0,
            seq: 0,
        }
    }
}

/// One decoded frame: header plus payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The routing header.
    pub header: Header,
    /// The payload: ciphertext, or a structure from [`payload`].
    pub payload: Vec<u8>,
}

impl Frame {
    /// A frame from its parts.
    pub fn new(header: Header, payload: Vec<u8>) -> Frame {
        Frame { header, payload }
    }

    /// Encodes header and payload into one message.
    pub fn encode(&self) -> Vec<u8> {
        encode(&self.header, &self.payload)
    }

    /// Decodes one frame, checking version, length and kind.
    pub fn decode(bytes: &[u8]) -> Result<Frame, WireError> {
        let (header, payload) = decode_ref(bytes)?;
        Ok(Frame {
            header,
            payload: payload.to_vec(),
        })
    }
}

/// Encodes a frame without building a [`Frame`] first.
pub fn encode(header: &Header, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.push(VERSION);
    out.push(header.kind as u8);
    out.push(header.tag);
    out.push(0);
    out.extend_from_slice(&header.session.0);
    out.extend_from_slice(&header.from.to_be_bytes());
    out.extend_from_slice(&header.to.to_be_bytes());
    out.extend_from_slice(&header.id.to_be_bytes());
    out.extend_from_slice(&header.seq.to_be_bytes());
    // Payloads never approach 4 GiB: frame limits are far smaller.
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// Decodes a frame, borrowing the payload from `bytes`.
pub fn decode_ref(bytes: &[u8]) -> Result<(Header, &[u8]), WireError> {
    let mut r = Reader::new(bytes);
    let version = r.u8()?;
    if version != VERSION {
        return Err(WireError::UnsupportedVersion(version));
    }
    if bytes.len() < HEADER_LEN {
        return Err(WireError::Truncated {
            needed: HEADER_LEN,
            got: bytes.len(),
        });
    }
    let kind = r.u8()?;
    let kind = Kind::try_from(kind).map_err(|_| WireError::UnknownKind(kind))?;
    let tag = r.u8()?;
    let _reserved = r.u8()?;
    let session = SessionId(r.array()?);
    let from = r.u16()?;
    let to = r.u16()?;
    let id = r.u64()?;
    let seq = r.u64()?;
    let len = r.u32()? as usize;
    let rest = r.rest();
    if rest.len() < len {
        return Err(WireError::Truncated {
            needed: HEADER_LEN + len,
            got: bytes.len(),
        });
    }
    if rest.len() > len {
        return Err(WireError::Trailing(rest.len() - len));
    }
    Ok((
        Header {
            kind,
            tag,
            session,
            from,
            to,
            id,
            seq,
        },
        rest,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Frame {
        let mut h = Header::new(Kind::Send, SessionId([0xAB; 16]));
        h.tag = 2;
        h.from = 1;
        h.to = 3;
        h.id = 0x0102_0304_0506_0708;
        h.seq = 9;
        Frame::new(h, b"ciphertext".to_vec())
    }

    #[test]
    fn pinned_bytes() {
        let bytes = sample().encode();
        let expected = "01070200abababababababababababababababab0001000301020304050607080000000000000009\
                        0000000a63697068657274657874";
        assert_eq!(hex::encode(&bytes), expected);
        assert_eq!(Frame::decode(&bytes).unwrap(), sample());
    }

    #[test]
    fn rejects_bad_frames() {
        let good = sample().encode();
        assert_eq!(
            Frame::decode(&[]),
            Err(WireError::Truncated { needed: 1, got: 0 })
        );
        let mut v2 = good.clone();
        v2[0] = 2;
        assert_eq!(Frame::decode(&v2), Err(WireError::UnsupportedVersion(2)));
        assert!(matches!(
            Frame::decode(&good[..20]),
            Err(WireError::Truncated { .. })
        ));
        assert!(matches!(
            Frame::decode(&good[..good.len() - 1]),
            Err(WireError::Truncated { .. })
        ));
        let mut long = good.clone();
        long.push(0);
        assert_eq!(Frame::decode(&long), Err(WireError::Trailing(1)));
        let mut kind = good;
        kind[1] = 0x70;
        assert_eq!(Frame::decode(&kind), Err(WireError::UnknownKind(0x70)));
    }

    #[test]
    fn token_hex_and_debug() {
        let t = Token([7; 32]);
        assert_eq!(Token::from_hex(&t.to_hex()), Ok(t.clone()));
        assert_eq!(format!("{t:?}"), "Token(<redacted>)");
        assert_ne!(t.digest(), t.0);
        let s = SessionId([0xab; 16]);
        assert_eq!(SessionId::from_hex(&s.to_hex()), Ok(s));
        let bad = Err(BadHex {
            what: "session id",
            expected_len: 32,
        });
        assert_eq!(SessionId::from_hex("zz"), bad);
        // One spelling: uppercase is refused, for ids and tokens alike.
        assert_eq!(SessionId::from_hex(&s.to_hex().to_uppercase()), bad);
        assert!(Token::from_hex(&t.to_hex().replace('0', "A")).is_err());
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
                let _ = Frame::decode(&bytes);
                if let Ok((_, p)) = decode_ref(&bytes) {
                    let _ = Bundle::decode(p);
                    let _ = Welcome::decode(p);
                    let _ = Created::decode(p);
                    let _ = Results::decode(p);
                    let _ = ErrorBody::decode(p);
                    let _ = SubmissionDelivery::decode(p);
                    let _ = TokenList::decode(p);
                    let _ = MintRequest::decode(p);
                    let _ = CreateParams::decode(p);
                }
            }

            #[test]
            fn header_round_trips(kind in prop::sample::select(vec![Kind::Hello, Kind::Submit, Kind::Deliver, Kind::Error]),
                                  tag: u8, session: [u8; 16], from: u16, to: u16, id: u64, seq: u64,
                                  payload in proptest::collection::vec(any::<u8>(), 0..64)) {
                let f = Frame::new(Header { kind, tag, session: SessionId(session), from, to, id, seq }, payload);
                prop_assert_eq!(Frame::decode(&f.encode()).unwrap(), f);
            }

            #[test]
            fn payload_decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
                let _ = Bundle::decode(&bytes);
                let _ = Welcome::decode(&bytes);
                let _ = Created::decode(&bytes);
                let _ = Results::decode(&bytes);
                let _ = ErrorBody::decode(&bytes);
            }
        }
    }
}
