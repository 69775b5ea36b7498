//! Accounts: operators manage every account; an institution admin creates and sees the
//! candidates and proctors of their own institution only.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use exam_protocol::{Account, NewAccount, Role};

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;
use exam_application::accounts::{self, CreateError};

/// What an institution admin may create.
const INSTITUTION_ASSIGNABLE: &[Role] = &[Role::Candidate, Role::Proctor];

/// The institution whose accounts the caller sees; `None` means all (operators).
fn scope(user: &CurrentUser) -> Result<Option<i64>, ApiError> {
    match user.role() {
        Role::Operator => Ok(None),
        _ => user.account.institution_id.map(Some).ok_or(ApiError::Forbidden),
    }
}

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<Account>>, ApiError> {
    Ok(Json(exam_records::accounts::list(&state.db, scope(&user)?).await?))
}

pub async fn get_one(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<Account>, ApiError> {
    let account = exam_records::accounts::get(&state.db, id).await?.ok_or(ApiError::NotFound)?;
    match scope(&user)? {
        Some(inst) if account.institution_id != Some(inst) => Err(ApiError::NotFound),
        _ => Ok(Json(account)),
    }
}

pub async fn create(State(state): State<AppState>, user: CurrentUser, ApiJson(new): ApiJson<NewAccount>) -> Result<(StatusCode, Json<Account>), ApiError> {
    if let Some(inst) = scope(&user)? {
        if !INSTITUTION_ASSIGNABLE.contains(&new.role) {
            return Err(ApiError::Validation("role_not_assignable"));
        }
        if new.institution_id != Some(inst) {
            // Another institution's id answers as if it did not exist.
            return Err(ApiError::NotFound);
        }
    }
    let account = accounts::create(&state.db, Some(user.audit_actor()), &new).await.map_err(|e| match e {
        CreateError::Invalid(code) => ApiError::Validation(code),
        CreateError::UsernameTaken => ApiError::Conflict("username_taken"),
        CreateError::NoSuchInstitution => ApiError::NotFound,
        CreateError::Internal(e) => ApiError::Internal(e),
    })?;
    Ok((StatusCode::CREATED, Json(account)))
}
