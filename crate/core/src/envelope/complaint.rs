//! Complaints about a participant's part, and how anyone settles them.
//!
//! Member i reads its part of a submission ([`check_part`]): it decrypts
//! the sealed shares and checks them against the participant's public
//! commitment ([`super::commitment`]). When the part does not decrypt,
//! does not hold a share vector of the right length, or fails the
//! commitment, the member cannot compute with it, and neither may anyone:
//! it puts a [`Complaint`] in its signed Ready message. The complaint
//! carries the sealed bytes (which the commitment's hash list fixes) and a
//! [`Disclosure`] of the part's Diffie-Hellman output, so every member
//! settles it alike ([`settle`]):
//!
//! - the part's encapsulated key is not a valid point, its proof of
//!   knowledge of the ephemeral secret does not verify for this
//!   submission and commitment, or the disclosed part fails (it does not
//!   decrypt, or its shares fail the commitment): the participant is
//!   proven to have cheated, and the submission is excluded at every
//!   member and counted invalid;
//! - the disclosed part passes: the complaint is false, and the run aborts
//!   naming its member;
//! - the sealed bytes do not match the commitment, or the disclosure's
//!   proof does not verify: a member that follows the protocol never sends
//!   that, so the complaint is false and names its member. (An honest
//!   relay refuses bundles whose parts do not match their commitment, see
//!   [`sotto_wire::check_committed_bundle`]; a relay that delivers a
//!   member a part that does not match stops that member before it
//!   complains.)
//!
//! **Why the proof comes first.** A disclosure reveals `X25519(c, enc)`
//! for the `enc` the part carries, which its author chose. Without the
//! proof, an author could copy the `enc` of another participant's part
//! sealed to this member, with a garbage ciphertext, and the disclosure
//! would open that other part (and an `enc` equal to another member's
//! key would reveal their channel's secret). With it, a member discloses
//! only for an `enc` whose author knows `e`, and so already knows
//! `X25519(c, enc) = X25519(e, pk)`; a part that copies another's `enc`
//! has no proof for its own submission and commitment, and is excluded
//! with nothing disclosed.
//!
//! A member therefore cannot get an honest submission excluded without
//! being named, and a participant cannot get its malformed shares counted:
//! the check of the engine ([`crate::apps::validity`]) then works on
//! consistent shares only, and a wrong share there aborts.

use zeroize::Zeroizing;

use super::commitment::Commitment;
use super::disclosure::{
    DISCLOSURE_LEN, Disclosure, canonical_point, encapsulation_is_valid, open_with_dh,
    verify_disclosure,
};
use super::encapsulation::{EncapsulationProof, proof_context, verify as verify_encapsulation};
use super::{EnvelopeError, SealedShares, SubmissionId};
use crate::session::{Committee, ManifestHash, SessionId, X25519PublicKey};
use crate::share::ShareVec;

/// A member's complaint about its part of the submission at `position`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    /// The submission's log position.
    pub position: u64,
    /// The part's sealed bytes ([`SealedShares::to_bytes`]).
    pub sealed: Vec<u8>,
    /// The part's Diffie-Hellman output, proven or claimed; `None` when
    /// the encapsulated key is invalid on its face or the participant's
    /// proof of knowing its ephemeral secret fails (nothing is then
    /// disclosed).
    pub disclosure: Option<Disclosed>,
}

/// A complaint's disclosure of its part's Diffie-Hellman output.
#[derive(Clone, PartialEq, Eq)]
pub enum Disclosed {
    /// The output with its non-interactive proof, which needs the secret
    /// key at hand ([`super::disclosure`]).
    Proven(Disclosure),
    /// The output's u-coordinate only, from keys that cannot make the
    /// proof (a non-extractable WebCrypto key): each other member checks
    /// it with a challenge before settling ([`super::challenge`]).
    Claimed([u8; 32]),
}

impl core::fmt::Debug for Disclosed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Disclosed::Proven(d) => write!(f, "Proven({d:?})"),
            Disclosed::Claimed(u) => write!(f, "Claimed({})", hex::encode(&u[..8])),
        }
    }
}

