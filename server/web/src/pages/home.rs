//! The home page: who is signed in, and what their role does here.
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use exam_protocol::Role;

use askama::Template;

use super::layout::{Frame, LangQuery, page_lang, respond, role_name};
use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::i18n::Lang;
use exam_application::institutions;

/// The work each role comes here for, in the order they meet it.
fn tasks(role: Role, lang: Lang) -> &'static [&'static str] {
    match (role, lang) {
        (Role::Candidate, Lang::Zh) => &["查看考试安排与准考证", "签署考试承诺书", "设备与摄像头检测", "参加理论知识考试", "查询成绩与证书"],
        (Role::Candidate, Lang::En) => {
            &["Exam schedule and admission ticket", "Sign the commitment letter", "Device and camera check", "Take the theory test", "Results and certificate"]
        }
        (Role::Proctor, Lang::Zh) => &["我的考场", "实时监考画面", "警告、暂停、延时、终止", "填写考场记录表"],
        (Role::Proctor, Lang::En) => &["My exam rooms", "Live proctoring grid", "Warn, pause, extend, terminate", "Exam-room record"],
        (Role::Author, Lang::Zh) => &["我的题库", "鉴定要素细目表", "编写与导入试题", "试题统计"],
        (Role::Author, Lang::En) => &["My question banks", "Exam outline", "Write and import items", "Item statistics"],
        (Role::Reviewer, Lang::Zh) => &["待审试题", "审题意见", "题库质量"],
        (Role::Reviewer, Lang::En) => &["Items awaiting review", "Review comments", "Bank quality"],
        (Role::InstitutionAdmin, Lang::Zh) => &["考试批次与场次", "考场与考生名单", "监考人员安排", "成绩汇总与证书", "文档导出"],
        (Role::InstitutionAdmin, Lang::En) => {
            &["Batches and sessions", "Rooms and rosters", "Proctor assignment", "Score summaries and certificates", "Exports"]
        }
        (Role::Supervisor, Lang::Zh) => &["督导任务", "远程巡查考场", "质量督导表"],
        (Role::Supervisor, Lang::En) => &["Inspection tasks", "Watch rooms remotely", "Quality supervision form"],
        (Role::Regulator, Lang::Zh) => &["评价机构备案与目录", "双随机抽查", "录像与审计记录", "统计分析"],
        (Role::Regulator, Lang::En) => &["Institution filings and directory", "Random inspections", "Recordings and audit trail", "Statistics"],
        (Role::Operator, Lang::Zh) => &["账号管理", "审计链校验", "系统状态"],
        (Role::Operator, Lang::En) => &["Accounts", "Audit chain verification", "System status"],
    }
}

pub async fn show(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<LangQuery>, user: CurrentUser) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    let a = &user.account;
    let institution = match a.institution_id {
        Some(id) => institutions::get(&state, &user, id).await.ok().map(|i| i.name),
        None => None,
    };
    let role = role_name(a.role, lang);
    let links: &[(&'static str, &'static str, &'static str)] = match a.role {
        Role::Author => &[("/banks", "我的题库", "My banks"), ("/import/check", "检查题目文件", "Check an item file")],
        Role::Reviewer => &[("/review", "审题队列", "Review queue"), ("/banks", "我的题库", "My banks")],
        Role::Proctor => &[("/sessions", "我的考场", "My exam rooms"), ("/marking", "主观题阅卷", "Mark short answers")],
        Role::InstitutionAdmin => &[("/sessions", "考试场次与成绩", "Sessions and scores"), ("/banks", "题库", "Question banks")],
        Role::Candidate => &[("/exam", "进入考试", "Enter the test")],
        Role::Regulator | Role::Supervisor | Role::Operator => &[("/banks", "题库", "Question banks")],
    };
    let page = HomePage {
        f: Frame::new(lang, format!("{}{}", role, lang.pick("首页", " home"))),
        role_code: a.role.as_str(),
        role,
        name: &a.display_name,
        institution,
        links: links.iter().map(|(href, zh, en)| (*href, lang.pick(zh, en))).collect(),
        tasks: tasks(a.role, lang),
    };
    respond(&page, cookie)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    f: Frame,
    role_code: &'static str,
    role: &'static str,
    name: &'a str,
    institution: Option<String>,
    links: Vec<(&'static str, &'static str)>,
    tasks: &'static [&'static str],
}
