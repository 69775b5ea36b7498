//! Archived files over HTTP: a session's scans uploaded by its institution's admin, its files
//! listed and downloaded by those who may see it, legal holds placed by regulators. HTTP over
//! `exam_application::archive::files`.
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use exam_application::archive::files;
use serde::Deserialize;

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;

#[derive(Debug, Deserialize)]
pub struct ScanQuery {
    class: String,
    name: String,
}

/// The raw file as the body; its type is read from its content.
pub async fn upload_scan(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ScanQuery>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let bytes = axum::body::to_bytes(body, files::MAX_SCAN_BYTES + 1).await.map_err(|_| ApiError::PayloadTooLarge)?;
    let id = files::upload_scan(&state, &user, id, &q.class, &q.name, &bytes).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

fn view(o: &exam_records::archive::ArchiveObject) -> serde_json::Value {
    serde_json::json!({
        "id": o.id, "key": o.object_key, "class": o.class, "name": o.name, "mime": o.mime, "size": o.size, "sha256": o.sha256,
        "retain_until_ms": o.retain_until_ms, "legal_hold": o.legal_hold, "archived": o.archived_at_ms.is_some(),
        "version_id": o.version_id, "created_at_ms": o.created_at_ms, "evidence_index": o.evidence_idx, "deleted": o.deleted_at_ms.is_some(),
    })
}

pub async fn of_session(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    Ok(Json(files::of_session(&state, &user, id).await?.iter().map(view).collect()))
}

/// The file, checked against its SHA-256 as it is served; never shown inline as a page.
pub async fn download(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let (o, bytes) = files::download(&state, &user, id).await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_str(&o.mime).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
    if let Ok(v) = HeaderValue::from_str(&o.sha256) {
        h.insert("x-content-sha256", v);
    }
    Ok(resp)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldRequest {
    on: bool,
    reason: String,
}

pub async fn hold(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(h): ApiJson<HoldRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(view(&files::hold(&state, &user, id, h.on, &h.reason).await?)))
}

/// Makes the session's key documents now (a new version of each), as PDFs in the archive.
pub async fn generate_documents(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let made = exam_application::documents::for_session(&state, Some(&user), id).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "files": made.files }))))
}
