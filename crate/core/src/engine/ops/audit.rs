//! The audit of a failed sacrifice: which dealer re-shared a wrong
//! product.
//!
//! The check of verified preprocessing ([`super::prep`],
//! [`super::factor`]) opens one value X that is 0 when every re-shared
//! product is right. A nonzero X says that some member deviated, not which.
//! The batch is then discarded and the computation stops, so nothing in it
//! will ever protect an input: its random values may be shown. The audit
//! (one round, only after a failure) shows them, and names the dealers
//! whose dealings do not carry their products.
//!
//! **The round.** Every live member sends every other one
//! - its shares of the batch's random values that the products are made
//!   of (`a, a', b, f, g` for triples and square pairs; `a, a', beta` for
//!   the products by a factor), and
//! - for each dealer D of the re-sharing, its share of `W_D`: the same
//!   combination the check takes of the re-shared products (with the
//!   batch's opened coins), taken of D's dealing alone. `W_D` is a
//!   sharing of degree t, since D's dealing is one, if D dealt honestly.
//!
//! X is the Lagrange combination, over the dealers, of
//! `W_D(0) - w_D`, where `w_D` is the combination of the products of D's
//! own shares (what D should have re-shared). So X is not 0 only if some
//! dealer has `W_D(0) != w_D`.
//!
//! **Who is named.** Each member weighs every hypothesis H, a set of at
//! most t members, "the members outside H followed the protocol and
//! report the truth", against the reports it received. H fails if,
//! among the reports of the members outside H (the set S):
//! 1. their shares of the random values do not lie on one polynomial of
//!    degree t (checked on one random combination of the columns, with
//!    coefficients from a hash of all reports, fixed after every report
//!    is), or
//! 2. for a dealer D in S, their shares of `W_D` do not lie on one
//!    polynomial of degree t whose value at 0 is `w_D`, computed from D's
//!    reported shares.
//!
//! The members named are those in every hypothesis that does not fail.
//! Survival is upward-closed, so only the `C(L, t)` sets of exactly t are
//! weighed, and only while there are at most [`MAX_HYPOTHESES`] of them
//! (committees of at most 14 members); above that the audit does not run
//! and nobody is named, so that a member cannot make the honest members'
//! verdict take exponential time.
//!
//! **An honest member is never named**, whatever up to t others report or
//! deal: the hypothesis C of the members that really deviated never fails,
//! and a member in every surviving hypothesis is in C. C survives because
//! honest members report the shares they hold, and those lie on one
//! polynomial per value: the batch's consistency value opened consistently
//! before the audit runs (it opens with the check value), which fails
//! otherwise except with probability K/p; and an honest dealer's dealing
//! is one polynomial of degree t whose combination has the value `w_D`
//! of its own shares.
//!
//! **Who is found.** A dealer that re-shared a wrong product and reports
//! the truth fails every hypothesis without it (its own `W_D` column is
//! off `w_D`), so it is named, for any n. It may also lie in the audit (a
//! false share of a random value, a false `W_D` share): with n >= 2t + 2
//! the extra honest report still exposes a lone liar, as with a lie in an
//! opening; with n = 2t + 1 the hypothesis that an honest member lied
//! instead survives too, and nobody is named (the run still stops). So is
//! a dealing off its polynomial at one recipient: the dealer and that
//! recipient accuse each other, and without a signed dealing no one can
//! tell them apart. A member may send different reports to different
//! members: they may then differ in whom they name, never name an honest
//! member.
//!
//! **What the round reveals**: the batch's random values and products,
//! none of which is used (the batch is discarded, the computation stops).
//! It must not run when a value it would show already masked something
//! opened: the products by a factor audit only while `y - beta` is still
//! unopened ([`super::factor`]).

use sha2::{Digest, Sha256};

use super::keys::{binomial, stream_values, subsets};
use crate::engine::ctx::Ctx;
use crate::engine::error::EngineError;
use crate::field::Fp;
use crate::share::lagrange_coefficients;

