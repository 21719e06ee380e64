//! The native committee member: collects submissions from the relay, agrees
//! with the other members on the accepted set, runs the committee engine
//! over relay messages and publishes its signed result.
//!
//! [`MemberState`] is the sans-IO part: it takes mailbox deliveries and
//! returns what to send. [`super::driver::run_member`] is the thin driver
//! around it (connection, backoff, resume from sequence numbers), over
//! tokio natively and the browser in wasm. `docs/session.md`
//! describes the lifecycle and restart behaviour.
//!
//! Dropouts: the members compute over an agreed live set of at least
//! 2t + 1 (PROTOCOLS.md, "Security with abort", step 5). Every member's
//! signed Ready names the members it computes with: every member at
//! first. A member that has waited [`crate::driver::Timeouts::dropout`]
//! for the same members ([`MemberState::drop_missing`]) announces a
//! live set without them, if at least 2t + 1 remain; a member adopts the
//! intersection of its set with any smaller one a live member announces
//! (again only down to 2t + 1), so the sets only shrink and converge. A
//! run starts when every member of a live set announced exactly that set
//! and the same inputs; its [`RunId`] covers the set and their epochs, so
//! members that disagree never mix messages (they wait, and shrink or
//! stall, never compute wrongly). A member left out stops with
//! [`MemberError::Excluded`]: it is not needed, and coming back later it
//! reads the smaller sets in its mailbox and stops again. With
//! n = 2t + 1 nobody can be left out: the members wait, and after
//! `Timeouts::stall` stop with [`MemberError::Stalled`] naming whom they
//! waited for. Each new run draws fresh randomness except the noise
//! (`sotto_core::engine::Ctx::bind_noise`), and a member takes part in at
//! most [`MAX_RUNS`] runs of one session.
//!
//! Durability: the member acknowledges its mailbox only after its result is
//! published. Until then the relay keeps every delivery, so a member that
//! restarts (crash, kill) reads its whole mailbox again from the start and
//! rebuilds the same inputs; nothing is kept on the member's disk.

use std::collections::VecDeque;

use rand_core::{Rng, SeedableRng};

use super::pieces::{self, Reassembler, TAG_PIECE};
use super::protocol::{self, Ready, TAG_ENGINE, TAG_READY};
use super::receipts;
use super::relay::{ClientError, Delivery};
use sotto_core::apps::{Computation, Outcome};
use sotto_core::engine::{self, EngineError, Party};
use sotto_core::envelope::challenge::{ChallengeSecret, challenge, check_answer, check_challenge};
use sotto_core::envelope::commitment::Commitment;
use sotto_core::envelope::complaint::{
    Complaint, Disclosed, OwnPart, PartCheck, PartKey, Verdict, challenge_context, check_part,
    complained_enc, part_key, settle,
};
use sotto_core::envelope::evidence::{Evidence, SignedMessage, verify_evidence};
use sotto_core::envelope::{
    Channel, ChannelHeader, EnvelopeError, ResultSignature, RunId, SubmissionId, result_message,
};
use sotto_core::field::Fp;
use sotto_core::keyfile::{MemberKeys, MemberPublicKeys, derivation_point, derived_secret};
use zeroize::Zeroizing;

use super::keys::{KeyAnswer, KeyError, KeyRequest};
use sotto_core::session::{SessionError, VerifiedManifest};
use sotto_core::share::ShareVec;
use sotto_wire::{CloseMarker, DeliveryKind, SubmissionDelivery};

/// Engine instance number of the tally computation.
const INSTANCE: u32 = 1;
/// Label of the engine randomness ([`MemberKeys::derive_secret`]).
const ENGINE_SEED_LABEL: &[u8] = b"sotto/engine-randomness/v1";
/// Most engine messages kept for an attempt that has not started yet.
const MAX_STASH: usize = 100_000;
/// Most runs of one session a member takes part in. Each run draws fresh
/// masks, so a value masked statistically in every run is seen under at
/// most this many independent masks: at most `MAX_RUNS * 2^-40` of
/// statistical distance (docs/engine.md, "Restarts").
pub const MAX_RUNS: usize = 16;

/// Errors of the committee member.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MemberError {
    /// The relay connection failed or the relay refused a request.
    #[error("relay: {0}")]
    Client(#[from] ClientError),
    /// The members disagree on the accepted submissions.
    #[error(
        "members {members:?} announced a different set of accepted submissions (or other commitments for them) than ours: the relay delivered different bundles, or those members deviated"
    )]
    Mismatch {
        /// The disagreeing members (1-based).
        members: Vec<u16>,
    },
    /// The committee computation failed.
    #[error("computation: {0}")]
    Engine(#[from] EngineError),
    /// A channel could not be set up or a message not sealed.
    #[error("channel: {0}")]
    Envelope(#[from] EnvelopeError),
    /// The manifest does not fit this member or this build.
    #[error("manifest: {0}")]
    Manifest(#[from] ManifestError),
    /// A member-to-member message failed authentication: the relay or the
    /// network altered it. The member stops rather than risk a wrong result.
    #[error(
        "a message from member {from} failed authentication ({reason}): the relay or the network is tampering with the computation"
    )]
    Tampered {
        /// The claimed sender.
        from: u16,
        /// What the channel reported.
        reason: String,
    },
    /// A member message is larger than [`pieces::MAX_MESSAGE`], the most
    /// a receiver reassembles.
    #[error("message: {0}")]
    Pieces(#[from] pieces::PieceError),
    /// The member finished without an outcome to return.
    #[error("session: finished without a result")]
    NoOutcome,
    /// Every committee member, this one included, has published its
    /// result already: there is nothing left to compute (the result is on
    /// the relay, behind the session's results link).
    #[error(
        "session: every committee member has published its result already; nothing is left to compute (open the results link to see it)"
    )]
    AlreadyDone,
    /// The other members went on without this one (it did not answer in
    /// time, or came back after they had): they compute with `live`.
    #[error(
        "the other members went on without this member (it did not answer in time); members {live:?} compute the result"
    )]
    Excluded {
        /// The members that compute the result.
        live: Vec<u16>,
    },
    /// The computation was started more often than [`MAX_RUNS`]: members
    /// keep restarting or dropping out, or one forces restarts.
    #[error(
        "the computation restarted {runs} times: a member keeps restarting or forcing restarts, so this member stops"
    )]
    TooManyRuns {
        /// Runs this member took part in.
        runs: usize,
    },
    /// A member complained about its part of a submission, and the
    /// complaint is false: the part it disclosed decrypts and matches the
    /// participant's commitment, or the complaint does not carry that
    /// member's part or a valid proof (`sotto_core::envelope::complaint`).
    #[error(
        "member {member} complained falsely about the submission at position {position}: it deviated from the protocol, so the computation stops"
    )]
    FalseComplaint {
        /// The member that complained.
        member: u16,
        /// The submission's log position.
        position: u64,
    },
    /// A member sent a share of an opening that the other members' shares
    /// prove wrong, and this member holds every share of that opening
    /// signed by its sender: [`MemberError::evidence`] proves the
    /// deviation to anyone with the manifest
    /// (`sotto_core::envelope::evidence`).
    #[error(
        "committee member {member} sent a wrong share in round {round} of the computation: it deviated from the protocol, and this member holds its signed message as proof"
    )]
    Proven {
        /// The member that sent the wrong share.
        member: u16,
        /// The engine round of the opening.
        round: u32,
        /// The signed shares of that opening.
        evidence: Box<Evidence>,
    },
    /// A member sent an engine message without a valid signature. The
    /// channel proves to this member that the message came from that
    /// member (only the two hold its key), so it deviated.
    #[error(
        "committee member {from} sent a computation message without a valid signature: it deviated from the protocol"
    )]
    Unsigned {
        /// The sender.
        from: u16,
    },
    /// The relay delivered this member a part that does not match the
    /// commitment its bundle carries (an honest relay refuses such
    /// bundles): the relay tampered, so the member stops.
    #[error(
        "the relay delivered a part at position {position} that does not match its bundle's commitment: the relay is tampering with the submissions"
    )]
    BadDelivery {
        /// The submission's log position.
        position: u64,
    },
    /// The member's keys refused a request, or answered another kind of
    /// request than the one asked ([`super::keys`]).
    #[error("keys: {0}")]
    Keys(#[from] KeyError),
    /// The outcome could not be encoded for publication.
    #[error("session: encoding the result: {0}")]
    EncodeResult(#[source] serde_json::Error),
    /// Reconnecting kept bringing nothing new, before the session closed
    /// (after the close, [`MemberError::Stalled`] reports it).
    #[error("session: {reconnects} reconnects in a row brought nothing new (last: {last})")]
    Fruitless {
        /// Reconnects in a row.
        reconnects: u32,
        /// Why the member reconnected the last time.
        #[source]
        last: crate::driver::Reconnect,
    },
    /// After the close, nothing new arrived for too long (see
    /// `driver::Timeouts::stall`), or reconnecting kept bringing nothing
    /// new: a member stopped, or the relay withholds messages. The member
    /// gives up rather than wait forever.
    #[error(
        "no progress after the session closed ({seconds} s without a new message, {resyncs} fruitless reconnects; waiting for members {waiting:?}): a member stopped, or the relay is withholding messages"
    )]
    Stalled {
        /// How long nothing new arrived.
        seconds: u64,
        /// Reconnects in a row that brought nothing new.
        resyncs: u32,
        /// The members whose messages this member still needs.
        waiting: Vec<u16>,
    },
}

