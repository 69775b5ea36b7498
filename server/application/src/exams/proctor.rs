//! What proctors do without video: the live list of their room, the feed of integrity events,
//! and pause, resume, extra time and termination for one candidate, each with a reason, each
//! audited and written to the exam-room record.
use exam_protocol::{ProctorAction, Role, RoomCandidate, RoomEvent, Stage};
use question_bank::Points;
use question_bank::identity::{IdDocument, IdKind};

use super::candidate::{self, times};
use super::lifecycle::{Delivery, Event, Paper, Step};
use super::media_cluster::WatchRefused;
use super::timing::{PaperClock, TimingError};

use crate::App;
use crate::actor::Actor;
use crate::error::AppError;
use exam_records::audit::{self, Entry};
use exam_records::exams::{self, PaperStatus, SessionRow};
use exam_records::{StoreError, sessions};

/// The session, if the caller may watch it: its assigned proctors, its institution's admin and
/// the supervisors who inspect that institution (who may look but not act). Anyone else: not
/// found.
pub async fn session_for(state: &App, user: &Actor, session_id: i64, act: bool) -> Result<SessionRow, AppError> {
    let s = exams::get_session(&state.db, session_id).await?.ok_or(AppError::NotFound)?;
    let allowed = match user.role() {
        Role::Proctor => exams::is_proctor(&state.db, session_id, user.account.id).await?,
        Role::InstitutionAdmin => Some(s.institution_id) == user.account.institution_id,
        // Supervisors watch the rooms of institutions they inspect, read only.
        Role::Supervisor => exam_records::institutions::inspects(&state.db, user.account.id, s.institution_id).await?,
        _ => false,
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    if act && user.role() != Role::Proctor {
        return Err(AppError::Forbidden);
    }
    Ok(s)
}

pub(crate) fn masked(kind: &str, number: &str) -> String {
    IdKind::parse(kind).and_then(|k| IdDocument::parse(k, number).ok()).map(|d| d.masked()).unwrap_or_else(|| "***".into())
}

pub async fn room(state: &App, user: &Actor, session_id: i64) -> Result<Vec<RoomCandidate>, AppError> {
    let s = session_for(state, user, session_id, false).await?;
    room_of(state, &s).await
}

/// The room's candidates as they stand now, for whoever the caller already let in (or the
/// system, writing the session's documents).
pub(crate) async fn room_of(state: &App, s: &SessionRow) -> Result<Vec<RoomCandidate>, AppError> {
    let now = state.clock.now_ms();
    let mut out = Vec::new();
    let with_photo = exam_records::photos::candidates_with_photo(&state.db, s.id).await?;
    let with_roster_photo = exam_records::photos::candidates_with_roster_photo(&state.db, s.id).await?;
    // The latest identity finding per candidate (oldest first, so the last one stays).
    let mut identity = std::collections::HashMap::new();
    for (cid, detail) in exams::session_events_of_kind(&state.db, s.id, "identity_checked").await? {
        let matches = serde_json::from_str::<serde_json::Value>(&detail).ok().and_then(|v| v.get("matches").and_then(|m| m.as_bool()));
        identity.insert(cid, matches);
    }
    for c in exams::candidates(&state.db, s.id).await? {
        let paper = exams::paper_of_candidate(&state.db, c.id).await?;
        let (stage, answered, questions, remaining, score) = match &paper {
            Some(p) => {
                let n = serde_json::from_str::<Vec<serde_json::Value>>(&p.questions).map(|q| q.len() as i64).unwrap_or(0);
                let stage = candidate::paper_stage(p);
                let clock = PaperClock { deadline_ms: p.deadline_ms, paused_at_ms: p.paused_at_ms };
                let remaining = (p.status == PaperStatus::InProgress).then(|| clock.remaining_ms(now));
                (stage, exams::answered_questions(&state.db, p.id).await?, n, remaining, p.score.and_then(|v| u32::try_from(v).ok()).map(Points))
            }
            None if c.commitment_at_ms.is_none() => (Stage::Commitment, 0, 0, None, None),
            None => match times(s).check_entry(now) {
                Ok(()) => (Stage::Ready, 0, 0, None, None),
                Err(TimingError::NotOpen) => (Stage::Waiting, 0, 0, None, None),
                Err(_) => (Stage::EntryClosed, 0, 0, None, None),
            },
        };
        out.push(RoomCandidate {
            candidate_id: c.id,
            name: c.name.clone(),
            ticket: c.ticket.clone(),
            id_masked: masked(&c.id_kind, &c.id_number),
            stage,
            answered,
            questions,
            remaining_ms: remaining,
            integrity_events: exams::integrity_count(&state.db, c.id).await?,
            score,
            device_pending: exams::candidate_devices(&state.db, c.id).await?.1.is_some(),
            media: state.media_cluster.flowing(c.id),
            photo: with_photo.contains(&c.id),
            roster_photo: with_roster_photo.contains(&c.id),
            identity_checked: identity.get(&c.id).copied().flatten(),
        });
    }
    Ok(out)
}

pub async fn feed(state: &App, user: &Actor, session_id: i64, after: i64) -> Result<Vec<RoomEvent>, AppError> {
    let s = session_for(state, user, session_id, false).await?;
    Ok(exams::events_after(&state.db, s.id, after, 500, false)
        .await?
        .into_iter()
        .map(|(id, candidate_id, kind, detail, at_ms)| RoomEvent { id, candidate_id, kind, detail, at_ms })
        .collect())
}

fn reason_of(reason: &str) -> Result<String, AppError> {
    let r = reason.trim();
    if r.is_empty() || r.chars().count() > 500 { Err(AppError::from(ProctorRefusal::ReasonRequired)) } else { Ok(r.to_string()) }
}

/// The paper's clock after a proctor's pause, resume or extra time, as its lifecycle says.
fn clock_after(paper: Paper, event: Event, now: i64) -> Result<PaperClock, AppError> {
    match paper.on(event, now) {
        Ok(Step::Now(p)) => Ok(p.clock),
        Ok(Step::Answered { .. }) => Err(AppError::Internal(anyhow::anyhow!("{event:?} is not a clock event"))),
        Err(r) => Err(AppError::Conflict(r.code())),
    }
}

pub async fn act(state: &App, user: &Actor, session_id: i64, candidate_id: i64, action: &ProctorAction) -> Result<(), AppError> {
    let s = session_for(state, user, session_id, true).await?;
    if s.cancelled_at_ms.is_some() {
        return Err(AppError::from(crate::exams::sessions::SessionRefusal::SessionCancelled));
    }
    let c = exams::candidate(&state.db, candidate_id).await?.filter(|c| c.session_id == s.id).ok_or(AppError::NotFound)?;
    match action {
        ProctorAction::Warn { message } => {
            return record_note(state, user, &s, &c, "warning", message).await;
        }
        ProctorAction::Note { text } => {
            return record_note(state, user, &s, &c, "note", text).await;
        }
        ProctorAction::ClearSignIn => return clear_sign_in(state, user, &s, &c).await,
        ProctorAction::VerifyIdentity { matches, note } => return verify_identity(state, user, &s, &c, *matches, note).await,
        _ => {}
    }
    let p = exams::paper_of_candidate(&state.db, c.id).await?.ok_or(AppError::from(ProctorRefusal::NotStarted))?;
    if p.status != PaperStatus::InProgress {
        return Err(AppError::from(ProctorRefusal::PaperEnded));
    }
    let now = state.clock.now_ms();
    if let ProctorAction::ApproveDevice = action {
        return approve_device(state, user, &s, &c, p.id, now).await;
    }
    let clock = PaperClock { deadline_ms: p.deadline_ms, paused_at_ms: p.paused_at_ms };
    let paper = Paper { status: p.status, clock, delivery: Delivery::Fixed };
    let (kind, next, detail) = match action {
        ProctorAction::Pause { reason } => ("pause", clock_after(paper, Event::Pause, now)?, serde_json::json!({ "reason": reason_of(reason)? })),
        ProctorAction::Resume => ("resume", clock_after(paper, Event::Resume, now)?, serde_json::json!({})),
        ProctorAction::ExtraTime { minutes, reason } => {
            if !(1..=120).contains(minutes) {
                return Err(AppError::from(ProctorRefusal::InvalidExtraTime));
            }
            // Bounded in all, and never further past the session's planned end than that either
            // (a session's window is its duration: any extra time runs past it).
            let given = exams::extra_minutes_given(&state.db, c.id).await?;
            let end_now = match clock.paused_at_ms {
                Some(p) => now + (clock.deadline_ms - p).max(0),
                None => clock.deadline_ms,
            };
            let most = state.settings.exam.max_extra_minutes;
            if given + minutes > most || end_now + minutes * 60_000 > s.ends_at_ms + most * 60_000 {
                return Err(AppError::from(ProctorRefusal::ExtraTimeLimit));
            }
            let next = clock_after(paper, Event::ExtraTime { ms: minutes * 60_000 }, now)?;
            ("extra_time", next, serde_json::json!({ "minutes": minutes, "reason": reason_of(reason)? }))
        }
        ProctorAction::Terminate { reason } => {
            let reason = reason_of(reason)?;
            candidate::finish(state, p.id, Event::Terminate, Some(user), &reason).await?.score()?;
            return Ok(());
        }
        ProctorAction::ApproveDevice
        | ProctorAction::ClearSignIn
        | ProctorAction::Warn { .. }
        | ProctorAction::Note { .. }
        | ProctorAction::VerifyIdentity { .. } => {
            return Err(AppError::from(ProctorRefusal::NoDeviceChange));
        }
    };
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    if !exams::set_paper_clock(&mut tx, p.id, next.deadline_ms, next.paused_at_ms).await? {
        return Err(AppError::from(ProctorRefusal::PaperEnded));
    }
    exams::insert_event(&mut tx, s.id, Some(c.id), kind, &detail.to_string(), Some(user.account.id), now).await?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: match kind {
                "pause" => "paper.pause",
                "resume" => "paper.resume",
                _ => "paper.extra_time",
            },
            target: format!("paper:{}", p.id),
            detail: detail.to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    state.paper_changed(p.id, p.session_candidate_id);
    Ok(())
}

/// The candidate continues on the device they asked for; every earlier sign-in ends.
async fn approve_device(state: &App, user: &Actor, s: &SessionRow, c: &exams::CandidateRow, paper_id: i64, now: i64) -> Result<(), AppError> {
    let (_, pending) = exams::candidate_devices(&state.db, c.id).await?;
    let device = pending.ok_or(AppError::from(ProctorRefusal::NoDeviceChange))?;
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    exams::set_device(&mut tx, c.id, &device).await?;
    sessions::revoke_all(&mut tx, c.account_id, now).await?;
    exams::insert_event(&mut tx, s.id, Some(c.id), "device_approved", "{}", Some(user.account.id), now).await?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry { actor: user.audit_actor(), action: "paper.approve_device", target: format!("paper:{paper_id}"), detail: "{}".into(), at_ms: now },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    // The old device's open sockets close, on whichever process holds them.
    state.events.publish(crate::events::Event::SignedOut { account_id: c.account_id, token_hash: None });
    Ok(())
}

/// The proctor, who sees the candidate, lets them try their password again at once: the run of
/// wrong tries that slowed their sign-in is cleared. Audited and in the exam-room record.
async fn clear_sign_in(state: &App, user: &Actor, s: &SessionRow, c: &exams::CandidateRow) -> Result<(), AppError> {
    let now = state.clock.now_ms();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    exam_records::accounts::clear_failed_logins(&mut tx, c.account_id).await?;
    exams::insert_event(&mut tx, s.id, Some(c.id), "sign_in_cleared", "{}", Some(user.account.id), now).await?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry { actor: user.audit_actor(), action: "auth.sign_in_cleared", target: format!("account:{}", c.account_id), detail: "{}".into(), at_ms: now },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// The identity check (人证核验) by the room's proctor: the person on camera compared with the
/// photo taken at the device check and the document; a mismatch needs a note. Recorded in the
/// exam-room record and audited.
async fn verify_identity(state: &App, user: &Actor, s: &SessionRow, c: &exams::CandidateRow, matches: bool, note: &str) -> Result<(), AppError> {
    let note = note.trim();
    // The check compares the person with their photo: there must be one. A finding that
    // reverses an earlier one says why.
    if exam_records::photos::count(&state.db, c.id).await? == 0 {
        return Err(AppError::from(ProctorRefusal::NoPhoto));
    }
    let reverses = exams::last_candidate_event(&state.db, c.id, "identity_checked")
        .await?
        .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
        .and_then(|v| v.get("matches").and_then(|m| m.as_bool()))
        .is_some_and(|before| before != matches);
    if ((!matches || reverses) && note.is_empty()) || note.chars().count() > 500 {
        return Err(AppError::from(ProctorRefusal::TextRequired));
    }
    let now = state.clock.now_ms();
    let detail = serde_json::json!({ "matches": matches, "note": note }).to_string();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    exams::insert_event(&mut tx, s.id, Some(c.id), "identity_checked", &detail, Some(user.account.id), now).await?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry { actor: user.audit_actor(), action: "candidate.identity", target: format!("candidate:{}", c.id), detail, at_ms: now },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// The candidate's photo from the device check, for the room's proctors (and those who watch).
pub async fn photo(state: &App, user: &Actor, session_id: i64, candidate_id: i64) -> Result<exam_records::photos::Photo, AppError> {
    let s = session_for(state, user, session_id, false).await?;
    let c = exams::candidate(&state.db, candidate_id).await?.filter(|c| c.session_id == s.id).ok_or(AppError::NotFound)?;
    exam_records::photos::latest(&state.db, c.id).await?.ok_or(AppError::NotFound)
}

/// A warning shown on the candidate's page at once (over the event bus, to whichever process
/// holds their socket), or a note in the exam-room record; both time-stamped and audited.
async fn record_note(state: &App, user: &Actor, s: &SessionRow, c: &exams::CandidateRow, kind: &str, text: &str) -> Result<(), AppError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 500 {
        return Err(AppError::from(ProctorRefusal::TextRequired));
    }
    let now = state.clock.now_ms();
    let detail = serde_json::json!({ "text": text }).to_string();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    exams::insert_event(&mut tx, s.id, Some(c.id), kind, &detail, Some(user.account.id), now).await?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: if kind == "warning" { "candidate.warn" } else { "room.note" },
            target: format!("candidate:{}", c.id),
            detail,
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    if kind == "warning" {
        state.events.publish(crate::events::Event::Notice { candidate_id: c.id, text: text.to_string(), warning: true, at_ms: now });
    }
    Ok(())
}

/// A proctor's view of one candidate's streams: only the session's proctors; every watch is
/// audited.
pub async fn watch(
    state: &App,
    user: &Actor,
    session_id: i64,
    candidate_id: i64,
    req: &exam_protocol::WatchRequest,
) -> Result<exam_protocol::SdpAnswer, AppError> {
    // Watching is looking: the room's proctors and inspecting supervisors (the route leaves
    // admins out).
    let s = session_for(state, user, session_id, false).await?;
    let c = exams::candidate(&state.db, candidate_id).await?.filter(|c| c.session_id == s.id).ok_or(AppError::NotFound)?;
    if req.kinds.is_empty() {
        return Err(AppError::from(ProctorRefusal::NoTracks));
    }
    let (sdp, kinds) = state.media_cluster.watch(c.id, &req.sdp, &req.kinds, req.quality).await.map_err(|WatchRefused(code)| match code {
        "bad_offer" => AppError::Validation(code),
        _ => AppError::Conflict(code),
    })?;
    let now = state.clock.now_ms();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: "media.watch",
            target: format!("candidate:{}", c.id),
            detail: serde_json::json!({ "tracks": kinds }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(exam_protocol::SdpAnswer { sdp, kinds })
}

/// What a proctor's action refuses, each with its stable code; the web layer chooses the HTTP status by its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProctorRefusal {
    #[error("extra_time_limit")]
    ExtraTimeLimit,
    #[error("invalid_extra_time")]
    InvalidExtraTime,
    #[error("no_device_change")]
    NoDeviceChange,
    #[error("no_tracks")]
    NoTracks,
    #[error("not_started")]
    NotStarted,
    #[error("paper_ended")]
    PaperEnded,
    #[error("reason_required")]
    ReasonRequired,
    #[error("text_required")]
    TextRequired,
    #[error("no_photo")]
    NoPhoto,
}

impl ProctorRefusal {
    /// The stable code a client receives.
    pub fn code(&self) -> &'static str {
        match self {
            ProctorRefusal::ExtraTimeLimit => "extra_time_limit",
            ProctorRefusal::InvalidExtraTime => "invalid_extra_time",
            ProctorRefusal::NoDeviceChange => "no_device_change",
            ProctorRefusal::NoTracks => "no_tracks",
            ProctorRefusal::NotStarted => "not_started",
            ProctorRefusal::PaperEnded => "paper_ended",
            ProctorRefusal::ReasonRequired => "reason_required",
            ProctorRefusal::TextRequired => "text_required",
            ProctorRefusal::NoPhoto => "no_photo",
        }
    }

    pub fn kind(&self) -> crate::error::RefusalKind {
        use crate::error::RefusalKind;
        match self {
            ProctorRefusal::ExtraTimeLimit
            | ProctorRefusal::InvalidExtraTime
            | ProctorRefusal::NoTracks
            | ProctorRefusal::ReasonRequired
            | ProctorRefusal::TextRequired => RefusalKind::Invalid,
            ProctorRefusal::NoDeviceChange | ProctorRefusal::NotStarted | ProctorRefusal::PaperEnded | ProctorRefusal::NoPhoto => RefusalKind::Conflict,
        }
    }
}

impl From<ProctorRefusal> for crate::error::AppError {
    fn from(r: ProctorRefusal) -> Self {
        crate::error::AppError::Proctor(r)
    }
}
