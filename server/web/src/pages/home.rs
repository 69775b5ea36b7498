//! The home page: who is signed in, and their role's work for today: sessions running and
//! coming, queues with their counts, and where each piece of work is done.
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use exam_protocol::Role;

use super::layout::{Frame, PageCtx, china_time, role_name};
use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::i18n::Lang;
use exam_application::banks::{items as bank_items, scope};
use exam_application::exams::sessions;
use exam_application::{accounts::managed, institutions};

/// A count of waiting work, with where it is done.
struct Stat {
    count: usize,
    label: &'static str,
    href: &'static str,
}

struct SessionLine {
    id: i64,
    name: String,
    room: String,
    when: String,
    running: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    f: Frame,
    role_code: &'static str,
    role: &'static str,
    name: &'a str,
    institution: Option<String>,
    stats: Vec<Stat>,
    sessions: Vec<SessionLine>,
    show_sessions: bool,
    links: Vec<(&'static str, &'static str)>,
    /// The operator's view of the archive and the evidence log.
    archive: Option<ArchiveCard>,
}

struct ArchiveCard {
    backend: &'static str,
    /// `None` until the canary has run.
    refuses_delete: Option<bool>,
    refuses_shortening: Option<bool>,
    backlog: i64,
    last_error: Option<String>,
    log_key: String,
}

pub async fn show(State(state): State<AppState>, ctx: PageCtx, user: CurrentUser) -> Response {
    let lang = ctx.lang;
    let a = &user.account;
    let institution = match a.institution_id {
        Some(id) => institutions::get(&state, &user, id).await.ok().map(|i| i.name),
        None => None,
    };
    let now = state.clock.now_ms();
    let show_sessions = matches!(a.role, Role::Proctor | Role::InstitutionAdmin);
    let mut lines = Vec::new();
    if show_sessions {
        for s in sessions::visible(&state.db, &user).await.unwrap_or_default() {
            let v = sessions::view(&s);
            // Today's work: what is running and what has not ended yet.
            if v.deadline_ms + 3_600_000 >= now && !v.cancelled {
                lines.push(SessionLine { id: v.id, name: v.name, room: v.room, when: china_time(v.starts_at_ms), running: v.starts_at_ms <= now });
            }
        }
        lines.sort_by(|x, y| y.running.cmp(&x.running).then(x.when.cmp(&y.when)));
    }
    let mut stats = Vec::new();
    let mut stat = |count: usize, zh: &'static str, en: &'static str, href: &'static str| stats.push(Stat { count, label: lang.pick(zh, en), href });
    match a.role {
        Role::Proctor | Role::InstitutionAdmin => {
            stat(lines.iter().filter(|l| l.running).count(), "进行中的场次", "Sessions running", "/sessions");
            stat(lines.iter().filter(|l| !l.running).count(), "即将开始的场次", "Sessions coming", "/sessions");
            if a.role == Role::InstitutionAdmin {
                stat(
                    managed::list(&state, &user).await.map(|v| v.iter().filter(|x| x.role == Role::Proctor).count()).unwrap_or(0),
                    "监考人员",
                    "Proctors",
                    "/users",
                );
            }
        }
        Role::Reviewer => stat(bank_items::review_queue(&state, &user, 1000).await.map(|q| q.len()).unwrap_or(0), "待审试题", "Items to review", "/review"),
        Role::Author => stat(scope::visible(&state.db, &user).await.map(|b| b.len()).unwrap_or(0), "我的题库", "My banks", "/banks"),
        Role::Regulator | Role::Supervisor => {
            stat(institutions::visible(&state, &user).await.map(|v| v.len()).unwrap_or(0), "评价机构", "Institutions", "/institutions")
        }
        Role::Operator => {
            stat(managed::list(&state, &user).await.map(|v| v.len()).unwrap_or(0), "账号", "Accounts", "/users");
            stat(institutions::visible(&state, &user).await.map(|v| v.len()).unwrap_or(0), "评价机构", "Institutions", "/institutions");
        }
        Role::Candidate => {}
    }
    let archive = if a.role == Role::Operator {
        let st = state.archive.status(&state.db).await;
        Some(ArchiveCard {
            backend: st.backend,
            refuses_delete: st.enforcement.map(|e| e.refuses_early_delete),
            refuses_shortening: st.enforcement.map(|e| e.refuses_shortening),
            backlog: st.backlog,
            last_error: st.last_error,
            log_key: state.evidence.verifier_key(),
        })
    } else {
        None
    };
    let role = role_name(a.role, lang);
    let page = HomePage {
        f: ctx.frame(format!("{}{}", role, lang.pick("首页", " home"))),
        role_code: a.role.as_str(),
        role,
        name: &a.display_name,
        institution,
        stats,
        sessions: lines,
        show_sessions,
        links: links(a.role, lang),
        archive,
    };
    ctx.respond(&page)
}

/// The role's work, each where it is done.
fn links(role: Role, lang: Lang) -> Vec<(&'static str, &'static str)> {
    let l: &[(&str, &str, &str)] = match role {
        Role::Candidate => &[("/exam", "进入考试（设备检测、签署承诺书、答题）", "Enter the test (device check, commitment letter, answers)")],
        Role::Proctor => &[
            ("/sessions", "我的考场：实时监考、提醒、暂停、延时、终止、考场记录", "My rooms: live video, warn, pause, extend, terminate, the room record"),
            ("/marking", "主观题阅卷", "Mark short answers"),
        ],
        Role::Author => &[
            ("/banks", "题库：细目表、编写与导入试题、组卷方案", "Banks: outline, write and import items, blueprints"),
            ("/import/check", "检查题目文件", "Check an item file"),
        ],
        Role::Reviewer => &[("/review", "审题队列", "Review queue"), ("/banks", "题库与试题", "Banks and items")],
        Role::InstitutionAdmin => &[
            ("/sessions/new", "新建考试场次（导入考生名单、安排监考）", "New session (import the roster, assign proctors)"),
            ("/sessions", "考试场次、准考证与成绩汇总", "Sessions, admission tickets and score summaries"),
            ("/users", "监考人员与考生账号", "Proctors and candidate accounts"),
            ("/banks", "题库", "Question banks"),
        ],
        Role::Supervisor => &[
            ("/institutions", "评价机构", "Institutions"),
            ("/sessions", "考试场次：存档材料与录像回放", "Sessions: archived files and review playback"),
            ("/audit", "审计记录", "Audit trail"),
            ("/banks", "题库", "Question banks"),
        ],
        Role::Regulator => &[
            ("/institutions", "评价机构备案", "Institution filings"),
            ("/sessions", "考试场次：存档材料、录像回放与法律保全", "Sessions: archived files, review playback and legal holds"),
            ("/audit", "审计记录与审计链校验", "Audit trail and chain check"),
            ("/banks", "题库与导出", "Banks and export"),
        ],
        Role::Operator => &[("/users", "账号管理", "Accounts"), ("/audit", "审计链校验", "Audit chain check"), ("/institutions", "评价机构", "Institutions")],
    };
    l.iter().map(|(h, zh, en)| (*h, lang.pick(zh, en))).collect()
}
