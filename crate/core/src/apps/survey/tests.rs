//! Surveys end to end on the in-memory network against a plaintext
//! reference.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use serde_json::{Value, json};

use super::tally::tally_survey;
use super::{AnswerKind, Question, SurveySchema, encode, encoding};
use crate::apps::Policy;
use crate::engine::Committee;
use crate::engine::network::Network;
use crate::field::Fp;
use crate::share::deal;

fn schema() -> SurveySchema {
    let q = |id: &str, answer: AnswerKind, optional: bool| Question {
        id: id.into(),
        text: id.into(),
        answer,
        optional,
        description: None,
    };
    SurveySchema {
        questions: vec![
            q(
                "age",
                AnswerKind::Number {
                    min: 18,
                    max: 99,
                    decimals: 0,
                    buckets: vec![18, 30, 50, 70],
                },
                false,
            ),
            q(
                "hours",
                AnswerKind::Number {
                    min: 0,
                    max: 400,
                    decimals: 1,
                    buckets: vec![],
                },
                true,
            ),
            q(
                "color",
                AnswerKind::Choice {
                    options: vec!["red".into(), "green".into(), "blue".into()],
                },
                false,
            ),
            q(
                "tools",
                AnswerKind::Multi {
                    options: vec!["a".into(), "b".into(), "c".into()],
                    max_selections: Some(2),
                },
                true,
            ),
            q("stars", AnswerKind::Rating { scale: 5 }, false),
            q("agree", AnswerKind::Yesno, true),
        ],
        crosstabs: vec![("color".into(), "agree".into())],
    }
}

fn random_answers(rng: &mut ChaCha20Rng) -> Value {
    let r = |rng: &mut ChaCha20Rng, k: u32| rng.next_u32() % k;
    let color = ["red", "green", "blue"][r(rng, 3) as usize];
    let mut a = json!({ "age": 18 + r(rng, 82), "color": color, "stars": 1 + r(rng, 5) });
    if r(rng, 4) != 0 {
        a["hours"] = json!(r(rng, 401) as f64 / 10.0);
    }
    if r(rng, 3) != 0 {
        let picks: Vec<&str> = ["a", "b", "c"]
            .into_iter()
            .filter(|_| r(rng, 3) == 0)
            .take(2)
            .collect();
        a["tools"] = json!(picks);
    }
    if r(rng, 5) != 0 {
        a["agree"] = json!(r(rng, 2) == 1);
    }
    a
}

fn type7(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - h.floor()) * (sorted[hi] - sorted[lo])
}

fn run(schema: &SurveySchema, policy: Policy, vectors: &[Vec<Fp>]) -> Value {
    run_counting(schema, policy, vectors).0
}

/// Also returns how many values each member saw opened in the clear.
fn run_counting(schema: &SurveySchema, policy: Policy, vectors: &[Vec<Fp>]) -> (Value, Vec<u64>) {
    let c = Committee::new(3);
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let dealt: Vec<Vec<_>> = vectors
        .iter()
        .map(|v| deal(v, 3, 1, &mut rng).unwrap())
        .collect();
    let out = Network::new(c, 3)
        .run(|ctx| {
            let subs: Vec<_> = dealt.iter().map(|d| d[ctx.me() - 1].clone()).collect();
            let schema = schema.clone();
            async move { Ok(tally_survey(&ctx, &schema, policy, &subs).await?.to_json()) }
        })
        .unwrap();
    assert!(out.values.iter().all(|v| *v == out.values[0]));
    (
        out.values[0].clone(),
        out.stats.iter().map(|s| s.revealed).collect(),
    )
}

