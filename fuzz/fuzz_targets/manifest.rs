//! `Manifest::from_canonical_bytes`: a manifest that decodes is valid and
//! has exactly one encoding, the bytes it came from; and it accepts
//! exactly the inputs that serde's derived reader followed by the
//! canonical check accepts, with the same manifest (the hand-written
//! reader, `session/read.rs`, replaced serde's for the member module).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sotto_core::session::Manifest;

/// What the serde path accepts: serde's reader, then the canonical
/// re-encoding and the validation `from_canonical_bytes` applies.
fn through_serde(data: &[u8]) -> Option<Manifest> {
    if data.len() > sotto_core::session::MAX_MANIFEST_LEN {
        return None;
    }
    let m: Manifest = serde_json::from_slice(data).ok()?;
    let again = serde_json::to_vec(&m).ok()?;
    (again == data && m.validate().is_ok()).then_some(m)
}

fuzz_target!(|data: &[u8]| {
    let ours = Manifest::from_canonical_bytes(data).ok();
    assert_eq!(ours, through_serde(data), "the two readers disagree");
    if let Some(m) = ours {
        m.validate().expect("a decoded manifest is valid");
        assert_eq!(m.to_canonical_bytes().expect("and encodes"), data);
        // What the apps layer derives from a valid manifest must not panic.
        let c = m.computation();
        assert!(!c.is_empty());
    }
});