/// What a member found in its part.
#[derive(Debug)]
pub enum PartCheck {
    /// The shares (without the blinding entry) match the commitment.
    Shares(ShareVec),
    /// The part fails and nothing may be disclosed: complain as it is.
    Complain(Complaint),
    /// The part fails and its author proved it knows the ephemeral secret:
    /// complain once the member's keys have made the disclosure asked for
    /// (`disclosure::disclose` with the request's key and context), put in the
    /// complaint's `disclosure`.
    Disclose(Complaint, DisclosureRequest),
}

/// A disclosure the member's keys are asked for: the part's encapsulated
/// key and the context the proof is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureRequest {
    /// The part's encapsulated key (checked valid).
    pub enc: [u8; 32],
    /// What the proof binds: session, submission and member.
    pub context: Vec<u8>,
}

/// The context a disclosure is bound to.
fn disclosure_context(session: &SessionId, id: &SubmissionId, member: u16) -> Vec<u8> {
    let mut c = Vec::with_capacity(34);
    c.extend_from_slice(session.as_bytes());
    c.extend_from_slice(&id.0);
    c.extend_from_slice(&member.to_be_bytes());
    c
}

/// The shares `plain` holds, without the blinding entry, if they are
/// `len` entries plus the blinding entry and match `commitment` at
/// `member`.
fn committed_shares(
    plain: &[u8],
    session: &SessionId,
    id: &SubmissionId,
    member: u16,
    len: usize,
    commitment: &Commitment,
) -> Option<ShareVec> {
    let shares = ShareVec::from_bytes(plain).ok()?;
    if shares.len() != len + 1 || !commitment.holds(session, id, member, &shares) {
        return None;
    }
    let mut values = shares.values().to_vec();
    values.pop();
    Some(ShareVec::from_values(values))
}

/// A member's own part of one submission, as delivered: what
/// [`check_part`] reads and a complaint is about.
#[derive(Debug, Clone, Copy)]
pub struct OwnPart<'a> {
    /// The session.
    pub session: &'a SessionId,
    /// The hash of the session's manifest (the participant's proofs are
    /// bound to it).
    pub manifest: &'a ManifestHash,
    /// The submission id.
    pub id: &'a SubmissionId,
    /// This member's 1-based index.
    pub member: u16,
    /// The submission's log position.
    pub position: u64,
    /// The sealed bytes, which the caller has checked against the
    /// commitment's hash for this member.
    pub sealed: &'a [u8],
}

impl OwnPart<'_> {
    /// A complaint about this part, without a disclosure.
    fn complaint(&self) -> Complaint {
        Complaint {
            position: self.position,
            sealed: self.sealed.to_vec(),
            disclosure: None,
        }
    }

    /// The complaint about this part with a disclosure of `enc`'s
    /// Diffie-Hellman output still to be made.
    fn disclosing(&self, enc: [u8; 32]) -> PartCheck {
        let context = disclosure_context(self.session, self.id, self.member);
        PartCheck::Disclose(self.complaint(), DisclosureRequest { enc, context })
    }
}

/// The first step of reading a part ([`part_key`]).
#[derive(Debug)]
pub enum PartKey {
    /// Ask the member's keys for X25519 with this encapsulated key, then
    /// [`check_part`].
    Dh([u8; 32]),
    /// The part is malformed on its face: complain at once, nothing to
    /// disclose.
    Complain(Complaint),
}

/// The first step of reading `part`: the encapsulated key whose X25519
/// with the member's secret [`check_part`] needs, or a complaint at once.
pub fn part_key(part: &OwnPart<'_>) -> PartKey {
    match SealedShares::from_bytes(part.sealed) {
        // Framing the relay checked by hash: the participant made it so.
        Err(_) => PartKey::Complain(part.complaint()),
        Ok(parsed) if !encapsulation_is_valid(&parsed.enc) => PartKey::Complain(part.complaint()),
        Ok(parsed) => PartKey::Dh(parsed.enc),
    }
}

