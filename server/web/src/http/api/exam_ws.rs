//! The candidate's channel over WebSocket: answers, each acknowledged only after it is durable;
//! the server's clock on connect, at once when a proctor pauses, resumes or gives time or the
//! paper ends, and every half minute besides (the page counts down in between); media
//! signalling (the offer for camera, microphone and screen, and which tracks arrive); proctors'
//! notices. It opens before the paper exists, so the
//! media can flow before the first question. Refusals carry the stable code and a message in
//! the candidate's language. The loop is generic over a Sink and a Stream, so tests can drive it
//! with channels as well as with a real socket.
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::Response;
use exam_protocol::{AnswerRequest, ClientMessage, ServerMessage, Stage};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::{Semaphore, mpsc};

use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::i18n::Lang;
use crate::http::{AppState, messages};
use exam_application::exams::answer_writer::Ack;
use exam_application::exams::candidate;
use exam_application::exams::candidate_channels::ToSocket;
use exam_application::exams::timing::PaperClock;
use exam_records::exams::{self, CandidateRow, PaperRow, PaperStatus};

/// How often the server's clock is sent when nothing changed it: the page counts down by itself
/// in between, and every change is sent as it happens. At 19,900 candidates this is 660 messages
/// a second instead of the 4,000 a five-second clock would cost.
const TIME_EVERY: Duration = Duration::from_secs(30);

pub async fn upgrade(State(state): State<AppState>, user: CurrentUser, headers: HeaderMap, ws: WebSocketUpgrade) -> Result<Response, ApiError> {
    let (c, _) = candidate::context(&state, &user).await?;
    let paper = exams::paper_of_candidate(&state.db, c.id).await?;
    let lang = crate::http::i18n::from_headers(&headers);
    // Small buffers: thousands of candidates each hold one of these open for 90 minutes.
    Ok(ws.read_buffer_size(4 * 1024).write_buffer_size(0).max_message_size(64 * 1024).on_upgrade(move |socket: WebSocket| async move {
        let (sink, stream) = socket.split();
        serve(state, user, c, paper, lang, sink, stream).await;
    }))
}

fn refused(seq: Option<i64>, code: &'static str, lang: Lang) -> ServerMessage {
    ServerMessage::Refused { seq, error: code.to_string(), message: messages::message(code, lang).to_string(), retry: retryable(code) }
}

/// Refusals after which the same answer may still be stored: the server's trouble, a pause, or
/// too many answers at once. Every other refusal is final.
pub fn retryable(code: &str) -> bool {
    matches!(code, "internal_error" | "paper_paused" | "answers_in_flight" | "rate_limited" | "media_unavailable" | "not_ready")
}

/// Whether a refusal says the paper takes no more answers.
fn says_ended(msg: &ServerMessage) -> bool {
    matches!(msg, ServerMessage::Refused { error, .. } if error == "paper_ended" || error == "time_over")
}

/// How long a socket whose paper ended waits for its answers still being committed, so each
/// gets its acknowledgement or refusal before the ended message.
const DRAIN: Duration = Duration::from_secs(5);

/// The clock message; `fresh` reads the clock from the database rather than the cache.
async fn time_message(state: &AppState, paper_id: i64, fresh: bool) -> Option<ServerMessage> {
    let clock = if fresh { state.papers.fresh_clock(&state.db, paper_id).await } else { state.papers.clock(&state.db, paper_id).await };
    let (status, deadline, paused) = clock.ok()??;
    if status != PaperStatus::InProgress {
        let stage = if status == PaperStatus::Terminated { Stage::Terminated } else { Stage::HandedIn };
        return Some(ServerMessage::Ended { stage });
    }
    let now = state.clock.now_ms();
    Some(ServerMessage::Time {
        remaining_ms: PaperClock { deadline_ms: deadline, paused_at_ms: paused }.remaining_ms(now),
        server_now_ms: now,
        paused: paused.is_some(),
    })
}

/// The paper once it exists: looked up again while the candidate has not started.
async fn current_paper(state: &AppState, c: &CandidateRow, paper: &mut Option<Arc<PaperRow>>) -> Option<Arc<PaperRow>> {
    if paper.is_none()
        && let Ok(Some(p)) = exams::paper_of_candidate(&state.db, c.id).await
    {
        *paper = Some(Arc::new(p));
    }
    paper.clone()
}

async fn send<S: Sink<Message> + Unpin>(sink: &mut S, msg: &ServerMessage) -> Result<(), ()> {
    let text = serde_json::to_string(msg).map_err(|_| ())?;
    sink.send(Message::Text(text.into())).await.map_err(|_| ())
}

