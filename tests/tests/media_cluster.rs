//! Two server processes on one PostgreSQL database and a real Redis, as behind a load
//! balancer: the candidate's media flows into process A, while the proctor, the candidate's
//! start and hand-in go to process B. B knows which tracks flow, hands the proctor's offer to A,
//! and the proctor's peer receives the packets straight from A; the hand-in on B ends the
//! streams on A.
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use e2e_tests::{Backend, TestApp, call, candidate_token, eventually, media_clip, on_redis, redis_channel};
use exam_application::demo::DEMO_PASSWORD;
use exam_client::media_peer::{Clip, Publisher, Viewer};
use exam_client::{Client, ExamSocket};
use exam_protocol::{ExamStatus, MediaKind, MediaSetup, RoomCandidate, ViewQuality};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn room(c: &Client) -> Vec<RoomCandidate> {
    call(c, Method::GET, "/api/v1/sessions/1/room", None).await.expect("room")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proctor_on_one_process_watches_a_candidate_streaming_into_another() {
    let channel = redis_channel();
    let a = TestApp::spawn_with(Backend::Postgres, on_redis(&channel)).await;
    exam_application::demo::seed(a.db()).await.expect("seed");
    exam_records::exams::set_required_media(a.db(), 1, &[MediaKind::Camera, MediaKind::Microphone]).await.expect("require media");
    let (b_base, b_state) = a.another_process(on_redis(&channel)).await;
    tokio::time::timeout(Duration::from_secs(20), async {
        a.state.events.wait_ready().await;
        b_state.events.wait_ready().await;
    })
    .await
    .expect("both processes on Redis");
    let dir = tempfile::tempdir().expect("tmp");
    let (ivf, ogg) = media_clip(dir.path());
    let clip = Arc::new(Clip::load(&ivf, &ogg).expect("clip"));

    // The candidate's socket, and so their media, are on A.
    let token = candidate_token(&a.base, a.db(), 0).await;
    let mut socket = ExamSocket::connect(&a.base, &token).await.expect("socket");
    let publisher = Publisher::start(&mut socket, clip).await.expect("publish to A");

    // B learns which tracks flow: the candidate may start there, and B's room shows them.
    let on_b = Client::new(&b_base).with_token(&token);
    eventually("B to hear that camera and microphone flow into A", async || {
        let s: MediaSetup = call(&on_b, Method::GET, "/api/v1/exam/media", None).await.expect("setup on B");
        s.flowing.contains(&MediaKind::Camera) && s.flowing.contains(&MediaKind::Microphone)
    })
    .await;
    call::<ExamStatus>(&on_b, Method::POST, "/api/v1/exam/commitment", None).await.expect("commitment on B");
    assert!(e2e_tests::send_photo(&on_b, dir.path()).await.is_success(), "the candidate's photo for the identity check");
    call::<Value>(&on_b, Method::POST, "/api/v1/exam/start", None).await.expect("start on B while the media flows into A");

    let mut proctor = Client::new(&b_base);
    proctor.login("proctor", DEMO_PASSWORD).await.expect("proctor signs in on B");
    let me = room(&proctor).await.into_iter().find(|c| c.name == "李明").expect("on the roster");
    assert!(me.media.contains(&MediaKind::Camera), "B's room shows the streams on A: {:?}", me.media);
    assert_eq!(b_state.media.publishers(), 0, "nothing is published to B itself");

    // Watching through B: the full view and a tile, both fed by A.
    let full = Viewer::start(&proctor, 1, me.candidate_id, &[MediaKind::Camera, MediaKind::Microphone]).await.expect("watch through B");
    let tile = Viewer::start_at(&proctor, 1, me.candidate_id, &[MediaKind::Camera], ViewQuality::Tile).await.expect("a tile through B");
    eventually("packets from A at the proctor of B", async || full.packets.load(Ordering::Relaxed) > 100).await;
    eventually("packets from A at the tile", async || tile.packets.load(Ordering::Relaxed) > 20).await;
    assert!(a.state.media.counters().snapshot().2 > 0, "A forwards the packets");

    // Refusals are still B's: garbage, and a candidate who streams nowhere.
    let watch = |cid: i64| format!("/api/v1/sessions/1/candidates/{cid}/watch");
    let (s, v) = call::<Value>(&proctor, Method::POST, &watch(me.candidate_id), Some(json!({"sdp": "hello", "kinds": ["camera"]}))).await.expect_err("garbage");
    assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_offer")));
    let other = room(&proctor).await.into_iter().find(|c| c.name == "王丽").expect("another candidate");
    let offer = json!({"sdp": "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n", "kinds": ["camera"]});
    let (s, v) = call::<Value>(&proctor, Method::POST, &watch(other.candidate_id), Some(offer)).await.expect_err("streams nowhere");
    assert_eq!((s, v["error"].as_str()), (StatusCode::CONFLICT, Some("not_publishing")));

    // The hand-in on B ends the streams on A, and B's room shows them gone.
    call::<Value>(&on_b, Method::POST, "/api/v1/exam/hand-in", None).await.expect("hand in on B");
    eventually("A to close the candidate's streams", async || a.state.media.publishers() == 0).await;
    eventually("B's room to show no streams", async || room(&proctor).await.iter().all(|c| c.media.is_empty())).await;
    full.stop().await;
    tile.stop().await;
    publisher.stop().await;
}
