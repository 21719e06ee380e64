//! They also run under wasm (the browser member reassembles too), except
//! the property tests and the 1 GiB one.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

fn header(id: u64, index: u32, count: u32) -> Vec<u8> {
    let mut p = vec![TAG_PIECE];
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(&index.to_be_bytes());
    p.extend_from_slice(&count.to_be_bytes());
    p
}

fn piece(id: u64, index: u32, count: u32, data: &[u8]) -> Vec<u8> {
    let mut p = header(id, index, count);
    p.extend_from_slice(data);
    p
}

#[test]
fn a_message_that_fits_is_not_split() {
    let m = vec![2u8; 100];
    assert_eq!(split(m.clone(), 7, 100).unwrap(), vec![m]);
    assert_eq!(split(Vec::new(), 7, 100).unwrap(), vec![Vec::<u8>::new()]);
}

#[test]
fn pieces_fit_the_payload_and_carry_the_format() {
    let m: Vec<u8> = (0..250u32).map(|i| i as u8).collect();
    let ps = split(m.clone(), 0x0102_0304_0506_0708, 100).unwrap();
    let data = 100 - PIECE_HEADER_LEN;
    assert_eq!(ps.len(), m.len().div_ceil(data));
    for (i, p) in ps.iter().enumerate() {
        assert!(p.len() <= 100);
        assert_eq!(
            p[..PIECE_HEADER_LEN],
            header(0x0102_0304_0506_0708, i as u32, ps.len() as u32)[..]
        );
    }
    assert_eq!(ps[0][PIECE_HEADER_LEN..], m[..data]);
}

#[test]
fn the_relay_limit_bounds_every_piece_frame() {
    let m = vec![9u8; 3 * MAX_PAYLOAD + 5];
    for p in split(m, 1, MAX_PAYLOAD).unwrap() {
        assert!(sotto_wire::HEADER_LEN + p.len() <= sotto_wire::FRAME_LIMIT);
    }
}

#[test]
fn pieces_reassemble_in_any_order_per_sender() {
    let a: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
    let b = vec![5u8; 333];
    let pa = split(a.clone(), 1, 64).unwrap();
    let pb = split(b.clone(), 1, 64).unwrap();
    let mut r = Reassembler::default();
    // Same message id from two senders: two messages, interleaved, backwards.
    let mut out = Vec::new();
    for i in (0..pa.len().max(pb.len())).rev() {
        for (from, ps) in [(1u16, &pa), (2, &pb)] {
            if let Some(p) = ps.get(i)
                && let Some(m) = r.accept(from, p).unwrap()
            {
                out.push((from, m));
            }
        }
    }
    out.sort();
    assert_eq!(out, vec![(1, a), (2, b)]);
    assert_eq!(r.buffered(), 0);
}

