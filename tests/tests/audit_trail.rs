//! Evidence that cannot be changed quietly: removing the audit chain's last events is seen
//! (its head is kept outside the table it checks), and scores and certification records are
//! covered by the chain, on both databases.
use e2e_tests::{Backend, TestApp, both_backends};
use exam_application::audit;
use exam_application::clock::now_ms;
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
    let written = audit::heads::record(app.db(), &dir, now_ms(), None).await.expect("head written");
    assert!(written.is_some());
    assert_eq!(audit::heads::record(app.db(), &dir, now_ms(), written).await.expect("unchanged"), written, "nothing new, nothing written");
    assert!(audit::verify(app.db(), &dir).await.expect("verify").ok);
    exec(&app, "DELETE FROM audit_events WHERE seq > (SELECT MAX(seq) - 5 FROM audit_events)").await;
    let report = audit::verify(app.db(), &dir).await.expect("verify");
    assert!(!report.ok, "a chain cut short must not verify");
    assert!(report.reason.as_deref().unwrap_or("").contains("removed"), "{report:?}");
}

/// Demo candidate 0's paper, handed in at once; the data directory's audit check holds.
async fn handed_in(app: &TestApp) -> std::path::PathBuf {
    let token = e2e_tests::candidate_token(&app.base, app.db(), 0).await;
    let c = app.client().with_token(&token);
    for step in ["commitment", "start", "hand-in"] {
        c.request(Method::POST, &format!("/api/v1/exam/{step}")).send().await.expect(step);
    }
    let dir = app.state.settings.data_dir.clone();
    let report = audit::verify(app.db(), &dir).await.expect("verify");
    assert!(report.ok, "{report:?}");
    dir
}

async fn reason(app: &TestApp, dir: &std::path::Path) -> String {
    let report = audit::verify(app.db(), dir).await.expect("verify");
    assert!(!report.ok, "a changed record must not verify: {report:?}");
    report.reason.unwrap_or_default()
}

async fn changed_certification_records_break_the_chain(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let dir = handed_in(&app).await;
    exec(&app, "UPDATE certification_scores SET score = 100000, passed = 1").await;
    assert!(reason(&app, &dir).await.contains("certification record"));
    exec(&app, "DELETE FROM certification_scores").await;
    assert!(reason(&app, &dir).await.contains("gone"), "a removed record is seen too");
}

async fn a_changed_paper_score_breaks_the_chain(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let dir = handed_in(&app).await;
    exec(&app, "UPDATE papers SET score = 100000 WHERE status <> 'in_progress'").await;
    assert!(reason(&app, &dir).await.contains("score of paper"));
}

both_backends!(removing_the_last_events_is_seen, changed_certification_records_break_the_chain, a_changed_paper_score_breaks_the_chain);
