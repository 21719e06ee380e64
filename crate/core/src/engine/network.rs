//! An in-memory network running all members of a committee in one
//! process: for tests (natively and under wasm) and the engine benchmark.
//!
//! Time is virtual. Every member has its own clock; handling a message
//! advances it by the compute time measured with the optional clock
//! ([`Network::with_clock`]; zero without one), and a message sent at time
//! s arrives at `s + latency (+ jitter)`. The reported time is the latest
//! member clock at the end: what the run would take with every member on
//! its own machine and every hop taking `latency` ms.
//!
//! Faults: messages can be reordered (random jitter), dropped or tampered
//! with by predicate, and members can be absent. A run that cannot finish
//! ends in [`NetworkError::Stalled`] naming who waits for whom; it never
//! hangs and never panics.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::future::Future;

use chacha20::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

use super::{Committee, Ctx, EngineError, Party, Stats, Traffic, Transmit, Waiting};

/// Why a simulated run did not produce outputs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// A member's program or message handling failed.
    #[error("member {member}: {error}")]
    Engine {
        /// The member (1-based).
        member: usize,
        /// What went wrong.
        error: EngineError,
    },
    /// No message is in flight and some members have not finished.
    #[error("the computation stalled: {}", describe(.waiting))]
    Stalled {
        /// For each unfinished member, what it waits for.
        waiting: Vec<(usize, Option<Waiting>)>,
    },
}

