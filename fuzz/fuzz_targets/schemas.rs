//! Survey and budget schemas as organizers write them (JSON), then
//! `validate`, and for a valid schema its encoding and an answer to it.
//! A schema that validates serializes and parses back to itself, and an
//! answer it accepts passes its own validity check.
//!
//! Input: a kind byte (survey, budget or income), then the schema JSON, a
//! zero byte (never part of JSON text), and the answer JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sotto_core::apps::budget::{self, BudgetSchema, IncomeSpec};
use sotto_core::apps::survey::{self, SurveySchema};

fn check_survey(s: &SurveySchema, answer: &serde_json::Value) {
    if s.validate().is_err() {
        return;
    }
    let text = serde_json::to_vec(s).expect("schema serializes");
    assert_eq!(
        &serde_json::from_slice::<SurveySchema>(&text).expect("parses back"),
        s
    );
    let (enc, layouts) = survey::encoding(s);
    assert_eq!(layouts.len(), s.questions.len());
    if let Ok(x) = survey::encode(s, answer) {
        assert!(enc.is_valid(&x));
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let (schema, answer) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let answer = serde_json::from_slice(answer).unwrap_or(serde_json::Value::Null);
    match kind % 3 {
        0 => {
            if let Ok(s) = serde_json::from_slice::<SurveySchema>(schema) {
                check_survey(&s, &answer);
            }
        }
        1 => {
            if let Ok(b) = serde_json::from_slice::<BudgetSchema>(schema)
                && b.validate().is_ok()
            {
                let text = serde_json::to_vec(&b).expect("schema serializes");
                assert_eq!(
                    serde_json::from_slice::<BudgetSchema>(&text).ok(),
                    Some(b.clone())
                );
                let enc = budget::encoding(&b);
                if let Ok(x) = budget::encode(&b, &answer) {
                    assert!(enc.is_valid(&x));
                }
            }
        }
        _ => {
            if let Ok(spec) = serde_json::from_slice::<IncomeSpec>(schema) {
                check_survey(&spec.to_survey(), &answer);
            }
        }
    }
});
