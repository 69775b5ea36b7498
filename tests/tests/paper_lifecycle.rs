//! A paper's whole life driven through the use cases (no HTTP) in simulated time: the server's
//! state reads a test clock, and the test moves it. Start, answer, pause (time stands still),
//! resume (the deadline moves by the pause), extra time, answers up to the deadline and refused
//! after it, the automatic hand-in by the sweep, and the sweep of a process started after the
//! deadline passed while nothing ran. No row is edited behind the server's back, and no HTTP
//! is involved: this is the application crate on its own.
use std::net::{IpAddr, Ipv4Addr};

use e2e_tests::{Backend, TestDb, both_backends, test_settings};
use exam_application::clock::Clock;
use exam_application::demo::{DEMO_CANDIDATES, DEMO_PASSWORD};
use exam_application::exams::{candidate, proctor, sweeper};
use exam_application::{Actor, App, auth};
use exam_protocol::{AnswerRequest, CandidateLogin, ItemType, ProctorAction, Response, Stage};
use exam_records::exams;

const MINUTE: i64 = 60_000;
const HERE: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// The server's state on `t`'s database, reading `clock` (a new process, each time).
fn process(t: &TestDb, clock: &Clock) -> App {
    App::new(t.db.clone(), test_settings(t), clock.clone()).expect("state")
}

async fn candidate_user(state: &App, which: usize) -> Actor {
    let (name, id) = DEMO_CANDIDATES[which];
    let ticket = exams::candidates(&state.db, 1).await.expect("roster").into_iter().find(|c| c.name == name).expect("on roster").ticket;
    let req = CandidateLogin { ticket, id_number: id.into(), password: DEMO_PASSWORD.into(), device: None };
    let signed = candidate::login(state, &req, HERE).await.expect("candidate sign-in");
    Actor::new(signed.account)
}

async fn staff_user(state: &App, name: &str) -> Actor {
    let signed = auth::login(state, name, DEMO_PASSWORD, HERE).await.expect("staff sign-in");
    Actor::new(signed.account)
}

/// Starts the candidate's paper; its id and the number of a true/false question.
async fn started(state: &App, user: &Actor) -> (i64, i64) {
    candidate::accept_commitment(state, user, "127.0.0.1").await.expect("commitment");
    let paper = candidate::start(state, user).await.expect("start");
    let copy = candidate::paper_copy(state, user).await.expect("copy");
    let tf = copy.questions.iter().find(|q| q.item.item_type == ItemType::TrueFalse).expect("a true/false question").no;
    (paper.id, tf)
}

async fn answer(state: &App, user: &Actor, seq: i64, no: i64) -> Result<(), String> {
    candidate::answer(state, user, &AnswerRequest { seq, no, response: Response::TrueFalse(true) }).await.map(|_| ()).map_err(|e| e.code().to_string())
}

async fn paper(state: &App, id: i64) -> exams::PaperRow {
    exams::paper(&state.db, id).await.expect("read").expect("exists")
}

/// A fresh database with the demo seeded, on a test clock a minute into the demo session (which
/// opens at the wall clock's now, a moment after this clock's), and a process on it.
async fn demo_at_simulated_time(b: Backend) -> (TestDb, Clock, App) {
    let t = TestDb::new(b).await;
    let clock = Clock::test(exam_application::clock::now_ms());
    let state = process(&t, &clock);
    exam_application::demo::seed(&state.db).await.expect("demo");
    exams::set_required_media(&state.db, 1, &[]).await.expect("no media");
    clock.advance_ms(MINUTE);
    (t, clock, state)
}

