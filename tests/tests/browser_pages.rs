//! Headless Chromium signs in through the real pages for every role, by keyboard, and sees
//! that role's home page; the language switch and a wrong password behave as a user expects.
use e2e_tests::webdriver::Browser;
use e2e_tests::{Backend, TestApp};
use exam_application::demo::{ACCOUNTS, DEMO_PASSWORD};

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

async fn sign_in_by_keyboard(browser: &Browser, base: &str, username: &str, password: &str) {
    browser.goto(&format!("{base}/login")).await;
    let user = browser.wait_for("#username").await;
    // The username field has focus on arrival; the rest is Tab and Enter.
    browser.send_keys_to_active(username).await;
    browser.send_keys_to_active(TAB).await;
    browser.send_keys_to_active(password).await;
    browser.send_keys_to_active(ENTER).await;
    let _ = user;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_signs_in_and_sees_its_home_page() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let browser = Browser::start().await;
    // Candidates sign in at /exam with ticket and ID number; the staff form refuses them.
    for account in ACCOUNTS.iter().filter(|a| a.role != exam_protocol::Role::Candidate) {
        sign_in_by_keyboard(&browser, &app.base, account.username, DEMO_PASSWORD).await;
        let card = browser.wait_for("section[data-role]").await;
        assert_eq!(browser.attribute(&card, "data-role").await.as_deref(), Some(account.role.as_str()));
        let name = browser.wait_for("#display-name").await;
        assert_eq!(browser.text(&name).await, account.display_name);
        let heading = browser.text(&browser.wait_for("#welcome").await).await;
        assert!(heading.ends_with("首页"), "Chinese by default: {heading}");
        assert!(browser.current_url().await.ends_with("/home"));
        let lang = browser.execute("return document.documentElement.lang").await;
        assert_eq!(lang.as_str(), Some("zh-CN"));
        // Sign out with the button; the home page then sends the browser back to sign in.
        let logout = browser.wait_for("#logout").await;
        browser.click(&logout).await;
        browser.wait_for("#username").await;
        browser.goto(&format!("{}/home", app.base)).await;
        browser.wait_for("#username").await;
        assert!(browser.current_url().await.ends_with("/login"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_and_english_switch() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let browser = Browser::start().await;
    sign_in_by_keyboard(&browser, &app.base, "reviewer", "not-the-password").await;
    let err = browser.wait_for("#login-error").await;
    assert_eq!(browser.text(&err).await, "用户名或密码错误。");
    // The name typed stays in the field; the password does not.
    let user = browser.wait_for("#username").await;
    assert_eq!(browser.execute("return document.getElementById('username').value").await.as_str(), Some("reviewer"));
    assert_eq!(browser.execute("return document.getElementById('password').value").await.as_str(), Some(""));
    let _ = user;

    // The switch in the header turns the pages to English and remembers it.
    let switch = browser.wait_for("header nav a").await;
    assert_eq!(browser.text(&switch).await, "English");
    browser.click(&switch).await;
    browser.wait_for("html[lang='en']").await;
    sign_in_by_keyboard(&browser, &app.base, "supervisor", DEMO_PASSWORD).await;
    let heading = browser.text(&browser.wait_for("#welcome").await).await;
    assert_eq!(heading, "Quality supervisor home");
    // A fresh directory: a file left by an earlier run cannot pass for this one.
    let shots = tempfile::tempdir().expect("temp dir");
    let out = shots.path().join("exam-home-en.png");
    browser.screenshot(&out).await;
    assert!(std::fs::metadata(&out).map(|m| m.len() > 1000).unwrap_or(false), "a screenshot was taken");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_stay_usable_at_double_font_size() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser.goto(&format!("{}/login", app.base)).await;
    browser.wait_for("#username").await;
    browser.execute("document.documentElement.style.fontSize = '200%'").await;
    // Nothing scrolls sideways and the button is still on screen at 200 % text.
    let overflow = browser.execute("return document.documentElement.scrollWidth <= document.documentElement.clientWidth").await;
    assert_eq!(overflow.as_bool(), Some(true), "no horizontal scrolling at 200% text");
    let right = browser.execute("return document.getElementById('sign-in').getBoundingClientRect().right <= window.innerWidth").await;
    assert_eq!(right.as_bool(), Some(true));
}

/// Every role's pages at 200 % text: nothing scrolls sideways (wide tables scroll inside their
/// card), the skip link comes first and every menu link takes the focus.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_roles_pages_work_by_keyboard_at_double_text() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let browser = Browser::start().await;
    let pages: &[(&str, &[&str])] = &[
        ("admin", &["/home", "/sessions", "/sessions/new", "/sessions/1", "/sessions/1/tickets", "/sessions/1/edit", "/sessions/1/files", "/users", "/banks"]),
        ("proctor", &["/home", "/sessions", "/sessions/1", "/marking"]),
        ("author", &["/home", "/banks", "/banks/1", "/banks/1/items/new", "/banks/1/outline", "/import/check"]),
        ("reviewer", &["/home", "/review", "/banks/1"]),
        ("regulator", &["/home", "/audit", "/institutions", "/banks", "/sessions/1/files"]),
        ("supervisor", &["/home", "/audit", "/institutions"]),
        ("operator", &["/home", "/users", "/audit", "/institutions"]),
    ];
    for (user, urls) in pages {
        browser.delete_cookies().await;
        browser.sign_in(&app.base, user, DEMO_PASSWORD).await;
        for url in *urls {
            browser.goto(&format!("{}{url}", app.base)).await;
            browser.wait_for("main#main").await;
            let title = browser.execute("return document.title").await;
            assert!(!title.as_str().unwrap_or_default().is_empty(), "{user} {url}");
            assert!(browser.find("[data-error]").await.is_none(), "{user} may open {url}");
            if *url == "/home" {
                browser.keep_screenshot(&format!("home-{user}")).await;
            }
            browser.execute("document.documentElement.style.fontSize = '200%'").await;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let fits = browser.execute("return document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1").await;
            assert_eq!(fits.as_bool(), Some(true), "{user} {url}: no horizontal scrolling at 200% text");
            // The keyboard: the skip link comes first, and every link of the menu takes the focus.
            let skip = browser.execute("const a = document.querySelector('a.skip'); return !!a && a.compareDocumentPosition(document.querySelector('#menu')) === Node.DOCUMENT_POSITION_FOLLOWING").await;
            assert_eq!(skip.as_bool(), Some(true), "{user} {url}: the skip link comes first");
            let menu = browser
                .execute("return [...document.querySelectorAll('#menu a')].every(a => a.tabIndex >= 0) && document.querySelectorAll('#menu a').length > 0")
                .await;
            assert_eq!(menu.as_bool(), Some(true), "{user} {url}: the menu is reachable");
        }
    }
}
