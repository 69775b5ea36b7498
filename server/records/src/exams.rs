//! Sessions, rosters, papers, answers, exam-room events and certification scores.
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{Db, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: i64,
    pub institution_id: i64,
    pub bank_id: i64,
    pub level: i64,
    pub batch: String,
    pub name: String,
    pub room: String,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    pub duration_secs: i64,
    pub late_entry_secs: i64,
    pub earliest_hand_in_secs: i64,
    pub capacity: i64,
    pub multiple_partial: bool,
    pub pass_mark: i64,
    pub device_approval: bool,
    /// Percent of a question's points two markers may differ by before a third marks.
    pub marking_threshold_pct: i64,
    /// Tracks that must be streaming before the first question.
    pub required_media: Vec<exam_protocol::MediaKind>,
    /// The blueprint as JSON, copied when the session was made so later edits do not move it.
    pub blueprint: String,
    /// When the session was cancelled (before it started), if it was.
    pub cancelled_at_ms: Option<i64>,
}

macro_rules! session_columns {
    () => {
        "id, institution_id, bank_id, level, batch, name, room, starts_at_ms, ends_at_ms, duration_secs, late_entry_secs, \
         earliest_hand_in_secs, capacity, multiple_partial, pass_mark, device_approval, marking_threshold_pct, required_media, blueprint, \
         cancelled_at_ms"
    };
}

fn session_from_row(r: &AnyRow) -> StoreResult<SessionRow> {
    Ok(SessionRow {
        id: r.try_get("id")?,
        institution_id: r.try_get("institution_id")?,
        bank_id: r.try_get("bank_id")?,
        level: r.try_get("level")?,
        batch: r.try_get("batch")?,
        name: r.try_get("name")?,
        room: r.try_get("room")?,
        starts_at_ms: r.try_get("starts_at_ms")?,
        ends_at_ms: r.try_get("ends_at_ms")?,
        duration_secs: r.try_get("duration_secs")?,
        late_entry_secs: r.try_get("late_entry_secs")?,
        earliest_hand_in_secs: r.try_get("earliest_hand_in_secs")?,
        capacity: r.try_get("capacity")?,
        multiple_partial: r.try_get::<i64, _>("multiple_partial")? != 0,
        pass_mark: r.try_get("pass_mark")?,
        device_approval: r.try_get::<i64, _>("device_approval")? != 0,
        marking_threshold_pct: r.try_get("marking_threshold_pct")?,
        required_media: serde_json::from_str(&r.try_get::<String, _>("required_media")?)
            .map_err(|e| sqlx::Error::Decode(format!("required_media: {e}").into()))?,
        blueprint: r.try_get("blueprint")?,
        cancelled_at_ms: r.try_get("cancelled_at_ms")?,
    })
}

/// Cancels a session that has drawn no paper yet; false when it had (or was cancelled before).
pub async fn cancel_session(conn: &mut AnyConnection, id: i64, now_ms: i64, reason: &str) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE exam_sessions SET cancelled_at_ms = $2, cancel_reason = $3
         WHERE id = $1 AND cancelled_at_ms IS NULL
           AND NOT EXISTS (SELECT 1 FROM papers p JOIN session_candidates c ON c.id = p.session_candidate_id WHERE c.session_id = $1)",
    )
    .bind(id)
    .bind(now_ms)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A session's names: batch, name and room; false when it is cancelled.
pub async fn rename_session(conn: &mut AnyConnection, id: i64, batch: &str, name: &str, room: &str) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE exam_sessions SET batch = $2, name = $3, room = $4 WHERE id = $1 AND cancelled_at_ms IS NULL")
        .bind(id)
        .bind(batch)
        .bind(name)
        .bind(room)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Renames a batch across an institution's sessions that are not cancelled; how many.
