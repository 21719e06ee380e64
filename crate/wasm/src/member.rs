//! `CommitteeMember`: generate or import a member key, keep it in
//! IndexedDB where no script can read it (non-extractable WebCrypto keys,
//! `js/keystore.js`), export it as its passphrase-protected key file, and
//! run the committee protocol for a session through the relay (the same
//! driver the native daemon runs), reporting progress to the page.
//!
//! A stored key is used only through WebCrypto: the member's state machine
//! asks its keys for X25519 with a point and for Ed25519 signatures
//! (`sotto_client::keys`), which [`WebCryptoKeys`] hands to
//! `crypto.subtle`; a complaint's output is then claimed and challenged
//! rather than proven (`sotto_core::envelope::challenge`). Keys in memory
//! (read from a key file in Node daemons, unlocked for a run, or stored
//! by an earlier version) answer the same requests themselves, and claim
//! their complaints' outputs too: one path for every member of these
//! modules, and the proof's code stays out of the member module (native
//! daemons prove).
//!
//! The member module (feature `member-runtime` alone, loaded by the
//! member's Web Worker) carries only what it needs: `generate`,
//! `publicKeys`, `load`, `fromSecret` and `run`. Node daemons that read
//! key files use the `node` module (features `page` and `member-runtime`).
//! Managing the stored keys (`save`, `forget`, `stored`, `exportKeyFile`:
//! feature `keystore`) is the organizer's and the console's modules';
//! key files (`fromKeyFile`, `toKeyFile`, `saveProtected`, `unlock`:
//! feature `console`) the console's only.

use std::sync::Arc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use super::error::{Code, js_error};
use super::to_js;
#[cfg(feature = "console")]
use sotto_core::keyfile::KdfParams;
use sotto_core::keyfile::{MemberKeys, MemberPublicKeys};
#[cfg(any(feature = "console", feature = "member-runtime"))]
use sotto_core::session::{Ed25519PublicKey, X25519PublicKey};

#[wasm_bindgen(module = "/js/keystore.js")]
extern "C" {
    #[cfg(feature = "keystore")]
    #[wasm_bindgen(js_name = keystorePut)]
    fn keystore_put(
        name: &str,
        secret: &[u8],
        public: &[u8],
        keyfile: &[u8],
        sealable: bool,
        upgrade: bool,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = keystoreGet)]
    fn keystore_get(name: &str) -> js_sys::Promise;
    #[cfg(feature = "keystore")]
    #[wasm_bindgen(js_name = keystoreDelete)]
    fn keystore_delete(name: &str) -> js_sys::Promise;
    #[cfg(feature = "keystore")]
    #[wasm_bindgen(js_name = keystoreList)]
    fn keystore_list() -> js_sys::Promise;
    #[cfg(feature = "member-runtime")]
    #[wasm_bindgen(js_name = x25519)]
    fn webcrypto_x25519(key: &JsValue, u: &[u8]) -> js_sys::Promise;
    #[cfg(feature = "member-runtime")]
    #[wasm_bindgen(js_name = ed25519Sign)]
    fn webcrypto_sign(key: &JsValue, message: &[u8]) -> js_sys::Promise;
    #[cfg(test)]
    #[wasm_bindgen(js_name = importMemberKeys)]
    fn import_member_keys(secret: &[u8]) -> js_sys::Promise;
}

fn storage(e: JsValue) -> JsValue {
    let msg = js_sys::Reflect::get(&e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "IndexedDB failed".into());
    js_error(Code::Storage, &format!("browser storage: {msg}"))
}

/// A member's keys held as non-extractable WebCrypto keys (the pages'
/// modules only load them, to show and list them; the member module uses
/// them).
#[cfg_attr(not(feature = "member-runtime"), allow(dead_code))]
pub struct WebCryptoKeys {
    x25519: JsValue,
    ed25519: JsValue,
    public: MemberPublicKeys,
}

