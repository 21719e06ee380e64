//! Pure building blocks of the native committee member: the byte formats it
//! exchanges through the relay and the input-agreement rule
//! (PROTOCOLS.md, "Agreeing on the inputs"). No I/O here.
//!
//! Formats (all integers big-endian):
//!
//! ```text
//! submission part for member i   = submission id (16) || commitment || SealedShares bytes
//! member message, Ready          = 0x01 || epoch u64 || inputs hash (32) || live set || complaints || Ed25519 signature (64)
//! live set                       = bitmap of ceil(n / 8) bytes, member i at bit (i - 1) % 8 of byte (i - 1) / 8
//! complaints                     = count u32 || count x Complaint (sotto_core::envelope::complaint)
//! member message, Engine         = 0x02 || Channel frame (docs/crypto.md)
//! piece of a member message      = 0x03 || message id u64 || index u32 || count u32 || bytes
//! published result blob          = ResultSignature (66) || canonical result bytes
//! ```
//!
//! A member message longer than one relay frame allows
//! ([`sotto_wire::FRAME_LIMIT`] less the 44-byte header) travels as pieces
//! ([`super::pieces`]); the receiver reassembles it and only then reads its
//! tag, so the Ready and Engine formats above are always whole messages.
//!
//! The commitment is the participant's (`sotto_core::envelope::commitment`;
//! layout in `sotto_wire::commitment`): every part of a bundle carries the
//! same one, and the relay refuses bundles whose parts do not.
//!
//! A Ready message says "I am running with `epoch`, the accepted
//! submissions hash to `hash`, I compute with the members in `live`, and
//! these are my complaints about my parts".
//! It is signed so the relay cannot forge or alter it. The live set is
//! every member at first and only ever shrinks, when members drop out
//! (see `super::member`: "Dropouts"); a Ready for the same epoch with a
//! smaller live set supersedes the earlier one. Each member takes a new epoch every time it starts: the
//! start time in milliseconds since the Unix epoch times 2^16 plus 16
//! random bits, so a restart's epoch is larger than any earlier one of the
//! same member (while its clock does not go back). Members accept a
//! member's Ready only with an epoch larger than the one they hold for it,
//! so a relay that replays an old Ready cannot move anyone back to a
//! superseded run. The channel keys of a run are derived from the
//! [`RunId`], a hash of every member's epoch, and a member never builds
//! channels twice for one run; together these make a nonce reuse under
//! one channel key impossible however the relay replays or reorders.

use sha2::{Digest, Sha256};

use sotto_core::envelope::challenge::{CHALLENGE_LEN, Challenge};
use sotto_core::envelope::commitment::Commitment;
use sotto_core::envelope::complaint::Complaint;
use sotto_core::envelope::{EnvelopeError, ResultSignature, RunId, SealedShares, SubmissionId};
use sotto_core::field::Fp;
use sotto_core::keyfile::MemberKeys;
use sotto_core::session::{Committee, SessionId};

/// Tag of a [`Ready`] member message.
pub const TAG_READY: u8 = 1;
/// Tag of an engine member message (a sealed channel frame follows).
pub const TAG_ENGINE: u8 = 2;
/// Tag of a check member message: a challenge about a claimed
/// disclosure, or its answer, sealed on the run's check channel
/// ([`CHECK_INSTANCE`], [`Check`]).
pub const TAG_CHECK: u8 = 4;
/// The channel instance of check messages: their own sequence numbers,
/// apart from the engine's (instance 1), since a member answers
/// challenges while its engine may already run.
pub const CHECK_INSTANCE: u32 = 2;
const READY_LABEL: &[u8] = b"sotto/ready/v1\0";
const INPUTS_LABEL: &[u8] = b"sotto/inputs/v2\0";
const RUN_LABEL: &[u8] = b"sotto/run/v1\0";
const PART_LABEL: &[u8] = b"sotto/part-tag/v1\0";
const READY_LEN: usize = 1 + 8 + 32 + 4 + 64;
/// Most complaints one Ready may carry (each about one of the sender's
/// parts; more than this many malformed submissions are refused by count).
pub const MAX_COMPLAINTS: usize = 1 << 20;

/// Errors of the member protocol formats.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A message or part is too short or has an unknown tag.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// A Ready message's signature does not verify under the sender's key.
    #[error("ready message from member {0} has a bad signature")]
    BadSignature(u16),
    /// An envelope could not be decoded.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
}

