//! The JSON API under `/api/v1`, one file per concept.
mod audit;
mod auth;
mod health;
mod institutions;
mod me;
mod users;

use axum::http::Method;
use axum::routing::{get, post};
use exam_protocol::Role::{self, *};

use super::access::{Access, Route};

const OVERSIGHT: &[Role] = &[Regulator, Supervisor, Operator];

pub fn routes() -> Vec<Route> {
    vec![
        Route::api(Method::GET, "/healthz", Access::Public, get(health::healthz)),
        Route::api(Method::GET, "/readyz", Access::Public, get(health::readyz)),
        Route::api(Method::POST, "/api/v1/auth/login", Access::Public, post(auth::login)),
        Route::api(Method::POST, "/api/v1/auth/logout", Access::Authenticated, post(auth::logout)),
        Route::api(Method::GET, "/api/v1/me", Access::Authenticated, get(me::me)),
        Route::api(
            Method::GET,
            "/api/v1/institutions",
            Access::Roles(&[Regulator, Supervisor, Operator, InstitutionAdmin]),
            get(institutions::list),
        ),
        Route::api(Method::POST, "/api/v1/institutions", Access::Roles(&[Regulator, Operator]), post(institutions::create)),
        Route::api(
            Method::GET,
            "/api/v1/institutions/{id}",
            Access::Roles(&[Regulator, Supervisor, Operator, InstitutionAdmin]),
            get(institutions::get_one),
        ),
        Route::api(Method::GET, "/api/v1/users", Access::Roles(&[Operator, InstitutionAdmin]), get(users::list)),
        Route::api(Method::POST, "/api/v1/users", Access::Roles(&[Operator, InstitutionAdmin]), post(users::create)),
        Route::api(Method::GET, "/api/v1/users/{id}", Access::Roles(&[Operator, InstitutionAdmin]), get(users::get_one)),
        Route::api(Method::GET, "/api/v1/audit/events", Access::Roles(OVERSIGHT), get(audit::events)),
        Route::api(Method::GET, "/api/v1/audit/verify", Access::Roles(&[Regulator, Operator]), get(audit::verify)),
    ]
}
