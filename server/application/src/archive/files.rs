//! Files into and out of the archive, as people use them: an institution's admin uploads a
//! scan of the session's paper materials (PDF, JPEG or PNG by content, bounded in size); those
//! who may see the session download its files (checked against their SHA-256 as they are
//! served); regulators place and lift legal holds; the purge job removes what is past its term.
use exam_protocol::Role;
use exam_records::archive::{self as rows, ArchiveObject};
use exam_records::audit::{self, Entry};
use exam_records::{StoreError, exams};

use super::Class;
use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

/// The largest scan accepted (a multi-page PDF of a session's sign-in sheets).
pub const MAX_SCAN_BYTES: usize = 20 * 1024 * 1024;

/// A file's type by its content: PDF, JPEG or PNG; anything else is refused.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"%PDF-") {
        Some(("application/pdf", "pdf"))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else {
        None
    }
}

/// What a new file is: where it belongs and what it is called.
#[derive(Debug, Clone)]
pub struct NewFile<'a> {
    pub class: Class,
    /// `session:<id>`, `candidate:<id>`…
    pub subject: String,
    pub institution_id: Option<i64>,
    /// Shown to people; also the end of the object's key.
    pub name: &'a str,
    pub mime: &'a str,
    pub extension: &'a str,
    /// When the retention period starts (a session's end, a document's date).
    pub period_from_ms: i64,
    /// More fields for the evidence log's entry (a segment's session, track, index, times).
    pub extra: serde_json::Value,
}

