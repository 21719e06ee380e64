//! `Participant`: open an invite link, show the questions, validate an
//! answer locally, submit it sealed to the committee, keep the receipt.

#[cfg(feature = "participant")]
use std::cell::RefCell;
#[cfg(feature = "participant")]
use std::rc::Rc;

use serde_json::{Value, json};
use wasm_bindgen::prelude::*;

#[cfg(feature = "participant")]
use super::error::{Code, js_error};
use super::error::{client_error, flow_error};
use super::link::{parse_link, token_of};
use super::socket::BrowserSocket;
use super::{promise, to_js};
use sotto_client::flows;
use sotto_client::relay::RelayClient;
use sotto_client::session::relay_of_link;
#[cfg(feature = "participant")]
use sotto_client::session::{PreparedSubmission, prepare_submission};
#[cfg(feature = "participant")]
use sotto_core::apps::Computation;
use sotto_core::keyfile::MemberPublicKeys;
use sotto_core::session::{Invite, Role, VerifiedManifest};
use sotto_wire::SessionState;

/// Connects to the relay an invite names and opens the invite
/// ([`flows::open_invite`]: the manifest must match the hash in the link,
/// so a relay that swaps or edits it is caught here).
pub(crate) async fn open_manifest(
    invite: &Invite,
) -> Result<(RelayClient<BrowserSocket>, VerifiedManifest), JsValue> {
    let mut c = connect(&relay_of_link(&invite.base_url)).await?;
    let manifest = flows::open_invite(&mut c, invite)
        .await
        .map_err(|e| flow_error(&e))?;
    Ok((c, manifest))
}

/// A session state as the JS API names it.
pub(crate) fn state_name(state: SessionState) -> &'static str {
    match state {
        SessionState::Draft => "draft",
        SessionState::Open => "open",
        SessionState::Closed => "closed",
        SessionState::Computing => "computing",
        SessionState::Done => "done",
        // A state a newer relay might report.
        _ => "unknown",
    }
}

/// The relay's presence report as the JS API gives it: member 1 first,
/// each `{online, since}`.
pub(crate) fn members_json(p: &sotto_wire::Presence) -> Vec<serde_json::Value> {
    p.0.iter()
        .map(|m| json!({ "online": m.online, "since": m.since }))
        .collect()
}

/// A relay client over the browser's WebSocket.
pub(crate) async fn connect(relay: &str) -> Result<RelayClient<BrowserSocket>, JsValue> {
    Ok(RelayClient::new(
        BrowserSocket::connect(relay)
            .await
            .map_err(|e| client_error(&e))?,
    ))
}

#[cfg(feature = "participant")]
/// The last answer submitted and its sealed parts: submitting the same
/// answer again (an app retrying after a lost acknowledgement) resends the
/// same parts under the same idempotency id, so the relay stores it once
/// and returns the same receipt instead of counting it twice.
type LastSubmission = Rc<RefCell<Option<(String, PreparedSubmission)>>>;

/// A participant holding an invite link. (The organizer's and the
/// console's modules, feature `reader` without `participant`, open links
/// and read manifests and results with it but do not answer: `validate`,
/// `prepare` and `submit` are the participant's module's.)
#[wasm_bindgen]
pub struct Participant {
    invite: Invite,
    manifest: VerifiedManifest,
    #[cfg(feature = "participant")]
    computation: Computation,
    #[cfg(feature = "participant")]
    last: LastSubmission,
}

#[wasm_bindgen]
impl Participant {
    /// Opens an invite link: fetches the session's manifest from the relay
    /// and checks it against the hash in the link. Rejects with code
    /// `bad_link`, `relay_unreachable` or `manifest_mismatch`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Participant>")]
    pub fn open(link: String) -> js_sys::Promise {
        promise(async move {
            let invite = parse_link(&link)?;
            token_of(&invite)?;
            let (c, manifest) = open_manifest(&invite).await?;
            let _ = c.close().await;
            Ok(Participant {
                #[cfg(feature = "participant")]
                computation: manifest.manifest.computation(),
                #[cfg(feature = "participant")]
                last: Rc::default(),
                invite,
                manifest,
            }
            .into())
        })
    }

