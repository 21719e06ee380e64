//! Member-to-member channels: authenticated encryption of protocol messages
//! between each ordered pair of committee members.
//!
//! Keys. For members A and B of a session, in computation `instance` and
//! run `run` (a [`RunId`]: 32 bytes that are fresh for every start or
//! restart of the computation):
//!
//! ```text
//! dh      = X25519(sk_A, pk_B) = X25519(sk_B, pk_A)          RFC 7748 section 6.1
//! prk     = HKDF-Extract(salt = "sotto/channel/v3", dh)      RFC 5869 section 2.2
//! K_{A->B} = HKDF-Expand(prk, info_{A->B}, 32)               RFC 5869 section 2.3
//! info_{A->B} = "sotto/channel/v3" || session (16) || instance (u32) || run (32)
//!               || A (u16) || pk_A (32) || B (u16) || pk_B (32)
//! ```
//!
//! The header carries `attempt` = the first four bytes of `run`, to route
//! a frame to its run; the key depends on all 32 bytes.
//!
//! Messages. `frame = header (41 bytes) || ChaCha20-Poly1305(K_{from->to},
//! nonce, plaintext, AAD = header)` (RFC 8439 section 2.8) with
//!
//! ```text
//! header = 0x01 || session (16) || from (u16) || to (u16) || instance (u32)
//!          || attempt (u32) || round (u32) || seq (u64)          (big endian)
//! nonce  = round (u32) || seq (u64)
//! ```
//!
//! Why it is sound:
//! - Each direction of each (session, instance, run) has its own key, and
//!   a sender's `seq` strictly increases, so a nonce never repeats under a
//!   key. The one way to break this is to build two [`Channel`]s for the
//!   same pair and run and send on both (for instance after a crash that
//!   lost the counter): a restarted member must use a new `run`, and a
//!   member never builds a channel twice for one run (the committee member
//!   keeps the runs it used and refuses to return to one).
//! - The whole header is authenticated, so the relay cannot move a message
//!   to another session, pair, attempt or round, or renumber it; the
//!   receiver accepts only `seq` above the highest it accepted from that
//!   sender, so replays and reordered old messages are refused
//!   ([`EnvelopeError::Replay`]). Dropped messages show as gaps in `seq`.
//! - Only the two members can compute `dh`, so a valid tag proves the
//!   sender (the only other holder of the key).
//! - No forward secrecy: keys come from static keys only. Whoever later
//!   steals a member's X25519 secret and kept the relay's ciphertexts can
//!   read that member's past traffic. The protocol tolerates this up to t
//!   compromised members, as their traffic carries only their own shares.

use core::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use zeroize::Zeroizing;

use super::EnvelopeError;
use crate::keyfile::MemberKeys;
use crate::session::{SessionId, X25519PublicKey};

const LABEL: &[u8] = b"sotto/channel/v3";
const VERSION: u8 = 1;
/// Length of a channel message header in bytes.
pub const CHANNEL_HEADER_LEN: usize = 41;
const TAG_LEN: usize = 16;

/// What makes one run of a computation unique: 32 bytes that differ for
/// every start and restart (the committee member hashes every member's
/// signed, monotonic epoch into it). Channel keys are derived from all of
/// it; headers carry its first four bytes as the `attempt`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RunId(pub [u8; 32]);

impl RunId {
    /// The 32-bit attempt number carried in headers.
    pub fn attempt(&self) -> u32 {
        u32::from_be_bytes([self.0[0], self.0[1], self.0[2], self.0[3]])
    }
}

impl fmt::Debug for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RunId({:08x}..)", self.attempt())
    }
}

/// The authenticated header of a channel message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelHeader {
    /// Session.
    pub session: SessionId,
    /// Sender's 1-based member index.
    pub from: u16,
    /// Recipient's 1-based member index.
    pub to: u16,
    /// Computation instance within the session.
    pub instance: u32,
    /// Attempt of that computation (a restart uses a new attempt).
    pub attempt: u32,
    /// Protocol round.
    pub round: u32,
    /// Sender's sequence number in this direction and attempt.
    pub seq: u64,
}

