//! The records the audit trail vouches for: every paper's score and every certification record
//! must match the audit event written with it, so a score changed in the database, or a record
//! added behind the server's back, fails verification.
use std::collections::HashMap;

use serde_json::Value;
use sqlx::Row;

use exam_records::{Db, StoreResult};

/// The first record that does not match its audit event, if any.
pub async fn check(db: &Db) -> StoreResult<Option<String>> {
    let events = sqlx::query(
        "SELECT target, detail FROM audit_events WHERE action IN ('certification.score', 'paper.hand_in', 'paper.terminate', 'paper.marked') ORDER BY seq",
    )
    .fetch_all(db.reader())
    .await?;
    // The last word on each target: a marked paper's final score comes after its hand-in.
    let mut vouched: HashMap<String, Value> = HashMap::new();
    for r in &events {
        let target: String = r.try_get("target")?;
        let detail: String = r.try_get("detail")?;
        if let Ok(v) = serde_json::from_str::<Value>(&detail) {
            vouched.insert(target, v);
        }
    }
    let scores =
        sqlx::query("SELECT id, id_kind, id_number, occupation_code, level, component, score, passed, session_id FROM certification_scores ORDER BY id")
            .fetch_all(db.reader())
            .await?;
    for r in &scores {
        let id: i64 = r.try_get("id")?;
        let Some(v) = vouched.get(&format!("certification_score:{id}")) else {
            return Ok(Some(format!("certification record {id} is not in the audit trail")));
        };
        let holder = holder_hash(&r.try_get::<String, _>("id_kind")?, &r.try_get::<String, _>("id_number")?);
        let same = v["score"].as_i64() == Some(r.try_get("score")?)
            && v["passed"].as_bool() == Some(r.try_get::<i64, _>("passed")? != 0)
            && v["level"].as_i64() == Some(r.try_get("level")?)
            && v["component"].as_str() == Some(r.try_get::<String, _>("component")?.as_str())
            && v["occupation_code"].as_str() == Some(r.try_get::<String, _>("occupation_code")?.as_str())
            && v["holder"].as_str() == Some(holder.as_str());
        if !same {
            return Ok(Some(format!("certification record {id} differs from its audit event")));
        }
    }
    // And no record the trail vouches for may be gone.
    let ids: std::collections::HashSet<String> =
        scores.iter().filter_map(|r| r.try_get::<i64, _>("id").ok()).map(|id| format!("certification_score:{id}")).collect();
    if let Some(gone) = vouched.keys().filter(|t| t.starts_with("certification_score:")).find(|t| !ids.contains(*t)) {
        return Ok(Some(format!("certification record {} is in the audit trail but gone from the records", gone.trim_start_matches("certification_score:"))));
    }
    let papers = sqlx::query("SELECT id, score FROM papers WHERE status <> 'in_progress' ORDER BY id").fetch_all(db.reader()).await?;
    for r in &papers {
        let id: i64 = r.try_get("id")?;
        let score: Option<i64> = r.try_get("score")?;
        let logged = vouched.get(&format!("paper:{id}")).map(|v| v["score"].as_i64());
        if logged != Some(score) {
            return Ok(Some(format!("the score of paper {id} differs from its audit event")));
        }
    }
    Ok(None)
}

/// Who a certification record is about, as the audit trail names them: no ID number in the
/// trail, a digest of it.
pub fn holder_hash(id_kind: &str, id_number: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(format!("certification-holder\n{id_kind}\n{id_number}").as_bytes());
    hex::encode(&d[..16])
}
