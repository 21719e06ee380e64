//! Retention: what finished sessions no longer need is deleted.
//!
//! A session finishes when every member has published (state done); its
//! retention time starts then. After [`Retention::data`] its submissions,
//! mailboxes, message ids, deadlines and participant and member tokens are
//! deleted ("purged"): nobody can submit or compute any more, but the
//! manifest, the signed results and the read and organizer tokens stay, so
//! read links keep working. After [`Retention::results`] the session is
//! deleted entirely. A session that never finishes (an abandoned draft, a
//! session whose committee never computed) counts as finished
//! [`Retention::unfinished`] after its creation.
//!
//! One sweep handles at most [`PER_SWEEP`] sessions of each kind, so a
//! sweep's transaction stays short; the relay sweeps periodically
//! (`--gc-interval-secs`), and with several relays on one PostgreSQL only
//! the one holding the lock of periodic work sweeps, skipping sessions
//! another relay's batch holds (`FOR UPDATE SKIP LOCKED`).

use sotto_wire::{DeliveryKind, Role, SessionId};

use super::{Res, Writer, i, n, sid};
use crate::store::db::{Arg, DbError, Stmt};
use crate::store::{Collected, Reply, Retention};

/// Most sessions of each kind (expired, purged, deleted) one sweep handles.
pub(crate) const PER_SWEEP: u32 = 64;

/// The tables a purge empties for a session, by their session column.
const PURGED: &[&str] = &["submissions", "mailbox", "cursors", "sent", "deadlines"];

impl Writer {
    /// One retention sweep at `now` (unix seconds).
    pub(super) fn collect(&mut self, keep: Retention, now: u64) -> Res<Reply> {
        let mut done = Collected::default();
        if !self.db.try_periodic_lock()? {
            done.skipped = true;
            return Ok(Reply::Collected(done));
        }
        if keep.unfinished > 0 {
            for s in self.due(Stmt::ToExpire, now, keep.unfinished)? {
                self.db.exec(
                    "UPDATE sessions SET finished_at = $1 WHERE id = $2",
                    &[Arg::Int(i(now)), sid(&s)],
                )?;
                done.expired += 1;
            }
        }
        if keep.results > 0 {
            for s in self.due(Stmt::ToDelete, now, keep.results)? {
                self.purge(s)?;
                for table in ["results", "receipt_pages", "tokens", "sessions"] {
                    let column = if table == "sessions" { "id" } else { "session" };
                    self.db.exec(
                        &format!("DELETE FROM {table} WHERE {column} = $1"),
                        &[sid(&s)],
                    )?;
                }
                self.session_count = self.session_count.saturating_sub(1);
                done.deleted += 1;
            }
        }
        if keep.data > 0 {
            for s in self.due(Stmt::ToPurge, now, keep.data)? {
                self.purge(s)?;
                self.db.exec(
                    "DELETE FROM tokens WHERE session = $1 AND role <> $2 AND role <> $3",
                    &[sid(&s), n(Role::Organizer as u8), n(Role::Reader as u8)],
                )?;
                self.db.exec(
                    "UPDATE sessions SET purged_at = $1 WHERE id = $2",
                    &[Arg::Int(i(now)), sid(&s)],
                )?;
                done.purged += 1;
            }
        }
        if done != Collected::default() {
            tracing::info!(
                expired = done.expired,
                purged = done.purged,
                deleted = done.deleted,
                "retention sweep"
            );
        }
        Ok(Reply::Collected(done))
    }

    /// The sessions `stmt` selects with a cut-off `age` seconds before `now`.
    fn due(&mut self, stmt: Stmt, now: u64, age: u64) -> Res<Vec<SessionId>> {
        let sql = self.db.stmt(stmt);
        let cutoff = i(now.saturating_sub(age));
        self.db
            .query(sql, &[Arg::Int(cutoff), n(PER_SWEEP)])?
            .iter()
            .map(|r| {
                let id = r.bytes(0)?;
                let id = <[u8; 16]>::try_from(id.as_slice())
                    .map_err(|_| DbError::Corrupt("session id"))?;
                Ok(SessionId(id))
            })
            .collect()
    }

    /// The moment a session is done (every member published its signed
    /// result): its member messages and their ids are deleted at once, not
    /// at the retention purge. From now on `Send` is refused and nothing is
    /// computed any more, so no member message will be read again; what is
    /// left of them is what reached a mailbox after its member's last
    /// acknowledgement (the other members' final messages). Submission
    /// parts and the close marker stay until acknowledged (members
    /// acknowledge right after publishing) or purged, so a member reading
    /// its mailbox after the end still finds the log it computed on.
    pub(super) fn compact(&mut self, s: SessionId) -> Res<()> {
        let (direct, broadcast) = (DeliveryKind::Direct as u8, DeliveryKind::Broadcast as u8);
        self.db.exec(
            "DELETE FROM mailbox WHERE session = $1 AND kind IN ($2, $3)",
            &[sid(&s), n(direct), n(broadcast)],
        )?;
        self.db
            .exec("DELETE FROM sent WHERE session = $1", &[sid(&s)])?;
        // Rows this batch appended but writes only at commit (PostgreSQL).
        self.pending
            .mailbox
            .retain(|r| r.session != s || (r.kind != direct && r.kind != broadcast));
        Ok(())
    }

    /// Deletes a session's submissions, mailboxes and the rest of
    /// [`PURGED`], and forgets what the caches hold of it.
    fn purge(&mut self, s: SessionId) -> Res<()> {
        for table in PURGED {
            self.db.exec(
                &format!("DELETE FROM {table} WHERE session = $1"),
                &[sid(&s)],
            )?;
        }
        self.sessions.remove(&s);
        self.cursors.retain(|k, _| k.0 != s);
        self.dirty.retain(|k, _| k.0 != s);
        self.pending_subs.remove(&s);
        self.pending.mailbox.retain(|r| r.session != s);
        self.pending.submissions.retain(|r| r.session != s);
        Ok(())
    }
}
