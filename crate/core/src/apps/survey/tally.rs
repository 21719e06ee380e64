//! Survey results inside MPC, under the output policy.
//!
//! Order of openings, each gated by the policy:
//! 1. validity flags (one bit per submission) and, from them, the number
//!    of valid submissions; below `min_submissions` nothing else opens;
//! 2. with `min_cell`, one suppression flag per histogram cell (choice,
//!    multi, rating, yes/no, numeric buckets, cross-tabs), decided inside
//!    MPC by the complementary rule of [`crate::apps::suppress`];
//! 3. in one opening: per question the number of answers, the sum of a
//!    rating or number unless a cell of that question's histogram is
//!    suppressed, and the cells that are not suppressed;
//! 4. medians and quartiles of number questions, by the digit search of
//!    [`crate::apps::quantile`] over the valid answers (not when a bucket of the
//!    question is suppressed, nor under differential privacy).

use serde_json::{Map, Value, json};

use super::{
    AnswerKind, SurveySchema, decimal_string, encoding, histogram_json, quartile_ranks,
    quartiles_from, to_units,
};
use crate::apps::quantile::{self, Job};
use crate::apps::suppress::{self, Group, Rule};
use crate::apps::{Outcome, Policy, dp, validity};
use crate::engine::{Ctx, EngineError};
use crate::field::Fp;
use crate::share::ShareVec;

