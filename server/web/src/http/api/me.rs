//! `GET /api/v1/me`: the signed-in account.
use axum::Json;
use exam_protocol::Account;

use crate::http::access::CurrentUser;

pub async fn me(user: CurrentUser) -> Json<Account> {
    Json(user.actor.account)
}
