//! What a connection does with each decoded frame: check the role, then
//! answer at once or hand the request to the store.

use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use axum::extract::ws::Message;
use sotto_wire::{
    self, CreateParams, ErrorCode, Header, Kind, MintRequest, Presence, Role, SessionId,
    SessionState, TokenList, WireError,
};

use super::{Action, Auth, Conn, binary, error_frame, reply};
use crate::deliver;
use crate::store::{Caller, Command, Reply, StoreError};

pub(super) fn store_reply(
    h: Header,
    r: Result<Reply, StoreError>,
    metrics: &crate::metrics::Metrics,
) -> Option<Message> {
    match r {
        Ok(Reply::Done) if h.kind == Kind::AckMailbox => None,
        Ok(Reply::Done) => Some(reply(&h, Kind::Ack, &[])),
        Ok(Reply::Submitted {
            position, receipt, ..
        }) => {
            let mut rh = Header::new(Kind::Ack, h.session);
            rh.id = h.id;
            rh.seq = position;
            Some(binary(sotto_wire::encode(&rh, &receipt)))
        }
        Ok(Reply::Blob(b)) => Some(reply(&h, Kind::Manifest, &b)),
        Ok(Reply::Results(r)) => Some(reply(&h, Kind::Results, &r.encode())),
        Ok(Reply::Tokens(t)) => Some(reply(&h, Kind::Tokens, &TokenList(t).encode())),
        Ok(Reply::UsedTokens(u)) => Some(reply(&h, Kind::UsedTokens, &u.encode())),
        Ok(Reply::Proof(p)) => Some(reply(&h, Kind::ReceiptProof, &p.encode())),
        Ok(_) => Some(error_frame(
            &h,
            ErrorCode::Internal,
            "unexpected store reply",
        )),
        Err(e) => {
            if let StoreError::Sql(err) = &e {
                tracing::error!(error = %err, "store command failed");
            }
            metrics.errors.fetch_add(1, Relaxed);
            let (code, msg) = e.to_wire();
            if h.kind == Kind::AckMailbox {
                None
            } else {
                Some(error_frame(&h, code, msg))
            }
        }
    }
}

fn wire_error(h: &Header, e: &WireError) -> Action {
    let code = match e {
        WireError::UnsupportedVersion(_) => ErrorCode::UnsupportedVersion,
        _ => ErrorCode::BadFrame,
    };
    let close_code = code.close_code().unwrap_or(4001);
    Action::Close(
        error_frame(h, code, &e.to_string()),
        close_code,
        "bad frame",
    )
}

impl Conn {
    fn later(&self, h: Header, cmd: Command) -> Action {
        let app = self.app.clone();
        Action::Later(Box::pin(async move {
            let r = app.store.call(cmd).await;
            store_reply(h, r, &app.metrics)
        }))
    }

    fn refuse(&self, h: &Header, code: ErrorCode, msg: &str) -> Action {
        self.app.metrics.errors.fetch_add(1, Relaxed);
        Action::Send(error_frame(h, code, msg))
    }

