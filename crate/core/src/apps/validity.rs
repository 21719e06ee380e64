//! Validity of submissions checked inside MPC, against participants who
//! send malformed answers to cheat, with committee members that may
//! deviate.
//!
//! Every answer type compiles to an [`Encoding`]: a vector length and
//! constraints that are all zero exactly when the vector is a valid answer
//! (a bit is 0 or 1; a linear relation holds, such as "one-hot sums to 1"
//! or "x - lo equals the number spelled by these bits"). The committee
//! checks all submissions at once, revealing one bit per submission:
//!
//! 1. After the submission set is fixed, verified preprocessing makes a
//!    random R, a random mask `m_j` per submission, a square pair per bit
//!    constraint and a triple per submission (five rounds,
//!    [`crate::engine::Ctx::preprocess`]).
//! 2. R is opened, and every bit entry `x` is squared with its square pair
//!    `(f, F)`: `d = x - f` is opened and `x^2 = F + 2 d f + d^2` (one
//!    round for both).
//! 3. The Beaver openings of `m_j * s_j` with
//!    `s_j = sum_k R^(k+1) q_jk`, now of degree t.
//! 4. `m_j * s_j` is opened.
//!
//! A valid submission gives 0. For an invalid one, `s_j` is a non-zero
//! polynomial in R of degree at most K (the constraint count), so it
//! vanishes with probability at most K/p < 2^-110, and `m_j * s_j` is then
//! uniformly random: nothing about the cheater's vector is revealed beyond
//! "invalid". Submissions whose shares are not on one degree-t polynomial
//! never get here: each member checks its shares against the
//! participant's commitment first, and complaints settled in public
//! exclude them ([`crate::envelope::complaint`]). This is the
//! linear-combination check of
//! PROTOCOLS.md ("Validity of a submission"), with powers of one opened R
//! as the coefficients (Schwartz-Zippel).
//!
//! A member cannot change the outcome of a consistent submission's check:
//! the squares come from verified pairs and public `d`, and `s_j` is then
//! a linear function of the shares, so no member re-shares anything (the
//! degree-2t re-sharing this check once used let one member whitelist any
//! ballot). A wrong share in any opening aborts, naming the member when
//! it can be identified: no member can exclude an honest submission, and
//! no member can get a malformed one counted.

use serde_json::{Value, json};

