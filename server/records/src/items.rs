//! Items and their versions: inserts, status changes, search, and the facts paper assembly
//! and the blueprint check need.
use exam_protocol::{ItemContent, ItemRecord, ItemStatus};
use question_bank::blueprint::ItemFacts;
use question_bank::item::Asset;
use question_bank::{Difficulty, ItemType, Points};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{Db, StoreError, StoreResult};

macro_rules! version_columns {
    () => {
        "id, item_id, bank_id, version, status, item_type, code, stem, choices, answer_key, points, difficulty, \
         outline_point, tags, source, author_id, reviewed_by, review_comment, created_at_ms"
    };
}

fn decode<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Database(sqlx::Error::Decode(format!("{what}: {e}").into())))
}

fn bad(what: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(what.to_string().into()))
}

fn record_from_row(r: &AnyRow) -> StoreResult<ItemRecord> {
    let status: String = r.try_get("status")?;
    let item_type: String = r.try_get("item_type")?;
    let tags: String = r.try_get("tags")?;
    let points: i64 = r.try_get("points")?;
    let difficulty: Option<i64> = r.try_get("difficulty")?;
    Ok(ItemRecord {
        item_id: r.try_get("item_id")?,
        version_id: r.try_get("id")?,
        version: r.try_get("version")?,
        bank_id: r.try_get("bank_id")?,
        status: ItemStatus::parse(&status).ok_or_else(|| bad("unknown item status"))?,
        author_id: r.try_get("author_id")?,
        reviewed_by: r.try_get("reviewed_by")?,
        review_comment: r.try_get("review_comment")?,
        created_at_ms: r.try_get("created_at_ms")?,
        content: ItemContent {
            code: r.try_get("code")?,
            item_type: ItemType::parse(&item_type).ok_or_else(|| bad("unknown item type"))?,
            stem: r.try_get("stem")?,
            choices: decode(&r.try_get::<String, _>("choices")?, "choices")?,
            key: decode(&r.try_get::<String, _>("answer_key")?, "key")?,
            points: Points(u32::try_from(points).map_err(|_| bad("points out of range"))?),
            difficulty: difficulty.and_then(|d| u8::try_from(d).ok()).and_then(Difficulty::new),
            outline_point: r.try_get("outline_point")?,
            tags: tags.split(',').filter(|t| !t.is_empty()).map(str::to_string).collect(),
            source: r.try_get("source")?,
        },
    })
}

/// Lower-cased plain text of the stem and options, so text search works alike on both
/// databases and needs no word segmentation for Chinese.
fn search_text(c: &ItemContent) -> String {
    let mut s = question_bank::sanitize::text_of(&c.stem);
    for ch in &c.choices {
        s.push(' ');
        s.push_str(&question_bank::sanitize::text_of(&ch.content));
    }
    if let Some(code) = &c.code {
        s.push(' ');
        s.push_str(code);
    }
    s.to_lowercase()
}

fn tags_column(tags: &[String]) -> String {
    if tags.is_empty() { String::new() } else { format!(",{},", tags.join(",")) }
}

/// A new version row, made the item's current one in the search table. The caller has made
/// any previous version not current.
#[allow(clippy::too_many_arguments)]
async fn insert_version(
    conn: &mut AnyConnection,
    item_id: i64,
    bank_id: i64,
    version: i64,
    status: ItemStatus,
    c: &ItemContent,
    author_id: i64,
    now_ms: i64,
) -> StoreResult<i64> {
    let text = search_text(c);
    let tags = tags_column(&c.tags);
    let difficulty = c.difficulty.map(|d| i64::from(d.value()));
    let id: i64 = sqlx::query_scalar(concat!(
        "INSERT INTO item_versions (item_id, bank_id, version, is_current, status, item_type, code, stem, search_text, ",
        "choices, answer_key, points, difficulty, outline_point, tags, source, author_id, created_at_ms) ",
        "VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id"
    ))
    .bind(item_id)
    .bind(bank_id)
    .bind(version)
    .bind(status.as_str())
    .bind(c.item_type.as_str())
    .bind(c.code.as_deref())
    .bind(&c.stem)
    .bind(&text)
    .bind(json(&c.choices))
    .bind(json(&c.key))
    .bind(i64::from(c.points.0))
    .bind(difficulty)
    .bind(c.outline_point.as_deref())
    .bind(&tags)
    .bind(c.source.as_deref())
    .bind(author_id)
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO item_search (item_id, bank_id, version_id, status, item_type, difficulty, outline_point, tags, search_text)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (item_id) DO UPDATE SET version_id = excluded.version_id, status = excluded.status,
             item_type = excluded.item_type, difficulty = excluded.difficulty, outline_point = excluded.outline_point,
             tags = excluded.tags, search_text = excluded.search_text",
    )
    .bind(item_id)
    .bind(bank_id)
    .bind(id)
    .bind(status.as_str())
    .bind(c.item_type.as_str())
    .bind(difficulty)
    .bind(c.outline_point.as_deref())
    .bind(&tags)
    .bind(&text)
    .execute(conn)
    .await?;
    Ok(id)
}

