//! The store's commands, run on the writer thread inside a batch transaction.
//!
//! Each command checks everything that can refuse it before it writes, so a
//! refusal leaves nothing behind. Small caches (session metadata, mailbox
//! heads) avoid re-reading hot rows; they are dropped whenever a statement
//! or a commit fails, and reload from the database. When the database has
//! other writers (PostgreSQL shared by several relays) the caches live for
//! one batch only: the batch holds its sessions' row locks, so what it read
//! stays true until it commits.
//!
//! [`sessions`] holds the organizer's and the public commands, [`mailbox`]
//! the submission log and the members' mailboxes.

use std::collections::HashMap;
use std::sync::Arc;

use sotto_wire::{DeliveryKind, ErrorCode, Role, SessionId, SessionState, Token};

use super::db::{Arg, BatchWrites, Db, DbError, MailRow, SubRow};
use super::{Command, Reply, StoreError};
use crate::config::Limits;
use crate::hub::{Hub, MailboxKey};

mod mailbox;
mod retention;

pub(crate) use retention::PER_SWEEP;
mod sessions;

type Res<T> = Result<T, StoreError>;

fn refuse<T>(code: ErrorCode, msg: &'static str) -> Res<T> {
    Err(StoreError::Refused(code, msg))
}

#[derive(Debug, Clone, Copy)]
struct Meta {
    state: SessionState,
    members: u16,
    resubmit: bool,
    next_sub: u64,
    has_manifest: bool,
    /// The session's fixed part size (0: only the frame limit).
    max_part: u32,
    /// The manifest's submission window (unix seconds), when the relay
    /// could read it.
    opens_at: Option<u64>,
    closes_at: Option<u64>,
}

#[derive(Debug, Clone, Copy)]
struct Cursor {
    head: u64,
    acked: u64,
}

/// The writer thread's state: the connection plus caches.
pub(super) struct Writer {
    db: Box<dyn Db>,
    limits: Limits,
    hub: Arc<Hub>,
    sessions: HashMap<SessionId, Meta>,
    cursors: HashMap<MailboxKey, Cursor>,
    dirty: HashMap<MailboxKey, u64>,
    /// Mailboxes the current batch appended to, with their heads before
    /// its first append: no member can have received more than that (the
    /// batch's entries are delivered after it commits), so an
    /// acknowledgement in the same batch stops there (see `Writer::ack`).
    batch_heads: HashMap<MailboxKey, u64>,
    /// Sessions' new submission counters, written once per batch at
    /// commit (mailbox heads likewise, from `dirty`): fewer statements,
    /// and a failed statement undoes the whole batch anyway (see
    /// [`Db::recover`]).
    pending_subs: HashMap<SessionId, u64>,
    /// The batch's new rows, written at commit in few statements per table
    /// (group commit in the statements too: a submission then costs its
    /// lookups, not one statement per row; on PostgreSQL one round trip
    /// per table).
    pending: Pending,
    session_count: u64,
}

/// (session, token digest, idempotency id).
type IdemKey = (SessionId, [u8; 32], u64);

/// Rows written at the end of a batch, and what later commands of the same
/// batch must see of them.
#[derive(Debug, Default)]
struct Pending {
    mailbox: Vec<MailRow>,
    submissions: Vec<SubRow>,
    /// (session, token, idempotency id) → (position, receipt).
    idem: HashMap<IdemKey, (u64, [u8; 32])>,
    /// (session, token) → its latest position.
    latest: HashMap<(SessionId, [u8; 32]), u64>,
    /// Looked up for the whole batch at its start (see
    /// [`Writer::prefetch`]): what `idem` and `latest` say about these is
    /// complete, no further query is needed.
    known_idem: std::collections::HashSet<IdemKey>,
    known_latest: std::collections::HashSet<(SessionId, [u8; 32])>,
}

impl Pending {
    fn clear(&mut self) {
        self.mailbox.clear();
        self.submissions.clear();
        self.idem.clear();
        self.latest.clear();
        self.known_idem.clear();
        self.known_latest.clear();
    }
}

fn random_token() -> Res<Token> {
    let mut t = Token([0; 32]);
    getrandom::fill(&mut t.0)
        .map_err(|_| StoreError::Refused(ErrorCode::Internal, "randomness unavailable"))?;
    Ok(t)
}

/// Seconds since the Unix epoch, as stored.
pub(super) fn unix_now_sql() -> i64 {
    i(unix_now())
}

