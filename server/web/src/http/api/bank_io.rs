//! Moving items in and out of a bank: import (dry run or commit), a format check for anyone
//! signed in to author or review, and audited exports.
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use exam_protocol::ImportSummary;
use question_bank::export;
use question_bank::import::{Format, ImportError, Limits};
use serde::Deserialize;

use exam_application::banks::import as bank_import;
use exam_application::banks::scope;

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use exam_records::audit::{self, Entry};
use exam_records::{StoreError, items};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    format: Option<String>,
    #[serde(default)]
    dry_run: bool,
    file_name: Option<String>,
}

/// Reads the raw upload, refusing it past the configured size with 413.
async fn read_upload(state: &AppState, body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, state.settings.http.max_import_bytes).await.map_err(|_| ApiError::PayloadTooLarge)
}

fn import_error(e: &ImportError) -> ApiError {
    tracing::info!(code = e.code(), detail = %e, "import refused");
    match e {
        ImportError::TooLarge { .. } => ApiError::PayloadTooLarge,
        ImportError::UnknownFormat => ApiError::Validation("unknown_format"),
        ImportError::Malformed(d) => ApiError::Detailed { code: "malformed_file", detail: d.clone() },
        ImportError::Unsafe(d) => ApiError::Detailed { code: "unsafe_file", detail: d.clone() },
        ImportError::TooManyItems { .. } => ApiError::Validation("too_many_items"),
        ImportError::SheetTooLarge { .. } => ApiError::Validation("sheet_too_large"),
    }
}

fn parse_format(q: &ImportQuery) -> Result<Option<Format>, ApiError> {
    q.format.as_deref().filter(|f| !f.is_empty()).map(|f| Format::parse(f).ok_or(ApiError::Validation("unknown_format"))).transpose()
}

fn limits(state: &AppState) -> Limits {
    Limits { max_file_bytes: state.settings.http.max_import_bytes, ..Limits::default() }
}

pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    query: Result<Query<ImportQuery>, axum::extract::rejection::QueryRejection>,
    body: Body,
) -> Result<Json<ImportSummary>, ApiError> {
    let s = scope::resolve(&state.db, &user, id).await?;
    s.require(s.can_author())?;
    let Query(q) = query.map_err(|_| ApiError::Validation("invalid_query"))?;
    let format = parse_format(&q)?;
    let bytes = read_upload(&state, body).await?;
    let lang = crate::http::i18n::from_headers(&headers);
    let (format, report, bytes) = bank_import::parse(bytes.to_vec(), format, q.file_name.clone(), limits(&state)).await.map_err(|e| import_error(&e))?;
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
    let (format, report, _) = bank_import::parse(bytes.to_vec(), format, q.file_name.clone(), limits(&state)).await.map_err(|e| import_error(&e))?;
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
    let s = scope::resolve(&state.db, &user, id).await?;
    s.require(s.can_export())?;
    let Query(q) = query.map_err(|_| ApiError::Validation("invalid_query"))?;
    let format = Format::parse(&q.format).filter(|f| export::FORMATS.contains(f)).ok_or(ApiError::Validation("unknown_format"))?;
    let records = items::all_current(&state.db, id).await?;
    let mut drafts = Vec::with_capacity(records.len());
    for r in &records {
        let c = &r.content;
        let mut d = question_bank::ItemDraft::new(format!("item {}", r.item_id), c.stem.clone(), c.choices.clone(), c.key.clone());
        d.item_type = c.item_type;
        d.code = c.code.clone();
        d.points = c.points;
        d.difficulty = c.difficulty;
        d.outline_point = c.outline_point.clone();
        d.tags = c.tags.clone();
        d.source = c.source.clone();
        d.assets = items::assets(&state.db, r.version_id).await?;
        drafts.push(d);
    }
    let bytes = tokio::task::spawn_blocking(move || export::export(format, &drafts))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(|e| ApiError::Internal(e.into()))?;
    let now = state.clock.now_ms();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: "bank.export",
            target: format!("bank:{id}"),
            detail: serde_json::json!({ "format": format.as_str(), "items": records.len() }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    let (mime, ext) = match format {
        Format::Xlsx => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        Format::MoodleXml => ("application/xml; charset=utf-8", "xml"),
        _ => ("application/zip", "zip"),
    };
    Ok(crate::http::attachment(bytes, mime, &format!("bank-{id}.{ext}")))
}
