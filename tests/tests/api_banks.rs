//! Question banks through the API on both databases: scope, import with a dry run, review,
//! versions, search, outline and blueprint checks, export, and hostile files.
use e2e_tests::{Backend, TestApp, both_backends, call};
use exam_client::Client;
use exam_protocol::{
    Bank, Feasibility, ImportSummary, ItemContent, ItemPage, ItemRecord, ItemStatus, ItemType, Key, NewAccount, NewBank, Outline, OutlineVersion, Points,
    ReviewDecision, Role,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn upload(c: &Client, path: &str, bytes: Vec<u8>) -> Result<ImportSummary, (StatusCode, Value)> {
    let resp = c.request(Method::POST, path).header("content-type", "application/octet-stream").body(bytes).send().await.expect("send");
    let status = resp.status();
    let text = resp.text().await.expect("body");
    if status.is_success() { Ok(serde_json::from_str(&text).expect("summary")) } else { Err((status, serde_json::from_str(&text).unwrap_or(Value::Null))) }
}

async fn demo_bank(c: &Client) -> Bank {
    let banks: Vec<Bank> = call(c, Method::GET, "/api/v1/banks", None).await.expect("banks");
    banks.into_iter().next().expect("the demo bank")
}

const AIKEN: &str = "安全电压的上限值是多少伏？\nA) 36\nB) 220\nC) 380\nANSWER: A\n\n照明电路的开关应接在哪根线上？\nA) 零线\nB) 相线\nANSWER: B\n\n坏题没有答案\nA) 甲\nB) 乙\n";

async fn scope_keeps_banks_confidential(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let author = app.signed_in("author").await;
    let bank = demo_bank(&author).await;
    let reviewer = app.signed_in("reviewer").await;
    assert_eq!(demo_bank(&reviewer).await.id, bank.id);
    // An author not assigned to the bank sees no bank and gets 404 for it and its items.
    let operator = app.signed_in("operator").await;
    operator
        .create_user(&NewAccount {
            username: "author2".into(),
            display_name: "另一位命题人".into(),
            password: "long-password-1".into(),
            role: Role::Author,
            institution_id: None,
        })
        .await
        .expect("second author");
    let mut other = app.client();
    other.login("author2", "long-password-1").await.expect("login");
    let none: Vec<Bank> = call(&other, Method::GET, "/api/v1/banks", None).await.expect("list");
    assert!(none.is_empty());
    for path in [format!("/api/v1/banks/{}", bank.id), format!("/api/v1/banks/{}/items", bank.id)] {
        let (s, v) = call::<Value>(&other, Method::GET, &path, None).await.expect_err("hidden");
        assert_eq!((s, v["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{path}");
    }
    let page: ItemPage = call(&author, Method::GET, &format!("/api/v1/banks/{}/items", bank.id), None).await.expect("items");
    let item = &page.items[0];
    let (s, _) = call::<Value>(&other, Method::GET, &format!("/api/v1/items/{}", item.item_id), None).await.expect_err("hidden item");
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Managers assign members; then the second author sees it.
    let me2 = other.me().await.expect("me");
    let admin = app.signed_in("admin").await;
    let (s, v) = call::<Value>(&admin, Method::POST, &format!("/api/v1/banks/{}/members", bank.id), Some(json!({"account_id": me2.id, "role": "reviewer"})))
        .await
        .expect_err("role mismatch");
    assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("member_role_mismatch")));
    let resp = admin
        .request(Method::POST, &format!("/api/v1/banks/{}/members", bank.id))
        .json(&json!({"account_id": me2.id, "role": "author"}))
        .send()
        .await
        .expect("add");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(demo_bank(&other).await.id, bank.id);
}

async fn import_review_and_versions(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let author = app.signed_in("author").await;
    let reviewer = app.signed_in("reviewer").await;
    let bank = demo_bank(&author).await;
    let before: ItemPage = call(&author, Method::GET, &format!("/api/v1/banks/{}/items", bank.id), None).await.expect("items");

    let dry = upload(&author, &format!("/api/v1/banks/{}/import?dry_run=true", bank.id), AIKEN.as_bytes().to_vec()).await.expect("dry run");
    assert_eq!((dry.format.as_str(), dry.imported, dry.dry_run, dry.skipped.len()), ("aiken", 2, true, 1));
    assert!(dry.skipped[0].reason.contains("无法解析"), "{:?}", dry.skipped);
    // One language at a time: the detail too is in Chinese, not an English sentence after a Chinese reason.
    let english = dry.skipped[0].reason.split(|c: char| !c.is_ascii_alphabetic()).any(|w| w.len() > 3 && w.chars().all(|c| c.is_ascii_lowercase()));
    assert!(!english, "{:?}", dry.skipped);
    let unchanged: ItemPage = call(&author, Method::GET, &format!("/api/v1/banks/{}/items", bank.id), None).await.expect("items");
    assert_eq!(unchanged.total, before.total, "a dry run changes nothing");

    let done = author.import_items(bank.id, AIKEN.as_bytes().to_vec(), Some("aiken"), false).await.expect("import");
    assert_eq!((done.imported, done.dry_run), (2, false));
    let q = format!("/api/v1/banks/{}/items?q={}", bank.id, "安全电压");
    let found: ItemPage = call(&author, Method::GET, &q, None).await.expect("search");
    assert_eq!(author.items(bank.id, "q=安全电压").await.expect("typed search").total, 1);
    assert_eq!(found.total, 1);
    let item = found.items[0].clone();
    assert_eq!((item.status, item.content.item_type), (ItemStatus::InReview, ItemType::SingleChoice));
    assert_eq!(item.content.key, Key::Single { choice: "A".into() });

    // The reviewer's queue holds it; the author cannot review; a rejection needs a comment.
    let queue: Vec<ItemRecord> = call(&reviewer, Method::GET, "/api/v1/review-queue", None).await.expect("queue");
    assert!(queue.iter().any(|r| r.item_id == item.item_id));
    let path = format!("/api/v1/items/{}/review", item.item_id);
    let (s, _) = call::<Value>(&author, Method::POST, &path, Some(json!({"decision": "approve"}))).await.expect_err("author");
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = call::<Value>(&reviewer, Method::POST, &path, Some(json!({"decision": "reject"}))).await.expect_err("no comment");
    assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("comment_required")));
    let approved = reviewer.review(item.item_id, ReviewDecision::Approve, Some("准确")).await.expect("approve");
    assert_eq!(approved.status, ItemStatus::Approved);
    let (s, v) = call::<Value>(&reviewer, Method::POST, &path, Some(json!({"decision": "approve"}))).await.expect_err("twice");
    assert_eq!((s, v["error"].as_str()), (StatusCode::CONFLICT, Some("invalid_item_transition")));

    // A change to an approved item is a new draft version; the approved one stays as it was.
    let mut content: ItemContent = approved.content.clone();
    content.stem = "安全电压的上限值（交流有效值）是多少伏？".into();
    let v2: ItemRecord = call(&author, Method::POST, &format!("/api/v1/items/{}/versions", item.item_id), Some(serde_json::to_value(&content).expect("json")))
        .await
        .expect("revise");
    assert_eq!((v2.version, v2.status), (2, ItemStatus::Draft));
    assert_ne!(v2.version_id, approved.version_id);
    let history: Vec<ItemRecord> = call(&author, Method::GET, &format!("/api/v1/items/{}/history", item.item_id), None).await.expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!((history[0].status, history[0].content.stem.as_str()), (ItemStatus::Approved, approved.content.stem.as_str()));
    let submitted: ItemRecord = call(&author, Method::POST, &format!("/api/v1/items/{}/submit", item.item_id), None).await.expect("submit");
    assert_eq!(submitted.status, ItemStatus::InReview);

    // Every step is in the audit trail, and the chain holds.
    let events = app.signed_in("operator").await.audit_events(0, 1000).await.expect("events");
    for action in ["bank.import", "item.approve", "item.revise", "item.submit"] {
        assert!(events.iter().any(|e| e.action == action), "{action} audited");
    }
    assert!(app.signed_in("regulator").await.audit_verify().await.expect("verify").ok);
}

