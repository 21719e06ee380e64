//! The enumerated bytes of the protocol: frame kinds, states, roles,
//! delivery kinds and error codes.

use super::WireError;

macro_rules! byte_enum {
    ($(#[$m:meta])* $name:ident, $field:literal { $($(#[$vm:meta])* $v:ident = $n:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name { $($(#[$vm])* $v = $n,)* }

        impl TryFrom<u8> for $name {
            type Error = WireError;
            fn try_from(b: u8) -> Result<Self, WireError> {
                match b {
                    $($n => Ok($name::$v),)*
                    other => Err(WireError::InvalidValue { field: $field, value: u64::from(other) }),
                }
            }
        }
    };
}

byte_enum! {
    /// What a frame asks for or carries. Requests have the high bit clear,
    /// relay replies and deliveries have it set.
    Kind, "kind" {
        /// Authenticate this connection to a session with a token (payload);
        /// members put the last sequence number they processed in `seq`.
        Hello = 0x01,
        /// Create a session; payload [`CreateParams`](super::CreateParams); reply [`Kind::Created`].
        Create = 0x02,
        /// Organizer: register the manifest blob (payload) while in draft.
        RegisterManifest = 0x03,
        /// Organizer: move the session to the state in the payload's byte.
        SetState = 0x04,
        /// Organizer: mint participant tokens; payload [`MintRequest`](super::MintRequest).
        MintTokens = 0x05,
        /// Participant: submit a [`Bundle`](super::Bundle); `id` is the idempotency id.
        Submit = 0x06,
        /// Member: send to member `to` (or [`BROADCAST`](super::BROADCAST)); `id` makes it idempotent.
        Send = 0x07,
        /// Member: everything up to and including `seq` was processed.
        AckMailbox = 0x08,
        /// Member: publish this member's signed result blob (payload).
        Publish = 0x09,
        /// Anyone: fetch the manifest of `session`.
        GetManifest = 0x0A,
        /// Holder of the read token (payload): fetch published results.
        GetResults = 0x0B,
        /// Organizer or member: which members are connected; reply
        /// [`Kind::Presence`]. Empty payload after a Hello; before one, the
        /// 32-byte member (or organizer) token, and the reply's `seq` is
        /// the session state (a member's console that has not joined).
        GetPresence = 0x0C,
        /// Organizer: which single-use tokens have answered; payload empty
        /// (the first page) or the last digest of the previous page; reply
        /// [`Kind::UsedTokens`].
        GetUsedTokens = 0x0D,
        /// Member, after close: page `seq` (from 0) of the sorted receipts
        /// it counted, [`RECEIPT_PAGE`](super::RECEIPT_PAGE) x 32 bytes
        /// at most, for sessions too large to list them in the result.
        PublishReceipts = 0x0E,
        /// Holder of the read token: the proof about one receipt in the
        /// tree of member `to`'s published receipts; payload read token
        /// (32) || receipt (32); reply [`Kind::ReceiptProof`].
        GetReceiptProof = 0x0F,
        /// Reply to Hello: payload [`Welcome`](super::Welcome).
        Welcome = 0x81,
        /// Reply to Create: `session` is the new id, payload [`Created`](super::Created).
        Created = 0x82,
        /// Success reply echoing `id`; for Submit, `seq` is the log position
        /// and the payload the 32-byte receipt.
        Ack = 0x83,
        /// A mailbox entry for a member: `seq`, `from`, `id`, `tag` =
        /// [`DeliveryKind`].
        Deliver = 0x84,
        /// Reply to GetManifest: the manifest blob.
        Manifest = 0x85,
        /// Reply to GetResults: payload [`Results`](super::Results).
        Results = 0x86,
        /// Reply to MintTokens: payload [`TokenList`](super::TokenList).
        Tokens = 0x87,
        /// Reply to GetPresence: payload [`Presence`](super::Presence).
        Presence = 0x88,
        /// Reply to GetUsedTokens: payload [`UsedTokens`](super::UsedTokens).
        UsedTokens = 0x89,
        /// Reply to GetReceiptProof: payload
        /// [`ReceiptProof`](super::ReceiptProof).
        ReceiptProof = 0x8A,
        /// A refused request or bad frame: payload [`ErrorBody`](super::ErrorBody), `id` echoed.
        Error = 0xFF,
    }
}

byte_enum! {
    /// Lifecycle of a session; it only moves forward.
    SessionState, "session state" {
        /// Created; the organizer may register the manifest.
        Draft = 0,
        /// Accepting submissions.
        Open = 1,
        /// No more submissions; close markers are in every mailbox.
        Closed = 2,
        /// Members exchange protocol messages.
        Computing = 3,
        /// Every member published its result.
        Done = 4,
    }
}

byte_enum! {
    /// What a token lets its holder do.
    Role, "role" {
        /// Manages the session.
        Organizer = 1,
        /// Reads published results.
        Reader = 2,
        /// Committee member `from` of the Welcome header.
        Member = 3,
        /// Single-use participant token: one submission.
        Participant = 4,
        /// Open-link participant token: many submissions, rate-limited per address.
        OpenParticipant = 5,
    }
}

byte_enum! {
    /// The kind of participant tokens to mint.
    TokenMode, "token mode" {
        /// One token per person, one submission each.
        SingleUse = 1,
        /// One shared link; submissions rate-limited per network address.
        OpenLink = 2,
    }
}

byte_enum! {
    /// What a [`super::Kind::Deliver`] frame carries (its `tag`).
    DeliveryKind, "delivery kind" {
        /// A participant's ciphertext for this member: [`SubmissionDelivery`](super::SubmissionDelivery).
        Submission = 1,
        /// A protocol message from member `from` to this member.
        Direct = 2,
        /// A protocol message from member `from` to every member.
        Broadcast = 3,
        /// The session closed: [`CloseMarker`](super::CloseMarker); submissions before it count.
        Closed = 4,
    }
}

byte_enum! {
    /// Why a request or frame was refused.
    ErrorCode, "error code" {
        /// The frame's header or length is inconsistent (closes the connection).
        BadFrame = 1,
        /// The protocol version is not spoken here (closes the connection).
        UnsupportedVersion = 2,
        /// The frame exceeds the relay's size limit (closes the connection).
        TooLarge = 3,
        /// The frame names another session than the connection's (closes it).
        WrongSession = 4,
        /// The token is unknown, or the connection has not said Hello.
        Unauthorized = 5,
        /// The connection's role may not do this.
        Forbidden = 6,
        /// The single-use token already submitted and resubmission is off.
        TokenUsed = 7,
        /// The session's state does not allow this (e.g. submit after close).
        BadState = 8,
        /// Too many requests; slow down.
        RateLimited = 9,
        /// A relay limit (sessions, mailbox size, connections) is reached.
        LimitReached = 10,
        /// No such session or object.
        NotFound = 11,
        /// The payload is malformed for its kind.
        BadRequest = 12,
        /// The relay failed internally (e.g. storage); retrying may help.
        Internal = 13,
    }
}

impl ErrorCode {
    /// The WebSocket close code that follows this error, if it ends the
    /// connection (4000-4999 is the application range; 1009 is "too big").
    pub fn close_code(self) -> Option<u16> {
        match self {
            ErrorCode::BadFrame => Some(4001),
            ErrorCode::UnsupportedVersion => Some(4002),
            ErrorCode::TooLarge => Some(1009),
            ErrorCode::WrongSession => Some(4004),
            _ => None,
        }
    }
}
