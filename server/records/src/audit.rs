//! The audit trail: append-only, each event hashed together with the hash of the one before,
//! so an edited, inserted or removed row breaks the chain at that point.
use exam_protocol::{AuditEvent, AuditVerifyReport};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{Backend, Db, StoreResult};

/// The hash the first event links to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did it; `None` for the system itself (start-up, demo seeding, operator CLI).
#[derive(Debug, Clone, Copy, Default)]
pub struct Actor<'a> {
    pub id: Option<i64>,
    pub role: Option<&'a str>,
}

/// One event to append. `detail` is JSON and must hold no secrets or personal data.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub actor: Actor<'a>,
    pub action: &'a str,
    pub target: String,
    pub detail: String,
    pub at_ms: i64,
}

/// The hash of an event: SHA-256 over length-prefixed fields, so no two different events
/// can be made to read the same.
fn event_hash(prev_hash: &str, seq: i64, e: &AuditEvent) -> String {
    let mut h = Sha256::new();
    let fields: [&[u8]; 8] = [
        prev_hash.as_bytes(),
        &seq.to_be_bytes(),
        &e.at_ms.to_be_bytes(),
        &e.actor_id.map(i64::to_be_bytes).unwrap_or([0xff; 8]),
        e.actor_role.as_deref().unwrap_or("").as_bytes(),
        e.action.as_bytes(),
        e.target.as_bytes(),
        e.detail.as_bytes(),
    ];
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f);
    }
    hex::encode(h.finalize())
}

