//! `sotto verify-app` against the real relay serving an app (`--static`):
//! a small signed bundle laid out as www/build.mjs and www/release.mjs
//! write it (index.html, assets/, build.json with the SHA-384 of every file
//! and the release key, build.json.sig). The served copy is changed between
//! runs: equal (exit 0); a changed, a missing and an extra file named
//! (exit 1); a signature by another key than `--release-key` and a missing
//! signature (exit 1); a build made elsewhere from the same files (signed
//! with another key, at another time) still equal; no server (exit 2).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Output;

use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha384};
use sotto_e2e::{relay_at, sotto_bin};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn sri(bytes: &[u8]) -> String {
    format!("sha384-{}", B64.encode(Sha384::digest(bytes)))
}

/// Writes a bundle of `files` into `dir`, with build.json signed by `key` at `signed_at`.
fn write_bundle(dir: &Path, files: &[(&str, &[u8])], key: &SigningKey, signed_at: &str) {
    let mut listed = serde_json::Map::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        listed.insert((*name).into(), sri(bytes).into());
    }
    let build = serde_json::json!({
        "version": "9.9.9",
        "entry": "assets/app-1.js",
        "files": listed,
        "releaseKey": B64.encode(key.verifying_key().as_bytes()),
        "signedAt": signed_at,
    });
    sign_build(dir, serde_json::to_vec_pretty(&build).unwrap(), key);
}

fn sign_build(dir: &Path, json: Vec<u8>, key: &SigningKey) {
    let sig = key.sign(&json);
    std::fs::write(dir.join("build.json"), json).unwrap();
    std::fs::write(
        dir.join("build.json.sig"),
        format!("{}\n", B64.encode(sig.to_bytes())),
    )
    .unwrap();
}

fn verify(url: &str, dist: &Path, extra: &[&str]) -> (i32, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = std::process::Command::new(sotto_bin())
        .args(["verify-app", url, "--dist"])
        .arg(dist)
        .args(extra)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    (status.code().unwrap(), text)
}

#[test]
fn verify_app_compares_a_served_app_with_a_build() {
    let tmp = tempfile::tempdir().unwrap();
    let (local, served) = (tmp.path().join("local"), tmp.path().join("served"));
    let release = SigningKey::from_bytes(&[7; 32]);
    let release_b64 = B64.encode(release.verifying_key().as_bytes());
    let files: [(&str, &[u8]); 4] = [
        ("index.html", b"<!doctype html><title>app</title>"),
        ("sw.js", b"self.addEventListener('fetch', () => {});"),
        ("assets/app-1.js", b"console.log('app');"),
        ("assets/page-1.wasm", &[0, 97, 115, 109, 1, 0, 0, 0]),
    ];
    write_bundle(&local, &files, &release, "2026-01-01T00:00:00Z");
    write_bundle(&served, &files, &release, "2026-01-01T00:00:00Z");

    let relay = relay_at(&tmp.path().join("data"))
        .args(["--static".as_ref(), served.as_os_str()])
        .start()
        .unwrap();
    let url = format!("http://{}/", relay.addr());

    // Equal, with the release key asked for.
    let (code, out) = verify(&url, &local, &["--release-key", &release_b64]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("equal: 5 files"), "{out}");
    assert!(
        out.contains(&format!("by release key {release_b64}")),
        "{out}"
    );

    // A build of the same files made elsewhere: another key, another time.
    let elsewhere = tmp.path().join("elsewhere");
    write_bundle(
        &elsewhere,
        &files,
        &SigningKey::from_bytes(&[9; 32]),
        "2027-01-01T00:00:00Z",
    );
    let (code, out) = verify(&url, &elsewhere, &[]);
    assert_eq!(code, 0, "the signing fields are not compared: {out}");

    // A changed and a missing file, and one only the served build.json lists.
    std::fs::write(served.join("assets/app-1.js"), b"console.log('stolen');").unwrap();
    std::fs::remove_file(served.join("assets/page-1.wasm")).unwrap();
    let mut changed = files.to_vec();
    changed.push(("assets/extra-1.js", b"1"));
    let mut listed = serde_json::Map::new();
    for (name, bytes) in &changed {
        listed.insert((*name).into(), sri(bytes).into());
    }
    let json = serde_json::to_vec_pretty(&serde_json::json!({
        "version": "9.9.9", "entry": "assets/app-1.js", "files": listed,
        "releaseKey": release_b64, "signedAt": "2026-01-01T00:00:00Z",
    }))
    .unwrap();
    sign_build(&served, json, &release);
    let (code, out) = verify(&url, &local, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("changed  assets/app-1.js"), "{out}");
    assert!(
        out.contains("missing  assets/page-1.wasm  (HTTP 404"),
        "{out}"
    );
    assert!(out.contains("extra    assets/extra-1.js"), "{out}");
    assert!(out.contains("changed  build.json"), "{out}");
    assert!(out.contains("differs: 4 of 6 files"), "{out}");
    assert!(!out.contains("changed  index.html"), "{out}");

    // Back to the build, signed by another key: refused with --release-key.
    write_bundle(
        &served,
        &files,
        &SigningKey::from_bytes(&[8; 32]),
        "2026-01-01T00:00:00Z",
    );
    let (code, out) = verify(&url, &local, &["--release-key", &release_b64]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not by the release key"), "{out}");
    assert!(out.contains("differs: 0 of 5 files"), "{out}");

    // A build.json.sig that is not the served key's signature, then none.
    std::fs::write(
        served.join("build.json.sig"),
        B64.encode(release.sign(b"x").to_bytes()),
    )
    .unwrap();
    let (code, out) = verify(&url, &local, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("unsigned build.json: build.json.sig is not release key"),
        "{out}"
    );
    std::fs::remove_file(served.join("build.json.sig")).unwrap();
    let (code, out) = verify(&url, &local, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no build.json.sig (HTTP 404"), "{out}");

    // Nothing to compare: no local build, a bad URL, no server.
    let (code, out) = verify(&url, &tmp.path().join("nowhere"), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no build at"), "{out}");
    let (code, out) = verify("ftp://127.0.0.1/", &local, &[]);
    assert_eq!(code, 2, "{out}");
    drop(relay);
    let (code, out) = verify(&url, &local, &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("connecting to"), "{out}");
}
