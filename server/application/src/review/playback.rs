//! One candidate's recordings and record for review playback: the segments of each track
//! with their times and hashes (camera and screen side by side, in sync by wall-clock time),
//! and one timeline of integrity events, proctor actions and notes, the question on screen,
//! answer saves and reviewers' findings.
use serde::Serialize;

use super::reviewable;
use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;
use exam_records::{archive as objects, exams, review};

/// The most events and answer saves one timeline carries.
const MAX_ITEMS: i64 = 20_000;

#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    /// The archive object's id (what `/api/v1/archive/{id}/play` serves).
    pub id: i64,
    pub track: String,
    pub index: i64,
    pub start_ms: i64,
    pub end_ms: i64,
    pub size: i64,
    pub sha256: String,
    /// Closed at start after a crash, not by the recorder.
    pub recovered: bool,
    /// The archive holds it (otherwise it still waits in the spool).
    pub archived: bool,
    /// Its place in the evidence log.
    pub evidence_index: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub id: i64,
    pub kind: String,
    pub detail: String,
    pub actor_id: Option<i64>,
    pub at_ms: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Playback {
    pub candidate_id: i64,
    pub name: String,
    pub ticket: String,
    pub session_id: i64,
    pub session_name: String,
    pub room: String,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    pub segments: Vec<Segment>,
    pub events: Vec<Event>,
    /// Answer saves: question number and time.
    pub answers: Vec<(i64, i64)>,
}

/// What review playback shows of one candidate, for those who may review them.
pub async fn of_candidate(app: &App, actor: &Actor, candidate_id: i64) -> Result<Playback, AppError> {
    let (c, s) = reviewable(app, actor, candidate_id).await?;
    let mut segments = Vec::new();
    for o in objects::of_subject(&app.db, &format!("candidate:{}", c.id)).await? {
        // Archival copies (`.vp9`) stand beside their originals; playback shows the originals.
        if o.class != crate::archive::Class::Video.as_str() || o.deleted_at_ms.is_some() || o.name.ends_with(".vp9") {
            continue;
        }
        segments.push(described(app, o).await?);
    }
    segments.sort_by_key(|g| (g.track.clone(), g.start_ms, g.index));
    let mut events = review::candidate_timeline(&app.db, s.id, c.id, MAX_ITEMS).await?;
    events.extend(review::candidate_viewings(&app.db, s.id, c.id, MAX_ITEMS).await?);
    events.sort_by_key(|e| (e.at_ms, e.id));
    let events = events.into_iter().map(|e| Event { id: e.id, kind: e.kind, detail: e.detail, actor_id: e.actor_id, at_ms: e.at_ms }).collect();
    let answers = match exams::paper_of_candidate(&app.db, c.id).await? {
        Some(p) => review::answer_times(&app.db, p.id, MAX_ITEMS).await?,
        None => Vec::new(),
    };
    Ok(Playback {
        candidate_id: c.id,
        name: c.name,
        ticket: c.ticket,
        session_id: s.id,
        session_name: s.name,
        room: s.room,
        starts_at_ms: s.starts_at_ms,
        ends_at_ms: s.ends_at_ms,
        segments,
        events,
        answers,
    })
}

/// A segment as its evidence entry describes it (track, index, times).
pub async fn described(app: &App, o: objects::ArchiveObject) -> Result<Segment, AppError> {
    let entry: serde_json::Value = match o.evidence_idx {
        Some(i) => review::evidence_entry(&app.db, i).await?.and_then(|d| serde_json::from_slice(&d).ok()).unwrap_or_default(),
        None => serde_json::Value::Null,
    };
    let num = |k: &str| entry.get(k).and_then(serde_json::Value::as_i64).unwrap_or(0);
    let end_ms = num("end_ms");
    let start_ms = match num("start_ms") {
        0 => end_ms - num("duration_ms").max(0),
        v => v,
    };
    Ok(Segment {
        id: o.id,
        track: entry.get("track").and_then(serde_json::Value::as_str).unwrap_or("camera").to_string(),
        index: num("index"),
        start_ms,
        end_ms,
        size: o.size,
        sha256: o.sha256,
        recovered: entry.get("recovered").and_then(serde_json::Value::as_bool).unwrap_or(false),
        archived: o.archived_at_ms.is_some(),
        evidence_index: o.evidence_idx,
    })
}

/// A segment's bytes for playback, checked against the SHA-256 logged when it was closed
/// (`fresh`: hashed now; otherwise a check of the last minute may stand):
/// `(object, bytes, checked)`. A segment whose bytes no longer match is still served (the
/// reviewer must see what is there) but marked unchecked; a missing one is an error.
pub async fn segment(app: &App, actor: &Actor, id: i64, fresh: bool) -> Result<(objects::ArchiveObject, Vec<u8>, bool), AppError> {
    let o = objects::get(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let Some(cid) = o.subject.strip_prefix("candidate:").and_then(|c| c.parse::<i64>().ok()) else { return Err(AppError::NotFound) };
    if o.class != crate::archive::Class::Video.as_str() || o.deleted_at_ms.is_some() {
        return Err(AppError::NotFound);
    }
    reviewable(app, actor, cid).await?;
    let _reading = readers().acquire().await.map_err(|e| AppError::Internal(e.into()))?;
    let bytes = crate::archive::files::read_bytes(app, &o).await?;
    let now = app.clock.now_ms();
    let known =
        if fresh { None } else { checked_lately().lock().ok().and_then(|m| m.get(&(o.id, bytes.len())).copied()).filter(|(_, at)| now - at < CHECK_KEPT_MS) };
    let checked = match known {
        Some((c, _)) => c,
        None => {
            let c = media::archive::sha256_hex(&bytes) == o.sha256;
            if let Ok(mut m) = checked_lately().lock() {
                if m.len() > 10_000 {
                    m.clear();
                }
                m.insert((o.id, bytes.len()), (c, now));
            }
            c
        }
    };
    if !checked {
        tracing::error!(id = o.id, key = %o.object_key, "a recording segment does not match its logged SHA-256");
    }
    Ok((o, bytes, checked))
}

/// How long a segment's hash check stands for the ranges asked of it after (a seek asks for
/// many); its bytes are read again each time, and checked again after that. A request for the
/// whole segment (and the page's check, a HEAD) is always hashed afresh.
const CHECK_KEPT_MS: i64 = 60_000;

/// Segments checked lately, by id and length: the result and when.
/// Per segment (id, length): whether it matched, and when that was found.
type Checks = std::sync::Mutex<std::collections::HashMap<(i64, usize), (bool, i64)>>;

fn checked_lately() -> &'static Checks {
    static M: std::sync::OnceLock<Checks> = std::sync::OnceLock::new();
    M.get_or_init(Default::default)
}

/// At most this many segments are read for playback at once (each is held whole in memory).
fn readers() -> &'static tokio::sync::Semaphore {
    static S: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    S.get_or_init(|| tokio::sync::Semaphore::new(8))
}

/// A session's candidates as review lists them (id, name, ticket), for those who may review.
pub async fn candidates_of_session(app: &App, actor: &Actor, session_id: i64) -> Result<Vec<(i64, String, String)>, AppError> {
    let s = exams::get_session(&app.db, session_id).await?.ok_or(AppError::NotFound)?;
    if !crate::archive::files::may_see(app, actor, Some(s.institution_id)).await? {
        return Err(AppError::NotFound);
    }
    Ok(exams::candidates(&app.db, s.id).await?.into_iter().map(|c| (c.id, c.name, c.ticket)).collect())
}
