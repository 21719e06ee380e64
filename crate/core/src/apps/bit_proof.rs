//! The participant's proof that its bit entries are bits, checked by the
//! committee with one square per [`CHUNK`] bits instead of one per bit.
//!
//! This is the polynomial identity test of the SNIPs of Corrigan-Gibbs and
//! Boneh, "Prio: Private, robust, and scalable computation of aggregate
//! statistics" (NSDI 2017, section 4), and of the fully linear proofs of
//! Boneh, Boyle, Corrigan-Gibbs, Gilboa and Ishai, "Zero-knowledge proofs
//! on secret-shared data via fully linear PCPs" (CRYPTO 2019, section 4.2),
//! for the one gadget a validity check needs, `x (x - 1)`:
//!
//! - The m bits `v_1 .. v_m` of a chunk are the values at `X = 1 .. m` of
//!   a polynomial f of degree below m.
//! - `h = f (f - 1)` has degree at most `2m - 2` and vanishes at every
//!   node exactly when every `v_k` is a bit, that is when
//!   `h = Z q` with `Z = (X - 1) .. (X - m)` and q of degree at most
//!   `m - 2`.
//! - The participant appends q, as its values at `X = m + 1 .. 2m - 1`
//!   (`m - 1` entries), to its answer; they are shared and committed like
//!   every other entry.
//! - The members evaluate f and q at a coin r opened after the submissions
//!   are fixed: both are linear in the shares (Lagrange weights at r), so
//!   no member re-shares anything. What remains is one square,
//!   `D(r) = f(r)^2 - f(r) - Z(r) q(r)`, which is zero for an honest
//!   submission.
//!
//! **Soundness.** If some `v_k` is not a bit, `D = f^2 - f - Z q` is not
//! the zero polynomial whatever q the participant chose (at the node k,
//! `D(k) = v_k (v_k - 1) != 0`), and it has degree at most `2m - 2`; it
//! vanishes at the uniform coin r with probability at most
//! `(2m - 2) / p < 2^-117` (Schwartz-Zippel). The participant fixed f and
//! q before r was drawn (its shares are committed); a member that knows
//! the cheater's vector and r can change nothing, since everything up to
//! the square is linear in committed shares and every opening is checked
//! with all n shares.
//!
//! **Zero knowledge.** The members open only `d = f(r) - s` for a verified
//! square pair `(s, s^2)` used once (uniform) and values masked by the
//! validity check ([`super::validity::check`]); f(r) and q(r) themselves
//! stay shared.
//!
//! **Size.** Bits are cut into chunks of at most [`CHUNK`], each with its
//! own polynomial, so that the participant's work (`O(m)` per proof
//! entry) stays near `CHUNK` times the bit count, for the largest schemas
//! too. A chunk of one bit needs no proof entry (f is constant).

use crate::field::Fp;

/// Most bits under one proof polynomial.
pub const CHUNK: usize = 256;

/// `0!, 1!, ..., (len - 1)!` and their inverses.
struct Factorials {
    fact: Vec<Fp>,
    inv: Vec<Fp>,
}

impl Factorials {
    fn new(len: usize) -> Factorials {
        let mut fact = Vec::with_capacity(len);
        let mut acc = Fp::ONE;
        for i in 0..len {
            if i > 0 {
                acc *= Fp::from(i as u64);
            }
            fact.push(acc);
        }
        let mut inv = fact.clone();
        // Factorials of numbers below p are never zero.
        let _ = Fp::batch_invert(&mut inv);
        Factorials { fact, inv }
    }

    /// The barycentric weight of the i-th of `len` consecutive integer
    /// nodes (i from 0): `1 / prod_{j != i} (i - j)`.
    fn weight(&self, i: usize, len: usize) -> Fp {
        let w = self.inv[i] * self.inv[len - 1 - i];
        if (len - 1 - i) % 2 == 1 { -w } else { w }
    }
}

/// Lagrange coefficients at `x` for the `len` nodes `first, first + 1,
/// ..., first + len - 1`: the value at x of the polynomial of degree below
/// len through values `v_i` is `sum_i c_i v_i`. `None` if x is a node.
pub(crate) fn coefficients_at(x: Fp, first: u64, len: usize) -> Option<Vec<Fp>> {
    Some(coefficients_and_vanishing_at(x, first, len)?.0)
}

