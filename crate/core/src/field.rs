//! Arithmetic in the prime field of order p = 2^127 - 1.
//!
//! Why this prime: it exceeds 2^74, so 64-bit sums never wrap and 32-bit
//! comparisons keep a 40-bit statistical mask with room to spare
//! (`l + kappa + log2(n) + 2 <= 127` for l = 64, kappa = 40, n up to 2^20);
//! it is a Mersenne prime, so reduction is a shift and an add with no
//! division; and p = 3 mod 4, so square roots are one exponentiation
//! (`s^((p+1)/4) = s^(2^125)`), which the random-bit protocol of
//! [`crate::engine`] uses. Elements are `u128` values in `[0, p)`.
//!
//! Encoding: 16 bytes, little endian, canonical (the value must be below p).
//! [`Fp::from_bytes`] rejects anything else with a typed error.
//!
//! The arithmetic is constant time for the operations used on secrets
//! (add, sub, mul): no branches on values except the final conditional
//! subtraction, which compiles to a conditional move.

use core::fmt;
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use zeroize::Zeroize;

/// The modulus p = 2^127 - 1.
pub const MODULUS: u128 = (1u128 << 127) - 1;

/// Number of bytes in the canonical encoding of an element.
pub const ENCODED_LEN: usize = 16;

/// Errors from decoding field elements.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldError {
    /// The 16 bytes encode a value at or above the modulus.
    #[error("field element is not canonical (value >= 2^127 - 1)")]
    NonCanonical,
    /// The input length is not 16 bytes (or a multiple of 16 for vectors).
    #[error("field element encoding has length {0}, expected a multiple of 16")]
    BadLength(usize),
    /// Division by zero or inversion of zero.
    #[error("zero has no inverse")]
    ZeroInverse,
}

/// An element of GF(2^127 - 1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Fp(u128);

impl Fp {
    /// The additive identity.
    pub const ZERO: Fp = Fp(0);
    /// The multiplicative identity.
    pub const ONE: Fp = Fp(1);

    /// Reduces an arbitrary `u128` modulo p.
    #[inline]
    pub const fn new(v: u128) -> Fp {
        Fp(reduce_once((v & MODULUS) + (v >> 127)))
    }

    /// Embeds a signed integer: negative values map to p - |v|.
    #[inline]
    pub fn from_i128(v: i128) -> Fp {
        if v >= 0 {
            Fp::new(v as u128)
        } else {
            -Fp::new(v.unsigned_abs())
        }
    }

    /// The canonical representative in `[0, p)`.
    #[inline]
    pub const fn value(self) -> u128 {
        self.0
    }

    /// Interprets the element as a signed integer in `(-p/2, p/2]`.
    pub fn to_i128(self) -> i128 {
        if self.0 > MODULUS / 2 {
            -((MODULUS - self.0) as i128)
        } else {
            self.0 as i128
        }
    }

    /// Whether this is zero.
    #[inline]
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Canonical 16-byte little-endian encoding.
    #[inline]
    pub fn to_bytes(self) -> [u8; ENCODED_LEN] {
        self.0.to_le_bytes()
    }

    /// Decodes a canonical encoding; values `>= p` are rejected.
    pub fn from_bytes(bytes: &[u8; ENCODED_LEN]) -> Result<Fp, FieldError> {
        let v = u128::from_le_bytes(*bytes);
        if v >= MODULUS {
            return Err(FieldError::NonCanonical);
        }
        Ok(Fp(v))
    }

    /// Draws a uniformly random element (rejection sampling on 127 bits).
    pub fn random<R: rand_core::CryptoRng + ?Sized>(rng: &mut R) -> Fp {
        loop {
            let mut b = [0u8; ENCODED_LEN];
            rng.fill_bytes(&mut b);
            let v = u128::from_le_bytes(b) >> 1;
            if v < MODULUS {
                return Fp(v);
            }
        }
    }

    /// `self^2` (three limb products instead of four).
    #[inline]
    pub fn square(self) -> Fp {
        let a = self.0;
        let (a0, a1) = (a as u64 as u128, a >> 64);
        let m0 = a0 * a0;
        let mid = (a0 * a1) << 1; // a0 a1 < 2^127
        let m3 = a1 * a1;
        Fp(fold_product(m0, mid, m3))
    }

    /// `self^(2^k)` by k squarings.
    pub fn square_n(self, k: u32) -> Fp {
        let mut x = self;
        for _ in 0..k {
            x = x.square();
        }
        x
    }