pub async fn rename_batch(conn: &mut AnyConnection, institution_id: i64, from: &str, to: &str) -> StoreResult<u64> {
    let done = sqlx::query("UPDATE exam_sessions SET batch = $3 WHERE institution_id = $1 AND batch = $2 AND cancelled_at_ms IS NULL")
        .bind(institution_id)
        .bind(from)
        .bind(to)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

pub async fn insert_filing(conn: &mut AnyConnection, institution_id: i64, occupation_code: &str, level: i64, now_ms: i64) -> StoreResult<()> {
    sqlx::query("INSERT INTO filings (institution_id, occupation_code, level, filed_at_ms) VALUES ($1, $2, $3, $4)")
        .bind(institution_id)
        .bind(occupation_code)
        .bind(level)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// An institution's filings: occupation code and level, in that order.
pub async fn filings_of(db: &Db, institution_id: i64) -> StoreResult<Vec<(String, i64)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT occupation_code, level FROM filings WHERE institution_id = $1 ORDER BY occupation_code, level DESC")
        .bind(institution_id)
        .fetch_all(db.reader())
        .await?;
    Ok(rows)
}

pub async fn has_filing(db: &Db, institution_id: i64, occupation_code: &str, level: i64) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM filings WHERE institution_id = $1 AND occupation_code = $2 AND level = $3")
        .bind(institution_id)
        .bind(occupation_code)
        .bind(level)
        .fetch_one(db.reader())
        .await?;
    Ok(n > 0)
}

pub async fn insert_session(conn: &mut AnyConnection, s: &SessionRow, created_by: i64, now_ms: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO exam_sessions (institution_id, bank_id, level, batch, name, room, starts_at_ms, ends_at_ms, duration_secs,
             late_entry_secs, earliest_hand_in_secs, capacity, multiple_partial, pass_mark, device_approval, blueprint,
             created_by, created_at_ms, marking_threshold_pct, required_media)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id",
    )
    .bind(s.institution_id)
    .bind(s.bank_id)
    .bind(s.level)
    .bind(&s.batch)
    .bind(&s.name)
    .bind(&s.room)
    .bind(s.starts_at_ms)
    .bind(s.ends_at_ms)
    .bind(s.duration_secs)
    .bind(s.late_entry_secs)
    .bind(s.earliest_hand_in_secs)
    .bind(s.capacity)
    .bind(i64::from(s.multiple_partial))
    .bind(s.pass_mark)
    .bind(i64::from(s.device_approval))
    .bind(&s.blueprint)
    .bind(created_by)
    .bind(now_ms)
    .bind(s.marking_threshold_pct)
    .bind(serde_json::to_string(&s.required_media).unwrap_or_else(|_| "[]".into()))
    .fetch_one(conn)
    .await?)
}

pub async fn get_session(db: &Db, id: i64) -> StoreResult<Option<SessionRow>> {
    let row = sqlx::query(concat!("SELECT ", session_columns!(), " FROM exam_sessions WHERE id = $1")).bind(id).fetch_optional(db.reader()).await?;
    row.as_ref().map(session_from_row).transpose()
}

pub async fn add_proctor(conn: &mut AnyConnection, session_id: i64, account_id: i64) -> StoreResult<()> {
    sqlx::query("INSERT INTO session_proctors (session_id, account_id) VALUES ($1, $2)").bind(session_id).bind(account_id).execute(conn).await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateRow {
    pub id: i64,
    pub session_id: i64,
    pub account_id: i64,
    pub ticket: String,
    pub name: String,
    pub id_kind: String,
    pub id_number: String,
    pub commitment_at_ms: Option<i64>,
    pub signed_in_at_ms: Option<i64>,
}

macro_rules! candidate_columns {
    () => {
        "id, session_id, account_id, ticket, name, id_kind, id_number, commitment_at_ms, signed_in_at_ms"
    };
}

fn candidate_from_row(r: &AnyRow) -> StoreResult<CandidateRow> {
    Ok(CandidateRow {
        id: r.try_get("id")?,
        session_id: r.try_get("session_id")?,
        account_id: r.try_get("account_id")?,
        ticket: r.try_get("ticket")?,
        name: r.try_get("name")?,
        id_kind: r.try_get("id_kind")?,
        id_number: r.try_get("id_number")?,
        commitment_at_ms: r.try_get("commitment_at_ms")?,
        signed_in_at_ms: r.try_get("signed_in_at_ms")?,
    })
}

pub async fn insert_candidate(conn: &mut AnyConnection, c: &CandidateRow) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO session_candidates (session_id, account_id, ticket, name, id_kind, id_number)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(c.session_id)
    .bind(c.account_id)
    .bind(&c.ticket)
    .bind(&c.name)
    .bind(&c.id_kind)
    .bind(&c.id_number)
    .fetch_one(conn)
    .await?)
}

