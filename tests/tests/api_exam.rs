//! A candidate's whole theory test through the API on both databases: sign in with ticket and
//! ID, commitment, start, answer, hand in, score in the certification record; and the bad
//! input the delivery must refuse without changing anything saved.
use e2e_tests::{Backend, TestApp, both_backends, call};
use exam_application::demo::{DEMO_CANDIDATES, DEMO_PASSWORD};
use exam_client::Client;
use exam_protocol::{CandidatePaper, ExamStatus, ItemType, Key, Stage};
use exam_records::items;

mod exams {
    pub use exam_records::exams::*;

    pub async fn sweeper_handed_in(app: &e2e_tests::TestApp) -> usize {
        exam_application::exams::sweeper::sweep(&app.state).await
    }
}
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn ticket_of(app: &TestApp, name: &str) -> String {
    let roster = exams::candidates(app.db(), 1).await.expect("roster");
    roster.into_iter().find(|c| c.name == name).expect("on the roster").ticket
}

async fn sign_in(app: &TestApp, which: usize) -> Client {
    app.client().with_token(&e2e_tests::candidate_token(&app.base, app.db(), which).await)
}

/// The letter the candidate's copy shows a bank option under: its place in the paper's order.
fn shown(spec: &question_bank::paper::PaperQuestion, bank_id: &str) -> String {
    let n = spec.choice_order.iter().position(|c| c == bank_id).expect("on the paper");
    char::from(b'A' + n as u8).to_string()
}

/// The right answer to each question, read from the database as a test may, named as the
/// candidate's copy names options.
async fn right_answers(app: &TestApp, paper_id: i64) -> Vec<Value> {
    let p = exams::paper(app.db(), paper_id).await.expect("paper").expect("exists");
    let specs: Vec<question_bank::paper::PaperQuestion> = serde_json::from_str(&p.questions).expect("questions");
    let mut out = Vec::new();
    for spec in specs {
        let v = items::version(app.db(), spec.version_id).await.expect("version").expect("exists");
        out.push(match v.content.key {
            Key::Single { choice } => json!({"kind": "choices", "value": [shown(&spec, &choice)]}),
            Key::Multiple { choices } => json!({"kind": "choices", "value": choices.iter().map(|c| shown(&spec, c)).collect::<Vec<_>>()}),
            Key::TrueFalse { value } => json!({"kind": "true_false", "value": value}),
            Key::FillIn { blanks } => json!({"kind": "blanks", "value": blanks.iter().map(|b| b[0].clone()).collect::<Vec<_>>()}),
            Key::ShortAnswer { .. } => json!({"kind": "text", "value": "答"}),
        });
    }
    out
}

