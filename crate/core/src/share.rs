//! Shamir secret sharing over [`Fp`], vectorized, with consistency checks.
//!
//! A secret s is shared with degree t among n members by drawing a random
//! polynomial f of degree t with f(0) = s and giving member i (points
//! 1..=n) the value f(i) (Shamir 1979, "How to share a secret"). Any t+1
//! shares determine s; t or fewer are uniformly random and reveal nothing.
//!
//! Reconstruction interpolates from the first t+1 shares and, when more are
//! present, checks that every other share lies on the same polynomial. On a
//! mismatch it reports which member disagrees when that is provable
//! against any t colluding members (at least 2t+2 shares and a single
//! culprit: every subset without the culprit is consistent, every subset
//! with it is not; see `identify_culprit`), and otherwise an
//! unattributed inconsistency. It never returns a value from shares that do
//! not agree.

use core::fmt;

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::field::{FieldError, Fp};

/// Errors from sharing and reconstruction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShareError {
    /// The parameters do not satisfy 1 <= n, t < n, n < 2^16.
    #[error("invalid sharing parameters: n = {n}, t = {t}")]
    BadParameters {
        /// Number of members.
        n: usize,
        /// Polynomial degree (threshold).
        t: usize,
    },
    /// Fewer than t+1 shares were given.
    #[error("need {need} shares to reconstruct, have {have}")]
    NotEnoughShares {
        /// Shares present.
        have: usize,
        /// Shares needed (t + 1).
        need: usize,
    },
    /// The same member point appears twice, or a point is outside 1..=n.
    #[error("share point {0} is duplicated or out of range")]
    BadPoint(usize),
    /// Share vectors of different lengths were combined.
    #[error("share vectors have different lengths")]
    LengthMismatch,
    /// The shares do not lie on one polynomial of degree t.
    #[error("inconsistent shares at value {index}{}", culprit_text(*.member))]
    Inconsistent {
        /// The member (1-based point) whose share disagrees, when identifiable.
        member: Option<usize>,
        /// Position in the vector of the first inconsistent value.
        index: usize,
    },
    /// A field decoding error.
    #[error(transparent)]
    Field(#[from] FieldError),
}

fn culprit_text(member: Option<usize>) -> String {
    match member {
        Some(m) => format!(" (member {m} disagrees with the others)"),
        None => " (the culprit cannot be identified from these shares)".into(),
    }
}

/// One member's shares of a vector of secrets. Secret: redacted `Debug`,
/// zeroized on drop, constant-time equality.
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
pub struct ShareVec(pub(crate) Vec<Fp>);

impl ShareVec {
    /// Wraps raw share values (for example decoded from an envelope).
    pub fn from_values(values: Vec<Fp>) -> ShareVec {
        ShareVec(values)
    }

    /// Takes the values out, leaving an empty (nothing to zeroize) vector.
    pub(crate) fn into_values(mut self) -> Vec<Fp> {
        core::mem::take(&mut self.0)
    }

    /// Number of shared values.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the vector is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The raw share values (secret: do not log).
    pub fn values(&self) -> &[Fp] {
        &self.0
    }

    /// Canonical encoding: 16 bytes per share.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        crate::field::encode_vec(&self.0, &mut out);
        out
    }

    /// Decodes a canonical encoding.
    pub fn from_bytes(bytes: &[u8]) -> Result<ShareVec, ShareError> {
        Ok(ShareVec(crate::field::decode_vec(bytes)?))
    }
}

impl fmt::Debug for ShareVec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ShareVec(<{} redacted>)", self.0.len())
    }
}

impl ConstantTimeEq for ShareVec {
    fn ct_eq(&self, other: &ShareVec) -> Choice {
        if self.0.len() != other.0.len() {
            return Choice::from(0);
        }
        let mut acc = Choice::from(1);
        for (a, b) in self.0.iter().zip(&other.0) {
            acc &= a.value().to_le_bytes().ct_eq(&b.value().to_le_bytes());
        }
        acc
    }
}

