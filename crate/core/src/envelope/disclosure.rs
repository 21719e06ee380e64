//! Disclosures: a member shows everyone what one submission part sealed to
//! it decrypts to, or that it does not decrypt, without revealing its key.
//!
//! A member that complains about a participant's part (it does not decrypt,
//! or its shares do not match the participant's public commitment) backs
//! the complaint with the part's X25519 Diffie-Hellman output `dh` and a
//! proof that `dh` is the right one: anyone then runs the rest of HPKE's
//! decapsulation and key schedule (RFC 9180, sections 4.1 and 5.1) and
//! decrypts the part ([`open_with_dh`]). A complaint therefore settles
//! publicly: the part fails, and the participant is proven to have cheated,
//! or it passes, and the complaint is proven false and names its member.
//!
//! **The proof** is Chaum-Pedersen's proof of equal discrete logarithms
//! (CRYPTO 1992), made non-interactive with Fiat-Shamir, on the Edwards
//! form of Curve25519 (`curve25519-dalek`). The member's X25519 secret is a
//! clamped integer `c`, a multiple of 8. Its public key is the
//! u-coordinate of `P = c B`, and the part's `dh` is the u-coordinate of
//! `S = c E`, with `E` a point whose u-coordinate is the participant's
//! encapsulated key (either sign: `c E` and `c (-E)` share a u-coordinate).
//! With `s = c / 8`, `P = s (8B)` and `S = s (8E)`: both bases lie in the
//! prime-order subgroup, whatever small-order part `E` carries, so the
//! classic proof applies there. The prover sends `S`, `P`, the challenge
//! `h` and the response `z = k + h s`; the verifier recomputes
//! `A1 = z (8B) - h P`, `A2 = z (8E) - h S` and accepts when `h` is the
//! hash of the statement with `A1, A2`, and when `P` and `S` are
//! torsion-free points whose u-coordinates are the member's key and `dh`.
//! Soundness error about 2^-252 per proof; the proof reveals nothing about
//! `c` beyond `P` (special honest-verifier zero knowledge).
//!
//! **Why `dh` and not the key.** Revealing `dh` opens this one part only:
//! every encapsulation uses a fresh ephemeral key. The part's shares become
//! public, which is harmless: one member's shares of one submission, and
//! that submission is then either a proven cheat or the object of a proven
//! false complaint (the run aborts and names the member).
//!
//! An encapsulated key that is not the u-coordinate of a curve point, or
//! whose point has small order, is the participant's fault on its face
//! ([`encapsulation_is_valid`]); no proof is needed for it.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::scalar::{Scalar, clamp_integer};
use sha2::{Digest, Sha256, Sha512};
use zeroize::Zeroizing;

use super::submission::{SUBMISSION_INFO, submission_aad};
use super::{EnvelopeError, SealedShares, SubmissionId};
use crate::keyfile::MemberKeys;
use crate::session::{SessionId, X25519PublicKey};

/// Domain separation of the proof's challenge.
const DLEQ_LABEL: &[u8] = b"sotto/disclosure-dleq/v1";
/// The length of an encoded [`Disclosure`].
pub const DISCLOSURE_LEN: usize = 128;

/// A part's Diffie-Hellman output with its proof (see the module docs).
#[derive(Clone, PartialEq, Eq)]
pub struct Disclosure {
    /// `S = c E`, compressed; its u-coordinate is the DH output.
    s: [u8; 32],
    /// `P = c B`, compressed; its u-coordinate is the member's key.
    p: [u8; 32],
    /// The challenge `h`.
    h: [u8; 32],
    /// The response `z = k + h c / 8`.
    z: [u8; 32],
}

impl core::fmt::Debug for Disclosure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Disclosure({})", hex::encode(&self.s[..8]))
    }
}

impl Disclosure {
    /// `S || P || h || z`, 128 bytes.
    pub fn to_bytes(&self) -> [u8; DISCLOSURE_LEN] {
        let mut out = [0u8; DISCLOSURE_LEN];
        for (at, part) in [self.s, self.p, self.h, self.z].iter().enumerate() {
            out[32 * at..32 * (at + 1)].copy_from_slice(part);
        }
        out
    }

    /// Parses [`Disclosure::to_bytes`]; the points are checked by
    /// [`verify_disclosure`].
    pub fn from_bytes(b: &[u8]) -> Result<Disclosure, EnvelopeError> {
        if b.len() != DISCLOSURE_LEN {
            return Err(EnvelopeError::Malformed("disclosure length"));
        }
        let take = |at: usize| -> [u8; 32] {
            let mut x = [0u8; 32];
            x.copy_from_slice(&b[32 * at..32 * (at + 1)]);
            x
        };
        Ok(Disclosure {
            s: take(0),
            p: take(1),
            h: take(2),
            z: take(3),
        })
    }
}

