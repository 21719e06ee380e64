//! The tokio WebSocket under [`crate::client::relay::RelayClient`]: the
//! client the CLI, the member daemon, the tests and the benchmarks use.

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub use crate::client::relay::{ClientError, Delivery, Socket, SubmitAck, ws_url};

/// A tokio-tungstenite WebSocket.
pub struct TokioSocket(WebSocketStream<MaybeTlsStream<TcpStream>>);

/// A relay connection over tokio.
pub type RelayClient = crate::client::relay::RelayClient<TokioSocket>;

fn ws_err(e: tokio_tungstenite::tungstenite::Error) -> ClientError {
    ClientError::Ws(e.to_string())
}

impl TokioSocket {
    /// Opens a WebSocket to `url` (a URL without a path gets `/ws`).
    pub async fn connect(url: &str) -> Result<TokioSocket, ClientError> {
        let url = ws_url(url);
        let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .map_err(ws_err)?;
        Ok(TokioSocket(ws))
    }
}

impl Socket for TokioSocket {
    async fn send(&mut self, bytes: Vec<u8>) -> Result<(), ClientError> {
        self.0
            .send(Message::Binary(bytes.into()))
            .await
            .map_err(ws_err)
    }

    async fn recv(&mut self) -> Result<Vec<u8>, ClientError> {
        loop {
            match self.0.next().await {
                None => return Err(ClientError::Closed(None)),
                Some(Err(e)) => return Err(ws_err(e)),
                Some(Ok(Message::Binary(b))) => return Ok(b.to_vec()),
                Some(Ok(Message::Close(c))) => {
                    return Err(ClientError::Closed(c.map(|c| c.code.into())));
                }
                Some(Ok(_)) => continue,
            }
        }
    }

    async fn close(&mut self) -> Result<(), ClientError> {
        self.0.close(None).await.map_err(ws_err)
    }
}

impl RelayClient {
    /// Connects to the relay's WebSocket endpoint, e.g.
    /// `ws://127.0.0.1:8080/ws` (a URL without a path gets `/ws`).
    pub async fn connect(url: &str) -> Result<RelayClient, ClientError> {
        Ok(RelayClient::new(TokioSocket::connect(url).await?))
    }
}
