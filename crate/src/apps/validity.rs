//! Validity of submissions checked inside MPC, against participants who
//! send malformed answers to cheat.
//!
//! Every answer type compiles to an [`Encoding`]: a vector length and
//! constraints that are all zero exactly when the vector is a valid answer
//! (a bit is 0 or 1; a linear relation holds, such as "one-hot sums to 1"
//! or "x - lo equals the number spelled by these bits"). The committee
//! checks all submissions at once, revealing one bit per submission:
//!
//! 1. After the submission set is fixed, a joint random R and a random
//!    mask per submission are dealt (1 round), and R is opened (1 round).
//! 2. Each member computes locally, for submission j, the point
//!    `s_j = sum_k R^(k+1) q_jk` of a degree-2t polynomial (quadratic
//!    constraint terms are local products of shares), and re-shares it to
//!    degree t (1 round, [`crate::engine::Ctx::reduce_degree`]).
//! 3. `m_j * s_j` is computed (1 round) and opened (1 round).
//!
//! A valid submission gives 0. For an invalid one, `s_j` is a non-zero
//! polynomial in R of degree at most K (the constraint count), so it
//! vanishes with probability at most K/p < 2^-110, and `m_j * s_j` is then
//! uniformly random: nothing about the cheater's vector is revealed beyond
//! "invalid". This is the linear-combination check of PROTOCOLS.md
//! ("Validity of a submission"), with powers of one opened R as the
//! coefficients (Schwartz-Zippel).

use serde_json::{Value, json};

use super::Outcome;
use crate::engine::{Ctx, EngineError};
use crate::field::Fp;
use crate::share::ShareVec;

/// A constraint on an encoded answer; satisfied when its term is zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    /// Entry `i` is a bit: `x_i (x_i - 1) = 0`.
    Bit(usize),
    /// `sum coeff * x_idx - constant = 0`.
    Linear {
        /// (index, coefficient) pairs.
        terms: Vec<(usize, Fp)>,
        /// The constant the combination must equal.
        constant: Fp,
    },
}

/// How an answer is laid out as field elements, and what makes it valid.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Encoding {
    /// Length of the encoded vector.
    pub len: usize,
    /// All constraints of a valid vector.
    pub constraints: Vec<Constraint>,
}

impl Encoding {
    /// Appends `width` entries, returning the index of the first.
    pub fn alloc(&mut self, width: usize) -> usize {
        let at = self.len;
        self.len += width;
        at
    }

    /// Entries `at..at + width` are bits.
    pub fn bits(&mut self, at: usize, width: usize) {
        self.constraints
            .extend((at..at + width).map(Constraint::Bit));
    }

    /// `sum of entries at..at + width = total`.
    pub fn sum_is(&mut self, at: usize, width: usize, total: u64) {
        self.constraints.push(Constraint::Linear {
            terms: (at..at + width).map(|i| (i, Fp::ONE)).collect(),
            constant: Fp::from(total),
        });
    }

    /// Allocates `width` bits that spell `value(x) = sum c_i x_i + c0`
    /// (for range proofs: `x - lo` and `hi - x` spelled by bits prove
    /// `lo <= x <= hi`), returning the index of the first bit.
    pub fn spelled_by_bits(&mut self, terms: Vec<(usize, Fp)>, offset: Fp, width: u32) -> usize {
        let at = self.alloc(width as usize);
        self.bits(at, width as usize);
        let mut all = terms;
        // sum c_i x_i + offset - sum 2^b bit_b = 0
        all.extend((0..width as usize).map(|b| (at + b, -Fp::new(1u128 << b))));
        self.constraints.push(Constraint::Linear {
            terms: all,
            constant: -offset,
        });
        at
    }

    /// Writes the bits of `v`, least significant first, into `out`: the
    /// participant's side of [`Encoding::spelled_by_bits`].
    pub fn spell(out: &mut [Fp], v: u64) {
        for (b, slot) in out.iter_mut().enumerate() {
            *slot = Fp::from((v >> b) & 1);
        }
    }

