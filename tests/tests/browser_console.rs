//! The institution console, the shell and the oversight pages in headless Chromium, as their
//! users work them: an admin makes a session from a roster file with a bad row, fixes the file,
//! creates it and prints the tickets; a role that opens a page it may not see gets a page that
//! says so; a regulator checks the audit chain from its page.
use e2e_tests::webdriver::Browser;
use e2e_tests::{Backend, TestApp, resident_id};
use exam_application::demo::DEMO_PASSWORD;

/// Sets a form field's value the way the page reads it (datetime-local needs the exact form).
async fn set_value(browser: &Browser, css: &str, value: &str) {
    let script = format!(
        "const e = document.querySelector({}); e.value = {}; e.dispatchEvent(new Event('change', {{bubbles: true}}));",
        serde_json::to_string(css).expect("json"),
        serde_json::to_string(value).expect("json")
    );
    browser.execute(&script).await;
}

async fn wait_text(browser: &Browser, css: &str, want: &str) -> String {
    for _ in 0..100 {
        if let Some(e) = browser.find(css).await {
            let t = browser.text(&e).await;
            if t.contains(want) {
                return t;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} never said {want}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_makes_a_session_from_a_roster_file_and_prints_the_tickets() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser.sign_in(&app.base, "admin", DEMO_PASSWORD).await;
    // The menu leads to the console.
    let link = browser.wait_for("#menu a[href='/sessions/new']").await;
    browser.click(&link).await;
    browser.wait_for("#session-form").await;
    let create = browser.wait_for("#create").await;
    assert_eq!(browser.attribute(&create, "disabled").await.as_deref(), Some("true"), "nothing to create before a roster");

    for (css, v) in [("#batch", "2026年第四批"), ("#name", "电工四级理论（控制台）"), ("#room", "第二考场")] {
        let e = browser.wait_for(css).await;
        browser.type_into(&e, v).await;
    }
    set_value(&browser, "#starts", "2030-06-01T09:00").await;

    // A roster with one bad row (a wrong check digit): it is listed with its reason.
    let dir = tempfile::tempdir().expect("dir");
    let mut bad = resident_id(701);
    let last = if bad.ends_with('1') { '2' } else { '1' };
    bad.pop();
    bad.push(last);
    let with_bad = dir.path().join("roster-bad.csv");
    std::fs::write(
        &with_bad,
        format!("姓名,证件类型,证件号码\n周一,居民身份证,{}\n吴二,居民身份证,{bad}\n郑三,居民身份证,{}\n", resident_id(700), resident_id(702)),
    )
    .expect("write");
    let file = browser.wait_for("#roster-file").await;
    browser.type_into(&file, &with_bad.display().to_string()).await;
    let row = browser.wait_for("#roster-bad tr[data-row='3']").await;
    assert_eq!(browser.attribute(&row, "data-code").await.as_deref(), Some("invalid_id_checksum"));
    let text = browser.text(&row).await;
    assert!(text.contains("吴二") && text.contains("校验位"), "the bad row says who and why: {text}");
    assert!(!text.contains(&bad), "the refused number is not shown back");
    wait_text(&browser, "#roster-good", "2").await;
    // Proctors: the ratio is checked as they are chosen.
    let proctors: Vec<String> = browser
        .execute("return [...document.querySelectorAll('input[name=proctor]')].map(i => i.value)")
        .await
        .as_array()
        .expect("proctors")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    assert!(proctors.len() >= 2, "the demo institution has two proctors");
    let first = browser.wait_for(&format!("input[name=proctor][value='{}']", proctors[0])).await;
    browser.click(&first).await;
    wait_text(&browser, "#ratio", "至少 2").await;
    let second = browser.wait_for(&format!("input[name=proctor][value='{}']", proctors[1])).await;
    browser.click(&second).await;
    // Still not creatable: the bad row is there.
    assert_eq!(browser.attribute(&create, "disabled").await.as_deref(), Some("true"), "a bad row blocks the session");
    browser.keep_screenshot("console-roster-bad-row").await;

    // The admin fixes the file and chooses it again: every row is good.
    let fixed = dir.path().join("roster-fixed.csv");
    std::fs::write(
        &fixed,
        format!("姓名,证件类型,证件号码\n周一,居民身份证,{}\n吴二,居民身份证,{}\n郑三,居民身份证,{}\n", resident_id(700), resident_id(701), resident_id(702)),
    )
    .expect("write");
    browser.execute("document.getElementById('roster-file').value = ''").await;
    browser.type_into(&file, &fixed.display().to_string()).await;
    wait_text(&browser, "#roster-good", "3").await;
    assert!(browser.find("#roster-bad").await.is_none());
    for _ in 0..50 {
        if browser.attribute(&create, "disabled").await.is_none() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.click(&create).await;
    browser.wait_for("#created:not([hidden]) #codes tbody tr").await;
    let codes = browser.execute("return [...document.querySelectorAll('#codes tbody td.code')].map(td => td.textContent)").await;
    let codes = codes.as_array().expect("codes");
    assert_eq!(codes.len(), 3, "a one-time code per candidate");
    assert!(codes.iter().all(|c| c.as_str().is_some_and(|c| c.len() >= 6)));
    browser.keep_screenshot("console-created").await;

    // The tickets: one page each, the ID masked.
    let tickets = browser.wait_for("#tickets-link").await;
    browser.click(&tickets).await;
    browser.wait_for("article.ticket").await;
    let n = browser.execute("return document.querySelectorAll('article.ticket').length").await;
    assert_eq!(n.as_i64(), Some(3));
    let ids = browser.execute("return [...document.querySelectorAll('.t-id')].map(e => e.textContent).join(' ')").await;
    let ids = ids.as_str().unwrap_or_default().to_string();
    assert!(ids.contains('*') && !ids.contains(&resident_id(700)), "IDs are masked on tickets: {ids}");
    let names = browser.execute("return [...document.querySelectorAll('.t-name')].map(e => e.textContent).join(',')").await;
    assert_eq!(names.as_str(), Some("周一,吴二,郑三"));
    let page_break = browser.execute("return getComputedStyle(document.querySelector('article.ticket')).breakAfter").await;
    assert_eq!(page_break.as_str(), Some("page"), "one page per candidate when printed");
    browser.keep_screenshot("console-tickets").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_a_role_may_not_see_is_a_page_in_its_language() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser.sign_in(&app.base, "proctor", DEMO_PASSWORD).await;
    browser.goto(&format!("{}/users", app.base)).await;
    let err = browser.wait_for("[data-error=forbidden]").await;
    assert!(browser.text(&err).await.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "in Chinese");
    assert_eq!(browser.text(&browser.wait_for("#error-title").await).await, "无权访问");
    // The shell stays: the person, the menu, a way back.
    assert_eq!(browser.text(&browser.wait_for("#shell-name").await).await, "王芳（监考）");
    browser.wait_for("#menu a[href='/sessions']").await;
    browser.wait_for("#back-home").await;
    browser.keep_screenshot("error-403").await;
    // A page nobody serves is a page too.
    browser.goto(&format!("{}/no-such-page", app.base)).await;
    browser.wait_for("[data-error=not_found]").await;
    let status = reqwest::Client::new().get(format!("{}/no-such-page", app.base)).send().await.expect("get");
    assert_eq!(status.status(), reqwest::StatusCode::NOT_FOUND);
    assert!(status.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/html"));
    // The favicon is there.
    let icon = reqwest::Client::new().get(format!("{}/favicon.ico", app.base)).send().await.expect("get");
    assert!(icon.status().is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regulator_checks_the_audit_chain_and_follows_one_object() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser.sign_in(&app.base, "regulator", DEMO_PASSWORD).await;
    let link = browser.wait_for("#menu a[href='/audit']").await;
    browser.click(&link).await;
    browser.wait_for("#events tbody tr").await;
    let verify = browser.wait_for("#verify").await;
    browser.click(&verify).await;
    let ok = browser.wait_for("#verify-result [data-ok]").await;
    assert_eq!(browser.attribute(&ok, "data-ok").await.as_deref(), Some("true"), "{}", browser.text(&ok).await);
    // Follow the demo session: only its events.
    let follow = browser.wait_for("#events a[href='/audit?target=session%3A1']").await;
    browser.click(&follow).await;
    browser.wait_for("input[name=target][value='session:1']").await;
    let targets = browser.execute("return [...document.querySelectorAll('#events tbody tr td:nth-child(5)')].map(td => td.textContent)").await;
    let targets = targets.as_array().expect("rows");
    assert!(!targets.is_empty() && targets.iter().all(|t| t.as_str() == Some("session:1")), "{targets:?}");
    browser.keep_screenshot("audit").await;
    // Institutions and their filings.
    browser.goto(&format!("{}/institutions", app.base)).await;
    let row = browser.wait_for("#institutions tr[data-filing='S000051000001']").await;
    assert!(browser.text(&row).await.contains("6-31-01-03"));
    // A regulator files a new institution from the page.
    browser.type_into(&browser.wait_for("#i-filing").await, "S000051000099").await;
    browser.type_into(&browser.wait_for("#i-name").await, "成都示例技工学校").await;
    browser.click(&browser.wait_for("#institution-form button[type=submit]").await).await;
    browser.wait_for("#institutions tr[data-filing='S000051000099']").await;
    // And assigns the demo supervisor to inspect it.
    browser.click(&browser.wait_for("#institutions tr[data-filing='S000051000099'] form.assign button").await).await;
    let row = browser.wait_for("#institutions tr[data-filing='S000051000099'] td.inspectors .badge").await;
    assert_eq!(browser.text(&row).await, "周敏（督导）");
    // The home page shows today's work, not a list of pages to come.
    browser.goto(&format!("{}/home", app.base)).await;
    browser.wait_for("#stats").await;
    let body = browser.execute("return document.body.innerText").await;
    assert!(!body.as_str().unwrap_or_default().contains("随后续版本开放"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_renames_and_cancels_a_session_before_it_starts() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    // A session tomorrow, made over the API.
    let later = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64 + 86_400_000;
    let created = e2e_tests::open_session(&app, serde_json::json!({ "starts_at_ms": later, "name": "明日场次" }), &[("孙七", resident_id(720))]).await;
    let id = created["session"]["id"].as_i64().expect("id");
    let ticket = created["roster"][0]["ticket"].as_str().expect("ticket").to_string();
    let browser = Browser::start().await;
    browser.sign_in(&app.base, "admin", DEMO_PASSWORD).await;
    browser.goto(&format!("{}/sessions", app.base)).await;
    browser.click(&browser.wait_for(&format!("tr[data-session='{id}'] a[href='/sessions/{id}/edit']")).await).await;
    let name = browser.wait_for("#e-name").await;
    browser.execute("document.getElementById('e-name').value = ''").await;
    browser.type_into(&name, "明日场次（改）").await;
    browser.click(&browser.wait_for("#names-form button[type=submit]").await).await;
    browser.wait_for("#names-result [data-saved]").await;
    // Cancelling asks for a reason and a confirmation.
    browser.click(&browser.wait_for("#cancel-session").await).await;
    browser.wait_for("#cancel-result [role=alert]").await;
    browser.type_into(&browser.wait_for("#cancel-reason").await, "考点停电，另行安排").await;
    browser.click(&browser.wait_for("#cancel-confirm").await).await;
    browser.click(&browser.wait_for("#cancel-session").await).await;
    let row = browser.wait_for(&format!("tr[data-session='{id}'][data-cancelled='true']")).await;
    assert!(browser.text(&row).await.contains("明日场次（改）"));
    // Its candidate can no longer sign in; the audit trail has both changes.
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v1/exam/login", app.base))
        .json(&serde_json::json!({ "ticket": ticket, "id_number": resident_id(720), "password": DEMO_PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(resp.status(), reqwest::StatusCode::CONFLICT);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "session_cancelled");
    let events = exam_application::audit::events(app.db(), 0, 1000).await.expect("events");
    let actions: Vec<&str> = events.iter().filter(|e| e.target == format!("session:{id}")).map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"session.edit") && actions.contains(&"session.cancel"), "{actions:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bank_list_pages() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let operator = app.signed_in("operator").await;
    for i in 0..55 {
        let _: serde_json::Value = e2e_tests::call(
            &operator,
            reqwest::Method::POST,
            "/api/v1/banks",
            Some(serde_json::json!({ "occupation_code": "6-31-01-03", "name": format!("分页题库 {i:02}"), "levels": [4] })),
        )
        .await
        .expect("bank");
    }
    let first = operator.request(reqwest::Method::GET, "/banks").send().await.expect("page").text().await.expect("html");
    assert!(first.contains("id=\"next-page\"") && first.contains("1 / 2"), "a second page is offered");
    assert_eq!(first.matches("<tr><td><a href=\"/banks/").count(), 50, "fifty a page");
    let second = operator.request(reqwest::Method::GET, "/banks?page=1").send().await.expect("page").text().await.expect("html");
    assert_eq!(second.matches("<tr><td><a href=\"/banks/").count(), 6, "the rest on the second");
}

/// A page opened after the sign-in expired goes to the sign-in page, which says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_sign_in_is_said_on_the_sign_in_page() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.auth.session_ttl_secs = 1).await;
    exam_application::demo::seed(app.db()).await.expect("seed");
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let login: serde_json::Value = http
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&serde_json::json!({ "username": "proctor", "password": DEMO_PASSWORD }))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = login["token"].as_str().expect("token").to_string();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let resp = http.get(format!("{}/sessions", app.base)).bearer_auth(&token).send().await.expect("page");
    assert_eq!(resp.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/login?expired=1");
    let page = http.get(format!("{}/login?expired=1", app.base)).send().await.expect("login page").text().await.expect("html");
    assert!(page.contains("登录已过期，请重新登录。"), "the sign-in page says why");
}

/// What an attack pass over the new pages found, each now refused the right way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_attack_pass_found_is_refused() {
    use reqwest::Method;
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let later = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64 + 86_400_000;
    let created = e2e_tests::open_session(&app, serde_json::json!({ "starts_at_ms": later, "name": "取消后的场次" }), &[("钱八", resident_id(730))]).await;
    let id = created["session"]["id"].as_i64().expect("id");
    let admin = app.signed_in("admin").await;
    let proctor = app.signed_in("proctor").await;
    let room: Vec<serde_json::Value> = e2e_tests::call(&proctor, Method::GET, &format!("/api/v1/sessions/{id}/room"), None).await.expect("room");
    let cid = room[0]["candidate_id"].as_i64().expect("candidate");
    // No photo yet: there is nothing to check the person against.
    let (s, v) = e2e_tests::call::<serde_json::Value>(
        &proctor,
        Method::POST,
        &format!("/api/v1/sessions/{id}/candidates/{cid}/actions"),
        Some(serde_json::json!({ "action": "verify_identity", "matches": true })),
    )
    .await
    .expect_err("no photo");
    assert_eq!((s.as_u16(), v["error"].as_str()), (409, Some("no_photo")));
    // Names that do not print as they read are refused.
    let (s, v) = e2e_tests::call::<serde_json::Value>(
        &admin,
        Method::POST,
        &format!("/api/v1/sessions/{id}/names"),
        Some(serde_json::json!({ "batch": "b", "name": "ab\u{0}\u{202E}cd", "room": "r" })),
    )
    .await
    .expect_err("control characters");
    assert_eq!((s.as_u16(), v["error"].as_str()), (422, Some("invalid_name")));
    // Cancelled: the proctor can act no more, and the home page no longer lists it.
    let _: serde_json::Value =
        e2e_tests::call(&admin, Method::POST, &format!("/api/v1/sessions/{id}/cancel"), Some(serde_json::json!({ "reason": "考点调整" })))
            .await
            .expect("cancel");
    let (s, v) = e2e_tests::call::<serde_json::Value>(
        &proctor,
        Method::POST,
        &format!("/api/v1/sessions/{id}/candidates/{cid}/actions"),
        Some(serde_json::json!({ "action": "note", "text": "取消之后" })),
    )
    .await
    .expect_err("cancelled");
    assert_eq!((s.as_u16(), v["error"].as_str()), (409, Some("session_cancelled")));
    let home = admin.request(Method::GET, "/home").send().await.expect("home").text().await.expect("html");
    assert!(!home.contains("取消后的场次"), "a cancelled session is not today's work");
    // A path parameter that does not parse: JSON for the API, a page for pages, in Chinese.
    let api = admin.request(Method::GET, "/api/v1/sessions/abc").send().await.expect("api");
    assert_eq!(api.status(), reqwest::StatusCode::BAD_REQUEST);
    let body: serde_json::Value = api.json().await.expect("json");
    assert_eq!(body["error"], "bad_request");
    let page = admin.request(Method::GET, "/sessions/abc/edit").send().await.expect("page");
    assert_eq!(page.status(), reqwest::StatusCode::BAD_REQUEST);
    let html = page.text().await.expect("html");
    assert!(html.contains("data-error=\"bad_request\"") && html.contains("参数无效"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_disables_a_proctor_whose_sign_ins_end() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let proctor2 = app.signed_in("proctor2").await;
    let browser = Browser::start().await;
    browser.sign_in(&app.base, "admin", DEMO_PASSWORD).await;
    browser.goto(&format!("{}/users", app.base)).await;
    browser.execute("window.confirm = () => true").await;
    let button = browser.wait_for("#users tr[data-username='proctor2'] button[data-disable]").await;
    browser.click(&button).await;
    browser.wait_for("#users tr[data-username='proctor2'] [data-disabled='true']").await;
    // The admin cannot disable themself, nor anyone but candidates and proctors.
    assert!(browser.find("#users tr[data-username='admin'] button[data-disable]").await.is_none());
    // proctor2's open sign-in has ended, and the password no longer works.
    let me = proctor2.request(reqwest::Method::GET, "/api/v1/me").send().await.expect("me");
    assert_eq!(me.status(), reqwest::StatusCode::UNAUTHORIZED);
    let again = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&serde_json::json!({ "username": "proctor2", "password": DEMO_PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(again.status(), reqwest::StatusCode::UNAUTHORIZED);
    let events = exam_application::audit::events(app.db(), 0, 1000).await.expect("events");
    assert!(events.iter().any(|e| e.action == "account.disable"));
}

/// What an admin changes after a session is made: its time and proctors before it starts, its
/// batch's name, the candidates' photos on their tickets (seen by the proctors too), and a
/// proctor's forgotten password. Each is refused where it should be and audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_moves_a_session_changes_its_staff_batch_and_photos_and_resets_a_password() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64;
    let created =
        e2e_tests::open_session(&app, serde_json::json!({ "starts_at_ms": now + 86_400_000, "name": "改期场次" }), &[("孙八", resident_id(730))]).await;
    let id = created["session"]["id"].as_i64().expect("id");
    let browser = Browser::start().await;
    browser.sign_in(&app.base, "admin", DEMO_PASSWORD).await;

    // Moved two days on and lengthened; the ratio is checked as proctors are chosen.
    browser.goto(&format!("{}/sessions/{id}/edit", app.base)).await;
    browser.wait_for("#schedule-form").await;
    let target = (now + 2 * 86_400_000) / 60_000 * 60_000;
    browser
        .execute(&format!(
            "const d = new Date({target}); const p = (n) => String(n).padStart(2, '0');
             document.getElementById('s-starts').value = `${{d.getFullYear()}}-${{p(d.getMonth() + 1)}}-${{p(d.getDate())}}T${{p(d.getHours())}}:${{p(d.getMinutes())}}`;"
        ))
        .await;
    set_value(&browser, "#s-duration", "100").await;
    let first = browser.wait_for("input[name=s-proctor]:checked").await;
    browser.click(&first).await;
    wait_text(&browser, "#s-ratio", "至少 2").await;
    assert_eq!(browser.attribute(&browser.wait_for("#save-schedule").await, "disabled").await.as_deref(), Some("true"), "too few proctors");
    browser.click(&first).await;
    browser.click(&browser.wait_for("#save-schedule").await).await;
    browser.wait_for("#schedule-result [data-saved]").await;
    browser.keep_screenshot("console-schedule").await;
    let admin = app.signed_in("admin").await;
    let view: serde_json::Value = e2e_tests::call(&admin, reqwest::Method::GET, &format!("/api/v1/sessions/{id}"), None).await.expect("session");
    assert_eq!(view["starts_at_ms"].as_i64(), Some(target), "moved");
    assert_eq!(view["deadline_ms"].as_i64(), Some(target + 100 * 60_000), "lengthened");
    // A start in the past is refused over the API, in the caller's language.
    let past = e2e_tests::call::<serde_json::Value>(
        &admin,
        reqwest::Method::POST,
        &format!("/api/v1/sessions/{id}/schedule"),
        Some(serde_json::json!({ "starts_at_ms": now - 60_000, "duration_minutes": 90, "late_entry_minutes": 30, "earliest_hand_in_minutes": 30,
            "pass_mark": 60, "proctor_ids": [], "marker_ids": [] })),
    )
    .await
    .expect_err("a start in the past");
    assert_eq!(past.1["error"], "start_in_past");

    // The candidate's photo on the ticket: a JPEG is kept and shown; a text file is refused.
    let dir = tempfile::tempdir().expect("tempdir");
    let cid = exam_records::exams::candidates(app.db(), id).await.expect("roster")[0].id;
    browser.goto(&format!("{}/sessions/{id}/tickets", app.base)).await;
    let input = browser.wait_for(&format!("#photo-{cid}")).await;
    let fake = dir.path().join("fake.jpg");
    std::fs::write(&fake, "not a photo").expect("write");
    browser.type_into(&input, &fake.display().to_string()).await;
    wait_text(&browser, &format!("#photo-{cid} + span"), "照片格式无法识别").await;
    let jpeg = dir.path().join("photo.jpg");
    std::fs::write(&jpeg, e2e_tests::photo_jpeg(dir.path())).expect("write");
    browser.execute(&format!("document.getElementById('photo-{cid}').value = ''")).await;
    browser.type_into(&input, &jpeg.display().to_string()).await;
    browser.wait_for("[data-photo-saved]").await;
    browser.until("return [...document.querySelectorAll('.ticket .photo img')].some(i => i.complete && i.naturalWidth > 0)", "the photo shows").await;
    browser.goto(&format!("{}/sessions/{id}/tickets", app.base)).await;
    browser.until("return [...document.querySelectorAll('.ticket .photo img')].some(i => i.complete && i.naturalWidth > 0)", "the photo stays").await;
    browser.keep_screenshot("tickets-photo").await;
    let proctor = app.signed_in("proctor").await;
    let photo = proctor.request(reqwest::Method::GET, &format!("/api/v1/sessions/{id}/candidates/{cid}/roster-photo")).send().await.expect("photo");
    assert_eq!(photo.status(), reqwest::StatusCode::OK, "the room's proctors see it");
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    let room: serde_json::Value = e2e_tests::call(&proctor, reqwest::Method::GET, &format!("/api/v1/sessions/{id}/room"), None).await.expect("room");
    assert_eq!(room.as_array().and_then(|r| r.first()).map(|c| c["roster_photo"].clone()), Some(serde_json::json!(true)));

    // The batch renamed across its sessions.
    browser.goto(&format!("{}/sessions", app.base)).await;
    let form = browser.wait_for("form.batch-rename[data-batch='测试批次']").await;
    browser.execute("document.querySelector(\"form.batch-rename[data-batch='测试批次']\").closest('details').open = true").await;
    browser.execute("document.querySelector(\"form.batch-rename[data-batch='测试批次'] input[name=to]\").value = '二〇二六年第四批'").await;
    browser.click(&browser.wait_for("form.batch-rename[data-batch='测试批次'] button[type=submit]").await).await;
    let _ = form;
    browser.wait_for("tr[data-batch='二〇二六年第四批']").await;
    browser.keep_screenshot("sessions-batches").await;
    let view: serde_json::Value = e2e_tests::call(&admin, reqwest::Method::GET, &format!("/api/v1/sessions/{id}"), None).await.expect("session");
    assert_eq!(view["batch"], "二〇二六年第四批");

    // A proctor's password reset: shown once; the old one and the open sign-in end.
    let proctor2 = app.signed_in("proctor2").await;
    browser.goto(&format!("{}/users", app.base)).await;
    browser.execute("window.confirm = () => true").await;
    browser.click(&browser.wait_for("#users tr[data-username='proctor2'] button[data-reset]").await).await;
    let shown = browser.wait_for("[data-new-password]").await;
    let password = browser.attribute(&shown, "data-new-password").await.expect("password");
    assert!(password.len() >= 12);
    assert_eq!(proctor2.request(reqwest::Method::GET, "/api/v1/me").send().await.expect("me").status(), reqwest::StatusCode::UNAUTHORIZED);
    let login = |p: String| {
        let base = app.base.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{base}/api/v1/auth/login"))
                .json(&serde_json::json!({ "username": "proctor2", "password": p }))
                .send()
                .await
                .expect("login")
                .status()
        }
    };
    assert_eq!(login(DEMO_PASSWORD.to_string()).await, reqwest::StatusCode::UNAUTHORIZED);
    assert_eq!(login(password.clone()).await, reqwest::StatusCode::OK);

    let events = exam_application::audit::events(app.db(), 0, 1000).await.expect("events");
    for action in ["session.reschedule", "candidate.roster_photo", "batch.rename", "account.password_reset"] {
        assert!(events.iter().any(|e| e.action == action), "{action} is audited");
    }
    assert!(events.iter().all(|e| !e.detail.contains(&password)), "the new password is not in the trail");
}

/// The archive from its pages: the admin uploads a scan, a regulator places a legal hold on it
/// with a reason, and the operator's home says what the archive enforces and what waits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_is_uploaded_held_and_the_archive_shows_on_the_operators_home() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser.sign_in(&app.base, "admin", DEMO_PASSWORD).await;
    browser.goto(&format!("{}/sessions/1", app.base)).await;
    browser.click(&browser.wait_for("#files-link").await).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = dir.path().join("sign-in.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n").expect("write");
    browser.type_into(&browser.wait_for("#scan-name").await, "签到表扫描件").await;
    browser.type_into(&browser.wait_for("#scan-file").await, &pdf.display().to_string()).await;
    browser.click(&browser.wait_for("#scan-form button[type=submit]").await).await;
    browser.wait_for("[data-uploaded]").await;
    let row = browser.wait_for("#files tr[data-file]").await;
    assert!(browser.text(&row).await.contains("签到表扫描件"));
    // A file that is not what its name says is refused in the reader's language.
    let fake = dir.path().join("fake.pdf");
    std::fs::write(&fake, "not a pdf").expect("write");
    browser.type_into(&browser.wait_for("#scan-name").await, "伪装").await;
    browser.type_into(&browser.wait_for("#scan-file").await, &fake.display().to_string()).await;
    browser.click(&browser.wait_for("#scan-form button[type=submit]").await).await;
    wait_text(&browser, "#scan-result", "文件类型不受支持").await;
    browser.keep_screenshot("files-admin").await;

    browser.delete_cookies().await;
    browser.sign_in(&app.base, "regulator", DEMO_PASSWORD).await;
    browser.goto(&format!("{}/sessions/1/files", app.base)).await;
    browser.type_into(&browser.wait_for("form.hold-form input[name=reason]").await, "投诉调查").await;
    browser.click(&browser.wait_for("form.hold-form button[type=submit]").await).await;
    browser.wait_for("#files [data-held='true']").await;

    browser.delete_cookies().await;
    browser.sign_in(&app.base, "operator", DEMO_PASSWORD).await;
    browser.goto(&format!("{}/home", app.base)).await;
    let card = browser.wait_for("#archive-status").await;
    let text = browser.text(&card).await;
    assert!(text.contains("local") && text.contains("存证日志公钥"), "{text}");
    assert_eq!(browser.attribute(&browser.wait_for("[data-refuses-delete]").await, "data-refuses-delete").await.as_deref(), Some("true"));
    browser.keep_screenshot("operator-archive").await;
}
