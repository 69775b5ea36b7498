//! Creating accounts: the one path used by the API, the operator CLI and demo seeding, so the
//! same rules and the same audit event apply everywhere.
pub mod managed;

use exam_protocol::{Account, NewAccount};

use crate::auth::password;
use crate::clock::now_ms;
use exam_records::accounts::{self, NewAccountRow};
use exam_records::audit::{self, Actor, Entry};
use exam_records::{Db, StoreError, institutions};

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// A rule refused the input; the value is the stable error code.
    #[error("invalid: {0}")]
    Invalid(&'static str),
    #[error("username taken")]
    UsernameTaken,
    #[error("no such institution")]
    NoSuchInstitution,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for CreateError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(_) => CreateError::UsernameTaken,
            StoreError::Database(e) => CreateError::Internal(e.into()),
        }
    }
}

pub fn validate(new: &NewAccount) -> Result<(), &'static str> {
    let u = &new.username;
    if !(3..=64).contains(&u.len()) || !u.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        return Err("invalid_username");
    }
    let name_len = new.display_name.trim().chars().count();
    if name_len == 0 || name_len > 100 || !question_bank::names::is_plain(new.display_name.trim()) {
        return Err("invalid_display_name");
    }
    if new.password.chars().count() < password::MIN_LEN {
        return Err("weak_password");
    }
    match (new.role.needs_institution(), new.institution_id) {
        (true, None) => Err("institution_required"),
        (false, Some(_)) if !matches!(new.role, exam_protocol::Role::Author | exam_protocol::Role::Reviewer) => Err("institution_not_allowed"),
        _ => Ok(()),
    }
}

/// Validates, hashes the password and inserts the account with its audit event in one
/// transaction. `actor` is `None` when the system itself creates it (CLI, demo).
pub async fn create(db: &Db, actor: Option<Actor<'_>>, new: &NewAccount) -> Result<Account, CreateError> {
    validate(new).map_err(CreateError::Invalid)?;
    if let Some(inst) = new.institution_id
        && institutions::get(db, inst).await?.is_none()
    {
        return Err(CreateError::NoSuchInstitution);
    }
    let hash = password::hash_async(new.password.clone()).await?;
    let now = now_ms();
    let display_name = new.display_name.trim();
    let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
    let id = accounts::insert(
        &mut tx,
        &NewAccountRow { username: &new.username, display_name, role: new.role, institution_id: new.institution_id, password_hash: &hash, now_ms: now },
    )
    .await?;
    audit::append(
        &mut tx,
        db.backend,
        &Entry {
            actor: actor.unwrap_or_default(),
            action: "account.create",
            target: format!("account:{id}"),
            detail: serde_json::json!({ "role": new.role.as_str(), "institution_id": new.institution_id }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Account { id, username: new.username.clone(), display_name: display_name.to_string(), role: new.role, institution_id: new.institution_id })
}

/// What managing accounts refuses, each with its stable code; the web layer chooses the HTTP status by its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccountRefusal {
    #[error("role_not_assignable")]
    RoleNotAssignable,
    #[error("username_taken")]
    UsernameTaken,
    #[error("cannot_disable_self")]
    CannotDisableSelf,
    #[error("account_disabled")]
    AccountDisabled,
}

impl AccountRefusal {
    /// The stable code a client receives.
    pub fn code(&self) -> &'static str {
        match self {
            AccountRefusal::RoleNotAssignable => "role_not_assignable",
            AccountRefusal::UsernameTaken => "username_taken",
            AccountRefusal::CannotDisableSelf => "cannot_disable_self",
            AccountRefusal::AccountDisabled => "account_disabled",
        }
    }

    pub fn kind(&self) -> crate::error::RefusalKind {
        use crate::error::RefusalKind;
        match self {
            AccountRefusal::RoleNotAssignable => RefusalKind::Invalid,
            AccountRefusal::UsernameTaken | AccountRefusal::CannotDisableSelf | AccountRefusal::AccountDisabled => RefusalKind::Conflict,
        }
    }
}

impl From<AccountRefusal> for crate::error::AppError {
    fn from(r: AccountRefusal) -> Self {
        crate::error::AppError::Account(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exam_protocol::Role;

    fn new(role: Role, inst: Option<i64>) -> NewAccount {
        NewAccount { username: "zhang.san".into(), display_name: "张三".into(), password: "long-enough".into(), role, institution_id: inst }
    }

    #[test]
    fn institution_roles_need_an_institution() {
        assert_eq!(validate(&new(Role::Proctor, None)), Err("institution_required"));
        assert_eq!(validate(&new(Role::Proctor, Some(1))), Ok(()));
        assert_eq!(validate(&new(Role::Regulator, Some(1))), Err("institution_not_allowed"));
        assert_eq!(validate(&new(Role::Author, Some(1))), Ok(()));
        assert_eq!(validate(&NewAccount { password: "short".into(), ..new(Role::Operator, None) }), Err("weak_password"));
        assert_eq!(validate(&NewAccount { username: "a b".into(), ..new(Role::Operator, None) }), Err("invalid_username"));
    }
}