    /// Evaluates the constraints on a plaintext vector (the participant's
    /// own pre-check, and the reference in tests).
    pub fn is_valid(&self, x: &[Fp]) -> bool {
        x.len() == self.len
            && self.constraints.iter().all(|c| match c {
                Constraint::Bit(i) => x[*i] * (x[*i] - Fp::ONE) == Fp::ZERO,
                Constraint::Linear { terms, constant } => {
                    terms.iter().fold(Fp::ZERO, |a, (i, c)| a + *c * x[*i]) == *constant
                }
            })
    }
}

/// Checks every submission (each this member's share vector of length
/// `enc.len`) and returns the public validity flags. Five rounds in all,
/// whatever the number of submissions.
pub async fn check(
    ctx: &Ctx,
    enc: &Encoding,
    submissions: &[ShareVec],
) -> Result<Vec<bool>, EngineError> {
    if submissions.iter().any(|s| s.len() != enc.len) {
        return Err(EngineError::InvalidOperation(
            "a submission does not match the encoding length",
        ));
    }
    let count = submissions.len();
    let randoms = ctx.random(1 + count).await?;
    let r = ctx
        .open_masked(&ShareVec::from_values(vec![randoms.values()[0]]))
        .await?[0];
    let masks = ShareVec::from_values(randoms.values()[1..].to_vec());
    // Coefficients R^1 .. R^K, one per constraint.
    let mut coeffs = Vec::with_capacity(enc.constraints.len());
    let mut power = r;
    for _ in &enc.constraints {
        coeffs.push(power);
        power *= r;
    }
    let local: Vec<Fp> = submissions
        .iter()
        .map(|sub| {
            let x = sub.values();
            enc.constraints
                .iter()
                .zip(&coeffs)
                .fold(Fp::ZERO, |acc, (c, rho)| {
                    acc + *rho
                        * match c {
                            // Product of two degree-t shares: a degree-2t point.
                            Constraint::Bit(i) => x[*i] * (x[*i] - Fp::ONE),
                            // Degree t, a fortiori a point of degree <= 2t.
                            Constraint::Linear { terms, constant } => {
                                terms.iter().fold(Fp::ZERO, |a, (i, c)| a + *c * x[*i]) - *constant
                            }
                        }
                })
        })
        .collect();
    let s = ctx.reduce_degree(&local).await?;
    let masked = ctx.mul(&masks, &s).await?;
    let opened = ctx.open(&masked).await?;
    Ok(opened.iter().map(|v| v.is_zero()).collect())
}

/// The submissions that passed [`check`], in order, and how many failed.
#[derive(Debug)]
pub struct Checked<'a> {
    /// The valid submissions, in their original order.
    pub valid: Vec<&'a ShareVec>,
    /// The number of invalid (excluded) submissions.
    pub invalid: u64,
}

impl Checked<'_> {
    /// The number of valid submissions.
    pub fn valid_count(&self) -> u64 {
        self.valid.len() as u64
    }

    /// The outcome carrying `result` beside the counts.
    pub fn outcome(&self, result: Value) -> Outcome {
        Outcome {
            valid: self.valid_count(),
            invalid: self.invalid,
            result,
        }
    }

    /// The policy gate: with fewer than `min` (at least 1) valid
    /// submissions, the suppressed outcome, and nothing else is opened.
    pub fn suppressed(&self, min: u64) -> Option<Outcome> {
        (self.valid_count() < min.max(1))
            .then(|| self.outcome(json!({ "suppressed": "too few submissions" })))
    }

    /// The element-wise sum of the valid vectors (local), of length `len`.
    pub fn sum(&self, len: usize) -> Vec<Fp> {
        let mut sum = vec![Fp::ZERO; len];
        for s in &self.valid {
            for (a, x) in sum.iter_mut().zip(s.values()) {
                *a += *x;
            }
        }
        sum
    }
}

/// Runs [`check`] and keeps the valid submissions.
pub async fn check_submissions<'a>(
    ctx: &Ctx,
    enc: &Encoding,
    submissions: &'a [ShareVec],
) -> Result<Checked<'a>, EngineError> {
    let flags = check(ctx, enc, submissions).await?;
    let valid: Vec<&ShareVec> = submissions
        .iter()
        .zip(&flags)
        .filter(|(_, ok)| **ok)
        .map(|(s, _)| s)
        .collect();
    let invalid = (flags.len() - valid.len()) as u64;
    Ok(Checked { valid, invalid })
}
