//! Requests from another site's page are refused before any handler runs: state-changing
//! requests and WebSocket upgrades need our own origin, and API requests may not use the
//! content types a foreign form can send without asking.
use e2e_tests::{Backend, TestApp, both_backends};
use exam_application::demo::DEMO_PASSWORD;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const EVIL: &str = "https://evil.example";

async fn send(app: &TestApp, method: Method, path: &str, cookie: &str, headers: &[(&str, &str)], body: &str) -> (StatusCode, String) {
    let mut rb = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .request(method, format!("{}{path}", app.base))
        .body(body.to_string());
    if !cookie.is_empty() {
        rb = rb.header("cookie", format!("exam_session={cookie}"));
    }
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    let resp = rb.send().await.expect("send");
    let status = resp.status();
    let v: Value = resp.json().await.unwrap_or(Value::Null);
    (status, v["error"].as_str().unwrap_or("").to_string())
}

async fn foreign_pages_cannot_act_for_a_signed_in_browser(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let candidate = e2e_tests::candidate_token(&app.base, app.db(), 0).await;
    let plain = [("origin", EVIL), ("content-type", "text/plain")];
    for path in ["/api/v1/exam/commitment", "/api/v1/exam/hand-in", "/api/v1/exam/start"] {
        let got = send(&app, Method::POST, path, &candidate, &plain, "").await;
        assert_eq!(got, (StatusCode::FORBIDDEN, "foreign_origin".into()), "{path}");
    }
    let sibling = [("sec-fetch-site", "same-site")];
    assert_eq!(
        send(&app, Method::POST, "/api/v1/exam/commitment", &candidate, &sibling, "").await.0,
        StatusCode::FORBIDDEN,
        "a sibling domain is another origin"
    );
    let st: Value = app.client().with_token(&candidate).request(Method::GET, "/api/v1/exam/status").send().await.expect("status").json().await.expect("json");
    assert_eq!(st["stage"], "commitment", "nothing was accepted");
    // Even without Origin, a body a foreign form could send is refused on the API.
    let got = send(&app, Method::POST, "/api/v1/exam/commitment", &candidate, &[("content-type", "text/plain")], "x").await;
    assert_eq!(got, (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type".into()));
    // An author's import check from another site.
    let author = app.signed_in("author").await.token().expect("token").to_string();
    let got =
        send(&app, Method::POST, "/api/v1/import/check?format=gift", &author, &[("origin", EVIL), ("content-type", "application/octet-stream")], "Q {T}").await;
    assert_eq!(got.0, StatusCode::FORBIDDEN);
    // The same request from our own page goes through.
    let own = app.base.replace("http://", "");
    let origin = format!("http://{own}");
    let got = send(&app, Method::POST, "/api/v1/exam/commitment", &candidate, &[("origin", origin.as_str()), ("content-type", "application/json")], "").await;
    assert_eq!(got.0, StatusCode::OK);
}

async fn a_cross_site_form_does_not_sign_the_browser_in(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let body = format!("username=operator&password={DEMO_PASSWORD}");
    let resp = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(format!("{}/login", app.base))
        .header("origin", EVIL)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("form");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.headers().get("set-cookie").is_none(), "login CSRF: no session cookie");
}

async fn the_exam_socket_refuses_a_foreign_origin(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let token = e2e_tests::candidate_token(&app.base, app.db(), 0).await;
    let url = format!("{}/api/v1/exam/ws", app.base.replacen("http", "ws", 1));
    let mut req = url.into_client_request().expect("request");
    req.headers_mut().insert("cookie", format!("exam_session={token}").parse().expect("header"));
    req.headers_mut().insert("origin", EVIL.parse().expect("header"));
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status(), StatusCode::FORBIDDEN)
        }
        other => panic!("a foreign origin must not get a socket: {:?}", other.map(|_| ())),
    }
}

both_backends!(foreign_pages_cannot_act_for_a_signed_in_browser, a_cross_site_form_does_not_sign_the_browser_in, the_exam_socket_refuses_a_foreign_origin);
