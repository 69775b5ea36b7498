//! Accounts, roles and sign-in.
use serde::{Deserialize, Serialize};

/// Every role the system knows. Scope (institution, bank, session) is carried separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Candidate,
    Proctor,
    Author,
    Reviewer,
    InstitutionAdmin,
    Supervisor,
    Regulator,
    Operator,
}

impl Role {
    pub const ALL: [Role; 8] =
        [Role::Candidate, Role::Proctor, Role::Author, Role::Reviewer, Role::InstitutionAdmin, Role::Supervisor, Role::Regulator, Role::Operator];

    /// The stable name used on the wire, in the database and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Candidate => "candidate",
            Role::Proctor => "proctor",
            Role::Author => "author",
            Role::Reviewer => "reviewer",
            Role::InstitutionAdmin => "institution_admin",
            Role::Supervisor => "supervisor",
            Role::Regulator => "regulator",
            Role::Operator => "operator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Roles that only make sense inside one institution.
    pub fn needs_institution(self) -> bool {
        matches!(self, Role::Candidate | Role::Proctor | Role::InstitutionAdmin)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Opaque bearer token; the server keeps only its hash.
    pub token: String,
    /// Unix time in milliseconds after which the token no longer works.
    pub expires_at_ms: i64,
    pub account: Account,
}

/// The signed-in account as `GET /api/v1/me` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub institution_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    #[serde(default)]
    pub institution_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip_through_serde_and_parse() {
        for role in Role::ALL {
            let json = serde_json::to_string(&role).expect("serialise");
            assert_eq!(json, format!("\"{}\"", role.as_str()));
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
