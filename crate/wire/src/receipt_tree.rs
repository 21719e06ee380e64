//! The Merkle tree over the receipts a committee counted, for sessions
//! with more counted answers than a signed result can list
//! (`docs/session.md`, "Receipts a participant can check").
//!
//! Leaves are the counted receipts **sorted ascending** (the order of
//! arrival stays hidden, and a sorted tree can prove that a receipt is
//! *not* in it: two neighbouring leaves around it). Hashing is
//! domain-separated, so a leaf can never pass for a node:
//!
//! ```text
//! leaf      = SHA-256("sotto/receipt-tree/v1" || 0x00 || receipt)
//! node      = SHA-256("sotto/receipt-tree/v1" || 0x01 || left || right)
//! empty     = SHA-256("sotto/receipt-tree/v1" || 0x02)
//! ```
//!
//! Each level pairs its nodes left to right; an odd last node moves up
//! unchanged. The members sign the root and the leaf count with the
//! result; a path is checked against both, so the relay that serves paths
//! ([`Kind::GetReceiptProof`](crate::Kind::GetReceiptProof)) cannot forge
//! one.

use sha2::{Digest, Sha256};

use super::WireError;
use super::reader::Reader;

/// The tree's domain label.
const LABEL: &[u8] = b"sotto/receipt-tree/v1";

/// Most receipts in one page a member publishes
/// ([`Kind::PublishReceipts`](crate::Kind::PublishReceipts)): 16,384 x 32
/// bytes = 512 KiB, inside the smallest frame every relay accepts.
pub const RECEIPT_PAGE: usize = 16_384;

/// Most pages one member publishes (1,048,576 receipts, 32 MiB): the
/// relay reads them all to build a proof.
pub const MAX_RECEIPT_PAGES: u64 = 64;

/// Longest path a proof may carry: a tree of 2^64 leaves.
const MAX_PATH: usize = 64;

/// The hash of one leaf.
pub fn leaf_hash(receipt: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(LABEL);
    h.update([0u8]);
    h.update(receipt);
    h.finalize().into()
}

fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(LABEL);
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The levels of the tree over `leaves` (in the order given), leaf hashes
/// first, the root's level last.
fn levels(leaves: &[[u8; 32]]) -> Vec<Vec<[u8; 32]>> {
    let mut out = vec![leaves.iter().map(leaf_hash).collect::<Vec<_>>()];
    while out.last().is_some_and(|l| l.len() > 1) {
        let below = out.last().map(Vec::as_slice).unwrap_or_default();
        let up = below
            .chunks(2)
            .map(|p| match p {
                [l, r] => node_hash(l, r),
                [one] => *one,
                _ => unreachable!("chunks of two"),
            })
            .collect();
        out.push(up);
    }
    out
}

/// The root over `leaves` (sorted by the caller).
pub fn root(leaves: &[[u8; 32]]) -> [u8; 32] {
    if leaves.is_empty() {
        let mut h = Sha256::new();
        h.update(LABEL);
        h.update([2u8]);
        return h.finalize().into();
    }
    levels(leaves)
        .last()
        .and_then(|l| l.first())
        .copied()
        .unwrap_or_default()
}

/// The sibling hashes from leaf `index` up to the root, lowest first
/// (none where a level's odd last node moves up alone); empty when
/// `index` is out of range.
pub fn path(leaves: &[[u8; 32]], index: usize) -> Vec<[u8; 32]> {
    if index >= leaves.len() {
        return Vec::new();
    }
    path_in(&levels(leaves), index)
}

fn path_in(levels: &[Vec<[u8; 32]>], index: usize) -> Vec<[u8; 32]> {
    let mut out = Vec::new();
    let mut i = index;
    for level in &levels[..levels.len().saturating_sub(1)] {
        let sibling = i ^ 1;
        if let Some(s) = level.get(sibling) {
            out.push(*s);
        }
        i /= 2;
    }
    out
}

/// The root that leaf `receipt` at `index` of a tree of `count` leaves
/// leads to along `path`; `None` when the index is out of range or the
/// path's length does not fit the tree's shape.
pub fn root_from_path(
    receipt: &[u8; 32],
    index: u64,
    count: u64,
    path: &[[u8; 32]],
) -> Option<[u8; 32]> {
    if index >= count {
        return None;
    }
    let mut h = leaf_hash(receipt);
    let (mut i, mut n) = (index, count);
    let mut steps = path.iter();
    while n > 1 {
        if i % 2 == 1 {
            h = node_hash(steps.next()?, &h);
        } else if i + 1 < n {
            h = node_hash(&h, steps.next()?);
        }
        i /= 2;
        n = n.div_ceil(2);
    }
    steps.next().is_none().then_some(h)
}

/// One leaf of the tree with its position and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenLeaf {
    /// Position among the sorted leaves, from 0.
    pub index: u64,
    /// The receipt at that position.
    pub receipt: [u8; 32],
    /// Sibling hashes, lowest first ([`path`]).
    pub path: Vec<[u8; 32]>,
}