/// Seconds since the Unix epoch.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn i(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A stored counter back as a u64 (negative values never occur).
fn u(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// A session id as a parameter.
fn sid(s: &SessionId) -> Arg<'_> {
    Arg::Bytes(&s.0[..])
}

/// A small integer as a parameter.
fn n(v: impl Into<i64>) -> Arg<'static> {
    Arg::Int(v.into())
}

/// An id (request, idempotency or message id: any u64) as an SQLite
/// integer, bit for bit, so that distinct ids stay distinct. Counters
/// (sequence numbers, positions) use [`i`] instead.
pub(super) fn id_sql(v: u64) -> i64 {
    i64::from_le_bytes(v.to_le_bytes())
}

/// The inverse of [`id_sql`].
pub(super) fn id_from_sql(v: i64) -> u64 {
    u64::from_le_bytes(v.to_le_bytes())
}

impl Writer {
    pub(super) fn new(db: Box<dyn Db>, limits: Limits, hub: Arc<Hub>) -> Result<Writer, DbError> {
        let mut w = Writer {
            db,
            limits,
            hub,
            sessions: HashMap::new(),
            cursors: HashMap::new(),
            dirty: HashMap::new(),
            batch_heads: HashMap::new(),
            pending_subs: HashMap::new(),
            pending: Pending::default(),
            session_count: 0,
        };
        w.count_sessions()?;
        Ok(w)
    }

    fn count_sessions(&mut self) -> Result<(), DbError> {
        let rows = self.db.query("SELECT count(*) FROM sessions", &[])?;
        self.session_count = u(rows.first().map(|r| r.int(0)).transpose()?.unwrap_or(0));
        Ok(())
    }

    /// Starts a batch's transaction holding the sessions its commands touch.
    pub(super) fn begin(&mut self, sessions: &[SessionId]) -> Res<()> {
        self.batch_heads.clear();
        if self.db.sole_writer() {
            return Ok(self.db.begin(sessions)?);
        }
        // Other relays wrote since the last batch.
        self.sessions.clear();
        self.cursors.clear();
        self.db.begin(sessions)?;
        // Under the sessions' locks: their mailboxes' cursors in one
        // statement rather than one per mailbox when first appended to.
        if sessions.is_empty() {
            return Ok(());
        }
        for (session, member, head, acked) in self.db.session_cursors(sessions)?.unwrap_or_default()
        {
            let (Ok(id), Ok(member)) = (
                <[u8; 16]>::try_from(session.as_slice()),
                u16::try_from(member),
            ) else {
                return Err(DbError::Corrupt("cursor row").into());
            };
            self.cursors.insert(
                (SessionId(id), member),
                Cursor {
                    head: u(head),
                    acked: u(acked),
                },
            );
        }
        Ok(())
    }

