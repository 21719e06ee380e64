//! Keys the live members agree on once per run, and the two ways they cut
//! the traffic of preprocessing without changing what it proves:
//!
//! - **Pseudo-random secret sharing** (Cramer, Damgard and Ishai, "Share
//!   conversion, pseudorandom secret-sharing and applications to secure
//!   computation", TCC 2005, section 3): for every set A of L - t of the L
//!   live members, the members of A hold a key K_A. The sharing of
//!   `r = sum_A PRF(K_A, k)` is member i's
//!   `sum_{A containing i} PRF(K_A, k) * f_A(i)`, where f_A is the
//!   polynomial of degree t with `f_A(0) = 1` and `f_A(j) = 0` for the t
//!   live members j outside A. No message: the random values of
//!   preprocessing (triples' `a, a', b`, square pairs' `f, g`, random
//!   sharings, the coins) cost nothing to deal. Any t members miss the
//!   key of the set of the other L - t, so r is pseudo-random to them.
//!   Each member holds C(L - 1, t) keys (2 for 3 members, 20 for 7);
//!   above [`MAX_SET_KEYS`] the members deal as before (`Ctx::joint_deal`).
//! - **Seeded dealing**: a dealer shares a value v with degree t by taking
//!   the shares of the t live members after it (cyclically) from a
//!   generator keyed by the pair's key, which those members run
//!   themselves, and sending only the other L - 1 - t shares (1 of 2 for
//!   3 members). The polynomial through v at 0 and the t pseudo-random
//!   points has degree t; any t shares are pseudo-random whatever v is,
//!   exactly as with random coefficients. Used by the re-sharing of
//!   products (`Ctx::reduce_degree`) and, without set keys, by
//!   `Ctx::joint_deal`.
//!
//! **Agreeing on the keys** (one round, the first time preprocessing runs
//! in a computation): member i sends member j a random contribution for
//! their pair and one for every set containing both; a key is SHA-256 of
//! its members' contributions. A key of members who all follow the
//! protocol is uniform and known to them only: the contributions travel
//! in the members' pairwise encrypted channels (docs/session.md). Keys are
//! fresh in every run, like every other randomness but the noise
//! (`Ctx::bind_noise`).
//!
//! **What a deviating member can do.** It knows the keys of its own sets
//! and pairs, as it would know its own dealings. It can send different
//! contributions for one set to different members, so that honest members
//! of that set derive different keys: that is an inconsistent dealing,
//! which the preprocessing's consistency value catches when L > 2t + 1
//! (with L = 2t + 1 the t + 1 honest shares always lie on one polynomial,
//! whose value then stays uniform through the key of the honest set). In
//! seeded dealing, only the explicit shares can be wrong, which is a
//! wrong dealing as before: the sacrifice check and the consistency value
//! see it.

use chacha20::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::engine::ctx::Ctx;
use crate::engine::error::EngineError;
use crate::field::{ENCODED_LEN, Fp};
use crate::share::{ShareVec, lagrange_coefficients};

/// Most set keys a member holds for pseudo-random secret sharing: C(L - 1,
/// t) for L live members (20 for 7 members with t = 3). Above it every
/// random value would cost more generator output than it saves traffic
/// for, so the members deal instead.
pub const MAX_SET_KEYS: u64 = 20;

/// Field elements in one key contribution (2 x 127 random bits).
const CONTRIBUTION: usize = 2;

type Key = Zeroizing<[u8; 32]>;

/// The keys of one run (kept with the preprocessing stock).
#[derive(Default)]
pub(crate) struct Keys {
    /// Key shared with member j, at j - 1 (none for oneself and members
    /// not live).
    pairs: Vec<Option<Key>>,
    /// For each set containing this member: its key and `f_A(me)`.
    sets: Vec<(Key, Fp)>,
    /// Pseudo-random sharings drawn so far (the generator stream of the
    /// next draw).
    draws: u64,
}

