//! Forged submissions, for tests and drills: what a cheating participant
//! can build, so that every defence is shown to hold against it.
//!
//! [`shift_within_linear_constraints`] changes chosen entries of a valid
//! vector and repairs the others so every *linear* constraint still holds
//! (only bit constraints break: a "bit" of value 999, say).
//! [`shares_off_degree_t`] then deals such a vector so that its shares are
//! not on one polynomial of degree t: member i's share of a broken bit
//! gets `u * i^(t+1)` added, with u solving the quadratic that makes the
//! degree-2t combination of members 1..=2t+1's `x(x-1)` vanish. A check
//! that reads only those members' points, with degree-2t weights, then
//! sees every constraint satisfied; issue 13 found the validity check did
//! exactly that. The consistency test of [`super::validity::check`]
//! excludes such a submission.

use super::validity::{Constraint, Encoding};
use crate::field::Fp;
use crate::share::lagrange_coefficients;

/// Why a forgery could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ForgeError {
    /// No vector satisfies the linear constraints with the requested
    /// entries.
    #[error("the requested change contradicts the encoding's linear constraints")]
    Infeasible,
    /// The committee parameters cannot be forged against (t = 0 or
    /// 2t + 1 > n).
    #[error("bad committee parameters")]
    BadCommittee,
    /// An index is outside the vector.
    #[error("entry {0} is outside the encoding")]
    BadEntry(usize),
}

/// `valid` with `entry += delta` for each `(entry, delta)` in `changes`,
/// and other entries adjusted so that every linear constraint of `enc`
/// still holds (the smallest set of pivot entries moves; the rest stay).
pub fn shift_within_linear_constraints(
    enc: &Encoding,
    valid: &[Fp],
    changes: &[(usize, Fp)],
) -> Result<Vec<Fp>, ForgeError> {
    let len = enc.len;
    if valid.len() != len {
        return Err(ForgeError::BadEntry(valid.len()));
    }
    // Rows [coefficients | right-hand side] for the direction d:
    // L d = 0 for each linear constraint, d[entry] = delta for each change.
    let mut rows: Vec<Vec<Fp>> = Vec::new();
    for c in &enc.constraints {
        if let Constraint::Linear { terms, .. } = c {
            let mut row = vec![Fp::ZERO; len + 1];
            for (i, coeff) in terms {
                row[*i] += *coeff;
            }
            rows.push(row);
        }
    }
    for (entry, delta) in changes {
        if *entry >= len {
            return Err(ForgeError::BadEntry(*entry));
        }
        let mut row = vec![Fp::ZERO; len + 1];
        row[*entry] = Fp::ONE;
        row[len] = *delta;
        rows.push(row);
    }
    let d = solve(rows, len)?;
    Ok(valid.iter().zip(&d).map(|(v, x)| *v + *x).collect())
}

/// Gauss-Jordan elimination over the augmented `rows` (`len` unknowns);
/// free variables are zero: any solution serves a forgery.
fn solve(mut rows: Vec<Vec<Fp>>, len: usize) -> Result<Vec<Fp>, ForgeError> {
    let mut pivots: Vec<(usize, usize)> = Vec::new();
    let mut r = 0;
    for col in 0..len {
        let Some(p) = (r..rows.len()).find(|&i| !rows[i][col].is_zero()) else {
            continue;
        };
        rows.swap(r, p);
        let inv = rows[r][col].inverse().map_err(|_| ForgeError::Infeasible)?;
        for x in rows[r].iter_mut() {
            *x *= inv;
        }
        let pivot_row = rows[r].clone();
        for (i, row) in rows.iter_mut().enumerate() {
            if i != r && !row[col].is_zero() {
                let f = row[col];
                for (x, p) in row.iter_mut().zip(&pivot_row) {
                    *x -= f * *p;
                }
            }
        }
        pivots.push((r, col));
        r += 1;
    }
    if rows[r..].iter().any(|row| !row[len].is_zero()) {
        return Err(ForgeError::Infeasible);
    }
    let mut d = vec![Fp::ZERO; len];
    for (row, col) in pivots {
        d[col] = rows[row][len];
    }
    Ok(d)
}

