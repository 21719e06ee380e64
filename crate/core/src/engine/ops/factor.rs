//! Products by a fixed secret vector: many products `x_k * y_g(k)` whose
//! right factors come from one vector y (the bits of the values an order
//! statistic or a bucket count walks down, multiplied by one "prefix
//! still equal" bit per prefix followed).
//!
//! Beaver's multiplication (CRYPTO 1991) with triples that share their
//! `b`: each entry of y gets a mask `beta_g` and `eps_g = y_g - beta_g` is
//! opened once; a product with a triple `(a, beta_g, c = a beta_g)` opens
//! only `d = x - a`, and `x y_g = c + d beta_g + eps_g a + d eps_g`.
//!
//! The triples are made and verified in one batch of four rounds
//! (Lindell and Nof, CCS 2017, section 3, as in [`super::prep`]), with
//! one sacrifice per entry of y instead of one per triple: for the
//! triples k of entry g, `A_g = sum_k mu^k a_k` and `C_g = sum_k mu^k c_k`
//! form a triple `(A_g, beta_g, C_g)` exactly when every `c_k = a_k
//! beta_g`, up to the chance that a fixed nonzero error vanishes at a
//! random `mu`; `(A_g, beta_g, C_g)` is checked by sacrifice against
//! `(a'_g, beta_g, c'_g)`:
//!
//! 1. uniform sharings `a_k`, `a'_g`, a blinding value, three coins (pseudo-random, no
//!    message; [`super::keys`]); `beta` was drawn the same way;
//! 2. `c_k = a_k beta_g`, `c'_g = a'_g beta_g` re-shared (seeded GRR);
//! 3. the coins `tau`, `mu`, `nu` are opened, after every product is fixed;
//! 4. `rho_g = tau A_g - a'_g` is opened;
//! 5. `X = sum_g nu^g (tau C_g - c'_g - rho_g beta_g)` is opened, with a
//!    consistency value `blind + sum mu^k v_k` over every `a_k`, `a'_g`
//!    and `beta_g` (uniform, by the blinding value; a sharing off degree t
//!    fails its opening except with probability K/p); the
//!    members go on only if `X = 0`; otherwise the audit of the batch
//!    ([`super::audit`]) names the dealers of wrong products. It shows
//!    beta, so every triple of a factor is made before its first product
//!    opens `y - beta` ([`Ctx::factor_triples`] refuses later ones).
//!
//! **Soundness.** With errors `c_k = a_k beta_g + delta_k` and `c'_g =
//! a'_g beta_g + delta'_g`, `X = sum_g nu^g (tau sum_k mu^k delta_k -
//! delta'_g)`: every error has its own monomial, so X is a nonzero
//! polynomial of degree at most K + G + 1 in the coins whenever an error
//! is, fixed before the coins are opened; it vanishes with probability at
//! most (K + G + 1) / p < 2^-100 for K + G < 2^26 (Schwartz-Zippel). A
//! sharing that is not of degree t (a dealing gone wrong) fails the
//! opening of `eps`, `d`, `rho` or X, which use all n shares.
//!
//! **What is opened.** `eps_g`: uniform (beta_g is uniform, unknown to
//! any t members, and masks nothing else). `d_k`: uniform (a_k is used
//! once). `rho_g`: uniform (a'_g is used once). X: 0. The consistency
//! value: uniform (its blinding value is used once). The coins. Per
//! product a member sends the `d` opening (n - 1 values) and its share
//! of the re-shared `c` (L - 1 - t values, seeded), against the opening
//! of `d` and `e`, the re-sharing of `c` and `c'` and the opening of rho
//! of a triple of [`Ctx::mul`]: 3 values instead of 8 for 3 members.

use super::audit::Audit;
use crate::engine::ctx::Ctx;
use crate::engine::error::EngineError;
use crate::field::Fp;
use crate::share::ShareVec;

/// Most triples [`Ctx::factor_triples`] makes in one batch: a batch
/// holds several vectors of its size at once (about 200 bytes a triple at
/// each member), so larger requests run in batches of this size, four
/// rounds each (an entry whose triples straddle two batches gets a
/// sacrifice in each).
pub const MAX_BATCH: usize = 1 << 20;

