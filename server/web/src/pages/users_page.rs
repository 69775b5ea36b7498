//! The staff page: an institution admin's proctors and candidates, or every account for an
//! operator, and a form to add one within what the role may create.
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use exam_protocol::Role;

use super::layout::{Frame, PageCtx, role_name};
use crate::http::AppState;
use crate::http::access::CurrentUser;
use exam_application::{accounts::managed, institutions};

struct UserRow {
    id: i64,
    disabled: bool,
    can_disable: bool,
    name: String,
    username: String,
    role: &'static str,
    institution: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    f: Frame,
    users: Vec<UserRow>,
    show_institution: bool,
    roles: Vec<(&'static str, &'static str)>,
    institutions: Vec<(i64, String)>,
    institution_id: String,
}

pub async fn show(State(state): State<AppState>, ctx: PageCtx, user: CurrentUser) -> Response {
    let lang = ctx.lang;
    let accounts = match managed::list(&state, &user).await {
        Ok(a) => a,
        Err(e) => return ctx.error(e),
    };
    let operator = user.role() == Role::Operator;
    let disabled = managed::disabled(&state, &user).await.unwrap_or_default();
    let insts = if operator { institutions::visible(&state, &user).await.unwrap_or_default() } else { Vec::new() };
    let inst_name = |id: Option<i64>| id.and_then(|id| insts.iter().find(|i| i.id == id)).map(|i| i.name.clone()).unwrap_or_default();
    let roles: Vec<Role> = if operator { Role::ALL.to_vec() } else { managed::ASSIGNABLE_IN_INSTITUTION.to_vec() };
    let page = UsersPage {
        f: ctx.frame(lang.pick("人员与账号", "Staff and accounts")).scripts(&["users.js"]),
        users: accounts
            .iter()
            .map(|a| UserRow {
                id: a.id,
                disabled: disabled.contains(&a.id),
                can_disable: a.id != user.account.id && (operator || managed::ASSIGNABLE_IN_INSTITUTION.contains(&a.role)),
                name: a.display_name.clone(),
                username: a.username.clone(),
                role: role_name(a.role, lang),
                institution: inst_name(a.institution_id),
            })
            .collect(),
        show_institution: operator,
        roles: roles.into_iter().map(|r| (r.as_str(), role_name(r, lang))).collect(),
        institutions: insts.iter().map(|i| (i.id, format!("{} {}", i.filing_number, i.name))).collect(),
        institution_id: user.account.institution_id.map(|i| i.to_string()).unwrap_or_default(),
    };
    ctx.respond(&page)
}
