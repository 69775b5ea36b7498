//! Accounts: who can sign in, with which role, in which institution.
use exam_protocol::{Account, Role};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{Db, StoreError, StoreResult};

/// An account as the sign-in check needs it, with its password hash and slow-down state
/// (`locked_until_ms`: no try before this instant once the wrong tries reach the threshold).
#[derive(Debug, Clone)]
pub struct Credentials {
    pub account: Account,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until_ms: i64,
}

#[derive(Debug, Clone)]
pub struct NewAccountRow<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub institution_id: Option<i64>,
    pub password_hash: &'a str,
    pub now_ms: i64,
}

/// The columns `account_from_row` reads; a macro so queries stay `&'static str`.
macro_rules! columns {
    () => {
        "id, username, display_name, role, institution_id"
    };
}

pub(crate) fn account_from_row(row: &AnyRow) -> StoreResult<Account> {
    let role: String = row.try_get("role")?;
    Ok(Account {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Database(sqlx::Error::Decode(format!("unknown role {role}").into())))?,
        institution_id: row.try_get("institution_id")?,
    })
}

pub async fn insert(conn: &mut AnyConnection, new: &NewAccountRow<'_>) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (username, display_name, role, institution_id, password_hash, created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.username)
    .bind(new.display_name)
    .bind(new.role.as_str())
    .bind(new.institution_id)
    .bind(new.password_hash)
    .bind(new.now_ms)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn credentials(db: &Db, username: &str) -> StoreResult<Option<Credentials>> {
    let row = sqlx::query(concat!("SELECT ", columns!(), ", password_hash, failed_logins, locked_until_ms FROM accounts WHERE username = $1"))
        .bind(username)
        .fetch_optional(db.reader())
        .await?;
    row.map(|r| {
        Ok(Credentials {
            account: account_from_row(&r)?,
            password_hash: r.try_get("password_hash")?,
            failed_logins: r.try_get("failed_logins")?,
            locked_until_ms: r.try_get("locked_until_ms")?,
        })
    })
    .transpose()
}

pub async fn get(db: &Db, id: i64) -> StoreResult<Option<Account>> {
    let row = sqlx::query(concat!("SELECT ", columns!(), " FROM accounts WHERE id = $1")).bind(id).fetch_optional(db.reader()).await?;
    row.as_ref().map(account_from_row).transpose()
}

/// All accounts, or those of one institution.
pub async fn list(db: &Db, institution_id: Option<i64>) -> StoreResult<Vec<Account>> {
    let rows = match institution_id {
        Some(inst) => {
            sqlx::query(concat!("SELECT ", columns!(), " FROM accounts WHERE institution_id = $1 ORDER BY id")).bind(inst).fetch_all(db.reader()).await?
        }
        None => sqlx::query(concat!("SELECT ", columns!(), " FROM accounts ORDER BY id")).fetch_all(db.reader()).await?,
    };
    rows.iter().map(account_from_row).collect()
}

pub async fn count(db: &Db) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM accounts").fetch_one(db.reader()).await?)
}

/// Takes one sign-in try before its password is hashed, counting it as wrong until a right
/// one clears the count. Below `free` wrong tries in a row any try is taken; from there on one
/// per slow-down period (`next_try_ms`, kept in `locked_until_ms`). One conditional update,
/// so parallel tries cannot all pass. The count so far, or None when the try must wait.
pub async fn take_attempt(conn: &mut AnyConnection, id: i64, free: i64, now_ms: i64, next_try_ms: i64) -> StoreResult<Option<i64>> {
    let taken: Option<i64> = sqlx::query_scalar(
        "UPDATE accounts
         SET failed_logins = failed_logins + 1,
             locked_until_ms = CASE WHEN failed_logins + 1 >= $2 THEN $4 ELSE 0 END
         WHERE id = $1 AND (failed_logins < $2 OR locked_until_ms <= $3) RETURNING failed_logins",
    )
    .bind(id)
    .bind(free)
    .bind(now_ms)
    .bind(next_try_ms)
    .fetch_optional(conn)
    .await?;
    Ok(taken)
}

