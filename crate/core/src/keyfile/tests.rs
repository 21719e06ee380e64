//! Tests of key generation, the key file format and fingerprints.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

fn file(seed: u8) -> (MemberKeys, Vec<u8>) {
    let keys = MemberKeys::generate(&mut rng(seed));
    let bytes = keys
        .to_keyfile(
            "correct horse",
            KdfParams::INSECURE_FOR_TESTS,
            &mut rng(seed + 1),
        )
        .unwrap();
    (keys, bytes)
}

#[test]
fn keyfile_roundtrip() {
    let (keys, bytes) = file(1);
    assert_eq!(bytes.len(), KEYFILE_LEN);
    let back = MemberKeys::from_keyfile(&bytes, "correct horse").unwrap();
    assert_eq!(back, keys);
    assert_eq!(
        read_public(&bytes).unwrap(),
        (KdfParams::INSECURE_FOR_TESTS, keys.public())
    );
}

#[test]
fn wrong_passphrase_is_typed() {
    let (_, bytes) = file(2);
    assert_eq!(
        MemberKeys::from_keyfile(&bytes, "wrong horse"),
        Err(KeyfileError::WrongPassphrase)
    );
}

#[test]
fn every_modified_byte_is_refused() {
    let (_, bytes) = file(3);
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        let err = MemberKeys::from_keyfile(&b, "correct horse").unwrap_err();
        assert!(
            matches!(
                err,
                KeyfileError::WrongPassphrase
                    | KeyfileError::NotAKeyfile
                    | KeyfileError::UnsupportedVersion(_)
                    | KeyfileError::BadKdfParams
            ),
            "byte {i}: {err:?}"
        );
    }
}

#[test]
fn garbage_and_hostile_params_are_typed_errors() {
    assert_eq!(
        MemberKeys::from_keyfile(b"", "x"),
        Err(KeyfileError::NotAKeyfile)
    );
    assert_eq!(
        MemberKeys::from_keyfile(&[0u8; KEYFILE_LEN], "x"),
        Err(KeyfileError::NotAKeyfile)
    );
    let (_, mut bytes) = file(4);
    bytes.truncate(KEYFILE_LEN - 1);
    assert_eq!(
        MemberKeys::from_keyfile(&bytes, "x"),
        Err(KeyfileError::NotAKeyfile)
    );
    let (_, mut bytes) = file(4);
    bytes[10..14].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        MemberKeys::from_keyfile(&bytes, "x"),
        Err(KeyfileError::BadKdfParams)
    );
    bytes[8] = 9;
    assert_eq!(
        MemberKeys::from_keyfile(&bytes, "x"),
        Err(KeyfileError::UnsupportedVersion(9))
    );
    let keys = MemberKeys::generate(&mut rng(5));
    assert_eq!(
        keys.to_keyfile("", KdfParams::INSECURE_FOR_TESTS, &mut rng(6)),
        Err(KeyfileError::EmptyPassphrase)
    );
}

#[test]
fn debug_shows_no_secret() {
    let keys = MemberKeys::from_secret_bytes(&[0xab; 32], &[0xcd; 32]);
    let text = format!("{keys:?}");
    assert!(!text.contains("abab") && !text.contains("cdcd"), "{text}");
    assert!(text.contains("redacted"));
    assert!(text.contains(&keys.public().x25519.to_hex()));
}

#[test]
fn fingerprint_is_pinned_and_readable() {
    let keys = MemberKeys::from_secret_bytes(&[1; 32], &[2; 32]);
    let fp = keys.fingerprint().to_string();
    assert_eq!(fp.split(' ').count(), 10);
    assert_eq!(fp, FINGERPRINT_1_2);
    assert_ne!(
        MemberKeys::from_secret_bytes(&[1; 32], &[3; 32]).fingerprint(),
        keys.fingerprint()
    );
}

/// Fingerprint of the keys with secrets [1; 32] and [2; 32].
const FINGERPRINT_1_2: &str = "6218 2a1a aeca 6bfb f853 e4d8 8651 a74c adcb 2678";

#[test]
fn secrets_zeroize_on_drop() {
    fn needs<T: zeroize::ZeroizeOnDrop>() {}
    needs::<SigningKey>();
    needs::<StaticSecret>();
    needs::<MemberKeys>();
}

#[test]
fn keyfile_vector_is_pinned() {
    // Same bytes natively and under wasm for the same seeds.
    let (_, bytes) = file(7);
    assert_eq!(hex::encode(&bytes), KEYFILE_VECTOR);
}

const KEYFILE_VECTOR: &str = "534f54544f4b45590101000000080000000100000001c2206fc0bd318594f8cc73bc35106fbaf87b28c38a8dbfc8d984824318b7279e7599928f72e167111e89af25fbdff045bd6faa83425ab2d1468c8b6722944b66fbfd6a5db6403efc3b8059fd1beb2d1d19e9aee02e5ace33aa76b27cc655939c719ad658194d4d2182e555c0ec7f952d43d184de60774febece66cece0445e5ca3bdeea94ff95925ae76694c07aba2d2b0865779618c326780c9e4a1749bc033b7957f16f1d3165965fa1029";
