//! Numbers handed out in order and never reused: admission tickets' session numbers per
//! institution and year now, certificate serials next. Each is taken inside the caller's
//! transaction by one upsert, so two transactions never take the same number, and a number
//! taken by a transaction that rolls back is not given again either (on PostgreSQL the row lock
//! makes the second wait; on SQLite all writes go through one connection).
use sqlx::AnyConnection;

use super::StoreResult;

/// The next number (from 1) of `key` within `scope`.
pub async fn next(conn: &mut AnyConnection, scope: &str, key: &str) -> StoreResult<i64> {
    let n: i64 = sqlx::query_scalar(
        "INSERT INTO serials (scope, key, next_value) VALUES ($1, $2, 2)
         ON CONFLICT (scope, key) DO UPDATE SET next_value = serials.next_value + 1
         RETURNING next_value - 1",
    )
    .bind(scope)
    .bind(key)
    .fetch_one(conn)
    .await?;
    Ok(n)
}