/// Appends inside the caller's transaction, so the event commits with the change it records.
pub async fn append(conn: &mut AnyConnection, backend: Backend, entry: &Entry<'_>) -> StoreResult<i64> {
    if backend == Backend::Postgres {
        // Serialises appends across every server process until this transaction ends.
        sqlx::query("SELECT pg_advisory_xact_lock(727001)").execute(&mut *conn).await?;
    }
    let last = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetch_optional(&mut *conn).await?;
    let (prev_seq, prev_hash) = match last {
        Some(r) => (r.try_get::<i64, _>("seq")?, r.try_get::<String, _>("hash")?),
        None => (0, GENESIS.to_string()),
    };
    let seq = prev_seq + 1;
    let mut event = AuditEvent {
        seq,
        at_ms: entry.at_ms,
        actor_id: entry.actor.id,
        actor_role: entry.actor.role.map(str::to_string),
        action: entry.action.to_string(),
        target: entry.target.clone(),
        detail: entry.detail.clone(),
        hash: String::new(),
    };
    event.hash = event_hash(&prev_hash, seq, &event);
    sqlx::query(
        "INSERT INTO audit_events (seq, at_ms, actor_id, actor_role, action, target, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(event.at_ms)
    .bind(event.actor_id)
    .bind(event.actor_role.as_deref())
    .bind(&event.action)
    .bind(&event.target)
    .bind(&event.detail)
    .bind(&prev_hash)
    .bind(&event.hash)
    .execute(&mut *conn)
    .await?;
    Ok(seq)
}

fn from_row(r: &AnyRow) -> StoreResult<(AuditEvent, String)> {
    Ok((
        AuditEvent {
            seq: r.try_get("seq")?,
            at_ms: r.try_get("at_ms")?,
            actor_id: r.try_get("actor_id")?,
            actor_role: r.try_get("actor_role")?,
            action: r.try_get("action")?,
            target: r.try_get("target")?,
            detail: r.try_get("detail")?,
            hash: r.try_get("hash")?,
        },
        r.try_get("prev_hash")?,
    ))
}

macro_rules! select {
    () => {
        "SELECT seq, at_ms, actor_id, actor_role, action, target, detail, prev_hash, hash FROM audit_events"
    };
}

/// Events after `after_seq`, oldest first, at most `limit`.
pub async fn list(db: &Db, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditEvent>> {
    let rows = sqlx::query(concat!(select!(), " WHERE seq > $1 ORDER BY seq LIMIT $2")).bind(after_seq).bind(limit).fetch_all(db.reader()).await?;
    rows.iter().map(|r| from_row(r).map(|(e, _)| e)).collect()
}

/// Events after `after_seq` whose action is `action` (or starts with it, when it ends in `.`)
/// and whose target is `target`, oldest first, at most `limit`.
pub async fn search(db: &Db, after_seq: i64, limit: i64, action: Option<&str>, target: Option<&str>) -> StoreResult<Vec<AuditEvent>> {
    let mut sql = String::from(concat!(select!(), " WHERE seq > $1"));
    let mut n = 1;
    let mut binds: Vec<String> = Vec::new();
    if let Some(a) = action {
        n += 1;
        if let Some(prefix) = a.strip_suffix('.') {
            // A prefix match without LIKE's wildcards: the action's first characters and a dot.
            sql.push_str(&format!(" AND substr(action, 1, {}) = ${n}", prefix.chars().count() + 1));
            binds.push(format!("{prefix}."));
        } else {
            sql.push_str(&format!(" AND action = ${n}"));
            binds.push(a.to_string());
        }
    }
    if let Some(t) = target {
        n += 1;
        sql.push_str(&format!(" AND target = ${n}"));
        binds.push(t.to_string());
    }
    sql.push_str(&format!(" ORDER BY seq LIMIT ${}", n + 1));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after_seq);
    for b in binds {
        q = q.bind(b);
    }
    let rows = q.bind(limit).fetch_all(db.reader()).await?;
    rows.iter().map(|r| from_row(r).map(|(e, _)| e)).collect()
}

/// Recomputes the whole chain in pages and names the first link that does not hold.
pub async fn verify(db: &Db) -> StoreResult<AuditVerifyReport> {
    const PAGE: i64 = 5_000;
    let mut expected_prev = GENESIS.to_string();
    let mut expected_seq = 1;
    let mut checked = 0;
    loop {
        let rows = sqlx::query(concat!(select!(), " WHERE seq >= $1 ORDER BY seq LIMIT $2")).bind(expected_seq).bind(PAGE).fetch_all(db.reader()).await?;
        if rows.is_empty() {
            return Ok(AuditVerifyReport { events_checked: checked, ok: true, first_broken_seq: None, reason: None });
        }
        for r in &rows {
            let (event, prev_hash) = from_row(r)?;
            let broken =
                |reason: &str| AuditVerifyReport { events_checked: checked, ok: false, first_broken_seq: Some(expected_seq), reason: Some(reason.to_string()) };
            if event.seq != expected_seq {
                return Ok(broken(&format!("event {expected_seq} is missing (next is {})", event.seq)));
            }
            if prev_hash != expected_prev {
                return Ok(broken("its link to the previous event does not match"));
            }
            if event_hash(&prev_hash, event.seq, &event) != event.hash {
                return Ok(broken("its content does not match its hash"));
            }
            expected_prev = event.hash;
            expected_seq += 1;
            checked += 1;
        }
    }
}

/// The chain's last event: its sequence number and hash.
pub async fn head(db: &Db) -> StoreResult<Option<(i64, String)>> {
    let row = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetch_optional(db.reader()).await?;
    row.map(|r| Ok((r.try_get("seq")?, r.try_get("hash")?))).transpose()
}

/// The hash of event `seq`, if there is one.
pub async fn hash_of(db: &Db, seq: i64) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT hash FROM audit_events WHERE seq = $1").bind(seq).fetch_optional(db.reader()).await?)
}

/// The `(target, detail)` of every event that vouches for a record (a score, a certification
/// record), in the chain's order.
pub async fn vouching_events(db: &Db) -> StoreResult<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT target, detail FROM audit_events WHERE action IN ('certification.score', 'paper.hand_in', 'paper.terminate', 'paper.marked') ORDER BY seq",
    )
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("target")?, r.try_get("detail")?))).collect()
}
