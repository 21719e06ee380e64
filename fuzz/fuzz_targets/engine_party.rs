//! The committee engine fed by a hostile network: three `engine::Party`
//! members run a small program (preprocessing, a comparison, a
//! multiplication, two openings) while the fuzzer delivers their messages
//! in any order, tampers with, duplicates or drops them, and injects raw
//! bytes and forged messages under any sender index. `handle_message`
//! must answer with a typed error, never panic; and when every message
//! arrived untouched, every member finishes with the right outputs.
//!
//! Raw bytes also go through the engine's own decoders
//! (`engine::message::Message::decode`, `share::ShareVec::from_bytes`),
//! which must round-trip what they accept.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sotto_core::engine::message::Message;
use sotto_core::engine::ops::bits::Need;
use sotto_core::engine::{Committee, Party};
use sotto_core::field::{Fp, MODULUS};
use sotto_core::share::{ShareVec, deal};
use sotto_fuzz::rng;

const N: usize = 3;
const INSTANCE: u64 = 7;
const A: u64 = 20;
const B: u64 = 22;

type Out = (Vec<Fp>, Vec<Fp>);

#[derive(Debug, Arbitrary)]
enum Op<'a> {
    /// Deliver the pending message at this index, untouched.
    Deliver(u8),
    /// Deliver it with `bytes[at] ^= xor`.
    Tamper { pick: u8, at: u16, xor: u8 },
    /// Deliver a copy and keep the original pending.
    Duplicate(u8),
    /// Drop it.
    Drop(u8),
    /// Raw bytes to member `to` as if from member `from` (any index).
    Raw { to: u8, from: u8, bytes: &'a [u8] },
    /// A well-formed message with chosen header fields and values.
    Forge {
        to: u8,
        from: u8,
        claimed_from: u16,
        round: u8,
        values: Vec<u128>,
    },
}

struct Pending {
    from: usize,
    to: usize,
    bytes: Vec<u8>,
}

fn parties() -> Vec<Party<Out>> {
    let committee = Committee::new(N);
    let mut dealer = rng(1);
    let a = deal(&[Fp::from(A)], N, committee.t, &mut dealer).expect("deal");
    let b = deal(&[Fp::from(B)], N, committee.t, &mut dealer).expect("deal");
    (1..=N)
        .map(|me| {
            let (a, b) = (a[me - 1].clone(), b[me - 1].clone());
            Party::new(
                committee,
                me,
                INSTANCE,
                Box::new(rng(100 + me as u64)),
                move |ctx| async move {
                    let mut pool = ctx.preprocess(Need::masked(1, 8)).await?;
                    let less = ctx.lt(&a, &b, 8, &mut pool).await?;
                    let product = ctx.mul(&a, &b).await?;
                    Ok((ctx.open(&less).await?, ctx.open(&product).await?))
                },
            )
            .expect("party")
        })
        .collect()
}

fn flush(party: &mut Party<Out>, pending: &mut Vec<Pending>) {
    let from = party.me();
    while let Some(t) = party.poll_transmit() {
        pending.push(Pending {
            from,
            to: t.to,
            bytes: t.bytes,
        });
    }
}

fn decoders(bytes: &[u8]) {
    if let Ok(m) = Message::decode(bytes) {
        assert_eq!(m.encode(), bytes);
    }
    if let Ok(s) = ShareVec::from_bytes(bytes) {
        assert_eq!(s.to_bytes(), bytes);
    }
}

/// Hands `bytes` to member `to` (1-based, may be out of range) and queues
/// what it sends back.
fn deliver(
    parties: &mut [Party<Out>],
    pending: &mut Vec<Pending>,
    to: usize,
    from: usize,
    bytes: &[u8],
) {
    let Some(party) = to.checked_sub(1).and_then(|i| parties.get_mut(i)) else {
        return;
    };
    // Ok or a typed error, whatever the bytes; a panic fails the run.
    let _ = party.handle_message(from, bytes);
    flush(party, pending);
}

fuzz_target!(|ops: Vec<Op<'_>>| {
    let mut parties = parties();
    let mut pending = Vec::new();
    for p in parties.iter_mut() {
        p.start();
        flush(p, &mut pending);
    }
    let mut honest = true;
    for op in ops.into_iter().take(256) {
        match op {
            Op::Deliver(i) | Op::Tamper { pick: i, .. } | Op::Duplicate(i) | Op::Drop(i)
                if pending.is_empty() =>
            {
                let _ = i;
            }
            Op::Deliver(i) => {
                let m = pending.remove(usize::from(i) % pending.len());
                deliver(&mut parties, &mut pending, m.to, m.from, &m.bytes);
            }
            Op::Tamper { pick, at, xor } => {
                let mut m = pending.remove(usize::from(pick) % pending.len());
                let at = usize::from(at) % m.bytes.len();
                m.bytes[at] ^= xor;
                honest &= xor == 0;
                deliver(&mut parties, &mut pending, m.to, m.from, &m.bytes);
            }
            Op::Duplicate(i) => {
                let m = &pending[usize::from(i) % pending.len()];
                let (to, from, bytes) = (m.to, m.from, m.bytes.clone());
                deliver(&mut parties, &mut pending, to, from, &bytes);
            }
            Op::Drop(i) => {
                pending.remove(usize::from(i) % pending.len());
                honest = false;
            }
            Op::Raw { to, from, bytes } => {
                decoders(bytes);
                honest = false;
                deliver(
                    &mut parties,
                    &mut pending,
                    usize::from(to % 5),
                    usize::from(from % 5),
                    bytes,
                );
            }
            Op::Forge {
                to,
                from,
                claimed_from,
                round,
                values,
            } => {
                let to = usize::from(to % 5);
                let bytes = Message {
                    instance: INSTANCE,
                    round: u32::from(round % 24),
                    from: claimed_from % 5,
                    to: to as u16,
                    values: values
                        .into_iter()
                        .take(8)
                        .map(|v| Fp::new(v % MODULUS))
                        .collect(),
                }
                .encode();
                honest = false;
                deliver(
                    &mut parties,
                    &mut pending,
                    to,
                    usize::from(from % 5),
                    &bytes,
                );
            }
        }
    }
    // Then the network behaves: everything still pending arrives in order.
    let mut steps = 0;
    while !pending.is_empty() && steps < 10_000 {
        let m = pending.remove(0);
        deliver(&mut parties, &mut pending, m.to, m.from, &m.bytes);
        steps += 1;
    }
    for p in parties.iter_mut() {
        let out = p.take_output();
        if honest {
            let (less, product) = out.expect("finished").expect("honest run succeeds");
            assert_eq!(less, vec![Fp::from(A < B)]);
            assert_eq!(product, vec![Fp::from(A * B)]);
        }
    }
});
