//! Votes end to end on the in-memory network: random honest ballots plus
//! forged vectors, compared with a plaintext reference.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use serde_json::{Value, json};

use super::vote;
use super::vote::testing::{Method, VoteSpec};
use crate::engine::Committee;
use crate::engine::network::Network;
use crate::field::Fp;
use crate::share::deal;

fn options(m: usize) -> Vec<String> {
    (0..m)
        .map(|i| ((b'A' + i as u8) as char).to_string())
        .collect()
}

fn random_answer(method: &Method, opts: &[String], rng: &mut ChaCha20Rng) -> Value {
    let m = opts.len();
    match method {
        Method::Plurality => json!({ "choice": opts[rng.next_u32() as usize % m] }),
        Method::Approval { max } => {
            let k = max.map_or(m, |k| k as usize);
            let picked: Vec<&String> = opts
                .iter()
                .filter(|_| rng.next_u32().is_multiple_of(2))
                .take(k)
                .collect();
            json!({ "approve": picked })
        }
        Method::Score { max } => {
            let scores: serde_json::Map<String, Value> = opts
                .iter()
                .map(|o| (o.clone(), json!(rng.next_u32() % (max + 1))))
                .collect();
            json!({ "scores": scores })
        }
        Method::Borda | Method::Irv => {
            let mut order: Vec<&String> = opts.iter().collect();
            for i in (1..m).rev() {
                order.swap(i, rng.next_u32() as usize % (i + 1));
            }
            json!({ "ranking": order })
        }
    }
}

/// Totals the plaintext way from the valid encoded ballots.
fn reference(spec: &VoteSpec, ballots: &[Vec<Fp>]) -> Vec<u64> {
    let map = vote::tally_map(&spec.schema());
    map.iter()
        .map(|terms| {
            ballots
                .iter()
                .map(|x| {
                    terms
                        .iter()
                        .map(|(i, c)| (*c * x[*i]).value() as u64)
                        .sum::<u64>()
                })
                .sum()
        })
        .collect()
}

/// Forged vectors that a cheater might send for this method.
fn forgeries(spec: &VoteSpec, honest: &[Fp]) -> Vec<Vec<Fp>> {
    let len = honest.len();
    let mut out = vec![vec![Fp::ZERO; len], vec![Fp::from(2u64); len]];
    let mut double = honest.to_vec();
    double[0] += Fp::ONE; // one entry off by one (2 where a bit was, or 1 more)
    out.push(double);
    let mut three = honest.to_vec();
    three[len - 1] = Fp::from(3u64);
    out.push(three);
    let mut half = honest.to_vec();
    half[0] = Fp::from(2u64).inverse().unwrap(); // a "fractional" vote
    out.push(half);
    let mut negative = honest.to_vec();
    negative[0] = -Fp::ONE;
    out.push(negative);
    if spec.method == Method::Plurality {
        let mut two = vec![Fp::ZERO; len];
        two[0] = Fp::ONE;
        two[1] = Fp::ONE;
        out.push(two);
    }
    // The same with the bit proof a cheater computes for its entries
    // (no proof passes for a non-bit), and the proof changed alone.
    let enc = vote::encoding(&spec.schema());
    enc.also_proved(&mut out);
    if let Some(at) = enc.proof_at.filter(|at| *at < len) {
        let mut proof = honest.to_vec();
        proof[at] += Fp::ONE;
        out.push(proof);
    }
    out
}

fn run_vote(spec: &VoteSpec, ballots: &[Vec<Fp>], n: usize) -> Value {
    run_vote_counting(spec, ballots, n).0
}

/// Also returns how many values each member saw opened in the clear.
fn run_vote_counting(spec: &VoteSpec, ballots: &[Vec<Fp>], n: usize) -> (Value, Vec<u64>) {
    run_vote_seeded(spec, ballots, n, 5)
}

