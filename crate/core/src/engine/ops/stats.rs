//! Argmax and order statistics (median, quantiles) by one layer of
//! all-pairs comparisons.
//!
//! Ties are broken deterministically by index: value j sorts before value
//! k when `v_j < v_k`, or `v_j = v_k` and `j < k`. Every value then has a
//! distinct rank, so exactly one value has each rank; for argmax, the
//! winner is the largest value with the lowest index among equals.
//! (Reporting ties is the caller's business: compare the winner with the
//! others for equality.)
//!
//! Costs for m values of l bits: m(m-1)/2 comparisons in one layer
//! (1 + ceil(log2 l) rounds), then equality of each rank with a public
//! target (1 + ceil(log2 ceil(log2 m)) rounds). Argmax over 16 32-bit
//! values: 6 + 3 online rounds, plus one round to open the result.

use super::bits::{Need, Pool};
use crate::engine::ctx::Ctx;
use crate::engine::error::EngineError;
use crate::field::Fp;
use crate::share::ShareVec;

/// Bits needed for ranks 0..m-1 (at least 1).
pub fn rank_bits(m: usize) -> u32 {
    let mut w = 1;
    while (1usize << w) < m {
        w += 1;
    }
    w
}

/// Preprocessing for [`Ctx::argmax`] over m values of l bits.
pub fn argmax_need(m: usize, l: u32) -> Need {
    Need::lt(m * m.saturating_sub(1) / 2, l) + Need::eq(m, rank_bits(m))
}

/// Preprocessing for [`Ctx::order_statistics`] over m values of l bits with
/// `targets` requested ranks.
pub fn order_statistics_need(m: usize, l: u32, targets: usize) -> Need {
    Need::lt(m * m.saturating_sub(1) / 2, l)
        + Need::eq(m * targets, rank_bits(m))
        + Need::products(m * targets)
}

impl Ctx {
    /// Rank of every value in the tie-broken ascending order (shared,
    /// in `[0, m)`), from all m(m-1)/2 comparisons in one layer.
    pub async fn ranks(
        &self,
        values: &ShareVec,
        l: u32,
        pool: &mut Pool,
    ) -> Result<ShareVec, EngineError> {
        let m = values.len();
        let pairs: Vec<(usize, usize)> = (0..m)
            .flat_map(|j| (j + 1..m).map(move |k| (j, k)))
            .collect();
        let later: Vec<Fp> = pairs.iter().map(|&(_, k)| values.0[k]).collect();
        let earlier: Vec<Fp> = pairs.iter().map(|&(j, _)| values.0[j]).collect();
        // d = [v_k < v_j] for j < k: then k sorts before j; otherwise j
        // sorts before k (ties go to the lower index).
        let d = self
            .lt(&ShareVec(later), &ShareVec(earlier), l, pool)
            .await?;
        let mut rank = vec![Fp::ZERO; m];
        for (&(j, k), dv) in pairs.iter().zip(&d.0) {
            rank[j] += *dv;
            rank[k] += Fp::ONE - *dv;
        }
        Ok(ShareVec(rank))
    }

    /// One-hot sharing of the position of the maximum (ties to the lowest
    /// index). Needs [`argmax_need`] preprocessing.
    pub async fn argmax(
        &self,
        values: &ShareVec,
        l: u32,
        pool: &mut Pool,
    ) -> Result<ShareVec, EngineError> {
        let m = values.len();
        if m == 0 {
            return Err(EngineError::InvalidOperation("argmax of an empty vector"));
        }
        if m == 1 {
            return Ok(ShareVec(vec![Fp::ONE]));
        }
        // The winner is the one value that sorts after all others: rank
        // m - 1 in ascending order with ties to the lower index would pick
        // the highest index among equal maxima, so rank descending instead.
        let negated = ShareVec(
            values
                .0
                .iter()
                .map(|v| Fp::new((1u128 << l) - 1) - *v)
                .collect(),
        );
        let ranks = self.ranks(&negated, l, pool).await?;
        self.eq_public(&ranks, &vec![0u128; m], rank_bits(m), pool)
            .await
    }

    /// The position of the maximum as a shared index (ties to the lowest).
    pub async fn argmax_index(
        &self,
        values: &ShareVec,
        l: u32,
        pool: &mut Pool,
    ) -> Result<ShareVec, EngineError> {
        let onehot = self.argmax(values, l, pool).await?;
        Ok(ShareVec(vec![
            onehot
                .0
                .iter()
                .enumerate()
                .fold(Fp::ZERO, |acc, (j, e)| acc + Fp::from(j as u64) * *e),
        ]))
    }

    /// The values at the given ranks (0-based, ascending, ties by index).
    /// Needs [`order_statistics_need`] preprocessing.
    pub async fn order_statistics(
        &self,
        values: &ShareVec,
        targets: &[usize],
        l: u32,
        pool: &mut Pool,
    ) -> Result<ShareVec, EngineError> {
        let m = values.len();
        if m == 0 || targets.iter().any(|&q| q >= m) {
            return Err(EngineError::InvalidOperation(
                "order statistic outside the data",
            ));
        }
        let ranks = self.ranks(values, l, pool).await?;
        let rep: Vec<Fp> = targets
            .iter()
            .flat_map(|_| ranks.0.iter().copied())
            .collect();
        let wanted: Vec<u128> = targets
            .iter()
            .flat_map(|&q| std::iter::repeat_n(q as u128, m))
            .collect();
        let hits = self
            .eq_public(&ShareVec(rep), &wanted, rank_bits(m), pool)
            .await?;
        let vals: Vec<Fp> = targets
            .iter()
            .flat_map(|_| values.0.iter().copied())
            .collect();
        let picked = self.mul(&hits, &ShareVec(vals)).await?;
        Ok(ShareVec(
            picked
                .0
                .chunks(m)
                .map(|c| c.iter().fold(Fp::ZERO, |a, x| a + *x))
                .collect(),
        ))
    }

    /// The lower median: the value of rank `floor((m - 1) / 2)`. For an even
    /// count that is the smaller of the two middle values; callers wanting
    /// their average ask [`Ctx::order_statistics`] for both.
    pub async fn median(
        &self,
        values: &ShareVec,
        l: u32,
        pool: &mut Pool,
    ) -> Result<ShareVec, EngineError> {
        let m = values.len();
        self.order_statistics(values, &[m.saturating_sub(1) / 2], l, pool)
            .await
    }

    /// Sum of the selected entries: `sum_j onehot_j * x_j` (one round).
    pub async fn pick(&self, onehot: &ShareVec, x: &ShareVec) -> Result<ShareVec, EngineError> {
        let prod = self.mul(onehot, x).await?;
        Ok(super::arith::sum(&prod))
    }
}