async fn a_whole_test_ends_in_the_certification_record(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let c = sign_in(&app, 0).await;
    let st: ExamStatus = call(&c, Method::GET, "/api/v1/exam/status", None).await.expect("status");
    assert_eq!((st.stage, st.candidate_name.as_str()), (Stage::Commitment, "李明"));
    let (s, v) = call::<Value>(&c, Method::POST, "/api/v1/exam/start", None).await.expect_err("no commitment");
    assert_eq!((s, v["error"].as_str()), (StatusCode::CONFLICT, Some("commitment_required")));
    let st: ExamStatus = call(&c, Method::POST, "/api/v1/exam/commitment", None).await.expect("commitment");
    assert_eq!(st.stage, Stage::Ready);

    let paper: CandidatePaper = call(&c, Method::POST, "/api/v1/exam/start", None).await.expect("start");
    assert_eq!(paper.questions.len(), 7, "5 single, 1 multiple, 1 true/false");
    assert!(paper.remaining_ms > 80 * 60_000);
    let raw = c.request(Method::GET, "/api/v1/exam/paper").send().await.expect("paper").text().await.expect("text");
    for secret in ["\"key\"", "seed", "version_id", "\"fixed\""] {
        assert!(!raw.contains(secret), "the candidate's copy holds no {secret}: {raw}");
    }
    let again: CandidatePaper = call(&c, Method::POST, "/api/v1/exam/start", None).await.expect("start again");
    assert_eq!(again.questions, paper.questions, "starting twice gives the same frozen paper");

    let answers = right_answers(&app, paper.paper_id).await;
    // A wrong answer first, then the right one under a later sequence number.
    let first = &paper.questions[0];
    let wrong = match first.item.item_type {
        ItemType::TrueFalse => {
            json!({"kind": "true_false", "value": answers[0]["value"] != json!(true)})
        }
        _ => {
            json!({"kind": "choices", "value": [first.item.choices.iter().map(|ch| ch.id.clone()).find(|id| json!([id]) != answers[0]["value"]).expect("another option")]})
        }
    };
    let ack: Value = call(&c, Method::POST, "/api/v1/exam/answers", Some(json!({"seq": 1, "no": 1, "response": wrong}))).await.expect("answer");
    assert_eq!(ack["duplicate"], false);
    for (i, a) in answers.iter().enumerate() {
        let seq = i as i64 + 2;
        let ack: Value = call(&c, Method::POST, "/api/v1/exam/answers", Some(json!({"seq": seq, "no": i + 1, "response": a}))).await.expect("answer");
        assert_eq!(ack["seq"], seq);
    }
    // A resend is acknowledged and changes nothing.
    let ack: Value = call(&c, Method::POST, "/api/v1/exam/answers", Some(json!({"seq": 2, "no": 1, "response": answers[0]}))).await.expect("resend");
    assert_eq!(ack["duplicate"], true);
    // Signing in again (another browser) finds the same paper and answers.
    let c2 = sign_in(&app, 0).await;
    let resumed: CandidatePaper = call(&c2, Method::GET, "/api/v1/exam/paper", None).await.expect("resume");
    assert_eq!((resumed.paper_id, resumed.answers.len(), resumed.last_seq), (paper.paper_id, 7, 8));

    let st: ExamStatus = call(&c2, Method::POST, "/api/v1/exam/hand-in", None).await.expect("hand in");
    assert_eq!(st.stage, Stage::HandedIn);
    assert_eq!(st.score.map(|p| p.0), Some(100_000), "every answer right: 100");
    assert_eq!(st.passed, Some(true));
    let record = exams::certification_scores(app.db(), "resident_id", DEMO_CANDIDATES[0].1).await.expect("record");
    assert_eq!(record.len(), 1);
    let detail: String =
        sqlx::query_scalar("SELECT score_detail FROM papers WHERE id = $1").bind(paper.paper_id).fetch_one(app.db().reader()).await.expect("detail");
    let detail: Value = serde_json::from_str(&detail).expect("json");
    let scopes = detail["by_scope"].as_object().expect("score per outline scope");
    let sum: u64 = scopes.values().filter_map(Value::as_u64).sum();
    assert!(scopes.contains_key("A") && scopes.contains_key("B"), "{detail}");
    assert_eq!(Some(sum), detail["raw"].as_u64(), "the scopes add up to the raw score");
    assert_eq!((record[0].component.as_str(), record[0].score, record[0].passed, record[0].level), ("theory", 100_000, true, 4));
    // The session's score summary (成绩汇总表) lists the result, as CSV and XLSX.
    let admin = app.signed_in("admin").await;
    let csv = admin.request(Method::GET, "/api/v1/sessions/1/summary?format=csv").send().await.expect("csv").text().await.expect("text");
    assert!(csv.starts_with('\u{feff}') && csv.contains("\"李明\"") && csv.contains("\"100\",\"合格\""), "{csv}");
    assert!(!csv.contains(DEMO_CANDIDATES[0].1), "the summary masks ID numbers");
    let xlsx = admin.request(Method::GET, "/api/v1/sessions/1/summary?format=xlsx").send().await.expect("xlsx").bytes().await.expect("bytes");
    assert!(xlsx.starts_with(b"PK"), "an XLSX workbook");
    // After hand-in nothing more is taken.
    let (s, v) = call::<Value>(&c, Method::POST, "/api/v1/exam/answers", Some(json!({"seq": 99, "no": 1, "response": answers[0]}))).await.expect_err("late");
    assert_eq!((s, v["error"].as_str()), (StatusCode::CONFLICT, Some("paper_ended")));
    let (_, v) = call::<Value>(&c, Method::POST, "/api/v1/exam/hand-in", None).await.expect_err("twice");
    assert_eq!(v["error"].as_str(), Some("paper_ended"));
    assert_eq!(exams::answer_count(app.db(), paper.paper_id).await.expect("count"), 8);
}