/// A JSON column; choices and keys are plain data that always serialise.
fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A new item with its first version; returns (item id, version id).
pub async fn insert_item(
    conn: &mut AnyConnection,
    bank_id: i64,
    status: ItemStatus,
    content: &ItemContent,
    author_id: i64,
    now_ms: i64,
) -> StoreResult<(i64, i64)> {
    let item_id: i64 = sqlx::query_scalar("INSERT INTO items (bank_id, created_by, created_at_ms) VALUES ($1, $2, $3) RETURNING id")
        .bind(bank_id)
        .bind(author_id)
        .bind(now_ms)
        .fetch_one(&mut *conn)
        .await?;
    let version_id = insert_version(conn, item_id, bank_id, 1, status, content, author_id, now_ms).await?;
    Ok((item_id, version_id))
}

/// `count` rows of `width` numbered placeholders: `($1, $2), ($3, $4)`.
fn placeholders(count: usize, width: usize) -> String {
    (0..count)
        .map(|r| {
            let cols: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", cols.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Many new items at once (an import): a few multi-row statements per chunk instead of three
/// round trips per item. Returns (item id, version id) in the order given. Ids are assigned in
/// row order within a statement, so sorting what RETURNING gives restores that order.
pub async fn insert_items_bulk(
    conn: &mut AnyConnection,
    bank_id: i64,
    status: ItemStatus,
    contents: &[ItemContent],
    author_id: i64,
    now_ms: i64,
) -> StoreResult<Vec<(i64, i64)>> {
    const CHUNK: usize = 200;
    let mut out = Vec::with_capacity(contents.len());
    for chunk in contents.chunks(CHUNK) {
        // The SQL is built from constant fragments and numbered placeholders only.
        let sql = format!("INSERT INTO items (bank_id, created_by, created_at_ms) VALUES {} RETURNING id", placeholders(chunk.len(), 3));
        let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        for _ in chunk {
            q = q.bind(bank_id).bind(author_id).bind(now_ms);
        }
        let mut item_ids = q.fetch_all(&mut *conn).await?;
        item_ids.sort_unstable();

        let texts: Vec<String> = chunk.iter().map(search_text).collect();
        let tags: Vec<String> = chunk.iter().map(|c| tags_column(&c.tags)).collect();
        let sql = format!(
            "INSERT INTO item_versions (item_id, bank_id, version, is_current, status, item_type, code, stem, search_text, \
             choices, answer_key, points, difficulty, outline_point, tags, source, author_id, created_at_ms) VALUES {} RETURNING id",
            placeholders(chunk.len(), 18)
        );
        let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        for (i, c) in chunk.iter().enumerate() {
            q = q
                .bind(item_ids[i])
                .bind(bank_id)
                .bind(1_i64)
                .bind(1_i64)
                .bind(status.as_str())
                .bind(c.item_type.as_str())
                .bind(c.code.clone())
                .bind(c.stem.clone())
                .bind(texts[i].clone())
                .bind(json(&c.choices))
                .bind(json(&c.key))
                .bind(i64::from(c.points.0))
                .bind(c.difficulty.map(|d| i64::from(d.value())))
                .bind(c.outline_point.clone())
                .bind(tags[i].clone())
                .bind(c.source.clone())
                .bind(author_id)
                .bind(now_ms);
        }
        let mut version_ids = q.fetch_all(&mut *conn).await?;
        version_ids.sort_unstable();

        let sql = format!(
            "INSERT INTO item_search (item_id, bank_id, version_id, status, item_type, difficulty, outline_point, tags, search_text) VALUES {}",
            placeholders(chunk.len(), 9)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (i, c) in chunk.iter().enumerate() {
            q = q
                .bind(item_ids[i])
                .bind(bank_id)
                .bind(version_ids[i])
                .bind(status.as_str())
                .bind(c.item_type.as_str())
                .bind(c.difficulty.map(|d| i64::from(d.value())))
                .bind(c.outline_point.clone())
                .bind(tags[i].clone())
                .bind(texts[i].clone());
        }
        q.execute(&mut *conn).await?;
        out.extend(item_ids.into_iter().zip(version_ids));
    }
    Ok(out)
}

/// A changed item becomes a new draft version; the old version stays as it was.
/// The next version of an item, as a draft; it carries the files (images) of the one before.
pub async fn new_version(conn: &mut AnyConnection, current: &ItemRecord, content: &ItemContent, author_id: i64, now_ms: i64) -> StoreResult<i64> {
    sqlx::query("UPDATE item_versions SET is_current = 0 WHERE id = $1").bind(current.version_id).execute(&mut *conn).await?;
    let id = insert_version(conn, current.item_id, current.bank_id, current.version + 1, ItemStatus::Draft, content, author_id, now_ms).await?;
    sqlx::query(
        "INSERT INTO item_assets (item_version_id, path, mime, bytes) SELECT $1, path, mime, bytes FROM item_assets WHERE item_version_id = $2 ORDER BY id",
    )
    .bind(id)
    .bind(current.version_id)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Puts a file on a version, replacing one at the same path; how many the version then has.
pub async fn put_asset(conn: &mut AnyConnection, version_id: i64, asset: &Asset) -> StoreResult<i64> {
    sqlx::query("DELETE FROM item_assets WHERE item_version_id = $1 AND path = $2").bind(version_id).bind(&asset.path).execute(&mut *conn).await?;
    insert_asset(&mut *conn, version_id, asset).await?;
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM item_assets WHERE item_version_id = $1").bind(version_id).fetch_one(&mut *conn).await?)
}

pub async fn insert_asset(conn: &mut AnyConnection, version_id: i64, asset: &Asset) -> StoreResult<()> {
    sqlx::query("INSERT INTO item_assets (item_version_id, path, mime, bytes) VALUES ($1, $2, $3, $4)")
        .bind(version_id)
        .bind(&asset.path)
        .bind(&asset.mime)
        .bind(&asset.bytes)
        .execute(conn)
        .await?;
    Ok(())
}

/// The current version of an item.
pub async fn current(db: &Db, item_id: i64) -> StoreResult<Option<ItemRecord>> {
    let row = sqlx::query(concat!("SELECT ", version_columns!(), " FROM item_versions WHERE item_id = $1 AND is_current = 1"))
        .bind(item_id)
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(record_from_row).transpose()
}

/// One version by its id, current or not: papers point at exact versions.
pub async fn version(db: &Db, version_id: i64) -> StoreResult<Option<ItemRecord>> {
    let row = sqlx::query(concat!("SELECT ", version_columns!(), " FROM item_versions WHERE id = $1")).bind(version_id).fetch_optional(db.reader()).await?;
    row.as_ref().map(record_from_row).transpose()
}

/// Every version of an item, oldest first.
pub async fn history(db: &Db, item_id: i64) -> StoreResult<Vec<ItemRecord>> {
    let rows = sqlx::query(concat!("SELECT ", version_columns!(), " FROM item_versions WHERE item_id = $1 ORDER BY version"))
        .bind(item_id)
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(record_from_row).collect()
}

/// Moves a version from one status to another; false if it was no longer in `from`.
pub async fn set_status(
    conn: &mut AnyConnection,
    version_id: i64,
    from: ItemStatus,
    to: ItemStatus,
    reviewer: Option<(i64, Option<&str>, i64)>,
) -> StoreResult<bool> {
    let (by, comment, at) = match reviewer {
        Some((by, comment, at)) => (Some(by), comment, Some(at)),
        None => (None, None, None),
    };
    let done = sqlx::query(
        "UPDATE item_versions SET status = $3,
             reviewed_by = COALESCE($4, reviewed_by),
             review_comment = COALESCE($5, review_comment),
             reviewed_at_ms = COALESCE($6, reviewed_at_ms)
         WHERE id = $1 AND status = $2",
    )
    .bind(version_id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(by)
    .bind(comment)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("UPDATE item_search SET status = $2 WHERE version_id = $1").bind(version_id).bind(to.as_str()).execute(conn).await?;
    Ok(true)
}

/// Filters for the item list; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub status: Option<ItemStatus>,
    pub item_type: Option<ItemType>,
    pub difficulty: Option<u8>,
    /// An assessment point code, or a scope code matching every point under it.
    pub outline: Option<String>,
    pub tag: Option<String>,
    pub text: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// One pass over the narrow search table: the page of matches in item order, each with the
/// count of all matches, then their full versions by primary key.
macro_rules! search_query {
    () => {
        "WITH hits AS (
            SELECT item_id, version_id, COUNT(*) OVER () AS total FROM item_search
            WHERE bank_id = $1
              AND ($2 IS NULL OR status = $2)
              AND ($3 IS NULL OR item_type = $3)
              AND ($4 IS NULL OR difficulty = $4)
              AND ($5 IS NULL OR outline_point = $5 OR outline_point LIKE $6 ESCAPE '\\')
              AND ($7 IS NULL OR tags LIKE $7 ESCAPE '\\')
              AND ($8 IS NULL OR search_text LIKE $8 ESCAPE '\\')
            ORDER BY item_id LIMIT $9 OFFSET $10)
         SELECT hits.total, v.id, v.item_id, v.bank_id, v.version, v.status, v.item_type, v.code, v.stem, v.choices,
                v.answer_key, v.points, v.difficulty, v.outline_point, v.tags, v.source, v.author_id, v.reviewed_by,
                v.review_comment, v.created_at_ms
         FROM hits JOIN item_versions v ON v.id = hits.version_id ORDER BY hits.item_id"
    };
}

/// The current versions matching every filter, and how many match in all.
pub async fn search(db: &Db, bank_id: i64, s: &Search) -> StoreResult<(i64, Vec<ItemRecord>)> {
    let outline_prefix = s.outline.as_deref().map(|o| format!("{}-%", like_escape(o)));
    let tag = s.tag.as_deref().map(|t| format!("%,{},%", like_escape(t)));
    let text = s.text.as_deref().map(|t| format!("%{}%", like_escape(&t.to_lowercase())));
    let rows = sqlx::query(search_query!())
        .bind(bank_id)
        .bind(s.status.map(ItemStatus::as_str))
        .bind(s.item_type.map(ItemType::as_str))
        .bind(s.difficulty.map(i64::from))
        .bind(s.outline.as_deref())
        .bind(outline_prefix.as_deref())
        .bind(tag.as_deref())
        .bind(text.as_deref())
        .bind(s.limit)
        .bind(s.offset)
        .fetch_all(db.reader())
        .await?;
    let total = match rows.first() {
        Some(r) => r.try_get("total")?,
        // A page past the end has no rows to carry the total: count separately.
        None if s.offset > 0 => Box::pin(search(db, bank_id, &Search { limit: 1, offset: 0, ..s.clone() })).await?.0,
        None => 0,
    };
    Ok((total, rows.iter().map(record_from_row).collect::<StoreResult<_>>()?))
}

/// Items awaiting review in the banks where this account reviews, not written by it.
pub async fn review_queue(db: &Db, reviewer_id: i64, limit: i64) -> StoreResult<Vec<ItemRecord>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        version_columns!(),
        " FROM item_versions WHERE is_current = 1 AND status = 'in_review' AND (author_id IS NULL OR author_id <> $1)
          AND bank_id IN (SELECT bank_id FROM bank_members WHERE account_id = $1 AND member_role = 'reviewer')
          ORDER BY bank_id, item_id LIMIT $2"
    ))
    .bind(reviewer_id)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(record_from_row).collect()
}

/// Type, point and difficulty of every approved current item of a bank.
pub async fn approved_facts(db: &Db, bank_id: i64) -> StoreResult<Vec<ItemFacts>> {
    let rows = sqlx::query(
        "SELECT item_type, outline_point, difficulty FROM item_versions
         WHERE bank_id = $1 AND is_current = 1 AND status = 'approved'",
    )
    .bind(bank_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            let t: String = r.try_get("item_type")?;
            let d: Option<i64> = r.try_get("difficulty")?;
            Ok(ItemFacts {
                item_type: ItemType::parse(&t).ok_or_else(|| bad("unknown item type"))?,
                outline_point: r.try_get("outline_point")?,
                difficulty: d.and_then(|d| u8::try_from(d).ok()),
            })
        })
        .collect()
}

/// Every current, non-retired version of a bank, for export.
pub async fn all_current(db: &Db, bank_id: i64) -> StoreResult<Vec<ItemRecord>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        version_columns!(),
        " FROM item_versions WHERE bank_id = $1 AND is_current = 1 AND status <> 'retired' ORDER BY item_id"
    ))
    .bind(bank_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(record_from_row).collect()
}

/// One file of a version by the path its HTML uses.
pub async fn asset(db: &Db, version_id: i64, path: &str) -> StoreResult<Option<Asset>> {
    let row = sqlx::query("SELECT path, mime, bytes FROM item_assets WHERE item_version_id = $1 AND path = $2")
        .bind(version_id)
        .bind(path)
        .fetch_optional(db.reader())
        .await?;
    row.map(|r| Ok(Asset { path: r.try_get("path")?, mime: r.try_get("mime")?, bytes: r.try_get("bytes")? })).transpose()
}

pub async fn assets(db: &Db, version_id: i64) -> StoreResult<Vec<Asset>> {
    let rows = sqlx::query("SELECT path, mime, bytes FROM item_assets WHERE item_version_id = $1 ORDER BY id").bind(version_id).fetch_all(db.reader()).await?;
    rows.iter().map(|r| Ok(Asset { path: r.try_get("path")?, mime: r.try_get("mime")?, bytes: r.try_get("bytes")? })).collect()
}
