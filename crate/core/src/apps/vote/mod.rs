//! Votes: encodings, validity constraints and tallies per method.
//!
//! | method | encoding (field elements) | valid when | per-option total |
//! |---|---|---|---|
//! | plurality | m bits | bits, sum = 1 | the bit |
//! | approval (max k) | m bits, then w bits spelling k - count | bits, spelled | the bit |
//! | score (0..=k) | m values, then for each value w bits of x and w bits of k - x | bits, spelled | the value |
//! | borda, irv | m x m bits, `P[o][pos]` = option o at position pos | bits, every row and column sums to 1 | `sum (m-1-pos) P[o][pos]` |
//!
//! (w = bits needed for k.) All tallies are linear, so counting is free
//! once validity flags are public: members add the valid vectors locally.
//! Only what the reveal policy allows is then opened.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub mod irv;
#[cfg(test)]
pub(crate) mod testing;

use crate::apps::validity::{self, Encoding};
use crate::apps::{
    AnswerError, Outcome, Policy, bits_for, dp, maxima, read_counts, read_released, with_dp_note,
};
use crate::engine::{Ctx, EngineError};
use crate::field::Fp;
use crate::share::ShareVec;

/// Schema of a vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteSchema {
    /// Counting method.
    pub method: VoteMethod,
    /// The options, non-empty and distinct.
    pub options: Vec<String>,
    /// What the result reveals.
    pub reveal: Reveal,
    /// Approval only: the most options one ballot may approve (none: any).
    /// Written only when set, so other methods keep their encoding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_approvals: Option<u32>,
    /// Score only: the highest score per option (scores run 0..=max_score).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_score: Option<u32>,
}

/// How ballots are counted (encodings and validity rules: this module).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteMethod {
    /// One choice per ballot; the most votes wins.
    Plurality,
    /// Approve any number of options (at most `max_approvals`).
    Approval,
    /// Give every option a score from 0 to `max_score`.
    Score,
    /// Rank all options; position i of m earns m - 1 - i points.
    Borda,
    /// Rank all options; counted by instant runoff (reveal: tally only).
    Irv,
}

/// What a vote's result reveals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reveal {
    /// The count of every option.
    Tally,
    /// Only the winning option (counts stay secret).
    Winner,
}

/// Most options a vote may offer.
pub const MAX_OPTIONS: usize = 64;

impl VoteSchema {
    /// The highest score of a score vote (a validated schema always states
    /// it; [`VoteSchema::validate`] refuses a score vote without one).
    pub fn score_max(&self) -> u32 {
        self.max_score.unwrap_or(1)
    }

    /// Checks the vote's own rules: 1..=[`MAX_OPTIONS`] distinct options, a
    /// max_score only on score votes (1..=1,000,000), max_approvals only on
    /// approval votes (at least 1), instant runoff only with its rounds
    /// revealed. On failure: the manifest field and the reason. (The option
    /// texts are checked with every other text of the manifest.)
    pub fn validate(&self) -> Result<(), (&'static str, &'static str)> {
        if self.options.is_empty() {
            return Err(("options", "must list at least one option"));
        }
        if self.options.len() > MAX_OPTIONS {
            return Err(("options", "too many options"));
        }
        for (i, opt) in self.options.iter().enumerate() {
            if self.options[..i].contains(opt) {
                return Err(("options", "must be distinct"));
            }
        }
        match (self.method, self.max_score) {
            (VoteMethod::Score, Some(k)) if (1..=1_000_000).contains(&k) => {}
            (VoteMethod::Score, _) => {
                return Err((
                    "max_score",
                    "score votes need a max_score from 1 to 1000000",
                ));
            }
            (_, Some(_)) => return Err(("max_score", "only score votes have a max_score")),
            (_, None) => {}
        }
        if self.method == VoteMethod::Irv && self.reveal == Reveal::Winner {
            return Err((
                "reveal",
                "instant runoff reveals its rounds: use reveal tally",
            ));
        }
        match (self.method, self.max_approvals) {
            (VoteMethod::Approval, Some(0)) => {
                Err(("max_approvals", "must allow at least one approval"))
            }
            (VoteMethod::Approval, _) | (_, None) => Ok(()),
            _ => Err(("max_approvals", "only approval votes have max_approvals")),
        }
    }
}

