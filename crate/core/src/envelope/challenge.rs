//! Challenged disclosures: how a member whose X25519 key cannot be read
//! (a non-extractable WebCrypto key, which only computes X25519) backs a
//! complaint, and how every other member checks it.
//!
//! A complaint must show the part's Diffie-Hellman output `S = c E` for
//! the member's secret `c` and the part's encapsulated key `E`
//! ([`super::disclosure`]). The non-interactive proof there needs `c`
//! itself; a key that only answers X25519 cannot make it, and no
//! non-interactive proof can be made from such an oracle. So the member
//! only *claims* the output (its u-coordinate, from the X25519 it already
//! asked for to open the part), and each other member `V` checks the
//! claim with a challenge only the right `S` answers:
//!
//! 1. `V` draws fresh `a, b` and sends `Q = a B8 + b E8` (`B8 = 8B`,
//!    `E8 = 8E`, both in the prime-order subgroup), with a proof that it
//!    knows `a` and `b` ([`Challenge`]: Okamoto's proof of knowledge of a
//!    representation, made non-interactive with Fiat-Shamir, bound to the
//!    session, submission, both members and the run);
//! 2. the complainer checks the proof and answers `u(c Q)`, one X25519 of
//!    its key ([`check_challenge`] gives the point to ask about);
//! 3. `V` accepts the claimed `S` when the answer is `u(8a P + 8b S)` or
//!    `u(8a P - 8b S)` for the member's key `P = c B` and the claim, each
//!    taken with either sign ([`check_answer`]): `c Q = 8a (cB) + 8b (cE)`.
//!
//! **Soundness.** A complainer that claims `S' != ±S` must answer
//! `u(8a P ± 8b S')` while it can compute only `c Q = 8a P + 8b S`: the
//! difference is `±8b (S' ∓ S)`. For a given `Q`, every `b` is equally
//! likely (one `a` per `b`), and the proof reveals nothing about them
//! (special honest-verifier zero knowledge), so it succeeds with
//! probability at most 4 in the group's order, about 2^-250. A claim that
//! is not a curve point, or carries a small-order component, is refused
//! before any challenge: `c E` is neither, and a component the check
//! cannot see (`8b` clears it) would change the output that opens the part.
//!
//! **Zero knowledge for the complainer.** Its answer is `u(8a P + 8b S)`,
//! which `V` computes itself from public values and its `a, b`; the
//! proof shows that `V` knows them, so the answer tells `V` nothing. This
//! is what keeps the complainer from being a Diffie-Hellman oracle again
//! (docs/threat-model.md, "A disclosure is a Diffie-Hellman oracle"):
//! without the proof, `V` could send another part's `enc` as `Q` and read
//! that part. `E` is the complained-of part's key, whose author proved it
//! knows `e` (`super::encapsulation`), so `S` itself discloses nothing its
//! author did not know.
//!
//! **What it convinces.** Only its verifier: each member checks the claim
//! for itself, and a complainer that answers one member wrongly is named
//! by that member ([`check_answer`] false means the complaint is false),
//! which stops the run as any other deviation does.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::EnvelopeError;
use crate::session::X25519PublicKey;

/// Domain separation of the proof's challenge hash.
const CHALLENGE_LABEL: &[u8] = b"sotto/disclosure-challenge/v1";
/// The length of an encoded [`Challenge`].
pub const CHALLENGE_LEN: usize = 128;

/// A verifier's challenge: `Q` and its proof of knowing `a, b` with
/// `Q = a B8 + b E8` (module docs).
#[derive(Clone, PartialEq, Eq)]
pub struct Challenge {
    q: [u8; 32],
    r: [u8; 32],
    z1: [u8; 32],
    z2: [u8; 32],
}

impl core::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Challenge({})", hex::encode(&self.q[..8]))
    }
}

