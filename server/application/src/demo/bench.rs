//! `exam-server demo --candidates N`: N more candidates in open sessions of 30 (two proctors
//! each, as the rules ask), for the load bench. One password hash serves every bench account,
//! so seeding takes seconds; sign-in still verifies it in full. The roster the bench needs is
//! written to `<data_dir>/bench-roster.json`.
use std::path::{Path, PathBuf};

use anyhow::Context;
use exam_protocol::Role;
use question_bank::identity::resident_check_char;

use crate::auth::password;
use crate::clock::now_ms;
use exam_records::accounts::{self, NewAccountRow};
use exam_records::exams::{self, CandidateRow, SessionRow};
use exam_records::{Db, StoreError, banks};

const ROOM: usize = 30;

/// A valid, unique resident ID number for bench candidate `i`.
fn id_number(i: usize) -> String {
    let day = 1 + (i / 999) % 28;
    let month = 1 + (i / (999 * 28)) % 12;
    let first17 = format!("110105{}{month:02}{day:02}{:03}", 1980 + (i / (999 * 28 * 12)) % 20, 1 + i % 999);
    let check = resident_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

pub async fn seed(db: &Db, institution_id: i64, n: usize, data_dir: &Path) -> anyhow::Result<PathBuf> {
    let pw = super::DEMO_PASSWORD;
    let hash = password::hash_async(pw.to_string()).await?;
    let (_, blueprint) = banks::latest_blueprint(db, 1, 4).await?.context("the demo bank has no level-4 blueprint")?;
    let now = now_ms();
    let mut roster = Vec::with_capacity(n);
    let rooms = n.div_ceil(ROOM);
    let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
    for room in 0..rooms {
        let session = SessionRow {
            id: 0,
            institution_id,
            bank_id: 1,
            level: 4,
            batch: "压力测试".into(),
            name: format!("压力测试场次 {}", room + 1),
            room: format!("压测考场 {}", room + 1),
            starts_at_ms: now,
            ends_at_ms: now + 90 * 60_000,
            duration_secs: 90 * 60,
            late_entry_secs: 30 * 60,
            earliest_hand_in_secs: 0,
            capacity: ROOM as i64,
            multiple_partial: false,
            pass_mark: 60,
            device_approval: false,
            marking_threshold_pct: crate::rules::Rules::default().marking_threshold_pct,
            // The answer bench measures answers; the media bench streams separately.
            required_media: Vec::new(),
            blueprint: blueprint.clone(),
            cancelled_at_ms: None,
        };
        let session_id = exams::insert_session(&mut tx, &session, 0, now).await?;
        for k in 1..=2 {
            let username = format!("bench-proctor-{}-{k}", room + 1);
            let id = accounts::insert(
                &mut tx,
                &NewAccountRow {
                    username: &username,
                    display_name: "压测监考",
                    role: Role::Proctor,
                    institution_id: Some(institution_id),
                    password_hash: &hash,
                    now_ms: now,
                },
            )
            .await?;
            exams::add_proctor(&mut tx, session_id, id).await?;
            exam_records::marking::add_marker(&mut tx, session_id, id).await?;
        }
        for seat in 0..ROOM.min(n - room * ROOM) {
            let i = room * ROOM + seat;
            let ticket = format!("B{:06}{:05}", session_id, i + 1);
            let account_id = accounts::insert(
                &mut tx,
                &NewAccountRow {
                    username: &ticket,
                    display_name: "压测考生",
                    role: Role::Candidate,
                    institution_id: Some(institution_id),
                    password_hash: &hash,
                    now_ms: now,
                },
            )
            .await?;
            let id_number = id_number(i);
            let candidate_id = exams::insert_candidate(
                &mut tx,
                &CandidateRow {
                    id: 0,
                    session_id,
                    account_id,
                    ticket: ticket.clone(),
                    name: format!("考生{}", i + 1),
                    id_kind: "resident_id".into(),
                    id_number: id_number.clone(),
                    commitment_at_ms: None,
                    signed_in_at_ms: None,
                },
            )
            .await?;
            // The media bench watches each candidate as the room's first proctor.
            roster.push(serde_json::json!({
                "ticket": ticket, "id_number": id_number, "session_id": session_id, "candidate_id": candidate_id,
                "proctor": format!("bench-proctor-{}-1", room + 1),
            }));
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    let path = data_dir.join("bench-roster.json");
    std::fs::create_dir_all(data_dir)?;
    std::fs::write(&path, serde_json::to_vec(&serde_json::json!({ "password": pw, "candidates": roster }))?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use question_bank::identity::{IdDocument, IdKind};

    #[test]
    fn bench_id_numbers_are_valid_and_distinct() {
        let ids: Vec<String> = (0..20_000).map(super::id_number).collect();
        for id in ids.iter().step_by(97) {
            assert!(IdDocument::parse(IdKind::ResidentId, id).is_ok(), "{id}");
        }
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
    }
}
