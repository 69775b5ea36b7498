//! `evidence verify`: everything the log vouches for, checked again from the stored bytes.
//! Every entry is re-hashed and the tree rebuilt; every stored checkpoint must carry the log
//! key's signature, match the rebuilt tree, and be consistent with the one before it (a
//! rewritten log fails here); every hand-in's digest is recomputed from the paper and the
//! answers stored now; the audit chain must hold and still contain the newest head the log
//! recorded (a cut tail fails here). The first bad item is named.
use evidence::checkpoint::Checkpoint;
use evidence::merkle::{Hash, Tree, leaf_hash, verify_consistency};
use evidence::note::NoteVerifier;
use exam_records::{Db, StoreResult, evidence as rows, exams};
use serde::Serialize;

/// Which hand-ins to check again (all by default); the log itself is always checked whole.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope {
    pub session: Option<i64>,
    pub candidate: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub ok: bool,
    pub entries: u64,
    pub checkpoints: u64,
    pub hand_ins: u64,
    /// Archived files re-read and re-hashed.
    pub files: u64,
    pub audit_events: i64,
    /// The first item that does not hold, and why.
    pub first_bad: Option<String>,
}

const BATCH: i64 = 5_000;

pub async fn verify(db: &Db, key: &NoteVerifier, data_dir: &std::path::Path, scope: Scope, archive: &crate::archive::ArchiveService) -> StoreResult<Report> {
    let mut report = Report { ok: true, entries: 0, checkpoints: 0, hand_ins: 0, files: 0, audit_events: 0, first_bad: None };
    let fail = |mut r: Report, why: String| {
        r.ok = false;
        r.first_bad = Some(why);
        Ok(r)
    };
    // The entries, re-hashed, in order and without gaps.
    let mut tree = Tree::new();
    let mut hand_ins = Vec::new();
    let mut files = Vec::new();
    loop {
        let batch = rows::stored(db, tree.size() as i64, BATCH).await?;
        for e in &batch {
            if e.idx != tree.size() as i64 {
                return fail(report, format!("evidence entry {} is missing", tree.size()));
            }
            let h = leaf_hash(&e.data);
            if e.leaf_hash != h {
                return fail(report, format!("evidence entry {} ({}, {}) does not hash to its recorded leaf hash: it was changed", e.idx, e.kind, e.subject));
            }
            tree.push_leaf_hash(h);
            if e.kind == "hand_in" {
                hand_ins.push(e.clone());
            } else if e.kind == "archive_object" {
                files.push(e.clone());
            }
        }
        if (batch.len() as i64) < BATCH {
            break;
        }
    }
    report.entries = tree.size();
    // The checkpoints: signed by the key, matching the entries, each consistent with the last.
    let mut previous: Option<Checkpoint> = None;
    for (size, _, note) in rows::checkpoints(db).await? {
        let cp = match Checkpoint::open(&note, key) {
            Ok(cp) => cp,
            Err(e) => return fail(report, format!("checkpoint of size {size}: {e}")),
        };
        if cp.size != size as u64 {
            return fail(report, format!("checkpoint of size {size} says it is of size {}", cp.size));
        }
        match tree.root_at(cp.size) {
            None => return fail(report, format!("checkpoint of size {size} covers entries that are no longer stored (the log has {})", tree.size())),
            Some(root) if root != cp.root => {
                return fail(report, format!("checkpoint of size {size}: the stored entries do not make its signed root: the log was rewritten"));
            }
            Some(_) => {}
        }
        if let Some(prev) = &previous {
            let proof = tree.consistency_proof(prev.size, cp.size).unwrap_or_default();
            if verify_consistency(prev.size, &prev.root, cp.size, &cp.root, &proof).is_err() {
                return fail(report, format!("checkpoints of sizes {} and {size} are not consistent: the log was rewritten between them", prev.size));
            }
        }
        report.checkpoints += 1;
        previous = Some(cp);
    }
    // Hand-ins: what is stored now must be what was handed in.
    for e in hand_ins {
        let v: serde_json::Value = serde_json::from_slice(&e.data).unwrap_or_default();
        let (session, candidate, paper) = (v["session"].as_i64(), v["candidate"].as_i64(), v["paper"].as_i64());
        if scope.session.is_some_and(|s| Some(s) != session) || scope.candidate.is_some_and(|c| Some(c) != candidate) {
            continue;
        }
        let Some(paper) = paper else {
            return fail(report, format!("evidence entry {}: a hand-in without its paper", e.idx));
        };
        let Some(p) = exams::paper(db, paper).await? else {
            return fail(report, format!("paper {paper} (evidence entry {}) is no longer stored", e.idx));
        };
        let answers = exam_records::answers::current(db, paper).await?;
        if hex::encode(digest(&p.questions, &answers)) != v["sha256"].as_str().unwrap_or_default() {
            return fail(
                report,
                format!(
                    "paper {paper} of candidate {} in session {}: its questions or answers stored now are not those handed in (evidence entry {})",
                    candidate.unwrap_or_default(),
                    session.unwrap_or_default(),
                    e.idx
                ),
            );
        }
        report.hand_ins += 1;
    }
    // Archived files: read back (from the spool while they wait there) and re-hashed.
    for e in files {
        let v: serde_json::Value = serde_json::from_slice(&e.data).unwrap_or_default();
        let key = v["key"].as_str().unwrap_or_default();
        if scope.session.is_some_and(|s| v["session"].as_i64() != Some(s)) || scope.candidate.is_some_and(|c| v["candidate"].as_i64() != Some(c)) {
            continue;
        }
        let Some(o) = exam_records::archive::of_key(db, key).await? else {
            return fail(report, format!("archived file {key} (evidence entry {}) has no record", e.idx));
        };
        if o.deleted_at_ms.is_some() {
            continue;
        }
        let bytes = match (&o.spool_path, &o.version_id) {
            (Some(p), _) => tokio::fs::read(p).await.ok(),
            (None, Some(version)) => archive.store.get(key, version).await.ok(),
            (None, None) => None,
        };
        let Some(bytes) = bytes else {
            return fail(report, format!("archived file {key} (evidence entry {}) is missing", e.idx));
        };
        if media::archive::sha256_hex(&bytes) != v["sha256"].as_str().unwrap_or_default() {
            return fail(report, format!("archived file {key} (evidence entry {}) does not hash to the SHA-256 logged for it: it was changed", e.idx));
        }
        report.files += 1;
    }
    // The audit chain, with the heads the log recorded.
    let audit = crate::audit::verify(db, data_dir).await?;
    report.audit_events = audit.events_checked;
    if !audit.ok {
        return fail(report, format!("audit event {}: {}", audit.first_broken_seq.unwrap_or_default(), audit.reason.unwrap_or_default()));
    }
    Ok(report)
}

/// The hand-in digest: SHA-256 over the paper's frozen questions, a newline, and its final
/// answers (question, response, sequence) as stored, in JSON.
pub fn digest(questions: &str, answers: &[(i64, String, i64)]) -> Hash {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(questions.as_bytes());
    h.update(b"\n");
    h.update(serde_json::to_vec(answers).unwrap_or_default());
    h.finalize().into()
}