/// Most hypotheses (sets of t of the L live members, `C(L, t)`) the
/// verdict weighs. Above it (15 members and more) the audit round does not
/// run and a failed check names nobody: a deviating member, which can make
/// a check fail at will, must not make every honest member's verdict take
/// exponential time. 4,096 covers every committee of at most 14 members
/// (`C(14, 6) = 3003`); one verdict then costs milliseconds.
pub const MAX_HYPOTHESES: u64 = 1 << 12;

/// Domain separation of the hash that fixes the audit's combination.
const AUDIT_LABEL: &[u8] = b"sotto/engine-audit/v1";

/// What one member brings to the audit of a failed batch.
pub(crate) struct Audit {
    /// Its shares of the batch's random values the products are made of.
    pub(crate) dealt: Vec<Fp>,
    /// Its share of each re-sharing dealer's combined dealing `W_D`, in
    /// the order of the dealers (the first 2t + 1 live members).
    pub(crate) combined: Vec<Fp>,
}

/// What a member received in one re-sharing ([`Ctx::reduce_degree`]).
pub(crate) struct Dealings {
    /// The round of the re-sharing.
    pub(crate) round: u32,
    /// This member's share of each dealer's dealing, in the order of the
    /// dealers.
    pub(crate) got: Vec<Vec<Fp>>,
}

/// The check's combination of the dealings a member was sent, taken as
/// soon as the coins are open; the dealings themselves are dropped. The
/// rest is made only if an audit runs ([`Ctx::combined_dealings`]): the
/// shares derived from a pair key are derived again, and the share of
/// the member's own dealing follows by linearity. So a batch that passes
/// pays one pass over each dealing sent (one of three for 3 members).
pub(crate) struct Kept {
    round: u32,
    len: usize,
    combined: Vec<Option<Fp>>,
}

impl Ctx {
    /// Keeps `combine` (linear) of each dealing this member was sent.
    pub(crate) fn keep_for_audit(&self, dealings: Dealings, combine: &dyn Fn(&[Fp]) -> Fp) -> Kept {
        let me = self.me();
        let len = dealings.got.first().map_or(0, Vec::len);
        let dealers = &self.members()[..dealings.got.len()];
        let combined = dealers
            .iter()
            .zip(&dealings.got)
            .map(|(&d, v)| {
                let sent = d != me && !self.seeded_recipients(d).contains(&me);
                sent.then(|| combine(v))
            })
            .collect();
        Kept {
            round: dealings.round,
            len,
            combined,
        }
    }

    /// `combine` of every dealing this member received, in the order of
    /// the dealers, from what [`Ctx::keep_for_audit`] kept; `total` is
    /// `combine` of its re-shared products (the Lagrange combination of
    /// the dealings at 0).
    pub(crate) fn combined_dealings(
        &self,
        kept: Kept,
        total: Fp,
        combine: &dyn Fn(&[Fp]) -> Fp,
    ) -> Result<Vec<Fp>, EngineError> {
        let dealers = self.members()[..kept.combined.len()].to_vec();
        let mut out = kept.combined;
        for (k, &d) in dealers.iter().enumerate() {
            if out[k].is_none()
                && let Some(v) = self.seeded_share(d, kept.round, kept.len)?
            {
                out[k] = Some(combine(&v));
            }
        }
        if let Some(own) = dealers.iter().position(|&d| d == self.me()) {
            let lambdas = lagrange_coefficients(&dealers, Fp::ZERO)?;
            let others = lambdas
                .iter()
                .zip(&out)
                .enumerate()
                .filter(|(k, _)| *k != own)
                .fold(Fp::ZERO, |a, (_, (l, w))| a + *l * w.unwrap_or(Fp::ZERO));
            out[own] = Some((total - others) * lambdas[own].inverse()?);
        }
        Ok(out.into_iter().map(|w| w.unwrap_or(Fp::ZERO)).collect())
    }

