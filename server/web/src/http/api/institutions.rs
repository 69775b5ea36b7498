//! Evaluation institutions: regulators file them; an institution's admin sees only their own.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use exam_protocol::{Institution, NewInstitution, Role};

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;
use exam_records::audit::{self, Entry};
use exam_records::{StoreError, institutions};

/// `Y`/`S` + 12 digits: the first 13 characters of every certificate number (DOMAIN.md).
pub fn valid_filing_number(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('Y' | 'S')) && s.len() == 13 && chars.all(|c| c.is_ascii_digit())
}

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<Institution>>, ApiError> {
    let all = institutions::list(&state.db).await?;
    Ok(Json(all.into_iter().filter(|i| user.sees_institution(i.id)).collect()))
}

pub async fn get_one(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<Institution>, ApiError> {
    if !user.sees_institution(id) {
        return Err(ApiError::NotFound);
    }
    institutions::get(&state.db, id).await?.map(Json).ok_or(ApiError::NotFound)
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewInstitution>,
) -> Result<(StatusCode, Json<Institution>), ApiError> {
    debug_assert!(matches!(user.role(), Role::Regulator | Role::Operator));
    let name = new.name.trim();
    if !valid_filing_number(&new.filing_number) {
        return Err(ApiError::Validation("invalid_filing_number"));
    }
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::Validation("invalid_name"));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    let id = match institutions::insert(&mut tx, &new.filing_number, name, new.kind, now).await {
        Err(StoreError::Conflict(_)) => return Err(ApiError::Conflict("filing_number_taken")),
        other => other?,
    };
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: "institution.create",
            target: format!("institution:{id}"),
            detail: serde_json::json!({ "filing_number": new.filing_number, "kind": new.kind.as_str() }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok((StatusCode::CREATED, Json(Institution { id, filing_number: new.filing_number, name: name.to_string(), kind: new.kind })))
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

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInspector {
    account_id: i64,
}

/// A regulator assigns a supervisor to inspect the institution: they may then watch its rooms
/// live, read only. Audited.
pub async fn add_inspector(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<NewInspector>,
) -> Result<StatusCode, ApiError> {
    institutions::get(&state.db, id).await?.ok_or(ApiError::NotFound)?;
    let a = exam_records::accounts::get(&state.db, req.account_id).await?.ok_or(ApiError::NotFound)?;
    if a.role != Role::Supervisor {
        return Err(ApiError::Validation("not_a_supervisor"));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    institutions::add_inspection(&mut tx, a.id, id, user.account.id, now).await?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: user.audit_actor(),
            action: "institution.inspector",
            target: format!("institution:{id}"),
            detail: serde_json::json!({ "supervisor": a.id }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(StatusCode::NO_CONTENT)
}
