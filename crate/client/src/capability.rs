//! The organizer's capability as the wasm package exports it
//! (`Organizer.exportCapability`, `Organizer.importCapability`): the relay,
//! the session, its signed manifest, the organizer's key and the session's
//! tokens, as JSON strings (hex). It is a secret: whoever holds it can close
//! the session and read the result.
//!
//! The reader is written by hand rather than derived (docs/wasm.md, "Third
//! round"), over the core's JSON reader (`sotto_core::session::read`), so
//! that the organizer's module carries no serde reader. It accepts exactly
//! what the derived reader with `deny_unknown_fields` accepted: an object
//! with each of the eight fields once and no other, or an array of the
//! eight values in field order; each value a string, the token lists
//! arrays of strings. `tests` compares the two.

use serde::Serialize;
use sotto_core::session::read::{self, Json};

/// The exported capability: every field as the organizer's JS app keeps
/// it, written with `serde_json` (by the caller: a `to_json` here would
/// instantiate serde_json's writer in this crate, and the different
/// inlining made the member module's `Value` writer 120 bytes larger). No
/// `Debug`: it holds the organizer's key and tokens.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Capability {
    /// The relay's WebSocket URL.
    pub relay: String,
    /// The relay's session id (hex).
    pub session: String,
    /// The signed manifest (hex of its bytes).
    pub manifest: String,
    /// The organizer's Ed25519 secret key (hex).
    pub organizer_key: String,
    /// The organizer token (hex).
    pub organizer_token: String,
    /// The read token (hex).
    pub read_token: String,
    /// The member tokens (hex), member 1 first.
    pub member_tokens: Vec<String>,
    /// The participant tokens minted so far (hex).
    pub participant_tokens: Vec<String>,
}

/// The JSON keys, in field order (the order of the array form).
const FIELDS: [&str; 8] = [
    "relay",
    "session",
    "manifest",
    "organizerKey",
    "organizerToken",
    "readToken",
    "memberTokens",
    "participantTokens",
];

impl Capability {
    /// Reads a capability from JSON; `None` when it is not one (the caller
    /// says so without repeating any of it: it may hold secrets).
    pub fn from_json(bytes: &[u8]) -> Option<Capability> {
        let json = read::parse(bytes).ok()?;
        let values: [Option<&Json>; 8] = match &json {
            Json::Object(_) => read::fields(&json, FIELDS, true).ok()?,
            Json::Array(items) if items.len() == FIELDS.len() => {
                std::array::from_fn(|i| items.get(i))
            }
            _ => return None,
        };
        let text = |v: Option<&Json>| match v? {
            Json::Str(s) => Some(s.clone()),
            _ => None,
        };
        let list = |v: Option<&Json>| match v? {
            Json::Array(items) => items.iter().map(|i| text(Some(i))).collect(),
            _ => None,
        };
        let [
            relay,
            session,
            manifest,
            key,
            organizer,
            reader,
            members,
            participants,
        ] = values;
        Some(Capability {
            relay: text(relay)?,
            session: text(session)?,
            manifest: text(manifest)?,
            organizer_key: text(key)?,
            organizer_token: text(organizer)?,
            read_token: text(reader)?,
            member_tokens: list(members)?,
            participant_tokens: list(participants)?,
        })
    }
}

#[cfg(test)]
#[path = "capability_tests.rs"]
mod tests;
