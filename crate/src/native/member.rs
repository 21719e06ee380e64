//! The native committee member: [`crate::client::member::MemberState`]
//! driven over tokio ([`run_member`]).

use std::time::Duration;

pub use crate::client::driver::{MemberConfig, Progress, fetch_manifest};
pub use crate::client::member::{MemberError, MemberState, Outgoing, check_manifest};

use super::relay_client::{ClientError, TokioSocket};
use crate::apps::Outcome;

/// The tokio runtime for [`crate::client::driver`].
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioRuntime;

impl crate::client::driver::Runtime for TokioRuntime {
    type Socket = TokioSocket;

    async fn connect(&self, url: &str) -> Result<TokioSocket, ClientError> {
        TokioSocket::connect(url).await
    }

    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }
}

/// Runs one member to its published result over tokio (see
/// [`crate::client::driver::run_member`]).
pub async fn run_member(cfg: MemberConfig) -> Result<Outcome, MemberError> {
    crate::client::driver::run_member(&TokioRuntime, cfg).await
}
