//! What only a committee member's secret keys can do, asked of whoever
//! holds them.
//!
//! The member's state machine ([`crate::member::MemberState`]) never
//! holds the secret keys. It asks for the few operations that need them,
//! one [`KeyRequest`] at a time, and goes on with the [`KeyAnswer`]:
//!
//! | request | for | how often |
//! |---|---|---|
//! | X25519 with a point | the engine's per-session secret ([`sotto_core::keyfile::derivation_point`]), the channel with each other member, each submission part's decapsulation | once, once per member, once per part |
//! | an Ed25519 signature | the Ready message, every engine message, the result, the member's own share in evidence | a few hundred per run |
//! | a disclosure | a complaint about a part that fails (a proof of equal discrete logarithms, which needs the scalar; keys that cannot make it answer `None`, and the member's claim is challenged instead) | once per complaint |
//! | X25519 with a challenge's point | answering another member's challenge about such a claim, once its proof holds | once per challenger |
//!
//! A [`KeyAgent`] answers them. [`MemberKeys`] is one, with the secrets in
//! memory (the native daemon, the Node member); a browser can answer the
//! first two through WebCrypto with keys that no script can read. The
//! driver ([`crate::driver::run_member`]) runs one code path for every
//! agent: it answers the state's requests as they come, in order.
//!
//! **Why answering in order is safe.** The state queues a request with
//! what to do with its answer, and nothing that depends on an answer
//! happens before it: a part waiting for its Diffie-Hellman output holds
//! back every later delivery (the close marker must see every part
//! before it), and a message waiting for its signature is sealed on its
//! channel only when signed, after the ones before it. An agent that
//! refuses a request stops the member with [`crate::member::MemberError::Keys`].

use std::future::Future;

use zeroize::Zeroizing;

use sotto_core::envelope::complaint::DisclosureRequest;
use sotto_core::envelope::disclosure::{Disclosure, disclose};
use sotto_core::keyfile::{MemberKeys, MemberPublicKeys};

/// Something only the member's secret keys can do.
#[derive(Clone, PartialEq, Eq)]
pub enum KeyRequest {
    /// X25519 (RFC 7748) of the member's secret with this u-coordinate.
    Dh([u8; 32]),
    /// The Ed25519 signature (RFC 8032) of these bytes.
    Sign(Vec<u8>),
    /// A disclosure of the Diffie-Hellman output of a part's encapsulated
    /// key, with its proof (`sotto_core::envelope::disclosure`).
    Disclose(DisclosureRequest),
}

impl core::fmt::Debug for KeyRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            KeyRequest::Dh(_) => f.write_str("Dh"),
            KeyRequest::Sign(m) => write!(f, "Sign({} bytes)", m.len()),
            KeyRequest::Disclose(_) => f.write_str("Disclose"),
        }
    }
}

/// The keys' answer to a [`KeyRequest`], of the same kind.
pub enum KeyAnswer {
    /// The X25519 output; `None` when it is all zero (a small-order
    /// point), which WebCrypto refuses to give.
    Dh(Option<Zeroizing<[u8; 32]>>),
    /// The 64-byte signature.
    Signature([u8; 64]),
    /// The disclosure with its proof, or `None` from keys that cannot make
    /// the proof (it needs the secret scalar): the member then claims the
    /// output and the others challenge the claim
    /// (`sotto_core::envelope::challenge`).
    Disclosure(Option<Disclosure>),
}

impl core::fmt::Debug for KeyAnswer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            KeyAnswer::Dh(_) => "Dh",
            KeyAnswer::Signature(_) => "Signature",
            KeyAnswer::Disclosure(_) => "Disclosure",
        })
    }
}

/// Why keys did not answer a request. The message never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the member's keys could not {what}: {why}")]
pub struct KeyError {
    /// What was asked ("sign", "compute a Diffie-Hellman output", ...).
    pub what: &'static str,
    /// Why not.
    pub why: String,
}

/// The holder of a committee member's secret keys (module docs). Native
/// agents are `Send + Sync` with `Send` answers, so a native member runs
/// on any tokio runtime; in wasm nothing is sent between threads, and an
/// answer may wait on a JavaScript promise.
#[cfg(not(target_arch = "wasm32"))]
pub trait KeyAgent: Send + Sync {
    /// The member's public keys.
    fn public(&self) -> MemberPublicKeys;
    /// Answers `request`.
    fn answer(
        &self,
        request: &KeyRequest,
    ) -> impl Future<Output = Result<KeyAnswer, KeyError>> + Send;
}

/// The holder of a committee member's secret keys (module docs). Native
/// agents are `Send + Sync` with `Send` answers, so a native member runs
/// on any tokio runtime; in wasm nothing is sent between threads, and an
/// answer may wait on a JavaScript promise.
#[cfg(target_arch = "wasm32")]
pub trait KeyAgent {
    /// The member's public keys.
    fn public(&self) -> MemberPublicKeys;
    /// Answers `request`.
    fn answer(&self, request: &KeyRequest) -> impl Future<Output = Result<KeyAnswer, KeyError>>;
}

/// Answers `request` with the secrets at hand (the proof of a disclosure
/// draws its nonce from `rng`).
pub fn answer_now(
    keys: &MemberKeys,
    rng: &mut impl rand_core::CryptoRng,
    request: &KeyRequest,
) -> Result<KeyAnswer, KeyError> {
    Ok(match request {
        KeyRequest::Dh(u) => KeyAnswer::Dh(keys.dh(u)),
        KeyRequest::Sign(m) => KeyAnswer::Signature(keys.sign(m)),
        KeyRequest::Disclose(r) => {
            let proven = disclose(rng, keys, &r.enc, &r.context).map_err(|e| KeyError {
                what: "disclose a part's Diffie-Hellman output",
                why: e.to_string(),
            })?;
            KeyAnswer::Disclosure(Some(proven))
        }
    })
}

impl KeyAgent for MemberKeys {
    fn public(&self) -> MemberPublicKeys {
        MemberKeys::public(self)
    }

    async fn answer(&self, request: &KeyRequest) -> Result<KeyAnswer, KeyError> {
        answer_now(self, &mut crate::os_rng(), request)
    }
}
