//! Errors thrown to JavaScript: an `Error` whose `code` is one of
//! [`Code`]'s stable strings and whose message explains what happened and
//! what to do. Messages never contain tokens, keys or shares.

use wasm_bindgen::prelude::*;

use sotto_client::flows::FlowError;
use sotto_client::member::MemberError;
use sotto_client::relay::ClientError;
use sotto_wire::ErrorCode;

/// The stable error codes of the package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Code {
    /// The link is malformed or carries no usable token.
    BadLink,
    /// The relay's manifest does not match the link (tampering or a wrong link).
    ManifestMismatch,
    /// Options, a schema or a manifest are invalid.
    InvalidOptions,
    /// The answer does not fit the questions.
    InvalidAnswer,
    /// The relay cannot be reached (retry later).
    RelayUnreachable,
    /// The relay refused: already submitted with this link.
    AlreadySubmitted,
    /// The relay refused: the session does not accept this now (closed, not open).
    SessionClosed,
    /// The relay refused: the token is not valid for this.
    Unauthorized,
    /// The relay refused: too many requests.
    RateLimited,
    /// The relay refused for another reason.
    Refused,
    /// A key file is damaged or the passphrase is wrong.
    BadKey,
    /// A result or signature did not verify.
    Unverified,
    /// No result with enough signatures yet.
    NoResult,
    /// The committee computation failed.
    ComputationFailed,
    /// A committee member deviated from the protocol or stopped answering:
    /// the computation stopped, nothing was published. The error's
    /// `culprits` lists the members that can be named (may be empty).
    MemberDeviated,
    /// The other committee members went on without this one (it did not
    /// answer in time, or came back after they had): it is not needed, and
    /// they publish the result.
    MemberLeftOut,
    /// Browser storage (IndexedDB) failed.
    Storage,
    /// A bug: please report it.
    Internal,
}

impl Code {
    /// The string in the `code` property.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BadLink => "bad_link",
            Code::ManifestMismatch => "manifest_mismatch",
            Code::InvalidOptions => "invalid_options",
            Code::InvalidAnswer => "invalid_answer",
            Code::RelayUnreachable => "relay_unreachable",
            Code::AlreadySubmitted => "already_submitted",
            Code::SessionClosed => "session_closed",
            Code::Unauthorized => "unauthorized",
            Code::RateLimited => "rate_limited",
            Code::Refused => "refused",
            Code::BadKey => "bad_key",
            Code::Unverified => "unverified",
            Code::NoResult => "no_result",
            Code::ComputationFailed => "computation_failed",
            Code::MemberDeviated => "member_deviated",
            Code::MemberLeftOut => "member_left_out",
            Code::Storage => "storage",
            Code::Internal => "internal",
        }
    }
}

/// A JS `Error` with `code` set.
pub fn js_error(code: Code, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    let _ = js_sys::Reflect::set(&e, &"code".into(), &code.as_str().into());
    e.into()
}

/// Maps a relay client error to a JS error.
pub fn client_error(e: &ClientError) -> JsValue {
    let code = match e {
        ClientError::Ws(_) | ClientError::Closed(_) | ClientError::Timeout(_) => {
            Code::RelayUnreachable
        }
        ClientError::Refused { code, .. } => match *code {
            ErrorCode::TokenUsed => Code::AlreadySubmitted,
            ErrorCode::BadState => Code::SessionClosed,
            ErrorCode::Unauthorized | ErrorCode::Forbidden => Code::Unauthorized,
            ErrorCode::RateLimited => Code::RateLimited,
            _ => Code::Refused,
        },
        _ => Code::Refused,
    };
    let message = match code {
        Code::RelayUnreachable => format!("the relay cannot be reached ({e}); try again"),
        Code::AlreadySubmitted => "this link has already been used to submit an answer".into(),
        Code::SessionClosed => "the session is not accepting this now (it may be closed)".into(),
        Code::Unauthorized => "the relay did not accept this link's token".into(),
        Code::RateLimited => "too many requests; wait a moment and try again".into(),
        _ => format!("the relay refused: {e}"),
    };
    js_error(code, &message)
}

/// Maps a session flow error to a JS error.
pub fn flow_error(e: &FlowError) -> JsValue {
    match e {
        FlowError::Relay(c) => client_error(c),
        FlowError::Settings(inner) => js_error(Code::InvalidOptions, &inner.to_string()),
        FlowError::TooManyMembers => js_error(Code::InvalidOptions, &e.to_string()),
        FlowError::ManifestMismatch(_) => {
            js_error(Code::ManifestMismatch, &format!("{e}; do not answer"))
        }
        FlowError::BadLink(_) | FlowError::NoToken => js_error(Code::BadLink, &e.to_string()),
        FlowError::Answer(inner) => js_error(Code::InvalidAnswer, &inner.to_string()),
        FlowError::Unverified(_) => js_error(Code::Unverified, &e.to_string()),
        FlowError::NoResult => js_error(
            Code::NoResult,
            "no result with enough committee signatures yet",
        ),
        FlowError::Timeout { .. } => js_error(Code::RelayUnreachable, &e.to_string()),
        _ => js_error(Code::Internal, &e.to_string()),
    }
}

/// Maps a committee member error to a JS error.
pub fn member_error(e: &MemberError) -> JsValue {
    match e {
        MemberError::Client(c) => client_error(c),
        MemberError::Manifest(m) => js_error(Code::ManifestMismatch, &m.to_string()),
        // A member that stopped answering: the page names whom it waits for.
        MemberError::Stalled { .. } => js_error(Code::ComputationFailed, &e.to_string()),
        MemberError::Excluded { .. } => js_error(Code::MemberLeftOut, &e.to_string()),
        other => match other.abort() {
            Some((reason, culprits)) => {
                let e = js_error(
                    Code::MemberDeviated,
                    &format!("{reason}; the computation stopped and nothing was published"),
                );
                let list = js_sys::Array::new();
                for m in culprits {
                    list.push(&JsValue::from(m));
                }
                let _ = js_sys::Reflect::set(&e, &"culprits".into(), &list);
                // The signed proof of the deviation, for the page to offer
                // as a file (`sotto verify-evidence` checks it).
                if let Some(evidence) = other.evidence() {
                    let bytes = js_sys::Uint8Array::from(evidence.to_bytes().as_slice());
                    let _ = js_sys::Reflect::set(&e, &"evidence".into(), &bytes);
                }
                e
            }
            None => js_error(Code::ComputationFailed, &other.to_string()),
        },
    }
}
