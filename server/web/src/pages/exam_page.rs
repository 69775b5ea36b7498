//! The candidate's exam page: a shell; `/static/exam.js` drives sign-in, the commitment, the
//! paper and the answer channel against the candidate API.
use askama::Template;
use axum::extract::Query;
use axum::http::HeaderMap;
use axum::response::Response;

use super::layout::{Frame, LangQuery, page_lang, respond};

#[derive(Template)]
#[template(path = "exam.html")]
struct ExamPage {
    f: Frame,
}

pub async fn show(headers: HeaderMap, Query(q): Query<LangQuery>) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    respond(&ExamPage { f: Frame::new(lang, lang.pick("理论知识考试", "Theory test")).scripts(&["exam.js"]) }, cookie)
}
