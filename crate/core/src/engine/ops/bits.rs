//! Random bits, statistical masks and the carry circuits that compare a
//! public value with secret bits.
//!
//! Preprocessing ([`Ctx::preprocess`]) is input-independent and takes two
//! rounds however much is prepared: one joint dealing, one opening of
//! squares for the random-bit protocol of Damgard, Fitzi, Kiltz, Nielsen
//! and Toft, "Unconditionally secure constant-rounds multi-party
//! computation for equality, comparison, bits and exponentiation" (TCC
//! 2006), section 4.1 (RAN2 / random bit).

use crate::engine::ctx::Ctx;
use crate::engine::error::EngineError;
use crate::field::Fp;
use crate::share::ShareVec;

/// Statistical security parameter kappa: masked openings hide the masked
/// value up to a statistical distance of about 2^-kappa.
pub const KAPPA: u32 = 40;

/// Largest bit width supported by comparisons and bit decomposition.
pub const MAX_BITS: u32 = 64;

/// How much preprocessing a computation needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Need {
    /// Shared uniformly random bits.
    pub bits: usize,
    /// Shared statistical masks in `[0, n * 2^KAPPA)`.
    pub masks: usize,
}

impl Need {
    /// Material for `count` comparisons, equality tests or bit
    /// decompositions of `bits`-bit values: one random bit per bit and one
    /// statistical mask per value.
    pub fn masked(count: usize, bits: u32) -> Need {
        Need {
            bits: count * bits as usize,
            masks: count,
        }
    }
}

impl core::ops::Add for Need {
    type Output = Need;
    fn add(self, o: Need) -> Need {
        Need {
            bits: self.bits + o.bits,
            masks: self.masks + o.masks,
        }
    }
}

/// Preprocessed random bits and masks, consumed front to back. Every
/// member consumes in the same order, so the sharings line up.
#[derive(Debug, Default)]
pub struct Pool {
    bits: ShareVec,
    masks: ShareVec,
    bit_at: usize,
    mask_at: usize,
}

/// The next `count` values of `from` after position `at`, advancing it.
fn take<'a>(from: &'a ShareVec, at: &mut usize, count: usize) -> Result<&'a [Fp], EngineError> {
    let end = *at + count;
    let out = from
        .0
        .get(*at..end)
        .ok_or(EngineError::PreprocessingExhausted)?;
    *at = end;
    Ok(out)
}

impl Pool {
    /// Takes the next `count` shared random bits.
    pub fn take_bits(&mut self, count: usize) -> Result<&[Fp], EngineError> {
        take(&self.bits, &mut self.bit_at, count)
    }

    /// Takes the next `count` shared statistical masks.
    pub fn take_masks(&mut self, count: usize) -> Result<&[Fp], EngineError> {
        take(&self.masks, &mut self.mask_at, count)
    }

    /// What is left.
    pub fn remaining(&self) -> Need {
        Need {
            bits: self.bits.len() - self.bit_at,
            masks: self.masks.len() - self.mask_at,
        }
    }
}

