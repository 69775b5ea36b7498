//! Accounts as staff manage them: operators see and create every account; an institution
//! admin sees only their own institution's and creates only its candidates and proctors.
use exam_protocol::{Account, NewAccount, Role};

use super::CreateError;
use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

/// What an institution admin may create.
pub const ASSIGNABLE_IN_INSTITUTION: &[Role] = &[Role::Candidate, Role::Proctor];

/// The institution whose accounts the actor sees; `None` means all (operators).
fn scope(actor: &Actor) -> Result<Option<i64>, AppError> {
    match actor.role() {
        Role::Operator => Ok(None),
        _ => actor.account.institution_id.map(Some).ok_or(AppError::Forbidden),
    }
}

pub async fn list(app: &App, actor: &Actor) -> Result<Vec<Account>, AppError> {
    Ok(exam_records::accounts::list(&app.db, scope(actor)?).await?)
}

/// One account, if the actor may see it; not found otherwise.
pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<Account, AppError> {
    let account = exam_records::accounts::get(&app.db, id).await?.ok_or(AppError::NotFound)?;
    match scope(actor)? {
        Some(inst) if account.institution_id != Some(inst) => Err(AppError::NotFound),
        _ => Ok(account),
    }
}

pub async fn create(app: &App, actor: &Actor, new: &NewAccount) -> Result<Account, AppError> {
    if let Some(inst) = scope(actor)? {
        if !ASSIGNABLE_IN_INSTITUTION.contains(&new.role) {
            return Err(AppError::from(super::AccountRefusal::RoleNotAssignable));
        }
        if new.institution_id != Some(inst) {
            // Another institution's id answers as if it did not exist.
            return Err(AppError::NotFound);
        }
    }
    super::create(&app.db, Some(actor.audit_actor()), new).await.map_err(|e| match e {
        CreateError::Invalid(code) => AppError::Validation(code),
        CreateError::UsernameTaken => AppError::from(super::AccountRefusal::UsernameTaken),
        CreateError::NoSuchInstitution => AppError::NotFound,
        CreateError::Internal(e) => AppError::Internal(e),
    })
}

/// The disabled accounts the actor sees.
pub async fn disabled(app: &App, actor: &Actor) -> Result<std::collections::HashSet<i64>, AppError> {
    Ok(exam_records::accounts::disabled_ids(&app.db, scope(actor)?).await?.into_iter().collect())
}

/// Disables an account within the actor's scope (an institution admin: its candidates and
/// proctors only; never one's own): its sign-ins end at once. Audited.
pub async fn disable(app: &App, actor: &Actor, id: i64) -> Result<(), AppError> {
    let account = managed_by(app, actor, id).await?;
    let now = app.clock.now_ms();
    let mut tx = app.db.writer().begin().await.map_err(exam_records::StoreError::from)?;
    if exam_records::accounts::disable(&mut tx, id, now).await? {
        let entry = exam_records::audit::Entry {
            actor: actor.audit_actor(),
            action: "account.disable",
            target: format!("account:{id}"),
            detail: serde_json::json!({ "role": account.role.as_str() }).to_string(),
            at_ms: now,
        };
        exam_records::audit::append(&mut tx, app.db.backend, &entry).await?;
    }
    tx.commit().await.map_err(exam_records::StoreError::from)?;
    Ok(())
}

/// Another account the actor manages: within their scope, of a role they may create, never
/// their own.
async fn managed_by(app: &App, actor: &Actor, id: i64) -> Result<Account, AppError> {
    let account = get(app, actor, id).await?;
    if account.id == actor.account.id {
        return Err(AppError::from(super::AccountRefusal::CannotDisableSelf));
    }
    if scope(actor)?.is_some() && !ASSIGNABLE_IN_INSTITUTION.contains(&account.role) {
        return Err(AppError::from(super::AccountRefusal::RoleNotAssignable));
    }
    Ok(account)
}

/// Gives an active account within the actor's scope a new random password, shown once to the
/// actor; its slow-down is cleared and its sign-ins end. Audited (without the password).
pub async fn reset_password(app: &App, actor: &Actor, id: i64) -> Result<String, AppError> {
    let account = managed_by(app, actor, id).await?;
    let password = crate::auth::token::generate()[..12].to_string();
    let hash = crate::auth::password::hash_async(password.clone()).await?;
    let now = app.clock.now_ms();
    let mut tx = app.db.writer().begin().await.map_err(exam_records::StoreError::from)?;
    if !exam_records::accounts::reset_password(&mut tx, id, &hash, now).await? {
        return Err(AppError::from(super::AccountRefusal::AccountDisabled));
    }
    let entry = exam_records::audit::Entry {
        actor: actor.audit_actor(),
        action: "account.password_reset",
        target: format!("account:{id}"),
        detail: serde_json::json!({ "role": account.role.as_str() }).to_string(),
        at_ms: now,
    };
    exam_records::audit::append(&mut tx, app.db.backend, &entry).await?;
    tx.commit().await.map_err(exam_records::StoreError::from)?;
    Ok(password)
}
