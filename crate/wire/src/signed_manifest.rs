//! The framing of a signed manifest, and the one thing in it the relay
//! reads: the submission window.
//!
//! ```text
//! offset  size  field
//!  0       4    magic "SOTM"
//!  4       1    version = 1
//!  5      64    Ed25519 signature (RFC 8032 section 5.1.6)
//! 69       ..   canonical manifest bytes (JSON, to the end)
//! ```
//!
//! The relay stores signed manifests as opaque blobs and never verifies
//! them (it holds no key to trust). It reads the window so that it can
//! refuse submissions before `opens_at` and close the session at
//! `closes_at`; reading it unverified gives the relay no power it did not
//! have, because only the organizer can register a manifest and the
//! signature binds the window for every client (which verifies it with
//! `sotto_core::session::SignedManifest::verify`).

use serde::{Deserialize, Serialize};

/// The magic bytes that open a signed manifest.
pub const MAGIC: &[u8; 4] = b"SOTM";
/// The version of the framing this crate writes and reads.
pub const VERSION: u8 = 1;
/// Magic, version and signature: the bytes before the manifest.
pub const HEADER_LEN: usize = 4 + 1 + 64;

/// Submission window, in unix seconds; `None` means "no deadline". A field
/// of the manifest (`deadlines`), defined here so that the relay and the
/// core read it with one type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadlines {
    /// Submissions are refused before this time.
    pub opens_at: Option<u64>,
    /// Submissions are refused from this time on; the computation may start.
    pub closes_at: Option<u64>,
}

/// Why bytes are not a signed manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FramingError {
    /// Shorter than the header, or without the magic bytes.
    #[error("not a signed manifest")]
    Malformed,
    /// A framing version this build does not read.
    #[error("unsupported signed-manifest version {0}")]
    UnsupportedVersion(u8),
}

/// Splits a signed manifest into its signature and its manifest bytes.
/// Checks only the framing.
pub fn split(bytes: &[u8]) -> Result<(&[u8; 64], &[u8]), FramingError> {
    if bytes.len() < HEADER_LEN || &bytes[..4] != MAGIC {
        return Err(FramingError::Malformed);
    }
    if bytes[4] != VERSION {
        return Err(FramingError::UnsupportedVersion(bytes[4]));
    }
    let signature = bytes[5..HEADER_LEN]
        .try_into()
        .map_err(|_| FramingError::Malformed)?;
    Ok((signature, &bytes[HEADER_LEN..]))
}

/// Joins a signature and manifest bytes into the framing [`split`] reads.
pub fn join(signature: &[u8; 64], manifest: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + manifest.len());
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(signature);
    out.extend_from_slice(manifest);
    out
}

/// The submission window a signed manifest declares; the default (no
/// deadlines) when the bytes are not a signed manifest or carry no window
/// the relay can read. Other manifest fields are ignored here.
pub fn submission_window(bytes: &[u8]) -> Deadlines {
    #[derive(Deserialize)]
    struct Window {
        #[serde(default)]
        deadlines: Deadlines,
    }
    split(bytes)
        .ok()
        .and_then(|(_, manifest)| serde_json::from_slice::<Window>(manifest).ok())
        .map(|w| w.deadlines)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_read_from_a_signed_manifest_and_defaults_otherwise() {
        let manifest =
            br#"{"version":1,"deadlines":{"opens_at":10,"closes_at":20},"kind":{"x":1}}"#;
        let signed = join(&[7; 64], manifest);
        assert_eq!(split(&signed), Ok((&[7; 64], &manifest[..])));
        let w = submission_window(&signed);
        assert_eq!((w.opens_at, w.closes_at), (Some(10), Some(20)));
        assert_eq!(submission_window(manifest), Deadlines::default());
        assert_eq!(
            submission_window(&join(&[0; 64], b"not json")),
            Deadlines::default()
        );
        // Only the window is read: a framed blob that is not a valid
        // manifest (here, closing before it opens) still has its window
        // enforced, which can only refuse submissions.
        let odd = join(&[0; 64], br#"{"deadlines":{"opens_at":20,"closes_at":10}}"#);
        assert_eq!(submission_window(&odd).closes_at, Some(10));
        let unreadable = join(&[0; 64], br#"{"deadlines":{"opens_at":"soon"}}"#);
        assert_eq!(submission_window(&unreadable), Deadlines::default());
        let mut other = signed.clone();
        other[4] = 2;
        assert_eq!(split(&other), Err(FramingError::UnsupportedVersion(2)));
        assert_eq!(split(&signed[..68]), Err(FramingError::Malformed));
    }
}
