//! A participant's proof that it knows the ephemeral secret of a part it
//! sealed, which a member requires before it discloses anything about the
//! part (docs/threat-model.md, "A disclosure is a Diffie-Hellman oracle").
//!
//! **Why.** A member that cannot read its part of a submission discloses
//! `X25519(c, enc)` for the part's encapsulated key `enc`
//! ([`super::disclosure`]). The part's author picks `enc`: copying the
//! `enc` of another participant's part makes the member disclose the value
//! that opens that other part. If the member discloses only for an `enc`
//! whose author proves it knows the ephemeral secret `e` (with
//! `enc = X25519(e, 9)`), the author already knows `X25519(c, enc) =
//! X25519(e, pk)`, and the disclosure tells it nothing new.
//!
//! **The seal.** HPKE's sender side written out ([`seal_with`]): the same
//! DHKEM(X25519, HKDF-SHA256) and key schedule as
//! [`super::disclosure::open_with_dh`], from `X25519(e, pk_R)` with an
//! ephemeral secret the caller holds ([`Ephemeral`]), so that it can then
//! prove it. The `hpke` crate opens what it seals (a test checks it).
//!
//! **The proof** is Schnorr's proof of knowledge of a discrete logarithm
//! (J. Cryptology 1991), made non-interactive with Fiat-Shamir, on the
//! Edwards form of Curve25519: with `x` the clamped `e` and `X = x B`
//! (whose u-coordinate is `enc`), the prover sends `R = k B` and
//! `s = k + h x` for `h = H(label, context, enc, R)`. The verifier takes
//! the point `X0` of u-coordinate `enc` (`X0 = X` or `-X`: a u-coordinate
//! fixes a point up to sign) and accepts when `s B = R + h X0` or
//! `s B = R - h X0`. Soundness: from two answers to one `R` a knowledge
//! extractor gets `x` up to sign, which is all the disclosure argument
//! needs (knowing `-x` gives the same Diffie-Hellman u-coordinates). Zero
//! knowledge: `(R, s)` is simulated without `x` (special honest-verifier
//! zero knowledge), so the proof reveals nothing about `e`, and so nothing
//! about the shares. The `context` must name everything a disclosure for
//! this part depends on: the session's manifest (its hash), the
//! submission id, the member and the participant's commitment before the
//! proofs ([`proof_context`]), so that a proof copied into another
//! submission, beside another commitment, or into another manifest that
//! reuses the session id, fails. The nonce `k` is hedged (a hash of the
//! secret, the statement and fresh randomness).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::scalar::{Scalar, clamp_integer};
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

use super::disclosure::{key_and_nonce, labeled_expand, labeled_extract};
use super::submission::submission_aad;
use super::{EnvelopeError, SealedShares, SubmissionId};
use crate::session::{ManifestHash, SessionId, X25519PublicKey};

/// Domain separation of the proof's challenge.
const PROOF_LABEL: &[u8] = b"sotto/encapsulation-proof/v1";
/// Domain separation of the proof's hedged nonce.
const PROOF_NONCE_LABEL: &[u8] = b"sotto/encapsulation-proof/v1/nonce";
/// The length of an encoded [`EncapsulationProof`].
pub const PROOF_LEN: usize = 64;

/// An ephemeral X25519 secret for one part. Zeroized on drop; `Debug`
/// shows only the public `enc`.
pub struct Ephemeral(Zeroizing<[u8; 32]>);

impl Ephemeral {
    /// Draws a fresh secret: 32 bytes `ikm` from `rng` (a CSPRNG), then
    /// RFC 9180's `DeriveKeyPair(ikm)` for DHKEM(X25519, HKDF-SHA256)
    /// (section 7.1.3), as the `hpke` crate's sender does: the same `rng`
    /// gives the same `enc` and ciphertext either way (the pinned vector
    /// in `envelope::vectors` checks it).
    pub fn random(rng: &mut impl rand_core::CryptoRng) -> Ephemeral {
        let mut ikm = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(ikm.as_mut());
        let suite = b"KEM\x00\x20";
        let prk = labeled_extract(suite, b"", b"dkp_prk", ikm.as_ref());
        let mut sk = Zeroizing::new([0u8; 32]);
        // 32 bytes from HKDF-SHA256 cannot fail.
        if labeled_expand(suite, &prk, b"sk", b"", sk.as_mut()).is_err() {
            unreachable!("32 bytes are within HKDF-SHA256's output length");
        }
        Ephemeral(sk)
    }

    /// The encapsulated key: `X25519(e, 9)`.
    pub fn enc(&self) -> [u8; 32] {
        MontgomeryPoint::mul_base_clamped(*self.0).to_bytes()
    }

    /// `X25519(e, u)` (RFC 7748: the clamped secret, whatever the point).
    fn dh(&self, u: &[u8; 32]) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(MontgomeryPoint(*u).mul_clamped(*self.0).to_bytes())
    }

    /// The clamped secret as a scalar (X25519's scalar, reduced mod the
    /// group order: the base point has prime order).
    fn scalar(&self) -> Scalar {
        let clamped = Zeroizing::new(clamp_integer(*self.0));
        Scalar::from_bytes_mod_order(*clamped)
    }
}

