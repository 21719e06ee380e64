//! The relay's errors: what can stop it from starting or serving.
//!
//! Refusals of single requests are not here: they are answered on the wire
//! ([`crate::store::StoreError`] maps to an error frame) and the relay keeps
//! running.

use crate::store::OpenError;

/// A configuration the relay cannot run with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `--store` is not a PostgreSQL URL.
    #[error("--store takes a postgres:// URL (the default store is SQLite in --data)")]
    StoreUrl,
    /// The TLS certificate or key could not be used.
    #[error("TLS: {path}: {reason}")]
    Tls {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A `--trusted-proxy` value is not an address or CIDR block.
    #[error(
        "--trusted-proxy takes an address or a CIDR block (10.0.0.0/8, 2001:db8::/32), not {0:?}"
    )]
    TrustedProxy(String),
    /// `--create-token` is not 64 hex digits.
    #[error("--create-token takes 64 hex digits (32 random bytes)")]
    CreateToken,
}

/// Why the relay could not start or stopped with a failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
    /// The configuration is not usable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The store did not open.
    #[error("opening the store in {location}")]
    Store {
        /// The SQLite directory, or "PostgreSQL" (never the URL).
        location: String,
        /// What failed.
        #[source]
        source: OpenError,
    },
    /// A socket operation failed (e.g. reading the listener's address).
    #[error("socket: {0}")]
    Io(#[from] std::io::Error),
    /// Serving connections failed.
    #[error("serving: {0}")]
    Serve(#[source] std::io::Error),
    /// A retention sweep (`sotto-relay gc`) failed.
    #[error("retention sweep: {0}")]
    Gc(String),
    /// The task stopping the store failed.
    #[error("stopping the store: {0}")]
    Stop(#[from] tokio::task::JoinError),
}
