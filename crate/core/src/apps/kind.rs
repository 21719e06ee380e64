//! The one place that lists the kinds of session: [`SessionKind`] (the
//! manifest's tagged `kind` with its schema) owns each kind's validation,
//! answer encoding and encoded length, and [`Computation`] pairs it with
//! the output policy and runs each kind's committee program. Each kind's code is in
//! its own folder ([`super::vote`], [`super::survey`], [`super::budget`],
//! [`super::check`]).

use std::fmt;

use serde::de::{Error as _, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::budget::{self, BudgetSchema};
use super::check::{self, CheckSpec};
use super::survey::{self, SurveySchema};
use super::validity::{Bundled, Encoding, agree_on_bundles};
use super::vote::{self, VoteSchema};
use super::{AnswerError, Outcome, Policy};
use crate::engine::{Ctx, EngineError};
use crate::field::Fp;
use crate::share::ShareVec;

/// The kind of session and its schema, as the manifest states it
/// (`"kind": "vote", "schema": {..}`).
///
/// Read by a hand-written [`Deserialize`] that wants the `kind` tag before
/// the `schema`, as every encoding Sotto writes has it (the canonical
/// manifest, a draft's kind, and `serde_json`'s sorted maps). serde's
/// derived adjacently tagged reader would also buffer a schema that comes
/// first through its `Content` type: a second deserializer of every schema
/// type, about 20 KB of each wasm module (docs/wasm.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "schema", rename_all = "snake_case")]
pub enum SessionKind {
    /// A vote among fixed options ([`super::vote`]).
    Vote(VoteSchema),
    /// A survey ([`super::survey`]).
    Survey(SurveySchema),
    /// A budget allocation ([`super::budget`]).
    Budget(BudgetSchema),
    /// A committee check: a dry run with a known answer that takes no
    /// answers ([`super::check`]).
    Check(CheckSpec),
}

/// The `kind` tag of [`SessionKind`].
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindTag {
    Vote,
    Survey,
    Budget,
    Check,
}

/// A key of [`SessionKind`]'s object; others are skipped, as serde's
/// derived reader does.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindKey {
    Kind,
    Schema,
    #[serde(other)]
    Other,
}

impl<'de> Deserialize<'de> for SessionKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SessionKind, D::Error> {
        d.deserialize_struct("SessionKind", &["kind", "schema"], KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = SessionKind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a session kind: {\"kind\": .., \"schema\": {..}}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SessionKind, A::Error> {
        let mut tag = None;
        let mut kind = None;
        while let Some(key) = map.next_key()? {
            match key {
                KindKey::Kind if tag.is_some() => return Err(A::Error::duplicate_field("kind")),
                KindKey::Kind => tag = Some(map.next_value()?),
                KindKey::Schema if kind.is_some() => {
                    return Err(A::Error::duplicate_field("schema"));
                }
                KindKey::Schema => {
                    kind = Some(match tag {
                        Some(KindTag::Vote) => SessionKind::Vote(map.next_value()?),
                        Some(KindTag::Survey) => SessionKind::Survey(map.next_value()?),
                        Some(KindTag::Budget) => SessionKind::Budget(map.next_value()?),
                        Some(KindTag::Check) => SessionKind::Check(map.next_value()?),
                        None => return Err(A::Error::custom("`kind` must come before `schema`")),
                    })
                }
                KindKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match (tag, kind) {
            (_, Some(kind)) => Ok(kind),
            (None, None) => Err(A::Error::missing_field("kind")),
            (Some(_), None) => Err(A::Error::missing_field("schema")),
        }
    }
}

/// Why a kind's schema is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// A vote field breaks a rule: the manifest field and the reason.
    #[error("{0}: {1}")]
    Field(&'static str, &'static str),
    /// A survey, budget or check schema breaks a rule.
    #[error("{0}")]
    Schema(String),
}

impl SessionKind {
    /// `"vote"`, `"survey"`, `"budget"` or `"check"` (the manifest's tag).
    pub fn name(&self) -> &'static str {
        match self {
            SessionKind::Vote(_) => "vote",
            SessionKind::Survey(_) => "survey",
            SessionKind::Budget(_) => "budget",
            SessionKind::Check(_) => "check",
        }
    }

    /// Checks the kind's own rules (texts are checked with the rest of the
    /// manifest).
    pub fn validate(&self) -> Result<(), SchemaError> {
        match self {
            SessionKind::Vote(v) => v.validate().map_err(|(f, r)| SchemaError::Field(f, r)),
            SessionKind::Survey(s) => s.validate().map_err(SchemaError::Schema),
            SessionKind::Budget(b) => b.validate().map_err(SchemaError::Schema),
            SessionKind::Check(c) => c.validate().map_err(SchemaError::Schema),
        }
    }

    /// Encodes and checks a participant's answer.
    pub fn encode(&self, answer: &Value) -> Result<Vec<Fp>, AnswerError> {
        match self {
            SessionKind::Vote(v) => vote::encode(v, answer),
            SessionKind::Survey(s) => survey::encode(s, answer),
            SessionKind::Budget(b) => budget::encode(b, answer),
            SessionKind::Check(_) => Err(AnswerError::Invalid(
                "a committee check takes no answers".into(),
            )),
        }
    }

    /// How an answer is encoded and the constraints a valid one meets
    /// (a check takes no answers: one unconstrained element, see
    /// [`SessionKind::len`]).
    pub fn encoding(&self) -> Encoding {
        match self {
            SessionKind::Vote(v) => vote::encoding(v),
            SessionKind::Survey(s) => survey::encoding(s).0,
            SessionKind::Budget(b) => budget::encoding(b),
            SessionKind::Check(_) => {
                let mut e = Encoding::default();
                e.alloc(1);
                e.with_bit_proof()
            }
        }
    }

    /// Length of an encoded answer.
    pub fn len(&self) -> usize {
        match self {
            SessionKind::Vote(v) => vote::encoding(v).len,
            SessionKind::Survey(s) => survey::encoding(s).0.len,
            SessionKind::Budget(b) => budget::encoding(b).len,
            // Nothing valid is ever submitted; a member still needs a
            // length to read (and discard) what a rogue client sends.
            SessionKind::Check(_) => 1,
        }
    }

    /// Whether an encoded answer is empty (never, for a valid schema).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a committee computes: a kind under an output policy
/// (`sotto_core::session::Manifest::computation` builds it from a manifest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Computation {
    /// The kind and its schema.
    pub kind: SessionKind,
    /// The output policy.
    pub policy: Policy,
}

impl Computation {
    /// `kind` under `policy`.
    pub fn new(kind: SessionKind, policy: Policy) -> Computation {
        Computation { kind, policy }
    }

