//! Evaluation institutions and their filing numbers.
use exam_protocol::{Institution, InstitutionKind};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{Db, StoreError, StoreResult};

fn from_row(row: &AnyRow) -> StoreResult<Institution> {
    let kind: String = row.try_get("kind")?;
    Ok(Institution {
        id: row.try_get("id")?,
        filing_number: row.try_get("filing_number")?,
        name: row.try_get("name")?,
        kind: InstitutionKind::parse(&kind).ok_or_else(|| StoreError::Database(sqlx::Error::Decode(format!("unknown kind {kind}").into())))?,
    })
}

pub async fn insert(conn: &mut AnyConnection, filing_number: &str, name: &str, kind: InstitutionKind, now_ms: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("INSERT INTO institutions (filing_number, name, kind, created_at_ms) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(filing_number)
        .bind(name)
        .bind(kind.as_str())
        .bind(now_ms)
        .fetch_one(conn)
        .await?)
}

pub async fn get(db: &Db, id: i64) -> StoreResult<Option<Institution>> {
    let row = sqlx::query("SELECT id, filing_number, name, kind FROM institutions WHERE id = $1").bind(id).fetch_optional(db.reader()).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn list(db: &Db) -> StoreResult<Vec<Institution>> {
    let rows = sqlx::query("SELECT id, filing_number, name, kind FROM institutions ORDER BY id").fetch_all(db.reader()).await?;
    rows.iter().map(from_row).collect()
}

/// Assigns a supervisor to inspect an institution (again: nothing changes).
pub async fn add_inspection(conn: &mut sqlx::AnyConnection, supervisor_id: i64, institution_id: i64, by: i64, now_ms: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO inspections (supervisor_id, institution_id, assigned_by, assigned_at_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (supervisor_id, institution_id) DO NOTHING",
    )
    .bind(supervisor_id)
    .bind(institution_id)
    .bind(by)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn inspects(db: &Db, supervisor_id: i64, institution_id: i64) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inspections WHERE supervisor_id = $1 AND institution_id = $2")
        .bind(supervisor_id)
        .bind(institution_id)
        .fetch_one(db.reader())
        .await?;
    Ok(n > 0)
}

/// The supervisors assigned to inspect an institution: id and name, by name.
pub async fn inspectors(db: &Db, institution_id: i64) -> StoreResult<Vec<(i64, String)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT a.id, a.display_name FROM inspections i JOIN accounts a ON a.id = i.supervisor_id WHERE i.institution_id = $1 ORDER BY a.display_name",
    )
    .bind(institution_id)
    .fetch_all(db.reader())
    .await?;
    Ok(rows)
}
