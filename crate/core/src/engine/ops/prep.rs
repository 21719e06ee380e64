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
//! 2006, section 4.1). Five rounds, however much is prepared:
//!
//! 1. every member deals uniform values; the sums are, per triple, `a`,
//!    `a'`, `b`; per square pair `f`, `g`; per random sharing `r`; and a
//!    blinding value per dealer check and two coins `tau`, `mu`;
//! 2. the products `ab`, `a'b`, `f^2`, `g^2` are reduced to degree t
//!    (Gennaro-Rabin-Rabin, [`Ctx::reduce_degree`]): `c`, `c'`, `F`, `G`;
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
//! Who is named: a failed check (`X != 0` or `cons` inconsistent) cannot
//! tell which member dealt wrongly without signed dealings, so it reports
//! [`EngineError::CheckFailed`] and names nobody.

use crate::engine::Deviation;
use crate::engine::ctx::Ctx;
use crate::engine::error::EngineError;
use crate::field::Fp;
use crate::share::ShareVec;

/// Verified material waiting to be used, consumed in the same order at
/// every member so the sharings line up.
#[derive(Debug, Default)]
pub(crate) struct Stock {
    /// Triples `(a, b, c = ab)`.
    pub(crate) triples: Vec<[Fp; 3]>,
    /// Square pairs `(f, F = f^2)`.
    pub(crate) squares: Vec<[Fp; 2]>,
    /// Uniformly random sharings.
    pub(crate) randoms: Vec<Fp>,
}

/// What one run of [`Ctx::generate`] makes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Batch {
    pub(crate) triples: usize,
    pub(crate) squares: usize,
    pub(crate) bits: usize,
    pub(crate) randoms: usize,
}

/// Takes the last `count` items of `v` (members all take alike).
fn take_last<T>(v: &mut Vec<T>, count: usize) -> Option<Vec<T>> {
    let at = v.len().checked_sub(count)?;
    Some(v.split_off(at))
}

impl Ctx {
    /// Makes the batch, stores triples, squares and randoms in the stock,
    /// and returns the random bits (five rounds; see the module docs).
    pub(crate) async fn generate(&self, batch: Batch) -> Result<Vec<Fp>, EngineError> {
        let was = self.enter_prep();
        let out = self.generate_inner(batch).await;
        self.leave_prep(was);
        out
    }

    async fn generate_inner(&self, batch: Batch) -> Result<Vec<Fp>, EngineError> {
        let nt = batch.triples;
        let mut bits: Vec<Option<Fp>> = Vec::with_capacity(batch.bits);
        let mut want_bits = batch.bits;
        let mut ns_kept = batch.squares;
        let mut nr = batch.randoms;
        let mut first = true;
        // A bit whose square opened to 0 (probability 1/p each) is drawn
        // again; every member saw the same zeros, so all loop alike.
        while first || want_bits > 0 {
            let ns = ns_kept + want_bits;
            let made = self
                .sacrifice_round(if first { nt } else { 0 }, ns, nr, want_bits)
                .await?;
            let Made {
                triples,
                mut squares,
                randoms,
                opened_squares,
            } = made;
            let mut stock = self.lock();
            stock.stock.triples.extend(triples);
            stock.stock.randoms.extend(randoms);
            let bit_pairs = squares.split_off(ns_kept);
            stock.stock.squares.extend(squares);
            drop(stock);
            let mut inv_roots = opened_squares.clone();
            Fp::batch_inverse_sqrt_of_residue(&mut inv_roots);
            let half = Fp::from(2u64).inverse()?;
            for (([f, _], s), q) in bit_pairs.iter().zip(&opened_squares).zip(&inv_roots) {
                bits.push((!s.is_zero()).then(|| (*f * *q + Fp::ONE) * half));
            }
            bits.retain(Option::is_some);
            want_bits = batch.bits - bits.len();
            ns_kept = 0;
            nr = 0;
            first = false;
        }
        Ok(bits.into_iter().flatten().collect())
    }