/// The encoding of a ballot.
pub fn encoding(schema: &VoteSchema) -> Encoding {
    let m = schema.options.len();
    let mut e = Encoding::default();
    match schema.method {
        VoteMethod::Plurality => {
            let at = e.alloc(m);
            e.bits(at, m);
            e.sum_is(at, m, 1);
        }
        VoteMethod::Approval => {
            let max = &schema.max_approvals;
            let at = e.alloc(m);
            e.bits(at, m);
            if let Some(k) = max {
                // k - count = sum 2^b bit_b proves count <= k.
                let terms = (at..at + m).map(|i| (i, -Fp::ONE)).collect();
                e.spelled_by_bits(terms, Fp::from(*k), bits_for(*k as u64));
            }
        }
        VoteMethod::Score => {
            let max = &schema.score_max();
            let at = e.alloc(m);
            let w = bits_for(*max as u64);
            for o in 0..m {
                e.spelled_by_bits(vec![(at + o, Fp::ONE)], Fp::ZERO, w);
                e.spelled_by_bits(vec![(at + o, -Fp::ONE)], Fp::from(*max), w);
            }
        }
        VoteMethod::Borda | VoteMethod::Irv => {
            let at = e.alloc(m * m);
            e.bits(at, m * m);
            for o in 0..m {
                e.sum_is(at + o * m, m, 1);
            }
            for pos in 0..m {
                e.constraints
                    .push(crate::apps::validity::Constraint::Linear {
                        terms: (0..m).map(|o| (at + o * m + pos, Fp::ONE)).collect(),
                        constant: Fp::ONE,
                    });
            }
        }
    }
    e.with_bit_proof()
}

/// The per-option totals as linear maps of the encoded vector:
/// `totals[o] = sum (index, coefficient)`.
pub fn tally_map(schema: &VoteSchema) -> Vec<Vec<(usize, Fp)>> {
    let m = schema.options.len();
    match schema.method {
        VoteMethod::Plurality | VoteMethod::Approval | VoteMethod::Score => {
            (0..m).map(|o| vec![(o, Fp::ONE)]).collect()
        }
        VoteMethod::Borda | VoteMethod::Irv => (0..m)
            .map(|o| {
                (0..m)
                    .map(|pos| (o * m + pos, Fp::from((m - 1 - pos) as u64)))
                    .collect()
            })
            .collect(),
    }
}

/// Highest total one ballot can give one option.
pub fn max_points(schema: &VoteSchema) -> u64 {
    let m = schema.options.len();
    match schema.method {
        VoteMethod::Plurality | VoteMethod::Approval => 1,
        VoteMethod::Score => u64::from(schema.score_max()),
        VoteMethod::Borda | VoteMethod::Irv => m.saturating_sub(1) as u64,
    }
}

/// The noise scale giving `epsilon`-DP to a vote's totals: the L1
/// sensitivity under replacing one ballot is twice the largest total one
/// ballot can contribute.
pub fn dp_scale(schema: &VoteSchema, milli: u32) -> u64 {
    let m = schema.options.len();
    let per_ballot = match schema.method {
        VoteMethod::Plurality => 1,
        VoteMethod::Approval => schema.max_approvals.map_or(m as u64, u64::from),
        VoteMethod::Score => m as u64 * u64::from(schema.score_max()),
        VoteMethod::Borda | VoteMethod::Irv => (m * m.saturating_sub(1) / 2) as u64,
    };
    dp::scale(2 * per_ballot, milli)
}

/// Tallies a vote inside MPC: validity check, policy, result. Every member
/// passes its share vectors of the agreed submissions in the same order.
pub async fn tally(
    ctx: &Ctx,
    schema: &VoteSchema,
    policy: Policy,
    submissions: &[ShareVec],
) -> Result<Outcome, EngineError> {
    let m = schema.options.len();
    let enc = encoding(schema);
    let checked = validity::check_submissions(ctx, &enc, submissions).await?;
    if let Some(out) = checked.suppressed(policy.min_submissions) {
        return Ok(out);
    }
    let valid = checked.valid_count();
    // Sum of the valid ballots, then the per-option linear totals (local).
    let sum = checked.sum(enc.len);
    let totals: Vec<Fp> = tally_map(schema)
        .iter()
        .map(|terms| terms.iter().fold(Fp::ZERO, |a, (i, c)| a + *c * sum[*i]))
        .collect();
    let mut totals = ShareVec::from_values(totals);
    if schema.method == VoteMethod::Irv {
        let result = irv::run(ctx, &schema.options, &checked.valid).await?;
        return Ok(checked.outcome(result));
    }
    let dp_scale = policy.dp_milli.map(|milli| dp_scale(schema, milli));
    if let Some(s) = dp_scale {
        totals = dp::add_noise(ctx, &totals, &vec![s; totals.len()]).await?;
    }
    // The largest exact total; opened totals above it cannot come from
    // valid ballots and are refused.
    let bound = valid
        .checked_mul(max_points(schema))
        .ok_or(EngineError::OutOfRange("vote totals beyond 64 bits"))?;
    let result = if schema.reveal == Reveal::Winner {
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
        winner_json(&schema.options, &is_max)
    } else {
        let opened = ctx.open(&totals).await?;
        let counts = read_released(&opened, dp_scale.is_some(), bound)?;
        let mut out = json!({ "tally": tally_json(&schema.options, &counts) });
        if schema.method == VoteMethod::Borda && dp_scale.is_none() {
            // First preferences beside the Borda points.
            let firsts = ShareVec::from_values((0..m).map(|o| sum[o * m]).collect());
            let firsts = read_counts(&ctx.open(&firsts).await?, valid)?;
            out = json!({ "tally": tally_json(&schema.options, &firsts), "scores": tally_json(&schema.options, &counts) });
        }
        out
    };
    Ok(checked.outcome(with_dp_note(result, policy.dp_milli)))
}

