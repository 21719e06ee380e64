//! A participant's public commitment to its shares, so that each member can
//! check on its own, before any computation, that the shares it received
//! lie on the same degree-t polynomials as everyone else's (PROTOCOLS.md,
//! "Input consistency comes first", the participant-side commitment).
//!
//! The participant appends a blinding entry, a uniformly random secret `g`
//! dealt like every other entry, to its vector `x_1 .. x_L`; it seals each
//! member's shares, hashes every sealed part ([`sotto_wire::part_hash`]),
//! and derives the challenge `d = H(session, submission id, h_1 .. h_n)`
//! (Fiat-Shamir: `d` is fixed only once every share is). It publishes, in
//! every part, the hashes and the values `z(1) .. z(t+1)` of
//!
//! ```text
//! z(X) = g(X) + sum_k d^k f_k(X)      (f_k the polynomial of entry k)
//! ```
//!
//! Member i checks `z(i) = g(i) + sum_k d^k x_k(i)` on its own shares, with
//! `z(i)` interpolated from the published points ([`Commitment::holds`]).
//!
//! **Soundness.** If every member's check passes, the vector of every
//! entry's deviation from degree t is a polynomial in `d` of degree at most
//! L + 1 that vanishes at `d`; since `d` is a hash of the sealed parts, which
//! fix the shares, a participant whose shares are not all of degree t
//! passes with probability at most (L + 1) / p per try (random oracle).
//! Deviating members do not weaken this: what the engine needs is that the
//! honest members' shares lie on one polynomial per entry, and each honest
//! member checks its own.
//!
//! **Privacy.** `z` is a degree-t polynomial whose coefficients are those of
//! `g` plus a combination of the others; `g`'s are uniform and used nowhere
//! else, so `z` is uniformly random given everything else. Its published
//! points add nothing to what any t members hold: their t shares of `g`
//! and the t + 1 points of `z` still leave `g(0)`, hence every secret,
//! uniform.
//!
//! Encoding (the submission part is `id (16) || commitment || sealed`):
//!
//! ```text
//! commitment = 0x02 || n (u16 BE) || t (u16 BE) || n x part hash (32) || (t + 1) x z(i) (16)
//!              || n x proof (64)
//! ```
//!
//! The proofs come last and are made last: proof i shows that the
//! participant knows the ephemeral secret of part i's encapsulated key,
//! bound to the manifest's hash, the submission id, member i and the
//! commitment before them ([`Commitment::core_bytes`]; [`super::encapsulation`]). A
//! member discloses a part's Diffie-Hellman output only when its proof
//! holds ([`super::complaint`]).

use sha2::{Digest, Sha256};

use super::encapsulation::{Ephemeral, proof_context, prove, seal_with};
use super::{EnvelopeError, SealedShares, SubmissionId};
use crate::field::Fp;
use crate::session::{Committee, ManifestHash, SessionId};
use crate::share::{ShareVec, deal, lagrange_coefficients};

/// Domain separation of the challenge `d`.
const CHALLENGE_LABEL: &[u8] = b"sotto/commitment-challenge/v1";

/// A participant's public commitment (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    /// The threshold t.
    pub t: u16,
    /// `part_hash` of every member's sealed part, member 1 first.
    pub hashes: Vec<[u8; 32]>,
    /// `z(1) .. z(t + 1)`.
    pub z: Vec<Fp>,
    /// One proof per member's part, member 1 first: that the participant
    /// knows the part's ephemeral secret, bound to [`Commitment::core_bytes`]
    /// ([`super::encapsulation`]). Zero (no proof) until [`seal_committed`]
    /// proves.
    pub proofs: Vec<[u8; sotto_wire::PROOF_LEN]>,
}

