//! Fixtures shared by the fuzz targets in `fuzz_targets/`: deterministic
//! keys, a signed manifest, schemas and computations, so every target can
//! build valid inputs next to the arbitrary ones and check round trips and
//! tamper detection, not only the absence of panics.
//!
//! Everything here is derived from constants: a crash found by one run
//! reproduces on any machine from its artifact alone.

use std::sync::OnceLock;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sotto_core::apps::Computation;
use sotto_core::apps::budget::BudgetSchema;
use sotto_core::apps::survey::{AnswerKind, Question, SurveySchema};
use sotto_core::keyfile::{MemberKeys, MemberPublicKeys};
use sotto_core::session::{
    Committee, CommitteeMember, Deadlines, DpPolicy, Epsilon, MANIFEST_VERSION, Manifest,
    OutputPolicy, Reveal, SessionId, SessionKind, SignedManifest, VerifiedManifest, VoteMethod,
    VoteSchema, verify_manifest,
};

/// Committee size of the fixtures.
pub const MEMBERS: u16 = 3;
/// The fixture session.
pub const SESSION: SessionId = SessionId([0x5a; 16]);

/// A seeded CSPRNG (the fuzzer must be deterministic).
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Member i (1-based, at most [`MEMBERS`]) has secrets `[i; 32]` and
/// `[100 + i; 32]`. Built once: key derivation would otherwise dominate
/// every execution.
pub fn member(i: u16) -> &'static MemberKeys {
    static KEYS: OnceLock<Vec<MemberKeys>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        (1..=MEMBERS as u8)
            .map(|i| MemberKeys::from_secret_bytes(&[i; 32], &[100 + i; 32]))
            .collect()
    });
    &keys[usize::from(i) - 1]
}

/// Member i's public keys (cached like [`member`]).
pub fn member_public(i: u16) -> MemberPublicKeys {
    static PUBLIC: OnceLock<Vec<MemberPublicKeys>> = OnceLock::new();
    PUBLIC.get_or_init(|| (1..=MEMBERS).map(|i| member(i).public()).collect())[usize::from(i) - 1]
}

/// The organizer's keys (only the Ed25519 half is used).
pub fn organizer() -> &'static MemberKeys {
    static KEYS: OnceLock<MemberKeys> = OnceLock::new();
    KEYS.get_or_init(|| MemberKeys::from_secret_bytes(&[0x41; 32], &[0x42; 32]))
}

/// A three-question survey: choice, optional number with buckets, multi.
pub fn survey_schema() -> SurveySchema {
    SurveySchema {
        questions: vec![
            Question {
                id: "color".into(),
                text: "Favourite colour?".into(),
                answer: AnswerKind::Choice {
                    options: vec!["red".into(), "green".into(), "blue".into()],
                },
                optional: false,
                description: None,
            },
            Question {
                id: "age".into(),
                text: "Age?".into(),
                answer: AnswerKind::Number {
                    min: -5,
                    max: 1200,
                    decimals: 1,
                    buckets: vec![0, 180, 650],
                },
                optional: true,
                description: None,
            },
            Question {
                id: "pets".into(),
                text: "Pets?".into(),
                answer: AnswerKind::Multi {
                    options: vec!["cat".into(), "dog".into(), "fish".into()],
                    max_selections: Some(2),
                },
                optional: true,
                description: None,
            },
            Question {
                id: "happy".into(),
                text: "Happy?".into(),
                answer: AnswerKind::Yesno,
                optional: false,
                description: None,
            },
            Question {
                id: "stars".into(),
                text: "Rating?".into(),
                answer: AnswerKind::Rating { scale: 5 },
                optional: true,
                description: None,
            },
        ],
        crosstabs: vec![("color".into(), "happy".into())],
    }
}

/// A budget of 1000 over three projects.
pub fn budget_schema() -> BudgetSchema {
    BudgetSchema {
        total: 1000,
        projects: vec!["park".into(), "library".into(), "pool".into()],
    }
}

fn vote(method: VoteMethod, max_approvals: Option<u32>, max_score: Option<u32>) -> SessionKind {
    SessionKind::Vote(VoteSchema {
        method,
        options: vec!["A".into(), "B".into(), "C".into(), "D".into()],
        reveal: Reveal::Tally,
        max_approvals,
        max_score,
    })
}

/// Every kind of session the fixtures cover, in a fixed order.
pub fn kinds() -> Vec<SessionKind> {
    vec![
        vote(VoteMethod::Plurality, None, None),
        vote(VoteMethod::Approval, Some(2), None),
        vote(VoteMethod::Approval, None, None),
        vote(VoteMethod::Score, None, Some(10)),
        vote(VoteMethod::Borda, None, None),
        vote(VoteMethod::Irv, None, None),
        SessionKind::Survey(survey_schema()),
        SessionKind::Budget(budget_schema()),
    ]
}

/// A valid manifest of `kind` for the fixture committee (3 members, t = 1).
pub fn manifest(kind: SessionKind) -> Manifest {
    let dp = match &kind {
        SessionKind::Vote(v) if v.method == VoteMethod::Irv => None,
        _ => Epsilon::from_milli(1500).map(|epsilon| DpPolicy { epsilon }),
    };
    Manifest {
        version: MANIFEST_VERSION,
        session_id: SESSION,
        title: "Fuzz session".into(),
        description: None,
        kind,
        organizer: organizer().public().ed25519,
        committee: Committee {
            threshold: 1,
            members: (1..=MEMBERS)
                .map(|i| {
                    let p = member_public(i);
                    CommitteeMember {
                        name: format!("member-{i}"),
                        x25519: p.x25519,
                        ed25519: p.ed25519,
                    }
                })
                .collect(),
        },
        deadlines: Deadlines {
            opens_at: Some(1_700_000_000),
            closes_at: Some(1_800_000_000),
        },
        policy: OutputPolicy {
            min_submissions: 2,
            min_cell: Some(1),
            dp,
        },
        relay_url: "wss://relay.example/ws".into(),
    }
}

/// The plurality manifest, signed by the organizer.
pub fn signed_manifest() -> &'static SignedManifest {
    static SIGNED: OnceLock<SignedManifest> = OnceLock::new();
    SIGNED.get_or_init(|| {
        let m = manifest(vote(VoteMethod::Plurality, None, None));
        match SignedManifest::sign(&m, organizer().signing_key()) {
            Ok(s) => s,
            Err(e) => panic!("the fixture manifest must sign: {e}"),
        }
    })
}

/// [`signed_manifest`] after verification.
pub fn verified_manifest() -> &'static VerifiedManifest {
    static VERIFIED: OnceLock<VerifiedManifest> = OnceLock::new();
    VERIFIED.get_or_init(|| {
        let signed = signed_manifest();
        match verify_manifest(&signed.to_bytes(), &signed.hash()) {
            Ok(v) => v,
            Err(e) => panic!("the fixture manifest must verify: {e}"),
        }
    })
}

/// The computation of every manifest in [`kinds`].
pub fn computations() -> &'static [Computation] {
    static ALL: OnceLock<Vec<Computation>> = OnceLock::new();
    ALL.get_or_init(|| {
        kinds()
            .into_iter()
            .map(|k| manifest(k).computation())
            .collect()
    })
}

/// The validity constraints a computation's committee checks inside MPC.
/// Every answer a participant's `encode` accepts must satisfy them.
pub fn encoding_of(c: &Computation) -> Option<sotto_core::apps::validity::Encoding> {
    match c.kind {
        sotto_core::apps::SessionKind::Check(_) => None,
        _ => Some(c.kind.encoding()),
    }
}