/// The member reads `part` given `dh`, the X25519 of its secret with the
/// part's key ([`part_key`]): `member_key` is its X25519 public key,
/// `commitment` as published in the part, `len` the computation's vector
/// length. The Diffie-Hellman output is all the key this needs, so a
/// member whose key cannot be read checks parts alike.
pub fn check_part(
    part: &OwnPart<'_>,
    dh: &[u8; 32],
    member_key: &X25519PublicKey,
    len: usize,
    commitment: &Commitment,
) -> PartCheck {
    let Ok(parsed) = SealedShares::from_bytes(part.sealed) else {
        return PartCheck::Complain(part.complaint());
    };
    let (session, id, member) = (part.session, part.id, part.member);
    let shares = open_with_dh(dh, member_key, session, id, member, &parsed)
        .ok()
        .and_then(|plain| committed_shares(&plain, session, id, member, len, commitment));
    match shares {
        Some(s) => PartCheck::Shares(s),
        // Disclose only an `enc` whose author proved it knows its secret
        // (module docs): otherwise the disclosure could open someone
        // else's part, and the missing proof is the participant's fault.
        None if proven(&parsed, part.manifest, id, member, commitment) => {
            part.disclosing(parsed.enc)
        }
        None => PartCheck::Complain(part.complaint()),
    }
}

/// Whether the part's proof of knowledge of its ephemeral secret holds for
/// this submission and commitment ([`super::encapsulation`]).
fn proven(
    parsed: &SealedShares,
    manifest: &ManifestHash,
    id: &SubmissionId,
    member: u16,
    commitment: &Commitment,
) -> bool {
    let context = proof_context(manifest, id, member, &commitment.core_bytes());
    commitment
        .proof(member)
        .and_then(|p| EncapsulationProof::from_bytes(p).ok())
        .is_some_and(|p| verify_encapsulation(&parsed.enc, &context, &p))
}

/// A complaint about a part that passed its checks, with a genuine
/// disclosure still to be made ([`PartCheck::Disclose`]): what a member
/// deviating in [`crate::engine::Deviation::Complain`] sends. Tests and
/// simulations only; [`settle`] finds it false.
#[doc(hidden)]
pub fn false_complaint(part: &OwnPart<'_>) -> Option<PartCheck> {
    let parsed = SealedShares::from_bytes(part.sealed).ok()?;
    Some(part.disclosing(parsed.enc))
}

/// How a complaint settles (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The participant is proven to have cheated: exclude the submission.
    ParticipantCheated,
    /// The complaint is false: its member deviated.
    FalseComplaint,
    /// The complaint claims its output ([`Disclosed::Claimed`]) and this
    /// member has not checked the claim yet: challenge the complainer
    /// ([`super::challenge`], about [`complained_enc`] with
    /// [`challenge_context`]), then settle again with the claim checked.
    Challenge,
}

/// The encapsulated key of the part a complaint is about, if it parses.
pub fn complained_enc(complaint: &Complaint) -> Option<[u8; 32]> {
    SealedShares::from_bytes(&complaint.sealed)
        .ok()
        .map(|p| p.enc)
}

/// What a challenge from member `verifier` about the complaint of member
/// `from` on submission `id` is bound to, in `run` of `session`.
pub fn challenge_context(
    session: &SessionId,
    id: &SubmissionId,
    from: u16,
    verifier: u16,
    run: &super::RunId,
) -> Vec<u8> {
    let mut c = disclosure_context(session, id, from);
    c.extend_from_slice(&verifier.to_be_bytes());
    c.extend_from_slice(&run.0);
    c
}

