//! The proctor's API for a room: the live list, the event feed, and actions on one candidate.
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use exam_protocol::{ProctorAction, RoomCandidate, RoomEvent};
use serde::Deserialize;

use crate::exams::proctor;
use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;

pub async fn room(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<Vec<RoomCandidate>>, ApiError> {
    Ok(Json(proctor::room(&state, &user, id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct After {
    #[serde(default)]
    after: i64,
}

pub async fn feed(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    query: Result<Query<After>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<RoomEvent>>, ApiError> {
    let Query(q) = query.map_err(|_| ApiError::Validation("invalid_query"))?;
    Ok(Json(proctor::feed(&state, &user, id, q.after).await?))
}

pub async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, candidate_id)): Path<(i64, i64)>,
    ApiJson(action): ApiJson<ProctorAction>,
) -> Result<StatusCode, ApiError> {
    proctor::act(&state, &user, id, candidate_id, &action).await?;
    Ok(StatusCode::NO_CONTENT)
}
