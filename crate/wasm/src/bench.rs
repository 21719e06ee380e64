//! `benchCompare`: the committee engine's speed in this JavaScript engine
//! (feature `bench`: a module built by `scripts/bench-wasm.sh` only).

use rand_core::{Rng, SeedableRng};
use serde_json::json;
use wasm_bindgen::prelude::*;

use super::error::{Code, js_error};
use sotto_core::engine::Committee;
use sotto_core::engine::network::Network;
use sotto_core::engine::ops::bits::Need;
use sotto_core::field::Fp;
use sotto_core::share::{deal, reconstruct};

fn now_ms() -> f64 {
    let perf = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok();
    let now = perf
        .as_ref()
        .and_then(|p| js_sys::Reflect::get(p, &"now".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match (perf, now) {
        (Some(p), Some(f)) => f.call0(&p).ok().and_then(|v| v.as_f64()).unwrap_or(0.0),
        _ => js_sys::Date::now(),
    }
}

/// Runs `count` secret comparisons of `bits`-bit values among `parties`
/// members on the in-memory network inside this module, checks them
/// against plaintext, and reports `{ms, rounds, prepRounds, bytesPerParty}`
/// where `ms` is the virtual time of one member computing on its own CPU
/// (as in `sotto bench engine`).
#[wasm_bindgen(js_name = benchCompare)]
pub fn bench_compare(parties: usize, count: usize, bits: u32) -> Result<JsValue, JsValue> {
    let fail = |e: &dyn std::fmt::Display| js_error(Code::Internal, &e.to_string());
    if !(1..=64).contains(&bits) || count == 0 || !(1..=31).contains(&parties) {
        return Err(js_error(
            Code::InvalidOptions,
            "parties 1..31, count >= 1, bits 1..64",
        ));
    }
    let committee = Committee::new(parties);
    let (n, t) = (committee.n, committee.t);
    let mut rng = chacha20::ChaCha20Rng::seed_from_u64(7);
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let a: Vec<u64> = (0..count).map(|_| rng.next_u64() & mask).collect();
    let b: Vec<u64> = (0..count).map(|_| rng.next_u64() & mask).collect();
    let fp = |v: &[u64]| v.iter().map(|&x| Fp::from(x)).collect::<Vec<_>>();
    let sa = deal(&fp(&a), n, t, &mut rng).map_err(|e| fail(&e))?;
    let sb = deal(&fp(&b), n, t, &mut rng).map_err(|e| fail(&e))?;
    let out = Network::new(committee, 7)
        .with_clock(now_ms)
        .run(|ctx| {
            let (x, y) = (sa[ctx.me() - 1].clone(), sb[ctx.me() - 1].clone());
            async move {
                let mut pool = ctx.preprocess(Need::lt(count, bits)).await?;
                ctx.mark_online();
                ctx.lt(&x, &y, bits, &mut pool).await
            }
        })
        .map_err(|e| fail(&e))?;
    let shares: Vec<(usize, &[Fp])> = out
        .values
        .iter()
        .enumerate()
        .map(|(i, s)| (i + 1, s.values()))
        .collect();
    let got = reconstruct(&shares, t).map_err(|e| fail(&e))?;
    let ok = got
        .iter()
        .zip(a.iter().zip(&b))
        .all(|(g, (x, y))| g.value() == u128::from(x < y));
    if !ok {
        return Err(js_error(
            Code::Internal,
            "the engine disagrees with plaintext",
        ));
    }
    let s = out.stats[0];
    super::to_js(&json!({
        "ms": out.ms,
        "rounds": s.online_rounds,
        "prepRounds": s.prep_rounds,
        "bytesPerParty": s.bytes_sent,
    }))
}
