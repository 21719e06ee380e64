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
//! The participant appends a short proof that its bit entries are bits
//! ([`super::bit_proof`]: one polynomial identity per chunk of up to 256
//! bits, the SNIP of Prio), so the check costs one square per chunk and one
//! masked product per submission, not one square per bit ([`check`] lists
//! the rounds). A valid submission gives 0. For an invalid one the checked
//! value is a non-zero polynomial in three coins drawn after the
//! submissions were fixed, so it vanishes with probability below 2^-100,
//! and its masked opening is then uniformly random: nothing about the
//! cheater's vector is revealed beyond "invalid". Submissions whose shares
//! are not on one degree-t polynomial never get here: each member checks
//! its shares against the participant's commitment first, and complaints
//! settled in public exclude them ([`crate::envelope::complaint`]). This is
//! the linear-combination check of PROTOCOLS.md ("Validity of a
//! submission"), with powers of opened coins as the coefficients
//! (Schwartz-Zippel).
//!
//! A member cannot change the outcome of a consistent submission's check:
//! the squares come from verified pairs and public `d`, and the checked
//! value is then a linear function of the shares, so no member re-shares
//! anything (the
//! degree-2t re-sharing this check once used let one member whitelist any
//! ballot). A wrong share in any opening aborts, naming the member when
//! it can be identified: no member can exclude an honest submission, and
//! no member can get a malformed one counted.

use serde_json::{Value, json};

use super::{Outcome, bit_proof};
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
    /// Where the participant's proof that its bits are bits begins
    /// ([`Encoding::with_bit_proof`]); `None` before it is added.
    pub proof_at: Option<usize>,
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

    /// Ends the layout with the entries of the participant's proof that
    /// every bit entry is a bit ([`super::bit_proof`]): call it once, after
    /// every entry and constraint. The validity check needs it.
    pub fn with_bit_proof(mut self) -> Encoding {
        debug_assert!(self.proof_at.is_none(), "the bit proof is added once");
        let bits = self.bit_entries().len();
        self.proof_at = Some(self.alloc(bit_proof::proof_len(bits)));
        self
    }

    /// Fills the proof entries of `x` (the participant's side of
    /// [`Encoding::with_bit_proof`]) from its bit entries; a no-op for an
    /// encoding without them.
    pub fn prove(&self, x: &mut [Fp]) {
        let Some(at) = self.proof_at else { return };
        let bits = self.bit_entries();
        for (chunk, start) in bit_proof::chunks(&bits, at) {
            let values: Vec<Fp> = chunk.iter().map(|&i| x[i]).collect();
            let proof = bit_proof::prove_chunk(&values);
            x[start..start + proof.len()].copy_from_slice(&proof);
        }
    }

    /// Whether the proof entries of `x` are those [`Encoding::prove`]
    /// writes for its bit entries.
    fn proof_holds(&self, x: &[Fp]) -> bool {
        if self.proof_at.is_none() {
            return false;
        }
        let mut proved = x.to_vec();
        self.prove(&mut proved);
        proved == x
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

    /// Whether the committee's check accepts a plaintext vector (the
    /// participant's own pre-check, and the reference in tests): every
    /// constraint holds, and the bit proof is the one [`Encoding::prove`]
    /// writes (for bits, the only proof that passes).
    pub fn is_valid(&self, x: &[Fp]) -> bool {
        x.len() == self.len
            && self.proof_holds(x)
            && self.constraints.iter().all(|c| match c {
                Constraint::Bit(i) => x[*i] * (x[*i] - Fp::ONE) == Fp::ZERO,
                Constraint::Linear { terms, constant } => {
                    terms.iter().fold(Fp::ZERO, |a, (i, c)| a + *c * x[*i]) == *constant
                }
            })
    }
}

#[cfg(test)]
impl Encoding {
    /// Appends each of `vectors` again with the bit proof a cheater
    /// computes for its entries (for tests of forged submissions: no
    /// proof passes for a non-bit).
    pub(crate) fn also_proved(&self, vectors: &mut Vec<Vec<Fp>>) {
        let proved: Vec<Vec<Fp>> = vectors
            .iter()
            .map(|f| {
                let mut f = f.clone();
                self.prove(&mut f);
                f
            })
            .collect();
        vectors.extend(proved);
    }
}