/// Reply to [`Kind::GetReceiptProof`](crate::Kind::GetReceiptProof): the
/// leaf equal to the receipt asked about, or (not in the tree) the
/// neighbouring leaves around it: the one below and the one above, one of
/// them alone at either end; with the leaf count of the pages the relay
/// holds. Checked with [`check_proof`] against the signed root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptProof {
    /// Leaves of the tree the relay holds.
    pub count: u64,
    /// One or two leaves with their paths (none for an empty tree).
    pub leaves: Vec<ProvenLeaf>,
}

impl ReceiptProof {
    /// Builds the proof about `receipt` from the member's sorted `leaves`.
    pub fn build(leaves: &[[u8; 32]], receipt: &[u8; 32]) -> ReceiptProof {
        let levels = if leaves.is_empty() {
            Vec::new()
        } else {
            levels(leaves)
        };
        let at = |i: usize| ProvenLeaf {
            index: i as u64,
            receipt: leaves[i],
            path: path_in(&levels, i),
        };
        let picked: Vec<ProvenLeaf> = match leaves.binary_search(receipt) {
            Ok(i) => vec![at(i)],
            Err(p) => [p.checked_sub(1), (p < leaves.len()).then_some(p)]
                .into_iter()
                .flatten()
                .map(at)
                .collect(),
        };
        ReceiptProof {
            count: leaves.len() as u64,
            leaves: picked,
        }
    }

    /// `[count u64][k u8]` then per leaf `[index u64][receipt 32][m u8][m x 32]`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.count.to_be_bytes().to_vec();
        out.push(self.leaves.len() as u8);
        for l in &self.leaves {
            out.extend_from_slice(&l.index.to_be_bytes());
            out.extend_from_slice(&l.receipt);
            out.push(l.path.len() as u8);
            for s in &l.path {
                out.extend_from_slice(s);
            }
        }
        out
    }

    /// Inverse of [`ReceiptProof::encode`]; at most two leaves and paths
    /// of at most 64 steps.
    pub fn decode(b: &[u8]) -> Result<ReceiptProof, WireError> {
        let mut r = Reader::new(b);
        let count = r.u64()?;
        let k = r.u8()?;
        if k > 2 {
            return Err(WireError::InvalidValue {
                field: "proof leaves",
                value: u64::from(k),
            });
        }
        let mut leaves = Vec::with_capacity(usize::from(k));
        for _ in 0..k {
            let index = r.u64()?;
            let receipt = r.array()?;
            let m = usize::from(r.u8()?);
            if m > MAX_PATH {
                return Err(WireError::InvalidValue {
                    field: "proof path length",
                    value: m as u64,
                });
            }
            let path = (0..m).map(|_| r.array()).collect::<Result<_, _>>()?;
            leaves.push(ProvenLeaf {
                index,
                receipt,
                path,
            });
        }
        r.finish()?;
        Ok(ReceiptProof { count, leaves })
    }
}

/// What a proof, checked against a signed root, says about a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofAnswer {
    /// A leaf of the signed tree is the receipt.
    Included,
    /// Two neighbouring leaves of the signed tree (or the first or last
    /// one) enclose it: the sorted tree does not hold it.
    Excluded,
    /// The proof does not lead to the signed root, or does not settle it.
    Invalid,
}