/// Spools a file, records it, and logs it in the evidence log, in one transaction; the
/// uploader takes it to the archive. Its id.
pub async fn store(app: &App, actor: Option<&Actor>, new: &NewFile<'_>, bytes: &[u8]) -> Result<i64, AppError> {
    let now = app.clock.now_ms();
    let sha256 = media::archive::sha256_hex(bytes);
    let key = format!("{}/{}/{}-{}.{}", new.class.as_str(), new.subject.replace(':', "-"), now, &sha256[..16], new.extension);
    let spool_path = spool(app, &key, bytes).await?;
    let retain_until_ms = new.class.retain_until(&app.settings.archive, new.period_from_ms);
    let mut entry = serde_json::json!({
        "kind": "archive_object", "key": key, "class": new.class.as_str(), "subject": new.subject,
        "size": bytes.len(), "sha256": sha256, "retain_until_ms": retain_until_ms, "at_ms": now,
    });
    if let (Some(e), Some(extra)) = (entry.as_object_mut(), new.extra.as_object()) {
        for (k, v) in extra {
            e.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
    let idx = crate::evidence::log::append(&mut tx, "archive_object", &format!("archive:{key}"), &entry, now).await?;
    let row = ArchiveObject {
        id: 0,
        object_key: key.clone(),
        class: new.class.as_str().to_string(),
        subject: new.subject.clone(),
        institution_id: new.institution_id,
        name: new.name.to_string(),
        mime: new.mime.to_string(),
        size: bytes.len() as i64,
        sha256,
        retain_until_ms,
        legal_hold: new.class.held(),
        spool_path: Some(spool_path.display().to_string()),
        version_id: None,
        archived_at_ms: None,
        attempts: 0,
        last_error: None,
        created_at_ms: now,
        created_by: actor.map(|a| a.account.id),
        evidence_idx: Some(idx),
        deleted_at_ms: None,
    };
    let id = rows::insert(&mut tx, &row).await?;
    if let Some(actor) = actor {
        let detail = serde_json::json!({ "key": key, "class": new.class.as_str(), "size": bytes.len(), "name": new.name }).to_string();
        audit::append(
            &mut tx,
            app.db.backend,
            &Entry { actor: actor.audit_actor(), action: "archive.store", target: format!("archive:{id}"), detail, at_ms: now },
        )
        .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    app.archive.wake();
    Ok(id)
}

/// Writes a file into the spool, synced; its path there.
async fn spool(app: &App, key: &str, bytes: &[u8]) -> Result<std::path::PathBuf, AppError> {
    let spool_path = app.archive.spool.join(key.replace('/', "_"));
    let path = spool_path.clone();
    let bytes = bytes.to_vec();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        let mut f = std::fs::File::create(&path)?;
        f.write_all(&bytes)?;
        f.sync_all()
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::Internal(anyhow::anyhow!("spooling {}: {e}", spool_path.display())))?;
    Ok(spool_path)
}

/// Spools and records a file under a key of its own choosing, kept permanently and not logged
/// in the evidence log: for the log's own files (tiles and checkpoints), which the signed
/// checkpoints prove. False when that key is kept already.
pub async fn store_log_file(app: &App, key: &str, bytes: &[u8]) -> Result<bool, AppError> {
    if rows::of_key(&app.db, key).await?.is_some() {
        return Ok(false);
    }
    let now = app.clock.now_ms();
    let spool_path = spool(app, key, bytes).await?;
    let class = Class::KeyDocument;
    let row = ArchiveObject {
        id: 0,
        object_key: key.to_string(),
        class: class.as_str().to_string(),
        subject: "evidence-log".into(),
        institution_id: None,
        name: key.rsplit('/').next().unwrap_or(key).to_string(),
        mime: "application/octet-stream".into(),
        size: bytes.len() as i64,
        sha256: media::archive::sha256_hex(bytes),
        retain_until_ms: class.retain_until(&app.settings.archive, now),
        legal_hold: class.held(),
        spool_path: Some(spool_path.display().to_string()),
        version_id: None,
        archived_at_ms: None,
        attempts: 0,
        last_error: None,
        created_at_ms: now,
        created_by: None,
        evidence_idx: None,
        deleted_at_ms: None,
    };
    let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
    rows::insert(&mut tx, &row).await?;
    tx.commit().await.map_err(StoreError::from)?;
    app.archive.wake();
    Ok(true)
}

/// A scan of a session's paper materials (sign-in sheets, the room record as signed…),
/// uploaded by its institution's admin.
pub async fn upload_scan(app: &App, actor: &Actor, session_id: i64, class: &str, name: &str, bytes: &[u8]) -> Result<i64, AppError> {
    let s = crate::exams::session_changes::own_session(&app.db, actor, session_id).await?;
    let class = match Class::parse(class) {
        Some(c @ (Class::Paper | Class::KeyDocument)) => c,
        _ => return Err(AppError::Validation("invalid_class")),
    };
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || !question_bank::names::is_plain(name) {
        return Err(AppError::Validation("invalid_name"));
    }
    if bytes.len() > MAX_SCAN_BYTES {
        return Err(AppError::TooLarge);
    }
    let (mime, extension) = sniff(bytes).ok_or(AppError::Validation("unsupported_file_type"))?;
    let new = NewFile {
        class,
        subject: format!("session:{}", s.id),
        institution_id: Some(s.institution_id),
        name,
        mime,
        extension,
        period_from_ms: s.ends_at_ms.max(app.clock.now_ms()),
        extra: serde_json::json!({ "session": s.id }),
    };
    store(app, Some(actor), &new, bytes).await
}

/// Whether the actor may see files of this institution: its admin, the supervisors who
/// inspect it, and regulators.
pub(crate) async fn may_see(app: &App, actor: &Actor, institution_id: Option<i64>) -> Result<bool, AppError> {
    Ok(match actor.role() {
        Role::Regulator => true,
        Role::InstitutionAdmin => institution_id.is_some() && actor.account.institution_id == institution_id,
        Role::Supervisor => match institution_id {
            Some(i) => exam_records::institutions::inspects(&app.db, actor.account.id, i).await?,
            None => false,
        },
        _ => false,
    })
}

/// A session's files, for those who may see them.
pub async fn of_session(app: &App, actor: &Actor, session_id: i64) -> Result<Vec<ArchiveObject>, AppError> {
    let s = exams::get_session(&app.db, session_id).await?.ok_or(AppError::NotFound)?;
    if !may_see(app, actor, Some(s.institution_id)).await? {
        return Err(AppError::NotFound);
    }
    Ok(rows::of_subject(&app.db, &format!("session:{}", s.id)).await?)
}

/// A file's bytes, from the spool while it waits there, else from the archive; refused when
/// they no longer match the SHA-256 recorded (and logged) when it arrived.
pub async fn download(app: &App, actor: &Actor, id: i64) -> Result<(ArchiveObject, Vec<u8>), AppError> {
    let o = rows::get(&app.db, id).await?.ok_or(AppError::NotFound)?;
    if !may_see(app, actor, o.institution_id).await? || o.deleted_at_ms.is_some() {
        return Err(AppError::NotFound);
    }
    let bytes = read_bytes(app, &o).await?;
    if media::archive::sha256_hex(&bytes) != o.sha256 {
        return Err(AppError::Internal(anyhow::anyhow!("archive object {id} ({}) does not match its recorded SHA-256", o.object_key)));
    }
    Ok((o, bytes))
}

/// A file's bytes as they are now: from the spool while it waits there, else from the
/// archive. Not checked: the caller compares them with the recorded SHA-256.
pub(crate) async fn read_bytes(app: &App, o: &ArchiveObject) -> Result<Vec<u8>, AppError> {
    Ok(match (&o.spool_path, &o.version_id) {
        (Some(p), _) => tokio::fs::read(p).await.map_err(|e| AppError::Internal(anyhow::anyhow!("spool file {p}: {e}")))?,
        (None, Some(v)) => app.archive.store.get(&o.object_key, v).await.map_err(|e| AppError::Internal(anyhow::anyhow!("archive: {e}")))?,
        (None, None) => return Err(AppError::NotFound),
    })
}

/// A regulator places or lifts a legal hold, with a reason; audited. A key document's hold
/// is never lifted.
pub async fn hold(app: &App, actor: &Actor, id: i64, on: bool, reason: &str) -> Result<ArchiveObject, AppError> {
    if actor.role() != Role::Regulator {
        return Err(AppError::Forbidden);
    }
    let o = rows::get(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::Validation("reason_required"));
    }
    if !on && o.class == Class::KeyDocument.as_str() {
        return Err(AppError::Conflict("permanent_document"));
    }
    if let Some(v) = &o.version_id {
        app.archive.store.hold(&o.object_key, v, on).await.map_err(|e| AppError::Internal(anyhow::anyhow!("archive: {e}")))?;
    }
    let now = app.clock.now_ms();
    let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
    rows::set_hold(&mut tx, o.id, on).await?;
    let detail = serde_json::json!({ "key": o.object_key, "hold": on, "reason": reason }).to_string();
    audit::append(
        &mut tx,
        app.db.backend,
        &Entry {
            actor: actor.audit_actor(),
            action: if on { "archive.hold" } else { "archive.release" },
            target: format!("archive:{}", o.id),
            detail,
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(rows::get(&app.db, id).await?.unwrap_or(o))
}

/// Deletes what is past its retention, archived and not held; each deletion is audited. How
/// many were deleted. The store refuses anything else, whatever our records say.
pub async fn purge(app: &App, now_ms: i64) -> Result<usize, AppError> {
    let mut n = 0;
    for o in rows::purgeable(&app.db, now_ms, 500).await? {
        let Some(v) = &o.version_id else { continue };
        let known = media::archive::Lock { retain_until_ms: o.retain_until_ms, legal_hold: o.legal_hold };
        if let Err(e) = app.archive.store.delete(&o.object_key, v, Some(known), now_ms).await {
            tracing::warn!(error = %e, id = o.id, "not purged");
            continue;
        }
        let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
        rows::mark_deleted(&mut tx, o.id, now_ms).await?;
        let detail = serde_json::json!({ "key": o.object_key, "version": v, "class": o.class, "retain_until_ms": o.retain_until_ms }).to_string();
        audit::append(
            &mut tx,
            app.db.backend,
            &Entry { actor: Default::default(), action: "archive.purge", target: format!("archive:{}", o.id), detail, at_ms: now_ms },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        n += 1;
    }
    Ok(n)
}
