//! The context a committee program runs in: rounds, messages, randomness.
//!
//! A program is an `async` function of a [`Ctx`]. Each call to
//! [`Ctx::exchange`] is one round: it queues at most one message per peer
//! and completes when the messages of that round from the expected peers
//! have been delivered to the [`super::Party`]. Nothing here blocks or does
//! I/O; the future simply stays pending until the driver feeds the bytes.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use super::error::EngineError;
use super::message::Message;
use crate::field::Fp;
use crate::share::Reconstructor;
use crate::small_map::SmallMap;

/// HKDF salt of [`Ctx::bind_noise`].
const NOISE_LABEL: &[u8] = b"sotto/engine-noise/v1";

/// Domain separation of [`Ctx::transcript`].
const TRANSCRIPT_LABEL: &[u8] = b"sotto/engine-transcript/v1";

/// How far ahead of the current round a peer's message may be buffered.
pub const MAX_ROUNDS_AHEAD: u32 = 64;

/// The random source a party is given: any cryptographically secure RNG.
pub type BoxRng = Box<dyn rand_core::CryptoRng + Send>;

/// A message waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Recipient (1-based member index).
    pub to: usize,
    /// Encoded [`Message`] bytes.
    pub bytes: Vec<u8>,
    /// Whether the payload is this member's own shares of values opened
    /// with all shares checked ([`Ctx::open`], [`Ctx::open_to`],
    /// [`Ctx::open_masked`]): honest members send the same vector to every
    /// recipient, and their shares lie on one polynomial of degree t. The
    /// transport signs this flag with the bytes, so that a share the
    /// others' shares prove wrong is provable to anyone
    /// (`crate::envelope::evidence`).
    pub opening: bool,
}

/// The committee: n members with points 1..=n, threshold t (privacy holds
/// against t colluding members; 2t + 1 <= n so products can be reduced).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Committee {
    /// Number of members.
    pub n: usize,
    /// Threshold: polynomial degree of sharings.
    pub t: usize,
}

impl Committee {
    /// A committee of n members with the default threshold floor((n-1)/2).
    pub fn new(n: usize) -> Committee {
        Committee {
            n,
            t: n.saturating_sub(1) / 2,
        }
    }

    /// Checks 1 <= n < 2^16 and 2t + 1 <= n.
    pub fn validate(&self, me: usize) -> Result<(), EngineError> {
        if self.n == 0 || self.n >= 1 << 16 || 2 * self.t + 1 > self.n || me == 0 || me > self.n {
            return Err(EngineError::BadCommittee {
                n: self.n,
                t: self.t,
                me,
            });
        }
        Ok(())
    }
}

/// Traffic and round counters of one party.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Rounds run before [`Ctx::mark_online`] (input-independent preprocessing).
    pub prep_rounds: u32,
    /// Rounds run after [`Ctx::mark_online`].
    pub online_rounds: u32,
    /// Bytes this party sent to other members.
    pub bytes_sent: u64,
    /// Messages this party sent to other members.
    pub messages_sent: u64,
    /// Values this party saw opened in the clear through [`Ctx::open`] and
    /// [`Ctx::open_to`]: what a program reveals. Openings of masked or
    /// uniformly random values (comparison masks, random-bit squares,
    /// random coefficients) reveal nothing and are not counted.
    pub revealed: u64,
}

/// Bytes one party sent under one label ([`Ctx::label`]): which part of a
/// program the traffic belongs to, for benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    /// The label (`"other"` for rounds run under none).
    pub label: &'static str,
    /// Bytes sent in rounds that made verified preprocessing.
    pub prep_bytes: u64,
    /// Bytes sent in the other rounds.
    pub online_bytes: u64,
    /// Rounds run under the label (preprocessing included).
    pub rounds: u32,
}

/// Restores the previous label when dropped ([`Ctx::label`]). In
/// WebAssembly (the browser member) labels are not kept and the guard is
/// empty: per-operation traffic is for the native benchmarks, and a guard
/// held across every `await` would cost the member module kilobytes of
/// drop glue.
#[derive(Debug)]
#[must_use = "the label holds only while the guard lives"]
pub struct LabelGuard {
    #[cfg(not(target_arch = "wasm32"))]
    ctx: Ctx,
    #[cfg(not(target_arch = "wasm32"))]
    previous: &'static str,
}

#[cfg(not(target_arch = "wasm32"))]
impl Drop for LabelGuard {
    fn drop(&mut self) {
        self.ctx.lock().label = self.previous;
    }
}