/// Checks `proof` about `receipt` against the signed `root` of a tree of
/// `count` sorted leaves.
pub fn check_proof(
    proof: &ReceiptProof,
    receipt: &[u8; 32],
    root: &[u8; 32],
    count: u64,
) -> ProofAnswer {
    if proof.count != count {
        return ProofAnswer::Invalid;
    }
    let all_lead_to_root = proof
        .leaves
        .iter()
        .all(|l| root_from_path(&l.receipt, l.index, count, &l.path).as_ref() == Some(root));
    if !all_lead_to_root {
        return ProofAnswer::Invalid;
    }
    match proof.leaves.as_slice() {
        [one] if one.receipt == *receipt => ProofAnswer::Included,
        [one] if one.index == 0 && *receipt < one.receipt => ProofAnswer::Excluded,
        [one] if one.index + 1 == count && one.receipt < *receipt => ProofAnswer::Excluded,
        [below, above]
            if above.index == below.index + 1
                && below.receipt < *receipt
                && *receipt < above.receipt =>
        {
            ProofAnswer::Excluded
        }
        _ => ProofAnswer::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: u32) -> Vec<[u8; 32]> {
        // Even values only, sorted: odd ones are never leaves.
        (0..n)
            .map(|i| {
                let mut r = [0u8; 32];
                r[..4].copy_from_slice(&(2 * i + 2).to_be_bytes());
                r
            })
            .collect()
    }

    fn value(v: u32) -> [u8; 32] {
        let mut r = [0u8; 32];
        r[..4].copy_from_slice(&v.to_be_bytes());
        r
    }

    #[test]
    fn every_leaf_proves_included_for_every_shape() {
        for n in [1u32, 2, 3, 5, 8, 13, 64, 100] {
            let l = leaves(n);
            let root = root(&l);
            for (i, r) in l.iter().enumerate() {
                let p = ReceiptProof::build(&l, r);
                assert_eq!(p.leaves.len(), 1);
                assert_eq!(p.leaves[0].index, i as u64);
                let p = ReceiptProof::decode(&p.encode()).unwrap();
                assert_eq!(
                    check_proof(&p, r, &root, u64::from(n)),
                    ProofAnswer::Included,
                    "n {n} leaf {i}"
                );
            }
        }
    }

    #[test]
    fn receipts_between_below_and_above_all_leaves_prove_excluded() {
        for n in [1u32, 2, 7, 100] {
            let l = leaves(n);
            let root = root(&l);
            for v in [0, 1, 3, 2 * n - 1, 2 * n + 1, u32::MAX] {
                let r = value(v);
                let p = ReceiptProof::build(&l, &r);
                assert_eq!(
                    check_proof(&p, &r, &root, u64::from(n)),
                    ProofAnswer::Excluded,
                    "n {n} value {v}"
                );
            }
        }
    }

    #[test]
    fn a_wrong_path_leaf_root_or_count_is_refused() {
        let l = leaves(100);
        let good_root = root(&l);
        let r = l[37];
        let good = ReceiptProof::build(&l, &r);

        let mut wrong_path = good.clone();
        wrong_path.leaves[0].path[3][0] ^= 1;
        assert_eq!(
            check_proof(&wrong_path, &r, &good_root, 100),
            ProofAnswer::Invalid
        );

        let mut short_path = good.clone();
        short_path.leaves[0].path.pop();
        assert_eq!(
            check_proof(&short_path, &r, &good_root, 100),
            ProofAnswer::Invalid
        );

        // Another leaf with this leaf's path, or the receipt in another's
        // place.
        let mut wrong_leaf = good.clone();
        wrong_leaf.leaves[0].receipt = l[38];
        assert_eq!(
            check_proof(&wrong_leaf, &l[38], &good_root, 100),
            ProofAnswer::Invalid
        );
        let fake = value(75);
        let mut claimed = good.clone();
        claimed.leaves[0].receipt = fake;
        assert_eq!(
            check_proof(&claimed, &fake, &good_root, 100),
            ProofAnswer::Invalid
        );

        let mut wrong_index = good.clone();
        wrong_index.leaves[0].index = 36;
        assert_eq!(
            check_proof(&wrong_index, &r, &good_root, 100),
            ProofAnswer::Invalid
        );

        let mut other_root = good_root;
        other_root[0] ^= 1;
        assert_eq!(
            check_proof(&good, &r, &other_root, 100),
            ProofAnswer::Invalid
        );
        assert_eq!(
            check_proof(&good, &r, &good_root, 101),
            ProofAnswer::Invalid
        );

        // A tree without the receipt, built by a relay that dropped it:
        // its "exclusion" does not lead to the signed root.
        let dropped: Vec<[u8; 32]> = l.iter().filter(|x| **x != r).copied().collect();
        let mut lie = ReceiptProof::build(&dropped, &r);
        lie.count = 100;
        assert_eq!(check_proof(&lie, &r, &good_root, 100), ProofAnswer::Invalid);

        // Two leaves that are not neighbours do not exclude what lies
        // between them.
        let gap = ReceiptProof {
            count: 100,
            leaves: vec![
                ReceiptProof::build(&l, &l[10]).leaves.remove(0),
                ReceiptProof::build(&l, &l[12]).leaves.remove(0),
            ],
        };
        assert_eq!(
            check_proof(&gap, &l[11], &good_root, 100),
            ProofAnswer::Invalid
        );
        // A lone leaf not at either end excludes nothing.
        let lone = ReceiptProof::build(&l, &l[5]);
        assert_eq!(
            check_proof(&lone, &value(1), &good_root, 100),
            ProofAnswer::Invalid
        );
    }

    #[test]
    fn leaves_and_nodes_are_hashed_apart() {
        // A node's two children, given as one leaf, are not the node.
        let l = leaves(2);
        let mut joined = [0u8; 32];
        joined.copy_from_slice(&leaf_hash(&l[0]));
        assert_ne!(root(&l), leaf_hash(&joined));
        assert_ne!(root(&[]), root(&[[0; 32]]));
        assert_eq!(root(&l[..1]), leaf_hash(&l[0]));
    }

    #[test]
    fn bad_proof_bytes_are_refused() {
        let l = leaves(9);
        let b = ReceiptProof::build(&l, &value(5)).encode();
        assert!(ReceiptProof::decode(&b[..b.len() - 1]).is_err());
        let mut three = b.clone();
        three[8] = 3;
        assert!(ReceiptProof::decode(&three).is_err());
        let mut long = b.clone();
        long.push(0);
        assert!(ReceiptProof::decode(&long).is_err());
    }
}
