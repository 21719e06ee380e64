//! The organizer's session draft: the one description of a session to
//! create that every front end reads — the CLI's draft file (`sotto
//! session create`), the `draft` of a `sotto simulate` scenario and the
//! options of the wasm package's `Organizer.create`.
//!
//! A draft is written like the manifest it becomes (`docs/session.md`):
//!
//! ```json
//! {"title": "Board seat",
//!  "kind": "vote",
//!  "schema": {"method": "plurality", "options": ["A", "B"], "reveal": "tally"},
//!  "committee": {"threshold": 1, "members": [..]},
//!  "policy": {"min_submissions": 5},
//!  "deadlines": {"closes_at": 1767225600},
//!  "single_use": 30}
//! ```
//!
//! `kind` and `schema` are [`SessionKind`]'s own tag and content, plus
//! `"income"` (an [`IncomeSpec`](sotto_core::apps::budget::IncomeSpec), which becomes a one-question survey). The
//! kind is an explicit field rather than a flattened enum because serde's
//! `flatten` cannot be combined with `deny_unknown_fields`, and a draft
//! refuses unknown fields so that a misspelt one is reported, not ignored.
//!
//! The committee's `members` is the one part that differs between front
//! ends, so [`SessionDraft`] is generic over it: [`MemberPublic`] entries
//! (names and public keys, the default), the CLI's entries that may name a
//! key file, a count of members whose keys `sotto simulate` generates, and
//! [`CommitteeMember`]s once resolved ([`SessionSpec`], what
//! [`crate::flows::create_session`] takes).
//!
//! Reading a draft checks its shape (the kind tag, the schema's fields,
//! each member's keys and fingerprint). The rules of the schema itself
//! (option counts, ranges, the threshold against the committee's size) are
//! the manifest's and are checked when the manifest is signed, before the
//! relay is contacted ([`SessionError`]).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use sotto_core::keyfile::MemberPublicKeys;
use sotto_core::session::read::{self, Json, ReadError};
use sotto_core::session::{
    Committee, CommitteeMember, Deadlines, Ed25519PublicKey, MANIFEST_VERSION, Manifest,
    OutputPolicy, SessionError, SessionKind, SignedManifest, VerifiedManifest, X25519PublicKey,
};
use sotto_wire::{MintRequest, TokenMode};

/// The draft's kind tag for an income survey: not a manifest kind, a
/// survey with one bounded number question ([`IncomeSpec::to_survey`](sotto_core::apps::budget::IncomeSpec::to_survey)).
pub const INCOME: &str = "income";

/// A session to create: everything in its manifest but the ids and keys
/// that the relay and the organizer's key supply, and the participant
/// links to mint. `M` is the committee's member list (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDraft<M = Vec<MemberPublic>> {
    /// Title.
    pub title: String,
    /// What the session is for (optional; the manifest's `description`,
    /// at most 2000 characters).
    pub description: Option<String>,
    /// What is asked: the kind and its schema.
    pub kind: SessionKind,
    /// The committee.
    pub committee: DraftCommittee<M>,
    /// Output policy (default: at least 5 submissions).
    pub policy: OutputPolicy,
    /// Submission window (default: none).
    pub deadlines: Deadlines,
    /// Single-use participant links to mint; 0 (the default): one open link.
    pub single_use: u32,
}

/// A draft whose committee is resolved to public keys: what
/// [`crate::flows::create_session`] signs and registers.
pub type SessionSpec = SessionDraft<Vec<CommitteeMember>>;

/// The committee part of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftCommittee<M> {
    /// Privacy threshold t (default floor((n-1)/2)).
    #[serde(default)]
    pub threshold: Option<u16>,
    /// The members, in index order (or, in a simulation, their number).
    pub members: M,
}

