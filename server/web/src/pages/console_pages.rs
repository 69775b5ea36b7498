//! The institution console: a new session with its roster checked from a file, the
//! roster template, and a session's admission tickets to print.
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use exam_application::banks::scope;
use exam_application::exams::tickets;
use exam_protocol::Role;

use super::layout::PageCtx;
use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::attachment;

#[derive(Template)]
#[template(path = "session_new.html")]
struct NewSessionPage {
    f: super::layout::Frame,
    banks: Vec<(i64, String)>,
    levels: Vec<(u8, String)>,
    proctors: Vec<(i64, String)>,
    per_proctor: i64,
    min_proctors: i64,
    min_duration: i64,
    max_duration: i64,
    late_entry: i64,
    earliest_hand_in: i64,
    pass_mark: i64,
    /// The batch the session goes into, when it is made from a batch's row.
    batch: String,
}

#[derive(serde::Deserialize)]
pub struct NewSessionQuery {
    #[serde(default)]
    batch: String,
}

pub async fn new_session(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<NewSessionQuery>,
) -> Response {
    let lang = ctx.lang;
    let banks = match scope::visible(&state.db, &user).await {
        Ok(b) => b,
        Err(e) => return ctx.error(e),
    };
    let staff = match exam_application::accounts::managed::list(&state, &user).await {
        Ok(a) => a,
        Err(e) => return ctx.error(e),
    };
    let rules = &state.settings.rules;
    let page = NewSessionPage {
        f: ctx.frame(lang.pick("新建考试场次", "New exam session")).scripts(&["console.js"]).crumb("/sessions", lang.pick("考试场次", "Sessions")),
        banks: banks.iter().map(|b| (b.id, format!("{}（{}）", b.name, b.occupation_code))).collect(),
        levels: (1..=5u8).rev().map(|l| (l, level_name(l, lang))).collect(),
        proctors: staff.iter().filter(|a| a.role == Role::Proctor).map(|a| (a.id, format!("{}（{}）", a.display_name, a.username))).collect(),
        per_proctor: rules.candidates_per_proctor,
        min_proctors: rules.min_proctors,
        min_duration: rules.min_duration_minutes,
        max_duration: rules.max_duration_minutes,
        late_entry: rules.late_entry_minutes,
        earliest_hand_in: rules.earliest_hand_in_minutes,
        pass_mark: rules.pass_mark,
        batch: q.batch.chars().take(100).collect(),
    };
    ctx.respond(&page)
}