pub async fn candidate_by_ticket(db: &Db, ticket: &str) -> StoreResult<Option<CandidateRow>> {
    let row =
        sqlx::query(concat!("SELECT ", candidate_columns!(), " FROM session_candidates WHERE ticket = $1")).bind(ticket).fetch_optional(db.reader()).await?;
    row.as_ref().map(candidate_from_row).transpose()
}

pub async fn candidate_by_account(db: &Db, account_id: i64) -> StoreResult<Option<CandidateRow>> {
    let row = sqlx::query(concat!("SELECT ", candidate_columns!(), " FROM session_candidates WHERE account_id = $1 ORDER BY id DESC LIMIT 1"))
        .bind(account_id)
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(candidate_from_row).transpose()
}

/// Where a paper is: running (paused or not, which the clock says), handed in (by the
/// candidate or at the deadline), or ended by a proctor. Stored as its snake_case name; a
/// stored value outside these is an error, never a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaperStatus {
    InProgress,
    HandedIn,
    Terminated,
}

impl PaperStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaperStatus::InProgress => "in_progress",
            PaperStatus::HandedIn => "handed_in",
            PaperStatus::Terminated => "terminated",
        }
    }

    pub fn parse(s: &str) -> Option<PaperStatus> {
        match s {
            "in_progress" => Some(PaperStatus::InProgress),
            "handed_in" => Some(PaperStatus::HandedIn),
            "terminated" => Some(PaperStatus::Terminated),
            _ => None,
        }
    }

    /// Read from a row's `status` column.
    fn from_column(r: &AnyRow) -> StoreResult<PaperStatus> {
        let s: String = r.try_get("status")?;
        PaperStatus::parse(&s).ok_or_else(|| StoreError::Database(sqlx::Error::Decode(format!("unknown paper status {s:?}").into())))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperRow {
    pub id: i64,
    pub session_candidate_id: i64,
    pub seed: i64,
    /// The frozen questions as JSON.
    pub questions: String,
    pub started_at_ms: i64,
    pub deadline_ms: i64,
    pub paused_at_ms: Option<i64>,
    pub status: PaperStatus,
    pub ended_at_ms: Option<i64>,
    pub score: Option<i64>,
}

macro_rules! paper_columns {
    () => {
        "id, session_candidate_id, seed, questions, started_at_ms, deadline_ms, paused_at_ms, status, ended_at_ms, score"
    };
}

fn paper_from_row(r: &AnyRow) -> StoreResult<PaperRow> {
    Ok(PaperRow {
        id: r.try_get("id")?,
        session_candidate_id: r.try_get("session_candidate_id")?,
        seed: r.try_get("seed")?,
        questions: r.try_get("questions")?,
        started_at_ms: r.try_get("started_at_ms")?,
        deadline_ms: r.try_get("deadline_ms")?,
        paused_at_ms: r.try_get("paused_at_ms")?,
        status: PaperStatus::from_column(r)?,
        ended_at_ms: r.try_get("ended_at_ms")?,
        score: r.try_get("score")?,
    })
}

pub async fn insert_paper(conn: &mut AnyConnection, p: &PaperRow) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO papers (session_candidate_id, seed, questions, started_at_ms, deadline_ms, status)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(p.session_candidate_id)
    .bind(p.seed)
    .bind(&p.questions)
    .bind(p.started_at_ms)
    .bind(p.deadline_ms)
    .bind(p.status.as_str())
    .fetch_one(conn)
    .await?)
}

