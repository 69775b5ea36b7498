//! The holes in signing in, each shown closed: candidates only through the exam sign-in, ticket,
//! ID number and password checked together, limits before any password is hashed, nobody locked
//! out by someone else, the client's address from a trusted proxy, limits shared over Redis.
use e2e_tests::{Backend, TestApp, both_backends, on_redis, redis_channel};
use exam_application::demo::{DEMO_CANDIDATES, DEMO_PASSWORD};
use exam_records::exams;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// (status, error code) of a sign-in at `path` with `body`, from `from` when given (the test
/// server trusts 127.0.0.1 as its proxy where a test says so).
async fn sign_in(app: &TestApp, path: &str, body: Value, from: Option<&str>) -> (StatusCode, String) {
    let mut rb = reqwest::Client::new().post(format!("{}{path}", app.base)).json(&body);
    if let Some(ip) = from {
        rb = rb.header("x-forwarded-for", ip);
    }
    let resp = rb.send().await.expect("send");
    let status = resp.status();
    let v: Value = resp.json().await.unwrap_or(Value::Null);
    (status, v["error"].as_str().unwrap_or("").to_string())
}

async fn ticket(app: &TestApp, which: usize) -> (String, String, i64) {
    let (name, id) = DEMO_CANDIDATES[which];
    let c = exams::candidates(app.db(), 1).await.expect("roster").into_iter().find(|c| c.name == name).expect("on the roster");
    (c.ticket, id.to_string(), c.id)
}

async fn behind_proxy(b: Backend, tweak: impl FnOnce(&mut exam_application::config::Settings)) -> TestApp {
    let app = TestApp::spawn_with(b, |s| {
        s.http.trusted_proxies = vec!["127.0.0.1".into()];
        tweak(s);
    })
    .await;
    exam_application::demo::seed(app.db()).await.expect("seed");
    exams::set_required_media(app.db(), 1, &[]).await.expect("no media");
    app
}

async fn the_staff_sign_in_refuses_candidates(b: Backend) {
    let app = behind_proxy(b, |_| {}).await;
    let (t, _, cid) = ticket(&app, 0).await;
    let (status, code) = sign_in(&app, "/api/v1/auth/login", json!({"username": t, "password": DEMO_PASSWORD}), None).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "invalid_credentials"), "no ID number, no room feed: refused");
    // The sign-in form too: no cookie, the form again.
    let resp = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(format!("{}/login", app.base))
        .form(&[("username", t.as_str()), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .expect("form");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(resp.headers().get("set-cookie").is_none(), "no session for a candidate at the staff form");
    let feed = exams::events_after(app.db(), 1, 0, 100, true).await.expect("feed");
    assert!(!feed.iter().any(|(_, c, kind, _, _)| *c == Some(cid) && kind.contains("sign")), "nothing signed in: {feed:?}");
}

async fn ticket_id_and_password_are_checked_together(b: Backend) {
    let app = behind_proxy(b, |_| {}).await;
    let (t, id, _) = ticket(&app, 1).await;
    // The session opens in a week: only a fully right sign-in may hear that.
    let mut conn = app.db().writer().acquire().await.expect("conn");
    sqlx::query("UPDATE exam_sessions SET starts_at_ms = starts_at_ms + 7 * 86400000, ends_at_ms = ends_at_ms + 7 * 86400000 WHERE id = 1")
        .execute(&mut *conn)
        .await
        .expect("move the session");
    drop(conn);
    let login = "/api/v1/exam/login";
    let wrong_pw = sign_in(&app, login, json!({"ticket": t, "id_number": id, "password": "not-it-123"}), None).await;
    let wrong_id = sign_in(&app, login, json!({"ticket": t, "id_number": e2e_tests::resident_id(9), "password": DEMO_PASSWORD}), None).await;
    let unknown = sign_in(&app, login, json!({"ticket": "2026999999999", "id_number": id, "password": DEMO_PASSWORD}), None).await;
    for (what, got) in [("right ID, wrong password", &wrong_pw), ("wrong ID", &wrong_id), ("unknown ticket", &unknown)] {
        assert_eq!((got.0, got.1.as_str()), (StatusCode::UNAUTHORIZED, "invalid_credentials"), "{what}");
    }
    let right = sign_in(&app, login, json!({"ticket": t, "id_number": id, "password": DEMO_PASSWORD}), None).await;
    assert_eq!((right.0, right.1.as_str()), (StatusCode::CONFLICT, "session_not_open"));
}

async fn a_flood_of_unknown_tickets_is_refused_before_hashing(b: Backend) {
    let app = behind_proxy(b, |s| s.auth.login_failures_per_minute = 30).await;
    let mut refused = 0;
    for n in 0..40 {
        let (status, code) =
            sign_in(&app, "/api/v1/exam/login", json!({"ticket": format!("20269{n:08}"), "id_number": "x", "password": "guess-123"}), Some("198.51.100.7"))
                .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(code, "rate_limited");
            refused += 1;
        }
    }
    assert_eq!(refused, 10, "30 wrong sign-ins a minute from one address, then none");
    // A hall behind another public address is not held up.
    let (t, id, _) = ticket(&app, 0).await;
    let ok = sign_in(&app, "/api/v1/exam/login", json!({"ticket": t, "id_number": id, "password": DEMO_PASSWORD}), Some("203.0.113.20")).await;
    assert_eq!(ok.0, StatusCode::OK, "{ok:?}");
}