    /// Asks the relay about this link before anything is filled in: a
    /// Hello with the link's token. Resolves to `{state, used, resubmit}`:
    /// `state` `"open"`, `"closed"`, `"computing"`, `"done"` or `"draft"`;
    /// `used` whether an answer is already stored with this single-use
    /// link (false for an open link); `resubmit` whether the session lets
    /// a single-use link answer again (the new answer replaces the old).
    /// Rejects with `unauthorized` when the relay does not know the token
    /// (a bad or revoked link) and `relay_unreachable` when it cannot be
    /// reached.
    ///
    /// A member link says no Hello (that would count the page as the
    /// member online, and deliver the member's mailbox to it): it asks
    /// the relay's presence with its token instead (docs/relay.md,
    /// "Presence"), and resolves to `{state, used: false, resubmit:
    /// false, members}`, `members` as `Organizer.status()` gives them
    /// (member 1 first, each `{online, since}`): the committee console
    /// shows who is online before the member joins.
    #[wasm_bindgen(
        js_name = linkState,
        unchecked_return_type = "Promise<LinkState>"
    )]
    pub fn link_state(&self) -> js_sys::Promise {
        let invite = self.invite.clone();
        promise(async move {
            let token = token_of(&invite)?;
            let mut c = connect(&relay_of_link(&invite.base_url)).await?;
            if invite.role == Role::Member {
                let (state, presence) = c
                    .presence_with(invite.session_id, &token)
                    .await
                    .map_err(|e| client_error(&e))?;
                let _ = c.close().await;
                return to_js(&json!({
                    "state": state_name(state),
                    "used": false,
                    "resubmit": false,
                    "members": members_json(&presence),
                }));
            }
            let welcome = c
                .hello(invite.session_id, &token, 0)
                .await
                .map_err(|e| client_error(&e))?;
            let _ = c.close().await;
            to_js(&json!({
                "state": state_name(welcome.state),
                "used": welcome.used,
                "resubmit": welcome.allow_resubmit,
            }))
        })
    }

    /// The session's title.
    #[wasm_bindgen(getter)]
    pub fn title(&self) -> String {
        self.manifest.manifest.title.clone()
    }

    /// `"vote"`, `"survey"`, `"budget"` or `"check"` (a committee check,
    /// which takes no answers).
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        self.manifest.manifest.kind.name().into()
    }

    /// The schema: what is asked (a `VoteSchema`, `SurveySchema`,
    /// `BudgetSchema` or `CheckSpec`).
    #[wasm_bindgen(unchecked_return_type = "VoteSchema | SurveySchema | BudgetSchema | CheckSpec")]
    pub fn schema(&self) -> Result<JsValue, JsValue> {
        // The kind with its schema (`{kind, schema}`), written by the one
        // serializer of `SessionKind` the manifest's writer has anyway,
        // rather than one `to_js` per schema type.
        let kind = to_js(&self.manifest.manifest.kind)?;
        js_sys::Reflect::get(&kind, &"schema".into())
    }

    /// The whole verified manifest as JSON (policy, deadlines, committee).
    pub fn manifest(&self) -> Result<JsValue, JsValue> {
        to_js(&self.manifest.manifest)
    }

    /// The manifest's hash (hex): what the link pins.
    #[wasm_bindgen(getter, js_name = manifestHash)]
    pub fn manifest_hash(&self) -> String {
        self.manifest.hash.to_hex()
    }

    /// The committee members the answer is encrypted to, with the key
    /// fingerprints people can compare out of band.
    #[wasm_bindgen(unchecked_return_type = "CommitteeEntry[]")]
    pub fn committee(&self) -> Result<JsValue, JsValue> {
        let list: Vec<Value> = self
            .manifest
            .manifest
            .committee
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let fp = MemberPublicKeys {
                    x25519: m.x25519,
                    ed25519: m.ed25519,
                }
                .fingerprint();
                json!({ "index": i + 1, "name": m.name, "fingerprint": fp.to_string() })
            })
            .collect();
        to_js(&list)
    }

    /// The privacy threshold t: fewer than t + 1 members learn nothing.
    #[wasm_bindgen(getter)]
    pub fn threshold(&self) -> u16 {
        self.manifest.manifest.committee.threshold
    }

    #[cfg(feature = "participant")]
    /// Checks an answer locally, with a message a person can act on. The
    /// committee checks again inside the computation, so this is a
    /// convenience, not a safeguard.
    #[wasm_bindgen(unchecked_return_type = "Validation")]
    pub fn validate(&self, answer: JsValue) -> Result<JsValue, JsValue> {
        let report = match self.encode(answer) {
            Ok(_) => json!({ "valid": true }),
            Err(e) => {
                let message = js_sys::Reflect::get(&e, &"message".into())
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or_default();
                json!({ "valid": false, "message": message })
            }
        };
        to_js(&report)
    }

    #[cfg(feature = "participant")]
    /// Validates, secret-shares and encrypts the answer to the committee
    /// without sending it: the participant's whole local work, returned as
    /// the concatenated sealed parts (for benchmarks and offline queues).
    pub fn prepare(&self, answer: JsValue) -> Result<Vec<u8>, JsValue> {
        let (_, values) = self.encode(answer)?;
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        let p = prepare_submission(&mut rng, &self.manifest, &values)
            .map_err(|e| js_error(Code::Internal, &e.to_string()))?;
        Ok(p.parts.concat())
    }

    #[cfg(feature = "participant")]
    /// Validates, secret-shares and encrypts the answer to the committee,
    /// and submits it with the link's token. Resolves to the relay's
    /// `Receipt`. Rejects with `invalid_answer`, `already_submitted`,
    /// `session_closed`, `relay_unreachable`, ... Safe to retry: the same
    /// answer on the same object is resent as the same submission.
    #[wasm_bindgen(unchecked_return_type = "Promise<Receipt>")]
    pub fn submit(&self, answer: JsValue) -> js_sys::Promise {
        let invite = self.invite.clone();
        let manifest = self.manifest.clone();
        let last = self.last.clone();
        // serde_json::to_string, not Value's Display: that would add a
        // second JSON writer (compact and pretty) to the module.
        let encoded = self.encode(answer).and_then(|(a, values)| {
            let key =
                serde_json::to_string(&a).map_err(|e| js_error(Code::Internal, &e.to_string()))?;
            Ok((key, values))
        });
        promise(async move {
            let (key, values) = encoded?;
            let token = token_of(&invite)?;
            let reuse = last
                .borrow()
                .as_ref()
                .filter(|(k, _)| *k == key)
                .map(|(_, p)| p.clone());
            let prepared = match reuse {
                Some(p) => p,
                None => {
                    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
                    let p = prepare_submission(&mut rng, &manifest, &values)
                        .map_err(|e| js_error(Code::Internal, &e.to_string()))?;
                    *last.borrow_mut() = Some((key, p.clone()));
                    p
                }
            };
            let mut c = connect(&relay_of_link(&invite.base_url)).await?;
            let session = invite.session_id;
            let ack = flows::submit(&mut c, session, &token, &prepared)
                .await
                .map_err(|e| flow_error(&e))?;
            let _ = c.close().await;
            to_js(&json!({
                "session": session.to_hex(),
                "position": ack.position,
                "receipt": hex::encode(ack.receipt),
                "submissionId": hex::encode(prepared.id.0),
                "manifestHash": manifest.hash.to_hex(),
            }))
        })
    }
}

#[cfg(feature = "participant")]
impl Participant {
    /// The answer as JSON and as the encoded vector, or `invalid_answer`
    /// with the reason.
    fn encode(&self, answer: JsValue) -> Result<(Value, Vec<sotto_core::field::Fp>), JsValue> {
        let a = answer_value(answer)?;
        let values = self
            .computation
            .encode(&a)
            .map_err(|e| js_error(Code::InvalidAnswer, &e.to_string()))?;
        Ok((a, values))
    }
}

#[cfg(feature = "participant")]
fn answer_value(answer: JsValue) -> Result<Value, JsValue> {
    super::from_js(&answer, Code::InvalidAnswer, "the answer")
}
