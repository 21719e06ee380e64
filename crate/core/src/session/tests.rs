//! Tests of manifests, signatures and invites, and a fixture shared with
//! the envelope tests.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::keyfile::MemberKeys;

/// Deterministic member keys: member i has secrets [i; 32] and [100 + i; 32].
pub(crate) fn member_keys(n: u8) -> Vec<MemberKeys> {
    (1..=n)
        .map(|i| MemberKeys::from_secret_bytes(&[i; 32], &[100 + i; 32]))
        .collect()
}

/// The organizer's signing key of the fixture.
pub(crate) fn organizer_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[0x42; 32])
}

/// A valid plurality-vote manifest for the given members and threshold.
pub(crate) fn sample_manifest(keys: &[MemberKeys], threshold: u16) -> Manifest {
    Manifest {
        version: MANIFEST_VERSION,
        session_id: SessionId([0x5a; 16]),
        title: "Board seat".into(),
        description: None,
        kind: SessionKind::Vote(VoteSchema {
            method: VoteMethod::Plurality,
            options: vec!["A".into(), "B".into(), "C".into()],
            reveal: Reveal::Tally,
            max_approvals: None,
            max_score: None,
        }),
        organizer: Ed25519PublicKey::from(&organizer_key().verifying_key()),
        committee: Committee {
            threshold,
            members: keys
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    let p = k.public();
                    CommitteeMember {
                        name: format!("member-{}", i + 1),
                        x25519: p.x25519,
                        ed25519: p.ed25519,
                    }
                })
                .collect(),
        },
        deadlines: Deadlines {
            opens_at: None,
            closes_at: Some(1_800_000_000),
        },
        policy: OutputPolicy::default(),
        relay_url: "wss://relay.example/ws".into(),
    }
}

/// The fixture signed and verified: 3 members, t = 1.
pub(crate) fn verified_fixture() -> (Vec<MemberKeys>, VerifiedManifest) {
    let keys = member_keys(3);
    let signed = SignedManifest::sign(&sample_manifest(&keys, 1), &organizer_key()).unwrap();
    let verified = verify_manifest(&signed.to_bytes(), &signed.hash()).unwrap();
    (keys, verified)
}

fn invalid_field(m: &Manifest) -> &'static str {
    match m.validate() {
        Err(SessionError::InvalidManifest { field, .. }) => field,
        other => panic!("expected InvalidManifest, got {other:?}"),
    }
}

