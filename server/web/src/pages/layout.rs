//! The page frame every page shares (templates/base.html), the language switch, and the
//! response a template becomes.
use askama::Template;
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use exam_protocol::Role;
use serde::Deserialize;

use crate::http::access::CurrentUser;
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

/// What the frame of every page shows: its language, its title and its scripts; for a
/// signed-in person, the shell (their name and role, their role's menu, sign-out) and the
/// breadcrumbs of nested pages.
#[derive(Debug, Clone)]
pub struct Frame {
    pub lang: Lang,
    pub title: String,
    pub scripts: Vec<&'static str>,
    pub shell: Option<Shell>,
    pub crumbs: Vec<(String, String)>,
}

/// The signed-in person's part of every page.
#[derive(Debug, Clone)]
pub struct Shell {
    pub name: String,
    pub role: &'static str,
    /// The role's menu: link, label, and whether it is the page shown (or its parent).
    pub menu: Vec<(&'static str, &'static str, bool)>,
}

impl Frame {
    pub fn new(lang: Lang, title: impl Into<String>) -> Frame {
        Frame { lang, title: title.into(), scripts: Vec::new(), shell: None, crumbs: Vec::new() }
    }

    /// A step on the way to this page, shown before its title.
    pub fn crumb(mut self, href: &str, label: &str) -> Frame {
        self.crumbs.push((href.to_string(), label.to_string()));
        self
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

/// Each role's menu: its real work, in the order it meets it.
pub fn menu(role: Role) -> &'static [(&'static str, &'static str, &'static str)] {
    match role {
        Role::Candidate => &[("/exam", "进入考试", "My test")],
        Role::Proctor => &[("/home", "首页", "Home"), ("/sessions", "我的考场", "My rooms"), ("/marking", "主观题阅卷", "Marking")],
        Role::Author => &[("/home", "首页", "Home"), ("/banks", "题库", "Banks"), ("/import/check", "检查题目文件", "Check a file")],
        Role::Reviewer => &[("/home", "首页", "Home"), ("/review", "审题队列", "Review queue"), ("/banks", "题库", "Banks")],
        Role::InstitutionAdmin => &[
            ("/home", "首页", "Home"),
            ("/sessions", "考试场次", "Sessions"),
            ("/sessions/new", "新建场次", "New session"),
            ("/users", "人员", "Staff"),
            ("/banks", "题库", "Banks"),
        ],
        Role::Supervisor | Role::Regulator => &[
            ("/home", "首页", "Home"),
            ("/institutions", "评价机构", "Institutions"),
            ("/sessions", "考试场次", "Sessions"),
            ("/audit", "审计记录", "Audit trail"),
            ("/banks", "题库", "Banks"),
        ],
        Role::Operator => &[
            ("/home", "首页", "Home"),
            ("/users", "账号", "Accounts"),
            ("/institutions", "评价机构", "Institutions"),
            ("/audit", "审计记录", "Audit trail"),
            ("/banks", "题库", "Banks"),
        ],
    }
}

pub fn institution_kind(kind: exam_protocol::InstitutionKind, lang: Lang) -> &'static str {
    use exam_protocol::InstitutionKind::*;
    match kind {
        Enterprise => lang.pick("用人单位", "Employer"),
        College => lang.pick("院校", "College"),
        SocialOrganisation => lang.pick("社会培训评价组织", "Training and evaluation organisation"),
    }
}

/// An instant as printed on papers: China's time, e.g. `2026-12-07 09:00`.
pub fn china_time(ms: i64) -> String {
    let (y, m, d, h, min) = exam_application::clock::china_civil(ms);
    format!("{y}-{m:02}-{d:02} {h:02}:{min:02}")
}

/// What every page handler starts from: the page's language (and the cookie that keeps a
/// switch), and the signed-in person, if any, for the shell.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub lang: Lang,
    cookie: Option<HeaderValue>,
    user: Option<CurrentUser>,
    path: String,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PageCtx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let lang = q.split('&').find_map(|kv| kv.strip_prefix("lang=")).map(|l| l.to_string());
        let (lang, cookie) = page_lang(&parts.headers, &LangQuery { lang });
        Ok(PageCtx { lang, cookie, user: parts.extensions.get::<CurrentUser>().cloned(), path: parts.uri.path().to_string() })
    }
}

impl PageCtx {
    /// The page's frame, with the shell for a signed-in person.
    pub fn frame(&self, title: impl Into<String>) -> Frame {
        let mut f = Frame::new(self.lang, title);
        f.shell = self.user.as_ref().map(|u| Shell {
            name: u.account.display_name.clone(),
            role: role_name(u.role(), self.lang),
            menu: menu(u.role())
                .iter()
                .map(|(href, zh, en)| {
                    let here = self.path == *href
                        || (*href != "/home" && self.path.starts_with(&format!("{href}/")) && !menu(u.role()).iter().any(|(h, _, _)| *h == self.path));
                    (*href, self.lang.pick(zh, en), here)
                })
                .collect(),
        });
        f
    }

    pub fn respond(&self, page: &impl Template) -> Response {
        respond(page, self.cookie.clone())
    }

    /// The error as a page in the user's language, with the shell and a way back.
    pub fn error(&self, e: impl Into<crate::http::error::ApiError>) -> Response {
        let e: crate::http::error::ApiError = e.into();
        let status = e.status();
        let code = e.code();
        if let crate::http::error::ApiError::Internal(err) = &e {
            tracing::error!(error = format!("{err:#}"), "page failed");
        }
        error_page(self.frame(""), status, code, self.cookie.clone())
    }
}

/// An error as a page: its title by status, the code's message in the frame's language, a way
/// back. `f` gives the language and the shell; its title is set here.
pub fn error_page(mut f: Frame, status: StatusCode, code: &'static str, lang_cookie: Option<HeaderValue>) -> Response {
    f.title = error_title(status, f.lang).to_string();
    let message = crate::http::messages::message(code, f.lang);
    let mut resp = respond(&ErrorPage { f, code, message }, lang_cookie);
    *resp.status_mut() = status;
    resp
}

/// The heading of an error page, by status.
pub fn error_title(status: StatusCode, lang: Lang) -> &'static str {
    match status {
        StatusCode::FORBIDDEN => lang.pick("无权访问", "Not allowed"),
        StatusCode::NOT_FOUND => lang.pick("页面不存在", "Page not found"),
        StatusCode::UNAUTHORIZED => lang.pick("请重新登录", "Please sign in again"),
        _ => lang.pick("出错了", "Something went wrong"),
    }
}

/// The error page (templates/error.html).
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    f: Frame,
    code: &'static str,
    message: &'static str,
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
