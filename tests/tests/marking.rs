//! Short answers are marked twice, blind; a third marker settles a disagreement beyond the
//! session's threshold; the paper's score and the certification record follow the last mark.
use e2e_tests::{Backend, TestApp, both_backends, call, open_session, resident_id};
use exam_application::demo::DEMO_PASSWORD;
use exam_client::Client;
use exam_protocol::{CandidatePaper, ExamStatus, ItemStatus, ItemType, MarkOutcome, MarkingProgress, MarkingTask, Points};
use exam_records::{exams, items};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Approves the demo bank's short-answer item and sets a level-5 blueprint that draws it.
async fn short_answer_blueprint(app: &TestApp) {
    let search = items::Search { item_type: Some(ItemType::ShortAnswer), limit: 10, ..Default::default() };
    let (_, found) = items::search(app.db(), 1, &search).await.expect("search");
    let mut tx = app.db().writer().begin().await.expect("tx");
    for r in &found {
        items::set_status(&mut tx, r.version_id, ItemStatus::InReview, ItemStatus::Approved, Some((1, None, 0))).await.expect("approve");
    }
    tx.commit().await.expect("commit");
    let admin = app.signed_in("admin").await;
    let bp = json!({"level": 5, "scope_weights": {"A": 20, "B": 80}, "types": [
        {"item_type": "single_choice", "count": 5, "points_each": 2000},
        {"item_type": "short_answer", "count": 1, "points_each": 10000}
    ]});
    let feas: Value = call(&admin, Method::PUT, "/api/v1/banks/1/blueprints/5", Some(bp)).await.expect("blueprint");
    assert_eq!(feas["shortfalls"], json!([]), "{feas}");
}

async fn sit(app: &TestApp, ticket: &str, id: &str, text: &str) -> i64 {
    let login: Value = call(&app.client(), Method::POST, "/api/v1/exam/login", Some(json!({"ticket": ticket, "id_number": id, "password": DEMO_PASSWORD})))
        .await
        .expect("sign in");
    let c = Client::new(&app.base).with_token(login["token"].as_str().expect("token"));
    call::<ExamStatus>(&c, Method::POST, "/api/v1/exam/commitment", None).await.expect("commitment");
    let paper: CandidatePaper = call(&c, Method::POST, "/api/v1/exam/start", None).await.expect("start");
    let short = paper.questions.iter().find(|q| q.item.item_type == ItemType::ShortAnswer).expect("a short answer on the paper");
    call::<Value>(&c, Method::POST, "/api/v1/exam/answers", Some(json!({"seq": 1, "no": short.no, "response": {"kind": "text", "value": text}})))
        .await
        .expect("answer");
    call::<Value>(&c, Method::POST, "/api/v1/exam/hand-in", None).await.expect("hand in");
    let st: ExamStatus = call(&c, Method::GET, "/api/v1/exam/status", None).await.expect("status");
    assert_eq!(st.score, None, "the score waits for the markers");
    paper.paper_id
}

async fn mark(c: &Client, task: i64, thousandths: u32) -> Result<MarkOutcome, (StatusCode, Value)> {
    call(c, Method::POST, &format!("/api/v1/marking/{task}"), Some(json!({"points": thousandths, "comment": "依据参考答案"}))).await
}

async fn next(c: &Client) -> Option<MarkingTask> {
    call(c, Method::GET, "/api/v1/marking/next", None).await.expect("next")
}