/// [`run_vote_counting`] with the members' randomness fixed by `seed`.
fn run_vote_seeded(spec: &VoteSpec, ballots: &[Vec<Fp>], n: usize, seed: u64) -> (Value, Vec<u64>) {
    let committee = Committee::new(n);
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let per_member: Vec<Vec<crate::share::ShareVec>> = {
        let dealt: Vec<Vec<_>> = ballots
            .iter()
            .map(|b| deal(b, committee.n, committee.t, &mut rng).unwrap())
            .collect();
        (0..n)
            .map(|m| dealt.iter().map(|d| d[m].clone()).collect())
            .collect()
    };
    let out = Network::new(committee, seed)
        .jitter_ms(2.0)
        .run(|ctx| {
            let subs = per_member[ctx.me() - 1].clone();
            let spec = spec.clone();
            async move {
                Ok(vote::tally(&ctx, &spec.schema(), spec.policy(), &subs)
                    .await?
                    .to_json())
            }
        })
        .unwrap();
    for v in &out.values {
        assert_eq!(v, &out.values[0]);
    }
    (
        out.values[0].clone(),
        out.stats.iter().map(|s| s.revealed).collect(),
    )
}

#[test]
fn every_method_tallies_honest_ballots_and_rejects_forgeries() {
    let methods = [
        Method::Plurality,
        Method::Approval { max: None },
        Method::Approval { max: Some(2) },
        Method::Score { max: 5 },
        Method::Borda,
    ];
    for method in methods {
        let spec = VoteSpec {
            method: method.clone(),
            options: options(4),
            winner_only: false,
            min_submissions: 5,
            dp_milli: None,
        };
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let honest: Vec<Vec<Fp>> = (0..12)
            .map(|_| {
                vote::encode(
                    &spec.schema(),
                    &random_answer(&method, &spec.options, &mut rng),
                )
                .unwrap()
            })
            .collect();
        // Forgeries are the candidates the plaintext check rejects; the MPC
        // check must reject exactly those.
        let enc = vote::encoding(&spec.schema());
        let forged: Vec<Vec<Fp>> = forgeries(&spec, &honest[0])
            .into_iter()
            .filter(|f| !enc.is_valid(f))
            .collect();
        assert!(forged.len() >= 3, "{method:?}: too few forgeries exercised");
        let mut all = honest.clone();
        all.extend(forged.iter().cloned());
        let got = run_vote(&spec, &all, 3);
        assert_eq!(got["valid"], json!(12), "{method:?}");
        assert_eq!(got["invalid"], json!(forged.len()), "{method:?}");
        let want = reference(&spec, &honest);
        let key = if method == Method::Borda {
            "scores"
        } else {
            "tally"
        };
        assert_eq!(
            got["result"][key],
            vote::tally_json(&spec.options, &want),
            "{method:?}"
        );
    }
}

#[test]
fn winner_only_reveals_the_winner_and_ties() {
    let spec = VoteSpec {
        method: Method::Plurality,
        options: options(3),
        winner_only: true,
        min_submissions: 5,
        dp_milli: None,
    };
    let ballot = |c: &str| vote::encode(&spec.schema(), &json!({ "choice": c })).unwrap();
    let votes: Vec<Vec<Fp>> = ["A", "B", "B", "C", "B", "A"]
        .iter()
        .map(|c| ballot(c))
        .collect();
    assert_eq!(
        run_vote(&spec, &votes, 3)["result"],
        json!({ "winner": "B" })
    );
    let tie: Vec<Vec<Fp>> = ["A", "C", "C", "A", "B"]
        .iter()
        .map(|c| ballot(c))
        .collect();
    assert_eq!(
        run_vote(&spec, &tie, 5)["result"],
        json!({ "winner": ["A", "C"], "tie": true })
    );
}

#[test]
fn too_few_valid_submissions_suppress_the_result() {
    let spec = VoteSpec {
        method: Method::Plurality,
        options: options(2),
        winner_only: false,
        min_submissions: 5,
        dp_milli: None,
    };
    let mut votes: Vec<Vec<Fp>> = (0..4)
        .map(|_| vote::encode(&spec.schema(), &json!({"choice": "A"})).unwrap())
        .collect();
    // Forged, with the bit proof a cheater can make: 5 submissions, 4 valid.
    let enc = vote::encoding(&spec.schema());
    let mut forged = vec![Fp::ZERO; enc.len];
    forged[..2].copy_from_slice(&[Fp::ONE, Fp::ONE]);
    enc.prove(&mut forged);
    votes.push(forged);
    let got = run_vote(&spec, &votes, 3);
    assert_eq!(
        got,
        json!({"valid": 4, "invalid": 1, "result": {"suppressed": "too few submissions"}})
    );
}

