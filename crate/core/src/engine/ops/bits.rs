//! Random bits, statistical masks and the carry circuits that compare a
//! public value with secret bits.
//!
//! Bits and masks come from verified preprocessing ([`super::prep`]):
//! a bit is `(f / sqrt(f^2) + 1) / 2` for a verified square pair
//! (Damgard, Fitzi, Kiltz, Nielsen and Toft, TCC 2006, section 4.1), and a
//! statistical mask is the number spelled by KAPPA such bits, so its range
//! `[0, 2^KAPPA)` holds whatever any member does.

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
    /// Shared statistical masks in `[0, 2^KAPPA)` (KAPPA bits each).
    pub masks: usize,
    /// Multiplication triples ([`Ctx::mul`]: one per product).
    pub triples: usize,
    /// Square pairs ([`Ctx::square`]: one per square).
    pub squares: usize,
    /// Random sharings ([`Ctx::random`]).
    pub randoms: usize,
}

impl Need {
    /// Mask material for `count` comparisons, equality tests or bit
    /// decompositions of `bits`-bit values: one random bit per bit and one
    /// statistical mask per value (no triples: see [`Need::lt`],
    /// [`Need::eq`], [`Need::decompose`]).
    pub fn masked(count: usize, bits: u32) -> Need {
        Need {
            bits: count * bits as usize,
            masks: count,
            ..Need::default()
        }
    }

    /// Everything `count` [`Ctx::lt`] of `l`-bit values use.
    pub fn lt(count: usize, l: u32) -> Need {
        Need::masked(count, l) + Need::products(count * carry_tree_products(l as usize))
    }

    /// Everything `count` [`Ctx::eq`] of `l`-bit values use.
    pub fn eq(count: usize, l: u32) -> Need {
        Need::masked(count, l) + Need::products(count * (l as usize).saturating_sub(1))
    }

    /// Everything `count` [`Ctx::bit_decompose`] of `l`-bit values use.
    pub fn decompose(count: usize, l: u32) -> Need {
        Need::masked(count, l) + Need::products(count * prefix_network_products(l as usize))
    }

    /// `count` multiplication triples.
    pub fn products(count: usize) -> Need {
        Need {
            triples: count,
            ..Need::default()
        }
    }
}

/// Products of the carry tree of [`Ctx::public_less_than_bits`] on l bits.
fn carry_tree_products(l: usize) -> usize {
    let (mut width, mut total) = (l, 0);
    while width > 1 {
        total += 2 * (width / 2);
        width = width.div_ceil(2);
    }
    total
}

/// Products of the prefix network of [`Ctx::public_less_than_prefixes`].
fn prefix_network_products(l: usize) -> usize {
    let (mut span, mut total) = (1, 0);
    while span < l {
        total += 2 * (0..l).filter(|j| j & span != 0).count();
        span *= 2;
    }
    total
}

impl core::ops::Add for Need {
    type Output = Need;
    fn add(self, o: Need) -> Need {
        Need {
            bits: self.bits + o.bits,
            masks: self.masks + o.masks,
            triples: self.triples + o.triples,
            squares: self.squares + o.squares,
            randoms: self.randoms + o.randoms,
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

    /// What is left (bits and masks; triples and the rest wait in the
    /// context).
    pub fn remaining(&self) -> Need {
        Need {
            bits: self.bits.len() - self.bit_at,
            masks: self.masks.len() - self.mask_at,
            ..Need::default()
        }
    }
}

impl Ctx {
    /// Prepares everything `need` lists in one verified batch (four
    /// rounds, five the first time in a run, input-independent; [`super::prep`] has the protocol and its
    /// argument). Bits and masks come back in the [`Pool`]; triples, square
    /// pairs and random sharings wait in this context for [`Ctx::mul`],
    /// [`Ctx::square`] and [`Ctx::random`].
    ///
    /// A mask is `sum 2^i b_i` over KAPPA verified random bits: uniform in
    /// `[0, 2^KAPPA)` whatever the members do, so a masked opening
    /// `z + r' + 2^l r''` never wraps around the field.
    pub async fn preprocess(&self, need: Need) -> Result<Pool, EngineError> {
        let mask_bits = need.masks * KAPPA as usize;
        let batch = super::prep::Batch {
            triples: need.triples,
            squares: need.squares,
            bits: need.bits + mask_bits,
            randoms: need.randoms,
        };
        let mut all = if batch.triples + batch.squares + batch.bits + batch.randoms == 0 {
            Vec::new()
        } else {
            self.generate(batch).await?
        };
        let mask_part = all.split_off(need.bits);
        let masks = mask_part
            .chunks(KAPPA as usize)
            .map(|c| c.iter().rev().fold(Fp::ZERO, |acc, b| acc + acc + *b))
            .collect();
        Ok(Pool {
            bits: ShareVec(all),
            masks: ShareVec(masks),
            bit_at: 0,
            mask_at: 0,
        })
    }

    /// Random shared bits only (four rounds, five the first time in a run).
    pub async fn random_bits(&self, count: usize) -> Result<ShareVec, EngineError> {
        let mut pool = self
            .preprocess(Need {
                bits: count,
                ..Need::default()
            })
            .await?;
        Ok(ShareVec(pool.take_bits(count)?.to_vec()))
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