impl core::fmt::Debug for Keys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Keys")
            .field("sets", &self.sets.len())
            .field("draws", &self.draws)
            .finish_non_exhaustive()
    }
}

/// `C(n, k)`, saturating.
pub(crate) fn binomial(n: u64, k: u64) -> u64 {
    (0..k).fold(1u64, |acc, i| acc.saturating_mul(n - i) / (i + 1))
}

/// All subsets of `items` of size `k`, in lexicographic order.
pub(crate) fn subsets(items: &[usize], k: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut pick: Vec<usize> = (0..k).collect();
    if k > items.len() {
        return out;
    }
    loop {
        out.push(pick.iter().map(|&i| items[i]).collect());
        // Advance the rightmost index that can move.
        let Some(at) = (0..k).rev().find(|&i| pick[i] < items.len() - k + i) else {
            return out;
        };
        pick[at] += 1;
        for i in at + 1..k {
            pick[i] = pick[i - 1] + 1;
        }
    }
}

/// Uniform field elements from a keyed generator: stream `stream` of
/// ChaCha20 under `key`, 16 bytes per element with the top bit cleared
/// (the one 127-bit pattern equal to p maps to 0: bias 2^-127).
pub(crate) fn stream_values(key: &[u8; 32], stream: u64, count: usize) -> Vec<Fp> {
    let mut rng = ChaCha20Rng::from_seed(*key);
    rng.set_stream(stream);
    let mut buf = Zeroizing::new(vec![0u8; count * ENCODED_LEN]);
    rng.fill_bytes(&mut buf);
    buf.chunks_exact(ENCODED_LEN)
        .map(|c| {
            let mut b = [0u8; ENCODED_LEN];
            b.copy_from_slice(c);
            Fp::new(u128::from_le_bytes(b) >> 1)
        })
        .collect()
}

/// The stream of a seeded dealing from `dealer` to `to` in `round`.
fn deal_stream(round: u32, dealer: usize, to: usize) -> u64 {
    (u64::from(round) << 16) | ((dealer as u64) << 8) | to as u64
}

impl Ctx {
    /// Whether this run's live set is small enough for pseudo-random
    /// secret sharing ([`MAX_SET_KEYS`]).
    fn uses_set_keys(&self) -> bool {
        let live = self.members().len() as u64;
        binomial(live - 1, self.t() as u64) <= MAX_SET_KEYS
    }

    /// The sets of members that hold a key: every L - t of the L live
    /// members, as the t members outside them, in a fixed order.
    fn key_sets(&self) -> Vec<Vec<usize>> {
        if !self.uses_set_keys() {
            return Vec::new();
        }
        subsets(self.members(), self.t())
    }

