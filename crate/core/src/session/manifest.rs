//! The session manifest: what is asked, who computes, under which policy,
//! in one canonical byte string signed by the organizer.
//!
//! Canonical form: `serde_json` compact output of [`Manifest`], whose
//! structs serialize their fields in declaration order, contain no maps and
//! always write optional fields (as `null`). A decoder re-encodes what it
//! parsed and refuses the input unless the bytes are identical, so one
//! manifest has exactly one encoding and therefore one hash.

use serde::{Deserialize, Serialize};

use super::{Ed25519PublicKey, JsonError, SessionError, SessionId, X25519PublicKey};
use crate::apps::vote::VoteMethod;
use crate::apps::{Computation, Policy, SchemaError, SessionKind};

/// Version of the manifest format written in [`Manifest::version`]. 2:
/// answers end with the proof that their bits are bits, and number
/// questions with buckets carry their cell (`crate::apps::bit_proof`); a
/// client of version 1 would send answers every member refuses, so it
/// must refuse these manifests instead.
pub const MANIFEST_VERSION: u32 = 2;
/// Largest committee supported (member indices are 1..=31).
pub const MAX_MEMBERS: usize = 31;
/// Largest accepted manifest encoding, in bytes.
pub const MAX_MANIFEST_LEN: usize = 64 * 1024;
/// Default [`OutputPolicy::min_submissions`].
pub const DEFAULT_MIN_SUBMISSIONS: u32 = 5;

const MAX_NAME_CHARS: usize = 64;
const MAX_TITLE_CHARS: usize = 200;
/// Longest [`Manifest::description`], in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Longest description of one survey question
/// ([`Question::description`](crate::apps::survey::Question::description)),
/// in characters: a line or two under the question, not a second session
/// description.
pub const MAX_QUESTION_DESCRIPTION_CHARS: usize = 500;
const MAX_URL_LEN: usize = 2048;

/// A session manifest. Field order is the canonical order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Format version, [`MANIFEST_VERSION`].
    pub version: u32,
    /// The session this manifest describes.
    pub session_id: SessionId,
    /// Human-readable title.
    pub title: String,
    /// What the session is for, in the organizer's words (optional; at
    /// most [`MAX_DESCRIPTION_CHARS`] characters, line breaks allowed).
    /// Absent from the encoding when `None`, so manifests without one
    /// keep their hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What is asked and how answers are encoded.
    pub kind: SessionKind,
    /// The organizer's Ed25519 key: the manifest signature must verify under
    /// it. Being inside the hashed bytes, it is pinned by the invite link.
    pub organizer: Ed25519PublicKey,
    /// Who computes, and the privacy threshold.
    pub committee: Committee,
    /// When submissions open and close.
    pub deadlines: Deadlines,
    /// What may be revealed, enforced inside the computation.
    pub policy: OutputPolicy,
    /// WebSocket URL of the relay carrying this session (`ws://` or `wss://`).
    pub relay_url: String,
}

/// The committee: members in index order (member `i` is at position
/// `i - 1`; its index is also its Shamir evaluation point).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Committee {
    /// Privacy threshold t: any t members together learn nothing; t + 1
    /// signatures accept a result. Requires 2t + 1 <= n.
    pub threshold: u16,
    /// The members, 1..=[`MAX_MEMBERS`] of them.
    pub members: Vec<CommitteeMember>,
}

/// One committee member's public identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitteeMember {
    /// Display name, unique within the committee.
    pub name: String,
    /// Encryption key (HPKE recipient, channel DH).
    pub x25519: X25519PublicKey,
    /// Signing key (result signatures).
    pub ed25519: Ed25519PublicKey,
}

pub use sotto_wire::signed_manifest::Deadlines;

/// Output policy, enforced inside the computation before anything is
/// opened (see `docs/apps.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputPolicy {
    /// Fewest valid submissions for which a result is revealed (>= 1).
    pub min_submissions: u32,
    /// Surveys: histogram and cross-tab cells below this count are
    /// reported as suppressed; only the suppression decision is opened.
    /// Written only when set, so manifests without it keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_cell: Option<u32>,
    /// Differential privacy for released counts and sums
    /// (`crate::apps::dp`). Written only when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dp: Option<DpPolicy>,
}