/// Sends `msg`; true when the connection should end: the socket is gone or the paper ended.
async fn send_or_stop<S: Sink<Message> + Unpin>(sink: &mut S, msg: &ServerMessage) -> bool {
    send(sink, msg).await.is_err() || matches!(msg, ServerMessage::Ended { .. })
}

/// Runs one connection until the client goes away or the paper ends. One task reads, writes
/// and keeps the clock; each answer's wait for its commit runs in a task of its own, whose
/// reply comes back through the outbox. Calls that may reach the database are boxed while they
/// run: this future lives as long as the connection, thousands at once, and would otherwise be
/// as large as the largest of them.
pub async fn serve<S, R, E>(state: AppState, user: CurrentUser, c: CandidateRow, paper: Option<PaperRow>, lang: Lang, mut sink: S, mut stream: R)
where
    S: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, E>> + Unpin + Send,
{
    // Shared, not copied, by the task each answer gets: the row carries the paper's questions.
    let mut paper = paper.map(Arc::new);
    let limits = &state.settings.exam;
    // Room for every answer's reply besides notices, so an answer task never waits on the loop.
    let (out, mut outbox) = mpsc::channel::<ToSocket>(256.max(limits.max_answers_in_flight + 64));
    let in_flight = Arc::new(Semaphore::new(limits.max_answers_in_flight.max(1)));
    if let Some(p) = &paper
        && let Some(t) = Box::pin(time_message(&state, p.id, false)).await
        && send_or_stop(&mut sink, &t).await
    {
        // Ended already (or gone): nothing more happens on this socket.
        let _ = sink.close().await;
        return;
    }
    // The paper's questions are made ready now, while the candidate reads the first one, rather
    // than at their first answer (a room connects together and then answers together).
    if let Some(p) = &paper
        && let Err(e) = Box::pin(state.papers.questions(&state.db, p.id, &p.questions)).await
    {
        tracing::warn!(paper_id = p.id, error = %e, "paper questions not loaded");
    }
    // Proctors' notices, media changes and sign-outs for this candidate come through the outbox.
    let registration = state.candidate_channels.register(c.id, user.account.id, &user.token_hash, out.clone());
    let mut tick = tokio::time::interval(TIME_EVERY);
    tick.tick().await;
    // The ended message, once the paper is over: sent after the answers in flight are answered.
    let mut ended: Option<ServerMessage> = None;
    loop {
        if let Some(msg) = ended.take() {
            Box::pin(drain(&mut sink, &mut outbox, &in_flight, limits.max_answers_in_flight.max(1))).await;
            let _ = send(&mut sink, &msg).await;
            break;
        }
        tokio::select! {
            Some(todo) = outbox.recv() => {
                let msg = match todo {
                    ToSocket::Message(msg) => *msg,
                    ToSocket::SignedOut => {
                        let _ = send(&mut sink, &refused(None, "signed_out", lang)).await;
                        break;
                    }
                    ToSocket::ClockChanged => {
                        let Some(p) = Box::pin(current_paper(&state, &c, &mut paper)).await else { continue };
                        match Box::pin(time_message(&state, p.id, true)).await {
                            Some(msg) => msg,
                            None => break,
                        }
                    }
                };
                match Box::pin(deliver(&state, &mut sink, paper.as_deref(), msg)).await {
                    Ok(end) => ended = end,
                    Err(()) => break,
                }
            }
            _ = tick.tick() => {
                // A sign-in revoked where no event reached us (another process without Redis)
                // ends here at the latest.
                if !Box::pin(still_signed_in(&state, &user)).await {
                    let _ = send(&mut sink, &refused(None, "signed_out", lang)).await;
                    break;
                }
                let Some(p) = Box::pin(current_paper(&state, &c, &mut paper)).await else { continue };
                let Some(msg) = Box::pin(time_message(&state, p.id, false)).await else { break };
                match Box::pin(deliver(&state, &mut sink, Some(p.as_ref()), msg)).await {
                    Ok(end) => ended = end,
                    Err(()) => break,
                }
            }
            incoming = stream.next() => {
                let Some(Ok(msg)) = incoming else { break };
                let text = match msg {
                    Message::Text(t) => t.to_string(),
                    Message::Close(_) => break,
                    _ => continue,
                };
                let reply = match serde_json::from_str::<ClientMessage>(&text) {
                    Ok(ClientMessage::Answer { seq, no, response }) => {
                        match Box::pin(current_paper(&state, &c, &mut paper)).await {
                            None => Some(refused(Some(seq), "not_started", lang)),
                            Some(p) => {
                                // At most so many answers wait for their commit per socket: past
                                // that, this socket is not read until one is answered, and TCP
                                // holds the page back. No refusal: a page that sends ahead loses
                                // nothing. The tasks' replies fit the outbox, so this cannot wait
                                // on itself.
                                let Ok(permit) = in_flight.clone().acquire_owned().await else { break };
                                // Each answer waits for its own commit without holding up the next.
                                let (state, out) = (state.clone(), out.clone());
                                tokio::spawn(async move {
                                    let req = AnswerRequest { seq, no, response };
                                    let reply = match candidate::answer_on(&state, &p, &req).await {
                                        Ok(ack) => ServerMessage::Ack { seq, duplicate: ack == Ack::Duplicate },
                                        Err(e) => refused(Some(seq), e.code(), lang),
                                    };
                                    let _ = out.send(ToSocket::Message(Box::new(reply))).await;
                                    drop(permit);
                                });
                                None
                            }
                        }
                    }
                    Ok(ClientMessage::Integrity { kind }) => match Box::pin(candidate::integrity(&state, &user, kind)).await {
                        Ok(()) => None,
                        Err(e) => Some(refused(None, e.code(), lang)),
                    },
                    Ok(ClientMessage::Viewing { no }) => match Box::pin(candidate::viewing(&state, &user, no)).await {
                        Ok(()) => None,
                        Err(e) => Some(refused(None, e.code(), lang)),
                    },
                    Ok(ClientMessage::Ping) => match Box::pin(current_paper(&state, &c, &mut paper)).await {
                        Some(p) => Box::pin(time_message(&state, p.id, false)).await,
                        None => None,
                    },
                    Ok(ClientMessage::MediaOffer { sdp, tracks }) => {
                        match Box::pin(current_paper(&state, &c, &mut paper)).await {
                            // The test is over: no more streams.
                            Some(p) if !matches!(Box::pin(time_message(&state, p.id, true)).await, Some(ServerMessage::Time { .. })) => {
                                Some(refused(None, "paper_ended", lang))
                            }
                            _ => {
                                // Answered in its own task: gathering candidates takes a moment.
                                let (state, out, c) = (state.clone(), out.clone(), c.clone());
                                tokio::spawn(async move {
                                    let reply = match candidate::publish_media(&state, &c, &sdp, &tracks).await {
                                        Ok(sdp) => ServerMessage::MediaAnswer { sdp },
                                        Err(e) => refused(None, e.code(), lang),
                                    };
                                    let _ = out.send(ToSocket::Message(Box::new(reply))).await;
                                });
                                None
                            }
                        }
                    }
                    Err(_) => Some(refused(None, "malformed_message", lang)),
                };
                let Some(reply) = reply else { continue };
                match Box::pin(deliver(&state, &mut sink, paper.as_deref(), reply)).await {
                    Ok(end) => ended = end,
                    Err(()) => break,
                }
            }
        }
    }
    drop(registration);
    let _ = sink.close().await;
}

