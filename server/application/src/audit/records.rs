//! The records the audit trail vouches for: every paper's score and every certification record
//! must match the audit event written with it, so a score changed in the database, or a record
//! added behind the server's back, fails verification.
use std::collections::HashMap;

use serde_json::Value;

use exam_records::{Db, StoreResult, audit, exams};

/// The first record that does not match its audit event, if any.
pub async fn check(db: &Db) -> StoreResult<Option<String>> {
    // The last word on each target: a marked paper's final score comes after its hand-in.
    let mut vouched: HashMap<String, Value> = HashMap::new();
    for (target, detail) in audit::vouching_events(db).await? {
        if let Ok(v) = serde_json::from_str::<Value>(&detail) {
            vouched.insert(target, v);
        }
    }
    let scores = exams::all_certification_scores(db).await?;
    for (id, r) in &scores {
        let Some(v) = vouched.get(&format!("certification_score:{id}")) else {
            return Ok(Some(format!("certification record {id} is not in the audit trail")));
        };
        let holder = holder_hash(&r.id_kind, &r.id_number);
        let same = v["score"].as_i64() == Some(r.score)
            && v["passed"].as_bool() == Some(r.passed)
            && v["level"].as_i64() == Some(r.level)
            && v["component"].as_str() == Some(r.component.as_str())
            && v["occupation_code"].as_str() == Some(r.occupation_code.as_str())
            && v["holder"].as_str() == Some(holder.as_str());
        if !same {
            return Ok(Some(format!("certification record {id} differs from its audit event")));
        }
    }
    // And no record the trail vouches for may be gone.
    let ids: std::collections::HashSet<String> = scores.iter().map(|(id, _)| format!("certification_score:{id}")).collect();
    if let Some(gone) = vouched.keys().filter(|t| t.starts_with("certification_score:")).find(|t| !ids.contains(*t)) {
        return Ok(Some(format!("certification record {} is in the audit trail but gone from the records", gone.trim_start_matches("certification_score:"))));
    }
    for (id, score) in exams::ended_paper_scores(db).await? {
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