/// A committee member named by its public keys, as hex strings; what
/// `CommitteeMember.publicKeys()` returns plus a name fits.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberPublic {
    /// Display name, unique within the committee.
    pub name: String,
    /// X25519 public key (64 lowercase hex digits).
    pub x25519: String,
    /// Ed25519 public key (64 lowercase hex digits).
    pub ed25519: String,
    /// The keys' fingerprint, checked against them when given: it catches
    /// keys garbled on their way from the member.
    #[serde(default)]
    pub fingerprint: Option<String>,
}

/// Why a draft could not be read. Public data only: names, kinds and
/// fingerprints, never a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DraftError {
    /// The JSON does not parse or has the wrong shape.
    #[error("the draft: {0}")]
    Json(#[source] serde_json::Error),
    /// The kind is unknown or its schema has the wrong shape.
    #[error("the {kind:?} schema: {source}")]
    Schema {
        /// The draft's `kind`.
        kind: String,
        /// What serde reported.
        #[source]
        source: serde_json::Error,
    },
    /// A member's public key is not 64 lowercase hex digits.
    #[error("member {name:?}: {which} key: {source}")]
    Key {
        /// The member's name.
        name: String,
        /// `"x25519"` or `"ed25519"`.
        which: &'static str,
        /// What is wrong with the hex.
        #[source]
        source: sotto_wire::BadHex,
    },
    /// A member's fingerprint does not match its keys.
    #[error("member {name:?}: the fingerprint does not match the keys (the keys give {actual})")]
    Fingerprint {
        /// The member's name.
        name: String,
        /// The fingerprint of the keys given.
        actual: String,
    },
}

/// The kind from a draft's `kind` tag and `schema`: a [`SessionKind`] as
/// the manifest writes it, or [`INCOME`].
///
/// The schema is written back to JSON text and read by the core's
/// hand-written reader (`sotto_core::session::read`), the one that reads
/// manifests: a draft's kind and a manifest's are then read by the same
/// rules, and [`SessionDraft::read_json`] (the wasm organizer's reader)
/// shares this one. (Since session 12; serde's derived readers, used
/// before, also read a schema written as an array of its fields, which
/// neither a manifest nor the docs ever used.)
pub fn kind_of(kind: &str, schema: &Value) -> Result<SessionKind, DraftError> {
    let text = serde_json::to_string(schema).map_err(|source| DraftError::Schema {
        kind: kind.to_string(),
        source,
    })?;
    let json = read::parse(text.as_bytes()).map_err(|e| schema_error(kind, e))?;
    kind_of_json(kind, &json)
}

/// [`kind_of`] for a parsed schema.
fn kind_of_json(kind: &str, schema: &Json) -> Result<SessionKind, DraftError> {
    let read = if kind == INCOME {
        read::read_income(schema).map(|income| SessionKind::Survey(income.to_survey()))
    } else {
        read::kind_of(kind, schema)
    };
    read.map_err(|e| schema_error(kind, e))
}

fn schema_error(kind: &str, e: read::ReadError) -> DraftError {
    DraftError::Schema {
        kind: kind.to_string(),
        source: serde_json::Error::custom(e),
    }
}

/// A draft as written, before its kind is read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftFields<M> {
    title: String,
    #[serde(default)]
    description: Option<String>,
    kind: String,
    schema: Value,
    committee: DraftCommittee<M>,
    #[serde(default)]
    policy: OutputPolicy,
    #[serde(default)]
    deadlines: Deadlines,
    #[serde(default)]
    single_use: u32,
}

impl<M> TryFrom<DraftFields<M>> for SessionDraft<M> {
    type Error = DraftError;

    fn try_from(f: DraftFields<M>) -> Result<Self, DraftError> {
        Ok(SessionDraft {
            kind: kind_of(&f.kind, &f.schema)?,
            title: f.title,
            description: f.description,
            committee: f.committee,
            policy: f.policy,
            deadlines: f.deadlines,
            single_use: f.single_use,
        })
    }
}

impl<'de, M: Deserialize<'de>> Deserialize<'de> for SessionDraft<M> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        DraftFields::<M>::deserialize(d)?
            .try_into()
            .map_err(D::Error::custom)
    }
}

