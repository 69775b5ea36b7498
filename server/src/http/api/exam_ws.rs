//! The candidate's answer channel over WebSocket. Each answer is acknowledged only after it is
//! durable; refusals carry the stable code and a message in the candidate's language; the
//! server's clock is pushed every few seconds. The loop is generic over a Sink and a Stream, so
//! tests can drive it with channels as well as with a real socket.
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use exam_protocol::{AnswerRequest, ClientMessage, ServerMessage, Stage};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::mpsc;

use crate::clock::now_ms;
use crate::exams::answer_writer::Ack;
use crate::exams::candidate;
use crate::exams::timing::PaperClock;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::i18n::Lang;
use crate::http::{AppState, messages};
use crate::store::exams::{self, PaperRow};

/// How often the server's clock is sent.
const TIME_EVERY: Duration = Duration::from_secs(5);

pub async fn upgrade(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let (c, _) = candidate::context(&state, &user).await?;
    let paper = exams::paper_of_candidate(&state.db, c.id).await?.ok_or(ApiError::NotFound)?;
    let lang = Lang::from_headers(&headers);
    // Small buffers: thousands of candidates each hold one of these open for 90 minutes.
    Ok(ws.read_buffer_size(4 * 1024).write_buffer_size(0).max_message_size(64 * 1024).on_upgrade(move |socket: WebSocket| async move {
        let (sink, stream) = socket.split();
        serve(state, user, paper, lang, sink, stream).await;
    }))
}

fn refused(seq: Option<i64>, code: &'static str, lang: Lang) -> ServerMessage {
    ServerMessage::Refused { seq, error: code.to_string(), message: messages::message(code, lang).to_string() }
}

async fn time_message(state: &AppState, paper_id: i64) -> Option<ServerMessage> {
    let (status, deadline, paused) = state.papers.clock(&state.db, paper_id).await.ok()??;
    if status != "in_progress" {
        let stage = if status == "terminated" { Stage::Terminated } else { Stage::HandedIn };
        return Some(ServerMessage::Ended { stage });
    }
    let now = now_ms();
    Some(ServerMessage::Time {
        remaining_ms: PaperClock { deadline_ms: deadline, paused_at_ms: paused }.remaining_ms(now),
        server_now_ms: now,
        paused: paused.is_some(),
    })
}

/// Runs one connection until the client goes away or the paper ends.
pub async fn serve<S, R, E>(state: AppState, user: CurrentUser, paper: PaperRow, lang: Lang, mut sink: S, mut stream: R)
where
    S: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, E>> + Unpin + Send,
{
    // Shared, not copied, by the task each answer gets: the row carries the paper's questions.
    let paper = std::sync::Arc::new(paper);
    let (out, mut outbox) = mpsc::channel::<ServerMessage>(256);
    let writer = tokio::spawn(async move {
        while let Some(msg) = outbox.recv().await {
            let ended = matches!(msg, ServerMessage::Ended { .. });
            let Ok(text) = serde_json::to_string(&msg) else { continue };
            if sink.send(Message::Text(text.into())).await.is_err() || ended {
                break;
            }
        }
        let _ = sink.close().await;
    });
    if let Some(t) = time_message(&state, paper.id).await {
        let _ = out.send(t).await;
    }
    let mut tick = tokio::time::interval(TIME_EVERY);
    tick.tick().await;
    loop {
        tokio::select! {
            _ = tick.tick() => {
                match time_message(&state, paper.id).await {
                    Some(msg @ ServerMessage::Ended { .. }) => { let _ = out.send(msg).await; break; }
                    Some(msg) => { if out.send(msg).await.is_err() { break; } }
                    None => break,
                }
            }
            incoming = stream.next() => {
                let Some(Ok(msg)) = incoming else { break };
                let text = match msg {
                    Message::Text(t) => t.to_string(),
                    Message::Close(_) => break,
                    _ => continue,
                };
                match serde_json::from_str::<ClientMessage>(&text) {
                    Ok(ClientMessage::Answer { seq, no, response }) => {
                        // Each answer waits for its own commit without holding up the next.
                        let (state, paper, out) = (state.clone(), std::sync::Arc::clone(&paper), out.clone());
                        tokio::spawn(async move {
                            let req = AnswerRequest { seq, no, response };
                            let reply = match candidate::answer_on(&state, &paper, &req).await {
                                Ok(ack) => ServerMessage::Ack { seq, duplicate: ack == Ack::Duplicate },
                                Err(e) => refused(Some(seq), e.code(), lang),
                            };
                            let _ = out.send(reply).await;
                        });
                    }
                    Ok(ClientMessage::Integrity { kind }) => {
                        if let Err(e) = candidate::integrity(&state, &user, kind).await {
                            tracing::warn!(error = %e, "integrity event not recorded");
                        }
                    }
                    Ok(ClientMessage::Ping) => {
                        if let Some(t) = time_message(&state, paper.id).await {
                            let _ = out.send(t).await;
                        }
                    }
                    Err(_) => { let _ = out.send(refused(None, "malformed_message", lang)).await; }
                }
            }
        }
    }
    drop(out);
    let _ = writer.await;
}
