//! Live events between server processes over a real Redis: two processes on one PostgreSQL
//! database, a proctor's pause on one seen at once by the other, which keeps paper clocks in
//! memory for a minute and would otherwise accept answers from a paused candidate.
use std::time::{Duration, Instant};

use e2e_tests::{Backend, TestApp, call, on_redis, redis_channel, redis_url};
use exam_application::events::{Event, EventBus};
use exam_client::Client;
use exam_protocol::{CandidatePaper, ExamStatus};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Whether `PaperChanged { marker }` arrives within `wait`.
async fn seen(rx: &mut tokio::sync::broadcast::Receiver<Event>, marker: i64, wait: Duration) -> bool {
    tokio::time::timeout(wait, async {
        loop {
            if let Ok(Event::PaperChanged { paper_id, .. }) = rx.recv().await
                && paper_id == marker
            {
                return;
            }
        }
    })
    .await
    .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_bus_carries_events_between_buses_once() {
    let channel = redis_channel();
    let a = EventBus::with_redis(&redis_url(), &channel, e2e_tests::BUS_SECRET).expect("redis url");
    let b = EventBus::with_redis(&redis_url(), &channel, e2e_tests::BUS_SECRET).expect("redis url");
    tokio::time::timeout(Duration::from_secs(20), async {
        a.wait_ready().await;
        b.wait_ready().await
    })
    .await
    .unwrap_or_else(|_| panic!("Redis at {} is required for this test (run scripts/test.sh)", redis_url()));
    let (mut on_a, mut on_b) = (a.subscribe(), b.subscribe());
    let marker = i64::from(rand::random::<u32>());
    a.publish(Event::PaperChanged { paper_id: marker, candidate_id: 0 });
    // A's own subscriber gets it once, directly; B gets it over Redis; A not again from Redis.
    assert!(seen(&mut on_a, marker, Duration::from_secs(10)).await, "the publishing process sees its own event");
    assert!(seen(&mut on_b, marker, Duration::from_secs(10)).await, "the other process receives it over Redis");
    let again = seen(&mut on_a, marker, Duration::from_millis(500)).await;
    assert!(!again, "an event is delivered once in the process that published it");
}

async fn answer(c: &Client, seq: i64, response: &Value) -> Result<Value, (StatusCode, Value)> {
    call::<Value>(c, Method::POST, "/api/v1/exam/answers", Some(json!({"seq": seq, "no": 1, "response": response}))).await
}

/// Polls until `want` holds for the answer's outcome; events cross processes in milliseconds,
/// the generous bound only keeps a broken bus from hanging the test.
async fn until(c: &Client, seq: &mut i64, response: &Value, want: impl Fn(&Result<Value, (StatusCode, Value)>) -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        *seq += 1;
        if want(&answer(c, *seq, response).await) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_on_one_process_stops_answers_on_another() {
    let channel = redis_channel();
    let with_redis = on_redis(&channel);
    let a = TestApp::spawn_with(Backend::Postgres, with_redis.clone()).await;
    exam_application::demo::seed(a.db()).await.expect("seed demo data");
    exam_records::exams::set_required_media(a.db(), 1, &[]).await.expect("without media");
    let (b_base, b_state) = a.another_process(with_redis).await;
    a.state.events.wait_ready().await;
    b_state.events.wait_ready().await;

    // The candidate is on process B; B now holds the paper's clock in memory.
    let token = e2e_tests::candidate_token(&b_base, a.db(), 0).await;
    let cand = Client::new(&b_base).with_token(&token);
    call::<ExamStatus>(&cand, Method::POST, "/api/v1/exam/commitment", None).await.expect("commitment");
    let paper: CandidatePaper = call(&cand, Method::POST, "/api/v1/exam/start", None).await.expect("start");
    let q = &paper.questions[0];
    let response = match q.item.item_type {
        exam_protocol::ItemType::TrueFalse => json!({"kind": "true_false", "value": true}),
        _ => json!({"kind": "choices", "value": [q.item.choices[0].id]}),
    };
    let mut seq = 0;
    assert!(until(&cand, &mut seq, &response, |r| r.is_ok()).await, "answers are accepted on B");

    // The proctor, on process A, pauses the candidate.
    let proctor = a.signed_in("proctor").await;
    let room: Vec<exam_protocol::RoomCandidate> = call(&proctor, Method::GET, "/api/v1/sessions/1/room", None).await.expect("room");
    let cid = room.iter().find(|c| c.name == "李明").expect("on the roster").candidate_id;
    let act = format!("/api/v1/sessions/1/candidates/{cid}/actions");
    let r = proctor.request(Method::POST, &act).json(&json!({"action": "pause", "reason": "核验身份"})).send().await.expect("pause");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let paused = |r: &Result<Value, (StatusCode, Value)>| matches!(r, Err((_, v)) if v["error"] == "paper_paused");
    assert!(until(&cand, &mut seq, &response, paused).await, "process B refuses answers once A paused the paper");

    let r = proctor.request(Method::POST, &act).json(&json!({"action": "resume"})).send().await.expect("resume");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(until(&cand, &mut seq, &response, |r| r.is_ok()).await, "and accepts them again once A resumed it");
}
