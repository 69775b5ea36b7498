//! Recording segments into the evidence: each closed segment is hashed, logged (session,
//! candidate, track, index, start and end, size, SHA-256) and handed to the archive as
//! evaluation video, kept 5 years at least from its session's end. At start, segments left
//! unfinished by a crash are closed, kept and logged as recovered.
use std::path::Path;

use media::recorder::SegmentInfo;

use crate::app::App;
use crate::archive::{Class, files};
use crate::error::AppError;
use exam_records::exams;

/// Logs and archives one closed segment of candidate `candidate_id`'s `stream`.
pub async fn keep(app: &App, candidate_id: i64, stream: &str, segment: &SegmentInfo) -> Result<i64, AppError> {
    let c = exams::candidate(&app.db, candidate_id).await?.ok_or(AppError::NotFound)?;
    let s = exams::get_session(&app.db, c.session_id).await?.ok_or(AppError::NotFound)?;
    let bytes = tokio::fs::read(&segment.path).await.map_err(|e| AppError::Internal(anyhow::anyhow!("{}: {e}", segment.path.display())))?;
    let name = format!("{stream}-{:05}", segment.index);
    let new = files::NewFile {
        class: Class::Video,
        subject: format!("candidate:{}", c.id),
        institution_id: Some(s.institution_id),
        name: &name,
        mime: "video/webm",
        extension: "webm",
        period_from_ms: s.ends_at_ms.max(segment.end_unix_ms),
        extra: serde_json::json!({
            "segment": true, "session": s.id, "candidate": c.id, "track": stream, "index": segment.index,
            "start_ms": segment.start_unix_ms, "end_ms": segment.end_unix_ms, "duration_ms": segment.duration_ms,
            "recovered": segment.recovered, "file": segment.path.file_name().map(|f| f.to_string_lossy().to_string()),
        }),
    };
    files::store(app, None, &new, &bytes).await
}

/// Finds segments a crash left unfinished (`.webm.part`) under the recordings directory,
/// renames them closed, and logs and archives them as recovered. How many.
pub async fn recover(app: &App, recordings: &Path) -> Result<usize, AppError> {
    let mut found = Vec::new();
    collect_parts(recordings, &mut found);
    let mut n = 0;
    for part in found {
        let done = part.with_extension("");
        if std::fs::rename(&part, &done).is_err() {
            continue;
        }
        // …/session-<s>/candidate-<c>/<started>-<stream>-<index>.webm
        let candidate =
            done.parent().and_then(|d| d.file_name()).and_then(|n| n.to_str()).and_then(|n| n.strip_prefix("candidate-")).and_then(|n| n.parse::<i64>().ok());
        let stem = done.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        let mut parts = stem.rsplitn(3, '-');
        let index = parts.next().and_then(|i| i.parse::<u32>().ok());
        let stream = match parts.next() {
            Some("screen") => "screen",
            _ => "camera",
        };
        let started = parts.next().and_then(|s| s.parse::<i64>().ok());
        let (Some(candidate), Some(index)) = (candidate, index) else { continue };
        let modified = std::fs::metadata(&done)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let bytes = std::fs::metadata(&done).map(|m| m.len()).unwrap_or(0);
        // The recorder cuts near every segment_secs from its start: where this one began, about.
        let start = started
            .map(|s| s + i64::from(index) * app.settings.media.segment_secs.min(600) as i64 * 1000)
            .filter(|s| *s > 0 && *s <= modified)
            .unwrap_or(modified);
        let segment =
            SegmentInfo { path: done.clone(), index, start_unix_ms: start, end_unix_ms: modified, duration_ms: modified - start, bytes, recovered: true };
        match keep(app, candidate, stream, &segment).await {
            Ok(_) => n += 1,
            Err(e) => tracing::warn!(path = %done.display(), error = %e, "a recovered segment was not logged"),
        }
    }
    if n > 0 {
        tracing::warn!(segments = n, "recording segments left unfinished by a crash were recovered and logged");
    }
    Ok(n)
}

fn collect_parts(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_parts(&p, out);
        } else if p.to_string_lossy().ends_with(".webm.part") {
            out.push(p);
        }
    }
}