async fn bad_input_is_refused_and_changes_nothing(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let ticket = ticket_of(&app, DEMO_CANDIDATES[1].0).await;
    // Wrong ID for the ticket, a valid ID of someone else, a malformed ID, an unknown ticket:
    // all the same answer.
    for (t, id) in [(ticket.as_str(), DEMO_CANDIDATES[0].1), (ticket.as_str(), "510107199508152460"), ("2026999999999", DEMO_CANDIDATES[1].1)] {
        let (s, v) = call::<Value>(&app.client(), Method::POST, "/api/v1/exam/login", Some(json!({"ticket": t, "id_number": id, "password": DEMO_PASSWORD})))
            .await
            .expect_err("refused");
        assert_eq!((s, v["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_credentials")), "{t} {id}");
    }
    let c = sign_in(&app, 1).await;
    call::<ExamStatus>(&c, Method::POST, "/api/v1/exam/commitment", None).await.expect("commitment");
    let paper: CandidatePaper = call(&c, Method::POST, "/api/v1/exam/start", None).await.expect("start");
    let single = paper.questions.iter().find(|q| q.item.item_type == ItemType::SingleChoice).expect("a single-choice question");
    let ok = json!({"kind": "choices", "value": [single.item.choices[0].id]});
    let cases = [
        (json!({"seq": 1, "no": 99, "response": ok}), "no_such_question"),
        (json!({"seq": 1, "no": single.no, "response": {"kind": "choices", "value": ["Z"]}}), "unknown_choice"),
        (json!({"seq": 1, "no": single.no, "response": {"kind": "true_false", "value": true}}), "wrong_response_shape"),
        (json!({"seq": 1, "no": single.no, "response": {"kind": "choices", "value": ["A", "B"]}}), "too_many_choices"),
        (json!({"seq": 0, "no": single.no, "response": ok}), "invalid_sequence"),
    ];
    for (body, code) in cases {
        let (s, v) = call::<Value>(&c, Method::POST, "/api/v1/exam/answers", Some(body)).await.expect_err(code);
        assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)));
    }
    assert_eq!(exams::answer_count(app.db(), paper.paper_id).await.expect("count"), 0, "nothing was stored");
    // Another candidate's session cannot see this paper: each sees only their own.
    let other = sign_in(&app, 2).await;
    let (s, _) = call::<Value>(&other, Method::GET, "/api/v1/exam/paper", None).await.expect_err("no paper yet");
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Staff accounts cannot answer.
    let (s, _) = call::<Value>(&app.signed_in("proctor").await, Method::POST, "/api/v1/exam/answers", Some(json!({"seq": 1, "no": 1, "response": ok})))
        .await
        .expect_err("staff");
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn sessions_are_checked_before_they_exist(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let admin = app.signed_in("admin").await;
    let proctors: Vec<i64> = admin.users().await.expect("users").into_iter().filter(|u| u.role == exam_protocol::Role::Proctor).map(|u| u.id).collect();
    let base = json!({
        "bank_id": 1, "level": 4, "batch": "2026-12", "name": "电工四级理论", "room": "第二考场",
        "starts_at_ms": 4_000_000_000_000_i64, "proctor_ids": proctors,
        "candidates": [{"name": "赵六", "id_kind": "resident_id", "id_number": "11010519491231002X"}]
    });
    let created: Value = call(&admin, Method::POST, "/api/v1/sessions", Some(base.clone())).await.expect("create");
    let roster = created["roster"].as_array().expect("roster");
    assert_eq!(roster[0]["id_masked"], "110***********002X");
    assert!(roster[0]["password"].as_str().is_some_and(|p| p.len() >= 6), "a one-time code is issued");
    let mut one_proctor = base.clone();
    one_proctor["proctor_ids"] = json!([proctors[0]]);
    let mut bad_id = base.clone();
    bad_id["candidates"][0]["id_number"] = json!("110105194912310021");
    let mut level_3_unfiled = base.clone();
    level_3_unfiled["bank_id"] = json!(1);
    level_3_unfiled["level"] = json!(2);
    let mut short = base.clone();
    short["duration_minutes"] = json!(60);
    // A level-3 blueprint that the outline (weights for level 4 only) cannot apportion: refused
    // when the session is made, not when the first candidate starts.
    let bp3 = json!({"level": 3, "types": [{"item_type": "single_choice", "count": 2, "points_each": 2000}]});
    call::<Value>(&admin, Method::PUT, "/api/v1/banks/1/blueprints/3", Some(bp3)).await.expect("blueprint");
    let mut level_3 = base.clone();
    level_3["level"] = json!(3);
    for (body, code) in [
        (one_proctor, "too_few_proctors"),
        (bad_id, "invalid_id_checksum"),
        (base.clone(), "candidate_overlap"),
        (level_3_unfiled, "level_not_in_bank"),
        (short, "invalid_duration"),
        (level_3, "invalid_blueprint"),
    ] {
        let (s, v) = call::<Value>(&admin, Method::POST, "/api/v1/sessions", Some(body)).await.expect_err(code);
        assert_eq!(v["error"].as_str(), Some(code), "{s} {v}");
    }
}

