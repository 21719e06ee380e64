//! Which committee members are connected, for the organizer's and the
//! members' live views (docs/relay.md, "Presence"). Kept in memory: a
//! restarted relay knows nobody until the members reconnect, which they
//! do on their own. One small entry per member ever seen since the relay
//! started.
//!
//! Relays sharing one PostgreSQL store share presence through it: each
//! announces its members' changes on the `sotto_presence` channel
//! (`pg_notify`, sent by the store's listener thread, `store::pg`) and
//! again every [`REFRESH_SECS`] for the members still connected; a
//! relay merges what it hears with its own count. An online report not
//! refreshed for [`EXPIRY_SECS`] (its relay crashed or lost the
//! database) counts as offline from the last time it was heard.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use sotto_wire::{MemberPresence, SessionId};

use crate::hub::MailboxKey;

/// Seconds between a relay's reports of the members still connected to it.
pub const REFRESH_SECS: u64 = 10;
/// Seconds after which another relay's unrefreshed online report lapses.
pub const EXPIRY_SECS: u64 = 3 * REFRESH_SECS;

/// Open member connections per (session, member), and since when.
#[derive(Debug)]
pub struct Presence {
    members: Mutex<HashMap<MailboxKey, Seen>>,
    /// This relay's name in shared reports (random, from the OS CSPRNG).
    id: u64,
    /// Whether changes are announced to other relays (a shared store).
    shared: AtomicBool,
    /// Changes not yet announced.
    outbox: Mutex<Vec<(MailboxKey, MemberPresence)>>,
    /// Other relays' reports per member, by relay.
    remote: Mutex<HashMap<MailboxKey, HashMap<u64, Heard>>>,
}

#[derive(Debug, Clone, Copy)]
struct Seen {
    /// Open connections with this member's token.
    open: u32,
    /// Unix seconds: when the first of them opened, or the last closed.
    since: u64,
}

/// Another relay's report of one member.
#[derive(Debug, Clone, Copy)]
struct Heard {
    seen: MemberPresence,
    /// Unix seconds when it was last heard.
    at: u64,
}

