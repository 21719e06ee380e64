//! The committee check through the real relay and the real CLI: the
//! organizer creates a check session from a draft file, three member
//! daemons join from their member links (`sotto member --link`), a
//! participant's answer is refused before anything is sent, and after the
//! close the published result carries the known answer, signed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sotto_core::apps::check::CheckSpec;
use sotto_core::keyfile::{KdfParams, MemberKeys};
use sotto_e2e::{exited_ok, field, relay_at, sotto_command};

const PASSPHRASE: &str = "check passphrase for tests";

fn sotto(dir: &Path, args: &[&str]) -> Output {
    sotto_command(dir, PASSPHRASE).args(args).output().unwrap()
}

#[test]
fn a_committee_check_finds_the_known_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let relay = relay_at(&dir.join("data")).start().unwrap();
    let url = relay.url();

    let mut rng = ChaCha20Rng::seed_from_u64(0xc4ec);
    let mut members = Vec::new();
    for i in 1..=3 {
        let keys = MemberKeys::generate(&mut rng);
        let file = keys
            .to_keyfile(PASSPHRASE, KdfParams::INSECURE_FOR_TESTS, &mut rng)
            .unwrap();
        let path = dir.join(format!("m{i}.key"));
        std::fs::write(&path, file).unwrap();
        members.push(serde_json::json!({"name": format!("m{i}"), "key": path}));
    }
    let spec = CheckSpec {
        comparisons: 300,
        bits: 32,
    };
    let draft = serde_json::json!({
        "title": "Committee check before the vote",
        "kind": "check",
        "schema": spec,
        "committee": {"threshold": 1, "members": members},
    });
    std::fs::write(dir.join("draft.json"), draft.to_string()).unwrap();
    let create = sotto(
        dir,
        &[
            "session",
            "create",
            "--relay",
            &url,
            "--manifest",
            "draft.json",
        ],
    );
    assert!(
        create.status.success(),
        "{}",
        String::from_utf8_lossy(&create.stderr)
    );
    let shown = String::from_utf8(create.stdout).unwrap();
    let session = field(&shown, "session:");
    let organizer_token = field(&shown, "organizer token:");
    let results_link = field(&shown, "results link:");
    let participant_link = field(&shown, "participant link:");

    // A check takes no answers: refused locally, with the reason.
    let refused = sotto(
        dir,
        &[
            "submit",
            "--link",
            participant_link,
            "--answer",
            "{\"choice\":\"A\"}",
        ],
    );
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("a committee check takes no answers"), "{why}");

    let mut daemons: Vec<Child> = (1..=3)
        .map(|i| {
            let link = field(&shown, &format!("member {i} link:"));
            sotto_command(dir, PASSPHRASE)
                .args(["member", "--key", &format!("m{i}.key"), "--link", link])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let close = sotto(
        dir,
        &[
            "close",
            "--relay",
            &url,
            "--session",
            session,
            "--token",
            organizer_token,
        ],
    );
    assert!(
        close.status.success(),
        "{}",
        String::from_utf8_lossy(&close.stderr)
    );
    for d in &mut daemons {
        assert!(
            exited_ok(d, Duration::from_secs(120)),
            "a member did not finish"
        );
    }

    let result = sotto(dir, &["result", "--link", results_link]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&result.stdout).unwrap();
    let expected = spec.expected();
    assert!(expected > 0 && expected < 300);
    assert_eq!(
        json["result"]["check"],
        serde_json::json!({
            "comparisons": 300,
            "bits": 32,
            "less": expected,
            "expected": expected,
            "correct": true,
        }),
        "{json}"
    );
    assert_eq!((&json["valid"], &json["invalid"]), (&0.into(), &0.into()));
}