/// Settles `complaint` by member `from` about the submission `id` whose
/// public commitment is `commitment`, in the session whose manifest hash
/// is `manifest`, for a computation of vector length `len`. Every member
/// gets the same verdict from the same inputs; a claimed output counts
/// once `checked` (this member's challenge was answered right, or the
/// complaint is its own), and asks for [`Verdict::Challenge`] before.
#[allow(clippy::too_many_arguments)] // Each is one public input of the verdict.
pub fn settle(
    committee: &Committee,
    session: &SessionId,
    manifest: &ManifestHash,
    id: &SubmissionId,
    commitment: &Commitment,
    len: usize,
    from: u16,
    complaint: &Complaint,
    checked: bool,
) -> Verdict {
    let index = usize::from(from);
    let (Some(member), Some(hash)) = (
        index.checked_sub(1).and_then(|i| committee.members.get(i)),
        index.checked_sub(1).and_then(|i| commitment.hashes.get(i)),
    ) else {
        return Verdict::FalseComplaint;
    };
    if sotto_wire::part_hash(&complaint.sealed) != *hash {
        return Verdict::FalseComplaint;
    }
    let Ok(parsed) = SealedShares::from_bytes(&complaint.sealed) else {
        return Verdict::ParticipantCheated;
    };
    if !encapsulation_is_valid(&parsed.enc) || !proven(&parsed, manifest, id, from, commitment) {
        return Verdict::ParticipantCheated;
    }
    let dh = match &complaint.disclosure {
        None => return Verdict::FalseComplaint,
        Some(Disclosed::Proven(disclosure)) => {
            let context = disclosure_context(session, id, from);
            match verify_disclosure(&member.x25519, &parsed, &context, disclosure) {
                Ok(dh) => dh,
                Err(_) => return Verdict::FalseComplaint,
            }
        }
        // A claim must be the canonical encoding of a curve point: the
        // check sees the point, the key schedule hashes the bytes, so
        // another encoding of the true output would pass the check and
        // fail the part (a reviewer's finding).
        Some(Disclosed::Claimed(u)) if canonical_point(u).is_none() => {
            return Verdict::FalseComplaint;
        }
        Some(Disclosed::Claimed(_)) if !checked => return Verdict::Challenge,
        Some(Disclosed::Claimed(u)) => Zeroizing::new(*u),
    };
    let opened: Result<Zeroizing<Vec<u8>>, EnvelopeError> =
        open_with_dh(&dh, &member.x25519, session, id, from, &parsed);
    match opened
        .ok()
        .and_then(|plain| committed_shares(&plain, session, id, from, len, commitment))
    {
        Some(_) => Verdict::FalseComplaint,
        None => Verdict::ParticipantCheated,
    }
}

impl Complaint {
    /// `position (u64) || sealed length (u32) || sealed || 0x00`,
    /// `... || 0x01 || disclosure (128)` or `... || 0x02 || claimed
    /// output (32)`, integers big-endian.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.position.to_be_bytes());
        out.extend_from_slice(&(self.sealed.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.sealed);
        match &self.disclosure {
            None => out.push(0),
            Some(Disclosed::Proven(d)) => {
                out.push(1);
                out.extend_from_slice(&d.to_bytes());
            }
            Some(Disclosed::Claimed(u)) => {
                out.push(2);
                out.extend_from_slice(u);
            }
        }
    }

    /// Decodes one complaint from the start of `bytes`, returning the rest.
    pub fn decode(bytes: &[u8]) -> Result<(Complaint, &[u8]), EnvelopeError> {
        let short = EnvelopeError::Malformed("complaint");
        if bytes.len() < 12 {
            return Err(short);
        }
        let mut p = [0u8; 8];
        p.copy_from_slice(&bytes[..8]);
        let len = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
        let rest = &bytes[12..];
        if rest.len() < len + 1 {
            return Err(short);
        }
        let (sealed, rest) = rest.split_at(len);
        let (flag, rest) = (rest[0], &rest[1..]);
        let (disclosure, rest) = match flag {
            0 => (None, rest),
            1 if rest.len() >= DISCLOSURE_LEN => (
                Some(Disclosed::Proven(Disclosure::from_bytes(
                    &rest[..DISCLOSURE_LEN],
                )?)),
                &rest[DISCLOSURE_LEN..],
            ),
            2 if rest.len() >= 32 => {
                let mut u = [0u8; 32];
                u.copy_from_slice(&rest[..32]);
                (Some(Disclosed::Claimed(u)), &rest[32..])
            }
            _ => return Err(short),
        };
        Ok((
            Complaint {
                position: u64::from_be_bytes(p),
                sealed: sealed.to_vec(),
                disclosure,
            },
            rest,
        ))
    }
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;
    use crate::envelope::commitment::seal_committed;
    use crate::envelope::disclosure::disclose;
    use crate::envelope::seal_shares;
    use crate::field::Fp;
    use crate::keyfile::MemberKeys;
    use crate::session::tests::verified_fixture;
    use crate::share::deal;