impl<M: serde::de::DeserializeOwned> SessionDraft<M> {
    /// Reads a draft from JSON text, keeping the typed error.
    pub fn from_json(text: &str) -> Result<Self, DraftError> {
        // From the bytes: the wasm modules then carry one JSON reader
        // (serde_json's `SliceRead`), not a second one for `&str`.
        let fields: DraftFields<M> =
            serde_json::from_slice(text.as_bytes()).map_err(DraftError::Json)?;
        fields.try_into()
    }
}

impl<M> SessionDraft<M> {
    /// The same draft with its member list replaced by `f(members)`.
    pub fn try_map_members<N, E>(
        self,
        f: impl FnOnce(M) -> Result<N, E>,
    ) -> Result<SessionDraft<N>, E> {
        Ok(SessionDraft {
            title: self.title,
            description: self.description,
            kind: self.kind,
            committee: DraftCommittee {
                threshold: self.committee.threshold,
                members: f(self.committee.members)?,
            },
            policy: self.policy,
            deadlines: self.deadlines,
            single_use: self.single_use,
        })
    }

    /// The participant tokens to mint.
    pub fn mint_request(&self) -> MintRequest {
        if self.single_use > 0 {
            MintRequest {
                mode: TokenMode::SingleUse,
                count: self.single_use,
                rate_per_min: 0,
            }
        } else {
            MintRequest {
                mode: TokenMode::OpenLink,
                count: 1,
                rate_per_min: 0,
            }
        }
    }
}

impl SessionDraft<Vec<MemberPublic>> {
    /// Reads a draft whose members give their public keys (the wasm
    /// package's `Organizer.create`) with the core's hand-written JSON
    /// reader (`sotto_core::session::read`) rather than serde's derived
    /// readers: the organizer's wasm module then carries no serde reader
    /// at all, about 25 KB gzipped (docs/wasm.md). It accepts and refuses
    /// what [`SessionDraft::from_json`] does (the tests read some forty
    /// drafts both ways), except for forms `JSON.stringify` never writes:
    /// a draft or committee written as an array of its fields (serde reads
    /// it, this refuses it), and within the schema, which serde parses
    /// into a `serde_json::Value` first, a repeated key (the `Value` keeps
    /// the last, this refuses it), a number beyond `f64`'s range in an
    /// ignored field (the other way round) and nesting exactly 128 deep;
    /// and an ε exactly a millionth of a thousandth off one, where a
    /// float's rounding decides (`sotto_core::session::read`'s module
    /// docs).
    pub fn read_json(bytes: &[u8]) -> Result<Self, DraftError> {
        let shape = |e: ReadError| DraftError::Json(serde_json::Error::custom(e));
        let json = read::parse(bytes).map_err(shape)?;
        let [
            title,
            description,
            kind,
            schema,
            committee,
            policy,
            deadlines,
            single_use,
        ] = read::fields(
            &json,
            [
                "title",
                "description",
                "kind",
                "schema",
                "committee",
                "policy",
                "deadlines",
                "single_use",
            ],
            true,
        )
        .map_err(shape)?;
        let kind = read::need(kind, "kind")
            .and_then(read::string)
            .map_err(shape)?;
        let schema = read::need(schema, "schema").map_err(shape)?;
        Ok(SessionDraft {
            title: read::need(title, "title")
                .and_then(read::string)
                .map_err(shape)?,
            description: read::opt(description, read::string).map_err(shape)?,
            committee: read::need(committee, "committee")
                .and_then(read_committee)
                .map_err(shape)?,
            policy: policy
                .map_or(Ok(OutputPolicy::default()), read::read_policy)
                .map_err(shape)?,
            deadlines: deadlines
                .map_or(Ok(Deadlines::default()), read::read_deadlines)
                .map_err(shape)?,
            single_use: single_use
                .map_or(Ok(0), |n| read::int(n, 0, u32::MAX.into()))
                .map_err(shape)? as u32,
            kind: kind_of_json(&kind, schema)?,
        })
    }

