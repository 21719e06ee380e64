//! The WebAssembly bindings (compiled only for wasm32): the `sotto` npm
//! package.
//!
//! Classes: [`participant::Participant`], [`organizer::Organizer`],
//! [`member::CommitteeMember`], and the function
//! [`organizer::verify_result`]. Every method that talks to the relay
//! returns a `Promise`; options and results cross the boundary as plain
//! JS objects (serde-wasm-bindgen). Errors are thrown as JS `Error`s with a
//! stable `code` property (see [`error`]) and a message a person can act
//! on; no secret ever appears in one.
//!
//! The transport is the browser's (or Node's) `WebSocket`
//! ([`socket::BrowserSocket`]) under the same relay client and member
//! driver the native CLI uses (`crate::client`).

pub mod error;
pub mod member;
pub mod organizer;
pub mod participant;
pub mod socket;

mod types;

#[cfg(test)]
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

/// serde_json values to plain JS objects (maps become objects).
pub(crate) fn to_js<T: serde::Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| error::js_error(error::Code::Internal, &e.to_string()))
}
