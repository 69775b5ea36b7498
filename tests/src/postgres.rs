//! A fresh PostgreSQL database per test. The server is the one `DATABASE_URL` names, else the
//! local one on 127.0.0.1:5432; the test command starts it when missing. No test skips for want
//! of it: an unreachable server fails the test with the reason.
use sqlx::{Connection, Executor, PgConnection};

pub fn admin_url() -> String {
    std::env::var("EXAM_TEST_POSTGRES_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// Creates `exam_t_<random>` and returns its URL.
pub async fn fresh_database() -> String {
    let admin = admin_url();
    let name = format!("exam_t_{:016x}", rand::random::<u64>());
    let mut conn = PgConnection::connect(&admin).await.unwrap_or_else(|e| panic!("PostgreSQL at {admin} is required for this test (run scripts/test.sh): {e}"));
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await.expect("create test database");
    let (head, query) = match admin.split_once('?') {
        Some((h, q)) => (h.to_string(), format!("?{q}")),
        None => (admin.clone(), String::new()),
    };
    let base = head.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(head);
    format!("{base}/{name}{query}")
}
