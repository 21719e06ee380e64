//! Issue 13's ballot stuffing: submissions whose shares are not on one
//! degree-t polynomial, built so that the old validity check (a degree-2t
//! combination over members 1..=2t+1) accepted them. Every one must be
//! excluded and counted invalid, the honest result exact, and no member
//! may abort, for committees of 3, 4, 5 and 7. The participant commits to
//! its shares (`crate::envelope::commitment`, fitted to members 1..=t+1,
//! the best a forger can do); a member whose shares fail complains, and
//! the settled complaint (`crate::envelope::complaint`, tested there with
//! the encryption) excludes the submission at every member.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{Value, json};

use super::budget::BudgetSchema;
use super::forge::{shares_off_degree_t, shift_within_linear_constraints};
use super::survey::{self, AnswerKind, Question, SurveySchema};
use super::vote::testing::{Method, VoteSpec};
use super::{Computation, Policy, SessionKind};
use crate::engine::Committee;
use crate::engine::network::Network;
use crate::envelope::SubmissionId;
use crate::envelope::commitment::Commitment;
use crate::field::Fp;
use crate::session::SessionId;
use crate::share::{ShareVec, deal};

const COMMITTEES: [(usize, usize); 4] = [(3, 1), (4, 1), (5, 2), (7, 3)];

/// An attack: a computation, honest answers, and forgeries given as
/// (index of the honest answer to start from, entry changes).
struct Attack {
    name: &'static str,
    comp: Computation,
    honest: Vec<Value>,
    forged: Vec<(usize, Vec<(usize, i128)>)>,
}

/// Each member's check of a submission (member i's shares at index
/// i - 1) against the participant's commitment: whether every member's
/// shares pass, and the shares without the blinding entry.
fn committed(shares: Vec<ShareVec>, t: usize, rng: &mut ChaCha20Rng) -> (bool, Vec<ShareVec>) {
    let n = shares.len();
    let g = deal(&[Fp::random(rng)], n, t, rng).unwrap();
    let blinded: Vec<ShareVec> = shares
        .iter()
        .zip(&g)
        .map(|(s, g)| ShareVec::from_values([s.values(), g.values()].concat()))
        .collect();
    let id = SubmissionId::random(rng);
    let sealed: Vec<Vec<u8>> = (0..n).map(|i| vec![i as u8; 8]).collect();
    let commitment = Commitment::make(&SESSION, &id, t as u16, &blinded, &sealed).unwrap();
    let passes = (1..=n).all(|i| commitment.holds(&SESSION, &id, i as u16, &blinded[i - 1]));
    (passes, shares)
}

const SESSION: SessionId = SessionId([4; 16]);

/// Runs `comp` over the honest answers plus the forged vectors dealt off
/// degree t; returns member 1's outcome after checking all members agree.
fn run(comp: &Computation, c: Committee, honest: &[Vec<Fp>], forged: &[Vec<Fp>]) -> Value {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let (enc_len, n) = (comp.len(), c.n);
    let mut per_member: Vec<Vec<ShareVec>> = vec![Vec::new(); n];
    let mut tags = Vec::new();
    let mut add = |passes: bool, shares: Vec<ShareVec>, tags: &mut Vec<Option<Fp>>| {
        tags.push(passes.then(|| Fp::from(tags.len() as u64 + 1)));
        for (m, s) in shares.into_iter().enumerate() {
            per_member[m].push(s);
        }
    };
    for h in honest {
        let (passes, shares) = committed(deal(h, n, c.t, &mut rng).unwrap(), c.t, &mut rng);
        assert!(passes, "an honest submission failed its commitment");
        add(passes, shares, &mut tags);
    }
    let enc = encoding_of(comp);
    assert_eq!(enc.len, enc_len);
    for f in forged {
        let shares = shares_off_degree_t(&enc, f, n, c.t, &mut rng).unwrap();
        let shares = shares.into_iter().map(ShareVec::from_values).collect();
        let (passes, shares) = committed(shares, c.t, &mut rng);
        assert!(!passes, "shares off degree t passed every member's check");
        add(passes, shares, &mut tags);
    }
    let out = Network::new(c, 3)
        .jitter_ms(1.0)
        .run(|ctx| {
            let subs = per_member[ctx.me() - 1].clone();
            let (comp, tags) = (comp.clone(), tags.clone());
            async move { Ok(comp.compute_bundled(&ctx, &tags, &subs).await?.to_json()) }
        })
        .unwrap_or_else(|e| panic!("the committee aborted: {e}"));
    for v in &out.values {
        assert_eq!(v, &out.values[0], "members disagree");
    }
    out.values[0].clone()
}

fn encoding_of(comp: &Computation) -> super::validity::Encoding {
    comp.kind.encoding()
}

fn vote(method: Method, winner_only: bool) -> Computation {
    VoteSpec {
        method,
        options: vec!["A".into(), "B".into(), "C".into()],
        winner_only,
        min_submissions: 1,
        dp_milli: None,
    }
    .computation()
}

