//! The submission log and the members' mailboxes.

use sotto_wire::{
    self, BROADCAST, Bundle, DeliveryKind, ErrorCode, SessionId, SessionState, SubmissionDelivery,
};

use super::{Res, StoreError, Writer, i, id_from_sql, id_sql, n, refuse, sid, u, unix_now};
use crate::store::db::{Arg, DbError, SubRow};
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
        if let Some((position, receipt)) = self.pending.idem.get(&(session, token, idem)) {
            // Submitted earlier in this batch (not yet written).
            return Ok(Reply::Submitted {
                position: *position,
                receipt: *receipt,
                fresh: false,
            });
        }
        let prior = if self.pending.known_idem.contains(&(session, token, idem)) {
            Vec::new() // looked up for the whole batch: none
        } else {
            self.db.query(
                "SELECT position, receipt FROM submissions WHERE session = $1 AND token = $2 AND idem = $3",
                &[sid(&session), Arg::Bytes(&token[..]), Arg::Int(id_sql(idem))],
            )?
        };
        if let Some(r) = prior.first() {
            let receipt = r
                .bytes(1)?
                .try_into()
                .map_err(|_| DbError::Corrupt("receipt"))?;
            return Ok(Reply::Submitted {
                position: u(r.int(0)?),
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
        if meta.max_part != 0
            && parts
                .iter()
                .any(|p| p.len() > usize::try_from(meta.max_part).unwrap_or(usize::MAX))
        {
            return refuse(
                ErrorCode::TooLarge,
                "a part is larger than the session's fixed part size",
            );
        }
        // Every part carries the participant's commitment, the same in all
        // parts, listing each part's hash: members then never see
        // different commitments for one submission unless the relay
        // tampers (docs/relay.md, "Submissions").
        if let Err(why) = sotto_wire::check_committed_bundle(&parts) {
            return refuse(ErrorCode::BadRequest, why);
        }
        let mut replaces = 0;
        if single_use {
            let prev = match self.pending.latest.get(&(session, token)) {
                Some(p) => Some(i(*p)),
                None if self.pending.known_latest.contains(&(session, token)) => None,
                None => self
                    .db
                    .query(
                        "SELECT position FROM submissions WHERE session = $1 AND token = $2 ORDER BY position DESC LIMIT 1",
                        &[sid(&session), Arg::Bytes(&token[..])],
                    )?
                    .first()
                    .map(|r| r.int(0))
                    .transpose()?,
            };
            if let Some(prev) = prev {
                if !meta.resubmit {
                    return refuse(
                        ErrorCode::TokenUsed,
                        "this single-use token has already submitted",
                    );
                }
                replaces = u(prev);
            }
        }
        self.check_room(session, 1..=meta.members)?;
        let position = meta.next_sub + 1;
        let receipt = sotto_wire::receipt(bundle);
        self.pending.submissions.push(SubRow {
            session,
            position: i(position),
            token,
            idem: id_sql(idem),
            receipt,
            replaces: i(replaces),
        });
        self.pending
            .idem
            .insert((session, token, idem), (position, receipt));
        self.pending.latest.insert((session, token), position);
        for (idx, ct) in parts.iter().enumerate() {
            let payload = SubmissionDelivery {
                receipt,
                replaces,
                ciphertext: ct,
            }
            .encode();
            let m = u16::try_from(idx + 1).unwrap_or(u16::MAX);
            self.append(session, m, DeliveryKind::Submission, 0, position, payload)?;
        }
        self.pending_subs.insert(session, position);
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
        let fresh = self.db.exec(
            "INSERT INTO sent(session, sender, msg_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[sid(&session), n(from), Arg::Int(id_sql(id))],
        )?;
        if fresh == 0 {
            return Ok(Reply::Done); // a duplicate: already stored once
        }
        for m in recipients {
            self.append(session, m, kind, from, id, payload.to_vec())?;
        }
        if meta.state == SessionState::Closed {
            self.set_meta_state(session, SessionState::Computing)?;
        }
        Ok(Reply::Done)
    }

    pub(super) fn ack(&mut self, caller: Caller, seq: u64) -> Res<Reply> {
        let key = (caller.session, caller.member);
        let mut c = self.cursor(key)?;
        // Never beyond what the member can have received: entries this
        // batch appended are delivered only after it commits. (Without the
        // bound, on PostgreSQL, where the batch's rows are written at
        // commit, the DELETE below would miss them and leave rows at or
        // below `acked` that nothing delivers or deletes.)
        let received = self.batch_heads.get(&key).copied().unwrap_or(c.head);
        let seq = seq.min(received);
        if seq > c.acked {
            self.db.exec(
                "DELETE FROM mailbox WHERE session = $1 AND member = $2 AND seq <= $3",
                &[sid(&key.0), n(key.1), Arg::Int(i(seq))],
            )?;
            self.db.exec(
                "UPDATE cursors SET acked = $1 WHERE session = $2 AND member = $3",
                &[Arg::Int(i(seq)), sid(&key.0), n(key.1)],
            )?;
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
        self.db.exec(
            "INSERT INTO results(session, member, blob) VALUES ($1, $2, $3) ON CONFLICT(session, member) DO UPDATE SET blob = excluded.blob",
            &[sid(&session), n(caller.member), Arg::Bytes(blob)],
        )?;
        let published = self
            .db
            .query(
                "SELECT count(*) FROM results WHERE session = $1",
                &[sid(&session)],
            )?
            .first()
            .map(|r| r.int(0))
            .transpose()?
            .unwrap_or(0);
        if published >= i64::from(meta.members) && meta.state != SessionState::Done {
            self.set_meta_state(session, SessionState::Done)?;
            self.compact(session)?;
        }
        Ok(Reply::Done)
    }

    /// Stores page `page` of the caller's sorted counted receipts (after
    /// close; again the same page replaces it).
    pub(super) fn publish_receipts(
        &mut self,
        caller: Caller,
        page: u64,
        leaves: &[u8],
    ) -> Res<Reply> {
        let session = caller.session;
        if matches!(
            self.meta(session)?.state,
            SessionState::Draft | SessionState::Open
        ) {
            return refuse(
                ErrorCode::BadState,
                "receipts can only be published after close",
            );
        }
        if page >= sotto_wire::receipt_tree::MAX_RECEIPT_PAGES {
            return refuse(ErrorCode::BadRequest, "too many receipt pages");
        }
        if leaves.is_empty()
            || !leaves.len().is_multiple_of(32)
            || leaves.len() > 32 * sotto_wire::RECEIPT_PAGE
        {
            return refuse(
                ErrorCode::BadRequest,
                "a receipt page holds 1 to 16,384 receipts of 32 bytes",
            );
        }
        self.db.exec(
            "INSERT INTO receipt_pages(session, member, page, leaves) VALUES ($1, $2, $3, $4) ON CONFLICT(session, member, page) DO UPDATE SET leaves = excluded.leaves",
            &[sid(&session), n(caller.member), Arg::Int(i(page)), Arg::Bytes(leaves)],
        )?;
        Ok(Reply::Done)
    }

    pub(super) fn fetch(
        &mut self,
        session: SessionId,
        member: u16,
        after: u64,
        limit: u32,
    ) -> Res<Reply> {
        let rows = self.db.query(
            "SELECT seq, kind, sender, msg_id, payload FROM mailbox WHERE session = $1 AND member = $2 AND seq > $3 ORDER BY seq LIMIT $4",
            &[sid(&session), n(member), Arg::Int(i(after)), n(limit)],
        )?;
        let corrupt = || DbError::Corrupt("mailbox row");
        let entries = rows
            .iter()
            .map(|r| {
                Ok(Entry {
                    seq: u(r.int(0)?),
                    kind: u8::try_from(r.int(1)?).map_err(|_| corrupt())?,
                    sender: u16::try_from(r.int(2)?).map_err(|_| corrupt())?,
                    msg_id: id_from_sql(r.int(3)?),
                    payload: r.bytes(4)?,
                })
            })
            .collect::<Result<_, DbError>>()?;
        Ok(Reply::Entries(entries))
    }
}
