//! Banks, their members, outlines and blueprints: HTTP over `exam_application::banks::manage`.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use exam_protocol::{Bank, Blueprint, Feasibility, NewBank, NewMember, Outline, OutlineProblem, OutlineVersion};

use exam_application::banks::{manage, scope};

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;
use crate::http::i18n::{self, Lang};

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<Bank>>, ApiError> {
    Ok(Json(scope::visible(&state.db, &user).await?))
}

pub async fn get_one(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<Bank>, ApiError> {
    Ok(Json(scope::resolve(&state.db, &user, id).await?.bank))
}

pub async fn create(State(state): State<AppState>, user: CurrentUser, ApiJson(new): ApiJson<NewBank>) -> Result<(StatusCode, Json<Bank>), ApiError> {
    Ok((StatusCode::CREATED, Json(manage::create(&state, &user, &new).await?)))
}

pub async fn add_member(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>, ApiJson(m): ApiJson<NewMember>) -> Result<StatusCode, ApiError> {
    manage::add_member(&state, &user, id, &m).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn get_outline(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<OutlineVersion>, ApiError> {
    Ok(Json(manage::outline(&state, &user, id).await?))
}

/// 422 with every problem listed, so the editor can show them all at once.
#[derive(Debug, serde::Serialize)]
pub struct OutlineRejected {
    error: &'static str,
    message: String,
    problems: Vec<OutlineProblem>,
}

type OutlineSaved = Result<Json<OutlineVersion>, (StatusCode, Json<OutlineRejected>)>;

/// In the reader's language only: the count and each problem.
fn outline_saved(r: Result<OutlineVersion, Vec<OutlineProblem>>, lang: Lang) -> OutlineSaved {
    r.map(Json).map_err(|problems| {
        let n = problems.len();
        let message = lang.choose(
            format!("鉴定要素细目表有 {n} 处问题。"),
            if n == 1 { "The outline has 1 problem.".to_string() } else { format!("The outline has {n} problems.") },
        );
        let zh = lang == Lang::Zh;
        let problems = problems.into_iter().map(|p| OutlineProblem { problem: p.text(zh).to_string(), ..p }).collect();
        (StatusCode::UNPROCESSABLE_ENTITY, Json(OutlineRejected { error: "invalid_outline", message, problems }))
    })
}

pub async fn put_outline(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    ApiJson(outline): ApiJson<Outline>,
) -> Result<OutlineSaved, ApiError> {
    Ok(outline_saved(manage::save_outline(&state, &user, id, outline).await?, i18n::from_headers(&headers)))
}

pub async fn get_blueprint(State(state): State<AppState>, user: CurrentUser, Path((id, level)): Path<(i64, u8)>) -> Result<Json<Blueprint>, ApiError> {
    Ok(Json(manage::blueprint(&state, &user, id, level).await?))
}

pub async fn put_blueprint(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, level)): Path<(i64, u8)>,
    headers: axum::http::HeaderMap,
    ApiJson(bp): ApiJson<Blueprint>,
) -> Result<Json<Feasibility>, ApiError> {
    Ok(Json(manage::save_blueprint(&state, &user, id, level, &bp, i18n::from_headers(&headers)).await?))
}

pub async fn feasibility(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, level)): Path<(i64, u8)>,
    headers: axum::http::HeaderMap,
) -> Result<Json<Feasibility>, ApiError> {
    Ok(Json(manage::feasibility(&state, &user, id, level, i18n::from_headers(&headers)).await?))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutlineFormat {
    format: String,
}

/// The outline as a file: `format=xlsx` (the 细目表 layout) or `format=json`.
pub async fn export_outline(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    query: Result<axum::extract::Query<OutlineFormat>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let axum::extract::Query(q) = query.map_err(|_| ApiError::Validation("invalid_query"))?;
    let (bytes, mime, ext) = manage::export_outline(&state, &user, id, &q.format).await?;
    Ok(crate::http::attachment(bytes, mime, &format!("outline-{id}.{ext}")))
}

/// Replaces the outline from an XLSX or JSON file (detected from the content); saved as a new
/// version only when it validates.
pub async fn import_outline(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<OutlineSaved, ApiError> {
    // Who may change this bank's outline is settled before a byte of the file is read.
    manage::may_replace_outline(&state, &user, id).await?;
    let bytes = axum::body::to_bytes(body, state.settings.http.max_import_bytes).await.map_err(|_| ApiError::PayloadTooLarge)?;
    let outline = manage::read_outline_file(&state, bytes.to_vec()).await?;
    Ok(outline_saved(manage::save_outline(&state, &user, id, outline).await?, i18n::from_headers(&headers)))
}