/// A submission part, read: the submission id, the participant's public
/// commitment (decoded, and its bytes), and the sealed bytes.
#[derive(Debug)]
pub struct Part<'a> {
    /// The submission id.
    pub id: SubmissionId,
    /// The participant's commitment.
    pub commitment: Commitment,
    /// The commitment's encoding, as the part carries it.
    pub commitment_bytes: &'a [u8],
    /// The sealed shares' encoding.
    pub sealed: &'a [u8],
}

/// Splits a submission part into its id, commitment and sealed bytes
/// (see the module docs). Checks framing only.
pub fn decode_part(part: &[u8]) -> Result<Part<'_>, ProtocolError> {
    if part.len() < 16 {
        return Err(ProtocolError::Malformed("submission part"));
    }
    let (id, rest) = part.split_at(16);
    let mut b = [0u8; 16];
    b.copy_from_slice(id);
    let (commitment, sealed) = Commitment::parse(rest)?;
    Ok(Part {
        id: SubmissionId(b),
        commitment,
        commitment_bytes: &rest[..rest.len() - sealed.len()],
        sealed,
    })
}

/// Formats a submission part (see the module docs).
pub fn encode_part(id: &SubmissionId, commitment: &[u8], sealed: &SealedShares) -> Vec<u8> {
    let mut out = id.0.to_vec();
    out.extend_from_slice(commitment);
    out.extend_from_slice(&sealed.to_bytes());
    out
}

/// The hash members compare before computing: SHA-256 over the label and
/// every accepted submission's (log position, receipt, part digest) in
/// log order. The digest ([`part_digest`]) binds the submission id and
/// the commitment the member's part carries, so members that were handed
/// different commitments for one submission disagree here, before any
/// complaint is settled: complaints are settled only among members that
/// hold the same commitments, and a relay that alters one member's copy
/// cannot make that member's honest complaint look false.
pub fn inputs_hash<'a>(
    accepted: impl IntoIterator<Item = (u64, &'a [u8; 32], &'a [u8; 32])>,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(INPUTS_LABEL);
    for (pos, receipt, digest) in accepted {
        h.update(pos.to_be_bytes());
        h.update(receipt);
        h.update(digest);
    }
    h.finalize().into()
}

/// The run of a computation in `session` by the live members, each with
/// its latest epoch (`(member, epoch)` in member order), with the
/// complaints in their Readies hashing to `complaints`
/// ([`complaints_digest`]): SHA-256 over all of them, so any new epoch,
/// any other live set and any other complaint makes a new run and new
/// channel keys (members that hold different complaints never compute
/// together).
pub fn run_for(session: &SessionId, live: &[(u16, u64)], complaints: &[u8; 32]) -> RunId {
    let mut h = Sha256::new();
    h.update(RUN_LABEL);
    h.update(session.as_bytes());
    h.update(complaints);
    for (m, e) in live {
        h.update(m.to_be_bytes());
        h.update(e.to_be_bytes());
    }
    RunId(h.finalize().into())
}

/// SHA-256 over every member's complaints in the agreed Readies (member
/// order): what [`run_for`] binds a run to.
pub fn complaints_digest<'a>(
    readies: impl IntoIterator<Item = (u16, &'a [Complaint])>,
) -> [u8; 32] {
    let mut h = Sha256::new();
    let mut bytes = Vec::new();
    for (m, list) in readies {
        bytes.clear();
        for c in list {
            c.encode(&mut bytes);
        }
        h.update(m.to_be_bytes());
        h.update((list.len() as u64).to_be_bytes());
        h.update(&bytes);
    }
    h.finalize().into()
}

/// The digest of a submission part's bundle: SHA-256 over the label, the
/// submission id (which the part's HPKE associated data authenticates)
/// and the participant's commitment, all 256 bits. It goes into the
/// [`inputs_hash`]; [`part_tag`] is its first 120 bits.
pub fn part_digest(id: &SubmissionId, commitment: &[u8]) -> [u8; 32] {
    Sha256::new()
        .chain_update(PART_LABEL)
        .chain_update(id.0)
        .chain_update(commitment)
        .finalize()
        .into()
}

/// The public tag of a submission part: a field element, the first 120
/// bits of its [`part_digest`]. Members compare their tags position by
/// position in the engine ([`sotto_core::apps::validity::agree_on_bundles`]),
/// so they compute only on parts of one bundle under one commitment, and
/// a bundle replayed at a new position counts once. 120 bits suffice
/// there (a collision only lets a participant's two bundles count once),
/// but not for agreeing on the commitments before complaints are settled:
/// a participant and a relay that found two commitments with one tag
/// (about 2^60 hashes) could show one member the other and have its
/// honest complaint judged false, so the inputs hash takes the whole
/// digest.
pub fn part_tag(digest: &[u8; 32]) -> Fp {
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    // 120 bits: below p, so distinct ids collide with probability 2^-120.
    Fp::new(u128::from_be_bytes(b) >> 8)
}

