//! Tests of the envelopes: pinned vectors (seeded RNG, fixed bytes, so a
//! wasm build can be checked against native) and the refusals.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use super::*;
use crate::session::SessionId;
use crate::session::tests::{member_keys, verified_fixture};

const SESSION: SessionId = SessionId([0x5a; 16]);
const SUBMISSION: SubmissionId = SubmissionId([0x17; 16]);

fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

fn sealed_vector() -> SealedShares {
    let keys = member_keys(3);
    seal_shares(
        &mut rng(11),
        &keys[1].public().x25519,
        &SESSION,
        &SUBMISSION,
        2,
        b"shares of member 2",
    )
    .unwrap()
}

fn channel_pair(run: u8) -> (Channel, Channel) {
    let run = RunId([run; 32]);
    let keys = member_keys(3);
    let a = Channel::new(&keys[0], 1, 3, &keys[2].public().x25519, SESSION, 7, &run).unwrap();
    let b = Channel::new(&keys[2], 3, 1, &keys[0].public().x25519, SESSION, 7, &run).unwrap();
    (a, b)
}

#[test]
fn submission_vector_is_pinned() {
    assert_eq!(hex::encode(sealed_vector().to_bytes()), SUBMISSION_VECTOR);
}

/// `sealed_vector()`: seed 11, member 2 of `member_keys(3)`.
const SUBMISSION_VECTOR: &str = "01000210714b0bc3648787101d0904c0f44becc0d771c1b7691d76cd04b183be6c3003cc3bca1aece45ba0f413aa7c751c51f42611178a2b5220cbb42e127c9736dcdad0ce";

#[test]
fn submission_roundtrip() {
    let keys = member_keys(3);
    let sealed = SealedShares::from_bytes(&sealed_vector().to_bytes()).unwrap();
    let plain = open_shares(&keys[1], &SESSION, &SUBMISSION, 2, &sealed).unwrap();
    assert_eq!(plain.as_slice(), b"shares of member 2");
}

#[test]
fn submission_refusals() {
    let keys = member_keys(3);
    let sealed = sealed_vector();
    let open = |k: usize, s: SessionId, sub: SubmissionId, m: u16, e: &SealedShares| {
        open_shares(&keys[k], &s, &sub, m, e)
    };
    assert_eq!(
        open(0, SESSION, SUBMISSION, 2, &sealed).unwrap_err(),
        EnvelopeError::Decrypt,
        "wrong key"
    );
    assert_eq!(
        open(1, SessionId([1; 16]), SUBMISSION, 2, &sealed).unwrap_err(),
        EnvelopeError::Decrypt,
        "session"
    );
    assert_eq!(
        open(1, SESSION, SubmissionId([1; 16]), 2, &sealed).unwrap_err(),
        EnvelopeError::Decrypt,
        "submission"
    );
    assert_eq!(
        open(1, SESSION, SUBMISSION, 1, &sealed).unwrap_err(),
        EnvelopeError::Decrypt,
        "member"
    );
    let bytes = sealed.to_bytes();
    for i in 3..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x80;
        let e = SealedShares::from_bytes(&b).unwrap();
        assert_eq!(
            open(1, SESSION, SUBMISSION, 2, &e).unwrap_err(),
            EnvelopeError::Decrypt,
            "byte {i}"
        );
    }
    assert!(matches!(
        SealedShares::from_bytes(&bytes[..40]),
        Err(EnvelopeError::Malformed(_))
    ));
    assert!(matches!(
        SealedShares::from_bytes(&[]),
        Err(EnvelopeError::Malformed(_))
    ));
    assert_eq!(
        SealedShares::from_bytes(&[9; 60]),
        Err(EnvelopeError::UnsupportedVersion(9))
    );
    // Low-order recipient key (all zero): refused, never sealed.
    let zero = crate::session::X25519PublicKey([0; 32]);
    assert_eq!(
        seal_shares(&mut rng(1), &zero, &SESSION, &SUBMISSION, 1, b"x"),
        Err(EnvelopeError::BadPublicKey)
    );
}

#[test]
fn seal_submission_addresses_every_member() {
    let (keys, verified) = verified_fixture();
    let committee = &verified.manifest.committee;
    let shares = [b"one".to_vec(), b"two".to_vec(), b"three".to_vec()];
    let sealed = seal_submission(&mut rng(12), committee, &SESSION, &SUBMISSION, &shares).unwrap();
    for (i, s) in sealed.iter().enumerate() {
        assert_eq!(usize::from(s.member), i + 1);
        assert_eq!(
            open_shares(&keys[i], &SESSION, &SUBMISSION, s.member, s)
                .unwrap()
                .as_slice(),
            shares[i]
        );
    }
    assert_eq!(
        seal_submission(&mut rng(12), committee, &SESSION, &SUBMISSION, &shares[..2]),
        Err(EnvelopeError::ShareCount {
            expected: 3,
            got: 2
        })
    );
}