impl PartialEq for ShareVec {
    fn eq(&self, other: &ShareVec) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for ShareVec {}

/// Checks 1 <= n < 2^16 and t < n.
pub fn check_params(n: usize, t: usize) -> Result<(), ShareError> {
    if n == 0 || t >= n || n >= 1 << 16 {
        return Err(ShareError::BadParameters { n, t });
    }
    Ok(())
}

/// Shares every secret with degree t among members 1..=n; element i-1 of
/// the result is member i's vector.
pub fn deal<R: rand_core::CryptoRng + ?Sized>(
    secrets: &[Fp],
    n: usize,
    t: usize,
    rng: &mut R,
) -> Result<Vec<ShareVec>, ShareError> {
    check_params(n, t)?;
    let mut out: Vec<ShareVec> = (0..n)
        .map(|_| ShareVec(Vec::with_capacity(secrets.len())))
        .collect();
    let points: Vec<Fp> = (1..=n as u64).map(Fp::from).collect();
    let mut coeffs = vec![Fp::ZERO; t];
    for &s in secrets {
        for c in coeffs.iter_mut() {
            *c = Fp::random(rng);
        }
        for (member, &x) in out.iter_mut().zip(&points) {
            // Horner: f(x) = s + x (c1 + x (c2 + ...))
            let mut acc = Fp::ZERO;
            for &c in coeffs.iter().rev() {
                acc = (acc + c) * x;
            }
            member.0.push(acc + s);
        }
    }
    coeffs.zeroize();
    Ok(out)
}

/// Lagrange coefficients for evaluating at `x` the polynomial through
/// `points` (distinct, non-zero member points).
pub fn lagrange_coefficients(points: &[usize], x: Fp) -> Result<Vec<Fp>, ShareError> {
    let xs: Vec<Fp> = points.iter().map(|&p| Fp::from(p as u64)).collect();
    let mut denominators = Vec::with_capacity(xs.len());
    let mut numerators = Vec::with_capacity(xs.len());
    for (i, &xi) in xs.iter().enumerate() {
        let mut num = Fp::ONE;
        let mut den = Fp::ONE;
        for (j, &xj) in xs.iter().enumerate() {
            if i != j {
                num *= x - xj;
                den *= xi - xj;
            }
        }
        if den.is_zero() {
            return Err(ShareError::BadPoint(points[i]));
        }
        numerators.push(num);
        denominators.push(den);
    }
    Fp::batch_invert(&mut denominators)?;
    Ok(numerators
        .into_iter()
        .zip(denominators)
        .map(|(n, d)| n * d)
        .collect())
}

/// A precomputed reconstruction plan for a fixed set of member points:
/// interpolation at zero from the first `t+1` points, and a consistency
/// check of every further point.
#[derive(Debug, Clone)]
pub struct Reconstructor {
    t: usize,
    points: Vec<usize>,
    at_zero: Vec<Fp>,
    /// For each extra point k (index t+1..), coefficients predicting its
    /// share from the first t+1 shares.
    checks: Vec<Vec<Fp>>,
}

impl Reconstructor {
    /// Builds the plan for shares from `points` (1-based, distinct, in the
    /// order the shares will be given) of a degree-`t` sharing.
    pub fn new(points: &[usize], t: usize) -> Result<Reconstructor, ShareError> {
        if points.len() < t + 1 {
            return Err(ShareError::NotEnoughShares {
                have: points.len(),
                need: t + 1,
            });
        }
        // Sorted, the points are distinct and in range when neighbours
        // differ and the ends are; otherwise the first bad one, in the
        // given order, is named. (A sort, not a `BTreeSet`: its B-tree
        // code for one more type costs the wasm modules a few KB.)
        let bad = |p: usize| p == 0 || p >= 1 << 16;
        let mut sorted = points.to_vec();
        sorted.sort_unstable();
        if sorted.windows(2).any(|w| w[0] == w[1])
            || sorted.first().copied().is_some_and(bad)
            || sorted.last().copied().is_some_and(bad)
        {
            for (i, &p) in points.iter().enumerate() {
                if bad(p) || points[..i].contains(&p) {
                    return Err(ShareError::BadPoint(p));
                }
            }
        }
        let base = &points[..=t];
        let at_zero = lagrange_coefficients(base, Fp::ZERO)?;
        let checks = points[t + 1..]
            .iter()
            .map(|&k| lagrange_coefficients(base, Fp::from(k as u64)))
            .collect::<Result<_, _>>()?;
        Ok(Reconstructor {
            t,
            points: points.to_vec(),
            at_zero,
            checks,
        })
    }

