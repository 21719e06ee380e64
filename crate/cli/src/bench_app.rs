//! `sotto bench app`: whole app computations (validity check, policy,
//! results) on the in-memory network, without the relay:
//!
//! `kind=vote participants=10000 parties=3 latency_ms=50 rounds=.. bytes_per_party=.. ms=..`
//!
//! - vote: plurality over `--options` options, `--reveal winner|tally`;
//! - survey: `--questions` questions cycling through number (with
//!   medians and quartiles), choice, rating and yes/no; `--min-cell`
//!   applies small-cell suppression;
//! - budget: `--options` projects sharing a total of 1000, with medians.
//!
//! A table of member 1's bytes per operation follows the line (validity,
//! quantiles, buckets, ...: each with the preprocessing it made).
//!
//! Answers are random and valid; `ms` is virtual time as in
//! `sotto bench engine` (compute measured, every message `--latency-ms`).
//! Each run compares its counts with the plaintext answers and fails on a
//! mismatch.

use std::time::Instant;

use anyhow::{bail, ensure};
use clap::{Args, ValueEnum};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use serde_json::{Value, json};

use sotto_core::apps::budget::BudgetSchema;
use sotto_core::apps::survey::{AnswerKind, Question, SurveySchema};
use sotto_core::apps::vote::{Reveal, VoteMethod, VoteSchema};
use sotto_core::apps::{Computation, Policy, SessionKind, vote};
use sotto_core::engine::network::Network;
use sotto_core::engine::{Committee, Traffic};
use sotto_core::field::Fp;
use sotto_core::share::{ShareVec, deal};

/// A test of the opened result against the plaintext answers.
pub type Check = Box<dyn Fn(&Value) -> bool>;

/// App kinds the benchmark runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AppKind {
    /// A plurality vote.
    Vote,
    /// A mixed survey.
    Survey,
    /// A budget allocation.
    Budget,
}

/// Arguments of `sotto bench app`.
#[derive(Debug, Args)]
pub struct AppBenchArgs {
    /// Which app.
    #[arg(long, value_enum)]
    pub kind: AppKind,
    /// Number of participants (submissions).
    #[arg(long, default_value_t = 1000)]
    pub participants: usize,
    /// Committee members.
    #[arg(long, default_value_t = 3)]
    pub parties: usize,
    /// Vote options or budget projects.
    #[arg(long, default_value_t = 10)]
    pub options: usize,
    /// Survey questions.
    #[arg(long, default_value_t = 20)]
    pub questions: usize,
    /// Votes: reveal only the winner.
    #[arg(long, default_value_t = false)]
    pub winner: bool,
    /// Latency of every message in milliseconds.
    #[arg(long, default_value_t = 0.0)]
    pub latency_ms: f64,
    /// Surveys: suppress histogram cells below this count (with their
    /// complementary cells, `apps::suppress`).
    #[arg(long)]
    pub min_cell: Option<u64>,
}

/// A benchmark's work: the session kind, one answer per participant (as
/// a participant gives it) and a test of the opened result against them.
pub struct Workload {
    /// The kind and its schema.
    pub kind: SessionKind,
    /// The answers.
    pub answers: Vec<Value>,
    /// Whether an opened result matches the answers.
    pub check: Check,
}

