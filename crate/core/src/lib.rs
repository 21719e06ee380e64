//! # Sotto
//!
//! Private group decisions on the web: surveys, votes and budgets computed by
//! secure multi-party computation, so that nobody (not the relay, not the
//! organizer, not fewer than the threshold of committee members) learns an
//! individual answer; only the agreed result is revealed.
//!
//! ```text
//!  participant ──shares (HPKE)──▶ relay (ciphertext only) ──▶ committee members
//!                                                             │  sans-IO engine
//!                                   signed result  ◀──────────┘  (this crate)
//! ```
//!
//! The core is sans-IO: [`engine::Party`] is fed message bytes and hands back
//! the bytes to send; it owns no socket, no clock and no OS randomness (the
//! caller passes a CSPRNG). Drivers are thin: an in-memory test network
//! ([`engine::network`]), the tokio transport of the native CLI, and the
//! browser WebSocket transport of the wasm package.
//!
//! Module map:
//! - [`field`]: arithmetic in the prime field of order 2^127 - 1;
//! - [`share`]: Shamir sharing, reconstruction with consistency checks;
//! - [`engine`]: the committee protocol (multiplication, comparisons, argmax,
//!   order statistics) as a sans-IO state machine;
//! - [`envelope`], [`session`], [`keyfile`]: end-to-end encryption,
//!   manifests and invites, passphrase-protected member keys.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod apps;
pub mod engine;
pub mod envelope;
pub mod field;
pub mod keyfile;
pub mod session;
pub mod share;
pub mod small_map;
