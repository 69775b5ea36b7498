//! Where answers are saved: the answer writer's batch insert, the check inside its transaction
//! that a paper still takes answers, and reading a paper's answers as they stand.
use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::{AnyConnection, Row};

use super::{Backend, Db, StoreResult};

/// One answer as the candidate gave it. `response` is JSON, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerEvent {
    pub paper_id: i64,
    pub client_seq: i64,
    pub question_no: i64,
    pub response: String,
    pub received_at_ms: i64,
}

/// Rows per INSERT statement (5 parameters each). SQLite looks parameters up by name in a list,
/// so binding costs grow with the square of a statement's parameters: 100 rows is near the
/// cheapest per row.
const ROWS_PER_STATEMENT: usize = 100;

/// `($1, $2, …)` groups of `width` numbered placeholders for `rows` rows. Built from numbers
/// only, never from input.
fn placeholders(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| {
            let cols: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            if width == 1 {
                cols.join(", ")
            } else {
                format!("({})", cols.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Of these papers, those in progress, with their deadline and pause, read inside the caller's
/// transaction. On PostgreSQL the rows are share-locked until it ends, so a hand-in (which
/// updates the row) waits for the answers being stored, and answers wait for a hand-in under
/// way and then see the paper ended.
pub async fn open_papers(
    conn: &mut AnyConnection,
    backend: Backend,
    papers: &[i64],
) -> StoreResult<HashMap<i64, (i64, Option<i64>)>> {
    let mut out = HashMap::new();
    for chunk in papers.chunks(ROWS_PER_STATEMENT) {
        let lock = if backend == Backend::Postgres {
            " ORDER BY id FOR SHARE"
        } else {
            ""
        };
        let sql = format!(
            "SELECT id, deadline_ms, paused_at_ms FROM papers WHERE status = 'in_progress' AND id IN ({}){lock}",
            placeholders(chunk.len(), 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(
                r.try_get("id")?,
                (r.try_get("deadline_ms")?, r.try_get("paused_at_ms")?),
            );
        }
    }
    Ok(out)
}

/// Inserts the answers not already stored; the (paper, client sequence) keys that were new.
pub async fn insert_new(
    conn: &mut AnyConnection,
    events: &[&AnswerEvent],
) -> StoreResult<HashSet<(i64, i64)>> {
    let mut new_keys = HashSet::new();
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO answer_events (paper_id, client_seq, question_no, response, received_at_ms) VALUES {} \
             ON CONFLICT (paper_id, client_seq) DO NOTHING RETURNING paper_id, client_seq",
            placeholders(chunk.len(), 5)
        );
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql));
        for e in chunk {
            q = q
                .bind(e.paper_id)
                .bind(e.client_seq)
                .bind(e.question_no)
                .bind(&e.response)
                .bind(e.received_at_ms);
        }
        new_keys.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(new_keys)
}

/// Which of these (paper, client sequence) keys are stored already.
pub async fn existing(
    conn: &mut AnyConnection,
    keys: &[(i64, i64)],
) -> StoreResult<HashSet<(i64, i64)>> {
    let mut out = HashSet::new();
    for &(paper_id, seq) in keys {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT client_seq FROM answer_events WHERE paper_id = $1 AND client_seq = $2",
        )
        .bind(paper_id)
        .bind(seq)
        .fetch_optional(&mut *conn)
        .await?;
        if found.is_some() {
            out.insert((paper_id, seq));
        }
    }
    Ok(out)
}

/// The current answer to each question (the one with the highest client sequence number) as
/// (question, response, sequence), read on `conn`: inside the transaction that ends a paper,
/// these are exactly the answers it is scored from.
pub async fn current_on(
    conn: &mut AnyConnection,
    paper_id: i64,
) -> StoreResult<Vec<(i64, String, i64)>> {
    // One pass over the paper's answers in sequence order (its primary key), the last per
    // question kept. A correlated MAX per row read the paper's answers once per answer: over a
    // second per paper on PostgreSQL once millions of answers were stored.
    let rows = sqlx::query("SELECT question_no, response, client_seq FROM answer_events WHERE paper_id = $1 ORDER BY client_seq")
        .bind(paper_id)
        .fetch_all(conn)
        .await?;
    let mut latest: BTreeMap<i64, (String, i64)> = BTreeMap::new();
    for r in &rows {
        latest.insert(
            r.try_get("question_no")?,
            (r.try_get("response")?, r.try_get("client_seq")?),
        );
    }
    Ok(latest
        .into_iter()
        .map(|(no, (response, seq))| (no, response, seq))
        .collect())
}

/// As [`current_on`], from the read pool.
pub async fn current(db: &Db, paper_id: i64) -> StoreResult<Vec<(i64, String, i64)>> {
    let mut conn = db.reader().acquire().await?;
    current_on(&mut conn, paper_id).await
}

/// The response of one stored answer.
pub async fn response_of(db: &Db, paper_id: i64, client_seq: i64) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT response FROM answer_events WHERE paper_id = $1 AND client_seq = $2",
    )
    .bind(paper_id)
    .bind(client_seq)
    .fetch_optional(db.reader())
    .await?)
}
