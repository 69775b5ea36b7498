//! The candidate's receipt (存证回执) for their hand-in: the log's checkpoint and the inclusion
//! proof of the hand-in's entry, checkable with the log's public key alone, by any tool that
//! speaks RFC 9162 and C2SP signed notes. No proctoring service gives candidates this.
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;
use exam_records::exams;

/// The receipt's format name, so a verifier knows what it holds.
pub const FORMAT: &str = "exam-evidence-receipt/v1";

/// The signed-in candidate's receipt for their ended paper; `NotFound` before the paper ends.
pub async fn for_candidate(app: &App, user: &Actor) -> Result<Value, AppError> {
    let c = exams::candidate_by_account(&app.db, user.account.id).await?.ok_or(AppError::NotFound)?;
    let p = exams::paper_of_candidate(&app.db, c.id).await?.ok_or(AppError::NotFound)?;
    let proved = app.evidence.prove_latest_about(&app.db, &format!("paper:{}", p.id), app.clock.now_ms()).await?.ok_or(AppError::NotFound)?;
    let entry = String::from_utf8(proved.entry).map_err(|e| AppError::Internal(e.into()))?;
    Ok(json!({
        "format": FORMAT,
        "log_key": app.evidence.verifier_key(),
        "checkpoint": proved.checkpoint,
        "tree_size": proved.size,
        "index": proved.index,
        "entry": entry,
        "inclusion_proof": proved.proof.iter().map(|h| STANDARD.encode(h)).collect::<Vec<_>>(),
    }))
}

/// Checks a receipt with a verifier key given separately (never the one inside the receipt,
/// which only says which key it expects). The entry's JSON when it holds.
pub fn verify(receipt: &Value, verifier_key: &str) -> Result<Value, String> {
    let verifier = evidence::note::NoteVerifier::from_text(verifier_key).map_err(|e| format!("the key: {e}"))?;
    if receipt["format"] != FORMAT {
        return Err(format!("not a receipt of the form {FORMAT}"));
    }
    let note = receipt["checkpoint"].as_str().ok_or("no checkpoint")?;
    let index = receipt["index"].as_u64().ok_or("no index")?;
    let entry = receipt["entry"].as_str().ok_or("no entry")?;
    let proof = receipt["inclusion_proof"]
        .as_array()
        .ok_or("no inclusion proof")?
        .iter()
        .map(|h| h.as_str().and_then(|s| STANDARD.decode(s).ok()).and_then(|b| <[u8; 32]>::try_from(b).ok()).ok_or("a proof hash is not 32 bytes of base64"))
        .collect::<Result<Vec<_>, _>>()?;
    evidence::receipt::verify(&verifier, note, index, entry.as_bytes(), &proof).map_err(|e| e.to_string())?;
    serde_json::from_str(entry).map_err(|e| format!("the entry is not JSON: {e}"))
}
