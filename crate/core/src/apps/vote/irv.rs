//! Instant-runoff voting on full rankings, with the round counts revealed
//! (`reveal: tally`).
//!
//! Ballots use the Borda encoding: a permutation matrix `P[o][pos]`
//! (option o at position pos). Each round, with the public set S of
//! options still in the race:
//! - `s_pos = sum over o in S of P[o][pos]` ("the option at pos is still
//!   in") is linear;
//! - `U_pos = prod over pos' < pos of (1 - s_pos')` ("nothing ranked
//!   higher is still in") by a parallel-prefix product, ceil(log2 m)
//!   rounds;
//! - the ballot's current vote for o is `sum over pos of P[o][pos] U_pos`,
//!   one multiplication round; the counts of options in S are opened.
//!
//! An option with more than half the votes wins. Otherwise the option with
//! the fewest votes is eliminated; among equal fewest, the one listed last
//! in the schema (a documented, deterministic rule), and the result then
//! carries `"tie": true` if that rule decided anything. Winner-only IRV
//! would need secret eliminations and is refused when the manifest is
//! validated.

use serde_json::{Value, json};

use crate::engine::{Ctx, EngineError};
use crate::field::Fp;
use crate::share::ShareVec;

/// Runs the rounds over the valid ballots (each m x m entries) and returns
/// `{"tally": last round, "rounds": [...], "winner": ..}`.
pub async fn run(
    ctx: &Ctx,
    options: &[String],
    ballots: &[&ShareVec],
) -> Result<Value, EngineError> {
    let m = options.len();
    let mut alive: Vec<bool> = vec![true; m];
    let mut rounds = Vec::new();
    let mut tie_broken = false;
    loop {
        // s_pos and u_pos = 1 - s_pos per ballot (linear).
        let mut u: Vec<Fp> = Vec::with_capacity(ballots.len() * m);
        for b in ballots {
            for pos in 0..m {
                let s = (0..m)
                    .filter(|o| alive[*o])
                    .fold(Fp::ZERO, |a, o| a + b.values()[o * m + pos]);
                u.push(Fp::ONE - s);
            }
        }
        let prefix = exclusive_prefix_products(ctx, u, m).await?;
        let mut left = Vec::new();
        let mut right = Vec::new();
        for (bi, b) in ballots.iter().enumerate() {
            for o in (0..m).filter(|o| alive[*o]) {
                for pos in 0..m {
                    left.push(b.values()[o * m + pos]);
                    right.push(prefix[bi * m + pos]);
                }
            }
        }
        let votes = ctx
            .mul(&ShareVec::from_values(left), &ShareVec::from_values(right))
            .await?;
        let k = alive.iter().filter(|a| **a).count();
        let mut counts = vec![Fp::ZERO; k];
        for chunk in votes.values().chunks(k * m) {
            for (c, per) in counts.iter_mut().zip(chunk.chunks(m)) {
                *c += per.iter().fold(Fp::ZERO, |a, x| a + *x);
            }
        }
        let opened = ctx.open(&ShareVec::from_values(counts)).await?;
        let live: Vec<usize> = (0..m).filter(|o| alive[*o]).collect();
        // Each ballot counts once per round: a count above the number of
        // ballots (or their sum above it) is refused, never truncated.
        let ballots_count = u64::try_from(ballots.len())
            .map_err(|_| EngineError::OutOfRange("too many ballots"))?;
        let opened = crate::apps::read_counts(&opened, ballots_count)?;
        let counts: Vec<(usize, u64)> = live.iter().copied().zip(opened).collect();
        let round =
            crate::apps::object(counts.iter().map(|(o, c)| (options[*o].clone(), json!(c))));
        rounds.push(round.clone());
        let total = counts
            .iter()
            .try_fold(0u64, |a, (_, c)| a.checked_add(*c))
            .filter(|t| *t <= ballots_count)
            .ok_or(EngineError::OutOfRange(
                "a runoff round counts more votes than ballots",
            ))?;
        let (best, best_count) = counts
            .iter()
            .copied()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .unwrap_or((0, 0));
        // A majority: best > total / 2, written without doubling.
        if best_count > total - best_count || counts.len() == 1 {
            let mut out = json!({ "tally": round, "rounds": rounds, "winner": options[best] });
            if tie_broken {
                out["tie"] = json!(true);
            }
            return Ok(out);
        }
        let min_count = counts.iter().map(|(_, c)| *c).min().unwrap_or(0);
        let lowest: Vec<usize> = counts
            .iter()
            .filter(|(_, c)| *c == min_count)
            .map(|(o, _)| *o)
            .collect();
        tie_broken |= lowest.len() > 1;
        if let Some(&out) = lowest.last() {
            alive[out] = false;
        }
    }
}

/// For each group of `width` values u_0..u_(width-1), the exclusive prefix
/// products `U_pos = u_0 * ... * u_(pos-1)` (U_0 = 1), by a Sklansky
/// network of depth ceil(log2 width).
async fn exclusive_prefix_products(
    ctx: &Ctx,
    u: Vec<Fp>,
    width: usize,
) -> Result<Vec<Fp>, EngineError> {
    let groups = u.len().checked_div(width).unwrap_or(0);
    let mut inclusive = u;
    let mut span = 1;
    while span < width {
        let targets: Vec<(usize, usize)> = (0..width)
            .filter(|j| j & span != 0)
            .map(|j| (j, (j / span) * span - 1))
            .collect();
        let mut left = Vec::with_capacity(groups * targets.len());
        let mut right = Vec::with_capacity(groups * targets.len());
        for g in 0..groups {
            for &(j, p) in &targets {
                left.push(inclusive[g * width + j]);
                right.push(inclusive[g * width + p]);
            }
        }
        let prod = ctx
            .mul(&ShareVec::from_values(left), &ShareVec::from_values(right))
            .await?;
        for g in 0..groups {
            for (k, &(j, _)) in targets.iter().enumerate() {
                inclusive[g * width + j] = prod.values()[g * targets.len() + k];
            }
        }
        span *= 2;
    }
    let mut out = Vec::with_capacity(groups * width);
    for g in 0..groups {
        out.push(Fp::ONE);
        out.extend_from_slice(&inclusive[g * width..(g + 1) * width - 1]);
    }
    Ok(out)
}