impl ChannelHeader {
    /// The 41-byte encoding (module docs).
    pub fn to_bytes(&self) -> [u8; CHANNEL_HEADER_LEN] {
        let mut b = [0u8; CHANNEL_HEADER_LEN];
        b[0] = VERSION;
        b[1..17].copy_from_slice(self.session.as_bytes());
        b[17..19].copy_from_slice(&self.from.to_be_bytes());
        b[19..21].copy_from_slice(&self.to.to_be_bytes());
        b[21..25].copy_from_slice(&self.instance.to_be_bytes());
        b[25..29].copy_from_slice(&self.attempt.to_be_bytes());
        b[29..33].copy_from_slice(&self.round.to_be_bytes());
        b[33..41].copy_from_slice(&self.seq.to_be_bytes());
        b
    }

    /// Parses the header at the start of a frame (not yet authenticated).
    pub fn from_bytes(bytes: &[u8]) -> Result<ChannelHeader, EnvelopeError> {
        let Some(&version) = bytes.first() else {
            return Err(EnvelopeError::Malformed("empty channel message"));
        };
        if version != VERSION {
            return Err(EnvelopeError::UnsupportedVersion(version));
        }
        let Some(b) = bytes.get(..CHANNEL_HEADER_LEN) else {
            return Err(EnvelopeError::Malformed("channel header is truncated"));
        };
        let u16_at = |i: usize| u16::from_be_bytes([b[i], b[i + 1]]);
        let u32_at = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let mut session = [0u8; 16];
        session.copy_from_slice(&b[1..17]);
        let mut seq = [0u8; 8];
        seq.copy_from_slice(&b[33..41]);
        Ok(ChannelHeader {
            session: SessionId(session),
            from: u16_at(17),
            to: u16_at(19),
            instance: u32_at(21),
            attempt: u32_at(25),
            round: u32_at(29),
            seq: u64::from_be_bytes(seq),
        })
    }

    fn nonce(&self) -> Nonce {
        let mut n = [0u8; 12];
        n[..4].copy_from_slice(&self.round.to_be_bytes());
        n[4..].copy_from_slice(&self.seq.to_be_bytes());
        Nonce::from(n)
    }
}

/// An authenticated, decrypted channel message.
pub struct OpenedMessage {
    /// Its header.
    pub header: ChannelHeader,
    /// The plaintext (zeroized on drop).
    pub plaintext: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for OpenedMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenedMessage")
            .field("header", &self.header)
            .field(
                "plaintext",
                &format_args!("<{} bytes redacted>", self.plaintext.len()),
            )
            .finish()
    }
}

/// Both directions of the channel between this member and one peer, for
/// one computation attempt. Build exactly one per (peer, instance, attempt)
/// and keep it for the attempt's lifetime (see the module docs).
pub struct Channel {
    session: SessionId,
    me: u16,
    peer: u16,
    instance: u32,
    attempt: u32,
    send_key: Zeroizing<[u8; 32]>,
    recv_key: Zeroizing<[u8; 32]>,
    next_seq: u64,
    highest_seen: Option<u64>,
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("session", &self.session)
            .field("me", &self.me)
            .field("peer", &self.peer)
            .field("instance", &self.instance)
            .field("attempt", &self.attempt)
            .field("next_seq", &self.next_seq)
            .field("highest_seen", &self.highest_seen)
            .field("keys", &"<redacted>")
            .finish()
    }
}

#[allow(clippy::too_many_arguments)]
fn direction_key(
    prk: &hkdf::Hkdf<sha2::Sha256>,
    session: &SessionId,
    instance: u32,
    run: &RunId,
    from: u16,
    pk_from: &[u8; 32],
    to: u16,
    pk_to: &[u8; 32],
) -> Result<Zeroizing<[u8; 32]>, EnvelopeError> {
    let mut key = Zeroizing::new([0u8; 32]);
    let info: [&[u8]; 8] = [
        LABEL,
        session.as_bytes(),
        &instance.to_be_bytes(),
        &run.0,
        &from.to_be_bytes(),
        pk_from,
        &to.to_be_bytes(),
        pk_to,
    ];
    prk.expand_multi_info(&info, key.as_mut())
        .map_err(|_| EnvelopeError::Seal)?;
    Ok(key)
}

impl Channel {
    /// Derives the channel between member `me` (holding `keys`) and member
    /// `peer` (holding `peer_key`) for `instance` and `run` of `session`.
    pub fn new(
        keys: &MemberKeys,
        me: u16,
        peer: u16,
        peer_key: &X25519PublicKey,
        session: SessionId,
        instance: u32,
        run: &RunId,
    ) -> Result<Channel, EnvelopeError> {
        let dh = keys
            .dh(peer_key.as_bytes())
            .ok_or(EnvelopeError::BadPublicKey)?;
        let mine = keys.public().x25519;
        Channel::from_dh(&dh, (me, &mine), (peer, peer_key), session, instance, run)
    }

