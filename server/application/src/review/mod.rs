//! Review after the fact, for supervisors, regulators and the institution: a candidate's
//! recordings and record on one timeline (`playback`), thumbnails to scan an hour quickly
//! (`thumbnails`), and the reviewer's findings appended to the record (`findings`).
pub mod findings;
pub mod playback;
pub mod thumbnails;

use exam_records::exams::{self, CandidateRow, SessionRow};

use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

/// The candidate and their session, when the actor may review them (their institution's
/// admin, a supervisor who inspects it, a regulator); otherwise not found.
pub async fn reviewable(app: &App, actor: &Actor, candidate_id: i64) -> Result<(CandidateRow, SessionRow), AppError> {
    let c = exams::candidate(&app.db, candidate_id).await?.ok_or(AppError::NotFound)?;
    let s = exams::get_session(&app.db, c.session_id).await?.ok_or(AppError::NotFound)?;
    if !crate::archive::files::may_see(app, actor, Some(s.institution_id)).await? {
        return Err(AppError::NotFound);
    }
    Ok((c, s))
}
