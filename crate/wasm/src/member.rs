//! `CommitteeMember`: generate or import a member key, keep it in
//! IndexedDB (sealed under a non-extractable WebCrypto key by
//! `js/keystore.js`, never as the raw secret), export it as a passphrase-protected key file, and run the
//! committee protocol for a session through the relay (the same driver the
//! native daemon runs), reporting progress to the page.
//!
//! The member module (feature `member-runtime` alone, loaded by the
//! member's Web Worker) carries only what it needs: `generate`,
//! `publicKeys`, `load` and `run`. Node daemons that read key files use
//! the `node` module (features `page` and `member-runtime`). Managing the
//! stored keys (`save`, `forget`, `stored`: feature `keystore`) is the
//! organizer's and the console's modules'; key files (`fromKeyFile`,
//! `toKeyFile`: feature `console`) the console's only.

use std::sync::Arc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use super::error::{Code, js_error};
use super::to_js;
#[cfg(feature = "console")]
use sotto_core::keyfile::KdfParams;
use sotto_core::keyfile::MemberKeys;

#[wasm_bindgen(module = "/js/keystore.js")]
extern "C" {
    #[cfg(feature = "keystore")]
    #[wasm_bindgen(js_name = keystorePut)]
    fn keystore_put(name: &str, bytes: &[u8]) -> js_sys::Promise;
    #[wasm_bindgen(js_name = keystoreGet)]
    fn keystore_get(name: &str) -> js_sys::Promise;
    #[cfg(feature = "keystore")]
    #[wasm_bindgen(js_name = keystoreDelete)]
    fn keystore_delete(name: &str) -> js_sys::Promise;
    #[cfg(feature = "keystore")]
    #[wasm_bindgen(js_name = keystoreList)]
    fn keystore_list() -> js_sys::Promise;
}

fn storage(e: JsValue) -> JsValue {
    let msg = js_sys::Reflect::get(&e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "IndexedDB failed".into());
    js_error(Code::Storage, &format!("browser storage: {msg}"))
}

/// A committee member's keys.
#[wasm_bindgen]
pub struct CommitteeMember {
    keys: Arc<MemberKeys>,
}