async fn two_markers_agree_or_a_third_decides(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    short_answer_blueprint(&app).await;
    let admin = app.signed_in("admin").await;
    let inst = admin.me().await.expect("me").institution_id;
    let third: Value = call(
        &admin,
        Method::POST,
        "/api/v1/users",
        Some(json!({
            "username": "proctor3", "display_name": "考评员三", "password": "long-password-1", "role": "proctor", "institution_id": inst
        })),
    )
    .await
    .expect("third examiner");
    let proctors: Vec<i64> = admin.users().await.expect("users").into_iter().filter(|u| u.role == exam_protocol::Role::Proctor).map(|u| u.id).collect();
    assert_eq!(proctors.len(), 3);
    let (id1, id2) = (resident_id(11), resident_id(12));
    let created =
        open_session(&app, json!({"level": 5, "marker_ids": proctors, "marking_threshold_pct": 20}), &[("钱一", id1.clone()), ("吴二", id2.clone())]).await;
    let session = created["session"]["id"].as_i64().expect("id");
    let tickets: Vec<String> = created["roster"].as_array().expect("roster").iter().map(|r| r["ticket"].as_str().expect("ticket").to_string()).collect();
    let p1 = sit(&app, &tickets[0], &id1, "断开电源，检查呼吸，呼救并进行心肺复苏。").await;
    let p2 = sit(&app, &tickets[1], &id2, "拉开触电者。").await;
    assert!(exams::certification_scores(app.db(), "resident_id", &id1).await.expect("record").is_empty(), "no record before marking");

    let m1 = app.signed_in("proctor").await;
    let m2 = app.signed_in("proctor2").await;
    let mut m3 = app.client();
    m3.login("proctor3", "long-password-1").await.expect("third signs in");
    assert_eq!(third["role"], "proctor");

    // Blind and anonymous: the task names no candidate and no other mark.
    let raw = m1.request(Method::GET, "/api/v1/marking/next").send().await.expect("next").text().await.expect("text");
    for secret in [tickets[0].as_str(), "钱一", id1.as_str(), "marker"] {
        assert!(!raw.contains(secret), "the marker does not see {secret}: {raw}");
    }
    let t1 = next(&m1).await.expect("a task");
    assert_eq!((t1.max_points, t1.waiting), (Points(10_000), 2));
    assert!(t1.reference.as_deref().is_some_and(|r| r.contains("心肺复苏")));
    assert!(t1.response.contains("断开电源"));

    // First answer: 8 and 7 agree within 20 % of 10 points: 7.5.
    assert_eq!(mark(&m1, t1.id, 8000).await.expect("mark").settled, None);
    let (s, v) = mark(&m1, t1.id, 8000).await.expect_err("twice");
    assert_eq!((s, v["error"].as_str()), (StatusCode::CONFLICT, Some("already_marked")));
    let (s, v) = mark(&m2, t1.id, 10_001).await.expect_err("too many points");
    assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_points")));
    let t = next(&m2).await.expect("m2's first task");
    assert_eq!(t.id, t1.id, "the oldest answer first");
    let o = mark(&m2, t1.id, 7000).await.expect("second mark");
    assert_eq!(o.settled, Some(Points(7500)));
    // 5 single choices (whatever was answered: nothing, 0) + 7.5 of 10 → 7.5 of 20 → 37.5.
    assert_eq!(o.paper_score, Some(Points(37_500)));
    let (s, v) = mark(&m3, t1.id, 1000).await.expect_err("settled");
    assert_eq!((s, v["error"].as_str()), (StatusCode::CONFLICT, Some("marking_settled")));
    let rec = exams::certification_scores(app.db(), "resident_id", &id1).await.expect("record");
    assert_eq!((rec.len(), rec[0].score, rec[0].passed), (1, 37_500, false));
    assert_eq!(exams::paper(app.db(), p1).await.expect("paper").expect("exists").score, Some(37_500));

    // Second answer: 2 and 9 disagree; a third marker gives 8: the closest pair, 8 and 9: 8.5.
    let t2 = next(&m1).await.expect("second task");
    assert_ne!(t2.id, t1.id);
    mark(&m1, t2.id, 2000).await.expect("mark");
    let o = mark(&m2, t2.id, 9000).await.expect("mark");
    assert_eq!(o.settled, None, "beyond the threshold: a third marker");
    let progress: MarkingProgress = call(&admin, Method::GET, &format!("/api/v1/sessions/{session}/marking"), None).await.expect("progress");
    assert_eq!((progress.answers, progress.settled, progress.awaiting_third, progress.papers_waiting), (2, 1, 1, 1));
    assert!(next(&m1).await.is_none(), "those who marked it already are not asked again");
    let t3 = next(&m3).await.expect("the third marker's task");
    assert_eq!(t3.id, t2.id);
    let o = mark(&m3, t2.id, 8000).await.expect("third mark");
    assert_eq!((o.settled, o.paper_score), (Some(Points(8500)), Some(Points(42_500))));
    assert_eq!(exams::paper(app.db(), p2).await.expect("paper").expect("exists").score, Some(42_500));
    assert!(next(&m3).await.is_none());

    // Outsiders: a candidate may not mark, the demo session's proctors see nothing of another.
    let candidate = Client::new(&app.base).with_token(&e2e_tests::candidate_token(&app.base, app.db(), 0).await);
    let (s, _) = mark(&candidate, t2.id, 1000).await.expect_err("candidate");
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn a_marker_of_another_session_cannot_mark(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    short_answer_blueprint(&app).await;
    let admin = app.signed_in("admin").await;
    let inst = admin.me().await.expect("me").institution_id;
    for name in ["proctor3", "proctor4"] {
        call::<Value>(
            &admin,
            Method::POST,
            "/api/v1/users",
            Some(json!({
                "username": name, "display_name": name, "password": "long-password-1", "role": "proctor", "institution_id": inst
            })),
        )
        .await
        .expect("examiner");
    }
    let users = admin.users().await.expect("users");
    let id_of = |n: &str| users.iter().find(|u| u.username == n).expect("user").id;
    let id = resident_id(21);
    let created = open_session(&app, json!({"level": 5, "marker_ids": [id_of("proctor3"), id_of("proctor4")]}), &[("郑三", id.clone())]).await;
    let ticket = created["roster"][0]["ticket"].as_str().expect("ticket").to_string();
    sit(&app, &ticket, &id, "答案").await;
    let mut m3 = app.client();
    m3.login("proctor3", "long-password-1").await.expect("sign in");
    let task = next(&m3).await.expect("proctor3 marks this session");
    // The session's proctors are not its markers here.
    let outsider = app.signed_in("proctor").await;
    assert!(next(&outsider).await.is_none());
    let (s, v) = mark(&outsider, task.id, 1000).await.expect_err("not a marker");
    assert_eq!((s, v["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (s, v) = mark(&m3, 999_999, 1000).await.expect_err("no such task");
    assert_eq!((s, v["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    // Markers must be examiners of the institution, two at least.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64;
    for (markers, code) in [(json!([id_of("proctor3")]), "too_few_markers"), (json!([id_of("proctor3"), id_of("admin")]), "not_a_marker")] {
        let body = json!({
            "bank_id": 1, "level": 5, "batch": "b", "name": "n", "room": "r", "starts_at_ms": now + 86_400_000,
            "proctor_ids": [id_of("proctor"), id_of("proctor2")], "marker_ids": markers,
            "candidates": [{"name": "王五", "id_kind": "resident_id", "id_number": resident_id(31)}]
        });
        let (s, v) = call::<Value>(&admin, Method::POST, "/api/v1/sessions", Some(body)).await.expect_err(code);
        assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)));
    }
}

/// Markers read the answer as it stood when the paper ended, even if another row reaches the
/// table afterwards (as answers committed after a hand-in once did).
async fn markers_read_the_answer_as_handed_in(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    short_answer_blueprint(&app).await;
    let id = resident_id(21);
    let created = open_session(&app, json!({"level": 5}), &[("孙三", id.clone())]).await;
    let ticket = created["roster"][0]["ticket"].as_str().expect("ticket").to_string();
    let paper_id = sit(&app, &ticket, &id, "交卷时的答案").await;
    let row = exams::paper(app.db(), paper_id).await.expect("paper").expect("exists");
    let frozen: Vec<Value> = serde_json::from_str(&row.questions).expect("questions");
    let no = frozen.iter().position(|q| q["item_type"] == "short_answer").map(|i| i as i64 + 1).expect("short answer");
    let mut conn = app.db().writer().acquire().await.expect("conn");
    sqlx::query("INSERT INTO answer_events (paper_id, client_seq, question_no, response, received_at_ms) VALUES ($1, 2, $2, $3, $4)")
        .bind(paper_id)
        .bind(no)
        .bind(r#"{"kind":"text","value":"交卷之后的答案"}"#)
        .bind(exam_application::clock::now_ms())
        .execute(&mut *conn)
        .await
        .expect("a later row");
    drop(conn);
    let task = next(&app.signed_in("proctor").await).await.expect("a task");
    assert_eq!(task.response, "交卷时的答案");
}

/// A session's marking threshold that cannot be read (out of range in the database) stops the
/// marking with an error, never a threshold guessed for it; and a stored answer that cannot be
/// read is an error for the marker, never an empty answer to give no points to.
async fn unreadable_marking_values_are_errors_not_guesses(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    short_answer_blueprint(&app).await;
    let id = resident_id(22);
    let created = open_session(&app, json!({"level": 5, "marking_threshold_pct": 20}), &[("周四", id.clone())]).await;
    let session = created["session"]["id"].as_i64().expect("id");
    let ticket = created["roster"][0]["ticket"].as_str().expect("ticket").to_string();
    let paper_id = sit(&app, &ticket, &id, "交卷时的答案").await;
    let marker = app.signed_in("proctor").await;
    let task = next(&marker).await.expect("a task");
    sqlx::query("UPDATE exam_sessions SET marking_threshold_pct = -5 WHERE id = $1").bind(session).execute(app.db().writer()).await.expect("corrupt");
    let (s, v) = mark(&marker, task.id, 5000).await.expect_err("no guessed threshold");
    assert_eq!((s, v["error"].as_str()), (StatusCode::INTERNAL_SERVER_ERROR, Some("internal_error")));
    assert!(exams::paper(app.db(), paper_id).await.expect("paper").expect("exists").score.is_none(), "nothing settled");

    sqlx::query("UPDATE answer_events SET response = 'not json' WHERE paper_id = $1").bind(paper_id).execute(app.db().writer()).await.expect("corrupt");
    let (s, v) = call::<Value>(&marker, Method::GET, "/api/v1/marking/next", None).await.expect_err("no empty answer shown");
    assert_eq!((s, v["error"].as_str()), (StatusCode::INTERNAL_SERVER_ERROR, Some("internal_error")));
}

both_backends!(
    two_markers_agree_or_a_third_decides,
    a_marker_of_another_session_cannot_mark,
    markers_read_the_answer_as_handed_in,
    unreadable_marking_values_are_errors_not_guesses
);
