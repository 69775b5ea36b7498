//! Who is asking: password sign-in with rate limits and slow-down, session tokens, sign-out.
//! Used alike by the JSON API (bearer token) and the pages (the same token in a cookie).
//!
//! Every limit is checked, and every try counted, before the password hash runs, so a flood
//! costs no hashing and parallel guesses get no more tries than serial ones. Nobody is locked
//! out, so whoever knows a candidate's ticket cannot keep them from their exam: wrong tries for
//! an account from one address are limited per minute for that address only, and a long run of
//! wrong tries from anywhere slows the account to one try per `slow_down_secs` until a right
//! one, or the room's proctor, clears it.

pub mod password;
pub mod rate_limit;
pub mod token;

use std::net::IpAddr;

use exam_protocol::{Account, Role};

use crate::App;
use exam_records::audit::{self, Actor, Entry};
use exam_records::{StoreError, accounts, sessions};

/// Why a sign-in was refused. Each maps to one stable error code.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many wrong tries for this account: the next one is allowed after a pause.
    #[error("sign-in slowed down")]
    SlowedDown,
    /// Too many attempts from this address or for this name.
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

/// The staff sign-in. Candidates sign in only through the exam sign-in (ticket, ID number and
/// password together, in their session's window, seen by the room): here they are refused as if
/// the password were wrong.
pub async fn login(state: &App, username: &str, password: &str, ip: IpAddr) -> Result<SignedIn, AuthError> {
    let account = verify(state, username, password, ip, |a| a.role != Role::Candidate).await?;
    open_session(state, account).await
}

/// Checks a name and password (and `accept`, which must hold too), spending one hash whatever
/// the outcome. Every failure reads the same: an unknown name, a wrong password and a refused
/// `accept` are all `InvalidCredentials`.
pub async fn verify(state: &App, username: &str, password: &str, ip: IpAddr, accept: impl FnOnce(&Account) -> bool) -> Result<Account, AuthError> {
    let now = state.clock.now_ms();
    let cfg = &state.settings.auth;
    let limiter = &state.limiter;
    // Failures from an address are checked first and counted only after the hash: a test
    // centre's hall signs in from one address, and its good sign-ins must not be held up.
    let failures_key = format!("fail:{ip}");
    if limiter.count(&failures_key, now).await >= cfg.login_failures_per_minute
        || !limiter.hit(&format!("addr:{ip}"), cfg.login_attempts_per_minute, now).await
        || !limiter.hit(&format!("name:{}", username.trim()), cfg.account_attempts_per_minute, now).await
    {
        return Err(AuthError::RateLimited);
    }
    let creds = accounts::credentials(&state.db, username.trim()).await?;
    let Some(creds) = creds else {
        // Spend the same time as a real check so unknown names are not told apart by timing.
        password::verify_async(password.to_string(), None).await;
        limiter.hit(&failures_key, u32::MAX, now).await;
        return Err(AuthError::InvalidCredentials);
    };
    let account = creds.account;
    // Wrong tries for one account from one address: a few, then none until the window passes
    // (or a right one clears them). Someone guessing elsewhere does not slow this address.
    let tries_key = format!("tries:{}:{ip}", account.id);
    if !limiter.hit(&tries_key, cfg.max_failed_logins, now).await {
        return Err(AuthError::SlowedDown);
    }
    // Wrong tries in a row from anywhere: past `max_failed_logins_total` one try per
    // `slow_down_secs`, so guessing from many addresses stays slow too.
    let slow_until = now + cfg.slow_down_secs * 1000;
    let mut conn = state.db.writer().acquire().await.map_err(StoreError::from)?;
    if accounts::take_attempt(&mut conn, account.id, cfg.max_failed_logins_total, now, slow_until).await?.is_none() {
        return Err(AuthError::SlowedDown);
    }
    drop(conn);
    let ok = password::verify_async(password.to_string(), Some(creds.password_hash)).await && accept(&account);
    let actor = Actor { id: Some(account.id), role: Some(account.role.as_str()) };
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    if !ok {
        limiter.hit(&failures_key, u32::MAX, now).await;
        let failed = accounts::failed_logins(&mut tx, account.id).await?;
        audit::append(
            &mut tx,
            state.db.backend,
            &Entry {
                actor,
                action: if failed >= cfg.max_failed_logins_total { "auth.slowed_down" } else { "auth.login_failed" },
                target: format!("account:{}", account.id),
                detail: format!("{{\"failed_logins\":{failed}}}"),
                at_ms: now,
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        return Err(AuthError::InvalidCredentials);
    }
    accounts::clear_failed_logins(&mut tx, account.id).await?;
    tx.commit().await.map_err(StoreError::from)?;
    limiter.reset(&tries_key).await;
    Ok(account)
}

/// Issues a session token for an account whose credentials were checked; audited.
pub async fn open_session(state: &App, account: Account) -> Result<SignedIn, AuthError> {
    let now = state.clock.now_ms();
    let token = token::generate();
    let expires_at_ms = now + state.settings.auth.session_ttl_secs * 1000;
    let mut tx = state.db.writer().begin().await.map_err(StoreError::from)?;
    sessions::insert(&mut tx, &token::hash(&token), account.id, now, expires_at_ms).await?;
    audit::append(
        &mut tx,
        state.db.backend,
        &Entry {
            actor: Actor { id: Some(account.id), role: Some(account.role.as_str()) },
            action: "auth.login",
            target: format!("account:{}", account.id),
            detail: "{}".into(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(SignedIn { token, expires_at_ms, account })
}

/// Ends the session the token belongs to; audited when it was live. Its open exam sockets
/// close, on whichever process holds them.
pub async fn logout(state: &App, account: &Account, token_hash: &str) -> Result<(), StoreError> {
    let now = state.clock.now_ms();
    let mut tx = state.db.writer().begin().await?;
    if sessions::revoke(&mut tx, token_hash, now).await? {
        audit::append(
            &mut tx,
            state.db.backend,
            &Entry {
                actor: Actor { id: Some(account.id), role: Some(account.role.as_str()) },
                action: "auth.logout",
                target: format!("account:{}", account.id),
                detail: "{}".into(),
                at_ms: now,
            },
        )
        .await?;
    }
    tx.commit().await?;
    state.events.publish(crate::events::Event::SignedOut { account_id: account.id, token_hash: Some(token_hash.to_string()) });
    Ok(())
}
