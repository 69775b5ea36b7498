//! Exam-room pages for proctors and institution admins: the sessions they may watch, and one
//! room live (candidates, progress, time left, integrity events, actions, the score summary).
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use exam_protocol::Role;

use super::bank_pages::page_error;
use askama::Template;

use super::layout::{Frame, LangQuery, page_lang, respond};
use crate::http::AppState;
use crate::http::access::CurrentUser;
use exam_application::exams::{proctor, sessions};

pub async fn list(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<LangQuery>, user: CurrentUser) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    let rows = sessions::visible(&state.db, &user).await;
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return page_error(lang, e),
    };
    let page = SessionsPage {
        f: Frame::new(lang, lang.pick("考试场次", "Exam sessions")).scripts(&["proctor.js"]),
        sessions: rows.iter().map(sessions::view).collect(),
    };
    respond(&page, cookie)
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    f: Frame,
    sessions: Vec<exam_protocol::SessionView>,
}

#[derive(Template)]
#[template(path = "room.html")]
struct RoomPage {
    f: Frame,
    id: i64,
    name: String,
    room: String,
    can_act: bool,
    pass_mark: i64,
}

pub async fn room(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Query(q): Query<LangQuery>, user: CurrentUser) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    let s = match proctor::session_for(&state, &user, id, false).await {
        Ok(s) => s,
        Err(e) => return page_error(lang, e),
    };
    let can_act = user.role() == Role::Proctor;
    let page = RoomPage {
        f: Frame::new(lang, s.name.clone()).scripts(&["proctor.js", "proctor_media.js"]),
        id,
        name: s.name.clone(),
        room: s.room.clone(),
        can_act,
        pass_mark: s.pass_mark,
    };
    respond(&page, cookie)
}
