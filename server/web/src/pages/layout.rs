//! The page frame every page shares (templates/base.html), the language switch, and the
//! response a template becomes.
use askama::Template;
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use exam_protocol::Role;
use serde::Deserialize;

use crate::http::i18n::Lang;

/// `?lang=en` or `?lang=zh-CN` on any page switches the language and remembers it.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    pub lang: Option<String>,
}

/// The language for this page and, when the switch was used, the cookie that keeps it.
pub fn page_lang(headers: &HeaderMap, q: &LangQuery) -> (Lang, Option<HeaderValue>) {
    match q.lang.as_deref().and_then(Lang::parse_tag) {
        Some(l) => {
            let cookie = format!("lang={}; Path=/; SameSite=Lax; Max-Age=31536000", l.tag());
            (l, HeaderValue::from_str(&cookie).ok())
        }
        None => (crate::http::i18n::for_page(headers), None),
    }
}

pub fn role_name(role: Role, lang: Lang) -> &'static str {
    let (zh, en) = match role {
        Role::Candidate => ("考生", "Candidate"),
        Role::Proctor => ("监考人员", "Proctor"),
        Role::Author => ("命题人员", "Question author"),
        Role::Reviewer => ("审题专家", "Reviewer"),
        Role::InstitutionAdmin => ("评价机构管理员", "Institution administrator"),
        Role::Supervisor => ("质量督导员", "Quality supervisor"),
        Role::Regulator => ("人社部门监管人员", "Regulator"),
        Role::Operator => ("系统运维人员", "Operator"),
    };
    lang.pick(zh, en)
}

/// Scripts come only from our own `/static/`, never inline, so even HTML that slipped past
/// the sanitiser could not run a script.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// What the frame of every page shows: its language, its title and its scripts.
#[derive(Debug, Clone)]
pub struct Frame {
    pub lang: Lang,
    pub title: String,
    pub scripts: Vec<&'static str>,
}

impl Frame {
    pub fn new(lang: Lang, title: impl Into<String>) -> Frame {
        Frame { lang, title: title.into(), scripts: Vec::new() }
    }

    /// The page's own scripts from `/static/`, as ES modules: each imports what it shares
    /// (common.js and the like) and nothing passes between files through globals.
    pub fn scripts(mut self, scripts: &[&'static str]) -> Frame {
        self.scripts = scripts.to_vec();
        self
    }

    pub fn product(&self) -> &'static str {
        self.lang.pick("职业技能等级认定 · 在线监考考试系统", "Skill Level Certification · Proctored Exams")
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }
}

/// A fragment's HTML, for a page that places it: a template that fails is logged, and the
/// fragment is left out rather than the page failing.
pub fn fragment(t: &impl Template) -> String {
    t.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "fragment template failed");
        String::new()
    })
}

/// A page from its template (escaping on, checked at compile time), with the headers every
/// page carries and, when the language switch was used, the cookie that keeps it.
pub fn respond(page: &impl Template, lang_cookie: Option<HeaderValue>) -> Response {
    let html = match page.render() {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "page template failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal_error").into_response();
        }
    };
    let mut resp = Html(html).into_response();
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    resp.headers_mut().insert(axum::http::header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    if let Some(c) = lang_cookie {
        resp.headers_mut().append(SET_COOKIE, c);
    }
    resp
}
