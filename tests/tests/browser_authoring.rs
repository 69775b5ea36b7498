//! The author's editor and the reviewer's queue in headless Chromium: the form fits the item
//! type (true/false has two options), the assessment point is picked from the bank's outline and
//! a code outside it is refused; the reviewer filters the queue, works through it one item at a
//! time with next and previous, and approves several at once.
use e2e_tests::webdriver::Browser;
use e2e_tests::{Backend, TestApp};
use exam_application::demo::DEMO_PASSWORD;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_author_picks_the_point_from_the_outline_and_the_form_fits_the_type() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser.sign_in(&app.base, "author", DEMO_PASSWORD).await;
    browser.goto(&format!("{}/banks/1/items/new", app.base)).await;
    browser.wait_for("#item-editor").await;
    // True/false: no option fields, a two-way key.
    browser.execute("const s = document.getElementById('item-type'); s.value = 'true_false'; s.dispatchEvent(new Event('change'))").await;
    assert_eq!(browser.execute("return document.getElementById('choice-options').hidden").await.as_bool(), Some(true));
    assert_eq!(browser.execute("return document.getElementById('tf-options').hidden").await.as_bool(), Some(false));
    assert_eq!(browser.execute("return document.querySelectorAll('#tf-key option').length").await.as_i64(), Some(2));
    // The point comes from the outline tree.
    let codes = browser.execute("return [...document.querySelectorAll('#outline-point optgroup option')].map(o => o.value)").await;
    let codes: Vec<String> = codes.as_array().expect("points").iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
    assert!(!codes.is_empty(), "the outline's points are offered");
    let groups = browser.execute("return document.querySelectorAll('#outline-point optgroup').length").await;
    assert!(groups.as_i64().unwrap_or(0) >= 1);
    browser.type_into(&browser.wait_for("#stem").await, "停电检修时，必须先验电后挂接地线。").await;
    browser.execute(&format!("document.getElementById('outline-point').value = '{}'", codes[0])).await;
    browser.execute("document.getElementById('tf-key').value = '对'").await;
    // An image uploaded in the editor, shown in the item once saved.
    let dir = tempfile::tempdir().expect("dir");
    let png = dir.path().join("circuit.png");
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
        .expect("png");
    std::fs::write(&png, bytes).expect("write");
    browser.type_into(&browser.wait_for("#image-file").await, &png.display().to_string()).await;
    browser.wait_for("#pending-images li[data-image]").await;
    let stem = browser.execute("return document.getElementById('stem').value").await;
    assert!(stem.as_str().unwrap_or_default().contains("<img src=\"images/"), "{stem}");
    browser.keep_screenshot("editor").await;
    browser.click(&browser.wait_for("#item-editor button[type=submit]").await).await;
    browser.wait_for("#key").await;
    for _ in 0..50 {
        if browser.execute("const i = document.querySelector('#preview img'); return !!i && i.complete && i.naturalWidth > 0").await.as_bool() == Some(true) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        browser.execute("const i = document.querySelector('#preview img'); return !!i && i.naturalWidth > 0").await.as_bool(),
        Some(true),
        "the uploaded image shows in the item"
    );
    assert_eq!(browser.text(&browser.wait_for("#key").await).await, "对");
    let body = browser.execute("return document.body.innerText").await;
    assert!(body.as_str().unwrap_or_default().contains(&codes[0]), "the item carries the chosen point");
    let history = browser.execute("return document.getElementById('history').innerText").await;
    assert!(history.as_str().unwrap_or_default().contains("命题：赵强（命题）"), "who wrote it, by name: {history}");

    // A code that is not in the outline is refused, with a reason in Chinese.
    let author = app.signed_in("author").await;
    // A change is a new version, and it keeps the item's images.
    let url = browser.current_url().await;
    let item_id: i64 = url.rsplit('/').next().and_then(|s| s.split('?').next()).and_then(|s| s.parse().ok()).expect("item id");
    let img = browser.execute("return document.querySelector('#preview img').getAttribute('src')").await;
    let img = img.as_str().expect("src").to_string();
    let current: serde_json::Value = e2e_tests::call(&author, reqwest::Method::GET, &format!("/api/v1/items/{item_id}"), None).await.expect("item");
    let mut content = current["content"].clone();
    content["points"] = json!(2000);
    let _: serde_json::Value =
        e2e_tests::call(&author, reqwest::Method::POST, &format!("/api/v1/items/{item_id}/versions"), Some(content)).await.expect("revise");
    let file = author.request(reqwest::Method::GET, &img).send().await.expect("image");
    assert_eq!(file.status(), reqwest::StatusCode::OK, "the image survives the new version");
    let item = json!({
        "item_type": "true_false", "stem": "接地线应先接接地端。", "choices": [], "key": {"kind": "true_false", "value": true},
        "points": 1000, "difficulty": null, "outline_point": "NO-SUCH-POINT", "tags": []
    });
    let (status, body) = e2e_tests::call::<serde_json::Value>(&author, reqwest::Method::POST, "/api/v1/banks/1/items", Some(item)).await.expect_err("refused");
    assert_eq!((status.as_u16(), body["error"].as_str()), (422, Some("unknown_outline_point")), "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("细目表"));

    // A file whose items point at images it does not carry: the check names them.
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?><quiz><question type="truefalse"><name><text>看图</text></name>
<questiontext format="html"><text><![CDATA[<p>看图判断：<img src="images/missing-circuit.png"></p>]]></text></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question></quiz>"#;
    let report: serde_json::Value = author
        .request(reqwest::Method::POST, "/api/v1/import/check?format=moodle_xml")
        .header("content-type", "application/octet-stream")
        .body(xml)
        .send()
        .await
        .expect("check")
        .json()
        .await
        .expect("json");
    assert_eq!(report["missing_images"][0]["path"], "images/missing-circuit.png", "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_works_through_the_queue() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser.sign_in(&app.base, "reviewer", DEMO_PASSWORD).await;
    let link = browser.wait_for("#menu a[href='/review']").await;
    browser.click(&link).await;
    let count = browser.wait_for("#queue-count").await;
    let total: usize = browser.attribute(&count, "data-count").await.and_then(|c| c.parse().ok()).expect("count");
    assert!(total >= 3, "the demo items wait for review");
    // Filter by type: only that type is listed.
    browser.execute("const s = document.querySelector('select[name=type]'); s.value = 'single_choice'; s.form.submit()").await;
    browser.wait_for("select[name=type] option[value='single_choice'][selected]").await;
    let types = browser.execute("return [...document.querySelectorAll('#queue tbody tr td:nth-child(4)')].map(td => td.textContent)").await;
    assert!(types.as_array().expect("rows").iter().all(|t| t.as_str() == Some("单选题")), "{types:?}");
    browser.goto(&format!("{}/review", app.base)).await;
    browser.keep_screenshot("review-queue").await;

    // One at a time: the first item has a next, and a decision opens it.
    let first = browser.wait_for("#start-review").await;
    browser.click(&first).await;
    let next = browser.wait_for("#next-in-queue").await;
    let next_href = browser.attribute(&next, "href").await.expect("href");
    assert!(browser.find("#prev-in-queue").await.is_none(), "the first has no previous");
    browser.click(&browser.wait_for("#approve").await).await;
    for _ in 0..50 {
        if browser.current_url().await.ends_with(&next_href) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(browser.current_url().await.ends_with(&next_href), "the next item opened");
    browser.wait_for("#back-to-queue").await;

    // Several at once.
    browser.goto(&format!("{}/review", app.base)).await;
    browser.wait_for("#queue").await;
    browser.click(&browser.wait_for("#select-all").await).await;
    let picked = browser.execute("return document.querySelectorAll('input[name=pick]:checked').length").await.as_i64().expect("picked");
    assert_eq!(picked as usize, total - 1);
    browser.click(&browser.wait_for("#approve-selected").await).await;
    let done = browser.wait_for("#batch-result [data-approved]").await;
    assert_eq!(browser.attribute(&done, "data-approved").await, Some(picked.to_string()));
    browser.wait_for("#queue-count[data-count='0']").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_author_edits_the_outline_as_a_tree_with_weights() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser.sign_in(&app.base, "author", DEMO_PASSWORD).await;
    browser.goto(&format!("{}/banks/1/outline", app.base)).await;
    // The table shows a weight column per level of the bank.
    let heads = browser.execute("return [...document.querySelectorAll('#outline th')].map(th => th.textContent).join('|')").await;
    assert!(heads.as_str().unwrap_or_default().contains("等级 4 比重"), "{heads}");
    browser.wait_for("#outline-tree li.scope").await;
    // Break a weight in the tree: the save is refused with the problem in Chinese.
    let first = browser.wait_for("#outline-tree > ul > li.scope input[data-w='4']").await;
    let before = browser.attribute(&first, "value").await.unwrap_or_default();
    browser.execute("const i = document.querySelector(\"#outline-tree > ul > li.scope input[data-w='4']\"); i.value = String(Number(i.value) + 5); i.dispatchEvent(new Event('input', {bubbles: true}))").await;
    browser.click(&browser.wait_for("#outline-save").await).await;
    let problem = browser.wait_for("#outline-problems li").await;
    let text = browser.text(&problem).await;
    assert!(text.contains("比重合计为") && !text.contains("add up"), "{text}");
    browser.keep_screenshot("outline-tree").await;
    // Put it back and add a point: saved as the next version, and the point is offered.
    browser.execute(&format!("const i = document.querySelector(\"#outline-tree > ul > li.scope input[data-w='4']\"); i.value = '{before}'; i.dispatchEvent(new Event('input', {{bubbles: true}}))")).await;
    browser.execute("document.querySelector('#outline-tree > ul > li.scope [data-do=point]').click()").await;
    browser.execute("const p = document.querySelector('#outline-tree > ul > li.scope > ul.points > li.point:last-child'); const c = p.querySelector('[data-p=code]'); c.value = 'NEW-PT-01'; c.dispatchEvent(new Event('input', {bubbles: true})); const n = p.querySelector('[data-p=name]'); n.value = '新增鉴定点'; n.dispatchEvent(new Event('input', {bubbles: true}));").await;
    browser.click(&browser.wait_for("#outline-save").await).await;
    for _ in 0..50 {
        let body = browser.execute("return document.body.innerText").await;
        if body.as_str().unwrap_or_default().contains("NEW-PT-01") && browser.find("#outline-problems").await.is_none() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let table = browser.execute("return document.getElementById('outline').innerText").await;
    assert!(table.as_str().unwrap_or_default().contains("NEW-PT-01"), "saved: {table}");
    browser.goto(&format!("{}/banks/1/items/new", app.base)).await;
    browser.wait_for("#outline-point option[value='NEW-PT-01']").await;
}
