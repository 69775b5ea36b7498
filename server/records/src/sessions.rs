//! Sign-in sessions. Only the SHA-256 of a token is stored, so a leaked table signs nobody in.
use exam_protocol::Account;
use sqlx::{AnyConnection, Row};

use super::accounts::account_from_row;
use super::{Db, StoreResult};

/// What a presented token turns out to be.
#[derive(Debug, Clone)]
pub enum Lookup {
    Valid(Account),
    Expired,
    Unknown,
}

pub async fn insert(conn: &mut AnyConnection, token_hash: &str, account_id: i64, now_ms: i64, expires_at_ms: i64) -> StoreResult<()> {
    sqlx::query("INSERT INTO auth_sessions (token_hash, account_id, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(account_id)
        .bind(now_ms)
        .bind(expires_at_ms)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn lookup(db: &Db, token_hash: &str, now_ms: i64) -> StoreResult<Lookup> {
    let row = sqlx::query(
        "SELECT a.id, a.username, a.display_name, a.role, a.institution_id, s.expires_at_ms, s.revoked_at_ms
         FROM auth_sessions s JOIN accounts a ON a.id = s.account_id
         WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db.reader())
    .await?;
    let Some(row) = row else {
        return Ok(Lookup::Unknown);
    };
    let revoked: Option<i64> = row.try_get("revoked_at_ms")?;
    if revoked.is_some() {
        return Ok(Lookup::Unknown);
    }
    let expires: i64 = row.try_get("expires_at_ms")?;
    if expires <= now_ms {
        return Ok(Lookup::Expired);
    }
    Ok(Lookup::Valid(account_from_row(&row)?))
}

pub async fn revoke(conn: &mut AnyConnection, token_hash: &str, now_ms: i64) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE auth_sessions SET revoked_at_ms = $2 WHERE token_hash = $1 AND revoked_at_ms IS NULL")
        .bind(token_hash)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Signs an account out everywhere (a candidate moved to an approved new device).
pub async fn revoke_all(conn: &mut AnyConnection, account_id: i64, now_ms: i64) -> StoreResult<u64> {
    let done = sqlx::query("UPDATE auth_sessions SET revoked_at_ms = $2 WHERE account_id = $1 AND revoked_at_ms IS NULL")
        .bind(account_id)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