    /// Agrees on the run's keys (one round) unless that was done.
    pub(crate) async fn ensure_keys(&self) -> Result<(), EngineError> {
        if self.lock().stock.keys.is_some() {
            return Ok(());
        }
        let me = self.me();
        let outside = self.key_sets();
        let mine: Vec<usize> = (0..outside.len())
            .filter(|&s| !outside[s].contains(&me))
            .collect();
        // Contributions: one per other live member for the pair, one per
        // own set (the same to every member of the set).
        let draw = |count: usize| {
            self.with_rng(|rng| {
                (0..count * CONTRIBUTION)
                    .map(|_| Fp::random(rng))
                    .collect::<Vec<Fp>>()
            })
        };
        let pair_part = draw(self.n());
        let set_part = draw(outside.len());
        let part = |v: &[Fp], k: usize| v[k * CONTRIBUTION..(k + 1) * CONTRIBUTION].to_vec();
        // Sets containing both me and j, in order.
        let shared = |j: usize| -> Vec<usize> {
            mine.iter()
                .copied()
                .filter(|&s| !outside[s].contains(&j))
                .collect()
        };
        let mut outgoing = vec![None; self.n()];
        let mut expect = Vec::new();
        for &j in self.members() {
            if j == me {
                continue;
            }
            let mut msg = part(&pair_part, j - 1);
            for s in shared(j) {
                msg.extend(part(&set_part, s));
            }
            expect.push((j, msg.len()));
            outgoing[j - 1] = Some(msg);
        }
        // Input-independent: a preprocessing round wherever it happens.
        let was = self.enter_prep();
        let got = self.exchange(outgoing, expect.clone()).await;
        self.leave_prep(was);
        let got = got?;
        let hash = |label: &[u8], ids: &[usize], parts: &[&[Fp]]| -> Key {
            let mut h = Sha256::new_with_prefix(label);
            for id in ids {
                h.update((*id as u16).to_le_bytes());
            }
            for p in parts {
                for v in *p {
                    h.update(v.to_bytes());
                }
            }
            Zeroizing::new(h.finalize().into())
        };
        let mut keys = Keys {
            pairs: vec![None; self.n()],
            ..Keys::default()
        };
        for ((j, _), theirs) in expect.iter().zip(&got) {
            let j = *j;
            let ours = part(&pair_part, j - 1);
            let theirs_pair = &theirs[..CONTRIBUTION];
            let (lo, hi) = if me < j {
                (&ours[..], theirs_pair)
            } else {
                (theirs_pair, &ours[..])
            };
            keys.pairs[j - 1] = Some(hash(
                b"sotto/engine-keys/v1/pair",
                &[me.min(j), me.max(j)],
                &[lo, hi],
            ));
        }
        for &s in &mine {
            let members: Vec<usize> = self
                .members()
                .iter()
                .copied()
                .filter(|m| !outside[s].contains(m))
                .collect();
            let mut parts: Vec<Vec<Fp>> = Vec::with_capacity(members.len());
            for &m in &members {
                if m == me {
                    parts.push(part(&set_part, s));
                    continue;
                }
                let k = expect.iter().position(|(j, _)| *j == m).unwrap_or(0);
                let at = shared(m).iter().position(|x| *x == s).unwrap_or(0);
                let from = CONTRIBUTION * (1 + at);
                parts.push(got[k][from..from + CONTRIBUTION].to_vec());
            }
            let refs: Vec<&[Fp]> = parts.iter().map(|p| p.as_slice()).collect();
            let key = hash(b"sotto/engine-keys/v1/set", &members, &refs);
            // f_A(me) = prod over j outside A of (j - me) / j.
            let mut num = Fp::ONE;
            let mut den = Fp::ONE;
            for &j in &outside[s] {
                num *= Fp::from(j as u64) - Fp::from(me as u64);
                den *= Fp::from(j as u64);
            }
            keys.sets.push((key, num * den.inverse()?));
        }
        self.lock().stock.keys = Some(keys);
        Ok(())
    }

    /// `count` pseudo-random sharings from the set keys (no round), or
    /// `None` when this run deals instead ([`MAX_SET_KEYS`]).
    /// [`Ctx::ensure_keys`] must have run.
    fn prss(&self, count: usize) -> Option<Vec<Fp>> {
        let mut inner = self.lock();
        let keys = inner.stock.keys.as_mut()?;
        if keys.sets.is_empty() {
            return None;
        }
        let stream = keys.draws;
        keys.draws += 1;
        let mut share = vec![Fp::ZERO; count];
        #[cfg(test)]
        let mut known = vec![Fp::ZERO; count];
        for (key, weight) in &keys.sets {
            for (k, r) in stream_values(key, stream, count).into_iter().enumerate() {
                share[k] += *weight * r;
                #[cfg(test)]
                {
                    known[k] += r;
                }
            }
        }
        drop(inner);
        // What this member knows of the values: the part from its own
        // keys (as it knew its own dealings).
        #[cfg(test)]
        self.record_dealt(&known);
        Some(share)
    }

