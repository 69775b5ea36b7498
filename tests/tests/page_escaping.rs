//! What people type reaches the pages as text, never as markup: the templates escape every
//! value (a failed sign-in's name, a session's name and room), and only the sanitised item HTML
//! is placed as HTML (tested in browser_banks).
use e2e_tests::{Backend, TestApp, open_session, resident_id};
use reqwest::{Method, StatusCode};
use serde_json::json;

const HOSTILE: &str = r#""><img src=x onerror=alert(1)><script>alert(2)</script>"#;

fn no_markup_from(body: &str) {
    assert!(!body.contains("<img src=x"), "an image tag from input reached the page");
    assert!(!body.contains("<script>alert"), "a script tag from input reached the page");
    assert!(body.contains("&#60;img src=x onerror=alert(1)&#62;"), "the text is shown, escaped: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_values_are_escaped_on_every_page() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let resp = app
        .client()
        .request(Method::POST, "/login")
        .header("origin", &app.base)
        .form(&[("username", HOSTILE), ("password", "wrong-password")])
        .send()
        .await
        .expect("sign-in form");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    no_markup_from(&resp.text().await.expect("body"));

    let created = open_session(&app, json!({"name": HOSTILE, "room": HOSTILE}), &[("赵六", resident_id(51))]).await;
    let id = created["session"]["id"].as_i64().expect("id");
    let proctor = app.signed_in("proctor").await;
    for path in [format!("/sessions/{id}"), "/sessions".to_string()] {
        let resp = proctor.request(Method::GET, &path).send().await.expect("page");
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        no_markup_from(&resp.text().await.expect("body"));
    }
}
