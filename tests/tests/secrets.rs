//! Secrets never reach a log: a whole session through the real relay and
//! the real `sotto` CLI processes (organizer, three member daemons,
//! participants, closing, reading the result), every one of them logging
//! at trace level (`RUST_LOG=trace`, which both binaries read), and every
//! byte they write on stdout and stderr searched for every token, secret
//! key and share the test can know, in every encoding the project uses.
//!
//! The one output that carries secrets by design is `sotto session
//! create`'s stdout: it hands the organizer the tokens and links. That is
//! where this test takes them from; its stderr is searched like the rest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::Duration;

use base64::Engine as _;
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use sotto_client::native::relay_client::RelayClient;
use sotto_core::field::Fp;
use sotto_core::keyfile::{KdfParams, MemberKeys};
use sotto_core::session::{Invite, verify_manifest_for};
use sotto_core::share::deal;
use sotto_e2e::{Stderr, exited_ok, field, relay_at, sotto_command};
use sotto_wire::Token;

const PASSPHRASE: &str = "correct horse battery staple, for tests";

/// Every way the project (or a careless `{:?}`) could print `secret`.
fn encodings(secret: &[u8]) -> Vec<String> {
    let b64 = |e: &base64::engine::GeneralPurpose| {
        let s = e.encode(secret);
        s.trim_end_matches('=').to_string()
    };
    let mut out = vec![
        hex::encode(secret),
        hex::encode_upper(secret),
        b64(&base64::engine::general_purpose::STANDARD),
        b64(&base64::engine::general_purpose::URL_SAFE),
        format!("{secret:?}"),
    ];
    // A 16-byte prefix catches a secret logged in part or wrapped.
    if secret.len() > 16 {
        out.push(hex::encode(&secret[..16]));
    }
    out
}

struct Secret {
    what: String,
    forms: Vec<String>,
}

fn secret(what: impl Into<String>, bytes: &[u8]) -> Secret {
    Secret {
        what: what.into(),
        forms: encodings(bytes),
    }
}

