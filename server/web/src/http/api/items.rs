//! Items of a bank: search, write, change (a new version), submit, review, retire.
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use exam_protocol::{ItemContent, ItemPage, ItemRecord, ItemStatus, ItemType, ReviewRequest};
use question_bank::ItemDraft;
use serde::Deserialize;

use exam_application::banks::review::{self, Move};
use exam_application::banks::scope::{self, BankScope};

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;
use exam_records::StoreError;
use exam_records::audit::{self, Entry};
use exam_records::items::{self, Search};

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
    let s = scope::resolve(&state.db, &user, id).await?;
    s.require(s.can_read_items())?;
    let Query(q) = query.map_err(|_| ApiError::Validation("invalid_query"))?;
    let (total, items) = items::search(&state.db, id, &q.into_search()?).await?;
    Ok(Json(ItemPage { total, items }))
}

/// Sanitises and checks what an author sent, the same way imports are checked.
fn checked(content: ItemContent) -> Result<ItemContent, ApiError> {
    if content.tags.iter().any(|t| t.trim().is_empty() || t.contains(',')) {
        return Err(ApiError::Validation("invalid_tag"));
    }
    let mut draft = ItemDraft::new("api", question_bank::sanitize::clean(&content.stem), content.choices.clone(), content.key.clone());
    for c in &mut draft.choices {
        c.content = question_bank::sanitize::clean(&c.content);
    }
    draft.item_type = content.item_type;
    draft.points = content.points;
    draft.check().map_err(|reason| {
        tracing::debug!(%reason, "item refused");
        ApiError::Validation("invalid_item")
    })?;
    Ok(ItemContent { stem: draft.stem, choices: draft.choices, ..content })
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(content): ApiJson<ItemContent>,
) -> Result<(StatusCode, Json<ItemRecord>), ApiError> {
    let s = scope::resolve(&state.db, &user, id).await?;
    s.require(s.can_author())?;
    let content = checked(content)?;
    let now = state.clock.now_ms();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    let (item_id, version_id) = items::insert_item(&mut tx, id, ItemStatus::Draft, &content, user.account.id, now).await?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: "item.create",
            target: format!("item_version:{version_id}"),
            detail: serde_json::json!({ "item_id": item_id, "bank_id": id }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    let record = items::current(&state.db, item_id).await?.ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(record)))
}

/// The item's current version and the caller's standing in its bank; not found outside it.
async fn item_in_scope(state: &AppState, user: &CurrentUser, item_id: i64) -> Result<(ItemRecord, BankScope), ApiError> {
    let item = items::current(&state.db, item_id).await?.ok_or(ApiError::NotFound)?;
    let s = scope::resolve(&state.db, user, item.bank_id).await?;
    if !s.can_read_items() {
        return Err(ApiError::NotFound);
    }
    Ok((item, s))
}

pub async fn get_one(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<ItemRecord>, ApiError> {
    Ok(Json(item_in_scope(&state, &user, id).await?.0))
}

pub async fn history(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<Vec<ItemRecord>>, ApiError> {
    item_in_scope(&state, &user, id).await?;
    Ok(Json(items::history(&state.db, id).await?))
}

/// A change never edits a version: it adds the next one as a draft.
pub async fn revise(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(content): ApiJson<ItemContent>,
) -> Result<(StatusCode, Json<ItemRecord>), ApiError> {
    let (item, s) = item_in_scope(&state, &user, id).await?;
    s.require(s.can_author())?;
    if item.status == ItemStatus::Retired {
        return Err(ApiError::Conflict("invalid_item_transition"));
    }
    let content = checked(content)?;
    let now = state.clock.now_ms();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    let version_id = items::new_version(&mut tx, &item, &content, user.account.id, now).await?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: "item.revise",
            target: format!("item_version:{version_id}"),
            detail: serde_json::json!({ "item_id": id, "previous_version_id": item.version_id }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    let record = items::current(&state.db, id).await?.ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(record)))
}

async fn do_move(state: &AppState, user: &CurrentUser, id: i64, m: Move, comment: Option<&str>) -> Result<Json<ItemRecord>, ApiError> {
    let (item, s) = item_in_scope(state, user, id).await?;
    let allowed = match m {
        Move::Submit => s.can_author(),
        Move::Review(_) | Move::Retire => s.can_review(),
    };
    s.require(allowed)?;
    review::apply(&state.db, user, &item, m, comment).await?;
    Ok(Json(items::current(&state.db, id).await?.ok_or(ApiError::NotFound)?))
}

pub async fn submit(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<ItemRecord>, ApiError> {
    do_move(&state, &user, id, Move::Submit, None).await
}

pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<ReviewRequest>,
) -> Result<Json<ItemRecord>, ApiError> {
    do_move(&state, &user, id, Move::Review(r.decision), r.comment.as_deref()).await
}

pub async fn retire(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<ItemRecord>, ApiError> {
    do_move(&state, &user, id, Move::Retire, None).await
}

pub async fn review_queue(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<ItemRecord>>, ApiError> {
    Ok(Json(items::review_queue(&state.db, user.account.id, 500).await?))
}

#[derive(Debug, serde::Serialize)]
pub struct Preview {
    html: String,
}

/// Renders an item being written exactly as a candidate will see it (the same sanitiser and
/// the same renderer as the exam page), without saving anything.
pub async fn preview(headers: axum::http::HeaderMap, ApiJson(content): ApiJson<ItemContent>) -> Result<Json<Preview>, ApiError> {
    let content = checked(content)?;
    let lang = crate::http::i18n::from_headers(&headers);
    let item = exam_protocol::CandidateItem::from_content(&content);
    Ok(Json(Preview { html: crate::pages::item_view::candidate_html(&item, "preview", true, lang) }))
}
