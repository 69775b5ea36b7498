//! Headless Chromium as an author and a reviewer: the author checks and imports a file on the
//! import page (with its per-item report), the reviewer approves an imported item from the
//! queue, and the candidate preview renders without running any script from the item.
use e2e_tests::webdriver::Browser;
use e2e_tests::{Backend, TestApp};
use exam_application::demo::DEMO_PASSWORD;

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

async fn sign_in(browser: &Browser, base: &str, username: &str) {
    browser.delete_cookies().await;
    browser.goto(&format!("{base}/login")).await;
    browser.wait_for("#username").await;
    browser.send_keys_to_active(&format!("{username}{TAB}{DEMO_PASSWORD}{ENTER}")).await;
    browser.wait_for("#welcome").await;
}

/// A Moodle XML file whose HTML stem carries an inline script and an image whose error
/// handler would mark the page if either ran, plus a matching question the system skips.
const FILE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<question type="multichoice"><name><text>接地</text></name>
<questiontext format="html"><text><![CDATA[<p>接地装置的作用是什么？<img src="x" onerror="document.body.dataset.pwned='1'"><script>document.body.dataset.pwned='2'</script></p>]]></text></questiontext>
<defaultgrade>1</defaultgrade><single>true</single>
<answer fraction="100" format="html"><text>保护人身安全</text></answer>
<answer fraction="0" format="html"><text><![CDATA[<span onmouseover="document.body.dataset.pwned='3'">提高电压</span>]]></text></answer>
</question>
<question type="matching"><name><text>配对题</text></name><questiontext format="html"><text>配对</text></questiontext></question>
</quiz>
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn author_imports_reviewer_approves_preview_renders() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("电工题.xml");
    std::fs::write(&file, FILE).expect("write file");
    let browser = Browser::start().await;

    sign_in(&browser, &app.base, "author").await;
    browser.goto(&format!("{}/banks", app.base)).await;
    let link = browser.wait_for("#banks a").await;
    browser.click(&link).await;
    let import = browser.wait_for("nav.crumbs a[href$='/import']").await;
    browser.click(&import).await;
    let input = browser.wait_for("#file").await;
    browser.type_into(&input, &file.display().to_string()).await;
    browser.click(&browser.wait_for("#import-check").await).await;
    browser.wait_for("[data-done='dry']").await;
    let imported = browser.text(&browser.wait_for("#report-imported").await).await;
    let skipped = browser.text(&browser.wait_for("#report-skipped").await).await;
    assert_eq!((imported.as_str(), skipped.as_str()), ("1", "1"), "the dry run reports per item");
    let report = browser.text(&browser.wait_for("#import-report").await).await;
    assert!(report.contains("配对题") && report.contains("不支持的题型"), "the skip names the item and reason: {report}");
    let progress = browser.execute("return document.getElementById('upload-progress').value").await;
    assert_eq!(progress.as_i64(), Some(100), "upload progress is shown");
    browser.click(&browser.wait_for("#import-commit").await).await;
    browser.wait_for("[data-done='committed']").await;
    browser.screenshot(&std::env::temp_dir().join("exam-import.png")).await;

    sign_in(&browser, &app.base, "reviewer").await;
    browser.goto(&format!("{}/review", app.base)).await;
    let count = browser.wait_for("#queue-count").await;
    assert_eq!(browser.attribute(&count, "data-count").await.as_deref(), Some("4"), "3 demo items and the import await review");
    // The preview of the imported item: the stem shows, its script and handler do not run.
    let body = browser.execute("return document.body.innerText").await;
    assert!(body.as_str().unwrap_or("").contains("接地装置的作用是什么"));
    let pwned = browser.execute("return document.body.dataset.pwned || null").await;
    assert!(pwned.is_null(), "no script from an item ran: {pwned}");
    let scripts =
        browser.execute("return document.querySelectorAll('.candidate-item script, .candidate-item [onerror], .candidate-item [onmouseover]').length").await;
    assert_eq!(scripts.as_i64(), Some(0));
    browser.screenshot(&std::env::temp_dir().join("exam-review-queue.png")).await;

    let open = browser.wait_for(".review-item:last-of-type a").await;
    browser.click(&open).await;
    browser.wait_for("#preview .candidate-item").await;
    let img = browser.execute("return document.querySelectorAll('#preview img').length").await;
    assert_eq!(img.as_i64(), Some(1), "the image itself stays, without its handler");
    let radios = browser.execute("return document.querySelectorAll('#preview input[type=radio]').length").await;
    assert_eq!(radios.as_i64(), Some(2), "the candidate view shows the two options");
    browser.screenshot(&std::env::temp_dir().join("exam-item.png")).await;
    browser.click(&browser.wait_for("#approve").await).await;
    // Opened from the queue, a decision leads on: here the last item, so back to the queue.
    let count = browser.wait_for("#queue-count[data-count='3']").await;
    let _ = count;
    let pwned = browser.execute("return document.body.dataset.pwned || null").await;
    assert!(pwned.is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blueprint_page_draws_the_shortfalls() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let browser = Browser::start().await;
    sign_in(&browser, &app.base, "author").await;
    browser.goto(&format!("{}/banks", app.base)).await;
    browser.click(&browser.wait_for("#banks a").await).await;
    let bp = browser.wait_for("nav.crumbs a[href$='/blueprints/4']").await;
    browser.click(&bp).await;
    browser.wait_for("[data-feasible='true']").await;
    // Ask for a second multiple-choice item: only one is approved.
    browser.execute("document.querySelector('tr[data-type=multiple_choice] [data-field=count]').value = 2;").await;
    browser.click(&browser.wait_for("#blueprint-editor button[type=submit]").await).await;
    browser.wait_for("[data-feasible='false']").await;
    let bars = browser.execute("return document.querySelectorAll('#feasibility .bar').length").await;
    assert_eq!(bars.as_i64(), Some(1), "one cell lacks items: drawn as a bar");
    browser.screenshot(&std::env::temp_dir().join("exam-blueprint.png")).await;
    // Difficulty shares that do not add up to 100 are refused with the reason.
    browser.execute("document.getElementById('difficulty-1').value = 40;").await;
    browser.click(&browser.wait_for("#blueprint-editor button[type=submit]").await).await;
    browser.wait_for("#feasibility [data-error='invalid_blueprint']").await;
    browser.execute("document.getElementById('difficulty-1').value = '';").await;
    // Ask for one true/false item only: feasible.
    browser
        .execute("document.querySelectorAll('tr[data-type] [data-field=count]').forEach(e => e.value = 0); document.querySelector('tr[data-type=true_false] [data-field=count]').value = 1;")
        .await;
    browser.click(&browser.wait_for("#blueprint-editor button[type=submit]").await).await;
    browser.wait_for("[data-feasible='true']").await;
}