    pub(super) async fn handle(&mut self, bytes: &[u8]) -> Action {
        let m = &self.app.metrics;
        m.frames_in.fetch_add(1, Relaxed);
        m.bytes_in.fetch_add(bytes.len() as u64, Relaxed);
        let max = self.app.limits.max_frame_bytes;
        if bytes.len() > max {
            m.errors.fetch_add(1, Relaxed);
            let h = Header::new(Kind::Error, SessionId::NONE);
            let msg = format!(
                "a frame of {} bytes exceeds the relay's limit of {max} bytes (--max-frame-bytes)",
                bytes.len()
            );
            return Action::Close(
                error_frame(&h, ErrorCode::TooLarge, &msg),
                1009,
                "frame too large",
            );
        }
        let (h, payload) = match sotto_wire::decode_ref(bytes) {
            Ok(x) => x,
            Err(e) => {
                m.errors.fetch_add(1, Relaxed);
                return wire_error(&Header::new(Kind::Error, SessionId::NONE), &e);
            }
        };
        if let Some(a) = &self.auth
            && h.session != a.caller.session
            && !matches!(
                h.kind,
                Kind::Create | Kind::GetManifest | Kind::GetResults | Kind::GetReceiptProof
            )
        {
            m.errors.fetch_add(1, Relaxed);
            return Action::Close(
                error_frame(&h, ErrorCode::WrongSession, "frame names another session"),
                4004,
                "wrong session",
            );
        }
        match h.kind {
            Kind::Hello => self.hello(h, payload).await,
            Kind::Create => match CreateParams::decode(payload) {
                // A relay started with --create-token creates sessions only
                // for those who have it (compared in constant time, as a
                // digest, like every token).
                Ok(p) if !self.app.may_create(p.create_token.as_ref()) => self.refuse(
                    &h,
                    ErrorCode::Unauthorized,
                    "this relay creates sessions only with its creation token",
                ),
                // Sessions are a global resource: creation is rate-limited per
                // address (the NONE session id keys the creation bucket).
                Ok(_)
                    if !self.app.open_links.allow(
                        SessionId::NONE,
                        self.addr.ip(),
                        self.app.limits.creates_per_min,
                        Instant::now(),
                    ) =>
                {
                    self.refuse(
                        &h,
                        ErrorCode::RateLimited,
                        "too many sessions created from this address",
                    )
                }
                Ok(p) => {
                    let r = self
                        .app
                        .store
                        .call(Command::Create {
                            members: p.members,
                            allow_resubmit: p.allow_resubmit,
                            max_part: p.max_part_bytes,
                        })
                        .await;
                    match r {
                        Ok(Reply::Created(session, created)) => {
                            tracing::info!(session = %session.to_hex(), members = p.members, "session created");
                            let mut rh = Header::new(Kind::Created, session);
                            rh.id = h.id;
                            Action::Send(binary(sotto_wire::encode(&rh, &created.encode())))
                        }
                        other => store_reply(h, other, m).map_or(Action::Nothing, Action::Send),
                    }
                }
                Err(_) => self.refuse(&h, ErrorCode::BadRequest, "bad create parameters"),
            },
            Kind::GetManifest => self.later(h.clone(), Command::GetManifest { session: h.session }),
            Kind::GetResults => match <[u8; 32]>::try_from(payload) {
                Ok(t) => self.later(
                    h.clone(),
                    Command::GetResults {
                        session: h.session,
                        token: sotto_wire::Token(t).digest(),
                    },
                ),
                Err(_) => self.refuse(
                    &h,
                    ErrorCode::BadRequest,
                    "payload must be the 32-byte read token",
                ),
            },
            Kind::GetReceiptProof if payload.len() == 64 => {
                let (token, receipt) = payload.split_at(32);
                let (Ok(token), Ok(receipt)) =
                    (<[u8; 32]>::try_from(token), <[u8; 32]>::try_from(receipt))
                else {
                    return self.refuse(&h, ErrorCode::BadRequest, "bad receipt proof request");
                };
                self.later(
                    h.clone(),
                    Command::ReceiptProof {
                        session: h.session,
                        token: sotto_wire::Token(token).digest(),
                        member: h.to,
                        receipt,
                    },
                )
            }
            Kind::GetReceiptProof => self.refuse(
                &h,
                ErrorCode::BadRequest,
                "payload must be the 32-byte read token and the 32-byte receipt",
            ),
            // Empty before a Hello: refused as every request without one.
            Kind::GetPresence if self.auth.is_none() && !payload.is_empty() => {
                self.presence_before_hello(h, payload)
            }
            _ => self.authed(h, payload),
        }
    }

    /// `GetPresence` before any Hello, with a member's (or the
    /// organizer's) token as payload: the committee's presence for a
    /// member's console that has not joined yet, with the session state in
    /// the reply's `seq` (docs/relay.md, "Presence"). The token is checked
    /// as a Hello checks it, but the connection is not counted as the
    /// member's and gets no deliveries.
    fn presence_before_hello(&self, h: Header, payload: &[u8]) -> Action {
        let Ok(token) = <[u8; 32]>::try_from(payload) else {
            return self.refuse(
                &h,
                ErrorCode::BadRequest,
                "payload must be a 32-byte member or organizer token (or say hello first)",
            );
        };
        let app = self.app.clone();
        Action::Later(Box::pin(async move {
            let r = app
                .store
                .call(Command::Hello {
                    session: h.session,
                    token: sotto_wire::Token(token).digest(),
                    resume: 0,
                })
                .await;
            match r {
                Ok(Reply::Welcome { welcome, .. })
                    if matches!(welcome.role, Role::Member | Role::Organizer) =>
                {
                    let now = Presence(app.presence.of(
                        h.session,
                        welcome.members,
                        super::unix_now(),
                    ));
                    let mut rh = Header::new(Kind::Presence, h.session);
                    rh.id = h.id;
                    rh.seq = u64::from(welcome.state as u8);
                    Some(binary(sotto_wire::encode(&rh, &now.encode())))
                }
                Ok(Reply::Welcome { .. }) => {
                    app.metrics.errors.fetch_add(1, Relaxed);
                    Some(error_frame(
                        &h,
                        ErrorCode::Forbidden,
                        "this token may not do that",
                    ))
                }
                other => store_reply(h, other, &app.metrics),
            }
        }))
    }

