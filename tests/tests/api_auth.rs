//! Sign-in, sessions and bad input through the real HTTP API, on both databases.
use e2e_tests::{Backend, TestApp, both_backends};
use exam_application::auth::token;
use exam_application::demo::DEMO_PASSWORD;
use exam_protocol::{InstitutionKind, NewAccount, NewInstitution, Role};
use exam_records::sessions;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Status and body of a raw request, for inputs the typed client cannot send.
async fn raw(app: &TestApp, method: Method, path: &str, content_type: &str, body: Vec<u8>, lang: Option<&str>) -> (StatusCode, Value) {
    let mut rb = reqwest::Client::new().request(method, format!("{}{path}", app.base)).body(body);
    if !content_type.is_empty() {
        rb = rb.header("content-type", content_type);
    }
    if let Some(l) = lang {
        rb = rb.header("accept-language", l);
    }
    let resp = rb.send().await.expect("send");
    let status = resp.status();
    let json = resp.json().await.unwrap_or(Value::Null);
    (status, json)
}

async fn login_me_logout(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let mut c = app.client();
    let resp = c.login("admin", DEMO_PASSWORD).await.expect("login");
    assert_eq!(resp.account.role, Role::InstitutionAdmin);
    assert!(resp.account.institution_id.is_some());
    let me = c.me().await.expect("me");
    assert_eq!(me, resp.account);
    c.logout().await.expect("logout");
    let after = c.clone().with_token(&resp.token).me().await.expect_err("token is dead after logout");
    assert_eq!(after.code(), Some("unauthenticated"));
    let none = app.client().me().await.expect_err("no token");
    assert_eq!((none.status(), none.code()), (Some(StatusCode::UNAUTHORIZED), Some("unauthenticated")));
}

async fn the_token_is_also_a_cookie(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&serde_json::json!({ "username": "regulator", "password": DEMO_PASSWORD }))
        .send()
        .await
        .expect("login");
    let cookie = resp.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(cookie.starts_with("exam_session="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(attr), "cookie lacks {attr}: {cookie}");
    }
    let pair = cookie.split(';').next().unwrap_or_default().to_string();
    let me: Value = reqwest::Client::new().get(format!("{}/api/v1/me", app.base)).header("cookie", pair).send().await.expect("me").json().await.expect("json");
    assert_eq!(me["role"], "regulator");
}

async fn wrong_passwords_slow_the_address_down_and_lock_nobody_out(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let mut c = app.client();
    for _ in 0..5 {
        let e = c.login("proctor", "not-the-password").await.expect_err("wrong password");
        assert_eq!((e.status(), e.code()), (Some(StatusCode::UNAUTHORIZED), Some("invalid_credentials")));
    }
    let e = c.login("proctor", DEMO_PASSWORD).await.expect_err("this address waits for its minute");
    assert_eq!((e.status(), e.code()), (Some(StatusCode::TOO_MANY_REQUESTS), Some("sign_in_slowed")));
    // Other accounts are untouched, and an unknown name reads like a wrong password.
    c.login("author", DEMO_PASSWORD).await.expect("other account still signs in");
    let e = app.client().login("nobody", "whatever-123").await.expect_err("unknown user");
    assert_eq!(e.code(), Some("invalid_credentials"));
    // The wrong tries are in the audit trail; nothing is locked.
    let events = app.signed_in("operator").await.audit_events(0, 1000).await.expect("events");
    assert_eq!(events.iter().filter(|e| e.action == "auth.login_failed").count(), 5);
    assert_eq!(events.iter().filter(|e| e.action == "auth.locked").count(), 0);
}

async fn a_success_resets_the_failure_count(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let mut c = app.client();
    for _ in 0..4 {
        c.login("author", "wrong-password").await.expect_err("wrong");
    }
    c.login("author", DEMO_PASSWORD).await.expect("fourth failure does not lock");
    for _ in 0..4 {
        c.login("author", "wrong-password").await.expect_err("wrong");
    }
    c.login("author", DEMO_PASSWORD).await.expect("the count started again after the success");
}