/// The participant's whole side: appends a blinding entry to every
/// member's `shares` (member i's vector at index i - 1, dealt with the
/// committee's threshold), seals them, commits, and proves that it knows
/// every part's ephemeral secret (the commitment's proofs). Returns the
/// commitment and the sealed parts, member 1 first. `manifest` is the
/// hash of the session's manifest, which the proofs are bound to.
pub fn seal_committed(
    rng: &mut impl rand_core::CryptoRng,
    committee: &Committee,
    session: &SessionId,
    manifest: &ManifestHash,
    id: &SubmissionId,
    shares: &[ShareVec],
) -> Result<(Commitment, Vec<SealedShares>), EnvelopeError> {
    let n = committee.members.len();
    let t = committee.threshold;
    let blinding = deal(&[Fp::random(rng)], n, usize::from(t), rng).map_err(|_| {
        EnvelopeError::ShareCount {
            expected: n,
            got: shares.len(),
        }
    })?;
    if shares.len() != n {
        return Err(EnvelopeError::ShareCount {
            expected: n,
            got: shares.len(),
        });
    }
    let blinded: Vec<ShareVec> = shares
        .iter()
        .zip(&blinding)
        .map(|(s, g)| {
            let mut v = s.values().to_vec();
            v.extend_from_slice(g.values());
            ShareVec::from_values(v)
        })
        .collect();
    // Each part sealed with an ephemeral secret kept until the commitment
    // is made, then proven with it, bound to the commitment
    // (`super::encapsulation`: what lets a member disclose the part's
    // Diffie-Hellman output safely).
    let mut sealed = Vec::with_capacity(n);
    let mut ephemerals = Vec::with_capacity(n);
    for ((m, s), index) in committee.members.iter().zip(&blinded).zip(1u16..) {
        let eph = Ephemeral::random(rng);
        sealed.push(seal_with(
            &eph,
            &m.x25519,
            session,
            id,
            index,
            &s.to_bytes(),
        )?);
        ephemerals.push(eph);
    }
    let encoded: Vec<Vec<u8>> = sealed.iter().map(SealedShares::to_bytes).collect();
    let mut commitment = Commitment::make(session, id, t, &blinded, &encoded)?;
    let core = commitment.core_bytes();
    commitment.proofs = ephemerals
        .iter()
        .zip(1u16..)
        .map(|(eph, index)| prove(rng, eph, &proof_context(manifest, id, index, &core)).to_bytes())
        .collect();
    Ok((commitment, sealed))
}

/// Bytes of a participant's whole submission (`sotto_wire::Bundle` of
/// every member's part `id || commitment || sealed`) for `n` members,
/// threshold `t` and answers of `entries` field elements: what must fit in
/// one relay frame with its header.
pub fn bundle_len(n: usize, t: usize, entries: usize) -> usize {
    let sealed = 1 + 2 + 32 + (entries + 1) * crate::field::ENCODED_LEN + 16;
    let part = 16 + Commitment::encoded_len(n, t) + sealed;
    2 + n * (4 + part)
}

/// The challenge `d` of a submission.
pub fn challenge(session: &SessionId, id: &SubmissionId, hashes: &[[u8; 32]]) -> Fp {
    let mut h = Sha256::new();
    h.update(CHALLENGE_LABEL);
    h.update(session.as_bytes());
    h.update(id.0);
    for x in hashes {
        h.update(x);
    }
    let digest = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    // 120 bits, below p.
    Fp::new(u128::from_be_bytes(b) >> 8)
}

/// `g + sum_k d^k x_k` over one member's shares, `g` the last entry.
fn combine(d: Fp, shares: &[Fp]) -> Option<Fp> {
    let (&g, entries) = shares.split_last()?;
    let mut acc = g;
    let mut power = d;
    for &x in entries {
        acc += power * x;
        power *= d;
    }
    Some(acc)
}

impl Commitment {
    /// The participant's side: commits to `shares` (member i's vector at
    /// index i - 1, each ending with its share of the blinding entry),
    /// given the sealed parts' encodings in the same order.
    pub fn make(
        session: &SessionId,
        id: &SubmissionId,
        t: u16,
        shares: &[ShareVec],
        sealed: &[Vec<u8>],
    ) -> Result<Commitment, EnvelopeError> {
        let t_plus_1 = usize::from(t) + 1;
        if shares.len() != sealed.len() || shares.len() < t_plus_1 {
            return Err(EnvelopeError::ShareCount {
                expected: t_plus_1.max(sealed.len()),
                got: shares.len(),
            });
        }
        let hashes: Vec<[u8; 32]> = sealed.iter().map(|s| sotto_wire::part_hash(s)).collect();
        let d = challenge(session, id, &hashes);
        let z = shares[..t_plus_1]
            .iter()
            .map(|s| combine(d, s.values()).ok_or(EnvelopeError::Malformed("empty share vector")))
            .collect::<Result<_, _>>()?;
        let proofs = vec![[0; sotto_wire::PROOF_LEN]; hashes.len()];
        Ok(Commitment {
            t,
            hashes,
            z,
            proofs,
        })
    }

