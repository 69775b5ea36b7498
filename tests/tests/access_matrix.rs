//! Every route × every role (and no sign-in at all): allowed or denied as this table says.
//! The table is written here, apart from the server's, and must name every route the server
//! has: a new route without an expectation fails this test.
use std::sync::atomic::{AtomicU32, Ordering};

use e2e_tests::{Backend, TestApp, both_backends};
use exam_application::demo::DEMO_PASSWORD;
use exam_protocol::Role::{self, *};
use exam_web::http::access::{Access, Surface};
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
const BANK_ROLES: &[Role] = &[Author, Reviewer, InstitutionAdmin, Supervisor, Regulator, Operator];
const BANK_MANAGERS: &[Role] = &[Operator, Regulator, InstitutionAdmin];
const ITEM_READERS: &[Role] = &[Author, Reviewer, Regulator];

fn expectation(method: &Method, path: &str) -> Option<Expect> {
    use Expect::*;
    Some(match (method.as_str(), path) {
        ("GET", "/healthz" | "/readyz" | "/evidence/log/checkpoint" | "/evidence/log/key" | "/evidence/log/tile/{*path}") => Anyone,
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
        ("GET", "/api/v1/banks") => Only(BANK_ROLES),
        ("POST", "/api/v1/banks") => Only(BANK_MANAGERS),
        ("GET", "/api/v1/banks/{id}") => Only(BANK_ROLES),
        ("POST", "/api/v1/banks/{id}/members") => Only(BANK_MANAGERS),
        ("GET", "/api/v1/banks/{id}/outline") => Only(BANK_ROLES),
        ("PUT", "/api/v1/banks/{id}/outline") => Only(&[Author, Operator, Regulator, InstitutionAdmin]),
        ("GET", "/api/v1/banks/{id}/blueprints/{level}" | "/api/v1/banks/{id}/outline/export") => Only(BANK_ROLES),
        ("POST", "/api/v1/banks/{id}/outline/import") => Only(&[Author, Operator, Regulator, InstitutionAdmin]),
        ("PUT", "/api/v1/banks/{id}/blueprints/{level}") => Only(&[Author, Reviewer, Operator, Regulator, InstitutionAdmin]),
        ("GET", "/api/v1/banks/{id}/blueprints/{level}/feasibility") => Only(BANK_ROLES),
        ("GET", "/api/v1/banks/{id}/items") => Only(ITEM_READERS),
        ("POST", "/api/v1/banks/{id}/items") => Only(&[Author]),
        ("POST", "/api/v1/banks/{id}/import") => Only(&[Author]),
        ("GET", "/api/v1/banks/{id}/export") => Only(&[Reviewer, Regulator]),
        ("POST", "/api/v1/import/check") => Only(BANK_ROLES),
        ("GET", "/api/v1/items/{id}" | "/api/v1/items/{id}/history") => Only(ITEM_READERS),
        ("POST", "/api/v1/items/{id}/versions" | "/api/v1/items/{id}/submit") => Only(&[Author]),
        ("POST", "/api/v1/items/{id}/review" | "/api/v1/items/{id}/retire") => Only(&[Reviewer]),
        ("GET", "/api/v1/review-queue") => Only(&[Reviewer]),
        ("POST", "/api/v1/items/preview") => Only(&[Author, Reviewer]),
        ("POST", "/api/v1/sessions") | ("GET", "/api/v1/sessions" | "/api/v1/sessions/{id}") => Only(&[InstitutionAdmin]),
        ("GET", "/api/v1/sessions/{id}/room" | "/api/v1/sessions/{id}/events") => Only(&[Proctor, InstitutionAdmin, Supervisor]),
        ("GET", "/api/v1/sessions/{id}/summary") => Only(&[Proctor, InstitutionAdmin]),
        ("POST", "/api/v1/institutions/{id}/inspectors") => Only(&[Regulator]),
        ("POST", "/api/v1/sessions/{id}/candidates/{candidate_id}/actions") => Only(&[Proctor]),
        ("GET", "/api/v1/sessions/{id}/marking") => Only(&[Proctor, InstitutionAdmin]),
        ("POST", "/api/v1/sessions/{id}/candidates/{candidate_id}/watch") => Only(&[Proctor, Supervisor]),
        ("GET", "/api/v1/exam/media") => Only(&[Candidate]),
        ("GET", "/api/v1/marking/next") | ("POST", "/api/v1/marking/{id}") | ("GET", "/marking") => Only(&[Proctor]),
        ("POST", "/api/v1/exam/login") => Anyone,
        ("GET", "/api/v1/exam/status" | "/api/v1/exam/paper")
        | ("GET", "/api/v1/exam/ws")
        | ("POST", "/api/v1/exam/commitment" | "/api/v1/exam/start" | "/api/v1/exam/answers" | "/api/v1/exam/hand-in" | "/api/v1/exam/events") => {
            Only(&[Candidate])
        }
        ("GET", "/static/{file}" | "/exam") => Anyone,
        ("GET", "/banks" | "/banks/{id}" | "/banks/{id}/outline" | "/banks/{id}/blueprints/{level}" | "/import/check") => Only(BANK_ROLES),
        ("GET", "/banks/{id}/import" | "/banks/{id}/items/new" | "/items/{id}/edit") => Only(&[Author]),
        ("GET", "/items/{id}" | "/items/{id}/files/{*path}") => Only(ITEM_READERS),
        ("GET", "/review") => Only(&[Reviewer]),
        ("GET", "/sessions") => Only(&[Proctor, InstitutionAdmin, Supervisor, Regulator]),
        ("GET", "/sessions/{id}") => Only(&[Proctor, InstitutionAdmin, Supervisor]),
        ("GET", "/sessions/new" | "/sessions/roster-template.csv" | "/sessions/{id}/tickets" | "/sessions/{id}/edit") => Only(&[InstitutionAdmin]),
        ("POST", "/api/v1/sessions/{id}/names" | "/api/v1/sessions/{id}/cancel" | "/api/v1/sessions/{id}/schedule") => Only(&[InstitutionAdmin]),
        ("POST", "/api/v1/exam/photo") => Only(&[Candidate]),
        ("GET", "/api/v1/exam/receipt") => Only(&[Candidate]),
        ("POST", "/api/v1/sessions/{id}/scans" | "/api/v1/sessions/{id}/documents") => Only(&[InstitutionAdmin]),
        ("GET", "/api/v1/sessions/{id}/files" | "/api/v1/archive/{id}") => Only(&[InstitutionAdmin, Supervisor, Regulator]),
        ("POST", "/api/v1/archive/{id}/hold") => Only(&[Regulator]),
        ("GET", "/sessions/{id}/files") => Only(&[InstitutionAdmin, Supervisor, Regulator]),
        ("GET", "/api/v1/archive/{id}/play" | "/api/v1/archive/{id}/thumbnails" | "/api/v1/playback/{id}" | "/playback/{id}")
        | ("POST", "/api/v1/playback/{id}/findings") => Only(&[InstitutionAdmin, Supervisor, Regulator]),
        ("POST", "/api/v1/items/{id}/images") => Only(&[Author]),
        ("POST", "/api/v1/users/{id}/disable") => Only(&[Operator, InstitutionAdmin]),
        ("POST", "/api/v1/users/{id}/password") => Only(&[Operator, InstitutionAdmin]),
        ("POST", "/api/v1/batches/rename" | "/api/v1/batches/cancel") => Only(&[InstitutionAdmin]),
        ("GET", "/api/v1/sessions/{id}/candidates/{candidate_id}/photo" | "/api/v1/sessions/{id}/candidates/{candidate_id}/roster-photo") => {
            Only(&[Proctor, InstitutionAdmin, Supervisor])
        }
        ("POST", "/api/v1/sessions/{id}/candidates/{candidate_id}/roster-photo") => Only(&[InstitutionAdmin]),
        ("POST", "/api/v1/rosters/check") => Only(&[InstitutionAdmin]),
        ("GET", "/users") => Only(&[Operator, InstitutionAdmin]),
        ("GET", "/audit" | "/institutions") => Only(&[Regulator, Supervisor, Operator]),
        ("GET", "/favicon.ico") => Anyone,
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
        (Expect::Only(a), Access::Roles(b)) => a.len() == b.len() && a.iter().all(|r| b.contains(r)),
        _ => false,
    }
}

static UNIQUE: AtomicU32 = AtomicU32::new(0);

struct Fixture {
    institution_id: i64,
    candidate_id: i64,
    bank_id: i64,
    item_id: i64,
    author_id: i64,
    outline: Value,
    ticket: String,
}

/// A concrete request for a route: its path with ids filled in, a JSON body, or a raw body.
fn sample(method: &Method, path: &str, fx: &Fixture) -> (String, Option<Value>, Option<String>) {
    let n = UNIQUE.fetch_add(1, Ordering::Relaxed);
    let concrete = path
        .replace("/institutions/{id}", &format!("/institutions/{}", fx.institution_id))
        .replace("/users/{id}", &format!("/users/{}", fx.candidate_id))
        .replace("/banks/{id}", &format!("/banks/{}", fx.bank_id))
        .replace("/items/{id}", &format!("/items/{}", fx.item_id))
        .replace("{level}", "4")
        .replace("{file}", "bank.js")
        .replace("{*path}", "images/none.png")
        .replace("/sessions/{id}", "/sessions/1")
        .replace("/marking/{id}", "/marking/1")
        .replace("{candidate_id}", "1");
    let concrete = match path {
        // Disabling a real fixture account would end sign-ins the rest of the walk needs: an id
        // nobody has still shows whether the role gets through.
        "/api/v1/users/{id}/disable" => "/api/v1/users/999999/disable".to_string(),
        "/api/v1/users/{id}/password" => "/api/v1/users/999999/password".to_string(),
        "/api/v1/sessions/{id}/scans" => format!("{concrete}?class=paper&name=matrix"),
        "/api/v1/archive/{id}" | "/api/v1/archive/{id}/hold" | "/api/v1/archive/{id}/play" | "/api/v1/archive/{id}/thumbnails" => {
            path.replace("{id}", "999999")
        }
        "/api/v1/banks/{id}/import" | "/api/v1/import/check" => format!("{concrete}?dry_run=true"),
        "/api/v1/banks/{id}/export" => format!("{concrete}?format=xlsx"),
        "/api/v1/banks/{id}/outline/export" => format!("{concrete}?format=json"),
        "/api/v1/sessions/{id}/summary" => format!("{concrete}?format=csv"),
        _ => concrete,
    };
    let item = json!({
        "item_type": "true_false", "stem": "矩阵测试题", "key": {"kind": "true_false", "value": true}, "points": 1000
    });
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
        ("POST", "/api/v1/banks") => Some(json!({ "occupation_code": "6-31-01-03", "name": "矩阵题库", "levels": [4] })),
        ("POST", "/api/v1/banks/{id}/members") => Some(json!({ "account_id": fx.author_id, "role": "author" })),
        ("PUT", "/api/v1/banks/{id}/outline") => Some(fx.outline.clone()),
        ("PUT", "/api/v1/banks/{id}/blueprints/{level}") => {
            Some(json!({ "level": 4, "types": [{"item_type": "true_false", "count": 1, "points_each": 1000}] }))
        }
        ("POST", "/api/v1/banks/{id}/items" | "/api/v1/items/{id}/versions" | "/api/v1/items/preview") => Some(item),
        ("POST", "/api/v1/items/{id}/review") => Some(json!({ "decision": "reject", "comment": "矩阵" })),
        ("POST", "/api/v1/exam/login") => Some(json!({
            "ticket": fx.ticket, "id_number": exam_application::demo::DEMO_CANDIDATES[0].1, "password": DEMO_PASSWORD
        })),
        ("POST", "/api/v1/exam/answers") => Some(json!({ "seq": 1, "no": 1, "response": {"kind": "true_false", "value": true} })),
        ("POST", "/api/v1/exam/events") => Some(json!({ "kind": "page_hidden" })),
        ("POST", "/api/v1/sessions/{id}/candidates/{candidate_id}/actions") => Some(json!({ "action": "resume" })),
        ("POST", "/api/v1/marking/{id}") => Some(json!({ "points": 0 })),
        ("POST", "/api/v1/sessions/{id}/names") => Some(json!({ "batch": "演示批次", "name": "电工四级理论知识考试（演示）", "room": "第一考场" })),
        // The demo session has started: the cancel is refused as a conflict, never as access.
        ("POST", "/api/v1/sessions/{id}/cancel") => Some(json!({ "reason": "矩阵" })),
        ("POST", "/api/v1/archive/{id}/hold") => Some(json!({ "on": true, "reason": "矩阵" })),
        ("POST", "/api/v1/playback/{id}/findings") => Some(json!({ "seen": "矩阵", "conclusion": "no_issue" })),
        // A batch nobody has: refused as not found, never as access.
        ("POST", "/api/v1/batches/rename") => Some(json!({ "from": "无此批次", "to": "矩阵" })),
        ("POST", "/api/v1/batches/cancel") => Some(json!({ "batch": "无此批次", "reason": "矩阵" })),
        ("POST", "/api/v1/sessions/{id}/schedule") => Some(json!({
            "starts_at_ms": 4_102_444_800_000_i64, "duration_minutes": 90, "late_entry_minutes": 30, "earliest_hand_in_minutes": 30,
            "pass_mark": 60, "proctor_ids": [], "marker_ids": []
        })),
        ("POST", "/api/v1/institutions/{id}/inspectors") => Some(json!({ "account_id": fx.author_id })),
        ("POST", "/api/v1/sessions/{id}/candidates/{candidate_id}/watch") => Some(json!({ "sdp": "v=0", "kinds": ["camera"] })),
        ("POST", "/api/v1/sessions") => Some(json!({
            "bank_id": 1, "level": 4, "batch": "b", "name": "矩阵场次", "room": "r", "starts_at_ms": 0,
            "proctor_ids": [], "candidates": []
        })),
        _ => None,
    };
    let raw = match (method.as_str(), path) {
        ("POST", "/login") => Some(format!("username=operator&password={DEMO_PASSWORD}")),
        ("POST", "/api/v1/banks/{id}/outline/import") => Some(fx.outline.to_string()),
        ("POST", "/api/v1/banks/{id}/import" | "/api/v1/import/check") => Some("题干\nA) 甲\nB) 乙\nANSWER: A\n".to_string()),
        ("POST", "/api/v1/exam/photo" | "/api/v1/sessions/{id}/candidates/{candidate_id}/roster-photo" | "/api/v1/sessions/{id}/scans") => {
            Some("\u{FF}\u{D8}".to_string())
        }
        ("POST", "/api/v1/rosters/check") => Some("姓名,证件号码\n甲,110105199001017001\n".to_string()),
        _ => None,
    };
    (concrete, body, raw)
}

