//! Items of a bank: search, write, change (a new version), submit, review, retire; HTTP over
//! `exam_application::banks::items`.
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use exam_protocol::{ItemContent, ItemPage, ItemRecord, ItemStatus, ItemType, ReviewRequest};
use serde::Deserialize;

use exam_application::banks::items as bank_items;
use exam_application::banks::review::Move;

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;
use exam_records::items::Search;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    status: Option<String>,
    #[serde(rename = "type")]
    item_type: Option<String>,
    difficulty: Option<u8>,
    outline: Option<String>,
    tag: Option<String>,
    q: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

impl SearchQuery {
    fn into_search(self) -> Result<Search, ApiError> {
        let bad = || ApiError::Validation("invalid_query");
        let limit = self.limit.unwrap_or(50);
        let offset = self.offset.unwrap_or(0);
        if !(1..=500).contains(&limit) || offset < 0 || self.difficulty.is_some_and(|d| !(1..=5).contains(&d)) {
            return Err(bad());
        }
        Ok(Search {
            status: nonempty(self.status).map(|s| ItemStatus::parse(&s).ok_or_else(bad)).transpose()?,
            item_type: nonempty(self.item_type).map(|t| ItemType::parse(&t).ok_or_else(bad)).transpose()?,
            difficulty: self.difficulty,
            outline: nonempty(self.outline),
            tag: nonempty(self.tag),
            text: nonempty(self.q),
            limit,
            offset,
        })
    }
}

pub async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    query: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ItemPage>, ApiError> {
    let Query(q) = query.map_err(|_| ApiError::Validation("invalid_query"))?;
    let search = q.into_search()?;
    let (total, items) = bank_items::search(&state, &user, id, &search).await?;
    Ok(Json(ItemPage { total, items }))
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(content): ApiJson<ItemContent>,
) -> Result<(StatusCode, Json<ItemRecord>), ApiError> {
    Ok((StatusCode::CREATED, Json(bank_items::create(&state, &user, id, content).await?)))
}

pub async fn get_one(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<ItemRecord>, ApiError> {
    Ok(Json(bank_items::in_scope(&state, &user, id).await?.0))
}

pub async fn history(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<Vec<ItemRecord>>, ApiError> {
    Ok(Json(bank_items::history(&state, &user, id).await?))
}

/// A change never edits a version: it adds the next one as a draft.
pub async fn revise(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(content): ApiJson<ItemContent>,
) -> Result<(StatusCode, Json<ItemRecord>), ApiError> {
    Ok((StatusCode::CREATED, Json(bank_items::revise(&state, &user, id, content).await?)))
}

pub async fn submit(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<ItemRecord>, ApiError> {
    Ok(Json(bank_items::apply_move(&state, &user, id, Move::Submit, None).await?))
}

pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<ReviewRequest>,
) -> Result<Json<ItemRecord>, ApiError> {
    Ok(Json(bank_items::apply_move(&state, &user, id, Move::Review(r.decision), r.comment.as_deref()).await?))
}

pub async fn retire(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<ItemRecord>, ApiError> {
    Ok(Json(bank_items::apply_move(&state, &user, id, Move::Retire, None).await?))
}

pub async fn review_queue(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<ItemRecord>>, ApiError> {
    Ok(Json(bank_items::review_queue(&state, &user, 500).await?))
}

#[derive(Debug, serde::Serialize)]
pub struct Preview {
    html: String,
}

/// Renders an item being written exactly as a candidate will see it (the same sanitiser and
/// the same renderer as the exam page), without saving anything.
pub async fn preview(headers: axum::http::HeaderMap, ApiJson(content): ApiJson<ItemContent>) -> Result<Json<Preview>, ApiError> {
    let content = bank_items::checked(content)?;
    let lang = crate::http::i18n::from_headers(&headers);
    let item = exam_protocol::CandidateItem::from_content(&content);
    Ok(Json(Preview { html: crate::pages::item_view::candidate_html(&item, "preview", true, lang) }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageQuery {
    /// The file's name; the item's HTML refers to it as `images/<name>`.
    name: String,
}

/// Adds an image (the raw body) to the author's draft; answers its path for the item's HTML.
pub async fn add_image(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    query: Result<Query<ImageQuery>, axum::extract::rejection::QueryRejection>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let Query(q) = query.map_err(|_| ApiError::Validation("invalid_query"))?;
    let bytes = axum::body::to_bytes(body, 1024 * 1024 + 1).await.map_err(|_| ApiError::PayloadTooLarge)?;
    let path = bank_items::add_image(&state, &user, id, &q.name, &bytes).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "path": path }))))
}