/// A secret vector y that products multiply by: its masks and, once the
/// first product opened it, `y - beta`. Its `Debug` shows sizes only; the
/// masks and triples are zeroized on drop.
pub struct Factor {
    y: ShareVec,
    beta: Vec<Fp>,
    eps: Option<Vec<Fp>>,
    /// Whether `y - beta` was ever sent (its opening may have failed
    /// after others received this member's share): no triples after it.
    exposed: bool,
    /// Whether an audit showed beta: nothing more is done with it.
    burned: bool,
    /// Whether a batch of triples passed its check, which covers every
    /// mask: until then `y - beta` is opened only unflagged.
    checked: bool,
    /// Verified triples waiting, per entry: `(a, c)`.
    stock: Vec<Vec<(Fp, Fp)>>,
}

impl core::fmt::Debug for Factor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Factor")
            .field("len", &self.beta.len())
            .field("opened", &self.eps.is_some())
            .finish_non_exhaustive()
    }
}

impl Drop for Factor {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.beta.zeroize();
        for s in &mut self.stock {
            for (a, c) in s.iter_mut() {
                a.zeroize();
                c.zeroize();
            }
        }
    }
}

impl Factor {
    /// Number of entries of y.
    pub fn len(&self) -> usize {
        self.beta.len()
    }

    /// Whether y is empty.
    pub fn is_empty(&self) -> bool {
        self.beta.is_empty()
    }

    /// Triples in stock for entry `g`.
    pub fn stocked(&self, g: usize) -> usize {
        self.stock.get(g).map_or(0, Vec::len)
    }
}

/// The products a member re-shares for a batch of triples by a factor,
/// from its shares `a_k`, `a'_g` and `beta_g` (one `a'` and one `beta`
/// per entry used; `family[k]` is triple k's entry among those):
/// `a_k beta_family(k)`, then `a'_g beta_g`.
fn products(shares: &[Fp], family: &[usize]) -> Vec<Fp> {
    let nf = (shares.len() - family.len()) / 2;
    let (a, rest) = shares.split_at(family.len());
    let (a2, beta) = rest.split_at(nf);
    let mut out = Vec::with_capacity(family.len() + nf);
    out.extend(family.iter().zip(a).map(|(&g, a)| *a * beta[g]));
    out.extend(a2.iter().zip(beta).map(|(a, b)| *a * *b));
    out
}

/// The part of the check value that the re-shared products `c_k`,
/// `c'_g` ([`products`]' layout) enter:
/// `sum_g nu^g (tau C_g - c'_g)` with `C_g = sum_(k in g) mu^k c_k`.
/// Taken of a dealer's dealing alone, or of the products of its shares,
/// for the audit (`super::audit`).
fn combine(v: &[Fp], family: &[usize], nf: usize, tau: Fp, mu: Fp, nu: Fp) -> Fp {
    let (c, c2) = v.split_at(family.len());
    let mut big_c = vec![Fp::ZERO; nf];
    let mut weight = Fp::ONE;
    for (fam, c) in family.iter().zip(c) {
        weight *= mu;
        big_c[*fam] += weight * *c;
    }
    let mut out = Fp::ZERO;
    let mut weight = Fp::ONE;
    for (big, c2) in big_c.iter().zip(c2) {
        weight *= nu;
        out += weight * (tau * *big - *c2);
    }
    out
}

impl Ctx {
    /// Prepares products by the entries of `y` ([`Factor`]): draws the
    /// masks (no round after the run's keys are agreed).
    pub async fn factor(&self, y: &ShareVec) -> Result<Factor, EngineError> {
        let was = self.enter_prep();
        let beta = self.joint_deal(y.len()).await;
        self.leave_prep(was);
        let beta = beta?.into_values();
        Ok(Factor {
            y: y.clone(),
            beta,
            eps: None,
            exposed: false,
            burned: false,
            checked: false,
            stock: vec![Vec::new(); y.len()],
        })
    }

