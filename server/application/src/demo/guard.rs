//! `serve` on a data directory that `demo` seeded would keep every demo account with the
//! password printed in the README. It refuses to, unless told to disable them: their passwords
//! become unusable and their sign-ins end, audited.
use super::{ACCOUNTS, DEMO_FILING_NUMBER, DEMO_PASSWORD};
use crate::auth::password;
use crate::clock::now_ms;
use exam_records::audit::{self, Entry};
use exam_records::{Db, StoreError, accounts, institutions};

/// The demo accounts that still sign in with the published password.
pub async fn live_demo_accounts(db: &Db) -> anyhow::Result<Vec<String>> {
    let mut live = Vec::new();
    for a in ACCOUNTS {
        if let Some(c) = accounts::credentials(db, a.username).await?
            && password::verify_async(DEMO_PASSWORD.to_string(), Some(c.password_hash)).await
        {
            live.push(a.username.to_string());
        }
    }
    Ok(live)
}

/// Disables every demo account and every account of the demo institution; how many.
pub async fn disable(db: &Db) -> anyhow::Result<u64> {
    let now = now_ms();
    let demo_inst = institutions::list(db).await?.into_iter().find(|i| i.filing_number == DEMO_FILING_NUMBER).map(|i| i.id);
    let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
    let usernames: Vec<&str> = ACCOUNTS.iter().map(|a| a.username).collect();
    let n = accounts::disable_demo(&mut tx, &usernames, demo_inst, now).await?;
    audit::append(
        &mut tx,
        db.backend,
        &Entry {
            actor: Default::default(),
            action: "demo.accounts_disabled",
            target: "deployment".into(),
            detail: serde_json::json!({ "accounts": n }).to_string(),
            at_ms: now,
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(n)
}