async fn token_for(app: &TestApp, role: Role, fresh: bool) -> String {
    // Candidates sign in only through the exam sign-in; the sign-outs use another candidate, as
    // the first may have handed in by then.
    if role == Candidate {
        return e2e_tests::candidate_token(&app.base, app.db(), usize::from(fresh)).await;
    }
    let username = exam_application::demo::ACCOUNTS.iter().find(|a| a.role == role).expect("demo account").username;
    let mut c = app.client();
    c.login(username, DEMO_PASSWORD).await.expect("sign in").token
}

async fn every_route_allows_and_denies_by_role(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let admin = app.signed_in("admin").await;
    let institution_id = admin.me().await.expect("me").institution_id.expect("institution");
    let candidate_id = admin.users().await.expect("users").into_iter().find(|u| u.role == Candidate).expect("demo candidate").id;
    let author = app.signed_in("author").await;
    let author_id = author.me().await.expect("me").id;
    let banks: Value = author.request(Method::GET, "/api/v1/banks").send().await.expect("banks").json().await.expect("json");
    let bank_id = banks[0]["id"].as_i64().expect("demo bank");
    let items: Value =
        author.request(Method::GET, &format!("/api/v1/banks/{bank_id}/items?status=in_review")).send().await.expect("items").json().await.expect("json");
    let item_id = items["items"][0]["item_id"].as_i64().expect("an item in review");
    let outline: Value = author.request(Method::GET, &format!("/api/v1/banks/{bank_id}/outline")).send().await.expect("outline").json().await.expect("json");
    let roster = exam_records::exams::candidates(app.db(), 1).await.expect("demo roster");
    let ticket = roster.iter().find(|c| c.name == exam_application::demo::DEMO_CANDIDATES[0].0).expect("demo candidate").ticket.clone();
    let fx = Fixture { institution_id, candidate_id, bank_id, item_id, author_id, outline: outline["outline"].clone(), ticket };
    let http = reqwest::Client::builder().redirect(Policy::none()).build().expect("client");

    let rules = exam_web::http::rules();
    assert!(rules.len() >= 16, "the server lists its routes");
    let mut tokens = Vec::new();
    for role in Role::ALL {
        tokens.push((role, token_for(&app, role, false).await));
    }
    let mut checked = 0;
    for rule in &rules {
        let expect = expectation(&rule.method, rule.path).unwrap_or_else(|| panic!("{} {} has no expectation in this test: add it", rule.method, rule.path));
        assert!(same(expect, rule.access), "{} {}: server says {:?}, test expects {:?}", rule.method, rule.path, rule.access, expect);
        let signs_out = rule.path.ends_with("logout");
        let callers: Vec<Option<Role>> = std::iter::once(None).chain(Role::ALL.into_iter().map(Some)).collect();
        for caller in callers {
            let (path, body, raw) = sample(&rule.method, rule.path, &fx);
            let mut rb = http.request(rule.method.clone(), format!("{}{path}", app.base));
            if let Some(role) = caller {
                let token =
                    if signs_out { token_for(&app, role, true).await } else { tokens.iter().find(|(r, _)| *r == role).map(|(_, t)| t.clone()).expect("token") };
                rb = rb.bearer_auth(token);
            }
            if let Some(b) = body {
                rb = rb.json(&b);
            }
            if let Some(r) = raw {
                let ct = if rule.path == "/login" { "application/x-www-form-urlencoded" } else { "application/octet-stream" };
                rb = rb.header("content-type", ct).body(r);
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
                    !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::METHOD_NOT_ALLOWED) && !status.is_server_error(),
                    "{what}: expected through, got {status}"
                );
                assert!(location.as_deref() != Some("/login") || rule.path == "/" || rule.path == "/logout", "{what}: sent to sign in although allowed");
            } else if caller.is_none() {
                match rule.surface {
                    Surface::Api => assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}"),
                    Surface::Page => {
                        assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/login")), "{what}")
                    }
                }
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
                match rule.surface {
                    Surface::Api => {
                        let body: Value = resp.json().await.unwrap_or(Value::Null);
                        assert_eq!(body["error"], "forbidden", "{what}");
                    }
                    // A page answers with a page: the reason in the person's language.
                    Surface::Page => {
                        let html = resp.text().await.unwrap_or_default();
                        assert!(html.contains("data-error=\"forbidden\"") && html.contains("无权访问"), "{what}: {html}");
                    }
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, rules.len() * 9);
}

