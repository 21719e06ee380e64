//! `Organizer`: create a session on the relay, hand out links, close it,
//! read the verified result (`super::results` verifies results for anyone
//! holding the read link).
//!
//! The organizer's capability (its Ed25519 key and the session tokens) is
//! held by the object and can be exported as JSON for the app to keep (it
//! is a secret: whoever holds it can close the session and read results).

use serde_json::json;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::error::{Code, flow_error, js_error};
use super::participant::connect;
use super::results::result_js;
use super::{promise, to_js};
use sotto_client::capability::Capability;
use sotto_client::draft::{DraftError, SessionDraft};
use sotto_client::flows;
use sotto_client::session::invite_link;
use sotto_core::session::{Role, SignedManifest, VerifiedManifest};
use sotto_wire::{SessionId, Token};

/// An organizer of one session.
#[wasm_bindgen]
pub struct Organizer {
    relay: String,
    session: SessionId,
    manifest: VerifiedManifest,
    key: ed25519_dalek::SigningKey,
    organizer: Token,
    reader: Token,
    members: Vec<Token>,
    participants: Vec<Token>,
}

fn bad_options(msg: impl std::fmt::Display) -> JsValue {
    js_error(Code::InvalidOptions, &msg.to_string())
}

impl Organizer {
    fn link(&self, role: Role, token: &Token) -> Result<String, JsValue> {
        invite_link(&self.relay, &self.manifest, role, token)
            .map_err(|e| js_error(Code::Internal, &e.to_string()))
    }
}

#[wasm_bindgen]
impl Organizer {
    /// Creates and opens a session on the relay at `relay` (e.g.
    /// `ws://127.0.0.1:8080/ws`) from a session draft (`docs/session.md`):
    /// checks it (a member `fingerprint` given with the keys, as
    /// `CommitteeMember.publicKeys()` returns them, must match them), signs
    /// the manifest with a fresh organizer key, registers it and mints
    /// participant links. `createToken` is the relay operator's creation
    /// token (64 hex digits) for a relay started with `--create-token`; it
    /// goes to the relay only, never into the manifest.
    #[wasm_bindgen(unchecked_return_type = "Promise<Organizer>")]
    pub fn create(
        relay: String,
        #[wasm_bindgen(unchecked_param_type = "SessionDraft")] draft: JsValue,
        #[wasm_bindgen(js_name = createToken)] create_token: Option<String>,
    ) -> js_sys::Promise {
        promise(async move {
            let text = super::json_text(&draft, Code::InvalidOptions, "session draft")?;
            let draft = SessionDraft::read_json(text.as_bytes()).map_err(|e| match e {
                DraftError::Json(e) => bad_options(format_args!("session draft: {e}")),
                e => bad_options(format_args!("session draft: {e}")),
            })?;
            let spec = draft.resolve().map_err(bad_options)?;
            let mut seed = Zeroizing::new([0u8; 32]);
            getrandom::fill(seed.as_mut())
                .map_err(|_| js_error(Code::Internal, "no secure randomness available"))?;
            let key = ed25519_dalek::SigningKey::from_bytes(&seed);
            let create_token = create_token
                .as_deref()
                .filter(|t| !t.trim().is_empty())
                .map(|t| Token::from_hex(t.trim()))
                .transpose()
                .map_err(|_| {
                    js_error(
                        Code::InvalidOptions,
                        "the creation token must be 64 hex digits",
                    )
                })?;
            let mut c = connect(&relay).await?;
            let created = flows::create_session(&mut c, &relay, &spec, &key, create_token.as_ref())
                .await
                .map_err(|e| flow_error(&e))?;
            let _ = c.close().await;
            Ok(Organizer {
                relay: sotto_client::relay::ws_url(&relay),
                session: created.session,
                manifest: created.manifest,
                key,
                organizer: created.organizer,
                reader: created.reader,
                members: created.members,
                participants: created.participants,
            }
            .into())
        })
    }

    /// The relay's session id (hex).
    #[wasm_bindgen(getter, js_name = sessionId)]
    pub fn session_id(&self) -> String {
        self.session.to_hex()
    }

    /// The manifest's hash (hex).
    #[wasm_bindgen(getter, js_name = manifestHash)]
    pub fn manifest_hash(&self) -> String {
        self.manifest.hash.to_hex()
    }

    /// The verified manifest as JSON.
    pub fn manifest(&self) -> Result<JsValue, JsValue> {
        to_js(&self.manifest.manifest)
    }

