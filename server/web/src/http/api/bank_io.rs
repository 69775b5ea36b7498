//! Moving items in and out of a bank: import (dry run or commit), a format check for anyone
//! signed in to author or review, and audited exports.
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use exam_protocol::ImportSummary;
use question_bank::import::Format;
use serde::Deserialize;

use exam_application::banks::import as bank_import;

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    format: Option<String>,
    #[serde(default)]
    dry_run: bool,
    file_name: Option<String>,
}

/// Reads the raw upload, refusing it past the configured size with 413.
pub(crate) async fn read_upload(state: &AppState, body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, state.settings.http.max_import_bytes).await.map_err(|_| ApiError::PayloadTooLarge)
}

fn parse_format(q: &ImportQuery) -> Result<Option<Format>, ApiError> {
    q.format.as_deref().filter(|f| !f.is_empty()).map(|f| Format::parse(f).ok_or(ApiError::Validation("unknown_format"))).transpose()
}

pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    query: Result<Query<ImportQuery>, axum::extract::rejection::QueryRejection>,
    body: Body,
) -> Result<Json<ImportSummary>, ApiError> {
    bank_import::may_import(&state, &user, id).await?;
    let Query(q) = query.map_err(|_| ApiError::Validation("invalid_query"))?;
    let format = parse_format(&q)?;
    let bytes = read_upload(&state, body).await?;
    let lang = crate::http::i18n::from_headers(&headers);
    let limits = bank_import::limits(&state.settings);
    let (format, report, bytes) = bank_import::parse(bytes.to_vec(), format, q.file_name.clone(), limits).await.map_err(|e| bank_import::refusal(&e))?;
    if q.dry_run {
        return Ok(Json(bank_import::summary(format, &report, report.items.len(), true, lang)));
    }
    let imported = bank_import::commit(&state.db, id, user.audit_actor(), format, &report, &bytes).await?;
    Ok(Json(bank_import::summary(format, &report, imported, false, lang)))
}

/// Checks a file without a bank: what would be imported and what skipped, and why.
pub async fn check(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ImportQuery>, axum::extract::rejection::QueryRejection>,
    body: Body,
) -> Result<Json<ImportSummary>, ApiError> {
    let Query(q) = query.map_err(|_| ApiError::Validation("invalid_query"))?;
    let format = parse_format(&q)?;
    let bytes = read_upload(&state, body).await?;
    let limits = bank_import::limits(&state.settings);
    let (format, report, _) = bank_import::parse(bytes.to_vec(), format, q.file_name.clone(), limits).await.map_err(|e| bank_import::refusal(&e))?;
    Ok(Json(bank_import::summary(format, &report, report.items.len(), true, crate::http::i18n::from_headers(&headers))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    format: String,
}

pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    query: Result<Query<ExportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    exam_application::banks::export::may_export(&state, &user, id).await?;
    let Query(q) = query.map_err(|_| ApiError::Validation("invalid_query"))?;
    let (bytes, mime, ext) = exam_application::banks::export::export(&state, &user, id, &q.format).await?;
    Ok(crate::http::attachment(bytes, mime, &format!("bank-{id}.{ext}")))
}
