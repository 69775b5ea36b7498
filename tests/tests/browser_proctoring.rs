//! Live proctoring in two real browsers: headless Chromium as the candidate (fake camera and
//! microphone, screen sharing picked by itself) publishes before the first question; a second
//! Chromium as the proctor sees the tile and the enlarged view decode frames, and warns the
//! candidate, whose page shows it. After about 20 s of streaming the candidate hands in and the
//! recordings on disk pass ffprobe with durations within 10 % of the time streamed.
use std::time::{Duration, Instant};

use e2e_tests::webdriver::Browser;
use e2e_tests::{Backend, TestApp};
use exam_application::demo::{DEMO_CANDIDATES, DEMO_PASSWORD};
use exam_protocol::MediaKind;
use exam_records::exams;

async fn wait_until(browser: &Browser, script: &str, what: &str) {
    for _ in 0..300 {
        if browser.execute(script).await.as_bool() == Some(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let state = browser.execute("return document.body.innerText").await;
    let log = browser.execute("return JSON.stringify(window.watchLog || [])").await;
    panic!("{what} never happened; the page shows: {state}; views: {log}");
}

async fn frames(browser: &Browser, css: &str) -> i64 {
    browser.execute(&format!("const v = document.querySelector(\"{css}\"); return v ? Number(v.dataset.frames || 0) : 0")).await.as_i64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proctor_watches_a_candidate_live_and_everything_is_recorded() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    exams::set_required_media(app.db(), 1, &MediaKind::ALL).await.expect("require media");
    let (name, id) = DEMO_CANDIDATES[0];
    let roster = exams::candidates(app.db(), 1).await.expect("roster");
    let me = roster.into_iter().find(|c| c.name == name).expect("on roster");

    // The candidate: sign in, commitment, device check, start.
    let candidate = Browser::start().await;
    candidate.sign_in_candidate(&app.base, &me.ticket, id, DEMO_PASSWORD).await;
    candidate.wait_for("#media-on").await;
    assert_eq!(candidate.execute("return document.getElementById('start-exam').disabled").await.as_bool(), Some(true), "no start before the media flows");
    candidate.click(&candidate.wait_for("#media-on").await).await;
    // The device check labels its previews and shows the microphone's level.
    let captions = candidate.execute("return [...document.querySelectorAll('.previews figcaption')].map(f => f.textContent).join('|')").await;
    assert!(captions.as_str().unwrap_or_default().contains("摄像头画面"), "{captions}");
    wait_until(&candidate, "const m = document.getElementById('mic-level'); return !!m && Number(m.dataset.level || 0) > 0.01", "the microphone level moving")
        .await;
    // The start waits for the candidate's own photo, for the identity check.
    wait_until(&candidate, "return !document.getElementById('take-photo').disabled", "the photo button").await;
    assert_eq!(candidate.execute("return document.getElementById('start-exam').disabled").await.as_bool(), Some(true), "no start before the photo");
    candidate.click(&candidate.wait_for("#take-photo").await).await;
    candidate.wait_for("#photo-status [data-photo='taken']").await;
    wait_until(&candidate, "return !document.getElementById('start-exam').disabled", "camera, microphone and screen at the server").await;
    candidate.keep_screenshot("device-check").await;
    let streaming_since = Instant::now();
    candidate.screenshot(&std::env::temp_dir().join("exam-device-check.png")).await;
    candidate.click(&candidate.wait_for("#start-exam").await).await;
    candidate.wait_for("#answer-form").await;

    // The proctor: the room's grid, a tile decoding frames, the enlarged view.
    let proctor = Browser::start().await;
    proctor.sign_in(&app.base, "proctor", DEMO_PASSWORD).await;
    proctor.goto(&format!("{}/sessions/1", app.base)).await;
    let tile = format!("#tiles .tile[data-candidate='{}'] video", me.id);
    wait_until(
        &proctor,
        &format!("const v = document.querySelector(\"{tile}\"); return !!v && Number(v.dataset.frames || 0) > 10"),
        "the tile decoding frames",
    )
    .await;
    let before = frames(&proctor, &tile).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(frames(&proctor, &tile).await > before, "the tile keeps decoding");
    proctor.click(&proctor.wait_for(&format!("#tiles .tile[data-candidate='{}']", me.id)).await).await;
    wait_until(&proctor, "return Number(document.getElementById('big-camera').dataset.frames || 0) > 10", "the enlarged camera decoding").await;
    wait_until(&proctor, "return Number(document.getElementById('big-screen').dataset.frames || 0) > 0", "the enlarged screen decoding").await;
    let big = frames(&proctor, "#big-camera").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(frames(&proctor, "#big-camera").await > big, "the enlarged view keeps decoding");
    proctor.screenshot(&std::env::temp_dir().join("exam-proctor-enlarged.png")).await;

    // The tile receives the camera's base temporal layer only: about half the enlarged view's
    // frames over the same seconds (read straight from the decoders, both at the same moments).
    let both = format!(
        "const f = (v) => v.getVideoPlaybackQuality().totalVideoFrames; \
         return [f(document.querySelector(\"{tile}\")), f(document.getElementById('big-camera'))]"
    );
    let counts = |v: serde_json::Value| -> (i64, i64) { (v[0].as_i64().unwrap_or(0), v[1].as_i64().unwrap_or(0)) };
    let (tile_0, big_0) = counts(proctor.execute(&both).await);
    tokio::time::sleep(Duration::from_secs(6)).await;
    let (tile_1, big_1) = counts(proctor.execute(&both).await);
    let (tile_frames, big_frames) = (tile_1 - tile_0, big_1 - big_0);
    eprintln!("over 6 s the tile decoded {tile_frames} frames and the enlarged camera {big_frames}");
    assert!(tile_frames > 0, "the tile keeps decoding beside the enlarged view");
    assert!(tile_frames * 4 < big_frames * 3, "the tile decoded {tile_frames} frames while the enlarged view decoded {big_frames}");

    // The identity check: the photo beside the live camera; the finding goes into the record.
    wait_until(
        &proctor,
        "const i = document.getElementById('enlarged-photo'); return !!i && i.complete && i.naturalWidth > 0",
        "the candidate's photo in the enlarged view",
    )
    .await;
    proctor.click(&proctor.wait_for("#enlarged-actions [data-do='identity_ok'], #id-check [data-do='identity_ok']").await).await;
    proctor.wait_for("#identity-state [data-identity='true']").await;
    proctor.keep_screenshot("identity-check").await;
    // A warning reaches the candidate's page.
    proctor.type_into(&proctor.wait_for("#enlarged-text").await, "请将视线保持在屏幕上").await;
    proctor.click(&proctor.wait_for("#enlarged-actions [data-do='warn']").await).await;
    proctor.wait_for("#enlarged-result [data-done='warn']").await;
    wait_until(
        &candidate,
        "const n = document.querySelector('#proctor-notice [data-notice]'); return !!n && n.textContent.includes('视线')",
        "the warning on the candidate's page",
    )
    .await;
    candidate.screenshot(&std::env::temp_dir().join("exam-candidate-warned.png")).await;

    // About 20 s of streaming, then hand in: the streams and recordings end.
    let rest = Duration::from_secs(20).saturating_sub(streaming_since.elapsed());
    tokio::time::sleep(rest).await;
    candidate.execute("window.confirm = () => true").await;
    candidate.click(&candidate.wait_for("#hand-in").await).await;
    let streamed = streaming_since.elapsed().as_secs_f64();
    candidate.wait_for("#final-score").await;
    for _ in 0..100 {
        if app.state.media.publishers() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let dir = app.store.dir.path().join("recordings").join(format!("session-1/candidate-{}", me.id));
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("recordings").flatten().map(|e| e.path()).collect();
    files.sort();
    assert_eq!(files.len(), 2, "a camera-and-microphone file and a screen file: {files:?}");
    for f in &files {
        let (duration, packets) = exam_client::media_bench::probe(f).unwrap_or_else(|| panic!("ffprobe cannot read {}", f.display()));
        assert!((duration - streamed).abs() <= streamed * 0.1, "{}: {duration:.1} s recorded of {streamed:.1} s streamed", f.display());
        assert!(packets > 20, "{}: {packets} packets", f.display());
    }
}
