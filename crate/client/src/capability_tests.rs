//! The hand-written capability reader against the derived one it replaced:
//! the same capabilities read, the same inputs refused.

use serde::Deserialize;

use super::Capability;

/// The reader the wasm package had, derived.
#[derive(Deserialize, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Derived {
    relay: String,
    session: String,
    manifest: String,
    organizer_key: String,
    organizer_token: String,
    read_token: String,
    member_tokens: Vec<String>,
    participant_tokens: Vec<String>,
}

fn fields(c: &Capability) -> Derived {
    Derived {
        relay: c.relay.clone(),
        session: c.session.clone(),
        manifest: c.manifest.clone(),
        organizer_key: c.organizer_key.clone(),
        organizer_token: c.organizer_token.clone(),
        read_token: c.read_token.clone(),
        member_tokens: c.member_tokens.clone(),
        participant_tokens: c.participant_tokens.clone(),
    }
}

/// Both readers accept `bytes` alike, and read the same values.
fn agree(bytes: &[u8]) {
    let new = Capability::from_json(bytes).map(|c| fields(&c));
    let old = serde_json::from_slice::<Derived>(bytes).ok();
    assert_eq!(
        new,
        old,
        "the readers disagree on {:?}",
        String::from_utf8_lossy(bytes)
    );
}

fn sample() -> Capability {
    Capability {
        relay: "ws://127.0.0.1:8080/ws".into(),
        session: "ab".repeat(16),
        manifest: "0a1b".repeat(8),
        organizer_key: "11".repeat(32),
        organizer_token: "22".repeat(32),
        read_token: "33".repeat(32),
        member_tokens: vec!["44".repeat(32), "55".repeat(32)],
        participant_tokens: vec!["66".repeat(32)],
    }
}

const ARRAY_FORM: &str = r#"["ws://r", "s", "m", "k", "o", "r", ["a", "b"], []]"#;

#[test]
fn a_written_capability_reads_back() {
    let c = sample();
    let json = serde_json::to_string(&c).unwrap();
    assert!(Capability::from_json(json.as_bytes()) == Some(c));
    agree(json.as_bytes());
    let none = Capability {
        member_tokens: Vec::new(),
        participant_tokens: Vec::new(),
        ..sample()
    };
    agree(serde_json::to_string(&none).unwrap().as_bytes());
}

#[test]
fn edited_capabilities_are_read_or_refused_alike() {
    let json = serde_json::to_string(&sample()).unwrap();
    let mut cases: Vec<String> = vec![
        String::new(),
        "null".into(),
        "{}".into(),
        "[]".into(),
        "\"relay\"".into(),
        "42".into(),
        ARRAY_FORM.into(),
        ARRAY_FORM.replace("[]]", "[], 1]"),
        ARRAY_FORM.replace(", []]", "]"),
        ARRAY_FORM.replace("\"s\"", "1"),
        ARRAY_FORM.replace("[\"a\", \"b\"]", "[\"a\", 2]"),
        ARRAY_FORM.replace("[\"a\", \"b\"]", "\"a\""),
        format!("{json} "),
        format!(" {json}"),
        format!("{json}x"),
        format!("[{json}]"),
    ];
    let edits: &[(&str, &str)] = &[
        (r#""relay":"#, r#""relay":null,"relay":"#),
        (r#""relay":"#, r#""relay":"x","relay":"#),
        (r#""relay":"#, r#""other":1,"relay":"#),
        (r#""relay":"#, r#""Relay":"#),
        (r#""relay":"#, r#""rel\u0061y":"#),
        (r#""relay":"#, r#""organizer_key":"x","relay":"#),
        (r#""relay":"ws://127.0.0.1:8080/ws","#, ""),
        (r#""relay":"ws://127.0.0.1:8080/ws""#, r#""relay":null"#),
        (r#""relay":"ws://127.0.0.1:8080/ws""#, r#""relay":1"#),
        (r#""relay":"ws://127.0.0.1:8080/ws""#, r#""relay":["x"]"#),
        (r#""relay":"ws://127.0.0.1:8080/ws""#, r#""relay":{"a":1}"#),
        (r#""relay":"ws://127.0.0.1:8080/ws""#, r#""relay":"\ud800""#),
        (r#""relay":"ws://127.0.0.1:8080/ws""#, r#""relay":"a\nb""#),
        (
            r#""relay":"ws://127.0.0.1:8080/ws""#,
            r#""relay":"\u00e9\"""#,
        ),
        (r#""memberTokens":["#, r#""memberTokens":[null,"#),
        (r#""memberTokens":["#, r#""memberTokens":[1.5,"#),
        (r#""memberTokens":["#, r#""memberTokens":[[],"#),
        (
            r#""participantTokens":["#,
            r#""participantTokens":"x","y":["#,
        ),
        (
            r#""participantTokens":"#,
            r#""participantTokens":null,"z":"#,
        ),
        ("}", ",}"),
        ("}", ",\"extra\":{}}"),
        ("}", "}}"),
        ("{", "{{"),
        (":", " : "),
        (",", " ,\n"),
    ];
    for (from, to) in edits {
        assert!(json.contains(from), "{from} is in the sample");
        cases.push(json.replacen(from, to, 1));
    }
    // A value nested deeper than the readers go, where a field and where
    // an unknown key is.
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    cases.push(json.replacen(
        r#""relay":"ws://127.0.0.1:8080/ws""#,
        &format!(r#""relay":{deep}"#),
        1,
    ));
    cases.push(json.replacen("}", &format!(r#","x":{deep}}}"#), 1));
    assert!(Capability::from_json(ARRAY_FORM.as_bytes()).is_some());
    for case in &cases {
        agree(case.as_bytes());
    }
    // Every prefix, and every byte replaced by a few others.
    let bytes = json.as_bytes();
    for n in 0..bytes.len() {
        agree(&bytes[..n]);
    }
    for i in 0..bytes.len() {
        for c in [b'"', b'{', b'[', b']', b'0', b',', b'x', b' ', b'\\', 0xff] {
            let mut edited = bytes.to_vec();
            edited[i] = c;
            agree(&edited);
        }
    }
    let array = ARRAY_FORM.as_bytes();
    for n in 0..array.len() {
        agree(&array[..n]);
    }
    for i in 0..array.len() {
        for c in [b'"', b'{', b'[', b']', b'0', b',', b'x', b' '] {
            let mut edited = array.to_vec();
            edited[i] = c;
            agree(&edited);
        }
    }
}