/// True when `enc` is the canonical u-coordinate of a Curve25519 point
/// of large order, as every honest encapsulation is. A part whose key
/// fails this is the participant's fault, checkable by anyone. Canonical:
/// below p with the top bit clear, since X25519 masks and reduces the
/// other 2^255 + 19 encodings while HPKE's key schedule hashes the bytes
/// as they are (a reviewer's finding: such a key could be refused by one
/// member's X25519 and not by another's).
pub fn encapsulation_is_valid(enc: &[u8; 32]) -> bool {
    canonical_point(enc).is_some_and(|e| !e.is_small_order())
}

/// The point (sign 0) whose u-coordinate is `u`, when `u` is a canonical
/// encoding of a point of the curve (not of its twist).
pub fn canonical_point(u: &[u8; 32]) -> Option<EdwardsPoint> {
    edwards_of(u).filter(|p| p.to_montgomery().to_bytes() == *u)
}

fn edwards_of(u: &[u8; 32]) -> Option<EdwardsPoint> {
    MontgomeryPoint(*u).to_edwards(0)
}

fn challenge(
    context: &[u8],
    enc: &[u8; 32],
    p: &[u8; 32],
    s: &[u8; 32],
    a1: &EdwardsPoint,
    a2: &EdwardsPoint,
) -> Scalar {
    let mut h = Sha512::new();
    h.update(DLEQ_LABEL);
    h.update((context.len() as u64).to_be_bytes());
    h.update(context);
    for x in [
        enc,
        p,
        s,
        a1.compress().as_bytes(),
        a2.compress().as_bytes(),
    ] {
        h.update(x);
    }
    Scalar::from_hash(h)
}

/// Proves this member's Diffie-Hellman output for the encapsulated key
/// `enc` of a part sealed to it, bound to `context` (the caller binds
/// session, submission and member). Fails only for an encapsulated key
/// that [`encapsulation_is_valid`] refuses. The proof needs the secret
/// scalar itself.
pub fn disclose(
    rng: &mut impl rand_core::CryptoRng,
    keys: &MemberKeys,
    enc: &[u8; 32],
    context: &[u8],
) -> Result<Disclosure, EnvelopeError> {
    let e = edwards_of(enc)
        .filter(|e| !e.is_small_order())
        .ok_or(EnvelopeError::BadPublicKey)?;
    let c = Zeroizing::new(clamp_integer(keys.x25519_secret().to_bytes()));
    // s = c / 8: c is a multiple of 8 below 2^255.
    let mut eighth = Zeroizing::new([0u8; 32]);
    for i in 0..32 {
        let next = if i < 31 { c[i + 1] } else { 0 };
        eighth[i] = (c[i] >> 3) | (next << 5);
    }
    let s_scalar = Zeroizing::new(Scalar::from_bytes_mod_order(*eighth));
    let b8 = ED25519_BASEPOINT_POINT.mul_by_cofactor();
    let e8 = e.mul_by_cofactor();
    let p = (b8 * *s_scalar).compress().to_bytes();
    let s = (e8 * *s_scalar).compress().to_bytes();
    let mut wide = Zeroizing::new([0u8; 64]);
    rng.fill_bytes(wide.as_mut());
    let k = Zeroizing::new(Scalar::from_bytes_mod_order_wide(&wide));
    let h = challenge(context, enc, &p, &s, &(b8 * *k), &(e8 * *k));
    let z = *k + h * *s_scalar;
    Ok(Disclosure {
        s,
        p,
        h: h.to_bytes(),
        z: z.to_bytes(),
    })
}

/// Checks `d` against the member's public key `member_key` and the part,
/// and returns the part's proven Diffie-Hellman output.
pub fn verify_disclosure(
    member_key: &X25519PublicKey,
    sealed: &SealedShares,
    context: &[u8],
    d: &Disclosure,
) -> Result<Zeroizing<[u8; 32]>, EnvelopeError> {
    let bad = EnvelopeError::Malformed("disclosure proof does not verify");
    let point = |b: &[u8; 32]| {
        CompressedEdwardsY(*b)
            .decompress()
            .filter(EdwardsPoint::is_torsion_free)
    };
    let (Some(p), Some(s), Some(e)) = (point(&d.p), point(&d.s), edwards_of(&sealed.enc)) else {
        return Err(bad);
    };
    if p.to_montgomery().to_bytes() != *member_key.as_bytes() {
        return Err(bad);
    }
    let (Some(h), Some(z)) = (
        Option::<Scalar>::from(Scalar::from_canonical_bytes(d.h)),
        Option::<Scalar>::from(Scalar::from_canonical_bytes(d.z)),
    ) else {
        return Err(bad);
    };
    let b8 = ED25519_BASEPOINT_POINT.mul_by_cofactor();
    let a1 = b8 * z - p * h;
    let a2 = e.mul_by_cofactor() * z - s * h;
    if challenge(context, &sealed.enc, &d.p, &d.s, &a1, &a2) != h {
        return Err(bad);
    }
    Ok(Zeroizing::new(s.to_montgomery().to_bytes()))
}