    /// Makes and verifies one triple for each entry of `index` (entries
    /// of y, repeats allowed), four rounds (see the module docs) per
    /// [`MAX_BATCH`] triples, and keeps them in `f` for
    /// [`Ctx::mul_factor`].
    pub async fn factor_triples(&self, f: &mut Factor, index: &[usize]) -> Result<(), EngineError> {
        self.factor_triples_by(f, index, MAX_BATCH).await
    }

    /// [`Ctx::factor_triples`] in batches of at most `most` triples.
    async fn factor_triples_by(
        &self,
        f: &mut Factor,
        index: &[usize],
        most: usize,
    ) -> Result<(), EngineError> {
        if index.iter().any(|&g| g >= f.len()) {
            return Err(EngineError::InvalidOperation("factor entry out of range"));
        }
        if f.burned {
            return Err(EngineError::InvalidOperation(
                "an audit showed this factor's masks: it cannot be used",
            ));
        }
        if f.exposed {
            // A failed batch is audited by showing beta (`super::audit`),
            // which would show y once `y - beta` is open.
            return Err(EngineError::InvalidOperation(
                "a factor's triples must all be made before its first product",
            ));
        }
        let was = self.enter_prep();
        let mut out = Ok(());
        for chunk in index.chunks(most.max(1)) {
            out = self.factor_sacrifice(f, chunk).await;
            if out.is_err() {
                break;
            }
        }
        self.leave_prep(was);
        out
    }

    async fn factor_sacrifice(&self, f: &mut Factor, index: &[usize]) -> Result<(), EngineError> {
        let k = index.len();
        // The entries used, in order, and each product's family.
        let mut used: Vec<usize> = index.to_vec();
        used.sort_unstable();
        used.dedup();
        let family: Vec<usize> = index
            .iter()
            .map(|g| used.binary_search(g).unwrap_or(0))
            .collect();
        let nf = used.len();
        // Round 1 (no message): a_k, a'_g and the coins.
        let dealt = self.joint_deal(k + nf + 4).await?.into_values();
        let (a, rest) = dealt.split_at(k);
        let (a2, rest) = rest.split_at(nf);
        let (blind, coins) = (rest[0], &rest[1..]);
        // Round 2: c_k = a_k beta, c'_g = a'_g beta.
        let beta: Vec<Fp> = used.iter().map(|&g| f.beta[g]).collect();
        let mut shares = dealt[..k + nf].to_vec();
        shares.extend_from_slice(&beta);
        let local = products(&shares, &family);
        let (products_shared, dealings) = self.reduce_degree(local).await?;
        let products_shared = products_shared.into_values();
        let c = &products_shared[..k];
        // Round 3: the coins.
        let coins = self.open_check(coins).await?;
        let (tau, mu, nu) = (coins[0], coins[1], coins[2]);
        // The check's combination of each dealer's dealing, for an audit.
        let kept = self.keep_for_audit(dealings, &|d| combine(d, &family, nf, tau, mu, nu));
        // Round 4: rho_g = tau A_g - a'_g.
        let mut big_a = vec![Fp::ZERO; nf];
        let mut weight = Fp::ONE;
        for (fam, a) in family.iter().zip(a) {
            weight *= mu;
            big_a[*fam] += weight * *a;
        }
        let masked: Vec<Fp> = big_a.iter().zip(a2).map(|(x, y)| tau * *x - *y).collect();
        let rho = self.open_check(&masked).await?;
        // Round 5: the check value.
        let total = combine(&products_shared, &family, nf, tau, mu, nu);
        let mut check = total;
        let mut weight = Fp::ONE;
        for (rho, beta) in rho.iter().zip(&beta) {
            weight *= nu;
            check -= weight * *rho * *beta;
        }
        // With the check, the consistency value of every sharing the
        // products are made of (a, a', beta): the audit relies on honest
        // members' shares of them lying on one polynomial each. Every
        // mask of the factor enters it, not only those of this batch's
        // entries: the first product opens `y - beta` for all of them,
        // flagged as an opening, and a mask a dealer dealt off its
        // polynomial at an honest member must stop the run here, naming
        // nobody, not there, naming that member (a reviewer's finding).
        let cons = super::prep::consistency(blind, shares.iter().chain(&f.beta), mu);
        let opened = self.open_check(&[check, cons]).await?;
        if !opened[0].is_zero() {
            let what = "the multiplication triples of a factor";
            let combine = |d: &[Fp]| combine(d, &family, nf, tau, mu, nu);
            let audit = Audit {
                dealt: shares,
                combined: self.combined_dealings(kept, total, &combine)?,
            };
            let expected = |d: &[Fp]| combine(&products(d, &family));
            let error = Box::pin(self.audit(audit, &expected, what)).await;
            // The audit may have shown beta: burn it, so that no later
            // product opens y - beta.
            use zeroize::Zeroize;
            f.beta.zeroize();
            f.stock.iter_mut().for_each(Vec::clear);
            f.burned = true;
            return Err(error);
        }
        for ((&g, a), c) in index.iter().zip(a).zip(c) {
            f.stock[g].push((*a, *c));
        }
        f.checked = true;
        Ok(())
    }

