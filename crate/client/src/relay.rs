//! A client for the relay protocol in [`sotto_wire`], over any
//! message-oriented [`Socket`].
//!
//! One [`RelayClient`] is one WebSocket connection. Requests are sent one at
//! a time and wait for the reply that echoes their id; mailbox deliveries
//! that arrive meanwhile are queued and returned by
//! [`RelayClient::next_delivery`]. The native drivers plug in a tokio
//! WebSocket (`native::relay_client`), the wasm package the browser's
//! (`wasm::socket`); everything above the socket is shared.

use std::collections::VecDeque;
use std::future::Future;

use sotto_wire::{
    Bundle, CreateParams, Created, DeliveryKind, ErrorBody, ErrorCode, FRAME_LIMIT, Frame, Header,
    Kind, MintRequest, Presence, ReceiptProof, Results, SessionId, SessionState, Token, TokenList,
    UsedTokens, Welcome, WireError,
};

/// Errors of [`RelayClient`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The WebSocket failed (connect, send or receive).
    #[error("websocket: {0}")]
    Ws(#[from] WsError),
    /// The relay sent a frame that does not decode.
    #[error("bad frame from relay: {0}")]
    Wire(#[from] WireError),
    /// The relay refused the request.
    #[error("refused ({code:?}): {message}")]
    Refused {
        /// Machine-readable reason.
        code: ErrorCode,
        /// The relay's explanation.
        message: String,
    },
    /// A request would exceed the relay's frame limit, so it was not sent.
    #[error(
        "a frame of {len} bytes exceeds the relay's frame limit of {max} bytes (sotto_wire::FRAME_LIMIT): not sent"
    )]
    TooLarge {
        /// Size of the frame, header included.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The connection closed, with the close code if one was sent.
    #[error("connection closed (code {0:?})")]
    Closed(Option<u16>),
    /// The relay did not answer in time.
    #[error("no answer from the relay in time ({0})")]
    Timeout(&'static str),
    /// The relay answered with a frame of an unexpected kind.
    #[error("unexpected {0:?} frame")]
    Unexpected(Kind),
}

impl ClientError {
    /// The relay's error code, when the relay refused the request.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// Why a WebSocket failed: the transport's own error where it has one.
/// Relay URLs carry no secret (tokens travel in `Hello` frames), so these
/// messages are safe to show. The native and the browser cases are
/// compiled for their own target only (the wasm modules carry no I/O
/// error formatting).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WsError {
    /// The native WebSocket (tokio-tungstenite) failed.
    #[cfg(not(target_arch = "wasm32"))]
    #[error(transparent)]
    Native(#[from] Box<tokio_tungstenite::tungstenite::Error>),
    /// A network operation under the native WebSocket failed.
    #[cfg(not(target_arch = "wasm32"))]
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// No relay URL was given (an empty list).
    #[error("no relay URL given")]
    NoUrl,
    /// The relay's host has no address of the family of the local address
    /// to connect from.
    #[cfg(not(target_arch = "wasm32"))]
    #[error("{host}: no address of {source_ip}'s family")]
    NoAddress {
        /// The relay's host and port.
        host: String,
        /// The local address asked for.
        source_ip: std::net::IpAddr,
    },
    /// The browser refused the relay URL.
    #[cfg(target_arch = "wasm32")]
    #[error("the relay URL is not a valid WebSocket URL")]
    BadUrl,
    /// The browser's WebSocket closed before it opened.
    #[cfg(target_arch = "wasm32")]
    #[error("could not connect (close code {0})")]
    NotOpened(u16),
    /// The browser's WebSocket refused to send.
    #[cfg(target_arch = "wasm32")]
    #[error("send failed")]
    Send,
    /// The browser's WebSocket refused to close.
    #[cfg(target_arch = "wasm32")]
    #[error("close failed")]
    Close,
}

#[cfg(not(target_arch = "wasm32"))]
impl From<tokio_tungstenite::tungstenite::Error> for ClientError {
    fn from(e: tokio_tungstenite::tungstenite::Error) -> ClientError {
        ClientError::Ws(WsError::Native(Box::new(e)))
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl From<std::io::Error> for ClientError {
    fn from(e: std::io::Error) -> ClientError {
        ClientError::Ws(WsError::Io(e))
    }
}

/// A mailbox entry delivered to a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Position in this member's mailbox (acknowledge with [`RelayClient::ack`]).
    pub seq: u64,
    /// What it carries.
    pub kind: DeliveryKind,
    /// Sending member (0 for submissions and close markers).
    pub from: u16,
    /// Submission log position, or the sender's message id.
    pub id: u64,
    /// The payload (see [`sotto_wire::SubmissionDelivery`] for submissions).
    pub payload: Vec<u8>,
}

/// Acknowledgement of a stored submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmitAck {
    /// Position of the submission in the session log.
    pub position: u64,
    /// SHA-256 of the bundle, to keep as proof of submission.
    pub receipt: [u8; 32],
}

/// A message-oriented connection: one binary WebSocket message per frame.
pub trait Socket {
    /// Sends one binary message.
    fn send(&mut self, bytes: Vec<u8>) -> impl Future<Output = Result<(), ClientError>>;
    /// The next binary message (other message kinds are skipped);
    /// [`ClientError::Closed`] once the connection has ended.
    fn recv(&mut self) -> impl Future<Output = Result<Vec<u8>, ClientError>>;
    /// Closes the connection politely.
    fn close(&mut self) -> impl Future<Output = Result<(), ClientError>>;
}

/// One connection to the relay.
pub struct RelayClient<S> {
    ws: S,
    session: SessionId,
    member: u16,
    next_id: u64,
    pending: VecDeque<Delivery>,
}

impl<S> std::fmt::Debug for RelayClient<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayClient")
            .field("session", &self.session)
            .field("member", &self.member)
            .finish()
    }
}