#[test]
fn channel_vector_is_pinned() {
    let (mut a, _) = channel_pair(0);
    let first = a.seal(4, b"round 4 hello").unwrap();
    assert_eq!(hex::encode(&first), CHANNEL_VECTOR);
}

/// Member 1 to member 3, instance 7, run [0; 32], round 4, seq 0 (label
/// v3 since engine messages are signed inside: a member of an older
/// version fails to open the frame rather than being taken for a member
/// that sent an unsigned message).
const CHANNEL_VECTOR: &str = "015a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a000100030000000700000000000000040000000000000000780eb8935da42c86bb479cea34c1a772d0e600fdf75f2d2de024639a4c";

#[test]
fn channel_roundtrip_both_directions() {
    let (mut a, mut b) = channel_pair(0);
    for round in 0..3 {
        let f = a.seal(round, b"from 1").unwrap();
        let got = b.open(&f).unwrap();
        assert_eq!(
            (got.header.round, got.header.from, got.plaintext.as_slice()),
            (round, 1, &b"from 1"[..])
        );
        let g = b.seal(round, b"from 3").unwrap();
        assert_eq!(a.open(&g).unwrap().plaintext.as_slice(), b"from 3");
    }
    // Directions use different keys: a frame cannot be reflected back.
    let f = a.seal(9, b"x").unwrap();
    assert!(a.open(&f).is_err());
}

#[test]
fn channel_refusals() {
    let (mut a, mut b) = channel_pair(0);
    let f0 = a.seal(1, b"first").unwrap();
    let f1 = a.seal(1, b"second").unwrap();
    // Flipped ciphertext byte.
    let mut bad = f0.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert_eq!(b.open(&bad).unwrap_err(), EnvelopeError::Decrypt);
    // Altered round (authenticated header).
    let mut bad = f0.clone();
    bad[32] ^= 1;
    assert_eq!(b.open(&bad).unwrap_err(), EnvelopeError::Decrypt);
    // Altered session / recipient / attempt: refused by context.
    let mut bad = f0.clone();
    bad[1] ^= 1;
    assert_eq!(
        b.open(&bad).unwrap_err(),
        EnvelopeError::WrongContext("session")
    );
    let mut bad = f0.clone();
    bad[20] = 2;
    assert_eq!(
        b.open(&bad).unwrap_err(),
        EnvelopeError::WrongContext("recipient")
    );
    let mut bad = f0.clone();
    bad[28] = 1;
    assert_eq!(
        b.open(&bad).unwrap_err(),
        EnvelopeError::WrongContext("attempt")
    );
    // Renumbered seq: tag fails.
    let mut bad = f0.clone();
    bad[40] = 5;
    assert_eq!(b.open(&bad).unwrap_err(), EnvelopeError::Decrypt);
    // Failed attempts did not advance the state: f1 first, then f0 is stale.
    assert_eq!(b.open(&f1).unwrap().plaintext.as_slice(), b"second");
    assert_eq!(
        b.open(&f0).unwrap_err(),
        EnvelopeError::Replay { seq: 0, highest: 1 }
    );
    assert_eq!(
        b.open(&f1).unwrap_err(),
        EnvelopeError::Replay { seq: 1, highest: 1 }
    );
    // Truncated and empty frames.
    assert!(matches!(
        b.open(&f0[..50]),
        Err(EnvelopeError::Malformed(_))
    ));
    assert!(matches!(b.open(&[]), Err(EnvelopeError::Malformed(_))));
    // A frame of another attempt does not open in this one.
    let (mut a1, _) = channel_pair(1);
    assert_eq!(
        b.open(&a1.seal(1, b"x").unwrap()).unwrap_err(),
        EnvelopeError::WrongContext("attempt")
    );
    // Wrong key: a third member forging as member 1.
    let keys = member_keys(3);
    let mut mallory = Channel::new(
        &keys[1],
        1,
        3,
        &keys[2].public().x25519,
        SESSION,
        7,
        &RunId([0; 32]),
    )
    .unwrap();
    mallory.seal(1, b"skip").unwrap();
    mallory.seal(1, b"skip").unwrap();
    let forged = mallory.seal(1, b"evil").unwrap(); // seq 2: past the replay check
    assert_eq!(b.open(&forged).unwrap_err(), EnvelopeError::Decrypt);
    // Bad parameters.
    let zero = crate::session::X25519PublicKey([0; 32]);
    assert_eq!(
        Channel::new(&keys[0], 1, 2, &zero, SESSION, 0, &RunId([0; 32])).unwrap_err(),
        EnvelopeError::BadPublicKey
    );
    assert_eq!(
        Channel::new(
            &keys[0],
            1,
            1,
            &keys[0].public().x25519,
            SESSION,
            0,
            &RunId([0; 32])
        )
        .unwrap_err(),
        EnvelopeError::BadMember(1)
    );
}

