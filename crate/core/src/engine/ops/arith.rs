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

/// `x^2 = F + 2 d f + d^2` for square pairs `(f, F)` and opened `d = x - f`.
/// Square pairs are flat (`f, F` for each).
pub(crate) fn square_from(squares: &[Fp], d: &[Fp]) -> ShareVec {
    ShareVec(
        squares
            .chunks_exact(2)
            .zip(d)
            .map(|(p, d)| p[1] + (*d + *d) * p[0] + d.square())
            .collect(),
    )
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
    /// Opens a degree-t sharing to every live member (one round). All
    /// their shares are used: t+1 interpolate, the rest are checked, and an
    /// inconsistent member is named when identifiable
    /// ([`EngineError::Opening`]).
    pub async fn open(&self, x: &ShareVec) -> Result<Vec<Fp>, EngineError> {
        let all = self.members().to_vec();
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
        let out = self.open_with(x, recipients, &plan, true).await?;
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
        self.open_masked_as(x, true).await
    }

    /// [`Ctx::open_masked`], its messages flagged as openings
    /// ([`crate::engine::Transmit::opening`]) only when `flagged`: the
    /// openings of preprocessing checks are not, since a corrupt dealer
    /// can make honest members' shares there disagree, and such shares
    /// must never serve as evidence against an honest member.
    pub(crate) async fn open_masked_as(
        &self,
        x: &ShareVec,
        flagged: bool,
    ) -> Result<Vec<Fp>, EngineError> {
        let all = self.members().to_vec();
        let plan = self.open_plan().clone();
        Ok(self
            .open_with(x, &all, &plan, flagged)
            .await?
            .unwrap_or_default())
    }

    /// Opens masked values to every member, value by value: `Some(v)`
    /// where all n shares of that value lie on one polynomial of degree t,
    /// `None` where they do not (one round). For checks that exclude a
    /// participant's inconsistent submission instead of aborting; the
    /// values must be uniformly random or masked, like
    /// [`Ctx::open_masked`]'s.
    pub async fn open_each(&self, x: &ShareVec) -> Result<Vec<Option<Fp>>, EngineError> {
        let mut outgoing = vec![Some(x.0.clone()); self.n()];
        self.deviate_opening(&mut outgoing);
        let expect = self.members().iter().map(|&j| (j, x.len())).collect();
        let round = self.current_round();
        let got = self.exchange(outgoing, expect).await?;
        let refs: Vec<&[Fp]> = got.iter().map(|v| v.as_slice()).collect();
        let out = self.open_plan().reconstruct_each(&refs)?;
        self.record_opened(round, out.iter().copied());
        Ok(out)
    }

    async fn open_with(
        &self,
        x: &ShareVec,
        recipients: &[usize],
        plan: &crate::share::Reconstructor,
        flagged: bool,
    ) -> Result<Option<Vec<Fp>>, EngineError> {
        if recipients.iter().any(|r| !self.members().contains(r)) {
            return Err(EngineError::InvalidOperation(
                "recipient outside the live members",
            ));
        }
        let mut outgoing: Vec<Option<Vec<Fp>>> = (1..=self.n())
            .map(|j| recipients.contains(&j).then(|| x.0.clone()))
            .collect();
        self.deviate_opening(&mut outgoing);
        let receiving = recipients.contains(&self.me());
        let expect = if receiving {
            self.members().iter().map(|&j| (j, x.len())).collect()
        } else {
            Vec::new()
        };
        let round = self.current_round();
        // Only online openings are flagged, never those of preprocessing.
        let flagged = flagged && !self.lock().in_prep;
        let got = self.exchange_as(outgoing, expect, flagged).await?;
        if !receiving {
            return Ok(None);
        }
        let refs: Vec<&[Fp]> = got.iter().map(|v| v.as_slice()).collect();
        let out = self.reconstruct_with(plan, &refs, round).inspect_err(|e| {
            if flagged {
                self.keep_own_opening(e, round, &got);
            }
        })?;
        self.record_opened(round, out.iter().copied().map(Some));
        Ok(Some(out))
    }

    /// Multiplies element-wise (one round) with verified triples: Beaver,
    /// "Efficient multiparty protocols using circuit randomization"
    /// (CRYPTO 1991). With a triple `(a, b, c = ab)` from verified
    /// preprocessing ([`super::prep`]), `d = x - a` and `e = y - b` are
    /// opened with all n shares and `xy = c + d b + e a + d e` locally.
    ///
    /// What the openings reveal: `d` and `e` are uniform, since `a` and `b`
    /// are uniform, unknown to any t members and used for this product
    /// only. What a deviating member can do: send a wrong share of `d` or
    /// `e`, which every honest member detects (its t + 1 honest shares fix
    /// the polynomial), so the product is right or the computation aborts.
    /// Triples come from the stock; when it is short, more are made first
    /// (four rounds, five the first time in a run; [`Ctx::preprocess`] prepares them ahead).
    pub async fn mul(&self, x: &ShareVec, y: &ShareVec) -> Result<ShareVec, EngineError> {
        if x.len() != y.len() {
            return Err(EngineError::InvalidOperation("operand lengths differ"));
        }
        let len = x.len();
        if len == 0 {
            return Ok(ShareVec(Vec::new()));
        }
        let triples = self.take_triples(len).await?;
        let mut masked = Vec::with_capacity(2 * len);
        masked.extend(
            x.0.iter()
                .zip(triples.chunks_exact(3))
                .map(|(x, t)| *x - t[0]),
        );
        masked.extend(
            y.0.iter()
                .zip(triples.chunks_exact(3))
                .map(|(y, t)| *y - t[1]),
        );
        let opened = self.open_masked(&ShareVec(masked)).await?;
        let (d, e) = opened.split_at(len);
        Ok(ShareVec(
            triples
                .chunks_exact(3)
                .zip(d.iter().zip(e))
                .map(|(t, (d, e))| t[2] + *d * t[1] + *e * t[0] + *d * *e)
                .collect(),
        ))
    }

    /// Squares element-wise (one round) with verified square pairs
    /// `(f, F = f^2)`: `d = x - f` is opened (uniform, as `f` is) and
    /// `x^2 = F + 2 d f + d^2` locally. Half the traffic of [`Ctx::mul`].
    pub async fn square(&self, x: &ShareVec) -> Result<ShareVec, EngineError> {
        Ok(self.square_with(x, &ShareVec(Vec::new()), true).await?.0)
    }

    /// [`Ctx::square`], opening the uniformly random or masked `extra` in
    /// the same round; the opening is flagged as one
    /// ([`crate::engine::Transmit::opening`]) only when `flagged`. It must
    /// not be when `x` was dealt by members in this run and not checked
    /// yet: a dealer can give an honest member a share off the polynomial,
    /// and that member's share of `x - f` must never serve as evidence
    /// against it.
    pub(crate) async fn square_with(
        &self,
        x: &ShareVec,
        extra: &ShareVec,
        flagged: bool,
    ) -> Result<(ShareVec, Vec<Fp>), EngineError> {
        let squares = self.take_squares(x.len()).await?;
        let mut masked: Vec<Fp> =
            x.0.iter()
                .zip(squares.chunks_exact(2))
                .map(|(x, s)| *x - s[0])
                .collect();
        masked.extend_from_slice(&extra.0);
        let mut d = self.open_masked_as(&ShareVec(masked), flagged).await?;
        let extra = d.split_off(x.len());
        Ok((square_from(&squares, &d), extra))
    }

    /// Re-shares local points of degree-2t polynomials (products of two
    /// degree-t sharings) to degree t (one round): the re-sharing step of
    /// Gennaro, Rabin and Rabin, "Simplified VSS and fast-track multiparty
    /// computations" (PODC 1998), section 3. The first 2t+1 live members
    /// share their point with degree t, seeded ([`super::keys`]: t of the
    /// shares come from pair keys, so a dealer sends L - 1 - t of them);
    /// member j's new share is the Lagrange combination (at 0, over those
    /// points) of what it got. The first use in a run agrees on the keys
    /// (one more round).
    ///
    /// A dealer may re-share a wrong value unseen: only the preprocessing
    /// uses this, where the sacrifice check catches it
    /// ([`super::prep`]) and its audit names the dealer
    /// ([`super::audit`]), for which the shares received from each dealer
    /// are returned too (in the order of the dealers, the first 2t + 1
    /// live members), with the round of the re-sharing.
    pub(crate) async fn reduce_degree(
        &self,
        local: Vec<Fp>,
    ) -> Result<(ShareVec, super::audit::Dealings), EngineError> {
        let (t, len) = (self.t(), local.len());
        let local = self.deviate_values(super::super::Deviation::Mul, local);
        let dealers = &self.members()[..2 * t + 1];
        self.ensure_keys().await?;
        let round = self.current_round();
        let got = self.deal_seeded(&local, dealers).await?;
        drop(local);
        let lambdas = crate::share::lagrange_coefficients(dealers, Fp::ZERO)?;
        let mut out = vec![Fp::ZERO; len];
        for (lambda, shares) in lambdas.iter().zip(&got) {
            for (o, s) in out.iter_mut().zip(shares) {
                *o += *lambda * *s;
            }
        }
        Ok((ShareVec(out), super::audit::Dealings { round, got }))
    }

    /// Shares a private vector of member `dealer` with everyone (one round).
    /// The dealer passes `Some(values)`; the others pass `None` and `len`.
    /// The dealing is not checked: a dealer may give a member a share off
    /// the polynomial, so before anything computed from it is opened with
    /// [`Ctx::open`] or [`Ctx::open_masked`] (flagged openings, whose
    /// disagreeing share names its sender), a program checks it with an
    /// unflagged opening that names nobody, as `apps::dp::add_noise` does
    /// for the noise members deal. (No Sotto program uses it today.)
    pub async fn input(
        &self,
        dealer: usize,
        values: Option<&[Fp]>,
        len: usize,
    ) -> Result<ShareVec, EngineError> {
        if !self.members().contains(&dealer) {
            return Err(EngineError::InvalidOperation(
                "dealer outside the live members",
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

    /// Every live member deals its own local vector (one round); returns
    /// the sharings dealt by the live members ([`Ctx::members`]), in order.
    /// `local` must have the same length at every member.
    pub(crate) async fn deal_all(&self, local: &[Fp]) -> Result<Vec<Vec<Fp>>, EngineError> {
        let (n, t, len) = (self.n(), self.t(), local.len());
        self.record_dealt(local);
        let shares = self.with_rng(|rng| deal(local, n, t, rng))?;
        let outgoing = shares.into_iter().map(|s| Some(s.into_values())).collect();
        let expect = self.members().iter().map(|&j| (j, len)).collect();
        self.exchange(outgoing, expect).await
    }

    /// `count` sharings of uniformly random field elements, unknown to any
    /// t members, from verified preprocessing (made on demand if none were
    /// prepared: four or five rounds).
    pub async fn random(&self, count: usize) -> Result<ShareVec, EngineError> {
        Ok(ShareVec(self.take_randoms(count).await?))
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
