//! Receipts a participant can check (Helios's ballot tracker is the model).
//!
//! Every member signs, beside the result, the receipts of the submissions
//! it counted: those the members agreed on that passed the validity check.
//! The validity flags are opened values, so every honest member signs the
//! same list, and a result with t + 1 signatures carries a list that at
//! least one honest member vouches for. A participant looks up the receipt
//! its submission got ([`sotto_wire::receipt`]: SHA-256 of the encoded
//! bundle): listed means counted, absent means missing (excluded as
//! invalid, or never received). The list names receipts only; a receipt
//! reveals nothing about the answer.
//!
//! The signed result carries `"receipts": {"count", "sha256", "list"}`:
//! the list sorted (so it does not tell the order of arrival) and its
//! SHA-256. Beyond [`MAX_LISTED`] receipts the list is left out (the
//! result must fit one relay frame): the count, the hash and the root of
//! the Merkle tree over the sorted receipts
//! ([`sotto_wire::receipt_tree`]) are signed instead, each member
//! publishes its sorted receipts to the relay in pages, and a participant
//! checks the relay's proof about its receipt against the signed root
//! ([`check_proof`]); `docs/session.md` says why the list stays for
//! smaller sessions.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Most receipts listed in a signed result: 8,192 receipts of 64 hex
/// digits take about 540 KB, inside the relay's 1 MiB frame with room for
/// the result itself.
pub const MAX_LISTED: usize = 8192;

/// Domain label of the hash over the sorted receipts.
const LABEL: &[u8] = b"sotto/counted-receipts/v1";

/// The receipts sorted ascending: the order of the list and of the tree's
/// leaves.
pub fn sorted(receipts: impl IntoIterator<Item = [u8; 32]>) -> Vec<[u8; 32]> {
    let mut sorted: Vec<[u8; 32]> = receipts.into_iter().collect();
    heapsort(&mut sorted);
    sorted
}

/// The `"receipts"` object a member signs with the result.
pub fn counted_json(receipts: impl IntoIterator<Item = [u8; 32]>) -> Value {
    counted_json_sorted(&sorted(receipts))
}

/// [`counted_json`] of receipts already [`sorted`]: up to [`MAX_LISTED`]
/// `{count, sha256, list}`, as before the tree existed (so small results
/// stay byte for byte what older checkers verify); beyond it
/// `{count, sha256, root}`, the root of the tree over the sorted receipts.
pub fn counted_json_sorted(sorted: &[[u8; 32]]) -> Value {
    let mut h = Sha256::new();
    h.update(LABEL);
    for r in sorted {
        h.update(r);
    }
    let hash: [u8; 32] = h.finalize().into();
    let mut out = json!({
        "count": sorted.len(),
        "sha256": sotto_wire::__hex::encode(hash),
    });
    if let Value::Object(fields) = &mut out {
        if sorted.len() <= MAX_LISTED {
            let list = sorted
                .iter()
                .map(|r| Value::String(sotto_wire::__hex::encode(r)))
                .collect();
            fields.insert("list".into(), Value::Array(list));
        } else {
            let root = sotto_wire::receipt_tree::root(sorted);
            fields.insert("root".into(), sotto_wire::__hex::encode(root).into());
        }
    }
    out
}

/// The pages a member publishes of its sorted receipts when the result
/// does not list them (more than [`MAX_LISTED`]): page number and bytes,
/// [`sotto_wire::RECEIPT_PAGE`] receipts at most each; none otherwise.
pub fn pages(sorted: &[[u8; 32]]) -> Vec<(u64, Vec<u8>)> {
    if sorted.len() <= MAX_LISTED {
        return Vec::new();
    }
    sorted
        .chunks(sotto_wire::RECEIPT_PAGE)
        .enumerate()
        .map(|(k, c)| (k as u64, c.concat()))
        .collect()
}

/// The tree root and leaf count a verified result signs, when it signs a
/// tree (more receipts than it lists).
pub fn signed_root(result: &Value) -> Option<([u8; 32], u64)> {
    let r = result.get("receipts")?;
    let count = r.get("count")?.as_u64()?;
    let root = parse_receipt_hex(r.get("root")?.as_str()?).ok()?;
    Some((root, count))
}

