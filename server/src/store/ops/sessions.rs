//! Session lifecycle, tokens and public reads.

use rusqlite::{OptionalExtension, params};
use sotto::wire::{
    CloseMarker, Created, DeliveryKind, ErrorCode, Results, Role, SessionId, SessionState,
    TokenMode, Welcome,
};
use subtle::ConstantTimeEq;

use super::{Res, StoreError, Writer, i, random_token, refuse, unix_now};
use crate::store::Reply;

impl Writer {
    pub(super) fn create(&mut self, members: u16, allow_resubmit: bool) -> Res<Reply> {
        if self.session_count >= self.limits.max_sessions {
            return refuse(
                ErrorCode::LimitReached,
                "the relay holds its maximum number of sessions",
            );
        }
        if members == 0 || members > self.limits.max_members {
            return refuse(ErrorCode::BadRequest, "committee size out of range");
        }
        let mut id = [0u8; 16];
        getrandom::fill(&mut id)
            .map_err(|_| StoreError::Refused(ErrorCode::Internal, "randomness unavailable"))?;
        let session = SessionId(id);
        let now = unix_now();
        self.conn
            .prepare_cached("INSERT INTO sessions(id, state, members, resubmit, manifest, next_sub, created_at) VALUES (?1, ?2, ?3, ?4, NULL, 0, ?5)")?
            .execute(params![&id[..], SessionState::Draft as u8, members, allow_resubmit, i(now)])?;
        let created = Created {
            organizer: random_token()?,
            reader: random_token()?,
            members: (0..members).map(|_| random_token()).collect::<Res<_>>()?,
        };
        self.insert_token(&created.organizer, session, Role::Organizer, 0, 0)?;
        self.insert_token(&created.reader, session, Role::Reader, 0, 0)?;
        for (idx, t) in created.members.iter().enumerate() {
            let m = u16::try_from(idx + 1).unwrap_or(u16::MAX);
            self.insert_token(t, session, Role::Member, m, 0)?;
            self.conn
                .prepare_cached(
                    "INSERT INTO cursors(session, member, head, acked) VALUES (?1, ?2, 0, 0)",
                )?
                .execute(params![&id[..], m])?;
        }
        self.session_count += 1;
        Ok(Reply::Created(session, Box::new(created)))
    }

