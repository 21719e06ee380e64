//! Session lifecycle, tokens and public reads.

use sotto_wire::{
    CloseMarker, Created, DeliveryKind, ErrorCode, Results, Role, SessionId, SessionState,
    TokenMode, Welcome,
};
use subtle::ConstantTimeEq;

use super::{Res, Writer, i, n, random_token, refuse, sid, unix_now};
use crate::store::Reply;
use crate::store::db::{Arg, DbError, Stmt};

impl Writer {
    pub(super) fn create(
        &mut self,
        members: u16,
        allow_resubmit: bool,
        max_part: u32,
    ) -> Res<Reply> {
        if !self.db.sole_writer() {
            // Other relays create sessions too (the cap is approximate
            // across relays: two may pass it by a batch at once).
            self.count_sessions()?;
        }
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
        getrandom::fill(&mut id).map_err(|_| {
            crate::store::StoreError::Refused(ErrorCode::Internal, "randomness unavailable")
        })?;
        let session = SessionId(id);
        let now = unix_now();
        self.db.exec(
            "INSERT INTO sessions(id, state, members, resubmit, manifest, next_sub, created_at, max_part) VALUES ($1, $2, $3, $4, NULL, 0, $5, $6)",
            &[sid(&session), n(SessionState::Draft as u8), n(members), n(allow_resubmit), Arg::Int(i(now)), n(max_part)],
        )?;
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
            self.db.exec(
                "INSERT INTO cursors(session, member, head, acked) VALUES ($1, $2, 0, 0)",
                &[sid(&session), n(m)],
            )?;
        }
        self.session_count += 1;
        Ok(Reply::Created(session, Box::new(created)))
    }

    /// Looks a token digest up: (session, role, member, rate).
    fn token(&mut self, digest: &[u8; 32]) -> Res<Option<(SessionId, u8, u16, u32)>> {
        let rows = self.db.query(
            "SELECT hash, session, role, member, rate FROM tokens WHERE hash = $1",
            &[Arg::Bytes(&digest[..])],
        )?;
        let Some(r) = rows.first() else {
            return Ok(None);
        };
        // The index lookup is by digest; compare again in constant time.
        if !bool::from(r.bytes(0)?.as_slice().ct_eq(&digest[..])) {
            return Ok(None);
        }
        let corrupt = || DbError::Corrupt("token row");
        let session = SessionId(r.bytes(1)?.try_into().map_err(|_| corrupt())?);
        let role = u8::try_from(r.int(2)?).map_err(|_| corrupt())?;
        let member = u16::try_from(r.int(3)?).map_err(|_| corrupt())?;
        let rate = u32::try_from(r.int(4)?).map_err(|_| corrupt())?;
        Ok(Some((session, role, member, rate)))
    }

    /// Whether a submission is stored with the single-use token `digest`
    /// (written, or pending in this batch).
    fn token_used(&mut self, session: SessionId, digest: &[u8; 32]) -> Res<bool> {
        let key = (session, *digest);
        if self.pending.latest.contains_key(&key) {
            return Ok(true);
        }
        if self.pending.known_latest.contains(&key) {
            return Ok(false);
        }
        Ok(!self
            .db
            .query(
                "SELECT position FROM submissions WHERE session = $1 AND token = $2 LIMIT 1",
                &[sid(&session), Arg::Bytes(&digest[..])],
            )?
            .is_empty())
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
        let role = Role::try_from(role).map_err(|_| DbError::Corrupt("token role"))?;
        let (mut head, mut from, mut watch) = (0, 0, None);
        let (mut resume_at, mut used) = (0, false);
        if role == Role::Member {
            let c = self.cursor((session, member))?;
            head = c.head;
            resume_at = resume.max(c.acked).min(c.head);
            from = member;
            watch = Some(self.hub.subscribe((session, member), c.head));
        } else if role == Role::Organizer {
            // The organizer's live view: how many answers are stored.
            head = meta.next_sub;
        } else if role == Role::Participant {
            // A single-use link already answered with: the page says so
            // before the form is filled.
            used = self.token_used(session, digest)?;
        }
        let welcome = Welcome {
            role,
            state: meta.state,
            members: meta.members,
            allow_resubmit: meta.resubmit,
            used,
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

    /// One page of the digests of `session`'s single-use tokens that an
    /// answer is stored with (written, or pending in this batch),
    /// ascending, after `after`. Open-link answers are left out: one
    /// token gives them all.
    pub(super) fn used_tokens(
        &mut self,
        session: SessionId,
        after: Option<[u8; 32]>,
    ) -> Res<Reply> {
        self.meta(session)?;
        let page = sotto_wire::USED_TOKENS_PAGE;
        let after = after.unwrap_or([0; 32]);
        let rows = self.db.query(
            "SELECT DISTINCT s.token FROM submissions s JOIN tokens t ON t.hash = s.token \
             WHERE s.session = $1 AND t.role = $2 AND s.token > $3 ORDER BY s.token LIMIT $4",
            &[
                sid(&session),
                n(Role::Participant as u8),
                Arg::Bytes(&after[..]),
                Arg::Int(i(page as u64 + 1)),
            ],
        )?;
        let mut digests = rows
            .iter()
            .map(|r| {
                <[u8; 32]>::try_from(r.bytes(0)?.as_slice())
                    .map_err(|_| DbError::Corrupt("submission token").into())
            })
            .collect::<Res<Vec<[u8; 32]>>>()?;
        // Answers of this batch, not yet written (an open link's among
        // them are left out by its role).
        let pending: Vec<[u8; 32]> = self
            .pending
            .latest
            .keys()
            .filter(|(s, d)| *s == session && d.as_slice() > after.as_slice())
            .map(|(_, d)| *d)
            .collect();
        for d in pending {
            if !digests.contains(&d)
                && matches!(self.token(&d)?, Some((_, role, ..)) if role == Role::Participant as u8)
            {
                digests.push(d);
            }
        }
        digests.sort_unstable();
        digests.dedup();
        let more = digests.len() > page;
        digests.truncate(page);
        Ok(Reply::UsedTokens(sotto_wire::UsedTokens { digests, more }))
    }

    /// The proof about `receipt` in the tree of member `member`'s published
    /// receipt pages, for a read or organizer token. The relay is not
    /// trusted with it: the client checks the proof against the root the
    /// members signed.
    pub(super) fn receipt_proof(
        &mut self,
        session: SessionId,
        digest: &[u8; 32],
        member: u16,
        receipt: &[u8; 32],
    ) -> Res<Reply> {
        self.require_reader(session, digest)?;
        let rows = self.db.query(
            "SELECT leaves FROM receipt_pages WHERE session = $1 AND member = $2 ORDER BY page",
            &[sid(&session), n(member)],
        )?;
        if rows.is_empty() {
            return refuse(
                ErrorCode::NotFound,
                "this member published no receipt pages",
            );
        }
        let mut leaves: Vec<[u8; 32]> = Vec::new();
        for r in &rows {
            let page = r.bytes(0)?;
            for chunk in page.chunks(32) {
                leaves.push(
                    chunk
                        .try_into()
                        .map_err(|_| DbError::Corrupt("receipt page"))?,
                );
            }
        }
        Ok(Reply::Proof(sotto_wire::ReceiptProof::build(
            &leaves, receipt,
        )))
    }

    pub(super) fn register_manifest(&mut self, session: SessionId, blob: &[u8]) -> Res<Reply> {
        if self.meta(session)?.state != SessionState::Draft {
            return refuse(
                ErrorCode::BadState,
                "the manifest can only change while the session is a draft",
            );
        }
        self.db.exec(
            "UPDATE sessions SET manifest = $1 WHERE id = $2",
            &[Arg::Bytes(blob), sid(&session)],
        )?;
        let (opens_at, closes_at) = manifest_deadlines(blob);
        let at = |t: Option<u64>| t.map_or(Arg::NullInt, |t| Arg::Int(i(t)));
        self.db.exec(
            "INSERT INTO deadlines(session, opens_at, closes_at) VALUES ($1, $2, $3) ON CONFLICT(session) DO UPDATE SET opens_at = excluded.opens_at, closes_at = excluded.closes_at",
            &[sid(&session), at(opens_at), at(closes_at)],
        )?;
        if let Some(m) = self.sessions.get_mut(&session) {
            m.has_manifest = true;
            m.opens_at = opens_at;
            m.closes_at = closes_at;
        }
        Ok(Reply::Done)
    }

    /// Closes the open sessions whose deadline has passed, as the organizer's
    /// close would (the members get the close marker and compute). With
    /// several relays on one database, one of them does it each time (the
    /// periodic lock), and skips sessions another batch holds: the next
    /// sweep, or that batch's own deadline check, closes them.
    pub(super) fn close_due(&mut self, now: u64) -> Res<Reply> {
        if !self.db.try_periodic_lock()? {
            return Ok(Reply::Done);
        }
        let sql = self.db.stmt(Stmt::CloseDue);
        let due = self
            .db
            .query(sql, &[Arg::Int(i(now)), n(SessionState::Open as u8)])?;
        for row in due {
            let id = row.bytes(0)?;
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
                    self.append(
                        session,
                        m,
                        DeliveryKind::Closed,
                        0,
                        meta.next_sub,
                        marker.clone(),
                    )?;
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
        let rows = self.db.query(
            "SELECT manifest FROM sessions WHERE id = $1",
            &[sid(&session)],
        )?;
        match rows.first().map(|r| r.opt_bytes(0)).transpose()?.flatten() {
            Some(b) => Ok(Reply::Blob(b)),
            None => refuse(ErrorCode::NotFound, "no manifest for this session"),
        }
    }

    /// Refuses unless `digest` is the read or organizer token of `session`.
    fn require_reader(&mut self, session: SessionId, digest: &[u8; 32]) -> Res<()> {
        match self.token(digest)? {
            Some((owner, role, ..))
                if owner == session
                    && (role == Role::Reader as u8 || role == Role::Organizer as u8) =>
            {
                Ok(())
            }
            _ => refuse(
                ErrorCode::Unauthorized,
                "a read token of this session is required",
            ),
        }
    }

    pub(super) fn results(&mut self, session: SessionId, digest: &[u8; 32]) -> Res<Reply> {
        self.require_reader(session, digest)?;
        let rows = self.db.query(
            "SELECT member, blob FROM results WHERE session = $1 ORDER BY member",
            &[sid(&session)],
        )?;
        let results = rows
            .iter()
            .map(|r| {
                let m = u16::try_from(r.int(0)?).map_err(|_| DbError::Corrupt("member"))?;
                Ok((m, r.bytes(1)?))
            })
            .collect::<Result<_, DbError>>()?;
        Ok(Reply::Results(Results(results)))
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
    let window = sotto_wire::signed_manifest::submission_window(blob);
    (window.opens_at, window.closes_at)
}
