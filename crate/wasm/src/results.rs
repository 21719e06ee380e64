//! What anyone holding a read link can do: `verifyResult` fetches and
//! verifies a result, `checkReceipt` says whether a receipt was counted.
//! In every page's module (feature `reader`): a participant checks its
//! receipt on the results page, an organizer reads its result there.

use serde_json::json;
use wasm_bindgen::prelude::*;

use super::error::{Code, flow_error, js_error};
use super::link::{parse_link, token_of};
use super::participant::connect;
use super::{promise, to_js};
use sotto_client::flows;
use sotto_client::session::{VerifiedResult, relay_of_link};
use sotto_core::session::VerifiedManifest;

/// A verified result as the package returns it (`VerifiedResult` in
/// TypeScript).
pub(crate) fn result_js(
    manifest: &VerifiedManifest,
    r: &VerifiedResult,
) -> Result<JsValue, JsValue> {
    to_js(&json!({
        "result": r.json["result"],
        "valid": r.json["valid"],
        "invalid": r.json["invalid"],
        "receipts": r.json["receipts"],
        "signers": r.signers,
        "threshold": manifest.manifest.committee.threshold,
    }))
}

/// Whether the receipt `receipt` (64 hex digits, or the receipt JSON a
/// submission returned) is among the receipts the committee signed as
/// counted in `verified` (what [`verify_result`] resolved to). A result
/// that lists its receipts answers at once; one that signs a tree root
/// (more than 8,192 counted answers) is asked about through the relay of
/// the read link `link`: its proof, checked here against the signed root
/// (the relay is not trusted with the answer). Resolves to `"counted"`,
/// `"missing"`, or `"unknown"` (no list, no `link`, or no proof that
/// checks); rejects an unreadable receipt with `invalid_answer`.
#[wasm_bindgen(js_name = checkReceipt, unchecked_return_type = "Promise<\"counted\" | \"missing\" | \"unknown\">")]
pub fn check_receipt(
    #[wasm_bindgen(unchecked_param_type = "VerifiedResult")] verified: JsValue,
    receipt: String,
    link: Option<String>,
) -> js_sys::Promise {
    use sotto_client::receipts::{self, ReceiptCheck};
    let parsed = receipts::parse_receipt(&receipt)
        .map_err(|e| js_error(Code::InvalidAnswer, &e.to_string()));
    let verified: Result<serde_json::Value, JsValue> =
        super::from_js(&verified, Code::InvalidOptions, "verified result");
    promise(async move {
        let (receipt, verified) = (parsed?, verified?);
        let signers: Vec<u16> = verified["signers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_u64().and_then(|s| u16::try_from(s).ok()))
                    .collect()
            })
            .unwrap_or_default();
        let result = VerifiedResult {
            json: json!({ "receipts": verified["receipts"] }),
            signers,
        };
        let answer = match link {
            Some(link) if receipts::signed_root(&result.json).is_some() => {
                let invite = parse_link(&link)?;
                let token = token_of(&invite)?;
                let mut c = connect(&relay_of_link(&invite.base_url)).await?;
                let answer =
                    flows::check_receipt(&mut c, invite.session_id, &token, &result, &receipt)
                        .await
                        .map_err(|e| flow_error(&e))?;
                let _ = c.close().await;
                answer
            }
            _ => receipts::check_receipt(&result.json, &receipt),
        };
        Ok(JsValue::from_str(match answer {
            ReceiptCheck::Counted => "counted",
            ReceiptCheck::Missing => "missing",
            _ => "unknown",
        }))
    })
}

/// Fetches and verifies the result named by a read link: the manifest must
/// match the link, and at least t + 1 committee members must have signed
/// the same result. Rejects with `no_result` while too few have.
#[wasm_bindgen(js_name = verifyResult, unchecked_return_type = "Promise<VerifiedResult>")]
pub fn verify_result(link: String) -> js_sys::Promise {
    promise(async move {
        let invite = parse_link(&link)?;
        token_of(&invite)?;
        let mut c = connect(&relay_of_link(&invite.base_url)).await?;
        let (manifest, result) = flows::result_from_invite(&mut c, &invite)
            .await
            .map_err(|e| flow_error(&e))?;
        let _ = c.close().await;
        match result {
            Some(r) => result_js(&manifest, &r),
            None => Err(js_error(
                Code::NoResult,
                "no result with enough committee signatures yet",
            )),
        }
    })
}
