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

use serde_json::{Value, json};

use super::validity::Encoding;
use super::{AnswerError, bits_for};
use crate::field::Fp;

/// A counting method with its parameters, as the apps layer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// One option per ballot.
    Plurality,
    /// Any number of options, at most `max` when given.
    Approval {
        /// Largest number of approved options.
        max: Option<u32>,
    },
    /// A score in `0..=max` for every option.
    Score {
        /// Highest score.
        max: u32,
    },
    /// A full ranking; position i earns m - 1 - i points.
    Borda,
    /// A full ranking counted by instant runoff ([`super::irv`]).
    Irv,
}

/// The encoding of a ballot for `m` options.
pub fn encoding(method: &Method, m: usize) -> Encoding {
    let mut e = Encoding::default();
    match method {
        Method::Plurality => {
            let at = e.alloc(m);
            e.bits(at, m);
            e.sum_is(at, m, 1);
        }
        Method::Approval { max } => {
            let at = e.alloc(m);
            e.bits(at, m);
            if let Some(k) = max {
                // k - count = sum 2^b bit_b proves count <= k.
                let terms = (at..at + m).map(|i| (i, -Fp::ONE)).collect();
                e.spelled_by_bits(terms, Fp::from(*k), bits_for(*k as u64));
            }
        }
        Method::Score { max } => {
            let at = e.alloc(m);
            let w = bits_for(*max as u64);
            for o in 0..m {
                e.spelled_by_bits(vec![(at + o, Fp::ONE)], Fp::ZERO, w);
                e.spelled_by_bits(vec![(at + o, -Fp::ONE)], Fp::from(*max), w);
            }
        }
        Method::Borda | Method::Irv => {
            let at = e.alloc(m * m);
            e.bits(at, m * m);
            for o in 0..m {
                e.sum_is(at + o * m, m, 1);
            }
            for pos in 0..m {
                e.constraints.push(super::validity::Constraint::Linear {
                    terms: (0..m).map(|o| (at + o * m + pos, Fp::ONE)).collect(),
                    constant: Fp::ONE,
                });
            }
        }
    }
    e
}

/// The per-option totals as linear maps of the encoded vector:
/// `totals[o] = sum (index, coefficient)`.
pub fn tally_map(method: &Method, m: usize) -> Vec<Vec<(usize, Fp)>> {
    match method {
        Method::Plurality | Method::Approval { .. } | Method::Score { .. } => {
            (0..m).map(|o| vec![(o, Fp::ONE)]).collect()
        }
        Method::Borda | Method::Irv => (0..m)
            .map(|o| {
                (0..m)
                    .map(|pos| (o * m + pos, Fp::from((m - 1 - pos) as u64)))
                    .collect()
            })
            .collect(),
    }
}

/// Highest total one ballot can give one option.
pub fn max_points(method: &Method, m: usize) -> u64 {
    match method {
        Method::Plurality | Method::Approval { .. } => 1,
        Method::Score { max } => *max as u64,
        Method::Borda | Method::Irv => m.saturating_sub(1) as u64,
    }
}

/// Encodes a participant's ballot, checking it first with messages a
/// voter can act on. Forms: `{"choice": "A"}` (plurality),
/// `{"approve": ["A", "C"]}` (approval), `{"scores": {"A": 3}}` (score;
/// unnamed options score 0), `{"ranking": ["B", "A", "C"]}` (borda).
pub fn encode(method: &Method, options: &[String], answer: &Value) -> Result<Vec<Fp>, AnswerError> {
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
    let mut x = vec![Fp::ZERO; encoding(method, m).len];
    match method {
        Method::Plurality => x[index(field("choice")?)?] = Fp::ONE,
        Method::Approval { max } => {
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
        Method::Score { max } => {
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
        Method::Borda | Method::Irv => {
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
    Ok(x)
}

/// The `tally` result object: option name to total.
pub fn tally_json(options: &[String], totals: &[u64]) -> Value {
    Value::Object(
        options
            .iter()
            .cloned()
            .zip(totals.iter().map(|t| json!(t)))
            .collect(),
    )
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
