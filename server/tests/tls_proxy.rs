//! The relay serving TLS itself (`--tls-cert`/`--tls-key`, with a
//! certificate generated here) and reading the client's address from a
//! trusted reverse proxy's header only (`--trusted-proxy`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Relay, tcp_from};
use futures_util::{SinkExt, StreamExt};
use sotto_wire::{CreateParams, Header, Kind, SessionId};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const WAIT: Duration = Duration::from_secs(20);

/// A self-signed certificate for `localhost` and 127.0.0.1, written as PEM
/// files into `dir`; the client configuration that trusts it.
fn certificate(dir: &std::path::Path) -> (String, String, Arc<ClientConfig>) {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, signing_key.serialize_pem()).unwrap();
    let mut roots = RootCertStore::empty();
    roots.add(cert.der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    (
        cert_path.display().to_string(),
        key_path.display().to_string(),
        Arc::new(client),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_serves_wss_and_https_with_its_own_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, client) = certificate(dir.path());
    let relay = Relay::start(&[
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
        "--handshake-timeout-secs",
        "2",
    ]);
    let port = relay.addr.port();
    let connector = TlsConnector::from(client);
    let name = ServerName::try_from("localhost").unwrap();

    // wss://: a whole request over TLS (Create → Created).
    let tcp = tokio::net::TcpStream::connect(relay.addr).await.unwrap();
    let tls = connector.connect(name.clone(), tcp).await.unwrap();
    let url = format!("wss://localhost:{port}/ws");
    let (mut ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::client_async(url, tls))
        .await
        .unwrap()
        .unwrap();
    let mut h = Header::new(Kind::Create, SessionId::NONE);
    h.id = 7;
    let params = CreateParams {
        members: 2,
        ..CreateParams::default()
    };
    ws.send(Message::Binary(
        sotto_wire::encode(&h, &params.encode()).into(),
    ))
    .await
    .unwrap();
    let reply = loop {
        match tokio::time::timeout(WAIT, ws.next()).await.unwrap() {
            Some(Ok(Message::Binary(b))) => break sotto_wire::Frame::decode(&b).unwrap(),
            Some(Ok(_)) => continue,
            other => panic!("no reply over wss: {other:?}"),
        }
    };
    assert_eq!((reply.header.kind, reply.header.id), (Kind::Created, 7));

    // https://: the health check.
    let tcp = tokio::net::TcpStream::connect(relay.addr).await.unwrap();
    let mut tls = connector.connect(name.clone(), tcp).await.unwrap();
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut body = Vec::new();
    tokio::time::timeout(WAIT, tls.read_to_end(&mut body))
        .await
        .unwrap()
        .ok();
    let body = String::from_utf8_lossy(&body);
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(body.ends_with("ok\n"), "{body}");

    // Plain ws:// to the TLS port gets no WebSocket.
    let plain = tokio::time::timeout(
        WAIT,
        tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/ws")),
    )
    .await
    .unwrap();
    assert!(plain.is_err(), "a plain connection must not be served");

    // A client that never starts its TLS handshake is closed at the
    // handshake deadline (2 s here).
    let mut idle = tokio::net::TcpStream::connect(relay.addr).await.unwrap();
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(10), idle.read(&mut buf))
        .await
        .expect("the silent connection was not closed at its deadline");
    assert!(matches!(n, Ok(0) | Err(_)));
    // The relay still serves.
    let tcp = tokio::net::TcpStream::connect(relay.addr).await.unwrap();
    assert!(connector.connect(name, tcp).await.is_ok());
}

#[test]
fn unusable_certificates_stop_the_relay_at_start() {
    use clap::Parser as _;
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").unwrap();
    let g = garbage.display().to_string();
    for args in [
        vec!["sotto-relay", "--tls-cert", &g, "--tls-key", &g],
        vec!["sotto-relay", "--tls-cert", "/nonexistent", "--tls-key", &g],
    ] {
        let config = sotto_relay::Config::try_parse_from(args).unwrap();
        assert!(matches!(
            sotto_relay::Relay::open(&config),
            Err(sotto_relay::RelayError::Config(
                sotto_relay::ConfigError::Tls { .. }
            ))
        ));
    }
    // A certificate without its key is a usage error.
    assert!(sotto_relay::Config::try_parse_from(["sotto-relay", "--tls-cert", &g]).is_err());
    let config =
        sotto_relay::Config::try_parse_from(["sotto-relay", "--trusted-proxy", "10.0.0.0/99"])
            .unwrap();
    assert!(matches!(
        sotto_relay::Relay::open(&config),
        Err(sotto_relay::RelayError::Config(
            sotto_relay::ConfigError::TrustedProxy(_)
        ))
    ));
}

/// Opens a WebSocket from the loopback address `from`, with an
/// `X-Forwarded-For` header; the HTTP status of the upgrade.
async fn upgrade_from(
    relay: &Relay,
    from: [u8; 4],
    forwarded_for: &str,
) -> (
    u16,
    Option<tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>>,
) {
    let tcp = match tcp_from(from, relay.addr).await {
        Ok(t) => t,
        Err(_) => return (0, None),
    };
    let mut req = relay.url().into_client_request().unwrap();
    req.headers_mut()
        .insert("x-forwarded-for", forwarded_for.parse().unwrap());
    match tokio::time::timeout(WAIT, tokio_tungstenite::client_async(req, tcp))
        .await
        .unwrap()
    {
        Ok((ws, resp)) => (resp.status().as_u16(), Some(ws)),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => (resp.status().as_u16(), None),
        // The TCP-level refusal (503, then close) may arrive as a broken
        // handshake.
        Err(_) => (503, None),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_addresses_count_only_from_a_trusted_proxy() {
    let relay = Relay::start(&["--trusted-proxy", "127.0.0.2", "--max-conns-per-addr", "2"]);
    let mut open = Vec::new();
    // Through the trusted proxy (127.0.0.2): each client is counted by the
    // address the proxy names, and the proxy itself is not capped.
    for _ in 0..2 {
        let (status, ws) = upgrade_from(&relay, [127, 0, 0, 2], "198.51.100.1").await;
        assert_eq!(status, 101);
        open.push(ws);
    }
    let (status, _) = upgrade_from(&relay, [127, 0, 0, 2], "198.51.100.1").await;
    assert_eq!(status, 429, "the third connection of one client is refused");
    for _ in 0..2 {
        let (status, ws) = upgrade_from(&relay, [127, 0, 0, 2], "203.0.113.5, 198.51.100.2").await;
        assert_eq!(
            status, 101,
            "another client through the same proxy (its right-most untrusted address)"
        );
        open.push(ws);
    }
    // An untrusted peer (127.0.0.3) cannot claim other addresses: it is
    // counted as itself whatever its header says.
    for k in 0..2 {
        let (status, ws) = upgrade_from(&relay, [127, 0, 0, 3], &format!("192.0.2.{k}")).await;
        assert_eq!(status, 101);
        open.push(ws);
    }
    let (status, _) = upgrade_from(&relay, [127, 0, 0, 3], "192.0.2.99").await;
    assert_ne!(status, 101, "the header of an untrusted peer is ignored");
    assert_eq!(open.len(), 6);
}
