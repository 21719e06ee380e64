//! The WebAssembly bindings (compiled only for wasm32; natively this
//! crate is empty, so these docs name items without links: build the docs
//! with `--target wasm32-unknown-unknown` to browse them): the `sotto` npm
//! package.
//!
//! Classes: `participant::Participant`, `organizer::Organizer`,
//! `member::CommitteeMember`, and the functions `results::verify_result`
//! and `results::check_receipt`. Every method that talks to the relay
//! returns a `Promise`; options and results cross the boundary as plain
//! JS objects (through JSON and the JS engine's `JSON`). Errors are thrown
//! as JS `Error`s with a stable `code` property (see `error`) and a
//! message a person can act on; no secret ever appears in one.
//!
//! Features pick what a module carries (`docs/wasm.md`, "Modules"):
//! `reader` opening links and reading manifests and results (every page's
//! module has it), `participant` that plus answering (a participant's
//! pages), `organizer` the reader plus `Organizer`, `answerSize` and the
//! key store (an organizer's pages), `console` the reader plus the key
//! store and key files (the committee console), `page` all of these in
//! one module, `member-runtime` the committee computation, `bench` the
//! engine benchmark.
//!
//! The transport is the browser's (or Node's) `WebSocket`
//! (`socket::BrowserSocket`) under the same relay client and member
//! driver the native CLI uses (`sotto_client`).
#![cfg(target_arch = "wasm32")]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

#[cfg(feature = "bench")]
pub mod bench;
pub mod error;
#[cfg(any(feature = "reader", feature = "member-runtime"))]
mod link;
#[cfg(any(feature = "keystore", feature = "member-runtime"))]
pub mod member;
#[cfg(feature = "organizer")]
pub mod organizer;
#[cfg(feature = "reader")]
pub mod participant;
#[cfg(feature = "reader")]
pub mod results;
pub mod socket;

mod types;

#[cfg(all(test, feature = "page"))]
mod tests;

use wasm_bindgen::prelude::*;

/// Runs when the module is instantiated: installs the panic hook in debug
/// builds of the package (feature `debug-panics`).
#[wasm_bindgen(start)]
pub fn start() {
    #[cfg(feature = "debug-panics")]
    console_error_panic_hook::set_once();
}

/// The package's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// A Rust value as a plain JS object, through JSON and the engine's own
/// `JSON.parse`. (One serde backend, serde_json, serves the manifest and
/// the boundary alike: a second one, serde-wasm-bindgen, cost 25 KB of
/// the size budget for no gain in what crosses the boundary.)
pub(crate) fn to_js<T: serde::Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(v)
        .map_err(|e| error::js_error(error::Code::Internal, &e.to_string()))?;
    js_sys::JSON::parse(&text)
        .map_err(|_| error::js_error(error::Code::Internal, "JSON.parse failed"))
}

/// The work of an exported async method as a `Promise`, through one boxed
/// future type: `future_to_promise` is then instantiated once for every
/// page method rather than once per method, each with that method's whole
/// state machine inlined into its own copy of the promise glue
/// (docs/wasm.md, "Third round").
#[cfg(feature = "reader")]
pub(crate) fn promise(
    work: impl std::future::Future<Output = Result<JsValue, JsValue>> + 'static,
) -> js_sys::Promise {
    let work: std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsValue>>>> =
        Box::pin(work);
    wasm_bindgen_futures::future_to_promise(work)
}

/// A plain JS object as JSON text (through `JSON.stringify`); the error
/// says what was wrong, for `what`.
#[cfg(feature = "reader")]
pub(crate) fn json_text(v: &JsValue, code: error::Code, what: &str) -> Result<String, JsValue> {
    js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| error::js_error(code, &format!("{what}: expected a plain object")))
}

/// A plain JS object as a Rust value (through `JSON.stringify`); the error
/// says what was wrong, for `what`. (Answers and verified results, read
/// as `serde_json::Value`s: the organizer's drafts are read by hand,
/// `SessionDraft::read_json`, so no module carries a derived reader.)
#[cfg(feature = "reader")]
pub(crate) fn from_js<T: serde::de::DeserializeOwned>(
    v: &JsValue,
    code: error::Code,
    what: &str,
) -> Result<T, JsValue> {
    let text = json_text(v, code, what)?;
    serde_json::from_slice(text.as_bytes())
        .map_err(|e| error::js_error(code, &format!("{what}: {e}")))
}