/// Runs the CLI to completion with trace logging.
fn sotto(dir: &Path, args: &[&str]) -> Output {
    let out = sotto_command(dir, PASSPHRASE)
        .args(args)
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sotto {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Starts a long-running CLI process with trace logging; its output goes
/// to `log`.
fn spawn(dir: &Path, args: &[&str], log: &Path) -> Child {
    let file = std::fs::File::create(log).unwrap();
    sotto_command(dir, PASSPHRASE)
        .args(args)
        .env("RUST_LOG", "trace")
        .stdout(Stdio::from(file.try_clone().unwrap()))
        .stderr(Stdio::from(file))
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_key_or_share_appears_in_any_log() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut secrets: Vec<Secret> = Vec::new();
    secrets.push(secret("the key file passphrase", PASSPHRASE.as_bytes()));

    // The relay, logging everything.
    let relay_log = dir.join("relay.stderr");
    let relay = relay_at(&dir.join("data"))
        .env("RUST_LOG", "trace")
        .stderr(Stderr::File(relay_log.clone()))
        .start()
        .unwrap();
    let url = relay.url();

    // Member keys with known secrets, in key files; one more made by
    // `sotto keygen` (its seed is checked too).
    let mut rng = ChaCha20Rng::seed_from_u64(0x5ec2e75);
    let mut key_paths = Vec::new();
    for i in 1..=3 {
        let mut x = [0u8; 32];
        let mut e = [0u8; 32];
        rng.fill_bytes(&mut x);
        rng.fill_bytes(&mut e);
        secrets.push(secret(format!("member {i} X25519 secret"), &x));
        secrets.push(secret(format!("member {i} Ed25519 seed"), &e));
        let keys = MemberKeys::from_secret_bytes(&x, &e);
        let file = keys
            .to_keyfile(PASSPHRASE, KdfParams::INSECURE_FOR_TESTS, &mut rng)
            .unwrap();
        let path = dir.join(format!("m{i}.key"));
        std::fs::write(&path, file).unwrap();
        key_paths.push(path);
    }
    let keygen = sotto(dir, &["keygen", "--out", "extra.key"]);
    let extra =
        MemberKeys::from_keyfile(&std::fs::read(dir.join("extra.key")).unwrap(), PASSPHRASE)
            .unwrap();
    secrets.push(secret(
        "keygen's Ed25519 seed",
        &extra.signing_key().to_bytes(),
    ));

    // The organizer: a known signing key, a draft, `sotto session create`.
    let mut org_seed = [0u8; 32];
    rng.fill_bytes(&mut org_seed);
    secrets.push(secret("organizer Ed25519 seed", &org_seed));
    std::fs::write(dir.join("organizer.key"), hex::encode(org_seed)).unwrap();
    let draft = serde_json::json!({
        "title": "Secrets stay secret",
        "kind": "vote",
        "schema": {"method": "plurality", "options": ["A", "B", "C"], "reveal": "tally"},
        "committee": {"threshold": 1, "members": [
            {"name": "m1", "key": key_paths[0]},
            {"name": "m2", "key": key_paths[1]},
            {"name": "m3", "key": key_paths[2]}]},
        "policy": {"min_submissions": 1}
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
            "--organizer-key",
            "organizer.key",
            "--single-use",
            "3",
        ],
    );
    let shown = String::from_utf8(create.stdout.clone()).unwrap();
    let session = field(&shown, "session:").to_string();
    let organizer_token = field(&shown, "organizer token:").to_string();
    let results_link = field(&shown, "results link:").to_string();
    let member_links: Vec<String> = (1..=3)
        .map(|i| field(&shown, &format!("member {i} link:")).to_string())
        .collect();
    let participant_links: Vec<String> = shown
        .lines()
        .filter_map(|l| l.split_once(',').map(|(_, link)| link.to_string()))
        .filter(|l| l.starts_with("http"))
        .collect();
    assert_eq!(participant_links.len(), 3);
    let token_of = |link: &str| Invite::parse(link).unwrap().token.unwrap();
    let member_tokens: Vec<String> = member_links.iter().map(|l| token_of(l)).collect();
    let hash = Invite::parse(&results_link)
        .unwrap()
        .manifest_hash
        .to_string();
    let mut tokens = vec![
        ("organizer token".to_string(), organizer_token.clone()),
        ("read token".to_string(), token_of(&results_link)),
    ];
    for (i, t) in member_tokens.iter().enumerate() {
        tokens.push((format!("member {} token", i + 1), t.clone()));
    }
    for (i, l) in participant_links.iter().enumerate() {
        tokens.push((format!("participant {} token", i + 1), token_of(l)));
    }
    for (what, hex_token) in &tokens {
        secrets.push(secret(what.clone(), &hex::decode(hex_token).unwrap()));
    }

    // Three member daemons: the first given the link's parts, the others
    // the member link itself.
    let mut members = Vec::new();
    let mut logs: Vec<PathBuf> = vec![relay_log.clone()];
    for (i, token) in member_tokens.iter().enumerate() {
        let log = dir.join(format!("member{}.log", i + 1));
        let key = key_paths[i].to_str().unwrap();
        let args: Vec<&str> = if i == 0 {
            vec![
                "member",
                "--relay",
                &url,
                "--key",
                key,
                "--session",
                &session,
                "--token",
                token,
                "--manifest-hash",
                &hash,
            ]
        } else {
            vec!["member", "--key", key, "--link", &member_links[i]]
        };
        members.push(spawn(dir, &args, &log));
        logs.push(log);
    }

    // Two participants through the CLI, the third in-process with shares
    // this test knows.
    let mut outputs: Vec<(String, Output)> = vec![(
        "session create (stderr)".into(),
        Output {
            stdout: Vec::new(),
            ..create
        },
    )];
    outputs.push(("keygen".into(), keygen));
    for (i, answer) in ["{\"choice\":\"A\"}", "{\"choice\":\"C\"}"]
        .iter()
        .enumerate()
    {
        let out = sotto(
            dir,
            &[
                "submit",
                "--link",
                &participant_links[i],
                "--answer",
                answer,
            ],
        );
        outputs.push((format!("submit {}", i + 1), out));
    }
    let invite = Invite::parse(&participant_links[2]).unwrap();
    let mut client = RelayClient::connect(&url).await.unwrap();
    let sid = sotto_wire::SessionId::from_hex(&session).unwrap();
    let manifest_bytes = client.get_manifest(sid).await.unwrap();
    let manifest =
        verify_manifest_for(&manifest_bytes, &invite.session_id, &invite.manifest_hash).unwrap();
    let vote = sotto_e2e::proved(
        &manifest.manifest.computation().kind.encoding(),
        &[(1, Fp::ONE)],
    );
    let shares = deal(&vote, 3, 1, &mut rng).unwrap();
    let share_bytes: Vec<Vec<u8>> = shares.iter().map(|s| s.to_bytes()).collect();
    for (i, b) in share_bytes.iter().enumerate() {
        secrets.push(secret(format!("member {} share vector", i + 1), b));
        for (k, value) in b.chunks(16).enumerate() {
            secrets.push(secret(format!("member {} share {k}", i + 1), value));
        }
    }
    let prepared = sotto_client::session::seal_shares(&mut rng, &manifest, &shares).unwrap();
    let refs: Vec<&[u8]> = prepared.parts.iter().map(Vec::as_slice).collect();
    let token = Token::from_hex(&token_of(&participant_links[2])).unwrap();
    client.hello(sid, &token, 0).await.unwrap();
    client.submit(7, &refs).await.unwrap();

    // Close, let the members compute and publish, read the result.
    outputs.push((
        "close".into(),
        sotto(
            dir,
            &[
                "close",
                "--relay",
                &url,
                "--session",
                &session,
                "--token",
                &organizer_token,
            ],
        ),
    ));
    for (i, m) in members.iter_mut().enumerate() {
        assert!(
            exited_ok(m, Duration::from_secs(120)),
            "member {} did not finish",
            i + 1
        );
    }
    let result = sotto(dir, &["result", "--link", &results_link]);
    let json: serde_json::Value = serde_json::from_slice(&result.stdout).unwrap();
    assert_eq!(
        json["result"]["tally"],
        serde_json::json!({"A": 1, "B": 1, "C": 1})
    );
    outputs.push(("result".into(), result));

    // Everything every process wrote.
    let mut texts: Vec<(String, Vec<u8>)> = Vec::new();
    let mut relay_stdout = relay.first_line().as_bytes().to_vec();
    relay_stdout.extend_from_slice(&relay.stdout());
    texts.push(("relay stdout".into(), relay_stdout));
    drop(relay);
    for log in &logs {
        texts.push((log.display().to_string(), std::fs::read(log).unwrap()));
    }
    for (what, out) in outputs {
        texts.push((format!("{what} stdout"), out.stdout));
        texts.push((format!("{what} stderr"), out.stderr));
    }
    let traced = std::fs::read_to_string(&relay_log).unwrap();
    assert!(
        traced.contains("TRACE") && traced.contains("DEBUG"),
        "the relay logged at trace level"
    );
    let member_log = std::fs::read_to_string(&logs[1]).unwrap();
    assert!(
        member_log.contains("DEBUG"),
        "the members logged at debug level or finer"
    );
    let total: usize = texts.iter().map(|(_, t)| t.len()).sum();
    let mut leaks = Vec::new();
    for (source, text) in &texts {
        let text = String::from_utf8_lossy(text);
        for s in &secrets {
            for form in &s.forms {
                if text.contains(form.as_str()) {
                    leaks.push(format!("{} in {source} (as {form})", s.what));
                }
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} leaks in {total} bytes of output:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    println!(
        "searched {total} bytes from {} outputs for {} secrets in {} forms: none found",
        texts.len(),
        secrets.len(),
        secrets.iter().map(|s| s.forms.len()).sum::<usize>()
    );
}