async fn an_expired_token_says_so(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let me = app.signed_in("operator").await.me().await.expect("me");
    let stale = token::generate();
    let mut conn = app.db().writer().acquire().await.expect("conn");
    sessions::insert(&mut conn, &token::hash(&stale), me.id, 1_000, 2_000).await.expect("insert old session");
    let e = app.client().with_token(&stale).me().await.expect_err("expired");
    assert_eq!((e.status(), e.code()), (Some(StatusCode::UNAUTHORIZED), Some("session_expired")));
    let e = app.client().with_token("made-up-token").me().await.expect_err("unknown token");
    assert_eq!(e.code(), Some("unauthenticated"));
}

async fn too_many_attempts_from_one_address_are_slowed(b: Backend) {
    let app = TestApp::spawn_with(b, |s| s.auth.login_attempts_per_minute = 3).await;
    exam_application::demo::seed(app.db()).await.expect("seed");
    for _ in 0..3 {
        app.client().login("nobody", "whatever-123").await.expect_err("wrong");
    }
    let e = app.client().login("operator", DEMO_PASSWORD).await.expect_err("rate limited");
    assert_eq!((e.status(), e.code()), (Some(StatusCode::TOO_MANY_REQUESTS), Some("rate_limited")));
}

async fn bad_bodies_get_stable_codes_in_the_asked_language(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let login = "/api/v1/auth/login";
    let json = "application/json";
    let cases: Vec<(Vec<u8>, &str, StatusCode, &str)> = vec![
        (b"{\"username\": \"admin\",".to_vec(), json, StatusCode::BAD_REQUEST, "malformed_json"),
        (b"{\"username\": 1, \"password\": \"x\"}".to_vec(), json, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        (b"{\"username\": \"a\"}".to_vec(), json, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        (b"{\"username\": \"a\", \"password\": \"b\", \"admin\": true}".to_vec(), json, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        (b"username=a&password=b".to_vec(), "application/x-www-form-urlencoded", StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        (
            format!("{{\"username\": \"{}\", \"password\": \"x\"}}", "a".repeat(2 * 1024 * 1024)).into_bytes(),
            json,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ];
    for (body, ct, status, code) in cases {
        let (s, v) = raw(&app, Method::POST, login, ct, body.clone(), None).await;
        assert_eq!((s, v["error"].as_str()), (status, Some(code)), "body {v}");
        let msg = v["message"].as_str().unwrap_or_default();
        assert!(msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "Chinese by default: {msg}");
        let (_, v) = raw(&app, Method::POST, login, ct, body, Some("en-US,en;q=0.9")).await;
        assert_eq!(v["error"].as_str(), Some(code));
        let msg = v["message"].as_str().unwrap_or_default();
        assert!(msg.is_ascii() && !msg.is_empty(), "English when asked: {msg}");
    }
    let (s, v) = raw(&app, Method::GET, "/api/v1/no-such-thing", "", vec![], None).await;
    assert_eq!((s, v["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (s, v) = raw(&app, Method::DELETE, "/api/v1/me", "", vec![], None).await;
    assert_eq!((s, v["error"].as_str()), (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed")));
    // Nothing was broken by the bad requests: the account still signs in.
    app.signed_in("admin").await.me().await.expect("still fine");
}

async fn other_institutions_objects_are_not_found(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let regulator = app.signed_in("regulator").await;
    let other = regulator
        .create_institution(&NewInstitution {
            filing_number: "Y000051001064".into(), name: "另一家企业评价机构".into(), kind: InstitutionKind::Enterprise
        })
        .await
        .expect("create institution");
    let operator = app.signed_in("operator").await;
    let stranger = operator
        .create_user(&NewAccount {
            username: "other.proctor".into(),
            display_name: "外机构监考".into(),
            password: "long-password-1".into(),
            role: Role::Proctor,
            institution_id: Some(other.id),
        })
        .await
        .expect("create user elsewhere");
    let admin = app.signed_in("admin").await;
    let own = admin.me().await.expect("me").institution_id.expect("admin has an institution");
    admin.institution(own).await.expect("own institution is visible");
    for e in [
        admin.institution(other.id).await.expect_err("other institution"),
        admin.user(stranger.id).await.expect_err("other institution's account"),
        admin
            .create_user(&NewAccount {
                username: "sneaky".into(),
                display_name: "越权".into(),
                password: "long-password-1".into(),
                role: Role::Candidate,
                institution_id: Some(other.id),
            })
            .await
            .expect_err("creating into another institution"),
    ] {
        assert_eq!((e.status(), e.code()), (Some(StatusCode::NOT_FOUND), Some("not_found")));
    }
    let listed = admin.institutions().await.expect("list");
    assert_eq!(listed.iter().map(|i| i.id).collect::<Vec<_>>(), vec![own], "an admin lists only their own");
    assert!(admin.users().await.expect("users").iter().all(|u| u.institution_id == Some(own)));
    assert_eq!(regulator.institutions().await.expect("list").len(), 2);
    // An id that exists nowhere reads the same as another institution's.
    let e = admin.institution(other.id + 1000).await.expect_err("missing");
    assert_eq!(e.code(), Some("not_found"));
}

async fn account_rules_and_conflicts(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let admin = app.signed_in("admin").await;
    let own = admin.me().await.expect("me").institution_id;
    let mk = |username: &str, role: Role, password: &str| NewAccount {
        username: username.into(),
        display_name: "王五".into(),
        password: password.into(),
        role,
        institution_id: own,
    };
    let created = admin.create_user(&mk("wang.wu", Role::Candidate, "long-password-1")).await.expect("create");
    assert_eq!((created.role, created.institution_id), (Role::Candidate, own));
    let e = admin.create_user(&mk("wang.wu", Role::Proctor, "long-password-1")).await.expect_err("dup");
    assert_eq!((e.status(), e.code()), (Some(StatusCode::CONFLICT), Some("username_taken")));
    let e = admin.create_user(&mk("boss", Role::Regulator, "long-password-1")).await.expect_err("role");
    assert_eq!(e.code(), Some("role_not_assignable"));
    let e = admin.create_user(&mk("weak", Role::Candidate, "short")).await.expect_err("weak");
    assert_eq!((e.status(), e.code()), (Some(StatusCode::UNPROCESSABLE_ENTITY), Some("weak_password")));
    let e = admin.create_user(&mk("有空格 的名字", Role::Candidate, "long-password-1")).await.expect_err("name");
    assert_eq!(e.code(), Some("invalid_username"));
    // A candidate account signs in only through the exam sign-in (ticket, ID number and
    // password), never through the staff sign-in, and it is refused like a wrong password.
    let mut c = app.client();
    let e = c.login("wang.wu", "long-password-1").await.expect_err("candidate at the staff sign-in");
    assert_eq!((e.status(), e.code()), (Some(StatusCode::UNAUTHORIZED), Some("invalid_credentials")));
    let proctor = admin.create_user(&mk("zhao.liu", Role::Proctor, "long-password-2")).await.expect("create proctor");
    assert_eq!(c.login("zhao.liu", "long-password-2").await.expect("login").account.id, proctor.id);
    let e = app
        .signed_in("regulator")
        .await
        .create_institution(&NewInstitution { filing_number: "S000051000001".into(), name: "重复".into(), kind: InstitutionKind::College })
        .await
        .expect_err("filing number already used by the demo institution");
    assert_eq!(e.code(), Some("filing_number_taken"));
    let e = app
        .signed_in("regulator")
        .await
        .create_institution(&NewInstitution { filing_number: "Z123".into(), name: "坏编号".into(), kind: InstitutionKind::College })
        .await
        .expect_err("bad filing number");
    assert_eq!(e.code(), Some("invalid_filing_number"));
}

async fn health_and_readiness(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (s, v) = raw(&app, Method::GET, "/healthz", "", vec![], None).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (s, v) = raw(&app, Method::GET, "/readyz", "", vec![], None).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("ready")));
    sqlx::query("DELETE FROM _sqlx_migrations").execute(app.db().writer()).await.expect("forget migrations");
    let (s, v) = raw(&app, Method::GET, "/readyz", "", vec![], None).await;
    assert_eq!((s, v["error"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("not_ready")));
}

both_backends!(
    login_me_logout,
    the_token_is_also_a_cookie,
    wrong_passwords_slow_the_address_down_and_lock_nobody_out,
    a_success_resets_the_failure_count,
    an_expired_token_says_so,
    too_many_attempts_from_one_address_are_slowed,
    bad_bodies_get_stable_codes_in_the_asked_language,
    other_institutions_objects_are_not_found,
    account_rules_and_conflicts,
    health_and_readiness,
);
