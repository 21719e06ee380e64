//! Tests of the bindings themselves, in Node and in headless Chromium
//! (`WASM_BINDGEN_USE_BROWSER=1`). The relay-facing paths are tested end to
//! end in `tests/tests/wasm.rs`.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::member::CommitteeMember;
use super::organizer::Organizer;
use super::participant::Participant;

fn code_of(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default()
}

fn has_indexed_db() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"indexedDB".into())
        .map(|v| !v.is_undefined())
        .unwrap_or(false)
}

#[test]
async fn bad_links_reject_with_a_code_and_no_network() {
    let e = JsFuture::from(Participant::open("not a link".into()))
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), "bad_link");
    let msg = js_sys::Reflect::get(&e, &"message".into()).unwrap();
    assert!(msg.as_string().unwrap().contains("not valid"));
}

#[test]
fn a_garbage_capability_is_refused() {
    let Err(e) = Organizer::import_capability("{\"relay\": 1}") else {
        panic!("accepted garbage");
    };
    assert_eq!(code_of(&e), "invalid_options");
}

#[test]
fn key_files_roundtrip_and_wrong_passphrases_are_refused() {
    let m = CommitteeMember::generate();
    let file = m.to_key_file("a long passphrase").unwrap();
    let back = CommitteeMember::from_key_file(&file, "a long passphrase").unwrap();
    let fp = |m: &CommitteeMember| {
        js_sys::Reflect::get(&m.public_keys().unwrap(), &"fingerprint".into())
            .unwrap()
            .as_string()
            .unwrap()
    };
    assert_eq!(fp(&m), fp(&back));
    let Err(e) = CommitteeMember::from_key_file(&file, "another passphrase") else {
        panic!("wrong passphrase accepted");
    };
    assert_eq!(code_of(&e), "bad_key");
    let Err(e) = m.to_key_file("short") else {
        panic!("short passphrase accepted");
    };
    assert_eq!(code_of(&e), "invalid_options");
}

#[test]
async fn keys_are_kept_in_indexed_db_where_there_is_one() {
    let m = CommitteeMember::generate();
    let saved = JsFuture::from(m.save("test-key".into())).await;
    if !has_indexed_db() {
        // Node: storage is refused with a clear code, nothing is lost.
        assert_eq!(code_of(&saved.unwrap_err()), "storage");
        return;
    }
    saved.unwrap();
    let loaded = JsFuture::from(CommitteeMember::load("test-key".into()))
        .await
        .unwrap();
    let loaded: CommitteeMember = wasm_bindgen::convert::TryFromJsValue::try_from_js_value(loaded)
        .unwrap_or_else(|_| panic!("not a CommitteeMember"));
    let fp = |m: &CommitteeMember| {
        js_sys::Reflect::get(&m.public_keys().unwrap(), &"fingerprint".into())
            .unwrap()
            .as_string()
            .unwrap()
    };
    assert_eq!(fp(&m), fp(&loaded));
    let names = JsFuture::from(CommitteeMember::stored()).await.unwrap();
    assert!(js_sys::Array::from(&names).includes(&"test-key".into(), 0));
    JsFuture::from(CommitteeMember::forget("test-key".into()))
        .await
        .unwrap();
    let gone = JsFuture::from(CommitteeMember::load("test-key".into()))
        .await
        .unwrap();
    assert!(gone.is_undefined());
}

/// A session draft for a one-member committee check with `member`'s keys.
fn check_options(member: &JsValue) -> JsValue {
    let members = js_sys::Array::of1(member);
    let o = js_sys::JSON::parse(
        r#"{"title": "Committee check", "kind": "check", "schema": {"comparisons": 10, "bits": 8},
            "committee": {}}"#,
    )
    .unwrap();
    let committee = js_sys::Reflect::get(&o, &"committee".into()).unwrap();
    js_sys::Reflect::set(&committee, &"members".into(), &members).unwrap();
    o
}

#[test]
async fn public_keys_with_their_fingerprint_are_accepted_and_a_wrong_one_is_refused() {
    let keys = CommitteeMember::generate().public_keys().unwrap();
    js_sys::Reflect::set(&keys, &"name".into(), &"m1".into()).unwrap();
    // Nothing listens on port 9: options that pass reach the connection.
    let relay = "ws://127.0.0.1:9/ws".to_string();
    let e = JsFuture::from(Organizer::create(relay.clone(), check_options(&keys), None))
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), "relay_unreachable");
    js_sys::Reflect::set(&keys, &"fingerprint".into(), &"0000 1111".into()).unwrap();
    let e = JsFuture::from(Organizer::create(relay, check_options(&keys), None))
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), "invalid_options");
    let msg = js_sys::Reflect::get(&e, &"message".into()).unwrap();
    assert!(
        msg.as_string()
            .unwrap()
            .contains("fingerprint does not match")
    );
}
