//! What a use case refuses, each with a stable snake_case code a client receives. Each area
//! has its own enum of refusals (`SessionRefusal`, `ExamRefusal`, `ProctorRefusal`,
//! `MarkingRefusal`, `BankRefusal`, `InstitutionRefusal`, `AccountRefusal`, beside its use
//! cases), carried here in a variant of its own; the variants with a bare code carry the codes
//! of the pure crates' own error enums (timing, scoring, paper assembly, import). Which HTTP
//! status each becomes is the web layer's choice; the messages in both languages are there too.
use exam_records::StoreError;

use crate::auth::AuthError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Well-formed but refused by a rule of a pure crate; the code names the rule.
    #[error("validation failed: {0}")]
    Validation(&'static str),
    /// Refused by a rule, with what exactly was found (e.g. why a file was refused).
    #[error("validation failed: {code}: {detail}")]
    Detailed { code: &'static str, detail: String },
    /// Wrong name, password or ID (never says which).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many wrong passwords for this account: the next try after a pause.
    #[error("sign-in slowed down")]
    SignInSlowed,
    /// Too many attempts from this address or for this name.
    #[error("rate limited")]
    RateLimited,
    /// The role may not do this at all.
    #[error("forbidden")]
    Forbidden,
    /// No such object, or one outside the actor's scope (ids must not leak).
    #[error("not found")]
    NotFound,
    /// A file past the size the deployment allows.
    #[error("too large")]
    TooLarge,
    /// The state does not allow it (already ended, already taken); the code names which.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Refused by a rule of its area; the code names the rule.
    #[error("session: {0}")]
    Session(crate::exams::sessions::SessionRefusal),
    /// Refused by a rule of its area; the code names the rule.
    #[error("exam: {0}")]
    Exam(crate::exams::candidate::ExamRefusal),
    /// Refused by a rule of its area; the code names the rule.
    #[error("proctor: {0}")]
    Proctor(crate::exams::proctor::ProctorRefusal),
    /// Refused by a rule of its area; the code names the rule.
    #[error("marking: {0}")]
    Marking(crate::exams::marking::MarkingRefusal),
    /// Refused by a rule of its area; the code names the rule.
    #[error("bank: {0}")]
    Bank(crate::banks::BankRefusal),
    /// Refused by a rule of its area; the code names the rule.
    #[error("institution: {0}")]
    Institution(crate::institutions::InstitutionRefusal),
    /// Refused by a rule of its area; the code names the rule.
    #[error("account: {0}")]
    Account(crate::accounts::AccountRefusal),
    /// Our own trouble: logged, never described to the client.
    #[error("internal: {0}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// The stable code a client receives.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation(code) | AppError::Conflict(code) | AppError::Detailed { code, .. } => code,
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::SignInSlowed => "sign_in_slowed",
            AppError::RateLimited => "rate_limited",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::TooLarge => "payload_too_large",
            AppError::Internal(_) => "internal_error",
            AppError::Session(r) => r.code(),
            AppError::Exam(r) => r.code(),
            AppError::Proctor(r) => r.code(),
            AppError::Marking(r) => r.code(),
            AppError::Bank(r) => r.code(),
            AppError::Institution(r) => r.code(),
            AppError::Account(r) => r.code(),
        }
    }
}

/// How a refusal reads to a client, whatever its area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// Well-formed but against a rule.
    Invalid,
    /// The state does not allow it now (ended, taken, already done).
    Conflict,
    /// Allowed in general, refused now for this person.
    Refused,
    /// Repeated too often.
    TooMany,
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            // Use cases that expect a conflict map it to their own code first; one reaching
            // here is still the client's doing, not ours.
            StoreError::Conflict(_) => AppError::Conflict("conflict"),
            StoreError::Database(e) => AppError::Internal(anyhow::Error::new(e).context("database")),
        }
    }
}

impl From<AuthError> for AppError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidCredentials => AppError::InvalidCredentials,
            AuthError::SlowedDown => AppError::SignInSlowed,
            AuthError::RateLimited => AppError::RateLimited,
            AuthError::Store(s) => s.into(),
        }
    }
}