impl Ctx {
    /// Prepares random bits and masks (two rounds, input-independent).
    ///
    /// Round 1: every member deals `need.bits` uniform values and
    /// `need.masks` values uniform in `[0, 2^KAPPA)` with degree t, and
    /// `need.bits` sharings of zero with degree 2t; the sums are a random
    /// `[r]` per bit, a mask per value and a random degree-2t sharing
    /// `[z]_2t` of zero per bit. Round 2: the degree-2t points
    /// `r(i)^2 + z(i)` are opened; with q = `s^((p+1)/4)` a square root of
    /// the opened s = r^2, `(r / q + 1) / 2` is a uniform bit since
    /// `r / q = +-1` with equal probability (DFKNT06, section 4.1).
    ///
    /// Why the opening reveals nothing but s: without the zero sharing
    /// every member would receive n points of `r(X)^2`, whose polynomial
    /// square root is `+-r(X)`, and its own share `r(i)` fixes the sign, so
    /// one member alone would learn every bit. With it, the opened
    /// polynomial is `P = r^2 + z`. Fix any t members C. The honest
    /// members' part of z is uniform over the degree-2t polynomials that
    /// vanish at 0; given C's own points of it, it is still uniform over a
    /// coset of the t-dimensional space V of degree-2t polynomials that
    /// vanish at 0 and on C. So P, given everything C holds, is uniform
    /// over the polynomials of degree 2t with `P(0) = s` and `P(i)` for
    /// i in C equal to what C already knows: a view that a simulator draws
    /// from s alone, and s = r^2 says nothing about the sign of r, hence
    /// nothing about the bit. This is the degree-2t zero sharing of MPyC's
    /// `random_bits` (Schoenmakers), dealt in the same round as r, so it
    /// costs no extra round.
    ///
    /// The probability that some s is zero is `need.bits / p`; such
    /// positions are drawn again.
    pub async fn preprocess(&self, need: Need) -> Result<Pool, EngineError> {
        let local: Vec<Fp> = self.with_rng(|rng| {
            let mut v: Vec<Fp> = (0..need.bits).map(|_| Fp::random(rng)).collect();
            v.extend((0..need.masks).map(|_| Fp::from(rng.next_u64() & ((1u64 << KAPPA) - 1))));
            v
        });
        let (dealt, zeros) = self.joint_deal_with_zeros(&local, need.bits).await?;
        let r = ShareVec(dealt.0[..need.bits].to_vec());
        let masks = ShareVec(dealt.0[need.bits..].to_vec());
        let mut bits = self.bits_from_random(&r, &zeros).await?;
        // Positions whose square opened to zero (probability ~2^-120):
        // every member saw the same zeros, so all redraw the same count.
        loop {
            let missing = bits.iter().filter(|b| b.is_none()).count();
            if missing == 0 {
                break;
            }
            let local: Vec<Fp> =
                self.with_rng(|rng| (0..missing).map(|_| Fp::random(rng)).collect());
            let (more, zeros) = self.joint_deal_with_zeros(&local, missing).await?;
            let fresh = self.bits_from_random(&more, &zeros).await?;
            let mut fresh = fresh.into_iter().flatten();
            for slot in bits.iter_mut().filter(|b| b.is_none()) {
                *slot = fresh.next();
            }
        }
        let bits = ShareVec(bits.into_iter().map(|b| b.unwrap_or_default()).collect());
        Ok(Pool {
            bits,
            masks,
            bit_at: 0,
            mask_at: 0,
        })
    }

    /// Random shared bits only (two rounds).
    pub async fn random_bits(&self, count: usize) -> Result<ShareVec, EngineError> {
        let mut pool = self
            .preprocess(Need {
                bits: count,
                masks: 0,
            })
            .await?;
        Ok(ShareVec(pool.take_bits(count)?.to_vec()))
    }

    /// One round: open `r^2 + z` (z a random degree-2t sharing of zero,
    /// see [`Ctx::preprocess`] for why this reveals only r^2) and derive
    /// bits; `None` where r^2 was zero.
    async fn bits_from_random(
        &self,
        r: &ShareVec,
        zeros: &ShareVec,
    ) -> Result<Vec<Option<Fp>>, EngineError> {
        if r.len() != zeros.len() {
            return Err(EngineError::InvalidOperation("operand lengths differ"));
        }
        let squares = ShareVec(
            r.0.iter()
                .zip(&zeros.0)
                .map(|(x, z)| x.square() + *z)
                .collect(),
        );
        let s = self.open_degree_2t(&squares).await?;
        let half = Fp::from(2u64).inverse()?;
        let mut inv_roots = s.clone();
        Fp::batch_inverse_sqrt_of_residue(&mut inv_roots);
        Ok(r.0
            .iter()
            .zip(&s)
            .zip(&inv_roots)
            .map(|((ri, si), qi)| (!si.is_zero()).then(|| (*ri * *qi + Fp::ONE) * half))
            .collect())
    }

    /// `[C < R]` for public `c[v]` and secret bits `r[v * l + i]` (bit i of
    /// R_v, least significant first), by a carry tree of depth
    /// `ceil(log2 l)`: block (G, P) = ("R exceeds C within the block",
    /// "equal within the block"), combined as
    /// `(G_hi + P_hi * G_lo, P_hi * P_lo)`. Each level is one round.
    pub(crate) async fn public_less_than_bits(
        &self,
        c: &[u128],
        r: &[Fp],
        l: usize,
    ) -> Result<ShareVec, EngineError> {
        let (mut g, mut p) = initial_gp(c, r, l);
        let mut width = l;
        while width > 1 {
            let pairs = width / 2;
            let next_width = width.div_ceil(2);
            // Batch: P_hi * G_lo and P_hi * P_lo for every pair of every value.
            let mut left = Vec::with_capacity(c.len() * pairs * 2);
            let mut right = Vec::with_capacity(c.len() * pairs * 2);
            for v in 0..c.len() {
                for k in 0..pairs {
                    let (lo, hi) = (v * width + 2 * k, v * width + 2 * k + 1);
                    left.push(p[hi]);
                    right.push(g[lo]);
                    left.push(p[hi]);
                    right.push(p[lo]);
                }
            }
            let prod = self.mul(&ShareVec(left), &ShareVec(right)).await?;
            let mut ng = Vec::with_capacity(c.len() * next_width);
            let mut np = Vec::with_capacity(c.len() * next_width);
            for v in 0..c.len() {
                for k in 0..pairs {
                    let hi = v * width + 2 * k + 1;
                    let at = (v * pairs + k) * 2;
                    ng.push(g[hi] + prod.0[at]);
                    np.push(prod.0[at + 1]);
                }
                if width % 2 == 1 {
                    ng.push(g[v * width + width - 1]);
                    np.push(p[v * width + width - 1]);
                }
            }
            g = ng;
            p = np;
            width = next_width;
        }
        Ok(ShareVec(g))
    }