/// Computes a survey's results (see the module docs for what opens when).
pub async fn tally_survey(
    ctx: &Ctx,
    schema: &SurveySchema,
    policy: Policy,
    submissions: &[ShareVec],
) -> Result<Outcome, EngineError> {
    let (enc, layouts) = encoding(schema);
    let checked = validity::check_submissions(ctx, &enc, submissions).await?;
    if let Some(out) = checked.suppressed(policy.min_submissions) {
        return Ok(out);
    }
    let (valid_subs, valid) = (checked.valid.as_slice(), checked.valid_count());
    let sum = checked.sum(enc.len);

    // Secret released quantities, each in a sensitivity group (for DP).
    let mut plan = Released::default();
    // Per question: where its count and total come from.
    let mut sources = Vec::with_capacity(schema.questions.len());
    for (q, l) in schema.questions.iter().zip(&layouts) {
        let source = match (&q.answer, q.labels()) {
            (_, Some(labels)) => {
                // One-hot: count and rating sum follow from the cells.
                let g = plan.group(2);
                let at = plan.cells.len();
                plan.add_cells(g, (0..labels.len()).map(|i| sum[l.first_option + i]));
                Source::Cells(at, labels.len())
            }
            (AnswerKind::Multi { .. }, None) => {
                let a = l.answered.map_or(Fp::ZERO, |a| sum[a]);
                let count = plan.add_scalar(1, a);
                Source::Scalars(count, None)
            }
            (_, None) => {
                let a = l.answered.map_or(Fp::ZERO, |a| sum[a]);
                let count = plan.add_scalar(1, a);
                let range = q.number_range().map_or(0, |(_, r)| r);
                let y = l.number.map_or(Fp::ZERO, |(y, _, _)| sum[y]);
                let total = plan.add_scalar(range, y);
                Source::Scalars(count, Some(total))
            }
        };
        sources.push(source);
    }
    // Histogram cells: one-hot ones above, then multi, numeric buckets, cross-tabs.
    // (key, labels, first cell, suppression rule)
    let mut cell_owner: Vec<(String, Vec<String>, usize, Rule)> = Vec::new();
    for (q, src) in schema.questions.iter().zip(&sources) {
        if let (Some(labels), Source::Cells(at, _)) = (q.labels(), src) {
            cell_owner.push((q.id.clone(), labels, *at, Rule::Total));
        }
    }
    for (q, l) in schema.questions.iter().zip(&layouts) {
        if let AnswerKind::Multi {
            options,
            max_selections,
        } = &q.answer
        {
            let k = options.len() as u64;
            let most = max_selections.map_or(k, |m| u64::from(m).min(k));
            let g = plan.group((2 * most).min(k));
            let at = plan.cells.len();
            plan.add_cells(g, (0..options.len()).map(|i| sum[l.first_option + i]));
            cell_owner.push((q.id.clone(), options.clone(), at, Rule::Alone));
        }
    }
    let (bucket_cells, bucket_owner) = numeric_buckets(schema, &layouts, valid_subs);
    for (cells, (key, labels)) in bucket_cells.into_iter().zip(bucket_owner) {
        let (g, at) = (plan.group(2), plan.cells.len());
        plan.add_cells(g, cells);
        cell_owner.push((key, labels, at, Rule::Total));
    }
    let (cross_cells, cross_owner) = crosstabs(ctx, schema, &layouts, valid_subs).await?;
    for (cells, (key, labels)) in cross_cells.into_iter().zip(cross_owner) {
        let (g, at) = (plan.group(2), plan.cells.len());
        plan.add_cells(g, cells);
        cell_owner.push((key, labels, at, Rule::Whole));
    }
    let (scalars, cells, cell_scale) = plan.noised(ctx, policy.dp_milli).await?;

    // 2. Suppression flags under min_cell ([`crate::apps::suppress`]); then the
    // counts, the sums no suppressed cell could be derived from, and the
    // cells that are not suppressed, in one opening.
    // Quantile jobs come later (number questions, not under DP); with
    // min_cell their preprocessing is prepared with the suppression's, in
    // the same two rounds (for up to six ranks each, the most quartiles
    // need).
    let widths: Vec<u32> = layouts
        .iter()
        .filter_map(|l| l.number.map(|(_, _, w)| w))
        .filter(|_| policy.dp_milli.is_none())
        .collect();
    let mut pool = None;
    let suppressed = match policy.min_cell.filter(|m| *m > 1) {
        Some(min) => {
            let groups: Vec<Group> = cell_owner
                .iter()
                .map(|(_, labels, at, rule)| Group {
                    at: *at,
                    len: labels.len(),
                    rule: *rule,
                })
                .collect();
            let h = dp::headroom(ctx.n(), cell_scale)?;
            let need = suppress::need(&groups, min, valid, h)?
                + quantile::need(&widths, 6, valid_subs.len());
            let p = pool.insert(ctx.preprocess(need).await?);
            suppress::suppress(ctx, &cells, &groups, (min, valid, h), p).await?
        }
        None => vec![false; cells.len()],
    };
    // Per question: whether a cell of its own histogram is suppressed
    // (then its sum, mean and quantiles are withheld).
    let hidden: Vec<bool> = schema
        .questions
        .iter()
        .map(|q| {
            cell_owner
                .iter()
                .find(|(key, ..)| *key == q.id)
                .is_some_and(|(_, labels, at, _)| {
                    suppressed[*at..at + labels.len()].contains(&true)
                })
        })
        .collect();
    let mut open_me = Vec::with_capacity(2 * schema.questions.len() + cells.len());
    // (count, whether a total follows) per question, in order.
    let mut has_total = Vec::with_capacity(schema.questions.len());
    for ((q, src), hide) in schema.questions.iter().zip(&sources).zip(&hidden) {
        let (count, total) = match *src {
            Source::Cells(at, k) => {
                let c = &cells[at..at + k];
                let count = c.iter().fold(Fp::ZERO, |a, v| a + *v);
                let total = match q.answer {
                    AnswerKind::Rating { .. } => Some(
                        c.iter()
                            .zip(1u64..)
                            .fold(Fp::ZERO, |a, (v, i)| a + Fp::from(i) * *v),
                    ),
                    _ => None,
                };
                (count, total)
            }
            Source::Scalars(c, t) => (scalars[c], t.map(|t| scalars[t])),
        };
        let total = total.filter(|_| !hide);
        open_me.push(count);
        open_me.extend(total);
        has_total.push(total.is_some());
    }
    let scalar_count = open_me.len();
    open_me.extend(
        cells
            .iter()
            .zip(&suppressed)
            .filter(|(_, s)| !**s)
            .map(|(c, _)| *c),
    );
    let opened_all = ctx.open(&ShareVec::from_values(open_me)).await?;
    // Counts and cells are at most `valid`; sums at most valid × range;
    // anything beyond 64 bits is refused by `read_counts`.
    let most = schema
        .questions
        .iter()
        .map(|q| match &q.answer {
            AnswerKind::Rating { scale } => u64::from(*scale),
            _ => q.number_range().map_or(1, |(_, r)| r),
        })
        .max()
        .unwrap_or(1)
        .saturating_mul(valid); // u64::MAX: "whatever fits", still checked
    let read = crate::apps::read_released(&opened_all, policy.dp_milli.is_some(), most.max(valid))?;
    let (read_scalars, read_cells) = read.split_at(scalar_count);
    let mut next = read_scalars.iter().copied();
    let scalars: Vec<(u64, Option<u64>)> = has_total
        .iter()
        .map(|t| {
            let count = next.next().unwrap_or(0);
            (count, if *t { next.next() } else { None })
        })
        .collect();
    let mut next = read_cells.iter().copied();
    let opened: Vec<Option<u64>> = suppressed
        .iter()
        .map(|s| if *s { None } else { next.next() })
        .collect();

    // 4. Quantiles of number questions (not under DP: an exact order
    // statistic is not differentially private).
    let mut jobs = Vec::new();
    let mut job_of = Vec::new();
    for (qi, (q, l)) in schema.questions.iter().zip(&layouts).enumerate() {
        let (Some((_, bits, w)), Some(a)) = (l.number, l.answered) else {
            continue;
        };
        let count = scalars[qi].0;
        if policy.dp_milli.is_some()
            || hidden[qi]
            || count == 0
            || !matches!(q.answer, AnswerKind::Number { .. })
        {
            continue;
        }
        let mut b = Vec::with_capacity(valid_subs.len() * w as usize);
        let mut e = Vec::with_capacity(valid_subs.len());
        for s in valid_subs {
            b.extend_from_slice(&s.values()[bits..bits + w as usize]);
            e.push(s.values()[a]);
        }
        let ranks = quartile_ranks(count);
        jobs.push(Job {
            bits: ShareVec::from_values(b),
            width: w,
            eligible: ShareVec::from_values(e),
            ranks,
        });
        job_of.push(qi);
    }
    let found = match (jobs.is_empty(), pool.as_mut()) {
        (true, _) => Vec::new(),
        (false, Some(p)) => quantile::quantiles_with(ctx, &jobs, p).await?,
        (false, None) => quantile::quantiles(ctx, &jobs).await?,
    };

    // Assemble.
    let mut questions = Map::new();
    // Histograms by key (a question's id, or a crosstab's), in a `Vec`:
    // a `BTreeMap` with removals would carry the B-tree's rebalancing code
    // into the WebAssembly member module (docs/wasm.md). Keys are unique.
    let mut hist: Vec<(String, Value)> = Vec::with_capacity(cell_owner.len());
    for (key, labels, at, _) in &cell_owner {
        let h = histogram_json(labels, &opened[*at..at + labels.len()]);
        match hist.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = h,
            None => hist.push((key.clone(), h)),
        }
    }
    for (qi, q) in schema.questions.iter().enumerate() {
        let (count, total) = scalars[qi];
        let mut r = Map::new();
        r.insert("count".into(), json!(count));
        match (&q.answer, total) {
            (AnswerKind::Rating { .. }, Some(total)) => {
                r.insert("sum".into(), json!(total));
                if count > 0 {
                    r.insert("mean".into(), json!(total as f64 / count as f64));
                }
            }
            (AnswerKind::Number { min, decimals, .. }, Some(total)) => {
                let real_sum = to_units(0, *decimals, total as f64)
                    + (*min as f64 / 10f64.powi(*decimals as i32)) * count as f64;
                r.insert("sum".into(), json!(real_sum));
                if count > 0 {
                    r.insert("mean".into(), json!(real_sum / count as f64));
                }
                if let Some(j) = job_of.iter().position(|x| *x == qi) {
                    let ranks = &jobs[j].ranks;
                    let values: Vec<f64> = found[j]
                        .iter()
                        .map(|y| to_units(*min, *decimals, *y as f64))
                        .collect();
                    let quart = quartiles_from(count, ranks, &values);
                    r.insert("median".into(), json!(quart[1]));
                    r.insert("quartiles".into(), json!(quart));
                }
            }
            _ => {}
        }
        if let Some(i) = hist.iter().position(|(k, _)| *k == q.id) {
            r.insert("histogram".into(), hist.swap_remove(i).1);
        }
        questions.insert(q.id.clone(), Value::Object(r));
    }
    let mut result = json!({ "questions": questions });
    if !schema.crosstabs.is_empty() {
        result["crosstabs"] = crate::apps::object(hist);
    }
    Ok(checked.outcome(crate::apps::with_dp_note(result, policy.dp_milli)))
}

