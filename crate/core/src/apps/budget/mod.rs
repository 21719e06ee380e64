//! Participatory budgets: every participant splits a total B over m
//! projects in non-negative integers summing to exactly B.
//!
//! Encoding: the m allocations, then w = bits(B) bits of each. Valid when
//! every allocation equals the number its bits spell (so it is in
//! [0, 2^w)) and the allocations sum to B (so each is at most B; no
//! wrap-around since m 2^w is far below p). Results: mean and median
//! (type 7: the mean of the two middle values for an even count) per
//! project, and the projects ranked by mean, highest first, ties in the
//! order of the schema. Medians come from the digit search over the
//! allocation bits ([`super::quantile`]).
//!
//! The `income` style (one bounded number per participant, with mean,
//! median, quartiles and bracket counts) is a one-question survey: see
//! [`income_survey`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::apps::quantile::{Job, quantiles};
use crate::apps::survey::{AnswerKind, Question, SurveySchema};
use crate::apps::validity::Encoding;
use crate::apps::{AnswerError, Outcome, Policy, bits_for, dp, validity};
use crate::engine::{Ctx, EngineError};
use crate::field::Fp;
use crate::share::ShareVec;

/// A budget allocation schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetSchema {
    /// The total every participant allocates.
    pub total: u64,
    /// The projects, distinct.
    pub projects: Vec<String>,
}

impl BudgetSchema {
    /// Checks the total and the project names.
    pub fn validate(&self) -> Result<(), String> {
        if self.total == 0 || self.total >= 1 << 40 {
            return Err("the total must be between 1 and 2^40".into());
        }
        if self.projects.is_empty() || self.projects.len() > 64 {
            return Err("a budget has between 1 and 64 projects".into());
        }
        if self
            .projects
            .iter()
            .enumerate()
            .any(|(i, p)| p.is_empty() || self.projects[..i].contains(p))
        {
            return Err("project names must be non-empty and distinct".into());
        }
        Ok(())
    }
}

/// The encoding of an allocation.
pub fn encoding(schema: &BudgetSchema) -> Encoding {
    let m = schema.projects.len();
    let mut e = Encoding::default();
    let at = e.alloc(m);
    for o in 0..m {
        e.spelled_by_bits(vec![(at + o, Fp::ONE)], Fp::ZERO, bits_for(schema.total));
    }
    e.sum_is(at, m, schema.total);
    e.with_bit_proof()
}

/// Encodes `{"park": 60, "library": 40}` (unnamed projects get 0).
pub fn encode(schema: &BudgetSchema, answer: &Value) -> Result<Vec<Fp>, AnswerError> {
    let obj = answer
        .as_object()
        .ok_or_else(|| AnswerError::Invalid("give an object of project amounts".into()))?;
    let m = schema.projects.len();
    let w = bits_for(schema.total) as usize;
    let enc = encoding(schema);
    let mut x = vec![Fp::ZERO; enc.len];
    let mut total = 0u64;
    for (name, v) in obj {
        let o = schema
            .projects
            .iter()
            .position(|p| p == name)
            .ok_or_else(|| AnswerError::UnknownOption(name.clone()))?;
        let a = v.as_u64().filter(|a| *a <= schema.total).ok_or_else(|| {
            AnswerError::OutOfRange(format!(
                "{name}: give a whole amount from 0 to {}",
                schema.total
            ))
        })?;
        total += a;
        x[o] = Fp::from(a);
        Encoding::spell(&mut x[m + o * w..m + (o + 1) * w], a);
    }
    if total != schema.total {
        return Err(AnswerError::Invalid(format!(
            "the amounts add up to {total}; they must add up to {}",
            schema.total
        )));
    }
    enc.prove(&mut x);
    Ok(x)
}

/// Computes means, medians and the ranking. Under differential privacy
/// ([`Policy::dp_milli`]) the per-project sums get discrete Laplace noise
/// for L1 sensitivity 2B (one allocation replaced by another moves at most
/// B units out and B in), means and the ranking follow from the noisy sums,
/// and medians are not released: an exact median is not differentially
/// private.
pub async fn tally_budget(
    ctx: &Ctx,
    schema: &BudgetSchema,
    policy: Policy,
    submissions: &[ShareVec],
) -> Result<Outcome, EngineError> {
    let enc = encoding(schema);
    let checked = validity::check_submissions(ctx, &enc, submissions).await?;
    if let Some(out) = checked.suppressed(policy.min_submissions) {
        return Ok(out);
    }
    let (subs, valid) = (checked.valid.as_slice(), checked.valid_count());
    let m = schema.projects.len();
    let w = bits_for(schema.total);
    let mut sums = ShareVec::from_values(checked.sum(enc.len)[..m].to_vec());
    if let Some(milli) = policy.dp_milli {
        let s = dp::scale(schema.total.saturating_mul(2), milli);
        sums = dp::add_noise(ctx, &sums, &vec![s; m]).await?;
    }
    let opened = ctx.open(&sums).await?;
    // Each sum is at most valid × total; a larger (or wider than 64-bit)
    // opened sum is refused, never truncated.
    let most = valid.saturating_mul(schema.total);
    let sums = crate::apps::read_released(&opened, policy.dp_milli.is_some(), most)?;
    let found = if policy.dp_milli.is_some() {
        Vec::new()
    } else {
        let ranks = vec![(valid - 1) / 2, valid / 2];
        let jobs: Vec<Job> = (0..m)
            .map(|o| {
                let bits = subs
                    .iter()
                    .flat_map(|s| s.values()[m + o * w as usize..m + (o + 1) * w as usize].to_vec())
                    .collect();
                Job {
                    bits: ShareVec::from_values(bits),
                    width: w,
                    eligible: ShareVec::from_values(vec![Fp::ONE; subs.len()]),
                    ranks: ranks.clone(),
                }
            })
            .collect();
        quantiles(ctx, &jobs).await?
    };
    let mut projects = Map::new();
    for (o, name) in schema.projects.iter().enumerate() {
        let mut p = json!({ "mean": sums[o] as f64 / valid as f64 });
        if let Some(f) = found.get(o) {
            p["median"] = json!((f[0] + f[1]) as f64 / 2.0);
        }
        projects.insert(name.clone(), p);
    }
    // Largest sum first, ties by project order, by insertion (a library
    // sort is several KB of code in the WebAssembly member module).
    let mut order: Vec<usize> = Vec::with_capacity(m);
    for o in 0..m {
        let at = order
            .iter()
            .position(|&p| sums[p] < sums[o])
            .unwrap_or(order.len());
        order.insert(at, o);
    }
    let ranking: Vec<&String> = order.iter().map(|&o| &schema.projects[o]).collect();
    let result = json!({ "projects": projects, "ranking": ranking });
    Ok(checked.outcome(crate::apps::with_dp_note(result, policy.dp_milli)))
}

