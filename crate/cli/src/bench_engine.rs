//! `sotto bench engine`: committee operations on the in-memory network.
//!
//! Prints one line per run:
//! `op=lt parties=3 count=1000 bits=32 rounds=6 prep_rounds=2 bytes_per_party=... ms=...`
//! - `rounds`: online rounds (after input-independent preprocessing);
//! - `prep_rounds`: preprocessing rounds (random bits and masks);
//! - `bytes_per_party`: what member 1 sent, preprocessing included;
//! - `ms`: virtual time of the whole run, preprocessing included, with
//!   every member on its own CPU and every message taking `--latency-ms`
//!   (see [`sotto_core::engine::network`]).
//!
//! Every run checks its result against the plaintext computation and fails
//! loudly on a mismatch, so a fast wrong engine cannot post a good figure.

use std::time::Instant;

use anyhow::{Context as _, bail, ensure};
use clap::{Args, ValueEnum};
use rand_core::{Rng, SeedableRng};

use sotto_core::engine::network::Network;
use sotto_core::engine::ops::bits::Need;
use sotto_core::engine::ops::stats::{argmax_need, order_statistics_need};
use sotto_core::engine::{Committee, Ctx, EngineError};
use sotto_core::field::Fp;
use sotto_core::share::{ShareVec, deal, reconstruct};

/// Operations the benchmark can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Op {
    /// `count` multiplications of random field elements.
    Mul,
    /// `count` less-than comparisons of `bits`-bit values.
    Lt,
    /// `count` equality tests of `bits`-bit values.
    Eq,
    /// The position of the maximum of `count` values.
    Argmax,
    /// The median of `count` values.
    Median,
}

/// Arguments of `sotto bench engine`.
#[derive(Debug, Args)]
pub struct EngineBenchArgs {
    /// Number of committee members (threshold floor((n-1)/2)).
    #[arg(long, default_value_t = 3)]
    pub parties: usize,
    /// Operation to run.
    #[arg(long, value_enum, default_value_t = Op::Lt)]
    pub op: Op,
    /// How many operations (or values, for argmax and median).
    #[arg(long, default_value_t = 1000)]
    pub count: usize,
    /// Bit width of compared values.
    #[arg(long, default_value_t = 32)]
    pub bits: u32,
    /// Latency of every message in milliseconds.
    #[arg(long, default_value_t = 0.0)]
    pub latency_ms: f64,
    /// Number of runs (one line each).
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
}

/// Runs the engine benchmark and prints one line per run.
pub fn run(args: &EngineBenchArgs) -> anyhow::Result<()> {
    ensure!(args.parties >= 1, "--parties must be at least 1");
    ensure!(
        (1..=64).contains(&args.bits),
        "--bits must be between 1 and 64"
    );
    ensure!(args.count >= 1, "--count must be at least 1");
    if matches!(args.op, Op::Argmax | Op::Median) {
        ensure!(
            args.count <= 2000,
            "argmax and median compare all pairs: use --count of at most 2000"
        );
    }
    for run in 0..args.runs {
        let line = run_once(args, run as u64)?;
        println!("{line}");
    }
    Ok(())
}

fn run_once(args: &EngineBenchArgs, seed: u64) -> anyhow::Result<String> {
    let committee = Committee::new(args.parties);
    let (n, t) = (committee.n, committee.t);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let bound = if args.bits == 64 {
        u64::MAX as u128
    } else {
        (1u128 << args.bits) - 1
    };
    let draw = |rng: &mut rand_chacha::ChaCha20Rng| -> u128 {
        if args.op == Op::Mul {
            Fp::random(rng).value()
        } else {
            (rng.next_u64() as u128) & bound
        }
    };
    let a: Vec<u128> = (0..args.count).map(|_| draw(&mut rng)).collect();
    // Every fourth pair is equal, so equality tests see both outcomes.
    let b: Vec<u128> = a
        .iter()
        .enumerate()
        .map(|(i, &x)| if i % 4 == 0 { x } else { draw(&mut rng) })
        .collect();
    let to_fp = |v: &[u128]| v.iter().map(|&x| Fp::new(x)).collect::<Vec<_>>();
    let sa = deal(&to_fp(&a), n, t, &mut rng)?;
    let sb = deal(&to_fp(&b), n, t, &mut rng)?;
    let (op, bits, count) = (args.op, args.bits, args.count);

    let epoch = Instant::now();
    let out = Network::new(committee, seed)
        .latency_ms(args.latency_ms)
        .with_clock(move || epoch.elapsed().as_secs_f64() * 1e3)
        .run(|ctx| {
            let (x, y) = (sa[ctx.me() - 1].clone(), sb[ctx.me() - 1].clone());
            program(ctx, op, bits, count, x, y)
        })
        .context("the benchmark computation failed")?;

    // Check the result against plaintext, outside the measured run.
    let shares: Vec<(usize, &[Fp])> = out
        .values
        .iter()
        .enumerate()
        .map(|(i, s)| (i + 1, s.values()))
        .collect();
    let got: Vec<u128> = reconstruct(&shares, t)?.iter().map(|x| x.value()).collect();
    let want = expected(op, &a, &b);
    if got != want {
        bail!("wrong result for {op:?}: the engine disagrees with plaintext");
    }
    let s = out.stats[0];
    Ok(format!(
        "op={} parties={n} count={count} bits={bits} rounds={} prep_rounds={} bytes_per_party={} ms={:.1}",
        format!("{op:?}").to_lowercase(),
        s.online_rounds,
        s.prep_rounds,
        s.bytes_sent,
        out.ms
    ))
}

async fn program(
    ctx: Ctx,
    op: Op,
    bits: u32,
    count: usize,
    x: ShareVec,
    y: ShareVec,
) -> Result<ShareVec, EngineError> {
    let need = match op {
        Op::Mul => Need::products(count),
        Op::Lt => Need::lt(count, bits),
        Op::Eq => Need::eq(count, bits),
        Op::Argmax => argmax_need(count, bits),
        Op::Median => order_statistics_need(count, bits, 1),
    };
    let mut pool = if need == Need::default() {
        Default::default()
    } else {
        ctx.preprocess(need).await?
    };
    ctx.mark_online();
    match op {
        Op::Mul => ctx.mul(&x, &y).await,
        Op::Lt => ctx.lt(&x, &y, bits, &mut pool).await,
        Op::Eq => ctx.eq(&x, &y, bits, &mut pool).await,
        Op::Argmax => ctx.argmax_index(&x, bits, &mut pool).await,
        Op::Median => ctx.median(&x, bits, &mut pool).await,
    }
}

fn expected(op: Op, a: &[u128], b: &[u128]) -> Vec<u128> {
    match op {
        Op::Mul => a
            .iter()
            .zip(b)
            .map(|(x, y)| (Fp::new(*x) * Fp::new(*y)).value())
            .collect(),
        Op::Lt => a.iter().zip(b).map(|(x, y)| (x < y) as u128).collect(),
        Op::Eq => a.iter().zip(b).map(|(x, y)| (x == y) as u128).collect(),
        Op::Argmax => {
            let max = a.iter().copied().max().unwrap_or(0);
            vec![a.iter().position(|v| *v == max).unwrap_or(0) as u128]
        }
        Op::Median => {
            let mut s = a.to_vec();
            s.sort_unstable();
            vec![s[(s.len() - 1) / 2]]
        }
    }
}
