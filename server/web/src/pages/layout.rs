//! The page frame, the language switch and HTML escaping shared by every page.
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
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

/// Escapes text for page HTML, attributes included.
pub fn esc(s: &str) -> String {
    question_bank::sanitize::escape_attr(s)
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

const CSS: &str = r#"
:root { color-scheme: light; --accent: #0b5cad; --text: #1b1f24; --muted: #57606a; --bg: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       font-size: 1rem; line-height: 1.6; color: var(--text); background: var(--bg); }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
header { background: var(--accent); color: #fff; padding: .75rem 1.5rem; display: flex; flex-wrap: wrap;
         justify-content: space-between; align-items: center; gap: .5rem; }
header a { color: #fff; } header h1 { font-size: 1.25rem; margin: 0; }
main { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
.card { background: #fff; border: 1px solid #d0d7de; border-radius: .5rem; padding: 1.5rem; margin-bottom: 1.5rem; }
label { display: block; font-weight: 600; margin-top: 1rem; }
input { font: inherit; width: 100%; max-width: 24rem; padding: .5rem .75rem; border: 1px solid #8c959f; border-radius: .375rem; }
button { font: inherit; margin-top: 1.25rem; padding: .5rem 1.5rem; background: var(--accent); color: #fff;
         border: 0; border-radius: .375rem; cursor: pointer; }
a:focus, input:focus, button:focus { outline: 3px solid #ffbf47; outline-offset: 2px; }
.error { color: #a40e26; background: #ffebe9; border: 1px solid #ff8182; padding: .5rem .75rem; border-radius: .375rem; }
.muted { color: var(--muted); }
ul.tasks { padding-left: 1.25rem; } ul.tasks li { margin: .25rem 0; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: .85rem; background: #ddf4ff; }
.badge.approved { background: #dafbe1; } .badge.in_review { background: #fff8c5; } .badge.rejected { background: #ffebe9; } .badge.retired { background: #eaeef2; }
.stem { font-size: 1.1rem; margin-bottom: 1rem; } .options { list-style: none; padding: 0; } .options li { margin: .5rem 0; }
.options label { display: inline; font-weight: normal; margin: 0; }
.toolbar { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; } .toolbar label { margin-top: 0; }
.toolbar input, .toolbar select { width: auto; }
select, textarea { font: inherit; padding: .4rem; border: 1px solid #8c959f; border-radius: .375rem; }
textarea { width: 100%; min-height: 6rem; }
input[type=radio], input[type=checkbox] { width: auto; }
button:disabled { opacity: .45; cursor: not-allowed; }
button.secondary { background: #fff; color: var(--accent); border: 1px solid var(--accent); }
progress { width: 100%; height: 1.25rem; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: .5rem; }
.tile { display: flex; flex-direction: column; align-items: stretch; padding: .25rem; background: #f6f8fa; color: inherit; text-align: left; }
.tile video { width: 100%; aspect-ratio: 4 / 3; background: #222; }
.big { display: flex; gap: .5rem; flex-wrap: wrap; } .big video { width: 32rem; max-width: 100%; background: #222; }
.previews video { width: 16rem; max-width: 45%; background: #222; margin-right: .5rem; }
dialog { max-width: 70rem; }
.bar { display: flex; align-items: center; gap: .5rem; } .bar span.fill { display: inline-block; height: 1rem; background: var(--accent); }
.bar span.need { display: inline-block; height: 1rem; background: #ff8182; }
nav.crumbs { margin-bottom: 1rem; } nav.crumbs a { margin-right: .75rem; }
.exam-bar { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between;
            background: #fff; border: 1px solid #d0d7de; border-radius: .5rem; padding: .5rem 1rem; margin-bottom: 1rem; }
.exam-bar button { margin-top: 0; } #timer { font-size: 1.25rem; font-weight: 700; font-variant-numeric: tabular-nums; }
#navigator { display: flex; flex-wrap: wrap; gap: .4rem; margin-bottom: 1rem; }
#navigator .nav-q { margin: 0; padding: .3rem .6rem; min-width: 2.5rem; background: #fff; color: var(--text); border: 1px solid #8c959f; }
#navigator .nav-q.answered { background: #dafbe1; } #navigator .nav-q.flagged { border: 2px solid #bf8700; }
#navigator .nav-q[aria-current=true] { outline: 3px solid var(--accent); }
.letter { background: #f6f8fa; padding: 1rem; border-radius: .375rem; }
"#;

/// Scripts come only from our own `/static/`, never inline, so even HTML that slipped past
/// the sanitiser could not run a script.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// A whole page: header with the product name and language switch, then `body`.
pub fn render(lang: Lang, title: &str, body: &str, lang_cookie: Option<HeaderValue>) -> Response {
    render_with(lang, title, body, lang_cookie, &[])
}

/// A page with navigation for signed-in staff and the given `/static/` scripts.
pub fn render_with(lang: Lang, title: &str, body: &str, lang_cookie: Option<HeaderValue>, scripts: &[&str]) -> Response {
    let product = lang.pick("职业技能等级认定 · 在线监考考试系统", "Skill Level Certification · Proctored Exams");
    let switch = match lang {
        Lang::Zh => r#"<a href="?lang=en" lang="en" hreflang="en">English</a>"#,
        Lang::En => r#"<a href="?lang=zh-CN" lang="zh-CN" hreflang="zh-CN">简体中文</a>"#,
    };
    let skip = lang.pick("跳到正文", "Skip to content");
    let html = format!(
        "<!doctype html><html lang=\"{tag}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · {product}</title><style>{CSS}</style>{script_tags}</head><body>\
         <a class=\"skip\" href=\"#main\">{skip}</a>\
         <header><h1><a href=\"/home\" style=\"text-decoration:none\">{product}</a></h1><nav aria-label=\"language\">{switch}</nav></header>\
         <main id=\"main\">{body}</main></body></html>",
        tag = lang.tag(),
        title = esc(title),
        // Page scripts run after common.js, which holds what they share.
        script_tags = std::iter::once("common.js")
            .filter(|_| !scripts.is_empty())
            .chain(scripts.iter().copied())
            .map(|s| format!("<script src=\"/static/{s}\" defer></script>"))
            .collect::<String>(),
    );
    let mut resp = Html(html).into_response();
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    resp.headers_mut().insert(axum::http::header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    if let Some(c) = lang_cookie {
        resp.headers_mut().append(SET_COOKIE, c);
    }
    resp
}