/// Wrong tries in a row so far.
pub async fn failed_logins(conn: &mut AnyConnection, id: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT failed_logins FROM accounts WHERE id = $1").bind(id).fetch_one(conn).await?)
}

pub async fn clear_failed_logins(conn: &mut AnyConnection, id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE accounts SET failed_logins = 0, locked_until_ms = 0 WHERE id = $1").bind(id).execute(conn).await?;
    Ok(())
}

/// Makes these accounts (by username, and every account of `institution`) unusable: a password
/// hash no password matches, and every sign-in ended. How many accounts.
pub async fn disable_demo(conn: &mut AnyConnection, usernames: &[&str], institution: Option<i64>, now_ms: i64) -> StoreResult<u64> {
    let mut n = 0;
    for u in usernames {
        n += sqlx::query("UPDATE accounts SET password_hash = '!disabled' WHERE username = $1 AND password_hash <> '!disabled'")
            .bind(*u)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    if let Some(inst) = institution {
        n += sqlx::query("UPDATE accounts SET password_hash = '!disabled' WHERE institution_id = $1 AND password_hash <> '!disabled'")
            .bind(inst)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    sqlx::query(
        "UPDATE auth_sessions SET revoked_at_ms = $1 WHERE revoked_at_ms IS NULL AND account_id IN (SELECT id FROM accounts WHERE password_hash = '!disabled')",
    )
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(n)
}

/// The accounts of one role: id and name, by name (a regulator choosing a supervisor).
pub async fn names_of_role(db: &Db, role: Role) -> StoreResult<Vec<(i64, String)>> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, display_name FROM accounts WHERE role = $1 ORDER BY display_name").bind(role.as_str()).fetch_all(db.reader()).await?;
    Ok(rows)
}

/// Disables an account: its password can no longer match and its sign-ins end. False when it
/// was disabled already.
pub async fn disable(conn: &mut AnyConnection, id: i64, now_ms: i64) -> StoreResult<bool> {
    let n = sqlx::query("UPDATE accounts SET password_hash = '!disabled' WHERE id = $1 AND password_hash <> '!disabled'")
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    end_sign_ins(conn, id, now_ms).await?;
    Ok(n == 1)
}

/// The disabled accounts among an institution's (or all, for `None`).
pub async fn disabled_ids(db: &Db, institution_id: Option<i64>) -> StoreResult<Vec<i64>> {
    let rows: Vec<(i64,)> = match institution_id {
        Some(inst) => {
            sqlx::query_as("SELECT id FROM accounts WHERE institution_id = $1 AND password_hash = '!disabled'").bind(inst).fetch_all(db.reader()).await?
        }
        None => sqlx::query_as("SELECT id FROM accounts WHERE password_hash = '!disabled'").fetch_all(db.reader()).await?,
    };
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Sets a new password hash on an account that is not disabled, clears its slow-down and ends
/// its sign-ins. False when the account is disabled or missing.
pub async fn reset_password(conn: &mut AnyConnection, id: i64, hash: &str, now_ms: i64) -> StoreResult<bool> {
    let n = sqlx::query("UPDATE accounts SET password_hash = $1, failed_logins = 0, locked_until_ms = 0 WHERE id = $2 AND password_hash <> '!disabled'")
        .bind(hash)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    end_sign_ins(conn, id, now_ms).await?;
    Ok(n == 1)
}

/// Ends every open sign-in of an account.
async fn end_sign_ins(conn: &mut AnyConnection, id: i64, now_ms: i64) -> StoreResult<()> {
    sqlx::query("UPDATE auth_sessions SET revoked_at_ms = $1 WHERE revoked_at_ms IS NULL AND account_id = $2").bind(now_ms).bind(id).execute(conn).await?;
    Ok(())
}
