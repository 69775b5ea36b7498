//! A candidate's way through the test: sign in with ticket and ID, accept the commitment,
//! start (the paper is assembled and frozen), answer, hand in; and the status the page shows.
use std::net::IpAddr;

use exam_protocol::{AnswerRequest, CandidateLogin, CandidatePaper, ExamStatus, Response, SavedAnswer, Stage};
use question_bank::blueprint::Blueprint;
use question_bank::identity::{IdDocument, IdKind};
use question_bank::paper::{self, PoolItem};
use question_bank::scoring;
use question_bank::{Choice, ItemType, Points};

use super::answer_writer::{Ack, AnswerEvent};
use super::lifecycle;
use super::paper_view::Question;
use super::timing::{PaperClock, SessionTimes, TimingError};
use crate::auth::{self, SignedIn};

use crate::App;
use crate::actor::Actor;
use crate::error::AppError;
use exam_records::audit::{self, Entry};
use exam_records::exams::{self, CandidateRow, PaperRow, PaperStatus, SessionRow};
use exam_records::{StoreError, banks, marking};
use sqlx::AnyConnection;

/// Sign-in opens this long before the start, for the commitment and the device check.
const SIGN_IN_BEFORE_MS: i64 = 60 * 60_000;

pub fn times(s: &SessionRow) -> SessionTimes {
    SessionTimes {
        starts_at_ms: s.starts_at_ms,
        ends_at_ms: s.ends_at_ms,
        duration_ms: s.duration_secs * 1000,
        late_entry_ms: s.late_entry_secs * 1000,
        earliest_hand_in_ms: s.earliest_hand_in_secs * 1000,
    }
}

fn timing(e: TimingError) -> AppError {
    AppError::Conflict(e.code())
}

/// The candidate behind a signed-in account, with their session.
pub async fn context(state: &App, user: &Actor) -> Result<(CandidateRow, SessionRow), AppError> {
    let c = exams::candidate_by_account(&state.db, user.account.id).await?.ok_or(AppError::NotFound)?;
    let s = exams::get_session(&state.db, c.session_id).await?.ok_or(AppError::NotFound)?;
    Ok((c, s))
}

