//! The sign-in page. The form posts here; success sets the session cookie and goes home.
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use askama::Template;

use super::layout::{Frame, PageCtx};
use crate::http::access::CurrentUser;
use crate::http::extract::ClientIp;
use crate::http::{AppState, messages, session_cookie};
use exam_application::auth::{self, AuthError};

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn show(ctx: PageCtx, user: Option<CurrentUser>, Query(q): Query<LoginQuery>) -> Response {
    if user.is_some() && q.lang.is_none() {
        return Redirect::to("/home").into_response();
    }
    // A page that found its sign-in expired sends the browser here to say so.
    let notice = q.expired.is_some().then(|| ctx.lang.pick("登录已过期，请重新登录。", "Your sign-in has expired; please sign in again."));
    form(&ctx, "", notice, false)
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    lang: Option<String>,
    expired: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    f: Frame,
    username: &'a str,
    error: Option<&'a str>,
}

fn form(ctx: &PageCtx, username: &str, error: Option<&str>, failed: bool) -> Response {
    let page = LoginPage { f: ctx.frame(ctx.lang.pick("登录", "Sign in")), username, error };
    let mut resp = ctx.respond(&page);
    if failed {
        *resp.status_mut() = StatusCode::UNAUTHORIZED;
    }
    resp
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ctx: PageCtx,
    form_data: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = ctx.lang;
    let Ok(Form(f)) = form_data else {
        return form(&ctx, "", Some(messages::message("invalid_credentials", lang)), true);
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
            form(&ctx, &f.username, Some(messages::message(code, lang)), true)
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