/// Where a [`CommitteeMember`]'s secret keys are (the organizer's module
/// has only keys in memory: it makes circle keys and stores them).
#[cfg_attr(
    not(any(feature = "console", feature = "member-runtime")),
    allow(dead_code)
)]
enum Keys {
    /// In this module's memory: generated, read from a key file or a
    /// record of an earlier version.
    Memory(Arc<MemberKeys>),
    /// Non-extractable WebCrypto keys: usable, never readable.
    WebCrypto(Arc<WebCryptoKeys>),
    /// Kept only as the passphrase key file (WebCrypto without X25519 or
    /// Ed25519): unlock it to use it.
    Locked(MemberPublicKeys),
}

/// How a key is kept, as `CommitteeMember.storage` reports it.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "console"), allow(dead_code))]
enum Kept {
    /// Not stored (generated or read from a key file in this page).
    Memory,
    /// Stored as non-extractable WebCrypto keys.
    Unreadable,
    /// Stored as its passphrase key file only.
    Passphrase,
    /// Stored by an earlier version, sealed under the origin's wrapping
    /// key: a script on this origin could open it.
    Sealed,
}

/// A committee member's keys.
#[wasm_bindgen]
pub struct CommitteeMember {
    keys: Keys,
    /// The passphrase key file kept with a stored key, for export (the
    /// console's).
    #[cfg_attr(not(feature = "keystore"), allow(dead_code))]
    keyfile: Option<Vec<u8>>,
    /// How it is kept (the console's).
    #[cfg_attr(not(feature = "console"), allow(dead_code))]
    kept: Kept,
}

impl CommitteeMember {
    fn in_memory(keys: MemberKeys, keyfile: Option<Vec<u8>>, kept: Kept) -> CommitteeMember {
        CommitteeMember {
            keys: Keys::Memory(Arc::new(keys)),
            keyfile,
            kept,
        }
    }

    fn public(&self) -> MemberPublicKeys {
        match &self.keys {
            Keys::Memory(k) => k.public(),
            Keys::WebCrypto(w) => w.public,
            Keys::Locked(p) => *p,
        }
    }

    /// The keys in memory, for storing them; stored keys cannot be stored
    /// again (their secrets cannot be read).
    #[cfg(feature = "keystore")]
    fn memory(&self) -> Result<&MemberKeys, JsValue> {
        match &self.keys {
            Keys::Memory(k) => Ok(k),
            _ => Err(js_error(
                Code::BadKey,
                "this key is stored already, where its secret cannot be read: it cannot be stored again",
            )),
        }
    }

    #[cfg(feature = "keystore")]
    /// Stores the keys under `name` with `keyfile` (empty: none); where
    /// WebCrypto has no X25519 or Ed25519 and there is no key file, seals
    /// them when `sealable` (circle keys) and rejects otherwise. Rejects
    /// (`storage`) when another key is stored under `name`; with `upgrade`
    /// (keys read from a record of an earlier version, being protected), a
    /// record of an earlier version there is replaced.
    fn store(
        &self,
        name: &str,
        keyfile: &[u8],
        sealable: bool,
        upgrade: bool,
    ) -> Result<js_sys::Promise, JsValue> {
        let keys = self.memory()?;
        let secret = keys.to_secret_bytes();
        let p = keys.public();
        let mut public = [0u8; 64];
        public[..32].copy_from_slice(p.x25519.as_bytes());
        public[32..].copy_from_slice(&p.ed25519.0);
        Ok(keystore_put(
            name,
            secret.as_ref(),
            &public,
            keyfile,
            sealable,
            upgrade,
        ))
    }
}

#[wasm_bindgen]
impl CommitteeMember {
    /// Generates fresh keys from the browser's CSPRNG.
    pub fn generate() -> CommitteeMember {
        CommitteeMember::in_memory(
            MemberKeys::generate(&mut sotto_client::os_rng()),
            None,
            Kept::Memory,
        )
    }

