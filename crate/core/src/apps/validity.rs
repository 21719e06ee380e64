//! Validity of submissions checked inside MPC, against participants who
//! send malformed answers to cheat.
//!
//! Every answer type compiles to an [`Encoding`]: a vector length and
//! constraints that are all zero exactly when the vector is a valid answer
//! (a bit is 0 or 1; a linear relation holds, such as "one-hot sums to 1"
//! or "x - lo equals the number spelled by these bits"). The committee
//! checks all submissions at once, revealing one bit per submission:
//!
//! 1. After the submission set is fixed, a joint random R, a random mask
//!    and a random pad per submission are dealt (1 round), and R is opened
//!    (1 round).
//! 2. Every submission is tested for degree-t consistency with all n
//!    shares: `sum_k R^(k+1) x_jk + pad_j` is opened (PROTOCOLS.md, "Input
//!    consistency comes first"). In the same round each member re-shares
//!    its point `s_j = sum_k R^(k+1) q_jk` of a degree-2t polynomial
//!    (quadratic constraint terms are local products of shares) to degree
//!    t (the GRR98 step of [`crate::engine::Ctx::reduce_degree`]).
//! 3. `m_j * s_j` is computed (1 round) and opened (1 round).
//!
//! A valid submission gives 0. For an invalid one, `s_j` is a non-zero
//! polynomial in R of degree at most K (the constraint count), so it
//! vanishes with probability at most K/p < 2^-110, and `m_j * s_j` is then
//! uniformly random: nothing about the cheater's vector is revealed beyond
//! "invalid"; a submission whose shares are not on one degree-t
//! polynomial fails step 2 whatever its constraint value ([`check`] has
//! the argument). This is the linear-combination check of PROTOCOLS.md
//! ("Validity of a submission"), with powers of one opened R as the
//! coefficients (Schwartz-Zippel).

use serde_json::{Value, json};

use super::Outcome;
use crate::engine::{Ctx, EngineError};
use crate::field::Fp;
use crate::share::{Reconstructor, ShareVec, deal, lagrange_coefficients};

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
/// whatever the number of submissions:
///
/// 1. a joint random R, a mask `m_j` and a consistency pad `r_j` per
///    submission are dealt;
/// 2. R is opened (it is drawn after the submission set is fixed, so no
///    participant could adapt to it);
/// 3. in one round, `c_j = sum_k R^(k+1) x_jk + r_j` is opened with all n
///    shares, and each member re-shares its point of the constraint
///    combination `s_j` to degree t ([`crate::engine::Ctx::reduce_degree`]
///    done inline, so the consistency test costs no extra round);
/// 4. `m_j * s_j` is computed and 5. opened.
///
/// Submission j is valid when `c_j`'s n shares lie on one polynomial of
/// degree t and `m_j * s_j = 0`.
///
/// **Why consistency first.** The constraint check combines members
/// 1..=2t+1's local points with degree-2t Lagrange weights; for shares
/// that are not on one degree-t polynomial it checks the constraints on
/// the wrong quantity (adding `u * i^(t+1)` to member i's share makes a
/// "bit" equal to 1000 pass `b(b-1) = 0`), and with n = 2t+2 member n's
/// share would not enter at all. If the shares `x_jk(i)` of some entry k
/// are off degree t, their combination with R is off degree t for all but
/// at most `enc.len` values of R (a non-zero vector polynomial in R), so a
/// malformed submission passes with probability at most `enc.len / p`.
/// An inconsistent or unreadable submission is excluded at every member
/// alike, never an abort.
///
/// **What the openings reveal.** `c_j`'s degree-t part is padded by the
/// uniformly random `r_j`, unknown to any t members, so its value is
/// uniform; its deviation from degree t is zero for an honest participant
/// and only describes a cheater's malformed shares (a member that cannot
/// read its part substitutes uniformly random shares, so the deviation
/// then is uniform too). `m_j * s_j` is 0 for a valid submission and
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
    // Everything drawn from here on is combined with these submissions.
    let consumed = inputs_digest(ctx, submissions.iter().enumerate());
    ctx.rekey(&[b"validity", &consumed]);
    let randoms = ctx.random(1 + 2 * count).await?;
    let r = ctx
        .open_masked(&ShareVec::from_values(vec![randoms.values()[0]]))
        .await?[0];
    let masks = ShareVec::from_values(randoms.values()[1..=count].to_vec());
    let pads = &randoms.values()[count + 1..];
    // Coefficients R^1 .. R^K, one per constraint (and per entry for the
    // consistency combination).
    let mut coeffs = Vec::with_capacity(enc.constraints.len().max(enc.len));
    let mut power = r;
    for _ in 0..enc.constraints.len().max(enc.len) {
        coeffs.push(power);
        power *= r;
    }
    let combined: Vec<Fp> = submissions
        .iter()
        .zip(pads)
        .map(|(sub, pad)| {
            sub.values()
                .iter()
                .zip(&coeffs)
                .fold(*pad, |acc, (x, rho)| acc + *rho * *x)
        })
        .collect();
    let local: Vec<Fp> = submissions
        .iter()
        .map(|sub| constraint_point(enc, sub.values(), &coeffs))
        .collect();
    let (consistent, s) = open_and_reduce(ctx, &combined, &local).await?;
    let masked = ctx.mul(&masks, &s).await?;
    let opened = ctx.open(&masked).await?;
    Ok(opened
        .iter()
        .zip(&consistent)
        .map(|(v, ok)| *ok && v.is_zero())
        .collect())
}

