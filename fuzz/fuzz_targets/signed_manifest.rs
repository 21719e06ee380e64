//! Signed manifests: the container (`SignedManifest::from_bytes`) and the
//! full client check (`verify_manifest_for`) against the fixture's hash
//! and against the input's own hash (so a correct hash never hides a bad
//! signature or manifest). Only the fixture's exact bytes may verify.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sotto_core::session::{SignedManifest, verify_manifest, verify_manifest_for};
use sotto_fuzz::{SESSION, signed_manifest};

fuzz_target!(|data: &[u8]| {
    let fixture = signed_manifest();
    let fixture_bytes = fixture.to_bytes();
    let Ok(signed) = SignedManifest::from_bytes(data) else {
        assert!(verify_manifest(data, &fixture.hash()).is_err());
        return;
    };
    assert_eq!(
        SignedManifest::from_bytes(&signed.to_bytes()),
        Ok(signed.clone())
    );
    for hash in [fixture.hash(), signed.hash()] {
        if let Ok(v) = verify_manifest_for(data, &SESSION, &hash) {
            // Ed25519 strict verification: no second encoding of the
            // signature or of the manifest is accepted.
            assert_eq!(v.signed.manifest_bytes(), fixture.manifest_bytes());
            assert_eq!(v.signed.signature(), fixture.signature());
            assert_eq!(v.manifest.session_id, SESSION);
        }
    }
    if data != fixture_bytes {
        // Without the organizer's secret nothing else can carry a valid
        // signature: the key is inside the signed bytes, and weak keys are
        // refused by validation.
        assert!(verify_manifest(data, &signed.hash()).is_err());
    }
});