pub async fn paper(db: &Db, id: i64) -> StoreResult<Option<PaperRow>> {
    let row = sqlx::query(concat!("SELECT ", paper_columns!(), " FROM papers WHERE id = $1")).bind(id).fetch_optional(db.reader()).await?;
    row.as_ref().map(paper_from_row).transpose()
}

pub async fn paper_of_candidate(db: &Db, session_candidate_id: i64) -> StoreResult<Option<PaperRow>> {
    let row = sqlx::query(concat!("SELECT ", paper_columns!(), " FROM papers WHERE session_candidate_id = $1"))
        .bind(session_candidate_id)
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(paper_from_row).transpose()
}

/// The current answer to each question: the one with the highest client sequence number.
pub async fn current_answers(db: &Db, paper_id: i64) -> StoreResult<Vec<(i64, String, i64)>> {
    super::answers::current(db, paper_id).await
}

/// How many answers are stored for a paper, resends not counted.
pub async fn answer_count(db: &Db, paper_id: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM answer_events WHERE paper_id = $1").bind(paper_id).fetch_one(db.reader()).await?)
}

/// Sessions this person is on whose time overlaps `[start, end)`.
/// How many sessions other than `except_session` (0: none) hold this person between the two
/// instants.
pub async fn overlapping(db: &Db, id_kind: &str, id_number: &str, start_ms: i64, end_ms: i64, except_session: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM session_candidates c JOIN exam_sessions s ON s.id = c.session_id
         WHERE c.id_kind = $1 AND c.id_number = $2 AND s.cancelled_at_ms IS NULL AND s.id <> $5
           AND s.starts_at_ms < $4 AND $3 < s.starts_at_ms + s.duration_secs * 1000",
    )
    .bind(id_kind)
    .bind(id_number)
    .bind(start_ms)
    .bind(end_ms)
    .bind(except_session)
    .fetch_one(db.reader())
    .await?)
}

/// A session's new time and rules, while it is neither cancelled nor started at `now_ms`.
/// False otherwise.
pub async fn reschedule_session(conn: &mut AnyConnection, s: &SessionRow, now_ms: i64) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE exam_sessions SET starts_at_ms = $2, ends_at_ms = $3, duration_secs = $4, late_entry_secs = $5, earliest_hand_in_secs = $6, pass_mark = $7
         WHERE id = $1 AND cancelled_at_ms IS NULL AND starts_at_ms > $8",
    )
    .bind(s.id)
    .bind(s.starts_at_ms)
    .bind(s.ends_at_ms)
    .bind(s.duration_secs)
    .bind(s.late_entry_secs)
    .bind(s.earliest_hand_in_secs)
    .bind(s.pass_mark)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The session's proctors and markers (account ids, ascending).
pub async fn staff(db: &Db, session_id: i64) -> StoreResult<(Vec<i64>, Vec<i64>)> {
    let p: Vec<(i64,)> =
        sqlx::query_as("SELECT account_id FROM session_proctors WHERE session_id = $1 ORDER BY account_id").bind(session_id).fetch_all(db.reader()).await?;
    let m: Vec<(i64,)> =
        sqlx::query_as("SELECT account_id FROM session_markers WHERE session_id = $1 ORDER BY account_id").bind(session_id).fetch_all(db.reader()).await?;
    Ok((p.into_iter().map(|(a,)| a).collect(), m.into_iter().map(|(a,)| a).collect()))
}

/// Replaces the session's proctors and markers.
pub async fn replace_staff(conn: &mut AnyConnection, session_id: i64, proctors: &[i64], markers: &[i64]) -> StoreResult<()> {
    sqlx::query("DELETE FROM session_proctors WHERE session_id = $1").bind(session_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM session_markers WHERE session_id = $1").bind(session_id).execute(&mut *conn).await?;
    for p in proctors {
        add_proctor(&mut *conn, session_id, *p).await?;
    }
    for m in markers {
        crate::marking::add_marker(&mut *conn, session_id, *m).await?;
    }
    Ok(())
}

pub async fn sessions_of_institution(db: &Db, institution_id: i64) -> StoreResult<Vec<SessionRow>> {
    let rows = sqlx::query(concat!("SELECT ", session_columns!(), " FROM exam_sessions WHERE institution_id = $1 ORDER BY id"))
        .bind(institution_id)
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(session_from_row).collect()
}

pub async fn is_proctor(db: &Db, session_id: i64, account_id: i64) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM session_proctors WHERE session_id = $1 AND account_id = $2")
        .bind(session_id)
        .bind(account_id)
        .fetch_one(db.reader())
        .await?;
    Ok(n > 0)
}

