//! Live proctoring media through the real server with headless WebRTC peers (the same the
//! media bench uses): the test waits for the camera and microphone before the first question,
//! a proctor receives the forwarded packets, bad offers and outsiders are refused, and the
//! recordings on disk pass ffprobe with the duration that was streamed.
use std::sync::Arc;
use std::time::Duration;

use e2e_tests::{Backend, TestApp, call, candidate_token, eventually, media_clip};
use exam_client::media_peer::{Clip, Publisher, Viewer};
use exam_client::{Client, ExamSocket};
use exam_protocol::{ExamStatus, MediaKind, MediaSetup, RoomEvent, ServerMessage};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn camera_and_microphone_flow_are_forwarded_and_recorded() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.media.ice_timeout_secs = 3).await;
    exam_application::demo::seed(app.db()).await.expect("seed");
    exam_records::exams::set_required_media(app.db(), 1, &[MediaKind::Camera, MediaKind::Microphone]).await.expect("require media");
    let dir = tempfile::tempdir().expect("tmp");
    let (ivf, ogg) = media_clip(dir.path());
    let clip = Arc::new(Clip::load(&ivf, &ogg).expect("clip"));

    let token = candidate_token(&app.base, app.db(), 0).await;
    let cand = Client::new(&app.base).with_token(&token);
    call::<ExamStatus>(&cand, Method::POST, "/api/v1/exam/commitment", None).await.expect("commitment");
    let (s, v) = call::<Value>(&cand, Method::POST, "/api/v1/exam/start", None).await.expect_err("no media yet");
    assert_eq!((s, v["error"].as_str()), (StatusCode::CONFLICT, Some("media_required")));
    let setup: MediaSetup = call(&cand, Method::GET, "/api/v1/exam/media", None).await.expect("setup");
    assert_eq!((setup.required.len(), setup.flowing.len()), (2, 0));
    assert_eq!(setup.caps.camera_max_bitrate, 300_000);

    let mut socket = ExamSocket::connect(&app.base, &token).await.expect("socket");
    let publisher = Publisher::start(&mut socket, clip.clone()).await.expect("publish");
    eventually("camera and microphone at the server", async || {
        let s: MediaSetup = call(&cand, Method::GET, "/api/v1/exam/media", None).await.expect("setup");
        s.flowing.contains(&MediaKind::Camera) && s.flowing.contains(&MediaKind::Microphone)
    })
    .await;
    // The socket tells the page too.
    let told = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Ok(ServerMessage::Media { flowing }) = socket.recv().await
                && flowing.len() == 2
            {
                return;
            }
        }
    })
    .await;
    assert!(told.is_ok(), "the candidate's socket hears that both tracks arrive");
    // With a camera, the start also waits for the candidate's own photo (人证核验).
    let (s, v) = call::<Value>(&cand, Method::POST, "/api/v1/exam/start", None).await.expect_err("no photo yet");
    assert_eq!((s, v["error"].as_str()), (StatusCode::CONFLICT, Some("photo_required")));
    assert_eq!(e2e_tests::send_photo(&cand, dir.path()).await, StatusCode::NO_CONTENT);
    call::<Value>(&cand, Method::POST, "/api/v1/exam/start", None).await.expect("the test starts once media flows and the photo is taken");

    // A proctor of the room watches; outsiders may not.
    let proctor = app.signed_in("proctor").await;
    let room: Vec<exam_protocol::RoomCandidate> = call(&proctor, Method::GET, "/api/v1/sessions/1/room", None).await.expect("room");
    let me = room.iter().find(|c| c.name == "李明").expect("on the roster");
    assert!(me.media.contains(&MediaKind::Camera), "the room shows the streams: {:?}", me.media);
    let viewer = Viewer::start(&proctor, 1, me.candidate_id, &[MediaKind::Camera, MediaKind::Microphone]).await.expect("watch");
    eventually("forwarded packets at the proctor", async || viewer.packets.load(std::sync::atomic::Ordering::Relaxed) > 100).await;
    let watch = format!("/api/v1/sessions/1/candidates/{}/watch", me.candidate_id);
    let offer = json!({"sdp": "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n", "kinds": ["camera"]});
    let (s, v) = call::<Value>(&proctor, Method::POST, &watch, Some(json!({"sdp": "hello", "kinds": ["camera"]}))).await.expect_err("garbage");
    assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_offer")));
    for who in [app.signed_in("admin").await, app.signed_in("author").await, cand.clone()] {
        let (s, _) = call::<Value>(&who, Method::POST, &watch, Some(offer.clone())).await.expect_err("not a proctor");
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    // A supervisor watches the rooms of institutions they inspect, read only.
    let supervisor = app.signed_in("supervisor").await;
    let (s, _) = call::<Value>(&supervisor, Method::POST, &watch, Some(offer.clone())).await.expect_err("not inspecting yet");
    assert_eq!(s, StatusCode::NOT_FOUND);
    let sup_id = supervisor.me().await.expect("me").id;
    let inst = app.signed_in("admin").await.me().await.expect("me").institution_id.expect("institution");
    let regulator = app.signed_in("regulator").await;
    let r =
        regulator.request(Method::POST, &format!("/api/v1/institutions/{inst}/inspectors")).json(&json!({"account_id": sup_id})).send().await.expect("assign");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let inspector = Viewer::start(&supervisor, 1, me.candidate_id, &[MediaKind::Camera]).await.expect("the inspecting supervisor watches");
    eventually("packets at the supervisor", async || inspector.packets.load(std::sync::atomic::Ordering::Relaxed) > 20).await;
    inspector.stop().await;
    let r = supervisor
        .request(Method::POST, &format!("/api/v1/sessions/1/candidates/{}/actions", me.candidate_id))
        .json(&json!({"action": "pause", "reason": "督导"}))
        .send()
        .await
        .expect("act");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "read only");
    let other = room.iter().find(|c| c.name == "王丽").expect("another candidate");
    let (s, v) = call::<Value>(&proctor, Method::POST, &format!("/api/v1/sessions/1/candidates/{}/watch", other.candidate_id), Some(offer.clone()))
        .await
        .expect_err("not streaming");
    assert_eq!((s, v["error"].as_str()), (StatusCode::CONFLICT, Some("not_publishing")));

    // Another candidate's garbage offer is refused on their socket; this stream goes on.
    let token2 = candidate_token(&app.base, app.db(), 1).await;
    let mut socket2 = ExamSocket::connect(&app.base, &token2).await.expect("socket");
    socket2.send_text(r#"{"type":"media_offer","sdp":"v=0\r\nnonsense","tracks":{}}"#).await.expect("send");
    let refused = loop {
        match socket2.recv().await.expect("reply") {
            ServerMessage::Refused { error, message, .. } => break (error, message),
            _ => continue,
        }
    };
    assert_eq!(refused.0, "bad_offer");
    assert!(refused.1.contains("音视频"), "in Chinese: {}", refused.1);

    // Stream a while, then leave; the server closes the recording.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let streamed = publisher.streamed().as_secs_f64();
    viewer.stop().await;
    publisher.stop().await;
    socket.close().await;
    eventually("the publisher to be gone", async || app.state.media.publishers() == 0).await;
    let feed: Vec<RoomEvent> = call(&proctor, Method::GET, "/api/v1/sessions/1/events", None).await.expect("feed");
    assert!(feed.iter().any(|e| e.kind == "media_up" && e.candidate_id == Some(me.candidate_id)), "the record has the tracks starting");
    eventually("the closing in the record", async || {
        let feed: Vec<RoomEvent> = call(&proctor, Method::GET, "/api/v1/sessions/1/events", None).await.expect("feed");
        feed.iter().any(|e| e.kind == "media_closed")
    })
    .await;

    let rec_dir = app.store.dir.path().join("recordings").join(format!("session-1/candidate-{}", me.candidate_id));
    let files: Vec<_> = std::fs::read_dir(&rec_dir).expect("recordings dir").flatten().map(|e| e.path()).collect();
    assert_eq!(files.len(), 1, "one camera-and-microphone file: {files:?}");
    let (duration, packets) = exam_client::media_bench::probe(&files[0]).expect("ffprobe reads the recording");
    assert!((duration - streamed).abs() <= streamed * 0.1 + 0.5, "recorded {duration:.2} s of {streamed:.2} s streamed");
    assert!(packets > 100, "{packets} packets recorded");
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0"])
        .arg(&files[0])
        .output()
        .expect("ffprobe");
    let codecs = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(codecs.contains("vp8") && codecs.contains("opus"), "{codecs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_and_vanished_peers_are_reported_and_freed() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.media.ice_timeout_secs = 2).await;
    exam_application::demo::seed(app.db()).await.expect("seed");
    let dir = tempfile::tempdir().expect("tmp");
    let (ivf, ogg) = media_clip(dir.path());
    let clip = Arc::new(Clip::load(&ivf, &ogg).expect("clip"));
    let proctor = app.signed_in("proctor").await;
    let feed = async || -> Vec<RoomEvent> { call(&proctor, Method::GET, "/api/v1/sessions/1/events", None).await.expect("feed") };

    // ICE never connects: after the timeout the proctor sees it and the server lets go.
    let token = candidate_token(&app.base, app.db(), 0).await;
    let mut socket = ExamSocket::connect(&app.base, &token).await.expect("socket");
    exam_client::media_peer::offer_without_connecting(&mut socket).await.expect("offer");
    eventually("the failed connection in the record", async || feed().await.iter().any(|e| e.kind == "media_failed")).await;
    eventually("the unreachable publisher dropped", async || app.state.media.publishers() == 0).await;

    // A publisher that vanishes without closing (its process killed): found out and freed.
    let (name, id) = exam_application::demo::DEMO_CANDIDATES[1];
    let ticket = exam_records::exams::candidates(app.db(), 1).await.expect("roster").into_iter().find(|c| c.name == name).expect("on roster").ticket;
    let mut child = std::process::Command::new(e2e_tests::binaries::exam_client())
        .args(["publish", "--server", &app.base, "--ticket", &ticket, "--id-number", id])
        .arg("--video")
        .arg(&ivf)
        .arg("--audio")
        .arg(&ogg)
        .env("EXAM_PASSWORD", exam_application::demo::DEMO_PASSWORD)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("headless candidate");
    eventually("the stream at the server", async || app.state.media.publishers() == 1 && feed().await.iter().any(|e| e.kind == "media_up")).await;
    child.kill().expect("SIGKILL the candidate");
    let _ = child.wait();
    eventually("the vanished publisher freed", async || app.state.media.publishers() == 0).await;
    assert!(feed().await.iter().any(|e| e.kind == "media_closed"));
    drop(clip);

    // A proctor of another room cannot watch this one.
    let admin = app.signed_in("admin").await;
    let inst = admin.me().await.expect("me").institution_id;
    call::<Value>(
        &admin,
        Method::POST,
        "/api/v1/users",
        Some(json!({
            "username": "proctor9", "display_name": "另一考场监考", "password": "long-password-1", "role": "proctor", "institution_id": inst
        })),
    )
    .await
    .expect("another proctor");
    let mut other = app.client();
    other.login("proctor9", "long-password-1").await.expect("sign in");
    let (s, v) = call::<Value>(&other, Method::POST, "/api/v1/sessions/1/candidates/1/watch", Some(json!({"sdp": "v=0", "kinds": ["camera"]})))
        .await
        .expect_err("not this room's proctor");
    assert_eq!((s, v["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
}
