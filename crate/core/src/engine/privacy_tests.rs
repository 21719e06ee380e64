//! What one curious member learns while random bits are made.
//!
//! The attack of issue 13: member 1 collects the n points of the degree-2t
//! polynomial opened by the random-bit protocol, takes its polynomial
//! square root, fixes the sign with its own share and reads off r(0) and
//! so the bit. On the opened `r(X)^2` it recovers every bit; on
//! `r(X)^2 + z(X)` (z a random degree-2t sharing of zero) it must do no
//! better than a coin.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::cell::RefCell;
use std::rc::Rc;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use super::message::Message;
use super::network::Network;
use super::{Committee, Transmit};
use crate::field::Fp;
use crate::share::{deal, reconstruct};

/// Coefficients (constant first) of the polynomial of degree < points.len()
/// through `(x, y)` pairs.
fn interpolate(points: &[(Fp, Fp)]) -> Vec<Fp> {
    let k = points.len();
    let mut out = vec![Fp::ZERO; k];
    for (i, &(xi, yi)) in points.iter().enumerate() {
        // basis = prod_{j != i} (X - xj) / (xi - xj)
        let mut basis = vec![Fp::ONE];
        let mut den = Fp::ONE;
        for (j, &(xj, _)) in points.iter().enumerate() {
            if i == j {
                continue;
            }
            let mut next = vec![Fp::ZERO; basis.len() + 1];
            for (d, &c) in basis.iter().enumerate() {
                next[d + 1] += c;
                next[d] -= c * xj;
            }
            basis = next;
            den *= xi - xj;
        }
        let scale = yi * den.inverse().unwrap();
        for (o, c) in out.iter_mut().zip(&basis) {
            *o += *c * scale;
        }
    }
    out
}

fn eval(coeffs: &[Fp], x: Fp) -> Fp {
    coeffs.iter().rev().fold(Fp::ZERO, |acc, c| acc * x + *c)
}

/// The polynomial square root of `p` (degree 2t, constant first), if `p`
/// is the square of a degree-t polynomial.
fn poly_sqrt(p: &[Fp], t: usize) -> Option<Vec<Fp>> {
    let lead = p[2 * t];
    if lead.is_zero() {
        return None;
    }
    let root = lead.sqrt_of_residue();
    if root.square() != lead {
        return None;
    }
    let mut q = vec![Fp::ZERO; t + 1];
    q[t] = root;
    let two_lead_inv = (Fp::from(2u64) * root).inverse().ok()?;
    // Coefficient t + k of q^2 is 2 q_t q_k + sum over i + j = t + k with
    // k < i, j < t of q_i q_j: solve for q_k from the top down.
    for k in (0..t).rev() {
        let mut rest = Fp::ZERO;
        for i in (k + 1)..t {
            let j = t + k - i;
            if j > k && j < t {
                rest += q[i] * q[j];
            }
        }
        q[k] = (p[t + k] - rest) * two_lead_inv;
    }
    let mut square = vec![Fp::ZERO; 2 * t + 1];
    for (i, a) in q.iter().enumerate() {
        for (j, b) in q.iter().enumerate() {
            square[i + j] += *a * *b;
        }
    }
    (square == p).then_some(q)
}

/// Member 1's guess of each bit from the opened points `opened[j-1]`
/// (member j's point) and its own bit shares.
fn square_root_attack(opened: &[Vec<Fp>], my_bits: &[Fp], t: usize) -> Vec<bool> {
    let half = Fp::from(2u64).inverse().unwrap();
    (0..my_bits.len())
        .map(|k| {
            let pts: Vec<(Fp, Fp)> = opened
                .iter()
                .enumerate()
                .take(2 * t + 1)
                .map(|(j, v)| (Fp::from(j as u64 + 1), v[k]))
                .collect();
            let p = interpolate(&pts);
            let s = p[0];
            let q_inv = s.inverse_sqrt_of_residue();
            // Own share of r from own bit share: b = (r q^-1 + 1) / 2.
            let my_r = (Fp::from(2u64) * my_bits[k] - Fp::ONE) * q_inv.inverse().unwrap();
            match poly_sqrt(&p, t) {
                Some(mut root) => {
                    if eval(&root, Fp::ONE) != my_r {
                        root.iter_mut().for_each(|c| *c = -*c);
                    }
                    (root[0] * q_inv + Fp::ONE) * half == Fp::ONE
                }
                // Not a square: nothing better than a fixed guess.
                None => false,
            }
        })
        .collect()
}

