//! Basic operations: local linear algebra on sharings, opening,
//! multiplication, inputs and joint random sharings.

use crate::engine::ctx::Ctx;
use crate::engine::error::EngineError;
use crate::field::Fp;
use crate::share::{ShareVec, deal};

/// Element-wise `a + b` (local).
pub fn add(a: &ShareVec, b: &ShareVec) -> Result<ShareVec, EngineError> {
    zip_with(a, b, |x, y| x + y)
}

/// Element-wise `a - b` (local).
pub fn sub(a: &ShareVec, b: &ShareVec) -> Result<ShareVec, EngineError> {
    zip_with(a, b, |x, y| x - y)
}

/// `c * a` for a public constant c (local).
pub fn scale(a: &ShareVec, c: Fp) -> ShareVec {
    ShareVec(a.0.iter().map(|x| *x * c).collect())
}

/// `a + c` for a public constant c (local: every share shifts by c, so the
/// polynomial's constant term does).
pub fn add_const(a: &ShareVec, c: Fp) -> ShareVec {
    ShareVec(a.0.iter().map(|x| *x + c).collect())
}

/// `a + c[i]` element-wise for public constants.
pub fn add_public(a: &ShareVec, c: &[Fp]) -> Result<ShareVec, EngineError> {
    if a.len() != c.len() {
        return Err(EngineError::InvalidOperation("operand lengths differ"));
    }
    Ok(ShareVec(a.0.iter().zip(c).map(|(x, y)| *x + *y).collect()))
}

/// `a[i] * c[i]` element-wise for public constants (local).
pub fn mul_public(a: &ShareVec, c: &[Fp]) -> Result<ShareVec, EngineError> {
    if a.len() != c.len() {
        return Err(EngineError::InvalidOperation("operand lengths differ"));
    }
    Ok(ShareVec(a.0.iter().zip(c).map(|(x, y)| *x * *y).collect()))
}

/// Sum of all elements, as a sharing of length one (local).
pub fn sum(a: &ShareVec) -> ShareVec {
    ShareVec(vec![a.0.iter().fold(Fp::ZERO, |acc, x| acc + *x)])
}

/// Inclusive prefix sums: element i is `a[0] + ... + a[i]` (local).
pub fn prefix_sum(a: &ShareVec) -> ShareVec {
    let mut acc = Fp::ZERO;
    ShareVec(
        a.0.iter()
            .map(|x| {
                acc += *x;
                acc
            })
            .collect(),
    )
}

/// Sums of consecutive chunks of `width` elements (local): the per-question
/// counts of one-hot encodings, for instance.
pub fn chunk_sums(a: &ShareVec, width: usize) -> Result<ShareVec, EngineError> {
    if width == 0 || !a.len().is_multiple_of(width) {
        return Err(EngineError::InvalidOperation(
            "length is not a multiple of the chunk width",
        ));
    }
    Ok(ShareVec(
        a.0.chunks(width)
            .map(|c| c.iter().fold(Fp::ZERO, |s, x| s + *x))
            .collect(),
    ))
}

/// Concatenation of several sharings (local).
pub fn concat(parts: &[&ShareVec]) -> ShareVec {
    ShareVec(parts.iter().flat_map(|p| p.0.iter().copied()).collect())
}

/// Splits a sharing into consecutive parts of the given lengths (local).
pub fn split(a: &ShareVec, lens: &[usize]) -> Result<Vec<ShareVec>, EngineError> {
    if lens.iter().sum::<usize>() != a.len() {
        return Err(EngineError::InvalidOperation("split lengths do not add up"));
    }
    let mut at = 0;
    Ok(lens
        .iter()
        .map(|&l| {
            let part = ShareVec(a.0[at..at + l].to_vec());
            at += l;
            part
        })
        .collect())
}

/// A public vector as a sharing: every member holds the value itself
/// (the constant polynomial).
pub fn constant(values: &[Fp]) -> ShareVec {
    ShareVec(values.to_vec())
}

fn zip_with(a: &ShareVec, b: &ShareVec, f: impl Fn(Fp, Fp) -> Fp) -> Result<ShareVec, EngineError> {
    if a.len() != b.len() {
        return Err(EngineError::InvalidOperation("operand lengths differ"));
    }
    Ok(ShareVec(
        a.0.iter().zip(&b.0).map(|(x, y)| f(*x, *y)).collect(),
    ))
}

