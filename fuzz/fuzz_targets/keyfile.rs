//! Key files (`read_public`, `MemberKeys::from_keyfile`). Argon2 is
//! memory-hard on purpose, so decryption is attempted only when the file
//! asks for at most 64 KiB and 2 passes; the header parser sees every
//! input. A genuine file (cheapest parameters) with one byte changed is
//! also tried: only the untouched file with the right passphrase opens.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sotto::keyfile::{KdfParams, MemberKeys, read_public};
use sotto_fuzz::{member, rng};

const PASSPHRASE: &str = "correct horse";

#[derive(Debug, Arbitrary)]
enum Input<'a> {
    Raw { file: &'a [u8], passphrase: &'a str },
    Tampered { at: usize, xor: u8, right_passphrase: bool },
}

fn cheap(p: &KdfParams) -> bool {
    p.m_cost_kib <= 64 && p.t_cost <= 2
}

fuzz_target!(|input: Input<'_>| match input {
    Input::Raw { file, passphrase } => {
        if let Ok((params, _)) = read_public(file)
            && cheap(&params)
        {
            let _ = MemberKeys::from_keyfile(file, passphrase);
        }
    }
    Input::Tampered {
        at,
        xor,
        right_passphrase,
    } => {
        let keys = member(1);
        let mut file = keys
            .to_keyfile(PASSPHRASE, KdfParams::INSECURE_FOR_TESTS, &mut rng(1))
            .expect("fixture key file");
        let at = at % file.len();
        file[at] ^= xor;
        let Ok((params, public)) = read_public(&file) else {
            assert_ne!(xor, 0);
            return;
        };
        if !cheap(&params) {
            return;
        }
        let passphrase = if right_passphrase { PASSPHRASE } else { "wrong" };
        match MemberKeys::from_keyfile(&file, passphrase) {
            Ok(opened) => {
                assert!(xor == 0 && right_passphrase);
                assert!(opened == keys);
                assert_eq!(public, keys.public());
            }
            Err(_) => assert!(xor != 0 || !right_passphrase),
        }
    }
});