#[test]
fn the_expectation_table_has_no_routes_the_server_lacks() {
    let rules = exam_web::http::rules();
    let known = [
        (Method::GET, "/healthz"),
        (Method::GET, "/evidence/log/checkpoint"),
        (Method::GET, "/evidence/log/key"),
        (Method::GET, "/evidence/log/tile/{*path}"),
        (Method::GET, "/readyz"),
        (Method::POST, "/api/v1/auth/login"),
        (Method::POST, "/api/v1/auth/logout"),
        (Method::GET, "/api/v1/me"),
        (Method::GET, "/api/v1/institutions"),
        (Method::POST, "/api/v1/institutions"),
        (Method::GET, "/api/v1/institutions/{id}"),
        (Method::GET, "/api/v1/users"),
        (Method::POST, "/api/v1/users"),
        (Method::GET, "/api/v1/users/{id}"),
        (Method::GET, "/api/v1/audit/events"),
        (Method::GET, "/api/v1/audit/verify"),
        (Method::GET, "/"),
        (Method::GET, "/login"),
        (Method::POST, "/login"),
        (Method::POST, "/logout"),
        (Method::GET, "/home"),
        (Method::GET, "/api/v1/banks"),
        (Method::POST, "/api/v1/banks"),
        (Method::GET, "/api/v1/banks/{id}"),
        (Method::POST, "/api/v1/banks/{id}/members"),
        (Method::GET, "/api/v1/banks/{id}/outline"),
        (Method::PUT, "/api/v1/banks/{id}/outline"),
        (Method::GET, "/api/v1/banks/{id}/blueprints/{level}"),
        (Method::PUT, "/api/v1/banks/{id}/blueprints/{level}"),
        (Method::GET, "/api/v1/banks/{id}/blueprints/{level}/feasibility"),
        (Method::GET, "/api/v1/banks/{id}/items"),
        (Method::POST, "/api/v1/banks/{id}/items"),
        (Method::POST, "/api/v1/banks/{id}/import"),
        (Method::GET, "/api/v1/banks/{id}/export"),
        (Method::POST, "/api/v1/import/check"),
        (Method::GET, "/api/v1/items/{id}"),
        (Method::GET, "/api/v1/items/{id}/history"),
        (Method::POST, "/api/v1/items/{id}/versions"),
        (Method::POST, "/api/v1/items/{id}/submit"),
        (Method::POST, "/api/v1/items/{id}/review"),
        (Method::POST, "/api/v1/items/{id}/retire"),
        (Method::GET, "/api/v1/review-queue"),
        (Method::POST, "/api/v1/items/preview"),
        (Method::POST, "/api/v1/sessions"),
        (Method::GET, "/api/v1/sessions"),
        (Method::GET, "/api/v1/sessions/{id}"),
        (Method::POST, "/api/v1/exam/login"),
        (Method::GET, "/api/v1/exam/status"),
        (Method::POST, "/api/v1/exam/commitment"),
        (Method::POST, "/api/v1/exam/start"),
        (Method::GET, "/api/v1/exam/paper"),
        (Method::POST, "/api/v1/exam/answers"),
        (Method::POST, "/api/v1/exam/hand-in"),
        (Method::GET, "/api/v1/sessions/{id}/room"),
        (Method::GET, "/api/v1/sessions/{id}/events"),
        (Method::GET, "/api/v1/sessions/{id}/summary"),
        (Method::POST, "/api/v1/sessions/{id}/candidates/{candidate_id}/actions"),
        (Method::POST, "/api/v1/exam/events"),
        (Method::GET, "/api/v1/exam/ws"),
        (Method::GET, "/api/v1/banks/{id}/outline/export"),
        (Method::POST, "/api/v1/banks/{id}/outline/import"),
        (Method::GET, "/static/{file}"),
        (Method::GET, "/exam"),
        (Method::GET, "/sessions"),
        (Method::GET, "/sessions/{id}"),
        (Method::GET, "/sessions/new"),
        (Method::GET, "/sessions/roster-template.csv"),
        (Method::GET, "/sessions/{id}/tickets"),
        (Method::GET, "/sessions/{id}/edit"),
        (Method::POST, "/api/v1/exam/photo"),
        (Method::GET, "/api/v1/exam/receipt"),
        (Method::POST, "/api/v1/sessions/{id}/scans"),
        (Method::POST, "/api/v1/sessions/{id}/documents"),
        (Method::GET, "/api/v1/sessions/{id}/files"),
        (Method::GET, "/api/v1/archive/{id}"),
        (Method::POST, "/api/v1/archive/{id}/hold"),
        (Method::GET, "/sessions/{id}/files"),
        (Method::GET, "/api/v1/archive/{id}/play"),
        (Method::GET, "/api/v1/archive/{id}/thumbnails"),
        (Method::GET, "/api/v1/playback/{id}"),
        (Method::POST, "/api/v1/playback/{id}/findings"),
        (Method::GET, "/playback/{id}"),
        (Method::POST, "/api/v1/items/{id}/images"),
        (Method::POST, "/api/v1/users/{id}/disable"),
        (Method::POST, "/api/v1/users/{id}/password"),
        (Method::GET, "/api/v1/sessions/{id}/candidates/{candidate_id}/photo"),
        (Method::GET, "/api/v1/sessions/{id}/candidates/{candidate_id}/roster-photo"),
        (Method::POST, "/api/v1/sessions/{id}/candidates/{candidate_id}/roster-photo"),
        (Method::POST, "/api/v1/sessions/{id}/names"),
        (Method::POST, "/api/v1/sessions/{id}/cancel"),
        (Method::POST, "/api/v1/sessions/{id}/schedule"),
        (Method::POST, "/api/v1/batches/rename"),
        (Method::POST, "/api/v1/batches/cancel"),
        (Method::POST, "/api/v1/rosters/check"),
        (Method::GET, "/users"),
        (Method::GET, "/audit"),
        (Method::GET, "/institutions"),
        (Method::GET, "/favicon.ico"),
        (Method::GET, "/banks"),
        (Method::GET, "/banks/{id}"),
        (Method::GET, "/banks/{id}/import"),
        (Method::GET, "/banks/{id}/items/new"),
        (Method::GET, "/banks/{id}/outline"),
        (Method::GET, "/banks/{id}/blueprints/{level}"),
        (Method::GET, "/import/check"),
        (Method::GET, "/items/{id}"),
        (Method::GET, "/items/{id}/edit"),
        (Method::GET, "/review"),
        (Method::GET, "/items/{id}/files/{*path}"),
        (Method::GET, "/api/v1/sessions/{id}/marking"),
        (Method::GET, "/api/v1/marking/next"),
        (Method::POST, "/api/v1/marking/{id}"),
        (Method::GET, "/marking"),
        (Method::POST, "/api/v1/sessions/{id}/candidates/{candidate_id}/watch"),
        (Method::GET, "/api/v1/exam/media"),
        (Method::POST, "/api/v1/institutions/{id}/inspectors"),
    ];
    for (m, p) in known.clone() {
        assert!(expectation(&m, p).is_some());
        assert!(rules.iter().any(|r| r.method == m && r.path == p), "the server no longer has {m} {p}; drop it here");
    }
    assert_eq!(rules.len(), known.len(), "a route was added: give it an expectation above and in `known`");
}

both_backends!(every_route_allows_and_denies_by_role);