/// What a party is waiting for, for drivers that enforce timeouts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The round being waited on.
    pub round: u32,
    /// Members whose messages for that round are missing.
    pub missing: Vec<usize>,
}

pub(crate) struct Inner {
    pub(crate) round: u32,
    /// Rounds whose messages have all been consumed: anything older is stale.
    pub(crate) completed: u32,
    pub(crate) outbox: VecDeque<Transmit>,
    pub(crate) inbox: SmallMap<(u32, usize), Vec<Fp>>,
    pub(crate) rng: BoxRng,
    pub(crate) stats: Stats,
    pub(crate) online: bool,
    pub(crate) waiting: Option<Waiting>,
    /// The secret [`Ctx::bind_noise`] derives the noise generator from, if
    /// set.
    pub(crate) root: Option<zeroize::Zeroizing<[u8; 32]>>,
    /// The generator of differential-privacy noise ([`Ctx::bind_noise`]).
    pub(crate) noise_rng: Option<chacha20::ChaCha20Rng>,
    /// Public identities of the inputs (see [`Ctx::set_input_ids`]).
    pub(crate) input_ids: Vec<Fp>,
    /// Verified preprocessing not used yet.
    pub(crate) stock: super::ops::prep::Stock,
    /// Whether the rounds running now make preprocessing.
    pub(crate) in_prep: bool,
    /// A deviation on purpose and its first round (tests and simulations).
    pub(crate) deviation: Option<(super::Deviation, u32)>,
    /// SHA-256 over every value this member saw opened ([`Ctx::transcript`]).
    pub(crate) transcript: sha2::Sha256,
    /// This member's own message of the opening that named a culprit
    /// (addressed to itself), for the evidence the transport builds
    /// ([`super::Party::take_own_opening`]).
    pub(crate) own_opening: Option<Vec<u8>>,
    /// The label traffic is counted under now ([`Ctx::label`]).
    pub(crate) label: &'static str,
    /// Traffic per label, in order of first use.
    pub(crate) traffic: Vec<Traffic>,
    /// Everything this member dealt and saw opened, by round: what a
    /// curious member knows, for the tests that play one.
    #[cfg(test)]
    pub(crate) view: Vec<Seen>,
}

/// One entry of a member's view (tests only).
#[cfg(test)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seen {
    /// The member's own values it dealt in a round ([`Ctx::deal_all`]).
    Dealt(u32, Vec<Fp>),
    /// Values opened in a round (`None`: inconsistent shares).
    Opened(u32, Vec<Option<Fp>>),
}

/// Handle to a party's round state, given to the committee program.
/// Cheap to clone; all clones refer to the same party.
#[derive(Clone)]
pub struct Ctx {
    pub(crate) inner: Arc<Mutex<Inner>>,
    me: usize,
    committee: Committee,
    /// The members taking part in this run, sorted ([`Ctx::members`]).
    live: Arc<[usize]>,
    instance: u64,
    open_plan: Arc<Reconstructor>,
}

impl core::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Ctx")
            .field("me", &self.me)
            .field("committee", &self.committee)
            .field("live", &self.live)
            .finish()
    }
}