impl Default for OutputPolicy {
    fn default() -> Self {
        OutputPolicy {
            min_submissions: DEFAULT_MIN_SUBMISSIONS,
            min_cell: None,
            dp: None,
        }
    }
}

/// Differential privacy settings: `{"epsilon": 1.0}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DpPolicy {
    /// The privacy budget for everything the result releases, split over
    /// the released quantities as `docs/apps.md` describes.
    pub epsilon: Epsilon,
}

/// A privacy parameter ε held exactly, in thousandths, from 0.001 to 100.
///
/// It is written as a JSON number with at most three decimals (the
/// shortest form that reads back to the same value, e.g. `0.5`, `1.0`,
/// `0.125`), so a manifest carrying it keeps one canonical encoding;
/// numbers with more precision are refused rather than rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Epsilon(u32);

impl Epsilon {
    /// Largest ε, in thousandths (ε = 100).
    pub const MAX_MILLI: u32 = 100_000;

    /// ε = `milli` / 1000, for `milli` in 1..=[`Self::MAX_MILLI`].
    pub fn from_milli(milli: u32) -> Option<Epsilon> {
        (1..=Self::MAX_MILLI)
            .contains(&milli)
            .then_some(Epsilon(milli))
    }

    /// ε in thousandths.
    pub fn milli(self) -> u32 {
        self.0
    }

    /// ε as a float (for display).
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 1000.0
    }

    /// Reads a float with at most three decimals.
    pub fn from_f64(x: f64) -> Result<Epsilon, &'static str> {
        if !x.is_finite() || x <= 0.0 || x > f64::from(Self::MAX_MILLI) / 1000.0 {
            return Err("epsilon must be a number from 0.001 to 100");
        }
        let milli = (x * 1000.0).round();
        // Tolerate one unit in the last place from the decimal parser.
        if (x * 1000.0 - milli).abs() > 1e-6 {
            return Err("epsilon has at most three decimals");
        }
        Epsilon::from_milli(milli as u32).ok_or("epsilon must be a number from 0.001 to 100")
    }
}

impl Serialize for Epsilon {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Epsilon {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Epsilon, D::Error> {
        let x = f64::deserialize(d)?;
        Epsilon::from_f64(x).map_err(serde::de::Error::custom)
    }
}

impl Committee {
    /// Number of members n.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the committee has no member (never true once validated).
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The member with 1-based `index`, if any.
    pub fn member(&self, index: u16) -> Option<&CommitteeMember> {
        usize::from(index)
            .checked_sub(1)
            .and_then(|i| self.members.get(i))
    }

    /// The 1-based index of the member holding this Ed25519 key.
    pub fn index_of_ed25519(&self, key: &Ed25519PublicKey) -> Option<u16> {
        self.members
            .iter()
            .position(|m| m.ed25519 == *key)
            .and_then(|i| u16::try_from(i + 1).ok())
    }

    /// The 1-based index of the member holding this X25519 key.
    pub fn index_of_x25519(&self, key: &X25519PublicKey) -> Option<u16> {
        self.members
            .iter()
            .position(|m| m.x25519 == *key)
            .and_then(|i| u16::try_from(i + 1).ok())
    }

