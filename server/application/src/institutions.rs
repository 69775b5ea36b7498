//! Evaluation institutions: regulators file them and assign supervisors to inspect them; an
//! institution's own people see only their own.
use exam_protocol::{Institution, NewInstitution, Role};
use exam_records::audit::{self, Entry};
use exam_records::{StoreError, institutions};

use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

/// `Y`/`S` + 12 digits: the first 13 characters of every certificate number (DOMAIN.md).
pub fn valid_filing_number(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('Y' | 'S')) && s.len() == 13 && chars.all(|c| c.is_ascii_digit())
}

/// The institutions the actor may see.
pub async fn visible(app: &App, actor: &Actor) -> Result<Vec<Institution>, AppError> {
    Ok(institutions::list(&app.db).await?.into_iter().filter(|i| actor.sees_institution(i.id)).collect())
}

/// One institution, if the actor may see it; not found otherwise.
pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<Institution, AppError> {
    if !actor.sees_institution(id) {
        return Err(AppError::NotFound);
    }
    institutions::get(&app.db, id).await?.ok_or(AppError::NotFound)
}

fn entry<'a>(actor: &'a Actor, action: &'static str, id: i64, detail: serde_json::Value, now: i64) -> Entry<'a> {
    Entry { actor: actor.audit_actor(), action, target: format!("institution:{id}"), detail: detail.to_string(), at_ms: now }
}

/// Files a new institution (regulators and operators; the route admits no one else).
pub async fn create(app: &App, actor: &Actor, new: &NewInstitution) -> Result<Institution, AppError> {
    if !matches!(actor.role(), Role::Regulator | Role::Operator) {
        return Err(AppError::Forbidden);
    }
    let name = new.name.trim();
    if !valid_filing_number(&new.filing_number) {
        return Err(AppError::from(InstitutionRefusal::InvalidFilingNumber));
    }
    if !question_bank::names::is_plain(name) || name.chars().count() > 200 {
        return Err(AppError::from(InstitutionRefusal::InvalidName));
    }
    let now = app.clock.now_ms();
    let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
    let id = match institutions::insert(&mut tx, &new.filing_number, name, new.kind, now).await {
        Err(StoreError::Conflict(_)) => return Err(AppError::from(InstitutionRefusal::FilingNumberTaken)),
        other => other?,
    };
    let detail = serde_json::json!({ "filing_number": new.filing_number, "kind": new.kind.as_str() });
    audit::append(&mut tx, app.db.backend, &entry(actor, "institution.create", id, detail, now)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Institution { id, filing_number: new.filing_number.clone(), name: name.to_string(), kind: new.kind })
}

/// A regulator assigns a supervisor to inspect the institution: they may then watch its rooms
/// live, read only. Audited.
pub async fn add_inspector(app: &App, actor: &Actor, institution_id: i64, supervisor_id: i64) -> Result<(), AppError> {
    if actor.role() != Role::Regulator {
        return Err(AppError::Forbidden);
    }
    institutions::get(&app.db, institution_id).await?.ok_or(AppError::NotFound)?;
    let a = exam_records::accounts::get(&app.db, supervisor_id).await?.ok_or(AppError::NotFound)?;
    if a.role != Role::Supervisor {
        return Err(AppError::from(InstitutionRefusal::NotASupervisor));
    }
    let now = app.clock.now_ms();
    let mut tx = app.db.writer().begin().await.map_err(StoreError::from)?;
    institutions::add_inspection(&mut tx, a.id, institution_id, actor.account.id, now).await?;
    audit::append(&mut tx, app.db.backend, &entry(actor, "institution.inspector", institution_id, serde_json::json!({ "supervisor": a.id }), now)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// For a regulator assigning inspectors: every supervisor, and those assigned per institution.
pub async fn inspection_choices(app: &App, actor: &Actor) -> Result<(Vec<(i64, String)>, std::collections::HashMap<i64, Vec<(i64, String)>>), AppError> {
    if actor.role() != Role::Regulator {
        return Err(AppError::Forbidden);
    }
    let supervisors = exam_records::accounts::names_of_role(&app.db, Role::Supervisor).await?;
    let mut assigned = std::collections::HashMap::new();
    for i in institutions::list(&app.db).await? {
        assigned.insert(i.id, institutions::inspectors(&app.db, i.id).await?);
    }
    Ok((supervisors, assigned))
}

/// What filing institutions and assigning inspectors refuses, each with its stable code; the web layer chooses the HTTP status by its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InstitutionRefusal {
    #[error("filing_number_taken")]
    FilingNumberTaken,
    #[error("invalid_filing_number")]
    InvalidFilingNumber,
    #[error("invalid_name")]
    InvalidName,
    #[error("not_a_supervisor")]
    NotASupervisor,
}

impl InstitutionRefusal {
    /// The stable code a client receives.
    pub fn code(&self) -> &'static str {
        match self {
            InstitutionRefusal::FilingNumberTaken => "filing_number_taken",
            InstitutionRefusal::InvalidFilingNumber => "invalid_filing_number",
            InstitutionRefusal::InvalidName => "invalid_name",
            InstitutionRefusal::NotASupervisor => "not_a_supervisor",
        }
    }

    pub fn kind(&self) -> crate::error::RefusalKind {
        use crate::error::RefusalKind;
        match self {
            InstitutionRefusal::FilingNumberTaken => RefusalKind::Conflict,
            InstitutionRefusal::InvalidFilingNumber | InstitutionRefusal::InvalidName | InstitutionRefusal::NotASupervisor => RefusalKind::Invalid,
        }
    }
}

impl From<InstitutionRefusal> for crate::error::AppError {
    fn from(r: InstitutionRefusal) -> Self {
        crate::error::AppError::Institution(r)
    }
}

/// The institutions the actor may see, each with its filed occupations and levels.
pub async fn with_filings(app: &App, actor: &Actor) -> Result<Vec<(Institution, Vec<(String, i64)>)>, AppError> {
    let mut out = Vec::new();
    for i in visible(app, actor).await? {
        let filings = exam_records::exams::filings_of(&app.db, i.id).await?;
        out.push((i, filings));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn filing_numbers() {
        assert!(super::valid_filing_number("Y000051001064"));
        assert!(super::valid_filing_number("S000051000001"));
        assert!(!super::valid_filing_number("X000051001064"));
        assert!(!super::valid_filing_number("Y00005100106"));
        assert!(!super::valid_filing_number("Y00005100106A"));
    }
}