/// The workload of `kind` for `participants` random valid answers:
/// `options` vote options or budget projects, `questions` survey
/// questions, `winner` for a winner-only vote.
pub fn workload(
    kind: AppKind,
    participants: usize,
    options: usize,
    questions: usize,
    winner: bool,
) -> Workload {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let names: Vec<String> = (0..options).map(|i| format!("o{i}")).collect();
    match kind {
        AppKind::Vote => {
            let schema = vote_schema(winner, &names);
            let picks: Vec<usize> = (0..participants)
                .map(|_| biased(&mut rng, options))
                .collect();
            let answers = picks.iter().map(|&p| json!({"choice": names[p]})).collect();
            let mut counts = vec![0u64; options];
            picks.iter().for_each(|&p| counts[p] += 1);
            let max = counts.iter().copied().max().unwrap_or(0);
            let winners: Vec<String> = names
                .iter()
                .zip(&counts)
                .filter(|(_, c)| **c == max)
                .map(|(n, _)| n.clone())
                .collect();
            let tally = vote::tally_json(&names, &counts);
            Workload {
                kind: SessionKind::Vote(schema),
                answers,
                check: Box::new(move |r| {
                    if winner {
                        r["winner"] == json!(winners[0]) || r["winner"] == json!(winners)
                    } else {
                        r["tally"] == tally
                    }
                }),
            }
        }
        AppKind::Survey => {
            let schema = survey_schema(questions);
            let answers: Vec<Value> = (0..participants)
                .map(|_| survey_answer(&schema, &mut rng))
                .collect();
            Workload {
                kind: SessionKind::Survey(schema),
                answers,
                check: Box::new(move |r| r["questions"]["q0"]["count"] == json!(participants)),
            }
        }
        AppKind::Budget => {
            let schema = budget_schema(&names);
            let answers: Vec<Value> = (0..participants)
                .map(|_| allocation(&names, &mut rng))
                .collect();
            let total: u64 = answers
                .iter()
                .map(|a| a[&names[0]].as_u64().unwrap_or(0))
                .sum();
            let mean = total as f64 / participants as f64;
            let first = names[0].clone();
            Workload {
                kind: SessionKind::Budget(schema),
                answers,
                check: Box::new(move |r| {
                    r["projects"][&first]["mean"]
                        .as_f64()
                        .is_some_and(|m| (m - mean).abs() < 1e-9)
                }),
            }
        }
    }
}

/// Runs one app benchmark and prints one line.
pub fn run(args: &AppBenchArgs) -> anyhow::Result<()> {
    ensure!(
        args.participants >= 1 && args.parties >= 1 && args.options >= 2,
        "need participants, parties and 2+ options"
    );
    let Workload {
        kind,
        answers,
        check,
    } = workload(
        args.kind,
        args.participants,
        args.options,
        args.questions,
        args.winner,
    );
    let vectors: Vec<Vec<Fp>> = answers
        .iter()
        .map(|a| kind.encode(a))
        .collect::<Result<_, _>>()?;
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let committee = Committee::new(args.parties);
    let dealt: Vec<Vec<ShareVec>> = vectors
        .iter()
        .map(|v| deal(v, committee.n, committee.t, &mut rng))
        .collect::<Result<_, _>>()?;
    let per_member: Vec<Vec<ShareVec>> = (0..committee.n)
        .map(|m| dealt.iter().map(|d| d[m].clone()).collect())
        .collect();
    let epoch = Instant::now();
    let policy = Policy {
        min_cell: args.min_cell,
        ..Policy::min(5)
    };
    let policy = match kind {
        SessionKind::Survey(_) => policy,
        _ => Policy::min(5),
    };
    let computation = Computation::new(kind, policy);
    let out = Network::new(committee, 1)
        .latency_ms(args.latency_ms)
        .with_clock(move || epoch.elapsed().as_secs_f64() * 1e3)
        .run(|ctx| {
            let subs = per_member[ctx.me() - 1].clone();
            let computation = computation.clone();
            async move {
                ctx.mark_online();
                Ok(computation.compute(&ctx, &subs).await?.to_json())
            }
        })?;
    let result = &out.values[0];
    if result["valid"] != json!(args.participants) || !check(&result["result"]) {
        bail!("wrong result: {result}");
    }
    let s = out.stats[0];
    println!(
        "kind={} participants={} parties={} options={} questions={} reveal={} latency_ms={} rounds={} bytes_per_party={} ms={:.1}",
        format!("{:?}", args.kind).to_lowercase(),
        args.participants,
        args.parties,
        args.options,
        if args.kind == AppKind::Survey {
            args.questions
        } else {
            0
        },
        if args.winner { "winner" } else { "tally" },
        args.latency_ms,
        s.online_rounds + s.prep_rounds,
        s.bytes_sent,
        out.ms
    );
    print_traffic(&out.traffic[0]);
    Ok(())
}

