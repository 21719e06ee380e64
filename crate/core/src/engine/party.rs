//! The sans-IO party: a committee program driven by incoming bytes.
//!
//! ```text
//!            handle_message(from, bytes)            poll_transmit()
//!  driver ───────────────────────────────▶ Party ─────────────────▶ driver
//!                                           │ polls the program future
//!                                           ▼ (no I/O, no clock inside)
//!                                   take_output() when done
//! ```
//!
//! The driver owns the transport: it authenticates which member a message
//! came from, delivers bytes in any order, and sends what
//! [`Party::poll_transmit`] hands back. For timeouts it reads
//! [`Party::waiting_for`] against its own clock.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::ctx::{BoxRng, Committee, Ctx, MAX_ROUNDS_AHEAD, Stats, Transmit, Waiting};
use super::error::EngineError;
use super::message::Message;

type Program<T> = Pin<Box<dyn Future<Output = Result<T, EngineError>> + Send>>;

/// One committee member running one computation.
pub struct Party<T> {
    ctx: Ctx,
    program: Option<Program<T>>,
    output: Option<Result<T, EngineError>>,
    finished: bool,
}

impl<T> core::fmt::Debug for Party<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Party")
            .field("ctx", &self.ctx)
            .field("finished", &self.finished)
            .finish()
    }
}

impl<T: Send + 'static> Party<T> {
    /// Creates member `me` (1-based) of `committee` running `program` for
    /// computation `instance`, with randomness from `rng`, with every
    /// member taking part. Nothing runs until [`Party::start`].
    pub fn new<F, Fut>(
        committee: Committee,
        me: usize,
        instance: u64,
        rng: BoxRng,
        program: F,
    ) -> Result<Self, EngineError>
    where
        F: FnOnce(Ctx) -> Fut,
        Fut: Future<Output = Result<T, EngineError>> + Send + 'static,
    {
        let all = (1..=committee.n).collect();
        Party::over(committee, all, me, instance, rng, program)
    }

    /// [`Party::new`] over the live members `live` only (sorted, at least
    /// 2t + 1, including `me`): the members that did not drop out. Every
    /// round goes to and waits for these members only ([`Ctx::members`]).
    pub fn over<F, Fut>(
        committee: Committee,
        live: Vec<usize>,
        me: usize,
        instance: u64,
        rng: BoxRng,
        program: F,
    ) -> Result<Self, EngineError>
    where
        F: FnOnce(Ctx) -> Fut,
        Fut: Future<Output = Result<T, EngineError>> + Send + 'static,
    {
        let ctx = Ctx::new(committee, live, me, instance, rng)?;
        let program = Box::pin(program(ctx.clone()));
        Ok(Party {
            ctx,
            program: Some(program),
            output: None,
            finished: false,
        })
    }

    /// Runs the program until it first waits for messages.
    pub fn start(&mut self) {
        self.advance();
    }

    /// Feeds one message received from member `from` (as authenticated by
    /// the transport). A malformed, stale, duplicated or misaddressed
    /// message is rejected with an error and otherwise ignored: the party
    /// keeps running.
    pub fn handle_message(&mut self, from: usize, bytes: &[u8]) -> Result<(), EngineError> {
        if self.finished {
            return Err(EngineError::Finished);
        }
        let msg = Message::decode(bytes)?;
        if msg.instance != self.ctx.instance() {
            return Err(EngineError::WrongInstance {
                got: msg.instance,
                expected: self.ctx.instance(),
            });
        }
        if msg.from as usize != from || msg.to as usize != self.ctx.me() || from == self.ctx.me() {
            return Err(EngineError::WrongSender {
                claimed: msg.from as usize,
                actual: from,
            });
        }
        if !self.ctx.members().contains(&from) {
            return Err(EngineError::WrongSender {
                claimed: msg.from as usize,
                actual: from,
            });
        }
        {
            let mut inner = self.ctx.lock();
            if msg.round < inner.completed || inner.inbox.contains_key(&(msg.round, from)) {
                return Err(EngineError::Duplicate {
                    from,
                    round: msg.round,
                });
            }
            if msg.round > inner.completed.saturating_add(MAX_ROUNDS_AHEAD) {
                return Err(EngineError::TooFarAhead {
                    from,
                    round: msg.round,
                    current: inner.completed,
                });
            }
            inner.inbox.insert((msg.round, from), msg.values);
        }
        self.advance();
        Ok(())
    }

    /// The next message to send, if any.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.ctx.lock().outbox.pop_front()
    }

    /// Whether the program has finished (successfully or not).
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Takes the program's result once it has finished.
    pub fn take_output(&mut self) -> Option<Result<T, EngineError>> {
        self.output.take()
    }

    /// The round and members this party is waiting for, if it is waiting.
    pub fn waiting_for(&self) -> Option<Waiting> {
        if self.finished {
            return None;
        }
        self.ctx.lock().waiting.clone()
    }

    /// Rounds whose messages this party has consumed: no message of an
    /// earlier round is needed again (the failing round of an opening is
    /// the last of these).
    pub fn completed_rounds(&self) -> u32 {
        self.ctx.lock().completed
    }

    /// After an opening failed naming a culprit ([`EngineError::Opening`]
    /// with a member), this member's own message of that opening,
    /// addressed to itself, for the transport to sign into the evidence
    /// (`crate::envelope::evidence`); `None` otherwise.
    pub fn take_own_opening(&mut self) -> Option<Vec<u8>> {
        self.ctx.lock().own_opening.take()
    }

    /// Traffic and round counters.
    pub fn stats(&self) -> Stats {
        self.ctx.stats()
    }

    /// Bytes sent per label so far ([`Ctx::label`]).
    pub fn traffic(&self) -> Vec<super::Traffic> {
        self.ctx.traffic()
    }

    /// The transcript hash of everything opened so far ([`Ctx::transcript`]).
    pub fn transcript(&self) -> [u8; 32] {
        self.ctx.transcript()
    }

    /// This party's 1-based member index.
    pub fn me(&self) -> usize {
        self.ctx.me()
    }

    fn advance(&mut self) {
        let Some(program) = self.program.as_mut() else {
            return;
        };
        let mut cx = Context::from_waker(Waker::noop());
        if let Poll::Ready(result) = program.as_mut().poll(&mut cx) {
            self.program = None;
            self.output = Some(result);
            self.finished = true;
            let mut inner = self.ctx.lock();
            inner.inbox.clear();
            inner.waiting = None;
        }
    }
}