/// An `income` session as an organizer writes it: `{"min": 0, "max":
/// 200000, "brackets": [0, 20000, 50000, 100000]}`; it becomes
/// [`income_survey`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomeSpec {
    /// Smallest allowed income.
    pub min: i64,
    /// Largest allowed income.
    pub max: i64,
    /// Bracket lower edges, ascending (may be empty).
    #[serde(default)]
    pub brackets: Vec<i64>,
}

impl IncomeSpec {
    /// The one-question survey this describes.
    pub fn to_survey(&self) -> SurveySchema {
        income_survey(self.min, self.max, self.brackets.clone())
    }
}

/// The `income` style: one bounded integer per participant, reported with
/// mean, median, quartiles and bracket counts (never a single value), as a
/// one-question survey whose question id is `income`.
pub fn income_survey(min: i64, max: i64, brackets: Vec<i64>) -> SurveySchema {
    SurveySchema {
        questions: vec![Question {
            id: "income".into(),
            text: "income".into(),
            answer: AnswerKind::Number {
                min,
                max,
                decimals: 0,
                buckets: brackets,
            },
            optional: false,
            description: None,
        }],
        crosstabs: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::engine::Committee;
    use crate::engine::network::Network;
    use crate::share::deal;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{Rng, SeedableRng};

    #[test]
    fn budget_means_medians_ranking_and_forgeries() {
        let schema = BudgetSchema {
            total: 100,
            projects: vec!["park".into(), "library".into(), "pool".into()],
        };
        schema.validate().unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let mut allocs = Vec::new();
        for _ in 0..21 {
            let a = (rng.next_u32() % 101) as u64;
            let b = (rng.next_u32() as u64) % (101 - a);
            allocs.push([a, b, 100 - a - b]);
        }
        let mut vectors: Vec<Vec<Fp>> = allocs
            .iter()
            .map(|a| {
                encode(
                    &schema,
                    &json!({"park": a[0], "library": a[1], "pool": a[2]}),
                )
                .unwrap()
            })
            .collect();
        // Forged: sums to 100 with a negative entry; sums to 101.
        let mut f1 = vectors[0].clone();
        f1[0] = Fp::from(150u64);
        f1[1] = -Fp::from(50u64);
        f1[2] = Fp::ZERO;
        let mut f2 = vectors[0].clone();
        f2[0] += Fp::ONE;
        vectors.extend([f1, f2]);
        let dealt: Vec<Vec<_>> = vectors
            .iter()
            .map(|v| deal(v, 3, 1, &mut rng).unwrap())
            .collect();
        let out = Network::new(Committee::new(3), 1)
            .run(|ctx| {
                let subs: Vec<_> = dealt.iter().map(|d| d[ctx.me() - 1].clone()).collect();
                let schema = schema.clone();
                async move {
                    Ok(tally_budget(&ctx, &schema, super::Policy::min(5), &subs)
                        .await?
                        .to_json())
                }
            })
            .unwrap();
        let got = &out.values[0];
        assert_eq!(got["valid"], json!(21));
        assert_eq!(got["invalid"], json!(2));
        let mut means = Vec::new();
        for (o, name) in schema.projects.iter().enumerate() {
            let mut col: Vec<u64> = allocs.iter().map(|a| a[o]).collect();
            col.sort();
            let mean = col.iter().sum::<u64>() as f64 / 21.0;
            means.push((mean, o));
            assert_eq!(
                got["result"]["projects"][name]["median"],
                json!(col[10] as f64)
            );
            assert!(
                (got["result"]["projects"][name]["mean"].as_f64().unwrap() - mean).abs() < 1e-9
            );
        }
        means.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let ranking: Vec<&String> = means.iter().map(|(_, o)| &schema.projects[*o]).collect();
        assert_eq!(got["result"]["ranking"], json!(ranking));
    }

    #[test]
    fn bad_allocations_get_clear_errors() {
        let schema = BudgetSchema {
            total: 10,
            projects: vec!["a".into(), "b".into()],
        };
        assert!(
            encode(&schema, &json!({"a": 3, "b": 3}))
                .unwrap_err()
                .to_string()
                .contains("add up to 6")
        );
        assert!(encode(&schema, &json!({"a": -1, "b": 11})).is_err());
        assert!(encode(&schema, &json!({"c": 10})).is_err());
    }
}
