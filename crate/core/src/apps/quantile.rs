//! Exact order statistics of many values (medians, quartiles of survey
//! answers and budget allocations), opening nothing but the results.
//!
//! All-pairs ranking (`Ctx::order_statistics`) costs m(m-1)/2 comparisons,
//! fine for a hundred values and not for ten thousand. Here the answer is
//! found four bits at a time from the top, using the bits of every value
//! that the validity check already has the participant share
//! (PROTOCOLS.md, "Median of many values"):
//!
//! 1. For every value, the one-hot vector of each 4-bit chunk (16 entries)
//!    is computed once: two rounds, 18 multiplications per chunk.
//! 2. Each target rank keeps a shared eligibility bit per value ("its
//!    higher chunks equal the digits found so far"; initially "answered")
//!    and its secret remaining rank k'. One step: bucket counts of the
//!    eligible values (one multiplication round); cumulative counts
//!    compared with k' + 1 (one comparison layer); the digit is the number
//!    of cumulative counts not above k', opened (one round). The digit is
//!    part of the result, so opening it reveals nothing more; k' and the
//!    eligibility are updated locally from the public digit.
//!
//! Rounds: 2 + steps * (2 + 1 + ceil(log2 l)) with l the bit width of the
//! counts; every job (question) and every target runs in the same rounds.

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

/// Chunk boundaries from the top: (low bit, width) pairs, widths <= 4.
fn chunks(width: u32) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut hi = width;
    let first = if width.is_multiple_of(4) {
        4.min(width)
    } else {
        width % 4
    };
    let mut d = first;
    while hi > 0 {
        out.push((hi - d, d));
        hi -= d;
        d = 4;
    }
    out
}

/// One-hot vectors of every chunk of every value of a job: result index
/// `(chunk * values + v) * 16 + pattern` (patterns beyond 2^d are zero).
async fn one_hots(ctx: &Ctx, jobs: &[Job]) -> Result<Vec<Vec<Fp>>, EngineError> {
    // Round 1: the product of each pair of bits (low pair, high pair).
    let mut a_pairs = Vec::new();
    let mut b_pairs = Vec::new();
    let mut plan = Vec::new(); // (job, chunk, value, d, low)
    for (j, job) in jobs.iter().enumerate() {
        let n = job.eligible.len();
        for (c, &(low, d)) in chunks(job.width).iter().enumerate() {
            for v in 0..n {
                let bit = |i: u32| job.bits.values()[v * job.width as usize + (low + i) as usize];
                for pair in 0..d.div_ceil(2) {
                    if 2 * pair + 1 < d {
                        a_pairs.push(bit(2 * pair));
                        b_pairs.push(bit(2 * pair + 1));
                    }
                }
                plan.push((j, c, v, d, low));
            }
        }
    }
    let prods = ctx
        .mul(
            &ShareVec::from_values(a_pairs),
            &ShareVec::from_values(b_pairs),
        )
        .await?;
    // Group one-hots: for a pair (x, y) with product z: [1-x-y+z, x-z, y-z, z];
    // for a single bit x: [1-x, x].
    let mut groups: Vec<(Vec<Fp>, usize, Vec<Fp>, usize)> = Vec::new();
    let mut at = 0;
    for &(j, _, v, d, low) in &plan {
        let job = &jobs[j];
        let bit = |i: u32| job.bits.values()[v * job.width as usize + (low + i) as usize];
        let mut parts: Vec<Vec<Fp>> = Vec::new();
        for pair in 0..d.div_ceil(2) {
            if 2 * pair + 1 < d {
                let (x, y, z) = (bit(2 * pair), bit(2 * pair + 1), prods.values()[at]);
                at += 1;
                parts.push(vec![Fp::ONE - x - y + z, x - z, y - z, z]);
            } else {
                let x = bit(2 * pair);
                parts.push(vec![Fp::ONE - x, x]);
            }
        }
        let first = parts.remove(0);
        let (p, second) = (first.len(), parts.pop().unwrap_or_else(|| vec![Fp::ONE]));
        let q = second.len();
        groups.push((first, p, second, q));
    }
    // Round 2: outer products of the two groups (sizes vary by chunk width,
    // so they are flattened into one multiplication).
    let mut left = Vec::new();
    let mut right = Vec::new();
    for (a, _, b, _) in &groups {
        for bj in b {
            for ai in a {
                left.push(*ai);
                right.push(*bj);
            }
        }
    }
    let all = ctx
        .mul(&ShareVec::from_values(left), &ShareVec::from_values(right))
        .await?;
    let mut out: Vec<Vec<Fp>> = jobs
        .iter()
        .map(|job| vec![Fp::ZERO; chunks(job.width).len() * job.eligible.len() * 16])
        .collect();
    let mut at = 0;
    for (&(j, c, v, _, _), (_, p, _, q)) in plan.iter().zip(&groups) {
        let n = jobs[j].eligible.len();
        let base = (c * n + v) * 16;
        out[j][base..base + p * q].copy_from_slice(&all.values()[at..at + p * q]);
        at += p * q;
    }
    Ok(out)
}

