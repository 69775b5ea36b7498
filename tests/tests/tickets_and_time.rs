//! Admission tickets number sessions per institution and year (the deployment's 1000th session
//! is still created), and a proctor's extra time is bounded.
use e2e_tests::{Backend, TestApp, both_backends, open_session, resident_id};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn tickets_number_sessions_per_institution_and_year(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    // As if the deployment had held 1,500 sessions of other institutions already.
    let mut conn = app.db().writer().acquire().await.expect("conn");
    let bump = match b {
        Backend::Sqlite => "UPDATE sqlite_sequence SET seq = 1500 WHERE name = 'exam_sessions'",
        Backend::Postgres => "SELECT setval(pg_get_serial_sequence('exam_sessions', 'id'), 1500)",
    };
    sqlx::query(bump).execute(&mut *conn).await.expect("bump the session ids");
    drop(conn);
    let created = open_session(&app, json!({}), &[("赵六", resident_id(31))]).await;
    assert!(created["session"]["id"].as_i64().unwrap_or(0) > 1000, "{created}");
    let ticket = created["roster"][0]["ticket"].as_str().expect("ticket").to_string();
    // {year}{institution:6}{session:3}{seq:4}: the demo session was this institution's first.
    assert_eq!(&ticket[10..13], "002", "{ticket}");
    let second = open_session(&app, json!({"name": "第二场"}), &[("钱七", resident_id(32))]).await;
    assert_eq!(&second["roster"][0]["ticket"].as_str().expect("ticket")[10..13], "003");
}

async fn extra_time_is_bounded(b: Backend) {
    let app = TestApp::spawn_with(b, |s| s.exam.max_extra_minutes = 15).await;
    exam_application::demo::seed(app.db()).await.expect("seed");
    exam_records::exams::set_required_media(app.db(), 1, &[]).await.expect("no media");
    let token = e2e_tests::candidate_token(&app.base, app.db(), 0).await;
    let c = app.client().with_token(&token);
    c.request(Method::POST, "/api/v1/exam/commitment").send().await.expect("commitment");
    c.request(Method::POST, "/api/v1/exam/start").send().await.expect("start");
    let me = exam_records::exams::candidates(app.db(), 1)
        .await
        .expect("roster")
        .into_iter()
        .find(|x| x.name == exam_application::demo::DEMO_CANDIDATES[0].0)
        .expect("me");
    let proctor = app.signed_in("proctor").await;
    let give = |minutes: i64| {
        let proctor = proctor.clone();
        let path = format!("/api/v1/sessions/1/candidates/{}/actions", me.id);
        async move {
            let r = proctor
                .request(Method::POST, &path)
                .json(&json!({"action": "extra_time", "minutes": minutes, "reason": "网络中断补时"}))
                .send()
                .await
                .expect("act");
            let status = r.status();
            let v: serde_json::Value = r.json().await.unwrap_or_default();
            (status, v["error"].as_str().unwrap_or("").to_string())
        }
    };
    assert_eq!(give(10).await.0, StatusCode::NO_CONTENT);
    assert_eq!(give(5).await.0, StatusCode::NO_CONTENT);
    assert_eq!(give(1).await, (StatusCode::UNPROCESSABLE_ENTITY, "extra_time_limit".to_string()), "fifteen minutes in all");
}

both_backends!(tickets_number_sessions_per_institution_and_year, extra_time_is_bounded);
