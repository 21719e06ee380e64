//! The pages of counted receipts members publish for large sessions, and
//! the proofs the relay serves from them (docs/session.md, "Receipts a
//! participant can check"), against the real relay process over real
//! WebSockets: only members publish, only after close; only read and
//! organizer tokens get proofs; every proof checks against the root of
//! the member's own list.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Relay, error_code, setup};
use sotto_client::relay::ClientError;
use sotto_wire::receipt_tree::{self, ProofAnswer, check_proof};
use sotto_wire::{ErrorCode, Kind, RECEIPT_PAGE, SessionState};

fn receipt(i: u32) -> [u8; 32] {
    let mut r = [0u8; 32];
    r[..4].copy_from_slice(&(2 * i + 1).to_be_bytes());
    r
}

fn refused(r: Result<impl std::fmt::Debug, ClientError>) -> ErrorCode {
    match r {
        Err(ClientError::Refused { code, .. }) => code,
        other => panic!("not refused: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_publish_receipt_pages_and_readers_get_proofs() {
    let relay = Relay::start_process(&[]);
    let mut s = setup(&relay, 2, false, true).await;
    // Two pages: one full, one short.
    let leaves: Vec<[u8; 32]> = (0..RECEIPT_PAGE as u32 + 100).map(receipt).collect();
    let root = receipt_tree::root(&leaves);
    let count = leaves.len() as u64;
    let mut m1 = relay.client().await;
    m1.hello(s.session, &s.created.members[0], 0).await.unwrap();

    // Before close: refused.
    let early = m1.publish_receipts(0, &leaves[..10].concat()).await;
    assert_eq!(refused(early), ErrorCode::BadState);
    s.organizer.set_state(SessionState::Closed).await.unwrap();

    // Bad pages: refused, and the connection goes on.
    assert_eq!(
        refused(m1.publish_receipts(0, &[]).await),
        ErrorCode::BadRequest
    );
    assert_eq!(
        refused(m1.publish_receipts(0, &[7; 33]).await),
        ErrorCode::BadRequest
    );
    let too_big = vec![1u8; 32 * (RECEIPT_PAGE + 1)];
    assert!(m1.publish_receipts(0, &too_big).await.is_err());
    assert_eq!(
        refused(m1.publish_receipts(64, &leaves[..1].concat()).await),
        ErrorCode::BadRequest,
        "past the last page"
    );
    // A page sent again replaces it.
    m1.publish_receipts(1, &leaves[..3].concat()).await.unwrap();
    for (k, page) in leaves.chunks(RECEIPT_PAGE).enumerate() {
        m1.publish_receipts(k as u64, &page.concat()).await.unwrap();
    }
    // The organizer and participants may not publish.
    let org_try = s.organizer.publish_receipts(0, &leaves[..1].concat()).await;
    assert_eq!(refused(org_try), ErrorCode::Forbidden);

    // A reader, without Hello: proofs that check against the root.
    let mut reader = relay.client().await;
    for i in [0usize, 1, 16_383, 16_384, leaves.len() - 1] {
        let p = reader
            .receipt_proof(s.session, &s.created.reader, 1, &leaves[i])
            .await
            .unwrap();
        assert_eq!(
            check_proof(&p, &leaves[i], &root, count),
            ProofAnswer::Included,
            "leaf {i}"
        );
    }
    for absent in [[0u8; 32], receipt(500), [0xff; 32]] {
        let mut even = absent;
        even[31] = 0; // never a leaf: leaves are odd numbers
        let p = reader
            .receipt_proof(s.session, &s.created.reader, 1, &even)
            .await
            .unwrap();
        let want = if leaves.contains(&even) {
            ProofAnswer::Included
        } else {
            ProofAnswer::Excluded
        };
        assert_eq!(check_proof(&p, &even, &root, count), want);
    }
    // The organizer's token reads too; a participant's or a wrong one does not.
    reader
        .receipt_proof(s.session, &s.created.organizer, 1, &leaves[5])
        .await
        .unwrap();
    let wrong = reader
        .receipt_proof(s.session, &s.created.members[1], 1, &leaves[5])
        .await;
    assert_eq!(refused(wrong), ErrorCode::Unauthorized);
    // Member 2 published nothing.
    let none = reader
        .receipt_proof(s.session, &s.created.reader, 2, &leaves[5])
        .await;
    assert_eq!(refused(none), ErrorCode::NotFound);

    // A malformed request: refused, the connection goes on.
    let mut raw = common::Raw::connect(&relay, [127, 0, 0, 1]).await;
    raw.session = s.session;
    let f = raw.request(Kind::GetReceiptProof, 1, &[0; 40]).await;
    assert_eq!(error_code(&f), Some(ErrorCode::BadRequest));
    let f = raw
        .request(
            Kind::GetReceiptProof,
            2,
            &[&s.created.reader.0[..], &leaves[0][..]].concat(),
        )
        .await;
    // Well formed, but it names member 0 (the header's `to`): no pages.
    assert_eq!(error_code(&f), Some(ErrorCode::NotFound));
}