    /// Default threshold floor((n - 1) / 2) for n members.
    pub fn default_threshold(n: usize) -> u16 {
        u16::try_from(n.saturating_sub(1) / 2).unwrap_or(u16::MAX)
    }
}

fn check_text(field: &'static str, s: &str, max_chars: usize) -> Result<(), SessionError> {
    let invalid = |reason: &'static str| Err(SessionError::InvalidManifest { field, reason });
    if s.trim().is_empty() {
        return invalid("must not be empty");
    }
    if s.trim() != s {
        return invalid("must not start or end with whitespace");
    }
    if s.chars().count() > max_chars {
        return invalid("is too long");
    }
    if s.chars().any(char::is_control) {
        return invalid("must not contain control characters");
    }
    Ok(())
}

/// A description (of the session, `field` "description", or of a survey
/// question, "questions.description"): like a title (not blank, no
/// surrounding whitespace, no control characters) but line breaks are
/// allowed; `too_long` names the limit.
fn check_description(
    field: &'static str,
    s: &str,
    max_chars: usize,
    too_long: &'static str,
) -> Result<(), SessionError> {
    let invalid = |reason: &'static str| Err(SessionError::InvalidManifest { field, reason });
    if s.chars().count() > max_chars {
        return invalid(too_long);
    }
    if s.chars().any(|c| c.is_control() && c != '\n') {
        return invalid("must not contain control characters other than line breaks");
    }
    if s.trim().is_empty() {
        return invalid("must not be empty (leave it out instead)");
    }
    if s.trim() != s {
        return invalid("must not start or end with whitespace");
    }
    Ok(())
}

/// Bytes of the relay frame that carries one participant's answer of
/// `entries` field elements ([`SessionKind::len`]) to a committee of `n`
/// members with threshold `t`. [`Manifest::validate`] refuses a manifest
/// for which this exceeds [`sotto_wire::FRAME_LIMIT`]; the create page
/// asks the same function (through the wasm `answerSize`) to say so at
/// the field.
pub fn answer_frame_len(n: usize, t: usize, entries: usize) -> usize {
    // A participant's answer travels in one relay frame (and each part
    // in one delivery frame, 40 bytes more than the part: larger than
    // the bundle only for one member, hence the margin).
    sotto_wire::HEADER_LEN + 64 + crate::envelope::commitment::bundle_len(n, t, entries)
}

impl From<&OutputPolicy> for Policy {
    fn from(p: &OutputPolicy) -> Policy {
        Policy {
            min_submissions: u64::from(p.min_submissions),
            min_cell: p.min_cell.map(u64::from),
            dp_milli: p.dp.map(|d| d.epsilon.milli()),
        }
    }
}

impl Manifest {
    /// What the committee computes for this (validated) manifest: its kind
    /// under its output policy.
    pub fn computation(&self) -> Computation {
        Computation::new(self.kind.clone(), Policy::from(&self.policy))
    }

    /// Checks every rule a manifest must satisfy: version, texts, committee
    /// size 1..=31, 2t + 1 <= n, unique names and keys, valid Ed25519 keys,
    /// options non-empty and distinct, deadlines ordered, policy sane, relay
    /// URL a `ws://` or `wss://` URL.
    pub fn validate(&self) -> Result<(), SessionError> {
        let invalid = |field, reason| Err(SessionError::InvalidManifest { field, reason });
        if self.version != MANIFEST_VERSION {
            return Err(SessionError::UnsupportedVersion(self.version));
        }
        check_text("title", &self.title, MAX_TITLE_CHARS)?;
        if let Some(d) = &self.description {
            check_description(
                "description",
                d,
                MAX_DESCRIPTION_CHARS,
                "is too long (at most 2000 characters)",
            )?;
        }
        if let SessionKind::Survey(survey) = &self.kind {
            for d in survey
                .questions
                .iter()
                .filter_map(|q| q.description.as_ref())
            {
                check_description(
                    "questions.description",
                    d,
                    MAX_QUESTION_DESCRIPTION_CHARS,
                    "is too long (at most 500 characters per question)",
                )?;
            }
        }
        if let SessionKind::Vote(vote) = &self.kind {
            for opt in &vote.options {
                check_text("options", opt, MAX_NAME_CHARS)?;
            }
        }
        match self.kind.validate() {
            Ok(()) => {}
            Err(SchemaError::Field(field, reason)) => return invalid(field, reason),
            Err(SchemaError::Schema(reason)) => {
                return Err(SessionError::InvalidSchema {
                    kind: self.kind.name(),
                    reason,
                });
            }
        }
        self.organizer.verifying_key()?;
        let members = &self.committee.members;
        let n = members.len();
        if n == 0 || n > MAX_MEMBERS {
            return invalid("committee.members", "must have between 1 and 31 members");
        }
        if 2 * usize::from(self.committee.threshold) + 1 > n {
            return invalid("committee.threshold", "must satisfy 2t + 1 <= n");
        }
        for (i, m) in members.iter().enumerate() {
            check_text("committee.members.name", &m.name, MAX_NAME_CHARS)?;
            m.ed25519.verifying_key()?;
            if !crate::keyfile::usable_public_key(&m.x25519.0) {
                return invalid(
                    "committee.members.x25519",
                    "must be a canonical X25519 public key of a point with an output",
                );
            }
            let earlier = &members[..i];
            if earlier.iter().any(|e| e.name == m.name) {
                return invalid("committee.members.name", "must be distinct");
            }
            if earlier
                .iter()
                .any(|e| e.x25519 == m.x25519 || e.ed25519 == m.ed25519)
            {
                return invalid("committee.members", "the same key appears twice");
            }
        }
        let frame = answer_frame_len(n, usize::from(self.committee.threshold), self.kind.len());
        if frame > sotto_wire::FRAME_LIMIT {
            return Err(SessionError::InvalidSchema {
                kind: self.kind.name(),
                reason: format!(
                    "an answer would take {frame} bytes for {n} members, more than the \
                     relay's limit of {} bytes: ask fewer questions, narrow the number \
                     ranges, use fewer buckets or options, or choose fewer members",
                    sotto_wire::FRAME_LIMIT
                ),
            });
        }
        if let (Some(open), Some(close)) = (self.deadlines.opens_at, self.deadlines.closes_at)
            && close <= open
        {
            return invalid("deadlines", "closes_at must be after opens_at");
        }
        if self.policy.min_submissions == 0 {
            return invalid("policy.min_submissions", "must be at least 1");
        }
        // Only surveys publish histograms; a min_cell elsewhere would be
        // silently ignored, so it is refused (1, which suppresses
        // nothing, is accepted everywhere).
        if self.policy.min_cell.is_some_and(|c| c > 1)
            && !matches!(self.kind, SessionKind::Survey(_))
        {
            return invalid(
                "policy.min_cell",
                "applies to surveys only: votes and budgets publish no histogram cells",
            );
        }
        if let (Some(_), SessionKind::Vote(v)) = (self.policy.dp, &self.kind)
            && v.method == VoteMethod::Irv
        {
            return invalid(
                "policy.dp",
                "instant runoff reveals exact rounds and cannot add noise",
            );
        }
        let url = &self.relay_url;
        let rest = url
            .strip_prefix("wss://")
            .or_else(|| url.strip_prefix("ws://"));
        match rest {
            Some(host) if !host.is_empty() && url.len() <= MAX_URL_LEN => {}
            _ => return invalid("relay_url", "must be a ws:// or wss:// URL"),
        }
        if url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '#')
        {
            return invalid(
                "relay_url",
                "must not contain spaces, control characters or '#'",
            );
        }
        Ok(())
    }