    /// Runs the audit round (see the module docs) and returns the error
    /// the failed check ends with: [`EngineError::WrongProducts`] naming
    /// the dealers found wrong, else [`EngineError::CheckFailed`] about
    /// `what`. `expected` maps a dealer's reported shares (`dealt`'s
    /// layout) to the combination `w_D` of the products it should have
    /// re-shared.
    pub(crate) async fn audit(
        &self,
        audit: Audit,
        expected: &(dyn Fn(&[Fp]) -> Fp + Sync),
        what: &'static str,
    ) -> EngineError {
        if binomial(self.members().len() as u64, self.t() as u64) > MAX_HYPOTHESES {
            // Too many hypotheses to weigh: no audit (every member decides
            // this alike from the live set, so rounds stay in step).
            return EngineError::CheckFailed { what };
        }
        let (len, dealers) = (audit.dealt.len(), audit.combined.len());
        let mut report = audit.dealt;
        report.extend(audit.combined);
        let outgoing = vec![Some(report); self.n()];
        let expect = self.members().iter().map(|&j| (j, len + dealers)).collect();
        match self.exchange(outgoing, expect).await {
            Ok(got) => match self.verdict(&got, len, dealers, expected) {
                Ok(Some(members)) => EngineError::WrongProducts { members, what },
                Ok(None) => EngineError::CheckFailed { what },
                Err(e) => e,
            },
            Err(e) => e,
        }
    }

    /// The members every surviving hypothesis holds (module docs), from
    /// the reports `got` of the live members, in order: `len` shares of
    /// random values, then one share per dealer of its combined dealing.
    fn verdict(
        &self,
        got: &[Vec<Fp>],
        len: usize,
        dealers: usize,
        expected: &dyn Fn(&[Fp]) -> Fp,
    ) -> Result<Option<Vec<usize>>, EngineError> {
        let live = self.members();
        // One random combination of each member's shares of the random
        // values, with coefficients fixed by every report.
        let mut hash = Sha256::new_with_prefix(AUDIT_LABEL);
        for r in got {
            for v in r {
                hash.update(v.to_bytes());
            }
        }
        let coefficients = stream_values(&hash.finalize().into(), 0, len);
        let mixed: Vec<Fp> = got
            .iter()
            .map(|r| {
                r[..len]
                    .iter()
                    .zip(&coefficients)
                    .fold(Fp::ZERO, |a, (v, c)| a + *v * *c)
            })
            .collect();
        // What each dealer should have dealt, from its own report; dealer
        // k is live member k (the first 2t + 1 deal).
        let owed: Vec<Fp> = (0..dealers).map(|k| expected(&got[k][..len])).collect();
        let t = self.t();
        let mut named: Option<Vec<usize>> = None;
        // Survival is upward-closed (fewer reports, fewer checks), so the
        // members in every surviving set of at most t are those in every
        // surviving set of exactly t.
        for suspects in subsets(live, t) {
            let honest: Vec<usize> = (0..live.len())
                .filter(|&i| !suspects.contains(&live[i]))
                .collect();
            let points: Vec<usize> = honest.iter().map(|&i| live[i]).collect();
            let column = |at: &dyn Fn(usize) -> Fp| {
                let values: Vec<Fp> = honest.iter().map(|&i| at(i)).collect();
                at_zero_if_fits(&points, &values, t)
            };
            let survives = column(&|i| mixed[i]).is_some()
                && (0..dealers)
                    .filter(|&k| honest.contains(&k))
                    .all(|k| column(&|i| got[i][len + k]) == Some(owed[k]));
            if survives {
                named = Some(match named {
                    None => suspects,
                    Some(n) => n.into_iter().filter(|m| suspects.contains(m)).collect(),
                });
            }
        }
        Ok(named.filter(|n| !n.is_empty()))
    }
}