pub async fn candidates(db: &Db, session_id: i64) -> StoreResult<Vec<CandidateRow>> {
    let rows = sqlx::query(concat!("SELECT ", candidate_columns!(), " FROM session_candidates WHERE session_id = $1 ORDER BY id"))
        .bind(session_id)
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(candidate_from_row).collect()
}

/// Records the commitment; false when it was recorded before (nothing changes then).
pub async fn record_commitment(conn: &mut AnyConnection, candidate_id: i64, now_ms: i64, addr: &str) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE session_candidates SET commitment_at_ms = $2, commitment_addr = $3 WHERE id = $1 AND commitment_at_ms IS NULL")
        .bind(candidate_id)
        .bind(now_ms)
        .bind(addr)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn record_sign_in(conn: &mut AnyConnection, candidate_id: i64, now_ms: i64) -> StoreResult<()> {
    sqlx::query("UPDATE session_candidates SET signed_in_at_ms = $2 WHERE id = $1 AND signed_in_at_ms IS NULL")
        .bind(candidate_id)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves a paper's clock (pause, resume, extra time); only while it is in progress.
pub async fn set_paper_clock(conn: &mut AnyConnection, paper_id: i64, deadline_ms: i64, paused_at_ms: Option<i64>) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE papers SET deadline_ms = $2, paused_at_ms = $3 WHERE id = $1 AND status = 'in_progress'")
        .bind(paper_id)
        .bind(deadline_ms)
        .bind(paused_at_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends a paper once (hand-in, time-out or termination) with its score.
/// Ends a running paper; false when it had ended already. With `only_if_due`, it ends only a
/// paper whose clock runs and whose deadline has come, decided in the same statement: extra
/// time or a pause given a moment before is never overtaken by the deadline's sweep.
pub async fn end_paper(
    conn: &mut AnyConnection,
    paper_id: i64,
    status: PaperStatus,
    now_ms: i64,
    only_if_due: bool,
    score: Option<i64>,
    detail: &str,
) -> StoreResult<bool> {
    let sql = if only_if_due {
        "UPDATE papers SET status = $2, ended_at_ms = $3, score = $4, score_detail = $5
         WHERE id = $1 AND status = 'in_progress' AND paused_at_ms IS NULL AND deadline_ms <= $3"
    } else {
        "UPDATE papers SET status = $2, ended_at_ms = $3, score = $4, score_detail = $5 WHERE id = $1 AND status = 'in_progress'"
    };
    let done = sqlx::query(sql).bind(paper_id).bind(status.as_str()).bind(now_ms).bind(score).bind(detail).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// The score of a paper just ended (None while short answers wait for marking) and its detail.
pub async fn set_final_score(conn: &mut AnyConnection, paper_id: i64, score: Option<i64>, detail: &str) -> StoreResult<()> {
    sqlx::query("UPDATE papers SET score = $2, score_detail = $3 WHERE id = $1").bind(paper_id).bind(score).bind(detail).execute(conn).await?;
    Ok(())
}

pub async fn insert_event(
    conn: &mut AnyConnection,
    session_id: i64,
    candidate_id: Option<i64>,
    kind: &str,
    detail: &str,
    actor_id: Option<i64>,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO exam_events (session_id, session_candidate_id, kind, detail, actor_id, at_ms) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(session_id)
        .bind(candidate_id)
        .bind(kind)
        .bind(detail)
        .bind(actor_id)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificationScore {
    pub id_kind: String,
    pub id_number: String,
    pub occupation_code: String,
    pub level: i64,
    pub component: String,
    pub score: i64,
    pub passed: bool,
    pub session_id: Option<i64>,
}

/// Adds a score to a person's certification record; its id.
pub async fn insert_certification_score(conn: &mut AnyConnection, s: &CertificationScore, now_ms: i64) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO certification_scores (id_kind, id_number, occupation_code, level, component, score, passed, session_id, at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(&s.id_kind)
    .bind(&s.id_number)
    .bind(&s.occupation_code)
    .bind(s.level)
    .bind(&s.component)
    .bind(s.score)
    .bind(i64::from(s.passed))
    .bind(s.session_id)
    .bind(now_ms)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn certification_scores(db: &Db, id_kind: &str, id_number: &str) -> StoreResult<Vec<CertificationScore>> {
    let rows = sqlx::query(
        "SELECT id_kind, id_number, occupation_code, level, component, score, passed, session_id FROM certification_scores
         WHERE id_kind = $1 AND id_number = $2 ORDER BY id",
    )
    .bind(id_kind)
    .bind(id_number)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CertificationScore {
                id_kind: r.try_get("id_kind")?,
                id_number: r.try_get("id_number")?,
                occupation_code: r.try_get("occupation_code")?,
                level: r.try_get("level")?,
                component: r.try_get("component")?,
                score: r.try_get("score")?,
                passed: r.try_get::<i64, _>("passed")? != 0,
                session_id: r.try_get("session_id")?,
            })
        })
        .collect()
}

/// The approved current versions of a bank that a paper may draw from, with what the draw
/// needs: type, outline point, difficulty and options.
pub async fn paper_pool(db: &Db, bank_id: i64) -> StoreResult<Vec<(i64, String, Option<String>, Option<i64>, String)>> {
    let rows = sqlx::query(
        "SELECT id, item_type, outline_point, difficulty, choices FROM item_versions
         WHERE bank_id = $1 AND is_current = 1 AND status = 'approved' ORDER BY id",
    )
    .bind(bank_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("item_type")?, r.try_get("outline_point")?, r.try_get("difficulty")?, r.try_get("choices")?))).collect()
}

