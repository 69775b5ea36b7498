//! Demo data: one filed institution and one account per role, so every page can be tried.
//! Seeding is idempotent: an existing demo account is left as it is.
use exam_protocol::{InstitutionKind, NewAccount, Role};

use exam_application::accounts::{self, CreateError};
use exam_application::clock::now_ms;
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
        crate::demo_bank::seed(db, inst, *author, *reviewer).await?;
        crate::demo_session::seed(db, inst, &DEMO_CANDIDATES).await?;
    }
    Ok(inst)
}
