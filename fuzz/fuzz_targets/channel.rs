//! Member-to-member channel messages (`ChannelHeader::from_bytes`,
//! `Channel::open`) between the fixture's members 2 (sender) and 1
//! (receiver): genuine frames, dropped, replayed and tampered ones, and
//! raw bytes. Genuine frames open in order whatever failed before them;
//! nothing else opens.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sotto_core::envelope::{CHANNEL_HEADER_LEN, Channel, ChannelHeader, EnvelopeError, RunId};
use sotto_fuzz::{SESSION, member, member_public};

#[derive(Debug, Arbitrary)]
enum Op<'a> {
    /// Member 2 seals `plaintext` for `round`; member 1 opens it.
    Deliver { round: u32, plaintext: &'a [u8] },
    /// Member 2 seals, the frame is lost.
    Drop { round: u32 },
    /// Member 2 seals, `frame[at] ^= xor` (xor != 0) before delivery.
    Tamper { round: u32, at: usize, xor: u8 },
    /// The last delivered frame again.
    Replay,
    /// Arbitrary bytes.
    Raw(&'a [u8]),
}

fuzz_target!(|ops: Vec<Op<'_>>| {
    let (k1, k2) = (member(1), member(2));
    let new = |keys, me, peer: u16| {
        let peer_key = member_public(peer).x25519;
        Channel::new(keys, me, peer, &peer_key, SESSION, 3, &RunId([9; 32]))
            .expect("fixture channel")
    };
    let mut receiver = new(k1, 1, 2);
    let mut sender = new(k2, 2, 1);
    let mut last: Option<Vec<u8>> = None;
    for op in ops.into_iter().take(64) {
        match op {
            Op::Deliver { round, plaintext } => {
                let frame = sender.seal(round, plaintext).expect("seal");
                let opened = receiver.open(&frame).expect("a genuine frame opens");
                assert_eq!(opened.plaintext.as_slice(), plaintext);
                assert_eq!(
                    opened.header,
                    ChannelHeader::from_bytes(&frame).expect("header")
                );
                assert_eq!(opened.header.round, round);
                last = Some(frame);
            }
            Op::Drop { round } => {
                sender.seal(round, b"lost").expect("seal");
            }
            Op::Tamper { round, at, xor } => {
                let mut frame = sender.seal(round, b"tampered").expect("seal");
                let at = at % frame.len();
                frame[at] ^= xor.max(1);
                assert!(receiver.open(&frame).is_err());
            }
            Op::Replay => {
                if let Some(frame) = &last {
                    assert!(matches!(
                        receiver.open(frame),
                        Err(EnvelopeError::Replay { .. })
                    ));
                }
            }
            Op::Raw(bytes) => {
                if let Ok(h) = ChannelHeader::from_bytes(bytes) {
                    assert_eq!(h.to_bytes()[..], bytes[..CHANNEL_HEADER_LEN]);
                }
                // Forging needs the channel key: a raw frame never opens.
                assert!(receiver.open(bytes).is_err());
            }
        }
    }
});