impl Challenge {
    /// `Q || R || z1 || z2`, 128 bytes (points compressed Edwards,
    /// scalars canonical).
    pub fn to_bytes(&self) -> [u8; CHALLENGE_LEN] {
        let mut out = [0u8; CHALLENGE_LEN];
        for (at, part) in [self.q, self.r, self.z1, self.z2].iter().enumerate() {
            out[32 * at..32 * (at + 1)].copy_from_slice(part);
        }
        out
    }

    /// Reads [`Challenge::to_bytes`]; [`check_challenge`] checks the rest.
    pub fn from_bytes(b: &[u8]) -> Result<Challenge, EnvelopeError> {
        if b.len() != CHALLENGE_LEN {
            return Err(EnvelopeError::Malformed("challenge length"));
        }
        let take = |at: usize| -> [u8; 32] {
            let mut x = [0u8; 32];
            x.copy_from_slice(&b[32 * at..32 * (at + 1)]);
            x
        };
        Ok(Challenge {
            q: take(0),
            r: take(1),
            z1: take(2),
            z2: take(3),
        })
    }
}

/// The verifier's secret `a, b` of one challenge. Zeroized on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct ChallengeSecret {
    a: Scalar,
    b: Scalar,
}

impl core::fmt::Debug for ChallengeSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ChallengeSecret(<redacted>)")
    }
}

/// `8E` for the encapsulated key `enc`, if it is a point of large order.
fn e8_of(enc: &[u8; 32]) -> Option<EdwardsPoint> {
    MontgomeryPoint(*enc)
        .to_edwards(0)
        .map(|e| e.mul_by_cofactor())
        .filter(|e8| *e8 != EdwardsPoint::default())
}

fn b8() -> EdwardsPoint {
    ED25519_BASEPOINT_POINT.mul_by_cofactor()
}

fn proof_hash(context: &[u8], enc: &[u8; 32], q: &[u8; 32], r: &[u8; 32]) -> Scalar {
    let mut h = Sha512::new();
    h.update(CHALLENGE_LABEL);
    h.update((context.len() as u64).to_be_bytes());
    h.update(context);
    h.update(enc);
    h.update(q);
    h.update(r);
    Scalar::from_hash(h)
}

fn random_scalar(rng: &mut impl rand_core::CryptoRng) -> Scalar {
    let mut wide = [0u8; 64];
    rng.fill_bytes(&mut wide);
    let s = Scalar::from_bytes_mod_order_wide(&wide);
    wide.zeroize();
    s
}

/// A fresh challenge about the part whose encapsulated key is `enc`,
/// bound to `context` (the caller binds session, submission, both
/// members and the run), with the secret that checks its answer. Fails
/// for an encapsulated key of small order (no honest part has one).
pub fn challenge(
    rng: &mut impl rand_core::CryptoRng,
    enc: &[u8; 32],
    context: &[u8],
) -> Result<(ChallengeSecret, Challenge), EnvelopeError> {
    let e8 = e8_of(enc).ok_or(EnvelopeError::BadPublicKey)?;
    let secret = ChallengeSecret {
        a: random_scalar(rng),
        b: random_scalar(rng),
    };
    let (mut k1, mut k2) = (random_scalar(rng), random_scalar(rng));
    let q = (b8() * secret.a + e8 * secret.b).compress().to_bytes();
    let r = (b8() * k1 + e8 * k2).compress().to_bytes();
    let h = proof_hash(context, enc, &q, &r);
    let challenge = Challenge {
        q,
        r,
        z1: (k1 + h * secret.a).to_bytes(),
        z2: (k2 + h * secret.b).to_bytes(),
    };
    k1.zeroize();
    k2.zeroize();
    Ok((secret, challenge))
}