/// A member's signed "ready to compute" announcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ready {
    /// The sender's run epoch (see the module docs).
    pub epoch: u64,
    /// The sender's [`inputs_hash`].
    pub hash: [u8; 32],
    /// The members the sender computes with, sorted (1-based).
    pub live: Vec<u16>,
    /// The sender's complaints about its parts, by ascending position.
    pub complaints: Vec<Complaint>,
}

fn complaint_bytes(list: &[Complaint]) -> Vec<u8> {
    let mut out = (list.len() as u32).to_be_bytes().to_vec();
    for c in list {
        c.encode(&mut out);
    }
    out
}

fn ready_message(session: &SessionId, member: u16, r: &Ready, n: u16) -> Vec<u8> {
    let mut m = READY_LABEL.to_vec();
    m.extend_from_slice(session.as_bytes());
    m.extend_from_slice(&member.to_be_bytes());
    m.extend_from_slice(&r.epoch.to_be_bytes());
    m.extend_from_slice(&r.hash);
    m.extend_from_slice(&live_bitmap(&r.live, n));
    m.extend_from_slice(&complaint_bytes(&r.complaints));
    m
}

/// The live set as a bitmap of `ceil(n / 8)` bytes.
fn live_bitmap(live: &[u16], n: u16) -> Vec<u8> {
    let mut map = vec![0u8; usize::from(n).div_ceil(8)];
    for &m in live {
        if m >= 1 && m <= n {
            let i = usize::from(m - 1);
            map[i / 8] |= 1 << (i % 8);
        }
    }
    map
}

impl Ready {
    /// Encodes and signs as member `member` of a committee of `n`.
    pub fn sign(&self, keys: &MemberKeys, session: &SessionId, member: u16, n: u16) -> Vec<u8> {
        self.encode_signed(n, &keys.sign(&self.to_sign(session, member, n)))
    }

    /// The bytes member `member` of a committee of `n` signs.
    pub fn to_sign(&self, session: &SessionId, member: u16, n: u16) -> Vec<u8> {
        ready_message(session, member, self, n)
    }

    /// The message to send, with the signature of [`Ready::to_sign`]'s
    /// bytes.
    pub fn encode_signed(&self, n: u16, signature: &[u8; 64]) -> Vec<u8> {
        let mut out = vec![TAG_READY];
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out.extend_from_slice(&self.hash);
        out.extend_from_slice(&live_bitmap(&self.live, n));
        out.extend_from_slice(&complaint_bytes(&self.complaints));
        out.extend_from_slice(signature);
        out
    }

    /// Decodes a Ready message from member `from` and checks its signature
    /// against that member's key in `committee`.
    pub fn verify(
        bytes: &[u8],
        committee: &Committee,
        session: &SessionId,
        from: u16,
    ) -> Result<Ready, ProtocolError> {
        let n = committee.members.len() as u16;
        let map_len = usize::from(n).div_ceil(8);
        if bytes.len() < READY_LEN + map_len || bytes[0] != TAG_READY {
            return Err(ProtocolError::Malformed("ready message"));
        }
        let mut epoch = [0u8; 8];
        epoch.copy_from_slice(&bytes[1..9]);
        let epoch = u64::from_be_bytes(epoch);
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&bytes[9..41]);
        let map = &bytes[41..41 + map_len];
        let live: Vec<u16> = (1..=n)
            .filter(|m| {
                let i = usize::from(m - 1);
                map[i / 8] & (1 << (i % 8)) != 0
            })
            .collect();
        // Bits beyond n make another encoding of the same set: refused.
        if live_bitmap(&live, n) != map {
            return Err(ProtocolError::Malformed("ready message live set"));
        }
        let (body, sig_bytes) = bytes.split_at(bytes.len() - 64);
        let mut rest = &body[41 + map_len..];
        let count = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        rest = &rest[4..];
        let mut complaints = Vec::with_capacity(count.min(rest.len() / 13));
        for _ in 0..count.min(MAX_COMPLAINTS + 1) {
            let (c, next) = Complaint::decode(rest)?;
            complaints.push(c);
            rest = next;
        }
        if count > MAX_COMPLAINTS
            || !rest.is_empty()
            || complaints
                .windows(2)
                .any(|w| w[0].position >= w[1].position)
        {
            return Err(ProtocolError::Malformed("ready message complaints"));
        }
        let mut sig = [0u8; 64];
        sig.copy_from_slice(sig_bytes);
        let r = Ready {
            epoch,
            hash,
            live,
            complaints,
        };
        let ok = committee.member(from).is_some_and(|m| {
            m.ed25519.verifying_key().is_ok_and(|k| {
                k.verify_strict(
                    &ready_message(session, from, &r, n),
                    &ed25519_dalek::Signature::from_bytes(&sig),
                )
                .is_ok()
            })
        });
        if ok {
            Ok(r)
        } else {
            Err(ProtocolError::BadSignature(from))
        }
    }
}

