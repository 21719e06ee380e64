//! What users come for: votes (and, next, surveys and budgets) as
//! encodings, validity checks inside MPC, and policy-bound results.
//!
//! The participant side calls [`encode_vote`] (which also explains what is
//! wrong with a bad answer); the committee side runs [`tally_vote`] inside
//! a [`crate::engine::Party`] on the submissions' share vectors. Its
//! [`Outcome`] is what every member signs and publishes:
//! `{"valid": 997, "invalid": 3, "result": {...}}`.
//!
//! Policy, enforced before anything but counts is opened:
//! - the number of valid submissions is opened first (it is part of every
//!   result); below `min_submissions` the result is
//!   `{"suppressed": "too few submissions"}` and nothing else is opened;
//! - `reveal: winner` opens only which options have the largest total
//!   (all of them on a tie), never the totals.

pub mod budget;
pub mod check;
pub mod computation;
pub mod dp;
#[cfg(any(test, not(target_arch = "wasm32")))]
pub mod forge;
pub mod irv;
pub mod quantile;
pub mod suppress;
pub mod survey;
pub mod survey_tally;
pub mod validity;
pub mod vote;

pub use computation::Computation;

use serde_json::{Value, json};

use crate::engine::ops::bits::Need;
use crate::engine::ops::stats::rank_bits;
use crate::engine::{Ctx, EngineError};
use crate::field::Fp;
use crate::share::ShareVec;

/// Why a participant's answer cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerError {
    /// A required field of the answer is missing.
    #[error("the answer needs a \"{0}\" field")]
    Missing(String),
    /// An option name that the session does not offer.
    #[error("\"{0}\" is not one of the options")]
    UnknownOption(String),
    /// A number outside its allowed range.
    #[error("{0}")]
    OutOfRange(String),
    /// Any other malformed answer, with an explanation.
    #[error("{0}")]
    Invalid(String),
}

/// What the committee computed, ready to sign.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Submissions that passed the validity check.
    pub valid: u64,
    /// Submissions that failed it (excluded from the result).
    pub invalid: u64,
    /// The result object allowed by the policy.
    pub result: Value,
}

impl Outcome {
    /// `{"valid": .., "invalid": .., "result": ..}`.
    pub fn to_json(&self) -> Value {
        json!({ "valid": self.valid, "invalid": self.invalid, "result": self.result })
    }
}

/// The output policy as the computations apply it (from
/// [`crate::session::OutputPolicy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Fewest valid submissions for which anything but the counts opens.
    pub min_submissions: u64,
    /// Surveys: histogram cells below this are reported as `"suppressed"`.
    pub min_cell: Option<u64>,
    /// Differential privacy budget ε in thousandths ([`dp`]).
    pub dp_milli: Option<u32>,
}

impl Policy {
    /// A policy with only a minimum number of submissions.
    pub fn min(min_submissions: u64) -> Policy {
        Policy {
            min_submissions,
            min_cell: None,
            dp_milli: None,
        }
    }

    /// The policy a manifest states.
    pub fn from_manifest(p: &crate::session::OutputPolicy) -> Policy {
        Policy {
            min_submissions: u64::from(p.min_submissions),
            min_cell: p.min_cell.map(u64::from),
            dp_milli: p.dp.map(|d| d.epsilon.milli()),
        }
    }
}

/// Bits needed to write `v` (at least 1).
pub fn bits_for(v: u64) -> u32 {
    (64 - v.leading_zeros()).max(1)
}

/// A vote's parameters for [`tally_vote`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteSpec {
    /// Counting method.
    pub method: vote::Method,
    /// Option names, in order.
    pub options: Vec<String>,
    /// Open only the winner(s) instead of every total.
    pub winner_only: bool,
    /// Fewest valid submissions for which anything beyond the counts is opened.
    pub min_submissions: u64,
    /// Differential privacy budget ε in thousandths: each member adds
    /// discrete Laplace noise of scale [`vote_dp_scale`] to every total
    /// ([`dp`]). Not applied to instant runoff, whose rounds are revealed
    /// exactly.
    pub dp_milli: Option<u32>,
}

