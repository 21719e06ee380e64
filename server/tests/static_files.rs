//! The web app's static files: served with the right type, precompressed
//! by `Accept-Encoding`, cached by name (hashed assets immutable), and with
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

/// `GET path` with `Accept-Encoding: accept` (none when empty): the
/// lowercased response head and the body's bytes.
fn get_encoded(relay: &Relay, path: &str, accept: &str) -> (String, Vec<u8>) {
    let mut s = TcpStream::connect(relay.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let accept = if accept.is_empty() {
        String::new()
    } else {
        format!("Accept-Encoding: {accept}\r\n")
    };
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: r\r\n{accept}Connection: close\r\n\r\n").as_bytes(),
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&buf[..split]).to_ascii_lowercase();
    (head, buf[split + 4..].to_vec())
}

/// The value of header `name` (lowercase) in a lowercased head.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
}

#[test]
fn precompressed_files_are_served_by_accept_encoding() {
    let site = tempfile::tempdir().unwrap();
    let assets = site.path().join("assets");
    std::fs::create_dir(&assets).unwrap();
    // Distinct bytes per encoding, so the body shows which file was sent.
    std::fs::write(assets.join("app-ABC.js"), "export const plain = 1;\n").unwrap();
    std::fs::write(assets.join("app-ABC.js.br"), b"brotli bytes").unwrap();
    std::fs::write(assets.join("app-ABC.js.gz"), b"gzip bytes").unwrap();
    std::fs::write(assets.join("sotto-ABC.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(assets.join("sotto-ABC.wasm.gz"), b"gzip wasm").unwrap();
    let relay = Relay::start(&["--static", site.path().to_str().unwrap()]);

    let (head, body) = get_encoded(&relay, "/assets/app-ABC.js", "gzip, deflate, br");
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert_eq!(header(&head, "content-encoding"), Some("br"), "{head}");
    assert_eq!(body, b"brotli bytes");
    // The type is the original file's, not the compressed copy's.
    assert!(
        header(&head, "content-type").is_some_and(|t| t.starts_with("text/javascript")),
        "{head}"
    );
    assert_eq!(header(&head, "vary"), Some("accept-encoding"), "{head}");

    let (head, body) = get_encoded(&relay, "/assets/app-ABC.js", "gzip");
    assert_eq!(header(&head, "content-encoding"), Some("gzip"), "{head}");
    assert_eq!(body, b"gzip bytes");

    // Without Accept-Encoding, or with identity only: the file itself, and
    // still Vary, since the answer depends on the header.
    for accept in ["", "identity"] {
        let (head, body) = get_encoded(&relay, "/assets/app-ABC.js", accept);
        assert_eq!(header(&head, "content-encoding"), None, "{head}");
        assert_eq!(body, b"export const plain = 1;\n");
        assert_eq!(header(&head, "vary"), Some("accept-encoding"), "{head}");
    }

    // Brotli preferred but missing for this file: gzip.
    let (head, body) = get_encoded(&relay, "/assets/sotto-ABC.wasm", "br, gzip");
    assert_eq!(header(&head, "content-encoding"), Some("gzip"), "{head}");
    assert_eq!(
        header(&head, "content-type"),
        Some("application/wasm"),
        "{head}"
    );
    assert_eq!(body, b"gzip wasm");
    // A client that refuses gzip (q=0) gets the plain module.
    let (head, body) = get_encoded(&relay, "/assets/sotto-ABC.wasm", "gzip;q=0");
    assert_eq!(header(&head, "content-encoding"), None, "{head}");
    assert_eq!(body, b"\0asm\x01\0\0\0");
}

#[test]
fn hashed_assets_are_immutable_and_pages_revalidate() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir(site.path().join("assets")).unwrap();
    std::fs::write(site.path().join("assets/app-ABC.js"), "export {};\n").unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html><p>app</p>").unwrap();
    std::fs::write(
        site.path().join("widget.js"),
        "import './assets/app-ABC.js';\n",
    )
    .unwrap();
    let relay = Relay::start(&["--static", site.path().to_str().unwrap()]);

    let (head, _) = get_encoded(&relay, "/assets/app-ABC.js", "br");
    assert_eq!(
        header(&head, "cache-control"),
        Some("public, max-age=31536000, immutable"),
        "{head}"
    );
    // The page and the widget's stable address: revalidated every time.
    for path in ["/", "/index.html", "/widget.js"] {
        let (head, _) = get_encoded(&relay, path, "br");
        assert!(head.starts_with("http/1.1 200"), "{path}: {head}");
        assert_eq!(
            header(&head, "cache-control"),
            Some("no-cache"),
            "{path}: {head}"
        );
    }
    // A missing hashed name is not cached as immutable.
    let (head, _) = get_encoded(&relay, "/assets/app-XYZ.js", "");
    assert!(head.starts_with("http/1.1 404"), "{head}");
    assert_eq!(header(&head, "cache-control"), Some("no-cache"), "{head}");
    // The relay's own endpoints are not static files: no such header.
    let (head, _) = get_encoded(&relay, "/healthz", "");
    assert_eq!(header(&head, "cache-control"), None, "{head}");
}
