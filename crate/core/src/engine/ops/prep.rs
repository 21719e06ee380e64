//! Verified preprocessing: multiplication triples, square pairs, random
//! bits and random sharings that stay correct when up to t members deviate
//! (security with abort).
//!
//! The construction is Lindell and Nof, "A framework for constructing fast
//! MPC over arithmetic circuits with malicious adversaries and an
//! honest-majority" (CCS 2017), section 3 (triples verified by
//! sacrifice), the protocol MP-SPDZ runs as `mal-shamir`
//! (`Protocols/MaliciousRepPrep.hpp`, `sacrifice` in
//! `Protocols/Beaver.hpp`). Random bits come from verified square pairs by
//! the square-root trick of Damgard, Fitzi, Kiltz, Nielsen and Toft (TCC
//! 2006, section 4.1). Four rounds, however much is prepared, and one
//! more in the first batch of a run (agreeing on keys,
//! [`super::keys`]):
//!
//! 1. uniform sharings, without a message (pseudo-random secret sharing;
//!    or dealt by every member and added, for large committees): per
//!    triple `a`, `a'`, `b`; per square pair `f`, `g`; per random sharing
//!    `r`; and a blinding value for the consistency check and two coins
//!    `tau`, `mu`;
//! 2. the products `ab`, `a'b`, `f^2`, `g^2` are reduced to degree t
//!    (Gennaro-Rabin-Rabin re-sharing, seeded: [`super::keys`]): `c`,
//!    `c'`, `F`, `G`;
//! 3. the coins are opened, after every product is fixed;
//! 4. `rho = tau a - a'` and `sigma = tau f - g` are opened;
//! 5. one check value is opened, and the squares `F` that become bits:
//!    `X = sum_k mu^k (tau c_k - c'_k - rho_k b_k)
//!       + sum_k mu^(T+k) (tau^2 F_k - G_k - sigma_k (tau f_k + g_k))`
//!    plus `cons = blind + sum_k mu^k v_k` over every dealt sharing v.
//!    The members go on only if `X = 0` and `cons` is consistent.
//!
//! **What a deviating member can do, and how it is caught.** In step 2 a
//! member may re-share a wrong product: `c = ab + delta`,
//! `c' = a'b + delta'` (or `F = f^2 + e`, `G = g^2 + e'`). Then
//! `tau c - c' - rho b = tau delta - delta'` and
//! `tau^2 F - G - sigma (tau f + g) = tau^2 e - e'`: both vanish for a
//! nonzero error only if `tau` hits one root, and the errors were fixed
//! before `tau` was opened. Summed with powers of `mu` (also opened after
//! the products were fixed), `X` is a nonzero polynomial in `(tau, mu)` of
//! degree at most `K + 2` for `K` checked items whenever any error is
//! nonzero: by Schwartz-Zippel it vanishes with probability at most
//! `(K + 2) / p < 2^-100` for `K < 2^24`. In steps 3 to 5 every opening
//! uses all n shares (t + 1 honest shares fix the polynomial), so a wrong
//! share aborts. In step 1 a member may deal shares that are not on one
//! polynomial of degree t: with n = 2t + 1 the t + 1 honest shares always
//! define one (the dealing then simply has that value), and with more
//! members `cons` is off degree t unless the deviation vanishes in a
//! random combination (probability at most `K / p`). A wrong coin share
//! aborts the coin's opening; a member cannot bias a coin, whose value is
//! uniform as soon as one dealer is honest.
//!
//! **What the openings reveal.** `tau`, `mu`: fresh coins. `rho`, `sigma`:
//! uniform, since `a'` and `g` are uniform, unknown to any t members and
//! used nowhere else (they are sacrificed). `X` is 0 when everyone
//! follows the protocol. `cons` is uniform (the blinding value). `F` is
//! `f^2`, which says nothing about the sign of `f`, hence nothing about
//! the bit `(f / sqrt(F) + 1) / 2`. A check failure reveals only the
//! deviating members' errors.
//!
//! Who is named: when `X != 0`, one more round audits the batch
//! ([`super::audit`]): its random values are shown (the batch is
//! discarded) and each dealer's dealing is compared with the products of
//! its own shares, so a dealer that re-shared a wrong product is named
//! ([`EngineError::WrongProducts`]) and an honest one never is. An
//! inconsistent `cons`, a wrong share in an opening of the check, a
//! committee of more than 14 members (`audit::MAX_HYPOTHESES`), or, with
//! n = 2t + 1, a dealer that also lies in the audit end with
//! [`EngineError::CheckFailed`], naming nobody.

