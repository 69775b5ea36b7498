//! Who is asking: password sign-in with lock-out and rate limit, session tokens, sign-out.
//! Used alike by the JSON API (bearer token) and the pages (the same token in a cookie).

pub mod password;
pub mod rate_limit;
pub mod token;

use std::net::IpAddr;

use exam_protocol::Account;

use crate::clock::now_ms;
use crate::http::AppState;
use crate::store::audit::{self, Actor, Entry};
use crate::store::{StoreError, accounts, sessions};

/// Why a sign-in was refused. Each maps to one stable error code.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("account locked")]
    Locked,
    #[error("too many attempts")]
    RateLimited,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub expires_at_ms: i64,
    pub account: Account,
}

pub async fn login(state: &AppState, username: &str, password: &str, ip: IpAddr) -> Result<SignedIn, AuthError> {
    let now = now_ms();
    if !state.login_limiter.allow(ip, now) {
        return Err(AuthError::RateLimited);
    }
    let cfg = &state.settings.auth;
    let creds = accounts::credentials(&state.db, username).await?;
    let Some(creds) = creds else {
        // Spend the same time as a real check so unknown names are not told apart by timing.
        password::verify_async(password.to_string(), None).await;
        return Err(AuthError::InvalidCredentials);
    };
    if creds.locked_until_ms > now {
        return Err(AuthError::Locked);
    }
    let ok = password::verify_async(password.to_string(), Some(creds.password_hash.clone())).await;
    let account = creds.account;
    let actor = Actor { id: Some(account.id), role: Some(account.role.as_str()) };
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    if !ok {
        let failed =
            accounts::record_failed_login(&mut tx, account.id, cfg.max_failed_logins, now + cfg.lockout_secs * 1000)
                .await?;
        let locked = failed >= cfg.max_failed_logins;
        audit::append(&mut tx, state.db.backend, &Entry {
            actor,
            action: if locked { "auth.locked" } else { "auth.login_failed" },
            target: format!("account:{}", account.id),
            detail: format!("{{\"failed_logins\":{failed}}}"),
            at_ms: now,
        })
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        return Err(AuthError::InvalidCredentials);
    }
    let token = token::generate();
    let expires_at_ms = now + cfg.session_ttl_secs * 1000;
    if creds.failed_logins > 0 {
        accounts::clear_failed_logins(&mut tx, account.id).await?;
    }
    sessions::insert(&mut tx, &token::hash(&token), account.id, now, expires_at_ms).await?;
    audit::append(&mut tx, state.db.backend, &Entry {
        actor,
        action: "auth.login",
        target: format!("account:{}", account.id),
        detail: "{}".into(),
        at_ms: now,
    })
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(SignedIn { token, expires_at_ms, account })
}

/// Ends the session the token belongs to; audited when it was live.
pub async fn logout(state: &AppState, account: &Account, token_hash: &str) -> Result<(), StoreError> {
    let now = now_ms();
    let mut tx = state.db.writer().begin().await?;
    if sessions::revoke(&mut tx, token_hash, now).await? {
        audit::append(&mut tx, state.db.backend, &Entry {
            actor: Actor { id: Some(account.id), role: Some(account.role.as_str()) },
            action: "auth.logout",
            target: format!("account:{}", account.id),
            detail: "{}".into(),
            at_ms: now,
        })
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
