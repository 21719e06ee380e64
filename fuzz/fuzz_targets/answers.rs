//! Participants' answers: arbitrary JSON encoded by
//! `Computation::encode` for every fixture session (votes of each method,
//! a survey, a budget). An accepted answer has the computation's length
//! and passes the validity check the committee runs inside MPC.
//!
//! Input: first byte picks the computation, the rest is JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sotto_fuzz::{computations, encoding_of};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, json)) = data.split_first() else {
        return;
    };
    let Ok(answer) = serde_json::from_slice::<serde_json::Value>(json) else {
        return;
    };
    let all = computations();
    let c = &all[usize::from(pick) % all.len()];
    if let Ok(x) = c.encode(&answer) {
        assert_eq!(x.len(), c.len());
        if let Some(enc) = encoding_of(c) {
            assert!(enc.is_valid(&x), "accepted answer fails validity: {answer}");
        }
    }
});
