//! Member message pieces (`client::pieces`): `Piece::decode` and
//! `Reassembler::accept` on raw bytes from one sender, interleaved with the
//! genuine pieces of a message from another, in the fuzzer's order and with
//! duplicates. Whatever decodes re-encodes to its bytes; the genuine
//! message comes out exactly once, exactly when its last missing piece
//! arrives, whatever the raw bytes did.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sotto_client::pieces::{PIECE_HEADER_LEN, Piece, Reassembler, split};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    message: Vec<u8>,
    payload: u8,
    id: u64,
    /// Which genuine piece arrives next (modulo their number).
    order: Vec<u8>,
    /// Raw inputs, from another sender.
    raw: Vec<&'a [u8]>,
}

fn reencode(p: &Piece<'_>) -> Vec<u8> {
    let mut b = vec![sotto_client::pieces::TAG_PIECE];
    b.extend_from_slice(&p.id.to_be_bytes());
    b.extend_from_slice(&p.index.to_be_bytes());
    b.extend_from_slice(&p.count.to_be_bytes());
    b.extend_from_slice(p.data);
    b
}

fuzz_target!(|input: Input<'_>| {
    let mut r = Reassembler::default();
    for raw in &input.raw {
        if let Ok(p) = Piece::decode(raw) {
            assert_eq!(reencode(&p), *raw);
            assert!(p.index < p.count);
        }
    }
    let payload = PIECE_HEADER_LEN + 1 + usize::from(input.payload);
    let pieces = split(input.message.clone(), input.id, payload).expect("a small message splits");
    if input.message.len() <= payload {
        assert_eq!(pieces, vec![input.message]);
        return;
    }
    // The fuzzer's order, then every piece once more so the message completes.
    let arrival = input
        .order
        .iter()
        .map(|o| usize::from(*o) % pieces.len())
        .chain(0..pieces.len());
    let mut seen = vec![false; pieces.len()];
    let mut raw = input.raw.iter();
    let mut done = 0;
    for i in arrival {
        if let Some(b) = raw.next() {
            let _ = r.accept(2, b);
        }
        let first = !seen[i];
        seen[i] = true;
        match r.accept(1, &pieces[i]) {
            Ok(Some(m)) => {
                assert!(first && seen.iter().all(|s| *s));
                assert_eq!(m, input.message);
                done += 1;
            }
            Ok(None) => assert!(first && !seen.iter().all(|s| *s)),
            Err(e) => assert!(!first, "genuine piece refused: {e}"),
        }
    }
    assert_eq!(done, 1);
    for b in raw {
        let _ = r.accept(2, b);
    }
});
