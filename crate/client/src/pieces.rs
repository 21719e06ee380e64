//! Member-to-member messages of any size, carried through the relay in
//! pieces that each fit one relay frame. Pure functions and one
//! [`Reassembler`]; no I/O.
//!
//! A committee round puts everything a member sends to one peer into one
//! message, and a large session's round is far bigger than the relay's
//! frame limit ([`sotto_wire::FRAME_LIMIT`]). The sender therefore cuts every
//! member message that would not fit one frame into pieces ([`split`]),
//! and the receiver puts them back together ([`Reassembler::accept`])
//! before anything else looks at the message. A message that fits is sent
//! as it is, so small messages cost nothing extra.
//!
//! Format of one piece (the payload of one relay `Send` frame; integers
//! big-endian):
//!
//! ```text
//! 0x03 || message id u64 || index u32 || count u32 || bytes (at least 1)
//! ```
//!
//! `message id` is random per message and sender, `index` runs from 0 to
//! `count - 1`, and the message is the concatenation of the pieces' bytes
//! in index order. Pieces are not authenticated one by one: the whole
//! message is (a channel frame's AEAD covers all of it, a Ready message is
//! signed), so a piece the relay altered, forged or mixed in makes the
//! reassembled message fail its own check, and a piece the relay withholds
//! leaves the message incomplete (the member then stalls with a clear
//! error, as for any withheld message).
//!
//! Memory is bounded ([`Limits`]): at most [`Limits::max_pending`]
//! incomplete messages per sender (a new one evicts that sender's oldest,
//! which only a sender that restarted mid-message leaves behind), none over
//! [`Limits::max_message`] bytes, and at most [`Limits::max_buffered`] bytes
//! over all senders (the oldest incomplete messages are evicted first).
//! Bad pieces are typed errors ([`PieceError`]); the member logs and
//! ignores them, since a piece carries no authentication to act on.

use std::collections::VecDeque;

/// First byte of a piece (beside the member message tags in
/// [`super::protocol`]).
pub const TAG_PIECE: u8 = 3;
/// Bytes of a piece before its data: tag, message id, index, count.
pub const PIECE_HEADER_LEN: usize = 1 + 8 + 4 + 4;
/// The largest member message payload one relay frame carries: the
/// relay's documented frame limit less the routing header. A member
/// message longer than this travels in pieces of at most this size.
pub const MAX_PAYLOAD: usize = sotto_wire::FRAME_LIMIT - sotto_wire::HEADER_LEN;
/// The largest whole member message (1 GiB): a bound on what a receiver
/// buffers for one message, checked by the sender too.
pub const MAX_MESSAGE: usize = 1 << 30;
/// Completed message ids remembered per receiver, so that a late
/// duplicate piece is recognized rather than starting a message that
/// never completes.
const REMEMBERED: usize = 4096;

/// Errors of splitting and reassembling.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PieceError {
    /// Not a piece: too short, another tag, or no data.
    #[error("malformed piece")]
    Malformed,
    /// The index is not below the count, or the count is 0 or more than a
    /// message of the largest size needs.
    #[error("piece {index} of {count} is out of range")]
    BadIndex {
        /// The piece's index.
        index: u32,
        /// The piece's count.
        count: u32,
    },
    /// A piece names another count than earlier pieces of its message.
    #[error("piece of message {id:#018x} says {count} pieces, earlier ones said {expected}")]
    Conflict {
        /// The message id.
        id: u64,
        /// The count in this piece.
        count: u32,
        /// The count of the earlier pieces.
        expected: u32,
    },
    /// This piece has arrived before (or its message is complete).
    #[error("duplicate piece {index} of message {id:#018x}")]
    Duplicate {
        /// The message id.
        id: u64,
        /// The piece's index.
        index: u32,
    },
    /// The message is, or would grow, larger than the limit.
    #[error("a member message of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// The message's size so far (or in full, when splitting).
        len: usize,
        /// The limit.
        max: usize,
    },
}

