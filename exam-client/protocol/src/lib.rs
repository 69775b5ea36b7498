//! Wire types shared by `exam-server` and `exam-client`: requests, responses and error bodies.
//! Serde only: no async runtime, no HTTP, no SQL (a test in `tests/` enforces this).

mod account;
mod error;
mod institution;
mod audit;

pub use account::{Account, LoginRequest, LoginResponse, NewAccount, Role};
pub use audit::{AuditEvent, AuditVerifyReport};
pub use error::ErrorBody;
pub use institution::{Institution, InstitutionKind, NewInstitution};