impl MemberError {
    /// When the computation stopped because a committee member deviated
    /// or stopped answering: why, and the members that can be named (empty
    /// when nobody can be). `None` for any other failure.
    pub fn abort(&self) -> Option<(String, Vec<u16>)> {
        let named = |v: Vec<usize>| {
            v.into_iter()
                .filter_map(|m| u16::try_from(m).ok())
                .collect()
        };
        match self {
            MemberError::Engine(e) => e.culprits().map(|c| (e.to_string(), named(c))),
            // The relay may be the one tampering: nobody is named.
            MemberError::Tampered { .. } => Some((self.to_string(), Vec::new())),
            // Waiting is not deviating: a relay that withholds an honest
            // member's messages makes the others wait for it, so nobody
            // is named ([`MemberError::waiting`] says whom it waited for).
            MemberError::Stalled { .. } => Some((self.to_string(), Vec::new())),
            MemberError::TooManyRuns { .. } => Some((self.to_string(), Vec::new())),
            MemberError::FalseComplaint { member, .. } => Some((self.to_string(), vec![*member])),
            MemberError::Proven { member, .. } => Some((self.to_string(), vec![*member])),
            MemberError::Unsigned { from } => Some((self.to_string(), vec![*from])),
            MemberError::BadDelivery { .. } => Some((self.to_string(), Vec::new())),
            _ => None,
        }
    }

    /// The members a stalled member was still waiting for
    /// ([`MemberError::Stalled`]; empty for any other error). Not an
    /// accusation: they may have crashed, or the relay may be withholding
    /// their messages.
    pub fn waiting(&self) -> &[u16] {
        match self {
            MemberError::Stalled { waiting, .. } => waiting,
            _ => &[],
        }
    }

    /// The signed proof of a deviation, when this member holds one
    /// ([`MemberError::Proven`]): encode it with [`Evidence::to_bytes`],
    /// check it with `sotto_core::envelope::evidence::verify_evidence`.
    pub fn evidence(&self) -> Option<&Evidence> {
        match self {
            MemberError::Proven { evidence, .. } => Some(evidence),
            _ => None,
        }
    }
}

/// Why a manifest does not fit this member.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// The relay's manifest does not verify against the member link.
    #[error("{0}")]
    Mismatch(#[source] SessionError),
    /// The committee has no member with this member's index.
    #[error("the committee has no member {0}")]
    NoSuchMember(u16),
    /// The manifest's entry for this index has other keys.
    #[error(
        "member {member} of the manifest has other keys than this key file (fingerprint {fingerprint})"
    )]
    OtherKeys {
        /// This member's index.
        member: u16,
        /// The fingerprint of this member's own (public) keys.
        fingerprint: String,
    },
}

/// A test-only hook that rewrites each engine message (plaintext, before it
/// is sealed) this member sends to member `to`: it makes a deviating member
/// for tests. Never set in production code.
#[doc(hidden)]
pub type EngineTamper = Box<dyn FnMut(u16, &mut Vec<u8>) + Send>;

/// Something for the driver to send to the relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// A member-to-member message (`to` may be [`sotto_wire::BROADCAST`]).
    Send {
        /// Recipient.
        to: u16,
        /// Idempotency id (random, unique per sender).
        id: u64,
        /// The message.
        payload: Vec<u8>,
    },
    /// This member's published result blob.
    Publish(Vec<u8>),
    /// Page `page` of this member's sorted counted receipts, sent before
    /// the result when the result does not list them
    /// ([`receipts::pages`]).
    PublishReceipts {
        /// Page number, from 0.
        page: u64,
        /// The page's receipts, 32 bytes each.
        leaves: Vec<u8>,
    },
}

/// What this member holds of one accepted submission.
#[derive(Debug)]
enum Held {
    /// Its shares, checked against the participant's commitment.
    Shares(ShareVec),
    /// Its part failed: this member complains (in its Ready).
    Complained(Complaint),
    /// The commitment is for another committee size or threshold: every
    /// member sees it alike and excludes the submission.
    PublicFault,
    /// The relay delivered a part that does not match its commitment.
    BadDelivery,
}

/// One accepted submission.
#[derive(Debug)]
struct Accepted {
    receipt: [u8; 32],
    id: SubmissionId,
    commitment: Option<Commitment>,
    /// `protocol::part_digest` of the id and commitment, all zero for a
    /// part that does not decode.
    digest: [u8; 32],
    held: Held,
}

/// What the answer to a queued key request is for.
enum Then {
    /// The engine's per-session secret, from the X25519 output at `point`
    /// ([`derivation_point`]).
    Root {
        /// The point the keys were asked about.
        point: [u8; 32],
    },
    /// The channels with this member.
    Peer(u16),
    /// This member's part of the submission at `position` (the
    /// decapsulation's Diffie-Hellman output).
    Part {
        position: u64,
        receipt: [u8; 32],
        bytes: Vec<u8>,
    },
    /// The disclosure of this complaint, about the submission at
    /// `position` whose part's Diffie-Hellman output is `dh` (claimed
    /// when the keys cannot prove it).
    Disclosure {
        position: u64,
        accepted: Box<Accepted>,
        dh: Zeroizing<[u8; 32]>,
    },
    /// The answer to member `to`'s challenge about this member's
    /// complaint at `position` in `run` (X25519 with the challenge's
    /// point, whose proof held).
    Answer { run: RunId, to: u16, position: u64 },
    /// This member's Ready, to broadcast.
    Ready(Ready),
    /// An engine message of `run`, to seal on its channel to `to`.
    Engine {
        run: RunId,
        to: u16,
        opening: bool,
        bytes: Vec<u8>,
    },
    /// The result, to publish after its receipt pages.
    Result {
        bytes: Vec<u8>,
        counted: Vec<[u8; 32]>,
        outcome: Box<Outcome>,
    },
    /// Stopping with `error`: this member's own shares of the opening
    /// that named a culprit, to sign beside the others' as evidence.
    Evidence {
        error: EngineError,
        run: RunId,
        theirs: Vec<SignedMessage>,
        own: Vec<u8>,
    },
}

impl Then {
    /// Whether later deliveries wait for this answer. A signature only
    /// holds back the message it is for (its channel seals in order of
    /// signing); anything that reads deliveries holds them all back.
    fn holds_deliveries(&self) -> bool {
        !matches!(
            self,
            Then::Ready(_) | Then::Engine { .. } | Then::Result { .. } | Then::Answer { .. }
        )
    }
}

/// The checks of one run's claimed disclosures: this member's challenges
/// to complainers, and the channels that carry them and the answers to
/// the challenges it gets (instance [`protocol::CHECK_INSTANCE`]).
struct RunChecks {
    run: RunId,
    /// The complaints of the Readies agreed for `run`, by member: what
    /// it hashed, and what is settled once the checks pass (later Readies
    /// make another run).
    complaints: Vec<(u16, Vec<Complaint>)>,
    channels: SmallMap<u16, Channel>,
    /// This member's challenges, each answered right or not yet.
    challenges: Vec<Challenged>,
}

/// One challenge this member sent about a claimed disclosure.
struct Challenged {
    /// The complainer.
    from: u16,
    position: u64,
    secret: ChallengeSecret,
    claimed: [u8; 32],
    passed: bool,
}

/// What settling the agreed complaints gave.
struct Settled {
    /// The positions excluded, sorted, each once.
    excluded: Vec<u64>,
    /// Claimed disclosures still to check: (complainer, position).
    to_check: Vec<(u16, u64)>,
}

