//! Creating a session through the application crate alone (no HTTP): the deployment's rules
//! decide what a session may leave out and what it may not break, the acting person's scope
//! decides where it goes, and the roster's tickets come from the serial allocator.
use e2e_tests::{Backend, TestDb, both_backends, resident_id};
use exam_application::exams::sessions::{self, SessionRefusal};
use exam_application::rules::Rules;
use exam_application::{Actor, AppError};
use exam_protocol::{NewCandidate, NewSession, Role};
use exam_records::accounts;
use question_bank::identity::IdKind;

const DAY: i64 = 86_400_000;

async fn actor(t: &TestDb, name: &str) -> Actor {
    Actor::new(accounts::credentials(&t.db, name).await.expect("read").expect("demo account").account)
}

fn new_session(proctors: Vec<i64>, candidates: usize, now: i64) -> NewSession {
    NewSession {
        bank_id: 1,
        level: 4,
        batch: "批次".into(),
        name: "场次".into(),
        room: "考场".into(),
        starts_at_ms: now + DAY,
        duration_minutes: None,
        late_entry_minutes: None,
        earliest_hand_in_minutes: None,
        capacity: None,
        multiple_partial: false,
        pass_mark: None,
        device_approval: false,
        marking_threshold_pct: None,
        required_media: None,
        proctor_ids: proctors,
        marker_ids: Vec::new(),
        candidates: (0..candidates)
            .map(|i| NewCandidate {
                name: format!("考生{i}"),
                id_kind: IdKind::ResidentId,
                id_number: resident_id(100 + i as u32),
                password: Some("long-password-1".into()),
            })
            .collect(),
    }
}

fn code<T: std::fmt::Debug>(r: Result<T, AppError>) -> &'static str {
    match r {
        Err(e) => e.code(),
        Ok(v) => panic!("refused, not {v:?}"),
    }
}

async fn sessions_follow_the_rules_and_the_actors_scope(b: Backend) {
    let t = TestDb::new(b).await;
    exam_application::demo::seed(&t.db).await.expect("demo");
    let admin = actor(&t, "admin").await;
    let proctors: Vec<i64> =
        accounts::list(&t.db, admin.account.institution_id).await.expect("staff").into_iter().filter(|a| a.role == Role::Proctor).map(|a| a.id).collect();
    assert_eq!(proctors.len(), 2);
    let now = exam_application::clock::now_ms();
    let notice = Rules::default();

    // The notice: 2 proctors for up to 30; a third is needed past that, and the room holds 30.
    let created = sessions::create(&t.db, &admin, &new_session(proctors.clone(), 3, now), now, &notice).await.expect("a room of 3");
    assert_eq!(created.session.deadline_ms - created.session.starts_at_ms, 90 * 60_000, "the notice's length by default");
    assert_eq!(created.session.late_entry_until_ms - created.session.starts_at_ms, 30 * 60_000);
    assert_eq!(created.roster.len(), 3);
    let mut tickets: Vec<&str> = created.roster.iter().map(|r| r.ticket.as_str()).collect();
    tickets.sort_unstable();
    tickets.dedup();
    assert_eq!(tickets.len(), 3, "every ticket its own");
    assert_eq!(code(sessions::create(&t.db, &admin, &new_session(proctors.clone(), 31, now), now, &notice).await), "room_over_capacity");

    // A deployment's stricter rules: three proctors a room, and at least two hours.
    let strict = Rules { min_proctors: 3, min_duration_minutes: 120, ..Rules::default() };
    let refused = sessions::create(&t.db, &admin, &new_session(proctors.clone(), 3, now), now, &strict).await;
    assert!(matches!(refused, Err(AppError::Session(SessionRefusal::TooFewProctors))), "a typed refusal of its area: {refused:?}");
    let mut short = new_session(proctors.clone(), 3, now);
    short.duration_minutes = Some(90);
    assert_eq!(code(sessions::create(&t.db, &admin, &short, now, &Rules { min_proctors: 2, ..strict.clone() }).await), "invalid_duration");

    // Scope: someone without an institution creates nothing; a proctor is not an admin here
    // either (the web layer's route rule refuses the role first; the use case needs the
    // institution).
    let regulator = actor(&t, "regulator").await;
    assert_eq!(code(sessions::create(&t.db, &regulator, &new_session(proctors.clone(), 3, now), now, &notice).await), "forbidden");
}

both_backends!(sessions_follow_the_rules_and_the_actors_scope);
