//! The SQLite and PostgreSQL migration sets describe the same schema: the same tables, the
//! same columns in each, and the same named indexes on the same tables (column types aside,
//! since the two engines spell them differently). A migration added to one set only fails here.
use std::collections::BTreeSet;

use e2e_tests::{Backend, TestDb};
use sqlx::Row;

/// (table, column) pairs, and (index, table) pairs, of the migrated schema.
type Schema = (BTreeSet<(String, String)>, BTreeSet<(String, String)>);

async fn sqlite_schema(t: &TestDb) -> Schema {
    let columns = sqlx::query(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
    )
    .fetch_all(t.db.reader())
    .await
    .expect("sqlite columns");
    let indexes = sqlx::query(
        "SELECT name, tbl_name FROM sqlite_master
         WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' AND tbl_name <> '_sqlx_migrations'",
    )
    .fetch_all(t.db.reader())
    .await
    .expect("sqlite indexes");
    (pairs(&columns), pairs(&indexes))
}

async fn postgres_schema(t: &TestDb) -> Schema {
    let columns = sqlx::query(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(t.db.reader())
    .await
    .expect("postgres columns");
    // Indexes PostgreSQL makes for primary keys and UNIQUE constraints are SQLite's autoindexes:
    // left out on both sides.
    let indexes = sqlx::query(
        "SELECT i.indexname::text, i.tablename::text FROM pg_indexes i
         WHERE i.schemaname = 'public' AND i.tablename <> '_sqlx_migrations'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype IN ('p', 'u'))",
    )
    .fetch_all(t.db.reader())
    .await
    .expect("postgres indexes");
    (pairs(&columns), pairs(&indexes))
}

/// Indexes one engine has for a reason of its own, with that reason.
const POSTGRES_ONLY_INDEXES: &[(&str, &str, &str)] =
    &[("item_search_text", "item_search", "a pg_trgm GIN index for substring search of Chinese text; SQLite scans the narrow table")];

fn pairs(rows: &[sqlx::any::AnyRow]) -> BTreeSet<(String, String)> {
    rows.iter().map(|r| (r.get::<String, _>(0).to_lowercase(), r.get::<String, _>(1).to_lowercase())).collect()
}

fn differences(what: &str, sqlite: &BTreeSet<(String, String)>, postgres: &BTreeSet<(String, String)>) -> Vec<String> {
    let mut out: Vec<String> = sqlite.difference(postgres).map(|(a, b)| format!("{what} {a}.{b}: only in SQLite")).collect();
    out.extend(postgres.difference(sqlite).map(|(a, b)| format!("{what} {a}.{b}: only in PostgreSQL")));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_migration_sets_give_the_same_tables_columns_and_indexes() {
    let lite = TestDb::new(Backend::Sqlite).await;
    let pg = TestDb::new(Backend::Postgres).await;
    let (lite_cols, lite_idx) = sqlite_schema(&lite).await;
    let (pg_cols, mut pg_idx) = postgres_schema(&pg).await;
    for (index, table, _why) in POSTGRES_ONLY_INDEXES {
        assert!(pg_idx.remove(&(index.to_string(), table.to_string())), "{index} on {table} is no longer in PostgreSQL: update the list");
    }
    assert!(lite_cols.len() > 50, "the SQLite schema was read: {} columns", lite_cols.len());
    assert!(lite_idx.len() > 5, "the SQLite indexes were read: {}", lite_idx.len());
    let mut diff = differences("column", &lite_cols, &pg_cols);
    diff.extend(differences("index", &lite_idx, &pg_idx));
    assert!(diff.is_empty(), "the two migration sets differ:\n{}", diff.join("\n"));
}