    const SESSION: SessionId = SessionId([0x5a; 16]);
    const MANIFEST: ManifestHash = ManifestHash([0x3c; 32]);
    const ID: SubmissionId = SubmissionId([0x17; 16]);
    const LEN: usize = 4;

    /// Every step of reading a part with the member's keys at hand, as the
    /// member's state machine takes them one request at a time.
    fn check_part_with(
        rng: &mut ChaCha20Rng,
        keys: &MemberKeys,
        part: &OwnPart<'_>,
        len: usize,
        commitment: &Commitment,
    ) -> PartCheck {
        let enc = match part_key(part) {
            PartKey::Dh(enc) => enc,
            PartKey::Complain(complaint) => return PartCheck::Complain(complaint),
        };
        let dh = keys.dh(&enc).unwrap_or_default();
        match check_part(part, &dh, &keys.public().x25519, len, commitment) {
            PartCheck::Disclose(mut complaint, request) => {
                let d = disclose(rng, keys, &request.enc, &request.context).unwrap();
                complaint.disclosure = Some(Disclosed::Proven(d));
                PartCheck::Complain(complaint)
            }
            other => other,
        }
    }

    struct Case {
        keys: Vec<MemberKeys>,
        committee: Committee,
        commitment: Commitment,
        sealed: Vec<Vec<u8>>,
    }

    /// A submission of `values` (off degree t at member 3 by `skew`).
    fn case(rng: &mut ChaCha20Rng, skew: u64) -> Case {
        let (keys, verified) = verified_fixture();
        let committee = verified.manifest.committee.clone();
        let values: Vec<Fp> = (1..=LEN as u64).map(Fp::from).collect();
        let mut shares = deal(&values, 3, 1, rng).unwrap();
        let mut v = shares[2].values().to_vec();
        v[1] += Fp::from(skew);
        shares[2] = ShareVec::from_values(v);
        let (commitment, sealed) =
            seal_committed(rng, &committee, &SESSION, &MANIFEST, &ID, &shares).unwrap();
        let sealed = sealed.iter().map(SealedShares::to_bytes).collect();
        Case {
            keys,
            committee,
            commitment,
            sealed,
        }
    }

    fn check(rng: &mut ChaCha20Rng, c: &Case, member: u16) -> PartCheck {
        let i = usize::from(member) - 1;
        let part = OwnPart {
            session: &SESSION,
            manifest: &MANIFEST,
            id: &ID,
            member,
            position: 9,
            sealed: &c.sealed[i],
        };
        check_part_with(rng, &c.keys[i], &part, LEN, &c.commitment)
    }

    fn settled(c: &Case, from: u16, complaint: &Complaint) -> Verdict {
        settled_checked(c, from, complaint, false)
    }

    /// `settle` with `checked`: whether the claim was challenged and
    /// every challenge answered.
    fn settled_checked(c: &Case, from: u16, complaint: &Complaint, checked: bool) -> Verdict {
        settle(
            &c.committee,
            &SESSION,
            &MANIFEST,
            &ID,
            &c.commitment,
            LEN,
            from,
            complaint,
            checked,
        )
    }

    fn encoded_and_back(c: &Complaint) -> Complaint {
        let mut bytes = Vec::new();
        c.encode(&mut bytes);
        bytes.push(0xee);
        let (back, rest) = Complaint::decode(&bytes).unwrap();
        assert_eq!(rest, [0xee]);
        back
    }