#[test]
fn survey_results_match_plaintext_and_forgeries_are_excluded() {
    let s = schema();
    s.validate().unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let answers: Vec<Value> = (0..30).map(|_| random_answers(&mut rng)).collect();
    let mut vectors: Vec<Vec<Fp>> = answers.iter().map(|a| encode(&s, a).unwrap()).collect();
    let (enc, layouts) = encoding(&s);
    // Forgeries: an age out of range without matching bits, two colors, a
    // "fractional" yes.
    let mut f1 = vectors[0].clone();
    f1[layouts[0].number.unwrap().0] = Fp::from(500u64);
    let mut f2 = vectors[0].clone();
    f2[layouts[2].first_option] = Fp::ONE;
    f2[layouts[2].first_option + 1] = Fp::ONE;
    let mut f3 = vectors[0].clone();
    f3[layouts[5].at] = Fp::from(2u64).inverse().unwrap();
    // An age moved to another bucket, every linear constraint repaired
    // (the slacks then cannot be spelled by bits).
    let cells = layouts[0].cells.unwrap();
    let held = (0..4).find(|i| vectors[0][cells + i] == Fp::ONE).unwrap();
    let other = (held + 1) % 4;
    let f4 = crate::apps::forge::shift_within_linear_constraints(
        &enc,
        &vectors[0],
        &[(cells + held, -Fp::ONE), (cells + other, Fp::ONE)],
    )
    .unwrap();
    let mut forged = vec![f1, f2, f3, f4];
    // Each also with the bit proof a cheater computes for its entries.
    enc.also_proved(&mut forged);
    for f in &forged {
        assert!(!enc.is_valid(f));
    }
    vectors.extend(forged);
    let got = run(&s, Policy::min(5), &vectors);
    assert_eq!(got["valid"], json!(30));
    assert_eq!(got["invalid"], json!(8));
    let q = &got["result"]["questions"];

    // Ages: count, mean, median, quartiles, buckets.
    let mut ages: Vec<f64> = answers.iter().map(|a| a["age"].as_f64().unwrap()).collect();
    ages.sort_by(f64::total_cmp);
    assert_eq!(q["age"]["count"], json!(30));
    assert_eq!(q["age"]["median"], json!(type7(&ages, 0.5)));
    assert_eq!(
        q["age"]["quartiles"],
        json!([type7(&ages, 0.25), type7(&ages, 0.5), type7(&ages, 0.75)])
    );
    let mean = ages.iter().sum::<f64>() / 30.0;
    assert!((q["age"]["mean"].as_f64().unwrap() - mean).abs() < 1e-9);
    let bucket = |lo: f64, hi: f64| ages.iter().filter(|a| **a >= lo && **a < hi).count();
    assert_eq!(
        q["age"]["histogram"],
        json!({"18": bucket(18.0, 30.0), "30": bucket(30.0, 50.0), "50": bucket(50.0, 70.0), "70": bucket(70.0, 100.0)})
    );
    // Hours: optional, one decimal.
    let mut hours: Vec<f64> = answers.iter().filter_map(|a| a["hours"].as_f64()).collect();
    hours.sort_by(f64::total_cmp);
    assert_eq!(q["hours"]["count"], json!(hours.len()));
    assert!((q["hours"]["median"].as_f64().unwrap() - type7(&hours, 0.5)).abs() < 1e-9);
    // Choice, multi, rating, yes/no histograms and the cross-tab.
    let count = |f: &dyn Fn(&Value) -> bool| answers.iter().filter(|a| f(a)).count();
    for c in ["red", "green", "blue"] {
        assert_eq!(
            q["color"]["histogram"][c],
            json!(count(&|a| a["color"] == c))
        );
        for (yes, label) in [(false, "no"), (true, "yes")] {
            let key = format!("{c}|{label}");
            assert_eq!(
                got["result"]["crosstabs"]["color x agree"][&key],
                json!(count(&|a| a["color"] == c && a["agree"] == yes))
            );
        }
    }
    for t in ["a", "b", "c"] {
        assert_eq!(
            q["tools"]["histogram"][t],
            json!(count(&|a| a["tools"]
                .as_array()
                .is_some_and(|l| l.contains(&json!(t)))))
        );
    }
    assert_eq!(
        q["tools"]["count"],
        json!(count(&|a| a.get("tools").is_some()))
    );
    let stars: u64 = answers.iter().map(|a| a["stars"].as_u64().unwrap()).sum();
    assert_eq!(q["stars"]["sum"], json!(stars));
    assert_eq!(
        q["agree"]["count"],
        json!(count(&|a| a.get("agree").is_some()))
    );
}