/// Where a question's count and total come from.
enum Source {
    /// One-hot cells `at..at + k` (count = their sum; rating total = the
    /// weighted sum).
    Cells(usize, usize),
    /// Scalar indices of the count and, for numbers, the total.
    Scalars(usize, Option<usize>),
}

/// The secret quantities a survey releases, each tagged with its DP
/// sensitivity group.
#[derive(Default)]
struct Released {
    /// L1 sensitivity of each group under replacing one answer.
    groups: Vec<u64>,
    scalars: Vec<(usize, Fp)>,
    cells: Vec<(usize, Fp)>,
}

impl Released {
    fn group(&mut self, sensitivity: u64) -> usize {
        self.groups.push(sensitivity);
        self.groups.len() - 1
    }

    fn add_scalar(&mut self, sensitivity: u64, v: Fp) -> usize {
        let g = self.group(sensitivity);
        self.scalars.push((g, v));
        self.scalars.len() - 1
    }

    fn add_cells(&mut self, g: usize, cells: impl IntoIterator<Item = Fp>) {
        self.cells.extend(cells.into_iter().map(|c| (g, c)));
    }

    /// The scalars and cells, with noise when `dp_milli` is set: the budget
    /// is split evenly over the groups ([`dp::split`]); one round. Also
    /// returns the largest noise scale of any cell (0 without noise).
    async fn noised(
        self,
        ctx: &Ctx,
        dp_milli: Option<u32>,
    ) -> Result<(Vec<Fp>, Vec<Fp>, u64), EngineError> {
        let k = self.scalars.len();
        let all: Vec<(usize, Fp)> = self.scalars.into_iter().chain(self.cells).collect();
        let values = ShareVec::from_values(all.iter().map(|(_, v)| *v).collect());
        let (values, cell_scale) = match dp_milli {
            Some(milli) => {
                let scales = dp::split(milli, &self.groups);
                let per: Vec<u64> = all.iter().map(|(g, _)| scales[*g]).collect();
                let cell_scale = per[k..].iter().copied().max().unwrap_or(0);
                (dp::add_noise(ctx, &values, &per).await?, cell_scale)
            }
            None => (values, 0),
        };
        let mut v = values.values().to_vec();
        let cells = v.split_off(k);
        Ok((v, cells, cell_scale))
    }
}