/// This member's point of `sum_k R^(k+1) q_k` for one submission `x`: a
/// point of a degree-2t polynomial (quadratic terms are local products
/// of degree-t shares; linear terms are of degree t, a fortiori <= 2t).
fn constraint_point(enc: &Encoding, x: &[Fp], coeffs: &[Fp]) -> Fp {
    enc.constraints
        .iter()
        .zip(coeffs)
        .fold(Fp::ZERO, |acc, (c, rho)| {
            acc + *rho
                * match c {
                    Constraint::Bit(i) => x[*i] * (x[*i] - Fp::ONE),
                    Constraint::Linear { terms, constant } => {
                        terms.iter().fold(Fp::ZERO, |a, (i, c)| a + *c * x[*i]) - *constant
                    }
                }
        })
}

/// One round doing two things: opens `padded` (degree-t sharings of
/// uniformly padded values) to everyone with all n shares, returning for
/// each whether its shares lie on one degree-t polynomial; and re-shares
/// the degree-2t points `local` to degree t (the GRR98 step of
/// [`Ctx::reduce_degree`]: members 1..=2t+1 deal, everyone combines with
/// the Lagrange weights at 0).
async fn open_and_reduce(
    ctx: &Ctx,
    padded: &[Fp],
    local: &[Fp],
) -> Result<(Vec<bool>, ShareVec), EngineError> {
    let (n, t, count) = (ctx.n(), ctx.t(), padded.len());
    let dealers = 2 * t + 1;
    let dealt = if ctx.me() <= dealers {
        Some(ctx.with_rng(|rng| deal(local, n, t, rng))?)
    } else {
        None
    };
    let outgoing = (0..n)
        .map(|j| {
            let mut v = padded.to_vec();
            if let Some(d) = &dealt {
                v.extend_from_slice(d[j].values());
            }
            Some(v)
        })
        .collect();
    let expect = (1..=n)
        .map(|i| (i, if i <= dealers { 2 * count } else { count }))
        .collect();
    let got = ctx.exchange(outgoing, expect).await?;
    let opened: Vec<&[Fp]> = got.iter().map(|v| &v[..count]).collect();
    let all: Vec<usize> = (1..=n).collect();
    let consistent = Reconstructor::new(&all, t)?
        .reconstruct_each(&opened)?
        .iter()
        .map(Option::is_some)
        .collect();
    let lambdas = lagrange_coefficients(&(1..=dealers).collect::<Vec<_>>(), Fp::ZERO)?;
    let mut out = vec![Fp::ZERO; local.len()];
    for (lambda, shares) in lambdas.iter().zip(&got) {
        for (o, s) in out.iter_mut().zip(&shares[count..]) {
            *o += *lambda * *s;
        }
    }
    Ok((consistent, ShareVec::from_values(out)))
}

/// SHA-256 over the identity ([`Ctx::input_id`]) and this member's share
/// bytes of each given submission: what [`Ctx::rekey`] binds the
/// randomness of the validity check, and then of the rest of the program,
/// to.
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
    let n = ctx.n();
    let outgoing = vec![Some(tags.to_vec()); n];
    let expect = (1..=n).map(|j| (j, tags.len())).collect();
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
    // Everything drawn after the check (comparison masks, noise) is
    // combined with the valid submissions only: the same valid set gives
    // the same randomness, whatever else was submitted.
    let kept = inputs_digest(
        ctx,
        submissions
            .iter()
            .enumerate()
            .zip(&flags)
            .filter(|(_, ok)| **ok)
            .map(|(s, _)| s),
    );
    ctx.rekey(&[b"valid", &kept]);
    let valid: Vec<&ShareVec> = submissions
        .iter()
        .zip(&flags)
        .filter(|(_, ok)| **ok)
        .map(|(s, _)| s)
        .collect();
    let invalid = (flags.len() - valid.len()) as u64;
    Ok(Checked { valid, invalid })
}
