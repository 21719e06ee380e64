//! The client side of Sotto, shared by the native CLI and the wasm package
//! (package `sotto-client`, above `sotto-core` and `sotto-wire`):
//!
//! - [`flows`]: every session flow written once (create, open an invite,
//!   submit, status, close, fetch and verify a result), generic over the
//!   socket; the front ends only connect and map errors;
//! - [`capability`]: the organizer's exported capability (the wasm
//!   package's `Organizer.exportCapability`) and its reader;
//! - [`draft`]: the organizer's session draft, one type for the CLI's draft
//!   file, `sotto simulate`'s scenarios and the wasm `Organizer.create`;
//! - [`session`]: the organizer's and participant's steps that need no I/O
//!   (sign a manifest, seal a submission, accept a result);
//! - [`relay`]: the relay protocol over any [`relay::Socket`];
//! - [`member`]: the committee member's sans-IO state machine, with its
//!   byte formats ([`protocol`]) and messages of any size in pieces within
//!   the relay's frame limit ([`pieces`]);
//! - [`receipts`]: the counted receipts members sign with the result, and
//!   a participant's check of its own;
//! - [`driver`]: runs the member over any [`driver::Runtime`];
//! - `native` (not on wasm32): the tokio socket, runtime and session
//!   operations of the CLI and the tests.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod capability;
pub mod draft;
pub mod driver;
pub mod flows;
pub mod keys;
pub mod member;
pub mod pieces;
mod positions;
pub mod protocol;
pub mod receipts;
pub mod relay;
pub mod session;

#[cfg(not(target_arch = "wasm32"))]
pub mod native;

/// The operating system's CSPRNG (`getrandom`; `crypto.getRandomValues` in
/// browsers): what the drivers pass to the core, which never draws
/// randomness itself. Panics only if the OS has no randomness.
pub fn os_rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
    rand_core::UnwrapErr(getrandom::SysRng)
}
