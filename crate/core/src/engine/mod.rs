//! The committee engine: a sans-IO state machine running the MPC protocol.
//!
//! A computation is an `async` program over a [`Ctx`]; a [`Party`] drives
//! it from incoming message bytes and hands back the bytes to send.
//! Protocols are written as straight-line code:
//!
//! ```
//! use sotto_core::engine::{network::Network, ops::arith, ops::bits::Need, Committee};
//! use sotto_core::field::Fp;
//! use sotto_core::share::deal;
//! # use rand_core::SeedableRng;
//! let committee = Committee::new(3);
//! let mut rng = chacha20::ChaCha20Rng::from_seed([1; 32]);
//! // Two participants' inputs, shared before the computation.
//! let a = deal(&[Fp::from(20u64)], 3, 1, &mut rng).unwrap();
//! let b = deal(&[Fp::from(22u64)], 3, 1, &mut rng).unwrap();
//! let outputs = Network::new(committee, 7)
//!     .run(|ctx| {
//!         let (a, b) = (a[ctx.me() - 1].clone(), b[ctx.me() - 1].clone());
//!         async move {
//!             let mut pool = ctx.preprocess(Need::lt(1, 32)).await?;
//!             let sum = arith::add(&a, &b)?;
//!             let less = ctx.lt(&a, &b, 32, &mut pool).await?;
//!             Ok((ctx.open(&sum).await?, ctx.open(&less).await?))
//!         }
//!     })
//!     .unwrap();
//! assert_eq!(outputs.values[0], (vec![Fp::from(42u64)], vec![Fp::ONE]));
//! ```
//!
//! Security model of this engine: honest majority (t < n/2), security
//! with abort against up to t members that deviate (verified
//! preprocessing by sacrifice, Beaver multiplication, every opening
//! checked with all n shares: see [`ops::prep`] and docs/engine.md),
//! malicious participants (their inputs are checked inside MPC by the
//! apps layer). A lie in an opening names the member when n >= 2t + 2
//! (then no t colluders can frame an honest member: `share`). Every round carries at most one message per pair of
//! members, whatever the number of values.

pub(crate) mod ctx;
mod deviation;
mod error;
pub mod message;
pub mod network;
pub mod ops;
mod party;

pub use ctx::{
    BoxRng, Committee, Ctx, LabelGuard, MAX_ROUNDS_AHEAD, Stats, Traffic, Transmit, Waiting,
};
pub use deviation::{Deviation, UnknownDeviation};
pub use error::EngineError;
pub use party::Party;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod privacy_tests;
