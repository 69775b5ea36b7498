//! `exam-server evidence verify` and `verify-receipt` as an operator and a candidate use them:
//! a clean log passes; one changed answer after hand-in, one changed entry, a rewritten log and
//! a cut audit tail are each named; a receipt holds with the published key alone and fails when
//! touched.
use std::process::Command;

use e2e_tests::{Backend, TestApp, binaries, both_backends, call};
use evidence::merkle::leaf_hash;
use exam_protocol::{CandidatePaper, ExamStatus};
use reqwest::Method;
use serde_json::{Value, json};

fn verify(app: &TestApp) -> (Option<i32>, Value, String) {
    let out = Command::new(binaries::exam_server())
        .arg("--data-dir")
        .arg(app.store.dir.path())
        .arg("--database-url")
        .arg(&app.store.url)
        .env("RUST_LOG", "warn")
        .args(["evidence", "verify"])
        .output()
        .expect("run exam-server evidence verify");
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), report, String::from_utf8_lossy(&out.stderr).to_string())
}

async fn sit(app: &TestApp, which: usize) -> (exam_client::Client, i64) {
    let c = app.client().with_token(&e2e_tests::candidate_token(&app.base, app.db(), which).await);
    call::<ExamStatus>(&c, Method::POST, "/api/v1/exam/commitment", None).await.expect("commitment");
    let paper: CandidatePaper = call(&c, Method::POST, "/api/v1/exam/start", None).await.expect("start");
    let first = &paper.questions[0];
    let response = match first.item.item_type {
        question_bank::ItemType::TrueFalse => json!({"kind": "true_false", "value": true}),
        question_bank::ItemType::FillIn => json!({"kind": "blanks", "value": ["答"]}),
        question_bank::ItemType::ShortAnswer => json!({"kind": "text", "value": "答"}),
        _ => json!({"kind": "choices", "value": [first.item.choices[0].id.clone()]}),
    };
    call::<Value>(&c, Method::POST, "/api/v1/exam/answers", Some(json!({"seq": 1, "no": first.no, "response": response}))).await.expect("answer");
    call::<ExamStatus>(&c, Method::POST, "/api/v1/exam/hand-in", None).await.expect("hand in");
    (c, paper.paper_id)
}

