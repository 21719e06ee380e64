//! A relay started with a frame limit below the documented one
//! (`sotto_wire::FRAME_LIMIT`) refuses the committee's larger messages: the
//! members then stop with a typed error that names the relay's limit,
//! instead of reconnecting and sending the same frame again forever.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::json;
use sotto_cli::simulate::{Scenario, run as simulate};
use sotto_e2e::relay_at;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_stop_with_a_typed_error_when_the_relay_refuses_a_frame() {
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path())
        .args(["--max-frame-bytes", "65536"])
        .start()
        .unwrap();
    // 300 answers of a 0..1000 number: the comparison rounds carry far
    // more than 64 KiB to each peer, in pieces of up to 1 MiB.
    let answers: Vec<_> = (0..300).map(|i| json!({ "n": (i * 37) % 1000 })).collect();
    let scenario: Scenario = serde_json::from_value(json!({
        "draft": {"kind": "survey", "title": "Too large",
            "schema": {"questions": [
                {"id": "n", "text": "A number", "answer": {"type": "number", "min": 0, "max": 999}}]},
            "committee": {"members": 3, "threshold": 1},
            "policy": {"min_submissions": 5}},
        "answers": answers
    }))
    .unwrap();
    let err = tokio::time::timeout(
        Duration::from_secs(120),
        simulate(&scenario, &relay.url(), Duration::ZERO),
    )
    .await
    .expect("the members must stop, not reconnect forever")
    .expect_err("the relay refuses the members' frames");
    let msg = format!("{err:#}");
    println!("{msg}");
    assert!(
        msg.contains("TooLarge") && msg.contains("65536 bytes"),
        "the error names the refusal and the relay's limit: {msg}"
    );
}
