//! Differential privacy for released counts and sums: discrete Laplace
//! noise that no single member knows.
//!
//! Mechanism. Every member samples, for each released value, its own
//! integer noise from the discrete Laplace distribution with scale s
//! (`P[x] ∝ exp(-|x| / s)`), and the members deal their noise jointly
//! (every bit proven 0 or 1, see [`add_noise`]). The sum is added to the secret
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

/// Bits that spell one member's noise of scale `s` shifted into
/// `[0, 2 * 64 s]` (see [`headroom`]).
fn noise_width(s: u64) -> u32 {
    let top = 2 * HEADROOM_SCALES as u128 * s as u128;
    u128::BITS - top.leading_zeros()
}

/// Adds jointly dealt discrete Laplace noise to every value, value i with
/// scale `scales[i]` (0: no noise). Three rounds, plus five of verified
/// preprocessing for the square pairs unless they were prepared.
///
/// Every member deals its noise `x` for a value of scale s as the bits of
/// `x + 64 s` (an honest sample beyond `+-64 s`, probability below
/// `2^-91`, is clamped to it), so its range is proven rather than
/// trusted:
///
/// 1. each member deals its bits (one round);
/// 2. every dealt bit h is squared with a verified square pair (`d = h - f`
///    opened, uniform) and a coin gamma is opened (drawn in preprocessing,
///    so unknown to every dealer when it dealt). Every dealt share enters
///    one opened d, so this opening also checks that every dealing lies
///    on one polynomial of degree t; if one does not, the run stops naming
///    nobody (a dealer that gave one member a share off its polynomial and
///    that member look alike), and no opening that could name a member
///    ever sees an unchecked dealing;
/// 3. per dealer j, `X_j = sum_k gamma^k (h_jk^2 - h_jk)` is opened. It is
///    0 when j dealt bits; otherwise it is a nonzero polynomial in gamma of
///    degree at most the bit count, so it vanishes with probability below
///    `2^-100`. A consistent nonzero `X_j` names member j
///    ([`EngineError::Deviated`]); an inconsistent one aborts naming
///    nobody.
///
/// What the openings reveal: d is masked by f; gamma is a coin; `X_j` is 0
/// for an honest member and describes only a cheater's own dealing.
/// What a member can still do: choose any noise in its range (bias
/// within `+-64 s`), which is no worse than what the [`headroom`] bound
/// already allows for; the honest members' noise alone gives the privacy.
pub async fn add_noise(
    ctx: &Ctx,
    values: &ShareVec,
    scales: &[u64],
) -> Result<ShareVec, EngineError> {
    let _label = ctx.label("noise");
    if scales.len() != values.len() {
        return Err(EngineError::InvalidOperation("one noise scale per value"));
    }
    let widths: Vec<u32> = scales
        .iter()
        .map(|&s| if s == 0 { 0 } else { noise_width(s) })
        .collect();
    let per_member: usize = widths.iter().map(|w| *w as usize).sum();
    if per_member == 0 {
        return Ok(values.clone());
    }
    // Bound to the valid submissions (`Ctx::bind_noise`): a rerun draws
    // the same noise for the same outputs.
    let local: Vec<Fp> = ctx.with_noise_rng(|rng| {
        let mut bits = Vec::with_capacity(per_member);
        for (&s, &w) in scales.iter().zip(&widths) {
            if s == 0 {
                continue;
            }
            let bound = HEADROOM_SCALES as i128 * s as i128;
            let x = (discrete_laplace(rng, s) as i128).clamp(-bound, bound);
            let shifted = (x + bound) as u128;
            bits.extend((0..w).map(|b| Fp::from(((shifted >> b) & 1) as u64)));
        }
        bits
    });
    let local = ctx.deviate_noise(local);
    // Round 1: every live member deals its bits.
    let bits = ctx.deal_all(&local).await?;
    // Round 2: squares of every dealt bit, and the coin. Opening
    // `d = h - f` for every dealt bit h checks that every dealing is
    // consistent (f is a verified square pair's, so an h off its
    // polynomial makes d's shares disagree), before anything that
    // involves the noise is opened. That opening is not flagged, and a
    // disagreement names nobody: a dealer can give an honest member a
    // share off the polynomial, whose share of d then disagrees, and
    // nobody can tell that from the member lying about its share of d.
    let all: Vec<Fp> = bits.iter().flatten().copied().collect();
    let gamma = ctx.random(1).await?;
    let (squares, gamma) = ctx
        .square_with(&ShareVec::from_values(all), &gamma, false)
        .await
        .map_err(|e| match e {
            EngineError::Opening { .. } => EngineError::CheckFailed {
                what: "the noise dealings (a dealer dealt shares off one polynomial, or a member sent a wrong share: the two cannot be told apart)",
            },
            other => other,
        })?;
    let gamma = gamma[0];
    // Round 3: one check value per dealer.
    let checks: Vec<Fp> = bits
        .iter()
        .enumerate()
        .map(|(j, hs)| {
            let sq = &squares.values()[j * per_member..(j + 1) * per_member];
            let mut weight = Fp::ONE;
            hs.iter().zip(sq).fold(Fp::ZERO, |acc, (h, h2)| {
                weight *= gamma;
                acc + weight * (*h2 - *h)
            })
        })
        .collect();
    let opened = ctx.open_each(&ShareVec::from_values(checks)).await?;
    for (j, x) in opened.iter().enumerate() {
        match x {
            None => {
                return Err(EngineError::CheckFailed {
                    what: "the range of the noise",
                });
            }
            Some(x) if !x.is_zero() => {
                return Err(EngineError::Deviated {
                    member: ctx.members()[j],
                    what: "dealt noise out of its range",
                });
            }
            Some(_) => {}
        }
    }
    // noise_i = sum over members of (sum_b 2^b h - 64 s).
    let mut out = values.values().to_vec();
    for hs in &bits {
        let mut at = 0;
        for ((o, &s), &w) in out.iter_mut().zip(scales).zip(&widths) {
            if s == 0 {
                continue;
            }
            let spelled = hs[at..at + w as usize]
                .iter()
                .rev()
                .fold(Fp::ZERO, |acc, h| acc + acc + *h);
            *o += spelled - Fp::new(HEADROOM_SCALES as u128 * s as u128);
            at += w as usize;
        }
    }
    Ok(ShareVec::from_values(out))
}