    /// The member points this plan expects, in order.
    pub fn points(&self) -> &[usize] {
        &self.points
    }

    /// Reconstructs every secret from `shares[k]` = the vector of the member
    /// at `points[k]`, checking consistency of all extra shares.
    pub fn reconstruct(&self, shares: &[&[Fp]]) -> Result<Vec<Fp>, ShareError> {
        let each = self.reconstruct_each(shares)?;
        let mut out = Vec::with_capacity(each.len());
        for (idx, secret) in each.into_iter().enumerate() {
            match secret {
                Some(v) => out.push(v),
                None => {
                    let column: Vec<Fp> = shares.iter().map(|s| s[idx]).collect();
                    let member = identify_culprit(&self.points, &column, self.t);
                    return Err(ShareError::Inconsistent { member, index: idx });
                }
            }
        }
        Ok(out)
    }

    /// Like [`Reconstructor::reconstruct`], but element by element: the
    /// secret where all shares of that element lie on one polynomial of
    /// degree t, `None` where they do not. For checks that exclude an
    /// inconsistent vector instead of failing (a participant's malformed
    /// submission).
    pub fn reconstruct_each(&self, shares: &[&[Fp]]) -> Result<Vec<Option<Fp>>, ShareError> {
        if shares.len() != self.points.len() {
            return Err(ShareError::NotEnoughShares {
                have: shares.len(),
                need: self.points.len(),
            });
        }
        let len = shares[0].len();
        if shares.iter().any(|s| s.len() != len) {
            return Err(ShareError::LengthMismatch);
        }
        Ok((0..len)
            .map(|idx| {
                let mut secret = Fp::ZERO;
                for (c, s) in self.at_zero.iter().zip(shares) {
                    secret += *c * s[idx];
                }
                let consistent =
                    self.checks
                        .iter()
                        .zip(&shares[self.t + 1..])
                        .all(|(coeffs, extra)| {
                            let predicted = coeffs
                                .iter()
                                .zip(shares)
                                .fold(Fp::ZERO, |a, (c, s)| a + *c * s[idx]);
                            predicted == extra[idx]
                        });
                consistent.then_some(secret)
            })
            .collect())
    }
}

/// Whether the `(point, value)` pairs lie on one polynomial of degree `t`.
fn consistent(points: &[usize], values: &[Fp], t: usize) -> bool {
    if points.len() <= t + 1 {
        return true;
    }
    let base = &points[..=t];
    points[t + 1..]
        .iter()
        .zip(&values[t + 1..])
        .all(|(&k, &v)| {
            lagrange_coefficients(base, Fp::from(k as u64))
                .map(|c| c.iter().zip(values).fold(Fp::ZERO, |a, (c, s)| a + *c * *s) == v)
                .unwrap_or(false)
        })
}

/// Names the single member whose removal makes the rest consistent, when
/// that proves the member lied whoever else deviates: the rest must hold
/// at least 2t + 1 shares, so at least t + 1 of them are honest and fix
/// the true polynomial, and a share off it is a lie.
///
/// With fewer (n <= 2t + 1 shares in all) t colluding members can frame an
/// honest one: they put their shares on another polynomial through the
/// honest non-culprit points (there are at most t of them, so such a
/// polynomial exists), the honest member's true share is then the only one
/// off, and naming it would be wrong. For t = 1 the bound is t + 3 = 2t + 2
/// shares; for larger t it is stricter than t + 3 (a lone liar).
fn identify_culprit(points: &[usize], values: &[Fp], t: usize) -> Option<usize> {
    if points.len() < 2 * t + 2 {
        return None;
    }
    let mut found = None;
    for skip in 0..points.len() {
        let p: Vec<usize> = points
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, &p)| p)
            .collect();
        let v: Vec<Fp> = values
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, &v)| v)
            .collect();
        if consistent(&p, &v, t) {
            if found.is_some() {
                return None;
            }
            found = Some(points[skip]);
        }
    }
    found
}

