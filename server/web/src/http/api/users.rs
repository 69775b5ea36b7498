//! Accounts: operators manage every account; an institution admin creates and sees the
//! candidates and proctors of their own institution only. HTTP over
//! `exam_application::accounts::managed`.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use exam_application::accounts::managed;
use exam_protocol::{Account, NewAccount};

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<Account>>, ApiError> {
    Ok(Json(managed::list(&state, &user).await?))
}

pub async fn get_one(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<Account>, ApiError> {
    Ok(Json(managed::get(&state, &user, id).await?))
}

pub async fn create(State(state): State<AppState>, user: CurrentUser, ApiJson(new): ApiJson<NewAccount>) -> Result<(StatusCode, Json<Account>), ApiError> {
    Ok((StatusCode::CREATED, Json(managed::create(&state, &user, &new).await?)))
}

/// A new one-time password for an account within the caller's scope, shown once; its
/// sign-ins end.
pub async fn reset_password(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<serde_json::Value>, ApiError> {
    let password = managed::reset_password(&state, &user, id).await?;
    Ok(Json(serde_json::json!({ "password": password })))
}

/// Disables an account within the caller's scope; its sign-ins end.
pub async fn disable(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    exam_application::accounts::managed::disable(&state, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
