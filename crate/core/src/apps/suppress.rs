//! Small-cell suppression (`min_cell`) that nothing published can undo.
//!
//! Suppressing only the cells below `min_cell` ("primary" cells) is not
//! enough when their sum is published: with `min_cell` 3 and cells 4, 4, 1
//! the count 9 gives the hidden 1. So every histogram is a [`Group`] with
//! a [`Rule`] that says what else is published about it:
//!
//! - [`Rule::Total`]: the cells partition a published total (a one-hot
//!   question's cells and its count, a number question's buckets and its
//!   count). When any cell is primary, every other cell equal to the
//!   smallest non-primary cell is suppressed too ("complementary" cells).
//!   Exactly one such value is hidden beside the small ones, so the
//!   suppressed set is as small as the rule allows, and ties are all
//!   taken so that the set does not depend on the cells' order.
//! - [`Rule::Whole`]: cross-tabs, whose row and column sums are (or are
//!   close to) the two questions' histograms. When any cell is primary,
//!   the whole table is suppressed.
//! - [`Rule::Alone`]: cells with no published linear relation (a multi
//!   question's options: one answer may select several or none): only
//!   primary cells are suppressed.
//!
//! Why nothing can be derived ([`Rule::Total`]). A reader (or any member:
//! members see exactly what readers see, the final flags) knows the
//! published cells, the total, which cells are suppressed, and this rule.
//! Take any primary cell p and any complementary cell j, and swap their
//! values: p now holds the smallest non-primary value, j a value below
//! `min_cell`. Every published cell, the total and the suppressed set are
//! unchanged, and the rule picks the same cells again. So both p and j
//! have at least two possible values, for every choice of p and j. The
//! only exception is a group whose cells are all primary: its cells are
//! hidden but their sum is the total. Values derived from the cells
//! (a rating's sum and mean; a number's sum, mean, median and quartiles
//! beside its buckets) are withheld by the caller whenever a cell of
//! their group is suppressed, so they cannot pin the hidden cells down.
//!
//! Computation (inside MPC; nothing but the final flags is opened). With
//! the cells shifted by the noise headroom H (0 without differential
//! privacy, [`super::dp::headroom`] with it, so noisy negative cells
//! compare correctly):
//! 1. one comparison layer: `f_j = [c_j < min_cell]` for every cell and,
//!    in [`Rule::Total`] groups, `[c_i < c_j]` for every ordered pair;
//!    then locally `K = Σ f_j` and `a_j = #{i : c_i < c_j}`;
//! 2. one comparison layer: in a [`Rule::Total`] group of k cells,
//!    `u_j = [(k+1) K − k a_j ≥ 1]`; in a [`Rule::Whole`] group,
//!    `u_j = [K ≥ 1]`; in a [`Rule::Alone`] group, `u_j = f_j`;
//! 3. the flags u are opened.
//!
//! Step 2's test is right because a primary cell has `a_j <= K − 1`
//! (only primary cells are below it), so `(k+1)K − k a_j >= K + k >= 1`;
//! the smallest non-primary cells have `a_j = K`, giving K (1 exactly when
//! some cell is primary); larger cells have `a_j >= K + 1`, giving at
//! most `K − k <= 0`.
//!
//! Cost: two comparison layers and one opening, plus preprocessing
//! ([`need`]) that the caller prepares together with its other work;
//! k(k − 1) comparisons per group of k cells.

use super::bits_for;
use crate::engine::ops::bits::{Need, Pool};
use crate::engine::{Ctx, EngineError};
use crate::field::Fp;
use crate::share::ShareVec;

/// What is published about a group of cells besides the cells themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The cells sum to a published total: complementary suppression.
    Total,
    /// A cross-tab: one small cell suppresses the whole table.
    Whole,
    /// No published relation: only small cells are suppressed.
    Alone,
}

/// A histogram: cells `at..at + len` of the cell vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    /// First cell.
    pub at: usize,
    /// Number of cells.
    pub len: usize,
    /// What else is published about it.
    pub rule: Rule,
}

/// Bit widths of the two comparison layers: cells (shifted by the
/// headroom) and the layer-2 values `(k+1)K − k a_j + k²` in `[k, 2k² + k]`.
fn widths(
    groups: &[Group],
    min_cell: u64,
    valid: u64,
    headroom: u64,
) -> Result<(u32, u32), EngineError> {
    let top = headroom
        .checked_mul(2)
        .and_then(|h| h.checked_add(valid.max(min_cell)))
        .ok_or(EngineError::OutOfRange("histogram cells beyond 64 bits"))?;
    let l2 = groups
        .iter()
        .map(|g| {
            let k = g.len as u64;
            match g.rule {
                Rule::Total => bits_for(2 * k * k + k),
                _ => bits_for(k),
            }
        })
        .max()
        .unwrap_or(1);
    Ok((bits_for(top), l2))
}

