//! Review playback over HTTP: a candidate's recordings and timeline, a segment served with
//! range requests and its hash check in a header, thumbnails, and reviewers' findings. HTTP
//! over `exam_application::review`.
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use exam_application::review::{findings, playback, thumbnails};
use serde::Deserialize;

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;

pub async fn of_candidate(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Json<playback::Playback>, ApiError> {
    Ok(Json(playback::of_candidate(&state, &user, id).await?))
}

pub async fn add_finding(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<findings::NewFinding>,
) -> Result<StatusCode, ApiError> {
    findings::record(&state, &user, id, &f).await?;
    Ok(StatusCode::CREATED)
}

#[derive(Debug, Deserialize)]
pub struct ThumbQuery {
    #[serde(default = "ten")]
    every: i64,
}

fn ten() -> i64 {
    10
}

pub async fn segment_thumbnails(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ThumbQuery>,
) -> Result<Json<thumbnails::Strip>, ApiError> {
    Ok(Json(thumbnails::of_segment(&state, &user, id, q.every).await?))
}

/// One byte range of `len` bytes asked for by a `Range` header: `bytes=a-b`, `bytes=a-` or
/// `bytes=-n`. `None`: no usable single range (the whole file is served); `Err`: not satisfiable.
fn range(headers: &HeaderMap, len: usize) -> Result<Option<(usize, usize)>, ()> {
    let Some(spec) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().strip_prefix("bytes=")) else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None); // several ranges: the whole file answers them all
    }
    let Some((a, b)) = spec.split_once('-') else { return Ok(None) };
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = match (a.parse::<usize>().ok(), b.parse::<usize>().ok()) {
        (Some(s), Some(e)) if s <= e => (s, e.min(len.saturating_sub(1))),
        (Some(s), None) if b.is_empty() => (s, len.saturating_sub(1)),
        (None, Some(0)) if a.is_empty() => return Err(()),
        (None, Some(n)) if a.is_empty() => (len.saturating_sub(n), len.saturating_sub(1)),
        _ => return Ok(None),
    };
    if len == 0 || start >= len {
        return Err(());
    }
    Ok(Some((start, end)))
}

/// A recording segment to play: inline, by ranges, with `x-evidence-check: ok` when its bytes
/// still match the SHA-256 logged when it was closed (`mismatch` otherwise).
pub async fn play_segment(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>, headers: HeaderMap) -> Result<Response, ApiError> {
    let whole = !headers.contains_key(header::RANGE);
    let (o, bytes, checked) = playback::segment(&state, &user, id, whole).await?;
    let len = bytes.len();
    let (status, body, content_range) = match range(&headers, len) {
        Ok(None) => (StatusCode::OK, bytes, None),
        Ok(Some((s, e))) => (StatusCode::PARTIAL_CONTENT, bytes[s..=e].to_vec(), Some(format!("bytes {s}-{e}/{len}"))),
        Err(()) => (StatusCode::RANGE_NOT_SATISFIABLE, Vec::new(), Some(format!("bytes */{len}"))),
    };
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("video/webm"));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300"));
    if let Some(r) = content_range.and_then(|r| HeaderValue::from_str(&r).ok()) {
        h.insert(header::CONTENT_RANGE, r);
    }
    if let Ok(v) = HeaderValue::from_str(&o.sha256) {
        h.insert("x-content-sha256", v);
    }
    h.insert("x-evidence-check", HeaderValue::from_static(if checked { "ok" } else { "mismatch" }));
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(v: &str, len: usize) -> Result<Option<(usize, usize)>, ()> {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, HeaderValue::from_str(v).expect("header"));
        range(&h, len)
    }

    #[test]
    fn ranges_are_read_as_http_says() {
        assert_eq!(ask("bytes=0-99", 1000), Ok(Some((0, 99))));
        assert_eq!(ask("bytes=900-", 1000), Ok(Some((900, 999))));
        assert_eq!(ask("bytes=-100", 1000), Ok(Some((900, 999))));
        assert_eq!(ask("bytes=500-5000", 1000), Ok(Some((500, 999))));
        assert_eq!(ask("bytes=1000-", 1000), Err(()));
        assert_eq!(ask("bytes=-0", 1000), Err(()));
        assert_eq!(ask("bytes=0-1,5-9", 1000), Ok(None));
        assert_eq!(ask("bytes=9-1", 1000), Ok(None));
        assert_eq!(ask("items=0-1", 1000), Ok(None));
        assert_eq!(range(&HeaderMap::new(), 10), Ok(None));
    }
}