/// Preprocessing for jobs of these bit widths over at most `values`
/// values each, with at most `ranks` target ranks each: what
/// [`quantiles_with`] takes from its pool (a caller may prepare it
/// together with other work to save the two preprocessing rounds).
pub fn need(widths: &[u32], ranks: usize, values: usize) -> Need {
    let comparisons: usize = widths.iter().map(|w| chunks(*w).len() * ranks * 15).sum();
    Need::lt(comparisons, count_bits(values))
}

/// Width of the bucket counts compared in the search.
fn count_bits(values: usize) -> u32 {
    bits_for(u64::try_from(values).unwrap_or(u64::MAX).saturating_add(1))
}

/// Finds, for every job, the values at its requested ranks; returns them
/// (opened) in the order of `jobs[i].ranks`. Every rank must be below the
/// number of eligible values, which the caller knows (it is public).
pub async fn quantiles(ctx: &Ctx, jobs: &[Job]) -> Result<Vec<Vec<u64>>, EngineError> {
    let _label = ctx.label("quantiles");
    let values = jobs.iter().map(|j| j.eligible.len()).max().unwrap_or(0);
    let exact = jobs
        .iter()
        .map(|j| need(&[j.width], j.ranks.len(), values))
        .fold(Need::default(), |a, b| a + b);
    let mut pool = ctx.preprocess(exact).await?;
    quantiles_with(ctx, jobs, &mut pool).await
}

