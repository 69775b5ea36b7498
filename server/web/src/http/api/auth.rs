//! `POST /api/v1/auth/login` and `/logout`. The token is returned in the body for API clients
//! and set as an HttpOnly cookie for pages.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse};
use exam_protocol::{LoginRequest, LoginResponse};

use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ClientIp};
use crate::http::session_cookie;
use exam_application::auth;

pub async fn login(State(state): State<AppState>, ClientIp(ip): ClientIp, ApiJson(req): ApiJson<LoginRequest>) -> Result<impl IntoResponse, ApiError> {
    let signed = auth::login(&state, &req.username, &req.password, ip).await?;
    let cookie = session_cookie::set(&state.settings, &signed.token, state.settings.auth.session_ttl_secs);
    Ok((AppendHeaders([(SET_COOKIE, cookie)]), Json(LoginResponse { token: signed.token, expires_at_ms: signed.expires_at_ms, account: signed.account })))
}

pub async fn logout(State(state): State<AppState>, user: CurrentUser) -> Result<impl IntoResponse, ApiError> {
    auth::logout(&state, &user.account, &user.token_hash).await?;
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(SET_COOKIE, session_cookie::clear(&state.settings))])))
}
