//! Live wake-ups for connected members: the store's writer publishes each
//! mailbox's new head after a commit; member connections wait on it.

use std::collections::HashMap;
use std::sync::Mutex;

use sotto_wire::SessionId;
use tokio::sync::watch;

/// A mailbox is named by its session and member index.
pub type MailboxKey = (SessionId, u16);

/// Watch channels of mailboxes that have a connected member.
#[derive(Debug, Default)]
pub struct Hub {
    heads: Mutex<HashMap<MailboxKey, watch::Sender<u64>>>,
}

impl Hub {
    /// Subscribes to a mailbox whose head is now `head`.
    pub fn subscribe(&self, key: MailboxKey, head: u64) -> watch::Receiver<u64> {
        let mut map = self.heads.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(&key) {
            Some(tx) => {
                tx.send_if_modified(|h| {
                    let grew = head > *h;
                    *h = (*h).max(head);
                    grew
                });
                tx.subscribe()
            }
            None => {
                let (tx, rx) = watch::channel(head);
                map.insert(key, tx);
                rx
            }
        }
    }

    /// The mailboxes that have a connected member now.
    pub fn watched(&self) -> Vec<MailboxKey> {
        let map = self.heads.lock().unwrap_or_else(|p| p.into_inner());
        map.keys().copied().collect()
    }

    /// Announces committed heads; forgets mailboxes nobody watches.
    pub fn publish(&self, heads: impl IntoIterator<Item = (MailboxKey, u64)>) {
        let mut map = self.heads.lock().unwrap_or_else(|p| p.into_inner());
        for (key, head) in heads {
            let Some(tx) = map.get(&key) else { continue };
            if tx.receiver_count() == 0 {
                map.remove(&key);
            } else {
                tx.send_if_modified(|h| {
                    let grew = head > *h;
                    *h = (*h).max(head);
                    grew
                });
            }
        }
    }
}