/// The parts of a paper that change: status and clock.
pub async fn paper_clock(db: &Db, paper_id: i64) -> StoreResult<Option<(PaperStatus, i64, Option<i64>)>> {
    let row = sqlx::query("SELECT status, deadline_ms, paused_at_ms FROM papers WHERE id = $1").bind(paper_id).fetch_optional(db.reader()).await?;
    row.map(|r| Ok((PaperStatus::from_column(&r)?, r.try_get("deadline_ms")?, r.try_get("paused_at_ms")?))).transpose()
}

/// Papers still running whose time is over (for the time-out sweep).
pub async fn overdue_papers(db: &Db, now_ms: i64) -> StoreResult<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM papers WHERE status = 'in_progress' AND paused_at_ms IS NULL AND deadline_ms <= $1 ORDER BY id LIMIT 500")
        .bind(now_ms)
        .fetch_all(db.reader())
        .await?)
}

pub async fn candidate(db: &Db, id: i64) -> StoreResult<Option<CandidateRow>> {
    let row = sqlx::query(concat!("SELECT ", candidate_columns!(), " FROM session_candidates WHERE id = $1")).bind(id).fetch_optional(db.reader()).await?;
    row.as_ref().map(candidate_from_row).transpose()
}

/// The highest client sequence number stored for a paper (0 when none).
pub async fn max_seq(db: &Db, paper_id: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COALESCE(MAX(client_seq), 0) FROM answer_events WHERE paper_id = $1").bind(paper_id).fetch_one(db.reader()).await?)
}

/// Distinct questions answered on a paper.
pub async fn answered_questions(db: &Db, paper_id: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(DISTINCT question_no) FROM answer_events WHERE paper_id = $1").bind(paper_id).fetch_one(db.reader()).await?)
}

pub async fn integrity_count(db: &Db, candidate_id: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM exam_events WHERE session_candidate_id = $1 AND kind = 'integrity'")
        .bind(candidate_id)
        .fetch_one(db.reader())
        .await?)
}

