//! The marker's page (阅卷): one short answer at a time, without the candidate's name, and
//! without the other markers' points; the mark goes in with the keyboard alone.
use axum::extract::Query;
use axum::http::HeaderMap;
use axum::response::Response;

use super::layout::{LangQuery, page_lang, render_with};
use crate::http::access::CurrentUser;

pub async fn show(headers: HeaderMap, Query(q): Query<LangQuery>, _user: CurrentUser) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    let body = format!(
        "<section class=\"card\" aria-live=\"polite\"><h2>{title}</h2><p id=\"waiting\" class=\"muted\"></p>\
         <div id=\"task\" hidden>\
           <p class=\"muted\" id=\"task-where\"></p>\
           <h3>{stem}</h3><div id=\"task-stem\" class=\"stem\"></div>\
           <h3>{reference}</h3><div id=\"task-reference\"></div>\
           <h3>{response}</h3><div id=\"task-response\" class=\"response\" style=\"white-space:pre-wrap\"></div>\
           <form id=\"mark-form\">\
             <label for=\"points\">{points} <span id=\"max-points\"></span></label>\
             <input id=\"points\" name=\"points\" type=\"number\" min=\"0\" step=\"0.5\" required inputmode=\"decimal\">\
             <label for=\"comment\">{comment}</label><textarea id=\"comment\" name=\"comment\" rows=\"2\" maxlength=\"1000\"></textarea>\
             <button type=\"submit\">{submit}</button>\
           </form>\
         </div>\
         <p id=\"mark-result\" role=\"status\"></p></section>",
        title = lang.pick("主观题阅卷", "Marking short answers"),
        stem = lang.pick("题目", "Question"),
        reference = lang.pick("参考答案", "Reference answer"),
        response = lang.pick("考生作答", "The candidate's answer"),
        points = lang.pick("给分（满分", "Points (out of"),
        comment = lang.pick("评语（可选）", "Comment (optional)"),
        submit = lang.pick("提交评分", "Submit the mark"),
    );
    render_with(lang, lang.pick("主观题阅卷", "Marking"), &body, cookie, &["marking.js"])
}