    /// Adds values this member dealt (or knows as its part of random
    /// sharings) to its view, for the tests that play a curious member.
    pub(crate) fn record_dealt(&self, _values: &[Fp]) {
        #[cfg(test)]
        {
            let mut inner = self.lock();
            let round = inner.round;
            inner
                .view
                .push(crate::engine::ctx::Seen::Dealt(round, _values.to_vec()));
        }
    }

    /// Sharings of uniformly random values that no t members know (at most
    /// one round): pseudo-random secret sharing with the set keys, or each
    /// member deals random values (seeded) and the sharings are added.
    /// Nothing checks them here: the preprocessing that uses them does
    /// ([`super::prep`]).
    pub(crate) async fn joint_deal(&self, count: usize) -> Result<ShareVec, EngineError> {
        self.ensure_keys().await?;
        if let Some(shares) = self.prss(count) {
            return Ok(ShareVec(shares));
        }
        let local: Vec<Fp> = self.with_rng(|rng| (0..count).map(|_| Fp::random(rng)).collect());
        self.record_dealt(&local);
        let dealers = self.members().to_vec();
        let got = self.deal_seeded(&local, &dealers).await?;
        let mut out = vec![Fp::ZERO; count];
        for v in &got {
            for (o, s) in out.iter_mut().zip(v) {
                *o += *s;
            }
        }
        Ok(ShareVec(out))
    }

    /// The key this member shares with member `j`.
    fn pair_key(&self, j: usize) -> Result<Key, EngineError> {
        self.lock()
            .stock
            .keys
            .as_ref()
            .and_then(|k| k.pairs.get(j - 1).cloned().flatten())
            .ok_or(EngineError::InvalidOperation("no key agreed with a member"))
    }

    /// This member's share of `dealer`'s seeded dealing of `len` values in
    /// `round` ([`Ctx::deal_seeded`]) when it derives that share from
    /// their pair key; `None` when the dealer sends it.
    pub(crate) fn seeded_share(
        &self,
        dealer: usize,
        round: u32,
        len: usize,
    ) -> Result<Option<Vec<Fp>>, EngineError> {
        if !self.seeded_recipients(dealer).contains(&self.me()) {
            return Ok(None);
        }
        let stream = deal_stream(round, dealer, self.me());
        Ok(Some(stream_values(&*self.pair_key(dealer)?, stream, len)))
    }

    /// The t live members after `dealer`, cyclically: they take their
    /// shares of its seeded dealings from the pair's generator.
    pub(crate) fn seeded_recipients(&self, dealer: usize) -> Vec<usize> {
        let live = self.members();
        let at = live.iter().position(|&m| m == dealer).unwrap_or(0);
        (1..=self.t())
            .map(|k| live[(at + k) % live.len()])
            .collect()
    }