    /// `self^e` by square-and-multiply (the exponent is public).
    pub fn pow(self, mut e: u128) -> Fp {
        let mut base = self;
        let mut acc = Fp::ONE;
        while e > 0 {
            if e & 1 == 1 {
                acc *= base;
            }
            base = base.square();
            e >>= 1;
        }
        acc
    }

    /// `self^(2^k - 1)`: the all-ones exponent used by inversion and square
    /// roots, by an addition chain of k - 1 squarings and about 2 log2(k)
    /// multiplications.
    fn pow_ones(self, k: u32) -> Fp {
        if k == 0 {
            return Fp::ONE;
        }
        if k == 1 {
            return self;
        }
        let half = k / 2;
        let h = self.pow_ones(half);
        // x^(2^(2h) - 1) = (x^(2^h - 1))^(2^h) * x^(2^h - 1)
        let mut r = h.square_n(half) * h;
        if k % 2 == 1 {
            r = r.square() * self;
        }
        r
    }

    /// Multiplicative inverse: `self^(p-2) = self^(2^127 - 3)`.
    pub fn inverse(self) -> Result<Fp, FieldError> {
        if self.is_zero() {
            return Err(FieldError::ZeroInverse);
        }
        // 2^127 - 3 = (2^125 - 1) * 4 + 1
        Ok(self.pow_ones(125).square_n(2) * self)
    }

    /// The square root `s^((p+1)/4) = s^(2^125)`; correct (up to sign) when
    /// `self` is a quadratic residue, which the caller must ensure.
    pub fn sqrt_of_residue(self) -> Fp {
        self.square_n(125)
    }

    /// For a non-zero quadratic residue s, the inverse of its principal
    /// square root: `s^-(2^125) = s^(2^125 - 1)` since `s^((p-1)/2) = 1`.
    /// One exponentiation instead of a square root plus an inversion.
    pub fn inverse_sqrt_of_residue(self) -> Fp {
        self.pow_ones(125)
    }

    /// [`Fp::inverse_sqrt_of_residue`] of every element, in place. The
    /// exponentiations run eight at a time in lockstep: one exponentiation
    /// is a chain of 124 dependent squarings, bound by multiplier latency,
    /// and interleaving independent chains fills the pipeline.
    pub fn batch_inverse_sqrt_of_residue(values: &mut [Fp]) {
        const LANES: usize = 8;
        let mut chunks = values.chunks_exact_mut(LANES);
        for chunk in &mut chunks {
            let mut lanes = [Fp::ZERO; LANES];
            lanes.copy_from_slice(chunk);
            chunk.copy_from_slice(&pow_ones_lanes(lanes, 125));
        }
        for v in chunks.into_remainder() {
            *v = v.inverse_sqrt_of_residue();
        }
    }

    /// Inverts every element in place with one inversion (Montgomery's
    /// trick). Fails if any element is zero, leaving the slice unchanged.
    pub fn batch_invert(values: &mut [Fp]) -> Result<(), FieldError> {
        let mut prefix = Vec::with_capacity(values.len());
        let mut acc = Fp::ONE;
        for v in values.iter() {
            if v.is_zero() {
                return Err(FieldError::ZeroInverse);
            }
            prefix.push(acc);
            acc *= *v;
        }
        let mut inv = acc.inverse()?;
        for (v, p) in values.iter_mut().zip(prefix).rev() {
            let next = inv * *v;
            *v = inv * p;
            inv = next;
        }
        Ok(())
    }
}

/// Encodes a slice of elements as concatenated canonical encodings.
pub fn encode_vec(values: &[Fp], out: &mut Vec<u8>) {
    out.reserve(values.len() * ENCODED_LEN);
    for v in values {
        out.extend_from_slice(&v.to_bytes());
    }
}

/// Decodes concatenated canonical encodings.
pub fn decode_vec(bytes: &[u8]) -> Result<Vec<Fp>, FieldError> {
    if !bytes.len().is_multiple_of(ENCODED_LEN) {
        return Err(FieldError::BadLength(bytes.len()));
    }
    bytes
        .chunks_exact(ENCODED_LEN)
        .map(|c| {
            let mut b = [0u8; ENCODED_LEN];
            b.copy_from_slice(c);
            Fp::from_bytes(&b)
        })
        .collect()
}

