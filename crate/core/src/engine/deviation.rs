//! Deviations on purpose: a member that breaks the protocol in one
//! chosen way, for the tests and `sotto simulate` scenarios that show each
//! deviation is caught (security with abort) and never changes a result.
//!
//! Honest members never set one. A deviating member draws its errors from
//! its own CSPRNG, so they are nonzero and unpredictable to the others,
//! as an adversary's would be.

use super::ctx::Ctx;
use crate::field::Fp;

/// How a member deviates, from a given round on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Deviation {
    /// Adds a random nonzero value to what it re-shares when it makes
    /// multiplication triples or square pairs.
    Mul,
    /// Adds a random nonzero value to its share in every opening it sends.
    Open,
    /// Sends a wrong share of each opening to one member and the right
    /// one to the others.
    Equivocate,
    /// Deals a wrong square where a random bit's square pair is due (so
    /// the bit would be 2, or any value).
    Bits,
    /// Deals a wrong contribution to statistical masks. Masks are spelled
    /// by verified random bits, so this is a wrong square pair of a mask
    /// bit, as [`Deviation::Bits`].
    Mask,
    /// Deals its differential-privacy noise with a "bit" equal to 2, so
    /// the noise leaves its proven range.
    Noise,
    /// Stops sending after the given round and never returns.
    Crash,
    /// Complains about honest submissions: a committee member's deviation
    /// before the engine runs (`sotto_client`'s member puts a complaint
    /// about its first part, with a genuine disclosure, in its signed
    /// Ready; `crate::envelope::complaint` settles it as false). The
    /// engine itself does nothing for it.
    Complain,
}

impl Deviation {
    /// Every deviation, in the order of their names.
    pub const ALL: [Deviation; 8] = [
        Deviation::Mul,
        Deviation::Open,
        Deviation::Equivocate,
        Deviation::Bits,
        Deviation::Mask,
        Deviation::Noise,
        Deviation::Crash,
        Deviation::Complain,
    ];

    /// The name used in scenario files (`"mul"`, `"open"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Deviation::Mul => "mul",
            Deviation::Open => "open",
            Deviation::Equivocate => "equivocate",
            Deviation::Bits => "bits",
            Deviation::Mask => "mask",
            Deviation::Noise => "noise",
            Deviation::Crash => "crash",
            Deviation::Complain => "complain",
        }
    }
}

/// A deviation name that is not one of [`Deviation::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown deviation {0:?}: expected one of mul, open, equivocate, bits, mask, noise, crash, complain"
)]
pub struct UnknownDeviation(pub String);

impl core::str::FromStr for Deviation {
    type Err = UnknownDeviation;
    fn from_str(s: &str) -> Result<Deviation, UnknownDeviation> {
        Deviation::ALL
            .into_iter()
            .find(|d| d.name() == s)
            .ok_or_else(|| UnknownDeviation(s.to_owned()))
    }
}

impl Ctx {
    /// Makes this member deviate in `how` from engine round `from_round`
    /// on. For tests and simulations only: in WebAssembly (the browser
    /// member) it does nothing, and the hooks compile away.
    pub fn set_deviation(&self, how: Deviation, from_round: u32) {
        self.lock().deviation = Some((how, from_round));
    }

    /// Whether this member deviates in `how` in the current round.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn deviating(&self, how: Deviation) -> bool {
        let inner = self.lock();
        matches!(inner.deviation, Some((d, from)) if d == how && inner.round >= from)
    }

    /// Never in WebAssembly: see [`Ctx::set_deviation`].
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn deviating(&self, _how: Deviation) -> bool {
        false
    }

    /// A random nonzero field element from this member's generator.
    fn nonzero(&self) -> Fp {
        self.with_rng(|rng| {
            loop {
                let v = Fp::random(rng);
                if !v.is_zero() {
                    return v;
                }
            }
        })
    }

    /// `values` with a random nonzero error added to each, if this member
    /// deviates in `how` now.
    pub(crate) fn deviate_values(&self, how: Deviation, mut values: Vec<Fp>) -> Vec<Fp> {
        if self.deviating(how) {
            for v in &mut values {
                *v += self.nonzero();
            }
        }
        values
    }

    /// The outgoing vectors of an opening, with this member's lie if it
    /// deviates in [`Deviation::Open`] or [`Deviation::Equivocate`].
    pub(crate) fn deviate_opening(&self, outgoing: &mut [Option<Vec<Fp>>]) {
        let me = self.me();
        if self.deviating(Deviation::Open) {
            let e = self.nonzero();
            for (j, v) in outgoing.iter_mut().enumerate() {
                if j + 1 != me {
                    v.iter_mut().flatten().for_each(|x| *x += e);
                }
            }
        } else if self.deviating(Deviation::Equivocate) {
            // The lowest-numbered other live member gets another share.
            let victim = self
                .members()
                .iter()
                .copied()
                .find(|&m| m != me)
                .unwrap_or(me);
            let e = self.nonzero();
            if let Some(Some(v)) = outgoing.get_mut(victim - 1) {
                v.iter_mut().for_each(|x| *x += e);
            }
        }
    }

    /// This member's noise bits, with a 2 in place of its first bit if it
    /// deviates in [`Deviation::Noise`].
    pub(crate) fn deviate_noise(&self, mut bits: Vec<Fp>) -> Vec<Fp> {
        if self.deviating(Deviation::Noise)
            && let Some(b) = bits.first_mut()
        {
            *b = Fp::from(2u64);
        }
        bits
    }

    /// Whether this member has crashed ([`Deviation::Crash`]): it sends
    /// nothing from then on.
    pub(crate) fn crashed(&self) -> bool {
        self.deviating(Deviation::Crash)
    }
}
