//! Review playback as a regulator uses it: a candidate streams camera and microphone (cut into
//! 5 s segments) while the page is left once; the regulator finds the session from the menu,
//! opens the candidate's playback, seeks to the flagged event and the video plays from there,
//! each segment's hash is checked as it is served, thumbnails come from FFmpeg, and a finding
//! is recorded. Over HTTP: a seek is a range request, a changed byte shows as a mismatch, and
//! a proctor may not fetch a recording.
use std::sync::Arc;
use std::time::Duration;

use e2e_tests::webdriver::Browser;
use e2e_tests::{Backend, TestApp, call, eventually, media_clip};
use exam_application::demo::{self, DEMO_PASSWORD};
use exam_client::ExamSocket;
use exam_client::media_peer::{Clip, Publisher};
use exam_protocol::ClientMessage;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regulator_seeks_to_a_flagged_event_and_the_recording_plays_from_there() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.media.segment_secs = 5;
        s.media.keyframe_secs = 1;
    })
    .await;
    demo::seed(app.db()).await.expect("demo");
    // The headless publisher sends camera and microphone (no screen).
    exam_records::exams::set_required_media(app.db(), 1, &[exam_protocol::MediaKind::Camera, exam_protocol::MediaKind::Microphone]).await.expect("media");
    let clipdir = tempfile::tempdir().expect("tmp");
    let (ivf, ogg) = media_clip(clipdir.path());
    let clip = Arc::new(Clip::load(&ivf, &ogg).expect("clip"));
    let token = e2e_tests::candidate_token(&app.base, app.db(), 0).await;
    let candidate = exam_client::Client::new(&app.base).with_token(&token);
    candidate.request(Method::POST, "/api/v1/exam/commitment").send().await.expect("commitment");
    let cid = exam_records::exams::candidates(app.db(), 1).await.expect("roster")[0].id;
    let mut socket = ExamSocket::connect(&app.base, &token).await.expect("socket");
    let publisher = Publisher::start(&mut socket, clip).await.expect("publish");
    // The question on screen is recorded once the test is under way.
    assert!(e2e_tests::send_photo(&candidate, clipdir.path()).await.is_success());
    eventually("the paper starts once the camera flows", async || {
        let resp = candidate.request(Method::POST, "/api/v1/exam/start").send().await.expect("start");
        let ok = resp.status().is_success();
        if !ok {
            eprintln!("start: {} {}", resp.status(), resp.text().await.unwrap_or_default());
        }
        ok
    })
    .await;
    socket.send(&ClientMessage::Viewing { no: 3 }).await.expect("viewing");
    tokio::time::sleep(Duration::from_secs(7)).await;
    // The candidate leaves the page: a flagged event some seconds into the recording.
    let flagged_at = {
        let resp = candidate.request(Method::POST, "/api/v1/exam/events").json(&json!({ "kind": "page_hidden" })).send().await.expect("event");
        assert!(resp.status().is_success(), "{}", resp.status());
        exam_records::exams::candidate_events(app.db(), cid, "integrity", 10).await.expect("events")[0].1
    };
    tokio::time::sleep(Duration::from_secs(6)).await;
    drop(socket);
    publisher.stop().await;

    let regulator = app.signed_in("regulator").await;
    let mut segments = Vec::new();
    eventually("the segments are closed and logged", async || {
        let v: Value = call(&regulator, Method::GET, &format!("/api/v1/playback/{cid}"), None).await.expect("playback");
        segments = v["segments"].as_array().cloned().unwrap_or_default();
        segments.iter().filter(|s| s["track"] == "camera").count() >= 2 && segments.iter().any(|s| s["end_ms"].as_i64() > Some(flagged_at + 2000))
    })
    .await;
    let holding = segments
        .iter()
        .find(|s| s["track"] == "camera" && s["start_ms"].as_i64() <= Some(flagged_at) && s["end_ms"].as_i64() > Some(flagged_at))
        .unwrap_or_else(|| panic!("a segment holds the event at {flagged_at}: {segments:?}"));
    let seg_id = holding["id"].as_i64().expect("id");

    // A seek asks for a range, and gets only that range, with the hash check in a header.
    let resp = regulator.request(Method::GET, &format!("/api/v1/archive/{seg_id}/play")).header("Range", "bytes=100-199").send().await.expect("range");
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    let size = holding["size"].as_i64().expect("size");
    assert_eq!(resp.headers()["content-range"], format!("bytes 100-199/{size}").as_str());
    assert_eq!(resp.headers()["x-evidence-check"], "ok");
    assert_eq!(resp.bytes().await.expect("body").len(), 100);
    // A proctor does not review recordings; a candidate never sees one.
    let proctor = app.signed_in("proctor").await;
    let status = proctor.request(Method::GET, &format!("/api/v1/archive/{seg_id}/play")).send().await.expect("proctor").status();
    assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND, "{status}");
    let status = candidate.request(Method::GET, &format!("/api/v1/archive/{seg_id}/play")).send().await.expect("candidate").status();
    assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND || status == StatusCode::UNAUTHORIZED, "{status}");

    let browser = Browser::start().await;
    browser.set_window_size(1600, 1200).await;
    browser.sign_in(&app.base, "regulator", DEMO_PASSWORD).await;
    browser.goto(&format!("{}/home", app.base)).await;
    browser.click(&browser.wait_for("#menu a[href='/sessions']").await).await;
    browser.click(&browser.wait_for("#sessions tr[data-session='1'] a[href='/sessions/1/files']").await).await;
    browser.click(&browser.wait_for(&format!("#recordings tr[data-candidate='{cid}'] a")).await).await;
    browser.wait_for("#playback[data-ready='true']").await;
    browser.until("return document.querySelectorAll('#segments tr[data-segment]').length >= 2", "the segments are listed").await;
    // The flagged event, found in the timeline and played from.
    browser.click(&browser.wait_for("#tl-flagged").await).await;
    let go = browser.wait_for("#timeline tr[data-kind='integrity'] button[data-go]").await;
    browser.click(&go).await;
    browser.until(&format!("return document.querySelector('#camera').dataset.segment === '{seg_id}'"), "the segment holding the event is loaded").await;
    let offset = (flagged_at - holding["start_ms"].as_i64().expect("start")) as f64 / 1000.0;
    browser
        .until(
            &format!(
                "const v = document.querySelector('#camera'); return !v.paused && v.currentTime >= {from} && v.currentTime < {to};",
                from = offset - 0.5,
                to = offset + 4.0
            ),
            "the video plays from the flagged moment",
        )
        .await;
    let t1 = browser.execute("return document.querySelector('#camera').currentTime").await.as_f64().expect("time");
    browser.until(&format!("return document.querySelector('#camera').currentTime > {} ", t1 + 0.3), "the video keeps playing").await;
    browser.until("return !!document.querySelector('#camera-check [data-check=\"ok\"]')", "the served segment's hash checks out").await;
    browser.until("return document.querySelector('#question-now').textContent.includes('3')", "the question on screen is shown").await;
    browser.until("return document.querySelectorAll('#thumbs img').length >= 2", "thumbnails are made").await;
    browser.keep_screenshot("playback").await;

    // A finding, at the moment on screen, appended to the record.
    browser.type_into(&browser.wait_for("#finding-seen").await, "考生离开考试页面约两秒，画面中无他人").await;
    browser.click(&browser.wait_for("#finding-form button[type=submit]").await).await;
    browser.wait_for("#finding-result [role=status]").await;
    browser.until("return !!document.querySelector('#timeline tr[data-kind=\"finding\"]')", "the finding is in the timeline").await;
    let logged = exam_records::evidence::of_kind(app.db(), "finding").await.expect("log");
    assert_eq!(logged.len(), 1, "the finding is in the evidence log");
    let entry: Value = serde_json::from_slice(&logged[0].1).expect("entry");
    assert!(!entry.to_string().contains("考生离开"), "the public log carries the finding's digest, not its words: {entry}");

    // One changed byte in the stored segment: served as it is, and said not to match.
    let object = exam_records::archive::get(app.db(), seg_id).await.expect("row").expect("object");
    let path = match (&object.spool_path, &object.version_id) {
        (Some(p), _) => std::path::PathBuf::from(p),
        (None, Some(v)) => app.store.dir.path().join("archive").join(&object.object_key).join(format!("{v}.bin")),
        _ => panic!("nowhere: {object:?}"),
    };
    let mut bytes = std::fs::read(&path).expect("segment file");
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644));
    }
    std::fs::write(&path, &bytes).expect("tamper");
    let resp = regulator.request(Method::HEAD, &format!("/api/v1/archive/{seg_id}/play")).send().await.expect("head");
    assert_eq!(resp.headers()["x-evidence-check"], "mismatch");
}
