//! The key documents as a regulator reads them: after a candidate signs the commitment and
//! hands in, the admin makes the session's documents; each is a PDF kept permanently (held),
//! logged in the evidence log, and `pdftotext` reads its Chinese back: the sign-in sheet names
//! the candidates, the room record tells what happened in sentences, the score summary has the
//! score, the commitment letter carries the words the candidate accepted on the page.
use e2e_tests::{Backend, TestApp, call};
use exam_protocol::{CandidatePaper, ExamStatus};
use reqwest::{Method, StatusCode};
use serde_json::Value;

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).expect("write");
    let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext (poppler-utils) is required");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_key_document_reads_back_in_chinese() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let c = app.client().with_token(&e2e_tests::candidate_token(&app.base, app.db(), 0).await);
    call::<ExamStatus>(&c, Method::POST, "/api/v1/exam/commitment", None).await.expect("commitment");
    call::<CandidatePaper>(&c, Method::POST, "/api/v1/exam/start", None).await.expect("start");
    call::<ExamStatus>(&c, Method::POST, "/api/v1/exam/hand-in", None).await.expect("hand in");
    let (name, _) = exam_application::demo::DEMO_CANDIDATES[0];

    let admin = app.signed_in("admin").await;
    let made: Value = call(&admin, Method::POST, "/api/v1/sessions/1/documents", None).await.expect("documents");
    let ids: Vec<i64> = made["files"].as_array().expect("files").iter().filter_map(Value::as_i64).collect();
    assert!(ids.len() >= 4, "three session documents and at least one commitment letter: {made}");
    let files: Vec<Value> = call(&admin, Method::GET, "/api/v1/sessions/1/files", None).await.expect("files");
    let mut read = std::collections::HashMap::new();
    for f in files.iter().filter(|f| f["class"] == "key_document") {
        assert_eq!(f["legal_hold"], true, "kept permanently: {f}");
        assert!(f["retain_until_ms"].as_i64().expect("until") > exam_application::clock::now_ms() + 99 * 365 * 86_400_000, "{f}");
        assert!(f["evidence_index"].as_i64().is_some(), "logged: {f}");
        let resp = admin.request(Method::GET, &format!("/api/v1/archive/{}", f["id"])).send().await.expect("download");
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "application/pdf");
        let pdf = resp.bytes().await.expect("bytes");
        assert!(pdf.starts_with(b"%PDF-"));
        read.insert(f["name"].as_str().expect("name").to_string(), pdftotext(&pdf));
    }
    let sheet = &read["签到表"];
    assert!(sheet.contains("签到表") && sheet.contains(name) && sheet.contains("登录时间"), "{sheet}");
    let record = &read["考场记录表"];
    assert!(record.contains("考场记录表") && record.contains("签署考试承诺书") && record.contains("交卷"), "{record}");
    let summary = &read["成绩汇总表"];
    assert!(summary.contains("成绩汇总表") && summary.contains("已交卷") && summary.contains("合格分数线"), "{summary}");
    let letter = read.iter().find(|(k, _)| k.starts_with("承诺书-")).map(|(_, v)| v).expect("a commitment letter");
    let compact: String = letter.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(compact.contains("独立完成考试，不替考、不作弊") && compact.contains(name) && compact.contains("电子签署"), "{letter}");

    // A proctor may not make them; another institution's admin does not find the session.
    let proctor = app.signed_in("proctor").await;
    let (status, _) = call::<Value>(&proctor, Method::POST, "/api/v1/sessions/1/documents", None).await.expect_err("not an admin");
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The letter in the PDF is the letter on the page: the same words.
#[test]
fn the_commitment_letter_is_the_one_the_candidate_accepts() {
    let page = include_str!("../../server/web/static/exam.js");
    assert!(page.contains(exam_application::documents::commitment::TEXT_ZH), "exam.js and documents::commitment::TEXT_ZH differ");
}

/// At a session's end the system makes its documents by itself, once.
async fn an_ended_session_gets_its_documents_once(b: Backend) {
    use exam_application::clock::Clock;
    let t = e2e_tests::TestDb::new(b).await;
    let clock = Clock::test(exam_application::clock::now_ms());
    let state = exam_application::App::new(t.db.clone(), e2e_tests::test_settings(&t), clock.clone()).expect("app");
    exam_application::demo::seed(&state.db).await.expect("demo");
    assert_eq!(exam_application::documents::generate::due(&state).await.expect("due"), 0, "not over yet");
    clock.advance_ms(3 * 3_600_000);
    assert_eq!(exam_application::documents::generate::due(&state).await.expect("due"), 1, "the demo session ended");
    assert_eq!(exam_application::documents::generate::due(&state).await.expect("due"), 0, "made once");
    let made = exam_records::archive::of_subject(&state.db, "session:1").await.expect("files");
    for name in ["签到表", "考场记录表", "成绩汇总表"] {
        assert!(made.iter().any(|f| f.name == name && f.class == "key_document" && f.legal_hold), "{name}");
    }
}

e2e_tests::both_backends!(an_ended_session_gets_its_documents_once);
