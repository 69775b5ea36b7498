//! Sessions for institution admins: create (with roster and proctors), list, read.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use exam_protocol::{CreatedSession, NewSession, SessionView};

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;
use exam_application::exams::sessions;
use exam_records::exams;

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewSession>,
) -> Result<(StatusCode, Json<CreatedSession>), ApiError> {
    Ok((StatusCode::CREATED, Json(sessions::create(&state.db, &user, &new, state.clock.now_ms(), &state.settings.rules).await?)))
}

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<SessionView>>, ApiError> {
    let inst = user.account.institution_id.ok_or(ApiError::Forbidden)?;
    Ok(Json(exams::sessions_of_institution(&state.db, inst).await?.iter().map(sessions::view).collect()))
}

pub async fn get_one(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<SessionView>, ApiError> {
    let s = exams::get_session(&state.db, id).await?.ok_or(ApiError::NotFound)?;
    if Some(s.institution_id) != user.account.institution_id {
        return Err(ApiError::NotFound);
    }
    Ok(Json(sessions::view(&s)))
}
