//! The committee check: a dry run with a known answer.
//!
//! Before a real vote, an organizer can check the committee: every member
//! must be online with the key the manifest names, reach the others
//! through the relay, and compute correctly. A check session takes no
//! answers. When it is closed the members run `comparisons` secret
//! comparisons of `bits`-bit values — the operation that dominates
//! winner-only votes, medians and suppression — on public test inputs
//! shared as constants (the protocol cannot tell them from secrets, so
//! it costs the same), open only how many came out "less", and sign
//! that count beside the count every member works out in the clear.
//! A published result with `"correct": true` and t + 1 signatures shows
//! the committee can finish a session; timing it shows how long the
//! comparisons take on the members' machines (`scripts/bench-wasm.sh`
//! does that with a wasm member beside native ones).

use rand_core::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::apps::Outcome;
use crate::engine::ops::bits::Need;
use crate::engine::{Ctx, EngineError};
use crate::field::Fp;
use crate::share::ShareVec;

/// The schema of a committee check: `{"comparisons": 1000, "bits": 32}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    /// How many comparisons, 1..=[`CheckSpec::MAX_COMPARISONS`].
    pub comparisons: u32,
    /// Width of the compared values in bits, 1..=64.
    pub bits: u32,
}

impl CheckSpec {
    /// Most comparisons one check may ask for.
    pub const MAX_COMPARISONS: u32 = 100_000;

    /// Checks the bounds.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=Self::MAX_COMPARISONS).contains(&self.comparisons) {
            return Err(format!(
                "comparisons must be from 1 to {}",
                Self::MAX_COMPARISONS
            ));
        }
        if !(1..=64).contains(&self.bits) {
            return Err("bits must be from 1 to 64".into());
        }
        Ok(())
    }

    /// The public test inputs `(a, b)`, the same for every member: a
    /// ChaCha20 stream from a fixed seed (these values are public; no
    /// secret is drawn from it).
    pub fn inputs(&self) -> (Vec<u64>, Vec<u64>) {
        let mut rng = chacha20::ChaCha20Rng::seed_from_u64(
            (u64::from(self.comparisons) << 8) | u64::from(self.bits),
        );
        let mask = u64::MAX >> (64 - self.bits);
        let mut draw = || {
            (0..self.comparisons)
                .map(|_| rng.next_u64() & mask)
                .collect::<Vec<u64>>()
        };
        let a = draw();
        let b = draw();
        (a, b)
    }

    /// How many `a[i] < b[i]`, in the clear.
    pub fn expected(&self) -> u64 {
        let (a, b) = self.inputs();
        a.iter().zip(&b).filter(|(x, y)| x < y).count() as u64
    }
}

/// Runs the check. Submissions, which a check session does not take, are
/// counted invalid and otherwise ignored.
pub async fn run_check(
    ctx: &Ctx,
    spec: &CheckSpec,
    submissions: &[ShareVec],
) -> Result<Outcome, EngineError> {
    let (a, b) = spec.inputs();
    let constant = |v: &[u64]| ShareVec::from_values(v.iter().map(|&x| Fp::from(x)).collect());
    let count = spec.comparisons as usize;
    let mut pool = ctx.preprocess(Need::lt(count, spec.bits)).await?;
    let less = ctx
        .lt(&constant(&a), &constant(&b), spec.bits, &mut pool)
        .await?;
    let total = less.values().iter().fold(Fp::ZERO, |s, x| s + *x);
    let opened = ctx.open(&ShareVec::from_values(vec![total])).await?;
    let less = opened.first().map_or(u128::MAX, |v| v.value());
    let expected = spec.expected();
    Ok(Outcome {
        valid: 0,
        invalid: submissions.len() as u64,
        result: json!({
            "check": {
                "comparisons": spec.comparisons,
                "bits": spec.bits,
                "less": less,
                "expected": expected,
                "correct": less == u128::from(expected),
            }
        }),
        counted: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Committee;
    use crate::engine::network::Network;

    #[test]
    fn bounds() {
        let ok = CheckSpec {
            comparisons: 1000,
            bits: 32,
        };
        assert!(ok.validate().is_ok());
        for bad in [
            (0, 32),
            (CheckSpec::MAX_COMPARISONS + 1, 32),
            (10, 0),
            (10, 65),
        ] {
            let spec = CheckSpec {
                comparisons: bad.0,
                bits: bad.1,
            };
            assert!(spec.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn inputs_are_fixed_and_in_range() {
        for bits in [1, 7, 32, 64] {
            let spec = CheckSpec {
                comparisons: 200,
                bits,
            };
            let (a, b) = spec.inputs();
            assert_eq!((a.len(), b.len()), (200, 200));
            assert_eq!(spec.inputs(), (a.clone(), b.clone()));
            if bits < 64 {
                assert!(a.iter().chain(&b).all(|&x| x < 1 << bits));
            }
            assert_ne!(a, b);
        }
    }

    /// Members running different builds must derive the same inputs: the
    /// known answer of the default check is pinned.
    #[test]
    fn the_default_check_is_pinned() {
        let spec = CheckSpec {
            comparisons: 1000,
            bits: 32,
        };
        assert_eq!(spec.expected(), 498);
    }

    #[test]
    fn the_committee_finds_the_known_answer() {
        for (n, bits) in [(3, 32), (5, 64), (1, 8)] {
            let spec = CheckSpec {
                comparisons: 50,
                bits,
            };
            let expected = spec.expected();
            assert!(expected > 0 && expected < 50);
            let subs = vec![ShareVec::from_values(vec![Fp::ONE]); 2];
            let out = Network::new(Committee::new(n), 11)
                .run(|ctx| {
                    let subs = subs.clone();
                    async move { run_check(&ctx, &spec, &subs).await }
                })
                .unwrap();
            for o in &out.values {
                assert_eq!((o.valid, o.invalid), (0, 2));
                let c = &o.result["check"];
                assert_eq!(c["less"], expected);
                assert_eq!(c["expected"], expected);
                assert_eq!(c["correct"], true);
                assert_eq!(c["comparisons"], 50);
            }
        }
    }
}