/// Deals `x` to members 1..=n so that the shares of every entry under a
/// bit constraint whose value is not 0 or 1 lie off degree t, chosen so
/// that a degree-2t check over members 1..=2t+1 sees `x(x-1) = 0`; other
/// entries get honest degree-t sharings. Element i-1 is member i's
/// vector. `rng` draws the polynomials.
pub fn shares_off_degree_t(
    enc: &Encoding,
    x: &[Fp],
    n: usize,
    t: usize,
    rng: &mut impl rand_core::CryptoRng,
) -> Result<Vec<Vec<Fp>>, ForgeError> {
    if t == 0 || 2 * t + 1 > n || x.len() != enc.len {
        return Err(ForgeError::BadCommittee);
    }
    let checkers: Vec<usize> = (1..=2 * t + 1).collect();
    let lambda =
        lagrange_coefficients(&checkers, Fp::ZERO).map_err(|_| ForgeError::BadCommittee)?;
    let pow = |i: usize, e: usize| Fp::from(i as u64).pow(e as u128);
    // B = sum lambda_i i^(2t+2): what u^2 X^(2t+2) contributes.
    let b: Fp = checkers
        .iter()
        .zip(&lambda)
        .fold(Fp::ZERO, |a, (&i, l)| a + *l * pow(i, 2 * t + 2));
    let broken: Vec<bool> = (0..x.len())
        .map(|k| {
            enc.constraints.contains(&Constraint::Bit(k)) && x[k] != Fp::ZERO && x[k] != Fp::ONE
        })
        .collect();
    let mut out = vec![Vec::with_capacity(x.len()); n];
    for (k, &v) in x.iter().enumerate() {
        loop {
            let coeffs: Vec<Fp> = (0..t).map(|_| Fp::random(rng)).collect();
            let f = |i: usize| {
                coeffs
                    .iter()
                    .enumerate()
                    .fold(v, |a, (d, c)| a + *c * pow(i, d + 1))
            };
            let u = if broken[k] {
                // A = sum lambda_i 2 f(i) i^(t+1); C = v^2 - v. Solve
                // B u^2 + A u + C = 0 (the f^2 and f terms give v^2 - v;
                // u X^(t+1) has degree <= 2t and no constant term).
                let a = checkers.iter().zip(&lambda).fold(Fp::ZERO, |acc, (&i, l)| {
                    acc + *l * Fp::from(2u64) * f(i) * pow(i, t + 1)
                });
                let c = v * v - v;
                let disc = a * a - Fp::from(4u64) * b * c;
                let root = disc.sqrt_of_residue();
                if root.square() != disc {
                    continue; // not a square: draw f again
                }
                let two_b_inv = (Fp::from(2u64) * b)
                    .inverse()
                    .map_err(|_| ForgeError::BadCommittee)?;
                (root - a) * two_b_inv
            } else {
                Fp::ZERO
            };
            for (i, share) in out.iter_mut().enumerate() {
                share.push(f(i + 1) + u * pow(i + 1, t + 1));
            }
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;
    use crate::apps::vote::testing::{Method, letters};

    /// The old check: degree-2t combination over members 1..=2t+1.
    fn old_check_passes(enc: &Encoding, shares: &[Vec<Fp>], t: usize) -> bool {
        let pts: Vec<usize> = (1..=2 * t + 1).collect();
        let lambda = lagrange_coefficients(&pts, Fp::ZERO).unwrap();
        enc.constraints.iter().all(|c| {
            let value = pts.iter().zip(&lambda).fold(Fp::ZERO, |acc, (&i, l)| {
                let x = &shares[i - 1];
                acc + *l
                    * match c {
                        Constraint::Bit(k) => x[*k] * (x[*k] - Fp::ONE),
                        Constraint::Linear { terms, constant } => {
                            terms.iter().fold(Fp::ZERO, |a, (k, c)| a + *c * x[*k]) - *constant
                        }
                    }
            });
            value.is_zero()
        })
    }

    #[test]
    fn a_score_of_1000_passes_a_degree_2t_check_of_the_first_members() {
        let enc = super::super::vote::encoding(&Method::Score { max: 5 }.schema(letters(3)));
        let mut valid = vec![Fp::ZERO; enc.len];
        // Scores 0, 0, 0 are spelled by all-zero bits except hi - x = 5.
        let w = 3;
        for o in 0..3 {
            let hi_bits = 3 + o * 2 * w + w;
            valid[hi_bits] = Fp::ONE;
            valid[hi_bits + 2] = Fp::ONE;
        }
        enc.prove(&mut valid);
        assert!(enc.is_valid(&valid));
        let forged =
            shift_within_linear_constraints(&enc, &valid, &[(0, Fp::from(1000u64))]).unwrap();
        assert_eq!(forged[0], Fp::from(1000u64));
        assert!(!enc.is_valid(&forged));
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        for (n, t) in [(3, 1), (4, 1), (5, 2), (7, 3)] {
            let shares = shares_off_degree_t(&enc, &forged, n, t, &mut rng).unwrap();
            assert!(old_check_passes(&enc, &shares, t), "(n, t) = ({n}, {t})");
        }
    }

    #[test]
    fn contradictions_and_bad_parameters_are_errors() {
        let enc = super::super::vote::encoding(&Method::Plurality.schema(letters(2)));
        let mut valid = vec![Fp::ZERO; enc.len];
        valid[0] = Fp::ONE;
        enc.prove(&mut valid);
        // Both entries pinned to +1: the sum constraint cannot hold.
        assert_eq!(
            shift_within_linear_constraints(&enc, &valid, &[(0, Fp::ONE), (1, Fp::ONE)]),
            Err(ForgeError::Infeasible)
        );
        assert_eq!(
            shift_within_linear_constraints(&enc, &valid, &[(9, Fp::ONE)]),
            Err(ForgeError::BadEntry(9))
        );
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        assert_eq!(
            shares_off_degree_t(&enc, &valid, 2, 1, &mut rng),
            Err(ForgeError::BadCommittee)
        );
    }
}
