//! Review playback (录像回放): one candidate's camera and screen side by side, in sync, with
//! the timeline of their record; the page's script loads the recording and events from
//! `/api/v1/playback/{id}`.
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use super::layout::{Frame, PageCtx};
use crate::http::AppState;
use crate::http::access::CurrentUser;
use exam_application::review;

#[derive(Template)]
#[template(path = "playback.html")]
struct PlaybackPage {
    f: Frame,
    id: i64,
    name: String,
    ticket: String,
    session: String,
}

pub async fn show(State(state): State<AppState>, ctx: PageCtx, user: CurrentUser, Path(id): Path<i64>) -> Response {
    let lang = ctx.lang;
    let (c, s) = match review::reviewable(&state, &user, id).await {
        Ok(x) => x,
        Err(e) => return ctx.error(e),
    };
    let page = PlaybackPage {
        f: ctx
            .frame(lang.pick("录像回放", "Review playback"))
            .scripts(&["playback.js"])
            .crumb("/sessions", lang.pick("考试场次", "Sessions"))
            .crumb(&format!("/sessions/{}/files", s.id), lang.pick("存档材料", "Archived files")),
        id: c.id,
        name: c.name,
        ticket: c.ticket,
        session: format!("{} · {}", s.name, s.room),
    };
    ctx.respond(&page)
}
