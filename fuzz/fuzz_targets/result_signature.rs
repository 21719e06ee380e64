//! Result signatures (`ResultSignature::from_bytes`, `verify_result`)
//! against the fixture's verified manifest: arbitrary signature lists and
//! result bytes, mixed with genuine signatures. A result is accepted
//! exactly when t + 1 = 2 distinct members signed those very bytes.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sotto_core::envelope::{ResultSignature, sign_result, verify_result};
use sotto_fuzz::{MEMBERS, member, verified_manifest};

#[derive(Debug, Arbitrary)]
enum Sig<'a> {
    /// Arbitrary bytes decoded as a signature.
    Raw(&'a [u8]),
    /// Member `signer` signs `signed`, claimed as member `claimed`.
    Genuine {
        signer: u8,
        claimed: u16,
        signed: &'a [u8],
    },
}

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    result: &'a [u8],
    signatures: Vec<Sig<'a>>,
}

fuzz_target!(|input: Input<'_>| {
    let manifest = verified_manifest();
    let (session, hash) = (manifest.manifest.session_id, manifest.hash);
    let mut sigs = Vec::new();
    let mut honest = Vec::new();
    for s in input.signatures.into_iter().take(16) {
        match s {
            Sig::Raw(bytes) => {
                if let Ok(sig) = ResultSignature::from_bytes(bytes) {
                    assert_eq!(sig.to_bytes()[..], bytes[..]);
                    sigs.push(sig);
                }
            }
            Sig::Genuine {
                signer,
                claimed,
                signed,
            } => {
                let signer = u16::from(signer) % MEMBERS + 1;
                let sig = sign_result(member(signer), claimed, &session, &hash, signed);
                if claimed == signer && signed == input.result && !honest.contains(&signer) {
                    honest.push(signer);
                }
                sigs.push(sig);
            }
        }
    }
    honest.sort_unstable();
    match verify_result(manifest, input.result, &sigs) {
        Ok(accepted) => {
            assert_eq!(accepted.signers, honest);
            assert!(accepted.signers.len() >= 2);
        }
        Err(_) => assert!(honest.len() < 2),
    }
});
