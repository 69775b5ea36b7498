//! The candidate's exam page: a shell; `/static/exam.js` drives sign-in, the commitment, the
//! paper and the answer channel against the candidate API.
use askama::Template;
use axum::response::Response;

use super::layout::{Frame, PageCtx};

#[derive(Template)]
#[template(path = "exam.html")]
struct ExamPage {
    f: Frame,
}

pub async fn show(ctx: PageCtx) -> Response {
    let lang = ctx.lang;
    ctx.respond(&ExamPage { f: ctx.frame(lang.pick("理论知识考试", "Theory test")).scripts(&["exam.js"]) })
}
