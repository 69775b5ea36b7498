//! Changing a session after it is made: its names at any time until it is cancelled; its time,
//! rules and staff (改期、调整监考) and its cancellation only before it starts. Each change is
//! audited with what it was.
use exam_protocol::{Role, SessionSchedule, SessionView};

use super::sessions::{SessionRefusal, checked_staff, minutes, view};
use crate::actor::Actor;
use crate::error::AppError;
use crate::rules::Rules;
use exam_records::audit::{self, Entry};
use exam_records::exams::{self, SessionRow};
use exam_records::{Db, StoreError};

/// The admin's own institution's session, for changing it; another's is not found.
pub async fn own_session(db: &Db, user: &Actor, id: i64) -> Result<SessionRow, AppError> {
    let s = exams::get_session(db, id).await?.ok_or(AppError::NotFound)?;
    if user.role() != Role::InstitutionAdmin || user.account.institution_id != Some(s.institution_id) {
        return Err(AppError::NotFound);
    }
    Ok(s)
}

/// Renames a session (batch, name, room) that is not cancelled; audited.
pub async fn rename(db: &Db, user: &Actor, id: i64, batch: &str, name: &str, room: &str, now_ms: i64) -> Result<SessionView, AppError> {
    let s = own_session(db, user, id).await?;
    let (batch, name, room) = (batch.trim(), name.trim(), room.trim());
    let long = |t: &str, n: usize| t.chars().count() > n;
    if ![batch, name, room].iter().all(|n| question_bank::names::is_plain(n)) || long(batch, 100) || long(name, 200) || long(room, 100) {
        return Err(AppError::from(SessionRefusal::InvalidName));
    }
    let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
    if !exams::rename_session(&mut tx, s.id, batch, name, room).await? {
        return Err(AppError::from(SessionRefusal::SessionCancelled));
    }
    let detail = serde_json::json!({ "batch": batch, "name": name, "room": room, "was": { "batch": s.batch, "name": s.name, "room": s.room } });
    audit::append(
        &mut tx,
        db.backend,
        &Entry { actor: user.audit_actor(), action: "session.edit", target: format!("session:{}", s.id), detail: detail.to_string(), at_ms: now_ms },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    let s = exams::get_session(db, id).await?.ok_or(AppError::NotFound)?;
    Ok(view(&s))
}

/// Cancels a session before it starts, while no candidate has a paper; the reason is kept
/// and audited. Its candidates can no longer sign in.
pub async fn cancel(db: &Db, user: &Actor, id: i64, reason: &str, now_ms: i64) -> Result<SessionView, AppError> {
    let s = own_session(db, user, id).await?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::from(SessionRefusal::ReasonRequired));
    }
    if s.cancelled_at_ms.is_some() {
        return Err(AppError::from(SessionRefusal::SessionCancelled));
    }
    if now_ms >= s.starts_at_ms {
        return Err(AppError::from(SessionRefusal::AlreadyStarted));
    }
    let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
    if !exams::cancel_session(&mut tx, s.id, now_ms, reason).await? {
        return Err(AppError::from(SessionRefusal::AlreadyStarted));
    }
    let detail = serde_json::json!({ "reason": reason });
    audit::append(
        &mut tx,
        db.backend,
        &Entry { actor: user.audit_actor(), action: "session.cancel", target: format!("session:{}", s.id), detail: detail.to_string(), at_ms: now_ms },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    let s = exams::get_session(db, id).await?.ok_or(AppError::NotFound)?;
    Ok(view(&s))
}