fn survey_schema() -> SurveySchema {
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
                    buckets: vec![30, 50, 70],
                },
                false,
            ),
            q(
                "color",
                AnswerKind::Choice {
                    options: vec!["red".into(), "green".into(), "blue".into()],
                },
                true,
            ),
        ],
        crosstabs: vec![],
    }
}

fn attacks() -> Vec<Attack> {
    let ranking = |r: [&str; 3]| json!({ "ranking": r });
    let surveys = survey_schema();
    let (_, layouts) = survey::encoding(&surveys);
    let age = layouts[0].number.map(|(y, _, _)| y).unwrap_or(0);
    let color = layouts[1].first_option;
    vec![
        Attack {
            name: "score: A = 1000 with maximum 5",
            comp: vote(Method::Score { max: 5 }, false),
            honest: vec![
                json!({"scores": {"A": 1, "B": 5}}),
                json!({"scores": {"C": 2}}),
            ],
            forged: vec![(1, vec![(0, 1000)])],
        },
        Attack {
            name: "borda: one ballot takes every point",
            comp: vote(Method::Borda, false),
            honest: vec![ranking(["B", "A", "C"]), ranking(["C", "B", "A"])],
            forged: vec![(0, vec![(0, 50)])],
        },
        Attack {
            name: "approval with max 1: one ballot approves all",
            comp: vote(Method::Approval { max: Some(1) }, false),
            honest: vec![json!({"approve": ["A"]}), json!({"approve": ["B"]})],
            forged: vec![(0, vec![(1, 1), (2, 1)])],
        },
        Attack {
            name: "plurality winner only: +3 for A and -2 for B",
            comp: vote(Method::Plurality, true),
            honest: vec![
                json!({"choice": "B"}),
                json!({"choice": "B"}),
                json!({"choice": "A"}),
            ],
            forged: vec![(0, vec![(0, 3), (1, -2)])],
        },
        Attack {
            name: "plurality tally: two colluding ballots cancel their high parts",
            comp: vote(Method::Plurality, false),
            honest: vec![json!({"choice": "C"}), json!({"choice": "B"})],
            forged: vec![(0, vec![(0, 50), (1, -49)]), (0, vec![(0, -49), (1, 50)])],
        },
        Attack {
            name: "instant runoff: one faked cell",
            comp: vote(Method::Irv, false),
            honest: vec![
                ranking(["B", "A", "C"]),
                ranking(["B", "C", "A"]),
                ranking(["C", "A", "B"]),
            ],
            forged: vec![(2, vec![(0, 7)])],
        },
        Attack {
            name: "survey: an optional choice selects every option; age 145 with max 99",
            comp: Computation::new(SessionKind::Survey(surveys), Policy::min(1)),
            honest: vec![
                json!({"age": 40, "color": "red"}),
                json!({"age": 99}),
                json!({"age": 18, "color": "blue"}),
            ],
            forged: vec![(2, vec![(color, 1), (color + 1, 1)]), (1, vec![(age, 46)])],
        },
        Attack {
            name: "budget: park = 10000, library = -9900",
            comp: Computation::new(
                SessionKind::Budget(BudgetSchema {
                    projects: vec!["park".into(), "library".into(), "pool".into()],
                    total: 100,
                }),
                Policy::min(1),
            ),
            honest: vec![
                json!({"park": 60, "library": 40}),
                json!({"pool": 100}),
                json!({"park": 10, "library": 10, "pool": 80}),
            ],
            forged: vec![(0, vec![(0, 9940), (1, -9940)])],
        },
    ]
}

#[test]
fn shares_off_degree_t_are_excluded_and_the_honest_result_is_exact() {
    for attack in attacks() {
        let honest: Vec<Vec<Fp>> = attack
            .honest
            .iter()
            .map(|a| attack.comp.encode(a).unwrap())
            .collect();
        let enc = encoding_of(&attack.comp);
        let forged: Vec<Vec<Fp>> = attack
            .forged
            .iter()
            .map(|(from, changes)| {
                let changes: Vec<(usize, Fp)> = changes
                    .iter()
                    .map(|(i, d)| (*i, Fp::from_i128(*d)))
                    .collect();
                let f = shift_within_linear_constraints(&enc, &honest[*from], &changes).unwrap();
                assert!(!enc.is_valid(&f), "{}: the forgery is valid", attack.name);
                f
            })
            .collect();
        for (n, t) in COMMITTEES {
            let c = Committee { n, t };
            let want = run(&attack.comp, c, &honest, &[]);
            let got = run(&attack.comp, c, &honest, &forged);
            let label = format!("{} with (n, t) = ({n}, {t})", attack.name);
            assert_eq!(got["invalid"], json!(forged.len()), "{label}");
            assert_eq!(got["valid"], want["valid"], "{label}");
            assert_eq!(got["result"], want["result"], "{label}");
        }
    }
}