#[test]
fn result_signatures_pinned_and_threshold() {
    let (keys, verified) = verified_fixture();
    let (session, hash) = (verified.manifest.session_id, verified.hash);
    let result = br#"{"tally":{"A":3,"B":1,"C":0}}"#;
    let sigs: Vec<ResultSignature> = keys
        .iter()
        .zip(1u16..)
        .map(|(k, i)| sign_result(k, i, &session, &hash, result))
        .collect();
    assert_eq!(hex::encode(sigs[0].signature), RESULT_SIGNATURE_1);
    // t = 1: two distinct members suffice.
    let ok = verify_result(&verified, result, &sigs[..2]).unwrap();
    assert_eq!(ok.signers, vec![1, 2]);
    assert_eq!(
        verify_result(&verified, result, &sigs).unwrap().signers,
        vec![1, 2, 3]
    );
    // One member twice counts once.
    let dup = [sigs[0].clone(), sigs[0].clone()];
    assert_eq!(
        verify_result(&verified, result, &dup),
        Err(EnvelopeError::NotEnoughSignatures {
            valid: 1,
            needed: 2
        })
    );
    // A signature claimed for another member's index does not verify.
    let mut stolen = sigs[0].clone();
    stolen.member = 2;
    assert_eq!(
        verify_result(&verified, result, &[sigs[0].clone(), stolen]),
        Err(EnvelopeError::NotEnoughSignatures {
            valid: 1,
            needed: 2
        })
    );
    // Different result bytes: nothing verifies.
    assert_eq!(
        verify_result(&verified, b"{}", &sigs),
        Err(EnvelopeError::NotEnoughSignatures {
            valid: 0,
            needed: 2
        })
    );
    // Flipped signature bit and out-of-committee index are reported.
    let mut flipped = sigs[2].clone();
    flipped.signature[5] ^= 1;
    let stray = ResultSignature {
        member: 9,
        signature: sigs[1].signature,
    };
    let got = verify_result(
        &verified,
        result,
        &[sigs[0].clone(), flipped, stray, sigs[1].clone()],
    )
    .unwrap();
    assert_eq!((got.signers, got.invalid), (vec![1, 2], vec![3, 9]));
    // Encoding.
    assert_eq!(
        ResultSignature::from_bytes(&sigs[1].to_bytes()).unwrap(),
        sigs[1]
    );
    assert!(matches!(
        ResultSignature::from_bytes(&[0; 65]),
        Err(EnvelopeError::Malformed(_))
    ));
    // Signed for another session: refused.
    let other = sign_result(&keys[0], 1, &SessionId([1; 16]), &hash, result);
    assert!(verify_result(&verified, result, &[other, sigs[1].clone()]).is_err());
}

/// Member 1's signature on the fixture result.
const RESULT_SIGNATURE_1: &str = "0e59e1d2ea2380dde3e8c725078c3c4d0a1c9c5e94dd208651c90834b460f3afa6401d0967238cb1b04a16a56e9c2692b37192d45c654c8c4ff0057ba4bb1e00";

#[test]
fn debug_output_hides_secrets() {
    let (a, _) = channel_pair(0);
    let text = format!("{a:?}");
    assert!(text.contains("redacted"));
    let (mut a, mut b) = channel_pair(0);
    let opened = b.open(&a.seal(0, b"secret shares").unwrap()).unwrap();
    assert!(!format!("{opened:?}").contains("secret"));
}

#[cfg(not(target_arch = "wasm32"))]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let keys = member_keys(1);
            if let Ok(s) = SealedShares::from_bytes(&bytes) {
                let _ = open_shares(&keys[0], &SESSION, &SUBMISSION, 1, &s);
            }
            let (_, mut b) = channel_pair(0);
            let _ = b.open(&bytes);
            let _ = ResultSignature::from_bytes(&bytes);
        }

        #[test]
        fn submissions_roundtrip(seed in any::<[u8; 32]>(), payload in proptest::collection::vec(any::<u8>(), 0..300)) {
            let keys = member_keys(2);
            let mut r = ChaCha20Rng::from_seed(seed);
            let s = seal_shares(&mut r, &keys[1].public().x25519, &SESSION, &SUBMISSION, 2, &payload).unwrap();
            let opened = open_shares(&keys[1], &SESSION, &SUBMISSION, 2, &s).unwrap();
            prop_assert_eq!(opened.as_slice(), &payload[..]);
        }
    }
}