    /// `x[k] * y[index[k]]` element-wise (one round), with triples of
    /// [`Ctx::factor_triples`]; the first call also opens `y - beta`.
    pub async fn mul_factor(
        &self,
        f: &mut Factor,
        x: &ShareVec,
        index: &[usize],
    ) -> Result<ShareVec, EngineError> {
        if x.len() != index.len() {
            return Err(EngineError::InvalidOperation("operand lengths differ"));
        }
        if index.iter().any(|&g| g >= f.len()) {
            return Err(EngineError::InvalidOperation("factor entry out of range"));
        }
        let mut triples = Vec::with_capacity(index.len());
        for &g in index {
            triples.push(
                f.stock[g]
                    .pop()
                    .ok_or(EngineError::PreprocessingExhausted)?,
            );
        }
        let mut masked: Vec<Fp> = x
            .values()
            .iter()
            .zip(&triples)
            .map(|(x, (a, _))| *x - *a)
            .collect();
        if f.burned {
            return Err(EngineError::InvalidOperation(
                "an audit showed this factor's masks: it cannot be used",
            ));
        }
        let first = f.eps.is_none();
        if first {
            f.exposed = true;
            masked.extend(f.y.values().iter().zip(&f.beta).map(|(y, b)| *y - *b));
        }
        // Masks no batch has checked (a product of no entries, on a factor
        // without triples) open unflagged: a dealer may have dealt one off
        // its polynomial, and the member holding it must not be named.
        let mut d = if f.checked {
            self.open_masked(&ShareVec(masked)).await?
        } else {
            self.open_masked_as(&ShareVec(masked), false)
                .await
                .map_err(|e| match e {
                    EngineError::Opening { .. } => EngineError::CheckFailed {
                        what: "the masks of a factor",
                    },
                    other => other,
                })?
        };
        if first {
            f.eps = Some(d.split_off(index.len()));
        }
        let eps = f.eps.as_deref().unwrap_or_default();
        Ok(ShareVec(
            index
                .iter()
                .zip(&triples)
                .zip(&d)
                .map(|((&g, (a, c)), d)| *c + *d * f.beta[g] + eps[g] * *a + *d * eps[g])
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::network::Network;
    use crate::engine::{Committee, Deviation};
    use crate::field::Fp;
    use crate::share::{ShareVec, deal};
    use rand_chacha::ChaCha20Rng;
    use rand_core::{Rng, SeedableRng};

    fn shares(values: &[Fp], n: usize, t: usize, seed: u64) -> Vec<ShareVec> {
        deal(values, n, t, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap()
    }

    /// Products by a factor equal the plaintext products, for committees
    /// with set keys and without, over two batches of triples.
    #[test]
    fn factor_products_match_plaintext() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let y: Vec<Fp> = (0..12).map(|_| Fp::from(rng.next_u64() % 1000)).collect();
        let x: Vec<Fp> = (0..30).map(|_| Fp::from(rng.next_u64())).collect();
        let index: Vec<usize> = (0..30).map(|k| (k * 7) % 12).collect();
        for n in [3usize, 5, 9] {
            let c = Committee::new(n);
            let (ys, xs) = (shares(&y, n, c.t, 1), shares(&x, n, c.t, 2));
            let index = index.clone();
            let out = Network::new(c, 5)
                .run(|ctx| {
                    let (y, x) = (ys[ctx.me() - 1].clone(), xs[ctx.me() - 1].clone());
                    let index = index.clone();
                    async move {
                        let mut f = ctx.factor(&y).await?;
                        ctx.factor_triples(&mut f, &index[..20]).await?;
                        // Three batches, entries straddling them.
                        ctx.factor_triples_by(&mut f, &index[20..], 4).await?;
                        ctx.mark_online();
                        let x1 = ShareVec::from_values(x.values()[..20].to_vec());
                        let x2 = ShareVec::from_values(x.values()[20..].to_vec());
                        let mut z = ctx
                            .mul_factor(&mut f, &x1, &index[..20])
                            .await?
                            .into_values();
                        z.extend(
                            ctx.mul_factor(&mut f, &x2, &index[20..])
                                .await?
                                .into_values(),
                        );
                        let out = ctx.open(&ShareVec::from_values(z)).await?;
                        // Every triple was used: another product fails.
                        let more = ctx.mul_factor(&mut f, &x1, &index[..1]).await;
                        Ok((out, more.is_err()))
                    }
                })
                .unwrap();
            let want: Vec<Fp> = x.iter().zip(&index).map(|(x, &g)| *x * y[g]).collect();
            for (got, exhausted) in &out.values {
                assert_eq!(got, &want, "n = {n}");
                assert!(exhausted);
            }
            // The keys, then four rounds per batch (one, then three); 9
            // members deal the masks and each batch's random values (a
            // round each: C(8, 4) set keys are too many).
            let dealt = usize::from(n == 9) as u32;
            assert_eq!(
                out.stats[0].prep_rounds,
                1 + dealt + 4 * (4 + dealt),
                "n = {n}"
            );
        }
    }

    /// A member that re-shares wrong products is caught by the check and
    /// named by the audit, for every member and committee size.
    #[test]
    fn wrong_products_fail_the_check_and_name_their_dealer() {
        use crate::engine::EngineError;
        use crate::engine::network::End;
        let y: Vec<Fp> = (0..6u64).map(Fp::from).collect();
        for n in [3usize, 4, 5, 7] {
            let c = Committee::new(n);
            // Dealers of the re-sharing: the first 2t + 1 members.
            for bad in 1..=2 * c.t + 1 {
                let ys = shares(&y, n, c.t, 4);
                let ends = Network::new(c, 11)
                    .run_each(|ctx| {
                        let y = ys[ctx.me() - 1].clone();
                        if ctx.me() == bad {
                            ctx.set_deviation(Deviation::Mul, 0);
                        }
                        async move {
                            let mut f = ctx.factor(&y).await?;
                            ctx.factor_triples(&mut f, &[0, 1, 1, 5, 3]).await
                        }
                    })
                    .unwrap();
                for end in &ends {
                    assert!(
                        matches!(end, End::Failed(EngineError::WrongProducts { members, .. }) if members == &vec![bad]),
                        "n = {n}, member {bad}: {end:?}"
                    );
                }
            }
        }
    }

    /// Up to t members re-share wrong products by a factor and lie in
    /// their reports of the batch's audit (random shifts, each recipient
    /// its own): an honest member names only deviating members, or
    /// nobody. The audit round is the last round of the run, found by a
    /// first run with the same seed.
    #[test]
    fn lies_in_a_factor_audit_never_name_an_honest_member() {
        use crate::engine::message::{Message, round_of};
        use crate::engine::network::End;
        use crate::engine::{EngineError, Transmit};
        use std::cell::Cell;
        use std::rc::Rc;
        let y: Vec<Fp> = (0..5u64).map(Fp::from).collect();
        for c in [
            Committee::new(3),
            Committee { n: 4, t: 1 },
            Committee::new(5),
            Committee { n: 6, t: 2 },
        ] {
            for seed in 0..4u64 {
                let corrupt = crate::engine::tests::pick_members(c.n, c.t, seed);
                let ys = shares(&y, c.n, c.t, seed);
                let run = |net: Network| {
                    let (ys, corrupt) = (ys.clone(), corrupt.clone());
                    net.run_each(move |ctx| {
                        let y = ys[ctx.me() - 1].clone();
                        if corrupt.contains(&ctx.me()) {
                            ctx.set_deviation(Deviation::Mul, 0);
                        }
                        async move {
                            let mut f = ctx.factor(&y).await?;
                            ctx.factor_triples(&mut f, &[0, 2, 4]).await
                        }
                    })
                    .unwrap()
                };
                let last = Rc::new(Cell::new(0u32));
                let seen = last.clone();
                run(Network::new(c, seed).tamper(move |t: &mut Transmit, _| {
                    seen.set(seen.get().max(round_of(&t.bytes).unwrap_or(0)));
                }));
                let audit = last.get();
                let liars = corrupt.clone();
                let mut lies = ChaCha20Rng::seed_from_u64(seed + 50);
                let fired = Rc::new(Cell::new(0usize));
                let count = fired.clone();
                let ends = run(Network::new(c, seed).tamper(move |t: &mut Transmit, from| {
                    if liars.contains(&from) && round_of(&t.bytes) == Some(audit) {
                        count.set(count.get() + 1);
                        let mut m = Message::decode(&t.bytes).unwrap();
                        let len = m.values.len();
                        for _ in 0..1 + lies.next_u64() % 3 {
                            let at = (lies.next_u64() as usize) % len;
                            m.values[at] += Fp::from(1 + lies.next_u64() % 5);
                        }
                        t.bytes = m.encode();
                    }
                }));
                // Every liar's report to every other member was changed.
                assert_eq!(fired.get(), c.t * (c.n - 1), "{c:?} seed {seed}");
                for (i, end) in ends.iter().enumerate() {
                    if corrupt.contains(&(i + 1)) {
                        continue;
                    }
                    let End::Failed(e) = end else {
                        panic!("{c:?} seed {seed}: member {} ended with {end:?}", i + 1)
                    };
                    assert!(
                        matches!(
                            e,
                            EngineError::WrongProducts { .. } | EngineError::CheckFailed { .. }
                        ),
                        "{c:?} seed {seed}: the audit ran: {e}"
                    );
                    let culprits = e.culprits().unwrap_or_default();
                    assert!(
                        culprits.iter().all(|m| corrupt.contains(m)),
                        "{c:?} seed {seed}, corrupt {corrupt:?}: member {} named {culprits:?}",
                        i + 1
                    );
                }
            }
        }
    }

    /// Ten members deal their random values (C(9, 4) set keys are too
    /// many) and can name a member whose share of an opening disagrees
    /// (n = 2t + 2). Member 1 deals another member a mask off its
    /// polynomial for entry 6 of y, which no triple uses. The first
    /// product opens `y - beta` for every entry, flagged as an opening:
    /// the old code checked only the masks of entries with triples, so
    /// that opening named the other member, honest. Now the batch's check covers every mask
    /// and stops the run naming nobody.
    #[test]
    fn a_mask_dealt_off_its_polynomial_never_names_an_honest_member() {
        use crate::engine::Transmit;
        use crate::engine::message::Message;
        use crate::engine::network::End;
        use std::cell::Cell;
        use std::rc::Rc;
        let c = Committee { n: 10, t: 4 };
        let y: Vec<Fp> = (0..7u64).map(Fp::from).collect();
        let ys = shares(&y, c.n, c.t, 21);
        // With triples for entries 0 to 2 (their batch's check covers every
        // mask), and a product of no entries on a factor without triples
        // (no batch checked the masks: the opening of y - beta is not
        // flagged).
        for entries in [vec![0usize, 1, 2], Vec::new()] {
            let victim = Rc::new(Cell::new(0usize));
            let seen = victim.clone();
            // The first message of seven values member 1 sends is its
            // dealing of the masks to a member that gets it by message
            // (the others derive theirs from pair keys).
            let net = Network::new(c, 5).tamper(move |t: &mut Transmit, from| {
                if from == 1 && seen.get() == 0 {
                    let mut m = Message::decode(&t.bytes).unwrap();
                    if m.values.len() == 7 {
                        m.values[6] += Fp::ONE;
                        t.bytes = m.encode();
                        seen.set(t.to);
                    }
                }
            });
            let ends = net
                .run_each(|ctx| {
                    let y = ys[ctx.me() - 1].clone();
                    let entries = entries.clone();
                    async move {
                        let mut f = ctx.factor(&y).await?;
                        if !entries.is_empty() {
                            ctx.factor_triples(&mut f, &entries).await?;
                        }
                        let x = ShareVec::from_values(vec![Fp::ZERO; entries.len()]);
                        ctx.mul_factor(&mut f, &x, &entries).await
                    }
                })
                .unwrap();
            assert!(victim.get() > 1, "the dealing was changed");
            for (i, end) in ends.iter().enumerate().skip(1) {
                match end {
                    End::Failed(e) => assert_eq!(
                        e.culprits(),
                        Some(Vec::new()),
                        "{entries:?}: member {}: {e}",
                        i + 1
                    ),
                    other => panic!("{entries:?}: member {}: {other:?}", i + 1),
                }
            }
        }
    }

    /// After an audit showed beta, the factor refuses every further use:
    /// a product would open `y - beta` and so show y.
    #[test]
    fn a_factor_whose_masks_an_audit_showed_is_refused() {
        use crate::engine::EngineError;
        use crate::engine::network::End;
        let y: Vec<Fp> = (0..4u64).map(Fp::from).collect();
        let c = Committee::new(3);
        let ys = shares(&y, 3, c.t, 8);
        let ends = Network::new(c, 13)
            .run_each(|ctx| {
                let y = ys[ctx.me() - 1].clone();
                if ctx.me() == 1 {
                    ctx.set_deviation(Deviation::Mul, 0);
                }
                async move {
                    let mut f = ctx.factor(&y).await?;
                    let failed = ctx.factor_triples(&mut f, &[0, 1]).await;
                    assert!(matches!(failed, Err(EngineError::WrongProducts { .. })));
                    let x = ShareVec::from_values(vec![Fp::ZERO; 1]);
                    let product = ctx.mul_factor(&mut f, &x, &[0]).await;
                    let more = ctx.factor_triples(&mut f, &[2]).await;
                    Ok((product.is_err(), more.is_err()))
                }
            })
            .unwrap();
        for end in &ends {
            assert!(matches!(end, End::Done((true, true))), "{end:?}");
        }
    }

    /// Once `y - beta` is open, no more triples are made for the factor:
    /// a failed batch is audited by showing beta, which would then show y.
    #[test]
    fn triples_after_the_first_product_are_refused() {
        use crate::engine::EngineError;
        use crate::engine::network::End;
        let y: Vec<Fp> = (0..4u64).map(Fp::from).collect();
        let c = Committee::new(3);
        let ys = shares(&y, 3, c.t, 6);
        let ends = Network::new(c, 12)
            .run_each(|ctx| {
                let y = ys[ctx.me() - 1].clone();
                async move {
                    let mut f = ctx.factor(&y).await?;
                    ctx.factor_triples(&mut f, &[0, 1]).await?;
                    let x = ShareVec::from_values(vec![Fp::ZERO; 2]);
                    ctx.mul_factor(&mut f, &x, &[0, 1]).await?;
                    ctx.factor_triples(&mut f, &[2, 3]).await
                }
            })
            .unwrap();
        for end in &ends {
            assert!(
                matches!(end, End::Failed(EngineError::InvalidOperation(_))),
                "{end:?}"
            );
        }
    }
}