/// Encodes a participant's ballot, checking it first with messages a
/// voter can act on. Forms: `{"choice": "A"}` (plurality),
/// `{"approve": ["A", "C"]}` (approval), `{"scores": {"A": 3}}` (score;
/// unnamed options score 0), `{"ranking": ["B", "A", "C"]}` (borda).
pub fn encode(schema: &VoteSchema, answer: &Value) -> Result<Vec<Fp>, AnswerError> {
    let options = &schema.options;
    let m = options.len();
    let index = |name: &Value| -> Result<usize, AnswerError> {
        let s = name
            .as_str()
            .ok_or_else(|| AnswerError::Invalid("options are named by strings".into()))?;
        options
            .iter()
            .position(|o| o == s)
            .ok_or_else(|| AnswerError::UnknownOption(s.to_string()))
    };
    let field = |key: &str| {
        answer
            .get(key)
            .ok_or_else(|| AnswerError::Missing(key.to_string()))
    };
    let enc = encoding(schema);
    let mut x = vec![Fp::ZERO; enc.len];
    match schema.method {
        VoteMethod::Plurality => x[index(field("choice")?)?] = Fp::ONE,
        VoteMethod::Approval => {
            let max = &schema.max_approvals;
            let list = field("approve")?
                .as_array()
                .ok_or_else(|| AnswerError::Invalid("\"approve\" must be a list".into()))?;
            for name in list {
                let i = index(name)?;
                if x[i] == Fp::ONE {
                    return Err(AnswerError::Invalid(format!(
                        "option {name} is approved twice"
                    )));
                }
                x[i] = Fp::ONE;
            }
            if let Some(k) = max {
                let count = list.len() as u64;
                if count > *k as u64 {
                    return Err(AnswerError::Invalid(format!(
                        "at most {k} options may be approved, not {count}"
                    )));
                }
                Encoding::spell(&mut x[m..], *k as u64 - count);
            }
        }
        VoteMethod::Score => {
            let max = &schema.score_max();
            let map = field("scores")?
                .as_object()
                .ok_or_else(|| AnswerError::Invalid("\"scores\" must be an object".into()))?;
            let w = bits_for(*max as u64) as usize;
            let mut scores = vec![0u64; m];
            for (name, v) in map {
                let i = index(&Value::String(name.clone()))?;
                let s = v.as_u64().filter(|s| *s <= *max as u64).ok_or_else(|| {
                    AnswerError::OutOfRange(format!(
                        "the score of {name} must be a whole number from 0 to {max}"
                    ))
                })?;
                x[i] = Fp::from(s);
                scores[i] = s;
            }
            for (o, &s) in scores.iter().enumerate() {
                let base = m + o * 2 * w;
                Encoding::spell(&mut x[base..base + w], s);
                Encoding::spell(&mut x[base + w..base + 2 * w], *max as u64 - s);
            }
        }
        VoteMethod::Borda | VoteMethod::Irv => {
            let list = field("ranking")?
                .as_array()
                .ok_or_else(|| AnswerError::Invalid("\"ranking\" must be a list".into()))?;
            if list.len() != m {
                return Err(AnswerError::Invalid(format!(
                    "rank all {m} options, each once"
                )));
            }
            for (pos, name) in list.iter().enumerate() {
                let o = index(name)?;
                if (0..m).any(|p| x[o * m + p] == Fp::ONE) {
                    return Err(AnswerError::Invalid(format!(
                        "option {name} is ranked twice"
                    )));
                }
                x[o * m + pos] = Fp::ONE;
            }
        }
    }
    enc.prove(&mut x);
    Ok(x)
}

/// The `tally` result object: option name to total.
pub fn tally_json(options: &[String], totals: &[u64]) -> Value {
    super::object(options.iter().cloned().zip(totals.iter().map(|t| json!(t))))
}

/// The `winner` result object from the public set of maximal options.
pub fn winner_json(options: &[String], is_max: &[bool]) -> Value {
    let winners: Vec<&String> = options
        .iter()
        .zip(is_max)
        .filter(|(_, w)| **w)
        .map(|(o, _)| o)
        .collect();
    match winners.as_slice() {
        [one] => json!({ "winner": one }),
        many => json!({ "winner": many, "tie": true }),
    }
}