/// [`quantiles`] with preprocessing from `pool` (at least [`need`] of the
/// jobs' widths, largest rank count and largest value count).
pub async fn quantiles_with(
    ctx: &Ctx,
    jobs: &[Job],
    pool: &mut Pool,
) -> Result<Vec<Vec<u64>>, EngineError> {
    let _label = ctx.label("quantiles");
    if jobs.iter().any(|j| {
        j.width == 0 || j.width > 64 || j.bits.len() != j.eligible.len() * j.width as usize
    }) {
        return Err(EngineError::InvalidOperation(
            "quantile job with inconsistent widths",
        ));
    }
    let max_n = jobs.iter().map(|j| j.eligible.len()).max().unwrap_or(0);
    let l = count_bits(max_n);
    let steps = jobs
        .iter()
        .map(|j| chunks(j.width).len())
        .max()
        .unwrap_or(0);
    let hots = one_hots(ctx, jobs).await?;

    // Per (job, target): eligibility per value, remaining rank k', prefix.
    struct Target {
        job: usize,
        eligible: Vec<Fp>,
        rank: Fp,
        prefix: u64,
    }
    let mut targets: Vec<Target> = Vec::new();
    for (j, job) in jobs.iter().enumerate() {
        for &r in &job.ranks {
            targets.push(Target {
                job: j,
                eligible: job.eligible.values().to_vec(),
                rank: Fp::from(r),
                prefix: 0,
            });
        }
    }
    for step in 0..steps {
        // Active targets: their job still has a chunk at this step.
        let active: Vec<usize> = (0..targets.len())
            .filter(|&i| step < chunks(jobs[targets[i].job].width).len())
            .collect();
        // Eligible x one-hot, for every value and pattern.
        let mut left = Vec::new();
        let mut right = Vec::new();
        for &i in &active {
            let t = &targets[i];
            let n = jobs[t.job].eligible.len();
            for v in 0..n {
                let base = (step * n + v) * 16;
                for c in 0..16 {
                    left.push(t.eligible[v]);
                    right.push(hots[t.job][base + c]);
                }
            }
        }
        let picked = ctx
            .mul(&ShareVec::from_values(left), &ShareVec::from_values(right))
            .await?;
        // Cumulative bucket counts cum_c (values whose chunk is below c),
        // c = 1..=15, against k' + 1.
        let mut cum_all = Vec::new();
        let mut bounds = Vec::new();
        let mut at = 0;
        let mut buckets_per_target = Vec::new();
        for &i in &active {
            let n = jobs[targets[i].job].eligible.len();
            let mut buckets = vec![Fp::ZERO; 16];
            for v in 0..n {
                for (c, b) in buckets.iter_mut().enumerate() {
                    *b += picked.values()[at + v * 16 + c];
                }
            }
            at += n * 16;
            let mut cum = Fp::ZERO;
            for b in &buckets[..15] {
                cum += *b;
                cum_all.push(cum);
                bounds.push(targets[i].rank + Fp::ONE);
            }
            buckets_per_target.push(buckets);
        }
        let below = ctx
            .lt(
                &ShareVec::from_values(cum_all.clone()),
                &ShareVec::from_values(bounds),
                l,
                pool,
            )
            .await?;
        let digits: Vec<Fp> = below
            .values()
            .chunks(15)
            .map(|c| c.iter().fold(Fp::ZERO, |a, x| a + *x))
            .collect();
        let digits = ctx.open(&ShareVec::from_values(digits)).await?;
        // A digit is a count of 15 comparison bits: above 15 it is refused
        // (checked before narrowing, so a 32-bit target cannot wrap it).
        let digits = super::read_counts(&digits, 15)?;
        let mut at = 0;
        for (k, &i) in active.iter().enumerate() {
            let digit = usize::try_from(digits[k])
                .map_err(|_| EngineError::OutOfRange("quantile digit"))?;
            let job = targets[i].job;
            let (low, _) = chunks(jobs[job].width)[step];
            let n = jobs[job].eligible.len();
            let t = &mut targets[i];
            // k' -= number of eligible values whose chunk is below the digit.
            if digit > 0 {
                t.rank -= cum_all[k * 15 + digit - 1];
            }
            t.eligible = (0..n)
                .map(|v| picked.values()[at + v * 16 + digit])
                .collect();
            t.prefix |= (digit as u64) << low;
            at += n * 16;
        }
    }
    let mut out: Vec<Vec<u64>> = jobs.iter().map(|_| Vec::new()).collect();
    for t in targets {
        out[t.job].push(t.prefix);
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

    #[test]
    fn chunking_covers_every_bit_from_the_top() {
        assert_eq!(chunks(1), vec![(0, 1)]);
        assert_eq!(chunks(4), vec![(0, 4)]);
        assert_eq!(chunks(10), vec![(8, 2), (4, 4), (0, 4)]);
        assert_eq!(chunks(7), vec![(4, 3), (0, 4)]);
    }

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
            let mut sorted: Vec<u64> = vals
                .iter()
                .zip(elig)
                .filter(|(_, e)| **e)
                .map(|(v, _)| *v)
                .collect();
            sorted.sort();
            let want: Vec<u64> = ranks.iter().map(|&r| sorted[r as usize]).collect();
            assert_eq!(got, want);
        }
    }
}