/// Checks every submission (each this member's share vector of length
/// `enc.len`, with the bit proof of [`Encoding::with_bit_proof`]) and
/// returns the public validity flags. Five rounds of verified
/// preprocessing and four online rounds, whatever the number of
/// submissions:
///
/// 1. After the submission set is fixed, verified preprocessing makes
///    three random sharings (the coins), a square pair per chunk of bits
///    and a triple per submission.
/// 2. The coins r, rho and R are opened.
/// 3. For every chunk c of every submission j, `d = f_jc(r) - s` is opened
///    for a square pair `(s, S = s^2)`: `f_jc(r)^2 = S + 2 d s + d^2`
///    ([`super::bit_proof`]: f and the proof's q are linear in the shares).
/// 4. With `V_j = sum_c rho^(c+1) (f_jc(r)^2 - f_jc(r) - Z(r) q_jc(r))
///    + sum_k R^(k+1) l_jk` over the linear constraints `l_jk`, and the
///    submission's triple `(a, b, c)`, `e_j = V_j - b` is opened.
/// 5. `a V_j = c + e_j a` is opened; the submission is valid when it is 0.
///
/// **Soundness.** For an invalid submission V_j is a non-zero polynomial
/// in the independent coins `(r, rho, R)`: a chunk with a non-bit makes
/// its `f^2 - f - Z q` a non-zero polynomial in r whatever proof was sent
/// (its monomials all carry a power of rho), and a broken linear
/// constraint gives a non-zero coefficient of a power of R. It vanishes
/// with probability at most `(3 CHUNK + K) / p < 2^-100` (Schwartz-Zippel),
/// and then `a V_j` is zero only if the triple's `a` is, with probability
/// 1/p. Two coins would not do: with `rho = R`, a chunk whose bits all
/// equal 2 has the constant `f^2 - f - Z q = 2`, which a linear residue of
/// -2 at the same power cancels.
///
/// **Consistent inputs are a precondition.** Every submission given here
/// has its honest members' shares on one polynomial of degree t per
/// entry, proof entries included: each member checked its own shares
/// against the participant's commitment before computing, and settled
/// complaints excluded the others alike at every member
/// (`crate::envelope::complaint`). Without that, different sets of t + 1
/// members would check different vectors (adding `u * i^(t+1)` to member
/// i's share once made a "bit" equal to 1000 pass `b(b-1) = 0`).
///
/// **Every opening aborts on a wrong share.** All n shares of every
/// opened value are checked, so a member that sends a wrong share aborts
/// the run (and is named when identifiable). Nothing is re-shared: f(r),
/// q(r) and the linear residues are linear in committed shares, the
/// square comes from a verified pair and public d, the mask from a
/// verified triple. So a member that knows a cheater's vector and the
/// coins still cannot turn a valid submission invalid or the reverse.
///
/// **What the openings reveal.** The coins: fresh. `d`: uniform (s is a
/// uniform secret used once). `e_j`: uniform (b is). `a V_j`: 0 for a
/// valid submission, and uniform for an invalid one, since `a` is a
/// uniform secret used nowhere else: nothing about a cheater's vector
/// beyond "invalid".
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
    let bit_entries = enc.bit_entries();
    // The proof closes the layout: entries or bits added after it would
    // leave bits unproved or proof entries overlapping answers.
    let proof_at = enc
        .proof_at
        .filter(|at| at + bit_proof::proof_len(bit_entries.len()) == enc.len)
        .ok_or(EngineError::InvalidOperation(
            "the encoding does not end with the proof of its bits",
        ))?;
    let count = submissions.len();
    if count == 0 {
        return Ok(Vec::new());
    }
    let chunks = bit_proof::chunks(&bit_entries, proof_at);
    let width = chunks.len();
    ctx.preprocess(Need {
        randoms: 3,
        squares: count * width,
        triples: count,
        ..Need::default()
    })
    .await?;

    // Round: the coins r, rho, R.
    let coins = ctx.open_masked(&ctx.random(3).await?).await?;
    let (r, rho, big_r) = (coins[0], coins[1], coins[2]);
    let at_coin = bit_proof::AtCoin::new(r, bit_entries.len()).ok_or(EngineError::CheckFailed {
        what: "the validity coin (it hit an interpolation node)",
    })?;

    // Round: d = f(r) - s for every chunk of every submission.
    let pairs = ctx.take_squares(count * width).await?;
    let mut evaluated = Vec::with_capacity(count * width);
    let mut masked = Vec::with_capacity(count * width);
    for sub in submissions {
        for (bits, start) in &chunks {
            let (f, zq) = at_coin.evaluate(sub.values(), bits, *start).ok_or(
                EngineError::InvalidOperation("a chunk of bits of an unexpected size"),
            )?;
            masked.push(f - pairs[2 * evaluated.len()]);
            evaluated.push((f, zq));
        }
    }
    let d = ctx.open_masked(&ShareVec::from_values(masked)).await?;
    let squares = square_from(&pairs, &d).into_values();

    // Round: e_j = V_j - b_j.
    let triples = ctx.take_triples(count).await?;
    let linear = powers(big_r, enc.constraints.len());
    let mut second = Vec::with_capacity(count);
    for (j, sub) in submissions.iter().enumerate() {
        let mut v = linear_value(enc, sub.values(), &linear);
        let mut weight = Fp::ONE;
        for c in 0..width {
            weight *= rho;
            let (f, zq) = evaluated[j * width + c];
            v += weight * (squares[j * width + c] - f - zq);
        }
        second.push(v - triples[3 * j + 1]);
    }
    let e = ctx.open_masked(&ShareVec::from_values(second)).await?;
    // Round: a_j V_j = c_j + e_j a_j.
    let product: Vec<Fp> = (0..count)
        .map(|j| triples[3 * j + 2] + e[j] * triples[3 * j])
        .collect();
    let opened = ctx.open_masked(&ShareVec::from_values(product)).await?;
    ctx.count_revealed(count);
    Ok(opened.iter().map(|v| v.is_zero()).collect())
}

