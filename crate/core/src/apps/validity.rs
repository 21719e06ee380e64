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
//!    random R, a random mask `m_j` and pad `r_j` per submission, a square
//!    pair per bit constraint and a triple per submission (five rounds,
//!    [`crate::engine::Ctx::preprocess`]).
//! 2. R is opened, and every bit entry `x` is squared with its square pair
//!    `(f, F)`: `d = x - f` is opened and `x^2 = F + 2 d f + d^2` (one
//!    round for both).
//! 3. Every submission is tested for degree-t consistency with all n
//!    shares: `sum_k R^(k+1) x_jk + r_j` is opened (PROTOCOLS.md, "Input
//!    consistency comes first"); in the same round the Beaver openings of
//!    `m_j * s_j` with `s_j = sum_k R^(k+1) q_jk`, now of degree t.
//! 4. `m_j * s_j` is opened.
//!
//! A valid submission gives 0. For an invalid one, `s_j` is a non-zero
//! polynomial in R of degree at most K (the constraint count), so it
//! vanishes with probability at most K/p < 2^-110, and `m_j * s_j` is then
//! uniformly random: nothing about the cheater's vector is revealed beyond
//! "invalid"; a submission whose shares are not on one degree-t
//! polynomial fails step 2 or 3 whatever its constraint value ([`check`]
//! has the argument). This is the linear-combination check of
//! PROTOCOLS.md ("Validity of a submission"), with powers of one opened R
//! as the coefficients (Schwartz-Zippel).
//!
//! A member cannot change the outcome of a consistent submission's check:
//! the squares come from verified pairs and public `d`, and `s_j` is then
//! a linear function of the shares, so no member re-shares anything (the
//! degree-2t re-sharing this check once used let one member whitelist any
//! ballot). A wrong share in the final opening aborts. A wrong share in
//! steps 2 and 3 makes the submission look inconsistent, so it is
//! excluded: the participant-side commitment of PROTOCOLS.md is what will
//! tell a lying member from a cheating participant there.

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
/// Submission j is valid when every value opened for it has its n shares
/// on one polynomial of degree t and `m_j * s_j = 0`.
///
/// **Why consistency first.** The squares are of the values the shares
/// define; for shares that are not on one degree-t polynomial there is no
/// such value, and different sets of t + 1 members would check different
/// vectors (adding `u * i^(t+1)` to member i's share once made a "bit"
/// equal to 1000 pass `b(b-1) = 0` in a degree-2t check). If the shares
/// `x_jk(i)` of some entry k are off degree t, their combination with R
/// is off degree t for all but at most `enc.len` values of R (a non-zero
/// vector polynomial in R), so a malformed submission passes with
/// probability at most `enc.len / p`. An inconsistent or unreadable
/// submission is excluded at every member alike, never an abort.
///
/// **What the openings reveal.** R: a fresh coin. `d = x - f`: uniform
/// (f is a uniform secret used once). The consistency value: its degree-t
/// part is padded by the uniformly random `r_j`, unknown to any t
/// members, so its value is uniform; its deviation from degree t is zero
/// for an honest participant and only describes a cheater's malformed
/// shares (a member that cannot read its part substitutes uniformly random
/// shares, so the deviation then is uniform too). The Beaver openings are
/// uniform (masked by the triple). `m_j * s_j` is 0 for a valid submission
/// and uniform for an invalid one, since `m_j` is a uniform secret.
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
        randoms: 1 + 2 * count,
        squares: count * bit_entries.len(),
        triples: count,
        ..Need::default()
    })
    .await?;
    let randoms = ctx.random(1 + 2 * count).await?;
    let (masks, pads) = randoms.values()[1..].split_at(count);

    // Round: R, and d = x - f for every bit entry of every submission.
    let pairs = ctx.take_squares(count * bit_entries.len()).await?;
    let mut first = vec![randoms.values()[0]];
    for (j, sub) in submissions.iter().enumerate() {
        let x = sub.values();
        for (k, &i) in bit_entries.iter().enumerate() {
            first.push(x[i] - pairs[2 * (j * bit_entries.len() + k)]);
        }
    }
    let opened = ctx.open_each(&ShareVec::from_values(first)).await?;
    let r = opened[0].ok_or(EngineError::CheckFailed {
        what: "the opening of the validity coefficient",
    })?;
    let mut ok = vec![true; count];
    let mut squares = Vec::with_capacity(count);
    for (j, flag) in ok.iter_mut().enumerate() {
        let width = bit_entries.len();
        let d: Vec<Fp> = opened[1 + j * width..1 + (j + 1) * width]
            .iter()
            .map(|v| {
                if v.is_none() {
                    *flag = false;
                }
                v.unwrap_or_default()
            })
            .collect();
        squares.push(square_from(&pairs[2 * j * width..2 * (j + 1) * width], &d).into_values());
    }

    // Coefficients R^1 .. R^K, one per constraint (and per entry for the
    // consistency combination).
    let mut coeffs = Vec::with_capacity(enc.constraints.len().max(enc.len));
    let mut power = r;
    for _ in 0..enc.constraints.len().max(enc.len) {
        coeffs.push(power);
        power *= r;
    }
    // Round: the padded consistency combinations and the Beaver openings
    // of m_j * s_j.
    let triples = ctx.take_triples(count).await?;
    let mut second = Vec::with_capacity(3 * count);
    let mut s = Vec::with_capacity(count);
    for (j, sub) in submissions.iter().enumerate() {
        let x = sub.values();
        let padded = x
            .iter()
            .zip(&coeffs)
            .fold(pads[j], |acc, (x, rho)| acc + *rho * *x);
        let sj = constraint_value(enc, x, &squares[j], &coeffs);
        second.push(padded);
        second.push(masks[j] - triples[3 * j]);
        second.push(sj - triples[3 * j + 1]);
        s.push(sj);
    }
    let opened = ctx.open_each(&ShareVec::from_values(second)).await?;
    let mut product = Vec::with_capacity(count);
    for (j, flag) in ok.iter_mut().enumerate() {
        let [padded, d, e] = [opened[3 * j], opened[3 * j + 1], opened[3 * j + 2]];
        let (Some(_), Some(d), Some(e)) = (padded, d, e) else {
            *flag = false;
            product.push(Fp::ZERO);
            continue;
        };
        let (a, b, c) = (triples[3 * j], triples[3 * j + 1], triples[3 * j + 2]);
        product.push(c + d * b + e * a + d * e);
    }
    // Round: m_j * s_j. Submissions found consistent so far have
    // consistent shares here unless a member lies, which aborts.
    let opened = ctx.open_each(&ShareVec::from_values(product)).await?;
    ctx.count_revealed(count);
    let mut flags = Vec::with_capacity(count);
    for (v, flag) in opened.iter().zip(&ok) {
        match (flag, v) {
            (false, _) => flags.push(false),
            (true, Some(v)) => flags.push(v.is_zero()),
            (true, None) => {
                return Err(EngineError::CheckFailed {
                    what: "the opening of a submission's validity value",
                });
            }
        }
    }
    Ok(flags)
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
    /// Every member holds a part of the same bundle, seen for the first
    /// time: it goes on to the validity check.
    Kept,
    /// The members' parts do not carry one submission id (parts mixed from
    /// different bundles, a part made for another submission, or a part
    /// some member could not read): excluded and counted invalid.
    Unbound,
    /// The same submission id as an earlier kept position: a bundle
    /// replayed at a new position. Excluded and counted invalid, so a
    /// bundle counts once and a replay (or a bundle that took another's
    /// id to displace it) shows in the invalid count.
    Replay,
}