#[inline(always)]
const fn reduce_once(v: u128) -> u128 {
    // v < 2p; subtract p when v >= p (branch-free select).
    let (d, borrow) = v.overflowing_sub(MODULUS);
    if borrow { v } else { d }
}

/// `x^(2^k - 1)` for several independent elements at once (see
/// [`Fp::batch_inverse_sqrt_of_residue`]); same addition chain as
/// `Fp::pow_ones`.
fn pow_ones_lanes<const L: usize>(x: [Fp; L], k: u32) -> [Fp; L] {
    if k == 0 {
        return [Fp::ONE; L];
    }
    if k == 1 {
        return x;
    }
    let half = k / 2;
    let h = pow_ones_lanes(x, half);
    let mut r = h;
    for _ in 0..half {
        for v in r.iter_mut() {
            *v = v.square();
        }
    }
    for (v, hv) in r.iter_mut().zip(h) {
        *v *= hv;
    }
    if k % 2 == 1 {
        for (v, xv) in r.iter_mut().zip(x) {
            *v = v.square() * xv;
        }
    }
    r
}

#[inline(always)]
fn mul_reduce(a: u128, b: u128) -> u128 {
    // a, b < 2^127. Schoolbook 64-bit limbs, then fold with 2^127 = 1 (mod p).
    let (a0, a1) = (a as u64 as u128, a >> 64);
    let (b0, b1) = (b as u64 as u128, b >> 64);
    let m0 = a0 * b0;
    let mid = a0 * b1 + a1 * b0; // each term < 2^127, sum < 2^128
    let m3 = a1 * b1; // < 2^126
    fold_product(m0, mid, m3)
}

/// Reduces `m0 + mid * 2^64 + m3 * 2^128` (a product of two elements,
/// so below 2^254) modulo p.
#[inline(always)]
fn fold_product(m0: u128, mid: u128, m3: u128) -> u128 {
    let (lo, carry) = m0.overflowing_add(mid << 64);
    // The product is below 2^254, so its high 128-bit word `hi` is below
    // 2^126 and `hi << 1` below 2^127.
    let hi = m3 + (mid >> 64) + carry as u128;
    // value = hi * 2^128 + lo = 2*hi + lo (mod p), as 2^128 = 2 (mod p).
    let lo_fold = (lo & MODULUS) + (lo >> 127); // <= 2^127
    let s = lo_fold + (hi << 1); // < 2^128: no overflow
    reduce_once((s & MODULUS) + (s >> 127)) // argument <= 2^127 < 2p
}

impl Add for Fp {
    type Output = Fp;
    #[inline]
    fn add(self, rhs: Fp) -> Fp {
        Fp(reduce_once(self.0 + rhs.0))
    }
}

impl Sub for Fp {
    type Output = Fp;
    #[inline]
    fn sub(self, rhs: Fp) -> Fp {
        Fp(reduce_once(self.0 + (MODULUS - rhs.0)))
    }
}

impl Neg for Fp {
    type Output = Fp;
    #[inline]
    fn neg(self) -> Fp {
        Fp(reduce_once(MODULUS - self.0))
    }
}

impl Mul for Fp {
    type Output = Fp;
    #[inline]
    fn mul(self, rhs: Fp) -> Fp {
        Fp(mul_reduce(self.0, rhs.0))
    }
}

impl AddAssign for Fp {
    #[inline]
    fn add_assign(&mut self, rhs: Fp) {
        *self = *self + rhs;
    }
}

impl SubAssign for Fp {
    #[inline]
    fn sub_assign(&mut self, rhs: Fp) {
        *self = *self - rhs;
    }
}

impl MulAssign for Fp {
    #[inline]
    fn mul_assign(&mut self, rhs: Fp) {
        *self = *self * rhs;
    }
}

impl From<u64> for Fp {
    fn from(v: u64) -> Fp {
        Fp(v as u128)
    }
}

impl From<u32> for Fp {
    fn from(v: u32) -> Fp {
        Fp(v as u128)
    }
}

impl From<bool> for Fp {
    fn from(v: bool) -> Fp {
        Fp(v as u128)
    }
}

impl Zeroize for Fp {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Fp {
    // Field elements are public values (opened results, coefficients);
    // shares wrap them in redacting types in `crate::share`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fp({})", self.0)
    }
}