use super::audit::Audit;
use crate::engine::Deviation;
use crate::engine::ctx::Ctx;
use crate::engine::error::EngineError;
use crate::field::Fp;
use crate::share::ShareVec;

/// Verified material waiting to be used, consumed in the same order at
/// every member so the sharings line up. Flat vectors: triples as
/// `a, b, c` runs, square pairs as `f, F` runs. Its shares are secret:
/// `Debug` shows only how much is in stock.
#[derive(Default)]
pub(crate) struct Stock {
    /// Triples `(a, b, c = ab)`.
    pub(crate) triples: Vec<Fp>,
    /// Square pairs `(f, F = f^2)`.
    pub(crate) squares: Vec<Fp>,
    /// Uniformly random sharings.
    pub(crate) randoms: Vec<Fp>,
    /// The run's keys for pseudo-random sharing and seeded dealing, once
    /// agreed ([`super::keys`]).
    pub(crate) keys: Option<super::keys::Keys>,
}

impl core::fmt::Debug for Stock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Stock")
            .field("triples", &(self.triples.len() / 3))
            .field("squares", &(self.squares.len() / 2))
            .field("randoms", &self.randoms.len())
            .field("keys", &self.keys.is_some())
            .finish()
    }
}

/// What one run of [`Ctx::generate`] makes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Batch {
    pub(crate) triples: usize,
    pub(crate) squares: usize,
    pub(crate) bits: usize,
    pub(crate) randoms: usize,
}

/// Which stock a take draws from.
#[derive(Clone, Copy)]
enum Kind {
    Triples,
    Squares,
    Randoms,
}

/// The products a member re-shares, from its shares `a, a', b` (nt
/// each) and `f, g` (ns each): `ab, a'b, f^2, g^2`.
fn products(dealt: &[Fp], nt: usize, ns: usize) -> Vec<Fp> {
    let (a, rest) = dealt.split_at(nt);
    let (a2, rest) = rest.split_at(nt);
    let (b, rest) = rest.split_at(nt);
    let (f, g) = rest.split_at(ns);
    let mut out = Vec::with_capacity(2 * nt + 2 * ns);
    out.extend(a.iter().zip(b).map(|(x, y)| *x * *y));
    out.extend(a2.iter().zip(b).map(|(x, y)| *x * *y));
    out.extend(f.iter().map(|x| x.square()));
    out.extend(g.iter().map(|x| x.square()));
    out
}

/// The consistency value `blind + sum_k mu^k v_k` of a member's shares
/// `v` of the dealt sharings, for the coin `mu`. Opened beside the check,
/// it is uniform (each blinding value is used once), and its opening is
/// consistent only if every `v_k` sharing is, except with probability
/// about `v.len() / p` over `mu` (the module docs). Triples, square
/// pairs and products by a factor ([`super::factor`]) all use it.
pub(super) fn consistency<'a>(blind: Fp, v: impl IntoIterator<Item = &'a Fp>, mu: Fp) -> Fp {
    let mut cons = blind;
    let mut weight = Fp::ONE;
    for x in v {
        weight *= mu;
        cons += weight * *x;
    }
    cons
}

/// The part of the check value that the re-shared products `c, c', F, G`
/// (in [`products`]' layout) enter, for coins `tau`, `mu`:
/// `sum_k mu^k (tau c_k - c'_k) + sum_k mu^(nt+k) (tau^2 F_k - G_k)`.
/// Taken of a dealer's dealing alone, or of the products of its shares,
/// for the audit (`super::audit`).
fn combine(v: &[Fp], nt: usize, ns: usize, tau: Fp, mu: Fp) -> Fp {
    let (c, rest) = v.split_at(nt);
    let (c2, rest) = rest.split_at(nt);
    let (big_f, big_g) = rest.split_at(ns);
    let tau2 = tau.square();
    let mut out = Fp::ZERO;
    let mut weight = Fp::ONE;
    for (x, y) in c.iter().zip(c2) {
        weight *= mu;
        out += weight * (tau * *x - *y);
    }
    for (x, y) in big_f.iter().zip(big_g) {
        weight *= mu;
        out += weight * (tau2 * *x - *y);
    }
    out
}

