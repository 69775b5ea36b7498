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
