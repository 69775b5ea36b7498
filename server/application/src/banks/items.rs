//! A bank's items: search, write, change (always a new version), and the moves through review
//! (submit, approve or reject, retire). Every change is one transaction with its audit event.
use exam_protocol::{ItemContent, ItemRecord, ItemStatus};
use exam_records::StoreError;
use exam_records::audit::{self, Entry};
use exam_records::items::{self, Search};
use question_bank::ItemDraft;

use super::review::{self, Move};
use super::scope::{self, BankScope};
use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

/// One page of the bank's items matching `search`, and how many match in all.
pub async fn search(app: &App, actor: &Actor, bank_id: i64, search: &Search) -> Result<(i64, Vec<ItemRecord>), AppError> {
    let s = scope::resolve(&app.db, actor, bank_id).await?;
    s.require(s.can_read_items())?;
    Ok(items::search(&app.db, bank_id, search).await?)
}

/// Sanitises and checks what an author sent, the same way imports are checked.
pub fn checked(content: ItemContent) -> Result<ItemContent, AppError> {
    if content.tags.iter().any(|t| t.trim().is_empty() || t.contains(',')) {
        return Err(AppError::from(super::BankRefusal::InvalidTag));
    }
    let mut draft = ItemDraft::new("api", question_bank::sanitize::clean(&content.stem), content.choices.clone(), content.key.clone());
    for c in &mut draft.choices {
        c.content = question_bank::sanitize::clean(&c.content);
    }
    draft.item_type = content.item_type;
    draft.points = content.points;
    draft.check().map_err(|reason| {
        tracing::debug!(%reason, "item refused");
        AppError::from(super::BankRefusal::InvalidItem)
    })?;
    Ok(ItemContent { stem: draft.stem, choices: draft.choices, ..content })
}

/// An item's assessment point (鉴定点) must be one of its bank's outline: a code typed by hand
/// that the outline does not hold is refused rather than stored where no blueprint finds it.
async fn point_in_outline(app: &App, bank_id: i64, content: &ItemContent) -> Result<(), AppError> {
    let Some(code) = content.outline_point.as_deref().map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(());
    };
    let outline = exam_records::banks::current_outline(&app.db, bank_id).await?;
    match outline.outline.point(code) {
        Some(_) => Ok(()),
        None => Err(AppError::from(super::BankRefusal::UnknownOutlinePoint)),
    }
}

fn entry<'a>(actor: &'a Actor, action: &'static str, version_id: i64, detail: serde_json::Value, now: i64) -> Entry<'a> {
    Entry { actor: actor.audit_actor(), action, target: format!("item_version:{version_id}"), detail: detail.to_string(), at_ms: now }
}

