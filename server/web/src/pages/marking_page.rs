//! The marker's page (阅卷): one short answer at a time, without the candidate's name, and
//! without the other markers' points; the mark goes in with the keyboard alone.
use askama::Template;
use axum::extract::Query;
use axum::http::HeaderMap;
use axum::response::Response;

use super::layout::{Frame, LangQuery, page_lang, respond};
use crate::http::access::CurrentUser;

#[derive(Template)]
#[template(path = "marking.html")]
struct MarkingPage {
    f: Frame,
}

pub async fn show(headers: HeaderMap, Query(q): Query<LangQuery>, _user: CurrentUser) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    respond(&MarkingPage { f: Frame::new(lang, lang.pick("主观题阅卷", "Marking")).scripts(&["marking.js"]) }, cookie)
}
