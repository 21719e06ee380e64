//! The web app's static files: served with the right type, and with
//! `Access-Control-Allow-Origin: *` so other sites can embed the widget.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::Relay;

#[test]
fn static_files_allow_cross_origin_embedding() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("widget.js"), "export const ok = 1;\n").unwrap();
    let relay = Relay::start(&["--static", site.path().to_str().unwrap()]);
    let mut s = TcpStream::connect(relay.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(
        b"GET /widget.js HTTP/1.1\r\nHost: r\r\nOrigin: https://example.org\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    let head = buf.to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{buf}");
    assert!(head.contains("access-control-allow-origin: *"), "{buf}");
    assert!(head.contains("content-type: text/javascript"), "{buf}");
    assert!(buf.ends_with("export const ok = 1;\n"));
    // The relay's own endpoints are unchanged.
    let (status, _) = relay.get("/healthz", &[]);
    assert_eq!(status, 200);
}

/// The response head of `GET path`, lowercased.
fn head_of(relay: &Relay, path: &str) -> String {
    let mut s = TcpStream::connect(relay.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: r\r\nConnection: close\r\n\r\n").as_bytes())
        .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    text.split("\r\n\r\n").next().unwrap().to_string()
}

#[test]
fn pages_carry_security_headers_and_cannot_be_framed() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html><p>app</p>").unwrap();
    std::fs::write(
        site.path().join("embed-example.html"),
        "<!doctype html><p>x</p>",
    )
    .unwrap();
    std::fs::write(site.path().join("widget.js"), "export const ok = 1;\n").unwrap();
    let relay = Relay::start(&["--static", site.path().to_str().unwrap()]);

    let page = head_of(&relay, "/");
    assert!(page.starts_with("http/1.1 200"), "{page}");
    let csp = page
        .lines()
        .find_map(|l| l.strip_prefix("content-security-policy: "))
        .unwrap_or_else(|| panic!("no CSP header: {page}"));
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("object-src 'none'"), "{csp}");
    assert!(page.contains("x-frame-options: deny"), "{page}");
    assert!(page.contains("referrer-policy: no-referrer"), "{page}");
    assert!(page.contains("x-content-type-options: nosniff"), "{page}");
    // The model of a third-party page keeps its inline styles but is not
    // framable either.
    let example = head_of(&relay, "/embed-example.html");
    assert!(example.contains("frame-ancestors 'none'"), "{example}");
    assert!(!example.contains("default-src"), "{example}");

    // The widget's module stays loadable from other sites: CORS, nosniff,
    // and no page policy on a script.
    let widget = head_of(&relay, "/widget.js");
    assert!(
        widget.contains("access-control-allow-origin: *"),
        "{widget}"
    );
    assert!(
        widget.contains("x-content-type-options: nosniff"),
        "{widget}"
    );
    assert!(!widget.contains("content-security-policy"), "{widget}");
    // The relay's own endpoints get the generic headers too.
    let health = head_of(&relay, "/healthz");
    assert!(
        health.contains("x-content-type-options: nosniff"),
        "{health}"
    );
    assert!(health.contains("referrer-policy: no-referrer"), "{health}");
}

#[test]
fn no_static_serves_no_files_even_with_a_static_dir() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html><p>app</p>").unwrap();
    let relay = Relay::start(&["--static", site.path().to_str().unwrap(), "--no-static"]);
    assert!(head_of(&relay, "/").starts_with("http/1.1 404"));
    assert!(head_of(&relay, "/index.html").starts_with("http/1.1 404"));
    let (status, _) = relay.get("/healthz", &[]);
    assert_eq!(status, 200);
}