/// Prints member 1's bytes per operation ([`sotto_core::engine::Ctx::label`]):
/// the preprocessing each operation made, its own rounds, and the total.
pub fn print_traffic(traffic: &[Traffic]) {
    println!(
        "{:<12} {:>14} {:>14} {:>14} {:>7}",
        "operation", "prep_bytes", "online_bytes", "total_bytes", "rounds"
    );
    let mut total = Traffic {
        label: "total",
        ..Traffic::default()
    };
    for t in traffic {
        println!(
            "{:<12} {:>14} {:>14} {:>14} {:>7}",
            t.label,
            t.prep_bytes,
            t.online_bytes,
            t.prep_bytes + t.online_bytes,
            t.rounds
        );
        total.prep_bytes += t.prep_bytes;
        total.online_bytes += t.online_bytes;
        total.rounds += t.rounds;
    }
    println!(
        "{:<12} {:>14} {:>14} {:>14} {:>7}",
        total.label,
        total.prep_bytes,
        total.online_bytes,
        total.prep_bytes + total.online_bytes,
        total.rounds
    );
}

/// Skewed choices so that a unique winner is likely.
fn biased(rng: &mut ChaCha20Rng, m: usize) -> usize {
    let a = rng.next_u32() as usize % m;
    let b = rng.next_u32() as usize % m;
    a.min(b)
}

fn vote_schema(winner: bool, names: &[String]) -> VoteSchema {
    VoteSchema {
        method: VoteMethod::Plurality,
        options: names.to_vec(),
        reveal: if winner {
            Reveal::Winner
        } else {
            Reveal::Tally
        },
        max_approvals: None,
        max_score: None,
    }
}

fn budget_schema(names: &[String]) -> BudgetSchema {
    BudgetSchema {
        total: 1000,
        projects: names.to_vec(),
    }
}

fn allocation(names: &[String], rng: &mut ChaCha20Rng) -> Value {
    let mut left = 1000u64;
    let mut obj = serde_json::Map::new();
    for (i, n) in names.iter().enumerate() {
        let a = if i + 1 == names.len() {
            left
        } else {
            rng.next_u64() % (left / 2 + 1)
        };
        left -= a;
        obj.insert(n.clone(), json!(a));
    }
    Value::Object(obj)
}

fn survey_schema(questions: usize) -> SurveySchema {
    let kinds = |i: usize| match i % 4 {
        0 => AnswerKind::Number {
            min: 0,
            max: 100_000,
            decimals: 0,
            buckets: vec![0, 20_000, 50_000, 80_000],
        },
        1 => AnswerKind::Choice {
            options: vec!["a".into(), "b".into(), "c".into(), "d".into()],
        },
        2 => AnswerKind::Rating { scale: 5 },
        _ => AnswerKind::Yesno,
    };
    SurveySchema {
        questions: (0..questions.max(1))
            .map(|i| Question {
                id: format!("q{i}"),
                text: format!("question {i}"),
                answer: kinds(i),
                optional: i % 4 == 3,
                description: None,
            })
            .collect(),
        crosstabs: Vec::new(),
    }
}

fn survey_answer(schema: &SurveySchema, rng: &mut ChaCha20Rng) -> Value {
    let mut a = serde_json::Map::new();
    for q in &schema.questions {
        let v = match &q.answer {
            AnswerKind::Number { .. } => json!(rng.next_u64() % 100_001),
            AnswerKind::Choice { options } => {
                json!(options[rng.next_u32() as usize % options.len()])
            }
            AnswerKind::Rating { scale } => json!(1 + rng.next_u32() % scale),
            _ => json!(rng.next_u32().is_multiple_of(2)),
        };
        a.insert(q.id.clone(), v);
    }
    Value::Object(a)
}
