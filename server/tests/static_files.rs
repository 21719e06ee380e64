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