    #[test]
    fn honest_parts_give_their_shares_to_every_member() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let c = case(&mut rng, 0);
        for m in 1..=3 {
            match check(&mut rng, &c, m) {
                PartCheck::Shares(s) => assert_eq!(s.len(), LEN),
                _ => panic!("member {m} complained about an honest part"),
            }
        }
    }

    #[test]
    fn shares_off_degree_t_are_proven_a_cheat_at_every_member() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let c = case(&mut rng, 1000);
        let PartCheck::Complain(complaint) = check(&mut rng, &c, 3) else {
            panic!("member 3 accepted shares off degree t");
        };
        assert!(complaint.disclosure.is_some());
        let complaint = encoded_and_back(&complaint);
        assert_eq!(settled(&c, 3, &complaint), Verdict::ParticipantCheated);
    }

    #[test]
    fn a_false_complaint_about_an_honest_part_names_its_member() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let c = case(&mut rng, 0);
        // Member 2 complains with a genuine disclosure of an honest part.
        let parsed = SealedShares::from_bytes(&c.sealed[1]).unwrap();
        let disclosure = disclose(
            &mut rng,
            &c.keys[1],
            &parsed.enc,
            &disclosure_context(&SESSION, &ID, 2),
        )
        .unwrap();
        let genuine = Complaint {
            position: 9,
            sealed: c.sealed[1].clone(),
            disclosure: Some(Disclosed::Proven(disclosure.clone())),
        };
        assert_eq!(settled(&c, 2, &genuine), Verdict::FalseComplaint);
        // Without a disclosure, with another part's bytes, or with a
        // disclosure of another member's key: all false.
        let mut bare = genuine.clone();
        bare.disclosure = None;
        assert_eq!(settled(&c, 2, &bare), Verdict::FalseComplaint);
        let mut other_bytes = genuine.clone();
        other_bytes.sealed = c.sealed[0].clone();
        assert_eq!(settled(&c, 2, &other_bytes), Verdict::FalseComplaint);
        let mut forged = c.sealed[1].clone();
        *forged.last_mut().unwrap() ^= 1;
        let mut changed = genuine.clone();
        changed.sealed = forged;
        assert_eq!(settled(&c, 2, &changed), Verdict::FalseComplaint);
        assert_eq!(settled(&c, 7, &genuine), Verdict::FalseComplaint);
    }

    #[test]
    fn a_part_that_does_not_decrypt_is_proven_a_cheat() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let (keys, verified) = verified_fixture();
        let committee = verified.manifest.committee.clone();
        let values: Vec<Fp> = (1..=LEN as u64).map(Fp::from).collect();
        let shares = deal(&values, 3, 1, &mut rng).unwrap();
        let (_, mut sealed) =
            seal_committed(&mut rng, &committee, &SESSION, &MANIFEST, &ID, &shares).unwrap();
        // Member 1's part sealed under another submission id: it cannot
        // decrypt here. The participant commits to what it sends.
        sealed[0] = seal_shares(
            &mut rng,
            &committee.members[0].x25519,
            &SESSION,
            &SubmissionId([1; 16]),
            1,
            &shares[0].to_bytes(),
        )
        .unwrap();
        let encoded: Vec<Vec<u8>> = sealed.iter().map(SealedShares::to_bytes).collect();
        let blinded: Vec<ShareVec> = shares
            .iter()
            .map(|s| {
                let mut v = s.values().to_vec();
                v.push(Fp::ZERO);
                ShareVec::from_values(v)
            })
            .collect();
        let commitment = Commitment::make(&SESSION, &ID, 1, &blinded, &encoded).unwrap();
        let c = Case {
            keys,
            committee,
            commitment,
            sealed: encoded,
        };
        let PartCheck::Complain(complaint) = check(&mut rng, &c, 1) else {
            panic!("member 1 read a part sealed for another submission");
        };
        assert_eq!(
            settled(&c, 1, &encoded_and_back(&complaint)),
            Verdict::ParticipantCheated
        );
        // The same part with its encapsulated key replaced by a
        // small-order point: a cheat on its face, no disclosure needed.
        let mut bad = SealedShares::from_bytes(&c.sealed[0]).unwrap();
        bad.enc = [0; 32];
        let mut c = c;
        c.sealed[0] = bad.to_bytes();
        c.commitment.hashes[0] = sotto_wire::part_hash(&c.sealed[0]);
        let PartCheck::Complain(complaint) = check(&mut rng, &c, 1) else {
            panic!("member 1 read a part with a small-order key");
        };
        assert!(complaint.disclosure.is_none());
        assert_eq!(settled(&c, 1, &complaint), Verdict::ParticipantCheated);
    }

    /// A reviewer's finding: a claim with the top bit set is the true
    /// output as a point (every challenge passes) but other bytes for the
    /// key schedule, so the honest part would fail and be excluded. It is
    /// refused on its face, naming the complainer; the canonical claim of
    /// an honest part is false too, once checked.
    #[test]
    fn a_non_canonical_claim_names_its_member() {
        let mut rng = ChaCha20Rng::seed_from_u64(23);
        let c = case(&mut rng, 0);
        let parsed = SealedShares::from_bytes(&c.sealed[1]).unwrap();
        let dh = *c.keys[1].dh(&parsed.enc).unwrap();
        let claim = |u: [u8; 32]| Complaint {
            position: 9,
            sealed: c.sealed[1].clone(),
            disclosure: Some(Disclosed::Claimed(u)),
        };
        let mut high = dh;
        high[31] |= 0x80;
        for checked in [false, true] {
            let verdict = settled_checked(&c, 2, &claim(high), checked);
            assert_eq!(verdict, Verdict::FalseComplaint, "checked: {checked}");
        }
        let honest = |checked| settled_checked(&c, 2, &claim(dh), checked);
        assert_eq!(honest(false), Verdict::Challenge);
        assert_eq!(honest(true), Verdict::FalseComplaint);
        // A part whose encapsulated key is not canonical is the
        // participant's fault on its face.
        let mut enc = parsed.enc;
        enc[31] |= 0x80;
        assert!(!encapsulation_is_valid(&enc));
        assert!(encapsulation_is_valid(&parsed.enc));
    }

    #[test]
    fn malformed_complaints_are_errors() {
        assert!(Complaint::decode(&[]).is_err());
        assert!(Complaint::decode(&[0; 12]).is_err());
        let mut b = vec![0; 8];
        b.extend_from_slice(&3u32.to_be_bytes());
        b.extend_from_slice(&[1, 2, 3, 2]);
        assert!(Complaint::decode(&b).is_err());
        b.pop();
        b.push(1);
        b.extend_from_slice(&[0; 100]);
        assert!(Complaint::decode(&b).is_err());
    }

    /// The attack of docs/threat-model.md ("A disclosure is a
    /// Diffie-Hellman oracle"): participant A copies into its own bundle
    /// the `enc` of participant P's part for each member, with garbage
    /// ciphertexts. Before the proofs, every member complained with a
    /// disclosure of `X25519(c, enc_P)`, which opens P's part (checked
    /// here with `open_with_dh`): the relay, or one member, reading the
    /// Readies learned P's answer. Now no member discloses anything, and
    /// every member settles A's submission as a proven cheat.
    #[test]
    fn a_part_that_copies_anothers_enc_is_excluded_with_nothing_disclosed() {
        let mut rng = ChaCha20Rng::seed_from_u64(21);
        let p = case(&mut rng, 0);
        const A_ID: SubmissionId = SubmissionId([0x42; 16]);
        // A's bundle: P's enc in every part, A's own garbage ciphertext,
        // and a commitment and proofs made as honestly as A can (it knows
        // no ephemeral secret of P's, so it proves with its own).
        let mut sealed: Vec<SealedShares> = p
            .sealed
            .iter()
            .map(|b| {
                let mut s = SealedShares::from_bytes(b).unwrap();
                s.ciphertext = vec![0x55; s.ciphertext.len()];
                s
            })
            .collect();
        let values: Vec<Fp> = (1..=LEN as u64).map(Fp::from).collect();
        let mut blinded = deal(&values, 3, 1, &mut rng).unwrap();
        for b in &mut blinded {
            let mut v = b.values().to_vec();
            v.push(Fp::from(7u64));
            *b = ShareVec::from_values(v);
        }
        let encoded: Vec<Vec<u8>> = sealed.iter().map(SealedShares::to_bytes).collect();
        let mut commitment = Commitment::make(&SESSION, &A_ID, 1, &blinded, &encoded).unwrap();
        let core = commitment.core_bytes();
        for (i, proof) in commitment.proofs.iter_mut().enumerate() {
            let own = crate::envelope::encapsulation::Ephemeral::random(&mut rng);
            let context = proof_context(&MANIFEST, &A_ID, i as u16 + 1, &core);
            *proof = crate::envelope::encapsulation::prove(&mut rng, &own, &context).to_bytes();
        }
        // P's proofs, copied, are bound to P's submission: no better.
        let mut with_ps = commitment.clone();
        with_ps.proofs = p.commitment.proofs.clone();
        for commitment in [commitment, with_ps] {
            for (i, part) in sealed.iter_mut().enumerate() {
                let member = i as u16 + 1;
                let bytes = part.to_bytes();
                let own = OwnPart {
                    session: &SESSION,
                    manifest: &MANIFEST,
                    id: &A_ID,
                    member,
                    position: 10,
                    sealed: &bytes,
                };
                let PartCheck::Complain(complaint) =
                    check_part_with(&mut rng, &p.keys[i], &own, LEN, &commitment)
                else {
                    panic!("member {member} accepted a garbage part");
                };
                // Nothing disclosed: nothing that could open P's part.
                assert!(complaint.disclosure.is_none(), "member {member} disclosed");
                let p_part = SealedShares::from_bytes(&p.sealed[i]).unwrap();
                let dh = p.keys[i]
                    .x25519_secret()
                    .diffie_hellman(&x25519_dalek::PublicKey::from(p_part.enc));
                let member_key = &p.committee.members[i].x25519;
                // (What the old disclosure revealed opens P's part.)
                assert!(
                    open_with_dh(dh.as_bytes(), member_key, &SESSION, &ID, member, &p_part).is_ok()
                );
                let complaint = encoded_and_back(&complaint);
                let verdict = settle(
                    &p.committee,
                    &SESSION,
                    &MANIFEST,
                    &A_ID,
                    &commitment,
                    LEN,
                    member,
                    &complaint,
                    false,
                );
                assert_eq!(verdict, Verdict::ParticipantCheated, "member {member}");
                *part = SealedShares::from_bytes(&bytes).unwrap();
            }
        }
    }

    /// The replay the review of the fix found: the organizer picks the
    /// session id, so another manifest can reuse it with the same members
    /// and another computation (here another vector length), in which P's
    /// bundle, replayed unchanged, decrypts but fails. P's proofs are bound
    /// to P's manifest hash, so nothing is disclosed there either.
    #[test]
    fn a_submission_replayed_into_another_manifest_with_the_same_session_id_discloses_nothing() {
        let mut rng = ChaCha20Rng::seed_from_u64(22);
        let p = case(&mut rng, 0);
        let other = ManifestHash([0x3d; 32]);
        for (i, sealed) in p.sealed.iter().enumerate() {
            let member = i as u16 + 1;
            let own = OwnPart {
                session: &SESSION,
                manifest: &other,
                id: &ID,
                member,
                position: 3,
                sealed,
            };
            let PartCheck::Complain(complaint) =
                check_part_with(&mut rng, &p.keys[i], &own, LEN + 1, &p.commitment)
            else {
                panic!("member {member} accepted shares of another length");
            };
            assert!(complaint.disclosure.is_none(), "member {member} disclosed");
            let verdict = settle(
                &p.committee,
                &SESSION,
                &other,
                &ID,
                &p.commitment,
                LEN + 1,
                member,
                &encoded_and_back(&complaint),
                false,
            );
            assert_eq!(verdict, Verdict::ParticipantCheated);
        }
    }
}