    /// Where the database has a bulk form (PostgreSQL): looks up, in two
    /// statements per session, what the batch's submissions would
    /// otherwise each query (an earlier submission with the same token and
    /// idempotency id, a single-use token's latest position), so that a
    /// submission costs no round trip of its own. (SQLite's lookups are
    /// in-process index probes: each submission makes its own.)
    pub(super) fn prefetch(&mut self, submits: &[(super::Caller, bool, u64)]) -> Res<()> {
        if self.db.sole_writer() || submits.is_empty() {
            return Ok(());
        }
        let mut by_session: HashMap<SessionId, Vec<(super::Caller, bool, u64)>> = HashMap::new();
        for s in submits {
            by_session.entry(s.0.session).or_default().push(*s);
        }
        for (session, subs) in by_session {
            let mut tokens: Vec<[u8; 32]> = subs.iter().map(|s| s.0.token).collect();
            tokens.sort_unstable();
            tokens.dedup();
            let mut idems: Vec<i64> = subs.iter().map(|s| id_sql(s.2)).collect();
            idems.sort_unstable();
            idems.dedup();
            let Some(found) = self.db.find_submissions(&session, &tokens, &idems)? else {
                return Ok(());
            };
            for (token, idem, position, receipt) in found {
                let (Ok(token), Ok(receipt)) = (
                    <[u8; 32]>::try_from(token.as_slice()),
                    <[u8; 32]>::try_from(receipt.as_slice()),
                ) else {
                    return Err(DbError::Corrupt("submission row").into());
                };
                self.pending
                    .idem
                    .insert((session, token, id_from_sql(idem)), (u(position), receipt));
            }
            for s in &subs {
                self.pending.known_idem.insert((session, s.0.token, s.2));
            }
            let single: Vec<[u8; 32]> = {
                let mut v: Vec<[u8; 32]> = subs.iter().filter(|s| s.1).map(|s| s.0.token).collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            if single.is_empty() {
                continue;
            }
            let Some(latest) = self.db.latest_positions(&session, &single)? else {
                continue;
            };
            for (token, position) in latest {
                let Ok(token) = <[u8; 32]>::try_from(token.as_slice()) else {
                    return Err(DbError::Corrupt("submission row").into());
                };
                self.pending.latest.insert((session, token), u(position));
            }
            for t in single {
                self.pending.known_latest.insert((session, t));
            }
        }
        Ok(())
    }

    /// Writes the counters deferred to the end of the batch, tells other
    /// relays which mailboxes grew, then commits.
    pub(super) fn commit(&mut self) -> Res<()> {
        let submissions = std::mem::take(&mut self.pending.submissions);
        let mailbox = std::mem::take(&mut self.pending.mailbox);
        self.pending.clear();
        let heads: Vec<(MailboxKey, u64)> = self.dirty.iter().map(|(k, v)| (*k, *v)).collect();
        let counters: Vec<(SessionId, u64)> = self.pending_subs.drain().collect();
        self.db.write_batch(&BatchWrites {
            submissions: &submissions,
            mailbox: &mailbox,
            heads: &heads,
            counters: &counters,
        })?;
        Ok(self.db.commit()?)
    }

    /// Forgets every cache and pending wake-up after a failed commit.
    pub(super) fn after_failure(&mut self) {
        self.dirty.clear();
        self.pending_subs.clear();
        self.pending.clear();
        self.db.recover();
        self.forget_caches();
    }

    /// Drops the caches so they reload from the database. Pending wake-ups
    /// stay: waking a member for nothing is harmless, missing one is not.
    fn forget_caches(&mut self) {
        self.sessions.clear();
        self.cursors.clear();
        let _ = self.count_sessions();
    }

    /// Wakes members whose mailboxes grew in the committed batch.
    pub(super) fn publish_heads(&mut self) {
        if !self.dirty.is_empty() {
            self.hub.publish(self.dirty.drain());
        }
    }

    /// Between batches: the database's housekeeping (see [`Db::idle`]).
    pub(super) fn idle(&mut self) -> Option<std::time::Duration> {
        self.db.idle()
    }

    /// At shutdown.
    pub(super) fn close(&mut self) {
        self.db.close();
    }

    /// Runs one command of the batch. A failed statement spoils the whole
    /// transaction (see [`Db::recover`]): the caller rolls back and runs
    /// the batch again without the failed command.
    pub(super) fn run(&mut self, cmd: &Command) -> Res<Reply> {
        match *cmd {
            Command::Create {
                members,
                allow_resubmit,
                max_part,
            } => self.create(members, allow_resubmit, max_part),
            Command::Hello {
                session,
                token,
                resume,
            } => self.hello(session, &token, resume),
            Command::RegisterManifest { session, ref blob } => {
                self.register_manifest(session, blob)
            }
            Command::CloseDue => self.close_due(unix_now()),
            Command::Gc(keep) => self.collect(keep, unix_now()),
            Command::SetState { session, state } => self.set_state(session, state),
            Command::Mint { session, ref req } => {
                self.mint(session, req.mode, req.count, req.rate_per_min)
            }
            Command::Submit {
                caller,
                single_use,
                idem,
                ref bundle,
            } => self.submit(caller, single_use, idem, bundle),
            Command::Send {
                caller,
                to,
                id,
                ref payload,
            } => self.send(caller, to, id, payload),
            Command::AckMailbox { caller, seq } => self.ack(caller, seq),
            Command::Publish { caller, ref blob } => self.publish(caller, blob),
            Command::GetManifest { session } => self.manifest(session),
            Command::GetResults { session, token } => self.results(session, &token),
            Command::UsedTokens { session, after } => self.used_tokens(session, after),
            Command::PublishReceipts {
                caller,
                page,
                ref leaves,
            } => self.publish_receipts(caller, page, leaves),
            Command::ReceiptProof {
                session,
                token,
                member,
                receipt,
            } => self.receipt_proof(session, &token, member, &receipt),
            Command::Fetch {
                session,
                member,
                after,
                limit,
            } => self.fetch(session, member, after, limit),
        }
    }

    fn meta(&mut self, session: SessionId) -> Res<Meta> {
        if let Some(m) = self.sessions.get(&session) {
            return Ok(*m);
        }
        let rows = self.db.query(
            "SELECT s.state, s.members, s.resubmit, s.next_sub, s.manifest IS NOT NULL, d.opens_at, d.closes_at, s.max_part FROM sessions s LEFT JOIN deadlines d ON d.session = s.id WHERE s.id = $1",
            &[sid(&session)],
        )?;
        let Some(r) = rows.first() else {
            return refuse(ErrorCode::NotFound, "no such session");
        };
        let state = u8::try_from(r.int(0)?)
            .ok()
            .and_then(|s| SessionState::try_from(s).ok())
            .ok_or(DbError::Corrupt("session state"))?;
        let m = Meta {
            state,
            members: u16::try_from(r.int(1)?).map_err(|_| DbError::Corrupt("committee size"))?,
            resubmit: r.int(2)? != 0,
            next_sub: u(r.int(3)?),
            has_manifest: r.int(4)? != 0,
            opens_at: r.opt_int(5)?.and_then(|t| u64::try_from(t).ok()),
            closes_at: r.opt_int(6)?.and_then(|t| u64::try_from(t).ok()),
            max_part: u32::try_from(r.int(7)?).map_err(|_| DbError::Corrupt("part size"))?,
        };
        self.sessions.insert(session, m);
        Ok(m)
    }

    fn set_meta_state(&mut self, session: SessionId, state: SessionState) -> Res<()> {
        if state == SessionState::Done {
            // The start of its retention time.
            self.db.exec(
                "UPDATE sessions SET state = $1, finished_at = $3 WHERE id = $2",
                &[n(state as u8), sid(&session), Arg::Int(unix_now_sql())],
            )?;
        } else {
            self.db.exec(
                "UPDATE sessions SET state = $1 WHERE id = $2",
                &[n(state as u8), sid(&session)],
            )?;
        }
        if let Some(m) = self.sessions.get_mut(&session) {
            m.state = state;
        }
        Ok(())
    }

    fn cursor(&mut self, key: MailboxKey) -> Res<Cursor> {
        if let Some(c) = self.cursors.get(&key) {
            return Ok(*c);
        }
        let rows = self.db.query(
            "SELECT head, acked FROM cursors WHERE session = $1 AND member = $2",
            &[sid(&key.0), n(key.1)],
        )?;
        let c = match rows.first() {
            Some(r) => Cursor {
                head: u(r.int(0)?),
                acked: u(r.int(1)?),
            },
            None => Cursor { head: 0, acked: 0 },
        };
        self.cursors.insert(key, c);
        Ok(c)
    }

    fn check_room(&mut self, session: SessionId, members: impl Iterator<Item = u16>) -> Res<()> {
        for m in members {
            let c = self.cursor((session, m))?;
            if c.head - c.acked >= self.limits.max_mailbox {
                return refuse(ErrorCode::LimitReached, "a member's mailbox is full");
            }
        }
        Ok(())
    }

    fn append(
        &mut self,
        session: SessionId,
        member: u16,
        kind: DeliveryKind,
        sender: u16,
        msg_id: u64,
        payload: Vec<u8>,
    ) -> Res<()> {
        let key = (session, member);
        let mut c = self.cursor(key)?;
        let seq = c.head + 1;
        self.batch_heads.entry(key).or_insert(c.head);
        self.pending.mailbox.push(MailRow {
            session,
            member,
            seq: i(seq),
            kind: kind as u8,
            sender,
            msg_id: id_sql(msg_id),
            payload,
        });
        c.head = seq;
        self.cursors.insert(key, c);
        self.dirty.insert(key, seq);
        Ok(())
    }

    fn insert_token(
        &mut self,
        t: &Token,
        session: SessionId,
        role: Role,
        member: u16,
        rate: u32,
    ) -> Res<()> {
        self.db.exec(
            "INSERT INTO tokens(hash, session, role, member, rate) VALUES ($1, $2, $3, $4, $5)",
            &[
                Arg::Bytes(&t.digest()[..]),
                sid(&session),
                n(role as u8),
                n(member),
                n(rate),
            ],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod id_tests {
    use super::{id_from_sql, id_sql};

    #[test]
    fn ids_keep_all_64_bits() {
        for v in [0, 1, i64::MAX as u64, 1 << 63, (1 << 63) + 1, u64::MAX] {
            assert_eq!(id_from_sql(id_sql(v)), v);
        }
        assert_ne!(
            id_sql(1 << 63),
            id_sql((1 << 63) + 1),
            "distinct large ids must stay distinct"
        );
    }
}
