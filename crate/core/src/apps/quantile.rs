//! Exact order statistics of many values (medians, quartiles of survey
//! answers and budget allocations), opening nothing but the results.
//! (Histogram buckets need no search: every answer carries its bucket as
//! validated one-hot bits, `crate::apps::survey`.)
//!
//! The search walks down the bits of every value, which the participant shares
//! and the validity check proves to be bits (the range proof's bits of
//! `x - lo`: PROTOCOLS.md, "Median of many values"). A *group* keeps one
//! shared bit per value, "the value's bits above the current position
//! equal the group's prefix" (initially "the value takes part"). At a bit
//! position each group needs one product per value, `e_v * b_v`, shared by
//! every search that follows the same prefix. For the order statistic of
//! rank k ([`quantiles`]), `c0 = sum_v (e_v - e_v b_v)` counts the
//! candidates whose bit is 0; the answer's bit is `d = 1 - [k' < c0]` (one
//! comparison of count-width values, Catrina and de Hoogh), opened; then
//! `e_v <- e_v b_v` and `k' <- k' - c0` if `d = 1`, else `e_v <- e_v -
//! e_v b_v` (local, as d is public). Targets whose opened prefixes agree
//! share their group, so the quartiles of a question cost one product per
//! value per bit while they agree.
//!
//! Every product multiplies by a bit of a value, so the products are
//! products by a fixed vector ([`crate::engine::ops::factor`]): the bits
//! are masked and opened once, a product opens only its left factor's
//! mask (3 field elements sent per product for 3 members, against 8 of a
//! [`Ctx::mul`]), and the triples of one bit are verified together.
//!
//! Cost per value and bit: one verified product per distinct prefix,
//! against 4 products plus a 16-entry one-hot per 4 bits of the former
//! digit search and about 2l products per comparison of the carry tree;
//! rounds per bit: 1 product + 1 + ceil(log2 l') comparison + 1 opening
//! (l' the bit width of the counts).
//!
//! What is opened, and why it reveals nothing more than the result:
//! - the product openings of [`Ctx::mul_factor`] (Beaver: `x - a` for a
//!   fresh verified triple, and once per bit `y - beta` for a fresh mask:
//!   uniformly random);
//! - the masked opening inside each comparison (`z + r` with r 40 bits
//!   wider than z: statistically hidden, distance 2^-40);
//! - the digits d: each is a bit of an order statistic that is opened as
//!   the result, so they are the result itself, opened bit by bit. The
//!   grouping of targets is a function of those digits. Counts, remaining
//!   ranks and eligibility bits are never opened.
//!
//! Everything is checked as every opening is (all n shares, degree t), so
//! a deviating member aborts the run; it cannot steer a digit.

use crate::engine::ops::bits::{Need, Pool};
use crate::engine::{Ctx, EngineError};
use crate::field::Fp;
use crate::share::ShareVec;

use super::bits_for;

/// One set of values to take order statistics of.
#[derive(Debug, Clone)]
pub struct Job {
    /// Shared bits of every value, value-major, least significant first.
    pub bits: ShareVec,
    /// Bits per value.
    pub width: u32,
    /// Shared bit per value: 1 if the value takes part (e.g. the question
    /// was answered).
    pub eligible: ShareVec,
    /// 0-based ranks, among the eligible values, to find.
    pub ranks: Vec<u64>,
}

impl Job {
    fn values(&self) -> usize {
        self.eligible.len()
    }
}

/// Preprocessing for jobs of these bit widths over at most `values`
/// values each, with at most `ranks` target ranks each: the comparisons.
/// The products of the search are made by the search itself, with
/// triples bound to the values' bits ([`crate::engine::ops::factor`]), as
/// the targets' groups become known, so nothing is made in vain.
pub fn need(widths: &[u32], ranks: usize, values: usize) -> Need {
    let comparisons: usize = widths.iter().map(|w| *w as usize * ranks).sum();
    Need::lt(comparisons, count_bits(values))
}

/// Width of the counts compared in the search.
fn count_bits(values: usize) -> u32 {
    bits_for(u64::try_from(values).unwrap_or(u64::MAX).saturating_add(1))
}