    /// Reads a passphrase-protected key file (the same format as
    /// `sotto keygen`). Rejects with `bad_key` on a wrong passphrase or a
    /// damaged file. The file is kept with the keys when they are stored
    /// (`save`), for export. Not in the member module the browser's worker
    /// loads (the page imports key files and stores them; the worker loads
    /// the stored key), which leaves Argon2 out of it; Node daemons use the
    /// `node` module, which has both this and `run`.
    #[cfg(feature = "console")]
    #[wasm_bindgen(js_name = fromKeyFile)]
    pub fn from_key_file(bytes: &[u8], passphrase: &str) -> Result<CommitteeMember, JsValue> {
        MemberKeys::from_keyfile(bytes, passphrase)
            .map(|k| CommitteeMember::in_memory(k, Some(bytes.to_vec()), Kept::Memory))
            .map_err(|e| js_error(Code::BadKey, &e.to_string()))
    }

    /// Keys in memory from their 64 secret bytes (X25519 secret || Ed25519
    /// seed), for the member's worker when the page unlocked a key kept
    /// only as its key file (`unlock`). Never stored.
    #[cfg(feature = "member-runtime")]
    #[wasm_bindgen(js_name = fromSecret)]
    pub fn from_secret(secret: &[u8]) -> Result<CommitteeMember, JsValue> {
        let bad = || js_error(Code::BadKey, "a member secret is 64 bytes");
        let (x, e) = (
            secret.get(..32).ok_or_else(bad)?,
            secret.get(32..).ok_or_else(bad)?,
        );
        let (x, e): (&[u8; 32], &[u8; 32]) = (
            x.try_into().map_err(|_| bad())?,
            e.try_into().map_err(|_| bad())?,
        );
        Ok(CommitteeMember::in_memory(
            MemberKeys::from_secret_bytes(x, e),
            None,
            Kept::Memory,
        ))
    }

    // The console's only: a worker or daemon only loads or reads keys.
    #[cfg(feature = "console")]
    /// Writes the keys as a key file protected by `passphrase` (Argon2id,
    /// 64 MiB, 3 passes). Only keys in memory: a stored key exports the
    /// key file kept with it (`exportKeyFile`).
    #[wasm_bindgen(js_name = toKeyFile)]
    pub fn to_key_file(&self, passphrase: &str) -> Result<Vec<u8>, JsValue> {
        if passphrase.chars().count() < 8 {
            return Err(js_error(
                Code::InvalidOptions,
                "choose a passphrase of at least 8 characters",
            ));
        }
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        self.memory()?
            .to_keyfile(passphrase, KdfParams::MODERATE, &mut rng)
            .map_err(|e| js_error(Code::BadKey, &e.to_string()))
    }

    /// The public keys (hex) and the fingerprint to compare out of band.
    #[wasm_bindgen(js_name = publicKeys, unchecked_return_type = "PublicKeys")]
    pub fn public_keys(&self) -> Result<JsValue, JsValue> {
        let p = self.public();
        to_js(&serde_json::json!({
            "x25519": p.x25519.to_hex(),
            "ed25519": p.ed25519.to_hex(),
            "fingerprint": p.fingerprint().to_string(),
        }))
    }

    // The console's: the organizer's module only makes circle keys.
    #[cfg(feature = "console")]
    /// How the key is kept: `"unreadable"` (stored as non-extractable
    /// WebCrypto keys), `"passphrase"` (stored only as its passphrase key
    /// file: `unlock` it to run), `"sealed"` (stored by an earlier
    /// version, where a script on this origin could open it: store it
    /// again with `saveProtected`) or `"memory"` (not stored).
    #[wasm_bindgen(getter)]
    pub fn storage(&self) -> String {
        match self.kept {
            Kept::Memory => "memory",
            Kept::Unreadable => "unreadable",
            Kept::Passphrase => "passphrase",
            Kept::Sealed => "sealed",
        }
        .into()
    }

    #[cfg(feature = "console")]
    /// Whether a passphrase key file is kept with this key (`exportKeyFile`).
    #[wasm_bindgen(getter, js_name = hasKeyFile)]
    pub fn has_key_file(&self) -> bool {
        self.keyfile.is_some()
    }