    /// All prefix borrows: element `v * (l + 1) + i` is
    /// `[C_v mod 2^i < R_v mod 2^i]` for i in 0..=l (i = 0 gives 0), by a
    /// Sklansky parallel-prefix network of depth `ceil(log2 l)`.
    pub(crate) async fn public_less_than_prefixes(
        &self,
        c: &[u128],
        r: &[Fp],
        l: usize,
    ) -> Result<ShareVec, EngineError> {
        let (mut g, mut p) = initial_gp(c, r, l);
        let mut span = 1;
        while span < l {
            // Element j with bit `span` set absorbs the prefix ending just
            // below its half-block.
            let targets: Vec<(usize, usize)> = (0..l)
                .filter(|j| j & span != 0)
                .map(|j| (j, (j / span) * span - 1))
                .collect();
            let mut left = Vec::with_capacity(c.len() * targets.len() * 2);
            let mut right = Vec::with_capacity(c.len() * targets.len() * 2);
            for v in 0..c.len() {
                for &(j, m) in &targets {
                    left.push(p[v * l + j]);
                    right.push(g[v * l + m]);
                    left.push(p[v * l + j]);
                    right.push(p[v * l + m]);
                }
            }
            let prod = self.mul(&ShareVec(left), &ShareVec(right)).await?;
            for v in 0..c.len() {
                for (k, &(j, _)) in targets.iter().enumerate() {
                    let at = (v * targets.len() + k) * 2;
                    g[v * l + j] += prod.0[at];
                    p[v * l + j] = prod.0[at + 1];
                }
            }
            span *= 2;
        }
        let mut out = Vec::with_capacity(c.len() * (l + 1));
        for v in 0..c.len() {
            out.push(Fp::ZERO);
            out.extend_from_slice(&g[v * l..(v + 1) * l]);
        }
        Ok(ShareVec(out))
    }

    /// AND of each consecutive group of `width` shared bits, by a
    /// multiplication tree of depth `ceil(log2 width)`.
    pub(crate) async fn and_groups(
        &self,
        bits: Vec<Fp>,
        width: usize,
    ) -> Result<ShareVec, EngineError> {
        let count = bits.len().checked_div(width).unwrap_or(0);
        let mut cur = bits;
        let mut w = width;
        while w > 1 {
            let pairs = w / 2;
            let next_w = w.div_ceil(2);
            let mut left = Vec::with_capacity(count * pairs);
            let mut right = Vec::with_capacity(count * pairs);
            for v in 0..count {
                for k in 0..pairs {
                    left.push(cur[v * w + 2 * k]);
                    right.push(cur[v * w + 2 * k + 1]);
                }
            }
            let prod = self.mul(&ShareVec(left), &ShareVec(right)).await?;
            let mut next = Vec::with_capacity(count * next_w);
            for v in 0..count {
                next.extend_from_slice(&prod.0[v * pairs..(v + 1) * pairs]);
                if w % 2 == 1 {
                    next.push(cur[v * w + w - 1]);
                }
            }
            cur = next;
            w = next_w;
        }
        Ok(ShareVec(cur))
    }
}

/// Per-bit generate/propagate for `C < R`: g = (1 - C_i) R_i ("R's bit is
/// larger"), p = [C_i = R_i]. Both are linear in R_i since C_i is public.
fn initial_gp(c: &[u128], r: &[Fp], l: usize) -> (Vec<Fp>, Vec<Fp>) {
    let mut g = Vec::with_capacity(c.len() * l);
    let mut p = Vec::with_capacity(c.len() * l);
    for (v, cv) in c.iter().enumerate() {
        for i in 0..l {
            let ri = r[v * l + i];
            if (cv >> i) & 1 == 1 {
                g.push(Fp::ZERO);
                p.push(ri);
            } else {
                g.push(ri);
                p.push(Fp::ONE - ri);
            }
        }
    }
    (g, p)
}