#[test]
fn small_cells_are_suppressed_and_nothing_opens_below_the_minimum() {
    let s = SurveySchema {
        questions: vec![Question {
            id: "c".into(),
            text: "c".into(),
            answer: AnswerKind::Choice {
                options: vec!["x".into(), "y".into(), "z".into()],
            },
            optional: false,
            description: None,
        }],
        crosstabs: vec![],
    };
    let v: Vec<Vec<Fp>> = ["x", "x", "x", "x", "y", "x"]
        .iter()
        .map(|c| encode(&s, &json!({"c": c})).unwrap())
        .collect();
    let got = run(
        &s,
        Policy {
            min_cell: Some(3),
            ..Policy::min(5)
        },
        &v,
    );
    // y and z are small; x is the smallest other cell, so it is
    // suppressed beside them (complementary suppression): every cell of
    // the histogram is then hidden, and the count stays.
    assert_eq!(
        got["result"]["questions"]["c"]["histogram"],
        json!({"x": "suppressed", "y": "suppressed", "z": "suppressed"})
    );
    assert_eq!(got["result"]["questions"]["c"]["count"], json!(6));
    assert_hidden(&got["result"]["questions"]["c"]["histogram"], 6, 3);
    let got = run(&s, Policy::min(7), &v);
    assert_eq!(got["result"], json!({"suppressed": "too few submissions"}));
}

#[test]
fn bad_survey_answers_get_clear_errors() {
    let s = schema();
    let e = encode(&s, &json!({"color": "red", "stars": 3})).unwrap_err();
    assert_eq!(e.to_string(), "the answer needs a \"age\" field");
    let e = encode(&s, &json!({"age": 17, "color": "red", "stars": 3})).unwrap_err();
    assert_eq!(e.to_string(), "question age: answer from 18 to 99");
    let e = encode(
        &s,
        &json!({"age": 20, "hours": 1.25, "color": "red", "stars": 3}),
    )
    .unwrap_err();
    assert!(e.to_string().contains("at most 1 digits"));
    let e = encode(
        &s,
        &json!({"age": 20, "color": "red", "stars": 3, "tools": ["a", "b", "c"]}),
    )
    .unwrap_err();
    assert!(e.to_string().contains("select at most 2"));
    assert!(
        encode(
            &s,
            &json!({"age": 20, "color": "red", "stars": 3, "nope": 1})
        )
        .is_err()
    );
}

#[test]
fn differential_privacy_noises_counts_and_sums_and_withholds_quantiles() {
    let s = schema();
    let mut rng = ChaCha20Rng::seed_from_u64(21);
    let answers: Vec<Value> = (0..40).map(|_| random_answers(&mut rng)).collect();
    let vectors: Vec<Vec<Fp>> = answers.iter().map(|a| encode(&s, a).unwrap()).collect();
    let exact = run(&s, Policy::min(5), &vectors);
    let flat = |v: &Value| -> Vec<f64> {
        let q = &v["result"]["questions"];
        let mut out = Vec::new();
        for id in ["age", "hours", "color", "tools", "stars", "agree"] {
            out.push(q[id]["count"].as_f64().unwrap());
            if let Some(h) = q[id]["histogram"].as_object() {
                out.extend(h.values().map(|c| c.as_f64().unwrap()));
            }
        }
        out.push(q["stars"]["sum"].as_f64().unwrap());
        out.push(q["age"]["sum"].as_f64().unwrap());
        out
    };
    // A loose budget: noise present but small (scale 1 per group here).
    let loose = run(
        &s,
        Policy {
            dp_milli: Some(100_000),
            ..Policy::min(5)
        },
        &vectors,
    );
    assert_eq!(loose["valid"], json!(40));
    assert_eq!(loose["result"]["dp"], json!({"epsilon": 100.0}));
    let q = &loose["result"]["questions"];
    assert!(q["age"].get("median").is_none() && q["age"].get("quartiles").is_none());
    assert!(q["age"].get("mean").is_some());
    let (e, n) = (flat(&exact), flat(&loose));
    assert_eq!(e.len(), n.len());
    // Age sums have scale ceil(81 * groups / 100); everything else scale 1.
    assert!(
        e.iter().zip(&n).all(|(a, b)| (a - b).abs() <= 400.0),
        "{e:?} vs {n:?}"
    );
    // One-hot counts are the sums of their (noisy) cells: consistent output.
    let color = &q["color"]["histogram"];
    let cells: u64 = ["red", "green", "blue"]
        .iter()
        .map(|c| color[c].as_u64().unwrap())
        .sum();
    assert_eq!(q["color"]["count"].as_u64().unwrap(), cells);
    // A tight budget: the released values move.
    let tight = run(
        &s,
        Policy {
            dp_milli: Some(100),
            ..Policy::min(5)
        },
        &vectors,
    );
    assert_ne!(flat(&tight), e, "no noise was added");
}

