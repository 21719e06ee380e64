//! The tokio WebSocket under [`crate::relay::RelayClient`]: the
//! client the CLI, the member daemon, the tests and the benchmarks use.

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::relay::{ClientError, Socket, WsError, ws_url};

/// A tokio-tungstenite WebSocket.
pub struct TokioSocket(WebSocketStream<MaybeTlsStream<TcpStream>>);

/// A relay connection over tokio.
pub type RelayClient = crate::relay::RelayClient<TokioSocket>;

impl TokioSocket {
    /// Opens a WebSocket to `url` (a URL without a path gets `/ws`). A
    /// comma-separated list of relays sharing one store is tried in order
    /// until one accepts: put the preferred relay first, and a client
    /// whose relay died reconnects to the next.
    pub async fn connect(url: &str) -> Result<TokioSocket, ClientError> {
        let mut last = None;
        for one in url.split(',').map(str::trim).filter(|u| !u.is_empty()) {
            match Self::connect_one(one).await {
                Ok(s) => return Ok(s),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(ClientError::Ws(WsError::NoUrl)))
    }

    async fn connect_one(url: &str) -> Result<TokioSocket, ClientError> {
        let url = ws_url(url);
        let (ws, _) = tokio_tungstenite::connect_async(url.as_str()).await?;
        Ok(TokioSocket(ws))
    }

    /// Opens a WebSocket to `url` from the local address `source` (port
    /// chosen by the OS). The load generator uses it to spread its
    /// connections over several loopback addresses (127.0.0.x), as that
    /// many clients would arrive from several addresses.
    pub async fn connect_from(
        url: &str,
        source: std::net::IpAddr,
    ) -> Result<TokioSocket, ClientError> {
        let url = ws_url(url);
        let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
        let host = rest.split('/').next().unwrap_or(rest);
        let peer = tokio::net::lookup_host(host)
            .await?
            .find(|a| a.is_ipv4() == source.is_ipv4())
            .ok_or_else(|| WsError::NoAddress {
                host: host.to_string(),
                source_ip: source,
            })?;
        let socket = if source.is_ipv4() {
            tokio::net::TcpSocket::new_v4()
        } else {
            tokio::net::TcpSocket::new_v6()
        }?;
        socket.bind(std::net::SocketAddr::new(source, 0))?;
        let tcp = socket.connect(peer).await?;
        tcp.set_nodelay(true)?;
        let (ws, _) =
            tokio_tungstenite::client_async(url.as_str(), MaybeTlsStream::Plain(tcp)).await?;
        Ok(TokioSocket(ws))
    }
}

impl Socket for TokioSocket {
    async fn send(&mut self, bytes: Vec<u8>) -> Result<(), ClientError> {
        Ok(self.0.send(Message::Binary(bytes.into())).await?)
    }

    async fn recv(&mut self) -> Result<Vec<u8>, ClientError> {
        loop {
            match self.0.next().await {
                None => return Err(ClientError::Closed(None)),
                Some(Err(e)) => return Err(e.into()),
                Some(Ok(Message::Binary(b))) => return Ok(b.to_vec()),
                Some(Ok(Message::Close(c))) => {
                    return Err(ClientError::Closed(c.map(|c| c.code.into())));
                }
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Sends the closing handshake, then reads (and drops) what the relay
    /// still sends until its close reply, for at most two seconds: closing
    /// the TCP socket with unread bytes in it would make the kernel reset
    /// the connection instead of closing it cleanly.
    async fn close(&mut self) -> Result<(), ClientError> {
        self.0.close(None).await?;
        let drain = async {
            while let Some(Ok(m)) = self.0.next().await {
                if m.is_close() {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), drain).await;
        Ok(())
    }
}

impl RelayClient {
    /// Connects to the relay's WebSocket endpoint, e.g.
    /// `ws://127.0.0.1:8080/ws` (a URL without a path gets `/ws`).
    pub async fn connect(url: &str) -> Result<RelayClient, ClientError> {
        Ok(RelayClient::new(TokioSocket::connect(url).await?))
    }

    /// Connects like [`RelayClient::connect`], from the local address
    /// `source` (see [`TokioSocket::connect_from`]).
    pub async fn connect_from(
        url: &str,
        source: std::net::IpAddr,
    ) -> Result<RelayClient, ClientError> {
        Ok(RelayClient::new(
            TokioSocket::connect_from(url, source).await?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refused_connection_keeps_its_source() {
        // A port that was free a moment ago: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let Err(e) = TokioSocket::connect(&format!("ws://127.0.0.1:{port}/ws")).await else {
            panic!("connected to a closed port");
        };
        assert!(matches!(e, ClientError::Ws(WsError::Native(_))), "{e}");
        let source = std::error::Error::source(&e).expect("the WebSocket error");
        assert!(source.to_string().contains("refused"), "{source}");
        let Err(e) = TokioSocket::connect(" , ").await else {
            panic!("connected to no relay");
        };
        assert!(matches!(e, ClientError::Ws(WsError::NoUrl)), "{e}");
    }
}
