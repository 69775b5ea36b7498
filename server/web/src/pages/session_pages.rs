//! Exam-room pages for proctors and institution admins: the sessions they may watch, and one
//! room live (candidates, progress, time left, integrity events, actions, the score summary).
use axum::extract::{Path, State};
use axum::response::Response;
use exam_protocol::Role;

use askama::Template;

use super::layout::{Frame, PageCtx};
use crate::http::AppState;
use crate::http::access::CurrentUser;
use exam_application::exams::{proctor, sessions};

pub async fn list(State(state): State<AppState>, ctx: PageCtx, user: CurrentUser) -> Response {
    let lang = ctx.lang;
    let rows = sessions::visible(&state.db, &user).await;
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return ctx.error(e),
    };
    let now = state.clock.now_ms();
    // Batches (批次), in the order they first appear: sessions in all, and those not yet started.
    let mut batches: Vec<BatchRow> = Vec::new();
    for s in rows.iter().filter(|s| s.cancelled_at_ms.is_none()) {
        let i = match batches.iter().position(|b| b.name == s.batch) {
            Some(i) => i,
            None => {
                batches.push(BatchRow { name: s.batch.clone(), sessions: 0, upcoming: 0 });
                batches.len() - 1
            }
        };
        batches[i].sessions += 1;
        batches[i].upcoming += usize::from(s.starts_at_ms > now);
    }
    let is_admin = user.role() == Role::InstitutionAdmin;
    let page = SessionsPage {
        f: ctx.frame(lang.pick("考试场次", "Exam sessions")).scripts(if is_admin { &["proctor.js", "console.js"] } else { &["proctor.js"] }),
        sessions: rows.iter().map(sessions::view).collect(),
        is_admin,
        opens_room: user.role() != Role::Regulator,
        sees_files: user.role() != Role::Proctor,
        batches,
    };
    ctx.respond(&page)
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    f: Frame,
    sessions: Vec<exam_protocol::SessionView>,
    is_admin: bool,
    /// The room page is for proctors, the institution and supervisors.
    opens_room: bool,
    /// The archived files and playback are for the institution, supervisors and regulators.
    sees_files: bool,
    batches: Vec<BatchRow>,
}

struct BatchRow {
    name: String,
    sessions: usize,
    upcoming: usize,
}

#[derive(Template)]
#[template(path = "room.html")]
struct RoomPage {
    f: Frame,
    id: i64,
    name: String,
    room: String,
    can_act: bool,
    can_print_tickets: bool,
    can_see_files: bool,
    pass_mark: i64,
}

pub async fn room(State(state): State<AppState>, ctx: PageCtx, Path(id): Path<i64>, user: CurrentUser) -> Response {
    let lang = ctx.lang;
    let s = match proctor::session_for(&state, &user, id, false).await {
        Ok(s) => s,
        Err(e) => return ctx.error(e),
    };
    let can_act = user.role() == Role::Proctor;
    let page = RoomPage {
        f: ctx.frame(s.name.clone()).scripts(&["proctor.js"]).crumb("/sessions", lang.pick("考试场次", "Sessions")),
        id,
        name: s.name.clone(),
        room: s.room.clone(),
        can_act,
        can_print_tickets: user.role() == Role::InstitutionAdmin,
        can_see_files: matches!(user.role(), Role::InstitutionAdmin | Role::Supervisor),
        pass_mark: s.pass_mark,
    };
    ctx.respond(&page)
}
