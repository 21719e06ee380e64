//! The native committee member: [`crate::member::MemberState`]
//! driven over tokio ([`run_member`]).

use std::time::Duration;

use crate::driver::MemberConfig;
use crate::member::MemberError;

use super::relay_client::TokioSocket;
use crate::relay::ClientError;
use sotto_core::apps::Outcome;

/// The tokio runtime for [`crate::driver`].
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioRuntime;

impl crate::driver::Runtime for TokioRuntime {
    type Socket = TokioSocket;

    async fn connect(&self, url: &str) -> Result<TokioSocket, ClientError> {
        TokioSocket::connect(url).await
    }

    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }

    fn unix_ms(&self) -> u64 {
        unix_ms()
    }
}

/// Milliseconds since the Unix epoch by the system clock (0 if the clock
/// is before 1970).
pub fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Runs one member to its published result over tokio (see
/// [`crate::driver::run_member`]).
pub async fn run_member(cfg: MemberConfig) -> Result<Outcome, MemberError> {
    crate::driver::run_member(&TokioRuntime, cfg).await
}
