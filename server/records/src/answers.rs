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
            if width == 1 { cols.join(", ") } else { format!("({})", cols.join(", ")) }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// PostgreSQL advisory locks order answer commits against a paper's end without touching its
/// row: the writer holds the shared lock of every paper bucket in its batch until it commits, and
/// the transaction that ends a paper takes its bucket's lock exclusively before it changes the
/// paper. So the end waits for answers being committed, and answers arriving later see the paper
/// ended. Row locks (`FOR SHARE`) did the same but wrote every locked row, and cost the writer
/// its throughput. Few buckets, so a batch takes few locks; SQLite needs none, as every write goes
/// through one connection.
const LOCK_SPACE: i32 = 727_002;
const BUCKETS: i64 = 64;

fn bucket(paper_id: i64) -> i64 {
    paper_id.rem_euclid(BUCKETS)
}

/// The writer's shared locks on the buckets of `papers`, taken in ascending order (so writers
/// and ends cannot wait for each other in a circle), until the transaction ends.
pub async fn hold_papers(conn: &mut AnyConnection, backend: Backend, papers: &[i64]) -> StoreResult<()> {
    if backend != Backend::Postgres || papers.is_empty() {
        return Ok(());
    }
    let mut buckets: Vec<i64> = papers.iter().map(|p| bucket(*p)).collect();
    buckets.sort_unstable();
    buckets.dedup();
    let rows: Vec<String> = (1..=buckets.len()).map(|n| format!("(CAST(${n} AS INTEGER))")).collect();
    let sql = format!("SELECT pg_advisory_xact_lock_shared({LOCK_SPACE}, v.column1) FROM (VALUES {}) AS v", rows.join(", "));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in buckets {
        q = q.bind(b);
    }
    // Executed, not fetched: the locks return void, which has no value to read.
    q.execute(&mut *conn).await?;
    Ok(())
}

/// The exclusive lock of one paper's bucket, for the transaction that ends it.
pub async fn hold_paper_exclusively(conn: &mut AnyConnection, backend: Backend, paper_id: i64) -> StoreResult<()> {
    if backend == Backend::Postgres {
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT pg_advisory_xact_lock({LOCK_SPACE}, CAST($1 AS INTEGER))")))
            .bind(bucket(paper_id))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Of these papers, those in progress, with their deadline and pause.
pub async fn open_papers(conn: &mut AnyConnection, papers: &[i64]) -> StoreResult<HashMap<i64, (i64, Option<i64>)>> {
    let mut out = HashMap::new();
    for chunk in papers.chunks(ROWS_PER_STATEMENT) {
        let sql = format!("SELECT id, deadline_ms, paused_at_ms FROM papers WHERE status = 'in_progress' AND id IN ({})", placeholders(chunk.len(), 1));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(r.try_get("id")?, (r.try_get("deadline_ms")?, r.try_get("paused_at_ms")?));
        }
    }
    Ok(out)
}

/// Inserts the answers that still count (their paper in progress, not paused, the answer given
/// before its deadline) and are not stored yet, deciding both in the insert itself; the
/// (paper, client sequence) keys that were new. The rest are resends or no longer count.
pub async fn insert_counting(conn: &mut AnyConnection, events: &[&AnswerEvent]) -> StoreResult<HashSet<(i64, i64)>> {
    let mut new_keys = HashSet::new();
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        // VALUES columns are column1..column5 on both engines; typed by CAST for PostgreSQL. The
        // paper is looked up per answer by its key in a scalar subquery: as a join, PostgreSQL's
        // generic plan scanned the whole papers table (questions and all) for every statement.
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| {
                let n = r * 5;
                format!(
                    "(CAST(${} AS BIGINT), CAST(${} AS BIGINT), CAST(${} AS BIGINT), CAST(${} AS TEXT), CAST(${} AS BIGINT))",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO answer_events (paper_id, client_seq, question_no, response, received_at_ms) \
             SELECT v.column1, v.column2, v.column3, v.column4, v.column5 FROM (VALUES {}) AS v \
             WHERE v.column5 < (SELECT p.deadline_ms FROM papers p WHERE p.id = v.column1 AND p.status = 'in_progress' AND p.paused_at_ms IS NULL) \
             ON CONFLICT (paper_id, client_seq) DO NOTHING RETURNING paper_id, client_seq",
            rows.join(", ")
        );
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql));
        for e in chunk {
            q = q.bind(e.paper_id).bind(e.client_seq).bind(e.question_no).bind(&e.response).bind(e.received_at_ms);
        }
        new_keys.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(new_keys)
}

/// Which of these (paper, client sequence) keys are stored already.
pub async fn existing(conn: &mut AnyConnection, keys: &[(i64, i64)]) -> StoreResult<HashSet<(i64, i64)>> {
    // Inside the writer's transaction: a room whose time ran out may send thousands at once, so
    // one query per paper and hundred, not one per answer.
    let mut by_paper: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for &(paper_id, seq) in keys {
        by_paper.entry(paper_id).or_default().push(seq);
    }
    let mut out = HashSet::new();
    for (paper_id, seqs) in by_paper {
        for chunk in seqs.chunks(ROWS_PER_STATEMENT) {
            let list: Vec<String> = (2..chunk.len() + 2).map(|n| format!("${n}")).collect();
            let sql = format!("SELECT client_seq FROM answer_events WHERE paper_id = $1 AND client_seq IN ({})", list.join(", "));
            let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).bind(paper_id);
            for seq in chunk {
                q = q.bind(*seq);
            }
            out.extend(q.fetch_all(&mut *conn).await?.into_iter().map(|seq| (paper_id, seq)));
        }
    }
    Ok(out)
}

/// The current answer to each question (the one with the highest client sequence number) as
/// (question, response, sequence), read on `conn`: inside the transaction that ends a paper,
/// these are exactly the answers it is scored from.
pub async fn current_on(conn: &mut AnyConnection, paper_id: i64) -> StoreResult<Vec<(i64, String, i64)>> {
    // One pass over the paper's answers in sequence order (its primary key), the last per
    // question kept. A correlated MAX per row read the paper's answers once per answer: over a
    // second per paper on PostgreSQL once millions of answers were stored.
    let rows = sqlx::query("SELECT question_no, response, client_seq FROM answer_events WHERE paper_id = $1 ORDER BY client_seq")
        .bind(paper_id)
        .fetch_all(conn)
        .await?;
    let mut latest: BTreeMap<i64, (String, i64)> = BTreeMap::new();
    for r in &rows {
        latest.insert(r.try_get("question_no")?, (r.try_get("response")?, r.try_get("client_seq")?));
    }
    Ok(latest.into_iter().map(|(no, (response, seq))| (no, response, seq)).collect())
}

/// As [`current_on`], from the read pool.
pub async fn current(db: &Db, paper_id: i64) -> StoreResult<Vec<(i64, String, i64)>> {
    let mut conn = db.reader().acquire().await?;
    current_on(&mut conn, paper_id).await
}

/// The response of one stored answer.
pub async fn response_of(db: &Db, paper_id: i64, client_seq: i64) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT response FROM answer_events WHERE paper_id = $1 AND client_seq = $2")
        .bind(paper_id)
        .bind(client_seq)
        .fetch_optional(db.reader())
        .await?)
}
