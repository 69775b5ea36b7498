//! Importing a file into a bank: parse to a report (the dry run), then commit every item in
//! one transaction, all or nothing, with one audit event naming the file by its hash.
use exam_protocol::{ImportSummary, ItemContent, ItemStatus, SkippedItem};
use question_bank::ItemDraft;
use question_bank::import::{self, Format, ImportError, ImportReport, Limits};
use sha2::{Digest, Sha256};

use crate::lang::Lang;
use exam_records::audit::{self, Actor, Entry};
use exam_records::{Db, StoreError, StoreResult, items};

/// Parses off the async threads: a large workbook takes a while.
pub async fn parse(bytes: Vec<u8>, format: Option<Format>, file_name: Option<String>, limits: Limits) -> Result<(Format, ImportReport, Vec<u8>), ImportError> {
    tokio::task::spawn_blocking(move || import::import(&bytes, format, file_name.as_deref(), &limits).map(|(f, r)| (f, r, bytes)))
        .await
        .unwrap_or_else(|_| Err(ImportError::Malformed("the importer stopped unexpectedly".into())))
}

pub fn summary(format: Format, report: &ImportReport, imported: usize, dry_run: bool, lang: Lang) -> ImportSummary {
    ImportSummary {
        format: format.as_str().to_string(),
        imported,
        dry_run,
        skipped: report
            .skipped
            .iter()
            .map(|s| SkippedItem {
                item: s.item.clone(),
                code: s.code.as_str().to_string(),
                reason: lang.choose(format!("{}：{}", s.code.message_zh(), s.detail_in(true)), format!("{}: {}", s.code.message_en(), s.detail_in(false))),
            })
            .collect(),
        missing_images: report
            .items
            .iter()
            .flat_map(|d| {
                let item = d.source_ref.clone();
                d.missing_images().into_iter().map(move |path| exam_protocol::MissingImage { item: item.clone(), path })
            })
            .collect(),
    }
}

pub fn content_of(d: &ItemDraft) -> ItemContent {
    ItemContent {
        code: d.code.clone(),
        item_type: d.item_type,
        stem: d.stem.clone(),
        choices: d.choices.clone(),
        key: d.key.clone(),
        points: d.points,
        difficulty: d.difficulty,
        outline_point: d.outline_point.clone(),
        // Tags are stored comma-separated; a comma inside one becomes the full-width form.
        tags: d.tags.iter().map(|t| t.replace(',', "，")).filter(|t| !t.trim().is_empty()).collect(),
        source: d.source.clone(),
    }
}

/// Stores every item of the report as awaiting review, in one transaction.
pub async fn commit(db: &Db, bank_id: i64, actor: Actor<'_>, format: Format, report: &ImportReport, file: &[u8]) -> StoreResult<usize> {
    let author = actor.id.unwrap_or_default();
    let now = crate::clock::now_ms();
    let mut tx = db.writer().begin().await?;
    let contents: Vec<ItemContent> = report.items.iter().map(content_of).collect();
    let ids = items::insert_items_bulk(&mut tx, bank_id, ItemStatus::InReview, &contents, author, now).await?;
    for (draft, (_, version_id)) in report.items.iter().zip(&ids) {
        for asset in &draft.assets {
            items::insert_asset(&mut tx, *version_id, asset).await?;
        }
    }
    let first = ids.first().map(|(item_id, _)| *item_id);
    audit::append(
        &mut tx,
        db.backend,
        &Entry {
            actor,
            action: "bank.import",
            target: format!("bank:{bank_id}"),
            detail: serde_json::json!({
                "format": format.as_str(),
                "imported": report.items.len(),
                "skipped": report.skipped.len(),
                "first_item_id": first,
                "file_sha256": hex::encode(Sha256::digest(file)),
            })
            .to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(report.items.len())
}

/// What a refused file becomes for the client: a stable code, with what was found where that
/// helps the author.
pub fn refusal(e: &ImportError) -> crate::error::AppError {
    use crate::error::AppError;
    tracing::info!(code = e.code(), detail = %e, "import refused");
    match e {
        ImportError::TooLarge { .. } => AppError::TooLarge,
        ImportError::UnknownFormat => AppError::from(super::BankRefusal::UnknownFormat),
        ImportError::Malformed(d) => AppError::Detailed { code: "malformed_file", detail: d.clone() },
        ImportError::Unsafe(d) => AppError::Detailed { code: "unsafe_file", detail: d.clone() },
        ImportError::TooManyItems { .. } => AppError::from(super::BankRefusal::TooManyItems),
        ImportError::SheetTooLarge { .. } => AppError::from(super::BankRefusal::SheetTooLarge),
    }
}

/// The importer's limits under this deployment's upload size.
pub fn limits(settings: &crate::config::Settings) -> Limits {
    Limits { max_file_bytes: settings.http.max_import_bytes, ..Limits::default() }
}

/// Who may import into the bank, settled before a byte of the file is read.
pub async fn may_import(app: &crate::App, actor: &crate::Actor, bank_id: i64) -> Result<(), crate::error::AppError> {
    let s = super::scope::resolve(&app.db, actor, bank_id).await?;
    s.require(s.can_author())
}

/// An import from the operator's command line, recorded as `username`'s: the same rule as
/// over HTTP (an author of the bank), the same transaction and audit event.
pub async fn commit_as(db: &Db, bank_id: i64, username: &str, format: Format, report: &ImportReport, file: &[u8]) -> Result<usize, crate::error::AppError> {
    let creds = exam_records::accounts::credentials(db, username).await?.ok_or(crate::error::AppError::NotFound)?;
    let actor = crate::Actor::new(creds.account);
    let s = super::scope::resolve(db, &actor, bank_id).await?;
    s.require(s.can_author())?;
    Ok(commit(db, bank_id, actor.audit_actor(), format, report, file).await?)
}

/// Whether the bank exists (for the command line's dry run).
pub async fn bank_exists(db: &Db, bank_id: i64) -> StoreResult<bool> {
    Ok(exam_records::banks::get(db, bank_id).await?.is_some())
}