/// HPKE's labeled extract (RFC 9180 section 4) with HKDF-SHA256.
pub(crate) fn labeled_extract(
    suite: &[u8],
    salt: &[u8],
    label: &[u8],
    ikm: &[u8],
) -> Zeroizing<Vec<u8>> {
    let mut input = Zeroizing::new(Vec::with_capacity(
        7 + suite.len() + label.len() + ikm.len(),
    ));
    input.extend_from_slice(b"HPKE-v1");
    input.extend_from_slice(suite);
    input.extend_from_slice(label);
    input.extend_from_slice(ikm);
    let (prk, _) = hkdf::Hkdf::<Sha256>::extract(Some(salt), &input);
    Zeroizing::new(prk.to_vec())
}

/// HPKE's labeled expand (RFC 9180 section 4) with HKDF-SHA256.
pub(crate) fn labeled_expand(
    suite: &[u8],
    prk: &[u8],
    label: &[u8],
    info: &[u8],
    out: &mut [u8],
) -> Result<(), EnvelopeError> {
    let hk = hkdf::Hkdf::<Sha256>::from_prk(prk).map_err(|_| EnvelopeError::Decrypt)?;
    let len = (out.len() as u16).to_be_bytes();
    hk.expand_multi_info(&[&len, b"HPKE-v1", suite, label, info], out)
        .map_err(|_| EnvelopeError::Decrypt)
}

/// HPKE's AEAD key and base nonce for a submission part (RFC 9180: the
/// DHKEM(X25519, HKDF-SHA256) `ExtractAndExpand` of the Diffie-Hellman
/// output `dh` with `enc || pk_R`, then the base-mode key schedule with
/// [`SUBMISSION_INFO`], KDF 0x0001 and AEAD 0x0003). Either side computes
/// it: the member from `X25519(c, enc)` ([`open_with_dh`]), the
/// participant from `X25519(e, pk_R)` (`super::encapsulation`).
pub(crate) fn key_and_nonce(
    dh: &[u8; 32],
    enc: &[u8; 32],
    member_key: &X25519PublicKey,
) -> Result<(Zeroizing<[u8; 32]>, [u8; 12]), EnvelopeError> {
    // An all-zero output means a small-order point: never an honest key.
    if dh.iter().all(|b| *b == 0) {
        return Err(EnvelopeError::Decrypt);
    }
    // DHKEM(X25519, HKDF-SHA256): KEM id 0x0020.
    let kem_suite = b"KEM\x00\x20";
    let mut kem_context = [0u8; 64];
    kem_context[..32].copy_from_slice(enc);
    kem_context[32..].copy_from_slice(member_key.as_bytes());
    let eae_prk = labeled_extract(kem_suite, b"", b"eae_prk", dh);
    let mut shared = Zeroizing::new([0u8; 32]);
    labeled_expand(
        kem_suite,
        &eae_prk,
        b"shared_secret",
        &kem_context,
        shared.as_mut(),
    )?;
    // The key schedule, base mode, KDF 0x0001, AEAD 0x0003.
    let suite = b"HPKE\x00\x20\x00\x01\x00\x03";
    let psk_id_hash = labeled_extract(suite, b"", b"psk_id_hash", b"");
    let info_hash = labeled_extract(suite, b"", b"info_hash", SUBMISSION_INFO);
    let mut context = vec![0u8];
    context.extend_from_slice(&psk_id_hash);
    context.extend_from_slice(&info_hash);
    let secret = labeled_extract(suite, shared.as_ref(), b"secret", b"");
    let mut key = Zeroizing::new([0u8; 32]);
    let mut nonce = [0u8; 12];
    labeled_expand(suite, &secret, b"key", &context, key.as_mut())?;
    labeled_expand(suite, &secret, b"base_nonce", &context, &mut nonce)?;
    Ok((key, nonce))
}

