//! Key files (`read_public`, `MemberKeys::from_keyfile`). Argon2 is
//! memory-hard on purpose, so decryption is attempted only when the file
//! asks for at most 64 KiB and 2 passes; the header parser sees every
//! input. A genuine file (cheapest parameters) with one byte changed is
//! also tried: only the untouched file with the right passphrase opens.
//!
//! Input: the first byte picks the mode (bit 0: raw file or tampered
//! genuine file) and the passphrase (bit 1: the right one); a raw file is
//! the rest, a tampered file takes the byte position (u16 BE) and the XOR
//! mask from the next three bytes.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sotto_core::keyfile::{KdfParams, MemberKeys, read_public};
use sotto_fuzz::{member, member_public, rng};

const PASSPHRASE: &str = "correct horse";

fn cheap(p: &KdfParams) -> bool {
    p.m_cost_kib <= 64 && p.t_cost <= 2
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let right_passphrase = mode & 2 != 0;
    let passphrase = if right_passphrase {
        PASSPHRASE
    } else {
        "wrong"
    };
    if mode & 1 == 0 {
        if let Ok((params, _)) = read_public(rest)
            && cheap(&params)
        {
            let _ = MemberKeys::from_keyfile(rest, passphrase);
        }
        return;
    }
    let [a, b, xor, ..] = *rest else {
        return;
    };
    let keys = member(1);
    // Argon2 runs once per input below; the genuine file is built once.
    static FILE: OnceLock<Vec<u8>> = OnceLock::new();
    let mut file = FILE
        .get_or_init(|| {
            keys.to_keyfile(PASSPHRASE, KdfParams::INSECURE_FOR_TESTS, &mut rng(1))
                .expect("fixture key file")
        })
        .clone();
    let at = usize::from(u16::from_be_bytes([a, b])) % file.len();
    file[at] ^= xor;
    let Ok((params, public)) = read_public(&file) else {
        assert_ne!(xor, 0);
        return;
    };
    if !cheap(&params) {
        return;
    }
    match MemberKeys::from_keyfile(&file, passphrase) {
        Ok(opened) => {
            assert!(xor == 0 && right_passphrase);
            assert!(opened == *keys);
            assert_eq!(public, member_public(1));
        }
        Err(_) => assert!(xor != 0 || !right_passphrase),
    }
});