/// A new item, as a draft of its author.
pub async fn create(app: &App, actor: &Actor, bank_id: i64, content: ItemContent) -> Result<ItemRecord, AppError> {
    let s = scope::resolve(&app.db, actor, bank_id).await?;
    s.require(s.can_author())?;
    let content = checked(content)?;
    point_in_outline(app, bank_id, &content).await?;
    let now = app.clock.now_ms();
    let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
    let (item_id, version_id) = items::insert_item(&mut tx, bank_id, ItemStatus::Draft, &content, actor.account.id, now).await?;
    let detail = serde_json::json!({ "item_id": item_id, "bank_id": bank_id });
    audit::append(&mut tx, app.db.backend, &entry(actor, "item.create", version_id, detail, now)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    items::current(&app.db, item_id).await?.ok_or(AppError::NotFound)
}

/// The item's current version and the actor's standing in its bank; not found outside it.
pub async fn in_scope(app: &App, actor: &Actor, item_id: i64) -> Result<(ItemRecord, BankScope), AppError> {
    let item = items::current(&app.db, item_id).await?.ok_or(AppError::NotFound)?;
    let s = scope::resolve(&app.db, actor, item.bank_id).await?;
    if !s.can_read_items() {
        return Err(AppError::NotFound);
    }
    Ok((item, s))
}

/// The display names of the people in an item's history (authors and reviewers), for those who
/// may read the item.
pub async fn people(app: &App, actor: &Actor, item_id: i64) -> Result<std::collections::HashMap<i64, String>, AppError> {
    let versions = history(app, actor, item_id).await?;
    let mut names = std::collections::HashMap::new();
    let ids: Vec<i64> = versions.iter().flat_map(|v| [v.author_id, v.reviewed_by]).flatten().collect();
    for id in ids {
        if let std::collections::hash_map::Entry::Vacant(e) = names.entry(id)
            && let Some(a) = exam_records::accounts::get(&app.db, id).await?
        {
            e.insert(a.display_name);
        }
    }
    Ok(names)
}

/// Every version of the item, for those who may read it.
pub async fn history(app: &App, actor: &Actor, item_id: i64) -> Result<Vec<ItemRecord>, AppError> {
    in_scope(app, actor, item_id).await?;
    Ok(items::history(&app.db, item_id).await?)
}

/// A change never edits a version: it adds the next one as a draft.
pub async fn revise(app: &App, actor: &Actor, item_id: i64, content: ItemContent) -> Result<ItemRecord, AppError> {
    let (item, s) = in_scope(app, actor, item_id).await?;
    s.require(s.can_author())?;
    if item.status == ItemStatus::Retired {
        return Err(AppError::from(super::BankRefusal::InvalidItemTransition));
    }
    let content = checked(content)?;
    point_in_outline(app, item.bank_id, &content).await?;
    let now = app.clock.now_ms();
    let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
    let version_id = items::new_version(&mut tx, &item, &content, actor.account.id, now).await?;
    let detail = serde_json::json!({ "item_id": item_id, "previous_version_id": item.version_id });
    audit::append(&mut tx, app.db.backend, &entry(actor, "item.revise", version_id, detail, now)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    items::current(&app.db, item_id).await?.ok_or(AppError::NotFound)
}

/// Submit (its authors), approve, reject or retire (its reviewers).
pub async fn apply_move(app: &App, actor: &Actor, item_id: i64, m: Move, comment: Option<&str>) -> Result<ItemRecord, AppError> {
    let (item, s) = in_scope(app, actor, item_id).await?;
    let allowed = match m {
        Move::Submit => s.can_author(),
        Move::Review(_) | Move::Retire => s.can_review(),
    };
    s.require(allowed)?;
    review::apply(&app.db, actor, &item, m, comment).await?;
    items::current(&app.db, item_id).await?.ok_or(AppError::NotFound)
}

/// The items waiting for this reviewer, oldest first.
pub async fn review_queue(app: &App, actor: &Actor, limit: i64) -> Result<Vec<ItemRecord>, AppError> {
    Ok(items::review_queue(&app.db, actor.account.id, limit).await?)
}

/// A file (an image) of the item's current version, for those who may read the item.
pub async fn asset(app: &App, actor: &Actor, item_id: i64, path: &str) -> Result<question_bank::item::Asset, AppError> {
    let (item, _) = in_scope(app, actor, item_id).await?;
    items::asset(&app.db, item.version_id, path).await?.ok_or(AppError::NotFound)
}

/// Most images one item version may carry, and the largest one.
const MAX_IMAGES: i64 = 20;
const MAX_IMAGE_BYTES: usize = 1024 * 1024;

/// An image the author adds to their draft in the editor, under `images/<name>`: PNG, JPEG,
/// GIF or WebP by its content, bounded in size and number, audited. A version under review or
/// approved is not changed: a change makes a new draft version first.
pub async fn add_image(app: &App, actor: &Actor, item_id: i64, name: &str, bytes: &[u8]) -> Result<String, AppError> {
    let (item, s) = in_scope(app, actor, item_id).await?;
    s.require(s.can_author())?;
    if item.status != ItemStatus::Draft && item.status != ItemStatus::Rejected {
        return Err(AppError::from(super::BankRefusal::InvalidItemTransition));
    }
    let name_ok = (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) && !name.starts_with('.');
    if !name_ok {
        return Err(AppError::from(super::BankRefusal::InvalidImage));
    }
    let mime = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        "image/gif"
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else {
        return Err(AppError::from(super::BankRefusal::InvalidImage));
    };
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(AppError::TooLarge);
    }
    let path = format!("images/{name}");
    let now = app.clock.now_ms();
    let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
    let asset = question_bank::item::Asset { path: path.clone(), mime: mime.to_string(), bytes: bytes.to_vec() };
    if items::put_asset(&mut tx, item.version_id, &asset).await? > MAX_IMAGES {
        return Err(AppError::from(super::BankRefusal::TooManyImages));
    }
    let detail = serde_json::json!({ "item_id": item_id, "path": path, "bytes": bytes.len() });
    audit::append(&mut tx, app.db.backend, &entry(actor, "item.image", item.version_id, detail, now)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(path)
}