async fn items_written_by_hand_are_sanitised_and_checked(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let author = app.signed_in("author").await;
    let bank = demo_bank(&author).await;
    let content = json!({
        "item_type": "single_choice",
        "stem": "<p onclick=\"x()\">哪个正确？<script>alert(1)</script></p>",
        "choices": [{"id": "A", "content": "<img src=x onerror=alert(2)>对"}, {"id": "B", "content": "错"}],
        "key": {"kind": "single", "choice": "A"},
        "points": 2000,
        "tags": ["安全"]
    });
    // The editor's preview: rendered by the candidate renderer, sanitised, nothing saved.
    let preview: Value = call(&author, Method::POST, "/api/v1/items/preview", Some(content.clone())).await.expect("preview");
    let html = preview["html"].as_str().unwrap_or_default();
    assert!(html.contains("type=\"radio\"") && html.contains("哪个正确"), "{html}");
    assert!(!html.contains("script") && !html.contains("onerror") && !html.contains("onclick"), "{html}");
    assert!(!html.contains("\"single\"") && !html.contains("choice\": \"A"), "no key in the candidate's view");
    let made: ItemRecord = call(&author, Method::POST, &format!("/api/v1/banks/{}/items", bank.id), Some(content.clone())).await.expect("create");
    assert_eq!(made.status, ItemStatus::Draft);
    assert!(!made.content.stem.contains("script") && !made.content.stem.contains("onclick"), "{}", made.content.stem);
    assert!(!made.content.choices[0].content.contains("onerror"));
    assert_eq!(made.content.points, Points(2000));
    let mut bad = content.clone();
    bad["key"] = json!({"kind": "single", "choice": "Z"});
    let (s, v) = call::<Value>(&author, Method::POST, &format!("/api/v1/banks/{}/items", bank.id), Some(bad)).await.expect_err("bad key");
    assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_item")));
    let reviewer = app.signed_in("reviewer").await;
    let (s, _) = call::<Value>(&reviewer, Method::POST, &format!("/api/v1/banks/{}/items", bank.id), Some(content)).await.expect_err("reviewer writes");
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn search_filters(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let author = app.signed_in("author").await;
    let bank = demo_bank(&author).await;
    let count = |query: &'static str| {
        let author = author.clone();
        let id = bank.id;
        async move {
            let page: ItemPage = call(&author, Method::GET, &format!("/api/v1/banks/{id}/items?{query}"), None).await.expect(query);
            page.total
        }
    };
    assert_eq!(count("").await, 12);
    assert_eq!(count("type=multiple_choice").await, 2);
    assert_eq!(count("type=true_false").await, 1);
    assert_eq!(count("status=in_review").await, 3);
    assert_eq!(count("status=approved&type=single_choice").await, 5);
    assert_eq!(count("outline=B-B").await, 6, "a scope code matches every point under it");
    assert_eq!(count("outline=B-B-001").await, 4);
    assert_eq!(count("difficulty=3").await, 3);
    assert_eq!(count("q=%E8%A7%A6%E7%94%B5").await, 2, "触电 found without word segmentation");
    assert_eq!(count("q=%25").await, 0, "a % in the text is literal");
    assert_eq!(count("tag=%E5%AE%89%E5%85%A8").await, 0);
    let (s, v) = call::<Value>(&author, Method::GET, &format!("/api/v1/banks/{}/items?type=essay", bank.id), None).await.expect_err("bad type");
    assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_query")));
    let page: ItemPage = call(&author, Method::GET, &format!("/api/v1/banks/{}/items?limit=5&offset=10", bank.id), None).await.expect("page");
    assert_eq!((page.total, page.items.len()), (12, 2));
    let past: ItemPage = call(&author, Method::GET, &format!("/api/v1/banks/{}/items?limit=5&offset=20", bank.id), None).await.expect("past the end");
    assert_eq!((past.total, past.items.len()), (12, 0), "a page past the end still knows the total");
}

