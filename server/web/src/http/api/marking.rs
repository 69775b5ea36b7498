//! Marking short answers: the next answer for a marker, a mark, and a session's progress.
use axum::Json;
use axum::extract::{Path, State};
use exam_protocol::{MarkOutcome, MarkRequest, MarkingProgress, MarkingTask};

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;
use exam_application::exams::marking;

/// The next answer waiting for this marker; `null` when there is none.
pub async fn next(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Option<MarkingTask>>, ApiError> {
    Ok(Json(marking::next(&state, &user).await?))
}

pub async fn mark(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<MarkRequest>,
) -> Result<Json<MarkOutcome>, ApiError> {
    Ok(Json(marking::mark(&state, &user, id, &req).await?))
}

pub async fn progress(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<MarkingProgress>, ApiError> {
    Ok(Json(marking::progress(&state, &user, id).await?))
}