#[test]
fn canonical_roundtrip_and_pinned_hash() {
    let keys = member_keys(3);
    let m = sample_manifest(&keys, 1);
    let bytes = m.to_canonical_bytes().unwrap();
    assert_eq!(Manifest::from_canonical_bytes(&bytes).unwrap(), m);
    let text = core::str::from_utf8(&bytes).unwrap();
    assert!(
        text.starts_with(r#"{"version":2,"session_id":"5a5a"#),
        "{text}"
    );
    assert!(text.contains(r#""kind":{"kind":"vote","schema":{"method":"plurality","options":["A","B","C"],"reveal":"tally"}}"#));
    assert_eq!(ManifestHash::of(&bytes).to_hex(), MANIFEST_HASH);
}

/// SHA-256 of the canonical bytes of `sample_manifest(&member_keys(3), 1)`.
const MANIFEST_HASH: &str = "c02c0632c8cae51e70b0783db3f7e37a607fa69ca72c01087d0b135ac758d9d8";

#[test]
fn non_canonical_encodings_are_refused() {
    let bytes = sample_manifest(&member_keys(3), 1)
        .to_canonical_bytes()
        .unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let spaced = text.replacen(':', ": ", 1);
    assert_eq!(
        Manifest::from_canonical_bytes(spaced.as_bytes()),
        Err(SessionError::NonCanonical)
    );
    let reordered = text.replacen(
        r#""method":"plurality","options":["A","B","C"]"#,
        r#""options":["A","B","C"],"method":"plurality""#,
        1,
    );
    assert_ne!(reordered, text);
    assert_eq!(
        Manifest::from_canonical_bytes(reordered.as_bytes()),
        Err(SessionError::NonCanonical)
    );
    let missing_null = text.replacen(r#""opens_at":null,"#, "", 1);
    assert_eq!(
        Manifest::from_canonical_bytes(missing_null.as_bytes()),
        Err(SessionError::NonCanonical)
    );
    let escaped = text.replacen(r#""Board seat""#, r#""Board\u0020seat""#, 1);
    assert_eq!(
        Manifest::from_canonical_bytes(escaped.as_bytes()),
        Err(SessionError::NonCanonical)
    );
    let extra = text.replacen(r#"{"version":2,"#, r#"{"version":2,"extra":0,"#, 1);
    assert!(matches!(
        Manifest::from_canonical_bytes(extra.as_bytes()),
        Err(SessionError::Malformed(_))
    ));
    assert!(matches!(
        Manifest::from_canonical_bytes(b"\xff\x00"),
        Err(SessionError::Malformed(_))
    ));
    assert!(matches!(
        Manifest::from_canonical_bytes(&vec![b' '; MAX_MANIFEST_LEN + 1]),
        Err(SessionError::TooLarge(_))
    ));
}

#[test]
fn validation_rules() {
    let keys = member_keys(5);
    let ok = sample_manifest(&keys, 2);
    ok.validate().unwrap();
    let mut m = ok.clone();
    m.committee.threshold = 3;
    assert_eq!(invalid_field(&m), "committee.threshold");
    let mut m = ok.clone();
    m.committee.members.clear();
    assert_eq!(invalid_field(&m), "committee.members");
    let mut m = ok.clone();
    m.committee.members[1].name = "member-1".into();
    assert_eq!(invalid_field(&m), "committee.members.name");
    let mut m = ok.clone();
    m.committee.members[1].x25519 = m.committee.members[0].x25519;
    assert_eq!(invalid_field(&m), "committee.members");
    // X25519 keys that some browsers' WebCrypto refuses: a small-order
    // point, p itself, and a large-order point with the top bit set (one
    // of the five Firefox's NSS refuses besides small-order points).
    let mut p_bytes = [0xff; 32];
    p_bytes[0] = 0xed;
    p_bytes[31] = 0x7f;
    let mut nss = [0xff; 32];
    nss[0] = 0xda;
    for bad in [[0; 32], p_bytes, nss] {
        let mut m = ok.clone();
        m.committee.members[2].x25519 = X25519PublicKey(bad);
        assert_eq!(invalid_field(&m), "committee.members.x25519", "{bad:02x?}");
    }
    let mut m = ok.clone();
    let SessionKind::Vote(v) = &mut m.kind else {
        panic!("a vote")
    };
    v.options.push("A".into());
    assert_eq!(invalid_field(&m), "options");
    let SessionKind::Vote(v) = &mut m.kind else {
        panic!("a vote")
    };
    v.options.clear();
    assert_eq!(invalid_field(&m), "options");
    let mut m = ok.clone();
    m.title = " padded".into();
    assert_eq!(invalid_field(&m), "title");
    // A description: optional, line breaks allowed, at most 2000 characters.
    let mut m = ok.clone();
    m.description = Some("Which seat?\nOne answer each.".into());
    assert!(m.validate().is_ok());
    m.description = Some("x".repeat(super::MAX_DESCRIPTION_CHARS));
    assert!(m.validate().is_ok());
    m.description = Some("x".repeat(super::MAX_DESCRIPTION_CHARS + 1));
    assert_eq!(invalid_field(&m), "description");
    m.description = Some("tab\there".into());
    assert_eq!(invalid_field(&m), "description");
    m.description = Some("  ".into());
    assert_eq!(invalid_field(&m), "description");
    let mut m = ok.clone();
    m.deadlines = Deadlines {
        opens_at: Some(10),
        closes_at: Some(10),
    };
    assert_eq!(invalid_field(&m), "deadlines");
    let mut m = ok.clone();
    m.policy.min_submissions = 0;
    assert_eq!(invalid_field(&m), "policy.min_submissions");
    let mut m = ok.clone();
    m.relay_url = "https://relay.example".into();
    assert_eq!(invalid_field(&m), "relay_url");
    let mut m = ok.clone();
    m.committee.members[0].ed25519 = Ed25519PublicKey([0; 32]); // small order
    assert_eq!(m.validate(), Err(SessionError::BadPublicKey));
    let mut m = ok;
    m.version = 1; // before the bit proof: its answers would be refused
    assert_eq!(m.validate(), Err(SessionError::UnsupportedVersion(1)));
    m.version = 3;
    assert_eq!(m.validate(), Err(SessionError::UnsupportedVersion(3)));
}

#[test]
fn signed_manifest_verifies_and_refuses_tampering() {
    let keys = member_keys(3);
    let signed = SignedManifest::sign(&sample_manifest(&keys, 1), &organizer_key()).unwrap();
    let bytes = signed.to_bytes();
    let hash = signed.hash();
    let v = verify_manifest_for(&bytes, &SessionId([0x5a; 16]), &hash).unwrap();
    assert_eq!(v.hash, hash);
    assert_eq!(
        verify_manifest_for(&bytes, &SessionId([1; 16]), &hash).unwrap_err(),
        SessionError::SessionMismatch {
            expected: SessionId([1; 16]),
            actual: SessionId([0x5a; 16])
        }
    );
    // The relay swaps a member key: the hash no longer matches.
    let mut swapped = sample_manifest(&keys, 1);
    swapped.committee.members[2].x25519 = member_keys(4)[3].public().x25519;
    let forged = SignedManifest::sign(&swapped, &organizer_key()).unwrap();
    assert!(matches!(
        verify_manifest(&forged.to_bytes(), &hash),
        Err(SessionError::HashMismatch { .. })
    ));
    // A flipped signature bit, with the matching hash: bad signature.
    let mut bad = bytes.clone();
    bad[10] ^= 1;
    assert_eq!(
        verify_manifest(&bad, &hash),
        Err(SessionError::BadSignature)
    );
    // A flipped manifest byte: hash mismatch.
    let mut bad = bytes.clone();
    let last = bad.len() - 3;
    bad[last] ^= 1;
    assert!(matches!(
        verify_manifest(&bad, &hash),
        Err(SessionError::HashMismatch { .. })
    ));
    assert_eq!(
        verify_manifest(b"SOTM", &hash),
        Err(SessionError::BadSignedManifest)
    );
    assert_eq!(
        verify_manifest(&bytes[..68], &hash),
        Err(SessionError::BadSignedManifest)
    );
    // Only the named organizer may sign.
    let other = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    assert_eq!(
        SignedManifest::sign(&sample_manifest(&keys, 1), &other),
        Err(SessionError::OrganizerKeyMismatch)
    );
}

#[test]
fn signed_manifest_vector_is_pinned() {
    let keys = member_keys(3);
    let signed = SignedManifest::sign(&sample_manifest(&keys, 1), &organizer_key()).unwrap();
    assert_eq!(hex::encode(signed.signature()), MANIFEST_SIGNATURE);
}

/// Ed25519 signature of the fixture manifest (deterministic per RFC 8032).
const MANIFEST_SIGNATURE: &str = "0ba9f6ca3241614067d9dad429cdcd2e57d84599f490073c46af93c8bec132fcca26eb5df4566007523bf49e602b6da355fb939b3ee0e3c285914b0ae6e9930b";

#[test]
fn invite_roundtrip_and_errors() {
    let invite = Invite {
        base_url: "https://relay.example/vote".into(),
        session_id: SessionId([0x5a; 16]),
        manifest_hash: ManifestHash([0xab; 32]),
        token: Some("tok_123-x".into()),
        role: Role::Participant,
    };
    let link = invite.to_link().unwrap();
    assert_eq!(
        link,
        format!(
            "https://relay.example/vote#s={}&h={}&t=tok_123-x&r=participant",
            "5a".repeat(16),
            "ab".repeat(32)
        )
    );
    assert_eq!(Invite::parse(&link).unwrap(), invite);
    let mut open = invite.clone();
    open.token = None;
    open.role = Role::Member;
    assert_eq!(Invite::parse(&open.to_link().unwrap()).unwrap(), open);
    // Unknown keys are ignored; order does not matter.
    let shuffled = format!(
        "https://h/#r=organizer&x=1&h={}&s={}",
        "ab".repeat(32),
        "5a".repeat(16)
    );
    assert_eq!(Invite::parse(&shuffled).unwrap().role, Role::Organizer);
    let bad = |l: &str| Invite::parse(l).unwrap_err();
    assert!(matches!(bad("https://h/"), SessionError::BadInvite(_)));
    assert!(matches!(bad("ftp://h/#s=1"), SessionError::BadInvite(_)));
    assert!(matches!(
        bad(&link.replace("&r=participant", "")),
        SessionError::BadInvite(_)
    ));
    assert!(matches!(
        bad(&link.replace("participant", "admin")),
        SessionError::BadInvite(_)
    ));
    assert!(matches!(
        bad(&format!("{link}&r=member")),
        SessionError::BadInvite(_)
    ));
    assert!(matches!(
        bad(&link.replace("tok_123-x", "tok%20")),
        SessionError::BadInvite(_)
    ));
    assert!(matches!(
        bad(&link.replace("5a5a", "5A5A")),
        SessionError::BadHex(sotto_wire::BadHex {
            what: "session id",
            ..
        })
    ));
    assert!(matches!(
        bad(&link.replace("abab", "ab")),
        SessionError::BadHex(sotto_wire::BadHex {
            what: "manifest hash",
            ..
        })
    ));
    assert!(matches!(
        bad("https://h/#s=é&h=é&r=p"),
        SessionError::BadHex(_)
    ));
}

#[cfg(not(target_arch = "wasm32"))]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = Manifest::from_canonical_bytes(&bytes);
            let _ = verify_manifest(&bytes, &ManifestHash([0; 32]));
            if let Ok(s) = core::str::from_utf8(&bytes) {
                let _ = Invite::parse(s);
            }
        }

        #[test]
        fn invite_links_roundtrip(sid in any::<[u8; 16]>(), h in any::<[u8; 32]>(), tok in "[A-Za-z0-9_-]{1,40}") {
            let invite = Invite {
                base_url: "http://127.0.0.1:8080/".into(),
                session_id: SessionId(sid),
                manifest_hash: ManifestHash(h),
                token: Some(tok),
                role: Role::Member,
            };
            prop_assert_eq!(Invite::parse(&invite.to_link().unwrap()).unwrap(), invite);
        }
    }
}

#[test]
fn survey_and_budget_manifests_are_canonical_and_validated() {
    use crate::apps::budget::BudgetSchema;
    use crate::apps::survey::{AnswerKind, Question, SurveySchema};
    let keys = member_keys(3);
    let mut m = sample_manifest(&keys, 1);
    m.kind = SessionKind::Survey(SurveySchema {
        questions: vec![Question {
            id: "age".into(),
            text: "Your age".into(),
            answer: AnswerKind::Number {
                min: 18,
                max: 99,
                decimals: 0,
                buckets: vec![18, 50],
            },
            optional: false,
            description: None,
        }],
        crosstabs: vec![],
    });
    m.validate().unwrap();
    let bytes = m.to_canonical_bytes().unwrap();
    assert_eq!(Manifest::from_canonical_bytes(&bytes).unwrap(), m);
    // Without a description the question's encoding has no such key (the
    // hashes of earlier manifests stay); with one it round-trips, and the
    // same rules as the session's description apply, at 500 characters.
    assert!(!String::from_utf8_lossy(&bytes).contains("description"));
    let describe = |m: &Manifest, d: &str| {
        let mut m = m.clone();
        let SessionKind::Survey(s) = &mut m.kind else {
            panic!("a survey")
        };
        s.questions[0].description = Some(d.into());
        m
    };
    let described = describe(&m, "In whole years.\nAsked once.");
    described.validate().unwrap();
    let bytes = described.to_canonical_bytes().unwrap();
    assert_eq!(Manifest::from_canonical_bytes(&bytes).unwrap(), described);
    describe(&m, &"x".repeat(super::MAX_QUESTION_DESCRIPTION_CHARS))
        .validate()
        .unwrap();
    for bad in [
        "x".repeat(super::MAX_QUESTION_DESCRIPTION_CHARS + 1),
        "tab\there".into(),
        " ".into(),
        "padded ".into(),
    ] {
        assert_eq!(
            invalid_field(&describe(&m, &bad)),
            "questions.description",
            "{bad:?}"
        );
    }
    let enc = m.computation().kind.encoding();
    // answered, y, y's 7 bits, 2 bucket cells, two 7-bit slacks; then the
    // bit proof of the 24 bits.
    assert_eq!(enc.proof_at, Some(2 + 2 + 3 * 7));
    assert_eq!(enc.bit_entries().len(), 24);
    assert_eq!(m.computation().len(), 2 + 2 + 3 * 7 + 23);
    m.policy.min_cell = Some(3);
    let bytes = m.to_canonical_bytes().unwrap();
    assert_eq!(Manifest::from_canonical_bytes(&bytes).unwrap(), m);
    match m.computation() {
        c if matches!(c.kind, crate::apps::SessionKind::Survey(_)) => {
            assert_eq!(c.policy.min_cell, Some(3))
        }
        other => panic!("expected a survey, got {other:?}"),
    }
    // A min_cell on a budget would be ignored: refused (1 is a no-op).
    let mut budget = m.clone();
    budget.kind = SessionKind::Budget(BudgetSchema {
        total: 10,
        projects: vec!["park".into()],
    });
    assert_eq!(invalid_field(&budget), "policy.min_cell");
    budget.policy.min_cell = Some(1);
    budget.validate().unwrap();
    m.kind = SessionKind::Budget(BudgetSchema {
        total: 0,
        projects: vec!["park".into()],
    });
    assert!(matches!(
        m.validate(),
        Err(SessionError::InvalidSchema { kind: "budget", .. })
    ));
}

#[test]
fn check_manifests_are_canonical_and_validated() {
    use crate::apps::check::CheckSpec;
    let keys = member_keys(3);
    let mut m = sample_manifest(&keys, 1);
    m.kind = SessionKind::Check(CheckSpec {
        comparisons: 1000,
        bits: 32,
    });
    m.validate().unwrap();
    assert_eq!(m.kind.name(), "check");
    let bytes = m.to_canonical_bytes().unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(
        text.contains(r#""kind":{"kind":"check","schema":{"comparisons":1000,"bits":32}}"#),
        "{text}"
    );
    assert_eq!(Manifest::from_canonical_bytes(&bytes).unwrap(), m);
    let c = m.computation();
    assert!(c.encode(&serde_json::json!({})).is_err());
    for (comparisons, bits) in [(0, 32), (100_001, 32), (10, 0), (10, 65)] {
        m.kind = SessionKind::Check(CheckSpec { comparisons, bits });
        assert!(matches!(
            m.validate(),
            Err(SessionError::InvalidSchema { kind: "check", .. })
        ));
    }
    let unknown = text.replace(r#""bits":32}"#, r#""bits":32,"extra":1}"#);
    assert!(Manifest::from_canonical_bytes(unknown.as_bytes()).is_err());
}

#[test]
fn differential_privacy_epsilon_has_one_exact_encoding() {
    use crate::session::{DpPolicy, Epsilon};
    let keys = member_keys(3);
    let mut m = sample_manifest(&keys, 1);
    for (milli, text) in [(1000, "1.0"), (500, "0.5"), (125, "0.125"), (1, "0.001")] {
        m.policy.dp = Some(DpPolicy {
            epsilon: Epsilon::from_milli(milli).unwrap(),
        });
        let bytes = m.to_canonical_bytes().unwrap();
        let s = String::from_utf8(bytes.clone()).unwrap();
        assert!(s.contains(&format!(r#""dp":{{"epsilon":{text}}}"#)), "{s}");
        assert_eq!(Manifest::from_canonical_bytes(&bytes).unwrap(), m);
        // Other spellings of the same number are not the manifest's bytes.
        for other in [format!("{text}0"), format!("{text}e0")] {
            let alt = s.replace(
                &format!(r#""epsilon":{text}}}"#),
                &format!(r#""epsilon":{other}}}"#),
            );
            assert_eq!(
                Manifest::from_canonical_bytes(alt.as_bytes()),
                Err(SessionError::NonCanonical),
                "{other}"
            );
        }
    }
    let bytes = String::from_utf8(m.to_canonical_bytes().unwrap()).unwrap();
    for bad in ["0.0001", "0", "-1.0", "100.5", "1e9", "\"1\""] {
        let alt = bytes.replace(r#""epsilon":0.001"#, &format!(r#""epsilon":{bad}"#));
        assert!(
            matches!(
                Manifest::from_canonical_bytes(alt.as_bytes()),
                Err(SessionError::Malformed(_))
            ),
            "{bad}"
        );
    }
    assert_eq!(Epsilon::from_f64(0.3).unwrap().milli(), 300);
    assert!(Epsilon::from_f64(f64::NAN).is_err());
    // The computations see the budget; instant runoff cannot take noise.
    match m.computation() {
        c if matches!(c.kind, crate::apps::SessionKind::Vote(_)) => {
            assert_eq!(c.policy.dp_milli, Some(1))
        }
        other => panic!("expected a vote, got {other:?}"),
    }
    if let SessionKind::Vote(v) = &mut m.kind {
        v.method = VoteMethod::Irv;
    }
    assert_eq!(invalid_field(&m), "policy.dp");
}

#[test]
fn a_schema_whose_answers_exceed_a_relay_frame_is_refused() {
    use crate::apps::survey::{AnswerKind, Question, SurveySchema};
    let keys = member_keys(3);
    let survey = |buckets: usize| {
        let mut m = sample_manifest(&keys, 1);
        m.kind = SessionKind::Survey(SurveySchema {
            questions: (0..crate::apps::survey::MAX_QUESTIONS)
                .map(|i| Question {
                    id: format!("q{i}"),
                    text: "How much?".into(),
                    answer: AnswerKind::Number {
                        min: 0,
                        max: (1 << 47) - 1,
                        decimals: 0,
                        buckets: (0..buckets as i64).map(|b| b << 40).collect(),
                    },
                    optional: true,
                    description: None,
                })
                .collect(),
            crosstabs: vec![],
        });
        m
    };
    // 100 wide number questions fit for 3 members (about 0.9 MB)...
    survey(0).validate().unwrap();
    // ...but not with 64 buckets each.
    match survey(64).validate() {
        Err(SessionError::InvalidSchema { kind, reason }) => {
            assert_eq!(kind, "survey");
            assert!(reason.contains("bytes for 3 members"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_answer_too_large_for_a_relay_frame_is_refused_exactly_past_the_limit() {
    use crate::apps::survey::{AnswerKind, Question, SurveySchema};
    let keys = member_keys(31);
    let survey = |questions: usize| {
        SessionKind::Survey(SurveySchema {
            questions: (0..questions)
                .map(|i| Question {
                    id: format!("q{i}"),
                    text: format!("Question {i}"),
                    description: None,
                    answer: AnswerKind::Number {
                        min: 0,
                        max: (1 << 47) - 1,
                        decimals: 0,
                        buckets: vec![],
                    },
                    optional: false,
                })
                .collect(),
            crosstabs: vec![],
        })
    };
    // The most questions whose answer still fits one frame at n = 31.
    let fits = (1..=100)
        .take_while(|&q| answer_frame_len(31, 15, survey(q).len()) <= sotto_wire::FRAME_LIMIT)
        .last()
        .unwrap();
    assert!(fits < 100, "the limit is reached below 100 questions");
    let mut m = sample_manifest(&keys, 15);
    m.kind = survey(fits);
    m.validate().unwrap();
    m.kind = survey(fits + 1);
    match m.validate() {
        Err(SessionError::InvalidSchema { kind, reason }) => {
            assert_eq!(kind, "survey");
            let frame = answer_frame_len(31, 15, m.kind.len());
            assert!(reason.contains(&format!(
                "an answer would take {frame} bytes for 31 members"
            )));
        }
        other => panic!("expected the frame refusal, got {other:?}"),
    }
    // Fewer members fit the same questions.
    let keys = member_keys(3);
    let mut small = sample_manifest(&keys, 1);
    small.kind = survey(fits + 1);
    small.validate().unwrap();
}
