//! The relay client and the committee member, shared by the native CLI and
//! the wasm package: the relay protocol over any [`relay::Socket`], the
//! member's byte formats ([`protocol`]), messages of any size in pieces
//! within the relay's frame limit ([`pieces`]), its sans-IO state machine
//! ([`member`]), the driver that runs it over any [`driver::Runtime`], and
//! the organizer's and participant's pure steps ([`session`]).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod driver;
pub mod flows;
pub mod member;
pub mod pieces;
pub mod protocol;
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