async fn a_paper_lives_its_whole_life_in_simulated_time(b: Backend) {
    let (_t, clock, state) = demo_at_simulated_time(b).await;
    let me = candidate_user(&state, 0).await;
    let proctor_user = staff_user(&state, "proctor").await;
    let (paper_id, tf) = started(&state, &me).await;
    let (c, _) = candidate::context(&state, &me).await.expect("context");
    let start = paper(&state, paper_id).await;
    let length = start.deadline_ms - start.started_at_ms;
    assert!(length >= 60 * MINUTE, "the paper runs the session's duration: {length} ms");
    answer(&state, &me, 1, tf).await.expect("an answer in time");

    // Ten minutes in, the proctor pauses: answers wait, and time stands still.
    clock.advance_ms(10 * MINUTE);
    proctor::act(&state, &proctor_user, 1, c.id, &ProctorAction::Pause { reason: "设备故障".into() }).await.expect("pause");
    assert_eq!(answer(&state, &me, 2, tf).await, Err("paper_paused".into()));
    assert_eq!(candidate::status(&state, &me).await.expect("status").stage, Stage::Paused);
    let remaining_at_pause = candidate::status(&state, &me).await.expect("status").remaining_ms.expect("remaining");
    clock.advance_ms(30 * MINUTE);
    assert_eq!(candidate::status(&state, &me).await.expect("status").remaining_ms, Some(remaining_at_pause), "no time passes while paused");
    assert_eq!(sweeper::sweep(&state).await, 0, "a paused paper is never swept");

    // Resumed: the deadline moved by the pause. Ten minutes of extra time move it again.
    proctor::act(&state, &proctor_user, 1, c.id, &ProctorAction::Resume).await.expect("resume");
    assert_eq!(paper(&state, paper_id).await.deadline_ms, start.deadline_ms + 30 * MINUTE);
    proctor::act(&state, &proctor_user, 1, c.id, &ProctorAction::ExtraTime { minutes: 10, reason: "补时".into() }).await.expect("extra time");
    let deadline = paper(&state, paper_id).await.deadline_ms;
    assert_eq!(deadline, start.deadline_ms + 40 * MINUTE);
    assert_eq!(candidate::status(&state, &me).await.expect("status").remaining_ms, Some(deadline - clock.now_ms()));

    // A millisecond before the deadline an answer counts; at the deadline it is refused.
    clock.advance_ms(deadline - clock.now_ms() - 1);
    answer(&state, &me, 3, tf).await.expect("the last millisecond counts");
    assert_eq!(sweeper::sweep(&state).await, 0, "not over yet");
    clock.advance_ms(1);
    assert_eq!(answer(&state, &me, 4, tf).await, Err("time_over".into()));

    // The sweep hands it in and scores it from the answers kept; once.
    assert_eq!(sweeper::sweep(&state).await, 1);
    let ended = paper(&state, paper_id).await;
    assert_eq!((ended.status.as_str(), ended.ended_at_ms), ("handed_in", Some(deadline)));
    assert!(ended.score.is_some(), "scored at the automatic hand-in");
    assert_eq!(exams::answer_count(&state.db, paper_id).await.expect("count"), 2, "the answers in time, and only those");
    assert_eq!(candidate::status(&state, &me).await.expect("status").stage, Stage::HandedIn);
    assert_eq!(sweeper::sweep(&state).await, 0, "a second sweep finds nothing");
}

async fn a_paper_whose_deadline_passed_while_nothing_ran_is_handed_in_by_the_next_process(b: Backend) {
    let (t, clock, first) = demo_at_simulated_time(b).await;
    let me = candidate_user(&first, 1).await;
    let (paper_id, tf) = started(&first, &me).await;
    answer(&first, &me, 1, tf).await.expect("answer");
    let deadline = paper(&first, paper_id).await.deadline_ms;
    drop(first);

    // Nothing runs for three hours; then two processes start on the same records and sweep at
    // once: the paper is handed in by one, scored once, certified once.
    clock.advance_ms(deadline - clock.now_ms() + 180 * MINUTE);
    let (a, b2) = (process(&t, &clock), process(&t, &clock));
    let (x, y) = tokio::join!(sweeper::sweep(&a), sweeper::sweep(&b2));
    assert_eq!(x + y, 1, "one process hands the paper in");
    let ended = paper(&a, paper_id).await;
    assert_eq!(ended.status.as_str(), "handed_in");
    assert_eq!(ended.ended_at_ms, Some(clock.now_ms()), "ended when the sweep found it");
    let hand_ins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'paper.hand_in' AND target = $1")
        .bind(format!("paper:{paper_id}"))
        .fetch_one(a.db.reader())
        .await
        .expect("audit");
    assert_eq!(hand_ins, 1, "one hand-in in the audit trail");
    let (_, id) = DEMO_CANDIDATES[1];
    let scores = exams::certification_scores(&a.db, "resident_id", id).await.expect("record");
    assert_eq!(scores.len(), 1, "one theory score in the certification record");
    assert_eq!(sweeper::sweep(&a).await + sweeper::sweep(&b2).await, 0);
}

