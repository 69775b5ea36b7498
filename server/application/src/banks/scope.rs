//! A caller's standing in one bank. Banks are confidential: authors and reviewers see only
//! the banks they are assigned to, and a bank outside the caller's scope reads as not found.
use exam_protocol::{Bank, MemberRole, Role};

use crate::actor::Actor;
use crate::error::AppError;
use exam_records::{Db, banks};

#[derive(Debug, Clone)]
pub struct BankScope {
    pub bank: Bank,
    pub member: Option<MemberRole>,
    /// May assign members and change the bank itself.
    pub manager: bool,
    pub role: Role,
}

impl BankScope {
    /// Item content with keys: the bank's own authors and reviewers, and the regulator who
    /// keeps provincial banks.
    pub fn can_read_items(&self) -> bool {
        self.member.is_some() || self.role == Role::Regulator
    }

    pub fn can_author(&self) -> bool {
        self.member == Some(MemberRole::Author)
    }

    pub fn can_review(&self) -> bool {
        self.member == Some(MemberRole::Reviewer)
    }

    /// Exports take the whole bank away: its reviewers and the regulator only, always audited.
    pub fn can_export(&self) -> bool {
        self.can_review() || self.role == Role::Regulator
    }

    pub fn require(&self, allowed: bool) -> Result<(), AppError> {
        if allowed { Ok(()) } else { Err(AppError::Forbidden) }
    }
}

fn manages(user: &Actor, bank: &Bank) -> bool {
    match user.role() {
        Role::Operator | Role::Regulator => true,
        Role::InstitutionAdmin => bank.institution_id.is_some() && bank.institution_id == user.account.institution_id,
        _ => false,
    }
}

pub async fn resolve(db: &Db, user: &Actor, bank_id: i64) -> Result<BankScope, AppError> {
    let bank = banks::get(db, bank_id).await?.ok_or(AppError::NotFound)?;
    let member = banks::member_role(db, bank_id, user.account.id).await?;
    let manager = manages(user, &bank);
    let oversight = user.role() == Role::Supervisor;
    if member.is_none() && !manager && !oversight {
        return Err(AppError::NotFound);
    }
    Ok(BankScope { bank, member, manager, role: user.role() })
}

/// The banks a caller may see in a list.
pub async fn visible(db: &Db, user: &Actor) -> Result<Vec<Bank>, AppError> {
    Ok(match user.role() {
        Role::Operator | Role::Regulator | Role::Supervisor => banks::list_all(db).await?,
        Role::InstitutionAdmin => match user.account.institution_id {
            Some(inst) => banks::list_for_institution(db, inst).await?,
            None => Vec::new(),
        },
        _ => banks::list_for_member(db, user.account.id).await?,
    })
}
