//! Sealed submissions (`SealedShares::from_bytes`, `open_shares`): raw
//! bytes, and a real envelope for the fixture's member 1 with one byte
//! changed. Only the untouched envelope opens, to the sealed plaintext.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sotto_core::envelope::{SealedShares, SubmissionId, open_shares, seal_shares};
use sotto_fuzz::{SESSION, member, member_public, rng};

#[derive(Debug, Arbitrary)]
enum Input<'a> {
    /// Arbitrary bytes as a sealed envelope for member 1.
    Raw(&'a [u8]),
    /// A genuine envelope of `shares`, then `bytes[at] ^= xor`.
    Tampered {
        shares: &'a [u8],
        seed: u64,
        at: usize,
        xor: u8,
        member: u16,
    },
}

fuzz_target!(|input: Input<'_>| {
    let keys = member(1);
    let id = SubmissionId([7; 16]);
    match input {
        Input::Raw(bytes) => {
            if let Ok(sealed) = SealedShares::from_bytes(bytes) {
                assert_eq!(sealed.to_bytes(), bytes);
                assert!(open_shares(keys, &SESSION, &id, sealed.member, &sealed).is_err());
            }
        }
        Input::Tampered {
            shares,
            seed,
            at,
            xor,
            member,
        } => {
            let recipient = member_public(1).x25519;
            let Ok(sealed) = seal_shares(&mut rng(seed), &recipient, &SESSION, &id, member, shares)
            else {
                assert_eq!(member, 0);
                return;
            };
            let mut bytes = sealed.to_bytes();
            let at = at % bytes.len();
            bytes[at] ^= xor;
            let Ok(parsed) = SealedShares::from_bytes(&bytes) else {
                assert!(at == 0 && xor != 0);
                return;
            };
            let opened = open_shares(keys, &SESSION, &id, parsed.member, &parsed);
            // The member index is checked by the AAD, not by the framing.
            let opened_as_sealed = open_shares(keys, &SESSION, &id, member, &parsed);
            if xor == 0 {
                assert_eq!(opened.expect("untouched envelope opens").as_slice(), shares);
            } else {
                assert!(opened.is_err());
                assert!(opened_as_sealed.is_err() || (1..3).contains(&at));
            }
        }
    }
});