    /// The member's side: whether member `member`'s `shares` (ending with
    /// the blinding entry) match the commitment.
    pub fn holds(
        &self,
        session: &SessionId,
        id: &SubmissionId,
        member: u16,
        shares: &ShareVec,
    ) -> bool {
        let points: Vec<usize> = (1..=self.z.len()).collect();
        let Ok(lambda) = lagrange_coefficients(&points, Fp::from(u64::from(member))) else {
            return false;
        };
        let expected = lambda
            .iter()
            .zip(&self.z)
            .fold(Fp::ZERO, |acc, (l, z)| acc + *l * *z);
        let d = challenge(session, id, &self.hashes);
        combine(d, shares.values()) == Some(expected)
    }

    /// The length of an encoded commitment for `n` members and threshold `t`.
    pub fn encoded_len(n: usize, t: usize) -> usize {
        sotto_wire::commitment_len(n, t)
    }

    /// The encoding given in the module docs.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.encode(&self.proofs)
    }

    /// The encoding without the proofs: what each proof is bound to (its
    /// hashes and values; the proofs themselves come after).
    pub fn core_bytes(&self) -> Vec<u8> {
        self.encode(&[])
    }

    fn encode(&self, proofs: &[[u8; sotto_wire::PROOF_LEN]]) -> Vec<u8> {
        let values: Vec<[u8; crate::field::ENCODED_LEN]> =
            self.z.iter().map(|z| z.to_bytes()).collect();
        sotto_wire::encode_commitment(self.t, &self.hashes, &values, proofs)
    }

    /// The proof of member `member`'s part (1-based), if the commitment
    /// has one.
    pub fn proof(&self, member: u16) -> Option<&[u8; sotto_wire::PROOF_LEN]> {
        usize::from(member)
            .checked_sub(1)
            .and_then(|i| self.proofs.get(i))
    }

    /// Parses a commitment at the start of `bytes`, returning it and the
    /// rest.
    pub fn parse(bytes: &[u8]) -> Result<(Commitment, &[u8]), EnvelopeError> {
        let len = sotto_wire::commitment_prefix(bytes)
            .ok_or(EnvelopeError::Malformed("submission commitment"))?;
        let n = usize::from(u16::from_be_bytes([bytes[1], bytes[2]]));
        let t = u16::from_be_bytes([bytes[3], bytes[4]]);
        let hashes = bytes[5..5 + 32 * n]
            .chunks_exact(32)
            .map(|c| {
                let mut h = [0u8; 32];
                h.copy_from_slice(c);
                h
            })
            .collect();
        let proofs_at = len - sotto_wire::PROOF_LEN * n;
        let z = bytes[5 + 32 * n..proofs_at]
            .chunks_exact(crate::field::ENCODED_LEN)
            .map(|c| {
                let mut b = [0u8; crate::field::ENCODED_LEN];
                b.copy_from_slice(c);
                Fp::from_bytes(&b).map_err(|_| EnvelopeError::Malformed("commitment value"))
            })
            .collect::<Result<_, _>>()?;
        let proofs = bytes[proofs_at..len]
            .chunks_exact(sotto_wire::PROOF_LEN)
            .map(|c| {
                let mut p = [0u8; sotto_wire::PROOF_LEN];
                p.copy_from_slice(c);
                p
            })
            .collect();
        Ok((
            Commitment {
                t,
                hashes,
                z,
                proofs,
            },
            &bytes[len..],
        ))
    }
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;
    use crate::share::deal;

    const SESSION: SessionId = SessionId([9; 16]);
    const ID: SubmissionId = SubmissionId([8; 16]);

    fn dealt(rng: &mut ChaCha20Rng, n: usize, t: usize) -> (Vec<ShareVec>, Vec<Vec<u8>>) {
        let mut values: Vec<Fp> = (0..6u64).map(Fp::from).collect();
        values.push(Fp::random(rng));
        let shares = deal(&values, n, t, rng).unwrap();
        let sealed = (0..n).map(|i| vec![i as u8; 40]).collect();
        (shares, sealed)
    }

    #[test]
    fn every_member_of_an_honest_submission_finds_it_consistent() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        for (n, t) in [(3, 1), (5, 2), (7, 3), (4, 1)] {
            let (shares, sealed) = dealt(&mut rng, n, t);
            let c = Commitment::make(&SESSION, &ID, t as u16, &shares, &sealed).unwrap();
            let bytes = c.to_bytes();
            let (parsed, rest) = Commitment::parse(&bytes).unwrap();
            assert_eq!(parsed, c);
            assert!(rest.is_empty());
            assert_eq!(c.to_bytes().len(), Commitment::encoded_len(n, t));
            for (i, s) in shares.iter().enumerate() {
                assert!(
                    c.holds(&SESSION, &ID, i as u16 + 1, s),
                    "n={n} member {}",
                    i + 1
                );
            }
        }
    }

    #[test]
    fn bundle_len_is_the_length_of_a_sealed_bundle() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let committee = crate::session::tests::verified_fixture()
            .1
            .manifest
            .committee;
        let (n, t) = (committee.members.len(), usize::from(committee.threshold));
        for len in [0, 7, 300] {
            let values: Vec<Fp> = (0..len as u64).map(Fp::from).collect();
            let shares = deal(&values, n, t, &mut rng).unwrap();
            let (c, sealed) = seal_committed(
                &mut rng,
                &committee,
                &SESSION,
                &ManifestHash([6; 32]),
                &ID,
                &shares,
            )
            .unwrap();
            let parts: Vec<Vec<u8>> = sealed
                .iter()
                .map(|s| [&ID.0[..], &c.to_bytes(), &s.to_bytes()].concat())
                .collect();
            let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
            assert_eq!(
                sotto_wire::Bundle::encode(&refs).len(),
                bundle_len(n, t, len),
                "{len} entries"
            );
        }
    }

    #[test]
    fn a_share_off_degree_t_is_caught_by_its_member() {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let (n, t) = (5, 2);
        for entry in 0..7 {
            let (mut shares, sealed) = dealt(&mut rng, n, t);
            // Member i's share moved by u * i^(t+1): off degree t.
            for (i, s) in shares.iter_mut().enumerate() {
                let mut v = s.values().to_vec();
                v[entry] += Fp::from(1000 * ((i as u64 + 1).pow(3)));
                *s = ShareVec::from_values(v);
            }
            let c = Commitment::make(&SESSION, &ID, t as u16, &shares, &sealed).unwrap();
            // The participant fits z to members 1..t+1; the others see it.
            for (i, s) in shares.iter().enumerate().skip(t + 1) {
                assert!(!c.holds(&SESSION, &ID, i as u16 + 1, s), "entry {entry}");
            }
        }
    }

    #[test]
    fn the_challenge_binds_every_sealed_part_and_the_context() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let (shares, sealed) = dealt(&mut rng, 3, 1);
        let c = Commitment::make(&SESSION, &ID, 1, &shares, &sealed).unwrap();
        assert!(!c.holds(&SessionId([1; 16]), &ID, 3, &shares[2]));
        assert!(!c.holds(&SESSION, &SubmissionId([1; 16]), 3, &shares[2]));
        let mut other = c.clone();
        other.hashes[0][0] ^= 1;
        assert!(!other.holds(&SESSION, &ID, 3, &shares[2]));
    }

    #[test]
    fn malformed_commitments_are_errors() {
        assert!(Commitment::parse(&[]).is_err());
        assert!(Commitment::parse(&[1, 0, 3, 0, 1]).is_err());
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let (shares, sealed) = dealt(&mut rng, 3, 1);
        let bytes = Commitment::make(&SESSION, &ID, 1, &shares, &sealed)
            .unwrap()
            .to_bytes();
        assert!(Commitment::parse(&bytes[..bytes.len() - 1]).is_err());
        let mut t_too_big = bytes.clone();
        t_too_big[4] = 3;
        assert!(Commitment::parse(&t_too_big).is_err());
    }
}
