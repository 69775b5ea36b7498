//! The person a use case acts for: their account, role and scope. How they proved it (a
//! token, a cookie) is the web layer's business, not the use case's.
use exam_protocol::{Account, Role};

#[derive(Debug, Clone)]
pub struct Actor {
    pub account: Account,
}

impl Actor {
    pub fn new(account: Account) -> Actor {
        Actor { account }
    }

    pub fn role(&self) -> Role {
        self.account.role
    }

    /// Regulators, supervisors and operators see every institution; everyone else only their own.
    pub fn sees_institution(&self, id: i64) -> bool {
        matches!(self.role(), Role::Regulator | Role::Supervisor | Role::Operator) || self.account.institution_id == Some(id)
    }

    pub fn audit_actor(&self) -> exam_records::audit::Actor<'_> {
        exam_records::audit::Actor { id: Some(self.account.id), role: Some(self.account.role.as_str()) }
    }
}