    /// One five-round run: `nt` triples, `ns` square pairs of which the
    /// last `open` have their square opened, `nr` random sharings.
    async fn sacrifice_round(
        &self,
        nt: usize,
        ns: usize,
        nr: usize,
        open: usize,
    ) -> Result<Made, EngineError> {
        // Round 1: a, a', b (nt each), f, g (ns each), r (nr), blind, tau, mu.
        let dealt_len = 3 * nt + 2 * ns + nr;
        let local: Vec<Fp> =
            self.with_rng(|rng| (0..dealt_len + 3).map(|_| Fp::random(rng)).collect());
        let dealt = self.joint_deal(&local).await?.into_values();
        let (a, rest) = dealt.split_at(nt);
        let (a2, rest) = rest.split_at(nt);
        let (b, rest) = rest.split_at(nt);
        let (f, rest) = rest.split_at(ns);
        let (g, rest) = rest.split_at(ns);
        let (r, rest) = rest.split_at(nr);
        let (blind, coins) = (rest[0], [rest[1], rest[2]]);

        // Round 2: c = ab, c' = a'b, F = f^2, G = g^2 (GRR98).
        let mut local = Vec::with_capacity(2 * nt + 2 * ns);
        local.extend(a.iter().zip(b).map(|(x, y)| *x * *y));
        local.extend(a2.iter().zip(b).map(|(x, y)| *x * *y));
        let squares: Vec<Fp> = f.iter().map(|x| x.square()).collect();
        let squares = self.deviate_values(Deviation::Bits, squares);
        local.extend(self.deviate_values(Deviation::Mask, squares));
        local.extend(g.iter().map(|x| x.square()));
        let products = self.reduce_degree(&local).await?.into_values();
        let (c, rest) = products.split_at(nt);
        let (c2, rest) = rest.split_at(nt);
        let (big_f, big_g) = rest.split_at(ns);

        // Round 3: the coins, now that every product is fixed.
        let opened = self.open_check(&coins).await?;
        let (tau, mu) = (opened[0], opened[1]);

        // Round 4: rho = tau a - a', sigma = tau f - g.
        let mut masked = Vec::with_capacity(nt + ns);
        masked.extend(a.iter().zip(a2).map(|(x, y)| tau * *x - *y));
        masked.extend(f.iter().zip(g).map(|(x, y)| tau * *x - *y));
        let opened = self.open_check(&masked).await?;
        let (rho, sigma) = opened.split_at(nt);

        // Round 5: the check value, the consistency value, the squares of bits.
        let mut check = Fp::ZERO;
        let mut weight = Fp::ONE;
        for k in 0..nt {
            weight *= mu;
            check += weight * (tau * c[k] - c2[k] - rho[k] * b[k]);
        }
        let tau2 = tau.square();
        for k in 0..ns {
            weight *= mu;
            check += weight * (tau2 * big_f[k] - big_g[k] - sigma[k] * (tau * f[k] + g[k]));
        }
        let mut cons = blind;
        let mut weight = Fp::ONE;
        for v in &dealt[..dealt_len] {
            weight *= mu;
            cons += weight * *v;
        }
        let mut last = vec![check, cons];
        last.extend_from_slice(&big_f[ns - open..]);
        let opened = self.open_check(&last).await?;
        if !opened[0].is_zero() {
            return Err(EngineError::CheckFailed {
                what: "the multiplication triples or square pairs",
            });
        }
        Ok(Made {
            triples: (0..nt).map(|k| [a[k], b[k], c[k]]).collect(),
            squares: (0..ns).map(|k| [f[k], big_f[k]]).collect(),
            randoms: r.to_vec(),
            opened_squares: opened[2..].to_vec(),
        })
    }

    /// Opens values of preprocessing checks with all n shares; an
    /// inconsistency is a [`EngineError::CheckFailed`] naming nobody, since
    /// a member that dealt wrongly and one that opens wrongly look alike
    /// here.
    async fn open_check(&self, values: &[Fp]) -> Result<Vec<Fp>, EngineError> {
        self.open_masked(&ShareVec(values.to_vec()))
            .await
            .map_err(|e| match e {
                EngineError::Opening { .. } => EngineError::CheckFailed {
                    what: "an opening in preprocessing",
                },
                other => other,
            })
    }

    /// Takes `count` verified triples, making more first if the stock is
    /// short (five more rounds: programs that care about rounds prepare
    /// them ahead with [`Ctx::preprocess`]).
    pub(crate) async fn take_triples(&self, count: usize) -> Result<Vec<[Fp; 3]>, EngineError> {
        let have = self.lock().stock.triples.len();
        if have < count {
            self.generate(Batch {
                triples: count - have,
                ..Batch::default()
            })
            .await?;
        }
        take_last(&mut self.lock().stock.triples, count).ok_or(EngineError::PreprocessingExhausted)
    }

    /// Takes `count` verified square pairs (made on demand like
    /// [`Ctx::take_triples`]).
    pub(crate) async fn take_squares(&self, count: usize) -> Result<Vec<[Fp; 2]>, EngineError> {
        let have = self.lock().stock.squares.len();
        if have < count {
            self.generate(Batch {
                squares: count - have,
                ..Batch::default()
            })
            .await?;
        }
        take_last(&mut self.lock().stock.squares, count).ok_or(EngineError::PreprocessingExhausted)
    }

    /// Takes `count` verified random sharings (made on demand like
    /// [`Ctx::take_triples`]).
    pub(crate) async fn take_randoms(&self, count: usize) -> Result<Vec<Fp>, EngineError> {
        let have = self.lock().stock.randoms.len();
        if have < count {
            self.generate(Batch {
                randoms: count - have,
                ..Batch::default()
            })
            .await?;
        }
        take_last(&mut self.lock().stock.randoms, count).ok_or(EngineError::PreprocessingExhausted)
    }
}

struct Made {
    triples: Vec<[Fp; 3]>,
    squares: Vec<[Fp; 2]>,
    randoms: Vec<Fp>,
    opened_squares: Vec<Fp>,
}