/// Cuts `message` into pieces whose payloads are at most `max_payload`
/// bytes. A message that fits is returned unchanged, as the only element.
/// `id` names the message (random per message, see the module docs).
pub fn split(message: Vec<u8>, id: u64, max_payload: usize) -> Result<Vec<Vec<u8>>, PieceError> {
    if message.len() <= max_payload {
        return Ok(vec![message]);
    }
    if message.len() > MAX_MESSAGE {
        return Err(PieceError::TooLarge {
            len: message.len(),
            max: MAX_MESSAGE,
        });
    }
    let data = max_payload.saturating_sub(PIECE_HEADER_LEN).max(1);
    let count = message.len().div_ceil(data);
    let count32 = u32::try_from(count).map_err(|_| PieceError::TooLarge {
        len: message.len(),
        max: MAX_MESSAGE,
    })?;
    Ok(message
        .chunks(data)
        .zip(0u32..)
        .map(|(chunk, index)| {
            let mut p = Vec::with_capacity(PIECE_HEADER_LEN + chunk.len());
            p.push(TAG_PIECE);
            p.extend_from_slice(&id.to_be_bytes());
            p.extend_from_slice(&index.to_be_bytes());
            p.extend_from_slice(&count32.to_be_bytes());
            p.extend_from_slice(chunk);
            p
        })
        .collect())
}

/// One decoded piece, borrowing its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece<'a> {
    /// The message id.
    pub id: u64,
    /// Position of this piece, from 0.
    pub index: u32,
    /// Pieces in the message.
    pub count: u32,
    /// This piece's bytes of the message.
    pub data: &'a [u8],
}

impl<'a> Piece<'a> {
    /// Decodes a piece (see the module docs). Checks the layout and that
    /// `index < count`, not the count against any limit.
    pub fn decode(bytes: &'a [u8]) -> Result<Piece<'a>, PieceError> {
        if bytes.len() <= PIECE_HEADER_LEN || bytes[0] != TAG_PIECE {
            return Err(PieceError::Malformed);
        }
        let be32 = |at: usize| {
            u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let mut id = [0u8; 8];
        id.copy_from_slice(&bytes[1..9]);
        let (index, count) = (be32(9), be32(13));
        if index >= count {
            return Err(PieceError::BadIndex { index, count });
        }
        Ok(Piece {
            id: u64::from_be_bytes(id),
            index,
            count,
            data: &bytes[PIECE_HEADER_LEN..],
        })
    }
}

/// How much a [`Reassembler`] may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest whole message, in bytes.
    pub max_message: usize,
    /// Incomplete messages kept per sender.
    pub max_pending: usize,
    /// Bytes of incomplete messages kept over all senders.
    pub max_buffered: usize,
}

impl Default for Limits {
    /// [`MAX_MESSAGE`] per message, 2 incomplete messages per sender (an
    /// honest sender has at most one in flight, plus one it abandoned when
    /// it restarted), 2 GiB in all.
    fn default() -> Limits {
        Limits {
            max_message: MAX_MESSAGE,
            max_pending: 2,
            max_buffered: 2 * MAX_MESSAGE,
        }
    }
}

#[derive(Debug)]
struct Partial {
    count: u32,
    /// (index, bytes), sorted by index. Plain vectors rather than B-trees
    /// here and below: a message has a few pieces, a reassembler a few
    /// messages, and each B-tree instantiation costs kilobytes of wasm in
    /// the browser member's module. Pieces arrive in order through the
    /// relay, so inserting is appending; a sender (a member, or the relay)
    /// that sends tiny pieces backwards only slows this member down,
    /// which either could do anyway by withholding messages.
    pieces: Vec<(u32, Vec<u8>)>,
    bytes: usize,
}

/// Puts pieces back together, per sender and message id, in any order.
#[derive(Debug, Default)]
pub struct Reassembler {
    limits: Limits,
    partial: Vec<((u16, u64), Partial)>,
    /// Incomplete messages, oldest first.
    arrival: VecDeque<(u16, u64)>,
    buffered: usize,
    /// The last [`REMEMBERED`] completed messages, oldest first.
    done_order: VecDeque<(u16, u64)>,
    evicted: u64,
}

impl Reassembler {
    /// An empty reassembler with the given limits.
    pub fn new(limits: Limits) -> Reassembler {
        Reassembler {
            limits,
            ..Reassembler::default()
        }
    }

