//! Engine tests: every secure operation against its plaintext twin, on
//! committees of 3, 5 and 7, with reordering, drops, absent and lying
//! members. They also run under wasm (`cargo test --target wasm32-...`).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

use super::network::{Network, NetworkError};
use super::ops::arith;
use super::ops::bits::Need;
use super::ops::stats::{argmax_need, order_statistics_need};
use super::{Committee, Ctx, EngineError, Party};
use crate::field::Fp;
use crate::share::{ShareError, ShareVec, deal};

/// `count` distinct members of a committee of `n` (1-based), picked from
/// `seed`: the corrupt members of the deviation tests, in the order
/// picked.
pub(crate) fn pick_members(n: usize, count: usize, seed: u64) -> Vec<usize> {
    let mut pick = ChaCha20Rng::seed_from_u64(seed);
    let mut members: Vec<usize> = Vec::new();
    while members.len() < count {
        let m = 1 + (pick.next_u64() as usize) % n;
        if !members.contains(&m) {
            members.push(m);
        }
    }
    members
}

/// Shares `values` for the committee; element m-1 is member m's vector.
pub(crate) fn share(values: &[u128], c: Committee, seed: u64) -> Vec<ShareVec> {
    let v: Vec<Fp> = values.iter().map(|&x| Fp::new(x)).collect();
    deal(&v, c.n, c.t, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap()
}

/// Runs `f(ctx, a_share, b_share)` on every member and returns member 1's
/// output after checking all members agree.
pub(crate) fn run2<F, Fut>(c: Committee, a: &[u128], b: &[u128], f: F) -> Vec<u128>
where
    F: Fn(Ctx, ShareVec, ShareVec) -> Fut,
    Fut: core::future::Future<Output = Result<Vec<Fp>, EngineError>> + Send + 'static,
{
    let (sa, sb) = (share(a, c, 1), share(b, c, 2));
    let out = Network::new(c, 9)
        .jitter_ms(3.0)
        .run(|ctx| {
            let m = ctx.me() - 1;
            f(ctx, sa[m].clone(), sb[m].clone())
        })
        .unwrap();
    for v in &out.values {
        assert_eq!(v, &out.values[0], "members disagree");
    }
    out.values[0].iter().map(|x| x.value()).collect()
}

fn committees() -> [Committee; 4] {
    [
        Committee::new(3),
        Committee::new(5),
        Committee::new(7),
        Committee { n: 5, t: 1 },
    ]
}

#[test]
fn open_and_linear_ops() {
    for c in committees() {
        let got = run2(c, &[5, 0], &[7, 9], |ctx, a, b| async move {
            let s = arith::add(&a, &b)?;
            let d = arith::sub(&a, &b)?;
            let k = arith::add_const(&arith::scale(&a, Fp::from(3u64)), Fp::ONE);
            ctx.open(&arith::concat(&[
                &s,
                &d,
                &k,
                &arith::sum(&b),
                &arith::prefix_sum(&b),
            ]))
            .await
        });
        let minus2 = Fp::from_i128(-2).value();
        let minus9 = Fp::from_i128(-9).value();
        assert_eq!(got, vec![12, 9, minus2, minus9, 16, 1, 16, 7, 16]);
    }
}

#[test]
fn multiplication_and_select() {
    for c in committees() {
        let big = (1u128 << 64) - 1;
        let got = run2(
            c,
            &[3, 0, big, 1],
            &[4, 9, big, 0],
            |ctx, a, b| async move {
                let p = ctx.mul(&a, &b).await?;
                let bits = ctx.open(&p).await?;
                // select with condition = a[3] (1) and a[1] (0)
                let cond = ShareVec::from_values(vec![a.values()[3], a.values()[1]]);
                let x = ShareVec::from_values(vec![b.values()[0], b.values()[0]]);
                let y = ShareVec::from_values(vec![b.values()[1], b.values()[1]]);
                let sel = ctx.select(&cond, &x, &y).await?;
                Ok([bits, ctx.open(&sel).await?].concat())
            },
        );
        let sq = (Fp::new(big) * Fp::new(big)).value();
        assert_eq!(got, vec![12, 0, sq, 0, 4, 9]);
    }
}

#[test]
fn comparisons_on_edge_values() {
    for l in [1u32, 3, 8, 32, 64] {
        let max = if l == 64 {
            u64::MAX as u128
        } else {
            (1u128 << l) - 1
        };
        let a = [0, max, max, 0, max / 2, 1.min(max)];
        let b = [0, max, 0, max, max / 2 + 1, 0];
        let got = run2(Committee::new(3), &a, &b, move |ctx, a, b| async move {
            let mut pool = ctx.preprocess(Need::masked(12, l)).await?;
            let lt = ctx.lt(&a, &b, l, &mut pool).await?;
            let eq = ctx.eq(&a, &b, l, &mut pool).await?;
            ctx.open(&arith::concat(&[&lt, &eq])).await
        });
        let lt: Vec<u128> = a.iter().zip(&b).map(|(x, y)| (x < y) as u128).collect();
        let eq: Vec<u128> = a.iter().zip(&b).map(|(x, y)| (x == y) as u128).collect();
        assert_eq!(got, [lt, eq].concat(), "l = {l}");
    }
}

#[test]
fn comparisons_with_public_values_and_signed() {
    let a = [0u128, 5, 255, 17];
    let k = [0u128, 6, 256, 17];
    let got = run2(
        Committee::new(5),
        &a,
        &[0, 0, 0, 0],
        move |ctx, a, _| async move {
            let mut pool = ctx
                .preprocess(Need::masked(8, 8) + Need::masked(4, 9))
                .await?;
            let lt = ctx.lt_public(&a, &k, 8, &mut pool).await?;
            let eq = ctx.eq_public(&a, &[0, 5, 254, 17], 8, &mut pool).await?;
            ctx.open(&arith::concat(&[&lt, &eq])).await
        },
    );
    assert_eq!(got, vec![0, 1, 1, 0, 1, 1, 0, 1]);
    let neg = |v: i128| Fp::from_i128(v).value();
    let got = run2(
        Committee::new(3),
        &[neg(-5), neg(-1), 3, neg(-128)],
        &[neg(-4), 0, neg(-2), 127],
        |ctx, a, b| async move {
            let mut pool = ctx.preprocess(Need::masked(4, 8)).await?;
            ctx.open(&ctx.lt_signed(&a, &b, 8, &mut pool).await?).await
        },
    );
    assert_eq!(got, vec![1, 1, 0, 1]);
}

#[test]
fn bit_decomposition() {
    for l in [1u32, 5, 16, 33, 64] {
        let max = if l == 64 {
            u64::MAX as u128
        } else {
            (1u128 << l) - 1
        };
        let xs = [0, max, max / 3, 1.min(max)];
        let got = run2(
            Committee::new(3),
            &xs,
            &[0; 4],
            move |ctx, x, _| async move {
                let mut pool = ctx.preprocess(Need::masked(4, l)).await?;
                ctx.open(&ctx.bit_decompose(&x, l, &mut pool).await?).await
            },
        );
        let want: Vec<u128> = xs
            .iter()
            .flat_map(|x| (0..l).map(move |i| (x >> i) & 1))
            .collect();
        assert_eq!(got, want, "l = {l}");
    }
}

#[test]
fn random_bits_are_bits_and_balanced() {
    let got = run2(Committee::new(3), &[0], &[0], |ctx, _, _| async move {
        let b = ctx.random_bits(400).await?;
        ctx.open(&b).await
    });
    assert!(got.iter().all(|&b| b <= 1));
    let ones = got.iter().sum::<u128>();
    assert!((140..260).contains(&ones), "{ones} ones in 400 bits");
}

#[test]
fn argmax_median_and_quantiles() {
    let vals = [7u128, 3, 9, 9, 0, 4, 9, 1];
    for c in [Committee::new(3), Committee::new(7)] {
        let got = run2(c, &vals, &[0], |ctx, v, _| async move {
            let m = v.len();
            let mut pool = ctx
                .preprocess(argmax_need(m, 8) + order_statistics_need(m, 8, 4))
                .await?;
            let onehot = ctx.argmax(&v, 8, &mut pool).await?;
            let stats = ctx
                .order_statistics(&v, &[0, 1, 3, 7], 8, &mut pool)
                .await?;
            ctx.open(&arith::concat(&[&onehot, &stats])).await
        });
        // Maximum 9 first occurs at index 2: ties go to the lowest index.
        assert_eq!(&got[..8], &[0, 0, 1, 0, 0, 0, 0, 0]);
        let mut sorted = vals;
        sorted.sort();
        assert_eq!(&got[8..], &[sorted[0], sorted[1], sorted[3], sorted[7]]);
    }
    let got = run2(
        Committee::new(3),
        &[5, 1, 4, 2, 3],
        &[0],
        |ctx, v, _| async move {
            let mut pool = ctx.preprocess(order_statistics_need(5, 3, 1)).await?;
            ctx.open(&ctx.median(&v, 3, &mut pool).await?).await
        },
    );
    assert_eq!(got, vec![3]);
}

#[test]
fn member_inputs_and_partial_openings() {
    let c = Committee::new(5);
    let out = Network::new(c, 4)
        .run(|ctx| async move {
            let mine = [Fp::from(ctx.me() as u64 * 10)];
            let x = ctx
                .input(3, (ctx.me() == 3).then_some(&mine[..]), 1)
                .await?;
            ctx.open_to(&x, &[1, 2]).await
        })
        .unwrap();
    assert_eq!(out.values[0], Some(vec![Fp::from(30u64)]));
    assert_eq!(out.values[1], Some(vec![Fp::from(30u64)]));
    assert!(out.values[2..].iter().all(|v| v.is_none()));
}

#[test]
fn rounds_and_message_counts_match_the_budget() {
    let c = Committee::new(3);
    let (sa, sb) = (share(&[1; 100], c, 1), share(&[2; 100], c, 2));
    let out = Network::new(c, 1)
        .run(|ctx| {
            let (a, b) = (sa[ctx.me() - 1].clone(), sb[ctx.me() - 1].clone());
            async move {
                let mut pool = ctx.preprocess(Need::lt(100, 32)).await?;
                ctx.mark_online();
                ctx.lt(&a, &b, 32, &mut pool).await
            }
        })
        .unwrap();
    let s = out.stats[0];
    assert_eq!(
        s.prep_rounds, 5,
        "verified preprocessing: the keys, then four rounds"
    );
    assert_eq!(s.online_rounds, 6, "32-bit lt: 1 opening + 5 carry levels");
    // One message per peer per round. In the seeded re-sharing one of them
    // is empty: that peer's share comes from the key of the pair
    // (`engine::ops::keys`), and the empty message keeps rounds in step.
    assert_eq!(s.messages_sent, 2 * 11);
}

#[test]
fn reordering_does_not_change_results() {
    let c = Committee::new(5);
    let program = |ctx: Ctx| async move {
        let r = ctx.random(10).await?;
        let sq = ctx.mul(&r, &r).await?;
        let (rv, sv) = (ctx.open(&r).await?, ctx.open(&sq).await?);
        Ok(rv.iter().zip(&sv).all(|(a, b)| *a * *a == *b))
    };
    for seed in 0..5 {
        let out = Network::new(c, seed)
            .jitter_ms(50.0)
            .latency_ms(1.0)
            .run(program)
            .unwrap();
        assert!(out.values.iter().all(|ok| *ok));
        assert!(out.ms >= 4.0, "four rounds of 1 ms each");
    }
}

#[test]
fn a_dropped_message_or_absent_member_stalls_with_a_typed_error() {
    let c = Committee::new(3);
    let program = |ctx: Ctx| async move { ctx.open(&ctx.random(1).await?).await };
    let err = Network::new(c, 1)
        .drop_if(|t, from| from == 2 && t.to == 3)
        .run(program)
        .unwrap_err();
    match err {
        NetworkError::Stalled { waiting } => {
            assert!(
                waiting
                    .iter()
                    .any(|(m, w)| *m == 3 && w.as_ref().is_some_and(|w| w.missing == vec![2]))
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    let err = Network::new(c, 1).absent(2).run(program).unwrap_err();
    assert!(matches!(err, NetworkError::Stalled { .. }));
    assert!(err.to_string().contains("member 2 is absent"));
}

#[test]
fn a_lying_member_is_named_in_the_opening() {
    let c = Committee { n: 5, t: 1 };
    let shares = share(&[42], c, 3);
    let err = Network::new(c, 1)
        .tamper(|t, from| {
            if from == 4 {
                let last = t.bytes.len() - 16;
                t.bytes[last] ^= 1; // the share member 4 sends, off by one
            }
        })
        .run(|ctx| {
            let x = shares[ctx.me() - 1].clone();
            async move { ctx.open(&x).await }
        })
        .unwrap_err();
    match err {
        NetworkError::Engine {
            error: EngineError::Opening { source, .. },
            ..
        } => {
            assert_eq!(
                source,
                ShareError::Inconsistent {
                    member: Some(4),
                    index: 0
                }
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn hostile_bytes_are_rejected_and_the_party_keeps_going() {
    let c = Committee::new(3);
    let mk = |me| {
        let mut p = Party::new(
            c,
            me,
            77,
            Box::new(ChaCha20Rng::seed_from_u64(me as u64)),
            |ctx: Ctx| async move {
                ctx.open(&ShareVec::from_values(vec![Fp::from(ctx.me() as u64)]))
                    .await
            },
        )
        .unwrap();
        p.start();
        p
    };
    let mut parties: Vec<_> = (1..=3).map(mk).collect();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    for _ in 0..200 {
        let mut junk = vec![0u8; (rng.next_u32() % 80) as usize];
        rng.fill_bytes(&mut junk);
        assert!(parties[0].handle_message(2, &junk).is_err());
    }
    let mut msgs = Vec::new();
    for party in &mut parties[1..] {
        while let Some(t) = party.poll_transmit() {
            msgs.push((party.me(), t));
        }
    }
    let to_one: Vec<_> = msgs.iter().filter(|(_, t)| t.to == 1).collect();
    // Wrong claimed sender, then the real ones, then a duplicate.
    assert!(matches!(
        parties[0].handle_message(3, &to_one[0].1.bytes),
        Err(EngineError::WrongSender { .. })
    ));
    for (from, t) in &to_one {
        parties[0].handle_message(*from, &t.bytes).unwrap();
    }
    assert!(parties[0].is_finished());
    assert_eq!(
        parties[0].handle_message(2, &to_one[0].1.bytes),
        Err(EngineError::Finished)
    );
    // Shares 1, 2, 3 of the polynomial f(x) = x open to 0.
    assert_eq!(parties[0].take_output().unwrap().unwrap(), vec![Fp::ZERO]);
}

#[test]
fn bad_committees_and_exhausted_pools_are_errors() {
    let rng = || Box::new(ChaCha20Rng::seed_from_u64(1));
    let prog = |ctx: Ctx| async move { Ok(ctx.me()) };
    assert!(Party::new(Committee { n: 4, t: 2 }, 1, 0, rng(), prog).is_err());
    assert!(Party::new(Committee::new(3), 4, 0, rng(), prog).is_err());
    let err = Network::new(Committee::new(3), 1)
        .run(|ctx| async move {
            let mut pool = ctx.preprocess(Need::masked(1, 8)).await?;
            let x = ShareVec::from_values(vec![Fp::ZERO; 2]);
            ctx.lt(&x, &x, 8, &mut pool).await
        })
        .unwrap_err();
    assert!(matches!(
        err,
        NetworkError::Engine {
            error: EngineError::PreprocessingExhausted,
            ..
        }
    ));
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn bits() -> impl Strategy<Value = u32> {
        prop_oneof![Just(1u32), Just(8), Just(32), Just(64), 2u32..64]
    }

    fn values(l: u32, len: usize) -> impl Strategy<Value = Vec<u128>> {
        let max = if l == 64 {
            u64::MAX as u128
        } else {
            (1u128 << l) - 1
        };
        proptest::collection::vec(prop_oneof![Just(0u128), Just(max), 0..=max], len)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn lt_eq_and_bits_match_plaintext(
            (l, a, b) in bits().prop_flat_map(|l| (Just(l), values(l, 6), values(l, 6))),
            n in prop_oneof![Just(3usize), Just(5), Just(7)],
            same in any::<bool>(),
        ) {
            let b = if same { a.clone() } else { b };
            let got = run2(Committee::new(n), &a, &b, move |ctx, a, b| async move {
                let mut pool = ctx.preprocess(Need::masked(18, l)).await?;
                let lt = ctx.lt(&a, &b, l, &mut pool).await?;
                let eq = ctx.eq(&a, &b, l, &mut pool).await?;
                let bits = ctx.bit_decompose(&a, l, &mut pool).await?;
                ctx.open(&arith::concat(&[&lt, &eq, &bits])).await
            });
            let lt: Vec<u128> = a.iter().zip(&b).map(|(x, y)| (x < y) as u128).collect();
            let eq: Vec<u128> = a.iter().zip(&b).map(|(x, y)| (x == y) as u128).collect();
            let bits: Vec<u128> = a.iter().flat_map(|x| (0..l).map(move |i| (x >> i) & 1)).collect();
            prop_assert_eq!(got, [lt, eq, bits].concat());
        }

        #[test]
        fn mul_matches_plaintext(a in proptest::collection::vec(any::<u128>(), 1..20), n in 3usize..8) {
            let a: Vec<u128> = a.into_iter().map(|x| Fp::new(x).value()).collect();
            let b: Vec<u128> = a.iter().rev().copied().collect();
            let got = run2(Committee::new(n), &a, &b, |ctx, a, b| async move { ctx.open(&ctx.mul(&a, &b).await?).await });
            let want: Vec<u128> = a.iter().zip(&b).map(|(x, y)| (Fp::new(*x) * Fp::new(*y)).value()).collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn argmax_and_order_statistics_match_plaintext(v in proptest::collection::vec(0u128..16, 1..12), q in any::<prop::sample::Index>()) {
            let m = v.len();
            let target = q.index(m);
            let got = run2(Committee::new(3), &v, &[0], move |ctx, x, _| async move {
                let mut pool = ctx.preprocess(argmax_need(m, 4) + order_statistics_need(m, 4, 1)).await?;
                let idx = ctx.argmax_index(&x, 4, &mut pool).await?;
                let st = ctx.order_statistics(&x, &[target], 4, &mut pool).await?;
                ctx.open(&arith::concat(&[&idx, &st])).await
            });
            let max = *v.iter().max().unwrap();
            let first = v.iter().position(|x| *x == max).unwrap() as u128;
            let mut sorted = v.clone();
            sorted.sort();
            prop_assert_eq!(got, vec![first, sorted[target]]);
        }
    }
}

/// Messages are flagged as openings (and so may serve as evidence against
/// their sender, `crate::envelope::evidence`) only in online openings:
/// one product makes triples in preprocessing (whose check openings are
/// not flagged, since a corrupt dealer can make honest shares there
/// disagree) and opens `x - a`, `y - b` once, in its last round.
#[test]
fn only_online_openings_are_flagged_for_evidence() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let c = Committee::new(3);
    let (sa, sb) = (share(&[3, 4], c, 1), share(&[5, 6], c, 2));
    let seen: Rc<RefCell<Vec<(u32, bool)>>> = Rc::default();
    let log = seen.clone();
    let out = Network::new(c, 9)
        .tamper(move |t, _| {
            let round = super::message::Message::decode(&t.bytes).unwrap().round;
            log.borrow_mut().push((round, t.opening));
        })
        .run(|ctx| {
            let m = ctx.me() - 1;
            let (a, b) = (sa[m].clone(), sb[m].clone());
            async move { ctx.open(&ctx.mul(&a, &b).await?).await }
        })
        .unwrap();
    assert_eq!(out.values[0], vec![Fp::new(15), Fp::new(24)]);
    let seen = seen.borrow();
    let last = seen.iter().map(|(r, _)| *r).max().unwrap();
    let flagged: Vec<u32> = seen.iter().filter(|(_, o)| *o).map(|(r, _)| *r).collect();
    // Beaver's opening and the result's: 2 rounds x n (n - 1) messages.
    assert_eq!(flagged.len(), 2 * 3 * 2, "{seen:?}");
    assert!(flagged.iter().all(|&r| r + 1 >= last), "{seen:?}");
    assert!(seen.iter().any(|(r, o)| !*o && *r + 1 < last), "{seen:?}");
}

/// Verified preprocessing holds secret shares: its `Debug` shows counts,
/// never values.
#[test]
fn the_stock_of_preprocessing_never_prints_its_shares() {
    let stock = super::ops::prep::Stock {
        triples: vec![Fp::new(123_456_789); 6],
        squares: vec![Fp::new(987_654_321); 2],
        ..Default::default()
    };
    let shown = format!("{stock:?}");
    assert!(
        !shown.contains("123456789") && !shown.contains("987654321"),
        "{shown}"
    );
    assert!(shown.contains("triples: 2"), "{shown}");
}
