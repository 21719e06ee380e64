//! Reading invite links, for every role.

use wasm_bindgen::prelude::*;

use super::error::{Code, js_error};
use sotto_core::session::Invite;
use sotto_wire::Token;

/// Parses an invite link; a bad one is a `bad_link` error.
pub(crate) fn parse_link(link: &str) -> Result<Invite, JsValue> {
    Invite::parse(link)
        .map_err(|e| js_error(Code::BadLink, &format!("this link is not valid: {e}")))
}

/// The access token a link carries; a link without one is a `bad_link`
/// error.
pub(crate) fn token_of(invite: &Invite) -> Result<Token, JsValue> {
    invite
        .access_token()
        .ok_or_else(|| js_error(Code::BadLink, "this link carries no access token"))
}
