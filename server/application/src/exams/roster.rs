//! A roster file checked before a session is made: every row read and checked in the pure
//! `question_bank::roster`, off the async threads and within the importers' limits. Only an
//! institution admin checks one, for their own institution's sessions; nothing is stored.
use exam_protocol::Role;
use question_bank::roster::{self, Roster, RosterError};

use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

pub async fn check(app: &App, actor: &Actor, bytes: Vec<u8>) -> Result<Roster, AppError> {
    if actor.role() != Role::InstitutionAdmin || actor.account.institution_id.is_none() {
        return Err(AppError::Forbidden);
    }
    let limits = crate::banks::import::limits(&app.settings);
    let today = super::sessions::today(app.clock.now_ms());
    let read = tokio::task::spawn_blocking(move || roster::parse(&bytes, &limits, today)).await.map_err(|e| AppError::Internal(e.into()))?;
    read.map_err(|e| match e {
        RosterError::File(f) if f.code() == "file_too_large" => AppError::TooLarge,
        RosterError::File(f) if f.code() == "sheet_too_large" => AppError::from(crate::banks::BankRefusal::SheetTooLarge),
        RosterError::File(f) => AppError::Validation(f.code()),
        RosterError::MissingColumn(col) => AppError::Detailed { code: "roster_missing_column", detail: col.to_string() },
        other => AppError::Validation(other.code()),
    })
}
