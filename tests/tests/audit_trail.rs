//! Evidence that cannot be changed quietly: removing the audit chain's last events is seen
//! (its head is kept outside the table it checks), and scores and certification records are
//! covered by the chain, on both databases.
use e2e_tests::{Backend, TestApp, both_backends};
use exam_server::audit;
use exam_server::clock::now_ms;
use reqwest::Method;

async fn exec(app: &TestApp, sql: &'static str) {
    let mut conn = app.db().writer().acquire().await.expect("conn");
    sqlx::query(sql).execute(&mut *conn).await.expect(sql);
}

async fn removing_the_last_events_is_seen(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    for name in ["operator", "author", "reviewer"] {
        app.signed_in(name).await;
    }
    let dir = app.state.settings.data_dir.clone();
    audit::heads::record(app.db(), &dir, now_ms())
        .await
        .expect("head written");
    assert!(audit::verify(app.db(), &dir).await.expect("verify").ok);
    exec(
        &app,
        "DELETE FROM audit_events WHERE seq > (SELECT MAX(seq) - 5 FROM audit_events)",
    )
    .await;
    let report = audit::verify(app.db(), &dir).await.expect("verify");
    assert!(!report.ok, "a chain cut short must not verify");
    assert!(
        report.reason.as_deref().unwrap_or("").contains("removed"),
        "{report:?}"
    );
}

async fn changed_scores_break_the_chain(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let token = e2e_tests::candidate_token(&app.base, app.db(), 0).await;
    let c = app.client().with_token(&token);
    c.request(Method::POST, "/api/v1/exam/commitment")
        .send()
        .await
        .expect("commitment");
    c.request(Method::POST, "/api/v1/exam/start")
        .send()
        .await
        .expect("start");
    c.request(Method::POST, "/api/v1/exam/hand-in")
        .send()
        .await
        .expect("hand in");
    let dir = app.state.settings.data_dir.clone();
    let report = audit::verify(app.db(), &dir).await.expect("verify");
    assert!(report.ok, "{report:?}");
    exec(
        &app,
        "UPDATE certification_scores SET score = 100000, passed = 1",
    )
    .await;
    let report = audit::verify(app.db(), &dir).await.expect("verify");
    assert!(
        !report.ok
            && report
                .reason
                .as_deref()
                .unwrap_or("")
                .contains("certification record"),
        "{report:?}"
    );
    exec(&app, "DELETE FROM certification_scores").await;
    let report = audit::verify(app.db(), &dir).await.expect("verify");
    assert!(
        !report.ok && report.reason.as_deref().unwrap_or("").contains("gone"),
        "a removed record is seen too: {report:?}"
    );
    exec(
        &app,
        "UPDATE papers SET score = 100000 WHERE status <> 'in_progress'",
    )
    .await;
    let report = audit::verify(app.db(), &dir).await.expect("verify");
    assert!(!report.ok, "{report:?}");
}

both_backends!(
    removing_the_last_events_is_seen,
    changed_scores_break_the_chain
);
