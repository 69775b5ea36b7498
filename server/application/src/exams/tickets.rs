//! Admission tickets (准考证) for a session, for its institution's admin to print: one per
//! candidate, with the ID number masked and the institution's photo of them where it has one. The sign-in codes are not here: they are shown once,
//! when the session is made, and only their hashes are kept.
use exam_protocol::Role;
use question_bank::identity::{IdDocument, IdKind};

use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

#[derive(Debug, Clone)]
pub struct Ticket {
    pub candidate_id: i64,
    /// Whether the institution has uploaded the candidate's photo.
    pub has_photo: bool,
    pub ticket: String,
    pub name: String,
    pub id_masked: String,
}

#[derive(Debug, Clone)]
pub struct Tickets {
    pub session: exam_protocol::SessionView,
    pub duration_minutes: i64,
    pub institution: String,
    pub occupation_code: String,
    pub bank_name: String,
    pub tickets: Vec<Ticket>,
}

/// The session's tickets, for an admin of its institution; another's session is not found.
pub async fn for_session(app: &App, actor: &Actor, session_id: i64) -> Result<Tickets, AppError> {
    let s = exam_records::exams::get_session(&app.db, session_id).await?.ok_or(AppError::NotFound)?;
    if actor.role() != Role::InstitutionAdmin || actor.account.institution_id != Some(s.institution_id) {
        return Err(AppError::NotFound);
    }
    let institution = exam_records::institutions::get(&app.db, s.institution_id).await?.map(|i| i.name).unwrap_or_default();
    let bank = exam_records::banks::get(&app.db, s.bank_id).await?;
    let with_photo = exam_records::photos::candidates_with_roster_photo(&app.db, session_id).await?;
    let mut tickets = Vec::new();
    for c in exam_records::exams::candidates(&app.db, session_id).await? {
        let kind = IdKind::parse(&c.id_kind).ok_or_else(|| AppError::Internal(anyhow::anyhow!("candidate {} has an unknown ID kind", c.id)))?;
        // A stored number that no longer parses is still masked the same way.
        let id_masked = IdDocument::parse(kind, &c.id_number).map(|d| d.masked()).unwrap_or_else(|_| "****".into());
        tickets.push(Ticket { candidate_id: c.id, has_photo: with_photo.contains(&c.id), ticket: c.ticket, name: c.name, id_masked });
    }
    Ok(Tickets {
        session: super::sessions::view(&s),
        duration_minutes: s.duration_secs / 60,
        institution,
        occupation_code: bank.as_ref().map(|b| b.occupation_code.clone()).unwrap_or_default(),
        bank_name: bank.map(|b| b.name).unwrap_or_default(),
        tickets,
    })
}
