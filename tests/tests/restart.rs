//! SIGKILL mid-exam: the server process is killed while answers stream in, started again on
//! the same records, and every acknowledged answer is there and every clock is right. On both
//! databases, with the real binary.
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use e2e_tests::{Backend, TestDb, binaries, both_backends};
use exam_client::ExamSocket;
use exam_protocol::{ClientMessage, ExamStatus, Response, ServerMessage};
use exam_records::exams;
use reqwest::Method;
use serde_json::{Value, json};

/// Starts `exam-server <command>` on the test database and returns it with its base URL.
fn start(t: &TestDb, command: &str) -> (Child, String) {
    let mut child = Command::new(binaries::exam_server())
        .arg("--data-dir")
        .arg(t.dir.path())
        .arg("--database-url")
        .arg(&t.url)
        .args([command, "--listen", "127.0.0.1:0"])
        // The theory test is scripted here; no browser streams a camera.
        .args(if command == "demo" { &["--without-media"][..] } else { &[][..] })
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start exam-server");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).expect("first line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .map(|w| w.trim_end_matches('/').to_string())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in reader.lines() {});
    (child, url)
}

async fn killed_mid_exam_loses_no_acknowledged_answer(b: Backend) {
    let t = TestDb::new(b).await;
    let (mut server, base) = start(&t, "demo");
    let token = e2e_tests::candidate_token(&base, &t.db, 0).await;
    let client = exam_client::Client::new(&base).with_token(&token);
    client.request(Method::POST, "/api/v1/exam/commitment").send().await.expect("commitment");
    let paper: exam_protocol::CandidatePaper = client.request(Method::POST, "/api/v1/exam/start").send().await.expect("start").json().await.expect("paper");
    let tf = paper.questions.iter().find(|q| q.item.item_type == exam_protocol::ItemType::TrueFalse).expect("true/false").no;
    let deadline_before = exams::paper(&t.db, paper.paper_id).await.expect("paper").expect("exists").deadline_ms;

    // Stream answers; kill the server while they are in flight.
    let mut ws = ExamSocket::connect(&base, &token).await.expect("socket");
    let mut acked = Vec::new();
    for seq in 1..=400_i64 {
        ws.send(&ClientMessage::Answer { seq, no: tf, response: Response::TrueFalse(seq % 2 == 0) }).await.expect("send");
        if seq == 200 {
            // Collect what has been acknowledged so far, then pull the plug.
            let collect = async {
                while acked.len() < 150 {
                    match ws.recv().await {
                        Ok(ServerMessage::Ack { seq, .. }) => acked.push(seq),
                        Ok(ServerMessage::Refused { seq, error, .. }) => panic!("answer {seq:?} refused: {error}"),
                        Ok(_) => {}
                        Err(e) => panic!("socket ended before 150 acknowledgements: {e:?}"),
                    }
                }
            };
            // A test that can hang cannot fail.
            tokio::time::timeout(std::time::Duration::from_secs(60), collect).await.expect("150 acknowledgements within a minute");
            server.kill().expect("SIGKILL");
            break;
        }
    }
    // Whatever acks were already on the wire count too; the killed server's socket must end.
    let drain = async {
        while let Ok(msg) = ws.recv().await {
            if let ServerMessage::Ack { seq, .. } = msg {
                acked.push(seq);
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), drain).await.expect("the socket of a killed server ends");
    let _ = server.wait();
    assert!(acked.len() >= 150);

    // Started again as it was, as the demo (`serve` refuses a database with the demo accounts).
    let (mut again, base2) = start(&t, "demo");
    let stored: Vec<i64> =
        sqlx::query_scalar("SELECT client_seq FROM answer_events WHERE paper_id = $1").bind(paper.paper_id).fetch_all(t.db.reader()).await.expect("stored");
    let lost: Vec<&i64> = acked.iter().filter(|s| !stored.contains(s)).collect();
    assert!(lost.is_empty(), "acknowledged but lost after SIGKILL: {lost:?}");

    // The same sign-in works against the restarted server; the clock is the stored one.
    let client = exam_client::Client::new(&base2).with_token(&token);
    let status: ExamStatus = client.request(Method::GET, "/api/v1/exam/status").send().await.expect("status").json().await.expect("json");
    let remaining = status.remaining_ms.expect("running");
    let expected = deadline_before - status.server_now_ms;
    assert_eq!(remaining, expected, "the deadline survived the restart");
    let deadline_after = exams::paper(&t.db, paper.paper_id).await.expect("paper").expect("exists").deadline_ms;
    assert_eq!(deadline_after, deadline_before);
    // And answering carries on after the highest stored number.
    let copy: exam_protocol::CandidatePaper = client.request(Method::GET, "/api/v1/exam/paper").send().await.expect("paper").json().await.expect("json");
    let next = copy.last_seq + 1;
    let ack: Value = client
        .request(Method::POST, "/api/v1/exam/answers")
        .json(&json!({"seq": next, "no": tf, "response": {"kind": "true_false", "value": true}}))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(ack["duplicate"], false);
    let _ = again.kill();
    let _ = again.wait();
}

both_backends!(killed_mid_exam_loses_no_acknowledged_answer);