/// The noise scale giving `epsilon`-DP to a vote's totals: the L1
/// sensitivity under replacing one ballot is twice the largest total one
/// ballot can contribute.
pub fn vote_dp_scale(method: &vote::Method, m: usize, milli: u32) -> u64 {
    let per_ballot = match method {
        vote::Method::Plurality => 1,
        vote::Method::Approval { max } => max.map_or(m as u64, |k| k as u64),
        vote::Method::Score { max } => m as u64 * *max as u64,
        vote::Method::Borda | vote::Method::Irv => (m * m.saturating_sub(1) / 2) as u64,
    };
    dp::scale(2 * per_ballot, milli)
}

impl VoteSpec {
    /// The vote described by a (validated) manifest.
    pub fn from_manifest(
        schema: &crate::session::VoteSchema,
        policy: &crate::session::OutputPolicy,
    ) -> VoteSpec {
        use crate::session::{Reveal, VoteMethod};
        let method = match schema.method {
            VoteMethod::Approval => vote::Method::Approval {
                max: schema.max_approvals,
            },
            VoteMethod::Score => vote::Method::Score {
                max: schema.max_score.unwrap_or(1),
            },
            VoteMethod::Borda => vote::Method::Borda,
            VoteMethod::Irv => vote::Method::Irv,
            _ => vote::Method::Plurality,
        };
        VoteSpec {
            method,
            options: schema.options.clone(),
            winner_only: schema.reveal == Reveal::Winner,
            min_submissions: policy.min_submissions as u64,
            dp_milli: policy.dp.map(|d| d.epsilon.milli()),
        }
    }
}

/// Encodes a ballot for `spec` (the participant's side).
pub fn encode_vote(spec: &VoteSpec, answer: &Value) -> Result<Vec<Fp>, AnswerError> {
    vote::encode(&spec.method, &spec.options, answer)
}

/// Length of an encoded ballot for `spec`.
pub fn vote_len(spec: &VoteSpec) -> usize {
    vote::encoding(&spec.method, spec.options.len()).len
}

/// Tallies a vote inside MPC: validity check, policy, result. Every member
/// passes its share vectors of the agreed submissions in the same order.
pub async fn tally_vote(
    ctx: &Ctx,
    spec: &VoteSpec,
    submissions: &[ShareVec],
) -> Result<Outcome, EngineError> {
    let m = spec.options.len();
    let enc = vote::encoding(&spec.method, m);
    let checked = validity::check_submissions(ctx, &enc, submissions).await?;
    if let Some(out) = checked.suppressed(spec.min_submissions) {
        return Ok(out);
    }
    let valid = checked.valid_count();
    // Sum of the valid ballots, then the per-option linear totals (local).
    let sum = checked.sum(enc.len);
    let totals: Vec<Fp> = vote::tally_map(&spec.method, m)
        .iter()
        .map(|terms| terms.iter().fold(Fp::ZERO, |a, (i, c)| a + *c * sum[*i]))
        .collect();
    let mut totals = ShareVec::from_values(totals);
    if spec.method == vote::Method::Irv {
        let result = irv::run(ctx, &spec.options, &checked.valid).await?;
        return Ok(checked.outcome(result));
    }
    let dp_scale = spec
        .dp_milli
        .map(|milli| vote_dp_scale(&spec.method, m, milli));
    if let Some(s) = dp_scale {
        totals = dp::add_noise(ctx, &totals, &vec![s; totals.len()]).await?;
    }
    // The largest exact total; opened totals above it cannot come from
    // valid ballots and are refused.
    let bound = valid
        .checked_mul(vote::max_points(&spec.method, m))
        .ok_or(EngineError::OutOfRange("vote totals beyond 64 bits"))?;
    let result = if spec.winner_only {
        // Noisy totals lie in (-H, bound + H) except with negligible
        // probability ([`dp::headroom`]): shifted by H they are
        // non-negative and below bound + 2H, so the comparisons see the
        // noisy totals exactly.
        let h = dp::headroom(ctx.n(), dp_scale.unwrap_or(0))?;
        let top = h
            .checked_mul(2)
            .and_then(|h2| h2.checked_add(bound))
            .ok_or(EngineError::OutOfRange("noisy vote totals beyond 64 bits"))?;
        let shifted = crate::engine::ops::arith::add_const(&totals, Fp::from(h));
        let is_max = maxima(ctx, &shifted, bits_for(top)).await?;
        vote::winner_json(&spec.options, &is_max)
    } else {
        let opened = ctx.open(&totals).await?;
        let counts = read_released(&opened, dp_scale.is_some(), bound)?;
        let mut out = json!({ "tally": vote::tally_json(&spec.options, &counts) });
        if spec.method == vote::Method::Borda && dp_scale.is_none() {
            // First preferences beside the Borda points.
            let firsts = ShareVec::from_values((0..m).map(|o| sum[o * m]).collect());
            let firsts = read_counts(&ctx.open(&firsts).await?, valid)?;
            out = json!({ "tally": vote::tally_json(&spec.options, &firsts), "scores": vote::tally_json(&spec.options, &counts) });
        }
        out
    };
    Ok(checked.outcome(with_dp_note(result, spec.dp_milli)))
}

