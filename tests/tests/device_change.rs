//! A candidate moving to another device mid-test: free where the session allows it; where it
//! requires a proctor's approval, the new device waits, the proctor sees the request and
//! approves, the old device is signed out, and the paper continues with its answers and clock.
use e2e_tests::{Backend, TestApp, both_backends, call, open_session, resident_id};
use exam_application::demo::DEMO_PASSWORD;
use exam_client::Client;
use exam_protocol::{CandidatePaper, ExamStatus, RoomCandidate, RoomEvent};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const OLD: &str = "device-0a1b2c3d4e5f";
const NEW: &str = "device-9f8e7d6c5b4a";

async fn login(app: &TestApp, ticket: &str, id: &str, device: Option<&str>) -> Result<Value, (StatusCode, Value)> {
    let body = json!({"ticket": ticket, "id_number": id, "password": DEMO_PASSWORD, "device": device});
    call::<Value>(&app.client(), Method::POST, "/api/v1/exam/login", Some(body)).await
}

async fn device_change_waits_for_a_proctor(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let id = resident_id(7);
    let created = open_session(&app, json!({"device_approval": true}), &[("孙七", id.clone())]).await;
    let session = created["session"]["id"].as_i64().expect("session id");
    let ticket = created["roster"][0]["ticket"].as_str().expect("ticket").to_string();

    // Before the paper starts, moving is free.
    login(&app, &ticket, &id, Some(NEW)).await.expect("first device");
    let first = login(&app, &ticket, &id, Some(OLD)).await.expect("another device before the start");
    let old = Client::new(&app.base).with_token(first["token"].as_str().expect("token"));
    call::<ExamStatus>(&old, Method::POST, "/api/v1/exam/commitment", None).await.expect("commitment");
    let paper: CandidatePaper = call(&old, Method::POST, "/api/v1/exam/start", None).await.expect("start");
    let q = &paper.questions[0];
    let response = match q.item.item_type {
        exam_protocol::ItemType::TrueFalse => json!({"kind": "true_false", "value": true}),
        _ => json!({"kind": "choices", "value": [q.item.choices[0].id]}),
    };
    call::<Value>(&old, Method::POST, "/api/v1/exam/answers", Some(json!({"seq": 1, "no": 1, "response": response}))).await.expect("answer");

    // Same device again: fine. Another device: refused until approved; no device: refused.
    login(&app, &ticket, &id, Some(OLD)).await.expect("the same device signs in again");
    let (s, v) = login(&app, &ticket, &id, Some(NEW)).await.expect_err("a new device waits");
    assert_eq!((s, v["error"].as_str()), (StatusCode::FORBIDDEN, Some("device_approval_required")));
    assert!(v["message"].as_str().is_some_and(|m| m.contains("监考")), "a message in Chinese: {v}");
    let (s, v) = login(&app, &ticket, &id, None).await.expect_err("no device id");
    assert_eq!((s, v["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("device_required")));
    call::<Value>(&old, Method::GET, "/api/v1/exam/paper", None).await.expect("the old device carries on meanwhile");
    let mut old_socket = exam_client::ExamSocket::connect(&app.base, first["token"].as_str().expect("token")).await.expect("old device's socket");
    assert!(matches!(old_socket.recv().await.expect("clock"), exam_protocol::ServerMessage::Time { .. }));

    // The proctor sees the request, in the list and in the record, and approves it.
    let proctor = app.signed_in("proctor").await;
    let room: Vec<RoomCandidate> = call(&proctor, Method::GET, &format!("/api/v1/sessions/{session}/room"), None).await.expect("room");
    let me = room.iter().find(|c| c.name == "孙七").expect("on the roster");
    assert!(me.device_pending, "the room shows the waiting device");
    let feed: Vec<RoomEvent> = call(&proctor, Method::GET, &format!("/api/v1/sessions/{session}/events"), None).await.expect("feed");
    assert!(feed.iter().any(|e| e.kind == "device_change_requested"));
    let act = format!("/api/v1/sessions/{session}/candidates/{}/actions", me.candidate_id);
    let admin = app.signed_in("admin").await;
    let r = admin.request(Method::POST, &act).json(&json!({"action": "approve_device"})).send().await.expect("admin");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "the admin may watch but not act");
    let r = proctor.request(Method::POST, &act).json(&json!({"action": "approve_device"})).send().await.expect("approve");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = proctor.request(Method::POST, &act).json(&json!({"action": "approve_device"})).send().await.expect("again");
    assert_eq!(r.status(), StatusCode::CONFLICT, "nothing waits any more");
    // The old device's open socket is told and closed: its answers are no longer taken.
    let mut told = false;
    loop {
        match old_socket.recv().await {
            Ok(exam_protocol::ServerMessage::Refused { error, .. }) if error == "signed_out" => told = true,
            Ok(exam_protocol::ServerMessage::Ack { seq, .. }) => panic!("answer {seq} taken from the old device"),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert!(told, "the old device's socket closes when the proctor approves the new one");

    // The old device is signed out; the new one continues the same paper with its answer.
    let (s, _) = call::<Value>(&old, Method::GET, "/api/v1/exam/paper", None).await.expect_err("old device signed out");
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let second = login(&app, &ticket, &id, Some(NEW)).await.expect("the approved device");
    let new = Client::new(&app.base).with_token(second["token"].as_str().expect("token"));
    let resumed: CandidatePaper = call(&new, Method::GET, "/api/v1/exam/paper", None).await.expect("paper");
    assert_eq!(resumed.paper_id, paper.paper_id);
    assert_eq!(resumed.answers.len(), 1, "the answer given on the old device is there");
    assert!(resumed.remaining_ms <= paper.remaining_ms);
    // Going back to the old device is another change.
    let (s, _) = login(&app, &ticket, &id, Some(OLD)).await.expect_err("back to the old device");
    assert_eq!(s, StatusCode::FORBIDDEN);
    let feed: Vec<RoomEvent> = call(&proctor, Method::GET, &format!("/api/v1/sessions/{session}/events"), None).await.expect("feed");
    assert!(feed.iter().any(|e| e.kind == "device_approved"));
}

async fn without_the_setting_a_new_device_just_continues(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let id = resident_id(8);
    let created = open_session(&app, json!({}), &[("周八", id.clone())]).await;
    let ticket = created["roster"][0]["ticket"].as_str().expect("ticket").to_string();
    let first = login(&app, &ticket, &id, Some(OLD)).await.expect("first device");
    let old = Client::new(&app.base).with_token(first["token"].as_str().expect("token"));
    call::<ExamStatus>(&old, Method::POST, "/api/v1/exam/commitment", None).await.expect("commitment");
    let paper: CandidatePaper = call(&old, Method::POST, "/api/v1/exam/start", None).await.expect("start");
    let second = login(&app, &ticket, &id, Some(NEW)).await.expect("another device, no approval needed");
    let new = Client::new(&app.base).with_token(second["token"].as_str().expect("token"));
    let resumed: CandidatePaper = call(&new, Method::GET, "/api/v1/exam/paper", None).await.expect("paper");
    assert_eq!(resumed.paper_id, paper.paper_id);
}

both_backends!(device_change_waits_for_a_proctor, without_the_setting_a_new_device_just_continues);
