//! Demo data: one filed institution and one account per role, so every page can be tried.
//! Seeding is idempotent: an existing demo account is left as it is. The binary's `demo`
//! command seeds through here; `bench` adds thousands of candidates in bulk for the benches,
//! and `guard` keeps demo accounts out of a real deployment.

mod bank;
pub mod bench;
pub mod guard;
mod session;
use exam_protocol::{InstitutionKind, NewAccount, Role};

use crate::accounts::{self, CreateError};
use crate::clock::now_ms;
use exam_records::audit::{self, Actor, Entry};
use exam_records::{Db, StoreError, institutions};

pub const DEMO_PASSWORD: &str = "demo-2026-exam";
pub const DEMO_FILING_NUMBER: &str = "S000051000001";

#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount { username: "candidate", display_name: "李明（考生）", role: Role::Candidate },
    DemoAccount { username: "proctor", display_name: "王芳（监考）", role: Role::Proctor },
    DemoAccount { username: "proctor2", display_name: "张伟（监考）", role: Role::Proctor },
    DemoAccount { username: "author", display_name: "赵强（命题）", role: Role::Author },
    DemoAccount { username: "reviewer", display_name: "陈静（审题）", role: Role::Reviewer },
    DemoAccount { username: "admin", display_name: "刘洋（机构管理员）", role: Role::InstitutionAdmin },
    DemoAccount { username: "supervisor", display_name: "周敏（督导）", role: Role::Supervisor },
    DemoAccount { username: "regulator", display_name: "吴刚（人社监管）", role: Role::Regulator },
    DemoAccount { username: "operator", display_name: "郑伟（运维）", role: Role::Operator },
];

/// Candidates on the demo session: name, resident ID number. Their password is the demo one.
pub const DEMO_CANDIDATES: [(&str, &str); 3] = [("李明", "510105199003071233"), ("王丽", "510107199508152461"), ("陈刚", "510122198811223575")];

/// The demo theory session: the first session of a fresh database.
pub const DEMO_SESSION_ID: i64 = 1;

/// Seeds the demo institution and accounts; returns the institution's id.
pub async fn seed(db: &Db) -> anyhow::Result<i64> {
    let existing = institutions::list(db).await?.into_iter().find(|i| i.filing_number == DEMO_FILING_NUMBER);
    let inst = match existing {
        Some(i) => i.id,
        None => {
            let now = now_ms();
            let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
            let id = institutions::insert(&mut tx, DEMO_FILING_NUMBER, "四川省示例职业技能评价中心", InstitutionKind::SocialOrganisation, now).await?;
            audit::append(
                &mut tx,
                db.backend,
                &Entry {
                    actor: Actor::default(),
                    action: "institution.create",
                    target: format!("institution:{id}"),
                    detail: serde_json::json!({ "filing_number": DEMO_FILING_NUMBER, "demo": true }).to_string(),
                    at_ms: now,
                },
            )
            .await?;
            tx.commit().await.map_err(StoreError::from)?;
            id
        }
    };
    let mut ids = std::collections::HashMap::new();
    for a in ACCOUNTS {
        let new = NewAccount {
            username: a.username.to_string(),
            display_name: a.display_name.to_string(),
            password: DEMO_PASSWORD.to_string(),
            role: a.role,
            institution_id: a.role.needs_institution().then_some(inst),
        };
        match accounts::create(db, None, &new).await {
            Ok(acc) => {
                ids.insert(a.role, acc.id);
            }
            Err(CreateError::UsernameTaken) => {}
            Err(e) => anyhow::bail!("seeding demo account {}: {e}", a.username),
        }
    }
    if let (Some(author), Some(reviewer)) = (ids.get(&Role::Author), ids.get(&Role::Reviewer)) {
        bank::seed(db, inst, *author, *reviewer).await?;
        session::seed(db, inst, &DEMO_CANDIDATES).await?;
    }
    Ok(inst)
}

/// The demo session asks for no camera or screen: for machines without either.
pub async fn without_media(db: &Db) -> anyhow::Result<()> {
    exam_records::exams::set_required_media(db, DEMO_SESSION_ID, &[]).await?;
    Ok(())
}

/// A line of the demo session's roster, as the `demo` command prints it.
#[derive(Debug, Clone)]
pub struct RosterLine {
    pub ticket: String,
    pub name: String,
    /// The demo ID number, for the demo candidates; empty for others.
    pub id_number: &'static str,
}

/// The demo session's candidates with their tickets.
pub async fn roster(db: &Db) -> anyhow::Result<Vec<RosterLine>> {
    let rows = exam_records::exams::candidates(db, DEMO_SESSION_ID).await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let id_number = DEMO_CANDIDATES.iter().find(|(n, _)| *n == c.name).map(|(_, id)| *id).unwrap_or("");
            RosterLine { ticket: c.ticket, name: c.name, id_number }
        })
        .collect())
}
