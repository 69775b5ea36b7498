//! Banks, their members, outlines and blueprints.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use exam_protocol::{Bank, Blueprint, Feasibility, MemberRole, NewBank, NewMember, Outline, OutlineProblem, OutlineVersion, Role};

use exam_application::banks::scope::{self, BankScope};

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;
use exam_records::audit::{self, Entry};
use exam_records::{StoreError, accounts, banks, items};

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<Bank>>, ApiError> {
    Ok(Json(scope::visible(&state.db, &user).await?))
}

pub async fn get_one(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<Bank>, ApiError> {
    Ok(Json(scope::resolve(&state.db, &user, id).await?.bank))
}

/// Occupation codes look like `6-31-01-03` (national classification): digits and hyphens.
fn valid_occupation_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 20 && s.chars().all(|c| c.is_ascii_digit() || c == '-') && s.chars().any(|c| c.is_ascii_digit())
}

pub async fn create(State(state): State<AppState>, user: CurrentUser, ApiJson(new): ApiJson<NewBank>) -> Result<(StatusCode, Json<Bank>), ApiError> {
    let institution_id = match user.role() {
        Role::InstitutionAdmin => {
            let own = user.account.institution_id.ok_or(ApiError::Forbidden)?;
            if new.institution_id.is_some_and(|i| i != own) {
                return Err(ApiError::NotFound);
            }
            Some(own)
        }
        _ => new.institution_id,
    };
    if !valid_occupation_code(&new.occupation_code) {
        return Err(ApiError::Validation("invalid_occupation_code"));
    }
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::Validation("invalid_name"));
    }
    let mut levels = new.levels.clone();
    levels.sort_unstable_by(|a, b| b.cmp(a));
    levels.dedup();
    if levels.is_empty() || levels.iter().any(|l| !(1..=5).contains(l)) {
        return Err(ApiError::Validation("invalid_levels"));
    }
    let mut bank = Bank {
        id: 0,
        institution_id,
        occupation_code: new.occupation_code.clone(),
        work_type: new.work_type.trim().to_string(),
        name: name.to_string(),
        levels,
    };
    let now = state.clock.now_ms();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    bank.id = banks::insert(&mut tx, &bank, user.account.id, now).await?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: "bank.create",
            target: format!("bank:{}", bank.id),
            detail: serde_json::json!({ "occupation_code": bank.occupation_code, "institution_id": bank.institution_id }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok((StatusCode::CREATED, Json(bank)))
}