impl Ctx {
    /// Opens a degree-t sharing to every member (one round). All n shares
    /// are used: t+1 interpolate, the rest are checked, and an inconsistent
    /// member is named when identifiable ([`EngineError::Opening`]).
    pub async fn open(&self, x: &ShareVec) -> Result<Vec<Fp>, EngineError> {
        let all: Vec<usize> = (1..=self.n()).collect();
        Ok(self.open_to(x, &all).await?.unwrap_or_default())
    }

    /// Opens a degree-t sharing to the members in `recipients` only (one
    /// round). Recipients get `Some(values)`, everyone else `None`.
    pub async fn open_to(
        &self,
        x: &ShareVec,
        recipients: &[usize],
    ) -> Result<Option<Vec<Fp>>, EngineError> {
        let plan = self.open_plan().clone();
        let out = self.open_with(x, recipients, &plan).await?;
        if let Some(v) = &out {
            self.lock().stats.revealed += v.len() as u64;
        }
        Ok(out)
    }

    /// Opens a sharing whose value is uniformly random or statistically
    /// masked, so the opening reveals nothing about any input (comparison
    /// masks, random coefficients). Not counted in
    /// [`crate::engine::Stats::revealed`].
    pub async fn open_masked(&self, x: &ShareVec) -> Result<Vec<Fp>, EngineError> {
        let all: Vec<usize> = (1..=self.n()).collect();
        let plan = self.open_plan().clone();
        Ok(self.open_with(x, &all, &plan).await?.unwrap_or_default())
    }

    /// Opens a sharing of degree 2t (needs 2t+1 <= n shares; 2t+1
    /// interpolate and the rest are checked).
    ///
    /// Never call it on a plain product of degree-t sharings: the n points
    /// of a product polynomial reveal far more than its constant term (the
    /// square `r(X)^2` hands out `+-r(X)` itself). The only caller,
    /// [`Ctx::preprocess`], adds a random degree-2t sharing of zero dealt
    /// by every member ([`Ctx::joint_deal_with_zeros`]) first, which makes
    /// the opened polynomial uniform given its constant term; its docs
    /// carry the argument.
    pub(crate) async fn open_degree_2t(&self, x: &ShareVec) -> Result<Vec<Fp>, EngineError> {
        let all: Vec<usize> = (1..=self.n()).collect();
        let plan = self.open2_plan().clone();
        Ok(self.open_with(x, &all, &plan).await?.unwrap_or_default())
    }

    async fn open_with(
        &self,
        x: &ShareVec,
        recipients: &[usize],
        plan: &crate::share::Reconstructor,
    ) -> Result<Option<Vec<Fp>>, EngineError> {
        if recipients.iter().any(|&r| r == 0 || r > self.n()) {
            return Err(EngineError::InvalidOperation(
                "recipient outside the committee",
            ));
        }
        let outgoing = (1..=self.n())
            .map(|j| recipients.contains(&j).then(|| x.0.clone()))
            .collect();
        let receiving = recipients.contains(&self.me());
        let expect = if receiving {
            (1..=self.n()).map(|j| (j, x.len())).collect()
        } else {
            Vec::new()
        };
        let round = self.current_round();
        let got = self.exchange(outgoing, expect).await?;
        if !receiving {
            return Ok(None);
        }
        let refs: Vec<&[Fp]> = got.iter().map(|v| v.as_slice()).collect();
        self.reconstruct_with(plan, &refs, round).map(Some)
    }

    /// Multiplies element-wise (one round), by re-sharing the degree-2t
    /// products: Gennaro, Rabin and Rabin, "Simplified VSS and fast-track
    /// multiparty computations" (PODC 1998), section 3. Members 1..=2t+1
    /// share `x_i * y_i` with degree t; member j's new share is the
    /// Lagrange combination (at 0, over points 1..=2t+1) of what it got.
    pub async fn mul(&self, x: &ShareVec, y: &ShareVec) -> Result<ShareVec, EngineError> {
        if x.len() != y.len() {
            return Err(EngineError::InvalidOperation("operand lengths differ"));
        }
        let products: Vec<Fp> = x.0.iter().zip(&y.0).map(|(a, b)| *a * *b).collect();
        self.reduce_degree(&products).await
    }