#[test]
fn differential_privacy_with_min_cell_compares_noisy_cells_as_signed() {
    let s = SurveySchema {
        questions: vec![Question {
            id: "c".into(),
            text: "c".into(),
            answer: AnswerKind::Choice {
                options: vec!["x".into(), "y".into(), "z".into()],
            },
            optional: false,
            description: None,
        }],
        crosstabs: vec![],
    };
    // z is never chosen: its noisy count may be negative and must still
    // come out suppressed, not as a huge number.
    let v: Vec<Vec<Fp>> = (0..60)
        .map(|i| encode(&s, &json!({"c": if i % 3 == 0 { "y" } else { "x" }})).unwrap())
        .collect();
    let got = run(
        &s,
        Policy {
            min_cell: Some(5),
            dp_milli: Some(50_000),
            ..Policy::min(5)
        },
        &v,
    );
    let h = &got["result"]["questions"]["c"]["histogram"];
    assert_eq!(h["z"], json!("suppressed"), "{got}");
    let x = h["x"].as_i64().unwrap();
    assert!((x - 40).abs() <= 20, "{got}");
}

#[test]
fn decimal_strings_are_exact_and_trimmed() {
    use super::decimal_string;
    let cases = [
        (0, 0, "0"),
        (42, 0, "42"),
        (1250, 2, "12.5"),
        (300, 2, "3"),
        (5, 2, "0.05"),
        (-5, 1, "-0.5"),
        (-1200, 3, "-1.2"),
        (i64::MIN, 0, "-9223372036854775808"),
        (i64::MAX, 18, "9.223372036854775807"),
    ];
    for (units, decimals, want) in cases {
        assert_eq!(decimal_string(units, decimals), want, "{units} {decimals}");
    }
}

fn one_question(id: &str, answer: AnswerKind, optional: bool) -> Question {
    Question {
        id: id.into(),
        text: id.into(),
        answer,
        optional,
        description: None,
    }
}

fn min_cell(m: u64) -> Policy {
    Policy {
        min_cell: Some(m),
        ..Policy::min(5)
    }
}

/// Checks, by enumerating every histogram consistent with what was
/// published (the open cells, the total, which cells read "suppressed",
/// and the suppression rule itself), that every suppressed cell could
/// have at least two values: none can be derived.
fn assert_hidden(hist: &Value, total: u64, m: u64) {
    let cells: Vec<Option<u64>> = hist
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64())
        .collect();
    let hidden: Vec<usize> = (0..cells.len()).filter(|i| cells[*i].is_none()).collect();
    if hidden.is_empty() {
        return;
    }
    let rest = total - cells.iter().flatten().sum::<u64>();
    let mut seen: Vec<std::collections::BTreeSet<u64>> = vec![Default::default(); cells.len()];
    let mut guess = vec![0u64; hidden.len()];
    loop {
        if guess.iter().sum::<u64>() == rest {
            let mut full: Vec<u64> = cells.iter().map(|c| c.unwrap_or(0)).collect();
            for (i, g) in hidden.iter().zip(&guess) {
                full[*i] = *g;
            }
            // The rule: small cells, plus every other cell equal to the
            // smallest other cell when any cell is small.
            let small: Vec<bool> = full.iter().map(|c| *c < m).collect();
            let least = full.iter().filter(|c| **c >= m).min().copied();
            let rule: Vec<usize> = (0..full.len())
                .filter(|i| small[*i] || (small.contains(&true) && Some(full[*i]) == least))
                .collect();
            if rule == hidden {
                for (i, g) in hidden.iter().zip(&guess) {
                    seen[*i].insert(*g);
                }
            }
        }
        // Next guess (odometer over [0, rest]).
        let mut k = 0;
        while k < guess.len() && guess[k] == rest {
            guess[k] = 0;
            k += 1;
        }
        if k == guess.len() {
            break;
        }
        guess[k] += 1;
    }
    for i in hidden {
        assert!(
            seen[i].len() >= 2,
            "cell {i} of {hist} is derivable: {:?}",
            seen[i]
        );
    }
}