struct Running {
    run: RunId,
    party: Party<Outcome>,
    channels: SmallMap<u16, Channel>,
    /// The live peers' signature keys.
    verifying: SmallMap<u16, ed25519_dalek::VerifyingKey>,
    /// Signed opening messages of the rounds the engine has not finished
    /// with, by round: the evidence if an opening names a culprit.
    openings: SmallMap<u32, Vec<SignedMessage>>,
}

/// The sans-IO state of one member for one session.
pub struct MemberState {
    public: MemberPublicKeys,
    me: u16,
    manifest: VerifiedManifest,
    spec: Computation,
    vlen: usize,
    epoch: u64,
    /// Accepted submissions by log position.
    submissions: Positions<Accepted>,
    unreadable: u64,
    closed: Option<u64>,
    my_hash: Option<[u8; 32]>,
    /// The members this member computes with (sorted; see "Dropouts").
    live: Vec<u16>,
    readies: SmallMap<u16, Ready>,
    running: Option<Running>,
    /// The checks of the run agreed last, kept while it computes (the
    /// others may still challenge this member).
    checks: Option<RunChecks>,
    /// Every run this member built channels for: never again.
    used_runs: Vec<RunId>,
    /// Channel frames of a run this member has not reached yet, with
    /// their tag ([`TAG_ENGINE`] or [`protocol::TAG_CHECK`]).
    stash: VecDeque<(u16, u8, Vec<u8>)>,
    outbox: VecDeque<Outgoing>,
    /// Requests for the keys, in order, each with what its answer is for
    /// ([`super::keys`]).
    pending: VecDeque<(KeyRequest, Then)>,
    /// Deliveries held back while a request they must follow is pending.
    inbox: VecDeque<Delivery>,
    /// The engine's per-session secret, once the keys have answered.
    root: Option<Zeroizing<[u8; 32]>>,
    /// The X25519 output with each other member's key: its channels.
    peer_dh: SmallMap<u16, Zeroizing<[u8; 32]>>,
    pieces: Reassembler,
    outcome: Option<Outcome>,
    rng: chacha20::ChaCha20Rng,
    tamper: Option<EngineTamper>,
    deviation: Option<(engine::Deviation, u32)>,
    /// Tests: sign engine messages wrongly.
    #[cfg(test)]
    sign_badly: bool,
    /// Tests: change the output this member claims in its complaints.
    #[cfg(test)]
    tamper_claim: Option<fn(&mut [u8; 32])>,
}

impl std::fmt::Debug for MemberState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberState")
            .field("me", &self.me)
            .field("submissions", &self.submissions.len())
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

/// Checks that `manifest` names the keys `public` as member `me` and
/// describes a session kind this member can compute; returns the
/// computation.
pub fn check_manifest(
    manifest: &VerifiedManifest,
    public: &MemberPublicKeys,
    me: u16,
) -> Result<Computation, MemberError> {
    let m = &manifest.manifest;
    let entry = m
        .committee
        .member(me)
        .ok_or(ManifestError::NoSuchMember(me))?;
    if entry.x25519 != public.x25519 || entry.ed25519 != public.ed25519 {
        return Err(ManifestError::OtherKeys {
            member: me,
            fingerprint: public.fingerprint().to_string(),
        }
        .into());
    }
    Ok(m.computation())
}

impl MemberState {
    /// A member `me` whose keys are `public`, for the verified
    /// `manifest`, running with a new `epoch`, larger than any earlier
    /// start's (see [`protocol`] and [`new_epoch`]). Its first requests to
    /// the keys ([`MemberState::key_request`]) are the X25519 outputs it
    /// derives its engine secret and its channels from.
    pub fn new(
        public: MemberPublicKeys,
        me: u16,
        manifest: VerifiedManifest,
        epoch: u64,
        seed: [u8; 32],
    ) -> Result<MemberState, MemberError> {
        let spec = check_manifest(&manifest, &public, me)?;
        let vlen = spec.len();
        let m = &manifest.manifest;
        let n = m.committee.members.len() as u16;
        let point = derivation_point(
            ENGINE_SEED_LABEL,
            &[m.session_id.as_bytes(), &me.to_be_bytes()],
        );
        let mut pending = VecDeque::with_capacity(usize::from(n));
        pending.push_back((KeyRequest::Dh(point), Then::Root { point }));
        for (peer, entry) in (1..=n).zip(&m.committee.members) {
            if peer != me {
                pending.push_back((KeyRequest::Dh(*entry.x25519.as_bytes()), Then::Peer(peer)));
            }
        }
        Ok(MemberState {
            live: (1..=n).collect(),
            public,
            me,
            manifest,
            spec,
            vlen,
            epoch,
            submissions: Positions::default(),
            unreadable: 0,
            closed: None,
            my_hash: None,
            readies: SmallMap::default(),
            running: None,
            checks: None,
            used_runs: Vec::new(),
            stash: VecDeque::new(),
            outbox: VecDeque::new(),
            pending,
            inbox: VecDeque::new(),
            root: None,
            peer_dh: SmallMap::default(),
            pieces: Reassembler::default(),
            outcome: None,
            rng: chacha20::ChaCha20Rng::from_seed(seed),
            tamper: None,
            deviation: None,
            #[cfg(test)]
            sign_badly: false,
            #[cfg(test)]
            tamper_claim: None,
        })
    }

    fn n(&self) -> u16 {
        self.manifest.manifest.committee.members.len() as u16
    }

    /// The next request for the member's keys, if any: answer it with
    /// [`Self::key_answer`] ([`super::keys`]). Answer every request before
    /// sending: a message may wait for its signature.
    pub fn key_request(&self) -> Option<&KeyRequest> {
        self.pending.front().map(|(r, _)| r)
    }

    /// Takes the keys' answer to [`Self::key_request`], and goes on with
    /// whatever waited for it (held deliveries included).
    pub fn key_answer(&mut self, answer: KeyAnswer) -> Result<(), MemberError> {
        let wrong = |why: &str| {
            MemberError::Keys(KeyError {
                what: "answer the request asked",
                why: why.into(),
            })
        };
        let (_, then) = self
            .pending
            .pop_front()
            .ok_or_else(|| wrong("nothing was asked"))?;
        match (then, answer) {
            (Then::Root { point }, KeyAnswer::Dh(dh)) => {
                let m = &self.manifest.manifest;
                let info: [&[u8]; 2] = [m.session_id.as_bytes(), &self.me.to_be_bytes()];
                // As `MemberKeys::derive_secret`: a small-order point
                // (probability below 2^-250) gives zeros.
                let dh = dh.unwrap_or_default();
                self.root = Some(derived_secret(&dh, &point, ENGINE_SEED_LABEL, &info));
            }
            // A small-order member key (a manifest the organizer made
            // so) fails when the channel is derived from the zeros.
            (Then::Peer(peer), KeyAnswer::Dh(dh)) => {
                self.peer_dh.insert(peer, dh.unwrap_or_default());
            }
            (
                Then::Part {
                    position,
                    receipt,
                    bytes,
                },
                KeyAnswer::Dh(dh),
            ) => {
                // The key is a valid point of large order: only keys that
                // misbehave give no output (zeros would make this honest
                // member's complaint false, a reviewer's finding).
                let dh = dh.ok_or_else(|| KeyError {
                    what: "compute a part's Diffie-Hellman output",
                    why: "the keys gave none for a valid encapsulated key".into(),
                })?;
                if let Some(accepted) = self.read_part_with(position, receipt, &bytes, &dh) {
                    self.accept(position, accepted);
                }
            }
            (
                Then::Disclosure {
                    position,
                    mut accepted,
                    dh,
                },
                KeyAnswer::Disclosure(d),
            ) => {
                // Keys that cannot prove claim the output, and every other
                // member challenges the claim (`envelope::challenge`).
                #[allow(unused_mut)]
                let mut claimed = *dh;
                #[cfg(test)]
                if let Some(tamper) = self.tamper_claim {
                    tamper(&mut claimed);
                }
                if let Held::Complained(c) = &mut accepted.held {
                    c.disclosure = Some(match d {
                        Some(d) => Disclosed::Proven(d),
                        None => Disclosed::Claimed(claimed),
                    });
                }
                self.accept(position, *accepted);
            }
            (Then::Answer { run, to, position }, KeyAnswer::Dh(dh)) => {
                let Some(answer) = dh else {
                    tracing::warn!(
                        from = to,
                        "a challenge's point has small order: not answered"
                    );
                    return self.take_held();
                };
                self.send_check(
                    run,
                    to,
                    &protocol::Check::Answer {
                        position,
                        answer: *answer,
                    },
                )?;
            }
            (Then::Ready(ready), KeyAnswer::Signature(sig)) => {
                let payload = ready.encode_signed(self.n(), &sig);
                let id = relay_id(&mut self.rng);
                self.outbox.push_back(Outgoing::Send {
                    to: sotto_wire::BROADCAST,
                    id,
                    payload,
                });
            }
            (
                Then::Engine {
                    run,
                    to,
                    opening,
                    bytes,
                },
                KeyAnswer::Signature(signature),
            ) => self.send_engine(run, to, opening, bytes, signature)?,
            (
                Then::Result {
                    bytes,
                    counted,
                    outcome,
                },
                KeyAnswer::Signature(signature),
            ) => self.publish(bytes, &counted, *outcome, signature),
            (
                Then::Evidence {
                    error,
                    run,
                    theirs,
                    own,
                },
                KeyAnswer::Signature(signature),
            ) => {
                let mine = SignedMessage {
                    opening: true,
                    signature,
                    bytes: own,
                };
                return Err(proven(&self.manifest, run, theirs, mine, error));
            }
            _ => return Err(wrong("the answer is of another kind")),
        }
        self.take_held()
    }

