//! Survey results inside MPC, under the output policy.
//!
//! Order of openings, each gated by the policy:
//! 1. validity flags (one bit per submission) and, from them, the number
//!    of valid submissions; below `min_submissions` nothing else opens;
//! 2. per question: the number of answers and, for ratings and numbers,
//!    the sum;
//! 3. histogram cells (choice, multi, rating, yes/no, numeric buckets,
//!    cross-tabs): with `min_cell`, first only `[cell < min_cell]` per
//!    cell, then the cells that are not suppressed;
//! 4. medians and quartiles of number questions, by the digit search of
//!    [`super::quantile`] over the valid answers.

use serde_json::{Map, Value, json};

use super::quantile::{Job, quantiles};
use super::survey::{
    AnswerKind, SurveySchema, encoding, histogram_json, quartile_ranks, quartiles_from, to_units,
};
use super::{Outcome, bits_for, validity};
use crate::engine::ops::bits::Need;
use crate::engine::{Ctx, EngineError};
use crate::field::Fp;
use crate::share::ShareVec;

/// Policy knobs that apply to surveys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurveyPolicy {
    /// Fewest valid submissions for which anything but the counts opens.
    pub min_submissions: u64,
    /// Histogram cells below this are reported as `"suppressed"`.
    pub min_cell: Option<u64>,
}