#[test]
fn the_attack_recovers_every_bit_from_plain_squares() {
    // The control: the attack itself works when r(X)^2 is opened as is.
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    for (n, t) in [(3, 1), (5, 2), (7, 3)] {
        let r: Vec<Fp> = (0..50).map(|_| Fp::random(&mut rng)).collect();
        let shares = deal(&r, n, t, &mut rng).unwrap();
        let opened: Vec<Vec<Fp>> = shares
            .iter()
            .map(|s| s.values().iter().map(|x| x.square()).collect())
            .collect();
        let half = Fp::from(2u64).inverse().unwrap();
        let truth: Vec<bool> = r
            .iter()
            .map(|x| (*x * x.square().inverse_sqrt_of_residue() + Fp::ONE) * half == Fp::ONE)
            .collect();
        let my_bits: Vec<Fp> = shares[0]
            .values()
            .iter()
            .zip(&r)
            .map(|(ri, x)| (*ri * x.square().inverse_sqrt_of_residue() + Fp::ONE) * half)
            .collect();
        assert_eq!(square_root_attack(&opened, &my_bits, t), truth);
    }
}

/// A message seen on the wire: (round, sender, values).
type Seen = (u32, usize, Vec<Fp>);

#[test]
fn one_member_learns_nothing_about_random_bits() {
    const BITS: usize = 200;
    for (n, t) in [(3, 1), (5, 2), (7, 3)] {
        let c = Committee { n, t };
        // Everything member 1 sends and receives, by round: (round, from, values).
        let seen: Rc<RefCell<Vec<Seen>>> = Rc::default();
        let log = seen.clone();
        let out = Network::new(c, 11)
            .tamper(move |t: &mut Transmit, from| {
                if t.to == 1 || (from == 1 && t.to == 2) {
                    let m = Message::decode(&t.bytes).unwrap();
                    log.borrow_mut().push((m.round, from, m.values));
                }
            })
            .run(|ctx| async move { ctx.random_bits(BITS).await })
            .unwrap();
        // The opening of the squares is the last round of the preprocessing
        // (after the check value and the consistency value): member j's
        // point reaches member 1 from j, member 1's own goes to 2.
        let seen = seen.borrow();
        let last = seen.iter().map(|(r, _, _)| *r).max().unwrap();
        let mut opened = vec![Vec::new(); n];
        for (round, from, values) in seen.iter() {
            if *round == last {
                opened[from - 1] = values[2..].to_vec();
            }
        }
        assert!(opened.iter().all(|v| v.len() == BITS));
        let shares: Vec<(usize, &[Fp])> = out
            .values
            .iter()
            .enumerate()
            .map(|(i, s)| (i + 1, s.values()))
            .collect();
        let truth: Vec<bool> = reconstruct(&shares, t)
            .unwrap()
            .iter()
            .map(|b| *b == Fp::ONE)
            .collect();
        let guess = square_root_attack(&opened, out.values[0].values(), t);
        let right = guess.iter().zip(&truth).filter(|(g, b)| g == b).count();
        // A coin is right 100 +- 7 times in 200; the old protocol let the
        // attack be right 200 times.
        assert!(
            (60..=140).contains(&right),
            "(n, t) = ({n}, {t}): member 1 guessed {right} of {BITS} bits"
        );
    }
}