    /// Answers every request with keys at hand ([`super::keys::answer_now`];
    /// tests and simulations).
    pub fn answer_with(
        &mut self,
        keys: &MemberKeys,
        rng: &mut impl rand_core::CryptoRng,
    ) -> Result<(), MemberError> {
        while let Some(request) = self.key_request() {
            let answer = super::keys::answer_now(keys, rng, request)?;
            self.key_answer(answer)?;
        }
        Ok(())
    }

    /// Whether a pending request holds deliveries back.
    fn holding(&self) -> bool {
        self.pending.iter().any(|(_, t)| t.holds_deliveries())
    }

    /// Handles the deliveries held back, until one asks the keys again.
    fn take_held(&mut self) -> Result<(), MemberError> {
        while !self.holding() {
            let Some(d) = self.inbox.pop_front() else {
                break;
            };
            self.handle(&d)?;
        }
        Ok(())
    }

    /// The next message to send, if any (remove it with [`Self::sent`]).
    pub fn peek_outgoing(&self) -> Option<&Outgoing> {
        self.outbox.front()
    }

    /// The front message was delivered to the relay.
    pub fn sent(&mut self) {
        self.outbox.pop_front();
    }

    /// The result, once computed.
    pub fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    /// Submissions stored so far.
    pub fn submissions(&self) -> u64 {
        self.submissions.len() as u64
    }

    /// Whether the close marker has arrived.
    pub fn is_closed(&self) -> bool {
        self.closed.is_some()
    }

    /// The members this member waits for: before the close none (it waits
    /// for the relay), then those whose Ready is missing, then those whose
    /// engine messages the computation needs next.
    pub fn waiting_for(&self) -> Vec<u16> {
        if self.closed.is_none() || self.outcome.is_some() {
            return Vec::new();
        }
        if let Some(w) = self.running.as_ref().and_then(|r| r.party.waiting_for()) {
            return w.missing.iter().map(|&m| m as u16).collect();
        }
        // Complainers whose answers to this member's challenges are due.
        if let Some(checks) = &self.checks
            && self.running.is_none()
        {
            let mut due: Vec<u16> = Vec::new();
            for c in checks.challenges.iter().filter(|c| !c.passed) {
                if !due.contains(&c.from) {
                    due.push(c.from);
                }
            }
            if !due.is_empty() {
                return due;
            }
        }
        self.live
            .iter()
            .copied()
            .filter(|m| self.readies.get(m).is_none_or(|r| r.live != self.live))
            .collect()
    }

    /// The members this member computes with: every member, or the live
    /// set agreed after some dropped out.
    pub fn live(&self) -> &[u16] {
        &self.live
    }

    /// What changes when the computation moves: the runs started, the
    /// engine round waited on, and whom this member waits for. The driver
    /// measures how long it stays the same ([`Self::drop_missing`]).
    pub(crate) fn progress_mark(&self) -> (usize, Option<u32>, Vec<u16>) {
        let round = self
            .running
            .as_ref()
            .and_then(|r| r.party.waiting_for())
            .map(|w| w.round);
        (self.used_runs.len(), round, self.waiting_for())
    }

    /// Called by the driver after this member has waited
    /// [`crate::driver::Timeouts::dropout`] for the same members: goes on
    /// without them if at least 2t + 1 members remain (announcing the
    /// smaller live set, which the others adopt, and leaving the current
    /// run), and returns whom it left out; with fewer it keeps waiting and
    /// returns nothing.
    pub fn drop_missing(&mut self) -> Result<Vec<u16>, MemberError> {
        if self.my_hash.is_none() || self.outcome.is_some() {
            return Ok(Vec::new());
        }
        let missing = self.waiting_for();
        let rest: Vec<u16> = self
            .live
            .iter()
            .copied()
            .filter(|m| !missing.contains(m))
            .collect();
        if missing.is_empty() || rest.len() < self.quorum() || !rest.contains(&self.me) {
            return Ok(Vec::new());
        }
        tracing::warn!(
            member = self.me,
            ?missing,
            "going on without members that do not answer"
        );
        self.live = rest;
        self.running = None;
        self.checks = None;
        self.announce()?;
        Ok(missing)
    }

    /// 2t + 1: the fewest members that can compute.
    fn quorum(&self) -> usize {
        2 * usize::from(self.manifest.manifest.committee.threshold) + 1
    }

    /// Adopts the intersection of this member's live set with `theirs`,
    /// announced by a live member, when at least 2t + 1 remain: the sets
    /// only shrink, so every member converges on the same one.
    fn merge_live(&mut self, from: u16, theirs: &[u16]) -> Result<(), MemberError> {
        let merged = intersect(&self.live, theirs);
        if merged == self.live || self.outcome.is_some() {
            return Ok(());
        }
        if merged.len() < self.quorum() {
            tracing::warn!(
                from,
                ?theirs,
                "a member announced a live set that leaves fewer than 2t + 1 with ours: kept ours"
            );
            return Ok(());
        }
        if !merged.contains(&self.me) {
            return Err(MemberError::Excluded { live: merged });
        }
        tracing::info!(member = self.me, live = ?merged, "going on with fewer members");
        self.live = merged;
        self.running = None;
        self.checks = None;
        self.announce()
    }

    /// Installs a test-only [`EngineTamper`] hook.
    #[doc(hidden)]
    pub fn set_engine_tamper(&mut self, tamper: EngineTamper) {
        self.tamper = Some(tamper);
    }

    /// Makes this member deviate on purpose (tests and simulations only).
    #[doc(hidden)]
    pub fn set_deviation(&mut self, how: engine::Deviation, from_round: u32) {
        self.deviation = Some((how, from_round));
    }

    /// Submissions whose part this member could not use: it did not
    /// decrypt, or its shares did not match the participant's commitment
    /// (this member complains about them in its Ready), or the commitment
    /// was for another committee. Settled complaints exclude them at every
    /// member alike (`sotto_core::envelope::complaint`).
    pub fn unreadable(&self) -> u64 {
        self.unreadable
    }

    /// Whether this member deviates by complaining about an honest part
    /// now (once, about the first part it reads; native tests and
    /// simulations only).
    fn complains_falsely(&self) -> bool {
        #[cfg(not(target_arch = "wasm32"))]
        if matches!(self.deviation, Some((engine::Deviation::Complain, _))) {
            return !self
                .submissions
                .values()
                .any(|a| matches!(a.held, Held::Complained(_)));
        }
        false
    }

    /// Handles one mailbox delivery (held back while the keys have a
    /// request to answer that it must follow).
    pub fn on_delivery(&mut self, d: &Delivery) -> Result<(), MemberError> {
        if self.holding() || !self.inbox.is_empty() {
            self.inbox.push_back(d.clone());
            return Ok(());
        }
        self.handle(d)
    }