fn describe(waiting: &[(usize, Option<Waiting>)]) -> String {
    waiting
        .iter()
        .map(|(m, w)| match w {
            Some(w) => format!("member {m} waits in round {} for {:?}", w.round, w.missing),
            None => format!("member {m} is absent"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// How one member's run ended ([`Network::run_each`]).
#[derive(Debug, Clone, PartialEq)]
pub enum End<T> {
    /// The program returned this value.
    Done(T),
    /// The program stopped with this error.
    Failed(EngineError),
    /// The program still waits (for this, if it waits on a round).
    Waiting(Option<Waiting>),
}

/// Outputs of a finished run.
#[derive(Debug, Clone)]
pub struct RunOutput<T> {
    /// Each member's output, index 0 = member 1.
    pub values: Vec<T>,
    /// Each member's counters.
    pub stats: Vec<Stats>,
    /// Each member's bytes per label ([`Ctx::label`]).
    pub traffic: Vec<Vec<Traffic>>,
    /// Virtual duration of the run in milliseconds.
    pub ms: f64,
}

type Predicate = Box<dyn FnMut(&Transmit, usize) -> bool>;
type Tamper = Box<dyn FnMut(&mut Transmit, usize)>;

/// A simulated network of `n` members.
pub struct Network {
    committee: Committee,
    seed: u64,
    latency_ms: f64,
    jitter_ms: f64,
    clock: Option<Box<dyn Fn() -> f64>>,
    drop_if: Option<Predicate>,
    tamper: Option<Tamper>,
    absent: Vec<usize>,
    live: Option<Vec<usize>>,
    sent: u64,
}

impl core::fmt::Debug for Network {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Network")
            .field("committee", &self.committee)
            .field("latency_ms", &self.latency_ms)
            .field("jitter_ms", &self.jitter_ms)
            .finish_non_exhaustive()
    }
}

struct Event {
    at: f64,
    tiebreak: u64,
    from: usize,
    transmit: Transmit,
}

impl PartialEq for Event {
    fn eq(&self, o: &Self) -> bool {
        self.at == o.at && self.tiebreak == o.tiebreak
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, o: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Event {
    fn cmp(&self, o: &Self) -> core::cmp::Ordering {
        self.at
            .total_cmp(&o.at)
            .then(self.tiebreak.cmp(&o.tiebreak))
    }
}

impl Network {
    /// A network for `committee`; `seed` fixes the members' randomness and
    /// the delivery order (this is a test harness: real members draw from
    /// the OS CSPRNG).
    pub fn new(committee: Committee, seed: u64) -> Network {
        Network {
            committee,
            seed,
            latency_ms: 0.0,
            jitter_ms: 0.0,
            clock: None,
            drop_if: None,
            tamper: None,
            absent: Vec::new(),
            live: None,
            sent: 0,
        }
    }

    /// Every message takes `ms` milliseconds.
    pub fn latency_ms(mut self, ms: f64) -> Network {
        self.latency_ms = ms.max(0.0);
        self
    }

    /// Every message takes up to `ms` extra milliseconds at random, which
    /// reorders messages across and within rounds.
    pub fn jitter_ms(mut self, ms: f64) -> Network {
        self.jitter_ms = ms.max(0.0);
        self
    }

    /// Measures compute time with `clock` (milliseconds, monotonic).
    pub fn with_clock(mut self, clock: impl Fn() -> f64 + 'static) -> Network {
        self.clock = Some(Box::new(clock));
        self
    }

    /// Drops every message for which `f(message, sender)` is true.
    pub fn drop_if(mut self, f: impl FnMut(&Transmit, usize) -> bool + 'static) -> Network {
        self.drop_if = Some(Box::new(f));
        self
    }

    /// Lets `f(message, sender)` alter messages in flight.
    pub fn tamper(mut self, f: impl FnMut(&mut Transmit, usize) + 'static) -> Network {
        self.tamper = Some(Box::new(f));
        self
    }

    /// Member `m` never starts (crashed before the computation).
    pub fn absent(mut self, m: usize) -> Network {
        self.absent.push(m);
        self
    }

    /// Runs over the live members `live` only ([`Party::over`]): the other
    /// members dropped out and never start.
    pub fn live(mut self, live: Vec<usize>) -> Network {
        let n = self.committee.n;
        self.absent.extend((1..=n).filter(|m| !live.contains(m)));
        self.live = Some(live);
        self
    }

    /// Runs `program` at every member until all finish or nothing moves.
    pub fn run<T, F, Fut>(self, program: F) -> Result<RunOutput<T>, NetworkError>
    where
        T: Send + 'static,
        F: FnMut(Ctx) -> Fut,
        Fut: Future<Output = Result<T, EngineError>> + Send + 'static,
    {
        let (ends, stats, traffic, ms) = self.drive(program, true)?;
        let mut values = Vec::with_capacity(ends.len());
        let mut waiting = Vec::new();
        for (i, end) in ends.into_iter().enumerate() {
            match end {
                End::Done(v) => values.push(v),
                End::Failed(error) => {
                    return Err(NetworkError::Engine {
                        member: i + 1,
                        error,
                    });
                }
                End::Waiting(w) => waiting.push((i + 1, w)),
            }
        }
        if !waiting.is_empty() {
            return Err(NetworkError::Stalled { waiting });
        }
        Ok(RunOutput {
            values,
            stats,
            traffic,
            ms,
        })
    }

    /// Runs `program` at every member and reports how each one ended, so a
    /// test can check every honest member when some member deviates. A
    /// message a member refuses is dropped (as a real driver would) instead
    /// of ending the run.
    pub fn run_each<T, F, Fut>(self, program: F) -> Result<Vec<End<T>>, NetworkError>
    where
        T: Send + 'static,
        F: FnMut(Ctx) -> Fut,
        Fut: Future<Output = Result<T, EngineError>> + Send + 'static,
    {
        Ok(self.drive(program, false)?.0)
    }

    #[allow(clippy::type_complexity)]
    fn drive<T, F, Fut>(
        mut self,
        mut program: F,
        strict: bool,
    ) -> Result<(Vec<End<T>>, Vec<Stats>, Vec<Vec<Traffic>>, f64), NetworkError>
    where
        T: Send + 'static,
        F: FnMut(Ctx) -> Fut,
        Fut: Future<Output = Result<T, EngineError>> + Send + 'static,
    {
        let n = self.committee.n;
        let mut order_rng = ChaCha20Rng::seed_from_u64(self.seed ^ 0x5eed_0f0e_4de4);
        let mut parties = Vec::with_capacity(n);
        for me in 1..=n {
            let rng = ChaCha20Rng::seed_from_u64(
                self.seed.wrapping_mul(1_000_003).wrapping_add(me as u64),
            );
            let live = match &self.live {
                Some(live) if live.contains(&me) => live.clone(),
                _ => (1..=n).collect(),
            };
            let party = Party::over(
                self.committee,
                live,
                me,
                self.seed,
                Box::new(rng),
                &mut program,
            )
            .map_err(|error| NetworkError::Engine { member: me, error })?;
            parties.push(party);
        }
        let mut clocks = vec![0.0f64; n];
        let mut queue: BinaryHeap<Reverse<Event>> = BinaryHeap::new();
        for (i, party) in parties.iter_mut().enumerate() {
            if self.absent.contains(&(i + 1)) {
                continue;
            }
            let started = self.now();
            party.start();
            clocks[i] += self.now() - started;
            self.flush(party, clocks[i], &mut queue, &mut order_rng);
        }
        while let Some(Reverse(ev)) = queue.pop() {
            let to = ev.transmit.to;
            if to == 0 || to > n || self.absent.contains(&to) {
                continue;
            }
            let idx = to - 1;
            clocks[idx] = clocks[idx].max(ev.at);
            let started = self.now();
            let result = parties[idx].handle_message(ev.from, &ev.transmit.bytes);
            clocks[idx] += self.now() - started;
            match result {
                Ok(()) | Err(EngineError::Finished) => {}
                Err(error) if strict => return Err(NetworkError::Engine { member: to, error }),
                Err(_) => {}
            }
            let at = clocks[idx];
            self.flush(&mut parties[idx], at, &mut queue, &mut order_rng);
        }
        let ends = parties
            .iter_mut()
            .map(|party| match party.take_output() {
                Some(Ok(v)) => End::Done(v),
                Some(Err(e)) => End::Failed(e),
                None => End::Waiting(party.waiting_for()),
            })
            .collect();
        let stats = parties.iter().map(|p| p.stats()).collect();
        let traffic = parties.iter().map(|p| p.traffic()).collect();
        let ms = clocks.iter().copied().fold(0.0, f64::max);
        Ok((ends, stats, traffic, ms))
    }

    fn now(&self) -> f64 {
        self.clock.as_ref().map_or(0.0, |c| c())
    }

    fn flush<T: Send + 'static>(
        &mut self,
        party: &mut Party<T>,
        at: f64,
        queue: &mut BinaryHeap<Reverse<Event>>,
        rng: &mut ChaCha20Rng,
    ) {
        let from = party.me();
        while let Some(mut transmit) = party.poll_transmit() {
            if let Some(drop_if) = self.drop_if.as_mut()
                && drop_if(&transmit, from)
            {
                continue;
            }
            if let Some(tamper) = self.tamper.as_mut() {
                tamper(&mut transmit, from);
            }
            let jitter = if self.jitter_ms > 0.0 {
                self.jitter_ms * (rng.next_u32() as f64 / u32::MAX as f64)
            } else {
                0.0
            };
            // Without jitter, equal arrival times keep sending order.
            self.sent += 1;
            let tiebreak = if self.jitter_ms > 0.0 {
                rng.next_u64()
            } else {
                self.sent
            };
            queue.push(Reverse(Event {
                at: at + self.latency_ms + jitter,
                tiebreak,
                from,
                transmit,
            }));
        }
    }
}
