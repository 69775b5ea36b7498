//! The answer channel over a real WebSocket, on both databases: acknowledgements only after
//! the answer is stored, resends acknowledged as duplicates, refusals with stable codes, the
//! server's clock on connect, integrity events recorded, and answers kept across a dropped
//! connection.
use e2e_tests::{Backend, TestApp, both_backends};
use exam_client::ExamSocket;
use exam_protocol::{ClientMessage, IntegrityKind, ItemType, Response, ServerMessage};
use exam_records::exams;
use reqwest::Method;

async fn started(app: &TestApp) -> (exam_client::Client, exam_protocol::CandidatePaper) {
    let token = e2e_tests::candidate_token(&app.base, app.db(), 0).await;
    let c = app.client().with_token(&token);
    c.request(Method::POST, "/api/v1/exam/commitment").send().await.expect("commitment");
    let paper = c.request(Method::POST, "/api/v1/exam/start").send().await.expect("start").json().await.expect("paper");
    (c, paper)
}

/// Reads until a message for `seq` arrives (clock messages may come between).
async fn reply_for(ws: &mut ExamSocket, seq: i64) -> ServerMessage {
    for _ in 0..50 {
        let msg = ws.recv().await.expect("message");
        match &msg {
            ServerMessage::Ack { seq: s, .. } if *s == seq => return msg,
            ServerMessage::Refused { seq: Some(s), .. } if *s == seq => return msg,
            ServerMessage::Refused { seq: None, .. } => return msg,
            _ => continue,
        }
    }
    panic!("no reply for {seq}");
}