#[test]
fn a_small_cell_cannot_be_derived_from_the_count_and_the_other_cells() {
    let s = SurveySchema {
        questions: vec![one_question(
            "c",
            AnswerKind::Choice {
                options: vec!["x".into(), "y".into(), "z".into()],
            },
            false,
        )],
        crosstabs: vec![],
    };
    let answers = |counts: [usize; 3]| -> Vec<Vec<Fp>> {
        let mut out = Vec::new();
        for (c, k) in ["x", "y", "z"].iter().zip(counts) {
            out.extend((0..k).map(|_| encode(&s, &json!({ "c": c })).unwrap()));
        }
        out
    };
    // The issue's case: 4, 4, 1 used to publish 4, 4 and the count 9.
    let (got, seen) = run_counting(&s, min_cell(3), &answers([4, 4, 1]));
    let q = &got["result"]["questions"]["c"];
    assert_eq!(
        q["histogram"],
        json!({"x": "suppressed", "y": "suppressed", "z": "suppressed"})
    );
    assert_eq!(q["count"], json!(9));
    assert_hidden(&q["histogram"], 9, 3);
    // Opened: 9 validity flags, 3 suppression flags, the count.
    assert_eq!(seen, vec![9 + 3 + 1; 3]);
    // 5, 4, 1: the 4 is suppressed beside the 1; the 5 opens.
    let (got, seen) = run_counting(&s, min_cell(3), &answers([5, 4, 1]));
    let q = &got["result"]["questions"]["c"];
    assert_eq!(
        q["histogram"],
        json!({"x": 5, "y": "suppressed", "z": "suppressed"})
    );
    assert_hidden(&q["histogram"], 10, 3);
    assert_eq!(seen, vec![10 + 3 + 1 + 1; 3]);
    // Nothing small: everything opens.
    let got = run(&s, min_cell(3), &answers([5, 4, 3]));
    assert_eq!(
        got["result"]["questions"]["c"]["histogram"],
        json!({"x": 5, "y": 4, "z": 3})
    );
}

#[test]
fn a_rating_with_a_suppressed_cell_withholds_its_sum_and_mean() {
    let s = SurveySchema {
        questions: vec![one_question("r", AnswerKind::Rating { scale: 3 }, false)],
        crosstabs: vec![],
    };
    // Count 10 and sum 5 + 8 + 3 = 16 would give the two hidden cells
    // (c2 + c3 = 5, 2 c2 + 3 c3 = 11).
    let v: Vec<Vec<Fp>> = [(1, 5), (2, 4), (3, 1)]
        .iter()
        .flat_map(|&(r, k)| (0..k).map(move |_| r))
        .map(|r| encode(&s, &json!({ "r": r })).unwrap())
        .collect();
    let got = run(&s, min_cell(3), &v);
    let q = &got["result"]["questions"]["r"];
    assert_eq!(
        q["histogram"],
        json!({"1": 5, "2": "suppressed", "3": "suppressed"})
    );
    assert_eq!(q["count"], json!(10));
    assert!(q.get("sum").is_none() && q.get("mean").is_none(), "{q}");
    // Without a suppressed cell the sum and mean are published.
    let got = run(&s, min_cell(1), &v);
    assert_eq!(got["result"]["questions"]["r"]["sum"], json!(16));
}

#[test]
fn a_crosstab_with_a_small_cell_is_suppressed_whole() {
    let s = SurveySchema {
        questions: vec![
            one_question(
                "color",
                AnswerKind::Choice {
                    options: vec!["red".into(), "green".into()],
                },
                false,
            ),
            one_question("agree", AnswerKind::Yesno, false),
        ],
        crosstabs: vec![("color".into(), "agree".into())],
    };
    // green|no = 1 is small; green = 5 and green|yes = 4 would give it.
    let v: Vec<Vec<Fp>> = [
        ("red", true, 4),
        ("red", false, 4),
        ("green", true, 4),
        ("green", false, 1),
    ]
    .iter()
    .flat_map(|&(c, a, k)| (0..k).map(move |_| (c, a)))
    .map(|(c, a)| encode(&s, &json!({ "color": c, "agree": a })).unwrap())
    .collect();
    let got = run(&s, min_cell(3), &v);
    let r = &got["result"];
    assert_eq!(
        r["questions"]["color"]["histogram"],
        json!({"red": 8, "green": 5})
    );
    assert_eq!(
        r["questions"]["agree"]["histogram"],
        json!({"no": 5, "yes": 8})
    );
    assert_eq!(
        r["crosstabs"]["color x agree"],
        json!({"red|no": "suppressed", "red|yes": "suppressed", "green|no": "suppressed", "green|yes": "suppressed"})
    );
    // With no small cell the cross-tab opens.
    let got = run(&s, min_cell(1), &v);
    assert_eq!(
        got["result"]["crosstabs"]["color x agree"],
        json!({"red|no": 4, "red|yes": 4, "green|no": 1, "green|yes": 4})
    );
}