/// What the relay's `proof` about `receipt` says, checked against the root
/// the verified `result` signs: counted, missing, or (no signed root, or
/// a proof that does not lead to it) unknown.
pub fn check_proof(
    result: &Value,
    receipt: &[u8; 32],
    proof: &sotto_wire::ReceiptProof,
) -> ReceiptCheck {
    use sotto_wire::ProofAnswer;
    let Some((root, count)) = signed_root(result) else {
        return ReceiptCheck::Unknown;
    };
    match sotto_wire::receipt_tree::check_proof(proof, receipt, &root, count) {
        ProofAnswer::Included => ReceiptCheck::Counted,
        ProofAnswer::Excluded => ReceiptCheck::Missing,
        ProofAnswer::Invalid => ReceiptCheck::Unknown,
    }
}

/// Sorts in place by heapsort: O(n log n), no allocation, and a few
/// hundred bytes of code, where the standard library's sort would add
/// several kilobytes to the browser member's module for this one use.
fn heapsort(v: &mut [[u8; 32]]) {
    fn sift(v: &mut [[u8; 32]], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && v[child] < v[child + 1] {
                child += 1;
            }
            if v[root] >= v[child] {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    let n = v.len();
    for root in (0..n / 2).rev() {
        sift(v, root, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift(v, 0, end);
    }
}

/// What a signed result says about one receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiptCheck {
    /// The receipt is in the counted list: the answer was counted.
    Counted,
    /// The list is there and the receipt is not: the answer is missing.
    Missing,
    /// The result cannot tell: it lists no receipts (signed by a version
    /// without receipts, or a tree whose proof was not fetched or did not
    /// lead to the signed root), or its list does not match its hash.
    Unknown,
}

impl ReceiptCheck {
    /// The sentence the CLI prints.
    pub fn sentence(self) -> &'static str {
        match self {
            ReceiptCheck::Counted => "your answer was counted",
            ReceiptCheck::Missing => "your answer is missing",
            ReceiptCheck::Unknown => "this result does not list the receipts it counted",
        }
    }
}

/// Looks `receipt` up in a verified result's JSON.
pub fn check_receipt(result: &Value, receipt: &[u8; 32]) -> ReceiptCheck {
    let Some(list) = result
        .get("receipts")
        .and_then(|r| r.get("list"))
        .and_then(Value::as_array)
    else {
        return ReceiptCheck::Unknown;
    };
    let parsed: Option<Vec<[u8; 32]>> = list
        .iter()
        .map(|v| v.as_str().and_then(|s| parse_receipt_hex(s).ok()))
        .collect();
    let Some(parsed) = parsed else {
        return ReceiptCheck::Unknown;
    };
    if counted_json(parsed.iter().copied()) != result["receipts"] {
        return ReceiptCheck::Unknown;
    }
    if parsed.contains(receipt) {
        ReceiptCheck::Counted
    } else {
        ReceiptCheck::Missing
    }
}

/// Why a receipt argument could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiptError {
    /// Neither 64 hex digits nor a receipt JSON object with a `receipt` field.
    #[error(
        "a receipt is 64 hex digits, or the receipt JSON (with a \"receipt\" field) the submission printed"
    )]
    Unreadable,
}

/// Reads a receipt: 64 hex digits, or the receipt JSON printed by
/// `sotto submit` and downloaded by the web app (its `receipt` field).
pub fn parse_receipt(text: &str) -> Result<[u8; 32], ReceiptError> {
    let text = text.trim();
    if let Ok(r) = parse_receipt_hex(text) {
        return Ok(r);
    }
    // From the bytes, like every JSON the wasm modules read: one reader.
    let v: Value = serde_json::from_slice(text.as_bytes()).map_err(|_| ReceiptError::Unreadable)?;
    v.get("receipt")
        .and_then(Value::as_str)
        .ok_or(ReceiptError::Unreadable)
        .and_then(parse_receipt_hex)
}

