//! Answers and the candidate's socket at the edges: nothing is stored once a paper has ended
//! (decided inside the commit, whatever a cached clock says), every acknowledged answer is one
//! the score counts, the socket ends with the paper and with the sign-in, and what a page may
//! repeat is bounded.
use e2e_tests::{Backend, TestApp, both_backends};
use exam_application::exams::answer_writer::{Ack, AnswerEvent, WriteError};
use exam_client::ExamSocket;
use exam_protocol::{CandidatePaper, ClientMessage, ItemType, Response, ServerMessage};
use exam_records::exams;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn started(app: &TestApp, which: usize) -> (exam_client::Client, CandidatePaper) {
    let token = e2e_tests::candidate_token(&app.base, app.db(), which).await;
    let c = app.client().with_token(&token);
    c.request(Method::POST, "/api/v1/exam/commitment").send().await.expect("commitment");
    let paper = c.request(Method::POST, "/api/v1/exam/start").send().await.expect("start").json().await.expect("paper");
    (c, paper)
}

fn true_false(paper: &CandidatePaper) -> i64 {
    paper.questions.iter().find(|q| q.item.item_type == ItemType::TrueFalse).expect("a true/false question").no
}

async fn answer(c: &exam_client::Client, seq: i64, no: i64, value: bool) -> (StatusCode, Value) {
    let r = c
        .request(Method::POST, "/api/v1/exam/answers")
        .json(&json!({"seq": seq, "no": no, "response": {"kind": "true_false", "value": value}}))
        .send()
        .await
        .expect("answer");
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

async fn the_commit_refuses_answers_to_an_ended_paper(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let (c, paper) = started(&app, 0).await;
    let no = true_false(&paper);
    assert_eq!(answer(&c, 1, no, true).await.0, StatusCode::OK);
    assert_eq!(c.request(Method::POST, "/api/v1/exam/hand-in").send().await.expect("hand in").status(), StatusCode::OK);
    // Straight to the durable write, as an answer that passed a stale cached clock would come.
    let now = exam_application::clock::now_ms();
    let late = AnswerEvent {
        paper_id: paper.paper_id,
        client_seq: 2,
        question_no: no,
        response: r#"{"kind":"true_false","value":false}"#.into(),
        received_at_ms: now,
    };
    match app.state.answers.write(late).await {
        Err(WriteError::Refused(code)) => assert_eq!(code, "paper_ended"),
        other => panic!("an answer after the hand-in must be refused, got {other:?}"),
    }
    // A resend of an answer stored before the end still counts, as a duplicate.
    let resend =
        AnswerEvent { paper_id: paper.paper_id, client_seq: 1, question_no: no, response: r#"{"kind":"true_false","value":true}"#.into(), received_at_ms: now };
    assert_eq!(app.state.answers.write(resend).await.expect("duplicate"), Ack::Duplicate);
    assert_eq!(exams::answer_count(app.db(), paper.paper_id).await.expect("count"), 1);
    let (status, body) = answer(&c, 3, no, false).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::CONFLICT, Some("paper_ended")));
}