/// The proctor's use cases on their own: a reason is required, only the room's proctor acts
/// (an institution admin watches; a reviewer does not even see the room), a warning reaches
/// the record, a terminated paper is scored once and takes no further action, and the room
/// shows the ended paper.
async fn proctor_actions_check_role_reason_and_state(b: Backend) {
    let (_t, clock, state) = demo_at_simulated_time(b).await;
    let me = candidate_user(&state, 2).await;
    let (paper_id, _) = started(&state, &me).await;
    let (c, _) = candidate::context(&state, &me).await.expect("context");
    let proctor_user = staff_user(&state, "proctor").await;
    let admin = staff_user(&state, "admin").await;
    let reviewer = staff_user(&state, "reviewer").await;
    let code = |r: Result<(), exam_application::AppError>| r.err().map(|e| e.code());

    let pause = ProctorAction::Pause { reason: "  ".into() };
    assert_eq!(code(proctor::act(&state, &proctor_user, 1, c.id, &pause).await), Some("reason_required"));
    let warn = ProctorAction::Warn { message: "请勿离开座位".into() };
    assert_eq!(code(proctor::act(&state, &admin, 1, c.id, &warn).await), Some("forbidden"), "an admin watches, a proctor acts");
    assert_eq!(code(proctor::act(&state, &reviewer, 1, c.id, &warn).await), Some("not_found"), "not this reviewer's room");
    assert_eq!(code(proctor::act(&state, &proctor_user, 1, c.id + 1000, &warn).await), Some("not_found"), "not on this roster");
    proctor::act(&state, &proctor_user, 1, c.id, &warn).await.expect("warn");
    let feed = proctor::feed(&state, &proctor_user, 1, 0).await.expect("feed");
    assert!(feed.iter().any(|e| e.kind == "warning" && e.candidate_id == Some(c.id)), "the warning is in the record");

    clock.advance_ms(40 * MINUTE);
    let terminate = ProctorAction::Terminate { reason: "替考".into() };
    proctor::act(&state, &proctor_user, 1, c.id, &terminate).await.expect("terminate");
    let ended = paper(&state, paper_id).await;
    assert_eq!((ended.status.as_str(), ended.ended_at_ms), ("terminated", Some(clock.now_ms())));
    assert!(ended.score.is_some(), "scored from the answers kept");
    assert_eq!(code(proctor::act(&state, &proctor_user, 1, c.id, &terminate).await), Some("paper_ended"));
    assert_eq!(code(proctor::act(&state, &proctor_user, 1, c.id, &ProctorAction::Resume).await), Some("paper_ended"));
    let room = proctor::room(&state, &admin, 1).await.expect("the admin sees the room");
    assert_eq!(room.iter().find(|r| r.candidate_id == c.id).map(|r| r.stage), Some(Stage::Terminated));
    assert_eq!(candidate::status(&state, &me).await.expect("status").stage, Stage::Terminated);
}

/// The sweep lists a paper past its deadline; a moment later a proctor gives extra time. The
/// sweep's hand-in must not overtake the extra time: the paper is read again and, in the same
/// statement that ends it, the deadline is checked once more.
async fn extra_time_given_after_the_sweep_listed_a_paper_wins(b: Backend) {
    let (_t, clock, state) = demo_at_simulated_time(b).await;
    let me = candidate_user(&state, 0).await;
    let proctor_user = staff_user(&state, "proctor").await;
    let (paper_id, _) = started(&state, &me).await;
    let (c, _) = candidate::context(&state, &me).await.expect("context");
    let deadline = paper(&state, paper_id).await.deadline_ms;
    clock.advance_ms(deadline - clock.now_ms() + 1);
    assert_eq!(exams::overdue_papers(&state.db, clock.now_ms()).await.expect("overdue"), vec![paper_id], "the sweep would list it");
    proctor::act(&state, &proctor_user, 1, c.id, &ProctorAction::ExtraTime { minutes: 5, reason: "设备故障补时".into() }).await.expect("extra time");

    // The statement that ends a paper at its deadline checks the deadline itself.
    let mut tx = state.db.writer().begin().await.expect("tx");
    let ended = exams::end_paper(&mut tx, paper_id, exams::PaperStatus::HandedIn, clock.now_ms(), true, None, "{}").await.expect("end");
    drop(tx);
    assert!(!ended, "a paper whose deadline moved is not ended as due");
    // And the sweep's own path says so too.
    let finished = candidate::finish(&state, paper_id, exam_application::exams::lifecycle::Event::TimeUp, None, "time_over").await.expect("finish");
    assert_eq!(finished, candidate::Finished::NotDue);
    assert_eq!(sweeper::sweep(&state).await, 0);
    assert_eq!(paper(&state, paper_id).await.status.as_str(), "in_progress", "the candidate keeps the extra time");
    clock.advance_ms(5 * MINUTE);
    assert_eq!(sweeper::sweep(&state).await, 1, "handed in at the new deadline");
}

both_backends!(
    extra_time_given_after_the_sweep_listed_a_paper_wins,
    a_paper_lives_its_whole_life_in_simulated_time,
    a_paper_whose_deadline_passed_while_nothing_ran_is_handed_in_by_the_next_process,
    proctor_actions_check_role_reason_and_state
);