impl<S: Socket> RelayClient<S> {
    /// A client over an open socket to the relay's WebSocket endpoint.
    pub fn new(ws: S) -> RelayClient<S> {
        RelayClient {
            ws,
            session: SessionId::NONE,
            member: 0,
            next_id: 1,
            pending: VecDeque::new(),
        }
    }

    /// The session this connection said Hello to.
    pub fn session(&self) -> SessionId {
        self.session
    }

    /// This connection's member index (0 if not a member).
    pub fn member(&self) -> u16 {
        self.member
    }

    fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Sends raw bytes as one binary message (tests use it for bad frames).
    pub async fn send_raw(&mut self, bytes: Vec<u8>) -> Result<(), ClientError> {
        self.ws.send(bytes).await
    }

    /// Receives the next frame of any kind.
    pub async fn recv_frame(&mut self) -> Result<Frame, ClientError> {
        let b = self.ws.recv().await?;
        Ok(Frame::decode(&b)?)
    }

    fn queue_delivery(&mut self, f: Frame) -> Result<(), ClientError> {
        let kind = DeliveryKind::try_from(f.header.tag)?;
        self.pending.push_back(Delivery {
            seq: f.header.seq,
            kind,
            from: f.header.from,
            id: f.header.id,
            payload: f.payload,
        });
        Ok(())
    }

    /// Sends a request and waits for the reply echoing its id; deliveries
    /// that arrive first are queued. A frame over [`FRAME_LIMIT`], which a
    /// relay may refuse, is not sent: [`ClientError::TooLarge`].
    pub async fn request(&mut self, header: Header, payload: &[u8]) -> Result<Frame, ClientError> {
        let id = header.id;
        let frame = sotto_wire::encode(&header, payload);
        if frame.len() > FRAME_LIMIT {
            return Err(ClientError::TooLarge {
                len: frame.len(),
                max: FRAME_LIMIT,
            });
        }
        self.send_raw(frame).await?;
        loop {
            let f = self.recv_frame().await?;
            match f.header.kind {
                Kind::Deliver => self.queue_delivery(f)?,
                Kind::Error => {
                    let body = ErrorBody::decode(&f.payload)?;
                    if f.header.id == id || body.code.close_code().is_some() {
                        return Err(ClientError::Refused {
                            code: body.code,
                            message: body.message,
                        });
                    }
                }
                _ if f.header.id == id => return Ok(f),
                _ => {}
            }
        }
    }

    fn header(&mut self, kind: Kind) -> Header {
        let mut h = Header::new(kind, self.session);
        h.id = self.fresh_id();
        h
    }

    /// Creates a session; returns its id and the tokens (shown only once).
    pub async fn create_session(
        &mut self,
        params: &CreateParams,
    ) -> Result<(SessionId, Created), ClientError> {
        let mut h = self.header(Kind::Create);
        h.session = SessionId::NONE;
        let f = expect(self.request(h, &params.encode()).await?, Kind::Created)?;
        Ok((f.header.session, Created::decode(&f.payload)?))
    }

