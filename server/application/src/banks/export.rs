//! A bank's current items as a file in a published format (XLSX, Moodle XML, QTI packages),
//! for those who may export; every export is in the audit trail.
use exam_records::audit::{self, Entry};
use exam_records::{StoreError, items};
use question_bank::export;
use question_bank::import::Format;

use super::scope;
use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

/// Who may export the bank, settled before the request's parameters are looked at.
pub async fn may_export(app: &App, actor: &Actor, bank_id: i64) -> Result<(), AppError> {
    let s = scope::resolve(&app.db, actor, bank_id).await?;
    s.require(s.can_export())
}

/// The file's bytes, media type and extension.
pub async fn export(app: &App, actor: &Actor, bank_id: i64, format: &str) -> Result<(Vec<u8>, &'static str, &'static str), AppError> {
    let s = scope::resolve(&app.db, actor, bank_id).await?;
    s.require(s.can_export())?;
    let format = Format::parse(format).filter(|f| export::FORMATS.contains(f)).ok_or(AppError::from(super::BankRefusal::UnknownFormat))?;
    let records = items::all_current(&app.db, bank_id).await?;
    let mut drafts = Vec::with_capacity(records.len());
    for r in &records {
        let c = &r.content;
        let mut d = question_bank::ItemDraft::new(format!("item {}", r.item_id), c.stem.clone(), c.choices.clone(), c.key.clone());
        d.item_type = c.item_type;
        d.code = c.code.clone();
        d.points = c.points;
        d.difficulty = c.difficulty;
        d.outline_point = c.outline_point.clone();
        d.tags = c.tags.clone();
        d.source = c.source.clone();
        d.assets = items::assets(&app.db, r.version_id).await?;
        drafts.push(d);
    }
    let bytes = tokio::task::spawn_blocking(move || export::export(format, &drafts))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(e.into()))?;
    let now = app.clock.now_ms();
    let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
    audit::append(
        &mut tx,
        app.db.backend,
        &Entry {
            actor: actor.audit_actor(),
            action: "bank.export",
            target: format!("bank:{bank_id}"),
            detail: serde_json::json!({ "format": format.as_str(), "items": records.len() }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    let (mime, ext) = match format {
        Format::Xlsx => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        Format::MoodleXml => ("application/xml; charset=utf-8", "xml"),
        _ => ("application/zip", "zip"),
    };
    Ok((bytes, mime, ext))
}
