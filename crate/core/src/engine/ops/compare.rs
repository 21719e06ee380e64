//! Less-than, equality and bit decomposition of l-bit values by masking
//! and revealing: Catrina and de Hoogh, "Improved primitives for secure
//! multiparty integer computation" (SCN 2010), sections 3 and 4.
//!
//! For z in `[0, 2^(l+1))` a mask r = r' + 2^l r'' is added and
//! c = z + r opened (one round), where r' has l shared random bits and r''
//! is a statistical mask (KAPPA verified random bits, `super::bits`:
//! uniform in `[0, 2^KAPPA)` whatever the members do, so c hides z up to
//! distance about 2^-KAPPA). With
//! c' = c mod 2^l, `z mod 2^l = c' - r' + 2^l [c' < r']`, and `[c' < r']`
//! compares a public value with secret bits in `ceil(log2 l)` rounds.
//! Online rounds: 1 + ceil(log2 l), i.e. 6 for l = 32 and 7 for l = 64.
//! Wrap-around is impossible: `2^(l+1) + 2^l + 2^(l+KAPPA) < p` for
//! l <= 64.

use super::arith::{add_const, sub};
use super::bits::{MAX_BITS, Pool};
use crate::engine::ctx::Ctx;
use crate::engine::error::EngineError;
use crate::field::Fp;
use crate::share::ShareVec;

fn check_bits(l: u32) -> Result<usize, EngineError> {
    if l == 0 || l > MAX_BITS {
        return Err(EngineError::InvalidOperation(
            "bit width must be between 1 and 64",
        ));
    }
    Ok(l as usize)
}

fn pow2(l: usize) -> Fp {
    Fp::new(1u128 << l)
}

/// Public bits of a value, least significant first, as field elements.
fn low_mask(l: usize) -> u128 {
    (1u128 << l) - 1
}

/// Public values as a sharing: every member holds the value itself (the
/// constant polynomial).
fn public(k: &[u128]) -> ShareVec {
    ShareVec(k.iter().map(|&v| Fp::new(v)).collect())
}

/// Result of a masked opening.
struct Masked {
    /// c mod 2^l for every value (public).
    low: Vec<u128>,
    /// The shared bits of r' (value-major, least significant first).
    r_bits: Vec<Fp>,
    /// The shared r' = sum 2^i r_i per value.
    r_low: Vec<Fp>,
}

impl Ctx {
    /// Opens `z + r' + 2^l r''` for fresh masks from `pool` (one round).
    async fn mask_open(
        &self,
        z: &ShareVec,
        l: usize,
        pool: &mut Pool,
    ) -> Result<Masked, EngineError> {
        let count = z.len();
        let r_bits = pool.take_bits(count * l)?.to_vec();
        let masks = pool.take_masks(count)?;
        let two_l = pow2(l);
        let mut r_low = Vec::with_capacity(count);
        let mut masked = Vec::with_capacity(count);
        for v in 0..count {
            let mut acc = Fp::ZERO;
            for i in (0..l).rev() {
                acc = acc + acc + r_bits[v * l + i];
            }
            r_low.push(acc);
            masked.push(z.0[v] + acc + two_l * masks[v]);
        }
        let c = self.open_masked(&ShareVec(masked)).await?;
        let low = c.iter().map(|x| x.value() & low_mask(l)).collect();
        Ok(Masked { low, r_bits, r_low })
    }

    /// `[z >= 2^l]` (bit l) for z in `[0, 2^(l+1))`.
    async fn top_bit(
        &self,
        z: &ShareVec,
        l: usize,
        pool: &mut Pool,
    ) -> Result<ShareVec, EngineError> {
        let m = self.mask_open(z, l, pool).await?;
        let u = self.public_less_than_bits(&m.low, &m.r_bits, l).await?;
        let inv = pow2(l).inverse()?;
        let two_l = pow2(l);
        Ok(ShareVec(
            (0..z.len())
                .map(|v| {
                    // z mod 2^l = c' - r' + 2^l u;  bit_l = (z - z mod 2^l) / 2^l
                    let low = Fp::new(m.low[v]) - m.r_low[v] + two_l * u.0[v];
                    (z.0[v] - low) * inv
                })
                .collect(),
        ))
    }

    /// `[a < b]` element-wise for values in `[0, 2^l)`.
    pub async fn lt(
        &self,
        a: &ShareVec,
        b: &ShareVec,
        l: u32,
        pool: &mut Pool,
    ) -> Result<ShareVec, EngineError> {
        let l = check_bits(l)?;
        // z = a - b + 2^l is in [1, 2^(l+1)); a < b exactly when bit l is 0.
        let z = add_const(&sub(a, b)?, pow2(l));
        let top = self.top_bit(&z, l, pool).await?;
        Ok(ShareVec(top.0.iter().map(|b| Fp::ONE - *b).collect()))
    }