async fn time_over_refuses_answers_and_hands_in_by_itself(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let c = sign_in(&app, 2).await;
    call::<ExamStatus>(&c, Method::POST, "/api/v1/exam/commitment", None).await.expect("commitment");
    let paper: CandidatePaper = call(&c, Method::POST, "/api/v1/exam/start", None).await.expect("start");
    let answers = right_answers(&app, paper.paper_id).await;
    call::<Value>(&c, Method::POST, "/api/v1/exam/answers", Some(json!({"seq": 1, "no": 1, "response": answers[0]}))).await.expect("in time");
    // The stored deadline passes (as if the server had been down through it).
    sqlx::query("UPDATE papers SET deadline_ms = 1000 WHERE id = $1").bind(paper.paper_id).execute(app.db().writer()).await.expect("move deadline");
    // The edit went behind the server's back: drop what it remembers of this paper's clock.
    app.state.papers.invalidate(paper.paper_id);
    let (s, v) = call::<Value>(&c, Method::POST, "/api/v1/exam/answers", Some(json!({"seq": 2, "no": 2, "response": answers[1]}))).await.expect_err("late");
    assert_eq!((s, v["error"].as_str()), (StatusCode::CONFLICT, Some("time_over")));
    // This sweep, or the server's own one running meanwhile, hands the paper in: once.
    let here = exams::sweeper_handed_in(&app).await;
    let hand_ins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'paper.hand_in' AND target = $1")
        .bind(format!("paper:{}", paper.paper_id))
        .fetch_one(app.db().reader())
        .await
        .expect("audit");
    assert_eq!(hand_ins, 1, "handed in once, by this sweep ({here}) or the server's");
    let st: ExamStatus = call(&c, Method::GET, "/api/v1/exam/status", None).await.expect("status");
    assert_eq!(st.stage, Stage::HandedIn);
    let one_of_seven = st.score.expect("scored").0;
    assert!(one_of_seven > 0 && one_of_seven < 100_000, "the one answer given in time counts: {one_of_seven}");
    assert_eq!(exams::answer_count(app.db(), paper.paper_id).await.expect("count"), 1);
    assert_eq!(exams::sweeper_handed_in(&app).await, 0, "a second sweep finds nothing");
}