async fn each_kind_of_tampering_is_named(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let (candidate, _) = sit(&app, 0).await;
    let (_, paper) = sit(&app, 1).await;
    // The audit chain's head goes into the log (the server does this every few seconds).
    exam_application::audit::heads::record(app.db(), app.store.dir.path(), exam_application::clock::now_ms(), None).await.expect("head");
    let key = reqwest::get(format!("{}/evidence/log/key", app.base)).await.expect("key").text().await.expect("text");
    let (code, report, err) = verify(&app);
    assert_eq!(code, Some(0), "{report} {err}");
    assert_eq!((report["ok"].as_bool(), report["hand_ins"].as_u64()), (Some(true), Some(2)), "{report}");

    // The candidate's receipt holds with the published key alone, and not once touched.
    let receipt: Value = call(&candidate, Method::GET, "/api/v1/exam/receipt", None).await.expect("receipt");
    let (code, report, _) = verify(&app);
    assert_eq!(code, Some(0), "{report}");
    assert!(report["checkpoints"].as_u64() >= Some(1), "the receipt's checkpoint: {report}");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("receipt.json");
    std::fs::write(&file, serde_json::to_vec(&receipt).expect("json")).expect("write");
    let check = |path: &std::path::Path| {
        Command::new(binaries::exam_server()).args(["evidence", "verify-receipt", "--key", key.trim()]).arg(path).output().expect("verify-receipt")
    };
    let out = check(&file);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut touched = receipt.clone();
    touched["entry"] = Value::String(receipt["entry"].as_str().expect("entry").replace("handed_in", "terminated"));
    std::fs::write(&file, serde_json::to_vec(&touched).expect("json")).expect("write");
    assert_eq!(check(&file).status.code(), Some(1), "a touched receipt fails");

    // One answer changed in the database after the hand-in is named with its paper.
    let was: String = sqlx::query_scalar("SELECT response FROM answer_events WHERE paper_id = $1 ORDER BY client_seq DESC LIMIT 1")
        .bind(paper)
        .fetch_one(app.db().reader())
        .await
        .expect("answer");
    let set = |r: String| {
        let db = app.db().clone();
        async move {
            sqlx::query("UPDATE answer_events SET response = $1 WHERE paper_id = $2").bind(r).bind(paper).execute(db.writer()).await.expect("update");
        }
    };
    set(r#"{"kind":"text","value":"改过的答案"}"#.to_string()).await;
    let (code, report, err) = verify(&app);
    assert_eq!(code, Some(1), "{report}");
    assert!(err.contains(&format!("paper {paper}")), "{err}");
    set(was).await;
    assert_eq!(verify(&app).0, Some(0), "restored");

    // One entry's bytes changed: named by its re-hash. Changed with its leaf hash too: the
    // signed checkpoint no longer matches, and the rewrite is named.
    let (data, hash): (Vec<u8>, Vec<u8>) =
        sqlx::query_as("SELECT data, leaf_hash FROM evidence_entries WHERE idx = 0").fetch_one(app.db().reader()).await.expect("entry 0");
    let mut forged = data.clone();
    forged.push(b' ');
    sqlx::query("UPDATE evidence_entries SET data = $1 WHERE idx = 0").bind(&forged).execute(app.db().writer()).await.expect("forge");
    let (code, _, err) = verify(&app);
    assert_eq!(code, Some(1));
    assert!(err.contains("evidence entry 0") && err.contains("changed"), "{err}");
    sqlx::query("UPDATE evidence_entries SET leaf_hash = $1 WHERE idx = 0").bind(leaf_hash(&forged).to_vec()).execute(app.db().writer()).await.expect("forge");
    let (code, _, err) = verify(&app);
    assert_eq!(code, Some(1));
    assert!(err.contains("rewritten"), "{err}");
    sqlx::query("UPDATE evidence_entries SET data = $1, leaf_hash = $2 WHERE idx = 0")
        .bind(&data)
        .bind(&hash)
        .execute(app.db().writer())
        .await
        .expect("restore");
    assert_eq!(verify(&app).0, Some(0), "restored");

    // An archived file: one changed byte is named, and so is the file gone.
    let admin = app.signed_in("admin").await;
    let scan = b"%PDF-1.4\nscan of the signed room record\n%%EOF\n".to_vec();
    let resp = admin
        .request(Method::POST, "/api/v1/sessions/1/scans?class=paper&name=scan")
        .header("content-type", "application/octet-stream")
        .body(scan.clone())
        .send()
        .await
        .expect("upload");
    assert_eq!(resp.status(), reqwest::StatusCode::CREATED);
    app.state.archive.upload_pending(app.db(), exam_application::clock::now_ms()).await;
    let (key, version): (String, String) =
        sqlx::query_as("SELECT object_key, version_id FROM archive_objects WHERE version_id IS NOT NULL AND class = 'paper'")
            .fetch_one(app.db().reader())
            .await
            .expect("archived");
    let (code, report, err) = verify(&app);
    assert_eq!((code, report["files"].as_u64()), (Some(0), Some(1)), "{report} {err}");
    let path = app.store.dir.path().join("archive").join(&key).join(format!("{version}.bin"));
    let mut perms = std::fs::metadata(&path).expect("archived file").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).expect("writable");
    let mut bytes = std::fs::read(&path).expect("read");
    bytes[10] ^= 1;
    std::fs::write(&path, &bytes).expect("one byte changed");
    let (code, _, err) = verify(&app);
    assert_eq!(code, Some(1));
    assert!(err.contains(&key) && err.contains("changed"), "{err}");
    std::fs::remove_file(&path).expect("deleted behind our back");
    let (code, _, err) = verify(&app);
    assert_eq!(code, Some(1));
    assert!(err.contains(&key) && err.contains("missing"), "{err}");
    std::fs::write(&path, &scan).expect("restored");
    assert_eq!(verify(&app).0, Some(0), "restored");

    // The audit trail's tail cut, and the local file of heads gone with it: the head the signed
    // log recorded still names the loss.
    let written = exam_application::audit::heads::last(app.store.dir.path()).map(|(s, _)| s);
    exam_application::audit::heads::record(app.db(), app.store.dir.path(), exam_application::clock::now_ms(), written).await.expect("head");
    std::fs::remove_file(exam_application::audit::heads::file(app.store.dir.path())).expect("remove heads file");
    sqlx::query("DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)").execute(app.db().writer()).await.expect("cut");
    let (code, _, err) = verify(&app);
    assert_eq!(code, Some(1));
    assert!(err.contains("audit") && err.contains("removed"), "{err}");
}

both_backends!(each_kind_of_tampering_is_named);