/// Computes a survey's results (see the module docs for what opens when).
pub async fn tally_survey(
    ctx: &Ctx,
    schema: &SurveySchema,
    policy: SurveyPolicy,
    submissions: &[ShareVec],
) -> Result<Outcome, EngineError> {
    let (enc, layouts) = encoding(schema);
    let checked = validity::check_submissions(ctx, &enc, submissions).await?;
    if let Some(out) = checked.suppressed(policy.min_submissions) {
        return Ok(out);
    }
    let (valid_subs, valid) = (checked.valid.as_slice(), checked.valid_count());
    let sum = checked.sum(enc.len);

    // 2. Counts and sums.
    let mut scalars = Vec::new();
    for (q, l) in schema.questions.iter().zip(&layouts) {
        let count = match (q.labels(), l.answered) {
            (Some(labels), _) => {
                (0..labels.len()).fold(Fp::ZERO, |a, i| a + sum[l.first_option + i])
            }
            (None, Some(a)) => sum[a],
            (None, None) => Fp::ZERO,
        };
        let total = match &q.answer {
            AnswerKind::Rating { scale } => (0..*scale as usize).fold(Fp::ZERO, |a, i| {
                a + Fp::from(i as u64 + 1) * sum[l.first_option + i]
            }),
            AnswerKind::Number { .. } => l.number.map_or(Fp::ZERO, |(y, _, _)| sum[y]),
            _ => Fp::ZERO,
        };
        scalars.push(count);
        scalars.push(total);
    }
    let scalars: Vec<u64> = ctx
        .open(&ShareVec::from_values(scalars))
        .await?
        .iter()
        .map(|v| v.value() as u64)
        .collect();

    // 3. Histogram cells: one-hot and multi sums, numeric buckets, cross-tabs.
    let mut cells: Vec<Fp> = Vec::new();
    let mut cell_owner: Vec<(String, Vec<String>)> = Vec::new(); // (key, labels) per histogram, in order
    for (q, l) in schema.questions.iter().zip(&layouts) {
        let labels = match &q.answer {
            AnswerKind::Multi { options, .. } => Some(options.clone()),
            _ => q.labels(),
        };
        if let Some(labels) = labels {
            cells.extend((0..labels.len()).map(|i| sum[l.first_option + i]));
            cell_owner.push((q.id.clone(), labels));
        }
    }
    let (bucket_cells, bucket_owner) =
        numeric_buckets(ctx, schema, &layouts, valid_subs, &scalars).await?;
    cells.extend(bucket_cells);
    cell_owner.extend(bucket_owner);
    let (cross_cells, cross_owner) = crosstabs(ctx, schema, &layouts, valid_subs).await?;
    cells.extend(cross_cells);
    cell_owner.extend(cross_owner);
    let opened = open_cells(ctx, &cells, policy.min_cell, valid).await?;

    // 4. Quantiles of number questions.
    let mut jobs = Vec::new();
    let mut job_of = Vec::new();
    for (qi, (q, l)) in schema.questions.iter().zip(&layouts).enumerate() {
        let (Some((_, bits, w)), Some(a)) = (l.number, l.answered) else {
            continue;
        };
        let count = scalars[2 * qi];
        if count == 0 || !matches!(q.answer, AnswerKind::Number { .. }) {
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
    let found = if jobs.is_empty() {
        Vec::new()
    } else {
        quantiles(ctx, &jobs).await?
    };

    // Assemble.
    let mut questions = Map::new();
    let mut cell_at = 0;
    let mut hist: std::collections::BTreeMap<String, Value> = Default::default();
    for (key, labels) in &cell_owner {
        let h = histogram_json(labels, &opened[cell_at..cell_at + labels.len()]);
        cell_at += labels.len();
        hist.insert(key.clone(), h);
    }
    for (qi, q) in schema.questions.iter().enumerate() {
        let (count, total) = (scalars[2 * qi], scalars[2 * qi + 1]);
        let mut r = Map::new();
        r.insert("count".into(), json!(count));
        match &q.answer {
            AnswerKind::Rating { .. } => {
                r.insert("sum".into(), json!(total));
                if count > 0 {
                    r.insert("mean".into(), json!(total as f64 / count as f64));
                }
            }
            AnswerKind::Number { min, decimals, .. } => {
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
        if let Some(h) = hist.remove(&q.id) {
            r.insert("histogram".into(), h);
        }
        questions.insert(q.id.clone(), Value::Object(r));
    }
    let mut result = json!({ "questions": questions });
    if !schema.crosstabs.is_empty() {
        let tabs: Map<String, Value> = hist.into_iter().collect();
        result["crosstabs"] = Value::Object(tabs);
    }
    Ok(checked.outcome(result))
}

/// Opens histogram cells, honouring `min_cell`: only `[cell < min_cell]`
/// is opened first, then the cells that are not below it.
async fn open_cells(
    ctx: &Ctx,
    cells: &[Fp],
    min_cell: Option<u64>,
    valid: u64,
) -> Result<Vec<Option<u64>>, EngineError> {
    let all = ShareVec::from_values(cells.to_vec());
    let Some(min) = min_cell.filter(|m| *m > 1) else {
        return Ok(ctx
            .open(&all)
            .await?
            .iter()
            .map(|v| Some(v.value() as u64))
            .collect());
    };
    let l = bits_for(valid.max(min));
    let mut pool = ctx.preprocess(Need::masked(cells.len(), l)).await?;
    let small = ctx
        .lt_public(&all, &vec![min as u128; cells.len()], l, &mut pool)
        .await?;
    let small: Vec<bool> = ctx
        .open(&small)
        .await?
        .iter()
        .map(|v| *v == Fp::ONE)
        .collect();
    let keep: Vec<Fp> = cells
        .iter()
        .zip(&small)
        .filter(|(_, s)| !**s)
        .map(|(c, _)| *c)
        .collect();
    let mut opened = ctx.open(&ShareVec::from_values(keep)).await?.into_iter();
    Ok(small
        .iter()
        .map(|s| {
            if *s {
                None
            } else {
                opened.next().map(|v| v.value() as u64)
            }
        })
        .collect())
}

/// Secret bucket counts of number questions with declared edges.
async fn numeric_buckets(
    ctx: &Ctx,
    schema: &SurveySchema,
    layouts: &[super::survey::Layout],
    subs: &[&ShareVec],
    scalars: &[u64],
) -> Result<(Vec<Fp>, Vec<(String, Vec<String>)>), EngineError> {
    // Thresholds T (in y units) per question; [y < T] for every answer.
    let mut publics = Vec::new();
    let mut secrets = Vec::new();
    let mut plan = Vec::new();
    let max_w = layouts
        .iter()
        .filter_map(|l| l.number.map(|n| n.2))
        .max()
        .unwrap_or(1) as usize;
    for (qi, (q, l)) in schema.questions.iter().zip(layouts).enumerate() {
        let AnswerKind::Number {
            min,
            max,
            buckets,
            decimals,
        } = &q.answer
        else {
            continue;
        };
        let (Some((_, bits, w)), false) = (l.number, buckets.is_empty()) else {
            continue;
        };
        let mut edges: Vec<u64> = buckets.iter().map(|b| b.abs_diff(*min)).collect();
        edges.push(max.abs_diff(*min) + 1);
        for &t in &edges {
            for s in subs {
                // [y < t] = 1 - [t - 1 < y]; t >= 1 except for an edge at min.
                publics.push(t.saturating_sub(1) as u128);
                let mut padded = s.values()[bits..bits + w as usize].to_vec();
                padded.resize(max_w, Fp::ZERO);
                secrets.extend(padded);
            }
        }
        let labels = buckets
            .iter()
            .map(|b| format!("{}", to_units(0, *decimals, *b as f64)))
            .collect();
        plan.push((qi, edges, labels));
    }
    if publics.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let above = ctx.public_less_than_bits(&publics, &secrets, max_w).await?;
    let n = subs.len();
    let mut cells = Vec::new();
    let mut owners = Vec::new();
    let mut at = 0;
    for (qi, edges, labels) in plan {
        let unanswered = Fp::from(n as u64 - scalars[2 * qi]);
        let below: Vec<Fp> = edges
            .iter()
            .map(|&t| {
                let b = (0..n).fold(Fp::ZERO, |acc, j| acc + Fp::ONE - above.values()[at + j]);
                at += n;
                // Unanswered entries hold y = 0 and count as below any t >= 1.
                if t == 0 { Fp::ZERO } else { b - unanswered }
            })
            .collect();
        cells.extend(below.windows(2).map(|w| w[1] - w[0]));
        owners.push((schema.questions[qi].id.clone(), labels));
    }
    Ok((cells, owners))
}

/// Secret cross-tabulation cells: for each pair, `sum over answers of
/// onehot1[i] * onehot2[j]` (one multiplication round for all pairs).
async fn crosstabs(
    ctx: &Ctx,
    schema: &SurveySchema,
    layouts: &[super::survey::Layout],
    subs: &[&ShareVec],
) -> Result<(Vec<Fp>, Vec<(String, Vec<String>)>), EngineError> {
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
        cells.extend(acc);
    }
    Ok((cells, shapes))
}