/// Reconstructs from `(member point, share vector)` pairs, checking
/// consistency when more than t+1 are given.
pub fn reconstruct(shares: &[(usize, &[Fp])], t: usize) -> Result<Vec<Fp>, ShareError> {
    let points: Vec<usize> = shares.iter().map(|(p, _)| *p).collect();
    let values: Vec<&[Fp]> = shares.iter().map(|(_, v)| *v).collect();
    Reconstructor::new(&points, t)?.reconstruct(&values)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn rng(seed: u8) -> ChaCha20Rng {
        ChaCha20Rng::from_seed([seed; 32])
    }

    #[test]
    fn share_and_reconstruct_every_subset_n5_t2() {
        let secrets: Vec<Fp> = [0u64, 1, 42, u64::MAX]
            .iter()
            .map(|&v| Fp::from(v))
            .collect();
        let shares = deal(&secrets, 5, 2, &mut rng(1)).unwrap();
        for mask in 0u32..32 {
            let subset: Vec<(usize, &[Fp])> = (0..5)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| (i + 1, shares[i].values()))
                .collect();
            let got = reconstruct(&subset, 2);
            if subset.len() >= 3 {
                assert_eq!(got.unwrap(), secrets, "mask {mask:b}");
            } else {
                assert!(matches!(got, Err(ShareError::NotEnoughShares { .. })));
            }
        }
    }

    #[test]
    fn inconsistent_share_is_named_when_identifiable() {
        let secrets = vec![Fp::from(7u64), Fp::from(9u64)];
        let mut shares = deal(&secrets, 5, 1, &mut rng(2)).unwrap();
        shares[3].0[1] += Fp::ONE; // member 4 lies about value 1
        let all: Vec<(usize, &[Fp])> = (0..5).map(|i| (i + 1, shares[i].values())).collect();
        assert_eq!(
            reconstruct(&all, 1),
            Err(ShareError::Inconsistent {
                member: Some(4),
                index: 1
            })
        );
        // With only t+2 shares the lie is detected but not attributable.
        let three: Vec<(usize, &[Fp])> = (2..5).map(|i| (i + 1, shares[i].values())).collect();
        assert_eq!(
            reconstruct(&three, 1),
            Err(ShareError::Inconsistent {
                member: None,
                index: 1
            })
        );
        // Without member 4 everything is fine.
        let honest: Vec<(usize, &[Fp])> = [0, 1, 2, 4]
            .iter()
            .map(|&i| (i + 1, shares[i].values()))
            .collect();
        assert_eq!(reconstruct(&honest, 1).unwrap(), secrets);
    }

    #[test]
    fn t_colluding_members_cannot_frame_an_honest_one() {
        // n = 5, t = 2: members 4 and 5 collude. They move their shares of
        // value 0 onto another degree-2 polynomial through the honest
        // shares of members 1 and 2, so that member 3's true share is the
        // only one off. Naming member 3 would be wrong: the lie is
        // detected and nobody is named (with t + 3 = 5 shares the old rule
        // named member 3).
        let secrets = vec![Fp::from(7u64)];
        let mut shares = deal(&secrets, 5, 2, &mut rng(3)).unwrap();
        // f' = f + (X - 1)(X - 2): equal to f at 1 and 2 only.
        for i in [4u64, 5] {
            let moved = shares[i as usize - 1].0[0] + Fp::from((i - 1) * (i - 2));
            shares[i as usize - 1].0[0] = moved;
        }
        let all: Vec<(usize, &[Fp])> = (0..5).map(|i| (i + 1, shares[i].values())).collect();
        assert_eq!(
            reconstruct(&all, 2),
            Err(ShareError::Inconsistent {
                member: None,
                index: 0
            })
        );
        // With 2t + 2 = 6 members the same pair cannot frame: the four
        // honest shares fix the polynomial, and a lone liar is named.
        let mut shares = deal(&secrets, 6, 2, &mut rng(4)).unwrap();
        shares[5].0[0] += Fp::ONE;
        let all: Vec<(usize, &[Fp])> = (0..6).map(|i| (i + 1, shares[i].values())).collect();
        assert_eq!(
            reconstruct(&all, 2),
            Err(ShareError::Inconsistent {
                member: Some(6),
                index: 0
            })
        );
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        assert!(matches!(
            deal(&[Fp::ONE], 3, 3, &mut rng(3)),
            Err(ShareError::BadParameters { .. })
        ));
        assert!(matches!(
            deal(&[Fp::ONE], 0, 0, &mut rng(3)),
            Err(ShareError::BadParameters { .. })
        ));
        let s = deal(&[Fp::ONE], 3, 1, &mut rng(3)).unwrap();
        assert_eq!(
            reconstruct(&[(1, s[0].values()), (1, s[0].values())], 1),
            Err(ShareError::BadPoint(1))
        );
        assert_eq!(
            reconstruct(&[(0, s[0].values()), (2, s[1].values())], 1),
            Err(ShareError::BadPoint(0))
        );
        // The first bad point in the given order is named.
        for (points, bad) in [
            (vec![3, 1, 1 << 16, 3], 1 << 16),
            (vec![2, 5, 2, 0], 2),
            (vec![4, 3, 2, 1, 0], 0),
        ] {
            assert_eq!(
                Reconstructor::new(&points, 1).err(),
                Some(ShareError::BadPoint(bad))
            );
        }
        assert!(Reconstructor::new(&[3, 1, 2], 1).is_ok());
        let short: &[Fp] = &[];
        assert_eq!(
            reconstruct(&[(1, s[0].values()), (2, short)], 1),
            Err(ShareError::LengthMismatch)
        );
        assert!(ShareVec::from_bytes(&[0xff; 16]).is_err());
    }

    #[test]
    fn debug_is_redacted_and_eq_works() {
        let s = deal(&[Fp::from(123456789u64)], 3, 1, &mut rng(4)).unwrap();
        let text = format!("{:?}", s[0]);
        assert_eq!(text, "ShareVec(<1 redacted>)");
        assert_eq!(s[0], s[0].clone());
        assert_ne!(s[0], s[1]);
        assert_eq!(ShareVec::from_bytes(&s[0].to_bytes()).unwrap(), s[0]);
    }

    #[test]
    fn t_shares_reveal_nothing_about_the_secret() {
        // With t = 1, one share of a secret is uniform: both secrets give
        // the same share under suitably chosen coefficients. Statistically:
        // shares of 0 and of 1 at member 1 both look uniform (no bias in
        // the low bit over many draws).
        let mut r = rng(5);
        let mut ones = [0usize; 2];
        for (k, secret) in [Fp::ZERO, Fp::ONE].iter().enumerate() {
            for _ in 0..2000 {
                let s = deal(&[*secret], 3, 1, &mut r).unwrap();
                ones[k] += (s[0].values()[0].value() & 1) as usize;
            }
        }
        for c in ones {
            assert!((800..1200).contains(&c), "low-bit count {c} is biased");
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use proptest::prelude::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    proptest! {
        #[test]
        fn any_t_plus_one_subset_reconstructs(
            seed in any::<[u8; 32]>(),
            n in 1usize..9,
            t_frac in 0usize..100,
            secrets in proptest::collection::vec(any::<u128>(), 1..6),
            pick in any::<u64>(),
        ) {
            let t = (n - 1) * t_frac / 100;
            let secrets: Vec<Fp> = secrets.into_iter().map(Fp::new).collect();
            let shares = deal(&secrets, n, t, &mut ChaCha20Rng::from_seed(seed)).unwrap();
            // A pseudo-random subset of size >= t+1, in a rotated order.
            let mut chosen: Vec<usize> = (0..n).filter(|i| (pick >> i) & 1 == 1).collect();
            let mut k = 0;
            while chosen.len() < t + 1 {
                if !chosen.contains(&k) { chosen.push(k); }
                k += 1;
            }
            let shift = (pick as usize) % chosen.len();
            chosen.rotate_left(shift);
            let subset: Vec<(usize, &[Fp])> = chosen.iter().map(|&i| (i + 1, shares[i].values())).collect();
            prop_assert_eq!(reconstruct(&subset, t).unwrap(), secrets);
        }
    }
}
