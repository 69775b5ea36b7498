//! Exam-room pages for proctors and institution admins: the sessions they may watch, and one
//! room live (candidates, progress, time left, integrity events, actions, the score summary).
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use exam_protocol::Role;

use super::bank_pages::page_error;
use super::layout::{LangQuery, esc, page_lang, render_with};
use crate::http::AppState;
use crate::http::access::CurrentUser;
use exam_application::exams::{proctor, sessions};
use exam_records::exams;

pub async fn list(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<LangQuery>, user: CurrentUser) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    let rows = match user.role() {
        Role::Proctor => exams::sessions_of_proctor(&state.db, user.account.id).await,
        _ => match user.account.institution_id {
            Some(inst) => exams::sessions_of_institution(&state.db, inst).await,
            None => Ok(Vec::new()),
        },
    };
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return page_error(lang, e),
    };
    let items: String = rows
        .iter()
        .map(|s| {
            let v = sessions::view(s);
            format!(
                "<tr><td><a href=\"/sessions/{}\">{}</a></td><td>{}</td><td data-ms=\"{}\" class=\"when\"></td></tr>",
                v.id,
                esc(&v.name),
                esc(&v.room),
                v.starts_at_ms
            )
        })
        .collect();
    let body = format!(
        "<section class=\"card\"><h2>{}</h2><table id=\"sessions\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{items}</tbody></table></section>",
        lang.pick("考试场次", "Exam sessions"),
        lang.pick("场次", "Session"),
        lang.pick("考场", "Room"),
        lang.pick("开考时间", "Starts"),
    );
    render_with(lang, lang.pick("考试场次", "Exam sessions"), &body, cookie, &["proctor.js"])
}

pub async fn room(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Query(q): Query<LangQuery>, user: CurrentUser) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    let s = match proctor::session_for(&state, &user, id, false).await {
        Ok(s) => s,
        Err(e) => return page_error(lang, e),
    };
    let can_act = user.role() == Role::Proctor;
    let body = format!(
        "<nav class=\"crumbs\"><a href=\"/sessions\">{back}</a><a href=\"/api/v1/sessions/{id}/summary?format=xlsx\">{xlsx}</a><a href=\"/api/v1/sessions/{id}/summary?format=csv\">CSV</a></nav>\
         <section class=\"card\"><h2>{name} · {room}</h2><div id=\"room-chart\" class=\"toolbar\" aria-label=\"{chart}\"></div></section>\
         <section class=\"card\"><h2>{grid}</h2><div id=\"tiles\" class=\"tiles\" data-session=\"{id}\" data-act=\"{can_act}\"></div></section>\
         <dialog id=\"enlarged\" aria-labelledby=\"enlarged-title\"><h2 id=\"enlarged-title\"></h2>\
           <div class=\"big\"><video id=\"big-camera\" autoplay playsinline aria-label=\"{camera}\"></video><video id=\"big-screen\" autoplay playsinline aria-label=\"{screen}\"></video></div>\
           <audio id=\"big-audio\" autoplay></audio>\
           <form id=\"enlarged-actions\" method=\"dialog\"><label for=\"enlarged-text\">{text}</label><input id=\"enlarged-text\" maxlength=\"500\">\
             <div class=\"toolbar\"><button type=\"button\" data-do=\"warn\">{warn}</button><button type=\"button\" data-do=\"note\" class=\"secondary\">{note}</button>\
             <button type=\"button\" data-do=\"pause\" class=\"secondary\">{pause}</button><button type=\"button\" data-do=\"resume\" class=\"secondary\">{resume}</button>\
             <button type=\"button\" data-do=\"extra_time\" class=\"secondary\">{extra}</button><button type=\"button\" data-do=\"terminate\" class=\"secondary\">{terminate}</button>\
             <button type=\"button\" data-do=\"approve_device\" class=\"secondary\">{approve}</button>\
             <button type=\"submit\" value=\"close\">{close}</button></div></form>\
           <div id=\"enlarged-result\"></div></dialog>\
         <section class=\"card\"><h2>{live}</h2><table id=\"room\" data-session=\"{id}\" data-act=\"{can_act}\" data-pass=\"{pass}\"><thead><tr>\
         <th>{ticket}</th><th>{cname}</th><th>{status}</th><th>{progress}</th><th>{left}</th><th>{flags}</th><th>{score}</th><th>{actions}</th>\
         </tr></thead><tbody></tbody></table><p id=\"act-result\" role=\"status\"></p></section>\
         <section class=\"card\"><h2>{scores}</h2><div id=\"score-chart\"></div></section>\
         <section class=\"card\"><h2>{feed}</h2><ol id=\"feed\" reversed></ol></section>",
        back = lang.pick("全部场次", "All sessions"),
        xlsx = lang.pick("成绩汇总表（XLSX）", "Score summary (XLSX)"),
        name = esc(&s.name),
        room = esc(&s.room),
        chart = lang.pick("考场状态", "Room status"),
        live = lang.pick("考生实时状态", "Candidates, live"),
        pass = s.pass_mark,
        ticket = lang.pick("准考证号", "Ticket"),
        cname = lang.pick("姓名", "Name"),
        status = lang.pick("状态", "Status"),
        progress = lang.pick("进度", "Progress"),
        left = lang.pick("剩余时间", "Time left"),
        flags = lang.pick("异常", "Flags"),
        score = lang.pick("成绩", "Score"),
        actions = lang.pick("操作", "Actions"),
        scores = lang.pick("成绩分布", "Score distribution"),
        grid = lang.pick("监考画面", "Live video"),
        camera = lang.pick("摄像头画面", "Camera"),
        screen = lang.pick("屏幕共享画面", "Screen"),
        text = lang.pick("提醒内容、原因或记录", "Message, reason or note"),
        warn = lang.pick("发送提醒", "Warn"),
        note = lang.pick("记入考场记录", "Add to the record"),
        pause = lang.pick("暂停", "Pause"),
        resume = lang.pick("恢复", "Resume"),
        extra = lang.pick("延时 10 分钟", "10 minutes more"),
        terminate = lang.pick("终止考试", "Terminate"),
        approve = lang.pick("批准更换设备", "Approve device change"),
        close = lang.pick("关闭", "Close"),
        feed = lang.pick("考场记录", "Exam-room record"),
    );
    render_with(lang, &s.name, &body, cookie, &["proctor.js", "proctor_media.js"])
}