pub async fn add_member(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>, ApiJson(m): ApiJson<NewMember>) -> Result<StatusCode, ApiError> {
    let s = scope::resolve(&state.db, &user, id).await?;
    s.require(s.manager)?;
    let account = accounts::get(&state.db, m.account_id).await?.ok_or(ApiError::NotFound)?;
    let fits = matches!((m.role, account.role), (MemberRole::Author, Role::Author) | (MemberRole::Reviewer, Role::Reviewer));
    if !fits {
        return Err(ApiError::Validation("member_role_mismatch"));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    match banks::add_member(&mut tx, id, m.account_id, m.role, now).await {
        Err(e) if banks::is_conflict(&e) => return Err(ApiError::Conflict("already_member")),
        other => other?,
    }
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: "bank.add_member",
            target: format!("bank:{id}"),
            detail: serde_json::json!({ "account_id": m.account_id, "role": m.role.as_str() }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn outline_of(state: &AppState, s: &BankScope) -> Result<OutlineVersion, ApiError> {
    Ok(banks::current_outline(&state.db, s.bank.id).await?)
}

pub async fn get_outline(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<OutlineVersion>, ApiError> {
    let s = scope::resolve(&state.db, &user, id).await?;
    Ok(Json(outline_of(&state, &s).await?))
}

/// 422 with every problem listed, so the editor can show them all at once.
#[derive(Debug, serde::Serialize)]
pub struct OutlineRejected {
    error: &'static str,
    message: String,
    problems: Vec<OutlineProblem>,
}

pub async fn put_outline(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(outline): ApiJson<Outline>,
) -> Result<Result<Json<OutlineVersion>, (StatusCode, Json<OutlineRejected>)>, ApiError> {
    let s = scope::resolve(&state.db, &user, id).await?;
    s.require(s.can_author() || s.manager)?;
    let problems = outline.validate();
    if !problems.is_empty() {
        let message = format!("鉴定要素细目表有 {} 处问题 / the outline has {} problems", problems.len(), problems.len());
        return Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, Json(OutlineRejected { error: "invalid_outline", message, problems }))));
    }
    let doc = serde_json::to_string(&outline).map_err(|e| ApiError::Internal(e.into()))?;
    let now = state.clock.now_ms();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    let version = banks::insert_outline(&mut tx, id, &doc, user.account.id, now).await?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: "bank.outline",
            target: format!("bank:{id}"),
            detail: serde_json::json!({ "version": version }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(Json(OutlineVersion { version, outline })))
}

fn check_level(s: &BankScope, level: u8) -> Result<(), ApiError> {
    if s.bank.levels.contains(&level) { Ok(()) } else { Err(ApiError::NotFound) }
}

pub async fn get_blueprint(State(state): State<AppState>, user: CurrentUser, Path((id, level)): Path<(i64, u8)>) -> Result<Json<Blueprint>, ApiError> {
    let s = scope::resolve(&state.db, &user, id).await?;
    check_level(&s, level)?;
    let (_, doc) = banks::latest_blueprint(&state.db, id, i64::from(level)).await?.ok_or(ApiError::NotFound)?;
    serde_json::from_str(&doc).map(Json).map_err(|e| ApiError::Internal(anyhow::anyhow!("stored blueprint: {e}")))
}

pub async fn put_blueprint(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, level)): Path<(i64, u8)>,
    ApiJson(bp): ApiJson<Blueprint>,
) -> Result<Json<Feasibility>, ApiError> {
    let s = scope::resolve(&state.db, &user, id).await?;
    s.require(s.can_author() || s.can_review() || s.manager)?;
    check_level(&s, level)?;
    if bp.level != level {
        return Err(ApiError::Validation("blueprint_level_mismatch"));
    }
    let problems = bp.validate();
    if !problems.is_empty() {
        return Err(ApiError::Validation("invalid_blueprint"));
    }
    let doc = serde_json::to_string(&bp).map_err(|e| ApiError::Internal(e.into()))?;
    let now = state.clock.now_ms();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    let version = banks::insert_blueprint(&mut tx, id, i64::from(level), &doc, user.account.id, now).await?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: "bank.blueprint",
            target: format!("bank:{id}"),
            detail: serde_json::json!({ "level": level, "version": version }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    feasibility_of(&state, &s, &bp).await.map(Json)
}

async fn feasibility_of(state: &AppState, s: &BankScope, bp: &Blueprint) -> Result<Feasibility, ApiError> {
    let outline = outline_of(state, s).await?.outline;
    let facts = items::approved_facts(&state.db, s.bank.id).await?;
    let shortfalls = bp.feasibility(&outline, &facts);
    let problems = bp.validate();
    Ok(Feasibility { feasible: shortfalls.is_empty() && problems.is_empty(), approved_items: facts.len(), shortfalls, problems })
}

pub async fn feasibility(State(state): State<AppState>, user: CurrentUser, Path((id, level)): Path<(i64, u8)>) -> Result<Json<Feasibility>, ApiError> {
    let s = scope::resolve(&state.db, &user, id).await?;
    check_level(&s, level)?;
    let (_, doc) = banks::latest_blueprint(&state.db, id, i64::from(level)).await?.ok_or(ApiError::NotFound)?;
    let bp: Blueprint = serde_json::from_str(&doc).map_err(|e| ApiError::Internal(anyhow::anyhow!("stored blueprint: {e}")))?;
    feasibility_of(&state, &s, &bp).await.map(Json)
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
    let s = scope::resolve(&state.db, &user, id).await?;
    let axum::extract::Query(q) = query.map_err(|_| ApiError::Validation("invalid_query"))?;
    let outline = outline_of(&state, &s).await?.outline;
    let (bytes, mime, ext) = match q.format.as_str() {
        "xlsx" => (
            question_bank::outline_xlsx::write(&outline).map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        "json" => (serde_json::to_vec_pretty(&outline).map_err(|e| ApiError::Internal(e.into()))?, "application/json", "json"),
        _ => return Err(ApiError::Validation("unknown_format")),
    };
    Ok(crate::http::attachment(bytes, mime, &format!("outline-{id}.{ext}")))
}

/// Replaces the outline from an XLSX or JSON file (detected from the content); saved as a new
/// version only when it validates.
pub async fn import_outline(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: axum::body::Body,
) -> Result<Result<Json<OutlineVersion>, (StatusCode, Json<OutlineRejected>)>, ApiError> {
    // Who may change this bank's outline is settled before a byte of the file is read.
    let s = scope::resolve(&state.db, &user, id).await?;
    s.require(s.can_author() || s.manager)?;
    let bytes = axum::body::to_bytes(body, state.settings.http.max_import_bytes).await.map_err(|_| ApiError::PayloadTooLarge)?;
    let outline: Outline = if bytes.starts_with(b"PK\x03\x04") {
        // Parsed off the async threads, bounded by the importer's limits.
        let limits = question_bank::import::Limits { max_file_bytes: state.settings.http.max_import_bytes, ..Default::default() };
        let read = tokio::task::spawn_blocking(move || question_bank::outline_xlsx::read(&bytes, &limits)).await.map_err(|e| ApiError::Internal(e.into()))?;
        read.map_err(|e| match e.code() {
            "sheet_too_large" => ApiError::Validation("sheet_too_large"),
            "file_too_large" => ApiError::PayloadTooLarge,
            _ => ApiError::Detailed { code: "malformed_file", detail: e.to_string() },
        })?
    } else {
        serde_json::from_slice(&bytes).map_err(|e| ApiError::Detailed { code: "malformed_file", detail: e.to_string() })?
    };
    put_outline(State(state), user, Path(id), ApiJson(outline)).await
}