/// [`coefficients_at`], with the product `(x - first) .. (x - first -
/// len + 1)` it is made from: the vanishing polynomial of the nodes at x
/// (`Z(x) = (x - 1) .. (x - m)` for the nodes 1..m of a chunk).
fn coefficients_and_vanishing_at(x: Fp, first: u64, len: usize) -> Option<(Vec<Fp>, Fp)> {
    let table = Factorials::new(len.max(1));
    let mut diff: Vec<Fp> = (0..len as u64).map(|i| x - Fp::from(first + i)).collect();
    let ell = diff.iter().fold(Fp::ONE, |a, d| a * *d);
    Fp::batch_invert(&mut diff).ok()?;
    let coefficients = diff
        .iter()
        .enumerate()
        .map(|(i, inv)| ell * table.weight(i, len) * *inv)
        .collect();
    Some((coefficients, ell))
}

/// The `m - 1` proof entries of one chunk of bits (`bits.len() = m`): the
/// values of `q = f (f - 1) / Z` at `m + 1 .. 2m - 1`. Meaningful only
/// when every entry is a bit (otherwise f (f - 1) is not a multiple of Z,
/// and no proof passes).
pub(crate) fn prove_chunk(bits: &[Fp]) -> Vec<Fp> {
    let m = bits.len();
    if m < 2 {
        return Vec::new();
    }
    // Integers up to 2m - 1 and their inverses, from factorials.
    let table = Factorials::new(2 * m);
    let inverse = |i: usize| table.fact[i - 1] * table.inv[i];
    let weights: Vec<Fp> = (0..m).map(|k| table.weight(k, m)).collect();
    (1..m)
        .map(|j| {
            let x = m + j;
            // Z(x) = (x - 1)! / (x - m - 1)!; f(x) = Z(x) sum_k w_k v_k / (x - k).
            let z = table.fact[x - 1] * table.inv[x - m - 1];
            let sum = bits
                .iter()
                .zip(&weights)
                .enumerate()
                .filter(|(_, (v, _))| !v.is_zero())
                .fold(Fp::ZERO, |a, (k, (v, w))| a + *v * *w * inverse(x - k - 1));
            let f = z * sum;
            // q(x) = f (f - 1) / Z(x); Z(x) = (x-1)!/(x-m-1)! inverted the same way.
            f * (f - Fp::ONE) * table.inv[x - 1] * table.fact[x - m - 1]
        })
        .collect()
}

/// The chunks of `bits` (entry indices), each with the index of its first
/// proof entry: proofs follow each other from `proof_at`.
pub(crate) fn chunks(bits: &[usize], proof_at: usize) -> Vec<(&[usize], usize)> {
    let mut at = proof_at;
    bits.chunks(CHUNK)
        .map(|c| {
            let here = at;
            at += c.len() - 1;
            (c, here)
        })
        .collect()
}

/// Number of proof entries for `bits` bit entries.
pub(crate) fn proof_len(bits: usize) -> usize {
    bits - bits.div_ceil(CHUNK)
}

/// What a member evaluates for every submission at the coin r: per chunk
/// size, the Lagrange coefficients of f and q and `Z(r)`.
pub(crate) struct AtCoin {
    /// For each distinct chunk size m: `(m, f coefficients, q
    /// coefficients, Z(r))`.
    sizes: Vec<(usize, Vec<Fp>, Vec<Fp>, Fp)>,
}

impl AtCoin {
    /// Coefficients for the chunk sizes of `bits` bit entries at `r`;
    /// `None` if r is an interpolation node (probability below 2^-118).
    pub(crate) fn new(r: Fp, bits: usize) -> Option<AtCoin> {
        let mut sizes: Vec<(usize, Vec<Fp>, Vec<Fp>, Fp)> = Vec::new();
        let mut add = |m: usize| -> Option<()> {
            if m > 0 && !sizes.iter().any(|(s, ..)| *s == m) {
                let (f, z) = coefficients_and_vanishing_at(r, 1, m)?;
                let q = coefficients_at(r, m as u64 + 1, m - 1)?;
                sizes.push((m, f, q, z));
            }
            Some(())
        };
        add(bits.min(CHUNK))?;
        add(bits % CHUNK)?;
        Some(AtCoin { sizes })
    }