/// Secret histogram cells, one vector per histogram, with each histogram's
/// key and cell labels.
type Cells = (Vec<Vec<Fp>>, Vec<(String, Vec<String>)>);

/// Secret bucket counts of number questions with declared edges: the sums
/// of the one-hot cell bits that every answer carries and the validity
/// check proved to be its value's bucket (`super::bucket_cells`). Local,
/// no message.
fn numeric_buckets(schema: &SurveySchema, layouts: &[super::Layout], subs: &[&ShareVec]) -> Cells {
    let mut cells = Vec::new();
    let mut owners = Vec::new();
    for (q, l) in schema.questions.iter().zip(layouts) {
        let (
            AnswerKind::Number {
                min,
                buckets,
                decimals,
                ..
            },
            Some(at),
            Some(bounds),
        ) = (&q.answer, l.cells, q.cell_bounds())
        else {
            continue;
        };
        // Cell 0 lies below the first edge unless that edge is min.
        let first = at + usize::from(buckets[0] != *min);
        let count = bounds.len() - 1 - usize::from(buckets[0] != *min);
        let mut sums = vec![Fp::ZERO; count];
        for s in subs {
            for (sum, x) in sums.iter_mut().zip(&s.values()[first..first + count]) {
                *sum += *x;
            }
        }
        cells.push(sums);
        let labels = buckets
            .iter()
            .map(|&b| decimal_string(b, *decimals))
            .collect();
        owners.push((q.id.clone(), labels));
    }
    (cells, owners)
}

/// Secret cross-tabulation cells: for each pair, `sum over answers of
/// onehot1[i] * onehot2[j]` (one multiplication round for all pairs).
async fn crosstabs(
    ctx: &Ctx,
    schema: &SurveySchema,
    layouts: &[super::Layout],
    subs: &[&ShareVec],
) -> Result<Cells, EngineError> {
    let _label = ctx.label("crosstabs");
    let mut left = Vec::new();
    let mut right = Vec::new();
    let mut shapes = Vec::new();
    for (a, b) in &schema.crosstabs {
        let idx = |id: &str| schema.questions.iter().position(|q| q.id == id);
        let (Some(ia), Some(ib)) = (idx(a), idx(b)) else {
            continue;
        };
        let (la, lb) = (
            schema.questions[ia].labels().unwrap_or_default(),
            schema.questions[ib].labels().unwrap_or_default(),
        );
        for s in subs {
            for i in 0..la.len() {
                for j in 0..lb.len() {
                    left.push(s.values()[layouts[ia].first_option + i]);
                    right.push(s.values()[layouts[ib].first_option + j]);
                }
            }
        }
        let labels = la
            .iter()
            .flat_map(|x| lb.iter().map(move |y| format!("{x}|{y}")))
            .collect::<Vec<_>>();
        shapes.push((format!("{a} x {b}"), labels));
    }
    if left.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let prod = ctx
        .mul(&ShareVec::from_values(left), &ShareVec::from_values(right))
        .await?;
    let mut cells = Vec::new();
    let mut at = 0;
    for (_, labels) in &shapes {
        let k = labels.len();
        let mut acc = vec![Fp::ZERO; k];
        for _ in subs {
            for (c, v) in acc.iter_mut().zip(&prod.values()[at..at + k]) {
                *c += *v;
            }
            at += k;
        }
        cells.push(acc);
    }
    Ok((cells, shapes))
}
