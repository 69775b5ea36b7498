//! A stored value the server cannot read is an error that is logged and shown, never a quiet
//! default: an ID kind is not taken for a resident ID, an item whose choices cannot be read is
//! not left out of the pool, and an answer that cannot be read is not scored as unanswered.
//! Each record is damaged in the database, as a bad migration or a disk fault would.
use std::net::{IpAddr, Ipv4Addr};

use e2e_tests::{Backend, TestDb, both_backends, test_settings};
use exam_application::clock::Clock;
use exam_application::demo::{DEMO_CANDIDATES, DEMO_PASSWORD};
use exam_application::exams::candidate;
use exam_application::{Actor, App, AppError};
use exam_protocol::{AnswerRequest, CandidateLogin, ItemType, Response};
use exam_records::exams;

const HERE: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

async fn demo(b: Backend) -> (TestDb, App) {
    let t = TestDb::new(b).await;
    let clock = Clock::test(exam_application::clock::now_ms());
    let app = App::new(t.db.clone(), test_settings(&t), clock.clone()).expect("app");
    exam_application::demo::seed(&app.db).await.expect("demo");
    exams::set_required_media(&app.db, 1, &[]).await.expect("no media");
    clock.advance_ms(60_000);
    (t, app)
}

fn login_of(ticket: String, which: usize) -> CandidateLogin {
    CandidateLogin { ticket, id_number: DEMO_CANDIDATES[which].1.into(), password: DEMO_PASSWORD.into(), device: None }
}

async fn ticket(app: &App, which: usize) -> String {
    let name = DEMO_CANDIDATES[which].0;
    exams::candidates(&app.db, 1).await.expect("roster").into_iter().find(|c| c.name == name).expect("on roster").ticket
}

/// Demo candidate 0 signed in, committed and started: who they are and their paper.
async fn started(app: &App) -> (Actor, exams::PaperRow) {
    let t = ticket(app, 0).await;
    let signed = candidate::login(app, &login_of(t, 0), HERE).await.expect("sign in");
    let me = Actor::new(signed.account);
    candidate::accept_commitment(app, &me, "127.0.0.1").await.expect("commitment");
    let paper = candidate::start(app, &me).await.expect("start");
    (me, paper)
}

fn is_internal<T: std::fmt::Debug>(r: Result<T, AppError>, what: &str) {
    match r {
        Err(AppError::Internal(e)) => assert!(e.to_string().contains("unreadable"), "{what}: {e}"),
        other => panic!("{what}: an error, not {other:?}"),
    }
}

async fn an_unknown_id_kind_is_not_taken_for_a_resident_id(b: Backend) {
    let (_t, app) = demo(b).await;
    let t = ticket(&app, 0).await;
    sqlx::query("UPDATE session_candidates SET id_kind = 'alien_card' WHERE ticket = $1").bind(&t).execute(app.db.writer()).await.expect("damage");
    is_internal(candidate::login(&app, &login_of(t, 0), HERE).await, "sign-in with an unreadable ID kind");
}

async fn an_item_whose_choices_cannot_be_read_stops_the_draw(b: Backend) {
    let (_t, app) = demo(b).await;
    let t = ticket(&app, 0).await;
    let signed = candidate::login(&app, &login_of(t, 0), HERE).await.expect("sign in");
    let me = Actor::new(signed.account);
    candidate::accept_commitment(&app, &me, "127.0.0.1").await.expect("commitment");
    sqlx::query("UPDATE item_versions SET choices = '{broken' WHERE id = (SELECT MIN(id) FROM item_versions WHERE item_type = 'single_choice')")
        .execute(app.db.writer())
        .await
        .expect("damage");
    is_internal(candidate::start(&app, &me).await, "a draw from a pool with an unreadable item");
    assert!(exams::paper_of_candidate(&app.db, 1).await.expect("read").is_none(), "no paper drawn from part of the bank");
}

async fn an_answer_that_cannot_be_read_stops_the_hand_in(b: Backend) {
    let (_t, app) = demo(b).await;
    let (me, paper) = started(&app).await;
    let copy = candidate::paper_copy(&app, &me).await.expect("copy");
    let tf = copy.questions.iter().find(|q| q.item.item_type == ItemType::TrueFalse).expect("true/false").no;
    candidate::answer(&app, &me, &AnswerRequest { seq: 1, no: tf, response: Response::TrueFalse(true) }).await.expect("answer");
    sqlx::query("UPDATE answer_events SET response = 'not json' WHERE paper_id = $1").bind(paper.id).execute(app.db.writer()).await.expect("damage");
    is_internal(candidate::paper_copy(&app, &me).await, "the candidate's copy with an unreadable answer");
    is_internal(candidate::hand_in(&app, &me).await, "a hand-in with an unreadable answer");
    let row = exams::paper(&app.db, paper.id).await.expect("read").expect("exists");
    assert_eq!((row.status.as_str(), row.score), ("in_progress", None), "not ended, not scored as unanswered");
}

async fn a_paper_status_that_cannot_be_read_is_an_error(b: Backend) {
    let (_t, app) = demo(b).await;
    let (me, paper) = started(&app).await;
    sqlx::query("UPDATE papers SET status = 'abandoned' WHERE id = $1").bind(paper.id).execute(app.db.writer()).await.expect("damage");
    match candidate::status(&app, &me).await {
        Err(AppError::Internal(e)) => assert!(format!("{e:#}").contains("unknown paper status"), "{e:#}"),
        other => panic!("an unreadable status is an error, not {other:?}"),
    }
}

both_backends!(
    a_paper_status_that_cannot_be_read_is_an_error,
    an_unknown_id_kind_is_not_taken_for_a_resident_id,
    an_item_whose_choices_cannot_be_read_stops_the_draw,
    an_answer_that_cannot_be_read_stops_the_hand_in
);