use super::Outcome;
use crate::engine::ops::arith::square_from;
use crate::engine::ops::bits::Need;
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

    /// The entries constrained to be bits, in constraint order.
    pub fn bit_entries(&self) -> Vec<usize> {
        self.constraints
            .iter()
            .filter_map(|c| match c {
                Constraint::Bit(i) => Some(*i),
                Constraint::Linear { .. } => None,
            })
            .collect()
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
/// `enc.len`) and returns the public validity flags. Five rounds of
/// verified preprocessing and three online rounds, whatever the number of
/// submissions (see the module docs for the steps).
///
/// **Consistent inputs are a precondition.** Every submission given here
/// has its honest members' shares on one polynomial of degree t per
/// entry: each member checked its own shares against the participant's
/// commitment before computing, and settled complaints excluded the
/// others alike at every member (`crate::envelope::complaint`). Without
/// that, the squares below would be of values the shares do not define,
/// and different sets of t + 1 members would check different vectors
/// (adding `u * i^(t+1)` to member i's share once made a "bit" equal to
/// 1000 pass `b(b-1) = 0`).
///
/// **Every opening aborts on a wrong share.** All n shares of every
/// opened value are checked, so a member that sends a wrong share aborts
/// the run (and is named when identifiable), and cannot turn a valid
/// submission invalid or the reverse. (This check once opened a padded
/// consistency combination per submission and excluded the submission
/// when its shares disagreed; a member lying in that opening got an honest
/// submission excluded unnoticed.)
///
/// **What the openings reveal.** R: a fresh coin. `d = x - f`: uniform
/// (f is a uniform secret used once). The Beaver openings are uniform
/// (masked by the triple). `m_j * s_j` is 0 for a valid submission and
/// uniform for an invalid one, since `m_j` is a uniform secret.
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
    if count == 0 {
        return Ok(Vec::new());
    }
    let bit_entries = enc.bit_entries();
    ctx.preprocess(Need {
        randoms: 1 + count,
        squares: count * bit_entries.len(),
        triples: count,
        ..Need::default()
    })
    .await?;
    let randoms = ctx.random(1 + count).await?;
    let masks = &randoms.values()[1..];

    // Round: R, and d = x - f for every bit entry of every submission.
    let width = bit_entries.len();
    let pairs = ctx.take_squares(count * width).await?;
    let mut first = vec![randoms.values()[0]];
    for (j, sub) in submissions.iter().enumerate() {
        let x = sub.values();
        for (k, &i) in bit_entries.iter().enumerate() {
            first.push(x[i] - pairs[2 * (j * width + k)]);
        }
    }
    let opened = ctx.open_masked(&ShareVec::from_values(first)).await?;
    let r = opened[0];
    let squares: Vec<Vec<Fp>> = (0..count)
        .map(|j| {
            let d = &opened[1 + j * width..1 + (j + 1) * width];
            square_from(&pairs[2 * j * width..2 * (j + 1) * width], d).into_values()
        })
        .collect();

    // Coefficients R^1 .. R^K, one per constraint.
    let mut coeffs = Vec::with_capacity(enc.constraints.len());
    let mut power = r;
    for _ in 0..enc.constraints.len() {
        coeffs.push(power);
        power *= r;
    }
    // Round: the Beaver openings of m_j * s_j.
    let triples = ctx.take_triples(count).await?;
    let mut second = Vec::with_capacity(2 * count);
    for (j, sub) in submissions.iter().enumerate() {
        let sj = constraint_value(enc, sub.values(), &squares[j], &coeffs);
        second.push(masks[j] - triples[3 * j]);
        second.push(sj - triples[3 * j + 1]);
    }
    let opened = ctx.open_masked(&ShareVec::from_values(second)).await?;
    let product: Vec<Fp> = (0..count)
        .map(|j| {
            let (d, e) = (opened[2 * j], opened[2 * j + 1]);
            let (a, b, c) = (triples[3 * j], triples[3 * j + 1], triples[3 * j + 2]);
            c + d * b + e * a + d * e
        })
        .collect();
    // Round: m_j * s_j.
    let opened = ctx.open_masked(&ShareVec::from_values(product)).await?;
    ctx.count_revealed(count);
    Ok(opened.iter().map(|v| v.is_zero()).collect())
}

/// This member's share of `sum_k R^(k+1) q_k` for one submission `x`, with
/// `squares[b]` its share of the square of the b-th bit entry: of degree t,
/// as every term is now linear in shares.
fn constraint_value(enc: &Encoding, x: &[Fp], squares: &[Fp], coeffs: &[Fp]) -> Fp {
    let mut next_square = squares.iter();
    enc.constraints
        .iter()
        .zip(coeffs)
        .fold(Fp::ZERO, |acc, (c, rho)| {
            acc + *rho
                * match c {
                    Constraint::Bit(i) => next_square.next().copied().unwrap_or_default() - x[*i],
                    Constraint::Linear { terms, constant } => {
                        terms.iter().fold(Fp::ZERO, |a, (i, c)| a + *c * x[*i]) - *constant
                    }
                }
        })
}

/// SHA-256 over the identity ([`Ctx::input_id`]) and this member's share
/// bytes of each given submission: what [`Ctx::bind_noise`] binds the
/// differential-privacy noise to.
fn inputs_digest<'a>(ctx: &Ctx, subs: impl Iterator<Item = (usize, &'a ShareVec)>) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (k, s) in subs {
        h.update(ctx.input_id(k).to_bytes());
        h.update((s.len() as u64).to_be_bytes());
        for x in s.values() {
            h.update(x.to_bytes());
        }
    }
    h.finalize().into()
}

/// A set of part tags by open addressing. Tags are hash outputs (or
/// uniformly random), so their low bits index well; a small table beats a
/// B-tree or a sort in the browser member's code size.
struct TagSet(Vec<u128>);

impl TagSet {
    /// Marks an empty slot: tags are field elements, below p < 2^127.
    const EMPTY: u128 = u128::MAX;

    fn with_room(count: usize) -> TagSet {
        TagSet(vec![TagSet::EMPTY; (2 * count).next_power_of_two().max(2)])
    }

