//! Two dozen candidates on one proctor's page: 24 headless candidates publish camera and
//! microphone (the clip the media bench uses), and one headless Chromium as the proctor shows a
//! tile for each, every tile decoding frames, and keeps decoding all of them.
use std::sync::Arc;
use std::time::{Duration, Instant};

use e2e_tests::webdriver::Browser;
use e2e_tests::{Backend, TestApp, media_clip, open_session, resident_id};
use exam_application::demo::DEMO_PASSWORD;
use exam_client::ExamSocket;
use exam_client::media_peer::{Clip, Publisher};
use serde_json::{Value, json};

const CANDIDATES: usize = 24;

/// Frames decoded so far by every tile's video, read from the decoders.
async fn tile_frames(proctor: &Browser) -> Vec<i64> {
    let v = proctor.execute("return [...document.querySelectorAll('#tiles .tile video')].map((v) => v.getVideoPlaybackQuality().totalVideoFrames)").await;
    v.as_array().map(|a| a.iter().map(|n| n.as_i64().unwrap_or(0)).collect()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proctor_page_decodes_two_dozen_tiles() {
    let app = TestApp::spawn_demo(Backend::Sqlite).await;
    let people: Vec<(String, String)> = (0..CANDIDATES).map(|i| (format!("考生{i:02}"), resident_id(300 + i as u32))).collect();
    let roster: Vec<(&str, String)> = people.iter().map(|(n, id)| (n.as_str(), id.clone())).collect();
    let created = open_session(&app, json!({}), &roster).await;
    let session = created["session"]["id"].as_i64().expect("session id");
    let dir = tempfile::tempdir().expect("tmp");
    let (ivf, ogg) = media_clip(dir.path());
    let clip = Arc::new(Clip::load(&ivf, &ogg).expect("clip"));

    // Every candidate signs in and publishes, as the headless candidate of the media bench does.
    let http = reqwest::Client::new();
    let mut streams = Vec::new();
    for (i, (_, id)) in people.iter().enumerate() {
        let ticket = created["roster"][i]["ticket"].as_str().expect("ticket");
        let login: Value = http
            .post(format!("{}/api/v1/exam/login", app.base))
            .json(&json!({"ticket": ticket, "id_number": id, "password": DEMO_PASSWORD}))
            .send()
            .await
            .expect("sign in")
            .json()
            .await
            .expect("sign-in body");
        let token = login["token"].as_str().expect("token");
        let mut socket = ExamSocket::connect(&app.base, token).await.expect("socket");
        let publisher = Publisher::start(&mut socket, clip.clone()).await.expect("publish");
        streams.push((socket, publisher));
    }

    let proctor = Browser::start().await;
    proctor.set_window_size(1920, 1080).await;
    proctor.sign_in(&app.base, "proctor", DEMO_PASSWORD).await;
    proctor.goto(&format!("{}/sessions/{session}", app.base)).await;
    let end = Instant::now() + Duration::from_secs(120);
    loop {
        let frames = tile_frames(&proctor).await;
        if frames.len() == CANDIDATES && frames.iter().all(|f| *f > 5) {
            break;
        }
        assert!(Instant::now() < end, "not every tile decodes: {frames:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    proctor.screenshot(&std::env::temp_dir().join("exam-proctor-grid.png")).await;
    proctor.keep_screenshot("room-24-tiles").await;
    // At 1920×1080 the whole grid is in view at once: the last tile's bottom is on screen.
    let bottom = proctor
        .execute(
            "const t = [...document.querySelectorAll('#tiles .tile')]; return Math.max(...t.map(e => e.getBoundingClientRect().bottom)) <= window.innerHeight",
        )
        .await;
    assert_eq!(bottom.as_bool(), Some(true), "two dozen tiles fit one screen");

    // And they go on decoding, every one of them.
    let before = tile_frames(&proctor).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = tile_frames(&proctor).await;
    let grown: Vec<i64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
    assert!(grown.iter().all(|g| *g > 0), "frames decoded per tile over 5 s: {grown:?}");
    eprintln!("frames decoded per tile over 5 s: {grown:?}");
    for (_, publisher) in streams {
        publisher.stop().await;
    }
}
