//! The submission log and the members' mailboxes.

use rusqlite::{OptionalExtension, params};
use sotto::wire::{
    self, BROADCAST, Bundle, DeliveryKind, ErrorCode, SessionId, SessionState, SubmissionDelivery,
};

use super::{Res, StoreError, Writer, i, id_from_sql, id_sql, refuse, unix_now};
use crate::store::{Caller, Entry, Reply};

impl Writer {
    pub(super) fn submit(
        &mut self,
        caller: Caller,
        single_use: bool,
        idem: u64,
        bundle: &[u8],
    ) -> Res<Reply> {
        let Caller { session, token, .. } = caller;
        let prior = self
            .conn
            .prepare_cached("SELECT position, receipt FROM submissions WHERE session = ?1 AND token = ?2 AND idem = ?3")?
            .query_row(params![&session.0[..], &token[..], id_sql(idem)], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
            .optional()?;
        if let Some((position, receipt)) = prior {
            let receipt = receipt
                .try_into()
                .map_err(|_| StoreError::Sql(rusqlite::Error::InvalidQuery))?;
            return Ok(Reply::Submitted {
                position: u64::try_from(position).unwrap_or(0),
                receipt,
                fresh: false,
            });
        }
        let meta = self.meta(session)?;
        if meta.state != SessionState::Open {
            return refuse(
                ErrorCode::BadState,
                "the session is not open for submissions",
            );
        }
        let now = unix_now();
        if meta.opens_at.is_some_and(|t| now < t) {
            return refuse(
                ErrorCode::BadState,
                "the session does not take submissions yet",
            );
        }
        if meta.closes_at.is_some_and(|t| now >= t) {
            // The deadline passed before the once-a-second sweep saw it.
            self.set_state(session, SessionState::Closed)?;
            return refuse(ErrorCode::BadState, "the session closed at its deadline");
        }
        let parts = Bundle::decode(bundle)
            .map_err(|_| StoreError::Refused(ErrorCode::BadRequest, "malformed bundle"))?
            .parts;
        if parts.len() != usize::from(meta.members) {
            return refuse(
                ErrorCode::BadRequest,
                "a bundle holds exactly one ciphertext per member",
            );
        }
        let mut replaces = 0;
        if single_use {
            let prev: Option<i64> = self
                .conn
                .prepare_cached("SELECT position FROM submissions WHERE session = ?1 AND token = ?2 ORDER BY position DESC LIMIT 1")?
                .query_row(params![&session.0[..], &token[..]], |r| r.get(0))
                .optional()?;
            if let Some(prev) = prev {
                if !meta.resubmit {
                    return refuse(
                        ErrorCode::TokenUsed,
                        "this single-use token has already submitted",
                    );
                }
                replaces = u64::try_from(prev).unwrap_or(0);
            }
        }
        self.check_room(session, 1..=meta.members)?;
        let position = meta.next_sub + 1;
        let receipt = wire::receipt(bundle);
        self.conn
            .prepare_cached("INSERT INTO submissions(session, position, token, idem, receipt, replaces) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
            .execute(params![&session.0[..], i(position), &token[..], id_sql(idem), &receipt[..], i(replaces)])?;
        for (idx, ct) in parts.iter().enumerate() {
            let payload = SubmissionDelivery {
                receipt,
                replaces,
                ciphertext: ct,
            }
            .encode();
            let m = u16::try_from(idx + 1).unwrap_or(u16::MAX);
            self.append(session, m, DeliveryKind::Submission, 0, position, &payload)?;
        }
        self.conn
            .prepare_cached("UPDATE sessions SET next_sub = ?1 WHERE id = ?2")?
            .execute(params![i(position), &session.0[..]])?;
        if let Some(m) = self.sessions.get_mut(&session) {
            m.next_sub = position;
        }
        Ok(Reply::Submitted {
            position,
            receipt,
            fresh: true,
        })
    }

    pub(super) fn send(&mut self, caller: Caller, to: u16, id: u64, payload: &[u8]) -> Res<Reply> {
        let Caller {
            session,
            member: from,
            ..
        } = caller;
        let meta = self.meta(session)?;
        if meta.state == SessionState::Done {
            return refuse(ErrorCode::BadState, "the session is done");
        }
        let (kind, recipients): (_, Vec<u16>) = if to == BROADCAST {
            (
                DeliveryKind::Broadcast,
                (1..=meta.members).filter(|&m| m != from).collect(),
            )
        } else if to == 0 || to > meta.members || to == from {
            return refuse(ErrorCode::BadRequest, "no such recipient");
        } else {
            (DeliveryKind::Direct, vec![to])
        };
        self.check_room(session, recipients.iter().copied())?;
        let fresh = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO sent(session, sender, msg_id) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![&session.0[..], from, id_sql(id)])?;
        if fresh == 0 {
            return Ok(Reply::Done); // a duplicate: already stored once
        }
        for m in recipients {
            self.append(session, m, kind, from, id, payload)?;
        }
        if meta.state == SessionState::Closed {
            self.set_meta_state(session, SessionState::Computing)?;
        }
        Ok(Reply::Done)
    }

    pub(super) fn ack(&mut self, caller: Caller, seq: u64) -> Res<Reply> {
        let key = (caller.session, caller.member);
        let mut c = self.cursor(key)?;
        let seq = seq.min(c.head);
        if seq > c.acked {
            self.conn
                .prepare_cached(
                    "DELETE FROM mailbox WHERE session = ?1 AND member = ?2 AND seq <= ?3",
                )?
                .execute(params![&key.0.0[..], key.1, i(seq)])?;
            self.conn
                .prepare_cached("UPDATE cursors SET acked = ?1 WHERE session = ?2 AND member = ?3")?
                .execute(params![i(seq), &key.0.0[..], key.1])?;
            c.acked = seq;
            self.cursors.insert(key, c);
        }
        Ok(Reply::Done)
    }

    pub(super) fn publish(&mut self, caller: Caller, blob: &[u8]) -> Res<Reply> {
        let session = caller.session;
        let meta = self.meta(session)?;
        if matches!(meta.state, SessionState::Draft | SessionState::Open) {
            return refuse(
                ErrorCode::BadState,
                "results can only be published after close",
            );
        }
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO results(session, member, blob) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![&session.0[..], caller.member, blob])?;
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM results WHERE session = ?1")?
            .query_row(params![&session.0[..]], |r| r.get(0))?;
        if n >= i64::from(meta.members) && meta.state != SessionState::Done {
            self.set_meta_state(session, SessionState::Done)?;
        }
        Ok(Reply::Done)
    }

    pub(super) fn fetch(
        &mut self,
        session: SessionId,
        member: u16,
        after: u64,
        limit: u32,
    ) -> Res<Reply> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, kind, sender, msg_id, payload FROM mailbox WHERE session = ?1 AND member = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4",
        )?;
        let rows = stmt.query_map(params![&session.0[..], member, i(after), limit], |r| {
            Ok(Entry {
                seq: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                kind: r.get(1)?,
                sender: r.get(2)?,
                msg_id: id_from_sql(r.get::<_, i64>(3)?),
                payload: r.get(4)?,
            })
        })?;
        Ok(Reply::Entries(rows.collect::<Result<_, _>>()?))
    }
}