    /// Turns local points of degree-2t polynomials (products of two
    /// degree-t sharings, or sums of such products) into degree-t sharings
    /// of the same values (one round): the re-sharing step of GRR98.
    pub async fn reduce_degree(&self, local: &[Fp]) -> Result<ShareVec, EngineError> {
        let (n, t, len) = (self.n(), self.t(), local.len());
        let dealers = 2 * t + 1;
        let outgoing = if self.me() <= dealers {
            let shares = self.with_rng(|rng| deal(local, n, t, rng))?;
            shares.into_iter().map(|s| Some(s.into_values())).collect()
        } else {
            vec![None; n]
        };
        let expect = (1..=dealers).map(|i| (i, len)).collect();
        let got = self.exchange(outgoing, expect).await?;
        let lambdas =
            crate::share::lagrange_coefficients(&(1..=dealers).collect::<Vec<_>>(), Fp::ZERO)?;
        let mut out = vec![Fp::ZERO; len];
        for (lambda, shares) in lambdas.iter().zip(&got) {
            for (o, s) in out.iter_mut().zip(shares) {
                *o += *lambda * *s;
            }
        }
        Ok(ShareVec(out))
    }

    /// Shares a private vector of member `dealer` with everyone (one round).
    /// The dealer passes `Some(values)`; the others pass `None` and `len`.
    pub async fn input(
        &self,
        dealer: usize,
        values: Option<&[Fp]>,
        len: usize,
    ) -> Result<ShareVec, EngineError> {
        if dealer == 0 || dealer > self.n() {
            return Err(EngineError::InvalidOperation(
                "dealer outside the committee",
            ));
        }
        let outgoing = if self.me() == dealer {
            let values = values.ok_or(EngineError::InvalidOperation(
                "the dealer must supply its values",
            ))?;
            if values.len() != len {
                return Err(EngineError::InvalidOperation(
                    "input length differs from the declared length",
                ));
            }
            let shares = self.with_rng(|rng| deal(values, self.n(), self.t(), rng))?;
            shares.into_iter().map(|s| Some(s.into_values())).collect()
        } else {
            vec![None; self.n()]
        };
        let mut got = self.exchange(outgoing, vec![(dealer, len)]).await?;
        Ok(ShareVec(got.pop().unwrap_or_default()))
    }

    /// Every member deals its own local vector and the sharings are added
    /// (one round): the sum is as random as the most random honest
    /// contribution. `local` must have the same length at every member.
    pub async fn joint_deal(&self, local: &[Fp]) -> Result<ShareVec, EngineError> {
        Ok(self.joint_deal_with_zeros(local, 0).await?.0)
    }

    /// [`Ctx::joint_deal`] of `local`, and in the same round `zeros` joint
    /// random sharings of zero of degree 2t: every member deals its own
    /// random degree-2t polynomials with constant term 0 and the sums are
    /// taken, so the result is uniform among such polynomials as long as
    /// one member is honest. They mask degree-2t openings (the random-bit
    /// opening of [`Ctx::preprocess`]).
    pub async fn joint_deal_with_zeros(
        &self,
        local: &[Fp],
        zeros: usize,
    ) -> Result<(ShareVec, ShareVec), EngineError> {
        let (n, t, len) = (self.n(), self.t(), local.len());
        let (shares, zero_shares) = self.with_rng(|rng| {
            let shares = deal(local, n, t, rng)?;
            let zero_shares = deal(&vec![Fp::ZERO; zeros], n, 2 * t, rng)?;
            Ok::<_, crate::share::ShareError>((shares, zero_shares))
        })?;
        let outgoing = shares
            .into_iter()
            .zip(zero_shares)
            .map(|(s, z)| {
                let mut v = s.into_values();
                v.extend(z.into_values());
                Some(v)
            })
            .collect();
        let expect = (1..=n).map(|j| (j, len + zeros)).collect();
        let got = self.exchange(outgoing, expect).await?;
        let mut out = vec![Fp::ZERO; len + zeros];
        for v in &got {
            for (o, s) in out.iter_mut().zip(v) {
                *o += *s;
            }
        }
        let z = out.split_off(len);
        Ok((ShareVec(out), ShareVec(z)))
    }

    /// `count` joint random sharings of uniform field elements (one round,
    /// input-independent): each member deals random values, the sum is
    /// uniform and unknown to any t members.
    pub async fn random(&self, count: usize) -> Result<ShareVec, EngineError> {
        let local: Vec<Fp> = self.with_rng(|rng| (0..count).map(|_| Fp::random(rng)).collect());
        self.joint_deal(&local).await
    }

    /// Selects element-wise: `c ? x : y` as `y + c * (x - y)` for shared
    /// bits c (one round).
    pub async fn select(
        &self,
        c: &ShareVec,
        x: &ShareVec,
        y: &ShareVec,
    ) -> Result<ShareVec, EngineError> {
        let diff = sub(x, y)?;
        add(y, &self.mul(c, &diff).await?)
    }
}