/// A session's events of one kind, oldest first: candidate and detail.
pub async fn session_events_of_kind(db: &Db, session_id: i64, kind: &str) -> StoreResult<Vec<(i64, String)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT session_candidate_id, detail FROM exam_events WHERE session_id = $1 AND kind = $2 AND session_candidate_id IS NOT NULL ORDER BY id",
    )
    .bind(session_id)
    .bind(kind)
    .fetch_all(db.reader())
    .await?;
    Ok(rows)
}

/// One candidate's latest event of one kind: its detail.
pub async fn last_candidate_event(db: &Db, candidate_id: i64, kind: &str) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT detail FROM exam_events WHERE session_candidate_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1")
        .bind(candidate_id)
        .bind(kind)
        .fetch_optional(db.reader())
        .await?)
}

/// One candidate's events of one kind, oldest first, at most `limit`: detail and time.
pub async fn candidate_events(db: &Db, candidate_id: i64, kind: &str, limit: i64) -> StoreResult<Vec<(String, i64)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT detail, at_ms FROM exam_events WHERE session_candidate_id = $1 AND kind = $2 ORDER BY id LIMIT $3")
        .bind(candidate_id)
        .bind(kind)
        .bind(limit)
        .fetch_all(db.reader())
        .await?;
    Ok(rows)
}

/// The scoring detail of an ended paper (JSON), if it has one.
pub async fn score_detail(db: &Db, paper_id: i64) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT score_detail FROM papers WHERE id = $1").bind(paper_id).fetch_optional(db.reader()).await?.flatten())
}

/// The room's record after event `after`, oldest first. Which question is on a candidate's
/// screen is for review playback, not the room's record; reviewers' findings are in the
/// record (and its document) but never in the proctors' live feed (`with_findings` false).
pub async fn events_after(db: &Db, session_id: i64, after: i64, limit: i64, with_findings: bool) -> StoreResult<Vec<(i64, Option<i64>, String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT id, session_candidate_id, kind, detail, at_ms FROM exam_events WHERE session_id = $1 AND id > $2 AND kind <> 'viewing' \
         AND (kind <> 'finding' OR $4 = 1) ORDER BY id LIMIT $3",
    )
    .bind(session_id)
    .bind(after)
    .bind(limit)
    .bind(i64::from(with_findings))
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("session_candidate_id")?, r.try_get("kind")?, r.try_get("detail")?, r.try_get("at_ms")?))).collect()
}

/// Sessions a proctor is assigned to.
pub async fn sessions_of_proctor(db: &Db, account_id: i64) -> StoreResult<Vec<SessionRow>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        session_columns!(),
        " FROM exam_sessions WHERE id IN (SELECT session_id FROM session_proctors WHERE account_id = $1) ORDER BY starts_at_ms DESC"
    ))
    .bind(account_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(session_from_row).collect()
}

/// The scoring detail kept with an ended paper (JSON), read inside a transaction.
pub async fn paper_score_detail(conn: &mut AnyConnection, paper_id: i64) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT score_detail FROM papers WHERE id = $1").bind(paper_id).fetch_optional(conn).await?.flatten())
}

/// Sets the score of a handed-in paper once its last marked answer is settled.
pub async fn set_marked_score(conn: &mut AnyConnection, paper_id: i64, score: i64, detail: &str) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE papers SET score = $2, score_detail = $3 WHERE id = $1 AND status = 'handed_in' AND score IS NULL")
        .bind(paper_id)
        .bind(score)
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The device a candidate's paper is bound to, and one waiting for approval.
pub async fn candidate_devices(db: &Db, candidate_id: i64) -> StoreResult<(Option<String>, Option<String>)> {
    let row = sqlx::query("SELECT device_id, pending_device_id FROM session_candidates WHERE id = $1").bind(candidate_id).fetch_one(db.reader()).await?;
    Ok((row.try_get("device_id")?, row.try_get("pending_device_id")?))
}

