//! The proctor's API for a room: the live list, the event feed, and actions on one candidate.
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use exam_protocol::{ProctorAction, RoomCandidate, RoomEvent};
use serde::Deserialize;

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;
use exam_application::exams::proctor;

pub async fn room(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<Vec<RoomCandidate>>, ApiError> {
    Ok(Json(proctor::room(&state, &user, id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct After {
    #[serde(default)]
    after: i64,
}

pub async fn feed(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    query: Result<Query<After>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<RoomEvent>>, ApiError> {
    let Query(q) = query.map_err(|_| ApiError::Validation("invalid_query"))?;
    Ok(Json(proctor::feed(&state, &user, id, q.after).await?))
}

pub async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, candidate_id)): Path<(i64, i64)>,
    ApiJson(action): ApiJson<ProctorAction>,
) -> Result<StatusCode, ApiError> {
    proctor::act(&state, &user, id, candidate_id, &action).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryFormat {
    format: String,
}

/// The score summary as CSV or XLSX.
pub async fn summary(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    query: Result<Query<SummaryFormat>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    use exam_application::exams::summary;
    let Query(q) = query.map_err(|_| ApiError::Validation("invalid_query"))?;
    let s = proctor::session_for(&state, &user, id, false).await?;
    let room = proctor::room(&state, &user, id).await?;
    let lang = crate::http::i18n::from_headers(&headers);
    match q.format.as_str() {
        "csv" => Ok(crate::http::attachment(summary::csv(&room, s.pass_mark, lang), "text/csv; charset=utf-8", &format!("summary-{id}.csv"))),
        "xlsx" => {
            let title = format!("{} · {} · {}", s.name, s.room, lang.pick("成绩汇总表", "Score summary"));
            let bytes = summary::xlsx(&title, &room, s.pass_mark, lang).map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))?;
            Ok(crate::http::attachment(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &format!("summary-{id}.xlsx")))
        }
        _ => Err(ApiError::Validation("unknown_format")),
    }
}

/// Subscribes a proctor's browser to a candidate's tracks: their SDP offer in, the answer out.
pub async fn watch(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, candidate_id)): Path<(i64, i64)>,
    ApiJson(req): ApiJson<exam_protocol::WatchRequest>,
) -> Result<Json<exam_protocol::SdpAnswer>, ApiError> {
    Ok(Json(proctor::watch(&state, &user, id, candidate_id, &req).await?))
}

/// The candidate's photo from the device check, for the room's proctors.
pub async fn photo(State(state): State<AppState>, user: CurrentUser, Path((id, candidate_id)): Path<(i64, i64)>) -> Result<axum::response::Response, ApiError> {
    Ok(photo_response(proctor::photo(&state, &user, id, candidate_id).await?))
}

/// The institution's photo of the candidate (the roster's), for the room and the tickets.
pub async fn roster_photo(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, candidate_id)): Path<(i64, i64)>,
) -> Result<axum::response::Response, ApiError> {
    Ok(photo_response(exam_application::exams::roster_photos::get(&state, &user, id, candidate_id).await?))
}

/// The institution's admin uploads the candidate's photo (the raw JPEG or PNG).
pub async fn upload_roster_photo(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, candidate_id)): Path<(i64, i64)>,
    body: axum::body::Body,
) -> Result<axum::http::StatusCode, ApiError> {
    let bytes = axum::body::to_bytes(body, 600 * 1024).await.map_err(|_| ApiError::PayloadTooLarge)?;
    exam_application::exams::roster_photos::upload(&state, &user, id, candidate_id, &bytes).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// A stored photo as an image that is never sniffed as anything else, and not cached by
/// shared caches.
fn photo_response(p: exam_records::photos::Photo) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let mime = if p.mime == "image/png" { "image/png" } else { "image/jpeg" };
    let mut resp = p.bytes.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    resp.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    resp
}