/// Opened exact counts or sums as integers, each at most `max`. A value
/// above it (or a "negative" one, which reads as a huge field element)
/// cannot come from valid answers: it is refused with
/// [`EngineError::OutOfRange`], never truncated or wrapped.
pub fn read_counts(opened: &[Fp], max: u64) -> Result<Vec<u64>, EngineError> {
    opened
        .iter()
        .map(|v| {
            u64::try_from(v.value())
                .ok()
                .filter(|c| *c <= max)
                .ok_or(EngineError::OutOfRange(
                    "an opened count exceeds what the submissions allow",
                ))
        })
        .collect()
}

/// Opened released values as integers: noisy ones clamped at zero
/// ([`dp::clamp`]), exact ones each at most `max` ([`read_counts`]).
pub fn read_released(opened: &[Fp], noisy: bool, max: u64) -> Result<Vec<u64>, EngineError> {
    if noisy {
        opened.iter().map(|v| dp::clamp(*v)).collect()
    } else {
        read_counts(opened, max)
    }
}

/// Marks a noised result with `"dp": {"epsilon": ..}` so readers know its
/// numbers carry noise.
pub(crate) fn with_dp_note(mut result: Value, dp_milli: Option<u32>) -> Value {
    if let (Some(milli), Some(obj)) = (dp_milli, result.as_object_mut()) {
        obj.insert("dp".into(), json!({ "epsilon": f64::from(milli) / 1000.0 }));
    }
    result
}

/// Public flags of which entries equal the maximum, opening nothing else:
/// `[v_j >= v_k]` for all ordered pairs in one comparison layer, then
/// `[#{k : v_j >= v_k} = m - 1]` per entry, and only those bits are opened.
pub async fn maxima(ctx: &Ctx, values: &ShareVec, l: u32) -> Result<Vec<bool>, EngineError> {
    let m = values.len();
    if m <= 1 {
        return Ok(vec![true; m]);
    }
    let pairs: Vec<(usize, usize)> = (0..m)
        .flat_map(|j| (0..m).filter(move |k| *k != j).map(move |k| (j, k)))
        .collect();
    let w = rank_bits(m);
    let mut pool = ctx
        .preprocess(Need::masked(pairs.len(), l) + Need::masked(m, w))
        .await?;
    let a = ShareVec::from_values(pairs.iter().map(|&(j, _)| values.values()[j]).collect());
    let b = ShareVec::from_values(pairs.iter().map(|&(_, k)| values.values()[k]).collect());
    let less = ctx.lt(&a, &b, l, &mut pool).await?;
    let mut wins = vec![Fp::ZERO; m];
    for (&(j, _), lt) in pairs.iter().zip(less.values()) {
        wins[j] += Fp::ONE - *lt; // v_j >= v_k
    }
    let top = ctx
        .eq_public(
            &ShareVec::from_values(wins),
            &vec![(m - 1) as u128; m],
            w,
            &mut pool,
        )
        .await?;
    Ok(ctx
        .open(&top)
        .await?
        .iter()
        .map(|v| *v == Fp::ONE)
        .collect())
}

#[cfg(test)]
mod forged_tests;
#[cfg(test)]
mod survey_tests;
#[cfg(test)]
mod tests;