    /// Looks a token digest up: (session, role, member, rate).
    fn token(&mut self, digest: &[u8; 32]) -> Res<Option<(SessionId, u8, u16, u32)>> {
        Ok(self
            .conn
            .prepare_cached("SELECT hash, session, role, member, rate FROM tokens WHERE hash = ?1")?
            .query_row(params![&digest[..]], |r| {
                let hash: Vec<u8> = r.get(0)?;
                let s: Vec<u8> = r.get(1)?;
                Ok((hash, s, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?
            // The index lookup is by digest; compare again in constant time.
            .filter(|(hash, ..)| bool::from(hash.as_slice().ct_eq(&digest[..])))
            .and_then(|(_, s, role, member, rate)| {
                Some((SessionId(s.try_into().ok()?), role, member, rate))
            }))
    }

    pub(super) fn hello(
        &mut self,
        session: SessionId,
        digest: &[u8; 32],
        resume: u64,
    ) -> Res<Reply> {
        let Some((owner, role, member, rate)) = self.token(digest)? else {
            return refuse(ErrorCode::Unauthorized, "unknown token");
        };
        if owner != session {
            return refuse(
                ErrorCode::Unauthorized,
                "token does not belong to this session",
            );
        }
        let meta = self.meta(session)?;
        let role =
            Role::try_from(role).map_err(|_| StoreError::Sql(rusqlite::Error::InvalidQuery))?;
        let (mut head, mut from, mut watch) = (0, 0, None);
        let mut resume_at = 0;
        if role == Role::Member {
            let c = self.cursor((session, member))?;
            head = c.head;
            resume_at = resume.max(c.acked).min(c.head);
            from = member;
            watch = Some(self.hub.subscribe((session, member), c.head));
        } else if role == Role::Organizer {
            // The organizer's live view: how many answers are stored.
            head = meta.next_sub;
        }
        let welcome = Welcome {
            role,
            state: meta.state,
            members: meta.members,
            allow_resubmit: meta.resubmit,
            head,
            resume: resume_at,
        };
        Ok(Reply::Welcome {
            welcome,
            member: from,
            rate,
            watch,
        })
    }

    pub(super) fn register_manifest(&mut self, session: SessionId, blob: &[u8]) -> Res<Reply> {
        if self.meta(session)?.state != SessionState::Draft {
            return refuse(
                ErrorCode::BadState,
                "the manifest can only change while the session is a draft",
            );
        }
        self.conn
            .prepare_cached("UPDATE sessions SET manifest = ?1 WHERE id = ?2")?
            .execute(params![blob, &session.0[..]])?;
        let (opens_at, closes_at) = manifest_deadlines(blob);
        self.conn
            .prepare_cached("INSERT OR REPLACE INTO deadlines(session, opens_at, closes_at) VALUES (?1, ?2, ?3)")?
            .execute(params![&session.0[..], opens_at.map(i), closes_at.map(i)])?;
        if let Some(m) = self.sessions.get_mut(&session) {
            m.has_manifest = true;
            m.opens_at = opens_at;
            m.closes_at = closes_at;
        }
        Ok(Reply::Done)
    }

    /// Closes the open sessions whose deadline has passed, as the organizer's
    /// close would (the members get the close marker and compute).
    pub(super) fn close_due(&mut self, now: u64) -> Res<Reply> {
        let due: Vec<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT d.session FROM deadlines d JOIN sessions s ON s.id = d.session WHERE d.closes_at <= ?1 AND s.state = ?2")?
            .query_map(params![i(now), SessionState::Open as u8], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for id in due {
            let Ok(id) = <[u8; 16]>::try_from(id.as_slice()) else {
                continue;
            };
            let session = SessionId(id);
            tracing::info!(session = %session.to_hex(), "closing at the manifest's deadline");
            self.set_state(session, SessionState::Closed)?;
        }
        Ok(Reply::Done)
    }

    pub(super) fn set_state(&mut self, session: SessionId, target: SessionState) -> Res<Reply> {
        let meta = self.meta(session)?;
        match (meta.state, target) {
            (s, t) if s == t => return Ok(Reply::Done),
            (SessionState::Draft, SessionState::Open) if !meta.has_manifest => {
                return refuse(ErrorCode::BadState, "register the manifest before opening");
            }
            (SessionState::Draft, SessionState::Open) => {}
            (SessionState::Open, SessionState::Closed) => {
                // The marker orders the close against every submission: each
                // member takes exactly the positions 1..=next_sub.
                let marker = CloseMarker {
                    submissions: meta.next_sub,
                }
                .encode();
                for m in 1..=meta.members {
                    self.append(session, m, DeliveryKind::Closed, 0, meta.next_sub, &marker)?;
                }
            }
            _ => return refuse(ErrorCode::BadState, "state transition not allowed"),
        }
        self.set_meta_state(session, target)?;
        Ok(Reply::Done)
    }

    pub(super) fn mint(
        &mut self,
        session: SessionId,
        mode: TokenMode,
        count: u32,
        rate: u32,
    ) -> Res<Reply> {
        let meta = self.meta(session)?;
        if !matches!(meta.state, SessionState::Draft | SessionState::Open) {
            return refuse(
                ErrorCode::BadState,
                "tokens can only be minted before close",
            );
        }
        let (role, count, rate) = match mode {
            TokenMode::OpenLink => (
                Role::OpenParticipant,
                1,
                if rate == 0 {
                    self.limits.open_link_rate
                } else {
                    rate
                },
            ),
            _ if count == 0 || count > self.limits.max_mint => {
                return refuse(ErrorCode::BadRequest, "token count out of range");
            }
            _ => (Role::Participant, count, 0),
        };
        let mut tokens = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let t = random_token()?;
            self.insert_token(&t, session, role, 0, rate)?;
            tokens.push(t);
        }
        Ok(Reply::Tokens(tokens))
    }

    pub(super) fn manifest(&mut self, session: SessionId) -> Res<Reply> {
        let blob: Option<Option<Vec<u8>>> = self
            .conn
            .prepare_cached("SELECT manifest FROM sessions WHERE id = ?1")?
            .query_row(params![&session.0[..]], |r| r.get(0))
            .optional()?;
        match blob.flatten() {
            Some(b) => Ok(Reply::Blob(b)),
            None => refuse(ErrorCode::NotFound, "no manifest for this session"),
        }
    }

    pub(super) fn results(&mut self, session: SessionId, digest: &[u8; 32]) -> Res<Reply> {
        match self.token(digest)? {
            Some((owner, role, ..))
                if owner == session
                    && (role == Role::Reader as u8 || role == Role::Organizer as u8) => {}
            _ => {
                return refuse(
                    ErrorCode::Unauthorized,
                    "a read token of this session is required",
                );
            }
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT member, blob FROM results WHERE session = ?1 ORDER BY member",
        )?;
        let rows = stmt.query_map(params![&session.0[..]], |r| {
            Ok((r.get::<_, u16>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        Ok(Reply::Results(Results(rows.collect::<Result<_, _>>()?)))
    }
}

/// The submission window a signed manifest declares, `(opens_at,
/// closes_at)`. The relay stores manifests as opaque blobs; when one reads
/// as a signed manifest, the relay enforces its window: submissions before
/// `opens_at` are refused, and at `closes_at` the session closes as if the
/// organizer had closed it. (Only the organizer can register a manifest,
/// and the signature binds the window for everyone else, so reading it
/// unverified gives the relay no power it did not have.)
fn manifest_deadlines(blob: &[u8]) -> (Option<u64>, Option<u64>) {
    sotto::session::SignedManifest::from_bytes(blob)
        .ok()
        .and_then(|s| sotto::session::Manifest::from_canonical_bytes(s.manifest_bytes()).ok())
        .map_or((None, None), |m| {
            (m.deadlines.opens_at, m.deadlines.closes_at)
        })
}