impl Default for Presence {
    fn default() -> Presence {
        let mut id = [0u8; 8];
        // A relay that cannot draw a name still works alone; shared, two
        // such relays would only mistake each other's reports for their
        // own, which costs presence accuracy, nothing else.
        let _ = getrandom::fill(&mut id);
        Presence {
            members: Mutex::default(),
            id: u64::from_be_bytes(id),
            shared: AtomicBool::new(false),
            outbox: Mutex::default(),
            remote: Mutex::default(),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Presence {
    /// A connection of `member` said Hello at `now`.
    pub fn join(&self, key: MailboxKey, now: u64) {
        let mut map = lock(&self.members);
        let seen = map.entry(key).or_insert(Seen {
            open: 0,
            since: now,
        });
        if seen.open == 0 {
            seen.since = now;
            self.changed(key, true, now);
        }
        seen.open += 1;
    }

    /// That connection closed at `now`.
    pub fn leave(&self, key: MailboxKey, now: u64) {
        let mut map = lock(&self.members);
        if let Some(seen) = map.get_mut(&key) {
            seen.open = seen.open.saturating_sub(1);
            if seen.open == 0 {
                seen.since = now;
                self.changed(key, false, now);
            }
        }
    }

    fn changed(&self, key: MailboxKey, online: bool, since: u64) {
        if self.shared.load(Ordering::Relaxed) {
            lock(&self.outbox).push((key, MemberPresence { online, since }));
        }
    }

    /// Members 1 to `n` of `session` at unix second `now`: connected here
    /// or, with a shared store, to another relay.
    pub fn of(&self, session: SessionId, n: u16, now: u64) -> Vec<MemberPresence> {
        let map = lock(&self.members);
        let remote = lock(&self.remote);
        (1..=n)
            .map(|m| {
                let here = map.get(&(session, m)).map(|s| MemberPresence {
                    online: s.open > 0,
                    since: s.since,
                });
                let there = remote.get(&(session, m)).into_iter().flat_map(|r| {
                    r.values().map(|h| {
                        if h.seen.online && now.saturating_sub(h.at) > EXPIRY_SECS {
                            MemberPresence {
                                online: false,
                                since: h.at,
                            }
                        } else {
                            h.seen
                        }
                    })
                });
                merge(here.into_iter().chain(there))
            })
            .collect()
    }

    /// Turns on announcing changes (the store is shared).
    pub fn share(&self) {
        self.shared.store(true, Ordering::Relaxed);
    }

    /// The reports to send other relays now, one line each
    /// (`relay session member online since`): the changes since the last
    /// call and, with `refresh`, every member connected here.
    pub fn outgoing(&self, refresh: bool) -> Vec<String> {
        let mut out: Vec<(MailboxKey, MemberPresence)> = std::mem::take(&mut *lock(&self.outbox));
        if refresh {
            out.extend(
                lock(&self.members)
                    .iter()
                    .filter(|(_, s)| s.open > 0)
                    .map(|(k, s)| {
                        (
                            *k,
                            MemberPresence {
                                online: true,
                                since: s.since,
                            },
                        )
                    }),
            );
        }
        out.iter()
            .map(|((session, m), p)| {
                format!(
                    "{:016x} {} {m} {} {}",
                    self.id,
                    session.to_hex(),
                    u8::from(p.online),
                    p.since
                )
            })
            .collect()
    }

    /// Takes in another relay's report lines (its own are skipped, bad
    /// lines ignored), heard at `now`.
    pub fn heard(&self, payload: &str, now: u64) {
        let mut remote = lock(&self.remote);
        for line in payload.lines() {
            let mut it = line.split(' ');
            let parsed = (|| {
                let relay = u64::from_str_radix(it.next()?, 16).ok()?;
                let session = SessionId::from_hex(it.next()?).ok()?;
                let member: u16 = it.next()?.parse().ok()?;
                let online = match it.next()? {
                    "0" => false,
                    "1" => true,
                    _ => return None,
                };
                let since: u64 = it.next()?.parse().ok()?;
                it.next()
                    .is_none()
                    .then_some((relay, (session, member), online, since))
            })();
            let Some((relay, key, online, since)) = parsed else {
                continue;
            };
            if relay == self.id {
                continue;
            }
            remote.entry(key).or_default().insert(
                relay,
                Heard {
                    seen: MemberPresence { online, since },
                    at: now,
                },
            );
        }
    }
}

/// One member's presence from several relays' reports: online if any says
/// so (since the earliest of those), else offline since the latest change;
/// never seen if nobody reported.
fn merge(reports: impl Iterator<Item = MemberPresence>) -> MemberPresence {
    let mut out = MemberPresence {
        online: false,
        since: 0,
    };
    for r in reports {
        out = match (out.online, r.online) {
            (false, true) => r,
            (true, true) => MemberPresence {
                online: true,
                since: out.since.min(r.since),
            },
            (false, false) => MemberPresence {
                online: false,
                since: out.since.max(r.since),
            },
            (true, false) => out,
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_leaves_count_connections_and_keep_the_time_of_the_change() {
        let p = Presence::default();
        let s = SessionId([7; 16]);
        let at = |p: &Presence| p.of(s, 3, 0);
        assert_eq!(
            at(&p)[0],
            MemberPresence {
                online: false,
                since: 0
            }
        );
        p.join((s, 1), 100);
        p.join((s, 1), 150); // a second tab: still online since 100
        assert_eq!(
            at(&p)[0],
            MemberPresence {
                online: true,
                since: 100
            }
        );
        p.leave((s, 1), 200);
        assert_eq!(
            at(&p)[0],
            MemberPresence {
                online: true,
                since: 100
            }
        );
        p.leave((s, 1), 210);
        assert_eq!(
            at(&p)[0],
            MemberPresence {
                online: false,
                since: 210
            }
        );
        p.join((s, 1), 300);
        assert_eq!(
            at(&p)[0],
            MemberPresence {
                online: true,
                since: 300
            }
        );
        assert_eq!(
            at(&p)[1],
            MemberPresence {
                online: false,
                since: 0
            }
        );
        assert_eq!(
            p.of(SessionId([8; 16]), 1, 0)[0].since,
            0,
            "other sessions apart"
        );
    }

    #[test]
    fn reports_of_other_relays_merge_and_lapse() {
        let (a, b) = (Presence::default(), Presence::default());
        a.share();
        b.share();
        let s = SessionId([9; 16]);
        // Member 1 on A since 100: B hears it.
        a.join((s, 1), 100);
        for line in a.outgoing(false) {
            b.heard(&line, 101);
            a.heard(&line, 101); // its own report comes back: skipped
        }
        assert_eq!(
            b.of(s, 2, 102),
            vec![
                MemberPresence {
                    online: true,
                    since: 100
                },
                MemberPresence {
                    online: false,
                    since: 0
                }
            ]
        );
        assert_eq!(a.of(s, 1, 102)[0].since, 100);
        // Also connected to B since 120: online since the earlier.
        b.join((s, 1), 120);
        assert_eq!(b.of(s, 1, 121)[0].since, 100);
        // Left A at 130 and B at 140: offline since the later.
        a.leave((s, 1), 130);
        b.heard(&a.outgoing(false).join("\n"), 131);
        b.leave((s, 1), 140);
        assert_eq!(
            b.of(s, 1, 141)[0],
            MemberPresence {
                online: false,
                since: 140
            }
        );
        // Back on A; A then falls silent (no refresh): lapses after the expiry.
        a.join((s, 1), 200);
        b.heard(&a.outgoing(false).join("\n"), 200);
        assert!(b.of(s, 1, 200 + EXPIRY_SECS)[0].online);
        assert_eq!(
            b.of(s, 1, 201 + EXPIRY_SECS)[0],
            MemberPresence {
                online: false,
                since: 200
            }
        );
        // A refresh keeps it alive; the refresh names every connected member.
        let refresh = a.outgoing(true);
        assert_eq!(refresh.len(), 1, "{refresh:?}");
        b.heard(&refresh[0], 300);
        assert!(b.of(s, 1, 301)[0].online);
        // Bad lines change nothing.
        b.heard("zz 1 2\n\n00 00 1 1 1 extra", 302);
        assert!(b.of(s, 1, 302)[0].online);
        // Not shared: nothing to announce.
        let alone = Presence::default();
        alone.join((s, 1), 1);
        assert!(alone.outgoing(false).is_empty());
    }
}
