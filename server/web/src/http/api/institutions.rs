//! Evaluation institutions: regulators file them; an institution's admin sees only their own.
//! HTTP over `exam_application::institutions`.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use exam_application::institutions;
use exam_protocol::{Institution, NewInstitution};

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<Institution>>, ApiError> {
    Ok(Json(institutions::visible(&state, &user).await?))
}

pub async fn get_one(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<Institution>, ApiError> {
    Ok(Json(institutions::get(&state, &user, id).await?))
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewInstitution>,
) -> Result<(StatusCode, Json<Institution>), ApiError> {
    Ok((StatusCode::CREATED, Json(institutions::create(&state, &user, &new).await?)))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInspector {
    account_id: i64,
}

/// A regulator assigns a supervisor to inspect the institution.
pub async fn add_inspector(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<NewInspector>,
) -> Result<StatusCode, ApiError> {
    institutions::add_inspector(&state, &user, id, req.account_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
