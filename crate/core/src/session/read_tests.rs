//! The hand-written manifest reader against serde's: the same manifests
//! accepted, the same ones refused, for the same reason where the two can
//! tell (malformed or not canonical).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::apps::SessionKind;
use crate::apps::budget::BudgetSchema;
use crate::apps::check::CheckSpec;
use crate::apps::survey::{AnswerKind, Question, SurveySchema};
use crate::session::tests::{member_keys, sample_manifest};
use crate::session::{DpPolicy, Epsilon, Manifest, Reveal, SessionError, VoteMethod, VoteSchema};

fn new(bytes: &[u8]) -> Result<Manifest, SessionError> {
    Manifest::from_canonical_bytes_with(bytes, super::manifest)
}

fn old(bytes: &[u8]) -> Result<Manifest, SessionError> {
    Manifest::from_canonical_bytes_with(bytes, Manifest::read_json_serde)
}

/// Both readers give the same manifest, or both refuse for the same
/// reason (category only: the messages differ).
fn agree(bytes: &[u8]) {
    let (a, b) = (new(bytes), old(bytes));
    match (&a, &b) {
        (Ok(x), Ok(y)) => assert_eq!(x, y),
        (Err(x), Err(y)) => assert_eq!(
            std::mem::discriminant(x),
            std::mem::discriminant(y),
            "{x:?} / {y:?} for {}",
            String::from_utf8_lossy(bytes)
        ),
        _ => panic!(
            "readers disagree: {a:?} / {b:?} for {}",
            String::from_utf8_lossy(bytes)
        ),
    }
    // Where serde's reader reads the JSON, the hand-written one reads the
    // same values (the documented exceptions are not in these inputs).
    if let Ok(y) = Manifest::read_json_serde(bytes) {
        assert_eq!(super::manifest(bytes).ok(), Some(y));
    }
}

fn question(id: &str, answer: AnswerKind, optional: bool, description: Option<&str>) -> Question {
    Question {
        id: id.into(),
        text: format!("Question {id}?"),
        description: description.map(Into::into),
        answer,
        optional,
    }
}

/// One valid manifest of every kind and answer type, with every optional
/// field both present and absent somewhere.
fn manifests() -> Vec<Manifest> {
    let keys = member_keys(3);
    let base = sample_manifest(&keys, 1);
    let mut out = vec![base.clone()];
    let with = |kind: SessionKind| {
        let mut m = base.clone();
        m.kind = kind;
        m
    };
    let vote = |method, reveal, max_approvals, max_score| {
        SessionKind::Vote(VoteSchema {
            method,
            options: vec!["Ä \"quoted\"".into(), "back\\slash /".into(), "😀".into()],
            reveal,
            max_approvals,
            max_score,
        })
    };
    out.push(with(vote(
        VoteMethod::Approval,
        Reveal::Winner,
        Some(2),
        None,
    )));
    out.push(with(vote(VoteMethod::Approval, Reveal::Tally, None, None)));
    out.push(with(vote(VoteMethod::Score, Reveal::Tally, None, Some(5))));
    out.push(with(vote(VoteMethod::Borda, Reveal::Winner, None, None)));
    out.push(with(vote(VoteMethod::Irv, Reveal::Tally, None, None)));
    let survey = SurveySchema {
        questions: vec![
            question(
                "age",
                AnswerKind::Number {
                    min: -50,
                    max: 990,
                    decimals: 1,
                    buckets: vec![0, 500],
                },
                false,
                Some("In years.\nRounded."),
            ),
            question(
                "n",
                AnswerKind::Number {
                    min: 0,
                    max: 10,
                    decimals: 0,
                    buckets: vec![],
                },
                true,
                None,
            ),
            question(
                "color",
                AnswerKind::Choice {
                    options: vec!["red".into(), "green".into()],
                },
                false,
                None,
            ),
            question(
                "pets",
                AnswerKind::Multi {
                    options: vec!["cat".into(), "dog".into(), "fish".into()],
                    max_selections: Some(2),
                },
                true,
                None,
            ),
            question(
                "tools",
                AnswerKind::Multi {
                    options: vec!["a".into(), "b".into()],
                    max_selections: None,
                },
                false,
                None,
            ),
            question("stars", AnswerKind::Rating { scale: 5 }, false, None),
            question("ok", AnswerKind::Yesno, false, None),
        ],
        crosstabs: vec![("color".into(), "ok".into())],
    };
    let mut s = with(SessionKind::Survey(survey));
    s.description = Some("Line one\nline two, é".into());
    s.policy.min_cell = Some(3);
    s.deadlines.opens_at = Some(1_700_000_000);
    out.push(s.clone());
    for milli in [1, 125, 500, 1000, 2500, 100_000] {
        let mut d = s.clone();
        d.policy.dp = Some(DpPolicy {
            epsilon: Epsilon::from_milli(milli).unwrap(),
        });
        out.push(d);
    }
    out.push(with(SessionKind::Budget(BudgetSchema {
        total: 1_000_000,
        projects: vec!["park".into(), "library".into()],
    })));
    out.push(with(SessionKind::Check(CheckSpec {
        comparisons: 1000,
        bits: 32,
    })));
    out
}

