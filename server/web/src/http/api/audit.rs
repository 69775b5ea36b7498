//! The audit trail for oversight: read the events, recompute the chain.
use axum::Json;
use axum::extract::{Query, State};
use exam_protocol::{AuditEvent, AuditVerifyReport};
use serde::Deserialize;

use crate::http::AppState;
use crate::http::error::ApiError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    #[serde(default)]
    after: i64,
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    100
}

pub async fn events(
    State(state): State<AppState>,
    query: Result<Query<Page>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<AuditEvent>>, ApiError> {
    let Query(page) = query.map_err(|_| ApiError::Validation("invalid_query"))?;
    if !(1..=1000).contains(&page.limit) || page.after < 0 {
        return Err(ApiError::Validation("invalid_query"));
    }
    Ok(Json(exam_application::audit::events(&state.db, page.after, page.limit).await?))
}

pub async fn verify(State(state): State<AppState>) -> Result<Json<AuditVerifyReport>, ApiError> {
    Ok(Json(exam_application::audit::verify(&state.db, &state.settings.data_dir).await?))
}
