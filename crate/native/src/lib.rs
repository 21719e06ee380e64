//! What the native binaries (`sotto`, `sotto-relay`) share: logging
//! ([`init`]: `tracing` to stderr, filtered by `RUST_LOG`) and
//! [`relay_process`], the one launcher of `sotto-relay` child processes
//! (used by the relay's and the end-to-end tests and `sotto simulate`).
//!
//! Whatever `RUST_LOG` says, the WebSocket library's trace-level events
//! are dropped: they print every frame's payload in hex, and payloads
//! carry tokens (Hello) and ciphertexts. Sotto's own events never carry a
//! token, key or share (tests/tests/secrets.rs checks the whole session
//! at `RUST_LOG=trace`).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod relay_process;

use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Crates whose trace-level events dump frame payloads.
const FRAME_DUMPERS: [&str; 2] = ["tungstenite", "tokio_tungstenite"];

/// Whether an event or span may be logged at all (see the module docs).
///
/// On the relay's hot path: the WebSocket library logs through the `log`
/// crate, whose records have no callsite whose interest could be cached,
/// so this runs for each of its trace records (several per frame) and
/// must not allocate (it used to format two strings each time: about a
/// tenth of the relay's CPU under load).
pub fn allowed(meta: &tracing::Metadata<'_>) -> bool {
    *meta.level() != tracing::Level::TRACE
        || !FRAME_DUMPERS.iter().any(|c| {
            meta.target()
                .strip_prefix(c)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
        })
}

/// Installs the stderr logger: `RUST_LOG`, else `default` (e.g. "info").
/// Does nothing if a logger is already installed.
pub fn init(default: &str) {
    let env = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // The level filter outermost: its maximum level (info by default) is
    // the hint `try_init` sets as the `log` crate's maximum, so the
    // WebSocket library's trace records are skipped where they are made
    // instead of each being turned into an event and filtered here.
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_filter(tracing_subscriber::filter::filter_fn(allowed))
        .with_filter(env);
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

#[cfg(test)]
mod tests {
    #[test]
    fn frame_dumps_are_never_allowed() {
        use tracing::Level;
        use tracing::callsite::Identifier;
        use tracing::metadata::{Kind, Metadata};
        struct Cs;
        impl tracing::callsite::Callsite for Cs {
            fn set_interest(&self, _: tracing::subscriber::Interest) {}
            fn metadata(&self) -> &Metadata<'_> {
                unreachable!()
            }
        }
        static CS: Cs = Cs;
        let meta = |target: &'static str, level| {
            Metadata::new(
                "e",
                target,
                level,
                None,
                None,
                None,
                tracing::field::FieldSet::new(&[], Identifier(&CS)),
                Kind::EVENT,
            )
        };
        assert!(!super::allowed(&meta(
            "tungstenite::protocol::frame",
            Level::TRACE
        )));
        assert!(!super::allowed(&meta("tokio_tungstenite", Level::TRACE)));
        assert!(super::allowed(&meta("tungstenite::protocol", Level::DEBUG)));
        assert!(super::allowed(&meta("tungstenite_other", Level::TRACE)));
        assert!(super::allowed(&meta("sotto_relay::ws", Level::TRACE)));
    }
}
