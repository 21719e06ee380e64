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
//! result must fit one relay frame) and only the count and hash are
//! signed; `docs/session.md` says why a full list and not a Merkle proof.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Most receipts listed in a signed result: 8,192 receipts of 64 hex
/// digits take about 540 KB, inside the relay's 1 MiB frame with room for
/// the result itself.
pub const MAX_LISTED: usize = 8192;

/// Domain label of the hash over the sorted receipts.
const LABEL: &[u8] = b"sotto/counted-receipts/v1";

/// The `"receipts"` object a member signs with the result.
pub fn counted_json(receipts: impl IntoIterator<Item = [u8; 32]>) -> Value {
    let mut sorted: Vec<[u8; 32]> = receipts.into_iter().collect();
    heapsort(&mut sorted);
    let mut h = Sha256::new();
    h.update(LABEL);
    for r in &sorted {
        h.update(r);
    }
    let hash: [u8; 32] = h.finalize().into();
    let mut out = json!({
        "count": sorted.len(),
        "sha256": sotto_wire::__hex::encode(hash),
    });
    if sorted.len() <= MAX_LISTED
        && let Value::Object(fields) = &mut out
    {
        let list = sorted
            .iter()
            .map(|r| Value::String(sotto_wire::__hex::encode(r)))
            .collect();
        fields.insert("list".into(), Value::Array(list));
    }
    out
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
    /// The result cannot tell: it lists no receipts (too many to list, or
    /// signed by a version without receipts), or its list does not match
    /// its hash.
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