#[wasm_bindgen]
impl CommitteeMember {
    /// Generates fresh keys from the browser's CSPRNG.
    pub fn generate() -> CommitteeMember {
        CommitteeMember {
            keys: Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())),
        }
    }

    /// Reads a passphrase-protected key file (the same format as
    /// `sotto keygen`). Rejects with `bad_key` on a wrong passphrase or a
    /// damaged file. Not in the member module the browser's worker loads
    /// (the page imports key files and stores them; the worker loads the
    /// stored key), which leaves Argon2 out of it; Node daemons use the
    /// `node` module, which has both this and `run`.
    #[cfg(feature = "console")]
    #[wasm_bindgen(js_name = fromKeyFile)]
    pub fn from_key_file(bytes: &[u8], passphrase: &str) -> Result<CommitteeMember, JsValue> {
        MemberKeys::from_keyfile(bytes, passphrase)
            .map(|k| CommitteeMember { keys: Arc::new(k) })
            .map_err(|e| js_error(Code::BadKey, &e.to_string()))
    }

    // The console's only: a worker or daemon only loads or reads keys.
    #[cfg(feature = "console")]
    /// Writes the keys as a key file protected by `passphrase` (Argon2id,
    /// 64 MiB, 3 passes).
    #[wasm_bindgen(js_name = toKeyFile)]
    pub fn to_key_file(&self, passphrase: &str) -> Result<Vec<u8>, JsValue> {
        if passphrase.chars().count() < 8 {
            return Err(js_error(
                Code::InvalidOptions,
                "choose a passphrase of at least 8 characters",
            ));
        }
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        self.keys
            .to_keyfile(passphrase, KdfParams::MODERATE, &mut rng)
            .map_err(|e| js_error(Code::BadKey, &e.to_string()))
    }

    /// The public keys (hex) and the fingerprint to compare out of band.
    #[wasm_bindgen(js_name = publicKeys, unchecked_return_type = "PublicKeys")]
    pub fn public_keys(&self) -> Result<JsValue, JsValue> {
        let p = self.keys.public();
        to_js(&serde_json::json!({
            "x25519": p.x25519.to_hex(),
            "ed25519": p.ed25519.to_hex(),
            "fingerprint": p.fingerprint().to_string(),
        }))
    }

    // Page module only: a worker or daemon only loads or reads keys.
    #[cfg(feature = "keystore")]
    /// Stores the keys in this origin's IndexedDB under `name`.
    pub fn save(&self, name: String) -> js_sys::Promise {
        let bytes = self.keys.to_secret_bytes();
        let p = keystore_put(&name, bytes.as_ref());
        future_to_promise(async move {
            JsFuture::from(p).await.map_err(storage)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Loads keys stored under `name`; resolves to `undefined` if none.
    #[wasm_bindgen(unchecked_return_type = "Promise<CommitteeMember | undefined>")]
    pub fn load(name: String) -> js_sys::Promise {
        let p = keystore_get(&name);
        future_to_promise(async move {
            let v = JsFuture::from(p).await.map_err(storage)?;
            if v.is_undefined() {
                return Ok(JsValue::UNDEFINED);
            }
            let stored = js_sys::Uint8Array::new(&v);
            let mut bytes = zeroize::Zeroizing::new(stored.to_vec());
            // The opened copy keystore.js handed over: wipe it too.
            stored.fill(0, 0, stored.length());
            let secret: &[u8; 64] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| js_error(Code::BadKey, "the stored key is damaged"))?;
            let (x, e) = secret.split_at(32);
            let keys = MemberKeys::from_secret_bytes(
                x.try_into()
                    .map_err(|_| js_error(Code::BadKey, "damaged"))?,
                e.try_into()
                    .map_err(|_| js_error(Code::BadKey, "damaged"))?,
            );
            zeroize::Zeroize::zeroize(&mut *bytes);
            Ok(CommitteeMember {
                keys: Arc::new(keys),
            }
            .into())
        })
    }

    // Page module only: a worker or daemon only loads or reads keys.
    #[cfg(feature = "keystore")]
    /// Deletes the keys stored under `name`.
    pub fn forget(name: String) -> js_sys::Promise {
        let p = keystore_delete(&name);
        future_to_promise(async move {
            JsFuture::from(p).await.map_err(storage)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    // Page module only: a worker or daemon only loads or reads keys.
    #[cfg(feature = "keystore")]
    /// The names of the stored keys.
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn stored() -> js_sys::Promise {
        let p = keystore_list();
        future_to_promise(async move { JsFuture::from(p).await.map_err(storage) })
    }
}

/// The committee computation (feature `member-runtime`: the package's
/// `member/` module, loaded by the member's Web Worker).
#[cfg(feature = "member-runtime")]
#[wasm_bindgen]
impl CommitteeMember {
    /// Joins the session of a member link and runs to the published
    /// result: collects submissions, waits for the close, agrees on the
    /// inputs with the other members, computes and signs. `onProgress`
    /// hears each `Progress`. Resolves to the `Outcome`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Outcome>")]
    pub fn run(
        &self,
        link: String,
        #[wasm_bindgen(unchecked_param_type = "(p: Progress) => void")] on_progress: Option<
            js_sys::Function,
        >,
    ) -> js_sys::Promise {
        use super::error::member_error;
        use super::link::{parse_link, token_of};
        use super::socket::BrowserRuntime;
        use sotto_client::driver::{MemberConfig, run_member};
        use sotto_client::session::relay_of_link;
        use sotto_core::session::Role;

        let keys = self.keys.clone();
        future_to_promise(async move {
            let invite = parse_link(&link)?;
            if invite.role != Role::Member {
                return Err(js_error(
                    Code::BadLink,
                    "this is not a committee member link",
                ));
            }
            let token = token_of(&invite)?;
            let cfg = MemberConfig {
                relay: relay_of_link(&invite.base_url),
                session: invite.session_id,
                token,
                keys,
                manifest_hash: Some(invite.manifest_hash),
                latency: std::time::Duration::ZERO,
                mismatch_retries: 3,
                max_reconnects: 20,
            };
            let rt = BrowserRuntime { on_progress };
            let outcome = run_member(&rt, cfg).await.map_err(|e| member_error(&e))?;
            to_js(&outcome.to_json())
        })
    }
}