impl Ctx {
    /// Makes the batch (four rounds, five the first time in a run; see the
    /// module docs), stores triples,
    /// squares and randoms in the stock, and returns the random bits.
    ///
    /// A bit is `(f / sqrt(F) + 1) / 2` for a verified pair whose opened
    /// square F is not 0. F is 0 only if the jointly random f is, which no
    /// member can force (an honest contribution is uniform): probability
    /// 1/p per bit, below 2^-100 for any batch, so that case aborts
    /// instead of drawing again.
    pub(crate) async fn generate(&self, batch: Batch) -> Result<Vec<Fp>, EngineError> {
        let was = self.enter_prep();
        let out = self.sacrifice(batch).await;
        self.leave_prep(was);
        out
    }

    async fn sacrifice(&self, batch: Batch) -> Result<Vec<Fp>, EngineError> {
        let (nt, nr, open) = (batch.triples, batch.randoms, batch.bits);
        let ns = batch.squares + open;
        // Round 1: a, a', b (nt each), f, g (ns each), r (nr), blind, tau, mu.
        let dealt_len = 3 * nt + 2 * ns + nr;
        let dealt = self.joint_deal(dealt_len + 3).await?.into_values();
        let (a, rest) = dealt.split_at(nt);
        let (a2, rest) = rest.split_at(nt);
        let (b, rest) = rest.split_at(nt);
        let (f, rest) = rest.split_at(ns);
        let (g, rest) = rest.split_at(ns);
        let (r, rest) = rest.split_at(nr);
        let (blind, coins) = (rest[0], [rest[1], rest[2]]);

        // Round 2: c = ab, c' = a'b, F = f^2, G = g^2 (GRR98).
        let made = 3 * nt + 2 * ns;
        let mut local = products(&dealt[..made], nt, ns);
        let squares = local[2 * nt..2 * nt + ns].to_vec();
        let squares = self.deviate_values(Deviation::Bits, squares);
        let squares = self.deviate_values(Deviation::Mask, squares);
        local[2 * nt..2 * nt + ns].copy_from_slice(&squares);
        let (products_shared, dealings) = self.reduce_degree(local).await?;
        let products_shared = products_shared.into_values();
        let c = &products_shared[..nt];
        let big_f = &products_shared[2 * nt..2 * nt + ns];

        // Round 3: the coins, now that every product is fixed.
        let opened = self.open_check(&coins).await?;
        let (tau, mu) = (opened[0], opened[1]);
        // The check's combination of products ([`combine`]), of each
        // dealer's dealing alone: kept for an audit (`super::audit`).
        let kept = self.keep_for_audit(dealings, &|d| combine(d, nt, ns, tau, mu));

        // Round 4: rho = tau a - a', sigma = tau f - g.
        let mut masked = Vec::with_capacity(nt + ns);
        masked.extend(a.iter().zip(a2).map(|(x, y)| tau * *x - *y));
        masked.extend(f.iter().zip(g).map(|(x, y)| tau * *x - *y));
        let opened = self.open_check(&masked).await?;
        let (rho, sigma) = opened.split_at(nt);

        // Round 5: the check value, the consistency value, the squares of bits.
        let total = combine(&products_shared, nt, ns, tau, mu);
        let mut check = total;
        let mut weight = Fp::ONE;
        for k in 0..nt {
            weight *= mu;
            check -= weight * rho[k] * b[k];
        }
        for k in 0..ns {
            weight *= mu;
            check -= weight * sigma[k] * (tau * f[k] + g[k]);
        }
        let cons = consistency(blind, &dealt[..dealt_len], mu);
        let mut last = vec![check, cons];
        last.extend_from_slice(&big_f[batch.squares..]);
        let mut opened = self.open_check(&last).await?;
        if !opened[0].is_zero() {
            let combine = |d: &[Fp]| combine(d, nt, ns, tau, mu);
            let audit = Audit {
                dealt: dealt[..made].to_vec(),
                combined: self.combined_dealings(kept, total, &combine)?,
            };
            let expected = |d: &[Fp]| combine(&products(d, nt, ns));
            let what = "the multiplication triples or square pairs";
            return Err(Box::pin(self.audit(audit, &expected, what)).await);
        }
        let roots = opened.split_off(2);
        if roots.iter().any(|s| s.is_zero()) {
            return Err(EngineError::CheckFailed {
                what: "a random square (it was zero)",
            });
        }
        let mut inv_roots = roots;
        Fp::batch_inverse_sqrt_of_residue(&mut inv_roots);
        let half = Fp::from(2u64).inverse()?;
        let bits = f[batch.squares..]
            .iter()
            .zip(&inv_roots)
            .map(|(f, q)| (*f * *q + Fp::ONE) * half)
            .collect();
        let mut inner = self.lock();
        let stock = &mut inner.stock;
        for k in 0..nt {
            stock.triples.extend([a[k], b[k], c[k]]);
        }
        for k in 0..batch.squares {
            stock.squares.extend([f[k], big_f[k]]);
        }
        stock.randoms.extend_from_slice(r);
        Ok(bits)
    }

