//! Sessions for institution admins: create (with roster and proctors), list, read.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use exam_protocol::{CancelSession, CreatedSession, NewSession, RosterBadRow, RosterCheck, RosterCheckRow, SessionNames, SessionSchedule, SessionView};
use question_bank::roster::RowProblem;

use crate::http::messages;

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;
use exam_application::exams::{session_changes, sessions};
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

/// Checks a roster file (XLSX or CSV, the raw body) row by row; nothing is stored.
pub async fn check_roster(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Json<RosterCheck>, ApiError> {
    let lang = crate::http::i18n::from_headers(&headers);
    let bytes = super::bank_io::read_upload(&state, body).await?;
    let roster = exam_application::exams::roster::check(&state, &user, bytes.to_vec()).await?;
    let kind_name = |k: question_bank::identity::IdKind| match lang {
        crate::http::i18n::Lang::Zh => k.name_zh().to_string(),
        crate::http::i18n::Lang::En => k.as_str().replace('_', " "),
    };
    Ok(Json(RosterCheck {
        rows: roster
            .rows
            .into_iter()
            .map(|r| RosterCheckRow {
                row: r.row,
                name: r.name,
                id_kind: r.id.kind(),
                id_kind_name: kind_name(r.id.kind()),
                id_number: r.id.number().to_string(),
                id_masked: r.id.masked(),
            })
            .collect(),
        bad: roster
            .bad
            .into_iter()
            .map(|b| {
                let mut message = messages::message(b.problem.code(), lang).to_string();
                if let RowProblem::DuplicateId { first_row } = b.problem {
                    message = format!(
                        "{}{}",
                        message.trim_end_matches(['。', '.']),
                        lang.choose(format!("（与第 {first_row} 行相同）。"), format!(" (same as row {first_row})."))
                    );
                }
                RosterBadRow { row: b.row, name: b.name, code: b.problem.code().to_string(), message }
            })
            .collect(),
    }))
}

/// Renames a session (batch, name, room).
pub async fn rename(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(n): ApiJson<SessionNames>,
) -> Result<Json<SessionView>, ApiError> {
    Ok(Json(session_changes::rename(&state.db, &user, id, &n.batch, &n.name, &n.room, state.clock.now_ms()).await?))
}

/// Cancels a session before it starts, with a reason.
pub async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(c): ApiJson<CancelSession>,
) -> Result<Json<SessionView>, ApiError> {
    Ok(Json(session_changes::cancel(&state.db, &user, id, &c.reason, state.clock.now_ms()).await?))
}

/// Moves a session or changes its rules or staff, before it starts.
pub async fn reschedule(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(s): ApiJson<SessionSchedule>,
) -> Result<Json<SessionView>, ApiError> {
    Ok(Json(session_changes::reschedule(&state.db, &user, id, &s, state.clock.now_ms(), &state.settings.rules).await?))
}

/// Renames a batch across its sessions.
pub async fn rename_batch(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<exam_protocol::BatchRename>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let n = session_changes::rename_batch(&state.db, &user, &b.from, &b.to, state.clock.now_ms()).await?;
    Ok(Json(serde_json::json!({ "sessions": n })))
}

/// Cancels a batch's sessions that have not started.
pub async fn cancel_batch(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<exam_protocol::BatchCancel>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let n = session_changes::cancel_batch(&state.db, &user, &b.batch, &b.reason, state.clock.now_ms()).await?;
    Ok(Json(serde_json::json!({ "cancelled": n })))
}
