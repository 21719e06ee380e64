//! Streams a member's mailbox to its connection: first everything after the
//! resume point, then new entries as the store commits them.
//!
//! Entries are read from the store in pages and pushed into the
//! connection's bounded queue, so a slow member holds at most one page in
//! memory; the rest waits in the database.

use axum::extract::ws::Message;
use sotto_wire::{Header, Kind, SessionId};
use tokio::sync::{mpsc, watch};

use crate::store::{Command, Reply, Store, StoreError};

/// Entries read per store round trip.
const PAGE: u32 = 256;
/// Pause before reading again after the store failed.
const RETRY: std::time::Duration = std::time::Duration::from_millis(250);

/// Runs until the connection's queue or the store goes away.
pub async fn run(
    store: Store,
    session: SessionId,
    member: u16,
    mut cursor: u64,
    mut head: watch::Receiver<u64>,
    out: mpsc::Sender<Message>,
) {
    loop {
        let h = *head.borrow_and_update();
        if h > cursor {
            let entries = match store
                .call(Command::Fetch {
                    session,
                    member,
                    after: cursor,
                    limit: PAGE,
                })
                .await
            {
                Ok(Reply::Entries(e)) => e,
                // The database is briefly unavailable (e.g. PostgreSQL
                // restarting): try again rather than go silent.
                Err(StoreError::Sql(_)) => {
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
                _ => return,
            };
            if entries.is_empty() {
                cursor = h;
                continue;
            }
            for e in entries {
                cursor = e.seq;
                let header = Header {
                    kind: Kind::Deliver,
                    tag: e.kind,
                    session,
                    from: e.sender,
                    to: member,
                    id: e.msg_id,
                    seq: e.seq,
                };
                if out
                    .send(Message::Binary(
                        sotto_wire::encode(&header, &e.payload).into(),
                    ))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            continue;
        }
        if head.changed().await.is_err() {
            return;
        }
    }
}
