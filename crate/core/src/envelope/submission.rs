//! Submissions: one member's share vector sealed to that member with HPKE
//! (RFC 9180 section 6.1, single-shot base mode).
//!
//! Suite: DHKEM(X25519, HKDF-SHA256) (KEM 0x0020), HKDF-SHA256 (KDF 0x0001),
//! ChaCha20-Poly1305 (AEAD 0x0003). `info` is [`SUBMISSION_INFO`]. The
//! associated data binds the ciphertext to where it belongs, so the relay
//! cannot move it to another session, submission or member:
//!
//! ```text
//! AAD = "SOTS" || 0x01 || session id (16) || submission id (16) || member (u16 BE)
//! ```
//!
//! Encoding of a [`SealedShares`]:
//!
//! ```text
//! 0x01 || member (u16 BE) || enc (32, the HPKE encapsulated key) || ciphertext (len + 16)
//! ```
//!
//! Every submission uses a fresh ephemeral key, so a member key compromise
//! exposes past submissions to that member (only its shares: privacy holds
//! while at most t members are compromised), and the AEAD nonce never
//! repeats under one key (HPKE sequence number 0 of a fresh context).

use core::fmt;

use zeroize::Zeroizing;

use super::EnvelopeError;
use crate::keyfile::MemberKeys;
use crate::session::{Committee, SessionId, X25519PublicKey};

/// HPKE `info` for submissions: a fixed label and format version.
pub const SUBMISSION_INFO: &[u8] = b"sotto/submission/v1";
const AAD_MAGIC: &[u8; 4] = b"SOTS";
const VERSION: u8 = 1;
const ENC_LEN: usize = 32;
const PREFIX_LEN: usize = 1 + 2 + ENC_LEN;
const TAG_LEN: usize = 16;

/// A submission identifier: 16 random bytes chosen by the participant; the
/// relay deduplicates by it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubmissionId(pub [u8; 16]);

impl SubmissionId {
    /// Draws a fresh id.
    pub fn random(rng: &mut impl rand_core::CryptoRng) -> SubmissionId {
        let mut b = [0u8; 16];
        rng.fill_bytes(&mut b);
        SubmissionId(b)
    }
}

impl fmt::Display for SubmissionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for SubmissionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubmissionId({self})")
    }
}

/// Shares sealed to one member. Holds only ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedShares {
    /// The recipient's 1-based member index (also bound in the AAD).
    pub member: u16,
    /// The HPKE encapsulated key.
    pub enc: [u8; ENC_LEN],
    /// The AEAD ciphertext with its 16-byte tag.
    pub ciphertext: Vec<u8>,
}

impl SealedShares {
    /// The encoding given in the module docs.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(PREFIX_LEN + self.ciphertext.len());
        out.push(VERSION);
        out.extend_from_slice(&self.member.to_be_bytes());
        out.extend_from_slice(&self.enc);
        out.extend_from_slice(&self.ciphertext);
        out
    }

    /// Parses the encoding; checks framing only.
    pub fn from_bytes(bytes: &[u8]) -> Result<SealedShares, EnvelopeError> {
        let Some(&version) = bytes.first() else {
            return Err(EnvelopeError::Malformed("empty sealed shares"));
        };
        if version != VERSION {
            return Err(EnvelopeError::UnsupportedVersion(version));
        }
        if bytes.len() < PREFIX_LEN + TAG_LEN {
            return Err(EnvelopeError::Malformed("sealed shares are truncated"));
        }
        let member = u16::from_be_bytes([bytes[1], bytes[2]]);
        let mut enc = [0u8; ENC_LEN];
        enc.copy_from_slice(&bytes[3..PREFIX_LEN]);
        Ok(SealedShares {
            member,
            enc,
            ciphertext: bytes[PREFIX_LEN..].to_vec(),
        })
    }
}

/// The associated data of a submission envelope (layout in module docs).
pub fn submission_aad(session: &SessionId, submission: &SubmissionId, member: u16) -> [u8; 39] {
    let mut aad = [0u8; 39];
    aad[..4].copy_from_slice(AAD_MAGIC);
    aad[4] = VERSION;
    aad[5..21].copy_from_slice(session.as_bytes());
    aad[21..37].copy_from_slice(&submission.0);
    aad[37..].copy_from_slice(&member.to_be_bytes());
    aad
}

