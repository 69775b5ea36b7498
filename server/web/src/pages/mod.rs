//! Server-rendered pages (no separate front-end build): sign-in and a home page per role,
//! Simplified Chinese first with an English switch, usable by keyboard and at large font sizes.
mod bank_pages;
mod console_pages;
mod exam_page;
mod files_page;
mod home;
mod item_pages;
pub mod item_view;
pub mod layout;
mod login;
mod marking_page;
mod oversight_pages;
mod playback_page;
mod session_pages;
pub mod static_files;
mod users_page;
mod work_pages;

use axum::http::Method;
use axum::response::Redirect;
use axum::routing::{get, post};

use exam_protocol::Role::{self, *};

use crate::http::access::{Access, CurrentUser, Route};

const BANK_ROLES: &[Role] = &[Author, Reviewer, InstitutionAdmin, Supervisor, Regulator, Operator];

pub fn routes() -> Vec<Route> {
    vec![
        Route::page(Method::GET, "/", Access::Public, get(root)),
        Route::page(Method::GET, "/login", Access::Public, get(login::show)),
        Route::page(Method::POST, "/login", Access::Public, post(login::submit)),
        Route::page(Method::POST, "/logout", Access::Authenticated, post(login::logout)),
        Route::page(Method::GET, "/home", Access::Authenticated, get(home::show)),
        Route::page(Method::GET, "/static/{file}", Access::Public, get(static_files::serve)),
        Route::page(Method::GET, "/favicon.ico", Access::Public, get(static_files::favicon)),
        Route::page(Method::GET, "/exam", Access::Public, get(exam_page::show)),
        Route::page(Method::GET, "/sessions", Access::Roles(&[Proctor, InstitutionAdmin, Supervisor, Regulator]), get(session_pages::list)),
        Route::page(Method::GET, "/sessions/{id}", Access::Roles(&[Proctor, InstitutionAdmin, Supervisor]), get(session_pages::room)),
        Route::page(Method::GET, "/sessions/new", Access::Roles(&[InstitutionAdmin]), get(console_pages::new_session)),
        Route::page(Method::GET, "/sessions/roster-template.csv", Access::Roles(&[InstitutionAdmin]), get(console_pages::roster_template)),
        Route::page(Method::GET, "/sessions/{id}/edit", Access::Roles(&[InstitutionAdmin]), get(console_pages::edit_session)),
        Route::page(Method::GET, "/sessions/{id}/tickets", Access::Roles(&[InstitutionAdmin]), get(console_pages::tickets)),
        Route::page(Method::GET, "/users", Access::Roles(&[Operator, InstitutionAdmin]), get(users_page::show)),
        Route::page(Method::GET, "/sessions/{id}/files", Access::Roles(&[InstitutionAdmin, Supervisor, Regulator]), get(files_page::show)),
        Route::page(Method::GET, "/playback/{id}", Access::Roles(&[InstitutionAdmin, Supervisor, Regulator]), get(playback_page::show)),
        Route::page(Method::GET, "/audit", Access::Roles(&[Regulator, Supervisor, Operator]), get(oversight_pages::audit_trail)),
        Route::page(Method::GET, "/institutions", Access::Roles(&[Regulator, Supervisor, Operator]), get(oversight_pages::institutions)),
        Route::page(Method::GET, "/marking", Access::Roles(&[Proctor]), get(marking_page::show)),
        Route::page(Method::GET, "/banks", Access::Roles(BANK_ROLES), get(bank_pages::list)),
        Route::page(Method::GET, "/banks/{id}", Access::Roles(BANK_ROLES), get(bank_pages::show)),
        Route::page(Method::GET, "/banks/{id}/import", Access::Roles(&[Author]), get(work_pages::import)),
        Route::page(Method::GET, "/banks/{id}/items/new", Access::Roles(&[Author]), get(item_pages::new_item)),
        Route::page(Method::GET, "/banks/{id}/outline", Access::Roles(BANK_ROLES), get(work_pages::outline)),
        Route::page(Method::GET, "/banks/{id}/blueprints/{level}", Access::Roles(BANK_ROLES), get(work_pages::blueprint)),
        Route::page(Method::GET, "/import/check", Access::Roles(BANK_ROLES), get(work_pages::check)),
        Route::page(Method::GET, "/items/{id}", Access::Roles(&[Author, Reviewer, Regulator]), get(item_pages::show)),
        Route::page(Method::GET, "/items/{id}/edit", Access::Roles(&[Author]), get(item_pages::edit_item)),
        Route::page(Method::GET, "/items/{id}/files/{*path}", Access::Roles(&[Author, Reviewer, Regulator]), get(item_pages::file)),
        Route::page(Method::GET, "/review", Access::Roles(&[Reviewer]), get(work_pages::review_queue)),
    ]
}

async fn root(user: Option<CurrentUser>) -> Redirect {
    match user {
        Some(_) => Redirect::to("/home"),
        None => Redirect::to("/login"),
    }
}