/// `x, x^2, ..., x^len`.
fn powers(x: Fp, len: usize) -> Vec<Fp> {
    let mut out = Vec::with_capacity(len);
    let mut power = x;
    for _ in 0..len {
        out.push(power);
        power *= x;
    }
    out
}

/// This member's share of `sum_k R^(k+1) l_k` over the linear constraints
/// `l_k` of one submission `x` (`coeffs[k]` is `R^(k+1)` for the k-th
/// constraint; bit constraints, proved by [`super::bit_proof`], add
/// nothing here).
fn linear_value(enc: &Encoding, x: &[Fp], coeffs: &[Fp]) -> Fp {
    enc.constraints
        .iter()
        .zip(coeffs)
        .fold(Fp::ZERO, |acc, (c, rho)| match c {
            Constraint::Bit(_) => acc,
            Constraint::Linear { terms, constant } => {
                acc + *rho * (terms.iter().fold(Fp::ZERO, |a, (i, c)| a + *c * x[*i]) - *constant)
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
/// at a new position so that it counts twice.
///
/// **Precondition: honest members hold the same tags.** The client's
/// members agree on them before computing: each one's signed Ready
/// carries a hash of every accepted part's id and commitment
/// (`sotto_client::protocol::inputs_hash`), the exclusions follow from
/// complaints every member settles alike, and they compute only when all
/// hashes are equal. So a member whose list differs from this member's
/// deviated (this member being honest), and it is named
/// ([`EngineError::WrongTags`]); every member stops, since excluding the
/// position instead would let a member that lies about its tag drop an
/// honest submission unnoticed. A relay cannot cause a difference here:
/// it cannot alter members' messages, and different parts delivered to
/// different members change their inputs hashes first.
/// The tags are public (derived from ids and commitments that travel in
/// the clear), so opening them reveals nothing about any answer.
pub async fn agree_on_bundles(ctx: &Ctx, tags: &[Option<Fp>]) -> Result<Vec<Bundled>, EngineError> {
    let mine: Vec<Fp> = tags.iter().map(|t| t.unwrap_or(EXCLUDED_TAG)).collect();
    let outgoing = vec![Some(mine.clone()); ctx.n()];
    let expect = ctx.members().iter().map(|&j| (j, tags.len())).collect();
    let lists = ctx.exchange(outgoing, expect).await?;
    let members: Vec<usize> = ctx
        .members()
        .iter()
        .zip(&lists)
        .filter(|(_, l)| **l != mine)
        .map(|(&j, _)| j)
        .collect();
    if !members.is_empty() {
        return Err(EngineError::WrongTags { members });
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

#[cfg(test)]
mod bundle_tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::{Bundled, agree_on_bundles};
    use crate::engine::network::{End, Network};
    use crate::engine::{Committee, EngineError};
    use crate::field::Fp;

    /// Every member's fates for the tags `tags(member)`.
    fn fates(tags: impl Fn(usize) -> Vec<Option<Fp>>) -> Vec<End<Vec<Bundled>>> {
        Network::new(Committee::new(3), 5)
            .run_each(|ctx| {
                let mine = tags(ctx.me());
                async move { agree_on_bundles(&ctx, &mine).await }
            })
            .unwrap()
    }

    #[test]
    fn equal_tags_keep_each_bundle_once() {
        let tags = vec![Some(Fp::new(7)), None, Some(Fp::new(9)), Some(Fp::new(7))];
        for end in fates(|_| tags.clone()) {
            match end {
                End::Done(f) => assert_eq!(
                    f,
                    [
                        Bundled::Kept,
                        Bundled::Excluded,
                        Bundled::Kept,
                        Bundled::Replay
                    ]
                ),
                other => panic!("expected fates, got {other:?}"),
            }
        }
    }

    /// A member whose tag differs at one position (it lies in the engine
    /// although its Ready's inputs hash matched) stops every member, and
    /// the honest ones name it: excluding the position instead would let
    /// the liar drop an honest submission. (The old code stopped naming
    /// nobody.)
    #[test]
    fn a_member_whose_tag_differs_is_named_by_every_honest_member() {
        let ends = fates(|me| {
            let second = if me == 2 { Fp::new(8) } else { Fp::new(9) };
            vec![Some(Fp::new(7)), Some(second)]
        });
        for (i, end) in ends.into_iter().enumerate() {
            match end {
                // The liar's own view: everyone else differs from it.
                End::Failed(EngineError::WrongTags { members }) if i + 1 == 2 => {
                    assert_eq!(members, [1, 3]);
                }
                End::Failed(EngineError::WrongTags { members }) => {
                    assert_eq!(members, [2], "member {}", i + 1);
                }
                other => panic!("expected every member to stop, got {other:?}"),
            }
        }
    }
}
