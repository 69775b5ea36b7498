//! The candidate's exam page: a shell; `/static/exam.js` drives sign-in, the commitment, the
//! paper and the answer channel against the candidate API.
use axum::extract::Query;
use axum::http::HeaderMap;
use axum::response::Response;

use super::layout::{LangQuery, page_lang, render_with};

pub async fn show(headers: HeaderMap, Query(q): Query<LangQuery>) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    let body = format!(
        "<p class=\"muted\" id=\"who\"></p><div id=\"proctor-notice\"></div><div id=\"media-notice\"></div><div id=\"exam-app\"><p>{}</p></div>",
        lang.pick("正在加载……", "Loading…")
    );
    render_with(lang, lang.pick("理论知识考试", "Theory test"), &body, cookie, &["exam_media.js", "exam.js"])
}