    /// Authenticates this connection to `session`. Members receive their
    /// mailbox from after `resume` (or the relay's stored ack, if later).
    pub async fn hello(
        &mut self,
        session: SessionId,
        token: &Token,
        resume: u64,
    ) -> Result<Welcome, ClientError> {
        self.session = session;
        let mut h = self.header(Kind::Hello);
        h.seq = resume;
        let f = expect(self.request(h, &token.0).await?, Kind::Welcome)?;
        self.member = f.header.from;
        Ok(Welcome::decode(&f.payload)?)
    }

    /// Organizer or member: which members of the committee are connected
    /// now (member 1 first), as the relay saw their connections open and
    /// close.
    pub async fn presence(&mut self) -> Result<Presence, ClientError> {
        Ok(self.ask_presence(None).await?.1)
    }

    /// Organizer: the digests ([`Token::digest`]) of the session's
    /// single-use tokens that an answer is stored with, ascending, every
    /// page of them.
    pub async fn used_tokens(&mut self) -> Result<Vec<[u8; 32]>, ClientError> {
        let mut all: Vec<[u8; 32]> = Vec::new();
        loop {
            let h = self.header(Kind::GetUsedTokens);
            let after = all.last().map_or(&[][..], |d| &d[..]).to_vec();
            let f = expect(self.request(h, &after).await?, Kind::UsedTokens)?;
            let page = UsedTokens::decode(&f.payload)?;
            // Each page must go past the last: a relay cannot loop us.
            let forward = match (all.last(), page.digests.first()) {
                (Some(last), Some(first)) => first > last,
                _ => true,
            };
            let more = page.more && !page.digests.is_empty() && forward;
            if forward {
                all.extend(page.digests);
            }
            if !more {
                return Ok(all);
            }
        }
    }

    /// Organizer: registers the manifest blob (draft state only).
    pub async fn register_manifest(&mut self, manifest: &[u8]) -> Result<(), ClientError> {
        let h = self.header(Kind::RegisterManifest);
        expect(self.request(h, manifest).await?, Kind::Ack).map(drop)
    }

    /// Organizer: moves the session to `state`.
    pub async fn set_state(&mut self, state: SessionState) -> Result<(), ClientError> {
        let h = self.header(Kind::SetState);
        expect(self.request(h, &[state as u8]).await?, Kind::Ack).map(drop)
    }

    /// Organizer: mints participant tokens.
    pub async fn mint(&mut self, req: &MintRequest) -> Result<Vec<Token>, ClientError> {
        let h = self.header(Kind::MintTokens);
        let f = expect(self.request(h, &req.encode()).await?, Kind::Tokens)?;
        Ok(TokenList::decode(&f.payload)?.0)
    }

    /// Participant: submits one ciphertext per member; `idempotency_id`
    /// makes retries safe (use a random u64 per distinct submission).
    pub async fn submit(
        &mut self,
        idempotency_id: u64,
        parts: &[&[u8]],
    ) -> Result<SubmitAck, ClientError> {
        let mut h = Header::new(Kind::Submit, self.session);
        h.id = idempotency_id;
        let f = expect(self.request(h, &Bundle::encode(parts)).await?, Kind::Ack)?;
        let receipt: [u8; 32] = f
            .payload
            .as_slice()
            .try_into()
            .map_err(|_| WireError::Trailing(f.payload.len()))?;
        Ok(SubmitAck {
            position: f.header.seq,
            receipt,
        })
    }

    /// Member: sends a protocol message to member `to` (or
    /// [`sotto_wire::BROADCAST`]); `id` must be unique per sender.
    pub async fn send(&mut self, to: u16, id: u64, payload: &[u8]) -> Result<(), ClientError> {
        let mut h = Header::new(Kind::Send, self.session);
        h.from = self.member;
        h.to = to;
        h.id = id;
        expect(self.request(h, payload).await?, Kind::Ack).map(drop)
    }

    /// Member: acknowledges every delivery up to and including `seq`.
    pub async fn ack(&mut self, seq: u64) -> Result<(), ClientError> {
        let mut h = Header::new(Kind::AckMailbox, self.session);
        h.seq = seq;
        self.send_raw(sotto_wire::encode(&h, &[])).await
    }

    /// Member: publishes this member's signed result.
    pub async fn publish(&mut self, blob: &[u8]) -> Result<(), ClientError> {
        let mut h = self.header(Kind::Publish);
        h.from = self.member;
        expect(self.request(h, blob).await?, Kind::Ack).map(drop)
    }

