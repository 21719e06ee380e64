//! The organizer's capability as the wasm package exports it
//! (`Organizer.exportCapability`, `Organizer.importCapability`): the relay,
//! the session, its signed manifest, the organizer's key and the session's
//! tokens, as JSON strings (hex). It is a secret: whoever holds it can close
//! the session and read the result.
//!
//! The reader is written by hand rather than derived (docs/wasm.md, "Third
//! round"). It accepts exactly what the derived reader with
//! `deny_unknown_fields` accepted: an object with each of the eight fields
//! once and no other, or an array of the eight values in field order; each
//! value a string, the token lists arrays of strings. `tests` compares the
//! two.

use std::fmt;

use serde::Serialize;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

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
        serde_json::from_slice::<Read>(bytes).ok().map(|r| r.0)
    }

    /// The capability from its fields in field order; `None` if one is
    /// missing.
    fn from_parts(
        text: [Option<String>; TEXT_FIELDS],
        lists: [Option<Vec<String>>; 2],
    ) -> Option<Capability> {
        let [
            Some(relay),
            Some(session),
            Some(manifest),
            Some(organizer_key),
            Some(organizer_token),
            Some(read_token),
        ] = text
        else {
            return None;
        };
        let [Some(member_tokens), Some(participant_tokens)] = lists else {
            return None;
        };
        Some(Capability {
            relay,
            session,
            manifest,
            organizer_key,
            organizer_token,
            read_token,
            member_tokens,
            participant_tokens,
        })
    }
}

/// The six string fields come first, then the two lists.
const TEXT_FIELDS: usize = 6;

/// [`Capability::from_json`]'s reader.
struct Read(Capability);

impl<'de> Deserialize<'de> for Read {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Read, D::Error> {
        d.deserialize_struct("Capability", &FIELDS, ReadVisitor)
    }
}

struct ReadVisitor;

fn not_a_capability<E: de::Error>() -> E {
    E::custom("not a capability")
}

impl<'de> Visitor<'de> for ReadVisitor {
    type Value = Read;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a capability")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Read, A::Error> {
        let mut text: [Option<String>; TEXT_FIELDS] = Default::default();
        let mut lists: [Option<Vec<String>>; 2] = Default::default();
        while let Some(key) = map.next_key::<String>()? {
            // An unknown or repeated key is refused before its value is read.
            let i = FIELDS
                .iter()
                .position(|f| *f == key)
                .ok_or_else(not_a_capability)?;
            if let Some(slot) = text.get_mut(i) {
                if slot.is_some() {
                    return Err(not_a_capability());
                }
                *slot = Some(map.next_value()?);
            } else if let Some(slot) = lists.get_mut(i - TEXT_FIELDS) {
                if slot.is_some() {
                    return Err(not_a_capability());
                }
                *slot = Some(map.next_value()?);
            }
        }
        Capability::from_parts(text, lists)
            .map(Read)
            .ok_or_else(not_a_capability)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Read, A::Error> {
        let mut text: [Option<String>; TEXT_FIELDS] = Default::default();
        let mut lists: [Option<Vec<String>>; 2] = Default::default();
        for slot in &mut text {
            *slot = Some(seq.next_element()?.ok_or_else(not_a_capability)?);
        }
        for slot in &mut lists {
            *slot = Some(seq.next_element()?.ok_or_else(not_a_capability)?);
        }
        Capability::from_parts(text, lists)
            .map(Read)
            .ok_or_else(not_a_capability)
    }
}

#[cfg(test)]
#[path = "capability_tests.rs"]
mod tests;
