//! Making a session (场次): the checks the notice requires (filed occupation and level, proctor
//! ratio, room capacity, no candidate in two overlapping sessions, a feasible blueprint), then
//! the roster with admission tickets and candidate accounts, all in one transaction.
use exam_protocol::{CreatedSession, NewSession, Role, RosterEntry, SessionView};
use question_bank::blueprint::Blueprint;
use question_bank::identity::{IdDocument, TicketLayout};

use crate::auth::{password, token};

use crate::actor::Actor;
use crate::error::AppError;
use crate::rules::Rules;
use exam_records::accounts::{self, NewAccountRow};
use exam_records::audit::{self, Entry};
use exam_records::exams::{self, CandidateRow, SessionRow};
use exam_records::{Db, StoreError, banks, institutions, items, marking, serials};

pub fn view(s: &SessionRow) -> SessionView {
    SessionView {
        id: s.id,
        institution_id: s.institution_id,
        bank_id: s.bank_id,
        level: u8::try_from(s.level).unwrap_or(0),
        batch: s.batch.clone(),
        name: s.name.clone(),
        room: s.room.clone(),
        starts_at_ms: s.starts_at_ms,
        deadline_ms: s.starts_at_ms + s.duration_secs * 1000,
        late_entry_until_ms: s.starts_at_ms + s.late_entry_secs * 1000,
        earliest_hand_in_at_ms: s.starts_at_ms + s.earliest_hand_in_secs * 1000,
        capacity: s.capacity,
        pass_mark: s.pass_mark,
        cancelled: s.cancelled_at_ms.is_some(),
    }
}

/// The calendar day in China at `now_ms`: IDs' birth dates are checked against it.
pub(crate) fn today(now_ms: i64) -> (i32, u32, u32) {
    let (y, m, d, _, _) = crate::clock::china_civil(now_ms);
    (y, m, d)
}

pub(crate) fn minutes(v: Option<i64>, default: i64, min: i64, max: i64, code: &'static str) -> Result<i64, AppError> {
    let v = v.unwrap_or(default);
    if (min..=max).contains(&v) { Ok(v) } else { Err(AppError::Validation(code)) }
}