impl Ctx {
    pub(crate) fn new(
        committee: Committee,
        live: Vec<usize>,
        me: usize,
        instance: u64,
        rng: BoxRng,
    ) -> Result<Ctx, EngineError> {
        committee.validate(me)?;
        let sorted = live.windows(2).all(|w| w[0] < w[1]);
        if !sorted
            || live.len() < 2 * committee.t + 1
            || live.iter().any(|&m| m == 0 || m > committee.n)
            || !live.contains(&me)
        {
            return Err(EngineError::BadLiveSet {
                live,
                n: committee.n,
                t: committee.t,
                me,
            });
        }
        let inner = Inner {
            round: 0,
            completed: 0,
            outbox: VecDeque::new(),
            inbox: SmallMap::default(),
            rng,
            stats: Stats::default(),
            online: false,
            waiting: None,
            root: None,
            noise_rng: None,
            input_ids: Vec::new(),
            stock: Default::default(),
            in_prep: false,
            deviation: None,
            transcript: sha2::Digest::new_with_prefix(TRANSCRIPT_LABEL),
            own_opening: None,
            label: "other",
            traffic: Vec::new(),
            #[cfg(test)]
            view: Vec::new(),
        };
        Ok(Ctx {
            inner: Arc::new(Mutex::new(inner)),
            me,
            committee,
            instance,
            open_plan: Arc::new(Reconstructor::new(&live, committee.t)?),
            live: live.into(),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A poisoned lock means a panic elsewhere in this party; the state
        // is plain data, so continuing with it is sound.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// This member's 1-based index.
    pub fn me(&self) -> usize {
        self.me
    }

    /// The committee parameters.
    pub fn committee(&self) -> Committee {
        self.committee
    }

    /// Number of members of the committee (live or not).
    pub fn n(&self) -> usize {
        self.committee.n
    }

    /// The members taking part in this run, sorted: every member, or an
    /// agreed live set of at least 2t + 1 when some dropped out. Sharings
    /// keep the members' points (member i holds f(i)); every round goes
    /// to, and waits for, these members only.
    pub fn members(&self) -> &[usize] {
        &self.live
    }

    /// Threshold t.
    pub fn t(&self) -> usize {
        self.committee.t
    }

    /// The computation instance id carried by every message.
    pub fn instance(&self) -> u64 {
        self.instance
    }

    /// Marks the end of input-independent preprocessing: later rounds count
    /// as online rounds in [`Stats`], except those that make verified
    /// preprocessing on demand.
    pub fn mark_online(&self) {
        self.lock().online = true;
    }

    /// Adds the values opened in `round` to the transcript; `None` marks a
    /// value whose shares were inconsistent ([`Ctx::open_each`]).
    pub(crate) fn record_opened(&self, round: u32, values: impl Iterator<Item = Option<Fp>>) {
        use sha2::Digest;
        let mut inner = self.lock();
        inner.transcript.update(round.to_le_bytes());
        #[cfg(test)]
        let values: Vec<Option<Fp>> = values.collect();
        #[cfg(test)]
        inner.view.push(Seen::Opened(round, values.clone()));
        for v in values {
            match v {
                Some(v) => {
                    inner.transcript.update([1]);
                    inner.transcript.update(v.to_bytes());
                }
                None => inner.transcript.update([0]),
            }
        }
    }

    /// SHA-256 over every value this member has seen opened so far, with
    /// its round: equal at every honest member that finishes (each opening
    /// is checked against all n shares, so they all reconstruct the same
    /// values). Members sign it with the result, so a result is accepted
    /// only when t + 1 members agree on everything that was opened.
    pub fn transcript(&self) -> [u8; 32] {
        use sha2::Digest;
        self.lock().transcript.clone().finalize().into()
    }

    /// Counts `count` values a program revealed through an opening other
    /// than [`Ctx::open`] (the validity flags).
    pub(crate) fn count_revealed(&self, count: usize) {
        self.lock().stats.revealed += count as u64;
    }

    /// Starts counting rounds as preprocessing; returns the previous state
    /// for [`Ctx::leave_prep`].
    pub(crate) fn enter_prep(&self) -> bool {
        std::mem::replace(&mut self.lock().in_prep, true)
    }

    /// Restores the round counting of before [`Ctx::enter_prep`].
    pub(crate) fn leave_prep(&self, was: bool) {
        self.lock().in_prep = was;
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        self.lock().stats
    }

    /// Counts the traffic of the following rounds under `label` until the
    /// returned guard drops (then the previous label applies again).
    /// Labels only name traffic for benchmarks (`sotto bench app`); they
    /// change nothing in the protocol.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn label(&self, label: &'static str) -> LabelGuard {
        let previous = std::mem::replace(&mut self.lock().label, label);
        LabelGuard {
            ctx: self.clone(),
            previous,
        }
    }

    /// Labels are not kept in WebAssembly (see [`LabelGuard`]).
    #[cfg(target_arch = "wasm32")]
    pub fn label(&self, _label: &'static str) -> LabelGuard {
        LabelGuard {}
    }

    /// Bytes sent so far per label, in order of first use.
    pub fn traffic(&self) -> Vec<Traffic> {
        self.lock().traffic.clone()
    }

    /// Runs `f` with the party's random number generator.
    pub fn with_rng<T>(&self, f: impl FnOnce(&mut dyn rand_core::CryptoRng) -> T) -> T {
        let mut inner = self.lock();
        f(&mut *inner.rng)
    }

    /// Sets the secret that [`Ctx::bind_noise`] derives the noise generator
    /// from (a committee member's per-session secret,
    /// `MemberKeys::derive_secret`).
    pub fn set_root_secret(&self, root: zeroize::Zeroizing<[u8; 32]>) {
        self.lock().root = Some(root);
    }

    /// Binds the differential-privacy noise drawn from now on
    /// ([`Ctx::with_noise_rng`]) to `context`: with a root secret, ChaCha20
    /// seeded with HKDF-SHA256(salt = "sotto/engine-noise/v1", root, info =
    /// the concatenation of `context`); without one, noise comes from the
    /// party's generator.
    ///
    /// Why noise, and only noise: a member may run one computation several
    /// times (a restart, a member dropping out, or a relay or a member that
    /// forces one). Noise drawn afresh for the same outputs could be
    /// averaged away, so the apps bind it to the set of valid submissions
    /// it protects: the same set gives the same honest noise. Everything
    /// else (dealings, triples, square pairs, masks) must be fresh in
    /// every run. Were it repeated, a deviating member could change only
    /// its own contributions between two runs and solve for the honest
    /// part: the opened `sigma = tau f - g` of two runs with different
    /// coins `tau` gives `f`, and with it the input under `d = x - f`
    /// (`engine::restart_tests`). A fresh mask on a value seen under
    /// another mask in an earlier run costs nothing for uniform masks and
    /// at most 2^-40 of statistical distance for each statistical one,
    /// which is why members bound the number of runs (the client's
    /// `MAX_RUNS`).
    pub fn bind_noise(&self, context: &[&[u8]]) {
        let mut inner = self.lock();
        let Some(root) = &inner.root else {
            inner.noise_rng = None;
            return;
        };
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(NOISE_LABEL), root.as_ref());
        if hk.expand_multi_info(context, seed.as_mut()).is_err() {
            // 32 bytes is always a valid HKDF-SHA256 output length.
            inner.rng.fill_bytes(seed.as_mut());
        }
        inner.noise_rng = Some(<chacha20::ChaCha20Rng as rand_core::SeedableRng>::from_seed(*seed));
    }

    /// Runs `f` with the generator of differential-privacy noise: the one
    /// [`Ctx::bind_noise`] set, else the party's generator.
    pub fn with_noise_rng<T>(&self, f: impl FnOnce(&mut dyn rand_core::CryptoRng) -> T) -> T {
        let mut inner = self.lock();
        let inner = &mut *inner;
        match &mut inner.noise_rng {
            Some(rng) => f(rng),
            None => f(&mut *inner.rng),
        }
    }

    /// Records public identities of the program's inputs, one per input in
    /// order (a committee member passes the part tags of the submissions it
    /// keeps). [`Ctx::input_id`] returns them; the apps bind the noise to
    /// them ([`Ctx::bind_noise`]), so that two input sets with equal shares
    /// at one member but different identities never share noise.
    pub fn set_input_ids(&self, ids: Vec<Fp>) {
        self.lock().input_ids = ids;
    }

    /// The identity of input `k`: what [`Ctx::set_input_ids`] recorded, or
    /// `k` itself.
    pub fn input_id(&self, k: usize) -> Fp {
        self.lock()
            .input_ids
            .get(k)
            .copied()
            .unwrap_or(Fp::from(k as u64))
    }

    /// Reconstruction plan for degree-t sharings held by the live members.
    pub(crate) fn open_plan(&self) -> &Reconstructor {
        &self.open_plan
    }

    /// One round: sends `outgoing[j-1]` (if any) to member j, if it is
    /// live, and waits for one vector from each member in `expect` (live
    /// members), returned in that order with the length given there. A
    /// message to oneself is delivered locally.
    pub async fn exchange(
        &self,
        outgoing: Vec<Option<Vec<Fp>>>,
        expect: Vec<(usize, usize)>,
    ) -> Result<Vec<Vec<Fp>>, EngineError> {
        self.exchange_as(outgoing, expect, false).await
    }

    /// [`Ctx::exchange`], with its messages flagged as openings
    /// ([`Transmit::opening`]) when `opening` is set.
    pub(crate) async fn exchange_as(
        &self,
        outgoing: Vec<Option<Vec<Fp>>>,
        expect: Vec<(usize, usize)>,
        opening: bool,
    ) -> Result<Vec<Vec<Fp>>, EngineError> {
        if outgoing.len() != self.committee.n {
            return Err(EngineError::InvalidOperation(
                "exchange needs one slot per member",
            ));
        }
        if self.crashed() {
            // A crashed member (a deviation on purpose) is never heard again.
            return std::future::pending().await;
        }
        let round = {
            let mut inner = self.lock();
            let round = inner.round;
            inner.round += 1;
            if inner.online && !inner.in_prep {
                inner.stats.online_rounds += 1;
            } else {
                inner.stats.prep_rounds += 1;
            }
            let label = inner.label;
            let slot = match inner.traffic.iter().position(|t| t.label == label) {
                Some(k) => k,
                None => {
                    inner.traffic.push(Traffic {
                        label,
                        ..Traffic::default()
                    });
                    inner.traffic.len() - 1
                }
            };
            inner.traffic[slot].rounds += 1;
            let mut round_bytes = 0u64;
            for (j, values) in outgoing.into_iter().enumerate() {
                let to = j + 1;
                let Some(values) = values else { continue };
                if !self.live.contains(&to) {
                    continue;
                }
                if to == self.me {
                    inner.inbox.insert((round, to), values);
                    continue;
                }
                let bytes = Message {
                    instance: self.instance,
                    round,
                    from: self.me as u16,
                    to: to as u16,
                    values,
                }
                .encode();
                inner.stats.bytes_sent += bytes.len() as u64;
                inner.stats.messages_sent += 1;
                round_bytes += bytes.len() as u64;
                inner.outbox.push_back(Transmit { to, bytes, opening });
            }
            let prep = inner.in_prep;
            let t = &mut inner.traffic[slot];
            if prep {
                t.prep_bytes += round_bytes;
            } else {
                t.online_bytes += round_bytes;
            }
            // Drop anything buffered for rounds this exchange has passed.
            inner.inbox.retain(|k, _| k.0 >= round);
            round
        };
        let received = RoundFuture {
            ctx: self,
            round,
            expect: &expect,
        }
        .await;
        for ((from, len), values) in expect.iter().zip(&received) {
            if values.len() != *len {
                return Err(EngineError::WrongLength {
                    from: *from,
                    round,
                    got: values.len(),
                    expected: *len,
                });
            }
        }
        Ok(received)
    }

    /// Reconstruction with the round number attached to failures.
    pub(crate) fn reconstruct_with(
        &self,
        plan: &Reconstructor,
        shares: &[&[Fp]],
        round: u32,
    ) -> Result<Vec<Fp>, EngineError> {
        plan.reconstruct(shares)
            .map_err(|source| EngineError::Opening { round, source })
    }

    /// After a failed opening in `round` that names a culprit, keeps this
    /// member's own shares (at its place in `got`, which follows
    /// [`Ctx::members`]) as a message to itself: with the signed messages
    /// of the others, the transport makes them the evidence against the
    /// culprit (`crate::envelope::evidence`).
    pub(crate) fn keep_own_opening(&self, error: &EngineError, round: u32, got: &[Vec<Fp>]) {
        let named = matches!(
            error,
            EngineError::Opening {
                source: crate::share::ShareError::Inconsistent {
                    member: Some(_),
                    ..
                },
                ..
            }
        );
        let mine = self.members().iter().position(|&m| m == self.me);
        if let (true, Some(k)) = (named, mine) {
            let me = self.me as u16;
            let bytes = Message {
                instance: self.instance,
                round,
                from: me,
                to: me,
                values: got[k].clone(),
            }
            .encode();
            self.lock().own_opening = Some(bytes);
        }
    }

    /// The round number the next exchange will use.
    pub fn current_round(&self) -> u32 {
        self.lock().round
    }
}

/// Completes when all expected messages of one round are in the inbox.
struct RoundFuture<'a> {
    ctx: &'a Ctx,
    round: u32,
    expect: &'a [(usize, usize)],
}

impl Future for RoundFuture<'_> {
    type Output = Vec<Vec<Fp>>;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut inner = self.ctx.lock();
        let missing: Vec<usize> = self
            .expect
            .iter()
            .map(|(from, _)| *from)
            .filter(|from| !inner.inbox.contains_key(&(self.round, *from)))
            .collect();
        if !missing.is_empty() {
            inner.waiting = Some(Waiting {
                round: self.round,
                missing,
            });
            return Poll::Pending;
        }
        inner.waiting = None;
        inner.completed = inner.completed.max(self.round + 1);
        let out = self
            .expect
            .iter()
            .map(|(from, _)| inner.inbox.remove(&(self.round, *from)).unwrap_or_default())
            .collect();
        Poll::Ready(out)
    }
}
