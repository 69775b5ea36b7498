//! Archival re-encode (off by default; `archive.reencode`): once a session has ended, each of
//! its recording segments is also kept as VP9 at a lower bitrate, audio copied. The copy is a
//! file of its own in the archive, kept as long as the original, and logged in the evidence
//! log with the SHA-256 of the original it was made from; the original and its hash are kept
//! as they are, so the evidence never rests on the copy.
use exam_records::archive::{self as rows, ArchiveObject};
use exam_records::exams::{self, SessionRow};

use super::{Class, files};
use crate::app::App;
use crate::error::AppError;

/// Segments are re-encoded once their session has been over this long.
const AFTER_END_MS: i64 = 10 * 60_000;

/// Re-encodes up to `limit` segments of ended sessions that have no copy yet; how many were made.
pub async fn due(app: &App, limit: i64) -> Result<usize, AppError> {
    if !app.settings.archive.reencode {
        return Ok(0);
    }
    let now = app.clock.now_ms();
    let mut made = 0;
    let failed_before = failed().lock().map(|f| f.len()).unwrap_or(0) as i64;
    for o in rows::without_reencode(&app.db, now, limit.max(1) * 4 + failed_before).await? {
        if made >= limit as usize {
            break;
        }
        if failed().lock().is_ok_and(|f| f.contains(&o.id)) {
            continue;
        }
        let Some(cid) = o.subject.strip_prefix("candidate:").and_then(|c| c.parse::<i64>().ok()) else { continue };
        let Some(c) = exams::candidate(&app.db, cid).await? else { continue };
        let Some(s) = exams::get_session(&app.db, c.session_id).await? else { continue };
        if s.ends_at_ms + AFTER_END_MS > now {
            continue;
        }
        match once(app, &o, &s).await {
            Ok(_) => made += 1,
            Err(e) => {
                // Not tried again by this process (a segment without video, a damaged one…).
                tracing::warn!(id = o.id, error = %e, "segment not re-encoded; not tried again until restart");
                if let Ok(mut f) = failed().lock() {
                    f.insert(o.id);
                }
            }
        }
    }
    Ok(made)
}

/// Segments this process could not re-encode.
fn failed() -> &'static std::sync::Mutex<std::collections::HashSet<i64>> {
    static F: std::sync::OnceLock<std::sync::Mutex<std::collections::HashSet<i64>>> = std::sync::OnceLock::new();
    F.get_or_init(Default::default)
}

/// Re-encodes one segment; the copy's archive id.
pub async fn once(app: &App, o: &ArchiveObject, s: &SessionRow) -> Result<i64, AppError> {
    let bytes = files::read_bytes(app, o).await?;
    if media::archive::sha256_hex(&bytes) != o.sha256 {
        return Err(AppError::Internal(anyhow::anyhow!("segment {} does not match its logged SHA-256; not re-encoded", o.id)));
    }
    let kbps = app.settings.archive.reencode_video_kbps.clamp(50, 5_000);
    let dir = app.settings.data_dir.join("reencode");
    tokio::fs::create_dir_all(&dir).await.map_err(|e| AppError::Internal(e.into()))?;
    let (src, dst) = (dir.join(format!("{}-in.webm", o.id)), dir.join(format!("{}-out.webm", o.id)));
    tokio::fs::write(&src, &bytes).await.map_err(|e| AppError::Internal(e.into()))?;
    let (a, b) = (src.clone(), dst.clone());
    let made = tokio::task::spawn_blocking(move || media::reencode::to_vp9(&a, &b, kbps)).await;
    let out = tokio::fs::read(&dst).await;
    let _ = tokio::fs::remove_file(&src).await;
    let _ = tokio::fs::remove_file(&dst).await;
    let made = made.map_err(|e| AppError::Internal(e.into()))?.map_err(|e| AppError::Internal(anyhow::anyhow!("re-encoding segment {}: {e}", o.id)))?;
    let out = out.map_err(|e| AppError::Internal(e.into()))?;
    let name = format!("{}.vp9", o.name);
    let new = files::NewFile {
        class: Class::Video,
        subject: o.subject.clone(),
        institution_id: o.institution_id,
        name: &name,
        mime: "video/webm",
        extension: "webm",
        period_from_ms: s.ends_at_ms,
        extra: serde_json::json!({
            "session": s.id, "derived_from": o.sha256, "original": o.id, "original_key": o.object_key,
            "codec": "vp9", "video_kbps": kbps, "video_frames": made.video_frames, "original_size": o.size,
        }),
    };
    files::store(app, None, &new, &out).await
}
