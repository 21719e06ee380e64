//! Errors of the committee engine.

use crate::field::FieldError;
use crate::share::ShareError;

/// Everything that can go wrong in a committee computation.
///
/// Message errors ([`EngineError::BadMessage`] and friends) concern one
/// incoming message: the message is dropped and the party keeps running.
/// Protocol errors end the computation with that error as its output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The committee parameters are invalid (need 1 <= n, 2t + 1 <= n, 1 <= me <= n).
    #[error("invalid committee: n = {n}, t = {t}, member = {me}")]
    BadCommittee {
        /// Number of members.
        n: usize,
        /// Threshold.
        t: usize,
        /// This member's index.
        me: usize,
    },
    /// The live set is not a sorted set of at least 2t + 1 members of the
    /// committee that includes this member.
    #[error(
        "invalid live set {live:?}: need at least 2t + 1 = {} distinct members of 1..={n}, sorted, including member {me}",
        2 * .t + 1
    )]
    BadLiveSet {
        /// The live set given.
        live: Vec<usize>,
        /// Number of members.
        n: usize,
        /// Threshold.
        t: usize,
        /// This member's index.
        me: usize,
    },
    /// An incoming message could not be decoded.
    #[error("malformed engine message: {0}")]
    BadMessage(&'static str),
    /// A field element in a message was not canonical.
    #[error("malformed engine message: {0}")]
    BadElement(#[from] FieldError),
    /// The message was for another computation instance.
    #[error("message belongs to computation instance {got}, this is {expected}")]
    WrongInstance {
        /// Instance id carried by the message.
        got: u64,
        /// This party's instance id.
        expected: u64,
    },
    /// The message's sender or recipient does not match the transport.
    #[error(
        "message from member {claimed} arrived on the channel of member {actual} (or was addressed to someone else)"
    )]
    WrongSender {
        /// Sender named in the message header.
        claimed: usize,
        /// Sender according to the transport.
        actual: usize,
    },
    /// A message for this round and sender was already received or consumed.
    #[error("duplicate or stale message from member {from} for round {round}")]
    Duplicate {
        /// Sender.
        from: usize,
        /// Round number.
        round: u32,
    },
    /// A message arrived for a round too far ahead of this party.
    #[error(
        "message from member {from} for round {round} is too far ahead (current round {current})"
    )]
    TooFarAhead {
        /// Sender.
        from: usize,
        /// Round named in the message.
        round: u32,
        /// This party's current round.
        current: u32,
    },
    /// A peer sent a vector of the wrong length for the round.
    #[error("member {from} sent {got} values in round {round}, expected {expected}")]
    WrongLength {
        /// Sender.
        from: usize,
        /// Round.
        round: u32,
        /// Values received.
        got: usize,
        /// Values expected.
        expected: usize,
    },
    /// Reconstruction failed: the opened shares are inconsistent.
    #[error("opening in round {round} failed: {source}")]
    Opening {
        /// Round of the opening.
        round: u32,
        /// The sharing error, naming the inconsistent member when identifiable.
        source: ShareError,
    },
    /// Sharing parameters or shapes were invalid.
    #[error(transparent)]
    Share(#[from] ShareError),
    /// Operands of a vector operation have different lengths, or a request is out of range.
    #[error("invalid operation: {0}")]
    InvalidOperation(&'static str),
    /// The preprocessing pool ran out of random bits or masks.
    #[error(
        "preprocessing exhausted: the operation needs more random bits or masks than were prepared"
    )]
    PreprocessingExhausted,
    /// An opened value lies outside the range the computation allows (a
    /// count above the number of ballots, a sum beyond 64 bits): it is
    /// refused, never truncated.
    #[error("opened value out of range: {0}")]
    OutOfRange(&'static str),
    /// A check of the protocol failed: some member deviated (sent a wrong
    /// share, re-shared a wrong product, dealt a value out of its range).
    /// The computation stops; nothing computed from the checked values is
    /// opened.
    #[error("a committee member deviated from the protocol: the check of {what} failed")]
    CheckFailed {
        /// What was checked.
        what: &'static str,
    },
    /// A member is proven to have deviated (its own dealing failed a check
    /// that only its values enter).
    #[error("committee member {member} deviated from the protocol: {what}")]
    Deviated {
        /// The member (1-based).
        member: usize,
        /// What it did.
        what: &'static str,
    },
    /// The audit of a failed preprocessing check (`engine::ops::audit`)
    /// proved that these members re-shared wrong products: each one's
    /// dealing, as the other members received it, lies on one polynomial
    /// of degree t whose value differs from the product its own shares
    /// give. An honest member is never named (see the audit's docs).
    #[error(
        "committee {} deviated from the protocol: re-shared wrong products in {what} (found by the audit of the failed check)",
        named(.members)
    )]
    WrongProducts {
        /// The members (1-based), in order.
        members: Vec<usize>,
        /// The preprocessing audited.
        what: &'static str,
    },
    /// These members sent part tags other than this member's
    /// ([`crate::apps::validity::agree_on_bundles`]), although the tags
    /// derive from the submissions every member agreed on before
    /// computing: honest members hold the same tags, so a member whose
    /// tags differ from an honest member's deviated.
    #[error(
        "committee {} deviated from the protocol: sent the tags of other submissions than the ones every member agreed on",
        named(.members)
    )]
    WrongTags {
        /// The members (1-based), in order.
        members: Vec<usize>,
    },
    /// The computation already finished; no more messages are accepted.
    #[error("the computation has already finished")]
    Finished,
}

/// "member 2" or "members 2, 5", for the errors that name several.
fn named(members: &[usize]) -> String {
    let list = members
        .iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if members.len() == 1 {
        format!("member {list}")
    } else {
        format!("members {list}")
    }
}

impl EngineError {
    /// For an error that means some member deviated from the protocol, the
    /// members it names (empty when nobody can be named, as with n = 3 or a
    /// failed preprocessing check); `None` for any other error.
    pub fn culprits(&self) -> Option<Vec<usize>> {
        match self {
            EngineError::Opening {
                source: ShareError::Inconsistent { member, .. },
                ..
            } => Some(member.iter().copied().collect()),
            EngineError::CheckFailed { .. } => Some(Vec::new()),
            EngineError::Deviated { member, .. } => Some(vec![*member]),
            EngineError::WrongProducts { members, .. } | EngineError::WrongTags { members } => {
                Some(members.clone())
            }
            _ => None,
        }
    }
}