/// The value at 0 of the polynomial of degree at most t through
/// `(points[i], values[i])`, if one polynomial goes through them all.
fn at_zero_if_fits(points: &[usize], values: &[Fp], t: usize) -> Option<Fp> {
    let base = &points[..(t + 1).min(points.len())];
    let through = |x: Fp| {
        lagrange_coefficients(base, x)
            .ok()
            .map(|l| l.iter().zip(values).fold(Fp::ZERO, |a, (l, v)| a + *l * *v))
    };
    for (p, v) in points.iter().zip(values).skip(base.len()) {
        if through(Fp::from(*p as u64))? != *v {
            return None;
        }
    }
    through(Fp::ZERO)
}

#[cfg(test)]
mod tests {
    use crate::engine::message::{Message, round_of};
    use crate::engine::network::{End, Network};
    use crate::engine::{Committee, Deviation, EngineError, Transmit};
    use crate::field::Fp;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Random bits made in a fresh run: round 0 agrees on keys, 1
    /// re-shares the squares, 2 to 4 open the coins, the sacrificed
    /// differences and the check; the audit, if any, is round 5.
    const AUDIT_ROUND: u32 = 5;

    fn bits_with(liar: usize, how: Deviation, net: Network) -> Vec<End<Vec<Fp>>> {
        net.run_each(|ctx| {
            if ctx.me() == liar {
                ctx.set_deviation(how, 0);
            }
            async move {
                let bits = ctx.random_bits(6).await?;
                ctx.open(&bits).await
            }
        })
        .unwrap()
    }

    fn named(end: &End<Vec<Fp>>) -> Option<Vec<usize>> {
        match end {
            End::Failed(EngineError::WrongProducts { members, .. }) => Some(members.clone()),
            _ => None,
        }
    }

    /// Every way a member can re-share a wrong product (a wrong triple
    /// product, a bit's square, a mask bit's square): every member names
    /// exactly that dealer, for every dealer and committee size. Before
    /// the audit, the failed check named nobody.
    #[test]
    fn a_dealer_of_wrong_products_is_named_by_every_member() {
        for c in [
            Committee::new(3),
            Committee { n: 4, t: 1 },
            Committee::new(5),
            Committee::new(7),
        ] {
            for how in [Deviation::Mul, Deviation::Bits, Deviation::Mask] {
                for liar in 1..=2 * c.t + 1 {
                    let ends = bits_with(liar, how, Network::new(c, liar as u64));
                    for (i, end) in ends.iter().enumerate() {
                        assert_eq!(
                            named(end),
                            Some(vec![liar]),
                            "{c:?}, {} by member {liar}: member {} ended with {end:?}",
                            how.name(),
                            i + 1
                        );
                    }
                }
            }
        }
    }

    /// Over a live set without member 3 (it dropped out), the dealers are
    /// the live members in order, so dealer k is not member k + 1: each
    /// live dealer of wrong products is named by every live member.
    #[test]
    fn a_dealer_of_wrong_products_is_named_over_a_partial_live_set() {
        let c = Committee { n: 6, t: 2 };
        let live = vec![1, 2, 4, 5, 6];
        for &liar in &live {
            let net = Network::new(c, 20 + liar as u64).live(live.clone());
            let ends = bits_with(liar, Deviation::Mul, net);
            for &m in &live {
                assert_eq!(
                    named(&ends[m - 1]),
                    Some(vec![liar]),
                    "dealer {liar}: member {m} ended with {:?}",
                    ends[m - 1]
                );
            }
        }
    }

