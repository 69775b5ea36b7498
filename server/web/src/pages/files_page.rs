//! A session's archived files: scans uploaded by its institution, downloads for those who may
//! see the session, legal holds for regulators.
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use exam_protocol::Role;

use super::layout::{Frame, PageCtx};
use crate::http::AppState;
use crate::http::access::CurrentUser;
use exam_application::archive::{Class, files};
use exam_application::review;

struct FileRow {
    id: i64,
    name: String,
    class: &'static str,
    size: String,
    sha256: String,
    sha_short: String,
    archived: bool,
    held: bool,
    until_ms: i64,
}

#[derive(Template)]
#[template(path = "files.html")]
struct FilesPage {
    f: Frame,
    id: i64,
    files: Vec<FileRow>,
    can_upload: bool,
    can_hold: bool,
    /// The session's candidates, for review playback: id, name, ticket.
    candidates: Vec<(i64, String, String)>,
}

pub async fn show(State(state): State<AppState>, ctx: PageCtx, user: CurrentUser, Path(id): Path<i64>) -> Response {
    let lang = ctx.lang;
    let list = match files::of_session(&state, &user, id).await {
        Ok(l) => l,
        Err(e) => return ctx.error(e),
    };
    let candidates = match review::playback::candidates_of_session(&state, &user, id).await {
        Ok(c) => c,
        Err(e) => return ctx.error(e),
    };
    let rows = list
        .into_iter()
        .filter(|o| o.deleted_at_ms.is_none())
        .map(|o| FileRow {
            id: o.id,
            class: Class::parse(&o.class).map(|c| lang.pick(c.name_zh(), c.name_en())).unwrap_or("—"),
            size: match o.size {
                n if n >= 1024 * 1024 => format!("{:.1} MB", n as f64 / 1_048_576.0),
                n if n >= 1024 => format!("{:.1} KB", n as f64 / 1024.0),
                n => format!("{n} B"),
            },
            sha_short: o.sha256.chars().take(16).collect(),
            sha256: o.sha256,
            archived: o.archived_at_ms.is_some(),
            held: o.legal_hold,
            until_ms: o.retain_until_ms,
            name: o.name,
        })
        .collect();
    let page = FilesPage {
        f: ctx
            .frame(lang.pick("存档材料", "Archived files"))
            .scripts(&["files.js"])
            .crumb("/sessions", lang.pick("考试场次", "Sessions"))
            .crumb(&format!("/sessions/{id}"), lang.pick("考场", "Room")),
        id,
        files: rows,
        can_upload: user.role() == Role::InstitutionAdmin,
        can_hold: user.role() == Role::Regulator,
        candidates,
    };
    ctx.respond(&page)
}
