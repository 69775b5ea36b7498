//! The candidate's API: sign in with ticket and ID, status, commitment, start, the paper,
//! answers (also over the WebSocket in `exam_ws`), hand-in.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse};
use exam_protocol::{AnswerRequest, CandidateLogin, CandidatePaper, ExamStatus, LoginResponse};
use serde_json::{Value, json};

use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ClientIp};
use crate::http::{AppState, session_cookie};
use exam_application::exams::answer_writer::Ack;
use exam_application::exams::candidate;

pub async fn login(State(state): State<AppState>, ClientIp(ip): ClientIp, ApiJson(req): ApiJson<CandidateLogin>) -> Result<impl IntoResponse, ApiError> {
    let signed = candidate::login(&state, &req, ip).await?;
    let cookie = session_cookie::set(&state.settings, &signed.token, state.settings.auth.session_ttl_secs);
    Ok((AppendHeaders([(SET_COOKIE, cookie)]), Json(LoginResponse { token: signed.token, expires_at_ms: signed.expires_at_ms, account: signed.account })))
}

pub async fn status(State(state): State<AppState>, user: CurrentUser) -> Result<Json<ExamStatus>, ApiError> {
    Ok(Json(candidate::status(&state, &user).await?))
}

pub async fn commitment(State(state): State<AppState>, ClientIp(ip): ClientIp, user: CurrentUser) -> Result<Json<ExamStatus>, ApiError> {
    candidate::accept_commitment(&state, &user, &ip.to_string()).await?;
    Ok(Json(candidate::status(&state, &user).await?))
}

pub async fn start(State(state): State<AppState>, user: CurrentUser) -> Result<Json<CandidatePaper>, ApiError> {
    candidate::start(&state, &user).await?;
    Ok(Json(candidate::paper_copy(&state, &user).await?))
}

pub async fn paper(State(state): State<AppState>, user: CurrentUser) -> Result<Json<CandidatePaper>, ApiError> {
    Ok(Json(candidate::paper_copy(&state, &user).await?))
}

/// Acknowledged only once the answer is durable.
pub async fn answer(State(state): State<AppState>, user: CurrentUser, ApiJson(req): ApiJson<AnswerRequest>) -> Result<Json<Value>, ApiError> {
    let ack = candidate::answer(&state, &user, &req).await?;
    Ok(Json(json!({ "seq": req.seq, "duplicate": ack == Ack::Duplicate })))
}

pub async fn hand_in(State(state): State<AppState>, user: CurrentUser) -> Result<(StatusCode, Json<ExamStatus>), ApiError> {
    candidate::hand_in(&state, &user).await?;
    Ok((StatusCode::OK, Json(candidate::status(&state, &user).await?)))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrityRequest {
    kind: exam_protocol::IntegrityKind,
}

pub async fn integrity(State(state): State<AppState>, user: CurrentUser, ApiJson(req): ApiJson<IntegrityRequest>) -> Result<StatusCode, ApiError> {
    candidate::integrity(&state, &user, req.kind).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the page needs to publish camera, microphone and screen, and what flows now.
pub async fn media(State(state): State<AppState>, user: CurrentUser) -> Result<Json<exam_protocol::MediaSetup>, ApiError> {
    Ok(Json(candidate::media_setup(&state, &user).await?))
}

/// The candidate's own photo from the device check (the raw JPEG or PNG), for the identity check.
pub async fn photo(State(state): State<AppState>, user: CurrentUser, body: axum::body::Body) -> Result<StatusCode, ApiError> {
    // A photo is small: the body is read up to a little over the use case's limit.
    let bytes = axum::body::to_bytes(body, 600 * 1024).await.map_err(|_| ApiError::PayloadTooLarge)?;
    candidate::store_photo(&state, &user, &bytes).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The candidate's evidence receipt for their ended paper: the log's checkpoint and the proof
/// that their hand-in is in it.
pub async fn receipt(State(state): State<AppState>, user: CurrentUser) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(exam_application::evidence::receipt::for_candidate(&state, &user).await?))
}