async fn outline_and_blueprint_checks(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let author = app.signed_in("author").await;
    let bank = demo_bank(&author).await;
    let ov: OutlineVersion = call(&author, Method::GET, &format!("/api/v1/banks/{}/outline", bank.id), None).await.expect("outline");
    assert_eq!(ov.version, 1);
    let mut broken: Outline = ov.outline.clone();
    broken.scopes[0].weights.insert(4, 25);
    let (s, v) = call::<Value>(&author, Method::PUT, &format!("/api/v1/banks/{}/outline", bank.id), Some(serde_json::to_value(&broken).expect("json")))
        .await
        .expect_err("sum");
    assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_outline")));
    assert!(v["problems"][0]["problem"].as_str().unwrap_or("").contains("105%"), "{v}");
    // One language at a time: Chinese by default, with no English beside it.
    let message = v["message"].as_str().unwrap_or_default();
    let problem = v["problems"][0]["problem"].as_str().unwrap_or_default();
    assert!(!message.contains("problems") && !message.contains(" / "), "{message}");
    assert!(problem.contains("比重") && !problem.contains("add up"), "{problem}");
    let en =
        author.request(Method::PUT, &format!("/api/v1/banks/{}/outline", bank.id)).header("accept-language", "en").json(&broken).send().await.expect("send");
    let en: Value = en.json().await.expect("json");
    assert_eq!(en["message"].as_str(), Some("The outline has 1 problem."), "{en}");
    assert!(en["problems"][0]["problem"].as_str().unwrap_or_default().contains("add up to 105%"), "{en}");
    let saved: OutlineVersion =
        call(&author, Method::PUT, &format!("/api/v1/banks/{}/outline", bank.id), Some(serde_json::to_value(&ov.outline).expect("json"))).await.expect("save");
    assert_eq!(saved.version, 2);
    // The outline as the 细目表 spreadsheet, and back in as version 3.
    let xlsx = author.request(Method::GET, &format!("/api/v1/banks/{}/outline/export?format=xlsx", bank.id)).send().await.expect("export");
    assert_eq!(xlsx.status(), StatusCode::OK);
    let bytes = xlsx.bytes().await.expect("bytes").to_vec();
    let resp = author.request(Method::POST, &format!("/api/v1/banks/{}/outline/import", bank.id)).body(bytes).send().await.expect("import");
    assert_eq!(resp.status(), StatusCode::OK);
    let back: OutlineVersion = resp.json().await.expect("json");
    assert_eq!((back.version, &back.outline), (3, &ov.outline));

    let feas: Feasibility = call(&author, Method::GET, &format!("/api/v1/banks/{}/blueprints/4/feasibility", bank.id), None).await.expect("feasibility");
    assert_eq!(feas.approved_items, 9);
    assert!(feas.feasible, "the demo blueprint can be filled: {feas:?}");
    let more = json!({"level": 4, "types": [{"item_type": "single_choice", "count": 5, "points_each": 2000}, {"item_type": "multiple_choice", "count": 2, "points_each": 3000}]});
    let feas: Feasibility = call(&author, Method::PUT, &format!("/api/v1/banks/{}/blueprints/4", bank.id), Some(more)).await.expect("put");
    assert!(!feas.feasible, "two multiple-choice items are more than are approved");
    // Two multiple-choice items in scope B are asked for, one is approved.
    let short: Vec<_> = feas.shortfalls.iter().map(|s| (s.item_type, s.cell.as_str(), s.needed, s.available)).collect();
    assert_eq!(short, vec![(ItemType::MultipleChoice, "scope B", 2, 1)]);
    let small = json!({"level": 4, "types": [{"item_type": "true_false", "count": 1, "points_each": 1000}]});
    let ok: Feasibility = call(&author, Method::PUT, &format!("/api/v1/banks/{}/blueprints/4", bank.id), Some(small)).await.expect("put");
    assert!(ok.feasible, "{ok:?}");
    let bad = json!({"level": 4, "types": [{"item_type": "true_false", "count": 1, "points_each": 1000}], "difficulty": {"1": 40}});
    let (s, v) = call::<Value>(&author, Method::PUT, &format!("/api/v1/banks/{}/blueprints/4", bank.id), Some(bad)).await.expect_err("shares");
    assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_blueprint")));
    let (s, _) = call::<Value>(&author, Method::GET, &format!("/api/v1/banks/{}/blueprints/1", bank.id), None).await.expect_err("level not in bank");
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn export_round_trips_and_is_audited(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let reviewer = app.signed_in("reviewer").await;
    let author = app.signed_in("author").await;
    let bank = demo_bank(&reviewer).await;
    let (s, _) = call::<Value>(&author, Method::GET, &format!("/api/v1/banks/{}/export?format=xlsx", bank.id), None).await.expect_err("author");
    assert_eq!(s, StatusCode::FORBIDDEN, "exports need the reviewer or regulator role");
    for format in ["xlsx", "moodle_xml", "qti_package"] {
        let resp = reviewer.request(Method::GET, &format!("/api/v1/banks/{}/export?format={format}", bank.id)).send().await.expect("export");
        assert_eq!(resp.status(), StatusCode::OK, "{format}");
        assert!(resp.headers().get("content-disposition").is_some());
        let bytes = resp.bytes().await.expect("bytes").to_vec();
        let check = upload(&author, "/api/v1/import/check", bytes).await.unwrap_or_else(|e| panic!("{format}: {e:?}"));
        assert_eq!((check.format.as_str(), check.imported), (format, 12), "{format}: {:?}", check.skipped);
    }
    let events = app.signed_in("operator").await.audit_events(0, 1000).await.expect("events");
    assert_eq!(events.iter().filter(|e| e.action == "bank.export").count(), 3);
}

async fn hostile_files_change_nothing(b: Backend) {
    let app = TestApp::spawn_with(b, |s| s.http.max_import_bytes = 64 * 1024).await;
    exam_application::demo::seed(app.db()).await.expect("seed");
    let author = app.signed_in("author").await;
    let bank = demo_bank(&author).await;
    let path = format!("/api/v1/banks/{}/import", bank.id);
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]><quiz><question type="truefalse"><name><text>&x;</text></name></question></quiz>"#;
    let (s, v) = upload(&author, &path, xxe.as_bytes().to_vec()).await.expect_err("xxe");
    assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unsafe_file")), "{v}");
    let (s, v) = upload(&author, &path, b"just some words".to_vec()).await.expect_err("unknown");
    assert_eq!(v["error"].as_str(), Some("unknown_format"), "{s}");
    let (s, v) = upload(&author, &path, vec![b'x'; 100 * 1024]).await.expect_err("big");
    assert_eq!((s, v["error"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")));
    let (s, v) = upload(&author, &format!("{path}?format=xlsx"), b"PK\x03\x04 not really a zip".to_vec()).await.expect_err("broken xlsx");
    assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("malformed_file")));
    assert!(v["message"].as_str().unwrap_or("").contains("文件无法读取"), "{v}");
    let page: ItemPage = call(&author, Method::GET, &format!("/api/v1/banks/{}/items", bank.id), None).await.expect("items");
    assert_eq!(page.total, 12, "nothing was imported");
}

async fn banks_are_created_within_scope(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let admin = app.signed_in("admin").await;
    let own = admin.me().await.expect("me").institution_id;
    let new =
        NewBank { institution_id: None, occupation_code: "4-04-05-03".into(), work_type: String::new(), name: "保育师题库".into(), levels: vec![4, 5] };
    let made: Bank = call(&admin, Method::POST, "/api/v1/banks", Some(serde_json::to_value(&new).expect("json"))).await.expect("create");
    assert_eq!((made.institution_id, made.levels.clone()), (own, vec![5, 4]), "an admin's bank belongs to their institution");
    let bad = json!({"occupation_code": "电工", "name": "x", "levels": [4]});
    let (s, v) = call::<Value>(&admin, Method::POST, "/api/v1/banks", Some(bad)).await.expect_err("code");
    assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_occupation_code")));
    let regulator = app.signed_in("regulator").await;
    let provincial: Bank =
        call(&regulator, Method::POST, "/api/v1/banks", Some(json!({"occupation_code": "6-31-01-03", "name": "省级电工题库", "levels": [3]})))
            .await
            .expect("provincial");
    assert_eq!(provincial.institution_id, None);
    let (s, _) = call::<Value>(&admin, Method::GET, &format!("/api/v1/banks/{}", provincial.id), None).await.expect_err("not theirs");
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn package_images_are_kept_and_served(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let author = app.signed_in("author").await;
    let bank = demo_bank(&author).await;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/formats/qti-packages/package.zip");
    let bytes = std::fs::read(path).expect("fixture");
    let done = author.import_items(bank.id, bytes, None, false).await.expect("import");
    assert_eq!((done.format.as_str(), done.imported), ("qti_package", 1), "{:?}", done.skipped);
    let page = author.items(bank.id, "status=in_review&limit=100").await.expect("items");
    let item = page.items.iter().max_by_key(|i| i.item_id).expect("the imported item");
    assert!(item.content.stem.contains("images/sign.png"), "{}", item.content.stem);
    let resp = author.request(Method::GET, &format!("/items/{}/files/images/sign.png", item.item_id)).send().await.expect("file");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/png"));
    assert!(resp.bytes().await.expect("bytes").starts_with(b"\x89PNG"));
    let page_html = author.request(Method::GET, &format!("/items/{}", item.item_id)).send().await.expect("page").text().await.expect("html");
    assert!(page_html.contains(&format!("/items/{}/files/images/sign.png", item.item_id)), "the preview points at the file");
    let admin = app.signed_in("admin").await;
    let resp = admin.request(Method::GET, &format!("/items/{}/files/images/sign.png", item.item_id)).send().await.expect("file");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "item files are for the bank's authors and reviewers");
}

both_backends!(
    package_images_are_kept_and_served,
    scope_keeps_banks_confidential,
    import_review_and_versions,
    items_written_by_hand_are_sanitised_and_checked,
    search_filters,
    outline_and_blueprint_checks,
    export_round_trips_and_is_audited,
    hostile_files_change_nothing,
    banks_are_created_within_scope,
);