    /// Bytes held in incomplete messages.
    pub fn buffered(&self) -> usize {
        self.buffered
    }

    /// Incomplete messages dropped to stay within the limits so far.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Takes one piece from sender `from`; returns the whole message when
    /// this piece completes it. On an error nothing is kept of this piece,
    /// and the rest of its message is dropped only for
    /// [`PieceError::TooLarge`].
    pub fn accept(&mut self, from: u16, bytes: &[u8]) -> Result<Option<Vec<u8>>, PieceError> {
        let p = Piece::decode(bytes)?;
        // Every piece carries at least one byte.
        if p.count as usize > self.limits.max_message {
            return Err(PieceError::BadIndex {
                index: p.index,
                count: p.count,
            });
        }
        let key = (from, p.id);
        let duplicate = PieceError::Duplicate {
            id: p.id,
            index: p.index,
        };
        if self.done_order.contains(&key) {
            return Err(duplicate);
        }
        let len = match self.partial.iter().find(|(k, _)| *k == key).map(|(_, m)| m) {
            Some(m) if m.count != p.count => {
                return Err(PieceError::Conflict {
                    id: p.id,
                    count: p.count,
                    expected: m.count,
                });
            }
            Some(m) if m.pieces.binary_search_by_key(&p.index, |(i, _)| *i).is_ok() => {
                return Err(duplicate);
            }
            Some(m) => m.bytes + p.data.len(),
            None => {
                self.make_room_for_sender(from);
                let fresh = Partial {
                    count: p.count,
                    pieces: Vec::new(),
                    bytes: 0,
                };
                self.partial.push((key, fresh));
                self.arrival.push_back(key);
                p.data.len()
            }
        };
        self.make_room(key, p.data.len());
        let max = self.limits.max_message.min(self.limits.max_buffered);
        if len > max || self.buffered + p.data.len() > self.limits.max_buffered {
            self.remove(key);
            self.evicted += 1;
            return Err(PieceError::TooLarge { len, max });
        }
        self.buffered += p.data.len();
        let Some((_, m)) = self.partial.iter_mut().find(|(k, _)| *k == key) else {
            return Ok(None);
        };
        let at = m
            .pieces
            .binary_search_by_key(&p.index, |(i, _)| *i)
            .unwrap_or_else(|at| at);
        m.pieces.insert(at, (p.index, p.data.to_vec()));
        m.bytes += p.data.len();
        if m.pieces.len() < m.count as usize {
            return Ok(None);
        }
        let Some(m) = self.remove(key) else {
            return Ok(None);
        };
        let mut whole = Vec::with_capacity(m.bytes);
        for (_, piece) in m.pieces {
            whole.extend_from_slice(&piece);
        }
        self.remember(key);
        Ok(Some(whole))
    }

    fn remove(&mut self, key: (u16, u64)) -> Option<Partial> {
        let at = self.partial.iter().position(|(k, _)| *k == key)?;
        let (_, m) = self.partial.swap_remove(at);
        self.buffered -= m.bytes;
        self.arrival.retain(|k| *k != key);
        Some(m)
    }

    /// Evicts `from`'s oldest incomplete messages until a new one fits.
    fn make_room_for_sender(&mut self, from: u16) {
        while self.arrival.iter().filter(|(f, _)| *f == from).count() >= self.limits.max_pending {
            let Some(&oldest) = self.arrival.iter().find(|(f, _)| *f == from) else {
                return;
            };
            self.remove(oldest);
            self.evicted += 1;
        }
    }

    /// Evicts the oldest incomplete messages other than `keep` until `len`
    /// more bytes fit in the budget.
    fn make_room(&mut self, keep: (u16, u64), len: usize) {
        while self.buffered + len > self.limits.max_buffered {
            let Some(&oldest) = self.arrival.iter().find(|k| **k != keep) else {
                return;
            };
            self.remove(oldest);
            self.evicted += 1;
        }
    }

    fn remember(&mut self, key: (u16, u64)) {
        if self.done_order.len() >= REMEMBERED {
            self.done_order.pop_front();
        }
        self.done_order.push_back(key);
    }
}

#[cfg(test)]
#[path = "pieces_tests.rs"]
mod tests;
