//! The wasm package end to end: participants and a committee member
//! running the `sotto` npm package in Node.js (its WebSocket, its CSPRNG)
//! against the real relay process, beside native committee members.
//!
//! Needs the package built by `scripts/build-wasm.sh` (the test command
//! builds it first) and Node.js 20+.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use sotto_client::draft::{DraftCommittee, SessionSpec};
use sotto_client::driver::MemberConfig;
use sotto_client::flows::CreatedSession;
use sotto_client::native::member::run_member;
use sotto_client::native::session_ops::{close_session, create_session};
use sotto_core::keyfile::{MemberKeys, read_public};
use sotto_core::session::{
    CommitteeMember, OutputPolicy, Reveal, Role, SessionKind, VoteMethod, VoteSchema,
};
use sotto_e2e::relay_at;

const TIMEOUT: Duration = Duration::from_secs(240);

fn package() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let pkg = std::env::var_os("SOTTO_WASM_PKG")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/npm/sotto"));
    assert!(
        pkg.join("web/sotto_bg.wasm").exists(),
        "the wasm package is missing at {}: run scripts/build-wasm.sh first",
        pkg.display()
    );
    pkg
}

/// Runs the Node driver; returns its JSON line and whether it succeeded.
async fn node(args: &[&str]) -> (Value, bool) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js/sotto-node.mjs");
    let version = Command::new("node").arg("--version").output().unwrap();
    let major: u32 = String::from_utf8_lossy(&version.stdout)
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let mut cmd = tokio::process::Command::new("node");
    if major < 22 {
        cmd.arg("--experimental-websocket");
    }
    cmd.arg("--no-warnings")
        .arg(script)
        .arg(package())
        .args(args);
    let out = tokio::time::timeout(TIMEOUT, cmd.output())
        .await
        .expect("node timed out")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_else(|| {
        panic!(
            "node printed nothing; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let v: Value = serde_json::from_str(line).unwrap_or_else(|_| {
        panic!(
            "not JSON: {line}; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, out.status.success())
}

fn vote() -> SessionKind {
    SessionKind::Vote(VoteSchema {
        method: VoteMethod::Plurality,
        options: vec!["Park".into(), "Library".into(), "Station".into()],
        reveal: Reveal::Tally,
        max_approvals: None,
        max_score: None,
    })
}

async fn create(url: &str, members: Vec<CommitteeMember>, tokens: u32) -> CreatedSession {
    let spec = SessionSpec {
        title: "Where should the bench go?".into(),
        description: None,
        kind: vote(),
        committee: DraftCommittee {
            threshold: Some(1),
            members,
        },
        policy: OutputPolicy {
            min_submissions: 5,
            ..OutputPolicy::default()
        },
        deadlines: Default::default(),
        single_use: tokens,
    };
    let organizer = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    create_session(url, &spec, &organizer).await.unwrap()
}

fn entry(name: &str, k: &MemberKeys) -> CommitteeMember {
    CommitteeMember {
        name: name.into(),
        x25519: k.public().x25519,
        ed25519: k.public().ed25519,
    }
}

fn spawn_member(
    url: &str,
    c: &CreatedSession,
    keys: &Arc<MemberKeys>,
    i: usize,
) -> tokio::task::JoinHandle<Result<sotto_core::apps::Outcome, sotto_client::member::MemberError>> {
    let cfg = MemberConfig {
        relay: url.to_string(),
        session: c.session,
        token: c.members[i].clone(),
        keys: keys.clone(),
        manifest_hash: Some(c.manifest.hash),
        latency: Duration::ZERO,
        mismatch_retries: 3,
        max_reconnects: 60,
    };
    tokio::spawn(run_member(cfg))
}

const CHOICES: [&str; 6] = ["Park", "Library", "Park", "Station", "Park", "Library"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wasm_participants_submit_and_native_members_compute() {
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let url = relay.url();
    let keys: Vec<Arc<MemberKeys>> = (0..3)
        .map(|_| Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())))
        .collect();
    let entries = keys
        .iter()
        .enumerate()
        .map(|(i, k)| entry(&format!("m{}", i + 1), k))
        .collect();
    let c = create(&url, entries, 8).await;
    let handles: Vec<_> = (0..3)
        .map(|i| spawn_member(&url, &c, &keys[i], i))
        .collect();
    let link = |i: usize| c.link(&url, Role::Participant, &c.participants[i]).unwrap();

    // Local validation explains a bad answer without contacting anyone.
    let (v, ok) = node(&["invalid", &link(6), r#"{"choice":"Moon"}"#]).await;
    assert!(ok);
    assert_eq!(v["valid"], json!(false));
    assert!(v["message"].as_str().unwrap().contains("Moon"), "{v}");

    for (i, choice) in CHOICES.iter().enumerate() {
        let answer = json!({ "choice": choice }).to_string();
        let (v, ok) = node(&["participate", &link(i), &answer]).await;
        assert!(ok, "{v}");
        assert_eq!(v["receipt"]["receipt"].as_str().unwrap().len(), 64, "{v}");
        assert_eq!(v["kind"], json!("vote"));
        assert_eq!(v["committee"].as_array().unwrap().len(), 3);
    }
    // An app retrying the same answer on the same object (e.g. after a lost
    // acknowledgement) gets the same receipt: stored once, not refused.
    let (v, ok) = node(&["participate-twice", &link(7), r#"{"choice":"Station"}"#]).await;
    assert!(ok, "{v}");
    assert_eq!(v["first"], v["again"], "{v}");
    // A single-use link cannot vote twice.
    let (v, ok) = node(&["participate", &link(0), r#"{"choice":"Station"}"#]).await;
    assert!(!ok);
    assert_eq!(v["error"], json!("already_submitted"), "{v}");
    // A tampered link (another manifest hash) is refused before anything is sent.
    let mut bad = c.manifest.clone();
    bad.hash = sotto_core::session::ManifestHash([0x42; 32]);
    let forged = sotto_core::session::Invite {
        base_url: sotto_client::session::http_base(&url),
        session_id: bad.manifest.session_id,
        manifest_hash: bad.hash,
        token: Some(c.participants[6].to_hex()),
        role: Role::Participant,
    }
    .to_link()
    .unwrap();
    let (v, ok) = node(&["participate", &forged, r#"{"choice":"Park"}"#]).await;
    assert!(!ok);
    assert_eq!(v["error"], json!("manifest_mismatch"), "{v}");

    close_session(&url, c.session, &c.organizer).await.unwrap();
    for h in handles {
        tokio::time::timeout(TIMEOUT, h)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
    }
    let read = c.link(&url, Role::Organizer, &c.reader).unwrap();
    let (v, ok) = node(&["verify", &read]).await;
    assert!(ok, "{v}");
    assert_eq!(v["valid"], json!(7));
    assert_eq!(
        v["result"],
        json!({"tally": {"Park": 3, "Library": 2, "Station": 2}})
    );
    assert!(v["signers"].as_array().unwrap().len() >= 2, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wasm_committee_member_computes_with_native_members() {
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let url = relay.url();
    // The wasm member makes its key in the package and exports a key file.
    let keyfile = dir.path().join("wasm-member.key");
    let passphrase = "correct horse battery";
    let (v, ok) = node(&["keygen", keyfile.to_str().unwrap(), passphrase]).await;
    assert!(ok, "{v}");
    let (_, public) = read_public(&std::fs::read(&keyfile).unwrap()).unwrap();
    assert_eq!(v["x25519"], json!(public.x25519.to_hex()));
    let keys: Vec<Arc<MemberKeys>> = (0..2)
        .map(|_| Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())))
        .collect();
    let mut entries: Vec<CommitteeMember> =
        vec![entry("native-1", &keys[0]), entry("native-2", &keys[1])];
    entries.push(CommitteeMember {
        name: "browser".into(),
        x25519: public.x25519,
        ed25519: public.ed25519,
    });
    let c = create(&url, entries, 6).await;
    let handles: Vec<_> = (0..2)
        .map(|i| spawn_member(&url, &c, &keys[i], i))
        .collect();
    let member_link = c.link(&url, Role::Member, &c.members[2]).unwrap();
    let kf = keyfile.to_str().unwrap().to_string();
    let wasm_member =
        tokio::spawn(async move { node(&["member", &member_link, &kf, passphrase]).await });
    for (i, choice) in CHOICES.iter().enumerate() {
        let link = c.link(&url, Role::Participant, &c.participants[i]).unwrap();
        let (answer, _) = (json!({ "choice": choice }), ());
        sotto_client::native::session_ops::submit_answer(&link, &answer)
            .await
            .unwrap();
    }
    close_session(&url, c.session, &c.organizer).await.unwrap();
    let mut native = Vec::new();
    for h in handles {
        native.push(
            tokio::time::timeout(TIMEOUT, h)
                .await
                .unwrap()
                .unwrap()
                .unwrap(),
        );
    }
    let (v, ok) = wasm_member.await.unwrap();
    assert!(ok, "{v}");
    let expected = json!({"tally": {"Park": 3, "Library": 2, "Station": 1}});
    assert_eq!(v["outcome"]["result"], expected, "{v}");
    assert_eq!(native[0].result, expected);
    let stages = v["stages"].as_array().unwrap();
    assert!(
        stages.contains(&json!("connected")) && stages.contains(&json!("published")),
        "{v}"
    );
}