/// The members (1-based) whose announced hash differs from `mine`.
pub fn disagreeing(mine: &[u8; 32], hashes: &[(u16, [u8; 32])]) -> Vec<u16> {
    hashes
        .iter()
        .filter(|(_, h)| h != mine)
        .map(|(m, _)| *m)
        .collect()
}

/// Formats a published result blob.
pub fn encode_result_blob(sig: &ResultSignature, result: &[u8]) -> Vec<u8> {
    let mut out = sig.to_bytes().to_vec();
    out.extend_from_slice(result);
    out
}

/// Splits a published result blob into signature and result bytes.
pub fn decode_result_blob(blob: &[u8]) -> Result<(ResultSignature, &[u8]), ProtocolError> {
    if blob.len() < 66 {
        return Err(ProtocolError::Malformed("result blob"));
    }
    let (sig, rest) = blob.split_at(66);
    Ok((ResultSignature::from_bytes(sig)?, rest))
}

/// Groups published results by identical bytes and returns the bytes with
/// the most signatures and those signatures (result verification then
/// applies the t + 1 rule). Malformed blobs are skipped.
pub fn best_result(blobs: &[(u16, Vec<u8>)]) -> Option<(Vec<u8>, Vec<ResultSignature>)> {
    let mut groups: Vec<(Vec<u8>, Vec<ResultSignature>)> = Vec::new();
    for (_, blob) in blobs {
        let Ok((sig, bytes)) = decode_result_blob(blob) else {
            continue;
        };
        match groups.iter_mut().find(|(b, _)| b == bytes) {
            Some((_, sigs)) => sigs.push(sig),
            None => groups.push((bytes.to_vec(), vec![sig])),
        }
    }
    groups.into_iter().max_by_key(|(_, s)| s.len())
}

/// The plaintext of a check message (`sotto_core::envelope::challenge`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// A verifier's challenge about the claimed disclosure of the
    /// recipient's complaint at `position`.
    Challenge {
        /// The complained-of submission's log position.
        position: u64,
        /// The challenge.
        challenge: Challenge,
    },
    /// The complainer's answer to the recipient's challenge.
    Answer {
        /// The complained-of submission's log position.
        position: u64,
        /// X25519 of the complainer's key with the challenge's point.
        answer: [u8; 32],
    },
}