async fn answers_are_acknowledged_once_durable(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let (c, paper) = started(&app).await;
    let token = c.token().expect("token").to_string();
    let mut ws = ExamSocket::connect(&app.base, &token).await.expect("connect");
    match ws.recv().await.expect("first message") {
        ServerMessage::Time { remaining_ms, paused, .. } => assert!(remaining_ms > 0 && !paused),
        other => panic!("the clock comes first, got {other:?}"),
    }
    let tf = paper.questions.iter().find(|q| q.item.item_type == ItemType::TrueFalse).expect("a true/false question");
    for seq in 1..=5 {
        ws.send(&ClientMessage::Answer { seq, no: tf.no, response: Response::TrueFalse(seq % 2 == 0) }).await.expect("send");
    }
    // Acknowledgements come as each commit finishes, in any order.
    let mut acked = Vec::new();
    while acked.len() < 5 {
        match ws.recv().await.expect("message") {
            ServerMessage::Ack { seq, duplicate: false } => acked.push(seq),
            ServerMessage::Time { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    acked.sort_unstable();
    assert_eq!(acked, vec![1, 2, 3, 4, 5]);
    // Acknowledged means stored: read straight from the database.
    assert_eq!(exams::answer_count(app.db(), paper.paper_id).await.expect("count"), 5);
    ws.send(&ClientMessage::Answer { seq: 3, no: tf.no, response: Response::TrueFalse(false) }).await.expect("resend");
    assert_eq!(reply_for(&mut ws, 3).await, ServerMessage::Ack { seq: 3, duplicate: true });
    ws.send(&ClientMessage::Answer { seq: 6, no: 99, response: Response::TrueFalse(true) }).await.expect("send");
    match reply_for(&mut ws, 6).await {
        ServerMessage::Refused { error, message, .. } => {
            assert_eq!(error, "no_such_question");
            assert_eq!(message, "试卷上没有这道题。");
        }
        other => panic!("{other:?}"),
    }
    ws.send_text("{not json").await.expect("send garbage");
    match reply_for(&mut ws, -1).await {
        ServerMessage::Refused { error, seq: None, .. } => assert_eq!(error, "malformed_message"),
        other => panic!("{other:?}"),
    }
    ws.send(&ClientMessage::Integrity { kind: IntegrityKind::PageHidden }).await.expect("integrity");
    // A dropped connection loses nothing acknowledged; a new one carries on.
    drop(ws);
    let mut ws = ExamSocket::connect(&app.base, &token).await.expect("reconnect");
    ws.send(&ClientMessage::Answer { seq: 7, no: tf.no, response: Response::TrueFalse(true) }).await.expect("send");
    assert_eq!(reply_for(&mut ws, 7).await, ServerMessage::Ack { seq: 7, duplicate: false });
    ws.close().await;
    let copy: exam_protocol::CandidatePaper = c.request(Method::GET, "/api/v1/exam/paper").send().await.expect("paper").json().await.expect("json");
    assert_eq!(copy.last_seq, 7);
    assert_eq!(copy.answers.iter().find(|a| a.no == tf.no).map(|a| a.response.clone()), Some(Response::TrueFalse(true)));
    // The first socket's task stores the integrity event; under load it may finish after the
    // second socket's answer, so the count is awaited (and must not pass one).
    let count =
        async || -> i64 { sqlx::query_scalar("SELECT COUNT(*) FROM exam_events WHERE kind = 'integrity'").fetch_one(app.db().reader()).await.expect("events") };
    e2e_tests::eventually("the integrity event stored", async || count().await >= 1).await;
    assert_eq!(count().await, 1);
}

/// The next clock message, within `secs` (the periodic one comes every 30 s).
async fn next_clock(ws: &mut ExamSocket, secs: u64) -> ServerMessage {
    let wait = async {
        loop {
            match ws.recv().await.expect("message") {
                m @ (ServerMessage::Time { .. } | ServerMessage::Ended { .. }) => return m,
                _ => continue,
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(secs), wait).await.expect("a clock message before the periodic one")
}

/// A proctor's pause, resume, extra time and termination reach the candidate's open socket as
/// they happen, not at the next periodic clock (every 30 s).
async fn clock_changes_are_pushed_at_once(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let (c, paper) = started(&app).await;
    let mut ws = ExamSocket::connect(&app.base, c.token().expect("token")).await.expect("connect");
    let ServerMessage::Time { remaining_ms: first, .. } = next_clock(&mut ws, 5).await else { panic!("the clock comes first") };
    let proctor = app.signed_in("proctor").await;
    let cand = exams::paper(app.db(), paper.paper_id).await.expect("paper").expect("exists").session_candidate_id;
    let act = |body: serde_json::Value| {
        let proctor = proctor.clone();
        async move {
            let r = proctor.request(Method::POST, &format!("/api/v1/sessions/1/candidates/{cand}/actions")).json(&body).send().await.expect("act");
            assert_eq!(r.status(), reqwest::StatusCode::NO_CONTENT);
        }
    };
    act(serde_json::json!({"action": "pause", "reason": "考生设备故障"})).await;
    assert!(matches!(next_clock(&mut ws, 20).await, ServerMessage::Time { paused: true, .. }));
    act(serde_json::json!({"action": "resume"})).await;
    assert!(matches!(next_clock(&mut ws, 20).await, ServerMessage::Time { paused: false, .. }));
    act(serde_json::json!({"action": "extra_time", "minutes": 10, "reason": "网络中断补时"})).await;
    match next_clock(&mut ws, 20).await {
        ServerMessage::Time { remaining_ms, paused: false, .. } => assert!(remaining_ms > first + 9 * 60_000, "{first} → {remaining_ms}"),
        other => panic!("{other:?}"),
    }
    act(serde_json::json!({"action": "terminate", "reason": "替考"})).await;
    assert_eq!(next_clock(&mut ws, 20).await, ServerMessage::Ended { stage: exam_protocol::Stage::Terminated });
}

/// Staff and strangers get no socket; a candidate who has not started gets one (the page opens
/// it before the start), but an answer on it is refused `not_started` and nothing is stored.
async fn no_socket_for_staff_and_no_answer_without_a_paper(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let proctor = app.signed_in("proctor").await;
    let err = ExamSocket::connect(&app.base, proctor.token().expect("token")).await.expect_err("staff");
    assert!(err.to_string().contains("403"), "{err}");
    let err = ExamSocket::connect(&app.base, "no-such-token").await.expect_err("nobody");
    assert!(err.to_string().contains("401"), "{err}");

    let token = e2e_tests::candidate_token(&app.base, app.db(), 1).await;
    let mut ws = ExamSocket::connect(&app.base, &token).await.expect("a candidate's socket before the start");
    ws.send(&ClientMessage::Answer { seq: 1, no: 1, response: Response::TrueFalse(true) }).await.expect("send");
    match reply_for(&mut ws, 1).await {
        ServerMessage::Refused { seq: Some(1), error, retry, .. } => assert_eq!((error.as_str(), retry), ("not_started", false)),
        other => panic!("an answer without a paper is refused, got {other:?}"),
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM answer_events").fetch_one(app.db().reader()).await.expect("count");
    assert_eq!(stored, 0, "nothing stored without a paper");
    let papers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM papers").fetch_one(app.db().reader()).await.expect("count");
    assert_eq!(papers, 0, "no paper made by an answer");
}

both_backends!(answers_are_acknowledged_once_durable, clock_changes_are_pushed_at_once, no_socket_for_staff_and_no_answer_without_a_paper);
