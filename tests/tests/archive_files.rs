//! Files kept in the archive as an institution, a regulator and an operator use them: a scan
//! uploaded (its type read from its content), spooled, logged in the evidence log, uploaded to
//! the archive and downloaded again unchanged; an S3 archive stopped and restarted mid-session
//! loses nothing (the backlog shows in /readyz meanwhile); holds are the regulator's; a
//! retention under the notice's minimum does not start.
use e2e_tests::{Backend, TestApp, call};
use media::archive::{S3Mode, S3Settings, S3Store};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn upload(c: &exam_client::Client, session: i64, class: &str, name: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let resp = c
        .request(Method::POST, &format!("/api/v1/sessions/{session}/scans?class={class}&name={name}"))
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .expect("upload");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn files(c: &exam_client::Client, session: i64) -> Vec<Value> {
    call(c, Method::GET, &format!("/api/v1/sessions/{session}/files"), None).await.expect("files")
}

async fn archived(app: &TestApp, admin: &exam_client::Client, id: i64) {
    e2e_tests::eventually("the uploader archives the file", async || {
        app.state.archive.upload_pending(app.db(), exam_application::clock::now_ms()).await;
        files(admin, 1).await.iter().any(|f| f["id"] == id && f["archived"] == true)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_is_spooled_logged_archived_and_served_unchanged() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let admin = app.signed_in("admin").await;
    let (status, body) = upload(&admin, 1, "paper", "签到表扫描件", PDF.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().expect("id");
    archived(&app, &admin, id).await;
    let listed = files(&admin, 1).await;
    let f = listed.iter().find(|f| f["id"] == id).expect("listed");
    assert_eq!((f["class"].as_str(), f["mime"].as_str(), f["name"].as_str()), (Some("paper"), Some("application/pdf"), Some("签到表扫描件")));
    // Three years at least.
    let created = f["created_at_ms"].as_i64().expect("created");
    assert!(f["retain_until_ms"].as_i64().expect("until") - created >= 3 * 365 * 86_400_000);
    // Served unchanged, with its hash; the evidence log holds that hash.
    let resp = admin.request(Method::GET, &format!("/api/v1/archive/{id}")).send().await.expect("download");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-disposition"], "attachment");
    let sha = resp.headers()["x-content-sha256"].to_str().expect("sha").to_string();
    assert_eq!(resp.bytes().await.expect("bytes").as_ref(), PDF);
    let (_, entry) =
        exam_records::evidence::latest_about(app.db(), &format!("archive:{}", f["key"].as_str().expect("key"))).await.expect("log").expect("logged");
    assert!(String::from_utf8_lossy(&entry).contains(&sha), "the log holds the file's SHA-256");

    // Content decides the type: a text file named .pdf is refused, and an oversized one.
    let (status, body) = upload(&admin, 1, "paper", "伪装文件", b"just text, named scan.pdf".to_vec()).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unsupported_file_type")), "{body}");
    let mut big = PDF.to_vec();
    big.resize(exam_application::archive::files::MAX_SCAN_BYTES + 10, b' ');
    let (status, _) = upload(&admin, 1, "paper", "过大文件", big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, body) = upload(&admin, 1, "video", "不是扫描件", PDF.to_vec()).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_class")));

    // Whoever may not see the session does not find its files.
    let supervisor = app.signed_in("supervisor").await;
    let (status, _) = call::<Value>(&supervisor, Method::GET, &format!("/api/v1/archive/{id}"), None).await.expect_err("not inspecting");
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A regulator holds it, with a reason; a key document's hold never comes off.
    let regulator = app.signed_in("regulator").await;
    let held: Value =
        call(&regulator, Method::POST, &format!("/api/v1/archive/{id}/hold"), Some(json!({ "on": true, "reason": "投诉调查" }))).await.expect("hold");
    assert_eq!(held["legal_hold"], true);
    let (status, key_doc) = upload(&admin, 1, "key_document", "考场记录表签字版", PDF.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED);
    let kid = key_doc["id"].as_i64().expect("id");
    let (status, body) = call::<Value>(&regulator, Method::POST, &format!("/api/v1/archive/{kid}/hold"), Some(json!({ "on": false, "reason": "试图解除" })))
        .await
        .expect_err("permanent");
    assert_eq!((status, body["error"].as_str()), (StatusCode::CONFLICT, Some("permanent_document")));
    // Nothing is past its term: the purge deletes nothing.
    assert_eq!(exam_application::archive::files::purge(&app.state, exam_application::clock::now_ms()).await.expect("purge"), 0);
    let events = exam_application::audit::events(app.db(), 0, 1000).await.expect("events");
    for action in ["archive.store", "archive.hold"] {
        assert!(events.iter().any(|e| e.action == action), "{action} audited");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_s3_archive_down_mid_session_loses_nothing() {
    let Some(mut moto) = e2e_tests::moto::Moto::start() else { return };
    let s3 = |endpoint: &str| {
        S3Store::new(&S3Settings {
            endpoint: endpoint.to_string(),
            region: "us-east-1".into(),
            bucket: "exam-archive".into(),
            access_key: "test".into(),
            secret_key: "test".into(),
            mode: S3Mode::ObjectLock,
            path_style: true,
        })
    };
    s3(&moto.endpoint).ensure_bucket().await.expect("bucket");
    let endpoint = moto.endpoint.clone();
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.archive.backend = "s3".into();
        s.archive.s3_endpoint = endpoint.clone();
        s.archive.s3_bucket = "exam-archive".into();
        s.archive.s3_access_key = "test".into();
        s.archive.s3_secret_key = "test".into();
    })
    .await;
    exam_application::demo::seed(app.db()).await.expect("seed");
    let ready: Value = reqwest::get(format!("{}/readyz", app.base)).await.expect("readyz").json().await.expect("json");
    assert_eq!(ready["details"]["archive"]["backend"], "s3_object_lock", "{ready}");
    assert_eq!(ready["details"]["archive"]["enforcement"]["refuses_early_delete"], true, "{ready}");

    // The archive goes down; a scan arrives: it is kept in the spool, counted as backlog, and
    // still served.
    moto.stop();
    let admin = app.signed_in("admin").await;
    let (status, body) = upload(&admin, 1, "paper", "断网时上传", PDF.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().expect("id");
    assert_eq!(app.state.archive.upload_pending(app.db(), exam_application::clock::now_ms()).await, 0, "nothing reaches a stopped archive");
    let ready: Value = reqwest::get(format!("{}/readyz", app.base)).await.expect("readyz").json().await.expect("json");
    assert_eq!(ready["details"]["archive"]["backlog"], 1, "{ready}");
    assert!(ready["details"]["archive"]["last_error"].is_string(), "{ready}");
    let served = admin.request(Method::GET, &format!("/api/v1/archive/{id}")).send().await.expect("download");
    assert_eq!(served.bytes().await.expect("bytes").as_ref(), PDF, "served from the spool meanwhile");

    // It comes back (an empty endpoint: its bucket is made again): the backlog drains.
    let back = e2e_tests::moto::Moto::start_on(moto.port).expect("moto again");
    s3(&back.endpoint).ensure_bucket().await.expect("bucket");
    archived(&app, &admin, id).await;
    let ready: Value = reqwest::get(format!("{}/readyz", app.base)).await.expect("readyz").json().await.expect("json");
    assert_eq!(ready["details"]["archive"]["backlog"], 0, "{ready}");
    let served = admin.request(Method::GET, &format!("/api/v1/archive/{id}")).send().await.expect("download");
    assert_eq!(served.bytes().await.expect("bytes").as_ref(), PDF, "served from the archive now");
    // The early delete is refused through our own check whatever moto would allow.
    let f = files(&admin, 1).await.into_iter().find(|f| f["id"] == id).expect("listed");
    let version = f["version_id"].as_str().expect("version");
    let refused = app.state.archive.store.delete(f["key"].as_str().expect("key"), version, None, exam_application::clock::now_ms()).await;
    assert!(matches!(refused, Err(media::archive::ArchiveError::Refused(_))), "{refused:?}");
}

#[tokio::test]
async fn a_retention_under_the_minimum_does_not_start() {
    let store = e2e_tests::TestDb::new(Backend::Sqlite).await;
    let mut settings = e2e_tests::test_settings(&store);
    settings.archive.video_years = 4;
    let err = exam_web::Server::bind_with_db(settings, store.db.clone()).await.expect_err("refused");
    assert!(err.to_string().contains("at least 5 years"), "{err}");
    let mut settings = e2e_tests::test_settings(&store);
    settings.archive.paper_years = 1;
    let err = exam_web::Server::bind_with_db(settings, store.db.clone()).await.expect_err("refused");
    assert!(err.to_string().contains("at least 3 years"), "{err}");
}

#[tokio::test]
async fn a_backend_that_does_not_enforce_its_locks_is_refused_when_one_is_required() {
    let Some(moto) = e2e_tests::moto::Moto::start() else { return };
    let store = e2e_tests::TestDb::new(Backend::Sqlite).await;
    let mut settings = e2e_tests::test_settings(&store);
    settings.archive.backend = "s3".into();
    settings.archive.s3_endpoint = moto.endpoint.clone();
    settings.archive.s3_bucket = "exam-required".into();
    settings.archive.s3_access_key = "test".into();
    settings.archive.s3_secret_key = "test".into();
    settings.archive.require_enforcing_backend = true;
    // moto lets a COMPLIANCE date be shortened: the canary sees it, and the server refuses.
    let err = exam_web::Server::bind_with_db(settings, store.db.clone()).await.expect_err("refused");
    assert!(err.to_string().contains("does not enforce"), "{err}");
}