    /// The member links (index order), the participant links minted so
    /// far and the read link. Each carries a secret token.
    #[wasm_bindgen(unchecked_return_type = "SessionLinks")]
    pub fn links(&self) -> Result<JsValue, JsValue> {
        let members = self
            .members
            .iter()
            .map(|t| self.link(Role::Member, t))
            .collect::<Result<Vec<_>, _>>()?;
        let participants = self
            .participants
            .iter()
            .map(|t| self.link(Role::Participant, t))
            .collect::<Result<Vec<_>, _>>()?;
        let read = self.link(Role::Organizer, &self.reader)?;
        to_js(&json!({ "members": members, "participants": participants, "read": read }))
    }

    /// Mints `count` more single-use participant links.
    #[wasm_bindgen(js_name = mintLinks, unchecked_return_type = "Promise<string[]>")]
    pub fn mint_links(&mut self, count: u32) -> js_sys::Promise {
        let (relay, session, token) = (self.relay.clone(), self.session, self.organizer.clone());
        let manifest = self.manifest.clone();
        promise(async move {
            let mut c = connect(&relay).await?;
            let tokens = flows::mint_single_use(&mut c, session, &token, count)
                .await
                .map_err(|e| flow_error(&e))?;
            let _ = c.close().await;
            let links = tokens
                .iter()
                .map(|t| {
                    invite_link(&relay, &manifest, Role::Participant, t)
                        .map_err(|e| js_error(Code::Internal, &e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            to_js(&links)
        })
    }

    /// Closes submissions; the committee then computes.
    pub fn close(&self) -> js_sys::Promise {
        let (relay, session, token) = (self.relay.clone(), self.session, self.organizer.clone());
        promise(async move {
            let mut c = connect(&relay).await?;
            flows::close_session(&mut c, session, &token)
                .await
                .map_err(|e| flow_error(&e))?;
            let _ = c.close().await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The session as the relay sees it now, for the organizer's live
    /// view: `{ state, submissions, members }`, state one of `draft`,
    /// `open`, `closed`, `computing` (members exchange messages), `done`
    /// (every member published); `submissions` counts the answers stored;
    /// `members` the committee's connections, member 1 first, each
    /// `{ online, since }` (unix seconds of the last change, 0 if not seen
    /// since the relay started), or `null` from a relay that does not
    /// report presence; `usedLinks` the positions (0-based, in the order
    /// of `links().participants`) of this organizer's single-use links
    /// that an answer is stored with, or `null` from a relay that does not
    /// say (the relay returns token digests, matched here against the
    /// organizer's own tokens).
    #[wasm_bindgen(unchecked_return_type = "Promise<SessionStatus>")]
    pub fn status(&self) -> js_sys::Promise {
        let (relay, session, token) = (self.relay.clone(), self.session, self.organizer.clone());
        let digests: Vec<[u8; 32]> = self.participants.iter().map(Token::digest).collect();
        promise(async move {
            let mut c = connect(&relay).await?;
            let welcome = flows::status(&mut c, session, &token)
                .await
                .map_err(|e| flow_error(&e))?;
            let members = c
                .presence()
                .await
                .ok()
                .map(|p| super::participant::members_json(&p));
            let used = c.used_tokens().await.ok().map(|used| {
                digests
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| used.binary_search(d).is_ok())
                    .map(|(i, _)| i)
                    .collect::<Vec<_>>()
            });
            let _ = c.close().await;
            let state = super::participant::state_name(welcome.state);
            to_js(&json!({
                "state": state,
                "submissions": welcome.head,
                "members": members,
                "usedLinks": used,
            }))
        })
    }

    /// The result once at least t + 1 members signed it, else `null`.
    #[wasm_bindgen(unchecked_return_type = "Promise<VerifiedResult | null>")]
    pub fn result(&self) -> js_sys::Promise {
        let (relay, token) = (self.relay.clone(), self.reader.clone());
        let manifest = self.manifest.clone();
        promise(async move {
            let mut c = connect(&relay).await?;
            let result = flows::fetch_result(&mut c, &manifest, &token)
                .await
                .map_err(|e| flow_error(&e))?;
            let _ = c.close().await;
            match result {
                Some(r) => result_js(&manifest, &r),
                None => Ok(JsValue::NULL),
            }
        })
    }

    /// The capability as JSON, to keep in the browser or a file. It is a
    /// secret: it can close the session and read the result.
    #[wasm_bindgen(js_name = exportCapability)]
    pub fn export_capability(&self) -> Result<String, JsValue> {
        let cap = Capability {
            relay: self.relay.clone(),
            session: self.session.to_hex(),
            manifest: hex::encode(self.manifest.signed.to_bytes()),
            organizer_key: hex::encode(self.key.to_bytes()),
            organizer_token: self.organizer.to_hex(),
            read_token: self.reader.to_hex(),
            member_tokens: self.members.iter().map(Token::to_hex).collect(),
            participant_tokens: self.participants.iter().map(Token::to_hex).collect(),
        };
        serde_json::to_string(&cap).map_err(|e| js_error(Code::Internal, &e.to_string()))
    }

    /// Restores an organizer from [`Organizer::export_capability`]'s JSON.
    #[wasm_bindgen(js_name = importCapability)]
    pub fn import_capability(json: &str) -> Result<Organizer, JsValue> {
        let bad = |what: &str| js_error(Code::InvalidOptions, &format!("capability: {what}"));
        let cap = Capability::from_json(json.as_bytes()).ok_or_else(|| bad("not a capability"))?;
        let token = |h: &str| Token::from_hex(h).map_err(|_| bad("bad token"));
        let bytes = hex::decode(&cap.manifest).map_err(|_| bad("bad manifest"))?;
        let signed = SignedManifest::from_bytes(&bytes).map_err(|_| bad("bad manifest"))?;
        let manifest = signed
            .verify(&signed.hash())
            .map_err(|_| bad("bad manifest"))?;
        let seed: [u8; 32] = hex::decode(&cap.organizer_key)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| bad("bad key"))?;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        if key.verifying_key().to_bytes() != manifest.manifest.organizer.0 {
            return Err(bad("the key does not match the manifest"));
        }
        Ok(Organizer {
            relay: cap.relay,
            session: SessionId::from_hex(&cap.session).map_err(|_| bad("bad session id"))?,
            manifest,
            key,
            organizer: token(&cap.organizer_token)?,
            reader: token(&cap.read_token)?,
            members: cap
                .member_tokens
                .iter()
                .map(|t| token(t))
                .collect::<Result<_, _>>()?,
            participants: cap
                .participant_tokens
                .iter()
                .map(|t| token(t))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// How large one participant's answer would be for a committee of
/// `members` with `threshold` (default floor((n - 1) / 2)); `kind` is the
/// session's kind and schema as the manifest writes them, as JSON text
/// (`{"kind": "survey", "schema": {...}}`). Returns `[bytes, limit,
/// ...questions]`: the relay frame that carries the answer, the relay's
/// frame limit (the core refuses a manifest whose answer exceeds it, with
/// the same arithmetic: `sotto_core::session::answer_frame_len`) and, for
/// a survey, the bytes each question takes (its answer alone, with the
/// proof that its bits are bits). A `Float64Array` and JSON text rather
/// than objects: the organizer's module stays within its size budget (the
/// function costs it about 1.2 KB gzipped). Throws `invalid_options` for
/// a kind the core refuses on its own.
#[wasm_bindgen(js_name = answerSize)]
pub fn answer_size(kind: &str, members: u16, threshold: Option<u16>) -> Result<Vec<f64>, JsValue> {
    use sotto_core::apps::survey::SurveySchema;
    use sotto_core::session::{Committee, SessionKind, answer_frame_len};
    let kind = sotto_core::session::read::parse(kind.as_bytes())
        .and_then(|json| sotto_core::session::read::session_kind(&json))
        .map_err(bad_options)?;
    kind.validate().map_err(bad_options)?;
    let n = usize::from(members);
    let t = threshold.unwrap_or_else(|| Committee::default_threshold(n));
    // Each entry of the answer is one field element in each member's part.
    let entry = n * sotto_core::field::ENCODED_LEN;
    let mut size = vec![
        answer_frame_len(n, usize::from(t), kind.len()) as f64,
        sotto_wire::FRAME_LIMIT as f64,
    ];
    // A question's share: the answer to it alone (its entries and the
    // proof that its bits are bits).
    if let SessionKind::Survey(s) = &kind {
        for q in &s.questions {
            let alone = SessionKind::Survey(SurveySchema {
                questions: vec![q.clone()],
                crosstabs: Vec::new(),
            });
            size.push((alone.len() * entry) as f64);
        }
    }
    Ok(size)
}