    /// Reads a manifest from any JSON spelling, without the canonical
    /// check, with the hand-written reader (`session::read`): no wasm
    /// module carries serde's derived readers (docs/wasm.md). It accepts
    /// the manifests those accept (`Manifest::read_json_serde` is kept,
    /// for the tests, to compare).
    pub(crate) fn read_json(bytes: &[u8]) -> Result<Manifest, JsonError> {
        super::read::manifest(bytes)
    }

    /// [`Manifest::read_json`] through serde_json and the derived readers
    /// (the tests' reference).
    #[cfg(test)]
    pub(crate) fn read_json_serde(bytes: &[u8]) -> Result<Manifest, JsonError> {
        serde_json::from_slice(bytes).map_err(JsonError::from)
    }

    /// The canonical bytes (compact JSON in field order). Validates first.
    pub fn to_canonical_bytes(&self) -> Result<Vec<u8>, SessionError> {
        self.validate()?;
        serde_json::to_vec(self).map_err(|_| SessionError::Encoding)
    }

    /// Parses canonical bytes: refuses oversize input, malformed JSON,
    /// unknown fields, any encoding other than the canonical one
    /// ([`SessionError::NonCanonical`]) and invalid manifests.
    pub fn from_canonical_bytes(bytes: &[u8]) -> Result<Manifest, SessionError> {
        Manifest::from_canonical_bytes_with(bytes, Manifest::read_json)
    }

    /// [`Manifest::from_canonical_bytes`] with the JSON reader `read`
    /// (the tests run it with both).
    pub(crate) fn from_canonical_bytes_with(
        bytes: &[u8],
        read: fn(&[u8]) -> Result<Manifest, JsonError>,
    ) -> Result<Manifest, SessionError> {
        if bytes.len() > MAX_MANIFEST_LEN {
            return Err(SessionError::TooLarge(bytes.len()));
        }
        let manifest = read(bytes).map_err(SessionError::Malformed)?;
        let again = serde_json::to_vec(&manifest).map_err(|_| SessionError::Encoding)?;
        if again != bytes {
            return Err(SessionError::NonCanonical);
        }
        manifest.validate()?;
        Ok(manifest)
    }
}
