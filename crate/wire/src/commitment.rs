//! The public part of a submission that the relay checks: every part of a
//! bundle starts with the same submission id and participant commitment,
//! and the commitment lists the hash of every part's sealed bytes
//! (`sotto_core::envelope::commitment` has the cryptography; this is only
//! the byte layout, so that the relay can refuse a bundle whose parts
//! disagree).
//!
//! ```text
//! part       = submission id (16) || commitment || sealed bytes
//! commitment = 0x02 || n (u16 BE) || t (u16 BE) || n x part hash (32) || (t + 1) x value (16)
//!              || n x proof (64)
//! part hash  = SHA-256("sotto/part/v1" || sealed bytes)
//! ```
//!
//! The proofs (one per part, member 1 first) show that the participant
//! knows each part's ephemeral secret, bound to the manifest and to
//! everything before them (`sotto_core::envelope::encapsulation`); a
//! member discloses a part's Diffie-Hellman output only when its proof
//! holds. They are part of the commitment, so the relay's check below and
//! the members' comparison of commitments cover them too. Version 1
//! commitments had no proofs.
//!
//! Why the relay checks it: members compare the commitments they received
//! and abort when they differ, so that no member can get an honest
//! submission excluded by claiming it saw another; an honest relay that
//! refuses inconsistent bundles keeps a cheating participant from causing
//! that abort.

use sha2::{Digest, Sha256};

/// Version byte of the commitment encoding.
pub const COMMITMENT_VERSION: u8 = 2;
const PART_HASH_LABEL: &[u8] = b"sotto/part/v1";
const ID_LEN: usize = 16;
const VALUE_LEN: usize = 16;
/// Bytes of one part's proof in a commitment.
pub const PROOF_LEN: usize = 64;

/// The hash of one part's sealed bytes.
pub fn part_hash(sealed: &[u8]) -> [u8; 32] {
    Sha256::new()
        .chain_update(PART_HASH_LABEL)
        .chain_update(sealed)
        .finalize()
        .into()
}

/// The length of a commitment for `n` members and threshold `t`.
pub fn commitment_len(n: usize, t: usize) -> usize {
    5 + 32 * n + VALUE_LEN * (t + 1) + PROOF_LEN * n
}

/// Encodes a commitment: threshold `t`, one part hash per member, the
/// `t + 1` encoded values, and one proof per member (`proofs` may be
/// empty: the encoding the proofs are bound to, without them).
pub fn encode_commitment(
    t: u16,
    hashes: &[[u8; 32]],
    values: &[[u8; VALUE_LEN]],
    proofs: &[[u8; PROOF_LEN]],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(commitment_len(hashes.len(), values.len().saturating_sub(1)));
    out.push(COMMITMENT_VERSION);
    out.extend_from_slice(&(hashes.len() as u16).to_be_bytes());
    out.extend_from_slice(&t.to_be_bytes());
    for h in hashes {
        out.extend_from_slice(h);
    }
    for v in values {
        out.extend_from_slice(v);
    }
    for p in proofs {
        out.extend_from_slice(p);
    }
    out
}

/// Builds the parts of a bundle from sealed bytes (member 1 first): each
/// is `id || commitment || sealed`, the commitment listing every part's
/// hash, threshold `t`, the `t + 1` encoded `values` and zero proofs.
/// What the relay checks, without the cryptography (the participant
/// computes `values` and proofs: `sotto_core::envelope::commitment`);
/// relay tests and load generators use it with any values.
pub fn committed_parts(
    id: [u8; ID_LEN],
    t: u16,
    values: &[[u8; VALUE_LEN]],
    sealed: &[&[u8]],
) -> Vec<Vec<u8>> {
    let hashes: Vec<[u8; 32]> = sealed.iter().map(|s| part_hash(s)).collect();
    let mut prefix = id.to_vec();
    prefix.extend(encode_commitment(
        t,
        &hashes,
        values,
        &vec![[0; PROOF_LEN]; sealed.len()],
    ));
    sealed
        .iter()
        .map(|s| [prefix.as_slice(), s].concat())
        .collect()
}

/// The length of the commitment at the start of `bytes`, if its header is
/// well formed (version, 1 <= n, t < n) and the bytes hold all of it.
pub fn commitment_prefix(bytes: &[u8]) -> Option<usize> {
    let (&version, rest) = bytes.split_first()?;
    if version != COMMITMENT_VERSION || rest.len() < 4 {
        return None;
    }
    let n = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
    let t = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
    let len = commitment_len(n, t);
    (n >= 1 && t < n && bytes.len() >= len).then_some(len)
}

/// Checks a bundle's parts (member 1 first): each is an id, a commitment
/// for exactly this many members, and sealed bytes; all share the id and
/// commitment; and the commitment lists each part's hash. Returns what is
/// wrong, in words.
pub fn check_committed_bundle(parts: &[&[u8]]) -> Result<(), &'static str> {
    let first = parts.first().ok_or("a bundle holds no parts")?;
    let len = first
        .get(ID_LEN..)
        .and_then(commitment_prefix)
        .ok_or("a part does not start with a submission id and commitment")?;
    let prefix = &first[..ID_LEN + len];
    let n = usize::from(u16::from_be_bytes([prefix[ID_LEN + 1], prefix[ID_LEN + 2]]));
    if n != parts.len() {
        return Err("the commitment names another number of members than the bundle holds");
    }
    for (i, part) in parts.iter().enumerate() {
        if part.len() < prefix.len() || part[..prefix.len()] != *prefix {
            return Err("the parts of a bundle carry different ids or commitments");
        }
        let at = ID_LEN + 5 + 32 * i;
        if prefix[at..at + 32] != part_hash(&part[prefix.len()..]) {
            return Err("a part does not match the hash its commitment lists");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(n: usize, t: usize) -> Vec<Vec<u8>> {
        let sealed: Vec<Vec<u8>> = (0..n).map(|i| vec![i as u8; 20 + i]).collect();
        let hashes: Vec<[u8; 32]> = sealed.iter().map(|s| part_hash(s)).collect();
        let mut prefix = vec![7u8; ID_LEN];
        prefix.extend(encode_commitment(
            t as u16,
            &hashes,
            &vec![[3; VALUE_LEN]; t + 1],
            &vec![[5; PROOF_LEN]; n],
        ));
        sealed
            .iter()
            .map(|s| [prefix.clone(), s.clone()].concat())
            .collect()
    }

    fn check(parts: &[Vec<u8>]) -> Result<(), &'static str> {
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        check_committed_bundle(&refs)
    }

    #[test]
    fn a_well_formed_bundle_passes() {
        assert_eq!(check(&bundle(3, 1)), Ok(()));
        assert_eq!(check(&bundle(7, 3)), Ok(()));
    }

    #[test]
    fn parts_that_disagree_or_do_not_match_their_hash_are_refused() {
        let good = bundle(4, 1);
        let mut other_commitment = good.clone();
        other_commitment[2][ID_LEN + 5 + 32 * 4] ^= 1;
        assert!(check(&other_commitment).is_err());
        let mut other_id = good.clone();
        other_id[1][0] ^= 1;
        assert!(check(&other_id).is_err());
        let mut changed = good.clone();
        *changed[3].last_mut().unwrap() ^= 1;
        assert!(check(&changed).is_err());
        assert!(check(&good[..3]).is_err());
        assert!(check(&[]).is_err());
        assert!(check(&[vec![1, 2, 3]]).is_err());
        let mut t_too_big = good;
        for p in &mut t_too_big {
            p[ID_LEN + 4] = 9;
        }
        assert!(check(&t_too_big).is_err());
    }
}