/// The exam sign-in: ticket, ID number and password are checked together, with one password
/// hash whatever is wrong, and every wrong combination answers the same `invalid_credentials`;
/// only then is anything said about the session's window, the paper or the device.
pub async fn login(state: &App, req: &CandidateLogin, ip: IpAddr) -> Result<SignedIn, AppError> {
    let ticket = req.ticket.trim();
    let found = exams::candidate_by_ticket(&state.db, ticket).await?;
    let id_ok = found.as_ref().is_some_and(|c| {
        // An ID kind we cannot read matches nothing (and is reported below), never a guess.
        IdKind::parse(&c.id_kind).is_some_and(|kind| IdDocument::parse(kind, &req.id_number).is_ok_and(|d| d.number() == c.id_number))
    });
    if let Some(c) = &found
        && IdKind::parse(&c.id_kind).is_none()
    {
        return Err(unreadable(format!("session candidate {}: ID kind {:?}", c.id, c.id_kind)));
    }
    let account_id = found.as_ref().map(|c| c.account_id);
    let account = auth::verify(state, ticket, &req.password, ip, |a| a.role == exam_protocol::Role::Candidate && id_ok && Some(a.id) == account_id).await?;
    let c = found.ok_or(AppError::InvalidCredentials)?;
    let s = exams::get_session(&state.db, c.session_id).await?.ok_or(AppError::NotFound)?;
    if s.cancelled_at_ms.is_some() {
        return Err(AppError::from(crate::exams::sessions::SessionRefusal::SessionCancelled));
    }
    let now = state.clock.now_ms();
    let paper = exams::paper_of_candidate(&state.db, c.id).await?;
    if now < s.starts_at_ms - SIGN_IN_BEFORE_MS {
        return Err(timing(TimingError::NotOpen));
    }
    // Without a paper, the late-entry cut-off closes the door; with one, the candidate may
    // come back until their time is over.
    match &paper {
        None if now > s.starts_at_ms + s.late_entry_secs * 1000 => {
            return Err(timing(TimingError::EntryClosed));
        }
        Some(p) if p.status != PaperStatus::InProgress => return Err(AppError::from(ExamRefusal::PaperEnded)),
        Some(p) if PaperClock { deadline_ms: p.deadline_ms, paused_at_ms: p.paused_at_ms }.is_over(now) => {
            return Err(AppError::from(ExamRefusal::PaperEnded));
        }
        _ => {}
    }
    let device = req.device.as_deref().map(str::trim).filter(|d| valid_device(d));
    let (bound, pending) = exams::candidate_devices(&state.db, c.id).await?;
    let moved = bound.is_some() && device != bound.as_deref();
    if paper.is_some() && s.device_approval && moved {
        // A started paper moves to another device only with a proctor's approval: no sign-in
        // now, and the request is shown in the room.
        let Some(device) = device else {
            return Err(AppError::from(ExamRefusal::DeviceRequired));
        };
        if pending.as_deref() != Some(device) {
            let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
            exams::set_pending_device(&mut tx, c.id, device).await?;
            exams::insert_event(&mut tx, s.id, Some(c.id), "device_change_requested", "{}", None, now).await?;
            tx.commit().await.map_err(StoreError::from)?;
        }
        return Err(AppError::from(ExamRefusal::DeviceApprovalRequired));
    }
    let signed = auth::open_session(state, account).await?;
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    if let Some(d) = device
        && bound.as_deref() != Some(d)
    {
        exams::set_device(&mut tx, c.id, d).await?;
    }
    if c.signed_in_at_ms.is_some() {
        // Signing in again (power cut, another browser) is allowed, and proctors see it.
        exams::insert_event(&mut tx, s.id, Some(c.id), "second_sign_in", "{}", None, now).await?;
    } else {
        exams::record_sign_in(&mut tx, c.id, now).await?;
        exams::insert_event(&mut tx, s.id, Some(c.id), "signed_in", "{}", None, now).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(signed)
}

/// A device id as the exam page makes it: 8 to 64 letters, digits, '-' or '_'.
fn valid_device(d: &str) -> bool {
    (8..=64).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Where a started paper stands.
pub fn paper_stage(p: &PaperRow) -> Stage {
    match p.status {
        PaperStatus::InProgress if p.paused_at_ms.is_some() => Stage::Paused,
        PaperStatus::InProgress => Stage::InProgress,
        PaperStatus::Terminated => Stage::Terminated,
        PaperStatus::HandedIn => Stage::HandedIn,
    }
}

pub async fn status(state: &App, user: &Actor) -> Result<ExamStatus, AppError> {
    let (c, s) = context(state, user).await?;
    let now = state.clock.now_ms();
    let t = times(&s);
    let paper = exams::paper_of_candidate(&state.db, c.id).await?;
    let (stage, remaining, paper_id, score) = match &paper {
        Some(p) => {
            let clock = PaperClock { deadline_ms: p.deadline_ms, paused_at_ms: p.paused_at_ms };
            (paper_stage(p), Some(clock.remaining_ms(now)), Some(p.id), p.score)
        }
        None if c.commitment_at_ms.is_none() => (Stage::Commitment, None, None, None),
        None => match t.check_entry(now) {
            Ok(()) => (Stage::Ready, None, None, None),
            Err(TimingError::NotOpen) => (Stage::Waiting, None, None, None),
            Err(_) => (Stage::EntryClosed, None, None, None),
        },
    };
    let points = score.and_then(|v| u32::try_from(v).ok()).map(Points);
    let said = |v: &serde_json::Value, key: &str| v.get(key).and_then(|x| x.as_str()).map(str::to_string);
    // The proctor's reason for the state the paper is in: the latest pause, or the termination.
    let reason_of = match stage {
        Stage::Paused => Some("pause"),
        Stage::Terminated => Some("terminated"),
        _ => None,
    };
    let reason = match reason_of {
        Some(kind) => exams::last_candidate_event(&state.db, c.id, kind)
            .await?
            .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
            .and_then(|v| said(&v, "reason")),
        None => None,
    };
    let (paused_reason, ended_reason) = if stage == Stage::Paused { (reason, None) } else { (None, reason) };
    let (raw_points, max_points) = match (&paper, points) {
        (Some(p), Some(_)) => {
            let detail = exams::score_detail(&state.db, p.id).await?.and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok());
            let get = |k: &str| detail.as_ref().and_then(|d| d.get(k)).and_then(|v| v.as_u64()).and_then(|v| u32::try_from(v).ok()).map(Points);
            (get("raw"), get("max"))
        }
        _ => (None, None),
    };
    let notices = exams::candidate_events(&state.db, c.id, "warning", 200)
        .await?
        .into_iter()
        .filter_map(|(d, at_ms)| {
            serde_json::from_str::<serde_json::Value>(&d).ok().and_then(|v| said(&v, "text")).map(|text| exam_protocol::StatusNotice { at_ms, text })
        })
        .collect();
    Ok(ExamStatus {
        stage,
        session_name: s.name.clone(),
        room: s.room.clone(),
        candidate_name: c.name.clone(),
        ticket: c.ticket.clone(),
        starts_at_ms: s.starts_at_ms,
        server_now_ms: now,
        remaining_ms: remaining,
        earliest_hand_in_at_ms: s.starts_at_ms + s.earliest_hand_in_secs * 1000,
        paper_id,
        score: points,
        passed: points.map(|p| i64::from(p.0) >= s.pass_mark * 1000),
        pass_mark: s.pass_mark,
        raw_points,
        max_points,
        paused_reason,
        ended_reason,
        notices,
    })
}

/// Most photos one candidate may take, and the largest one (a JPEG of the camera's frame).
const MAX_PHOTOS: i64 = 10;
pub(crate) const MAX_PHOTO_BYTES: usize = 512 * 1024;

/// A photo's type, by its content: JPEG or PNG, nothing else.
pub(crate) fn photo_mime(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// The candidate's own photo from the device check (a JPEG or PNG), for the proctor's identity
/// check (人证核验); bounded in size and number, and noted in the exam-room record.
pub async fn store_photo(state: &App, user: &Actor, bytes: &[u8]) -> Result<(), AppError> {
    let (c, s) = context(state, user).await?;
    let mime = photo_mime(bytes).ok_or(AppError::from(ExamRefusal::InvalidPhoto))?;
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(AppError::TooLarge);
    }
    // The photo belongs to the device check: once the paper is drawn it is what the proctor
    // checked, and it is not replaced.
    if exams::paper_of_candidate(&state.db, c.id).await?.is_some() {
        return Err(AppError::from(ExamRefusal::PhotoAfterStart));
    }
    if exam_records::photos::count(&state.db, c.id).await? >= MAX_PHOTOS {
        return Err(AppError::from(ExamRefusal::TooManyPhotos));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    exam_records::photos::insert(&mut tx, c.id, now, mime, bytes).await?;
    exams::insert_event(&mut tx, s.id, Some(c.id), "photo_taken", "{}", Some(user.account.id), now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Records the commitment once; accepting it again changes nothing and stores nothing.
pub async fn accept_commitment(state: &App, user: &Actor, addr: &str) -> Result<(), AppError> {
    let (c, s) = context(state, user).await?;
    if c.commitment_at_ms.is_some() {
        return Ok(());
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    if !exams::record_commitment(&mut tx, c.id, now, addr).await? {
        return Ok(());
    }
    exams::insert_event(&mut tx, s.id, Some(c.id), "commitment", "{}", Some(user.account.id), now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Starts the test: assembles this candidate's paper from a fresh seed and freezes it. A
/// second call returns the paper already made.
pub async fn start(state: &App, user: &Actor) -> Result<PaperRow, AppError> {
    let (c, s) = context(state, user).await?;
    if let Some(p) = exams::paper_of_candidate(&state.db, c.id).await? {
        return Ok(p);
    }
    if s.cancelled_at_ms.is_some() {
        return Err(AppError::from(crate::exams::sessions::SessionRefusal::SessionCancelled));
    }
    if c.commitment_at_ms.is_none() {
        return Err(AppError::from(ExamRefusal::CommitmentRequired));
    }
    let now = state.clock.now_ms();
    let t = times(&s);
    t.check_entry(now).map_err(timing)?;
    // Camera, microphone and screen (as the session requires) reach the server before the
    // first question does.
    let flowing = state.media_cluster.flowing(c.id);
    if s.required_media.iter().any(|k| !flowing.contains(k)) {
        return Err(AppError::from(ExamRefusal::MediaRequired));
    }
    // With a camera, the candidate's own photo too: the proctor's identity check compares it
    // with the person and the document (人证核验).
    if s.required_media.contains(&exam_protocol::MediaKind::Camera) && exam_records::photos::count(&state.db, c.id).await? == 0 {
        return Err(AppError::from(ExamRefusal::PhotoRequired));
    }
    let bp: Blueprint = serde_json::from_str(&s.blueprint).map_err(|e| AppError::Internal(e.into()))?;
    let outline = banks::current_outline(&state.db, s.bank_id).await?.outline;
    // An item that cannot be read is an error, never quietly left out of the pool: a paper
    // drawn from part of the bank would not be the blueprint's.
    let pool: Vec<PoolItem> = exams::paper_pool(&state.db, s.bank_id)
        .await?
        .into_iter()
        .map(|(version_id, ty, point, difficulty, choices)| {
            let choices: Vec<Choice> = serde_json::from_str(&choices).map_err(|e| unreadable(format!("item version {version_id}: choices: {e}")))?;
            Ok(PoolItem {
                version_id,
                item_type: ItemType::parse(&ty).ok_or_else(|| unreadable(format!("item version {version_id}: type {ty:?}")))?,
                outline_point: point,
                difficulty: difficulty.and_then(|d| u8::try_from(d).ok()),
                choices: choices.into_iter().map(|ch| (ch.id, ch.fixed)).collect(),
            })
        })
        .collect::<Result<_, AppError>>()?;
    let seed: u64 = rand::random();
    let assembled = paper::assemble(&bp, &outline, &pool, seed).map_err(|e| AppError::Conflict(e.code()))?;
    let row = PaperRow {
        id: 0,
        session_candidate_id: c.id,
        // Stored bit for bit; read back with `as u64`.
        seed: seed as i64,
        questions: serde_json::to_string(&assembled.questions).map_err(|e| AppError::Internal(e.into()))?,
        started_at_ms: now,
        deadline_ms: t.deadline_ms(),
        paused_at_ms: None,
        status: PaperStatus::InProgress,
        ended_at_ms: None,
        score: None,
    };
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    let id = match exams::insert_paper(&mut tx, &row).await {
        // Two starts at once: the first paper wins and both get it.
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            return exams::paper_of_candidate(&state.db, c.id).await?.ok_or(AppError::NotFound);
        }
        other => other?,
    };
    exams::insert_event(&mut tx, s.id, Some(c.id), "started", "{}", Some(user.account.id), now).await?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: "paper.start",
            target: format!("paper:{id}"),
            detail: serde_json::json!({ "session_id": s.id, "questions": assembled.questions.len() }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(PaperRow { id, ..row })
}

pub async fn paper_copy(state: &App, user: &Actor) -> Result<CandidatePaper, AppError> {
    let (c, _) = context(state, user).await?;
    let p = exams::paper_of_candidate(&state.db, c.id).await?.ok_or(AppError::NotFound)?;
    let questions = state.papers.questions(&state.db, p.id, &p.questions).await?;
    let answers: Vec<SavedAnswer> = exams::current_answers(&state.db, p.id)
        .await?
        .into_iter()
        .map(|(no, resp, seq)| {
            let q =
                usize::try_from(no - 1).ok().and_then(|i| questions.get(i)).ok_or_else(|| unreadable(format!("paper {}: answer to question {no}", p.id)))?;
            Ok(SavedAnswer { no, seq, response: q.to_display_ids(stored_response(p.id, no, &resp)?) })
        })
        .collect::<Result<_, AppError>>()?;
    let last_seq = exams::max_seq(&state.db, p.id).await?;
    let now = state.clock.now_ms();
    Ok(CandidatePaper {
        paper_id: p.id,
        questions: questions.iter().map(|q| q.view()).collect(),
        answers,
        last_seq,
        remaining_ms: PaperClock { deadline_ms: p.deadline_ms, paused_at_ms: p.paused_at_ms }.remaining_ms(now),
        server_now_ms: now,
    })
}

/// Stores one answer durably, after checking that it belongs on this paper, now.
pub async fn answer(state: &App, user: &Actor, req: &AnswerRequest) -> Result<Ack, AppError> {
    let (c, _) = context(state, user).await?;
    let p = exams::paper_of_candidate(&state.db, c.id).await?.ok_or(AppError::NotFound)?;
    answer_on(state, &p, req).await
}

pub async fn answer_on(state: &App, p: &PaperRow, req: &AnswerRequest) -> Result<Ack, AppError> {
    let now = state.clock.now_ms();
    let (status, deadline, paused) = state.papers.clock(&state.db, p.id).await?.ok_or(AppError::NotFound)?;
    // Whether an answer counts now is the lifecycle's to say (ended, paused, past the deadline).
    let paper = lifecycle::Paper { status, clock: PaperClock { deadline_ms: deadline, paused_at_ms: paused }, delivery: lifecycle::Delivery::Fixed };
    paper.on(lifecycle::Event::Answer, now).map_err(|r| AppError::Conflict(r.code()))?;
    if req.seq < 1 {
        return Err(AppError::from(ExamRefusal::InvalidSequence));
    }
    // The sequence numbers bound how many answers one paper stores.
    if req.seq > state.settings.exam.max_answers_per_paper {
        return Err(AppError::from(ExamRefusal::TooManyAnswers));
    }
    let questions = state.papers.questions(&state.db, p.id, &p.questions).await?;
    let q = usize::try_from(req.no - 1).ok().and_then(|i| questions.get(i)).ok_or(AppError::from(ExamRefusal::NoSuchQuestion))?;
    // The page names options by their shown letters; what is stored is the bank's ids.
    let given = q.to_bank_ids(req.response.clone());
    scoring::validate(q.spec.item_type, &q.spec.choice_order, q.blanks, &given).map_err(|e| AppError::Validation(e.code()))?;
    let response = serde_json::to_string(&given).map_err(|e| AppError::Internal(e.into()))?;
    let ack = state.answers.write(AnswerEvent { paper_id: p.id, client_seq: req.seq, question_no: req.no, response, received_at_ms: now }).await.map_err(
        |e| match e {
            super::answer_writer::WriteError::Refused(code) => AppError::Conflict(code),
            other => AppError::Internal(other.into()),
        },
    )?;
    Ok(ack)
}

/// The evidence log's entry for a paper that ends: ids and digests only, never a name or an
/// answer in clear (the log is public).
fn hand_in_entry(
    s: &SessionRow,
    c: &exams::CandidateRow,
    p: &exams::PaperRow,
    status: PaperStatus,
    now: i64,
    answers: &[(i64, String, i64)],
) -> serde_json::Value {
    serde_json::json!({
        "kind": "hand_in", "session": s.id, "candidate": c.id, "paper": p.id, "status": status.as_str(), "at_ms": now,
        "answers": answers.len(), "sha256": hex::encode(crate::evidence::verify::digest(&p.questions, answers)),
    })
}

/// Ends a paper and scores it: on the candidate's hand-in (`by` is them), at the deadline
/// (`by` is None) or by a proctor's termination (`event` Terminate).
pub async fn finish(state: &App, paper_id: i64, event: lifecycle::Event, by: Option<&Actor>, reason: &str) -> Result<Finished, AppError> {
    let p = exams::paper(&state.db, paper_id).await?.ok_or(AppError::NotFound)?;
    let now = state.clock.now_ms();
    // What the paper becomes is the lifecycle's to say: handed in (by the candidate or at the
    // deadline) or terminated; ended already, or not due yet, ends nothing here.
    let paper = lifecycle::Paper {
        status: p.status,
        clock: PaperClock { deadline_ms: p.deadline_ms, paused_at_ms: p.paused_at_ms },
        delivery: lifecycle::Delivery::Fixed,
    };
    let status = match paper.on(event, now) {
        Ok(lifecycle::Step::Now(next)) if next.status != PaperStatus::InProgress => next.status,
        Ok(_) => return Err(AppError::Internal(anyhow::anyhow!("{event:?} does not end a paper"))),
        Err(lifecycle::Refusal::Ended) => return Ok(Finished::AlreadyEnded),
        Err(lifecycle::Refusal::NotOver) => return Ok(Finished::NotDue),
        Err(r) => return Err(AppError::Conflict(r.code())),
    };
    let c = exams::candidate(&state.db, p.session_candidate_id).await?.ok_or(AppError::NotFound)?;
    let s = exams::get_session(&state.db, c.session_id).await?.ok_or(AppError::NotFound)?;
    let questions = state.papers.questions(&state.db, p.id, &p.questions).await?;
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    // The paper ends first, in this transaction; the answers are read after it, in it: no
    // answer can be stored after this point (the answer writer checks the paper's status in
    // its own transaction, and on PostgreSQL this lock waits for the answers being committed),
    // so the score is computed from exactly the answers kept.
    exam_records::answers::hold_paper_exclusively(&mut tx, state.db.backend, p.id).await?;
    let at_deadline = matches!(event, lifecycle::Event::TimeUp);
    if !exams::end_paper(&mut tx, p.id, status, now, at_deadline, None, "{}").await? {
        // Another process (or the candidate) ended it first and scored it there, once; or, at
        // the deadline, a proctor moved the deadline or paused since the paper was read.
        return Ok(if at_deadline { Finished::NotDue } else { Finished::AlreadyEnded });
    }
    let answers = exam_records::answers::current_on(&mut tx, p.id).await?;
    // The evidence log keeps what was handed in: a digest over the paper's frozen questions and
    // its final answers as stored, committed with the hand-in or not at all.
    crate::evidence::log::append(&mut tx, "hand_in", &format!("paper:{}", p.id), &hand_in_entry(&s, &c, &p, status, now, &answers), now).await?;
    let rules = scoring::ScoringRules { multiple_partial: s.multiple_partial };
    // A stored answer that cannot be read stops the hand-in (logged, and the transaction
    // undone): scoring it as unanswered would quietly take points from the candidate.
    let scored: Vec<scoring::Scored> = questions
        .iter()
        .map(|q| {
            let response: Option<Response> = answers.iter().find(|(no, _, _)| *no == q.no).map(|(no, r, _)| stored_response(p.id, *no, r)).transpose()?;
            Ok(scoring::score(&q.record.content.key, response.as_ref(), q.spec.points, &rules))
        })
        .collect::<Result<_, AppError>>()?;
    let (percent, detail) = summarize(state, &s, &questions, &scored, reason).await?;
    exams::set_final_score(&mut tx, p.id, percent.map(|v| i64::from(v.0)), &detail).await?;
    if status == PaperStatus::HandedIn {
        match percent {
            Some(pc) => certify(&mut tx, state, &c, &s, pc, now).await?,
            // Short answers: the score waits for two markers (see `marking`).
            None => {
                for (q, sc) in questions.iter().zip(&scored) {
                    if *sc == scoring::Scored::NeedsMarking {
                        let seq = answers.iter().find(|(no, _, _)| *no == q.no).map(|(_, _, seq)| *seq);
                        marking::insert_item(&mut tx, s.id, p.id, q.no, i64::from(q.spec.points.0), seq).await?;
                    }
                }
            }
        }
    }
    exams::insert_event(&mut tx, s.id, Some(c.id), status.as_str(), &serde_json::json!({ "reason": reason }).to_string(), by.map(|u| u.account.id), now)
        .await?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: by.map(|u| u.audit_actor()).unwrap_or_default(),
            action: if status == PaperStatus::Terminated { "paper.terminate" } else { "paper.hand_in" },
            target: format!("paper:{}", p.id),
            detail: serde_json::json!({ "reason": reason, "score": percent }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    state.paper_changed(p.id, c.id);
    // The test is over: the streams and their recordings end here.
    state.media_cluster.end(c.id).await;
    Ok(Finished::Ended { score: percent })
}

/// What ending a paper came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    /// Ended and scored here; `score` is None while short answers wait for marking.
    Ended { score: Option<Points> },
    /// It had ended already (handed in, terminated, or swept by another process).
    AlreadyEnded,
    /// The deadline has not come (extra time or a pause moved it since the sweep looked).
    NotDue,
}

impl Finished {
    /// For a caller to whom an ended paper is a refusal (the candidate's hand-in).
    pub fn score(self) -> Result<Option<Points>, AppError> {
        match self {
            Finished::Ended { score } => Ok(score),
            Finished::AlreadyEnded => Err(AppError::from(ExamRefusal::PaperEnded)),
            // Only the deadline's event finds a paper not due, and the sweep asks for no score.
            Finished::NotDue => Err(AppError::Internal(anyhow::anyhow!("a paper not due was asked for its score"))),
        }
    }
}

/// The score out of 100 (None while answers wait for marking) and the detail kept with the
/// paper: every question's result, the raw total, and the score per outline scope.
pub async fn summarize(
    state: &App,
    s: &SessionRow,
    questions: &[Question],
    scored: &[scoring::Scored],
    reason: &str,
) -> Result<(Option<Points>, String), AppError> {
    let total = scoring::total(scored);
    let max: u32 = questions.iter().map(|q| q.spec.points.0).sum();
    // The score out of 100, whatever the paper's total: the pass mark is out of 100.
    let percent = total.map(|t| Points(if max == 0 { 0 } else { (u64::from(t.0) * 100_000 / u64::from(max)) as u32 }));
    // Score per outline scope (by top-level scope code), for the certification record.
    let outline = banks::current_outline(&state.db, s.bank_id).await?.outline;
    let per_point: Vec<(Option<String>, Points)> = questions
        .iter()
        .zip(scored)
        .map(|(q, sc)| {
            (
                q.record.content.outline_point.clone(),
                match sc {
                    scoring::Scored::Points(p) => *p,
                    scoring::Scored::NeedsMarking => Points(0),
                },
            )
        })
        .collect();
    let by_scope = scoring::by_scope(&outline, &per_point);
    let detail = serde_json::json!({ "reason": reason, "scored": scored, "raw": total, "max": max, "by_scope": by_scope }).to_string();
    Ok((percent, detail))
}

/// Writes the theory score into the candidate's certification record, and the record into the
/// audit trail (with a digest of the ID number, not the number), so a record changed or added
/// in the database later fails `audit verify`.
pub async fn certify(tx: &mut AnyConnection, state: &App, c: &CandidateRow, s: &SessionRow, percent: Points, now: i64) -> Result<(), AppError> {
    let bank = banks::get(&state.db, s.bank_id).await?.ok_or(AppError::NotFound)?;
    let record = exams::CertificationScore {
        id_kind: c.id_kind.clone(),
        id_number: c.id_number.clone(),
        occupation_code: bank.occupation_code.clone(),
        level: s.level,
        component: "theory".into(),
        score: i64::from(percent.0),
        passed: i64::from(percent.0) >= s.pass_mark * 1000,
        session_id: Some(s.id),
    };
    let id = exams::insert_certification_score(tx, &record, now).await?;
    audit::append(
        tx,
        state.db.backend,
        &Entry {
            actor: Default::default(),
            action: "certification.score",
            target: format!("certification_score:{id}"),
            detail: serde_json::json!({
                "holder": crate::audit::records::holder_hash(&record.id_kind, &record.id_number),
                "occupation_code": record.occupation_code,
                "level": record.level,
                "component": record.component,
                "score": record.score,
                "passed": record.passed,
                "session_id": s.id,
            })
            .to_string(),
            at_ms: now,
        },
    )
    .await?;
    Ok(())
}

pub async fn hand_in(state: &App, user: &Actor) -> Result<Option<Points>, AppError> {
    let (c, s) = context(state, user).await?;
    let p = exams::paper_of_candidate(&state.db, c.id).await?.ok_or(AppError::NotFound)?;
    let clock = PaperClock { deadline_ms: p.deadline_ms, paused_at_ms: p.paused_at_ms };
    let now = state.clock.now_ms();
    if !clock.is_over(now) {
        clock.check_hand_in(&times(&s), now).map_err(timing)?;
    }
    finish(state, p.id, lifecycle::Event::HandIn, Some(user), if clock.is_over(now) { "time_over" } else { "candidate" }).await?.score()
}

/// Records an integrity event from the candidate's page (left the page, left full screen,
/// copy or paste); proctors see it and it stays in the record.
pub async fn integrity(state: &App, user: &Actor, kind: exam_protocol::IntegrityKind) -> Result<(), AppError> {
    let (c, s) = context(state, user).await?;
    // Bounded per candidate: a page (or a script) sending hundreds a second must not flood the
    // record and the proctor's feed.
    let limits = &state.settings.exam;
    let now = state.clock.now_ms();
    if !state.limiter.hit(&format!("integrity:{}", c.id), limits.integrity_events_per_minute, now).await
        || exams::integrity_count(&state.db, c.id).await? >= limits.max_integrity_events
    {
        return Err(AppError::from(ExamRefusal::TooManyEvents));
    }
    let name = serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    // A reload is recorded as one, apart from the flags that count against the candidate.
    let event = if kind == exam_protocol::IntegrityKind::Reload { "reload" } else { "integrity" };
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    exams::insert_event(&mut tx, s.id, Some(c.id), event, &serde_json::json!({ "kind": name }).to_string(), Some(user.account.id), now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// How often a question's appearance on screen is recorded, per candidate and minute; more
/// is quietly not recorded (the answers themselves are never limited by this).
const VIEWINGS_PER_MINUTE: u32 = 60;

/// The question now on the candidate's screen, recorded for review playback's timeline.
pub async fn viewing(state: &App, user: &Actor, no: i64) -> Result<(), AppError> {
    if !(1..=10_000).contains(&no) {
        return Err(AppError::from(ExamRefusal::NoSuchQuestion));
    }
    let (c, s) = context(state, user).await?;
    let now = state.clock.now_ms();
    if !state.limiter.hit(&format!("viewing:{}", c.id), VIEWINGS_PER_MINUTE, now).await {
        return Ok(());
    }
    // Only on a paper being answered, and only its own questions.
    let Some(p) = exams::paper_of_candidate(&state.db, c.id).await? else { return Ok(()) };
    if p.status != exams::PaperStatus::InProgress || p.ended_at_ms.is_some() {
        return Ok(());
    }
    let questions = serde_json::from_str::<Vec<serde_json::Value>>(&p.questions).map(|q| q.len()).unwrap_or(0);
    if usize::try_from(no).map_or(true, |n| n > questions) {
        return Err(AppError::from(ExamRefusal::NoSuchQuestion));
    }
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    exams::insert_event(&mut tx, s.id, Some(c.id), "viewing", &serde_json::json!({ "no": no }).to_string(), Some(user.account.id), now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// What the candidate's page needs to publish its media, and what flows now.
pub async fn media_setup(state: &App, user: &Actor) -> Result<exam_protocol::MediaSetup, AppError> {
    let (c, s) = context(state, user).await?;
    let cfg = state.media.config();
    let m = &state.settings.media;
    let ice_servers = super::turn::credentials_for(&cfg.ice_servers, &m.turn_secret, m.turn_ttl_secs, c.id, state.clock.now_ms());
    Ok(exam_protocol::MediaSetup {
        required: s.required_media.clone(),
        ice_servers,
        caps: exam_protocol::MediaCaps::default(),
        flowing: state.media_cluster.flowing(c.id),
    })
}

/// Publishes the candidate's media from an SDP offer; the answer's SDP. Only the candidate's
/// own streams: the publisher is their place on the roster, whatever the offer says.
pub async fn publish_media(
    state: &App,
    c: &CandidateRow,
    sdp: &str,
    tracks: &std::collections::BTreeMap<String, exam_protocol::MediaKind>,
) -> Result<String, AppError> {
    let recording = format!("session-{}/candidate-{}", c.session_id, c.id);
    let tracks = tracks.iter().map(|(k, v)| (k.clone(), *v)).collect();
    state.media.publish(c.id, &recording, sdp, tracks).await.map_err(|e| match e {
        media::sfu::MediaError::BadOffer(_) => AppError::from(ExamRefusal::BadOffer),
        other => {
            tracing::warn!(error = %other, "media publish failed");
            AppError::from(ExamRefusal::MediaUnavailable)
        }
    })
}

/// A stored value that cannot be read: an error that is logged and shown, never a default.
pub fn unreadable(what: String) -> AppError {
    AppError::Internal(anyhow::anyhow!("stored record unreadable: {what}"))
}

/// A stored answer, as it was stored: bank ids, never guessed.
pub fn stored_response(paper_id: i64, no: i64, text: &str) -> Result<Response, AppError> {
    serde_json::from_str(text).map_err(|e| unreadable(format!("paper {paper_id}: answer to question {no}: {e}")))
}

/// What the candidate's own flow refuses (sign-in, start, answers, events, media), each with its stable code; the web layer chooses the HTTP status by its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ExamRefusal {
    #[error("bad_offer")]
    BadOffer,
    #[error("commitment_required")]
    CommitmentRequired,
    #[error("device_approval_required")]
    DeviceApprovalRequired,
    #[error("device_required")]
    DeviceRequired,
    #[error("invalid_sequence")]
    InvalidSequence,
    #[error("media_required")]
    MediaRequired,
    #[error("media_unavailable")]
    MediaUnavailable,
    #[error("no_such_question")]
    NoSuchQuestion,
    #[error("paper_ended")]
    PaperEnded,
    #[error("too_many_answers")]
    TooManyAnswers,
    #[error("too_many_events")]
    TooManyEvents,
    #[error("too_many_photos")]
    TooManyPhotos,
    #[error("invalid_photo")]
    InvalidPhoto,
    #[error("photo_after_start")]
    PhotoAfterStart,
    #[error("photo_required")]
    PhotoRequired,
}

impl ExamRefusal {
    /// The stable code a client receives.
    pub fn code(&self) -> &'static str {
        match self {
            ExamRefusal::BadOffer => "bad_offer",
            ExamRefusal::CommitmentRequired => "commitment_required",
            ExamRefusal::DeviceApprovalRequired => "device_approval_required",
            ExamRefusal::DeviceRequired => "device_required",
            ExamRefusal::InvalidSequence => "invalid_sequence",
            ExamRefusal::MediaRequired => "media_required",
            ExamRefusal::MediaUnavailable => "media_unavailable",
            ExamRefusal::NoSuchQuestion => "no_such_question",
            ExamRefusal::PaperEnded => "paper_ended",
            ExamRefusal::TooManyAnswers => "too_many_answers",
            ExamRefusal::TooManyEvents => "too_many_events",
            ExamRefusal::TooManyPhotos => "too_many_photos",
            ExamRefusal::InvalidPhoto => "invalid_photo",
            ExamRefusal::PhotoAfterStart => "photo_after_start",
            ExamRefusal::PhotoRequired => "photo_required",
        }
    }

    pub fn kind(&self) -> crate::error::RefusalKind {
        use crate::error::RefusalKind;
        match self {
            ExamRefusal::BadOffer | ExamRefusal::DeviceRequired | ExamRefusal::InvalidSequence | ExamRefusal::NoSuchQuestion | ExamRefusal::TooManyAnswers => {
                RefusalKind::Invalid
            }
            ExamRefusal::CommitmentRequired | ExamRefusal::MediaRequired | ExamRefusal::MediaUnavailable | ExamRefusal::PaperEnded => RefusalKind::Conflict,
            ExamRefusal::DeviceApprovalRequired => RefusalKind::Refused,
            ExamRefusal::TooManyEvents | ExamRefusal::TooManyPhotos => RefusalKind::TooMany,
            ExamRefusal::InvalidPhoto => RefusalKind::Invalid,
            ExamRefusal::PhotoAfterStart | ExamRefusal::PhotoRequired => RefusalKind::Conflict,
        }
    }
}

impl From<ExamRefusal> for crate::error::AppError {
    fn from(r: ExamRefusal) -> Self {
        crate::error::AppError::Exam(r)
    }
}