    /// Opens values of preprocessing checks with all n shares; an
    /// inconsistency is a [`EngineError::CheckFailed`] naming nobody, since
    /// a member that dealt wrongly and one that opens wrongly look alike
    /// here.
    pub(crate) async fn open_check(&self, values: &[Fp]) -> Result<Vec<Fp>, EngineError> {
        self.open_masked_as(&ShareVec(values.to_vec()), false)
            .await
            .map_err(|e| match e {
                EngineError::Opening { .. } => EngineError::CheckFailed {
                    what: "an opening in preprocessing",
                },
                other => other,
            })
    }

    /// Takes `count` items of `kind` (flat, `width` values each), making
    /// more first if the stock is short (four or five more rounds: programs that
    /// care about rounds prepare them ahead with [`Ctx::preprocess`]).
    async fn take(&self, kind: Kind, count: usize) -> Result<Vec<Fp>, EngineError> {
        let width = match kind {
            Kind::Triples => 3,
            Kind::Squares => 2,
            Kind::Randoms => 1,
        };
        let have = {
            let inner = self.lock();
            let s = &inner.stock;
            match kind {
                Kind::Triples => s.triples.len(),
                Kind::Squares => s.squares.len(),
                Kind::Randoms => s.randoms.len(),
            }
        } / width;
        if have < count {
            let short = count - have;
            let mut batch = Batch::default();
            match kind {
                Kind::Triples => batch.triples = short,
                Kind::Squares => batch.squares = short,
                Kind::Randoms => batch.randoms = short,
            }
            self.generate(batch).await?;
        }
        let mut inner = self.lock();
        let s = &mut inner.stock;
        let v = match kind {
            Kind::Triples => &mut s.triples,
            Kind::Squares => &mut s.squares,
            Kind::Randoms => &mut s.randoms,
        };
        let at = v
            .len()
            .checked_sub(count * width)
            .ok_or(EngineError::PreprocessingExhausted)?;
        Ok(v.split_off(at))
    }

    /// `count` verified triples, flat: `a, b, c` for each, made on demand
    /// if short.
    pub(crate) async fn take_triples(&self, count: usize) -> Result<Vec<Fp>, EngineError> {
        self.take(Kind::Triples, count).await
    }

    /// `count` verified square pairs, flat: `f, F` for each, made on
    /// demand if short.
    pub(crate) async fn take_squares(&self, count: usize) -> Result<Vec<Fp>, EngineError> {
        self.take(Kind::Squares, count).await
    }

    /// `count` verified random sharings, made on demand if short.
    pub(crate) async fn take_randoms(&self, count: usize) -> Result<Vec<Fp>, EngineError> {
        self.take(Kind::Randoms, count).await
    }
}