/// Hands `msg` to the page. `Ok(Some(ended))`: the socket is to end with that message (sent
/// once the answers in flight are answered): the paper ended, or an answer was refused because
/// it had. `Err(())`: the socket is gone.
async fn deliver<S: Sink<Message> + Unpin>(state: &AppState, sink: &mut S, paper: Option<&PaperRow>, msg: ServerMessage) -> Result<Option<ServerMessage>, ()> {
    if matches!(msg, ServerMessage::Ended { .. }) {
        return Ok(Some(msg));
    }
    send(sink, &msg).await?;
    match paper {
        Some(p) if says_ended(&msg) => Ok(time_message(state, p.id, true).await.filter(|m| matches!(m, ServerMessage::Ended { .. }))),
        _ => Ok(None),
    }
}

/// Forwards what the answers still being committed reply, until none is left (or `DRAIN`).
async fn drain<S: Sink<Message> + Unpin>(sink: &mut S, outbox: &mut mpsc::Receiver<ToSocket>, in_flight: &Semaphore, all: usize) {
    let until = tokio::time::Instant::now() + DRAIN;
    while in_flight.available_permits() < all || !outbox.is_empty() {
        match tokio::time::timeout_at(until, outbox.recv()).await {
            Ok(Some(ToSocket::Message(msg))) if !matches!(*msg, ServerMessage::Ended { .. }) => {
                if send(sink, &msg).await.is_err() {
                    return;
                }
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => return,
        }
    }
}

/// Whether the sign-in the socket was opened with still holds.
async fn still_signed_in(state: &AppState, user: &CurrentUser) -> bool {
    match exam_records::sessions::lookup(&state.db, &user.token_hash, state.clock.now_ms()).await {
        Ok(exam_records::sessions::Lookup::Valid(_)) => true,
        Ok(_) => false,
        // The database is unreachable for a moment: the socket stays.
        Err(_) => true,
    }
}
