//! The sign-in page. The form posts here; success sets the session cookie and goes home.
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use askama::Template;

use super::layout::{Frame, LangQuery, page_lang, respond};
use crate::http::access::CurrentUser;
use crate::http::extract::ClientIp;
use crate::http::i18n::Lang;
use crate::http::{AppState, messages, session_cookie};
use exam_application::auth::{self, AuthError};

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn show(headers: HeaderMap, Query(q): Query<LangQuery>, user: Option<CurrentUser>) -> Response {
    if user.is_some() && q.lang.is_none() {
        return Redirect::to("/home").into_response();
    }
    let (lang, cookie) = page_lang(&headers, &q);
    form(lang, "", None, cookie)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    f: Frame,
    username: &'a str,
    error: Option<&'a str>,
}

fn form(lang: Lang, username: &str, error: Option<&str>, cookie: Option<axum::http::HeaderValue>) -> Response {
    let page = LoginPage { f: Frame::new(lang, lang.pick("登录", "Sign in")), username, error };
    let mut resp = respond(&page, cookie);
    if error.is_some() {
        *resp.status_mut() = StatusCode::UNAUTHORIZED;
    }
    resp
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form_data: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = crate::http::i18n::for_page(&headers);
    let Ok(Form(f)) = form_data else {
        return form(lang, "", Some(messages::message("invalid_credentials", lang)), None);
    };
    match auth::login(&state, &f.username, &f.password, ip).await {
        Ok(signed) => {
            let cookie = session_cookie::set(&state.settings, &signed.token, state.settings.auth.session_ttl_secs);
            let mut resp = Redirect::to("/home").into_response();
            resp.headers_mut().append(SET_COOKIE, cookie);
            resp
        }
        Err(e) => {
            let code = match &e {
                AuthError::InvalidCredentials => "invalid_credentials",
                AuthError::SlowedDown => "sign_in_slowed",
                AuthError::RateLimited => "rate_limited",
                AuthError::Store(err) => {
                    tracing::error!(error = %err, "sign-in failed");
                    "internal_error"
                }
            };
            form(lang, &f.username, Some(messages::message(code, lang)), None)
        }
    }
}

pub async fn logout(State(state): State<AppState>, user: CurrentUser) -> Response {
    if let Err(e) = auth::logout(&state, &user.account, &user.token_hash).await {
        tracing::error!(error = %e, "sign-out failed");
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(SET_COOKIE, session_cookie::clear(&state.settings));
    resp
}