#[test]
fn bad_pieces_are_typed_errors() {
    let mut r = Reassembler::default();
    assert_eq!(r.accept(1, &[]), Err(PieceError::Malformed));
    assert_eq!(r.accept(1, &header(1, 0, 2)), Err(PieceError::Malformed));
    let mut other_tag = piece(1, 0, 2, b"x");
    other_tag[0] = 2;
    assert_eq!(r.accept(1, &other_tag), Err(PieceError::Malformed));
    assert_eq!(
        r.accept(1, &piece(1, 2, 2, b"x")),
        Err(PieceError::BadIndex { index: 2, count: 2 })
    );
    assert_eq!(
        r.accept(1, &piece(1, 0, 0, b"x")),
        Err(PieceError::BadIndex { index: 0, count: 0 })
    );
    assert_eq!(r.accept(1, &piece(1, 0, 3, b"ab")), Ok(None));
    assert_eq!(
        r.accept(1, &piece(1, 0, 3, b"ab")),
        Err(PieceError::Duplicate { id: 1, index: 0 })
    );
    assert_eq!(
        r.accept(1, &piece(1, 1, 4, b"cd")),
        Err(PieceError::Conflict {
            id: 1,
            count: 4,
            expected: 3
        })
    );
    assert_eq!(r.accept(1, &piece(1, 2, 3, b"ef")), Ok(None));
    assert_eq!(
        r.accept(1, &piece(1, 1, 3, b"cd")),
        Ok(Some(b"abcdef".to_vec()))
    );
    // A late copy of a piece of a complete message.
    assert_eq!(
        r.accept(1, &piece(1, 1, 3, b"cd")),
        Err(PieceError::Duplicate { id: 1, index: 1 })
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn splitting_refuses_a_message_over_the_maximum() {
    // Checked before anything is allocated or copied.
    let m = vec![0u8; MAX_MESSAGE + 1];
    assert_eq!(
        split(m, 1, MAX_PAYLOAD),
        Err(PieceError::TooLarge {
            len: MAX_MESSAGE + 1,
            max: MAX_MESSAGE
        })
    );
}

#[test]
fn memory_stays_within_the_limits() {
    let limits = Limits {
        max_message: 10,
        max_pending: 2,
        max_buffered: 25,
    };
    let mut r = Reassembler::new(limits);
    // A message growing past max_message is dropped whole.
    assert_eq!(r.accept(1, &piece(1, 0, 3, &[0; 6])), Ok(None));
    assert_eq!(
        r.accept(1, &piece(1, 1, 3, &[0; 6])),
        Err(PieceError::TooLarge { len: 12, max: 10 })
    );
    assert_eq!(r.buffered(), 0);
    // A count no message of max_message bytes can have.
    assert!(matches!(
        r.accept(1, &piece(2, 0, 11, &[0])),
        Err(PieceError::BadIndex { .. })
    ));
    // A third incomplete message from one sender evicts its oldest.
    for id in 10..13 {
        assert_eq!(r.accept(1, &piece(id, 0, 2, &[0; 5])), Ok(None));
    }
    assert_eq!(r.buffered(), 10);
    assert_eq!(r.evicted(), 2);
    assert_eq!(
        r.accept(1, &piece(10, 1, 2, &[0; 5])),
        Ok(None),
        "message 10 was evicted: its second piece starts it again"
    );
    // Over all senders the budget holds: older messages go first.
    for from in 2..6u16 {
        assert_eq!(r.accept(from, &piece(1, 0, 2, &[0; 8])), Ok(None));
        assert!(r.buffered() <= limits.max_buffered);
    }
    assert_eq!(
        r.accept(5, &piece(1, 1, 2, &[1; 2])),
        Ok(Some([[0; 8].as_slice(), &[1; 2]].concat()))
    );
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Split then reassemble: any message, any piece size, any arrival
        /// order with duplicates, among other senders' pieces, gives back the
        /// message exactly once.
        #[test]
        fn split_then_reassemble(
            message in proptest::collection::vec(any::<u8>(), 0..2000),
            payload in (PIECE_HEADER_LEN + 1)..300usize,
            id in any::<u64>(),
            order in proptest::collection::vec(any::<prop::sample::Index>(), 0..40),
            seed in any::<u64>(),
        ) {
            let pieces = split(message.clone(), id, payload).unwrap();
            for p in &pieces {
                prop_assert!(p.len() <= payload);
            }
            if message.len() <= payload {
                prop_assert_eq!(&pieces[0], &message);
                return Ok(());
            }
            // A shuffled arrival order of every piece, plus duplicates.
            let mut arrival: Vec<usize> = (0..pieces.len()).collect();
            let mut x = seed | 1;
            for i in (1..arrival.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                arrival.swap(i, (x % (i as u64 + 1)) as usize);
            }
            for ix in &order {
                let at = ix.index(arrival.len() + 1);
                arrival.insert(at, ix.index(pieces.len()));
            }
            let other = split(vec![1u8; 500], id, payload).unwrap();
            let mut r = Reassembler::default();
            let mut got = Vec::new();
            for (k, &i) in arrival.iter().enumerate() {
                match r.accept(4, &pieces[i]) {
                    Ok(Some(m)) => got.push(m),
                    Ok(None) => {}
                    Err(e) => prop_assert!(matches!(e, PieceError::Duplicate { .. }), "{e}"),
                }
                if let Some(p) = other.get(k) {
                    let _ = r.accept(5, p);
                }
            }
            prop_assert_eq!(got, vec![message]);
        }

        /// Arbitrary pieces (well-formed headers with any id, index, count and
        /// data, and raw bytes) never panic, never hold more than the limits,
        /// and only complete a message of at most the largest size.
        #[test]
        fn arbitrary_pieces_are_handled(
            inputs in proptest::collection::vec(prop_oneof![
                (0..3u64, 0..5u32, 0..5u32, proptest::collection::vec(any::<u8>(), 0..40))
                    .prop_map(|(id, index, count, data)| piece(id, index, count, &data)),
                proptest::collection::vec(any::<u8>(), 0..40),
            ], 0..60),
            from in proptest::collection::vec(1..4u16, 60),
        ) {
            let limits = Limits { max_message: 64, max_pending: 2, max_buffered: 128 };
            let mut r = Reassembler::new(limits);
            for (b, from) in inputs.iter().zip(from) {
                if let Ok(Some(m)) = r.accept(from, b) {
                    prop_assert!(m.len() <= limits.max_message);
                }
                prop_assert!(r.buffered() <= limits.max_buffered);
            }
        }
    }
}
