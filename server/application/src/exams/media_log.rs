//! Media events into the exam-room record: a track starting or stopping, a connection that
//! never came up, a candidate gone. Proctors read them in the room feed (from the database, so
//! from any server process); the candidate's own page hears of them on its socket.
use media::sfu::MediaEvent;
use tokio::sync::broadcast::error::RecvError;

use crate::App;
use exam_records::{StoreError, exams};

pub fn spawn(state: App) {
    let mut rx = state.media.events();
    tokio::spawn(async move {
        loop {
            let event = match rx.recv().await {
                Ok(e) => e,
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "media events were missed by the record");
                    continue;
                }
                Err(RecvError::Closed) => return,
            };
            if let Err(e) = record(&state, &event).await {
                tracing::warn!(error = %e, "a media event was not recorded");
            }
        }
    });
}

async fn record(state: &App, event: &MediaEvent) -> Result<(), StoreError> {
    if let MediaEvent::SegmentClosed { publisher, stream, segment } = event {
        if let Err(e) = crate::evidence::segments::keep(state, *publisher, stream, segment).await {
            tracing::error!(error = %e, path = %segment.path.display(), "a recording segment was not logged and archived");
        }
        return Ok(());
    }
    let (kind, detail) = match event {
        MediaEvent::TrackUp { kind, .. } => ("media_up", serde_json::json!({ "track": kind })),
        MediaEvent::TrackDown { kind, .. } => ("media_down", serde_json::json!({ "track": kind })),
        MediaEvent::IceFailed { .. } => ("media_failed", serde_json::json!({ "reason": "ice_timeout" })),
        MediaEvent::Gone { .. } => ("media_closed", serde_json::json!({})),
        MediaEvent::SegmentClosed { .. } => return Ok(()),
    };
    let Some(c) = exams::candidate(&state.db, event.publisher()).await? else {
        return Ok(());
    };
    let mut tx = state.db.writer().begin().await?;
    exams::insert_event(&mut tx, c.session_id, Some(c.id), kind, &detail.to_string(), None, state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(())
}