/// Finds, for every job, the values at its requested ranks; returns them
/// (opened) in the order of `jobs[i].ranks`. Every rank must be below the
/// number of eligible values, which the caller knows (it is public).
pub async fn quantiles(ctx: &Ctx, jobs: &[Job]) -> Result<Vec<Vec<u64>>, EngineError> {
    let _label = ctx.label("quantiles");
    let values = jobs.iter().map(Job::values).max().unwrap_or(0);
    let exact = jobs
        .iter()
        .map(|j| need(&[j.width], j.ranks.len(), values))
        .fold(Need::default(), |a, b| a + b);
    let mut pool = ctx.preprocess(exact).await?;
    quantiles_with(ctx, jobs, &mut pool).await
}

/// The bits of every job, concatenated, as one factor of the search's
/// products, and where each job's bits start.
async fn bits_factor(
    ctx: &Ctx,
    bits: &[&ShareVec],
) -> Result<(crate::engine::ops::factor::Factor, Vec<usize>), EngineError> {
    let mut offsets = Vec::with_capacity(bits.len());
    let mut all = Vec::new();
    for b in bits {
        offsets.push(all.len());
        all.extend_from_slice(b.values());
    }
    Ok((ctx.factor(&ShareVec::from_values(all)).await?, offsets))
}

/// A small map from (job, prefix) to a vector, kept sorted by key: the few
/// groups of a search. A sorted `Vec` rather than a `BTreeMap`: the
/// browser member's code carries one generic map less per value type.
#[derive(Default)]
struct Groups(Vec<((usize, u64), Vec<Fp>)>);

impl Groups {
    fn find(&self, key: &(usize, u64)) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.cmp(key))
    }

    fn keys(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.0.iter().map(|(k, _)| *k)
    }

    /// Inserts `make()` under `key` unless the key is there.
    fn insert_with(&mut self, key: (usize, u64), make: impl FnOnce() -> Vec<Fp>) {
        if let Err(at) = self.find(&key) {
            self.0.insert(at, (key, make()));
        }
    }
}

impl core::ops::Index<&(usize, u64)> for Groups {
    type Output = Vec<Fp>;
    /// The vector under `key`, which the search put there.
    fn index(&self, key: &(usize, u64)) -> &Vec<Fp> {
        match self.find(key) {
            Ok(at) => &self.0[at].1,
            Err(_) => &EMPTY,
        }
    }
}

/// What [`Groups`] gives for a key it does not hold (never, by
/// construction of the searches).
static EMPTY: Vec<Fp> = Vec::new();