    /// The draft with every member's keys read and fingerprint checked.
    pub fn resolve(self) -> Result<SessionSpec, DraftError> {
        self.try_map_members(|members| members.iter().map(MemberPublic::resolve).collect())
    }
}

/// A draft's `committee` ([`SessionDraft::read_json`]).
fn read_committee(json: &Json) -> Result<DraftCommittee<Vec<MemberPublic>>, ReadError> {
    let [threshold, members] = read::fields(json, ["threshold", "members"], true)?;
    Ok(DraftCommittee {
        threshold: read::opt(threshold, |t| read::int(t, 0, u16::MAX.into()))?.map(|t| t as u16),
        members: read::list(read::need(members, "members")?, |m| {
            let [name, x25519, ed25519, fingerprint] =
                read::fields(m, ["name", "x25519", "ed25519", "fingerprint"], true)?;
            Ok(MemberPublic {
                name: read::string(read::need(name, "name")?)?,
                x25519: read::string(read::need(x25519, "x25519")?)?,
                ed25519: read::string(read::need(ed25519, "ed25519")?)?,
                fingerprint: read::opt(fingerprint, read::string)?,
            })
        })?,
    })
}

impl MemberPublic {
    /// The manifest's entry for this member, once its keys parse and its
    /// fingerprint, when given, matches them.
    pub fn resolve(&self) -> Result<CommitteeMember, DraftError> {
        let key = |which, source| DraftError::Key {
            name: self.name.clone(),
            which,
            source,
        };
        let x25519 = X25519PublicKey::from_hex(&self.x25519).map_err(|e| key("x25519", e))?;
        let ed25519 = Ed25519PublicKey::from_hex(&self.ed25519).map_err(|e| key("ed25519", e))?;
        if let Some(given) = &self.fingerprint {
            let actual = MemberPublicKeys { x25519, ed25519 }
                .fingerprint()
                .to_string();
            if given.trim() != actual {
                return Err(DraftError::Fingerprint {
                    name: self.name.clone(),
                    actual,
                });
            }
        }
        Ok(CommitteeMember {
            name: self.name.clone(),
            x25519,
            ed25519,
        })
    }
}

impl SessionSpec {
    /// The signed manifest for relay session `session` at `relay_url`.
    pub fn sign(
        &self,
        session: sotto_wire::SessionId,
        relay_url: &str,
        organizer: &ed25519_dalek::SigningKey,
    ) -> Result<(SignedManifest, VerifiedManifest), SessionError> {
        let n = self.committee.members.len();
        let manifest = Manifest {
            version: MANIFEST_VERSION,
            session_id: session,
            title: self.title.clone(),
            description: self.description.clone(),
            kind: self.kind.clone(),
            organizer: Ed25519PublicKey(organizer.verifying_key().to_bytes()),
            committee: Committee {
                threshold: self
                    .committee
                    .threshold
                    .unwrap_or_else(|| Committee::default_threshold(n)),
                members: self.committee.members.clone(),
            },
            deadlines: self.deadlines,
            policy: self.policy,
            relay_url: crate::relay::ws_url(relay_url),
        };
        let signed = SignedManifest::sign(&manifest, organizer)?;
        let verified = signed.verify(&signed.hash())?;
        Ok((signed, verified))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sotto_core::apps::budget::IncomeSpec;
    use sotto_core::keyfile::MemberKeys;

    fn public(name: &str) -> (MemberPublic, CommitteeMember) {
        let p = MemberKeys::generate(&mut crate::os_rng()).public();
        let entry = MemberPublic {
            name: name.into(),
            x25519: p.x25519.to_string(),
            ed25519: p.ed25519.to_string(),
            fingerprint: Some(p.fingerprint().to_string()),
        };
        let member = CommitteeMember {
            name: name.into(),
            x25519: p.x25519,
            ed25519: p.ed25519,
        };
        (entry, member)
    }

    fn vote_json(members: Value) -> Value {
        serde_json::json!({
            "title": "Board seat",
            "kind": "vote",
            "schema": {"method": "plurality", "options": ["A", "B"], "reveal": "tally"},
            "committee": {"threshold": 1, "members": members},
        })
    }

    /// The draft read by serde's derived reader and by the hand-written
    /// one ([`SessionDraft::read_json`]): both accept it or both refuse it,
    /// for the same kind of reason, and read the same draft.
    fn both(json: &Value) -> Result<SessionDraft, DraftError> {
        let text = json.to_string();
        let derived = SessionDraft::<Vec<MemberPublic>>::from_json(&text);
        let by_hand = SessionDraft::read_json(text.as_bytes());
        match (&derived, &by_hand) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
            (Err(a), Err(b)) => assert_eq!(
                std::mem::discriminant(a),
                std::mem::discriminant(b),
                "{text}: {a} / {b}"
            ),
            _ => panic!("the readers disagree on {text}: {derived:?} / {by_hand:?}"),
        }
        by_hand
    }

