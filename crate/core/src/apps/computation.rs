//! One entry point for every kind of session: what a participant encodes
//! and what the committee computes, chosen from the manifest.

use serde_json::Value;

use super::budget::{self, BudgetSchema, tally_budget};
use super::check::{CheckSpec, run_check};
use super::survey::{self, SurveySchema};
use super::survey_tally::tally_survey;
use super::validity::{Bundled, agree_on_bundles};
use super::{AnswerError, Outcome, Policy, VoteSpec, encode_vote, tally_vote, vote_len};
use crate::engine::{Ctx, EngineError};
use crate::field::Fp;
use crate::session::{Manifest, SessionKind};
use crate::share::ShareVec;

/// The computation a manifest asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Computation {
    /// A vote.
    Vote(VoteSpec),
    /// A survey under its policy.
    Survey(SurveySchema, Policy),
    /// A budget allocation under its policy.
    Budget(BudgetSchema, Policy),
    /// A committee check (takes no answers).
    Check(CheckSpec),
}

impl Computation {
    /// The computation described by a validated manifest.
    pub fn from_manifest(m: &Manifest) -> Computation {
        let policy = Policy::from_manifest(&m.policy);
        match &m.kind {
            SessionKind::Vote(v) => Computation::Vote(VoteSpec::from_manifest(v, &m.policy)),
            SessionKind::Survey(s) => Computation::Survey(s.clone(), policy),
            SessionKind::Budget(b) => Computation::Budget(b.clone(), policy),
            SessionKind::Check(c) => Computation::Check(*c),
        }
    }

    /// Encodes and checks a participant's answer.
    pub fn encode(&self, answer: &Value) -> Result<Vec<Fp>, AnswerError> {
        match self {
            Computation::Vote(spec) => encode_vote(spec, answer),
            Computation::Survey(s, _) => survey::encode(s, answer),
            Computation::Budget(b, _) => budget::encode(b, answer),
            Computation::Check(_) => Err(AnswerError::Invalid(
                "a committee check takes no answers".into(),
            )),
        }
    }

    /// Length of an encoded answer.
    pub fn len(&self) -> usize {
        match self {
            Computation::Vote(spec) => vote_len(spec),
            Computation::Survey(s, _) => survey::encoding(s).0.len,
            Computation::Budget(b, _) => budget::encoding(b).len,
            // Nothing valid is ever submitted; a member still needs a
            // length to read (and discard) what a rogue client sends.
            Computation::Check(_) => 1,
        }
    }

    /// Whether an encoded answer is empty (never, for a valid manifest).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What a committee member runs on the agreed log: first the members
    /// compare the public part tags position by position
    /// ([`super::validity::agree_on_bundles`], one round), then the
    /// computation runs on the kept submissions, whose tags become the
    /// inputs' identities ([`Ctx::set_input_ids`]); positions whose tags
    /// disagree and replayed bundles are added to the invalid count.
    /// `tags[k]` belongs to `submissions[k]`.
    pub async fn compute_bundled(
        &self,
        ctx: &Ctx,
        tags: &[Fp],
        submissions: &[ShareVec],
    ) -> Result<Outcome, EngineError> {
        if tags.len() != submissions.len() {
            return Err(EngineError::InvalidOperation(
                "one tag per submission is needed",
            ));
        }
        let fates = agree_on_bundles(ctx, tags).await?;
        let (kept, ids): (Vec<ShareVec>, Vec<Fp>) = submissions
            .iter()
            .zip(tags)
            .zip(&fates)
            .filter(|(_, f)| **f == Bundled::Kept)
            .map(|((s, t), _)| (s.clone(), *t))
            .unzip();
        ctx.set_input_ids(ids);
        let excluded = fates.iter().filter(|f| **f != Bundled::Kept).count();
        let mut outcome = self.compute(ctx, &kept).await?;
        outcome.invalid += excluded as u64;
        Ok(outcome)
    }

    /// Runs the committee computation over the agreed submissions.
    pub async fn compute(
        &self,
        ctx: &Ctx,
        submissions: &[ShareVec],
    ) -> Result<Outcome, EngineError> {
        match self {
            Computation::Vote(spec) => tally_vote(ctx, spec, submissions).await,
            Computation::Survey(s, policy) => tally_survey(ctx, s, *policy, submissions).await,
            Computation::Budget(b, policy) => tally_budget(ctx, b, *policy, submissions).await,
            Computation::Check(c) => run_check(ctx, c, submissions).await,
        }
    }
}