/// The roster template as CSV (UTF-8 with a byte-order mark, so spreadsheets read it so).
pub async fn roster_template() -> Response {
    let header = question_bank::roster::TEMPLATE_HEADER.join(",");
    let body = format!("\u{FEFF}{header}\r\n张三,居民身份证,110101199003070011\r\n");
    attachment(body.into_bytes(), "text/csv; charset=utf-8", "roster-template.csv")
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct TicketsPage {
    f: super::layout::Frame,
    session_name: String,
    occupation: String,
    room: String,
    when: String,
    duration: i64,
    institution: String,
    rules: Vec<&'static str>,
    tickets: Vec<TicketView>,
    session_id: i64,
}

struct TicketView {
    candidate_id: i64,
    ticket: String,
    name: String,
    id_masked: String,
    photo: Option<String>,
}

pub async fn tickets(State(state): State<AppState>, ctx: PageCtx, user: CurrentUser, Path(id): Path<i64>) -> Response {
    let lang = ctx.lang;
    let t = match tickets::for_session(&state, &user, id).await {
        Ok(t) => t,
        Err(e) => return ctx.error(e),
    };
    let rules = lang
        .choose(
            &[
                "考生须在开考前完成设备检测；开考后超过规定时间未进入考试的，不得入场。",
                "考试全程开启摄像头、麦克风和屏幕共享，并接受远程监考；考试全程录像留存。",
                "凭准考证号、证件号码和登录口令登录；须本人参加考试，冒名顶替者按违纪处理。",
                "考试期间不得离开考试页面、不得使用其他设备或资料，不得与他人交流。",
                "遇到网络或设备故障，请保持原位并及时与监考人员联系，已作答内容不会丢失。",
            ][..],
            &[
                "Finish the device check before the start; after the entry time below, nobody enters.",
                "Camera, microphone and screen sharing stay on throughout and are proctored remotely; the whole test is recorded.",
                "Sign in with the ticket number, your document number and your sign-in code; sitting for someone else is misconduct.",
                "Do not leave the test page, use another device or materials, or talk to anyone during the test.",
                "If the network or a device fails, stay where you are and contact the proctor; answers already given are not lost.",
            ][..],
        )
        .to_vec();
    let late = (t.session.late_entry_until_ms - t.session.starts_at_ms) / 60_000;
    let when = format!(
        "{}{}",
        crate::pages::layout::china_time(t.session.starts_at_ms),
        lang.choose(format!("（开考 {late} 分钟后禁止入场）"), format!(" (entry closes {late} minutes after the start)"))
    );
    let page = TicketsPage {
        f: ctx
            .frame(format!("{} · {}", t.session.name, lang.pick("准考证", "Admission tickets")))
            .scripts(&["print.js", "tickets.js"])
            .crumb("/sessions", lang.pick("考试场次", "Sessions"))
            .crumb(&format!("/sessions/{id}"), &t.session.name),
        session_name: t.session.name.clone(),
        occupation: format!("{} {} · {}", t.occupation_code, t.bank_name, level_name(t.session.level, lang)),
        room: t.session.room.clone(),
        when,
        duration: t.duration_minutes,
        institution: t.institution,
        rules,
        tickets: t
            .tickets
            .into_iter()
            .map(|x| TicketView {
                candidate_id: x.candidate_id,
                photo: x.has_photo.then(|| format!("/api/v1/sessions/{id}/candidates/{}/roster-photo", x.candidate_id)),
                ticket: x.ticket,
                name: x.name,
                id_masked: x.id_masked,
            })
            .collect(),
        session_id: id,
    };
    ctx.respond(&page)
}

fn level_name(level: u8, lang: crate::http::i18n::Lang) -> String {
    let en = ["", "Level 1 (senior technician)", "Level 2 (technician)", "Level 3 (senior worker)", "Level 4 (intermediate worker)", "Level 5 (junior worker)"];
    match question_bank::level::Level::new(level) {
        Ok(l) => lang.pick(l.name_zh(), en[usize::from(level)]).to_string(),
        Err(_) => level.to_string(),
    }
}

#[derive(Template)]
#[template(path = "session_edit.html")]
struct EditSessionPage {
    f: super::layout::Frame,
    id: i64,
    batch: String,
    name: String,
    room: String,
    cancelled: bool,
    started: bool,
    starts_at_ms: i64,
    duration: i64,
    late: i64,
    earliest: i64,
    pass_mark: i64,
    min_duration: i64,
    max_duration: i64,
    candidates: usize,
    per_proctor: i64,
    min_proctors: i64,
    /// Proctor accounts of the institution: id, label, proctors this session, marks it.
    staff: Vec<(i64, String, bool, bool)>,
}

/// A session's names changed; before it starts, its time, rules and staff changed, or the
/// session cancelled.
pub async fn edit_session(State(state): State<AppState>, ctx: PageCtx, user: CurrentUser, Path(id): Path<i64>) -> Response {
    let lang = ctx.lang;
    let s = match exam_application::exams::session_changes::own_session(&state.db, &user, id).await {
        Ok(s) => s,
        Err(e) => return ctx.error(e),
    };
    let (proctors, markers) = match exam_application::exams::session_changes::staff(&state.db, &user, id).await {
        Ok(s) => s,
        Err(e) => return ctx.error(e),
    };
    let accounts = match exam_application::accounts::managed::list(&state, &user).await {
        Ok(a) => a,
        Err(e) => return ctx.error(e),
    };
    let candidates = match tickets::for_session(&state, &user, id).await {
        Ok(t) => t.tickets.len(),
        Err(e) => return ctx.error(e),
    };
    let rules = &state.settings.rules;
    let page = EditSessionPage {
        f: ctx
            .frame(format!("{} · {}", s.name, lang.pick("修改或取消", "change or cancel")))
            .scripts(&["console.js"])
            .crumb("/sessions", lang.pick("考试场次", "Sessions")),
        id,
        batch: s.batch.clone(),
        name: s.name.clone(),
        room: s.room.clone(),
        cancelled: s.cancelled_at_ms.is_some(),
        started: state.clock.now_ms() >= s.starts_at_ms,
        starts_at_ms: s.starts_at_ms,
        duration: s.duration_secs / 60,
        late: s.late_entry_secs / 60,
        earliest: s.earliest_hand_in_secs / 60,
        pass_mark: s.pass_mark,
        min_duration: rules.min_duration_minutes,
        max_duration: rules.max_duration_minutes,
        candidates,
        per_proctor: rules.candidates_per_proctor,
        min_proctors: rules.min_proctors,
        staff: accounts
            .iter()
            .filter(|a| a.role == Role::Proctor)
            .map(|a| (a.id, format!("{}（{}）", a.display_name, a.username), proctors.contains(&a.id), markers.contains(&a.id)))
            .collect(),
    };
    ctx.respond(&page)
}
