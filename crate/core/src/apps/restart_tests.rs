//! A committee member that forces the computation to run twice must learn
//! nothing from comparing the two runs.
//!
//! The attack this pins (found in review, issue 15): members used to
//! repeat their whole engine randomness whenever a run repeated on the
//! same inputs. A deviating member can force a second run (a restart, or
//! by dropping out) and change only its own contributions in it. The
//! preprocessing opens `sigma = tau f - g` for every square pair, with a
//! coin `tau` the deviating member helps to draw: two runs give two linear
//! equations in the honest parts of `f` and `g`, so the member solves for
//! `f`, and then reads every ballot from the opened `d = f(r) - s` of the
//! validity check (f(r) at a known r of three bits gives them away). With fresh randomness in every run (only the
//! differential-privacy noise is bound to the inputs, `Ctx::bind_noise`),
//! the two runs share nothing the member can solve for.

use std::sync::{Arc, Mutex};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::json;

use super::validity;
use super::vote;
use super::vote::testing::{Method, VoteSpec};
use crate::engine::ctx::Seen;
use crate::engine::network::Network;
use crate::engine::{Committee, Ctx};
use crate::field::Fp;
use crate::share::{ShareVec, deal};

const CHOICES: [&str; 5] = ["A", "C", "B", "B", "A"];

/// The view of member 3 (the curious one) after the validity check of one
/// run: its own dealings and every value it saw opened, in order.
fn run(c: Committee, subs: &[Vec<ShareVec>], seed: u64, curious_root: u8) -> Vec<Seen> {
    let ctxs: Arc<Mutex<Vec<Ctx>>> = Arc::default();
    let keep = ctxs.clone();
    Network::new(c, seed)
        .run(|ctx| {
            keep.lock().unwrap().push(ctx.clone());
            let me = ctx.me();
            // Honest members hold the same per-session secret in both runs,
            // as a restarted member does; member 3 changes its own.
            let root = if me == 3 { curious_root } else { me as u8 };
            ctx.set_root_secret(zeroize::Zeroizing::new([root; 32]));
            let subs = subs[me - 1].clone();
            let enc = vote::encoding(&spec().schema());
            async move { validity::check(&ctx, &enc, &subs).await }
        })
        .unwrap();
    let ctxs = ctxs.lock().unwrap();
    let curious = ctxs.iter().find(|c| c.me() == 3).unwrap();
    curious.lock().view.clone()
}

fn spec() -> VoteSpec {
    VoteSpec {
        method: Method::Plurality,
        options: ["A", "B", "C"].iter().map(|s| s.to_string()).collect(),
        winner_only: false,
        min_submissions: 1,
        dp_milli: None,
    }
}

/// What member 3 solves for from two runs: each checked bit of each ballot.
fn solve(first: &[Seen], second: &[Seen], nt: usize, ns: usize) -> Vec<Fp> {
    let parts = |view: &[Seen]| {
        let dealt = view
            .iter()
            .find_map(|s| match s {
                Seen::Dealt(_, v) => Some(v.clone()),
                _ => None,
            })
            .unwrap();
        let opened: Vec<Vec<Fp>> = view
            .iter()
            .filter_map(|s| match s {
                Seen::Opened(_, v) => Some(v.iter().map(|x| x.unwrap_or_default()).collect()),
                _ => None,
            })
            .collect();
        (dealt, opened)
    };
    let (dealt1, opened1) = parts(first);
    let (dealt2, opened2) = parts(second);
    // Openings in order: the coins, then rho and sigma, then the check
    // values, then (online) the validity coins r, rho, R, and every
    // d = f(r) - s of a chunk of bits (one per ballot here).
    let (tau1, tau2) = (opened1[0][0], opened2[0][0]);
    let denom = (tau1 - tau2).inverse().unwrap();
    (0..ns)
        .map(|k| {
            // sigma = tau (s_H + a) - (g_H + b): a and b are member 3's own.
            let u = |dealt: &[Fp], opened: &[Vec<Fp>], tau: Fp| {
                opened[1][nt + k] - tau * dealt[3 * nt + k] + dealt[3 * nt + ns + k]
            };
            let s_honest = (u(&dealt1, &opened1, tau1) - u(&dealt2, &opened2, tau2)) * denom;
            let s = s_honest + dealt1[3 * nt + k];
            opened1[4][k] + s
        })
        .collect()
}

/// The first run's coin r, which member 3 saw opened.
fn coin(view: &[Seen]) -> Fp {
    view.iter()
        .filter_map(|s| match s {
            Seen::Opened(_, v) => Some(v[0].unwrap_or_default()),
            _ => None,
        })
        .nth(3)
        .unwrap()
}

#[test]
fn a_second_run_tells_a_curious_member_nothing() {
    let c = Committee::new(3);
    let schema = spec().schema();
    let enc = vote::encoding(&schema);
    let bit_entries = enc.bit_entries();
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let mut subs = vec![Vec::new(); c.n];
    let mut ballots = Vec::new();
    for ch in CHOICES {
        let v = vote::encode(&schema, &json!({ "choice": ch })).unwrap();
        for (m, s) in deal(&v, c.n, c.t, &mut rng)
            .unwrap()
            .into_iter()
            .enumerate()
        {
            subs[m].push(s);
        }
        ballots.push(v);
    }
    // Two runs on the same inputs: fresh process randomness (network
    // seeds), the same per-session secrets at the honest members.
    let first = run(c, &subs, 21, 100);
    let second = run(c, &subs, 22, 101);
    // What member 3 is after: f(r) of each ballot's bits (3 bits, so f(r)
    // at a known r gives the ballot away).
    let at = super::bit_proof::AtCoin::new(coin(&first), bit_entries.len()).unwrap();
    let proof_at = enc.proof_at.unwrap();
    let truth: Vec<Fp> = ballots
        .iter()
        .map(|v| at.evaluate(v, &bit_entries, proof_at).unwrap().0)
        .collect();
    let guess = solve(&first, &second, CHOICES.len(), truth.len());
    let right = guess.iter().zip(&truth).filter(|(g, t)| g == t).count();
    assert_eq!(
        right,
        0,
        "member 3 read {right} of {} ballots by comparing two runs",
        truth.len()
    );
}