    /// Adds `tag`; false if it was there already.
    fn insert(&mut self, tag: Fp) -> bool {
        let mask = self.0.len() - 1;
        let mut at = (tag.value() as usize) & mask;
        loop {
            match self.0[at] {
                TagSet::EMPTY => {
                    self.0[at] = tag.value();
                    return true;
                }
                t if t == tag.value() => return false,
                _ => at = (at + 1) & mask,
            }
        }
    }
}

/// What the members' comparison of part tags decided for one submission
/// position ([`agree_on_bundles`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundled {
    /// Every member holds a part of the same bundle under the same
    /// commitment, seen for the first time: it goes on to the validity
    /// check.
    Kept,
    /// Excluded before the computation at every member alike (a settled
    /// complaint proved the participant cheated, or its commitment is for
    /// another committee): counted invalid.
    Excluded,
    /// The same tag as an earlier kept position: a bundle replayed at a
    /// new position. Excluded and counted invalid, so a bundle counts once
    /// and a replay (or a bundle that took another's id to displace it)
    /// shows in the invalid count.
    Replay,
}

/// The tag sent for a position excluded before the computation.
const EXCLUDED_TAG: Fp = Fp::ZERO;

/// Compares, position by position, the tag every member derived from its
/// part's submission id and the participant's commitment
/// (`sotto_client::protocol::part_tag`), or `None` where every member
/// excluded the submission before computing (one round; every member sends
/// its whole tag list to every other). A position is kept when all tags
/// agree and no earlier kept position had that tag.
///
/// The relay stores and orders the bundles, and each member sees only its
/// own part; without this step a relay could deliver to different members
/// parts of different bundles at one position, or replay a voter's bundle
/// at a new position so that it counts twice. Tags that differ abort: an
/// honest relay refuses bundles whose parts carry different commitments
/// (`sotto_wire::check_committed_bundle`), so a difference means the relay
/// or a member deviated, and excluding the submission instead would let a
/// member that lies about its tag drop an honest submission unnoticed.
/// The tags are public (derived from ids and commitments that travel in
/// the clear), so opening them reveals nothing about any answer.
pub async fn agree_on_bundles(ctx: &Ctx, tags: &[Option<Fp>]) -> Result<Vec<Bundled>, EngineError> {
    let mine: Vec<Fp> = tags.iter().map(|t| t.unwrap_or(EXCLUDED_TAG)).collect();
    let outgoing = vec![Some(mine.clone()); ctx.n()];
    let expect = ctx.members().iter().map(|&j| (j, tags.len())).collect();
    let lists = ctx.exchange(outgoing, expect).await?;
    if lists.iter().any(|l| *l != mine) {
        return Err(EngineError::CheckFailed {
            what: "the members' tags of the submissions (they hold parts of different bundles or commitments: the relay or a member deviated)",
        });
    }
    let mut seen = TagSet::with_room(tags.len());
    Ok(tags
        .iter()
        .map(|tag| match tag {
            None => Bundled::Excluded,
            Some(tag) if seen.insert(*tag) => Bundled::Kept,
            Some(_) => Bundled::Replay,
        })
        .collect())
}

/// The submissions that passed [`check`], in order, and how many failed.
#[derive(Debug)]
pub struct Checked<'a> {
    /// The valid submissions, in their original order.
    pub valid: Vec<&'a ShareVec>,
    /// The number of invalid (excluded) submissions.
    pub invalid: u64,
    /// The indices of the valid submissions, ascending.
    pub counted: Vec<usize>,
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
            counted: self.counted.clone(),
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
    let _label = ctx.label("validity");
    let flags = check(ctx, enc, submissions).await?;
    // Noise drawn after the check is bound to the valid submissions only:
    // the same valid set gives the same noise, whatever else was submitted
    // and however often the computation runs (everything else is fresh in
    // every run: see `Ctx::bind_noise`).
    let kept = inputs_digest(
        ctx,
        submissions
            .iter()
            .enumerate()
            .zip(&flags)
            .filter(|(_, ok)| **ok)
            .map(|(s, _)| s),
    );
    ctx.bind_noise(&[b"valid", &kept]);
    let valid: Vec<&ShareVec> = submissions
        .iter()
        .zip(&flags)
        .filter(|(_, ok)| **ok)
        .map(|(s, _)| s)
        .collect();
    let invalid = (flags.len() - valid.len()) as u64;
    let counted = (0..flags.len()).filter(|&k| flags[k]).collect();
    Ok(Checked {
        valid,
        invalid,
        counted,
    })
}