#[test]
fn a_suppressed_bucket_withholds_the_numbers_sum_mean_and_quartiles() {
    // The age question of the big schema: buckets from 18, 30, 50, 70.
    let s = SurveySchema {
        questions: vec![schema().questions[0].clone()],
        crosstabs: vec![],
    };
    let ages = [
        20, 21, 22, 23, 24, 31, 32, 33, 34, 51, 52, 53, 54, 55, 56, 80,
    ];
    let v: Vec<Vec<Fp>> = ages
        .iter()
        .map(|a| encode(&s, &json!({ "age": a })).unwrap())
        .collect();
    let got = run(&s, min_cell(3), &v);
    let q = &got["result"]["questions"]["age"];
    assert_eq!(
        q["histogram"],
        json!({"18": 5, "30": "suppressed", "50": 6, "70": "suppressed"})
    );
    assert_eq!(q["count"], json!(16));
    assert_hidden(&q["histogram"], 16, 3);
    for k in ["sum", "mean", "median", "quartiles"] {
        assert!(q.get(k).is_none(), "{k}: {q}");
    }
    let got = run(&s, min_cell(1), &v);
    assert_eq!(got["result"]["questions"]["age"]["median"], json!(33.5));
    // Two more answers of 70 and over: no bucket is small, and the
    // quartiles (searched with preprocessing shared with the suppression
    // decision) open.
    let mut more = v.clone();
    more.extend([81, 82].map(|a| encode(&s, &json!({ "age": a })).unwrap()));
    let got = run(&s, min_cell(3), &more);
    let q = &got["result"]["questions"]["age"];
    assert_eq!(q["histogram"], json!({"18": 5, "30": 4, "50": 6, "70": 3}));
    assert_eq!(q["median"], json!(42.5));
    assert_eq!(q["quartiles"], json!([25.75, 42.5, 54.75]));
}

#[test]
fn suppression_matches_the_plaintext_rule_on_random_histograms() {
    let options: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
    let s = SurveySchema {
        questions: vec![one_question(
            "c",
            AnswerKind::Choice {
                options: options.clone(),
            },
            true,
        )],
        crosstabs: vec![],
    };
    let mut rng = ChaCha20Rng::seed_from_u64(30);
    for _ in 0..8 {
        let mut counts: Vec<u64> = (0..5).map(|_| u64::from(rng.next_u32() % 7)).collect();
        if counts.iter().sum::<u64>() < 3 {
            counts[0] += 3; // at least 5 valid submissions with the skips
        }
        let mut v: Vec<Vec<Fp>> = Vec::new();
        for (o, k) in options.iter().zip(&counts) {
            v.extend((0..*k).map(|_| encode(&s, &json!({ "c": o })).unwrap()));
        }
        // Two skipped answers: the count is not the number of submissions.
        v.extend((0..2).map(|_| encode(&s, &json!({})).unwrap()));
        let got = run(&s, min_cell(3), &v);
        let q = &got["result"]["questions"]["c"];
        let least = counts.iter().filter(|c| **c >= 3).min();
        let any_small = counts.iter().any(|c| *c < 3);
        let want: serde_json::Map<String, Value> = options
            .iter()
            .zip(&counts)
            .map(|(o, c)| {
                let hide = *c < 3 || (any_small && Some(c) == least);
                (o.clone(), if hide { json!("suppressed") } else { json!(c) })
            })
            .collect();
        assert_eq!(q["histogram"], Value::Object(want), "{counts:?}");
        let total: u64 = counts.iter().sum();
        assert_eq!(q["count"], json!(total));
        assert_hidden(&q["histogram"], total, 3);
    }
}

