//! The evidence log, read-only and public, at the C2SP tlog-tiles paths: the newest signed
//! checkpoint, the verifier key in the signed-note text form, hash tiles and entry bundles. Any
//! tool that speaks these formats checks inclusion and consistency without our code.
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::http::AppState;
use crate::http::error::ApiError;

fn with_type(body: impl IntoResponse, content_type: &'static str, cache: &'static str) -> Response {
    let mut resp = body.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    resp.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    resp
}

/// The newest signed checkpoint (a new one is signed first if the log has grown).
pub async fn checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    let note = state.evidence.checkpoint(&state.db, state.clock.now_ms()).await?;
    Ok(with_type(note, "text/plain; charset=utf-8", "no-store"))
}

/// The verifier key: `<origin>+<key ID>+<base64 key>` and a newline.
pub async fn key(State(state): State<AppState>) -> Response {
    with_type(format!("{}\n", state.evidence.verifier_key()), "text/plain; charset=utf-8", "public, max-age=3600")
}

/// A tile or entry bundle; a full one never changes, a partial one only grows into a full one.
pub async fn tile(State(state): State<AppState>, Path(path): Path<String>) -> Result<Response, ApiError> {
    let path = format!("tile/{path}");
    match state.evidence.tile(&state.db, &path).await? {
        Some(bytes) => {
            let cache = if path.contains(".p/") { "public, max-age=60" } else { "public, max-age=31536000, immutable" };
            Ok(with_type(bytes, "application/octet-stream", cache))
        }
        None => Ok(StatusCode::NOT_FOUND.into_response()),
    }
}