    /// Nine members hold too many set keys for pseudo-random sharing
    /// (C(8, 4) = 70 > `MAX_SET_KEYS`), so every random value is dealt
    /// and the audit combines dealt shares only; C(9, 4) = 126 hypotheses.
    /// The dealer of wrong products is still named by every member.
    #[test]
    fn nine_members_without_set_keys_name_the_dealer() {
        let c = Committee::new(9);
        assert!(super::binomial(8, 4) > crate::engine::ops::keys::MAX_SET_KEYS);
        for liar in [1, 5, 9] {
            let ends = bits_with(liar, Deviation::Mul, Network::new(c, liar as u64));
            for (i, end) in ends.iter().enumerate() {
                assert_eq!(
                    named(end),
                    Some(vec![liar]),
                    "dealer {liar}: member {} ended with {end:?}",
                    i + 1
                );
            }
        }
    }

    /// Synthetic audit reports for the verdict alone: two random values
    /// a, b (each member's shares), and one column per dealer (the first
    /// 2t + 1 members) of a degree-t dealing whose value at 0 is the
    /// dealer's product `a_D b_D`, plus `wrong[D]` for a dealer that
    /// re-shared a wrong product. Member i's report is
    /// `[a_i, b_i, W_1(i), .., W_{2t+1}(i)]`.
    fn reports(c: Committee, wrong: &[(usize, u64)], seed: u64) -> Vec<Vec<Fp>> {
        use crate::share::deal;
        use rand_chacha::ChaCha20Rng;
        use rand_core::SeedableRng;
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let secrets = [Fp::random(&mut rng), Fp::random(&mut rng)];
        let dealt = deal(&secrets, c.n, c.t, &mut rng).unwrap();
        let mut out: Vec<Vec<Fp>> = dealt.iter().map(|s| s.values().to_vec()).collect();
        for d in 1..=2 * c.t + 1 {
            let own = &out[d - 1];
            let delta = wrong
                .iter()
                .find(|(m, _)| *m == d)
                .map_or(Fp::ZERO, |(_, v)| Fp::from(*v));
            let column = deal(&[own[0] * own[1] + delta], c.n, c.t, &mut rng).unwrap();
            for (i, s) in column.iter().enumerate() {
                out[i].push(s.values()[0]);
            }
        }
        out
    }

    /// Every member's verdict on the same reports.
    fn verdicts(c: Committee, got: Vec<Vec<Fp>>) -> Vec<Option<Vec<usize>>> {
        let dealers = 2 * c.t + 1;
        Network::new(c, 1)
            .run(move |ctx| {
                let got = got.clone();
                async move { ctx.verdict(&got, 2, dealers, &|d: &[Fp]| d[0] * d[1]) }
            })
            .unwrap()
            .values
    }

    /// The verdict on reports made up directly: a dealer of a wrong
    /// product that reports the truth is named for any n; honest reports
    /// name nobody; the members named are exactly the wrong dealers.
    #[test]
    fn the_verdict_on_synthetic_reports_names_exactly_the_wrong_dealers() {
        for c in [
            Committee::new(3),
            Committee { n: 4, t: 1 },
            Committee::new(5),
            Committee { n: 7, t: 2 },
        ] {
            for v in verdicts(c, reports(c, &[], 3)) {
                assert_eq!(v, None, "{c:?}: honest reports");
            }
            for d in 1..=2 * c.t + 1 {
                for v in verdicts(c, reports(c, &[(d, 5)], d as u64)) {
                    assert_eq!(v, Some(vec![d]), "{c:?}: dealer {d}");
                }
            }
        }
        let c = Committee { n: 7, t: 2 };
        for v in verdicts(c, reports(c, &[(1, 2), (4, 9)], 8)) {
            assert_eq!(v, Some(vec![1, 4]), "two wrong dealers");
        }
    }

