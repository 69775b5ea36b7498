//! Headless Chromium sits a whole theory test as a candidate: sign in with ticket and ID,
//! accept the commitment, start, answer every question, reload midway (answers still there),
//! lose the connection (answers queued, then delivered), hand in, see the score; and the
//! score is in the certification record.
use e2e_tests::webdriver::Browser;
use e2e_tests::{Backend, TestApp};
use exam_application::demo::{DEMO_CANDIDATES, DEMO_PASSWORD};
use exam_records::exams;

async fn wait_until(browser: &Browser, script: &str, what: &str) {
    for _ in 0..150 {
        if browser.execute(script).await.as_bool() == Some(true) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let state = browser.execute("return document.body.innerText").await;
    panic!("{what} never happened; the page shows: {state}");
}

/// Answers the question on screen: the first option, "欧姆" in each blank, or a sentence.
async fn answer_current(browser: &Browser) {
    browser
        .execute(
            "const f = document.getElementById('answer-form');
             const choice = f.querySelector('input[type=radio], input[type=checkbox]');
             if (choice) { choice.click(); return; }
             f.querySelectorAll('input[data-blank]').forEach(i => { i.value = '欧姆'; });
             const ta = f.querySelector('textarea'); if (ta) ta.value = '断开电源后施救';
             f.dispatchEvent(new Event('change'));",
        )
        .await;
}

/// Signs demo candidate 0 in on the exam page and accepts the commitment.
async fn sign_in_as_candidate(browser: &Browser, app: &TestApp) {
    let (name, id) = DEMO_CANDIDATES[0];
    let ticket = exams::candidates(app.db(), 1).await.expect("roster").into_iter().find(|c| c.name == name).expect("on roster").ticket;
    browser.sign_in_candidate(&app.base, &ticket, id, DEMO_PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidate_sits_the_whole_test_in_a_browser() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let (_, id) = DEMO_CANDIDATES[0];
    let browser = Browser::start().await;
    sign_in_as_candidate(&browser, &app).await;
    browser.click(&browser.wait_for("#start-exam").await).await;
    browser.wait_for("#answer-form").await;
    let total = browser.execute("return exam.paper.questions.length").await.as_i64().expect("questions");
    assert_eq!(total, 7);
    wait_until(&browser, "return document.getElementById('timer').textContent.startsWith('剩余')", "the server's clock shown").await;

    for i in 0..3 {
        answer_current(&browser).await;
        if i < 2 {
            browser.click(&browser.wait_for("#next").await).await;
        }
    }
    wait_until(&browser, "return document.getElementById('save-state').dataset.pending === '0'", "three answers saved").await;
    // Reload: the same paper comes back with the three answers.
    browser.goto(&format!("{}/exam", app.base)).await;
    browser.wait_for("#answer-form").await;
    wait_until(&browser, "return document.querySelectorAll('.nav-q.answered').length === 3", "answers restored after reload").await;

    // The connection drops: the next answer waits in the page, then goes when it is back.
    browser.execute("document.querySelectorAll('.nav-q')[3].click()").await;
    browser.execute("exam.socket.close()").await;
    wait_until(&browser, "return exam.socket.readyState === 3", "the socket closed").await;
    answer_current(&browser).await;
    let queued = browser.execute("return Object.keys(exam.pending).length").await.as_i64();
    assert!(queued.is_some_and(|n| n >= 1), "the answer is queued while offline: {queued:?}");
    wait_until(&browser, "return exam.socket.readyState === 1 && Object.keys(exam.pending).length === 0", "the queued answer delivered").await;

    for i in 4..7 {
        browser.execute(&format!("document.querySelectorAll('.nav-q')[{i}].click()")).await;
        answer_current(&browser).await;
    }
    wait_until(&browser, "return document.querySelectorAll('.nav-q.answered').length === 7", "every question answered").await;
    wait_until(&browser, "return Object.keys(exam.pending).length === 0", "every answer saved").await;
    browser.screenshot(&std::env::temp_dir().join("exam-candidate.png")).await;

    browser.execute("window.confirm = () => true").await;
    browser.click(&browser.wait_for("#hand-in").await).await;
    let score = browser.text(&browser.wait_for("#final-score").await).await;
    let value: f64 = score.parse().unwrap_or_else(|_| panic!("a score is shown: {score}"));
    assert!((0.0..=100.0).contains(&value));
    // The evidence receipt: offered as a file, and it holds with the log's published key.
    let link = browser.wait_for("#receipt-download").await;
    assert!(browser.attribute(&link, "href").await.is_some_and(|h| h.starts_with("blob:")));
    let receipt = browser.execute("return JSON.parse(document.getElementById('receipt-json').textContent)").await;
    let key = reqwest::get(format!("{}/evidence/log/key", app.base)).await.expect("key").text().await.expect("text");
    let entry = exam_application::evidence::receipt::verify(&receipt, key.trim()).unwrap_or_else(|e| panic!("the downloaded receipt holds: {e}: {receipt}"));
    assert_eq!(entry["kind"], "hand_in");
    browser.keep_screenshot("exam-result-receipt").await;
    browser.screenshot(&std::env::temp_dir().join("exam-result.png")).await;

    let record = exams::certification_scores(app.db(), "resident_id", id).await.expect("record");
    assert_eq!(record.len(), 1, "the theory score is in the certification record");
    assert!((record[0].score as f64 / 1000.0 - value).abs() < 0.05, "the page shows the stored score, to one decimal");
    let paper = exams::paper_of_candidate(app.db(), 1).await.expect("paper").expect("exists");
    let answered = exams::current_answers(app.db(), paper.id).await.expect("answers");
    assert_eq!(answered.len(), 7, "every question's answer is stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proctor_watches_the_room_and_pauses_a_candidate() {
    use reqwest::Method;
    use serde_json::json;
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let token = e2e_tests::candidate_token(&app.base, app.db(), 1).await;
    let candidate = app.client().with_token(&token);
    candidate.request(Method::POST, "/api/v1/exam/commitment").send().await.expect("commitment");
    candidate.request(Method::POST, "/api/v1/exam/start").send().await.expect("start");
    candidate.request(Method::POST, "/api/v1/exam/events").json(&json!({"kind": "window_blur"})).send().await.expect("event");

    let browser = Browser::start().await;
    browser.sign_in(&app.base, "proctor", DEMO_PASSWORD).await;
    browser.goto(&format!("{}/sessions/1", app.base)).await;
    browser.wait_for("#room tr[data-stage='in_progress']").await;
    browser.wait_for("#feed tr[data-kind='integrity']").await;
    browser.click(&browser.wait_for("#room button[data-act='pause']").await).await;
    browser.type_into(&browser.wait_for("#reason-dialog[open] #reason-text").await, "考生设备故障").await;
    browser.click(&browser.wait_for("#reason-ok").await).await;
    browser.wait_for("#room tr[data-stage='paused']").await;
    browser.wait_for("#feed tr[data-kind='pause']").await;
    let bars = browser.execute("return document.querySelectorAll('#room-chart .bar').length").await;
    assert!(bars.as_i64().is_some_and(|n| n >= 2), "room status drawn as bars");
    browser.screenshot(&std::env::temp_dir().join("exam-proctor.png")).await;
}

/// The database refuses writes for a while (another writer holds SQLite's write lock past the
/// server's busy timeout): the server refuses the answer as retryable (`internal_error`), and
/// the page keeps it, says it is still being saved, never says "all saved", and sends it again
/// until it is stored once the database is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_refused_for_server_trouble_is_kept_and_sent_again() {
    use sqlx::Connection;
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let browser = Browser::start().await;
    sign_in_as_candidate(&browser, &app).await;
    browser.click(&browser.wait_for("#start-exam").await).await;
    browser.wait_for("#answer-form").await;
    answer_current(&browser).await;
    wait_until(&browser, "return document.getElementById('save-state').textContent === '全部答案已保存'", "the first answer saved").await;
    let paper = exams::paper_of_candidate(app.db(), 1).await.expect("paper").expect("exists");
    assert_eq!(exams::current_answers(app.db(), paper.id).await.expect("answers").len(), 1);

    // Another writer takes the database's write lock and keeps it past the busy timeout.
    let mut holder = sqlx::SqliteConnection::connect(&app.store.url).await.expect("second connection");
    sqlx::query("BEGIN IMMEDIATE").execute(&mut holder).await.expect("write lock taken");
    browser.execute("document.querySelectorAll('.nav-q')[1].click()").await;
    answer_current(&browser).await;
    // The refusal takes the server's busy timeout (10 s) to come.
    let mut refused = false;
    for _ in 0..300 {
        let state = browser.execute("return [exam.retryReason, document.getElementById('save-state').textContent, Object.keys(exam.pending).length]").await;
        assert_ne!(state[1].as_str(), Some("全部答案已保存"), "the page says saved while an answer waits: {state}");
        if state[0].as_str().is_some_and(|r| !r.is_empty()) {
            assert_eq!(state[2].as_i64(), Some(1), "the refused answer is kept: {state}");
            assert!(state[1].as_str().is_some_and(|t| t.contains("重试")), "the page says it will retry: {state}");
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(refused, "the server never refused the answer while the database was locked");
    let nav = browser.execute("return document.querySelectorAll('.nav-q')[1].className").await;
    assert!(!nav.as_str().unwrap_or_default().contains("answered"), "a refused answer is not shown as saved: {nav}");
    assert_eq!(exams::current_answers(app.db(), paper.id).await.expect("answers").len(), 1, "nothing stored while locked");
    browser.screenshot(&std::env::temp_dir().join(format!("exam-retry-{}.png", std::process::id()))).await;

    // The database is back: the page sends the answer again, and it is stored.
    sqlx::query("ROLLBACK").execute(&mut holder).await.expect("lock released");
    drop(holder);
    for _ in 0..300 {
        if browser.execute("return Object.keys(exam.pending).length === 0").await.as_bool() == Some(true) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    wait_until(
        &browser,
        "return document.getElementById('save-state').textContent === '全部答案已保存' && document.querySelectorAll('.nav-q.answered').length === 2",
        "the retried answer saved",
    )
    .await;
    assert_eq!(exams::current_answers(app.db(), paper.id).await.expect("answers").len(), 2, "the retried answer is stored");
}
