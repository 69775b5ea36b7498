//! The candidate's answer channel as a client: send answers, read acknowledgements, the
//! server's clock and refusals.
use exam_protocol::{ClientMessage, ServerMessage};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    #[error("websocket: {0}")]
    Ws(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("unexpected message: {0}")]
    Unexpected(String),
    #[error("the connection closed")]
    Closed,
}

/// The client side of the answer channel: small messages, sent at once. A 4 KiB read buffer
/// (tungstenite's default of 128 KiB is zeroed again before every read, which for thousands of
/// bench connections costs more than the messages), no write buffer, and no Nagle (set where
/// the socket is opened), as browsers open theirs.
pub fn config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(4 * 1024).write_buffer_size(0)
}

#[derive(Debug)]
pub struct ExamSocket {
    socket: Socket,
}

impl ExamSocket {
    /// Connects to `/api/v1/exam/ws` on `base` (http:// becomes ws://) with the bearer token.
    pub async fn connect(base: &str, token: &str) -> Result<ExamSocket, SocketError> {
        let url = format!("{}/api/v1/exam/ws", base.replacen("http", "ws", 1));
        let mut req = url.into_client_request()?;
        let value = format!("Bearer {token}").parse().map_err(|_| SocketError::Unexpected("token is not a header value".into()))?;
        req.headers_mut().insert("authorization", value);
        let (socket, _) = tokio_tungstenite::connect_async_with_config(req, Some(config()), true).await?;
        Ok(ExamSocket { socket })
    }

    pub async fn send(&mut self, msg: &ClientMessage) -> Result<(), SocketError> {
        let text = serde_json::to_string(msg).map_err(|e| SocketError::Unexpected(e.to_string()))?;
        self.socket.send(Message::Text(text.into())).await?;
        Ok(())
    }

    /// Sends raw text, for testing what the server does with garbage.
    pub async fn send_text(&mut self, text: &str) -> Result<(), SocketError> {
        self.socket.send(Message::Text(text.to_string().into())).await?;
        Ok(())
    }

    /// The next message from the server.
    pub async fn recv(&mut self) -> Result<ServerMessage, SocketError> {
        loop {
            match self.socket.next().await {
                Some(Ok(Message::Text(t))) => {
                    return serde_json::from_str(&t).map_err(|_| SocketError::Unexpected(t.to_string()));
                }
                Some(Ok(Message::Close(_))) | None => return Err(SocketError::Closed),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}
