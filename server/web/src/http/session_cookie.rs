//! The session cookie the pages use: HttpOnly, SameSite=Strict, Secure unless configured off.
use axum::http::HeaderValue;

use super::access::SESSION_COOKIE;
use exam_application::config::Settings;

pub fn set(settings: &Settings, token: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if settings.auth.cookie_secure { "; Secure" } else { "" };
    let v = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub fn clear(settings: &Settings) -> HeaderValue {
    set(settings, "", 0)
}