/// A noisy opened count as a non-negative integer: negative values (the
/// upper half of the field) read as 0, which is post-processing. A value
/// that does not fit in 64 bits cannot come from the answers and the
/// noise, so it is refused rather than truncated.
pub fn clamp(v: Fp) -> Result<u64, EngineError> {
    u64::try_from(v.to_i128().max(0))
        .map_err(|_| EngineError::OutOfRange("a released count or sum does not fit in 64 bits"))
}

/// Multiple of `n * s` that bounds the sum of n members' discrete
/// Laplace noise of scale s: [`headroom`].
pub const HEADROOM_SCALES: u64 = 64;

/// A public bound H on the magnitude of the summed noise of `n` members
/// at scale `s`: `H = 64 n s`. The sum exceeds H only if some member's
/// noise exceeds 64 s, and `P[|X| >= k] = 2 q^k / (1 + q) <= 2 e^(-k/s)`
/// with `q = e^(-1/s)`, so that happens with probability at most
/// `2 n e^(-64) < n 2^-91` per value. Comparisons of noisy values shift
/// them by H and widen by `log2(2H)` bits, so they stay exact except
/// with that probability. Scale 0 (no noise) gives 0; a bound beyond 64
/// bits is an error.
pub fn headroom(n: usize, s: u64) -> Result<u64, EngineError> {
    u64::try_from(n)
        .ok()
        .and_then(|n| n.checked_mul(s))
        .and_then(|ns| ns.checked_mul(HEADROOM_SCALES))
        .ok_or(EngineError::OutOfRange("noise headroom beyond 64 bits"))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    /// Member 1 deals member 3 one noise share off its polynomial, then
    /// follows the protocol. Member 3's share of `d = h - f` is then the
    /// one that disagrees, and with n >= 2t + 2 an opening that names the
    /// member whose share disagrees named member 3, honest, with its own
    /// signed share as "evidence" (a reviewer's finding, session 11). Now
    /// every honest member stops naming nobody.
    #[test]
    fn an_inconsistent_noise_dealing_never_names_an_honest_member() {
        use crate::engine::message::{Message, round_of};
        use crate::engine::network::{End, Network};
        use crate::engine::{Committee, Transmit};
        use std::cell::Cell;
        use std::rc::Rc;
        for c in [
            Committee { n: 4, t: 1 },
            Committee { n: 5, t: 1 },
            Committee { n: 8, t: 3 },
        ] {
            let fired = Rc::new(Cell::new(false));
            let seen = fired.clone();
            // Round 0 is the noise dealing (the program starts with it).
            let net = Network::new(c, 4).tamper(move |t: &mut Transmit, from| {
                if from == 1 && t.to == 3 && round_of(&t.bytes) == Some(0) {
                    let mut m = Message::decode(&t.bytes).unwrap();
                    m.values[0] += Fp::ONE;
                    t.bytes = m.encode();
                    seen.set(true);
                }
            });
            let ends = net
                .run_each(|ctx| async move {
                    let values = ShareVec::from_values(vec![Fp::ZERO; 2]);
                    let noisy = add_noise(&ctx, &values, &[1, 2]).await?;
                    ctx.open(&noisy).await
                })
                .unwrap();
            assert!(fired.get(), "{c:?}: the dealing was changed");
            for (i, end) in ends.iter().enumerate().skip(1) {
                match end {
                    End::Failed(e) => {
                        assert_eq!(
                            e.culprits(),
                            Some(Vec::new()),
                            "{c:?} member {}: {e}",
                            i + 1
                        );
                    }
                    other => panic!("{c:?} member {}: {other:?}", i + 1),
                }
            }
        }
    }

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
    fn clamp_reads_negatives_as_zero_and_refuses_what_does_not_fit() {
        assert_eq!(clamp(Fp::from(7u64)).unwrap(), 7);
        assert_eq!(clamp(-Fp::from(7u64)).unwrap(), 0);
        assert_eq!(clamp(Fp::from(u64::MAX)).unwrap(), u64::MAX);
        // Used to come out as 0 and 1: truncated, not refused.
        for big in [1u128 << 64, (1u128 << 64) + 1, 1u128 << 100] {
            assert!(matches!(
                clamp(Fp::new(big)),
                Err(EngineError::OutOfRange(_))
            ));
        }
    }

    #[test]
    fn noise_headroom_bounds_the_sum_of_every_members_noise() {
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        for (n, s) in [(3usize, 1u64), (5, 10), (3, 37)] {
            let h = headroom(n, s).unwrap();
            assert_eq!(h, 64 * n as u64 * s);
            for _ in 0..2000 {
                let total: i64 = (0..n).map(|_| discrete_laplace(&mut rng, s)).sum();
                assert!(total.unsigned_abs() < h, "{n} {s}: {total}");
            }
        }
        assert_eq!(headroom(3, 0).unwrap(), 0);
        assert!(headroom(usize::MAX, u64::MAX).is_err());
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
