//! Marking of short answers: who marks a session, the answers waiting for marks, and the marks
//! given (never edited).
use sqlx::{AnyConnection, Row};

use super::{Backend, Db, StoreResult};

pub async fn add_marker(conn: &mut AnyConnection, session_id: i64, account_id: i64) -> StoreResult<()> {
    sqlx::query("INSERT INTO session_markers (session_id, account_id) VALUES ($1, $2)").bind(session_id).bind(account_id).execute(conn).await?;
    Ok(())
}

/// An answer waiting for (or done with) marking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkingItem {
    pub id: i64,
    pub session_id: i64,
    pub paper_id: i64,
    pub question_no: i64,
    pub max_points: i64,
    /// How many marks it needs in all (2, or 3 after a disagreement).
    pub wanted: i64,
    pub final_points: Option<i64>,
    /// The client sequence number of the answer marked: the one current when the paper ended.
    pub answer_seq: Option<i64>,
}

fn item_from_row(r: &sqlx::any::AnyRow) -> StoreResult<MarkingItem> {
    Ok(MarkingItem {
        id: r.try_get("id")?,
        session_id: r.try_get("session_id")?,
        paper_id: r.try_get("paper_id")?,
        question_no: r.try_get("question_no")?,
        max_points: r.try_get("max_points")?,
        wanted: r.try_get("wanted")?,
        final_points: r.try_get("final_points")?,
        answer_seq: r.try_get("answer_seq")?,
    })
}

const ITEM_COLUMNS: &str = "mi.id, mi.session_id, mi.paper_id, mi.question_no, mi.max_points, mi.wanted, mi.final_points, mi.answer_seq";

/// `answer_seq`: the answer as it stood when the paper ended (None: not answered).
pub async fn insert_item(
    conn: &mut AnyConnection,
    session_id: i64,
    paper_id: i64,
    question_no: i64,
    max_points: i64,
    answer_seq: Option<i64>,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO marking_items (session_id, paper_id, question_no, max_points, wanted, answer_seq) VALUES ($1, $2, $3, $4, 2, $5)")
        .bind(session_id)
        .bind(paper_id)
        .bind(question_no)
        .bind(max_points)
        .bind(answer_seq)
        .execute(conn)
        .await?;
    Ok(())
}

/// The oldest answer this marker may mark now: in one of their sessions, unsettled, not marked
/// by them, and short of marks. Also how many such answers there are.
pub async fn next_for(db: &Db, marker_id: i64) -> StoreResult<(Option<MarkingItem>, i64)> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ITEM_COLUMNS}, COUNT(*) OVER () AS waiting
         FROM marking_items mi JOIN session_markers sm ON sm.session_id = mi.session_id AND sm.account_id = $1
         WHERE mi.final_points IS NULL
           AND NOT EXISTS (SELECT 1 FROM marks m WHERE m.marking_item_id = mi.id AND m.marker_id = $1)
           AND (SELECT COUNT(*) FROM marks m WHERE m.marking_item_id = mi.id) < mi.wanted
         ORDER BY mi.id LIMIT 1"
    )))
    .bind(marker_id)
    .fetch_all(db.reader())
    .await?;
    match rows.first() {
        Some(r) => Ok((Some(item_from_row(r)?), r.try_get("waiting")?)),
        None => Ok((None, 0)),
    }
}

pub async fn is_marker(db: &Db, session_id: i64, account_id: i64) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM session_markers WHERE session_id = $1 AND account_id = $2")
        .bind(session_id)
        .bind(account_id)
        .fetch_one(db.reader())
        .await?;
    Ok(n > 0)
}

/// The item, read inside the marking transaction (locked on PostgreSQL, so two markers
/// finishing the same answer at once are taken one after the other).
pub async fn item_for_update(conn: &mut AnyConnection, backend: Backend, id: i64) -> StoreResult<Option<MarkingItem>> {
    let lock = if backend == Backend::Postgres { " FOR UPDATE" } else { "" };
    let row =
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ITEM_COLUMNS} FROM marking_items mi WHERE mi.id = $1{lock}"))).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(item_from_row).transpose()
}

/// The marks given so far, in the order given: (marker, points).
pub async fn marks(conn: &mut AnyConnection, item_id: i64) -> StoreResult<Vec<(i64, i64)>> {
    let rows = sqlx::query("SELECT marker_id, points FROM marks WHERE marking_item_id = $1 ORDER BY round").bind(item_id).fetch_all(conn).await?;
    rows.iter().map(|r| Ok((r.try_get("marker_id")?, r.try_get("points")?))).collect()
}

pub struct NewMark<'a> {
    pub item_id: i64,
    pub marker_id: i64,
    pub round: i64,
    pub points: i64,
    pub comment: &'a str,
    pub at_ms: i64,
}

pub async fn insert_mark(conn: &mut AnyConnection, m: &NewMark<'_>) -> StoreResult<()> {
    sqlx::query("INSERT INTO marks (marking_item_id, marker_id, round, points, comment, at_ms) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(m.item_id)
        .bind(m.marker_id)
        .bind(m.round)
        .bind(m.points)
        .bind(m.comment)
        .bind(m.at_ms)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_wanted(conn: &mut AnyConnection, item_id: i64, wanted: i64) -> StoreResult<()> {
    sqlx::query("UPDATE marking_items SET wanted = $2 WHERE id = $1").bind(item_id).bind(wanted).execute(conn).await?;
    Ok(())
}

pub async fn settle(conn: &mut AnyConnection, item_id: i64, points: i64) -> StoreResult<()> {
    sqlx::query("UPDATE marking_items SET final_points = $2 WHERE id = $1 AND final_points IS NULL").bind(item_id).bind(points).execute(conn).await?;
    Ok(())
}

/// A paper's marked answers: (question number, final points if settled).
pub async fn paper_items(conn: &mut AnyConnection, paper_id: i64) -> StoreResult<Vec<(i64, Option<i64>)>> {
    let rows =
        sqlx::query("SELECT question_no, final_points FROM marking_items WHERE paper_id = $1 ORDER BY question_no").bind(paper_id).fetch_all(conn).await?;
    rows.iter().map(|r| Ok((r.try_get("question_no")?, r.try_get("final_points")?))).collect()
}

/// (answers, settled, awaiting a third mark, papers with unsettled answers) for a session.
pub async fn progress(db: &Db, session_id: i64) -> StoreResult<(i64, i64, i64, i64)> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS answers,
                COALESCE(SUM(CASE WHEN final_points IS NOT NULL THEN 1 ELSE 0 END), 0) AS settled,
                COALESCE(SUM(CASE WHEN final_points IS NULL AND wanted > 2 THEN 1 ELSE 0 END), 0) AS third,
                COUNT(DISTINCT CASE WHEN final_points IS NULL THEN paper_id END) AS papers
         FROM marking_items WHERE session_id = $1",
    )
    .bind(session_id)
    .fetch_one(db.reader())
    .await?;
    Ok((row.try_get("answers")?, row.try_get("settled")?, row.try_get("third")?, row.try_get("papers")?))
}