    fn handle(&mut self, d: &Delivery) -> Result<(), MemberError> {
        match d.kind {
            DeliveryKind::Submission => self.on_submission(d.id, &d.payload),
            DeliveryKind::Closed => {
                let marker = CloseMarker::decode(&d.payload).map_err(ClientError::from)?;
                self.on_close(marker.submissions)
            }
            DeliveryKind::Direct | DeliveryKind::Broadcast => {
                let whole;
                let payload = if d.payload.first() == Some(&TAG_PIECE) {
                    match self.pieces.accept(d.from, &d.payload) {
                        Ok(Some(m)) if m.first() != Some(&TAG_PIECE) => {
                            whole = m;
                            &whole
                        }
                        Ok(_) => return Ok(()),
                        Err(e) => {
                            tracing::warn!(from = d.from, error = %e, "ignoring a message piece");
                            return Ok(());
                        }
                    }
                } else {
                    &d.payload
                };
                match payload.first() {
                    Some(&TAG_READY) => self.on_ready(d.from, payload)?,
                    Some(&TAG_ENGINE) => self.on_engine(d.from, payload[1..].to_vec())?,
                    Some(&protocol::TAG_CHECK) => self.on_check(d.from, payload[1..].to_vec())?,
                    _ => tracing::warn!(from = d.from, "ignoring malformed member message"),
                }
                Ok(())
            }
            // A kind this version does not know (the wire decoder refuses
            // unknown codes, so only a newer wire crate could produce one).
            kind => {
                tracing::warn!(?kind, "ignoring a delivery of an unknown kind");
                Ok(())
            }
        }
    }

    fn on_submission(&mut self, position: u64, payload: &[u8]) -> Result<(), MemberError> {
        // The accepted set, and with it the complaints, is fixed at the
        // close marker (the inputs hash is announced then): an honest
        // relay delivers no submission after it, and letting one in would
        // let a tampering relay add a complaint behind a hash the others
        // agree with, to be judged against their commitments (a
        // reviewer's finding).
        if self.closed.is_some() {
            tracing::warn!(position, "ignoring a submission delivered after the close");
            return Ok(());
        }
        let Ok(sd) = SubmissionDelivery::decode(payload) else {
            tracing::warn!(position, "malformed submission delivery: ignored");
            return Ok(());
        };
        if sd.replaces != 0 {
            self.submissions.remove(sd.replaces);
        }
        if let Some(accepted) = self.read_part(position, sd.receipt, sd.ciphertext) {
            self.accept(position, accepted);
        }
        Ok(())
    }

    /// Holds `accepted` at `position`.
    fn accept(&mut self, position: u64, accepted: Accepted) {
        match &accepted.held {
            Held::Shares(_) => {}
            Held::BadDelivery => tracing::warn!(
                position,
                "the relay delivered a part that does not match its commitment"
            ),
            Held::Complained(_) | Held::PublicFault => {
                self.unreadable += 1;
                tracing::warn!(
                    position,
                    "a submission part failed its checks: complaining, it will be excluded"
                );
            }
        }
        self.submissions.insert(position, accepted);
    }

    /// Reads this member's part of the submission at `position`
    /// (`sotto_core::envelope::complaint` has the checks): what it holds,
    /// or `None` when the keys were asked for the part's Diffie-Hellman
    /// output first ([`Then::Part`]).
    fn read_part(&mut self, position: u64, receipt: [u8; 32], bytes: &[u8]) -> Option<Accepted> {
        self.read_part_or_ask(position, receipt, bytes, None)
    }

    /// [`Self::read_part`] once the keys gave the part's `dh`.
    fn read_part_with(
        &mut self,
        position: u64,
        receipt: [u8; 32],
        bytes: &[u8],
        dh: &[u8; 32],
    ) -> Option<Accepted> {
        self.read_part_or_ask(position, receipt, bytes, Some(dh))
    }

    fn read_part_or_ask(
        &mut self,
        position: u64,
        receipt: [u8; 32],
        bytes: &[u8],
        dh: Option<&[u8; 32]>,
    ) -> Option<Accepted> {
        let Ok(part) = protocol::decode_part(bytes) else {
            return Some(Accepted {
                receipt,
                id: SubmissionId([0; 16]),
                commitment: None,
                digest: [0; 32],
                held: Held::BadDelivery,
            });
        };
        let committee = &self.manifest.manifest.committee;
        let digest = protocol::part_digest(&part.id, part.commitment_bytes);
        let held = if part.commitment.hashes.len() != committee.members.len()
            || part.commitment.t != committee.threshold
        {
            Held::PublicFault
        } else if part.commitment.hashes[usize::from(self.me) - 1]
            != sotto_wire::part_hash(part.sealed)
        {
            Held::BadDelivery
        } else {
            let own = OwnPart {
                session: &self.manifest.manifest.session_id,
                manifest: &self.manifest.hash,
                id: &part.id,
                member: self.me,
                position,
                sealed: part.sealed,
            };
            let dh = match (dh, part_key(&own)) {
                (_, PartKey::Complain(complaint)) => {
                    return Some(self.holding_part(
                        &part,
                        digest,
                        receipt,
                        Held::Complained(complaint),
                    ));
                }
                (Some(dh), PartKey::Dh(_)) => dh,
                (None, PartKey::Dh(enc)) => {
                    let then = Then::Part {
                        position,
                        receipt,
                        bytes: bytes.to_vec(),
                    };
                    self.pending.push_back((KeyRequest::Dh(enc), then));
                    return None;
                }
            };
            let mut check = check_part(&own, dh, &self.public.x25519, self.vlen, &part.commitment);
            if matches!(check, PartCheck::Shares(_))
                && self.complains_falsely()
                && let Some(false_complaint) =
                    sotto_core::envelope::complaint::false_complaint(&own)
            {
                check = false_complaint;
            }
            match check {
                PartCheck::Shares(s) => Held::Shares(s),
                PartCheck::Complain(c) => Held::Complained(c),
                PartCheck::Disclose(c, request) => {
                    let accepted = self.holding_part(&part, digest, receipt, Held::Complained(c));
                    let then = Then::Disclosure {
                        position,
                        accepted: Box::new(accepted),
                        dh: Zeroizing::new(*dh),
                    };
                    self.pending
                        .push_back((KeyRequest::Disclose(request), then));
                    return None;
                }
            }
        };
        Some(self.holding_part(&part, digest, receipt, held))
    }

    /// What this member holds of a decoded `part`.
    fn holding_part(
        &self,
        part: &protocol::Part<'_>,
        digest: [u8; 32],
        receipt: [u8; 32],
        held: Held,
    ) -> Accepted {
        Accepted {
            receipt,
            id: part.id,
            commitment: Some(part.commitment.clone()),
            digest,
            held,
        }
    }

    fn on_close(&mut self, submissions: u64) -> Result<(), MemberError> {
        if self.closed.is_some() {
            return Ok(());
        }
        self.closed = Some(submissions);
        self.submissions.retain(|pos| pos <= submissions);
        let hash = protocol::inputs_hash(
            self.submissions
                .iter()
                .map(|(p, a)| (p, &a.receipt, &a.digest)),
        );
        self.my_hash = Some(hash);
        // Smaller live sets announced before our close (a member that
        // comes back reads them here).
        let held: Vec<(u16, Vec<u16>)> = self
            .readies
            .iter()
            .filter(|(m, _)| **m != self.me)
            .map(|(m, r)| (*m, r.live.clone()))
            .collect();
        for (from, theirs) in held {
            if !self.live.contains(&from) {
                continue;
            }
            let merged = intersect(&self.live, &theirs);
            if merged.len() < self.quorum() {
                continue;
            }
            if !merged.contains(&self.me) {
                return Err(MemberError::Excluded { live: merged });
            }
            self.live = merged;
        }
        tracing::info!(
            member = self.me,
            accepted = self.submissions.len(),
            unreadable = self.unreadable,
            "session closed; announcing the accepted set"
        );
        self.announce()
    }