/// `now_ms`: the instant of creation (the caller's clock); IDs are checked against that day.
/// `rules`: the deployment's certification rules; what the session leaves out comes from them.
pub async fn create(db: &Db, user: &Actor, new: &NewSession, now_ms: i64, rules: &Rules) -> Result<CreatedSession, AppError> {
    let institution_id = user.account.institution_id.ok_or(AppError::Forbidden)?;
    let institution = institutions::get(db, institution_id).await?.ok_or(AppError::NotFound)?;
    let bank = banks::get(db, new.bank_id).await?.ok_or(AppError::NotFound)?;
    if bank.institution_id.is_some_and(|i| i != institution_id) {
        return Err(AppError::NotFound);
    }
    if !bank.levels.contains(&new.level) {
        return Err(AppError::from(SessionRefusal::LevelNotInBank));
    }
    let level = i64::from(new.level);
    if !exams::has_filing(db, institution_id, &bank.occupation_code, level).await? {
        return Err(AppError::from(SessionRefusal::NotFiled));
    }
    if ![&new.name, &new.room, &new.batch].iter().all(|n| question_bank::names::is_plain(n.trim())) {
        return Err(AppError::from(SessionRefusal::InvalidName));
    }
    let duration = minutes(new.duration_minutes, rules.min_duration_minutes, rules.min_duration_minutes, rules.max_duration_minutes, "invalid_duration")?;
    let late = minutes(new.late_entry_minutes, rules.late_entry_minutes, 0, duration, "invalid_late_entry")?;
    let early = minutes(new.earliest_hand_in_minutes, rules.earliest_hand_in_minutes, 0, duration, "invalid_earliest_hand_in")?;
    let capacity = new.capacity.unwrap_or(rules.room_capacity);
    let pass_mark = new.pass_mark.unwrap_or(rules.pass_mark);
    if !(1..=200).contains(&capacity) || !(0..=100).contains(&pass_mark) {
        return Err(AppError::from(SessionRefusal::InvalidCapacity));
    }
    if new.candidates.is_empty() {
        return Err(AppError::from(SessionRefusal::EmptyRoster));
    }
    if new.candidates.len() as i64 > capacity {
        return Err(AppError::from(SessionRefusal::RoomOverCapacity));
    }
    let (proctors, markers) = checked_staff(db, institution_id, &new.proctor_ids, &new.marker_ids, new.candidates.len(), rules).await?;
    let marking_threshold_pct = new.marking_threshold_pct.unwrap_or(rules.marking_threshold_pct);
    if !(0..=100).contains(&marking_threshold_pct) {
        return Err(AppError::from(SessionRefusal::InvalidMarkingThreshold));
    }
    // The blueprint must be able to give every candidate a paper.
    let (_, bp_doc) = banks::latest_blueprint(db, bank.id, level).await?.ok_or(AppError::from(SessionRefusal::NoBlueprint))?;
    let bp: Blueprint = serde_json::from_str(&bp_doc).map_err(|e| AppError::Internal(e.into()))?;
    let outline = banks::current_outline(db, bank.id).await?.outline;
    let shortfalls = bp.feasibility(&outline, &items::approved_facts(db, bank.id).await?);
    if !question_bank::paper::blueprint_usable(&bp, &outline).is_empty() {
        return Err(AppError::from(SessionRefusal::InvalidBlueprint));
    }
    if !shortfalls.is_empty() || !bp.validate().is_empty() {
        return Err(AppError::from(SessionRefusal::BlueprintInfeasible));
    }
    // The roster: valid identity documents, nobody twice, nobody in an overlapping session.
    let start = new.starts_at_ms;
    let end = start + duration * 60_000;
    let mut people = Vec::with_capacity(new.candidates.len());
    for (i, c) in new.candidates.iter().enumerate() {
        let doc =
            IdDocument::parse_at(c.id_kind, &c.id_number, today(now_ms)).map_err(|e| AppError::Detailed { code: e.code(), detail: format!("#{}", i + 1) })?;
        if !question_bank::names::is_plain(c.name.trim()) || c.name.trim().chars().count() > question_bank::roster::MAX_NAME_CHARS {
            return Err(AppError::Detailed { code: "invalid_name", detail: format!("#{}", i + 1) });
        }
        if people.iter().any(|(d, _): &(IdDocument, _)| d.kind() == doc.kind() && d.number() == doc.number()) {
            return Err(AppError::Detailed { code: "duplicate_candidate", detail: format!("#{}", i + 1) });
        }
        if exams::overlapping(db, doc.kind().as_str(), doc.number(), start, end, 0).await? > 0 {
            return Err(AppError::Detailed { code: "candidate_overlap", detail: format!("#{} {}", i + 1, doc.masked()) });
        }
        let password = c.password.clone().unwrap_or_else(|| token::generate()[..8].to_string());
        if password.chars().count() < 6 {
            return Err(AppError::from(SessionRefusal::WeakPassword));
        }
        let hash = password::hash_async(password.clone()).await?;
        people.push((doc, (c.name.trim().to_string(), password, hash)));
    }
    let now = now_ms;
    let row = SessionRow {
        id: 0,
        institution_id,
        bank_id: bank.id,
        level,
        batch: new.batch.trim().to_string(),
        name: new.name.trim().to_string(),
        room: new.room.trim().to_string(),
        starts_at_ms: start,
        ends_at_ms: end,
        duration_secs: duration * 60,
        late_entry_secs: late * 60,
        earliest_hand_in_secs: early * 60,
        capacity,
        multiple_partial: new.multiple_partial,
        pass_mark,
        device_approval: new.device_approval,
        marking_threshold_pct,
        required_media: new.required_media.clone().unwrap_or_else(|| exam_protocol::MediaKind::ALL.to_vec()),
        blueprint: bp_doc,
        cancelled_at_ms: None,
    };
    // The institution's part of the ticket: the serial digits of its filing number.
    let inst_code: String = institution.filing_number.chars().rev().take(6).collect::<Vec<_>>().into_iter().rev().collect();
    let layout = TicketLayout::default();
    let year = today(now_ms).0;
    let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
    let session_id = exams::insert_session(&mut tx, &row, user.account.id, now).await?;
    // Tickets number sessions per institution and year, not by the deployment's row ids.
    let ticket_serial = serials::next(&mut tx, "ticket_session", &format!("{institution_id}:{year}")).await?;
    exams::set_ticket_serial(&mut tx, session_id, ticket_serial).await?;
    for p in &proctors {
        exams::add_proctor(&mut tx, session_id, *p).await?;
    }
    for m in &markers {
        marking::add_marker(&mut tx, session_id, *m).await?;
    }
    let mut roster = Vec::with_capacity(people.len());
    for (i, (doc, (name, password, hash))) in people.iter().enumerate() {
        let ticket = layout
            .render(year, &inst_code, u32::try_from(ticket_serial).unwrap_or(u32::MAX), u32::try_from(i + 1).unwrap_or(u32::MAX))
            .map_err(|e| AppError::Detailed { code: e.code(), detail: String::new() })?;
        let account_id = accounts::insert(
            &mut tx,
            &NewAccountRow {
                username: &ticket,
                display_name: name,
                role: Role::Candidate,
                institution_id: Some(institution_id),
                password_hash: hash,
                now_ms: now,
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::from(SessionRefusal::TicketTaken),
            other => other.into(),
        })?;
        exams::insert_candidate(
            &mut tx,
            &CandidateRow {
                id: 0,
                session_id,
                account_id,
                ticket: ticket.clone(),
                name: name.clone(),
                id_kind: doc.kind().as_str().to_string(),
                id_number: doc.number().to_string(),
                commitment_at_ms: None,
                signed_in_at_ms: None,
            },
        )
        .await?;
        roster.push(RosterEntry { ticket, name: name.clone(), id_masked: doc.masked(), password: Some(password.clone()) });
    }
    audit::append(
        &mut tx,
        db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: "session.create",
            target: format!("session:{session_id}"),
            detail: serde_json::json!({ "bank_id": bank.id, "level": level, "candidates": roster.len(), "proctors": proctors.len() }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(CreatedSession { session: view(&SessionRow { id: session_id, ..row }), roster })
}

/// Proctors and markers as chosen: real proctor accounts of this institution, at least the
/// rules' minimum of proctors for so many candidates (2, and 1 per 15, by the notice), and two
/// markers at least (double marking); no markers chosen means the proctors. Sorted, no repeats.
pub(crate) async fn checked_staff(
    db: &Db,
    institution_id: i64,
    proctor_ids: &[i64],
    marker_ids: &[i64],
    candidates: usize,
    rules: &Rules,
) -> Result<(Vec<i64>, Vec<i64>), AppError> {
    let mut proctors = proctor_ids.to_vec();
    proctors.sort_unstable();
    proctors.dedup();
    for id in &proctors {
        let a = accounts::get(db, *id).await?.ok_or(AppError::NotFound)?;
        if a.role != Role::Proctor || a.institution_id != Some(institution_id) {
            return Err(AppError::from(SessionRefusal::NotAProctor));
        }
    }
    if proctors.len() < rules.proctors_needed(candidates) {
        return Err(AppError::from(SessionRefusal::TooFewProctors));
    }
    let mut markers = if marker_ids.is_empty() { proctors.clone() } else { marker_ids.to_vec() };
    markers.sort_unstable();
    markers.dedup();
    for id in &markers {
        let a = accounts::get(db, *id).await?.ok_or(AppError::NotFound)?;
        if a.role != Role::Proctor || a.institution_id != Some(institution_id) {
            return Err(AppError::from(SessionRefusal::NotAMarker));
        }
    }
    if markers.len() < 2 {
        return Err(AppError::from(SessionRefusal::TooFewMarkers));
    }
    Ok((proctors, markers))
}

/// The sessions the actor works in: a proctor's own rooms, or their institution's sessions.
pub async fn visible(db: &Db, actor: &Actor) -> Result<Vec<SessionRow>, AppError> {
    Ok(match actor.role() {
        Role::Proctor => exams::sessions_of_proctor(db, actor.account.id).await?,
        // Oversight: every institution for regulators, those inspected for supervisors.
        Role::Regulator | Role::Supervisor => {
            let mut all = Vec::new();
            for i in exam_records::institutions::list(db).await? {
                if actor.role() == Role::Regulator || exam_records::institutions::inspects(db, actor.account.id, i.id).await? {
                    all.extend(exams::sessions_of_institution(db, i.id).await?);
                }
            }
            all.sort_by_key(|s| std::cmp::Reverse(s.starts_at_ms));
            all
        }
        _ => match actor.account.institution_id {
            Some(inst) => exams::sessions_of_institution(db, inst).await?,
            None => Vec::new(),
        },
    })
}

/// What creating a session refuses, each with its stable code; the web layer chooses the HTTP status by its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SessionRefusal {
    #[error("blueprint_infeasible")]
    BlueprintInfeasible,
    #[error("empty_roster")]
    EmptyRoster,
    #[error("invalid_blueprint")]
    InvalidBlueprint,
    #[error("invalid_capacity")]
    InvalidCapacity,
    #[error("invalid_marking_threshold")]
    InvalidMarkingThreshold,
    #[error("invalid_name")]
    InvalidName,
    #[error("level_not_in_bank")]
    LevelNotInBank,
    #[error("no_blueprint")]
    NoBlueprint,
    #[error("not_a_marker")]
    NotAMarker,
    #[error("not_a_proctor")]
    NotAProctor,
    #[error("not_filed")]
    NotFiled,
    #[error("room_over_capacity")]
    RoomOverCapacity,
    #[error("ticket_taken")]
    TicketTaken,
    #[error("too_few_markers")]
    TooFewMarkers,
    #[error("too_few_proctors")]
    TooFewProctors,
    #[error("weak_password")]
    WeakPassword,
    #[error("session_cancelled")]
    SessionCancelled,
    #[error("session_already_started")]
    AlreadyStarted,
    #[error("reason_required")]
    ReasonRequired,
}

impl SessionRefusal {
    /// The stable code a client receives.
    pub fn code(&self) -> &'static str {
        match self {
            SessionRefusal::BlueprintInfeasible => "blueprint_infeasible",
            SessionRefusal::EmptyRoster => "empty_roster",
            SessionRefusal::InvalidBlueprint => "invalid_blueprint",
            SessionRefusal::InvalidCapacity => "invalid_capacity",
            SessionRefusal::InvalidMarkingThreshold => "invalid_marking_threshold",
            SessionRefusal::InvalidName => "invalid_name",
            SessionRefusal::LevelNotInBank => "level_not_in_bank",
            SessionRefusal::NoBlueprint => "no_blueprint",
            SessionRefusal::NotAMarker => "not_a_marker",
            SessionRefusal::NotAProctor => "not_a_proctor",
            SessionRefusal::NotFiled => "not_filed",
            SessionRefusal::RoomOverCapacity => "room_over_capacity",
            SessionRefusal::TicketTaken => "ticket_taken",
            SessionRefusal::TooFewMarkers => "too_few_markers",
            SessionRefusal::TooFewProctors => "too_few_proctors",
            SessionRefusal::WeakPassword => "weak_password",
            SessionRefusal::SessionCancelled => "session_cancelled",
            SessionRefusal::AlreadyStarted => "session_already_started",
            SessionRefusal::ReasonRequired => "reason_required",
        }
    }

    pub fn kind(&self) -> crate::error::RefusalKind {
        use crate::error::RefusalKind;
        match self {
            SessionRefusal::BlueprintInfeasible
            | SessionRefusal::EmptyRoster
            | SessionRefusal::InvalidBlueprint
            | SessionRefusal::InvalidCapacity
            | SessionRefusal::InvalidMarkingThreshold
            | SessionRefusal::InvalidName
            | SessionRefusal::LevelNotInBank
            | SessionRefusal::NoBlueprint
            | SessionRefusal::NotAMarker
            | SessionRefusal::NotAProctor
            | SessionRefusal::NotFiled
            | SessionRefusal::RoomOverCapacity
            | SessionRefusal::TooFewMarkers
            | SessionRefusal::TooFewProctors
            | SessionRefusal::WeakPassword
            | SessionRefusal::ReasonRequired => RefusalKind::Invalid,
            SessionRefusal::TicketTaken | SessionRefusal::SessionCancelled | SessionRefusal::AlreadyStarted => RefusalKind::Conflict,
        }
    }
}

impl From<SessionRefusal> for crate::error::AppError {
    fn from(r: SessionRefusal) -> Self {
        crate::error::AppError::Session(r)
    }
}