fn parse_receipt_hex(s: &str) -> Result<[u8; 32], ReceiptError> {
    let mut out = [0u8; 32];
    sotto_wire::__hex::decode_to_slice(s, &mut out).map_err(|_| ReceiptError::Unreadable)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn heapsort_sorts_like_the_standard_sort() {
        for n in [0usize, 1, 2, 3, 7, 64, 1000] {
            let mut v: Vec<[u8; 32]> = (0..n)
                .map(|i| {
                    let mut r = [0u8; 32];
                    r[0] = (i * 37 % 11) as u8;
                    r[31] = (i * 101 % 256) as u8;
                    r
                })
                .collect();
            let mut want = v.clone();
            want.sort();
            super::heapsort(&mut v);
            assert_eq!(v, want, "n = {n}");
        }
    }

    use super::*;

    #[test]
    fn listed_receipts_are_counted_and_others_missing() {
        let v = json!({ "receipts": counted_json([[3; 32], [1; 32]]) });
        assert_eq!(v["receipts"]["count"], 2);
        // Sorted, whatever the order of arrival.
        assert_eq!(v["receipts"]["list"][0], "01".repeat(32));
        assert_eq!(check_receipt(&v, &[3; 32]), ReceiptCheck::Counted);
        assert_eq!(check_receipt(&v, &[2; 32]), ReceiptCheck::Missing);
    }

    #[test]
    fn no_list_or_a_list_off_its_hash_tells_nothing() {
        assert_eq!(check_receipt(&json!({}), &[1; 32]), ReceiptCheck::Unknown);
        let mut v = json!({ "receipts": counted_json([[1; 32]]) });
        v["receipts"]["list"] = json!(["02".repeat(32)]);
        assert_eq!(check_receipt(&v, &[2; 32]), ReceiptCheck::Unknown);
        let many = (0..=MAX_LISTED as u32).map(|i| {
            let mut r = [0u8; 32];
            r[..4].copy_from_slice(&i.to_be_bytes());
            r
        });
        let v = json!({ "receipts": counted_json(many) });
        assert!(v["receipts"].get("list").is_none());
        assert_eq!(v["receipts"]["count"], MAX_LISTED + 1);
        assert_eq!(check_receipt(&v, &[0; 32]), ReceiptCheck::Unknown);
    }

    fn numbered(n: u32) -> Vec<[u8; 32]> {
        // Odd numbers, in reverse: leaves never hold an even one.
        (0..n)
            .rev()
            .map(|i| {
                let mut r = [0u8; 32];
                r[..4].copy_from_slice(&(2 * i + 1).to_be_bytes());
                r
            })
            .collect()
    }

    #[test]
    fn small_results_keep_the_list_and_large_ones_sign_a_tree_root() {
        let small = counted_json(numbered(MAX_LISTED as u32));
        assert!(small.get("root").is_none(), "byte for byte as before");
        assert_eq!(pages(&sorted(numbered(MAX_LISTED as u32))), vec![]);

        let all = numbered(MAX_LISTED as u32 + 20_000);
        let v = json!({ "receipts": counted_json(all.clone()) });
        let s = sorted(all);
        let (root, count) = signed_root(&v).unwrap();
        assert_eq!(
            (root, count),
            (sotto_wire::receipt_tree::root(&s), s.len() as u64)
        );
        // Pages of at most RECEIPT_PAGE, in order: together the sorted list.
        let p = pages(&s);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].0, 0);
        assert_eq!(p[0].1.len(), 32 * sotto_wire::RECEIPT_PAGE);
        assert_eq!(
            p.iter().flat_map(|x| x.1.clone()).collect::<Vec<u8>>(),
            s.concat()
        );

        let counted = s[20_000];
        let proof = sotto_wire::ReceiptProof::build(&s, &counted);
        assert_eq!(check_proof(&v, &counted, &proof), ReceiptCheck::Counted);
        let mut absent = [0u8; 32];
        absent[..4].copy_from_slice(&40_000u32.to_be_bytes());
        let proof = sotto_wire::ReceiptProof::build(&s, &absent);
        assert_eq!(check_proof(&v, &absent, &proof), ReceiptCheck::Missing);
        // The tree of another list (a relay that left this one out): no answer.
        let without: Vec<[u8; 32]> = s.iter().filter(|r| **r != counted).copied().collect();
        let mut lie = sotto_wire::ReceiptProof::build(&without, &counted);
        lie.count += 1;
        assert_eq!(check_proof(&v, &counted, &lie), ReceiptCheck::Unknown);
        // A listed result has no root to check a proof against.
        let proof = sotto_wire::ReceiptProof::build(&s, &counted);
        assert_eq!(
            check_proof(&json!({ "receipts": small }), &counted, &proof),
            ReceiptCheck::Unknown
        );
    }

    #[test]
    fn receipts_read_from_hex_or_json() {
        let hex = "ab".repeat(32);
        assert_eq!(parse_receipt(&hex), Ok([0xab; 32]));
        let j = format!("{{\"position\": 3, \"receipt\": \"{hex}\"}}\n");
        assert_eq!(parse_receipt(&j), Ok([0xab; 32]));
        assert_eq!(parse_receipt("abc"), Err(ReceiptError::Unreadable));
        assert_eq!(
            parse_receipt("{\"receipt\": 5}"),
            Err(ReceiptError::Unreadable)
        );
    }
}