async fn proctors_pause_extend_and_terminate(b: Backend) {
    use exam_protocol::{RoomCandidate, RoomEvent};
    let app = TestApp::spawn_demo(b).await;
    let c = sign_in(&app, 0).await;
    call::<ExamStatus>(&c, Method::POST, "/api/v1/exam/commitment", None).await.expect("commitment");
    let paper: CandidatePaper = call(&c, Method::POST, "/api/v1/exam/start", None).await.expect("start");
    let r = c.request(Method::POST, "/api/v1/exam/events").json(&json!({"kind": "fullscreen_exit"})).send().await.expect("event");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let proctor = app.signed_in("proctor").await;
    let room: Vec<RoomCandidate> = call(&proctor, Method::GET, "/api/v1/sessions/1/room", None).await.expect("room");
    assert_eq!(room.len(), 3);
    let me = room.iter().find(|r| r.name == DEMO_CANDIDATES[0].0).expect("on the list");
    assert_eq!((me.stage, me.questions, me.integrity_events), (Stage::InProgress, 7, 1));
    assert!(me.id_masked.contains('*') && !me.id_masked.contains(&DEMO_CANDIDATES[0].1[6..14]), "ID numbers are masked");
    let act = |body: Value| {
        let proctor = proctor.clone();
        let path = format!("/api/v1/sessions/1/candidates/{}/actions", me.candidate_id);
        async move { proctor.request(Method::POST, &path).json(&body).send().await.expect("act") }
    };
    let r = act(json!({"action": "pause", "reason": ""})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a reason is required");
    assert_eq!(act(json!({"action": "pause", "reason": "考生设备故障"})).await.status(), StatusCode::NO_CONTENT);
    let st: ExamStatus = call(&c, Method::GET, "/api/v1/exam/status", None).await.expect("status");
    assert_eq!(st.stage, Stage::Paused);
    let (s, v) = call::<Value>(&c, Method::POST, "/api/v1/exam/answers", Some(json!({"seq": 1, "no": 1, "response": {"kind": "choices", "value": []}})))
        .await
        .expect_err("paused");
    assert_eq!((s, v["error"].as_str()), (StatusCode::CONFLICT, Some("paper_paused")));
    assert_eq!(act(json!({"action": "resume"})).await.status(), StatusCode::NO_CONTENT);
    let before = exams::paper(app.db(), paper.paper_id).await.expect("paper").expect("exists").deadline_ms;
    assert_eq!(act(json!({"action": "extra_time", "minutes": 10, "reason": "网络中断补时"})).await.status(), StatusCode::NO_CONTENT);
    let after = exams::paper(app.db(), paper.paper_id).await.expect("paper").expect("exists").deadline_ms;
    assert!(after >= before + 10 * 60_000, "ten minutes more");
    // A proctor of another room sees nothing; the admin may look but not act.
    let admin = app.signed_in("admin").await;
    let inst = admin.me().await.expect("me").institution_id;
    admin
        .create_user(&exam_protocol::NewAccount {
            username: "proctor3".into(),
            display_name: "别的考场".into(),
            password: "long-password-1".into(),
            role: exam_protocol::Role::Proctor,
            institution_id: inst,
        })
        .await
        .expect("proctor3");
    let mut other = app.client();
    other.login("proctor3", "long-password-1").await.expect("login");
    let (s, _) = call::<Value>(&other, Method::GET, "/api/v1/sessions/1/room", None).await.expect_err("not theirs");
    assert_eq!(s, StatusCode::NOT_FOUND);
    call::<Vec<RoomCandidate>>(&admin, Method::GET, "/api/v1/sessions/1/room", None).await.expect("admin looks");
    let r = admin
        .request(Method::POST, &format!("/api/v1/sessions/1/candidates/{}/actions", me.candidate_id))
        .json(&json!({"action": "resume"}))
        .send()
        .await
        .expect("act");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(act(json!({"action": "terminate", "reason": "替考"})).await.status(), StatusCode::NO_CONTENT);
    let st: ExamStatus = call(&c, Method::GET, "/api/v1/exam/status", None).await.expect("status");
    assert_eq!(st.stage, Stage::Terminated);
    let feed: Vec<RoomEvent> = call(&proctor, Method::GET, "/api/v1/sessions/1/events?after=0", None).await.expect("feed");
    let kinds: Vec<&str> = feed.iter().map(|e| e.kind.as_str()).collect();
    for k in ["signed_in", "commitment", "started", "integrity", "pause", "resume", "extra_time", "terminated"] {
        assert!(kinds.contains(&k), "{k} in the room's record: {kinds:?}");
    }
    assert!(
        exams::certification_scores(app.db(), "resident_id", DEMO_CANDIDATES[0].1).await.expect("record").is_empty(),
        "a terminated paper gives no certification score"
    );
}

/// The deployment's rules are the ones a session is checked against: with three proctors the
/// least a room may have, the demo's two are refused; with the notice's two, accepted.
async fn sessions_follow_the_configured_rules(b: Backend) {
    let strict = TestApp::spawn_with(b, |s| s.rules.min_proctors = 3).await;
    exam_application::demo::seed(&strict.store.db).await.expect("demo");
    let admin = strict.signed_in("admin").await;
    let proctors: Vec<i64> = admin.users().await.expect("users").into_iter().filter(|u| u.role == exam_protocol::Role::Proctor).map(|u| u.id).collect();
    assert_eq!(proctors.len(), 2);
    let now = exam_application::clock::now_ms();
    let body = json!({
        "bank_id": 1, "level": 4, "batch": "b", "name": "n", "room": "r", "starts_at_ms": now + 86_400_000, "proctor_ids": proctors,
        "candidates": [{"name": "王五", "id_kind": "resident_id", "id_number": e2e_tests::resident_id(41)}]
    });
    let (s, v) = call::<Value>(&admin, Method::POST, "/api/v1/sessions", Some(body.clone())).await.expect_err("three proctors needed");
    assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("too_few_proctors")));
    let usual = TestApp::spawn_demo(b).await;
    let admin = usual.signed_in("admin").await;
    let created: Value = call(&admin, Method::POST, "/api/v1/sessions", Some(body)).await.expect("two proctors are enough by the notice");
    let length = created["session"]["deadline_ms"].as_i64().expect("deadline") - created["session"]["starts_at_ms"].as_i64().expect("start");
    assert_eq!(length, 90 * 60_000, "the notice's length by default: {created}");
}

both_backends!(
    sessions_follow_the_configured_rules,
    proctors_pause_extend_and_terminate,
    time_over_refuses_answers_and_hands_in_by_itself,
    a_whole_test_ends_in_the_certification_record,
    bad_input_is_refused_and_changes_nothing,
    sessions_are_checked_before_they_exist
);
