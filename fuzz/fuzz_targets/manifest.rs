//! `Manifest::from_canonical_bytes`: a manifest that decodes is valid and
//! has exactly one encoding, the bytes it came from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sotto_core::session::Manifest;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Manifest::from_canonical_bytes(data) {
        m.validate().expect("a decoded manifest is valid");
        assert_eq!(m.to_canonical_bytes().expect("and encodes"), data);
        // What the apps layer derives from a valid manifest must not panic.
        let c = m.computation();
        assert!(!c.is_empty());
    }
});
