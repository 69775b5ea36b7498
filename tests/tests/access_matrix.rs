//! Every route × every role (and no sign-in at all): allowed or denied as this table says.
//! The table is written here, apart from the server's, and must name every route the server
//! has: a new route without an expectation fails this test.
use std::sync::atomic::{AtomicU32, Ordering};

use e2e_tests::{Backend, TestApp, both_backends};
use exam_protocol::Role::{self, *};
use exam_server::demo::DEMO_PASSWORD;
use exam_server::http::access::{Access, Surface};
use reqwest::redirect::Policy;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Who the test expects to get through.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Anyone,
    SignedIn,
    Only(&'static [Role]),
}

const OVERSIGHT_AND_ADMIN: &[Role] = &[Regulator, Supervisor, Operator, InstitutionAdmin];

fn expectation(method: &Method, path: &str) -> Option<Expect> {
    use Expect::*;
    Some(match (method.as_str(), path) {
        ("GET", "/healthz" | "/readyz") => Anyone,
        ("POST", "/api/v1/auth/login") => Anyone,
        ("POST", "/api/v1/auth/logout") => SignedIn,
        ("GET", "/api/v1/me") => SignedIn,
        ("GET", "/api/v1/institutions") => Only(OVERSIGHT_AND_ADMIN),
        ("POST", "/api/v1/institutions") => Only(&[Regulator, Operator]),
        ("GET", "/api/v1/institutions/{id}") => Only(OVERSIGHT_AND_ADMIN),
        ("GET", "/api/v1/users") => Only(&[Operator, InstitutionAdmin]),
        ("POST", "/api/v1/users") => Only(&[Operator, InstitutionAdmin]),
        ("GET", "/api/v1/users/{id}") => Only(&[Operator, InstitutionAdmin]),
        ("GET", "/api/v1/audit/events") => Only(&[Regulator, Supervisor, Operator]),
        ("GET", "/api/v1/audit/verify") => Only(&[Regulator, Operator]),
        ("GET", "/" | "/login") => Anyone,
        ("POST", "/login") => Anyone,
        ("POST", "/logout") => SignedIn,
        ("GET", "/home") => SignedIn,
        _ => return None,
    })
}

fn same(expect: Expect, access: Access) -> bool {
    match (expect, access) {
        (Expect::Anyone, Access::Public) | (Expect::SignedIn, Access::Authenticated) => true,
        (Expect::Only(a), Access::Roles(b)) => {
            a.len() == b.len() && a.iter().all(|r| b.contains(r))
        }
        _ => false,
    }
}

static UNIQUE: AtomicU32 = AtomicU32::new(0);

struct Fixture {
    institution_id: i64,
    candidate_id: i64,
}

/// A concrete request for a route: its path with ids filled in, and a body.
fn sample(method: &Method, path: &str, fx: &Fixture) -> (String, Option<Value>, Option<String>) {
    let n = UNIQUE.fetch_add(1, Ordering::Relaxed);
    let concrete = path
        .replace("/institutions/{id}", &format!("/institutions/{}", fx.institution_id))
        .replace("/users/{id}", &format!("/users/{}", fx.candidate_id));
    let body = match (method.as_str(), path) {
        ("POST", "/api/v1/auth/login") => Some(json!({ "username": "operator", "password": DEMO_PASSWORD })),
        ("POST", "/api/v1/institutions") => Some(json!({
            "filing_number": format!("Y{:012}", 51_000_000 + n),
            "name": "矩阵测试机构",
            "kind": "enterprise",
        })),
        ("POST", "/api/v1/users") => Some(json!({
            "username": format!("matrix.{n}"),
            "display_name": "矩阵测试",
            "password": "long-password-1",
            "role": "candidate",
            "institution_id": fx.institution_id,
        })),
        _ => None,
    };
    let form = (method == Method::POST && path == "/login")
        .then(|| format!("username=operator&password={DEMO_PASSWORD}"));
    (concrete, body, form)
}

async fn token_for(app: &TestApp, role: Role) -> String {
    let username = exam_server::demo::ACCOUNTS.iter().find(|a| a.role == role).expect("demo account").username;
    let mut c = app.client();
    c.login(username, DEMO_PASSWORD).await.expect("sign in").token
}