    /// Anyone: fetches a session's manifest.
    pub async fn get_manifest(&mut self, session: SessionId) -> Result<Vec<u8>, ClientError> {
        let mut h = self.header(Kind::GetManifest);
        h.session = session;
        Ok(expect(self.request(h, &[]).await?, Kind::Manifest)?.payload)
    }

    /// Holder of the read token: fetches the published results.
    pub async fn get_results(
        &mut self,
        session: SessionId,
        read: &Token,
    ) -> Result<Results, ClientError> {
        let mut h = self.header(Kind::GetResults);
        h.session = session;
        let f = expect(self.request(h, &read.0).await?, Kind::Results)?;
        Ok(Results::decode(&f.payload)?)
    }

    /// Member: publishes page `page` of its sorted counted receipts (a
    /// session with more than [`crate::receipts::MAX_LISTED`]).
    pub async fn publish_receipts(&mut self, page: u64, leaves: &[u8]) -> Result<(), ClientError> {
        let mut h = self.header(Kind::PublishReceipts);
        h.from = self.member;
        h.seq = page;
        expect(self.request(h, leaves).await?, Kind::Ack).map(drop)
    }

    /// Reader: the relay's proof about `receipt` in the tree of the
    /// receipts member `member` published; to check against the signed
    /// root ([`crate::receipts::check_proof`]), never to trust as is.
    pub async fn receipt_proof(
        &mut self,
        session: SessionId,
        read: &Token,
        member: u16,
        receipt: &[u8; 32],
    ) -> Result<ReceiptProof, ClientError> {
        let mut h = self.header(Kind::GetReceiptProof);
        h.session = session;
        h.to = member;
        let payload = [&read.0[..], &receipt[..]].concat();
        let f = expect(self.request(h, &payload).await?, Kind::ReceiptProof)?;
        Ok(ReceiptProof::decode(&f.payload)?)
    }

    /// The committee's presence and the session's state, asked before any
    /// Hello with a member's (or the organizer's) token: a member's
    /// console that has not joined yet. The relay does not count this
    /// connection as the member's (docs/relay.md, "Presence").
    pub async fn presence_with(
        &mut self,
        session: SessionId,
        token: &Token,
    ) -> Result<(SessionState, Presence), ClientError> {
        let (seq, presence) = self.ask_presence(Some((session, token))).await?;
        let state = SessionState::try_from(u8::try_from(seq).unwrap_or(u8::MAX))?;
        Ok((state, presence))
    }

    /// `GetPresence` after a Hello (`None`) or before one, with a token:
    /// the reply's `seq` and the presence (one request path for both, so
    /// the wasm page module carries it once).
    async fn ask_presence(
        &mut self,
        with: Option<(SessionId, &Token)>,
    ) -> Result<(u64, Presence), ClientError> {
        let mut h = self.header(Kind::GetPresence);
        let mut payload: &[u8] = &[];
        if let Some((session, token)) = with {
            h.session = session;
            payload = &token.0;
        }
        let f = expect(self.request(h, payload).await?, Kind::Presence)?;
        Ok((f.header.seq, Presence::decode(&f.payload)?))
    }

    /// Member: the next mailbox delivery (queued or from the socket).
    pub async fn next_delivery(&mut self) -> Result<Delivery, ClientError> {
        loop {
            if let Some(d) = self.pending.pop_front() {
                return Ok(d);
            }
            let f = self.recv_frame().await?;
            match f.header.kind {
                Kind::Deliver => self.queue_delivery(f)?,
                Kind::Error => {
                    let body = ErrorBody::decode(&f.payload)?;
                    return Err(ClientError::Refused {
                        code: body.code,
                        message: body.message,
                    });
                }
                _ => {}
            }
        }
    }

    /// Closes the connection politely.
    pub async fn close(mut self) -> Result<(), ClientError> {
        self.ws.close().await
    }
}

fn expect(f: Frame, kind: Kind) -> Result<Frame, ClientError> {
    if f.header.kind == kind {
        Ok(f)
    } else {
        Err(ClientError::Unexpected(f.header.kind))
    }
}

/// `ws://host:port` becomes `ws://host:port/ws`; URLs with a path are kept.
pub fn ws_url(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    if after_scheme.contains('/') {
        url.to_string()
    } else {
        format!("{url}/ws")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ws_url_adds_path() {
        assert_eq!(super::ws_url("ws://127.0.0.1:1"), "ws://127.0.0.1:1/ws");
        assert_eq!(super::ws_url("ws://h:1/x"), "ws://h:1/x");
    }
}
