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

/// What a member's keys do for the protocol, written out: X25519 as RFC
/// 7748 (so WebCrypto's `deriveBits` gives the same bytes), Ed25519 as RFC
/// 8032, and the derived secret as 2HashDH over the X25519 key alone.
#[test]
fn the_keys_operations_are_the_standard_ones() {
    use ed25519_dalek::Verifier;
    let (keys, _) = file(7);
    let other = MemberKeys::generate(&mut rng(8));
    let theirs = *other.public().x25519.as_bytes();
    // X25519: both sides get the same output, as x25519-dalek computes it.
    let ours = keys.dh(&theirs).unwrap();
    assert_eq!(*ours, *other.dh(keys.public().x25519.as_bytes()).unwrap());
    let secret = keys.to_secret_bytes();
    let mut scalar = [0u8; 32];
    scalar.copy_from_slice(&secret[..32]);
    let reference = x25519_dalek::x25519(scalar, theirs);
    assert_eq!(*ours, reference);
    // A small-order point gives no output (WebCrypto refuses it too), and
    // `gives_no_output` says which points those are, without the key.
    assert!(keys.dh(&[0; 32]).is_none());
    let mut one = [0u8; 32];
    one[0] = 1;
    assert!(keys.dh(&one).is_none());
    for t in curve25519_dalek::constants::EIGHT_TORSION {
        let u = t.to_montgomery().to_bytes();
        assert!(gives_no_output(&u) && keys.dh(&u).is_none());
    }
    // The twist's point of order 4 (p - 1), the non-canonical encodings
    // (p, p + 1) and any of them with the top bit set: no output either,
    // and `gives_no_output` knows each (X25519 of the clamped zero scalar,
    // 2^254, is zero exactly for those).
    let (minus_one, p_bytes, p_plus_one) = (near_p(0xec), near_p(0xed), near_p(0xee));
    let zero_scalar = |u: [u8; 32]| {
        curve25519_dalek::montgomery::MontgomeryPoint(u)
            .mul_clamped([0; 32])
            .to_bytes()
            == [0; 32]
    };
    for mut u in [minus_one, p_bytes, p_plus_one, one, [0; 32]] {
        for _ in 0..2 {
            assert!(
                gives_no_output(&u) && keys.dh(&u).is_none() && zero_scalar(u),
                "{u:02x?}"
            );
            u[31] |= 0x80;
        }
    }
    assert!(!gives_no_output(&theirs));
    let mut rng = rng(9);
    for _ in 0..64 {
        let mut u = [0u8; 32];
        rand_core::Rng::fill_bytes(&mut rng, &mut u);
        assert_eq!(gives_no_output(&u), keys.dh(&u).is_none());
        assert_eq!(gives_no_output(&u), zero_scalar(u));
    }
    // Every u near the list's values and near p: the list and X25519 agree.
    for base in [[0; 32], minus_one, one] {
        for d in 0u8..=40 {
            let mut u = base;
            u[0] = u[0].wrapping_add(d);
            assert_eq!(gives_no_output(&u), zero_scalar(u), "{u:02x?}");
        }
    }
    // A member's public key: canonical and with an output. Every key a
    // member makes is; p, p + 1 (that is, 1), p - 1 (small order) and a
    // set top bit are not; p - 2 is.
    assert!(usable_public_key(&theirs) && usable_public_key(keys.public().x25519.as_bytes()));
    let mut high = theirs;
    high[31] |= 0x80;
    assert!(usable_public_key(&near_p(0xeb)));
    for u in [p_bytes, p_plus_one, minus_one, high, [0; 32], one] {
        assert!(!usable_public_key(&u), "{u:02x?}");
    }
    // Ed25519: verifies under the public key, deterministic.
    let sig = keys.sign(b"message");
    let public = ed25519_dalek::VerifyingKey::from_bytes(&keys.public().ed25519.0).unwrap();
    assert!(
        public
            .verify(b"message", &ed25519_dalek::Signature::from_bytes(&sig))
            .is_ok()
    );
    assert_eq!(sig, keys.sign(b"message"));
    // The derived secret: the X25519 output at a hashed point, through
    // HKDF; it depends on the label, the info and the X25519 key only.
    let point = derivation_point(b"label", &[b"a", b"bc"]);
    assert_eq!(point[31] & 0x80, 0);
    let derived = keys.derive_secret(b"label", &[b"a", b"bc"]);
    let dh = keys.dh(&point).unwrap();
    assert_eq!(
        *derived,
        *derived_secret(&dh, &point, b"label", &[b"a", b"bc"])
    );
    // The info's parts are length-prefixed: "a" + "bc" is not "ab" + "c".
    assert_ne!(*derived, *keys.derive_secret(b"label", &[b"ab", b"c"]));
    assert_ne!(*derived, *keys.derive_secret(b"other", &[b"a", b"bc"]));
    assert_ne!(*derived, *other.derive_secret(b"label", &[b"a", b"bc"]));
    let same_x25519 = MemberKeys::from_secret_bytes(secret[..32].try_into().unwrap(), &[0x42; 32]);
    assert_eq!(
        *derived,
        *same_x25519.derive_secret(b"label", &[b"a", b"bc"])
    );
    // Pinned: a change of construction would change every member's noise
    // between a restart and the run before it.
    let pinned = keys.derive_secret(b"sotto/engine-randomness/v1", &[b"session", &[0, 1]]);
    assert_eq!(
        hex::encode(*pinned),
        "7b640c2a4eaed026fb04cb20cc9278a09c770ad77f842e63e5523cebe6c538d7"
    );
}

/// The little-endian u-coordinate whose low byte is `low` and whose other
/// bytes are those of p = 2^255 - 19 (`near_p(0xed)` is p itself).
fn near_p(low: u8) -> [u8; 32] {
    let mut u = [0xff; 32];
    u[0] = low;
    u[31] = 0x7f;
    u
}