impl core::fmt::Debug for Ephemeral {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Ephemeral(enc {})", hex::encode(self.enc()))
    }
}

/// Seals `shares` to `recipient`, member `member`, with the ephemeral
/// secret `eph`: exactly what [`super::seal_shares`] makes (HPKE base
/// mode, [`super::SUBMISSION_INFO`], the submission's AAD), with a secret
/// the caller keeps to prove. Use each [`Ephemeral`] for one part only.
pub fn seal_with(
    eph: &Ephemeral,
    recipient: &X25519PublicKey,
    session: &SessionId,
    submission: &SubmissionId,
    member: u16,
    shares: &[u8],
) -> Result<SealedShares, EnvelopeError> {
    if member == 0 {
        return Err(EnvelopeError::BadMember(member));
    }
    let enc = eph.enc();
    let dh = eph.dh(recipient.as_bytes());
    let (key, nonce) =
        key_and_nonce(&dh, &enc, recipient).map_err(|_| EnvelopeError::BadPublicKey)?;
    let aad = submission_aad(session, submission, member);
    let ciphertext = ChaCha20Poly1305::new(&Key::from(*key))
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: shares,
                aad: &aad,
            },
        )
        .map_err(|_| EnvelopeError::Seal)?;
    Ok(SealedShares {
        member,
        enc,
        ciphertext,
    })
}

/// What a part's proof is bound to: the session's manifest (its hash,
/// which covers the session id, the committee and the computation), the
/// submission id, the member the part is sealed to and the participant's
/// encoded commitment without its proofs (its part hashes and values).
/// The manifest, not only the session id: the organizer picks the id, so
/// another manifest could reuse it, with the same members and another
/// computation in which a replayed submission fails and would be
/// complained of.
pub fn proof_context(
    manifest: &ManifestHash,
    submission: &SubmissionId,
    member: u16,
    commitment: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(50 + commitment.len());
    out.extend_from_slice(manifest.as_bytes());
    out.extend_from_slice(&submission.0);
    out.extend_from_slice(&member.to_be_bytes());
    out.extend_from_slice(commitment);
    out
}

/// A proof of knowledge of a part's ephemeral secret (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncapsulationProof {
    r: [u8; 32],
    s: [u8; 32],
}

impl EncapsulationProof {
    /// `R (32, compressed Edwards) || s (32, canonical scalar)`.
    pub fn to_bytes(&self) -> [u8; PROOF_LEN] {
        let mut out = [0u8; PROOF_LEN];
        out[..32].copy_from_slice(&self.r);
        out[32..].copy_from_slice(&self.s);
        out
    }

    /// Reads the encoding; checks only the length.
    pub fn from_bytes(b: &[u8]) -> Result<EncapsulationProof, EnvelopeError> {
        if b.len() != PROOF_LEN {
            return Err(EnvelopeError::Malformed("encapsulation proof length"));
        }
        let mut r = [0u8; 32];
        let mut s = [0u8; 32];
        r.copy_from_slice(&b[..32]);
        s.copy_from_slice(&b[32..]);
        Ok(EncapsulationProof { r, s })
    }
}

fn challenge(context: &[u8], enc: &[u8; 32], r: &[u8; 32]) -> Scalar {
    let mut h = Sha512::new();
    h.update(PROOF_LABEL);
    h.update((context.len() as u64).to_be_bytes());
    h.update(context);
    h.update(enc);
    h.update(r);
    Scalar::from_hash(h)
}

/// Proves knowledge of `eph` for its `enc`, bound to `context`.
pub fn prove(
    rng: &mut impl rand_core::CryptoRng,
    eph: &Ephemeral,
    context: &[u8],
) -> EncapsulationProof {
    let x = Zeroizing::new(eph.scalar());
    let enc = eph.enc();
    // The nonce k is hedged: a hash of the secret, the statement and
    // fresh randomness, so that neither a weak random source nor a repeated
    // one alone repeats k for one secret (which would give the secret).
    let mut fresh = Zeroizing::new([0u8; 64]);
    rng.fill_bytes(fresh.as_mut());
    let k = Zeroizing::new(Scalar::from_hash(
        Sha512::new()
            .chain_update(PROOF_NONCE_LABEL)
            .chain_update(x.as_bytes())
            .chain_update((context.len() as u64).to_be_bytes())
            .chain_update(context)
            .chain_update(enc)
            .chain_update(fresh.as_ref()),
    ));
    let r = (ED25519_BASEPOINT_POINT * *k).compress().to_bytes();
    let h = challenge(context, &enc, &r);
    let hx = Zeroizing::new(h * *x);
    EncapsulationProof {
        r,
        s: (*k + *hx).to_bytes(),
    }
}