    async fn hello(&mut self, h: Header, payload: &[u8]) -> Action {
        if self.auth.is_some() {
            return self.refuse(
                &h,
                ErrorCode::BadRequest,
                "this connection already said hello",
            );
        }
        let Ok(token) = <[u8; 32]>::try_from(payload) else {
            return self.refuse(
                &h,
                ErrorCode::Unauthorized,
                "payload must be a 32-byte token",
            );
        };
        let digest = sotto_wire::Token(token).digest();
        let r = self
            .app
            .store
            .call(Command::Hello {
                session: h.session,
                token: digest,
                resume: h.seq,
            })
            .await;
        let (welcome, member, rate, watch) = match r {
            Ok(Reply::Welcome {
                welcome,
                member,
                rate,
                watch,
            }) => (welcome, member, rate, watch),
            other => {
                return store_reply(h, other, &self.app.metrics)
                    .map_or(Action::Nothing, Action::Send);
            }
        };
        tracing::debug!(session = %h.session.to_hex(), role = ?welcome.role, member, "hello");
        let mut rh = Header::new(Kind::Welcome, h.session);
        rh.id = h.id;
        rh.from = member;
        if self
            .out
            .send(binary(sotto_wire::encode(&rh, &welcome.encode())))
            .await
            .is_err()
        {
            return Action::Nothing;
        }
        if let Some(watch) = watch {
            let task = deliver::run(
                self.app.store.clone(),
                h.session,
                member,
                welcome.resume,
                watch,
                self.out.clone(),
            );
            self.delivery = Some(tokio::spawn(task));
        }
        let caller = Caller {
            session: h.session,
            token: digest,
            member,
        };
        if welcome.role == Role::Member {
            // Counted from the Hello to the connection's end (ws::serve).
            self.app
                .presence
                .join((h.session, member), super::unix_now());
        }
        self.auth = Some(Auth {
            caller,
            role: welcome.role,
            rate,
            members: welcome.members,
        });
        Action::Nothing
    }

    fn authed(&mut self, h: Header, payload: &[u8]) -> Action {
        let Some(auth) = &self.auth else {
            return self.refuse(&h, ErrorCode::Unauthorized, "say hello with a token first");
        };
        let (caller, role, rate, members) = (auth.caller, auth.role, auth.rate, auth.members);
        let session = caller.session;
        let forbidden = |s: &Self| s.refuse(&h, ErrorCode::Forbidden, "this token may not do that");
        match h.kind {
            Kind::RegisterManifest | Kind::SetState | Kind::MintTokens
                if role != Role::Organizer =>
            {
                forbidden(self)
            }
            Kind::RegisterManifest => self.later(
                h,
                Command::RegisterManifest {
                    session,
                    blob: payload.to_vec(),
                },
            ),
            Kind::SetState => match payload.first().map(|b| SessionState::try_from(*b)) {
                Some(Ok(state)) if payload.len() == 1 => {
                    tracing::info!(session = %session.to_hex(), ?state, "state change requested");
                    self.later(h, Command::SetState { session, state })
                }
                _ => self.refuse(&h, ErrorCode::BadRequest, "payload must be one state byte"),
            },
            Kind::MintTokens => match MintRequest::decode(payload) {
                Ok(req) => self.later(h, Command::Mint { session, req }),
                Err(_) => self.refuse(&h, ErrorCode::BadRequest, "bad mint request"),
            },
            Kind::Submit => {
                let single_use = match role {
                    Role::Participant => true,
                    Role::OpenParticipant => false,
                    _ => return forbidden(self),
                };
                if !single_use
                    && !self
                        .app
                        .open_links
                        .allow(session, self.addr.ip(), rate, Instant::now())
                {
                    return self.refuse(
                        &h,
                        ErrorCode::RateLimited,
                        "too many submissions from this address",
                    );
                }
                let idem = h.id;
                self.later(
                    h,
                    Command::Submit {
                        caller,
                        single_use,
                        idem,
                        bundle: payload.to_vec(),
                    },
                )
            }
            Kind::GetUsedTokens if role != Role::Organizer => forbidden(self),
            Kind::GetUsedTokens => {
                let after = match payload.len() {
                    0 => None,
                    32 => <[u8; 32]>::try_from(payload).ok(),
                    _ => {
                        return self.refuse(
                            &h,
                            ErrorCode::BadRequest,
                            "payload must be empty or the last digest of the previous page",
                        );
                    }
                };
                self.later(h, Command::UsedTokens { session, after })
            }
            Kind::GetPresence if !matches!(role, Role::Organizer | Role::Member) => forbidden(self),
            Kind::GetPresence => {
                let now = Presence(self.app.presence.of(session, members, super::unix_now()));
                Action::Send(reply(&h, Kind::Presence, &now.encode()))
            }
            Kind::Send | Kind::AckMailbox | Kind::Publish if role != Role::Member => {
                forbidden(self)
            }
            Kind::Send => {
                self.app.metrics.messages.fetch_add(1, Relaxed);
                let (to, id) = (h.to, h.id);
                self.later(
                    h,
                    Command::Send {
                        caller,
                        to,
                        id,
                        payload: payload.to_vec(),
                    },
                )
            }
            Kind::AckMailbox => {
                let seq = h.seq;
                self.later(h, Command::AckMailbox { caller, seq })
            }
            Kind::Publish => self.later(
                h,
                Command::Publish {
                    caller,
                    blob: payload.to_vec(),
                },
            ),
            Kind::PublishReceipts if role != Role::Member => forbidden(self),
            Kind::PublishReceipts => {
                let page = h.seq;
                self.later(
                    h,
                    Command::PublishReceipts {
                        caller,
                        page,
                        leaves: payload.to_vec(),
                    },
                )
            }
            _ => self.refuse(
                &h,
                ErrorCode::BadRequest,
                "clients may not send this kind of frame",
            ),
        }
    }
}
