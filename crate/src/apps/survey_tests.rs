//! Surveys end to end on the in-memory network against a plaintext
//! reference.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use serde_json::{Value, json};

use super::Policy;
use super::survey::{AnswerKind, Question, SurveySchema, encode, encoding};
use super::survey_tally::tally_survey;
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
    out.values[0].clone()
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
    for f in [&f1, &f2, &f3] {
        assert!(!enc.is_valid(f));
    }
    vectors.extend([f1, f2, f3]);
    let got = run(&s, Policy::min(5), &vectors);
    assert_eq!(got["valid"], json!(30));
    assert_eq!(got["invalid"], json!(3));
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
    assert_eq!(
        got["result"]["questions"]["c"]["histogram"],
        json!({"x": 5, "y": "suppressed", "z": "suppressed"})
    );
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
    use super::survey::decimal_string;
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
