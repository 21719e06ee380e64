//! TLS for the relay itself (`--tls-cert`, `--tls-key`): rustls with the
//! ring provider, so browsers reach it over `https://` and `wss://` without
//! a reverse proxy.
//!
//! The handshake runs inside the connection's own stream ([`MaybeTls`]),
//! on its first read or write, not in the accept loop: a client that is
//! slow to handshake holds up nobody else, and the listener's handshake
//! deadline (`--handshake-timeout-secs`, from accept to the end of the
//! first HTTP request's headers) covers the TLS handshake too.

use std::fs::File;
use std::future::Future as _;
use std::io::{self, BufReader};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

use crate::ConfigError;

/// The relay's TLS configuration (certificate and key loaded).
#[derive(Clone)]
pub struct Tls(TlsAcceptor);

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tls")
    }
}

/// Reads a PEM certificate chain and private key and builds the acceptor
/// (HTTP/1.1 by ALPN: WebSockets upgrade over HTTP/1.1).
pub fn acceptor(cert: &Path, key: &Path) -> Result<Tls, ConfigError> {
    let bad = |path: &Path, reason: String| ConfigError::Tls {
        path: path.display().to_string(),
        reason,
    };
    let open = |path: &Path| File::open(path).map_err(|e| bad(path, e.to_string()));
    let certs = CertificateDer::pem_reader_iter(BufReader::new(open(cert)?))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(cert, e.to_string()))?;
    if certs.is_empty() {
        return Err(bad(cert, "no certificate in the file".into()));
    }
    let key_der = PrivateKeyDer::from_pem_reader(BufReader::new(open(key)?))
        .map_err(|e| bad(key, e.to_string()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(cert, e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|e| bad(key, e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls(TlsAcceptor::from(Arc::new(config))))
}

/// An accepted connection: plain TCP, or TLS whose handshake completes on
/// first use.
pub enum MaybeTls {
    /// Plain TCP.
    Plain(TcpStream),
    /// A TLS handshake in progress.
    Accepting(Box<tokio_rustls::Accept<TcpStream>>),
    /// An established TLS session.
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
    /// The handshake failed; every operation fails.
    Failed,
}

impl std::fmt::Debug for MaybeTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MaybeTls::Plain(_) => "Plain",
            MaybeTls::Accepting(_) => "Accepting",
            MaybeTls::Tls(_) => "Tls",
            MaybeTls::Failed => "Failed",
        })
    }
}

impl MaybeTls {
    /// A connection that starts with a TLS handshake when `tls` is set.
    pub fn new(stream: TcpStream, tls: Option<&Tls>) -> MaybeTls {
        match tls {
            Some(Tls(acceptor)) => MaybeTls::Accepting(Box::new(acceptor.accept(stream))),
            None => MaybeTls::Plain(stream),
        }
    }

    /// Drives the handshake, if one is in progress.
    fn poll_handshake(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let MaybeTls::Accepting(accept) = self {
            match ready!(Pin::new(accept.as_mut()).poll(cx)) {
                Ok(stream) => *self = MaybeTls::Tls(Box::new(stream)),
                Err(e) => {
                    *self = MaybeTls::Failed;
                    return Poll::Ready(Err(e));
                }
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Whether writes may be vectored.
    pub fn is_write_vectored(&self) -> bool {
        match self {
            MaybeTls::Plain(s) => s.is_write_vectored(),
            MaybeTls::Tls(s) => s.is_write_vectored(),
            _ => false,
        }
    }
}

fn failed() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "TLS handshake failed")
}

impl AsyncRead for MaybeTls {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_handshake(cx))?;
        match this {
            MaybeTls::Plain(s) => Pin::new(s).poll_read(cx, buf),
            MaybeTls::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            _ => Poll::Ready(Err(failed())),
        }
    }
}

impl AsyncWrite for MaybeTls {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_handshake(cx))?;
        match this {
            MaybeTls::Plain(s) => Pin::new(s).poll_write(cx, buf),
            MaybeTls::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            _ => Poll::Ready(Err(failed())),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_handshake(cx))?;
        match this {
            MaybeTls::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            MaybeTls::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
            _ => Poll::Ready(Err(failed())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_handshake(cx))?;
        match this {
            MaybeTls::Plain(s) => Pin::new(s).poll_flush(cx),
            MaybeTls::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            _ => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeTls::Plain(s) => Pin::new(s).poll_shutdown(cx),
            MaybeTls::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            // Nothing was established: just drop the socket.
            _ => Poll::Ready(Ok(())),
        }
    }
}