    /// A wrong dealer that lies about its share of a, crafted so that its
    /// report gives exactly the wrong value it dealt (`w_D` matches its
    /// column): its own column then passes, but its share of a is off
    /// the polynomial the honest shares fix. With n >= 2t + 2 the extra
    /// honest report shows it and the dealer is named; with n = 2t + 1
    /// the hypothesis that an honest member lied survives as well, and
    /// nobody is named (the run still stops): never an honest member.
    #[test]
    fn a_lie_crafted_to_match_its_wrong_product_is_named_only_when_n_is_at_least_2t_plus_2() {
        for (c, named) in [
            (Committee::new(3), false),
            (Committee { n: 4, t: 1 }, true),
            (Committee::new(5), false),
            (Committee { n: 6, t: 2 }, true),
            (Committee { n: 7, t: 2 }, true),
        ] {
            let d = 2;
            let mut got = reports(c, &[(d, 11)], 4);
            // a_D' b_D = a_D b_D + 11.
            let b = got[d - 1][1];
            got[d - 1][0] += Fp::from(11u64) * b.inverse().unwrap();
            let owed = got[d - 1][0] * got[d - 1][1];
            let column: Vec<Fp> = got.iter().map(|r| r[2 + d - 1]).collect();
            let points: Vec<usize> = (1..=c.n).collect();
            assert_eq!(
                super::at_zero_if_fits(&points, &column, c.t),
                Some(owed),
                "the lie matches the dealing"
            );
            for v in verdicts(c, got) {
                assert_eq!(v, named.then(|| vec![d]), "{c:?}");
            }
        }
    }

    /// Two dealers that both re-share wrong products are both named.
    #[test]
    fn two_wrong_dealers_are_both_named() {
        let c = Committee::new(5);
        let ends = Network::new(c, 3)
            .run_each(|ctx| {
                if ctx.me() == 2 || ctx.me() == 5 {
                    ctx.set_deviation(Deviation::Mul, 0);
                }
                async move {
                    let bits = ctx.random_bits(3).await?;
                    ctx.open(&bits).await
                }
            })
            .unwrap();
        for end in &ends {
            assert_eq!(named(end), Some(vec![2, 5]), "{end:?}");
            let End::Failed(e) = end else { unreachable!() };
            assert!(
                e.to_string().starts_with("committee members 2, 5 deviated"),
                "{e}"
            );
        }
    }

    /// Above [`super::MAX_HYPOTHESES`] (15 members: C(15, 7) = 6435) the
    /// audit does not run: the failed check names nobody, at once.
    #[test]
    fn large_committees_skip_the_audit() {
        let c = Committee::new(15);
        assert!(super::binomial(15, 7) > super::MAX_HYPOTHESES);
        let ends = bits_with(1, Deviation::Mul, Network::new(c, 2));
        for end in &ends {
            assert!(
                matches!(end, End::Failed(EngineError::CheckFailed { .. })),
                "{end:?}"
            );
        }
    }

    /// Adds `delta` to value `at` of a message.
    fn shift_value(t: &mut Transmit, at: usize, delta: u64) {
        let mut m = Message::decode(&t.bytes).unwrap();
        m.values[at] += Fp::from(delta);
        t.bytes = m.encode();
    }

    /// Member `liar` re-shares wrong products and changes its audit
    /// report with `lie` (given the report's length) before sending it;
    /// checks that the lie reached every other member.
    fn lying_in_the_audit(
        c: Committee,
        liar: usize,
        seed: u64,
        lie: impl Fn(&mut Transmit, usize) + 'static,
    ) -> Vec<End<Vec<Fp>>> {
        let fired = Arc::new(AtomicUsize::new(0));
        let seen = fired.clone();
        let net = Network::new(c, seed).tamper(move |t: &mut Transmit, from| {
            if from == liar && round_of(&t.bytes) == Some(AUDIT_ROUND) {
                seen.fetch_add(1, Ordering::Relaxed);
                let len = Message::decode(&t.bytes).unwrap().values.len();
                lie(t, len);
            }
        });
        let ends = bits_with(liar, Deviation::Mul, net);
        assert_eq!(fired.load(Ordering::Relaxed), c.n - 1, "{c:?}");
        ends
    }