    /// The channel of [`Channel::new`] from the two members' X25519
    /// Diffie-Hellman output `dh` (what a key that cannot be read hands
    /// over): `me` and `peer` are each a member's index with its X25519
    /// key.
    pub fn from_dh(
        dh: &[u8; 32],
        me: (u16, &X25519PublicKey),
        peer: (u16, &X25519PublicKey),
        session: SessionId,
        instance: u32,
        run: &RunId,
    ) -> Result<Channel, EnvelopeError> {
        let ((me, my_key), (peer, peer_key)) = (me, peer);
        if me == 0 || peer == 0 || me == peer {
            return Err(EnvelopeError::BadMember(peer));
        }
        // The all-zero output of a small-order key: never a member's.
        if dh.iter().all(|b| *b == 0) {
            return Err(EnvelopeError::BadPublicKey);
        }
        let prk = hkdf::Hkdf::<sha2::Sha256>::new(Some(LABEL), dh);
        let (mine, theirs) = (my_key.as_bytes(), peer_key.as_bytes());
        let send_key = direction_key(&prk, &session, instance, run, me, mine, peer, theirs)?;
        let recv_key = direction_key(&prk, &session, instance, run, peer, theirs, me, mine)?;
        let attempt = run.attempt();
        Ok(Channel {
            session,
            me,
            peer,
            instance,
            attempt,
            send_key,
            recv_key,
            next_seq: 0,
            highest_seen: None,
        })
    }

    /// The peer's member index.
    pub fn peer(&self) -> u16 {
        self.peer
    }

    /// Encrypts `plaintext` for the peer as the next message of `round`;
    /// returns the frame (header || ciphertext).
    pub fn seal(&mut self, round: u32, plaintext: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
        let seq = self.next_seq;
        self.next_seq = seq.checked_add(1).ok_or(EnvelopeError::SequenceExhausted)?;
        let header = ChannelHeader {
            session: self.session,
            from: self.me,
            to: self.peer,
            instance: self.instance,
            attempt: self.attempt,
            round,
            seq,
        };
        let hb = header.to_bytes();
        let cipher = ChaCha20Poly1305::new(&Key::from(*self.send_key));
        let ct = cipher
            .encrypt(
                &header.nonce(),
                Payload {
                    msg: plaintext,
                    aad: &hb,
                },
            )
            .map_err(|_| EnvelopeError::Seal)?;
        let mut frame = Vec::with_capacity(CHANNEL_HEADER_LEN + ct.len());
        frame.extend_from_slice(&hb);
        frame.extend_from_slice(&ct);
        Ok(frame)
    }

    /// Authenticates and decrypts a frame from the peer. Refuses frames for
    /// another context ([`EnvelopeError::WrongContext`]), replays and old
    /// messages ([`EnvelopeError::Replay`]) and anything modified
    /// ([`EnvelopeError::Decrypt`]). State changes only on success.
    pub fn open(&mut self, frame: &[u8]) -> Result<OpenedMessage, EnvelopeError> {
        let header = ChannelHeader::from_bytes(frame)?;
        if frame.len() < CHANNEL_HEADER_LEN + TAG_LEN {
            return Err(EnvelopeError::Malformed("channel message is truncated"));
        }
        let wrong = |what| Err(EnvelopeError::WrongContext(what));
        if header.session != self.session {
            return wrong("session");
        }
        if header.from != self.peer {
            return wrong("sender");
        }
        if header.to != self.me {
            return wrong("recipient");
        }
        if header.instance != self.instance {
            return wrong("computation instance");
        }
        if header.attempt != self.attempt {
            return wrong("attempt");
        }
        if let Some(highest) = self.highest_seen
            && header.seq <= highest
        {
            return Err(EnvelopeError::Replay {
                seq: header.seq,
                highest,
            });
        }
        let cipher = ChaCha20Poly1305::new(&Key::from(*self.recv_key));
        let (hb, ct) = frame.split_at(CHANNEL_HEADER_LEN);
        let plaintext = cipher
            .decrypt(&header.nonce(), Payload { msg: ct, aad: hb })
            .map(Zeroizing::new)
            .map_err(|_| EnvelopeError::Decrypt)?;
        self.highest_seen = Some(header.seq);
        Ok(OpenedMessage { header, plaintext })
    }
}