    /// `[a < k]` element-wise for public `k[i]` in `[0, 2^l]`.
    pub async fn lt_public(
        &self,
        a: &ShareVec,
        k: &[u128],
        l: u32,
        pool: &mut Pool,
    ) -> Result<ShareVec, EngineError> {
        let lu = check_bits(l)?;
        if a.len() != k.len() || k.iter().any(|&x| x > 1u128 << lu) {
            return Err(EngineError::InvalidOperation(
                "public bounds must match in length and be at most 2^l",
            ));
        }
        // A public vector is a sharing too: the constant polynomial.
        self.lt(a, &public(k), l, pool).await
    }

    /// `[a < b]` for signed values in `[-2^(l-1), 2^(l-1))` (negative
    /// numbers encoded as p - |x|).
    pub async fn lt_signed(
        &self,
        a: &ShareVec,
        b: &ShareVec,
        l: u32,
        pool: &mut Pool,
    ) -> Result<ShareVec, EngineError> {
        let l = check_bits(l)?;
        let shift = pow2(l - 1);
        self.lt(&add_const(a, shift), &add_const(b, shift), l as u32, pool)
            .await
    }

    /// `[a = b]` element-wise for values in `[0, 2^l)`: with
    /// z = a - b + 2^l, a = b exactly when `z mod 2^l = 0`, i.e. when every
    /// bit of r' equals the opened `c mod 2^l`; an AND tree of depth
    /// `ceil(log2 l)`.
    pub async fn eq(
        &self,
        a: &ShareVec,
        b: &ShareVec,
        l: u32,
        pool: &mut Pool,
    ) -> Result<ShareVec, EngineError> {
        let lu = check_bits(l)?;
        let z = add_const(&sub(a, b)?, pow2(lu));
        self.low_bits_zero(&z, lu, pool).await
    }

    /// `[a = k]` element-wise for public `k[i]` in `[0, 2^l)`.
    pub async fn eq_public(
        &self,
        a: &ShareVec,
        k: &[u128],
        l: u32,
        pool: &mut Pool,
    ) -> Result<ShareVec, EngineError> {
        let lu = check_bits(l)?;
        if a.len() != k.len() || k.iter().any(|&x| x >= 1u128 << lu) {
            return Err(EngineError::InvalidOperation(
                "public values must match in length and be below 2^l",
            ));
        }
        self.eq(a, &public(k), l, pool).await
    }

    async fn low_bits_zero(
        &self,
        z: &ShareVec,
        l: usize,
        pool: &mut Pool,
    ) -> Result<ShareVec, EngineError> {
        let m = self.mask_open(z, l, pool).await?;
        let mut same = Vec::with_capacity(z.len() * l);
        for (v, c) in m.low.iter().enumerate() {
            for i in 0..l {
                let r = m.r_bits[v * l + i];
                same.push(if (c >> i) & 1 == 1 { r } else { Fp::ONE - r });
            }
        }
        self.and_groups(same, l).await
    }

    /// Bit decomposition of values in `[0, 2^l)`: element `v * l + i` of
    /// the result is bit i of value v. With the prefix borrows
    /// `B_i = [c' mod 2^i < r' mod 2^i]`,
    /// `x mod 2^i = c' mod 2^i - r' mod 2^i + 2^i B_i`, so bit i is
    /// `c'_i - r_i + 2 B_(i+1) - B_i`: linear after a parallel-prefix
    /// network. Online rounds: 1 + ceil(log2 l).
    pub async fn bit_decompose(
        &self,
        x: &ShareVec,
        l: u32,
        pool: &mut Pool,
    ) -> Result<ShareVec, EngineError> {
        let l = check_bits(l)?;
        let m = self.mask_open(x, l, pool).await?;
        let borrows = self.public_less_than_prefixes(&m.low, &m.r_bits, l).await?;
        let two = Fp::from(2u64);
        let mut out = Vec::with_capacity(x.len() * l);
        for (v, c) in m.low.iter().enumerate() {
            let b = &borrows.0[v * (l + 1)..(v + 1) * (l + 1)];
            for i in 0..l {
                let ci = Fp::from(((c >> i) & 1) as u64);
                out.push(ci - m.r_bits[v * l + i] + two * b[i + 1] - b[i]);
            }
        }
        Ok(ShareVec(out))
    }
}