impl fmt::Display for Fp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn big_mul(a: u128, b: u128) -> u128 {
        // Reference: double-and-add modulo p.
        let mut acc = 0u128;
        let mut x = a % MODULUS;
        let mut y = b % MODULUS;
        while y > 0 {
            if y & 1 == 1 {
                acc = (acc + x) % MODULUS;
            }
            x = (x + x) % MODULUS;
            y >>= 1;
        }
        acc
    }

    #[test]
    fn mul_matches_reference_on_edges_and_random() {
        let edges = [
            0,
            1,
            2,
            MODULUS - 1,
            MODULUS - 2,
            1u128 << 64,
            (1 << 64) - 1,
            1 << 126,
        ];
        for &a in &edges {
            for &b in &edges {
                assert_eq!(
                    (Fp::new(a) * Fp::new(b)).value(),
                    big_mul(a, b),
                    "{a} * {b}"
                );
                assert_eq!(Fp::new(a).square().value(), big_mul(a, a));
            }
        }
        let mut rng = ChaCha20Rng::from_seed([7; 32]);
        for _ in 0..2000 {
            let (a, b) = (Fp::random(&mut rng), Fp::random(&mut rng));
            assert_eq!((a * b).value(), big_mul(a.value(), b.value()));
            assert_eq!(a.square().value(), big_mul(a.value(), a.value()));
        }
    }

    #[test]
    fn add_sub_neg_laws() {
        let mut rng = ChaCha20Rng::from_seed([8; 32]);
        for _ in 0..1000 {
            let (a, b) = (Fp::random(&mut rng), Fp::random(&mut rng));
            assert_eq!(a + b - b, a);
            assert_eq!(a + (-a), Fp::ZERO);
            assert_eq!((a - b).value(), (a.value() + MODULUS - b.value()) % MODULUS);
        }
        assert_eq!(-Fp::ZERO, Fp::ZERO);
        assert_eq!(Fp::new(MODULUS), Fp::ZERO);
        assert_eq!(Fp::new(u128::MAX), Fp::new(1)); // 2^128 - 1 = 2p + 1
    }

    #[test]
    fn inverse_and_sqrt() {
        let mut rng = ChaCha20Rng::from_seed([9; 32]);
        for _ in 0..50 {
            let a = Fp::random(&mut rng);
            if a.is_zero() {
                continue;
            }
            assert_eq!(a * a.inverse().unwrap(), Fp::ONE);
            let s = a.square();
            let q = s.sqrt_of_residue();
            assert!(q == a || q == -a);
            assert_eq!(s.inverse_sqrt_of_residue() * q, Fp::ONE);
        }
        assert_eq!(Fp::ZERO.inverse(), Err(FieldError::ZeroInverse));
        let mut residues: Vec<Fp> = (0..21).map(|_| Fp::random(&mut rng).square()).collect();
        let mut batch = residues.clone();
        Fp::batch_inverse_sqrt_of_residue(&mut batch);
        for (b, s) in batch.iter().zip(&residues) {
            assert_eq!(*b, s.inverse_sqrt_of_residue());
        }
        residues.clear();
        let mut v: Vec<Fp> = (1..20u64).map(Fp::from).collect();
        Fp::batch_invert(&mut v).unwrap();
        for (i, x) in v.iter().enumerate() {
            assert_eq!(*x * Fp::from(i as u64 + 1), Fp::ONE);
        }
    }

    #[test]
    fn encoding_is_canonical() {
        let x = Fp::new(0x0123_4567_89ab_cdef_0011_2233_4455_6677);
        assert_eq!(Fp::from_bytes(&x.to_bytes()), Ok(x));
        assert_eq!(
            Fp::from_bytes(&MODULUS.to_le_bytes()),
            Err(FieldError::NonCanonical)
        );
        assert_eq!(
            Fp::from_bytes(&u128::MAX.to_le_bytes()),
            Err(FieldError::NonCanonical)
        );
        assert_eq!(decode_vec(&[0u8; 17]), Err(FieldError::BadLength(17)));
        let mut out = Vec::new();
        encode_vec(&[Fp::ONE, x], &mut out);
        assert_eq!(decode_vec(&out), Ok(vec![Fp::ONE, x]));
        // Pinned: 1 encodes as 01 followed by fifteen zero bytes.
        assert_eq!(Fp::ONE.to_bytes()[0], 1);
        assert_eq!(Fp::from_i128(-1).value(), MODULUS - 1);
        assert_eq!(Fp::from_i128(-5).to_i128(), -5);
    }
}
