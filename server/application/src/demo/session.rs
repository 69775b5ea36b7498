//! A demo theory session that opens when the demo starts: the institution's filing for 电工
//! levels 5–3, and a session in 第一考场 with two proctors and three candidates.
use exam_protocol::{NewCandidate, NewSession};
use question_bank::identity::IdKind;

use crate::Actor;
use crate::clock::now_ms;
use crate::exams::sessions;
use exam_records::{Db, StoreError, accounts, exams};

pub async fn seed(db: &Db, institution_id: i64, candidates: &[(&str, &str)]) -> anyhow::Result<()> {
    let now = now_ms();
    let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
    for level in [5, 4, 3] {
        exams::insert_filing(&mut tx, institution_id, "6-31-01-03", level, now).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    let admin = accounts::credentials(db, "admin").await?.ok_or_else(|| anyhow::anyhow!("no demo admin"))?;
    let mut proctor_ids = Vec::new();
    for name in ["proctor", "proctor2"] {
        if let Some(p) = accounts::credentials(db, name).await? {
            proctor_ids.push(p.account.id);
        }
    }
    let user = Actor::new(admin.account);
    let new = NewSession {
        bank_id: 1,
        level: 4,
        batch: "演示批次".into(),
        name: "电工四级理论知识考试（演示）".into(),
        room: "第一考场".into(),
        starts_at_ms: now,
        duration_minutes: None,
        late_entry_minutes: None,
        earliest_hand_in_minutes: Some(0),
        capacity: None,
        multiple_partial: false,
        pass_mark: None,
        device_approval: false,
        marking_threshold_pct: None,
        required_media: None,
        proctor_ids,
        marker_ids: Vec::new(),
        candidates: candidates
            .iter()
            .map(|(name, id)| NewCandidate {
                name: (*name).into(),
                id_kind: IdKind::ResidentId,
                id_number: (*id).into(),
                password: Some(super::DEMO_PASSWORD.into()),
            })
            .collect(),
    };
    sessions::create(db, &user, &new, now, &crate::rules::Rules::default()).await.map_err(|e| anyhow::anyhow!("demo session: {e}"))?;
    Ok(())
}
