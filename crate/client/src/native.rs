//! The native drivers (not compiled for wasm32): the relay client over
//! tokio-tungstenite ([`relay_client`]), the committee member over tokio
//! ([`member`]) and the organizer's and participant's session operations
//! ([`session_ops`]).

pub mod member;
pub mod relay_client;
pub mod session_ops;