/// Moves a session, changes its durations and pass mark, or its proctors and markers, before
/// it starts: the same checks as making it (durations in the rules' range, the proctor ratio
/// for its roster, no candidate in an overlapping session). The start must still be ahead.
pub async fn reschedule(db: &Db, user: &Actor, id: i64, new: &SessionSchedule, now_ms: i64, rules: &Rules) -> Result<SessionView, AppError> {
    let s = own_session(db, user, id).await?;
    if s.cancelled_at_ms.is_some() {
        return Err(AppError::from(SessionRefusal::SessionCancelled));
    }
    if now_ms >= s.starts_at_ms {
        return Err(AppError::from(SessionRefusal::AlreadyStarted));
    }
    if new.starts_at_ms <= now_ms {
        return Err(AppError::Validation("start_in_past"));
    }
    let duration = minutes(Some(new.duration_minutes), 0, rules.min_duration_minutes, rules.max_duration_minutes, "invalid_duration")?;
    let late = minutes(Some(new.late_entry_minutes), 0, 0, duration, "invalid_late_entry")?;
    let early = minutes(Some(new.earliest_hand_in_minutes), 0, 0, duration, "invalid_earliest_hand_in")?;
    if !(0..=100).contains(&new.pass_mark) {
        return Err(AppError::from(SessionRefusal::InvalidCapacity));
    }
    let roster = exams::candidates(db, s.id).await?;
    let (proctors, markers) = checked_staff(db, s.institution_id, &new.proctor_ids, &new.marker_ids, roster.len(), rules).await?;
    let start = new.starts_at_ms;
    let end = start + duration * 60_000;
    for (i, c) in roster.iter().enumerate() {
        if exams::overlapping(db, &c.id_kind, &c.id_number, start, end, s.id).await? > 0 {
            let masked = super::proctor::masked(&c.id_kind, &c.id_number);
            return Err(AppError::Detailed { code: "candidate_overlap", detail: format!("#{} {masked}", i + 1) });
        }
    }
    let (was_proctors, was_markers) = exams::staff(db, s.id).await?;
    let row = SessionRow {
        starts_at_ms: start,
        ends_at_ms: end,
        duration_secs: duration * 60,
        late_entry_secs: late * 60,
        earliest_hand_in_secs: early * 60,
        pass_mark: new.pass_mark,
        ..s.clone()
    };
    let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
    if !exams::reschedule_session(&mut tx, &row, now_ms).await? {
        return Err(AppError::from(SessionRefusal::AlreadyStarted));
    }
    exams::replace_staff(&mut tx, s.id, &proctors, &markers).await?;
    let detail = serde_json::json!({
        "starts_at_ms": start, "duration_minutes": duration, "late_entry_minutes": late, "earliest_hand_in_minutes": early,
        "pass_mark": new.pass_mark, "proctors": proctors, "markers": markers,
        "was": { "starts_at_ms": s.starts_at_ms, "duration_minutes": s.duration_secs / 60, "late_entry_minutes": s.late_entry_secs / 60,
                 "earliest_hand_in_minutes": s.earliest_hand_in_secs / 60, "pass_mark": s.pass_mark, "proctors": was_proctors, "markers": was_markers },
    });
    audit::append(
        &mut tx,
        db.backend,
        &Entry { actor: user.audit_actor(), action: "session.reschedule", target: format!("session:{}", s.id), detail: detail.to_string(), at_ms: now_ms },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(view(&row))
}

/// The session's proctors and markers, for the admin's edit page.
pub async fn staff(db: &Db, user: &Actor, id: i64) -> Result<(Vec<i64>, Vec<i64>), AppError> {
    let s = own_session(db, user, id).await?;
    Ok(exams::staff(db, s.id).await?)
}

/// Renames a batch (批次) across the admin's institution's sessions that are not cancelled;
/// audited. How many sessions; none is `NotFound`.
pub async fn rename_batch(db: &Db, user: &Actor, from: &str, to: &str, now_ms: i64) -> Result<u64, AppError> {
    let institution_id = admin_institution(user)?;
    let to = to.trim();
    if !question_bank::names::is_plain(to) || to.chars().count() > 100 {
        return Err(AppError::from(SessionRefusal::InvalidName));
    }
    let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
    let n = exams::rename_batch(&mut tx, institution_id, from, to).await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    let detail = serde_json::json!({ "batch": to, "was": from, "sessions": n });
    audit::append(
        &mut tx,
        db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: "batch.rename",
            target: format!("institution:{institution_id}"),
            detail: detail.to_string(),
            at_ms: now_ms,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(n)
}

/// Cancels every session of a batch that has not started, each with the reason and its own
/// audit entry; sessions already started are left as they are. How many were cancelled.
pub async fn cancel_batch(db: &Db, user: &Actor, batch: &str, reason: &str, now_ms: i64) -> Result<u64, AppError> {
    let institution_id = admin_institution(user)?;
    let sessions: Vec<SessionRow> = exams::sessions_of_institution(db, institution_id).await?.into_iter().filter(|s| s.batch == batch).collect();
    if sessions.is_empty() {
        return Err(AppError::NotFound);
    }
    let mut n = 0;
    for s in sessions.iter().filter(|s| s.cancelled_at_ms.is_none() && s.starts_at_ms > now_ms) {
        cancel(db, user, s.id, reason, now_ms).await?;
        n += 1;
    }
    Ok(n)
}

fn admin_institution(user: &Actor) -> Result<i64, AppError> {
    match (user.role(), user.account.institution_id) {
        (Role::InstitutionAdmin, Some(i)) => Ok(i),
        _ => Err(AppError::Forbidden),
    }
}