/// Comparisons in each layer: every cell against `min_cell` and every
/// ordered pair of a [`Rule::Total`] group; one per cell of a
/// [`Rule::Total`] group and one per [`Rule::Whole`] group.
fn counts(groups: &[Group]) -> (usize, usize) {
    groups
        .iter()
        .map(|g| match g.rule {
            Rule::Total => (g.len + g.len * (g.len - 1), g.len),
            Rule::Whole => (g.len, 1),
            Rule::Alone => (g.len, 0),
        })
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

/// Preprocessing [`suppress`] takes from its pool.
pub fn need(
    groups: &[Group],
    min_cell: u64,
    valid: u64,
    headroom: u64,
) -> Result<Need, EngineError> {
    let (l, l2) = widths(groups, min_cell, valid, headroom)?;
    let (first, second) = counts(groups);
    Ok(Need::lt(first, l) + Need::lt(second, l2))
}

/// The public suppression flags (true: suppressed) for every cell, by the
/// rules of the module docs, with preprocessing from `pool` (at least
/// [`need`]). Cells (possibly noisy) must lie in
/// `(-headroom, valid + headroom)`; the groups must cover the cells in
/// order, each starting where the previous one ends.
pub async fn suppress(
    ctx: &Ctx,
    cells: &[Fp],
    groups: &[Group],
    (min_cell, valid, headroom): (u64, u64, u64),
    pool: &mut Pool,
) -> Result<Vec<bool>, EngineError> {
    let _label = ctx.label("suppress");
    let mut end = 0;
    for g in groups {
        if g.at != end {
            end = usize::MAX;
            break;
        }
        end += g.len;
    }
    if end != cells.len() {
        return Err(EngineError::InvalidOperation(
            "suppression groups must cover the cells",
        ));
    }
    let (l, l2) = widths(groups, min_cell, valid, headroom)?;
    let h = Fp::from(headroom);
    let shifted: Vec<Fp> = cells.iter().map(|c| *c + h).collect();

    // Layer 1: [c_j < min_cell] for all cells, then [c_i < c_j] for every
    // ordered pair (i, j) of a Total group.
    let mut left = shifted.clone();
    let mut right = vec![Fp::from(min_cell) + h; cells.len()];
    let mut pair_of = Vec::new(); // j of each pair comparison
    let totals = groups.iter().filter(|g| g.rule == Rule::Total && g.len > 1);
    for g in totals {
        for j in g.at..g.at + g.len {
            for i in (g.at..g.at + g.len).filter(|i| *i != j) {
                left.push(shifted[i]);
                right.push(shifted[j]);
                pair_of.push(j);
            }
        }
    }
    let less = ctx
        .lt(
            &ShareVec::from_values(left),
            &ShareVec::from_values(right),
            l,
            pool,
        )
        .await?;
    let (small, pairs) = less.values().split_at(cells.len());
    let mut below = vec![Fp::ZERO; cells.len()]; // a_j
    for (j, v) in pair_of.iter().zip(pairs) {
        below[*j] += *v;
    }

    // Layer 2: the final flags of Total and Whole groups, as
    // 1 − [x < bound] for x = (k+1)K − k a_j + k² and bound 1 + k² (Total),
    // or x = K and bound 1 (Whole).
    let mut x = Vec::new();
    let mut bound = Vec::new();
    for g in groups {
        let k = Fp::from(g.len as u64);
        let count = small[g.at..g.at + g.len]
            .iter()
            .fold(Fp::ZERO, |a, f| a + *f);
        match g.rule {
            Rule::Total => {
                for a in &below[g.at..g.at + g.len] {
                    x.push((k + Fp::ONE) * count - k * *a + k * k);
                    bound.push(Fp::ONE + k * k);
                }
            }
            Rule::Whole => {
                x.push(count);
                bound.push(Fp::ONE);
            }
            Rule::Alone => {}
        }
    }
    let decided = if x.is_empty() {
        Vec::new()
    } else {
        ctx.lt(
            &ShareVec::from_values(x),
            &ShareVec::from_values(bound),
            l2,
            pool,
        )
        .await?
        .values()
        .iter()
        .map(|b| Fp::ONE - *b)
        .collect()
    };
    let mut flags = Vec::with_capacity(cells.len());
    let mut next = decided.into_iter();
    for g in groups {
        match g.rule {
            Rule::Total => flags.extend(next.by_ref().take(g.len)),
            Rule::Whole => {
                let all = next.next().unwrap_or(Fp::ZERO);
                flags.extend(std::iter::repeat_n(all, g.len));
            }
            Rule::Alone => flags.extend_from_slice(&small[g.at..g.at + g.len]),
        }
    }
    Ok(ctx
        .open(&ShareVec::from_values(flags))
        .await?
        .iter()
        .map(|v| *v == Fp::ONE)
        .collect())
}
