//! The proctor's room and the candidate's page together, in two headless Chromiums: the proctor
//! pauses with a reason given in a dialog (the candidate's inputs are disabled and say why),
//! warns (the warning keeps its time, can be dismissed, and is still listed after a reload,
//! which the record shows as a reload), and terminates after confirming, with the reason shown
//! to the candidate. The exam-room record reads as sentences, filterable by candidate.
use e2e_tests::webdriver::Browser;
use e2e_tests::{Backend, TestApp};
use exam_application::demo::{DEMO_CANDIDATES, DEMO_PASSWORD};
use exam_records::exams;

async fn wait_until(browser: &Browser, script: &str, what: &str) {
    browser.until(script, what).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proctor_pauses_warns_and_terminates_and_the_candidate_sees_why() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let (name, id) = DEMO_CANDIDATES[0];
    let me = exams::candidates(app.db(), 1).await.expect("roster").into_iter().find(|c| c.name == name).expect("on roster");

    let candidate = Browser::start().await;
    candidate.sign_in_candidate(&app.base, &me.ticket, id, DEMO_PASSWORD).await;
    candidate.click(&candidate.wait_for("#start-exam").await).await;
    candidate.wait_for("#answer-form").await;

    let proctor = Browser::start().await;
    proctor.set_window_size(1920, 1080).await;
    proctor.sign_in(&app.base, "proctor", DEMO_PASSWORD).await;
    proctor.goto(&format!("{}/sessions/1", app.base)).await;
    proctor.wait_for(&format!("#room tr[data-candidate='{}'][data-stage='in_progress']", me.id)).await;
    // A tile without a camera says so.
    let offline = proctor.wait_for(&format!("#tiles .tile[data-candidate='{}'] .offline", me.id)).await;
    assert_eq!(proctor.text(&offline).await, "摄像头未连接");
    // Headers stay on one line.
    let wraps = proctor.execute("return [...document.querySelectorAll('#room th')].some(th => th.getBoundingClientRect().height > 40)").await;
    assert_eq!(wraps.as_bool(), Some(false), "no header wraps a character per line");

    // Pause: the reason is asked in a dialog, not window.prompt.
    proctor.execute("window.prompt = () => { throw new Error('prompt used'); }").await;
    proctor.click(&proctor.wait_for(&format!("#room tr[data-candidate='{}'] button[data-act='pause']", me.id)).await).await;
    proctor.wait_for("#reason-dialog[open]").await;
    // An empty reason is refused in the dialog.
    proctor.click(&proctor.wait_for("#reason-ok").await).await;
    assert!(!proctor.text(&proctor.wait_for("#reason-error").await).await.is_empty());
    proctor.type_into(&proctor.wait_for("#reason-text").await, "考生摄像头角度需要调整").await;
    proctor.click(&proctor.wait_for("#reason-ok").await).await;
    proctor.wait_for(&format!("#room tr[data-candidate='{}'][data-stage='paused']", me.id)).await;
    wait_until(&candidate, "return document.getElementById('answer-fields').disabled === true", "the candidate's inputs disabled").await;
    wait_until(
        &candidate,
        "const r = document.getElementById('pause-reason'); return !!r && r.textContent.includes('摄像头角度')",
        "the pause's reason on the candidate's page",
    )
    .await;
    candidate.keep_screenshot("candidate-paused").await;
    proctor.click(&proctor.wait_for(&format!("#room tr[data-candidate='{}'] button[data-act='resume']", me.id)).await).await;
    wait_until(&candidate, "return document.getElementById('answer-fields').disabled === false", "the inputs open again").await;

    // Warn from the enlarged view: the warning carries its time, can be dismissed, and stays.
    proctor.click(&proctor.wait_for(&format!("#tiles .tile[data-candidate='{}']", me.id)).await).await;
    proctor.type_into(&proctor.wait_for("#enlarged-text").await, "请勿离开座位").await;
    proctor.click(&proctor.wait_for("#enlarged-actions [data-do='warn']").await).await;
    proctor.wait_for("#enlarged-result [data-done='warn']").await;
    proctor.click(&proctor.wait_for("#enlarged-actions button[value='close']").await).await;
    wait_until(
        &candidate,
        "const b = document.getElementById('notice-banner'); return !!b && b.textContent.includes('请勿离开座位') && /\\d\\d:\\d\\d/.test(b.textContent)",
        "the warning with its time",
    )
    .await;
    candidate.click(&candidate.wait_for("#notice-dismiss").await).await;
    assert!(candidate.find("#notice-banner").await.is_none(), "dismissed");
    candidate.execute("location.reload()").await;
    candidate.wait_for("#answer-form").await;
    wait_until(&candidate, "return !!document.querySelector('#notice-list li[data-notice]')", "the warning listed after the reload").await;
    assert!(candidate.find("#notice-banner").await.is_none(), "a dismissed warning does not come back as new");

    // The record reads as sentences, the reload as a reload.
    wait_until(&proctor, "return !!document.querySelector('#feed tr[data-kind=reload]')", "the reload in the record").await;
    let record = proctor.execute("return document.getElementById('feed').innerText").await;
    let record = record.as_str().unwrap_or_default().to_string();
    assert!(record.contains("被监考人员暂停，原因：考生摄像头角度需要调整"), "{record}");
    assert!(record.contains("收到监考提醒：“请勿离开座位”") && record.contains("刷新了考试页面"), "{record}");
    assert!(!record.contains("{\"") && !record.contains("page_hidden"), "no codes or JSON: {record}");
    let hidden = exams::events_after(app.db(), 1, 0, 500, true).await.expect("events").into_iter().filter(|e| e.2 == "integrity").count();
    assert_eq!(hidden, 0, "the reload was not recorded as leaving the page");
    // Filter by candidate and kind.
    proctor.execute(&format!("const s = document.getElementById('record-candidate'); s.value = '{}'; s.dispatchEvent(new Event('change'))", me.id)).await;
    let others = proctor.execute(&format!("return [...document.querySelectorAll('#feed tr')].filter(r => r.dataset.candidate !== '{}').length", me.id)).await;
    assert_eq!(others.as_i64(), Some(0));
    proctor.keep_screenshot("room-record").await;

    // Terminate: a reason and a confirmation, and the candidate sees the reason.
    proctor.click(&proctor.wait_for(&format!("#room tr[data-candidate='{}'] button[data-act='terminate']", me.id)).await).await;
    proctor.wait_for("#reason-dialog[open] #reason-confirm-box:not([hidden])").await;
    proctor.type_into(&proctor.wait_for("#reason-text").await, "考试期间使用手机").await;
    proctor.click(&proctor.wait_for("#reason-ok").await).await;
    assert!(proctor.text(&proctor.wait_for("#reason-error").await).await.contains("确认"), "not without the confirmation");
    assert_eq!(exams::paper_of_candidate(app.db(), me.id).await.expect("paper").expect("exists").status.as_str(), "in_progress");
    proctor.click(&proctor.wait_for("#reason-confirm").await).await;
    proctor.click(&proctor.wait_for("#reason-ok").await).await;
    proctor.wait_for(&format!("#room tr[data-candidate='{}'][data-stage='terminated']", me.id)).await;
    wait_until(
        &candidate,
        "const r = document.getElementById('ended-reason'); return !!r && r.textContent.includes('考试期间使用手机')",
        "the termination's reason on the candidate's page",
    )
    .await;
    candidate.keep_screenshot("candidate-terminated").await;
    proctor.keep_screenshot("room").await;
}