async fn parallel_guesses_get_five_tries_and_lock_nobody_out(b: Backend) {
    let app = behind_proxy(b, |_| {}).await;
    let (t, id, _) = ticket(&app, 2).await;
    let guesses = (0..20).map(|n| {
        let (app_base, t, id) = (app.base.clone(), t.clone(), id.clone());
        tokio::spawn(async move {
            let resp = reqwest::Client::new()
                .post(format!("{app_base}/api/v1/exam/login"))
                .header("x-forwarded-for", "198.51.100.66")
                .json(&json!({"ticket": t, "id_number": id, "password": format!("guess-{n}-xyz")}))
                .send()
                .await
                .expect("send");
            resp.status()
        })
    });
    let mut wrong = 0;
    let mut slowed = 0;
    for g in guesses {
        match g.await.expect("task") {
            StatusCode::UNAUTHORIZED => wrong += 1,
            StatusCode::TOO_MANY_REQUESTS => slowed += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((wrong, slowed), (5, 15), "five tries however many arrive at once");
    // The candidate, at the test centre's address, is not locked out by the guesser.
    let ok = sign_in(&app, "/api/v1/exam/login", json!({"ticket": t, "id_number": id, "password": DEMO_PASSWORD}), Some("203.0.113.20")).await;
    assert_eq!(ok.0, StatusCode::OK, "{ok:?}");
}

async fn a_long_run_of_wrong_tries_slows_the_account_until_the_proctor_clears_it(b: Backend) {
    let app = behind_proxy(b, |s| {
        s.auth.max_failed_logins_total = 3;
        s.auth.slow_down_secs = 3600;
    })
    .await;
    let (t, id, cid) = ticket(&app, 0).await;
    for n in 0..3 {
        let got = sign_in(&app, "/api/v1/exam/login", json!({"ticket": t, "id_number": id, "password": "wrong-pass"}), Some(&format!("198.51.100.{n}"))).await;
        assert_eq!(got.0, StatusCode::UNAUTHORIZED);
    }
    let right = json!({"ticket": t, "id_number": id, "password": DEMO_PASSWORD});
    let slowed = sign_in(&app, "/api/v1/exam/login", right.clone(), Some("203.0.113.20")).await;
    assert_eq!((slowed.0, slowed.1.as_str()), (StatusCode::TOO_MANY_REQUESTS, "sign_in_slowed"));
    let proctor = app.signed_in("proctor").await;
    let r = proctor
        .request(reqwest::Method::POST, &format!("/api/v1/sessions/1/candidates/{cid}/actions"))
        .json(&json!({"action": "clear_sign_in"}))
        .send()
        .await
        .expect("clear");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let ok = sign_in(&app, "/api/v1/exam/login", right, Some("203.0.113.20")).await;
    assert_eq!(ok.0, StatusCode::OK, "{ok:?}");
    let feed = exams::events_after(app.db(), 1, 0, 100, true).await.expect("feed");
    assert!(feed.iter().any(|(_, c, kind, _, _)| *c == Some(cid) && kind == "sign_in_cleared"), "in the exam-room record");
}

async fn a_spoofed_forwarded_header_is_not_believed_from_strangers(b: Backend) {
    // No trusted proxy: the header is the client's own claim, and ignored.
    let app = TestApp::spawn_with(b, |s| s.auth.login_failures_per_minute = 3).await;
    exam_application::demo::seed(app.db()).await.expect("seed");
    for n in 0..3 {
        let got = sign_in(&app, "/api/v1/auth/login", json!({"username": "nobody", "password": "x-123456"}), Some(&format!("198.51.100.{n}"))).await;
        assert_eq!(got.0, StatusCode::UNAUTHORIZED);
    }
    let got = sign_in(&app, "/api/v1/auth/login", json!({"username": "operator", "password": DEMO_PASSWORD}), Some("198.51.100.99")).await;
    assert_eq!(got.0, StatusCode::TOO_MANY_REQUESTS, "one address, whatever the header says");
}

both_backends!(
    the_staff_sign_in_refuses_candidates,
    ticket_id_and_password_are_checked_together,
    a_flood_of_unknown_tickets_is_refused_before_hashing,
    parallel_guesses_get_five_tries_and_lock_nobody_out,
    a_long_run_of_wrong_tries_slows_the_account_until_the_proctor_clears_it,
    a_spoofed_forwarded_header_is_not_believed_from_strangers,
);

/// Two processes behind one load balancer share their limits through Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_are_shared_between_processes_over_redis() {
    let channel = redis_channel();
    let tweak = |s: &mut exam_application::config::Settings| {
        on_redis(&channel)(s);
        s.auth.login_attempts_per_minute = 4;
    };
    let app = TestApp::spawn_with(Backend::Postgres, tweak).await;
    let (other, _) = app.another_process(tweak).await;
    let mut codes = Vec::new();
    for base in [&app.base, &other, &app.base, &other, &app.base] {
        let resp = reqwest::Client::new()
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": "nobody", "password": "x-123456"}))
            .send()
            .await
            .expect("send");
        codes.push(resp.status());
    }
    assert_eq!(codes[..4], [StatusCode::UNAUTHORIZED; 4]);
    assert_eq!(codes[4], StatusCode::TOO_MANY_REQUESTS, "the fifth attempt from this address, on either process");
}