    /// Signs and broadcasts our Ready for the current epoch, then tries to
    /// start.
    fn announce(&mut self) -> Result<(), MemberError> {
        let Some(hash) = self.my_hash else {
            return Ok(());
        };
        let complaints = self
            .submissions
            .values()
            .filter_map(|a| match &a.held {
                Held::Complained(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        let ready = Ready {
            epoch: self.epoch,
            hash,
            live: self.live.clone(),
            complaints,
        };
        let to_sign = ready.to_sign(&self.manifest.manifest.session_id, self.me, self.n());
        self.pending
            .push_back((KeyRequest::Sign(to_sign), Then::Ready(ready.clone())));
        self.readies.insert(self.me, ready);
        self.try_start()
    }

    fn on_ready(&mut self, from: u16, bytes: &[u8]) -> Result<(), MemberError> {
        let m = &self.manifest.manifest;
        let r = match Ready::verify(bytes, &m.committee, &m.session_id, from) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(from, error = %e, "ignoring a ready message");
                return Ok(());
            }
        };
        if from == self.me {
            return Ok(());
        }
        // A later epoch supersedes (the member restarted); within one
        // epoch only a smaller live set does. Anything else is a replay
        // or a second, conflicting Ready, and is ignored.
        let newer = match self.readies.get(&from) {
            None => true,
            Some(held) if r.epoch != held.epoch => r.epoch > held.epoch,
            Some(held) => {
                r.live.len() < held.live.len() && r.live.iter().all(|x| held.live.contains(x))
            }
        };
        if !newer {
            tracing::warn!(from, "ignoring a superseded or conflicting ready message");
            return Ok(());
        }
        let live = r.live.clone();
        self.readies.insert(from, r);
        // Only a member this member still computes with moves its set.
        if self.live.contains(&from) && self.my_hash.is_some() {
            self.merge_live(from, &live)?;
        }
        self.try_start()
    }

    /// Starts (or restarts) the computation once every live member
    /// announced this live set and the same inputs hash; fails naming the
    /// members that disagree on the inputs. A run whose complaints claim
    /// their disclosures starts computing once this member's challenges
    /// about them are answered right ([`Self::try_compute`]).
    fn try_start(&mut self) -> Result<(), MemberError> {
        let Some(mine) = self.my_hash else {
            return Ok(());
        };
        // The keys answer the secrets' requests before any delivery.
        if self.root.is_none() || self.outcome.is_some() {
            return Ok(());
        }
        let mut agreed = Vec::with_capacity(self.live.len());
        for m in &self.live {
            match self.readies.get(m) {
                Some(r) if r.live == self.live => agreed.push((*m, r.epoch, r.hash)),
                _ => return Ok(()),
            }
        }
        // A part the relay damaged is this member's own finding, named as
        // such (nobody at fault) before the hashes, which it also changes.
        if let Some((position, _)) = self
            .submissions
            .iter()
            .find(|(_, a)| matches!(a.held, Held::BadDelivery))
        {
            return Err(MemberError::BadDelivery { position });
        }
        let hashes: Vec<(u16, [u8; 32])> = agreed.iter().map(|(m, _, h)| (*m, *h)).collect();
        let members = protocol::disagreeing(&mine, &hashes);
        if !members.is_empty() {
            return Err(MemberError::Mismatch { members });
        }
        let epochs: Vec<(u16, u64)> = agreed.iter().map(|(m, e, _)| (*m, *e)).collect();
        let complaints = protocol::complaints_digest(
            agreed
                .iter()
                .filter_map(|(m, _, _)| Some((*m, self.readies.get(m)?.complaints.as_slice()))),
        );
        let run = protocol::run_for(&self.manifest.manifest.session_id, &epochs, &complaints);
        if self.checks.as_ref().is_some_and(|c| c.run == run) {
            return Ok(());
        }
        let agreed: Vec<(u16, Vec<Complaint>)> = epochs
            .iter()
            .filter_map(|(m, _)| Some((*m, self.readies.get(m)?.complaints.clone())))
            .collect();
        let settled = self.settle_complaints(&agreed, &[])?;
        if self.used_runs.contains(&run) {
            // Channels of a used run would repeat nonces under their keys.
            tracing::warn!(
                member = self.me,
                "refusing to return to a run this member already used"
            );
            return Ok(());
        }
        if self.used_runs.len() >= MAX_RUNS {
            return Err(MemberError::TooManyRuns {
                runs: self.used_runs.len(),
            });
        }
        self.used_runs.push(run);
        if self.running.take().is_some() {
            tracing::info!(
                member = self.me,
                "a member restarted: restarting the computation"
            );
        }
        let mut checks = RunChecks {
            run,
            complaints: agreed,
            channels: self.channels(&run, protocol::CHECK_INSTANCE)?,
            challenges: Vec::with_capacity(settled.to_check.len()),
        };
        // Challenge every claimed disclosure of another member.
        let session = self.manifest.manifest.session_id;
        for (from, position) in settled.to_check {
            let claimed = checks
                .complaints
                .iter()
                .filter(|(m, _)| *m == from)
                .flat_map(|(_, list)| list)
                .find(|c| c.position == position)
                .and_then(|c| match &c.disclosure {
                    Some(Disclosed::Claimed(u)) => Some((*u, complained_enc(c)?)),
                    _ => None,
                });
            let (Some((claimed, enc)), Some(a)) = (claimed, self.submissions.get(position)) else {
                return Err(MemberError::FalseComplaint {
                    member: from,
                    position,
                });
            };
            let context = challenge_context(&session, &a.id, from, self.me, &run);
            let (secret, c) = challenge(&mut self.rng, &enc, &context)?;
            let message = protocol::Check::Challenge {
                position,
                challenge: c,
            };
            seal_check(&mut checks, &mut self.outbox, &mut self.rng, from, &message)?;
            checks.challenges.push(Challenged {
                from,
                position,
                secret,
                claimed,
                passed: false,
            });
        }
        self.checks = Some(checks);
        self.replay_stash()?;
        self.try_compute()
    }

    /// Starts computing the agreed run once every challenge this member
    /// sent about it was answered right.
    fn try_compute(&mut self) -> Result<(), MemberError> {
        let Some(checks) = self.checks.as_ref() else {
            return Ok(());
        };
        if checks.challenges.iter().any(|c| !c.passed)
            || self.running.as_ref().is_some_and(|r| r.run == checks.run)
        {
            return Ok(());
        }
        let run = checks.run;
        let passed: Vec<(u16, u64)> = checks
            .challenges
            .iter()
            .map(|c| (c.from, c.position))
            .collect();
        let settled = self.settle_complaints(&checks.complaints, &passed)?;
        self.compute(run, &settled.excluded)
    }

    /// This member's channels with each other live member for `instance`
    /// of `run`.
    fn channels(&self, run: &RunId, instance: u32) -> Result<SmallMap<u16, Channel>, MemberError> {
        let m = &self.manifest.manifest;
        let mut channels = SmallMap::default();
        for &peer in &self.live {
            if peer == self.me {
                continue;
            }
            let entry = &m.committee.members[usize::from(peer) - 1];
            let dh = self
                .peer_dh
                .get(&peer)
                .ok_or(EnvelopeError::BadMember(peer))?;
            channels.insert(
                peer,
                Channel::from_dh(
                    dh,
                    (self.me, &self.public.x25519),
                    (peer, &entry.x25519),
                    m.session_id,
                    instance,
                    run,
                )?,
            );
        }
        Ok(channels)
    }

    /// Starts the engine for `run` without the submissions at `excluded`.
    fn compute(&mut self, run: RunId, excluded: &[u64]) -> Result<(), MemberError> {
        let Some(root) = self.root.clone() else {
            return Ok(());
        };
        let channels = self.channels(&run, INSTANCE)?;
        let m = &self.manifest.manifest;
        let mut verifying = SmallMap::default();
        for &peer in &self.live {
            if peer == self.me {
                continue;
            }
            let entry = &m.committee.members[usize::from(peer) - 1];
            verifying.insert(
                peer,
                entry
                    .ed25519
                    .verifying_key()
                    // Checked when the manifest was verified.
                    .map_err(ManifestError::Mismatch)?,
            );
        }
        let committee = engine::Committee {
            n: usize::from(self.n()),
            t: usize::from(m.committee.threshold),
        };
        let spec = self.spec.clone();
        let (tags, inputs): (Vec<Option<Fp>>, Vec<ShareVec>) = self
            .submissions
            .iter()
            .map(|(pos, a)| match &a.held {
                Held::Shares(s) if excluded.binary_search(&pos).is_err() => {
                    (Some(protocol::part_tag(&a.digest)), s.clone())
                }
                _ => (None, ShareVec::from_values(Vec::new())),
            })
            .unzip();
        // Fresh randomness for every run, except the noise: it comes from
        // this member's per-session secret (`root`), bound to the valid
        // submissions (`Ctx::bind_noise`), so a rerun repeats it for the
        // same outputs.
        let mut seed = [0u8; 32];
        self.rng.fill_bytes(&mut seed);
        let rng: engine::BoxRng = Box::new(chacha20::ChaCha20Rng::from_seed(seed));
        #[cfg(not(target_arch = "wasm32"))]
        let deviation = self.deviation;
        let live = self.live.iter().map(|&m| usize::from(m)).collect();
        let mut party = Party::over(
            committee,
            live,
            usize::from(self.me),
            u64::from(run.attempt()),
            rng,
            move |ctx| async move {
                ctx.set_root_secret(root);
                #[cfg(not(target_arch = "wasm32"))]
                if let Some((how, from)) = deviation {
                    ctx.set_deviation(how, from);
                }
                spec.compute_bundled(&ctx, &tags, &inputs).await
            },
        )?;
        party.start();
        tracing::info!(member = self.me, attempt = run.attempt(), "computing");
        self.running = Some(Running {
            run,
            party,
            channels,
            verifying,
            openings: SmallMap::default(),
        });
        self.flush_party()?;
        self.replay_stash()
    }

    /// Hands the stashed channel frames to their handlers again (those
    /// still early are stashed again).
    fn replay_stash(&mut self) -> Result<(), MemberError> {
        let stash = std::mem::take(&mut self.stash);
        for (from, tag, frame) in stash {
            if tag == protocol::TAG_CHECK {
                self.on_check(from, frame)?;
            } else {
                self.on_engine(from, frame)?;
            }
        }
        Ok(())
    }

    /// Keeps a channel frame of a run this member has not reached.
    fn stash(&mut self, from: u16, tag: u8, frame: Vec<u8>) {
        if self.stash.len() >= MAX_STASH {
            self.stash.pop_front();
        }
        self.stash.push_back((from, tag, frame));
    }

    /// Settles every complaint in the agreed Readies (`agreed`, by
    /// member): the positions proven to be a participant's
    /// cheat, with those whose commitment is for another committee; a
    /// false complaint stops this member, naming the complainer. A
    /// claimed disclosure counts when it is this member's own or in
    /// `passed` (complainer, position); the others are listed to check.
    /// The positions come sorted, each once.
    fn settle_complaints(
        &self,
        agreed: &[(u16, Vec<Complaint>)],
        passed: &[(u16, u64)],
    ) -> Result<Settled, MemberError> {
        let m = &self.manifest.manifest;
        let mut excluded: Vec<u64> = self
            .submissions
            .iter()
            .filter(|(_, a)| matches!(a.held, Held::PublicFault))
            .map(|(p, _)| p)
            .collect();
        let mut to_check = Vec::new();
        for (member, complaints) in agreed {
            for c in complaints {
                let false_complaint = MemberError::FalseComplaint {
                    member: *member,
                    position: c.position,
                };
                let Some(a) = self.submissions.get(c.position) else {
                    return Err(false_complaint);
                };
                if matches!(a.held, Held::PublicFault) {
                    continue;
                }
                let Some(commitment) = &a.commitment else {
                    return Err(false_complaint);
                };
                let checked = *member == self.me || passed.contains(&(*member, c.position));
                match settle(
                    &m.committee,
                    &m.session_id,
                    &self.manifest.hash,
                    &a.id,
                    commitment,
                    self.vlen,
                    *member,
                    c,
                    checked,
                ) {
                    Verdict::ParticipantCheated => {
                        if let Err(i) = excluded.binary_search(&c.position) {
                            excluded.insert(i, c.position);
                        }
                    }
                    Verdict::FalseComplaint => return Err(false_complaint),
                    Verdict::Challenge => to_check.push((*member, c.position)),
                }
            }
        }
        Ok(Settled { excluded, to_check })
    }

    /// A check message from member `from`: a challenge about this
    /// member's claimed disclosure (answered through its keys when the
    /// challenge's proof holds), or the answer to one of this member's.
    fn on_check(&mut self, from: u16, frame: Vec<u8>) -> Result<(), MemberError> {
        let Ok(header) = ChannelHeader::from_bytes(&frame) else {
            tracing::warn!(from, "ignoring a malformed check message");
            return Ok(());
        };
        let Some(checks) = self
            .checks
            .as_mut()
            .filter(|c| c.run.attempt() == header.attempt)
        else {
            self.stash(from, protocol::TAG_CHECK, frame);
            return Ok(());
        };
        let Some(channel) = checks.channels.get_mut(&from) else {
            return Ok(());
        };
        let opened = match channel.open(&frame) {
            Ok(o) => o,
            Err(e @ EnvelopeError::Replay { .. }) => {
                tracing::warn!(from, error = %e, "ignored a replayed check message");
                return Ok(());
            }
            Err(e) => {
                return Err(MemberError::Tampered {
                    from,
                    reason: e.to_string(),
                });
            }
        };
        let run = checks.run;
        match protocol::Check::decode(&opened.plaintext) {
            Err(e) => tracing::warn!(from, error = %e, "ignoring a malformed check message"),
            Ok(protocol::Check::Challenge {
                position,
                challenge,
            }) => {
                // Only about this member's own claimed disclosure, and
                // only when the challenger proves it knows the point's
                // make-up: anything else would make its key a
                // Diffie-Hellman oracle (`envelope::challenge`).
                let own = self.readies.get(&self.me).and_then(|r| {
                    r.complaints
                        .iter()
                        .find(|c| c.position == position)
                        .filter(|c| matches!(c.disclosure, Some(Disclosed::Claimed(_))))
                        .and_then(complained_enc)
                });
                let point = own
                    .zip(self.submissions.get(position))
                    .and_then(|(enc, a)| {
                        let session = &self.manifest.manifest.session_id;
                        let context = challenge_context(session, &a.id, self.me, from, &run);
                        check_challenge(&enc, &context, &challenge)
                    });
                match point {
                    Some(u) => self.pending.push_back((
                        KeyRequest::Dh(u),
                        Then::Answer {
                            run,
                            to: from,
                            position,
                        },
                    )),
                    None => tracing::warn!(
                        from,
                        position,
                        "refusing a challenge that is not about this member's claim or whose proof does not hold"
                    ),
                }
            }
            Ok(protocol::Check::Answer { position, answer }) => {
                let member_key = self
                    .manifest
                    .manifest
                    .committee
                    .member(from)
                    .map(|m| m.x25519);
                let Some(c) = checks
                    .challenges
                    .iter_mut()
                    .find(|c| c.from == from && c.position == position && !c.passed)
                else {
                    return Ok(());
                };
                let right =
                    member_key.is_some_and(|k| check_answer(&c.secret, &k, &c.claimed, &answer));
                if !right {
                    return Err(MemberError::FalseComplaint {
                        member: from,
                        position,
                    });
                }
                c.passed = true;
                return self.try_compute();
            }
        }
        Ok(())
    }

    /// Seals `message` on the check channel to `to` of `run` and queues it
    /// (dropped if another run's checks replaced `run`'s).
    fn send_check(
        &mut self,
        run: RunId,
        to: u16,
        message: &protocol::Check,
    ) -> Result<(), MemberError> {
        let Some(checks) = self.checks.as_mut().filter(|c| c.run == run) else {
            return Ok(());
        };
        seal_check(checks, &mut self.outbox, &mut self.rng, to, message)
    }

    fn on_engine(&mut self, from: u16, frame: Vec<u8>) -> Result<(), MemberError> {
        let Ok(header) = ChannelHeader::from_bytes(&frame) else {
            tracing::warn!(from, "ignoring a malformed engine message");
            return Ok(());
        };
        let Some(run) = self
            .running
            .as_mut()
            .filter(|r| r.run.attempt() == header.attempt)
        else {
            self.stash(from, TAG_ENGINE, frame);
            return Ok(());
        };
        let Some(channel) = run.channels.get_mut(&from) else {
            return Ok(());
        };
        let opened = match channel.open(&frame) {
            Ok(o) => o,
            Err(e @ EnvelopeError::Replay { .. }) => {
                tracing::warn!(from, error = %e, "ignored a replayed engine message");
                return Ok(());
            }
            // Messages of this attempt come only from the channel's peer
            // through an honest relay: anything else is tampering, and the
            // message is lost for good, so stop with a clear error.
            Err(e) => {
                return Err(MemberError::Tampered {
                    from,
                    reason: e.to_string(),
                });
            }
        };
        // The channel proves the sender to this member; the signature
        // proves it to anyone (`sotto_core::envelope::evidence`).
        let session = &self.manifest.manifest.session_id;
        let mut plaintext = opened.plaintext;
        let signed = SignedMessage::from_plaintext(std::mem::take(&mut *plaintext))
            .ok()
            .filter(|s| {
                run.verifying
                    .get(&from)
                    .is_some_and(|key| s.verify(key, &self.manifest.hash, session, &run.run))
            })
            .ok_or(MemberError::Unsigned { from })?;
        if let Err(e) = run.party.handle_message(usize::from(from), &signed.bytes) {
            tracing::warn!(from, error = %e, "engine rejected a message");
        } else if signed.opening
            && let Some(round) = signed.round()
        {
            run.openings
                .get_or_insert_with(round, Vec::new)
                .push(signed);
        }
        self.flush_party()
    }

    /// Queues the engine's messages for signing and, once it finished,
    /// its result (or the evidence of the opening that stopped it).
    fn flush_party(&mut self) -> Result<(), MemberError> {
        let Some(run) = self.running.as_mut() else {
            return Ok(());
        };
        let session = self.manifest.manifest.session_id;
        while let Some(t) = run.party.poll_transmit() {
            let to = t.to as u16;
            if !run.channels.contains_key(&to) {
                continue;
            }
            let mut bytes = t.bytes;
            if let Some(tamper) = self.tamper.as_mut() {
                tamper(to, &mut bytes);
            }
            let to_sign =
                SignedMessage::to_sign(&self.manifest.hash, &session, &run.run, t.opening, &bytes);
            let then = Then::Engine {
                run: run.run,
                to,
                opening: t.opening,
                bytes,
            };
            self.pending.push_back((KeyRequest::Sign(to_sign), then));
        }
        // Rounds the engine has finished with are never evidence.
        let completed = run.party.completed_rounds();
        run.openings
            .retain(|&r, _| r.saturating_add(1) >= completed);
        if !run.party.is_finished() {
            return Ok(());
        }
        let outcome = match run.party.take_output() {
            None => return Ok(()),
            Some(Ok(o)) => o,
            Some(Err(e)) => {
                // An opening that named a culprit: this member's own
                // shares, signed, complete the evidence.
                let evidence = match &e {
                    EngineError::Opening { round, .. } => {
                        run.party.take_own_opening().zip(run.openings.remove(round))
                    }
                    _ => None,
                };
                let Some((own, theirs)) = evidence else {
                    return Err(e.into());
                };
                let to_sign =
                    SignedMessage::to_sign(&self.manifest.hash, &session, &run.run, true, &own);
                let then = Then::Evidence {
                    error: e,
                    run: run.run,
                    theirs,
                    own,
                };
                self.pending.push_back((KeyRequest::Sign(to_sign), then));
                return Ok(());
            }
        };
        // The signed result carries the hash of every value opened in the
        // run: t + 1 signatures on identical bytes then mean t + 1
        // members, one of them honest, saw the same openings. Beside it,
        // the receipts of the submissions counted ([`receipts`]):
        // `counted` indexes the submissions in the order they were given
        // to the engine, the map's (log) order.
        let receipts: Vec<[u8; 32]> = self.submissions.values().map(|a| a.receipt).collect();
        let counted = receipts::sorted(
            outcome
                .counted
                .iter()
                .filter_map(|&k| receipts.get(k).copied()),
        );
        let mut signed = outcome.to_json();
        if let serde_json::Value::Object(fields) = &mut signed {
            fields.insert(
                "transcript".into(),
                // The same hex encoding as the manifest hash's.
                sotto_wire::__hex::encode(run.party.transcript()).into(),
            );
            fields.insert("receipts".into(), receipts::counted_json_sorted(&counted));
        }
        let bytes = serde_json::to_vec(&signed).map_err(MemberError::EncodeResult)?;
        let to_sign = result_message(&session, &self.manifest.hash, &bytes);
        let then = Then::Result {
            bytes,
            counted,
            outcome: Box::new(outcome),
        };
        self.pending.push_back((KeyRequest::Sign(to_sign), then));
        Ok(())
    }

    /// Seals the signed engine message `bytes` of `run` on its channel to
    /// `to` and queues it (dropped if the run has been replaced since).
    fn send_engine(
        &mut self,
        run: RunId,
        to: u16,
        opening: bool,
        bytes: Vec<u8>,
        signature: [u8; 64],
    ) -> Result<(), MemberError> {
        let Some(channel) = self
            .running
            .as_mut()
            .filter(|r| r.run == run)
            .and_then(|r| r.channels.get_mut(&to))
        else {
            return Ok(());
        };
        #[allow(unused_mut)]
        let mut signed = SignedMessage {
            opening,
            signature,
            bytes,
        };
        #[cfg(test)]
        if self.sign_badly {
            signed.signature[0] ^= 1;
        }
        let mut payload = vec![TAG_ENGINE];
        payload.extend_from_slice(&channel.seal(0, &signed.to_plaintext())?);
        queue_send(&mut self.outbox, &mut self.rng, to, payload)
    }

    /// Queues the signed result `bytes` after the pages of its `counted`
    /// receipts, and takes `outcome` as this member's.
    fn publish(
        &mut self,
        bytes: Vec<u8>,
        counted: &[[u8; 32]],
        outcome: Outcome,
        signature: [u8; 64],
    ) {
        let sig = ResultSignature {
            member: self.me,
            signature,
        };
        // Too many to list: the pages the relay serves proofs from,
        // before the result that signs their root.
        for (page, leaves) in receipts::pages(counted) {
            self.outbox
                .push_back(Outgoing::PublishReceipts { page, leaves });
        }
        self.outbox
            .push_back(Outgoing::Publish(protocol::encode_result_blob(
                &sig, &bytes,
            )));
        tracing::info!(
            member = self.me,
            valid = outcome.valid,
            invalid = outcome.invalid,
            "result computed"
        );
        self.outcome = Some(outcome);
    }
}

#[cfg(test)]
#[path = "member_tests.rs"]
mod tests;

use super::positions::Positions;
use sotto_core::small_map::SmallMap;

/// The error for a computation that stopped with `e` at an opening that
/// named a culprit: with the signed shares of that opening (`theirs` and
/// this member's `mine`) as evidence, checked here as anyone would check
/// them ([`MemberError::Proven`]); otherwise `e` itself.
fn proven(
    manifest: &VerifiedManifest,
    run: RunId,
    theirs: Vec<SignedMessage>,
    mine: SignedMessage,
    e: EngineError,
) -> MemberError {
    let mut messages = theirs;
    messages.push(mine);
    let evidence = Evidence {
        session: manifest.manifest.session_id,
        run,
        messages,
    };
    match verify_evidence(manifest, &evidence) {
        Ok(p) if Some(vec![usize::from(p.member)]) == e.culprits() => MemberError::Proven {
            member: p.member,
            round: p.round,
            evidence: Box::new(evidence),
        },
        other => {
            tracing::warn!(
                ?other,
                "an opening named a culprit, but its evidence does not"
            );
            e.into()
        }
    }
}

/// The members of `ours` that are also in `theirs`, in order.
fn intersect(ours: &[u16], theirs: &[u16]) -> Vec<u16> {
    ours.iter()
        .copied()
        .filter(|m| theirs.contains(m))
        .collect()
}

/// A random message id (the relay deduplicates by id, over all 64 bits).
fn relay_id(rng: &mut impl Rng) -> u64 {
    rng.next_u64()
}

/// A new run epoch: `unix_ms * 2^16` plus 16 random bits, so that a later
/// start of the same member has a larger epoch (see [`protocol`]).
pub fn new_epoch(unix_ms: u64, rng: &mut impl Rng) -> u64 {
    (unix_ms << 16) | u64::from(rng.next_u32() & 0xffff)
}

/// Queues `payload` for member `to`: as it is when it fits one relay
/// frame, else in pieces that do ([`pieces`]), each its own relay message.
fn queue_send(
    outbox: &mut VecDeque<Outgoing>,
    rng: &mut impl Rng,
    to: u16,
    payload: Vec<u8>,
) -> Result<(), MemberError> {
    for payload in pieces::split(payload, rng.next_u64(), pieces::MAX_PAYLOAD)? {
        let id = relay_id(rng);
        outbox.push_back(Outgoing::Send { to, id, payload });
    }
    Ok(())
}

/// Seals `message` on `checks`' channel to `to` and queues it.
fn seal_check(
    checks: &mut RunChecks,
    outbox: &mut VecDeque<Outgoing>,
    rng: &mut impl Rng,
    to: u16,
    message: &protocol::Check,
) -> Result<(), MemberError> {
    let Some(channel) = checks.channels.get_mut(&to) else {
        return Ok(());
    };
    let mut payload = vec![protocol::TAG_CHECK];
    payload.extend_from_slice(&channel.seal(0, &message.encode())?);
    queue_send(outbox, rng, to, payload)
}