impl Check {
    /// `0x01 || position (u64 BE) || challenge (128)` or `0x02 ||
    /// position || answer (32)`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(9 + CHALLENGE_LEN);
        match self {
            Check::Challenge {
                position,
                challenge,
            } => {
                out.push(1);
                out.extend_from_slice(&position.to_be_bytes());
                out.extend_from_slice(&challenge.to_bytes());
            }
            Check::Answer { position, answer } => {
                out.push(2);
                out.extend_from_slice(&position.to_be_bytes());
                out.extend_from_slice(answer);
            }
        }
        out
    }

    /// Reads [`Check::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Check, ProtocolError> {
        let bad = ProtocolError::Malformed("check message");
        if bytes.len() < 9 {
            return Err(bad);
        }
        let mut p = [0u8; 8];
        p.copy_from_slice(&bytes[1..9]);
        let position = u64::from_be_bytes(p);
        let rest = &bytes[9..];
        match bytes[0] {
            1 => Ok(Check::Challenge {
                position,
                challenge: Challenge::from_bytes(rest).map_err(|_| bad)?,
            }),
            2 if rest.len() == 32 => {
                let mut answer = [0u8; 32];
                answer.copy_from_slice(rest);
                Ok(Check::Answer { position, answer })
            }
            _ => Err(bad),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;

    #[test]
    fn inputs_hash_depends_on_order_and_content() {
        let (r1, r2, d1, d2, d3) = ([1u8; 32], [2u8; 32], [5u8; 32], [6u8; 32], [7u8; 32]);
        let (a, b) = ((1, &r1, &d1), (2, &r2, &d2));
        let h1 = inputs_hash([a, b]);
        assert_eq!(h1, inputs_hash([a, b]));
        assert_ne!(h1, inputs_hash([b, a]));
        assert_ne!(h1, inputs_hash([a]));
        // The same receipts with another commitment (another part digest).
        assert_ne!(h1, inputs_hash([a, (2, &r2, &d3)]));
    }

    #[test]
    fn run_changes_with_any_epoch_and_the_session() {
        let (s1, s2) = (SessionId([1; 16]), SessionId([2; 16]));
        let all = [(1, 1), (2, 2), (3, 3)];
        let none = complaints_digest([(1, &[][..]), (2, &[][..]), (3, &[][..])]);
        let run = |s, live: &[(u16, u64)]| run_for(s, live, &none);
        assert_ne!(run(&s1, &all), run(&s1, &[(1, 1), (2, 2), (3, 4)]));
        assert_ne!(run(&s1, &all), run(&s2, &all));
        assert_ne!(run(&s1, &all), run(&s1, &[(1, 1), (2, 2)]));
        assert_ne!(
            run(&s1, &[(1, 1), (2, 2), (3, 3)]),
            run(&s1, &[(1, 1), (2, 2), (4, 3)])
        );
        assert_eq!(run(&s1, &all), run(&s1, &all));
        let one = Complaint {
            position: 4,
            sealed: vec![1, 2],
            disclosure: None,
        };
        let some = complaints_digest([(1, &[][..]), (2, &[one][..]), (3, &[][..])]);
        assert_ne!(run(&s1, &all), run_for(&s1, &all, &some));
    }

    #[test]
    fn part_tags_differ_by_id_and_commitment() {
        let tag = |id: u8, c: &[u8]| part_tag(&part_digest(&SubmissionId([id; 16]), c));
        let a = tag(1, b"c");
        assert_eq!(a, tag(1, b"c"));
        assert_ne!(a, tag(2, b"c"));
        assert_ne!(a, tag(1, b"d"));
    }

    #[test]
    fn disagreeing_names_members() {
        let mine = [0u8; 32];
        assert_eq!(
            disagreeing(&mine, &[(1, mine), (2, [1; 32]), (3, mine)]),
            vec![2]
        );
    }

    #[test]
    fn a_ready_carries_its_live_set_under_the_signature() {
        use sotto_core::session::CommitteeMember;
        let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
        let keys: Vec<MemberKeys> = (0..10).map(|_| MemberKeys::generate(&mut rng)).collect();
        let committee = Committee {
            threshold: 3,
            members: keys
                .iter()
                .map(|k| CommitteeMember {
                    name: "m".into(),
                    x25519: k.public().x25519,
                    ed25519: k.public().ed25519,
                })
                .collect(),
        };
        let session = SessionId([7; 16]);
        let ready = Ready {
            epoch: 9,
            hash: [4; 32],
            live: vec![1, 2, 4, 5, 6, 8, 9, 10],
            complaints: vec![
                Complaint {
                    position: 3,
                    sealed: vec![9; 40],
                    disclosure: None,
                },
                Complaint {
                    position: 8,
                    sealed: vec![7; 20],
                    disclosure: None,
                },
            ],
        };
        let bytes = ready.sign(&keys[2], &session, 3, 10);
        assert_eq!(
            Ready::verify(&bytes, &committee, &session, 3),
            Ok(ready.clone())
        );
        // Another live set or complaint under the same signature, or a bit
        // beyond n.
        for (at, bit) in [(41, 0x04), (42, 0x04), (50, 0x01), (70, 0x01)] {
            let mut bad = bytes.clone();
            bad[at] ^= bit;
            assert!(Ready::verify(&bad, &committee, &session, 3).is_err());
        }
        // Complaints out of order are refused even when signed.
        let mut unordered = ready;
        unordered.complaints.reverse();
        let bytes = unordered.sign(&keys[2], &session, 3, 10);
        assert!(Ready::verify(&bytes, &committee, &session, 3).is_err());
    }

    #[test]
    fn malformed_inputs_are_errors() {
        assert!(decode_part(&[0; 3]).is_err());
        assert!(decode_result_blob(&[0; 10]).is_err());
        assert!(best_result(&[(1, vec![1, 2, 3])]).is_none());
    }
}