    /// Every member in `dealers` shares its `local` vector with degree t,
    /// seeded (one round); returns this member's share of each dealer's
    /// sharing, in the order of `dealers`. Members outside `dealers` pass
    /// a vector of the same length (unused). [`Ctx::ensure_keys`] must
    /// have run.
    pub(crate) async fn deal_seeded(
        &self,
        local: &[Fp],
        dealers: &[usize],
    ) -> Result<Vec<Vec<Fp>>, EngineError> {
        let (me, len) = (self.me(), local.len());
        let round = self.current_round();
        let pair_key = |j: usize| self.pair_key(j);
        let mut outgoing: Vec<Option<Vec<Fp>>> = vec![None; self.n()];
        if dealers.contains(&me) {
            let seeded = self.seeded_recipients(me);
            let mut nodes = vec![0usize];
            nodes.extend(&seeded);
            let mut points = Vec::with_capacity(seeded.len());
            for &k in &seeded {
                points.push(stream_values(
                    &*pair_key(k)?,
                    deal_stream(round, me, k),
                    len,
                ));
            }
            for &x in self.members() {
                if seeded.contains(&x) {
                    // An empty message: every member still hears from
                    // every dealer in this round, so rounds stay in step
                    // and a member that stops is the one others wait for
                    // (a member would otherwise run a round ahead and
                    // name as missing an honest member stuck behind it).
                    outgoing[x - 1] = Some(Vec::new());
                    continue;
                }
                let lambda = lagrange_coefficients(&nodes, Fp::from(x as u64))?;
                let share: Vec<Fp> = (0..len)
                    .map(|v| {
                        points
                            .iter()
                            .zip(&lambda[1..])
                            .fold(lambda[0] * local[v], |a, (p, l)| a + *l * p[v])
                    })
                    .collect();
                outgoing[x - 1] = Some(share);
            }
        }
        // From each dealer (this member too, if it deals): its share for
        // this member, or an empty message when this member derives its
        // share from their pair key.
        let expect: Vec<(usize, usize)> = dealers
            .iter()
            .map(|&d| {
                let seeded = self.seeded_recipients(d).contains(&me);
                (d, if seeded { 0 } else { len })
            })
            .collect();
        let got = self.exchange(outgoing, expect).await?;
        let mut out = Vec::with_capacity(dealers.len());
        for (&d, theirs) in dealers.iter().zip(got) {
            out.push(self.seeded_share(d, round, len)?.unwrap_or(theirs));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Committee;
    use crate::engine::network::Network;

    #[test]
    fn subsets_and_binomials_agree() {
        for n in 1..8usize {
            let items: Vec<usize> = (1..=n).collect();
            for k in 0..=n {
                let s = subsets(&items, k);
                assert_eq!(s.len() as u64, binomial(n as u64, k as u64), "{n} {k}");
                assert!(s.windows(2).all(|w| w[0] < w[1]));
                assert!(s.iter().all(|x| x.len() == k));
            }
        }
    }

    /// Opens pseudo-random and seeded sharings with all shares (a wrong
    /// share or an off-polynomial point aborts the opening) for committees
    /// with and without set keys, and checks seeded dealings against the
    /// dealt values.
    #[test]
    fn keyed_sharings_are_consistent_and_seeded_dealings_carry_the_value() {
        for n in [3usize, 4, 5, 7, 9] {
            let c = Committee::new(n);
            let out = Network::new(c, n as u64)
                .run(|ctx| async move {
                    let r = ctx.joint_deal(50).await?;
                    let r2 = ctx.joint_deal(50).await?;
                    let opened = ctx.open(&r).await?;
                    let opened2 = ctx.open(&r2).await?;
                    let me = Fp::from(ctx.me() as u64);
                    let local: Vec<Fp> = (0..7u64).map(|k| me * Fp::from(k + 1)).collect();
                    let dealers = ctx.members().to_vec();
                    let got = ctx.deal_seeded(&local, &dealers).await?;
                    let mut each = Vec::new();
                    for v in got {
                        each.extend(ctx.open(&ShareVec(v)).await?);
                    }
                    Ok((opened, opened2, each))
                })
                .unwrap();
            let (r, r2, each) = &out.values[0];
            assert!(out.values.iter().all(|v| v == &out.values[0]));
            // Uniform values: distinct, none zero, two draws differ.
            assert!(r.iter().all(|v| !v.is_zero()));
            assert_ne!(r, r2);
            let want: Vec<Fp> = (1..=n as u64)
                .flat_map(|d| (0..7u64).map(move |k| Fp::from(d) * Fp::from(k + 1)))
                .collect();
            assert_eq!(each, &want, "n = {n}");
            // One round of key agreement, one per seeded dealing or
            // dealt random vector, one per opening.
            let dealt = if binomial(n as u64 - 1, c.t as u64) <= MAX_SET_KEYS {
                0
            } else {
                2
            };
            assert_eq!(
                out.stats[0].prep_rounds + out.stats[0].online_rounds,
                1 + dealt + 1 + 2 + n as u32
            );
        }
    }
}