    /// This member's shares of `f(r)` and `Z(r) q(r)` for the chunk
    /// `bits` (entry indices) whose proof starts at `proof_at`, of the
    /// share vector `x`; `None` for a chunk of a size [`AtCoin::new`] was
    /// not made for (never, for the chunks of [`chunks`]).
    pub(crate) fn evaluate(&self, x: &[Fp], bits: &[usize], proof_at: usize) -> Option<(Fp, Fp)> {
        let m = bits.len();
        let (_, f, q, z) = self.sizes.iter().find(|(s, ..)| *s == m)?;
        let fr = bits
            .iter()
            .zip(f)
            .fold(Fp::ZERO, |a, (&i, c)| a + *c * x[i]);
        let qr = x[proof_at..proof_at + m - 1]
            .iter()
            .zip(q)
            .fold(Fp::ZERO, |a, (v, c)| a + *c * *v);
        Some((fr, *z * qr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{Rng, SeedableRng};

    /// `f(r)^2 - f(r) - Z(r) q(r)` in the clear for one chunk.
    fn residue(bits: &[Fp], proof: &[Fp], r: Fp) -> Fp {
        let m = bits.len();
        let idx: Vec<usize> = (0..m).collect();
        let mut x = bits.to_vec();
        x.extend_from_slice(proof);
        let at = AtCoin::new(r, m).unwrap();
        let (f, zq) = at.evaluate(&x, &idx, m).unwrap();
        f * f - f - zq
    }

    #[test]
    fn honest_proofs_of_bits_vanish_at_any_point() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        for m in [1usize, 2, 3, 7, 64, CHUNK] {
            let bits: Vec<Fp> = (0..m).map(|_| Fp::from(rng.next_u32() & 1)).collect();
            let proof = prove_chunk(&bits);
            assert_eq!(proof.len(), m - 1);
            for _ in 0..4 {
                assert!(
                    residue(&bits, &proof, Fp::random(&mut rng)).is_zero(),
                    "m = {m}"
                );
            }
        }
    }

    #[test]
    fn a_non_bit_fails_whatever_the_proof() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        for m in [1usize, 2, 5, 40] {
            let mut bits: Vec<Fp> = (0..m).map(|_| Fp::from(rng.next_u32() & 1)).collect();
            bits[rng.next_u32() as usize % m] = Fp::from(2u64);
            // The honest-looking proof, a random one, and the proof of the
            // nearest bit vector all fail.
            let mut fixed = bits.clone();
            for b in &mut fixed {
                if *b == Fp::from(2u64) {
                    *b = Fp::ONE;
                }
            }
            let random: Vec<Fp> = (0..m.saturating_sub(1))
                .map(|_| Fp::random(&mut rng))
                .collect();
            for proof in [prove_chunk(&bits), random, prove_chunk(&fixed)] {
                assert!(
                    !residue(&bits, &proof, Fp::random(&mut rng)).is_zero(),
                    "m = {m}"
                );
            }
        }
    }

    #[test]
    fn coefficients_interpolate_and_refuse_nodes() {
        // The polynomial 3x^2 + 1 through nodes 4, 5, 6, evaluated at 10.
        let p = |x: u64| Fp::from(3 * x * x + 1);
        let c = coefficients_at(Fp::from(10u64), 4, 3).unwrap();
        let v = (4..7).zip(&c).fold(Fp::ZERO, |a, (x, c)| a + p(x) * *c);
        assert_eq!(v, p(10));
        assert!(coefficients_at(Fp::from(5u64), 4, 3).is_none());
        assert_eq!(proof_len(0), 0);
        assert_eq!(proof_len(1), 0);
        assert_eq!(proof_len(CHUNK + 1), CHUNK - 1);
        assert_eq!(proof_len(2 * CHUNK), 2 * CHUNK - 2);
    }
}