/// The complainer's check of a challenge about its part with encapsulated
/// key `enc`, bound to `context`: the u-coordinate to ask its key's X25519
/// about (the answer to send), or `None` when the proof does not hold and
/// no answer may be given.
pub fn check_challenge(enc: &[u8; 32], context: &[u8], c: &Challenge) -> Option<[u8; 32]> {
    let e8 = e8_of(enc)?;
    let q = CompressedEdwardsY(c.q)
        .decompress()
        .filter(EdwardsPoint::is_torsion_free)?;
    let r = CompressedEdwardsY(c.r).decompress()?;
    let z1 = Option::<Scalar>::from(Scalar::from_canonical_bytes(c.z1))?;
    let z2 = Option::<Scalar>::from(Scalar::from_canonical_bytes(c.z2))?;
    let h = proof_hash(context, enc, &c.q, &c.r);
    (b8() * z1 + e8 * z2 == r + q * h).then(|| q.to_montgomery().to_bytes())
}

/// The verifier's check: whether `answer` is the X25519 of the key
/// `member_key` with its challenge's `Q` when the part's Diffie-Hellman
/// output is `claimed` (module docs). False for a claim that is not the
/// canonical encoding of a curve point of the prime-order subgroup.
pub fn check_answer(
    secret: &ChallengeSecret,
    member_key: &X25519PublicKey,
    claimed: &[u8; 32],
    answer: &[u8; 32],
) -> bool {
    let point = |u: &[u8; 32]| {
        super::disclosure::canonical_point(u)
            .filter(|p| p.is_torsion_free() && *p != EdwardsPoint::default())
    };
    let (Some(p), Some(s)) = (point(member_key.as_bytes()), point(claimed)) else {
        return false;
    };
    let eight = Scalar::from(8u8);
    let ap = p * (eight * secret.a);
    let bs = s * (eight * secret.b);
    [ap + bs, ap - bs]
        .iter()
        .any(|x| x.to_montgomery().to_bytes() == *answer)
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;
    use crate::envelope::encapsulation::Ephemeral;
    use crate::keyfile::MemberKeys;

    /// A member's key, a part's encapsulated key and the true output.
    fn setup(seed: u64) -> (ChaCha20Rng, MemberKeys, [u8; 32], [u8; 32]) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let keys = MemberKeys::generate(&mut rng);
        let enc = Ephemeral::random(&mut rng).enc();
        let s = *keys.dh(&enc).unwrap();
        (rng, keys, enc, s)
    }

    /// What the complainer's key answers: X25519 with the checked point.
    fn answer(keys: &MemberKeys, enc: &[u8; 32], context: &[u8], c: &Challenge) -> [u8; 32] {
        let u = check_challenge(enc, context, c).expect("the proof holds");
        *keys.dh(&u).unwrap()
    }

    #[test]
    fn the_true_output_passes_every_challenge() {
        for seed in 0..16 {
            let (mut rng, keys, enc, s) = setup(seed);
            let (secret, c) = challenge(&mut rng, &enc, b"ctx").unwrap();
            let c = Challenge::from_bytes(&c.to_bytes()).unwrap();
            let a = answer(&keys, &enc, b"ctx", &c);
            assert!(check_answer(&secret, &keys.public().x25519, &s, &a));
        }
    }

    #[test]
    fn a_false_claim_fails() {
        let (mut rng, keys, enc, s) = setup(1);
        let other = MemberKeys::generate(&mut rng);
        let (secret, c) = challenge(&mut rng, &enc, b"ctx").unwrap();
        let a = answer(&keys, &enc, b"ctx", &c);
        let pk = keys.public().x25519;
        // Another member's output for the same part, another part's
        // output, the key itself: all refused.
        let wrong_member = *other.dh(&enc).unwrap();
        let another_part = *keys.dh(&Ephemeral::random(&mut rng).enc()).unwrap();
        for claim in [wrong_member, another_part, *pk.as_bytes()] {
            assert!(!check_answer(&secret, &pk, &claim, &a));
        }
        // An answer from another key, or to another challenge, fails too.
        let theirs = answer(&other, &enc, b"ctx", &c);
        assert!(!check_answer(&secret, &pk, &s, &theirs));
        let (_, c2) = challenge(&mut rng, &enc, b"ctx").unwrap();
        let a2 = answer(&keys, &enc, b"ctx", &c2);
        assert!(!check_answer(&secret, &pk, &s, &a2));
    }

    /// `S + T` with `T` of small order passes the check (`8b` clears
    /// `T`), but its u-coordinate is not the part's output: it must be
    /// refused on its face, or a complainer could get an honest part
    /// excluded.
    #[test]
    fn a_claim_with_a_small_order_component_is_refused() {
        let (mut rng, keys, enc, s) = setup(2);
        let (secret, c) = challenge(&mut rng, &enc, b"ctx").unwrap();
        let a = answer(&keys, &enc, b"ctx", &c);
        let true_point = MontgomeryPoint(s).to_edwards(0).unwrap();
        let torsion = curve25519_dalek::constants::EIGHT_TORSION;
        for t in &torsion[1..] {
            let shifted = (true_point + t).to_montgomery().to_bytes();
            if shifted == s {
                continue;
            }
            assert!(!check_answer(&secret, &keys.public().x25519, &shifted, &a));
        }
        // Another encoding of the true output (top bit set; the key
        // schedule hashes the bytes): refused.
        let mut high = s;
        high[31] |= 0x80;
        assert!(!check_answer(&secret, &keys.public().x25519, &high, &a));
        // Not a point of the curve (on the twist): refused.
        let mut twist = [0u8; 32];
        twist[0] = 2;
        assert!(MontgomeryPoint(twist).to_edwards(0).is_none());
        assert!(!check_answer(&secret, &keys.public().x25519, &twist, &a));
    }

    /// The complainer answers only a challenge whose proof holds for its
    /// part and context: a bare point (another part's `enc`, or a point
    /// the verifier cannot prove it built from `B` and `E`) gets nothing.
    #[test]
    fn a_challenge_without_its_proof_gets_no_answer() {
        let (mut rng, _keys, enc, _) = setup(3);
        let (_, c) = challenge(&mut rng, &enc, b"ctx").unwrap();
        assert!(check_challenge(&enc, b"ctx", &c).is_some());
        // Another context or another part: refused.
        assert!(check_challenge(&enc, b"other", &c).is_none());
        let other_enc = Ephemeral::random(&mut rng).enc();
        assert!(check_challenge(&other_enc, b"ctx", &c).is_none());
        // Q replaced by another part's key, the proof kept: refused.
        let victim = MontgomeryPoint(other_enc).to_edwards(0).unwrap();
        let mut forged = c.to_bytes();
        forged[..32].copy_from_slice(&victim.mul_by_cofactor().compress().to_bytes());
        let forged = Challenge::from_bytes(&forged).unwrap();
        assert!(check_challenge(&enc, b"ctx", &forged).is_none());
        // Every single flipped bit: refused.
        let bytes = c.to_bytes();
        for i in 0..CHALLENGE_LEN * 8 {
            let mut b = bytes;
            b[i / 8] ^= 1 << (i % 8);
            let flipped = Challenge::from_bytes(&b).unwrap();
            assert!(check_challenge(&enc, b"ctx", &flipped).is_none(), "bit {i}");
        }
        assert!(Challenge::from_bytes(&bytes[..127]).is_err());
    }

    /// The answer is what the verifier computes alone: the complainer's
    /// key tells it nothing (zero knowledge, module docs).
    #[test]
    fn the_answer_is_computable_from_public_values_and_the_secret() {
        let (mut rng, keys, enc, s) = setup(4);
        let (secret, c) = challenge(&mut rng, &enc, b"ctx").unwrap();
        let a = answer(&keys, &enc, b"ctx", &c);
        let p = MontgomeryPoint(*keys.public().x25519.as_bytes())
            .to_edwards(0)
            .unwrap();
        let sp = MontgomeryPoint(s).to_edwards(0).unwrap();
        let eight = Scalar::from(8u8);
        let candidates = [
            (p * (eight * secret.a) + sp * (eight * secret.b)).to_montgomery(),
            (p * (eight * secret.a) - sp * (eight * secret.b)).to_montgomery(),
        ];
        assert!(candidates.iter().any(|m| m.to_bytes() == a));
        assert!(format!("{secret:?}").contains("redacted"));
    }
}