async fn every_route_allows_and_denies_by_role(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let admin = app.signed_in("admin").await;
    let institution_id = admin.me().await.expect("me").institution_id.expect("institution");
    let candidate_id =
        admin.users().await.expect("users").into_iter().find(|u| u.role == Candidate).expect("demo candidate").id;
    let fx = Fixture { institution_id, candidate_id };
    let http = reqwest::Client::builder().redirect(Policy::none()).build().expect("client");

    let rules = exam_server::http::rules();
    assert!(rules.len() >= 16, "the server lists its routes");
    let mut tokens = Vec::new();
    for role in Role::ALL {
        tokens.push((role, token_for(&app, role).await));
    }
    let mut checked = 0;
    for rule in &rules {
        let expect = expectation(&rule.method, rule.path)
            .unwrap_or_else(|| panic!("{} {} has no expectation in this test: add it", rule.method, rule.path));
        assert!(same(expect, rule.access), "{} {}: server says {:?}, test expects {:?}", rule.method, rule.path, rule.access, expect);
        let signs_out = rule.path.ends_with("logout");
        let callers: Vec<Option<Role>> = std::iter::once(None).chain(Role::ALL.into_iter().map(Some)).collect();
        for caller in callers {
            let (path, body, form) = sample(&rule.method, rule.path, &fx);
            let mut rb = http.request(rule.method.clone(), format!("{}{path}", app.base));
            if let Some(role) = caller {
                let token = if signs_out {
                    token_for(&app, role).await
                } else {
                    tokens.iter().find(|(r, _)| *r == role).map(|(_, t)| t.clone()).expect("token")
                };
                rb = rb.bearer_auth(token);
            }
            if let Some(b) = body {
                rb = rb.json(&b);
            }
            if let Some(f) = form {
                rb = rb.header("content-type", "application/x-www-form-urlencoded").body(f);
            }
            let resp = rb.send().await.expect("request");
            let status = resp.status();
            let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
            let what = format!("{} {} as {:?}", rule.method, rule.path, caller);
            let allowed = match (expect, caller) {
                (Expect::Anyone, _) => true,
                (_, None) => false,
                (Expect::SignedIn, Some(_)) => true,
                (Expect::Only(roles), Some(r)) => roles.contains(&r),
            };
            if allowed {
                assert!(
                    !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::METHOD_NOT_ALLOWED)
                        && !status.is_server_error(),
                    "{what}: expected through, got {status}"
                );
                assert!(location.as_deref() != Some("/login") || rule.path == "/" || rule.path == "/logout",
                    "{what}: sent to sign in although allowed");
            } else if caller.is_none() {
                match rule.surface {
                    Surface::Api => assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}"),
                    Surface::Page => {
                        assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/login")), "{what}")
                    }
                }
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
                let body: Value = resp.json().await.unwrap_or(Value::Null);
                assert_eq!(body["error"], "forbidden", "{what}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, rules.len() * 9);
}

#[test]
fn the_expectation_table_has_no_routes_the_server_lacks() {
    let rules = exam_server::http::rules();
    let known = [
        (Method::GET, "/healthz"), (Method::GET, "/readyz"), (Method::POST, "/api/v1/auth/login"),
        (Method::POST, "/api/v1/auth/logout"), (Method::GET, "/api/v1/me"), (Method::GET, "/api/v1/institutions"),
        (Method::POST, "/api/v1/institutions"), (Method::GET, "/api/v1/institutions/{id}"),
        (Method::GET, "/api/v1/users"), (Method::POST, "/api/v1/users"), (Method::GET, "/api/v1/users/{id}"),
        (Method::GET, "/api/v1/audit/events"), (Method::GET, "/api/v1/audit/verify"), (Method::GET, "/"),
        (Method::GET, "/login"), (Method::POST, "/login"), (Method::POST, "/logout"), (Method::GET, "/home"),
    ];
    for (m, p) in known.clone() {
        assert!(expectation(&m, p).is_some());
        assert!(rules.iter().any(|r| r.method == m && r.path == p), "the server no longer has {m} {p}; drop it here");
    }
    assert_eq!(rules.len(), known.len(), "a route was added: give it an expectation above and in `known`");
}

both_backends!(every_route_allows_and_denies_by_role);