    /// A deviating member that also lies in its audit report about an
    /// honest dealer's dealing cannot get that dealer named: the honest
    /// reports fix the column, so a false point makes it inconsistent and
    /// the dealer is left out. The liar itself is still named.
    #[test]
    fn a_false_report_cannot_name_an_honest_dealer() {
        for c in [
            Committee::new(3),
            Committee { n: 4, t: 1 },
            Committee::new(5),
        ] {
            let liar = 2 * c.t + 1;
            // The report ends with one share per dealer: dealer 1's is
            // the first of them.
            let ends = lying_in_the_audit(c, liar, 11, move |t, len| {
                shift_value(t, len - (2 * c.t + 1), 1);
            });
            for (i, end) in ends.iter().enumerate() {
                if i + 1 == liar {
                    continue;
                }
                assert_eq!(named(end), Some(vec![liar]), "{c:?}: {end:?}");
            }
        }
    }

    /// A deviating dealer that also lies in its audit report (about its
    /// own share of a random value, and about its share of its own
    /// dealing) is still named by every honest member when n >= 2t + 2:
    /// the extra honest report exposes the lie.
    #[test]
    fn a_dealer_that_also_lies_in_the_audit_is_named_when_n_is_at_least_2t_plus_2() {
        for c in [Committee { n: 4, t: 1 }, Committee { n: 5, t: 1 }] {
            let liar = 1;
            let ends = lying_in_the_audit(c, liar, 5, move |t, len| {
                shift_value(t, 0, 1);
                shift_value(t, len - (2 * c.t + 1), 7);
            });
            for end in &ends[1..] {
                assert_eq!(named(end), Some(vec![liar]), "{c:?}: {end:?}");
            }
        }
    }

    /// Up to t members that re-share wrong products and send random lies
    /// in their audit reports (each recipient its own: equivocation)
    /// never get an honest member named: every honest member names only
    /// deviating members, or nobody.
    #[test]
    fn lies_in_the_audit_never_name_an_honest_member() {
        use rand_chacha::ChaCha20Rng;
        use rand_core::{Rng, SeedableRng};
        for c in [
            Committee::new(3),
            Committee { n: 4, t: 1 },
            Committee::new(5),
            Committee { n: 6, t: 2 },
            Committee::new(7),
        ] {
            for seed in 0..8u64 {
                let mut corrupt = crate::engine::tests::pick_members(c.n, c.t, seed);
                corrupt.sort_unstable();
                let liars = corrupt.clone();
                let mut lies = ChaCha20Rng::seed_from_u64(seed + 100);
                let net = Network::new(c, seed).tamper(move |t: &mut Transmit, from| {
                    if liars.contains(&from) && round_of(&t.bytes) == Some(AUDIT_ROUND) {
                        let len = Message::decode(&t.bytes).unwrap().values.len();
                        for _ in 0..1 + lies.next_u64() % 3 {
                            let at = (lies.next_u64() as usize) % len;
                            // Mostly small shifts of the dealing shares at
                            // the end, sometimes of any value.
                            let at = if lies.next_u64() % 2 == 0 {
                                len - 1 - at % (2 * c.t + 1)
                            } else {
                                at
                            };
                            shift_value(t, at, 1 + lies.next_u64() % 5);
                        }
                    }
                });
                let deviating = corrupt.clone();
                let ends = net
                    .run_each(|ctx| {
                        if deviating.contains(&ctx.me()) {
                            ctx.set_deviation(Deviation::Mul, 0);
                        }
                        async move {
                            let bits = ctx.random_bits(5).await?;
                            ctx.open(&bits).await
                        }
                    })
                    .unwrap();
                for (i, end) in ends.iter().enumerate() {
                    if corrupt.contains(&(i + 1)) {
                        continue;
                    }
                    let End::Failed(e) = end else {
                        panic!("{c:?} seed {seed}: member {} ended with {end:?}", i + 1)
                    };
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
}