async fn answers_racing_a_hand_in_are_counted_exactly_when_acknowledged(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let (c, paper) = started(&app, 1).await;
    let no = true_false(&paper);
    let sends: Vec<_> = (1..=60)
        .map(|seq| {
            let c = c.clone();
            tokio::spawn(async move { (seq, answer(&c, seq, no, seq % 2 == 0).await.0) })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let handed = c.request(Method::POST, "/api/v1/exam/hand-in").send().await.expect("hand in").status();
    assert_eq!(handed, StatusCode::OK);
    let mut acked = Vec::new();
    for s in sends {
        let (seq, status) = s.await.expect("task");
        match status {
            StatusCode::OK => acked.push(seq),
            StatusCode::CONFLICT => {}
            other => panic!("answer {seq}: {other}"),
        }
    }
    acked.sort_unstable();
    let mut conn = app.db().reader().acquire().await.expect("conn");
    let mut stored: Vec<i64> =
        sqlx::query_scalar("SELECT client_seq FROM answer_events WHERE paper_id = $1").bind(paper.paper_id).fetch_all(&mut *conn).await.expect("stored");
    stored.sort_unstable();
    assert_eq!(acked, stored, "acknowledged is exactly what is kept");
    // After the end, the paper's copy shows exactly those answers as current.
    let copy: CandidatePaper = c.request(Method::GET, "/api/v1/exam/paper").send().await.expect("paper").json().await.expect("json");
    assert_eq!(copy.last_seq, stored.last().copied().unwrap_or(0));
}

async fn the_socket_ends_with_the_paper(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let (c, paper) = started(&app, 0).await;
    let token = c.token().expect("token").to_string();
    let mut ws = ExamSocket::connect(&app.base, &token).await.expect("connect");
    assert!(matches!(ws.recv().await.expect("clock"), ServerMessage::Time { .. }));
    assert_eq!(c.request(Method::POST, "/api/v1/exam/hand-in").send().await.expect("hand in").status(), StatusCode::OK);
    let no = true_false(&paper);
    let _ = ws.send(&ClientMessage::Answer { seq: 9, no, response: Response::TrueFalse(true) }).await;
    let mut ended = false;
    loop {
        match ws.recv().await {
            Ok(ServerMessage::Ended { .. }) => ended = true,
            Ok(ServerMessage::Ack { seq, .. }) => {
                panic!("answer {seq} acknowledged after the hand-in")
            }
            Ok(ServerMessage::Refused { error, retry, .. }) => {
                assert!(error == "paper_ended" && !retry, "{error}")
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert!(ended, "the socket closes with the ended message");
    // A socket opened after the end hears that it ended, and closes.
    let mut again = ExamSocket::connect(&app.base, &token).await.expect("connect after the end");
    assert!(matches!(again.recv().await.expect("ended"), ServerMessage::Ended { .. }));
    assert!(again.recv().await.is_err(), "and nothing more: no media, no answers");
    // Papers are never kept by a browser or a proxy; static files may be.
    let r = c.request(Method::GET, "/api/v1/exam/paper").send().await.expect("paper");
    assert_eq!(r.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let page = reqwest::get(format!("{}/exam", app.base)).await.expect("page");
    assert_eq!(page.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let js = reqwest::get(format!("{}/static/exam.js", app.base)).await.expect("js");
    assert_ne!(js.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
}

async fn a_signed_out_sign_in_closes_its_socket(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let (c, paper) = started(&app, 2).await;
    let token = c.token().expect("token").to_string();
    let mut ws = ExamSocket::connect(&app.base, &token).await.expect("connect");
    assert!(matches!(ws.recv().await.expect("clock"), ServerMessage::Time { .. }));
    assert_eq!(c.request(Method::POST, "/api/v1/auth/logout").send().await.expect("logout").status(), StatusCode::NO_CONTENT);
    let mut told = false;
    loop {
        match ws.recv().await {
            Ok(ServerMessage::Refused { error, .. }) if error == "signed_out" => told = true,
            Ok(ServerMessage::Ack { seq, .. }) => {
                panic!("answer {seq} acknowledged after sign-out")
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert!(told, "the page is told why");
    let (status, _) = answer(&c, 1, true_false(&paper), true).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(exams::answer_count(app.db(), paper.paper_id).await.expect("count"), 0);
}

async fn what_a_page_repeats_is_bounded(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let (c, paper) = started(&app, 0).await;
    // Integrity events: a few a minute per candidate, then a clear refusal.
    let mut refused = 0;
    for _ in 0..60 {
        let r = c.request(Method::POST, "/api/v1/exam/events").json(&json!({"kind": "page_hidden"})).send().await.expect("event");
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            let v: Value = r.json().await.expect("json");
            assert_eq!(v["error"], "too_many_events");
            refused += 1;
        }
    }
    assert_eq!(refused, 40, "twenty a minute are stored");
    let me = exams::candidates(app.db(), 1).await.expect("roster").into_iter().find(|x| x.name == exam_application::demo::DEMO_CANDIDATES[0].0).expect("me");
    assert_eq!(exams::integrity_count(app.db(), me.id).await.expect("count"), 20);
    // The commitment is recorded once, however often it is sent.
    for _ in 0..5 {
        c.request(Method::POST, "/api/v1/exam/commitment").send().await.expect("commitment");
    }
    let feed = exams::events_after(app.db(), 1, 0, 500, true).await.expect("feed");
    assert_eq!(feed.iter().filter(|(_, cid, kind, _, _)| *cid == Some(me.id) && kind == "commitment").count(), 1);
    // Answers: the sequence numbers stop at the paper's limit.
    let no = true_false(&paper);
    let (status, body) = answer(&c, 5_001, no, true).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("too_many_answers")));
    let token = c.token().expect("token").to_string();
    let mut ws = ExamSocket::connect(&app.base, &token).await.expect("connect");
    ws.send(&ClientMessage::Answer { seq: 99_999, no, response: Response::TrueFalse(true) }).await.expect("send");
    loop {
        match ws.recv().await.expect("reply") {
            ServerMessage::Refused { seq: Some(99_999), error, retry, .. } => {
                assert_eq!((error.as_str(), retry), ("too_many_answers", false));
                break;
            }
            ServerMessage::Ack { .. } => panic!("stored past the limit"),
            _ => {}
        }
    }
}

async fn option_ids_say_nothing_of_the_bank_order(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let (c, paper) = started(&app, 1).await;
    let row = exams::paper(app.db(), paper.paper_id).await.expect("paper").expect("exists");
    let frozen: Vec<Value> = serde_json::from_str(&row.questions).expect("questions");
    let q = paper.questions.iter().find(|q| q.item.item_type == ItemType::SingleChoice).expect("a single-choice question");
    let ids: Vec<&str> = q.item.choices.iter().map(|ch| ch.id.as_str()).collect();
    let letters: Vec<String> = (0..ids.len()).map(|i| char::from(b'A' + i as u8).to_string()).collect();
    assert_eq!(ids, letters, "options are named by the letter they are shown under");
    let r = c
        .request(Method::POST, "/api/v1/exam/answers")
        .json(&json!({"seq": 1, "no": q.no, "response": {"kind": "choices", "value": ["B"]}}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), StatusCode::OK);
    // Stored under the bank's id of the option shown second; shown back as "B".
    let bank_order = frozen[(q.no - 1) as usize]["choice_order"].as_array().expect("choice order").clone();
    let stored = exams::current_answers(app.db(), paper.paper_id).await.expect("answers");
    let (_, response, _) = stored.iter().find(|(no, _, _)| *no == q.no).expect("stored");
    let v: Value = serde_json::from_str(response).expect("json");
    assert_eq!(v["value"][0], bank_order[1]);
    let copy: CandidatePaper = c.request(Method::GET, "/api/v1/exam/paper").send().await.expect("paper").json().await.expect("json");
    let saved = copy.answers.iter().find(|a| a.no == q.no).expect("saved");
    assert_eq!(saved.response, Response::Choices(vec!["B".into()]));
    // A letter the question does not show is refused.
    let r = c
        .request(Method::POST, "/api/v1/exam/answers")
        .json(&json!({"seq": 2, "no": q.no, "response": {"kind": "choices", "value": ["Z"]}}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

both_backends!(
    the_commit_refuses_answers_to_an_ended_paper,
    answers_racing_a_hand_in_are_counted_exactly_when_acknowledged,
    the_socket_ends_with_the_paper,
    a_signed_out_sign_in_closes_its_socket,
    what_a_page_repeats_is_bounded,
    option_ids_say_nothing_of_the_bank_order,
);
