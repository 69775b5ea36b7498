//! Banks, their members, and the versioned outline and blueprint documents.
use exam_protocol::{Bank, MemberRole, Outline, OutlineVersion};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{Db, StoreError, StoreResult};

macro_rules! bank_columns {
    () => {
        "id, institution_id, occupation_code, work_type, name, levels"
    };
}

fn bank_from_row(r: &AnyRow) -> StoreResult<Bank> {
    let levels: String = r.try_get("levels")?;
    Ok(Bank {
        id: r.try_get("id")?,
        institution_id: r.try_get("institution_id")?,
        occupation_code: r.try_get("occupation_code")?,
        work_type: r.try_get("work_type")?,
        name: r.try_get("name")?,
        levels: levels.split(',').filter_map(|l| l.parse().ok()).collect(),
    })
}

pub async fn insert(conn: &mut AnyConnection, bank: &Bank, created_by: i64, now_ms: i64) -> StoreResult<i64> {
    let levels: Vec<String> = bank.levels.iter().map(u8::to_string).collect();
    Ok(sqlx::query_scalar(
        "INSERT INTO banks (institution_id, occupation_code, work_type, name, levels, created_by, created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(bank.institution_id)
    .bind(&bank.occupation_code)
    .bind(&bank.work_type)
    .bind(&bank.name)
    .bind(levels.join(","))
    .bind(created_by)
    .bind(now_ms)
    .fetch_one(conn)
    .await?)
}

pub async fn get(db: &Db, id: i64) -> StoreResult<Option<Bank>> {
    let row = sqlx::query(concat!("SELECT ", bank_columns!(), " FROM banks WHERE id = $1")).bind(id).fetch_optional(db.reader()).await?;
    row.as_ref().map(bank_from_row).transpose()
}

pub async fn list_all(db: &Db) -> StoreResult<Vec<Bank>> {
    let rows = sqlx::query(concat!("SELECT ", bank_columns!(), " FROM banks ORDER BY id")).fetch_all(db.reader()).await?;
    rows.iter().map(bank_from_row).collect()
}

pub async fn list_for_institution(db: &Db, institution_id: i64) -> StoreResult<Vec<Bank>> {
    let rows = sqlx::query(concat!("SELECT ", bank_columns!(), " FROM banks WHERE institution_id = $1 ORDER BY id"))
        .bind(institution_id)
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(bank_from_row).collect()
}

pub async fn list_for_member(db: &Db, account_id: i64) -> StoreResult<Vec<Bank>> {
    let rows = sqlx::query(
        "SELECT b.id, b.institution_id, b.occupation_code, b.work_type, b.name, b.levels
         FROM banks b JOIN bank_members m ON m.bank_id = b.id WHERE m.account_id = $1 ORDER BY b.id",
    )
    .bind(account_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(bank_from_row).collect()
}

pub async fn member_role(db: &Db, bank_id: i64, account_id: i64) -> StoreResult<Option<MemberRole>> {
    let role: Option<String> = sqlx::query_scalar("SELECT member_role FROM bank_members WHERE bank_id = $1 AND account_id = $2")
        .bind(bank_id)
        .bind(account_id)
        .fetch_optional(db.reader())
        .await?;
    Ok(role.as_deref().and_then(MemberRole::parse))
}

pub async fn add_member(conn: &mut AnyConnection, bank_id: i64, account_id: i64, role: MemberRole, now_ms: i64) -> StoreResult<()> {
    sqlx::query("INSERT INTO bank_members (bank_id, account_id, member_role, added_at_ms) VALUES ($1, $2, $3, $4)")
        .bind(bank_id)
        .bind(account_id)
        .bind(role.as_str())
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// The bank's current outline with its version; version 0 and an empty outline before the
/// first is saved.
pub async fn current_outline(db: &Db, bank_id: i64) -> StoreResult<OutlineVersion> {
    let row = sqlx::query("SELECT version, doc FROM bank_outlines WHERE bank_id = $1 ORDER BY version DESC LIMIT 1")
        .bind(bank_id)
        .fetch_optional(db.reader())
        .await?;
    let Some(r) = row else {
        return Ok(OutlineVersion { version: 0, outline: Outline::default() });
    };
    let doc: String = r.try_get("doc")?;
    let outline = serde_json::from_str(&doc).map_err(|e| StoreError::Database(sqlx::Error::Decode(format!("outline of bank {bank_id}: {e}").into())))?;
    Ok(OutlineVersion { version: r.try_get("version")?, outline })
}

pub async fn insert_outline(conn: &mut AnyConnection, bank_id: i64, doc: &str, by: i64, now_ms: i64) -> StoreResult<i64> {
    let version: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM bank_outlines WHERE bank_id = $1").bind(bank_id).fetch_one(&mut *conn).await?;
    sqlx::query("INSERT INTO bank_outlines (bank_id, version, doc, created_by, created_at_ms) VALUES ($1, $2, $3, $4, $5)")
        .bind(bank_id)
        .bind(version)
        .bind(doc)
        .bind(by)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(version)
}

pub async fn latest_blueprint(db: &Db, bank_id: i64, level: i64) -> StoreResult<Option<(i64, String)>> {
    let row = sqlx::query("SELECT version, doc FROM blueprints WHERE bank_id = $1 AND level = $2 ORDER BY version DESC LIMIT 1")
        .bind(bank_id)
        .bind(level)
        .fetch_optional(db.reader())
        .await?;
    row.map(|r| Ok((r.try_get("version")?, r.try_get("doc")?))).transpose()
}

pub async fn insert_blueprint(conn: &mut AnyConnection, bank_id: i64, level: i64, doc: &str, by: i64, now_ms: i64) -> StoreResult<i64> {
    let version: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM blueprints WHERE bank_id = $1 AND level = $2")
        .bind(bank_id)
        .bind(level)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO blueprints (bank_id, level, version, doc, created_by, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(bank_id)
        .bind(level)
        .bind(version)
        .bind(doc)
        .bind(by)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(version)
}

/// Maps a conflict on the members table to a clear error for the caller.
pub fn is_conflict(e: &StoreError) -> bool {
    matches!(e, StoreError::Conflict(_))
}