    #[test]
    fn both_readers_accept_and_refuse_the_same_drafts() {
        let (a, _) = public("a");
        let member = serde_json::json!({"name": "a", "x25519": a.x25519, "ed25519": a.ed25519});
        let base = vote_json(serde_json::json!([member]));
        let set = |path: &[&str], v: Value| {
            let mut j = base.clone();
            let mut at = &mut j;
            for key in &path[..path.len() - 1] {
                at = if let Ok(i) = key.parse::<usize>() {
                    &mut at[i]
                } else {
                    &mut at[*key]
                };
            }
            at[path[path.len() - 1]] = v;
            j
        };
        let income = serde_json::json!({"min": 0, "max": 10, "brackets": [0, 5]});
        let cases = [
            base.clone(),
            set(&["description"], Value::Null),
            set(&["description"], "why".into()),
            set(&["description"], 3.into()),
            set(&["policy"], Value::Null),
            set(
                &["policy"],
                serde_json::json!({"min_submissions": 2, "min_cell": 3}),
            ),
            set(&["policy"], serde_json::json!({"min_cell": 3})),
            set(
                &["policy"],
                serde_json::json!({"min_submissions": 2, "dp": {"epsilon": 0.5}}),
            ),
            // JavaScript's 0.1 + 0.2: within the tolerance of a float.
            set(
                &["policy"],
                serde_json::json!({"min_submissions": 2, "dp": {"epsilon": 0.1 + 0.2}}),
            ),
            set(
                &["policy"],
                serde_json::json!({"min_submissions": 2, "dp": {"epsilon": 0.0001}}),
            ),
            set(
                &["policy"],
                serde_json::json!({"min_submissions": 2, "dp": {"epsilon": 100.5}}),
            ),
            set(
                &["policy"],
                serde_json::json!({"min_submissions": 2, "dp": null}),
            ),
            set(&["policy"], serde_json::json!({"min_submissions": 2.0})),
            set(&["deadlines"], Value::Null),
            set(
                &["deadlines"],
                serde_json::json!({"opens_at": 1, "closes_at": null}),
            ),
            set(&["deadlines"], serde_json::json!({"closes_at": -1})),
            set(&["single_use"], Value::Null),
            set(&["single_use"], 0.into()),
            set(&["single_use"], 4_294_967_295_u64.into()),
            set(&["single_use"], 4_294_967_296_u64.into()),
            set(&["single_use"], (-1).into()),
            set(&["single_use"], 1.5.into()),
            set(&["title"], Value::Null),
            set(&["kind"], 7.into()),
            set(&["kind"], "check".into()),
            set(&["kind"], "income".into()),
            set(&["kind"], Value::Null),
            set(&["schema"], Value::Null),
            set(&["schema", "method"], "borda".into()),
            set(&["schema", "reveal"], "nothing".into()),
            set(&["committee"], Value::Null),
            set(&["committee", "threshold"], Value::Null),
            set(&["committee", "threshold"], 65_536.into()),
            set(&["committee", "members"], 3.into()),
            set(&["committee", "members", "0", "fingerprint"], Value::Null),
            set(&["committee", "members", "0", "fingerprint"], "ab".into()),
            set(&["committee", "members", "0", "role"], "x".into()),
            set(&["committee", "members", "0", "name"], Value::Null),
            set(&["committee", "extra"], 1.into()),
        ];
        let mut untitled = base.clone();
        untitled.as_object_mut().unwrap().remove("title");
        let mut incomes = Vec::new();
        for schema in [
            income.clone(),
            serde_json::json!({"min": 0, "max": 10}),
            serde_json::json!({"min": 0, "max": 10, "brackets": null}),
            serde_json::json!({"min": 0, "max": 10, "step": 1}),
            serde_json::json!({"min": 0}),
            serde_json::json!({"min": -9_223_372_036_854_775_808_i64, "max": 10}),
        ] {
            let mut j = set(&["kind"], "income".into());
            j["schema"] = schema;
            incomes.push(j);
        }
        for json in cases.iter().chain(&incomes).chain([&untitled]) {
            let _ = both(json);
        }
        // An ε from JavaScript's arithmetic reads as the thousandths it
        // was meant to be, both ways.
        let float = set(
            &["policy"],
            serde_json::json!({"min_submissions": 2, "dp": {"epsilon": 0.1 + 0.2}}),
        );
        let dp = both(&float).unwrap().policy.dp.unwrap();
        assert_eq!(dp.epsilon.milli(), 300);
        // Raw texts a `Value` cannot hold: a repeated key, bad JSON.
        for text in [
            r#"{"title": "a", "title": "b"}"#,
            r#"{"title": "t", "kind": "vote""#,
            "[]",
            "null",
        ] {
            let derived = SessionDraft::<Vec<MemberPublic>>::from_json(text);
            let by_hand = SessionDraft::read_json(text.as_bytes());
            assert!(
                matches!(
                    (&derived, &by_hand),
                    (Err(DraftError::Json(_)), Err(DraftError::Json(_)))
                ),
                "{text}: {derived:?} / {by_hand:?}"
            );
        }
    }

