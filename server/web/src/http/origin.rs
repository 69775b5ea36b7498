//! Requests from other sites are refused before anything else looks at them. `SameSite=Strict`
//! cookies do not stop a sibling domain (same site, other origin), so every state-changing
//! request and every WebSocket upgrade must come from our own origin: its `Origin` header names
//! this host (or an allowed origin), or, without one, `Sec-Fetch-Site` says same-origin. A
//! request with neither comes from no browser (the CLI, the typed client) and carries its own
//! token. API requests may also not use the three content types a foreign form or a `no-cors`
//! fetch can send without asking (text/plain, multipart/form-data, urlencoded), so no such
//! request reaches a handler even if a browser omitted the headers above.
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;

pub async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let upgrade = req.headers().get(header::UPGRADE).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    let changing = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if (changing || upgrade) && !from_our_origin(req.headers(), &state.settings.http.allowed_origins) {
        return ApiError::ForeignOrigin.into_response();
    }
    if changing && req.uri().path().starts_with("/api/") && simple_content_type(req.headers()) {
        return ApiError::UnsupportedMediaType.into_response();
    }
    next.run(req).await
}

/// Whether the browser (if any) says the request comes from this origin.
pub fn from_our_origin(headers: &HeaderMap, allowed: &[String]) -> bool {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        let origin = origin.trim().trim_end_matches('/');
        let authority = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        return matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h.trim()))
            || allowed.iter().any(|a| a.trim().trim_end_matches('/').eq_ignore_ascii_case(origin));
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin" || site == "none",
        None => true,
    }
}

fn simple_content_type(headers: &HeaderMap) -> bool {
    let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    matches!(essence.as_str(), "text/plain" | "multipart/form-data" | "application/x-www-form-urlencoded")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, axum::http::HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_our_origin_passes() {
        let none: &[String] = &[];
        assert!(from_our_origin(&headers(&[("host", "exam.example:8080"), ("origin", "http://exam.example:8080")]), none));
        assert!(!from_our_origin(&headers(&[("host", "exam.example:8080"), ("origin", "https://evil.example")]), none));
        assert!(!from_our_origin(&headers(&[("host", "exam.example"), ("origin", "https://a.exam.example")]), none), "a sibling domain");
        assert!(!from_our_origin(&headers(&[("host", "exam.example"), ("origin", "null")]), none));
        assert!(from_our_origin(&headers(&[("host", "10.0.0.5"), ("origin", "https://exam.example")]), &["https://exam.example/".to_string()]));
        assert!(!from_our_origin(&headers(&[("sec-fetch-site", "same-site")]), none));
        assert!(!from_our_origin(&headers(&[("sec-fetch-site", "cross-site")]), none));
        assert!(from_our_origin(&headers(&[("sec-fetch-site", "same-origin")]), none));
        assert!(from_our_origin(&headers(&[]), none), "not a browser");
    }

    #[test]
    fn the_simple_content_types_are_told_apart() {
        assert!(simple_content_type(&headers(&[("content-type", "text/plain;charset=UTF-8")])));
        assert!(simple_content_type(&headers(&[("content-type", "Multipart/Form-Data; boundary=x")])));
        assert!(!simple_content_type(&headers(&[("content-type", "application/json")])));
        assert!(!simple_content_type(&headers(&[])));
    }
}