    // Page modules only: a worker or daemon only loads or reads keys.
    #[cfg(feature = "keystore")]
    /// Stores the keys in this origin's IndexedDB under `name`, where no
    /// script can read them (non-extractable WebCrypto keys), with the key
    /// file they were read from, if any. Rejects (`storage`) where
    /// WebCrypto has no X25519 or Ed25519 and there is no key file to keep
    /// instead, and when a key is already stored under `name` (never
    /// replaced: forget it first). Resolves to the way the key is kept
    /// (`storage`).
    #[wasm_bindgen(unchecked_return_type = "Promise<KeyStorage>")]
    pub fn save(&self, name: String) -> js_sys::Promise {
        let keyfile = self.keyfile.clone().unwrap_or_default();
        let stored = self.store(&name, &keyfile, false, false);
        future_to_promise(
            async move { JsFuture::from(stored?).await.map_err(storage).map(kept_as) },
        )
    }

    /// Stores keys made for one session on this device (an organizer's
    /// circle of members) under `name`, like `save`; where WebCrypto has
    /// no X25519 or Ed25519, sealed under this origin's wrapping key as
    /// earlier versions stored every key (a script on the origin can
    /// open them: docs/threat-model.md, "Member keys in the browser").
    #[cfg(feature = "organizer")]
    #[wasm_bindgen(js_name = saveForSession, unchecked_return_type = "Promise<KeyStorage>")]
    pub fn save_for_session(&self, name: String) -> js_sys::Promise {
        let stored = self.store(&name, &[], true, false);
        future_to_promise(
            async move { JsFuture::from(stored?).await.map_err(storage).map(kept_as) },
        )
    }

    /// Stores the keys under `name` like `save`, with a key file protected
    /// by `passphrase` kept beside them for export (or, where WebCrypto
    /// has no X25519 or Ed25519, as the only copy). A key read from a
    /// record of an earlier version replaces a record of an earlier
    /// version under `name` (give the name it was loaded from); otherwise
    /// it rejects when a key is stored under `name`. Resolves to the way
    /// the key is kept.
    #[cfg(feature = "console")]
    #[wasm_bindgen(js_name = saveProtected, unchecked_return_type = "Promise<KeyStorage>")]
    pub fn save_protected(&mut self, name: String, passphrase: &str) -> js_sys::Promise {
        let stored = self.to_key_file(passphrase).and_then(|file| {
            // A key read from a sealed record replaces it; any other
            // never replaces what is stored.
            let p = self.store(&name, &file, false, matches!(self.kept, Kept::Sealed))?;
            self.keyfile = Some(file);
            Ok(p)
        });
        future_to_promise(
            async move { JsFuture::from(stored?).await.map_err(storage).map(kept_as) },
        )
    }

    /// The passphrase key file kept with this key: what a stored key
    /// exports, since its secret cannot be read. Rejects (`bad_key`) when
    /// none was kept.
    #[cfg(feature = "console")]
    #[wasm_bindgen(js_name = exportKeyFile)]
    pub fn export_key_file(&self) -> Result<Vec<u8>, JsValue> {
        self.keyfile.clone().ok_or_else(|| {
            js_error(
                Code::BadKey,
                "no key file was kept with this key (it was stored without a passphrase): it cannot be exported",
            )
        })
    }

    /// The 64 secret bytes of a key kept only as its key file, read with
    /// `passphrase`, for the member's worker (`fromSecret`); wipe them once
    /// handed over. Rejects with `bad_key` on a wrong passphrase.
    #[cfg(feature = "console")]
    pub fn unlock(&self, passphrase: &str) -> Result<js_sys::Uint8Array, JsValue> {
        let file = self
            .keyfile
            .as_deref()
            .ok_or_else(|| js_error(Code::BadKey, "no key file is kept with this key"))?;
        let keys = MemberKeys::from_keyfile(file, passphrase)
            .map_err(|e| js_error(Code::BadKey, &e.to_string()))?;
        // The member runs with the key whose fingerprint the page shows.
        if keys.public() != self.public() {
            return Err(js_error(
                Code::BadKey,
                "the key file kept with this key is another key's",
            ));
        }
        Ok(js_sys::Uint8Array::from(keys.to_secret_bytes().as_ref()))
    }