    #[test]
    fn a_draft_reads_like_its_manifest_and_resolves_its_members() {
        let (a, ma) = public("a");
        let (b, mb) = public("b");
        let entries: Vec<Value> = [&a, &b]
            .iter()
            .map(|m| {
                serde_json::json!({"name": m.name, "x25519": m.x25519, "ed25519": m.ed25519,
                                   "fingerprint": m.fingerprint})
            })
            .collect();
        let mut json = vote_json(entries.into());
        json["single_use"] = 3.into();
        json["deadlines"] = serde_json::json!({"closes_at": 100});
        let draft = both(&json).unwrap();
        assert_eq!(draft.kind.name(), "vote");
        assert_eq!(draft.policy, OutputPolicy::default());
        assert_eq!(draft.deadlines.closes_at, Some(100));
        assert_eq!(draft.mint_request().count, 3);
        let spec = draft.resolve().unwrap();
        assert_eq!(spec.committee.members, vec![ma, mb]);
        assert_eq!(spec.committee.threshold, Some(1));
        // The same through serde's Deserialize, as a scenario embeds it.
        let via_serde: SessionDraft<Vec<MemberPublic>> = serde_json::from_value(json).unwrap();
        assert_eq!(via_serde.resolve().unwrap(), spec);
    }

    #[test]
    fn a_description_goes_into_the_manifest_and_a_long_one_is_refused() {
        let (a, _) = public("a");
        let members = serde_json::json!([{"name": "a", "x25519": a.x25519, "ed25519": a.ed25519}]);
        let mut json = vote_json(members);
        json["committee"]["threshold"] = 0.into();
        let key = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
        let sign = |json: &Value| {
            SessionDraft::<Vec<MemberPublic>>::from_json(&json.to_string())
                .unwrap()
                .resolve()
                .unwrap()
                .sign(sotto_wire::SessionId([1; 16]), "ws://127.0.0.1:1/ws", &key)
        };
        // Without one, the manifest's encoding has no description field.
        let (_, plain) = sign(&json).unwrap();
        assert_eq!(plain.manifest.description, None);
        let encoded = serde_json::to_string(&plain.manifest).unwrap();
        assert!(!encoded.contains("description"), "{encoded}");
        json["description"] = "Which seat?\nOne answer each.".into();
        let (_, described) = sign(&json).unwrap();
        assert_eq!(
            described.manifest.description.as_deref(),
            Some("Which seat?\nOne answer each.")
        );
        json["description"] = "x".repeat(2001).into();
        let e = sign(&json).unwrap_err();
        assert!(
            matches!(
                &e,
                SessionError::InvalidManifest {
                    field: "description",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn an_income_draft_is_a_one_question_survey_and_a_count_is_a_committee() {
        let json = serde_json::json!({
            "title": "Income", "kind": "income", "schema": {"min": 0, "max": 1000},
            "committee": {"members": 3},
        });
        let draft: SessionDraft<u16> = serde_json::from_value(json).unwrap();
        assert_eq!(
            draft.kind,
            SessionKind::Survey(
                IncomeSpec {
                    min: 0,
                    max: 1000,
                    brackets: Vec::new()
                }
                .to_survey()
            )
        );
        assert_eq!(draft.committee.members, 3);
        assert_eq!(draft.committee.threshold, None);
    }

    #[test]
    fn bad_drafts_are_refused_with_typed_errors() {
        let (a, _) = public("a");
        let members = serde_json::json!([{"name": "a", "x25519": a.x25519, "ed25519": a.ed25519}]);
        let read = |json: Value| both(&json);

        let mut unknown_kind = vote_json(members.clone());
        unknown_kind["kind"] = "poll".into();
        let e = read(unknown_kind).unwrap_err();
        assert!(
            matches!(&e, DraftError::Schema { kind, .. } if kind == "poll"),
            "{e}"
        );
        assert!(e.to_string().contains("unknown variant"), "{e}");

        let mut bad_schema = vote_json(members.clone());
        bad_schema["schema"]["colour"] = "red".into();
        let e = read(bad_schema).unwrap_err();
        assert!(
            matches!(&e, DraftError::Schema { kind, .. } if kind == "vote"),
            "{e}"
        );
        assert!(std::error::Error::source(&e).is_some());

        // The old format (a field named after the kind) is refused, not
        // silently read as something else.
        let old = serde_json::json!({"title": "t", "vote": {}, "committee": {"members": []}});
        assert!(matches!(read(old).unwrap_err(), DraftError::Json(_)));

        let mut extra = vote_json(members.clone());
        extra["singleUse"] = 3.into();
        let e = read(extra).unwrap_err();
        assert!(matches!(&e, DraftError::Json(_)), "{e}");
        assert!(e.to_string().contains("singleUse"), "{e}");

        let mut short_key = vote_json(members.clone());
        short_key["committee"]["members"][0]["x25519"] = "abcd".into();
        let e = read(short_key).unwrap().resolve().unwrap_err();
        assert!(
            matches!(&e, DraftError::Key { name, which: "x25519", .. } if name == "a"),
            "{e}"
        );

        let mut wrong_fp = vote_json(members);
        wrong_fp["committee"]["members"][0]["fingerprint"] = "0000 1111".into();
        let e = read(wrong_fp).unwrap().resolve().unwrap_err();
        assert!(
            matches!(&e, DraftError::Fingerprint { name, .. } if name == "a"),
            "{e}"
        );
        assert!(e.to_string().contains("fingerprint does not match"), "{e}");
    }
}