#[test]
fn every_kind_reads_back_the_same_with_both_readers() {
    for m in manifests() {
        let bytes = m.to_canonical_bytes().unwrap();
        assert_eq!(new(&bytes).as_ref(), Ok(&m));
        assert_eq!(old(&bytes), Ok(m));
    }
}

#[test]
fn edited_manifests_are_refused_alike() {
    let texts: Vec<String> = manifests()
        .iter()
        .map(|m| String::from_utf8(m.to_canonical_bytes().unwrap()).unwrap())
        .collect();
    let survey = texts
        .iter()
        .find(|t| t.contains(r#""dp":{"epsilon":0.125}"#))
        .unwrap();
    // Each `from` replaced once by each `to` in the survey with ε = 0.125.
    let edits: &[(&str, &[&str])] = &[
        (":", &[": "]),
        (
            r#"{"version":2,"#,
            &[
                r#"{ "version":2,"#,
                r#"{"version":2,"version":2,"#,
                r#"{"version":2,"extra":null,"#,
                r#"{"version":"2","#,
                r#"{"version":2.0,"#,
                r#"{"version":2e0,"#,
                r#"{"version":02,"#,
                r#"{"version":-0,"#,
                r#"{"version":-2,"#,
                r#"{"version":4294967296,"#,
                r#"{"version":null,"#,
                r#"{"#,
            ],
        ),
        (
            r#""threshold":1"#,
            &[r#""threshold":65536"#, r#""threshold":1,"threshold":1"#],
        ),
        (
            r#""opens_at":1700000000"#,
            &[r#""opens_at":null"#, r#""opens_at":18446744073709551616"#],
        ),
        (r#""opens_at":1700000000,"#, &[""]),
        (r#""min_cell":3"#, &[r#""min_cell":null"#]),
        (
            r#""epsilon":0.125"#,
            &[
                r#""epsilon":0.1250"#,
                r#""epsilon":125e-3"#,
                r#""epsilon":0.0001"#,
                r#""epsilon":0"#,
                r#""epsilon":-0.125"#,
                r#""epsilon":100.001"#,
                r#""epsilon":1e400"#,
                r#""epsilon":"0.125""#,
                r#""epsilon":0.125,"x":1"#,
            ],
        ),
        (
            r#""kind":{"kind":"survey","#,
            &[
                r#""kind":{"kind":"poll","#,
                r#""kind":{"kind":"vote","#,
                r#""kind":{"kind":"survey","kind":"survey","#,
                r#""kind":{"other":[1,{"a":"b"}],"kind":"survey","#,
                r#""kind":{"#,
                r#""kind":{"kind":null,"#,
            ],
        ),
        (
            r#""type":"number""#,
            &[r#""type":"integer""#, r#""type":null"#],
        ),
        (
            r#""type":"number","#,
            &[
                "",
                r#""type":"number","unknown":[[]],"#,
                r#""type":"number","scale":"x","#,
                r#""type":"number","max_selections":null,"#,
                r#""type":"number","options":null,"#,
            ],
        ),
        (
            r#""min":-50"#,
            &[r#""min":-9223372036854775809"#, r#""min":-5,"min":-50"#],
        ),
        (r#""decimals":1"#, &[r#""decimals":256"#]),
        (r#""buckets":[0,500]"#, &[r#""buckets":[0,"500"]"#]),
        (
            r#""type":"rating","scale":5"#,
            &[r#""scale":5,"type":"rating""#, r#""type":"rating""#],
        ),
        (r#""type":"multi","#, &[r#""type":"choice","#]),
        (r#""max_selections":2"#, &[r#""max_selections":null"#]),
        (r#""optional":false"#, &[r#""optional":0"#]),
        (r#","optional":false}"#, &["}"]),
        (
            r#"["color","ok"]"#,
            &[r#"["color","ok","x"]"#, r#"["color"]"#, r#"{"color":"ok"}"#],
        ),
        (r#""crosstabs":[["color","ok"]]"#, &[r#""crosstabs":[]"#]),
        (
            r#""text":"Question age?""#,
            &[
                r#""text":"Question\u0020age?""#,
                r#""text":"Question\/age?""#,
                r#""text":"Question\ud800age?""#,
                r#""text":"Question\udc00\ud800?""#,
                r#""text":"Question\ud83d\ude00?""#,
                r#""text":"Question\x?""#,
                r#""text":"Question	age?""#,
                r#""text":"Question age?\u00""#,
                r#""text":["Question age?"]"#,
            ],
        ),
        (r#""members":["#, &[r#""members":[null,"#]),
        (
            r#""name":"member-1""#,
            &[
                r#""name":"member-1","name":"member-1""#,
                r#""nom":"member-1""#,
            ],
        ),
        ("\"relay_url\"", &["\"relay_url \"", "\"relay_url\" "]),
        ("\"}", &["\"} ", "\"}x", "\"}}", "\""]),
    ];
    for (from, tos) in edits {
        assert!(survey.contains(from), "{from}");
        for to in *tos {
            agree(survey.replacen(from, to, 1).as_bytes());
        }
    }
    // Every prefix, and every single byte replaced by a few others, of
    // the vote and of the survey (every field type).
    for text in [&texts[0], survey] {
        let b = text.as_bytes();
        for end in 0..b.len() {
            agree(&b[..end]);
        }
        for at in 0..b.len() {
            for c in [b'"', b'{', b']', b'0', b'-', b'x', b' ', b'\\', 0xff] {
                let mut v = b.to_vec();
                v[at] = c;
                agree(&v);
            }
        }
    }
    // Deep nesting: refused, not a stack overflow. serde skipped an
    // unknown key's value however deep (without recursion) and then found
    // the bytes not canonical; this reader stops at 128 levels, malformed.
    for depth in [100, 126, 127, 128, 129, 5000] {
        let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let ignored = survey.replacen(r#""kind":{"#, &format!(r#""kind":{{"x":{nested},"#), 1);
        assert!(new(ignored.as_bytes()).is_err() && old(ignored.as_bytes()).is_err());
        agree(nested.as_bytes());
    }
    for junk in [
        &b""[..],
        b" ",
        b"null",
        b"{}",
        b"[]",
        b"\"x\"",
        b"\xff",
        b"{\"version\"",
    ] {
        agree(junk);
    }
}

#[test]
fn forms_serde_read_and_the_canonical_check_refused_are_still_refused() {
    // serde read a struct from an array of its fields and a unit variant
    // from `{"tag": null}`, then refused the bytes as not canonical; the
    // hand-written reader refuses the first as malformed. Either way the
    // manifest is refused.
    let text = String::from_utf8(manifests()[0].to_canonical_bytes().unwrap()).unwrap();
    let array_struct = text.replacen(
        r#""deadlines":{"opens_at":null,"closes_at":1800000000}"#,
        r#""deadlines":[null,1800000000]"#,
        1,
    );
    assert_ne!(array_struct, text);
    assert_eq!(
        old(array_struct.as_bytes()),
        Err(SessionError::NonCanonical)
    );
    assert!(matches!(
        new(array_struct.as_bytes()),
        Err(SessionError::Malformed(_))
    ));
    let map_variant = text.replacen(
        r#""method":"plurality""#,
        r#""method":{"plurality":null}"#,
        1,
    );
    assert_ne!(map_variant, text);
    assert_eq!(old(map_variant.as_bytes()), Err(SessionError::NonCanonical));
    assert_eq!(new(map_variant.as_bytes()), Err(SessionError::NonCanonical));
    // Both read an ε within a millionth of a thousandth as that
    // thousandth, which is then not the canonical spelling.
    let mut m = manifests()[0].clone();
    m.policy.dp = Some(DpPolicy {
        epsilon: Epsilon::from_milli(500).unwrap(),
    });
    let text = String::from_utf8(m.to_canonical_bytes().unwrap()).unwrap();
    let close = text.replacen(r#""epsilon":0.5"#, r#""epsilon":0.5000000001"#, 1);
    assert_ne!(close, text);
    assert_eq!(old(close.as_bytes()), Err(SessionError::NonCanonical));
    assert_eq!(new(close.as_bytes()), Err(SessionError::NonCanonical));
}

/// The decimal ε reader against [`Epsilon::from_f64`] (serde's path): the
/// same thousandths, or both refused.
#[test]
fn epsilon_reads_as_from_f64_does() {
    for text in [
        "0.30000000000000004",
        "0.1",
        "0.3",
        "1",
        "100",
        "0.001",
        "0.0005",
        "0.0009999999999",
        "0.0010000001",
        "0.00100001",
        "99.9999999999",
        "99.99999",
        "100.0000000001",
        "100.001",
        "12.3456",
        "1.0000001",
        "1.0000000001",
        "1.9999999999",
        "5e1",
        "5E-1",
        "0.5e-2",
        "125e-3",
        "1e-9",
        "1e-400",
        "1e400",
        "0",
        "0.0",
        "-1",
        "3.14159",
        "7.0000000000000009",
        "0.000000000000000000000000000000000000001",
        "100.0005",
        "150.1234",
        "1000.5",
        "1e9223372036854775805",
        "0.0e9223372036854775807",
        "1.0000e-9223372036854775808",
        "1e-9223372036854775808",
        "9e9223372036854775807",
    ] {
        let json = super::parse(text.as_bytes()).unwrap();
        let by_hand = super::epsilon(&json).map(|e| e.milli());
        let via_float = text
            .parse::<f64>()
            .ok()
            .map(Epsilon::from_f64)
            .map(|e| e.map(|e| e.milli()));
        match (by_hand, via_float) {
            (Ok(a), Some(Ok(b))) => assert_eq!(a, b, "{text}"),
            // The same reason, range or decimals.
            (Err(a), Some(Err(b))) => assert_eq!(a.to_string(), b, "{text}"),
            (a, b) => panic!("{text}: {a:?} / {b:?}"),
        }
    }
}