/// The hand-written reader of `AnswerKind` takes the tag anywhere (a
/// draft's schema arrives with its keys sorted, `type` last), reads what
/// the derived reader read, and keeps serde's error messages.
#[test]
fn answer_kind_reads_in_any_key_order() {
    let read = |text: &str| serde_json::from_str::<AnswerKind>(text);
    let number = AnswerKind::Number {
        min: -5,
        max: 20,
        decimals: 1,
        buckets: vec![0, 10],
    };
    let first = r#"{"type":"number","min":-5,"max":20,"decimals":1,"buckets":[0,10]}"#;
    let last = r#"{"buckets":[0,10],"decimals":1,"max":20,"min":-5,"type":"number"}"#;
    assert_eq!(read(first).unwrap(), number);
    assert_eq!(read(last).unwrap(), number);
    assert_eq!(serde_json::to_string(&number).unwrap(), first);
    assert_eq!(
        read(r#"{"min":1,"max":3,"type":"number"}"#).unwrap(),
        AnswerKind::Number {
            min: 1,
            max: 3,
            decimals: 0,
            buckets: Vec::new()
        }
    );
    assert_eq!(
        read(r#"{"options":["a","b"],"type":"multi","max_selections":null}"#).unwrap(),
        AnswerKind::Multi {
            options: vec!["a".into(), "b".into()],
            max_selections: None
        }
    );
    assert_eq!(
        read(r#"{"type":"multi","options":["a"],"max_selections":1}"#).unwrap(),
        AnswerKind::Multi {
            options: vec!["a".into()],
            max_selections: Some(1)
        }
    );
    assert_eq!(
        read(r#"{"scale":5,"type":"rating"}"#).unwrap(),
        AnswerKind::Rating { scale: 5 }
    );
    assert_eq!(
        read(r#"{"type":"choice","options":["x"]}"#).unwrap(),
        AnswerKind::Choice {
            options: vec!["x".into()]
        }
    );
    // Keys of other types, and unknown keys, are ignored as before.
    assert_eq!(
        read(r#"{"type":"yesno","scale":3,"note":true}"#).unwrap(),
        AnswerKind::Yesno
    );
    for (text, error) in [
        (r#"{"min":1,"max":3}"#, "missing field `type`"),
        (r#"{"type":"number","max":3}"#, "missing field `min`"),
        (r#"{"type":"choice"}"#, "missing field `options`"),
        (r#"{"type":"rating"}"#, "missing field `scale`"),
        (r#"{"type":"slider","scale":3}"#, "unknown variant `slider`"),
        (
            r#"{"type":"number","min":1,"max":3,"decimals":null}"#,
            "invalid type: null",
        ),
        (r#"{"type":"rating","scale":-1}"#, "invalid value"),
        (
            r#"{"type":"rating","scale":2,"scale":3}"#,
            "duplicate field `scale`",
        ),
    ] {
        let e = read(text).unwrap_err().to_string();
        assert!(e.contains(error), "{text}: {e}");
    }
}

/// An optional number question with buckets: the unanswered count in no
/// bucket, an answer on an edge counts in the bucket it opens, and the
/// answers below the first edge (above min) are in no bucket.
#[test]
fn buckets_of_an_optional_number_count_only_answers_from_the_first_edge() {
    let s = SurveySchema {
        questions: vec![one_question(
            "km",
            AnswerKind::Number {
                min: 0,
                max: 50,
                decimals: 0,
                buckets: vec![10, 20, 40],
            },
            true,
        )],
        crosstabs: Vec::new(),
    };
    s.validate().unwrap();
    let answers = [
        json!({"km": 10}),
        json!({}),
        json!({"km": 3}),
        json!({"km": 19}),
        json!({"km": 20}),
        json!({"km": 50}),
        json!({"km": null}),
        json!({"km": 0}),
    ];
    let vectors: Vec<Vec<Fp>> = answers.iter().map(|a| encode(&s, a).unwrap()).collect();
    let got = run(&s, Policy::min(1), &vectors);
    assert_eq!(got["valid"], json!(8));
    let q = &got["result"]["questions"]["km"];
    assert_eq!(q["count"], json!(6));
    assert_eq!(q["histogram"], json!({"10": 2, "20": 1, "40": 1}));
}
