//! Which committee members are connected, for the organizer's and the
//! members' live views (docs/relay.md, "Presence"). Kept in memory only:
//! a restarted relay knows nobody until the members reconnect, which they
//! do on their own. One small entry per member ever seen since the relay
//! started.

use std::collections::HashMap;
use std::sync::Mutex;

use sotto_wire::{MemberPresence, SessionId};

use crate::hub::MailboxKey;

/// Open member connections per (session, member), and since when.
#[derive(Debug, Default)]
pub struct Presence {
    members: Mutex<HashMap<MailboxKey, Seen>>,
}

#[derive(Debug, Clone, Copy)]
struct Seen {
    /// Open connections with this member's token.
    open: u32,
    /// Unix seconds: when the first of them opened, or the last closed.
    since: u64,
}

impl Presence {
    /// A connection of `member` said Hello at `now`.
    pub fn join(&self, key: MailboxKey, now: u64) {
        let mut map = self.members.lock().unwrap_or_else(|p| p.into_inner());
        let seen = map.entry(key).or_insert(Seen {
            open: 0,
            since: now,
        });
        if seen.open == 0 {
            seen.since = now;
        }
        seen.open += 1;
    }

    /// That connection closed at `now`.
    pub fn leave(&self, key: MailboxKey, now: u64) {
        let mut map = self.members.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(seen) = map.get_mut(&key) {
            seen.open = seen.open.saturating_sub(1);
            if seen.open == 0 {
                seen.since = now;
            }
        }
    }

    /// Members 1 to `n` of `session`.
    pub fn of(&self, session: SessionId, n: u16) -> Vec<MemberPresence> {
        let map = self.members.lock().unwrap_or_else(|p| p.into_inner());
        (1..=n)
            .map(|m| match map.get(&(session, m)) {
                Some(s) => MemberPresence {
                    online: s.open > 0,
                    since: s.since,
                },
                None => MemberPresence {
                    online: false,
                    since: 0,
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_leaves_count_connections_and_keep_the_time_of_the_change() {
        let p = Presence::default();
        let s = SessionId([7; 16]);
        let at = |p: &Presence| p.of(s, 3);
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
            p.of(SessionId([8; 16]), 1)[0].since,
            0,
            "other sessions apart"
        );
    }
}
