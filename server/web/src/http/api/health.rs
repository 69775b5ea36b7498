//! Liveness and readiness for load balancers and orchestrators.
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::http::AppState;

/// The process is up and answering.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers and every migration this binary knows is applied. The details say
/// what the archive enforces and how many files wait for it.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ReadyError> {
    match state.db.ready().await {
        Ok(true) => Ok(Json(json!({ "status": "ready", "details": { "archive": state.archive.status(&state.db).await } }))),
        Ok(false) => Err(ReadyError),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(ReadyError)
        }
    }
}

/// 503 `not_ready`.
#[derive(Debug)]
pub struct ReadyError;

impl axum::response::IntoResponse for ReadyError {
    fn into_response(self) -> axum::response::Response {
        let mut r = axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
        r.extensions_mut().insert(crate::http::error::ErrorCode("not_ready"));
        r
    }
}
