//! The relay client and the committee member, shared by the native CLI and
//! the wasm package: the relay protocol over any [`relay::Socket`], the
//! member's byte formats ([`protocol`]), messages of any size in pieces
//! within the relay's frame limit ([`pieces`]), its sans-IO state machine
//! ([`member`]), the driver that runs it over any [`driver::Runtime`], and
//! the organizer's and participant's pure steps ([`session`]).

pub mod driver;
pub mod member;
pub mod pieces;
pub mod protocol;
pub mod relay;
pub mod session;