#[test]
fn bad_answers_get_clear_errors() {
    let spec = VoteSpec {
        method: Method::Approval { max: Some(1) },
        options: options(3),
        winner_only: false,
        min_submissions: 1,
        dp_milli: None,
    };
    let e = vote::encode(&spec.schema(), &json!({"approve": ["A", "B"]})).unwrap_err();
    assert_eq!(e.to_string(), "at most 1 options may be approved, not 2");
    let e = vote::encode(&spec.schema(), &json!({"approve": ["Z"]})).unwrap_err();
    assert_eq!(e.to_string(), "\"Z\" is not one of the options");
    let e = vote::encode(&spec.schema(), &json!({})).unwrap_err();
    assert_eq!(e.to_string(), "the answer needs a \"approve\" field");
    let borda = VoteSpec {
        method: Method::Borda,
        ..spec.clone()
    };
    assert!(vote::encode(&borda.schema(), &json!({"ranking": ["A", "A", "B"]})).is_err());
    let score = VoteSpec {
        method: Method::Score { max: 3 },
        ..spec
    };
    assert!(vote::encode(&score.schema(), &json!({"scores": {"A": 4}})).is_err());
}

/// Plaintext instant runoff with the same tie rule.
fn irv_reference(m: usize, rankings: &[Vec<usize>]) -> (usize, Vec<Vec<u64>>) {
    let mut alive = vec![true; m];
    let mut rounds = Vec::new();
    loop {
        let mut counts = vec![0u64; m];
        for r in rankings {
            if let Some(top) = r.iter().find(|o| alive[**o]) {
                counts[*top] += 1;
            }
        }
        let live: Vec<usize> = (0..m).filter(|o| alive[*o]).collect();
        rounds.push(live.iter().map(|o| counts[*o]).collect());
        let total: u64 = live.iter().map(|o| counts[*o]).sum();
        let best = *live
            .iter()
            .max_by(|a, b| counts[**a].cmp(&counts[**b]).then(b.cmp(a)))
            .unwrap();
        if 2 * counts[best] > total || live.len() == 1 {
            return (best, rounds);
        }
        let min = live.iter().map(|o| counts[*o]).min().unwrap();
        let out = *live.iter().rev().find(|o| counts[**o] == min).unwrap();
        alive[out] = false;
    }
}

#[test]
fn instant_runoff_matches_plaintext_rounds() {
    let spec = VoteSpec {
        method: Method::Irv,
        options: options(5),
        winner_only: false,
        min_submissions: 5,
        dp_milli: None,
    };
    let mut rng = ChaCha20Rng::seed_from_u64(21);
    let mut rankings = Vec::new();
    let mut ballots = Vec::new();
    for _ in 0..17 {
        let mut order: Vec<usize> = (0..5).collect();
        for i in (1..5).rev() {
            order.swap(i, rng.next_u32() as usize % (i + 1));
        }
        let names: Vec<&String> = order.iter().map(|o| &spec.options[*o]).collect();
        ballots.push(vote::encode(&spec.schema(), &json!({ "ranking": names })).unwrap());
        rankings.push(order);
    }
    let mut forged = ballots[0].clone();
    forged[1] = Fp::ONE; // option A at two positions
    ballots.push(forged);
    let got = run_vote(&spec, &ballots, 3);
    assert_eq!(got["invalid"], json!(1));
    let (winner, rounds) = irv_reference(5, &rankings);
    assert_eq!(got["result"]["winner"], json!(spec.options[winner]));
    let got_rounds: Vec<Vec<u64>> = got["result"]["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            spec.options
                .iter()
                .filter_map(|o| r.get(o).and_then(|c| c.as_u64()))
                .collect()
        })
        .collect();
    assert_eq!(got_rounds, rounds);
}

