//! Differential privacy for released counts and sums: discrete Laplace
//! noise that no single member knows.
//!
//! Mechanism. Every member samples, for each released value, its own
//! integer noise from the discrete Laplace distribution with scale s
//! (`P[x] ∝ exp(-|x| / s)`), and the members deal their noise jointly
//! ([`crate::engine::Ctx::joint_deal`]). The sum is added to the secret
//! values before they are opened. The sampler is exact: Canonne, Kamath
//! and Steinke, "The discrete Gaussian for differential privacy"
//! (NeurIPS 2020), algorithms 1 and 2. It uses only uniform integers drawn
//! from the member's CSPRNG, with no floating point, so nothing leaks
//! through rounding.
//!
//! Guarantee. The released vector has L1 sensitivity Δ when one
//! participant's answer is replaced by another: Δ = 2 × (largest L1 norm
//! of one encoded contribution), since the number of valid submissions is
//! published exactly. With s = ceil(Δ / ε), one member's noise alone makes
//! the release ε-differentially private (the discrete Laplace mechanism),
//! and adding independent noise from other members is post-processing.
//! So the guarantee holds against any coalition of up to n − 1 members
//! that subtracts its own noise, t colluders included. The price is
//! accuracy: the total noise has n times the variance a trusted curator
//! would add (2 n s² e^(1/s) / (e^(1/s) − 1)² ≈ 2 n s²). Counts may come
//! out negative and are clamped at zero, which is post-processing.

use crate::engine::{Ctx, EngineError};
use crate::field::Fp;
use crate::share::ShareVec;

/// A uniform integer in `[0, n)` by rejection sampling (n >= 1).
fn uniform(rng: &mut dyn rand_core::CryptoRng, n: u64) -> u64 {
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let v = rng.next_u64();
        if v < zone {
            return v % n;
        }
    }
}

/// Bernoulli(num / den), exact.
fn bernoulli(rng: &mut dyn rand_core::CryptoRng, num: u64, den: u64) -> bool {
    uniform(rng, den) < num
}

/// Bernoulli(exp(-num/den)), exact (CKS20, algorithm 1).
fn bernoulli_exp(rng: &mut dyn rand_core::CryptoRng, num: u64, den: u64) -> bool {
    let mut gamma = num;
    // exp(-g) = exp(-1)^floor(g) * exp(-(g - floor g))
    while gamma > den {
        if !bernoulli_exp(rng, 1, 1) {
            return false;
        }
        gamma -= den;
    }
    let mut k = 1u64;
    while bernoulli(rng, gamma, den.saturating_mul(k)) {
        k += 1;
    }
    k % 2 == 1
}

/// A sample of the discrete Laplace distribution with integer scale
/// `s >= 1`: `P[x] ∝ exp(-|x| / s)` (CKS20, algorithm 2).
pub fn discrete_laplace(rng: &mut dyn rand_core::CryptoRng, s: u64) -> i64 {
    let s = s.max(1);
    loop {
        let u = uniform(rng, s);
        if !bernoulli_exp(rng, u, s) {
            continue;
        }
        let mut v = 0u64;
        while bernoulli_exp(rng, 1, 1) {
            v += 1;
        }
        let x = u + s * v;
        let negative = bernoulli(rng, 1, 2);
        if negative && x == 0 {
            continue;
        }
        let x = x.min(i64::MAX as u64) as i64;
        return if negative { -x } else { x };
    }
}

/// The integer scale for sensitivity `delta` and privacy parameter
/// ε = `milli` / 1000: `ceil(delta / ε)`, computed exactly in integers; the
/// effective ε is `delta / scale`, never more than asked.
pub fn scale(delta: u64, milli: u32) -> u64 {
    let milli = u128::from(milli.max(1));
    let s = (u128::from(delta) * 1000).div_ceil(milli);
    u64::try_from(s).unwrap_or(u64::MAX).max(1)
}

/// Splits the budget ε = `milli` / 1000 evenly over released groups with
/// the given L1 sensitivities (sequential composition): group g gets
/// ε / G and scale `ceil(Δ_g G / ε)`. A group with sensitivity 0 gets no
/// noise (scale 0).
pub fn split(milli: u32, sensitivities: &[u64]) -> Vec<u64> {
    let g = sensitivities.iter().filter(|d| **d > 0).count() as u64;
    sensitivities
        .iter()
        .map(|&d| {
            if d == 0 {
                0
            } else {
                scale(d.saturating_mul(g), milli)
            }
        })
        .collect()
}

/// Adds jointly dealt discrete Laplace noise to every value, value i with
/// scale `scales[i]` (0: no noise). One round.
pub async fn add_noise(
    ctx: &Ctx,
    values: &ShareVec,
    scales: &[u64],
) -> Result<ShareVec, EngineError> {
    if scales.len() != values.len() {
        return Err(EngineError::InvalidOperation("one noise scale per value"));
    }
    let local: Vec<Fp> = ctx.with_rng(|rng| {
        scales
            .iter()
            .map(|&s| match s {
                0 => Fp::ZERO,
                s => Fp::from_i128(discrete_laplace(rng, s) as i128),
            })
            .collect()
    });
    let noise = ctx.joint_deal(&local).await?;
    crate::engine::ops::arith::add(values, &noise)
}

/// A noisy opened count as a non-negative integer (clamping is
/// post-processing).
pub fn clamp(v: Fp) -> u64 {
    v.to_i128().max(0) as u64
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn discrete_laplace_has_the_right_shape() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        for s in [1u64, 4] {
            let n = 20_000;
            let xs: Vec<i64> = (0..n).map(|_| discrete_laplace(&mut rng, s)).collect();
            let mean = xs.iter().sum::<i64>() as f64 / n as f64;
            let zero = xs.iter().filter(|x| **x == 0).count() as f64 / n as f64;
            // P[0] = (1 - q) / (1 + q) with q = exp(-1/s); variance 2q / (1 - q)^2.
            let q = (-1.0 / s as f64).exp();
            let var = xs.iter().map(|x| (*x as f64 - mean).powi(2)).sum::<f64>() / n as f64;
            assert!(mean.abs() < 0.1 * s as f64, "s={s} mean {mean}");
            assert!(
                (zero - (1.0 - q) / (1.0 + q)).abs() < 0.02,
                "s={s} P[0] {zero}"
            );
            let want = 2.0 * q / (1.0 - q).powi(2);
            assert!(
                (var / want - 1.0).abs() < 0.1,
                "s={s} variance {var} vs {want}"
            );
        }
    }

    #[test]
    fn scale_rounds_up() {
        assert_eq!(scale(2, 1000), 2);
        assert_eq!(scale(2, 300), 7);
        assert_eq!(scale(1, 10_000), 1);
        assert_eq!(scale(3, 1), 3000);
    }

    #[test]
    fn split_is_sequential_composition() {
        // Three groups at ε = 1: each gets 1/3.
        assert_eq!(split(1000, &[1, 2, 0, 10]), vec![3, 6, 0, 30]);
        // The effective ε of the parts sums to at most the budget.
        let scales = split(700, &[1, 4, 9]);
        let spent: f64 = [1.0, 4.0, 9.0]
            .iter()
            .zip(&scales)
            .map(|(d, s)| d / *s as f64)
            .sum();
        assert!(spent <= 0.7 + 1e-12, "{spent}");
    }
}
