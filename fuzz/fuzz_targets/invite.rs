//! Invite links (`Invite::parse`): a parsed link formats again, and the
//! formatted link parses to the same invite.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sotto_core::session::Invite;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(invite) = Invite::parse(text) {
        let link = invite.to_link().expect("a parsed invite formats");
        assert_eq!(Invite::parse(&link), Ok(invite.clone()));
        assert_eq!(invite.to_string(), link);
    }
});