/// Decrypts a part sealed to the member whose X25519 key is
/// `member_key`, given the part's Diffie-Hellman output: DHKEM(X25519,
/// HKDF-SHA256)'s `ExtractAndExpand`, the base-mode key schedule with
/// [`SUBMISSION_INFO`], and ChaCha20-Poly1305 with sequence number 0,
/// exactly as [`super::open_shares`] does with the member's key.
pub fn open_with_dh(
    dh: &[u8; 32],
    member_key: &X25519PublicKey,
    session: &SessionId,
    submission: &SubmissionId,
    member: u16,
    sealed: &SealedShares,
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    let (key, nonce) = key_and_nonce(dh, &sealed.enc, member_key)?;
    let aad = submission_aad(session, submission, member);
    ChaCha20Poly1305::new(&Key::from(*key))
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &sealed.ciphertext,
                aad: &aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| EnvelopeError::Decrypt)
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;
    use crate::envelope::{open_shares, seal_shares};

    fn setup() -> (ChaCha20Rng, MemberKeys, MemberKeys, SealedShares) {
        let mut rng = ChaCha20Rng::seed_from_u64(41);
        let keys = MemberKeys::generate(&mut rng);
        let other = MemberKeys::generate(&mut rng);
        let sealed = seal_shares(
            &mut rng,
            &keys.public().x25519,
            &SessionId([3; 16]),
            &SubmissionId([4; 16]),
            2,
            b"the shares of member two",
        )
        .unwrap();
        (rng, keys, other, sealed)
    }

    #[test]
    fn a_disclosure_opens_the_part_as_the_member_would() {
        let (mut rng, keys, _, sealed) = setup();
        let session = SessionId([3; 16]);
        let d = disclose(&mut rng, &keys, &sealed.enc, b"ctx").unwrap();
        let d = Disclosure::from_bytes(&d.to_bytes()).unwrap();
        let pk = keys.public().x25519;
        let dh = verify_disclosure(&pk, &sealed, b"ctx", &d).unwrap();
        let opened = open_with_dh(&dh, &pk, &session, &SubmissionId([4; 16]), 2, &sealed).unwrap();
        let direct = open_shares(&keys, &session, &SubmissionId([4; 16]), 2, &sealed).unwrap();
        assert_eq!(opened.as_slice(), direct.as_slice());
        assert_eq!(opened.as_slice(), b"the shares of member two");
    }

    #[test]
    fn a_disclosure_does_not_verify_for_another_key_context_part_or_byte() {
        let (mut rng, keys, other, sealed) = setup();
        let d = disclose(&mut rng, &keys, &sealed.enc, b"ctx").unwrap();
        let pk = keys.public().x25519;
        assert!(verify_disclosure(&other.public().x25519, &sealed, b"ctx", &d).is_err());
        assert!(verify_disclosure(&pk, &sealed, b"other ctx", &d).is_err());
        let mut moved = sealed.clone();
        moved.enc = seal_shares(
            &mut rng,
            &pk,
            &SessionId([3; 16]),
            &SubmissionId([4; 16]),
            2,
            b"x",
        )
        .unwrap()
        .enc;
        assert!(verify_disclosure(&pk, &moved, b"ctx", &d).is_err());
        let bytes = d.to_bytes();
        for at in (0..DISCLOSURE_LEN).step_by(7) {
            let mut bad = bytes;
            bad[at] ^= 1;
            let bad = Disclosure::from_bytes(&bad).unwrap();
            assert!(
                verify_disclosure(&pk, &sealed, b"ctx", &bad).is_err(),
                "byte {at}"
            );
        }
        // Another member's honest proof for its own key proves nothing here.
        let theirs = disclose(&mut rng, &other, &sealed.enc, b"ctx").unwrap();
        assert!(verify_disclosure(&pk, &sealed, b"ctx", &theirs).is_err());
    }

    #[test]
    fn a_wrong_dh_does_not_decrypt_and_bad_encapsulations_are_visible() {
        let (_, keys, _, sealed) = setup();
        let pk = keys.public().x25519;
        let session = SessionId([3; 16]);
        assert_eq!(
            open_with_dh(&[7; 32], &pk, &session, &SubmissionId([4; 16]), 2, &sealed),
            Err(EnvelopeError::Decrypt)
        );
        assert!(encapsulation_is_valid(&sealed.enc));
        // Small order: u = 0 and u = 1.
        let mut u = [0u8; 32];
        assert!(!encapsulation_is_valid(&u));
        u[0] = 1;
        assert!(!encapsulation_is_valid(&u));
    }
}
