//! Managing a bank: creating it, its members, its outline (鉴定要素细目表) and its blueprints
//! per level, with the feasibility of each against the approved items. Every change is one
//! transaction with its audit event.
use exam_protocol::{Bank, Blueprint, Feasibility, MemberRole, NewBank, NewMember, Outline, OutlineProblem, OutlineVersion, Role};
use exam_records::audit::{self, Entry};
use exam_records::{StoreError, accounts, banks, items};

use super::scope::{self, BankScope};
use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

/// Occupation codes look like `6-31-01-03` (national classification): digits and hyphens.
fn valid_occupation_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 20 && s.chars().all(|c| c.is_ascii_digit() || c == '-') && s.chars().any(|c| c.is_ascii_digit())
}

/// A new bank: an institution admin's goes to their own institution.
pub async fn create(app: &App, actor: &Actor, new: &NewBank) -> Result<Bank, AppError> {
    let institution_id = match actor.role() {
        Role::InstitutionAdmin => {
            let own = actor.account.institution_id.ok_or(AppError::Forbidden)?;
            if new.institution_id.is_some_and(|i| i != own) {
                return Err(AppError::NotFound);
            }
            Some(own)
        }
        _ => new.institution_id,
    };
    if !valid_occupation_code(&new.occupation_code) {
        return Err(AppError::from(super::BankRefusal::InvalidOccupationCode));
    }
    let name = new.name.trim();
    if !question_bank::names::is_plain(name) || name.chars().count() > 200 {
        return Err(AppError::from(super::BankRefusal::InvalidName));
    }
    let mut levels = new.levels.clone();
    levels.sort_unstable_by(|a, b| b.cmp(a));
    levels.dedup();
    if levels.is_empty() || levels.iter().any(|l| !(1..=5).contains(l)) {
        return Err(AppError::from(super::BankRefusal::InvalidLevels));
    }
    let mut bank = Bank {
        id: 0,
        institution_id,
        occupation_code: new.occupation_code.clone(),
        work_type: new.work_type.trim().to_string(),
        name: name.to_string(),
        levels,
    };
    let now = app.clock.now_ms();
    let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
    bank.id = banks::insert(&mut tx, &bank, actor.account.id, now).await?;
    let detail = serde_json::json!({ "occupation_code": bank.occupation_code, "institution_id": bank.institution_id });
    audit::append(&mut tx, app.db.backend, &entry(actor, "bank.create", bank.id, detail, now)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(bank)
}

fn entry<'a>(actor: &'a Actor, action: &'static str, bank_id: i64, detail: serde_json::Value, now: i64) -> Entry<'a> {
    Entry { actor: actor.audit_actor(), action, target: format!("bank:{bank_id}"), detail: detail.to_string(), at_ms: now }
}

/// An author or reviewer joins the bank, by the bank's manager.
pub async fn add_member(app: &App, actor: &Actor, bank_id: i64, m: &NewMember) -> Result<(), AppError> {
    let s = scope::resolve(&app.db, actor, bank_id).await?;
    s.require(s.manager)?;
    let account = accounts::get(&app.db, m.account_id).await?.ok_or(AppError::NotFound)?;
    let fits = matches!((m.role, account.role), (MemberRole::Author, Role::Author) | (MemberRole::Reviewer, Role::Reviewer));
    if !fits {
        return Err(AppError::from(super::BankRefusal::MemberRoleMismatch));
    }
    let now = app.clock.now_ms();
    let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
    match banks::add_member(&mut tx, bank_id, m.account_id, m.role, now).await {
        Err(e) if banks::is_conflict(&e) => return Err(AppError::from(super::BankRefusal::AlreadyMember)),
        other => other?,
    }
    let detail = serde_json::json!({ "account_id": m.account_id, "role": m.role.as_str() });
    audit::append(&mut tx, app.db.backend, &entry(actor, "bank.add_member", bank_id, detail, now)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// The bank's current outline, for anyone who may see the bank.
pub async fn outline(app: &App, actor: &Actor, bank_id: i64) -> Result<OutlineVersion, AppError> {
    let s = scope::resolve(&app.db, actor, bank_id).await?;
    Ok(banks::current_outline(&app.db, s.bank.id).await?)
}

/// Saves the outline as a new version, or lists every problem that stops it.
pub async fn save_outline(app: &App, actor: &Actor, bank_id: i64, outline: Outline) -> Result<Result<OutlineVersion, Vec<OutlineProblem>>, AppError> {
    let s = scope::resolve(&app.db, actor, bank_id).await?;
    s.require(s.can_author() || s.manager)?;
    let problems = outline.validate();
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let doc = serde_json::to_string(&outline).map_err(|e| AppError::Internal(e.into()))?;
    let now = app.clock.now_ms();
    let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
    let version = banks::insert_outline(&mut tx, bank_id, &doc, actor.account.id, now).await?;
    audit::append(&mut tx, app.db.backend, &entry(actor, "bank.outline", bank_id, serde_json::json!({ "version": version }), now)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(OutlineVersion { version, outline }))
}

/// Who may replace the outline from a file, checked before a byte of the file is read.
pub async fn may_replace_outline(app: &App, actor: &Actor, bank_id: i64) -> Result<(), AppError> {
    let s = scope::resolve(&app.db, actor, bank_id).await?;
    s.require(s.can_author() || s.manager)
}

/// An outline from a file: XLSX in the 细目表 layout (parsed off the async threads, within the
/// importer's limits) or JSON, told apart by the content.
pub async fn read_outline_file(app: &App, bytes: Vec<u8>) -> Result<Outline, AppError> {
    if bytes.starts_with(b"PK\x03\x04") {
        let limits = question_bank::import::Limits { max_file_bytes: app.settings.http.max_import_bytes, ..Default::default() };
        let read = tokio::task::spawn_blocking(move || question_bank::outline_xlsx::read(&bytes, &limits)).await.map_err(|e| AppError::Internal(e.into()))?;
        read.map_err(|e| match e.code() {
            "sheet_too_large" => AppError::from(super::BankRefusal::SheetTooLarge),
            "file_too_large" => AppError::TooLarge,
            _ => AppError::Detailed { code: "malformed_file", detail: e.to_string() },
        })
    } else {
        serde_json::from_slice(&bytes).map_err(|e| AppError::Detailed { code: "malformed_file", detail: e.to_string() })
    }
}

/// The outline as a file: `xlsx` (the 细目表 layout) or `json`; the bytes, media type and
/// file extension.
pub async fn export_outline(app: &App, actor: &Actor, bank_id: i64, format: &str) -> Result<(Vec<u8>, &'static str, &'static str), AppError> {
    let outline = outline(app, actor, bank_id).await?.outline;
    match format {
        "xlsx" => Ok((
            question_bank::outline_xlsx::write(&outline).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )),
        "json" => Ok((serde_json::to_vec_pretty(&outline).map_err(|e| AppError::Internal(e.into()))?, "application/json", "json")),
        _ => Err(AppError::from(super::BankRefusal::UnknownFormat)),
    }
}

fn check_level(s: &BankScope, level: u8) -> Result<(), AppError> {
    if s.bank.levels.contains(&level) { Ok(()) } else { Err(AppError::NotFound) }
}

async fn stored_blueprint(app: &App, s: &BankScope, level: u8) -> Result<Blueprint, AppError> {
    check_level(s, level)?;
    let (_, doc) = banks::latest_blueprint(&app.db, s.bank.id, i64::from(level)).await?.ok_or(AppError::NotFound)?;
    serde_json::from_str(&doc).map_err(|e| AppError::Internal(anyhow::anyhow!("stored blueprint: {e}")))
}

/// The latest blueprint of a level.
pub async fn blueprint(app: &App, actor: &Actor, bank_id: i64, level: u8) -> Result<Blueprint, AppError> {
    let s = scope::resolve(&app.db, actor, bank_id).await?;
    stored_blueprint(app, &s, level).await
}

/// Saves a level's blueprint as a new version; what the approved items can fill of it.
pub async fn save_blueprint(app: &App, actor: &Actor, bank_id: i64, level: u8, bp: &Blueprint, lang: crate::lang::Lang) -> Result<Feasibility, AppError> {
    let s = scope::resolve(&app.db, actor, bank_id).await?;
    s.require(s.can_author() || s.can_review() || s.manager)?;
    check_level(&s, level)?;
    if bp.level != level {
        return Err(AppError::from(super::BankRefusal::BlueprintLevelMismatch));
    }
    if !bp.validate().is_empty() {
        return Err(AppError::from(super::BankRefusal::InvalidBlueprint));
    }
    let doc = serde_json::to_string(bp).map_err(|e| AppError::Internal(e.into()))?;
    let now = app.clock.now_ms();
    let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
    let version = banks::insert_blueprint(&mut tx, bank_id, i64::from(level), &doc, actor.account.id, now).await?;
    let detail = serde_json::json!({ "level": level, "version": version });
    audit::append(&mut tx, app.db.backend, &entry(actor, "bank.blueprint", bank_id, detail, now)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    feasibility_of(app, &s, bp, lang).await
}

/// What the approved items can fill of the level's latest blueprint.
/// The problems are said in `lang`.
pub async fn feasibility(app: &App, actor: &Actor, bank_id: i64, level: u8, lang: crate::lang::Lang) -> Result<Feasibility, AppError> {
    let s = scope::resolve(&app.db, actor, bank_id).await?;
    let bp = stored_blueprint(app, &s, level).await?;
    feasibility_of(app, &s, &bp, lang).await
}

async fn feasibility_of(app: &App, s: &BankScope, bp: &Blueprint, lang: crate::lang::Lang) -> Result<Feasibility, AppError> {
    let outline = banks::current_outline(&app.db, s.bank.id).await?.outline;
    let facts = items::approved_facts(&app.db, s.bank.id).await?;
    let shortfalls = bp.feasibility(&outline, &facts);
    let problems = bp.validate_in(lang == crate::lang::Lang::Zh);
    Ok(Feasibility { feasible: shortfalls.is_empty() && problems.is_empty(), approved_items: facts.len(), shortfalls, problems })
}