    /// Encodes and checks a participant's answer ([`SessionKind::encode`]).
    pub fn encode(&self, answer: &Value) -> Result<Vec<Fp>, AnswerError> {
        self.kind.encode(answer)
    }

    /// Length of an encoded answer.
    pub fn len(&self) -> usize {
        self.kind.len()
    }

    /// Whether an encoded answer is empty (never, for a valid manifest).
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }

    /// What a committee member runs on the agreed log: first the members
    /// compare the public part tags position by position
    /// ([`super::validity::agree_on_bundles`], one round; tags that differ
    /// abort), then the computation runs on the kept submissions, whose
    /// tags become the inputs' identities ([`Ctx::set_input_ids`]);
    /// positions excluded before the computation (`None`: a settled
    /// complaint) and replayed bundles are added to the invalid count.
    /// `tags[k]` belongs to `submissions[k]` (ignored where `None`).
    pub async fn compute_bundled(
        &self,
        ctx: &Ctx,
        tags: &[Option<Fp>],
        submissions: &[ShareVec],
    ) -> Result<Outcome, EngineError> {
        if tags.len() != submissions.len() {
            return Err(EngineError::InvalidOperation(
                "one tag per submission is needed",
            ));
        }
        let fates = agree_on_bundles(ctx, tags).await?;
        let positions: Vec<usize> = (0..fates.len())
            .filter(|&k| fates[k] == Bundled::Kept)
            .collect();
        let kept: Vec<ShareVec> = positions.iter().map(|&k| submissions[k].clone()).collect();
        ctx.set_input_ids(positions.iter().filter_map(|&k| tags[k]).collect());
        let excluded = fates.len() - positions.len();
        let mut outcome = self.compute(ctx, &kept).await?;
        outcome.invalid += excluded as u64;
        // Counted indices refer to `kept`; report them in `submissions`.
        outcome.counted = outcome
            .counted
            .iter()
            .filter_map(|&k| positions.get(k).copied())
            .collect();
        Ok(outcome)
    }

    /// The committee program: each kind's computation under the policy,
    /// inside MPC over the agreed submissions.
    pub async fn compute(
        &self,
        ctx: &Ctx,
        submissions: &[ShareVec],
    ) -> Result<Outcome, EngineError> {
        let policy = self.policy;
        match &self.kind {
            SessionKind::Vote(v) => vote::tally(ctx, v, policy, submissions).await,
            SessionKind::Survey(s) => {
                survey::tally::tally_survey(ctx, s, policy, submissions).await
            }
            SessionKind::Budget(b) => budget::tally_budget(ctx, b, policy, submissions).await,
            SessionKind::Check(c) => check::run_check(ctx, c, submissions).await,
        }
    }
}
