//! Writes the committed seed inputs under `fuzz/seeds/<target>/`: valid
//! inputs the fuzzer would take long to find by itself (canonical
//! manifests, a signed manifest, a key file, answers, schemas, frames).
//!
//!     cd fuzz && cargo +nightly run --example make_seeds
//!
//! Deterministic: running it again rewrites the same bytes.

use std::fs;
use std::path::Path;

use sotto_core::keyfile::KdfParams;
use sotto_core::session::{Invite, ManifestHash, Role};
use sotto_fuzz::{
    SESSION, budget_schema, kinds, manifest, member, rng, signed_manifest, survey_schema,
};
use sotto_wire::{self, Bundle, CreateParams, Header, Kind, MintRequest, SessionId, TokenMode};

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(target);
    fs::create_dir_all(&dir).expect("create seed dir");
    fs::write(dir.join(name), bytes).expect("write seed");
}

fn main() {
    for (i, kind) in kinds().into_iter().enumerate() {
        let bytes = manifest(kind)
            .to_canonical_bytes()
            .expect("fixture manifest");
        write("manifest", &format!("kind-{i}"), &bytes);
    }
    write("signed_manifest", "fixture", &signed_manifest().to_bytes());

    let invite = Invite {
        base_url: "https://relay.example/join".into(),
        session_id: SESSION,
        manifest_hash: ManifestHash([0x11; 32]),
        token: Some("tok_EN-123".into()),
        role: Role::Participant,
    };
    write(
        "invite",
        "participant",
        invite.to_link().expect("link").as_bytes(),
    );

    let file = member(1)
        .to_keyfile("correct horse", KdfParams::INSECURE_FOR_TESTS, &mut rng(1))
        .expect("key file");
    // Mode byte 2: a raw file, tried with the right passphrase.
    let raw = [&[2u8][..], &file].concat();
    write("keyfile", "insecure-params", &raw);

    let answers: [(u8, &str); 8] = [
        (0, r#"{"choice": "B"}"#),
        (1, r#"{"approve": ["A", "D"]}"#),
        (2, r#"{"approve": ["A", "B", "C"]}"#),
        (3, r#"{"scores": {"A": 3, "C": 10}}"#),
        (4, r#"{"ranking": ["D", "A", "C", "B"]}"#),
        (5, r#"{"ranking": ["A", "B", "C", "D"]}"#),
        (
            6,
            r#"{"color": "red", "age": 42.5, "pets": ["cat"], "happy": true, "stars": 4}"#,
        ),
        (7, r#"{"park": 600, "library": 400}"#),
    ];
    for (pick, json) in answers {
        write(
            "answers",
            &format!("kind-{pick}"),
            &[&[pick], json.as_bytes()].concat(),
        );
    }

    let survey = serde_json::to_vec(&survey_schema()).expect("survey json");
    let budget = serde_json::to_vec(&budget_schema()).expect("budget json");
    let income = br#"{"min": 0, "max": 200000, "brackets": [0, 20000, 50000, 100000]}"#;
    let cases: [(u8, &[u8], &[u8]); 3] = [
        (0, &survey, answers[6].1.as_bytes()),
        (1, &budget, answers[7].1.as_bytes()),
        (2, income, br#"{"income": 35000}"#),
    ];
    for (kind, schema, answer) in cases {
        let bytes = [&[kind][..], schema, &[0], answer].concat();
        write("schemas", &format!("kind-{kind}"), &bytes);
    }

    let mut h = Header::new(Kind::Submit, SessionId([0xab; 16]));
    h.id = 42;
    write(
        "wire_frame",
        "submit",
        &sotto_wire::encode(&h, &Bundle::encode(&[b"one", b"two", b""])),
    );
    h.kind = Kind::Create;
    let create = CreateParams {
        members: 3,
        allow_resubmit: true,
        ..CreateParams::default()
    };
    write(
        "wire_frame",
        "create",
        &sotto_wire::encode(&h, &create.encode()),
    );
    h.kind = Kind::MintTokens;
    let mint = MintRequest {
        mode: TokenMode::SingleUse,
        count: 5,
        rate_per_min: 0,
    };
    write(
        "wire_frame",
        "mint",
        &sotto_wire::encode(&h, &mint.encode()),
    );
}