#[test]
fn each_member_sees_opened_only_what_the_policy_allows() {
    let winner = VoteSpec {
        method: Method::Plurality,
        options: options(3),
        winner_only: true,
        min_submissions: 5,
        dp_milli: None,
    };
    let ballot = |c: &str| vote::encode(&winner.schema(), &json!({ "choice": c })).unwrap();
    let votes: Vec<Vec<Fp>> = ["A", "B", "B", "C", "B", "A"]
        .iter()
        .map(|c| ballot(c))
        .collect();
    // Winner only: one validity bit per submission, one "is a maximum" bit per option.
    let (_, seen) = run_vote_counting(&winner, &votes, 3);
    assert_eq!(seen, vec![6 + 3; 3]);
    // Tally: the validity bits and the three counts.
    let tally = VoteSpec {
        winner_only: false,
        ..winner.clone()
    };
    assert_eq!(run_vote_counting(&tally, &votes, 3).1, vec![6 + 3; 3]);
    // Below the minimum: the validity bits and nothing else.
    let strict = VoteSpec {
        min_submissions: 7,
        ..winner
    };
    let (got, seen) = run_vote_counting(&strict, &votes, 5);
    assert_eq!(got["result"], json!({"suppressed": "too few submissions"}));
    assert_eq!(seen, vec![6; 5]);
}

#[test]
fn differential_privacy_noise_is_added_by_the_members_jointly() {
    let spec = VoteSpec {
        method: Method::Plurality,
        options: options(10),
        winner_only: false,
        min_submissions: 5,
        dp_milli: Some(1000),
    };
    assert_eq!(
        vote::dp_scale(&Method::Plurality.schema(options(10)), 1000),
        2
    );
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let picks: Vec<usize> = (0..200).map(|_| rng.next_u32() as usize % 10).collect();
    let ballots: Vec<Vec<Fp>> = picks
        .iter()
        .map(|p| vote::encode(&spec.schema(), &json!({ "choice": spec.options[*p] })).unwrap())
        .collect();
    let got = run_vote(&spec, &ballots, 3);
    let mut exact = [0i64; 10];
    picks.iter().for_each(|p| exact[*p] += 1);
    let noisy: Vec<i64> = spec
        .options
        .iter()
        .map(|o| got["result"]["tally"][o].as_i64().unwrap())
        .collect();
    assert_ne!(noisy, exact.to_vec(), "no noise was added");
    assert_eq!(got["result"]["dp"], json!({"epsilon": 1.0}));
    // Three members' discrete Laplace(2) noise: standard deviation about 5.
    assert!(
        noisy.iter().zip(exact).all(|(n, e)| (n - e).abs() <= 60),
        "{noisy:?} vs {exact:?}"
    );
}

#[test]
fn budget_under_differential_privacy_releases_noisy_means_and_no_medians() {
    use super::Policy;
    use super::budget::{BudgetSchema, encode, tally_budget};
    let schema = BudgetSchema {
        total: 100,
        projects: vec!["park".into(), "library".into(), "bikes".into()],
    };
    let alloc = [
        (70, 20, 10),
        (60, 30, 10),
        (80, 10, 10),
        (50, 40, 10),
        (90, 0, 10),
    ];
    let vectors: Vec<Vec<Fp>> = alloc
        .iter()
        .map(|(a, b, c)| encode(&schema, &json!({"park": a, "library": b, "bikes": c})).unwrap())
        .collect();
    let c = crate::engine::Committee::new(3);
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let dealt: Vec<Vec<_>> = vectors
        .iter()
        .map(|v| crate::share::deal(v, 3, 1, &mut rng).unwrap())
        .collect();
    let policy = Policy {
        dp_milli: Some(100_000),
        ..Policy::min(5)
    };
    let out = crate::engine::network::Network::new(c, 3)
        .run(|ctx| {
            let subs: Vec<_> = dealt.iter().map(|d| d[ctx.me() - 1].clone()).collect();
            let schema = schema.clone();
            async move { Ok(tally_budget(&ctx, &schema, policy, &subs).await?.to_json()) }
        })
        .unwrap();
    let r = &out.values[0]["result"];
    assert!(out.values.iter().all(|v| v == &out.values[0]));
    assert!(r["projects"]["park"].get("median").is_none(), "{r}");
    // Scale ceil(200 / 100) = 2 per member on each sum of 5: means within 12.
    let park = r["projects"]["park"]["mean"].as_f64().unwrap();
    assert!((park - 70.0).abs() <= 12.0, "{r}");
    assert_eq!(r["ranking"][0], json!("park"));
    assert_eq!(r["dp"], json!({"epsilon": 100.0}));
}

