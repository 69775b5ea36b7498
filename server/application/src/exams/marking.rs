//! Marking short answers: each answer goes to two of the session's markers, blind to each
//! other and to who wrote it; a third marks when the two differ by more than the session's
//! threshold. When a paper's last answer is settled its score is final and goes into the
//! candidate's certification record.
use exam_protocol::{MarkOutcome, MarkRequest, MarkingProgress, MarkingTask, Role};
use question_bank::marking::{self, MarkingState};
use question_bank::scoring::{self, Scored};
use question_bank::{Key, Points};

use super::candidate;

use crate::App;
use crate::actor::Actor;
use crate::error::AppError;
use exam_records::audit::{self, Entry};
use exam_records::marking::{self as store, NewMark};
use exam_records::{StoreError, exams};

/// The next answer for this marker, or None when nothing waits for them.
pub async fn next(state: &App, user: &Actor) -> Result<Option<MarkingTask>, AppError> {
    let (Some(item), waiting) = store::next_for(&state.db, user.account.id).await? else {
        return Ok(None);
    };
    let p = exams::paper(&state.db, item.paper_id).await?.ok_or(AppError::NotFound)?;
    let s = exams::get_session(&state.db, item.session_id).await?.ok_or(AppError::NotFound)?;
    let questions = state.papers.questions(&state.db, p.id, &p.questions).await?;
    let q = questions.iter().find(|q| q.no == item.question_no).ok_or(AppError::NotFound)?;
    // Exactly the answer that stood when the paper ended, whatever came later.
    let stored = match item.answer_seq {
        Some(seq) => exam_records::answers::response_of(&state.db, p.id, seq).await?,
        None => None,
    };
    let response = match stored {
        Some(r) => match super::candidate::stored_response(p.id, item.question_no, &r)? {
            scoring::Response::Text(t) => t,
            other => serde_json::to_string(&other).map_err(|e| AppError::Internal(e.into()))?,
        },
        None => String::new(),
    };
    let reference = match &q.record.content.key {
        Key::ShortAnswer { reference } => reference.clone(),
        _ => None,
    };
    Ok(Some(MarkingTask {
        id: item.id,
        session_name: s.name,
        question_no: item.question_no,
        stem: q.record.content.stem.clone(),
        reference,
        response,
        max_points: Points(u32::try_from(item.max_points).unwrap_or(0)),
        waiting,
    }))
}

