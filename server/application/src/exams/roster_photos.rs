//! The institution's photo of each candidate (from the application or the roster): uploaded by
//! the institution's admin, printed on the admission ticket, and shown to the room's proctors
//! beside the photo the candidate takes at the device check, so a person compares both with
//! the face on camera (人证核验).
use super::candidate::{ExamRefusal, MAX_PHOTO_BYTES, photo_mime};
use super::proctor::session_for;
use super::session_changes::own_session;
use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;
use exam_records::StoreError;
use exam_records::audit::{self, Entry};
use exam_records::exams;
use exam_records::photos::{self, Photo};

/// Sets or replaces a candidate's photo (JPEG or PNG by content, at most 512 KB); audited.
pub async fn upload(app: &App, user: &Actor, session_id: i64, candidate_id: i64, bytes: &[u8]) -> Result<(), AppError> {
    let s = own_session(&app.db, user, session_id).await?;
    let c = exams::candidate(&app.db, candidate_id).await?.filter(|c| c.session_id == s.id).ok_or(AppError::NotFound)?;
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(AppError::TooLarge);
    }
    let mime = photo_mime(bytes).ok_or(AppError::from(ExamRefusal::InvalidPhoto))?;
    let now = app.clock.now_ms();
    let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
    photos::set_roster(&mut tx, c.id, user.account.id, now, mime, bytes).await?;
    let detail = serde_json::json!({ "session_id": s.id, "bytes": bytes.len(), "mime": mime }).to_string();
    audit::append(
        &mut tx,
        app.db.backend,
        &Entry { actor: user.audit_actor(), action: "candidate.roster_photo", target: format!("candidate:{}", c.id), detail, at_ms: now },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// The photo, for those who may see the session's room (its proctors, the institution's admin,
/// its supervisors); not found for anyone else or when there is none.
pub async fn get(app: &App, user: &Actor, session_id: i64, candidate_id: i64) -> Result<Photo, AppError> {
    let s = session_for(app, user, session_id, false).await?;
    let c = exams::candidate(&app.db, candidate_id).await?.filter(|c| c.session_id == s.id).ok_or(AppError::NotFound)?;
    photos::roster(&app.db, c.id).await?.ok_or(AppError::NotFound)
}
