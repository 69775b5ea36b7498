//! The sign-in page. The form posts here; success sets the session cookie and goes home.
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::layout::{LangQuery, esc, page_lang, render};
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

fn form(lang: Lang, username: &str, error: Option<&str>, cookie: Option<axum::http::HeaderValue>) -> Response {
    let error_html = error.map(|e| format!("<p class=\"error\" role=\"alert\" id=\"login-error\">{}</p>", esc(e))).unwrap_or_default();
    let body = format!(
        "<section class=\"card\" aria-labelledby=\"t\"><h2 id=\"t\">{heading}</h2>{error_html}\
         <form method=\"post\" action=\"/login\">\
         <label for=\"username\">{user_label}</label>\
         <input id=\"username\" name=\"username\" autocomplete=\"username\" required autofocus value=\"{username}\">\
         <label for=\"password\">{pass_label}</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <div><button type=\"submit\" id=\"sign-in\">{submit}</button></div></form>\
         <p class=\"muted\">{hint}</p></section>",
        heading = lang.pick("登录", "Sign in"),
        user_label = lang.pick("用户名", "Username"),
        pass_label = lang.pick("密码", "Password"),
        submit = lang.pick("登录", "Sign in"),
        hint = lang.pick(
            "请使用为您分配的账号登录。忘记密码请联系所在机构的管理员。",
            "Sign in with the account you were given. If you forgot the password, ask your institution's administrator.",
        ),
        username = esc(username),
    );
    let status = if error.is_some() { StatusCode::UNAUTHORIZED } else { StatusCode::OK };
    let mut resp = render(lang, lang.pick("登录", "Sign in"), &body, cookie);
    *resp.status_mut() = status;
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