/// Seals `shares` (one member's encoded share vector) to `recipient`, the
/// X25519 key of member `member` (RFC 9180 section 6.1 `Seal` in base mode).
pub fn seal_shares(
    rng: &mut impl rand_core::CryptoRng,
    recipient: &X25519PublicKey,
    session: &SessionId,
    submission: &SubmissionId,
    member: u16,
    shares: &[u8],
) -> Result<SealedShares, EnvelopeError> {
    let eph = super::encapsulation::Ephemeral::random(rng);
    super::encapsulation::seal_with(&eph, recipient, session, submission, member, shares)
}

/// Seals one share vector to each committee member: `shares[i]` goes to
/// member `i + 1`. Fails unless there is exactly one vector per member.
/// Tests and test vectors only: a participant seals with
/// [`super::commitment::seal_committed`], which keeps each part's
/// ephemeral secret to prove it knows it (without those proofs members
/// complain without disclosing, and the submission is excluded).
#[doc(hidden)]
pub fn seal_submission<S: AsRef<[u8]>>(
    rng: &mut impl rand_core::CryptoRng,
    committee: &Committee,
    session: &SessionId,
    submission: &SubmissionId,
    shares: &[S],
) -> Result<Vec<SealedShares>, EnvelopeError> {
    if shares.len() != committee.members.len() {
        return Err(EnvelopeError::ShareCount {
            expected: committee.members.len(),
            got: shares.len(),
        });
    }
    committee
        .members
        .iter()
        .zip(shares)
        .zip(1u16..)
        .map(|((m, s), index)| seal_shares(rng, &m.x25519, session, submission, index, s.as_ref()))
        .collect()
}

/// Opens shares sealed to this member (`member` is its own 1-based index).
/// Any mismatch of key, session, submission or member index, or any
/// modified byte, gives [`EnvelopeError::Decrypt`]. The decapsulation's
/// Diffie-Hellman is the only step that needs the key; the rest is
/// [`super::disclosure::open_with_dh`], which a member whose key cannot be
/// read runs from that Diffie-Hellman output alone (checked against the
/// `hpke` crate in this module's tests).
pub fn open_shares(
    keys: &MemberKeys,
    session: &SessionId,
    submission: &SubmissionId,
    member: u16,
    sealed: &SealedShares,
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    let dh = keys.dh(&sealed.enc).ok_or(EnvelopeError::Decrypt)?;
    let mine = keys.public().x25519;
    super::disclosure::open_with_dh(&dh, &mine, session, submission, member, sealed)
}

#[cfg(test)]
mod tests {
    use hpke::{Deserializable, OpModeR};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;

    type Kem = hpke::kem::X25519HkdfSha256;
    type Kdf = hpke::kdf::HkdfSha256;
    type Aead = hpke::aead::ChaCha20Poly1305;

    /// RFC 9180's single-shot open, by the `hpke` crate.
    fn hpke_open(
        keys: &MemberKeys,
        session: &SessionId,
        submission: &SubmissionId,
        member: u16,
        sealed: &SealedShares,
    ) -> Option<Vec<u8>> {
        let secret = keys.to_secret_bytes();
        let sk = <Kem as hpke::Kem>::PrivateKey::from_bytes(&secret[..32]).ok()?;
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&sealed.enc).ok()?;
        let aad = submission_aad(session, submission, member);
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &OpModeR::Base,
            &sk,
            &enc,
            SUBMISSION_INFO,
            &sealed.ciphertext,
            &aad,
        )
        .ok()
    }

    #[test]
    fn open_shares_opens_exactly_what_the_hpke_crate_opens() {
        let mut rng = ChaCha20Rng::seed_from_u64(17);
        let session = SessionId([5; 16]);
        for member in 1..=4u16 {
            let keys = MemberKeys::generate(&mut rng);
            let other = MemberKeys::generate(&mut rng);
            let id = SubmissionId::random(&mut rng);
            let shares = vec![member as u8; 24 + usize::from(member)];
            let pk = keys.public().x25519;
            let sealed = seal_shares(&mut rng, &pk, &session, &id, member, &shares).unwrap();
            let ours = open_shares(&keys, &session, &id, member, &sealed).unwrap();
            assert_eq!(
                Some(ours.to_vec()),
                hpke_open(&keys, &session, &id, member, &sealed)
            );
            assert_eq!(*ours, shares);
            // Whatever fails for one fails for the other.
            let mut damaged = sealed.clone();
            damaged.ciphertext[0] ^= 1;
            for (k, m, s) in [
                (&other, member, &sealed),
                (&keys, member + 1, &sealed),
                (&keys, member, &damaged),
            ] {
                assert!(open_shares(k, &session, &id, m, s).is_err());
                assert_eq!(hpke_open(k, &session, &id, m, s), None);
            }
        }
    }
}
