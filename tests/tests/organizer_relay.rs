//! The organizer's requests through the real relay process: the session's
//! part size, which `flows::create_session` computes from the manifest so
//! the relay refuses any longer part, and `sotto session create
//! --create-token` against a relay that creates sessions only with its
//! operator's token, and more single-use links than one relay reply
//! holds.
//!
//! Every test is bounded by a timeout and checks results, never timings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use sotto_client::draft::{DraftCommittee, SessionSpec};
use sotto_client::native::relay_client::RelayClient;
use sotto_client::native::session_ops::{create_session, submit_values};
use sotto_client::relay::ClientError;
use sotto_client::session::{part_size, prepare_submission};
use sotto_core::field::Fp;
use sotto_core::session::{OutputPolicy, Reveal, SessionKind, VoteMethod, VoteSchema};
use sotto_e2e::{committee_of, field, member_key_files, member_keys, relay_at, sotto_command};
use sotto_wire::ErrorCode;

const TIMEOUT: Duration = Duration::from_secs(120);

fn vote(options: usize) -> SessionKind {
    SessionKind::Vote(VoteSchema {
        method: VoteMethod::Plurality,
        options: (0..options).map(|i| format!("option {i}")).collect(),
        reveal: Reveal::Tally,
        max_approvals: None,
        max_score: None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_refuses_a_part_longer_than_the_manifest_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let url = relay.url();
    let keys = member_keys(3);
    let spec = SessionSpec {
        deadlines: Default::default(),
        title: "part size".into(),
        description: None,
        kind: vote(4),
        committee: DraftCommittee {
            threshold: None,
            members: committee_of(&keys),
        },
        policy: OutputPolicy::default(),
        single_use: 3,
    };
    let organizer = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    tokio::time::timeout(TIMEOUT, async {
        let c = create_session(&url, &spec, &organizer).await.unwrap();
        let size = part_size(&mut sotto_client::os_rng(), &c.manifest).unwrap();
        // Four options, their bit proof (3 entries) and the blinding
        // entry: eight field elements of 16 bytes, sealed (HPKE enc 32, tag
        // 16, version and member 3), after the 16-byte id and the
        // commitment (header 5, three part hashes, t + 1 = 2 values and
        // three proofs of the parts' ephemeral secrets, 64 bytes each).
        assert_eq!(
            size,
            16 + (5 + 3 * 32 + 2 * 16 + 3 * 64) + 3 + 32 + 8 * 16 + 16
        );
        let mut client = RelayClient::connect(&url).await.unwrap();
        client
            .hello(c.session, &c.participants[0], 0)
            .await
            .unwrap();
        // One byte more in one member's part: refused, nothing stored, and
        // the connection stays usable.
        let values = sotto_e2e::proved(
            &c.manifest.manifest.computation().kind.encoding(),
            &[(2, Fp::ONE)],
        );
        let mut long =
            prepare_submission(&mut sotto_client::os_rng(), &c.manifest, &values).unwrap();
        long.parts[1].push(0);
        let refs: Vec<&[u8]> = long.parts.iter().map(Vec::as_slice).collect();
        let refused = client.submit(long.idempotency, &refs).await;
        assert!(
            matches!(
                refused,
                Err(ClientError::Refused {
                    code: ErrorCode::TooLarge,
                    ..
                })
            ),
            "{refused:?}"
        );
        // The honest submission, through the participant's own path.
        let ack = submit_values(&mut client, &c.manifest, &values, Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(ack.position, 1, "the refused part stored nothing");
    })
    .await
    .expect("timed out");
}

const PASSPHRASE: &str = "create token passphrase for tests";

fn sotto(dir: &Path, args: &[&str], env: Option<&str>) -> Output {
    let mut cmd = sotto_command(dir, PASSPHRASE);
    cmd.args(args).env_remove("SOTTO_CREATE_TOKEN");
    if let Some(t) = env {
        cmd.env("SOTTO_CREATE_TOKEN", t);
    }
    cmd.output().unwrap()
}

#[test]
fn sotto_session_create_needs_the_relays_creation_token() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let token = "5e".repeat(32);
    let relay = relay_at(&dir.join("data"))
        .env("SOTTO_CREATE_TOKEN", &token)
        .start()
        .unwrap();
    let url = relay.url();
    let members: Vec<_> = member_key_files(dir, PASSPHRASE, 3)
        .into_iter()
        .map(|(name, key)| serde_json::json!({"name": name, "key": key}))
        .collect();
    let draft = serde_json::json!({
        "title": "Board seat",
        "kind": "vote",
        "schema": {"method": "plurality", "options": ["A", "B"], "reveal": "tally"},
        "committee": {"threshold": 1, "members": members},
        "policy": {"min_submissions": 1},
    });
    std::fs::write(dir.join("draft.json"), draft.to_string()).unwrap();
    let create = [
        "session",
        "create",
        "--relay",
        &url,
        "--manifest",
        "draft.json",
    ];
    let refused = |out: &Output, why: &str| {
        assert!(!out.status.success(), "created without the right token");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains(why), "{said}");
        assert!(!said.contains(&token), "the token is never echoed: {said}");
    };
    // No token, another token, a malformed one: refused, with the reason.
    refused(&sotto(dir, &create, None), "creation token");
    let other = "a0".repeat(32);
    refused(
        &sotto(
            dir,
            &[&create[..], &["--create-token", &other]].concat(),
            None,
        ),
        "creation token",
    );
    refused(
        &sotto(
            dir,
            &[&create[..], &["--create-token", "abc"]].concat(),
            None,
        ),
        "64 hex digits",
    );
    // The right token, as a flag and from the environment: created, and
    // the session takes an answer through its participant link.
    for (flag, env) in [(true, None), (false, Some(token.as_str()))] {
        let args = if flag {
            [&create[..], &["--create-token", &token]].concat()
        } else {
            create.to_vec()
        };
        let out = sotto(dir, &args, env);
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{said}");
        let shown = String::from_utf8(out.stdout).unwrap();
        assert_eq!(field(&shown, "session:").len(), 32);
        let link = field(&shown, "participant link:");
        let submit = sotto(
            dir,
            &["submit", "--link", link, "--answer", "{\"choice\":\"B\"}"],
            None,
        );
        assert!(
            submit.status.success(),
            "{}",
            String::from_utf8_lossy(&submit.stderr)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_single_use_links_than_one_reply_holds_are_minted_in_batches() {
    // 30,001 links: three full batches and one more. One request for all of
    // them used to fail (its reply is larger than a relay frame).
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let keys = member_keys(3);
    let spec = SessionSpec {
        deadlines: Default::default(),
        title: "many links".into(),
        description: None,
        kind: vote(2),
        committee: DraftCommittee {
            threshold: None,
            members: committee_of(&keys),
        },
        policy: OutputPolicy::default(),
        single_use: 3 * sotto_client::flows::MINT_BATCH + 1,
    };
    let organizer = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let c = tokio::time::timeout(TIMEOUT, create_session(&relay.url(), &spec, &organizer))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.participants.len(), 30_001);
    let distinct: std::collections::HashSet<[u8; 32]> =
        c.participants.iter().map(|t| t.digest()).collect();
    assert_eq!(distinct.len(), 30_001);
}