#[test]
fn winner_only_under_small_epsilon_always_names_the_noisy_maximum() {
    // Option C gets no votes, so its noisy total is often negative, and
    // the noise often pushes totals past the largest exact total. The
    // winner set must still be exactly the argmax of the noisy totals.
    let tally = VoteSpec {
        method: Method::Plurality,
        options: options(3),
        winner_only: false,
        min_submissions: 5,
        dp_milli: Some(200),
    };
    let winner = VoteSpec {
        winner_only: true,
        ..tally.clone()
    };
    let ballot = |c: &str| vote::encode(&tally.schema(), &json!({ "choice": c })).unwrap();
    let mut votes: Vec<Vec<Fp>> = (0..60).map(|_| ballot("A")).collect();
    votes.extend((0..30).map(|_| ballot("B")));
    for seed in 0..40 {
        // The same member randomness draws the same noise in both runs:
        // the tally opens the noisy totals the winner-only run compares.
        let (noisy, _) = run_vote_seeded(&tally, &votes, 3, 100 + seed);
        let (got, _) = run_vote_seeded(&winner, &votes, 3, 100 + seed);
        let totals: Vec<u64> = tally
            .options
            .iter()
            .map(|o| noisy["result"]["tally"][o].as_u64().unwrap())
            .collect();
        let best = *totals.iter().max().unwrap();
        assert!(best > 0, "seed {seed}: every noisy total below zero");
        let want: Vec<&String> = tally
            .options
            .iter()
            .zip(&totals)
            .filter(|(_, t)| **t == best)
            .map(|(o, _)| o)
            .collect();
        let want = match want.as_slice() {
            [one] => json!({ "winner": one, "dp": {"epsilon": 0.2} }),
            many => json!({ "winner": many, "tie": true, "dp": {"epsilon": 0.2} }),
        };
        assert_eq!(got["result"], want, "seed {seed}: noisy totals {totals:?}");
    }
}

#[test]
fn instant_runoff_refuses_counts_beyond_the_number_of_ballots() {
    // Ballots handed to the runoff directly, as if a forged one had got
    // past validation: its first-preference cell is 2^63, which used to be
    // cast to u64 and doubled (overflow), or 2^64 + 1 (silently read as 1).
    let opts = options(3);
    for forged in [1u128 << 63, (1u128 << 64) + 1] {
        let mut rng = ChaCha20Rng::seed_from_u64(17);
        let mut plain: Vec<Vec<Fp>> = Vec::new();
        for r in [[0, 1, 2], [1, 0, 2], [2, 1, 0], [0, 2, 1], [1, 2, 0]] {
            let mut x = vec![Fp::ZERO; 9];
            for (pos, o) in r.iter().enumerate() {
                x[o * 3 + pos] = Fp::ONE;
            }
            plain.push(x);
        }
        plain[0][0] = Fp::new(forged);
        let dealt: Vec<Vec<crate::share::ShareVec>> = plain
            .iter()
            .map(|b| deal(b, 3, 1, &mut rng).unwrap())
            .collect();
        let out = Network::new(Committee::new(3), 2)
            .run(|ctx| {
                let mine: Vec<crate::share::ShareVec> =
                    dealt.iter().map(|d| d[ctx.me() - 1].clone()).collect();
                let opts = opts.clone();
                async move {
                    let refs: Vec<&crate::share::ShareVec> = mine.iter().collect();
                    Ok(super::vote::irv::run(&ctx, &opts, &refs).await)
                }
            })
            .unwrap();
        for r in &out.values {
            assert!(
                matches!(r, Err(crate::engine::EngineError::OutOfRange(_))),
                "{forged}: {r:?}"
            );
        }
    }
}