/// Binds the candidate to `device` and clears any pending change.
pub async fn set_device(conn: &mut AnyConnection, candidate_id: i64, device: &str) -> StoreResult<()> {
    sqlx::query("UPDATE session_candidates SET device_id = $2, pending_device_id = NULL WHERE id = $1").bind(candidate_id).bind(device).execute(conn).await?;
    Ok(())
}

pub async fn set_pending_device(conn: &mut AnyConnection, candidate_id: i64, device: &str) -> StoreResult<()> {
    sqlx::query("UPDATE session_candidates SET pending_device_id = $2 WHERE id = $1").bind(candidate_id).bind(device).execute(conn).await?;
    Ok(())
}

/// Changes the tracks a session requires (demo and test setup; sessions made through the API
/// state them when created).
pub async fn set_required_media(db: &Db, session_id: i64, kinds: &[exam_protocol::MediaKind]) -> StoreResult<()> {
    sqlx::query("UPDATE exam_sessions SET required_media = $2 WHERE id = $1")
        .bind(session_id)
        .bind(serde_json::to_string(kinds).unwrap_or_else(|_| "[]".into()))
        .execute(db.writer())
        .await?;
    Ok(())
}

/// The extra minutes a candidate has been given so far, from the exam-room record.
pub async fn extra_minutes_given(db: &Db, candidate_id: i64) -> StoreResult<i64> {
    let details: Vec<String> = sqlx::query_scalar("SELECT detail FROM exam_events WHERE session_candidate_id = $1 AND kind = 'extra_time'")
        .bind(candidate_id)
        .fetch_all(db.reader())
        .await?;
    Ok(details
        .iter()
        .filter_map(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .filter_map(|v| v.get("minutes").and_then(serde_json::Value::as_i64))
        .sum())
}

/// The session's number among its institution's sessions of its year, as its tickets carry it.
pub async fn set_ticket_serial(conn: &mut AnyConnection, session_id: i64, serial: i64) -> StoreResult<()> {
    sqlx::query("UPDATE exam_sessions SET ticket_serial = $2 WHERE id = $1").bind(session_id).bind(serial).execute(conn).await?;
    Ok(())
}

/// Every certification record with its id, oldest first (for checking them against the audit
/// trail).
pub async fn all_certification_scores(db: &Db) -> StoreResult<Vec<(i64, CertificationScore)>> {
    let rows = sqlx::query("SELECT id, id_kind, id_number, occupation_code, level, component, score, passed, session_id FROM certification_scores ORDER BY id")
        .fetch_all(db.reader())
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                CertificationScore {
                    id_kind: r.try_get("id_kind")?,
                    id_number: r.try_get("id_number")?,
                    occupation_code: r.try_get("occupation_code")?,
                    level: r.try_get("level")?,
                    component: r.try_get("component")?,
                    score: r.try_get("score")?,
                    passed: r.try_get::<i64, _>("passed")? != 0,
                    session_id: r.try_get("session_id")?,
                },
            ))
        })
        .collect()
}

/// `(id, score)` of every paper that has ended.
pub async fn ended_paper_scores(db: &Db) -> StoreResult<Vec<(i64, Option<i64>)>> {
    let rows = sqlx::query("SELECT id, score FROM papers WHERE status <> 'in_progress' ORDER BY id").fetch_all(db.reader()).await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("score")?))).collect()
}

/// Sessions over by `before_ms` (not cancelled, no paper still in progress) whose key documents
/// have not been made yet: the sign-in sheet is looked for in the archive.
pub async fn ended_without_documents(db: &Db, before_ms: i64) -> StoreResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT s.id FROM exam_sessions s
         WHERE s.ends_at_ms < $1 AND s.cancelled_at_ms IS NULL
           AND NOT EXISTS (SELECT 1 FROM papers p JOIN session_candidates c ON c.id = p.session_candidate_id
                           WHERE c.session_id = s.id AND p.status = 'in_progress')
           AND NOT EXISTS (SELECT 1 FROM archive_objects a WHERE a.subject = 'session:' || s.id AND a.class = 'key_document' AND a.name = '签到表')
         ORDER BY s.id",
    )
    .bind(before_ms)
    .fetch_all(db.reader())
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
