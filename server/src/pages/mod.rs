//! Server-rendered pages (no separate front-end build): sign-in and a home page per role,
//! Simplified Chinese first with an English switch, usable by keyboard and at large font sizes.
mod home;
mod layout;
mod login;

use axum::http::Method;
use axum::response::Redirect;
use axum::routing::{get, post};

use crate::http::access::{Access, CurrentUser, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::page(Method::GET, "/", Access::Public, get(root)),
        Route::page(Method::GET, "/login", Access::Public, get(login::show)),
        Route::page(Method::POST, "/login", Access::Public, post(login::submit)),
        Route::page(Method::POST, "/logout", Access::Authenticated, post(login::logout)),
        Route::page(Method::GET, "/home", Access::Authenticated, get(home::show)),
    ]
}

async fn root(user: Option<CurrentUser>) -> Redirect {
    match user {
        Some(_) => Redirect::to("/home"),
        None => Redirect::to("/login"),
    }
}
