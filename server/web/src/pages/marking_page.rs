//! The marker's page (阅卷): one short answer at a time, without the candidate's name, and
//! without the other markers' points; the mark goes in with the keyboard alone.
use askama::Template;
use axum::response::Response;

use super::layout::{Frame, PageCtx};
use crate::http::access::CurrentUser;

#[derive(Template)]
#[template(path = "marking.html")]
struct MarkingPage {
    f: Frame,
}

pub async fn show(ctx: PageCtx, _user: CurrentUser) -> Response {
    let lang = ctx.lang;
    ctx.respond(&MarkingPage { f: ctx.frame(lang.pick("主观题阅卷", "Marking")).scripts(&["marking.js"]) })
}