/// Records one mark. Refused: not this marker's session (404), already marked by them or
/// already settled (409), points beyond the question's (422).
pub async fn mark(state: &App, user: &Actor, item_id: i64, req: &MarkRequest) -> Result<MarkOutcome, AppError> {
    if user.role() != Role::Proctor {
        return Err(AppError::Forbidden);
    }
    let comment = req.comment.trim();
    if comment.chars().count() > 1000 {
        return Err(AppError::from(MarkingRefusal::CommentTooLong));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    let item = store::item_for_update(&mut tx, state.db.backend, item_id).await?.ok_or(AppError::NotFound)?;
    if !store::is_marker(&state.db, item.session_id, user.account.id).await? {
        return Err(AppError::NotFound);
    }
    let max = Points(u32::try_from(item.max_points).unwrap_or(0));
    if !marking::valid_mark(req.points, max) {
        return Err(AppError::from(MarkingRefusal::InvalidPoints));
    }
    let given = store::marks(&mut tx, item.id).await?;
    if given.iter().any(|(m, _)| *m == user.account.id) {
        return Err(AppError::from(MarkingRefusal::AlreadyMarked));
    }
    if item.final_points.is_some() || given.len() as i64 >= item.wanted {
        return Err(AppError::from(MarkingRefusal::MarkingSettled));
    }
    let round = given.len() as i64 + 1;
    store::insert_mark(&mut tx, &NewMark { item_id: item.id, marker_id: user.account.id, round, points: i64::from(req.points.0), comment, at_ms: now }).await?;
    let mut points: Vec<Points> = given.iter().map(|(_, p)| Points(u32::try_from(*p).unwrap_or(0))).collect();
    points.push(req.points);
    let s = exams::get_session(&state.db, item.session_id).await?.ok_or(AppError::NotFound)?;
    let threshold = u32::try_from(s.marking_threshold_pct)
        .map_err(|_| super::candidate::unreadable(format!("session {}: marking threshold {}", s.id, s.marking_threshold_pct)))?;
    let settled = match marking::state(&points, max, threshold) {
        MarkingState::Open { wanted } => {
            store::set_wanted(&mut tx, item.id, round + wanted as i64).await?;
            None
        }
        MarkingState::Done(p) => {
            store::settle(&mut tx, item.id, i64::from(p.0)).await?;
            Some(p)
        }
    };
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: "marking.mark",
            target: format!("paper:{}#{}", item.paper_id, item.question_no),
            detail: serde_json::json!({ "round": round, "points": req.points, "settled": settled }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    let paper_score = if settled.is_some() { finalize_paper(state, &mut tx, item.paper_id, now).await? } else { None };
    tx.commit().await.map_err(StoreError::from)?;
    Ok(MarkOutcome { settled, paper_score })
}

/// When every marked answer of the paper is settled: the final score, the certification record.
async fn finalize_paper(state: &App, tx: &mut sqlx::AnyConnection, paper_id: i64, now: i64) -> Result<Option<Points>, AppError> {
    let items = store::paper_items(tx, paper_id).await?;
    if items.iter().any(|(_, f)| f.is_none()) {
        return Ok(None);
    }
    let p = exams::paper(&state.db, paper_id).await?.ok_or(AppError::NotFound)?;
    let c = exams::candidate(&state.db, p.session_candidate_id).await?.ok_or(AppError::NotFound)?;
    let s = exams::get_session(&state.db, c.session_id).await?.ok_or(AppError::NotFound)?;
    let questions = state.papers.questions(&state.db, p.id, &p.questions).await?;
    let detail_text = exams::paper_score_detail(tx, paper_id).await?.unwrap_or_default();
    let detail: serde_json::Value = serde_json::from_str(&detail_text).map_err(|e| AppError::Internal(e.into()))?;
    let mut scored: Vec<Scored> = serde_json::from_value(detail["scored"].clone()).map_err(|e| AppError::Internal(e.into()))?;
    for (no, final_points) in &items {
        if let (Some(slot), Some(f)) = (usize::try_from(no - 1).ok().and_then(|i| scored.get_mut(i)), final_points) {
            *slot = Scored::Points(Points(u32::try_from(*f).unwrap_or(0)));
        }
    }
    let reason = detail["reason"].as_str().unwrap_or("candidate").to_string();
    let (percent, new_detail) = candidate::summarize(state, &s, &questions, &scored, &reason).await?;
    let Some(percent) = percent else {
        return Ok(None);
    };
    if !exams::set_marked_score(tx, paper_id, i64::from(percent.0), &new_detail).await? {
        return Ok(None);
    }
    candidate::certify(tx, state, &c, &s, percent, now).await?;
    audit::append(
        tx,
        state.db.backend,
        &Entry {
            actor: Default::default(),
            action: "paper.marked",
            target: format!("paper:{paper_id}"),
            detail: serde_json::json!({ "score": percent }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    Ok(Some(percent))
}

/// For the session's admin and its proctors: how far marking has come.
pub async fn progress(state: &App, user: &Actor, session_id: i64) -> Result<MarkingProgress, AppError> {
    let s = super::proctor::session_for(state, user, session_id, false).await?;
    let (answers, settled, awaiting_third, papers_waiting) = store::progress(&state.db, s.id).await?;
    Ok(MarkingProgress { answers, settled, awaiting_third, papers_waiting })
}

/// What marking refuses, each with its stable code; the web layer chooses the HTTP status by its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MarkingRefusal {
    #[error("already_marked")]
    AlreadyMarked,
    #[error("comment_too_long")]
    CommentTooLong,
    #[error("invalid_points")]
    InvalidPoints,
    #[error("marking_settled")]
    MarkingSettled,
}

impl MarkingRefusal {
    /// The stable code a client receives.
    pub fn code(&self) -> &'static str {
        match self {
            MarkingRefusal::AlreadyMarked => "already_marked",
            MarkingRefusal::CommentTooLong => "comment_too_long",
            MarkingRefusal::InvalidPoints => "invalid_points",
            MarkingRefusal::MarkingSettled => "marking_settled",
        }
    }

    pub fn kind(&self) -> crate::error::RefusalKind {
        use crate::error::RefusalKind;
        match self {
            MarkingRefusal::AlreadyMarked | MarkingRefusal::MarkingSettled => RefusalKind::Conflict,
            MarkingRefusal::CommentTooLong | MarkingRefusal::InvalidPoints => RefusalKind::Invalid,
        }
    }
}

impl From<MarkingRefusal> for crate::error::AppError {
    fn from(r: MarkingRefusal) -> Self {
        crate::error::AppError::Marking(r)
    }
}
