//! API errors: one enum, each variant with its status and a stable snake_case code. The body
//! `{ "error", "message" }` is written by [`localize`], which knows the request's language.
//! Database and internal errors become 500 with no detail; the detail goes to the log.
use axum::Json;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use exam_protocol::ErrorBody;

use exam_application::AppError;
use exam_application::auth::AuthError;
use exam_application::error::RefusalKind;
use exam_records::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not JSON.
    #[error("malformed json")]
    MalformedJson,
    /// 422: JSON of the wrong shape: a wrong type, a missing or unknown field.
    #[error("invalid field")]
    InvalidField,
    /// 422: well-formed but refused by a rule; the code names the rule.
    #[error("validation failed: {0}")]
    Validation(&'static str),
    /// 422: refused by a rule, with what exactly was found (e.g. why a file was refused);
    /// the detail is appended to the localised message.
    #[error("validation failed: {code}: {detail}")]
    Detailed { code: &'static str, detail: String },
    /// 415: the body is not sent as JSON.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 413: the body is larger than the configured limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 401: no token, or one that is unknown or signed out.
    #[error("unauthenticated")]
    Unauthenticated,
    /// 401: the token was valid once and has expired.
    #[error("session expired")]
    SessionExpired,
    /// 401: wrong username or password (never says which).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// 429: too many wrong passwords for this account: the next try is allowed after a pause
    /// (nobody is locked out).
    #[error("sign-in slowed down")]
    SignInSlowed,
    /// 429: too many attempts from this address or for this name; or the code names what was
    /// repeated too often (`TooMany`).
    #[error("rate limited")]
    RateLimited,
    #[error("too many: {0}")]
    TooMany(&'static str),
    /// 403: a state-changing request sent from another site's page.
    #[error("foreign origin")]
    ForeignOrigin,
    /// 403: the role may not do this at all.
    #[error("forbidden")]
    Forbidden,
    /// 403: allowed in general, refused now for a reason the code names (e.g. a device change
    /// waiting for a proctor's approval).
    #[error("refused: {0}")]
    Refused(&'static str),
    /// 404: no such object, or one outside the caller's scope (ids must not leak).
    #[error("not found")]
    NotFound,
    /// 405
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: a unique value is already taken; the code names which.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// 500: logged, never described to the client.
    #[error("internal: {0}")]
    Internal(#[from] anyhow::Error),
}

/// Marks a response as an API error so [`localize`] can write its body.
#[derive(Debug, Clone, Copy)]
pub struct ErrorCode(pub &'static str);

/// What exactly was wrong, appended to the localised message.
#[derive(Debug, Clone)]
pub struct ErrorDetail(pub String);

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson => StatusCode::BAD_REQUEST,
            ApiError::InvalidField | ApiError::Validation(_) | ApiError::Detailed { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unauthenticated | ApiError::SessionExpired | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::SignInSlowed | ApiError::RateLimited | ApiError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Forbidden | ApiError::Refused(_) | ApiError::ForeignOrigin => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedJson => "malformed_json",
            ApiError::InvalidField => "invalid_field",
            ApiError::Validation(code) | ApiError::Conflict(code) | ApiError::Refused(code) | ApiError::TooMany(code) | ApiError::Detailed { code, .. } => code,
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::SessionExpired => "session_expired",
            ApiError::InvalidCredentials => "invalid_credentials",
            ApiError::SignInSlowed => "sign_in_slowed",
            ApiError::RateLimited => "rate_limited",
            ApiError::ForeignOrigin => "foreign_origin",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Internal(_) => "internal_error",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = format!("{e:#}"), "internal error");
        }
        let mut resp = self.status().into_response();
        resp.extensions_mut().insert(ErrorCode(self.code()));
        if let ApiError::Detailed { detail, .. } = self {
            resp.extensions_mut().insert(ErrorDetail(detail));
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        AppError::from(e).into()
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        AppError::from(e).into()
    }
}

/// Each refusal of a use case keeps its code; the status is chosen here.
impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Validation(code) => ApiError::Validation(code),
            AppError::Detailed { code, detail } => ApiError::Detailed { code, detail },
            AppError::InvalidCredentials => ApiError::InvalidCredentials,
            AppError::SignInSlowed => ApiError::SignInSlowed,
            AppError::RateLimited => ApiError::RateLimited,
            AppError::Forbidden => ApiError::Forbidden,
            AppError::NotFound => ApiError::NotFound,
            AppError::TooLarge => ApiError::PayloadTooLarge,
            AppError::Conflict(code) => ApiError::Conflict(code),
            AppError::Internal(e) => ApiError::Internal(e),
            AppError::Session(r) => refused(r.code(), r.kind()),
            AppError::Exam(r) => refused(r.code(), r.kind()),
            AppError::Proctor(r) => refused(r.code(), r.kind()),
            AppError::Marking(r) => refused(r.code(), r.kind()),
            AppError::Bank(r) => refused(r.code(), r.kind()),
            AppError::Institution(r) => refused(r.code(), r.kind()),
            AppError::Account(r) => refused(r.code(), r.kind()),
        }
    }
}

/// An area's refusal: its code, with the status its kind reads as.
fn refused(code: &'static str, kind: RefusalKind) -> ApiError {
    match kind {
        RefusalKind::Invalid => ApiError::Validation(code),
        RefusalKind::Conflict => ApiError::Conflict(code),
        RefusalKind::Refused => ApiError::Refused(code),
        RefusalKind::TooMany => ApiError::TooMany(code),
    }
}

/// Writes every API error body in the request's language, including the ones the router
/// itself produces (unknown route, wrong method, body over the limit).
pub async fn localize(req: Request, next: Next) -> Response {
    let lang = crate::http::i18n::from_headers(req.headers());
    let path = req.uri().path();
    let is_api = path.starts_with("/api/") || path == "/healthz" || path == "/readyz";
    let page_lang = crate::http::i18n::for_page(req.headers());
    let resp = next.run(req).await;
    if !is_api {
        return page_errors(resp, page_lang);
    }
    let Some(code) = error_code(&resp, true) else {
        return resp;
    };
    let status = resp.status();
    let mut message = super::messages::message(code, lang).to_string();
    if let Some(ErrorDetail(detail)) = resp.extensions().get::<ErrorDetail>() {
        message = format!("{}{}{detail}", message.trim_end_matches(['。', '.']), lang.pick("：", ": "));
    }
    let body = ErrorBody { error: code.to_string(), message };
    let mut out = (status, Json(body)).into_response();
    out.headers_mut().insert(axum::http::header::CONTENT_LANGUAGE, axum::http::HeaderValue::from_static(lang.tag()));
    out
}

/// A page's error as a page: what a page handler refused, a path nobody serves, a method
/// a page does not take. Pages that already made their own error page pass through.
fn page_errors(resp: Response, lang: crate::http::i18n::Lang) -> Response {
    let Some(code) = error_code(&resp, false) else {
        return resp;
    };
    let is_html = resp.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        return resp;
    }
    crate::pages::layout::error_page(crate::pages::layout::Frame::new(lang, ""), resp.status(), code, None)
}

/// The stable code of an error response: the one it carries, else the one its status means
/// when the router made it (a path parameter that does not parse, an unknown route or method,
/// a body over the limit, and for the API a body of the wrong type); `None` for no error.
fn error_code(resp: &Response, api: bool) -> Option<&'static str> {
    if let Some(ErrorCode(code)) = resp.extensions().get::<ErrorCode>() {
        return Some(code);
    }
    Some(match resp.status() {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE if api => "unsupported_media_type",
        _ => return None,
    })
}