    /// Loads keys stored under `name`; resolves to `undefined` if none.
    /// (The console's and the worker's: the organizer's module only makes
    /// circle keys.)
    #[cfg(any(feature = "console", feature = "member-runtime"))]
    #[wasm_bindgen(unchecked_return_type = "Promise<CommitteeMember | undefined>")]
    pub fn load(name: String) -> js_sys::Promise {
        let p = keystore_get(&name);
        future_to_promise(async move {
            let v = JsFuture::from(p).await.map_err(storage)?;
            if v.is_undefined() {
                return Ok(JsValue::UNDEFINED);
            }
            Ok(from_record(&v)?.into())
        })
    }

    // Page modules only: a worker or daemon only loads or reads keys.
    #[cfg(feature = "keystore")]
    /// Deletes the keys stored under `name`.
    pub fn forget(name: String) -> js_sys::Promise {
        let p = keystore_delete(&name);
        future_to_promise(async move {
            JsFuture::from(p).await.map_err(storage)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    // The console's only: the organizer's module only makes circle keys.
    #[cfg(feature = "console")]
    /// The names of the stored keys.
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn stored() -> js_sys::Promise {
        let p = keystore_list();
        future_to_promise(async move { JsFuture::from(p).await.map_err(storage) })
    }
}

/// The `storage` value for the record format `keystorePut` resolves to.
#[cfg(feature = "keystore")]
fn kept_as(format: JsValue) -> JsValue {
    match format.as_string().as_deref() {
        Some("sotto-keyfile-v1") => "passphrase",
        Some("sotto-sealed-v1") => "sealed",
        _ => "unreadable",
    }
    .into()
}

/// A member from what `keystoreGet` resolved to: a current record, or the
/// 64 secret bytes of a record of an earlier version.
#[cfg(any(feature = "console", feature = "member-runtime"))]
fn from_record(v: &JsValue) -> Result<CommitteeMember, JsValue> {
    let damaged = || js_error(Code::BadKey, "the stored key is damaged");
    if let Some(stored) = v.dyn_ref::<js_sys::Uint8Array>() {
        let mut bytes = zeroize::Zeroizing::new(stored.to_vec());
        // The opened copy keystore.js handed over: wipe it too.
        stored.fill(0, 0, stored.length());
        let secret: &[u8; 64] = bytes.as_slice().try_into().map_err(|_| damaged())?;
        let (x, e) = secret.split_at(32);
        let keys = MemberKeys::from_secret_bytes(
            x.try_into().map_err(|_| damaged())?,
            e.try_into().map_err(|_| damaged())?,
        );
        zeroize::Zeroize::zeroize(&mut *bytes);
        return Ok(CommitteeMember::in_memory(keys, None, Kept::Sealed));
    }
    let field = |name: &str| js_sys::Reflect::get(v, &name.into()).unwrap_or(JsValue::UNDEFINED);
    let public = field("public")
        .dyn_into::<js_sys::Uint8Array>()
        .map(|a| a.to_vec())
        .map_err(|_| damaged())?;
    let (Some(x), Some(e)) = (public.get(..32), public.get(32..64)) else {
        return Err(damaged());
    };
    let mut xb = [0u8; 32];
    let mut eb = [0u8; 32];
    xb.copy_from_slice(x);
    eb.copy_from_slice(e);
    let public = MemberPublicKeys {
        x25519: X25519PublicKey(xb),
        ed25519: Ed25519PublicKey(eb),
    };
    let keyfile = field("keyfile")
        .dyn_into::<js_sys::Uint8Array>()
        .ok()
        .map(|a| a.to_vec());
    // A private, non-extractable CryptoKey of the algorithm it is used
    // for, or the record is damaged (never an answer computed with
    // something else, nor a readable key called unreadable). That they
    // are the keys of `public`, keystore.js checked (checkPublic).
    let crypto_key = |name: &str, expected: &str| {
        let key = field(name).dyn_into::<web_sys::CryptoKey>().ok()?;
        let algorithm = JsValue::from(key.algorithm().ok()?);
        let named = js_sys::Reflect::get(&algorithm, &"name".into()).ok()?;
        let private = js_sys::Reflect::get(&key, &"type".into()).ok()?;
        (named.as_string().as_deref() == Some(expected)
            && private.as_string().as_deref() == Some("private")
            && !key.extractable())
        .then(|| JsValue::from(key))
    };
    let (keys, kept) = match field("format").as_string().as_deref() {
        Some("sotto-webcrypto-v1") => (
            Keys::WebCrypto(Arc::new(WebCryptoKeys {
                x25519: crypto_key("x25519", "X25519").ok_or_else(damaged)?,
                ed25519: crypto_key("ed25519", "Ed25519").ok_or_else(damaged)?,
                public,
            })),
            Kept::Unreadable,
        ),
        Some("sotto-keyfile-v1") if keyfile.is_some() => (Keys::Locked(public), Kept::Passphrase),
        _ => return Err(damaged()),
    };
    Ok(CommitteeMember {
        keys,
        keyfile,
        kept,
    })
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

        let keys = match &self.keys {
            Keys::Memory(k) => Ok(Agent::Memory(k.clone())),
            Keys::WebCrypto(w) => Ok(Agent::WebCrypto(w.clone())),
            Keys::Locked(_) => Err(js_error(
                Code::BadKey,
                "this key is kept only as its passphrase key file: unlock it with its passphrase first",
            )),
        };
        future_to_promise(async move {
            let keys = Arc::new(keys?);
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

/// The keys a member runs with: one type, so that the driver is compiled
/// once into the member module.
#[cfg(feature = "member-runtime")]
enum Agent {
    Memory(Arc<MemberKeys>),
    WebCrypto(Arc<WebCryptoKeys>),
}

#[cfg(feature = "member-runtime")]
impl sotto_client::keys::KeyAgent for Agent {
    fn public(&self) -> MemberPublicKeys {
        match self {
            Agent::Memory(k) => k.public(),
            Agent::WebCrypto(w) => w.public,
        }
    }

    async fn answer(
        &self,
        request: &sotto_client::keys::KeyRequest,
    ) -> Result<sotto_client::keys::KeyAnswer, sotto_client::keys::KeyError> {
        use sotto_client::keys::{KeyAnswer, KeyRequest};
        match (self, request) {
            // In the browser every member claims its complaints' outputs,
            // whatever its keys (one path, challenged by the others), and
            // the proof's code stays out of the member module.
            (Agent::Memory(k), KeyRequest::Dh(u)) => Ok(KeyAnswer::Dh(k.dh(u))),
            (Agent::Memory(k), KeyRequest::Sign(m)) => Ok(KeyAnswer::Signature(k.sign(m))),
            (Agent::Memory(_), KeyRequest::Disclose(_)) => Ok(KeyAnswer::Disclosure(None)),
            (Agent::WebCrypto(w), _) => w.answer(request).await,
        }
    }
}

#[cfg(feature = "member-runtime")]
impl WebCryptoKeys {
    /// Answers `request` through `crypto.subtle`. A disclosure's proof
    /// needs the secret scalar, which WebCrypto never shows: the member
    /// claims the output instead (`sotto_core::envelope::challenge`).
    async fn answer(
        &self,
        request: &sotto_client::keys::KeyRequest,
    ) -> Result<sotto_client::keys::KeyAnswer, sotto_client::keys::KeyError> {
        use sotto_client::keys::{KeyAnswer, KeyError, KeyRequest};
        let failed = |what: &'static str, e: JsValue| KeyError {
            what,
            why: js_sys::Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "WebCrypto failed".into()),
        };
        match request {
            // A small-order point is the only one without an output, and
            // WebCrypto is not asked about it; any refusal is a failure,
            // never "no output" (a reviewer's finding).
            KeyRequest::Dh(u) if sotto_core::keyfile::gives_no_output(u) => Ok(KeyAnswer::Dh(None)),
            KeyRequest::Dh(u) => {
                let out = JsFuture::from(webcrypto_x25519(&self.x25519, u))
                    .await
                    .map_err(|e| failed("compute an X25519 output", e))?;
                let a = out
                    .dyn_into::<js_sys::Uint8Array>()
                    .ok()
                    .filter(|a| a.length() == 32)
                    .ok_or(KeyError {
                        what: "compute an X25519 output",
                        why: "WebCrypto returned no 32-byte output".into(),
                    })?;
                let mut b = zeroize::Zeroizing::new([0u8; 32]);
                a.copy_to(b.as_mut());
                a.fill(0, 0, 32);
                Ok(KeyAnswer::Dh(Some(b)))
            }
            KeyRequest::Sign(m) => {
                let out = JsFuture::from(webcrypto_sign(&self.ed25519, m))
                    .await
                    .map_err(|e| failed("sign", e))?;
                let sig = out
                    .dyn_into::<js_sys::Uint8Array>()
                    .ok()
                    .filter(|a| a.length() == 64)
                    .ok_or(KeyError {
                        what: "sign",
                        why: "WebCrypto returned no 64-byte signature".into(),
                    })?;
                let mut b = [0u8; 64];
                sig.copy_to(&mut b);
                Ok(KeyAnswer::Signature(b))
            }
            KeyRequest::Disclose(_) => Ok(KeyAnswer::Disclosure(None)),
        }
    }
}

#[cfg(all(test, feature = "member-runtime"))]
mod tests {
    use super::*;
    use sotto_client::keys::{KeyAnswer, KeyRequest, answer_now};
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// WebCrypto's X25519 and Ed25519 with the keys imported as
    /// non-extractable answer every request exactly as the keys in memory
    /// do (in Node, Chromium and Firefox): the points a member asks about
    /// (another member's key, a part's encapsulated key, the engine
    /// secret's hashed point, a small-order point), and signatures.
    #[test]
    async fn webcrypto_keys_answer_as_the_keys_in_memory() {
        let mut rng = sotto_client::os_rng();
        let keys = MemberKeys::generate(&mut rng);
        let other = MemberKeys::generate(&mut rng);
        let imported = JsFuture::from(import_member_keys(keys.to_secret_bytes().as_ref()))
            .await
            .expect("X25519 and Ed25519 in WebCrypto");
        let field = |name: &str| js_sys::Reflect::get(&imported, &name.into()).unwrap();
        let web = WebCryptoKeys {
            x25519: field("x25519"),
            ed25519: field("ed25519"),
            public: keys.public(),
        };
        let enc = sotto_core::envelope::encapsulation::Ephemeral::random(&mut rng).enc();
        let point = sotto_core::keyfile::derivation_point(b"label", &[b"info"]);
        let mut requests = vec![
            KeyRequest::Dh(*other.public().x25519.as_bytes()),
            KeyRequest::Dh(enc),
            KeyRequest::Dh(point),
            KeyRequest::Dh([0; 32]),
            KeyRequest::Sign(b"a Ready message".to_vec()),
            KeyRequest::Sign(vec![7; 5000]),
        ];
        let mut one = [0u8; 32];
        one[0] = 1;
        requests.push(KeyRequest::Dh(one));
        // Hashed points: about half are on the twist, which X25519 (and
        // WebCrypto) answers all the same.
        for i in 0u8..8 {
            requests.push(KeyRequest::Dh(sotto_core::keyfile::derivation_point(
                b"twist",
                &[&[i]],
            )));
        }
        for request in &requests {
            let ours = answer_now(&keys, &mut rng, request).unwrap();
            let theirs = web.answer(request).await.unwrap();
            match (ours, theirs) {
                (KeyAnswer::Dh(a), KeyAnswer::Dh(b)) => {
                    assert_eq!(a.map(|x| *x), b.map(|x| *x), "{request:?}");
                }
                (KeyAnswer::Signature(a), KeyAnswer::Signature(b)) => assert_eq!(a, b),
                other => panic!("{request:?}: {other:?}"),
            }
        }
        // A disclosure's proof needs the scalar: WebCrypto keys claim.
        let request = KeyRequest::Disclose(sotto_core::envelope::complaint::DisclosureRequest {
            enc,
            context: b"context".to_vec(),
        });
        assert!(matches!(
            web.answer(&request).await.unwrap(),
            KeyAnswer::Disclosure(None)
        ));
    }
}