/// Whether `proof` shows knowledge of the ephemeral secret of `enc`,
/// bound to `context`.
pub fn verify(enc: &[u8; 32], context: &[u8], proof: &EncapsulationProof) -> bool {
    let (Some(x0), Some(r), Some(s)) = (
        MontgomeryPoint(*enc).to_edwards(0),
        CompressedEdwardsY(proof.r).decompress(),
        Option::<Scalar>::from(Scalar::from_canonical_bytes(proof.s)),
    ) else {
        return false;
    };
    let h = challenge(context, enc, &proof.r);
    let s_b = EdwardsPoint::mul_base(&s);
    let hx = x0 * h;
    s_b == r + hx || s_b == r - hx
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha20Rng;
    use rand_core::{Rng, SeedableRng};

    use super::*;
    use crate::envelope::disclosure::open_with_dh;
    use crate::envelope::open_shares;
    use crate::keyfile::MemberKeys;

    const SESSION: SessionId = SessionId([3; 16]);
    const MANIFEST: ManifestHash = ManifestHash([2; 32]);
    const ID: SubmissionId = SubmissionId([4; 16]);

    #[test]
    fn what_seal_with_makes_the_hpke_crate_opens() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        for member in 1..=5u16 {
            let keys = MemberKeys::generate(&mut rng);
            let eph = Ephemeral::random(&mut rng);
            let pk = keys.public().x25519;
            let shares = vec![member as u8; 40];
            let sealed = seal_with(&eph, &pk, &SESSION, &ID, member, &shares).unwrap();
            assert_eq!(sealed.enc, eph.enc());
            let opened = open_shares(&keys, &SESSION, &ID, member, &sealed).unwrap();
            assert_eq!(*opened, shares);
            // And through the disclosure's path, from the member's DH.
            let dh = keys
                .x25519_secret()
                .diffie_hellman(&x25519_dalek::PublicKey::from(sealed.enc));
            let again = open_with_dh(dh.as_bytes(), &pk, &SESSION, &ID, member, &sealed).unwrap();
            assert_eq!(*again, shares);
            // The participant's DH is the member's.
            assert_eq!(*eph.dh(pk.as_bytes()), *dh.as_bytes());
            // Another member index is another AAD.
            assert!(open_shares(&keys, &SESSION, &ID, member + 1, &sealed).is_err());
        }
    }

    #[test]
    fn a_proof_verifies_only_for_its_enc_and_context() {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        for _ in 0..20 {
            let eph = Ephemeral::random(&mut rng);
            let other = Ephemeral::random(&mut rng);
            let context = proof_context(&MANIFEST, &ID, 2, b"commitment of P");
            let proof = prove(&mut rng, &eph, &context);
            assert!(verify(&eph.enc(), &context, &proof));
            let round = EncapsulationProof::from_bytes(&proof.to_bytes()).unwrap();
            assert!(verify(&eph.enc(), &context, &round));
            // Another enc, member, submission or commitment: refused.
            assert!(!verify(&other.enc(), &context, &proof));
            for wrong in [
                proof_context(&MANIFEST, &ID, 3, b"commitment of P"),
                proof_context(&MANIFEST, &SubmissionId([5; 16]), 2, b"commitment of P"),
                proof_context(&ManifestHash([9; 32]), &ID, 2, b"commitment of P"),
                proof_context(&MANIFEST, &ID, 2, b"commitment of A"),
            ] {
                assert!(!verify(&eph.enc(), &wrong, &proof));
            }
            // Any changed byte of the proof: refused.
            let bytes = proof.to_bytes();
            for i in [0, 17, 31, 32, 50, 63] {
                let mut b = bytes;
                b[i] ^= 1 << (rng.next_u32() % 8);
                let p = EncapsulationProof::from_bytes(&b).unwrap();
                assert!(!verify(&eph.enc(), &context, &p), "byte {i}");
            }
        }
        assert!(EncapsulationProof::from_bytes(&[0; 63]).is_err());
    }

    /// The attack the proof stops: an author copies participant P's `enc`
    /// into its own part. It cannot prove knowledge of P's secret for its
    /// own submission: P's proof is bound to P's submission and
    /// commitment, and a proof made with another secret is for another
    /// `enc`.
    #[test]
    fn a_copied_enc_has_no_proof_for_another_submission() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let p = Ephemeral::random(&mut rng);
        let p_context = proof_context(&MANIFEST, &ID, 1, b"P's commitment");
        let p_proof = prove(&mut rng, &p, &p_context);
        let a_context = proof_context(&MANIFEST, &SubmissionId([8; 16]), 1, b"A's commitment");
        assert!(!verify(&p.enc(), &a_context, &p_proof));
        let a = Ephemeral::random(&mut rng);
        assert!(!verify(
            &p.enc(),
            &a_context,
            &prove(&mut rng, &a, &a_context)
        ));
        // Knowing -x (the other sign) is knowing x: accepted, as the docs say.
        let mut r = rng.clone();
        let k = {
            let mut wide = [0u8; 64];
            r.fill_bytes(&mut wide);
            Scalar::from_bytes_mod_order_wide(&wide)
        };
        let rr = (ED25519_BASEPOINT_POINT * k).compress().to_bytes();
        let h = challenge(&a_context, &a.enc(), &rr);
        let minus = EncapsulationProof {
            r: rr,
            s: (k - h * a.scalar()).to_bytes(),
        };
        assert!(verify(&a.enc(), &a_context, &minus));
    }
}