/// The hand-written reader of `SessionKind` reads what the derived one
/// wrote (tag first), skips unknown keys, and refuses a schema before its
/// tag, a missing or repeated key and an unknown kind with serde's words.
#[test]
fn session_kind_reads_its_canonical_form() {
    use super::kind::SessionKind;
    use super::vote::{Reveal, VoteMethod, VoteSchema};
    let kind = SessionKind::Vote(VoteSchema {
        method: VoteMethod::Plurality,
        options: options(3),
        reveal: Reveal::Tally,
        max_approvals: None,
        max_score: None,
    });
    let text = serde_json::to_string(&kind).unwrap();
    assert!(text.starts_with(r#"{"kind":"vote","schema":{"#), "{text}");
    assert_eq!(serde_json::from_str::<SessionKind>(&text).unwrap(), kind);
    let value = serde_json::to_value(&kind).unwrap();
    assert_eq!(serde_json::from_value::<SessionKind>(value).unwrap(), kind);
    let extra = text.replacen(r#"{"kind""#, r#"{"note":[1,{"a":2}],"kind""#, 1);
    assert_eq!(serde_json::from_str::<SessionKind>(&extra).unwrap(), kind);
    let schema = r#"{"method":"plurality","options":["A","B"],"reveal":"tally"}"#;
    for (text, error) in [
        (
            format!(r#"{{"schema":{schema},"kind":"vote"}}"#),
            "`kind` must come before `schema`",
        ),
        (
            format!(r#"{{"kind":"poll","schema":{schema}}}"#),
            "unknown variant `poll`",
        ),
        (r#"{"kind":"vote"}"#.to_string(), "missing field `schema`"),
        ("{}".to_string(), "missing field `kind`"),
        (
            format!(r#"{{"kind":"vote","kind":"vote","schema":{schema}}}"#),
            "duplicate field `kind`",
        ),
        (
            format!(r#"{{"kind":"vote","schema":{schema},"schema":{schema}}}"#),
            "duplicate field `schema`",
        ),
        (
            r#"{"kind":"vote","schema":{"method":"plurality"}}"#.to_string(),
            "missing field `options`",
        ),
        (r#""vote""#.to_string(), "invalid type"),
    ] {
        let e = serde_json::from_str::<SessionKind>(&text)
            .unwrap_err()
            .to_string();
        assert!(e.contains(error), "{text}: {e}");
    }
}

/// A ballot with more bits than one proof chunk (17 options ranked: 289
/// bits, chunks of 256 and 33): honest ballots count, and a non-bit in
/// either chunk is excluded, with or without the proof a cheater computes.
#[test]
fn ballots_of_two_proof_chunks_are_checked_chunk_by_chunk() {
    let spec = VoteSpec {
        method: Method::Borda,
        options: options(17),
        winner_only: false,
        min_submissions: 1,
        dp_milli: None,
    };
    let enc = vote::encoding(&spec.schema());
    let bits = enc.bit_entries();
    assert!(bits.len() > crate::apps::bit_proof::CHUNK);
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let honest: Vec<Vec<Fp>> = (0..4)
        .map(|_| {
            vote::encode(
                &spec.schema(),
                &random_answer(&spec.method, &spec.options, &mut rng),
            )
            .unwrap()
        })
        .collect();
    let mut all = honest.clone();
    for (entry, reprove) in [
        (bits[3], false),
        (bits[300 % bits.len()], true),
        (bits[bits.len() - 1], true),
    ] {
        let mut f = honest[0].clone();
        f[entry] = Fp::from(2u64);
        if reprove {
            enc.prove(&mut f);
        }
        assert!(!enc.is_valid(&f));
        all.push(f);
    }
    let got = run_vote(&spec, &all, 3);
    assert_eq!(got["valid"], json!(4));
    assert_eq!(got["invalid"], json!(3));
    assert_eq!(
        got["result"]["scores"],
        vote::tally_json(&spec.options, &reference(&spec, &honest))
    );
}