/// Compares, position by position, the tag every member derived from the
/// submission id its own part authenticates
/// (`sotto_client::protocol::part_tag`) (one round; every member sends
/// its whole tag list to every other). All members then hold the same n
/// lists and decide alike: a position is kept when all n tags agree and
/// no earlier kept position had that tag.
///
/// The relay stores and orders the bundles, and each member sees only its
/// own part; without this step a relay could deliver to different members
/// parts of different bundles at one position, or replay a voter's bundle
/// at a new position so that it counts twice. The tags are public
/// (derived from ids that travel in the clear), so opening them reveals
/// nothing about any answer.
pub async fn agree_on_bundles(ctx: &Ctx, tags: &[Fp]) -> Result<Vec<Bundled>, EngineError> {
    let outgoing = vec![Some(tags.to_vec()); ctx.n()];
    let expect = ctx.members().iter().map(|&j| (j, tags.len())).collect();
    let lists = ctx.exchange(outgoing, expect).await?;
    let mut seen = TagSet::with_room(tags.len());
    Ok((0..tags.len())
        .map(|k| {
            let tag = lists[0][k];
            if lists.iter().any(|l| l[k] != tag) {
                Bundled::Unbound
            } else if seen.insert(tag) {
                Bundled::Kept
            } else {
                Bundled::Replay
            }
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
