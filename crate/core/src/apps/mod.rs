//! What users come for: votes (and, next, surveys and budgets) as
//! encodings, validity checks inside MPC, and policy-bound results.
//!
//! The participant side calls [`SessionKind::encode`] (which also explains what is
//! wrong with a bad answer); the committee side runs [`Computation::compute`] inside
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

pub mod bit_proof;
pub mod budget;
pub mod check;
pub mod dp;
#[cfg(any(test, not(target_arch = "wasm32")))]
pub mod forge;
pub mod quantile;
pub mod suppress;
pub mod survey;
pub mod validity;
pub mod vote;

mod kind;

pub use kind::{Computation, SchemaError, SessionKind};

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
    /// Which submissions were counted (passed the validity check), as
    /// indices into the submissions the computation was given, ascending.
    /// The validity flags are opened values, so every member has the same
    /// list; a member signs the receipts of these submissions beside the
    /// result, for participants to check theirs was counted.
    pub counted: Vec<usize>,
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
}

/// Bits needed to write `v` (at least 1).
pub fn bits_for(v: u64) -> u32 {
    (64 - v.leading_zeros()).max(1)
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

/// A JSON object from key-value pairs, inserted one by one: collecting
/// into a map would sort the pairs first, and each such sort is several
/// KB of code in the WebAssembly member module.
pub(crate) fn object(pairs: impl IntoIterator<Item = (String, Value)>) -> Value {
    let mut map = serde_json::Map::new();
    for (k, v) in pairs {
        map.insert(k, v);
    }
    Value::Object(map)
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
    let _label = ctx.label("argmax");
    let m = values.len();
    if m <= 1 {
        return Ok(vec![true; m]);
    }
    let pairs: Vec<(usize, usize)> = (0..m)
        .flat_map(|j| (0..m).filter(move |k| *k != j).map(move |k| (j, k)))
        .collect();
    let w = rank_bits(m);
    let mut pool = ctx
        .preprocess(Need::lt(pairs.len(), l) + Need::eq(m, w))
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
mod tests;

#[cfg(test)]
mod deviation_tests;
#[cfg(test)]
mod restart_tests;
