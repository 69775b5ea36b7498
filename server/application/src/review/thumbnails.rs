//! Thumbnails of a segment for the review page's strip: one every few seconds, made by FFmpeg
//! from the segment's checked bytes the first time they are asked for, then kept beside the
//! data (derived data, remade at will; the recording itself is the evidence).
use std::sync::OnceLock;

use base64::Engine;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

/// Width of a thumbnail in pixels.
const WIDTH: u32 = 160;
/// Strips one person may ask for in a minute (an hour of one track is 60 at the default).
const PER_MINUTE: u32 = 240;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Thumb {
    /// Wall-clock time of the frame.
    pub at_ms: i64,
    /// `data:image/jpeg;base64,…`
    pub src: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Strip {
    pub segment: i64,
    pub every_ms: i64,
    pub thumbs: Vec<Thumb>,
}

/// Thumbnails are remade on demand; kept this long after they were made.
const KEPT_MS: i64 = 7 * 86_400_000;

/// Removes thumbnails made more than a week ago (faces are not kept beside the archive longer
/// than a review needs them).
pub async fn expire(app: &App, now_ms: i64) {
    let Ok(mut dir) = tokio::fs::read_dir(app.settings.data_dir.join("thumbnails")).await else { return };
    while let Ok(Some(e)) = dir.next_entry().await {
        let made = e.metadata().await.ok().and_then(|m| m.modified().ok()).and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        if made.is_some_and(|d| now_ms - d.as_millis() as i64 > KEPT_MS) {
            let _ = tokio::fs::remove_file(e.path()).await;
        }
    }
}

/// One decode at a time: thumbnails must not take the cores from the live exams.
fn gate() -> &'static Semaphore {
    static GATE: OnceLock<Semaphore> = OnceLock::new();
    GATE.get_or_init(|| Semaphore::new(1))
}

/// The strip of segment `id`, one thumbnail every `every_secs` (5, 10 or 30).
pub async fn of_segment(app: &App, actor: &Actor, id: i64, every_secs: i64) -> Result<Strip, AppError> {
    let every_ms = match every_secs {
        5 | 10 | 30 => every_secs * 1000,
        _ => 10_000,
    };
    if !app.limiter.hit(&format!("thumbnails:{}", actor.account.id), PER_MINUTE, app.clock.now_ms()).await {
        return Err(AppError::RateLimited);
    }
    let dir = app.settings.data_dir.join("thumbnails");
    // Made before (by anyone): no decoding, and no waiting for the decoder.
    let o = exam_records::archive::get(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let cached = dir.join(format!("{}-{every_ms}.json", o.sha256));
    let from_cache = async || -> Option<Strip> { serde_json::from_slice::<Strip>(&tokio::fs::read(&cached).await.ok()?).ok() };
    let _permit = gate().acquire().await.map_err(|e| AppError::Internal(e.into()))?;
    let (o, bytes, checked) = super::playback::segment(app, actor, id, false).await?;
    if checked && let Some(strip) = from_cache().await {
        return Ok(Strip { segment: o.id, ..strip });
    }
    let seg = super::playback::described(app, o.clone()).await?;
    tokio::fs::create_dir_all(&dir).await.map_err(|e| AppError::Internal(e.into()))?;
    let tmp = dir.join(format!("decode-{}-{}.webm", o.id, std::process::id()));
    tokio::fs::write(&tmp, &bytes).await.map_err(|e| AppError::Internal(e.into()))?;
    let path = tmp.clone();
    let made = tokio::task::spawn_blocking(move || media::thumbnails::strip(&path, every_ms, WIDTH)).await;
    let _ = tokio::fs::remove_file(&tmp).await;
    let made = made.map_err(|e| AppError::Internal(e.into()))?.map_err(|e| AppError::Internal(anyhow::anyhow!("thumbnails of segment {}: {e}", o.id)))?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let thumbs = made.into_iter().map(|t| Thumb { at_ms: seg.start_ms + t.at_ms, src: format!("data:image/jpeg;base64,{}", b64.encode(&t.jpeg)) }).collect();
    let strip = Strip { segment: o.id, every_ms, thumbs };
    if checked && let Ok(json) = serde_json::to_vec(&strip) {
        let _ = tokio::fs::write(&cached, json).await;
    }
    Ok(strip)
}