/// [`quantiles`] with preprocessing from `pool` (at least [`need`] of the
/// jobs' widths, largest rank count and largest value count). The
/// products are made first, in one batch (four preprocessing rounds), for
/// as many groups as the targets can form, which a search never exceeds
/// (were it to, it would stop with
/// [`EngineError::PreprocessingExhausted`]: no triples are made for a
/// factor after its first product, see `engine::ops::audit`).
pub async fn quantiles_with(
    ctx: &Ctx,
    jobs: &[Job],
    pool: &mut Pool,
) -> Result<Vec<Vec<u64>>, EngineError> {
    let _label = ctx.label("quantiles");
    if jobs
        .iter()
        .any(|j| j.width == 0 || j.width > 64 || j.bits.len() != j.values() * j.width as usize)
    {
        return Err(EngineError::InvalidOperation(
            "quantile job with inconsistent widths",
        ));
    }
    let l = count_bits(jobs.iter().map(Job::values).max().unwrap_or(0));
    let steps = jobs.iter().map(|j| j.width).max().unwrap_or(0);
    // Per target: its job, secret remaining rank k' and the opened prefix.
    let mut targets: Vec<(usize, Fp, u64)> = Vec::new();
    // Per (job, prefix): the shared "prefix still equal" bit of each value.
    let mut groups = Groups::default();
    for (j, job) in jobs.iter().enumerate() {
        if job.ranks.is_empty() {
            continue;
        }
        groups.insert_with((j, 0), || job.eligible.values().to_vec());
        targets.extend(job.ranks.iter().map(|&r| (j, Fp::from(r), 0u64)));
    }
    // The products multiply group bits by the values' bits: triples bound
    // to those bits, all made before the first product.
    let bits: Vec<&ShareVec> = jobs.iter().map(|j| &j.bits).collect();
    let (mut factor, offsets) = bits_factor(ctx, &bits).await?;
    let entry = |j: usize, v: usize, i: u32| offsets[j] + v * jobs[j].width as usize + i as usize;
    // All at once, for as many groups as there can be: a job's targets
    // split at most in two per step. A batch costs a sacrifice per bit of
    // every value, a spare triple one re-shared value: one batch with
    // spares is cheaper than a batch per split.
    let mut index = Vec::new();
    for (j, job) in jobs.iter().enumerate() {
        for step in 0..job.width {
            let most = job
                .ranks
                .len()
                .min(1usize.checked_shl(step).unwrap_or(usize::MAX));
            for v in 0..job.values() {
                index.extend(std::iter::repeat_n(entry(j, v, job.width - 1 - step), most));
            }
        }
    }
    ctx.factor_triples(&mut factor, &index).await?;
    for step in 0..steps {
        // Groups of jobs that still have a bit at this step, and the bit.
        let active: Vec<(usize, u64)> = groups
            .keys()
            .filter(|(j, _)| step < jobs[*j].width)
            .collect();
        let mut per_job = vec![0usize; jobs.len()];
        for (j, _) in &active {
            per_job[*j] += 1;
        }
        // Never short: a job's groups at a step are at most its ranks and
        // at most 2^step, what was made above. Triples made now would
        // come after `y - beta` was opened, where a failed batch could
        // not be audited (`engine::ops::audit`), so the factor refuses
        // them; this guard says so plainly should the bound ever break.
        let short = per_job.iter().enumerate().any(|(j, &g)| {
            g > 0
                && jobs[j].values() > 0
                && factor.stocked(entry(j, 0, jobs[j].width - 1 - step)) < g
        });
        if short {
            return Err(EngineError::PreprocessingExhausted);
        }
        let needed: usize = active.iter().map(|(j, _)| jobs[*j].values()).sum();
        let (mut left, mut right) = (Vec::with_capacity(needed), Vec::with_capacity(needed));
        for key in &active {
            let job = &jobs[key.0];
            let i = job.width - 1 - step;
            left.extend_from_slice(&groups[key]);
            right.extend((0..job.values()).map(|v| entry(key.0, v, i)));
        }
        let prod = ctx
            .mul_factor(&mut factor, &ShareVec::from_values(left), &right)
            .await?;
        // Per active group (in the order of `active`, which is sorted):
        // e_v b_v and the count of candidates with bit 0.
        let mut ones: Vec<(&[Fp], Fp)> = Vec::with_capacity(active.len());
        let mut at = 0;
        for key in &active {
            let n = jobs[key.0].values();
            let z = &prod.values()[at..at + n];
            let zeros = groups[key]
                .iter()
                .zip(z)
                .fold(Fp::ZERO, |a, (e, z)| a + *e - *z);
            ones.push((z, zeros));
            at += n;
        }
        let one = |key: &(usize, u64)| {
            active
                .binary_search(key)
                .map_or((&[][..], Fp::ZERO), |i| ones[i])
        };
        let live: Vec<usize> = (0..targets.len())
            .filter(|&t| step < jobs[targets[t].0].width)
            .collect();
        let ranks: Vec<Fp> = live.iter().map(|&t| targets[t].1).collect();
        let zeros: Vec<Fp> = live
            .iter()
            .map(|&t| one(&(targets[t].0, targets[t].2)).1)
            .collect();
        let below = ctx
            .lt(
                &ShareVec::from_values(ranks),
                &ShareVec::from_values(zeros.clone()),
                l,
                pool,
            )
            .await?;
        let digits: Vec<Fp> = below.values().iter().map(|b| Fp::ONE - *b).collect();
        let digits = ctx.open(&ShareVec::from_values(digits)).await?;
        // A digit is a bit; anything else is refused.
        let digits = super::read_counts(&digits, 1)?;
        let mut next = Groups::default();
        for ((&t, d), c0) in live.iter().zip(digits).zip(zeros) {
            let (j, rank, prefix) = targets[t];
            let i = jobs[j].width - 1 - step;
            let key = (j, prefix | (d << i));
            next.insert_with(key, || {
                let (z, _) = one(&(j, prefix));
                let e = &groups[&(j, prefix)];
                if d == 1 {
                    z.to_vec()
                } else {
                    e.iter().zip(z).map(|(e, z)| *e - *z).collect()
                }
            });
            targets[t] = (j, if d == 1 { rank - c0 } else { rank }, key.1);
        }
        // Groups of jobs that have run out of bits stay as they were.
        for (key, e) in groups.0 {
            if step >= jobs[key.0].width {
                next.insert_with(key, || e);
            }
        }
        groups = next;
    }
    let mut out: Vec<Vec<u64>> = jobs.iter().map(|_| Vec::new()).collect();
    for (j, _, prefix) in targets {
        out[j].push(prefix);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::engine::Committee;
    use crate::engine::network::Network;
    use crate::share::deal;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{Rng, SeedableRng};

    /// (values, eligible, width, ranks) of one job.
    type Plain = (Vec<u64>, Vec<bool>, u32, Vec<u64>);

    fn run(jobs_plain: Vec<Plain>) -> Vec<Vec<u64>> {
        let c = Committee::new(3);
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let mut per_member: Vec<Vec<Job>> = vec![Vec::new(); 3];
        for (vals, elig, w, ranks) in &jobs_plain {
            let bits: Vec<Fp> = vals
                .iter()
                .flat_map(|x| (0..*w).map(move |i| Fp::from((x >> i) & 1)))
                .collect();
            let e: Vec<Fp> = elig.iter().map(|b| Fp::from(*b)).collect();
            let sb = deal(&bits, 3, 1, &mut rng).unwrap();
            let se = deal(&e, 3, 1, &mut rng).unwrap();
            for m in 0..3 {
                per_member[m].push(Job {
                    bits: sb[m].clone(),
                    width: *w,
                    eligible: se[m].clone(),
                    ranks: ranks.clone(),
                });
            }
        }
        let out = Network::new(c, 2)
            .run(|ctx| {
                let jobs = per_member[ctx.me() - 1].clone();
                async move { quantiles(&ctx, &jobs).await }
            })
            .unwrap();
        out.values[0].clone()
    }

    #[test]
    fn order_statistics_of_eligible_values_match_sorting() {
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let mut plain = Vec::new();
        for &(n, w) in &[(40usize, 10u32), (25, 3), (12, 17), (7, 1)] {
            let vals: Vec<u64> = (0..n).map(|_| rng.next_u64() & ((1 << w) - 1)).collect();
            let elig: Vec<bool> = (0..n).map(|i| i % 5 != 3).collect();
            let count = elig.iter().filter(|e| **e).count() as u64;
            let ranks = vec![0, count / 4, (count - 1) / 2, count / 2, count - 1];
            plain.push((vals, elig, w, ranks));
        }
        let got = run(plain.clone());
        for ((vals, elig, _, ranks), got) in plain.iter().zip(got) {
            assert_eq!(got, plain_order(vals, elig, ranks));
        }
    }

    /// Sorted eligible values and the order statistics `ranks` of them.
    fn plain_order(vals: &[u64], elig: &[bool], ranks: &[u64]) -> Vec<u64> {
        let mut sorted: Vec<u64> = vals
            .iter()
            .zip(elig)
            .filter(|(_, e)| **e)
            .map(|(v, _)| *v)
            .collect();
        sorted.sort();
        ranks.iter().map(|&r| sorted[r as usize]).collect()
    }

    #[test]
    fn ties_duplicates_all_equal_and_extreme_ranks_match_sorting() {
        let mut rng = ChaCha20Rng::seed_from_u64(21);
        let mut plain: Vec<Plain> = Vec::new();
        // All equal (every rank is the one value), including the ends.
        plain.push((vec![5; 9], vec![true; 9], 4, vec![0, 4, 8]));
        // Only duplicates of two values; ranks across the boundary.
        let v: Vec<u64> = (0..16).map(|i| if i % 3 == 0 { 2 } else { 9 }).collect();
        plain.push((v, vec![true; 16], 4, vec![0, 5, 6, 15]));
        // Heavy ties on 3 bits with ineligible values that are smaller
        // and larger than every eligible one.
        let v: Vec<u64> = (0..30).map(|_| rng.next_u64() % 3 + 2).collect();
        let mut v = v;
        v[0] = 0;
        v[1] = 7;
        let mut e = vec![true; 30];
        e[0] = false;
        e[1] = false;
        plain.push((v, e, 3, vec![0, 1, 13, 14, 27]));
        // The extremes of the range: 0 and 2^w - 1, ranks at both ends.
        let w = 12;
        let mut v: Vec<u64> = (0..20).map(|_| rng.next_u64() % (1 << w)).collect();
        v[3] = 0;
        v[11] = (1 << w) - 1;
        plain.push((v, vec![true; 20], w, vec![0, 19]));
        // One eligible value.
        plain.push((vec![3, 6, 1], vec![false, true, false], 3, vec![0]));
        let got = run(plain.clone());
        for ((vals, elig, _, ranks), got) in plain.iter().zip(got) {
            assert_eq!(got, plain_order(vals, elig, ranks), "{vals:?} {ranks:?}");
        }
    }
}
