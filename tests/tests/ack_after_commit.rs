//! An acknowledgement never arrives before its answer is committed. The exam socket's loop is
//! driven through channels (no HTTP, no real socket), as axum's testing-websockets example
//! drives a handler, while another connection holds the table the answer writer must write:
//! no acknowledgement comes while the commit is held, and when it comes, the answer is stored.
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use axum::extract::ws::Message;
use e2e_tests::{Backend, TestDb, both_backends, test_settings};
use exam_application::auth::token;
use exam_application::clock::Clock;
use exam_application::demo::{DEMO_CANDIDATES, DEMO_PASSWORD};
use exam_application::exams::candidate;
use exam_application::{Actor, lang::Lang};
use exam_protocol::{CandidateLogin, ClientMessage, ItemType, Response, ServerMessage};
use exam_records::exams;
use exam_web::http::AppState;
use exam_web::http::access::CurrentUser;
use futures_util::{sink, stream};
use sqlx::Connection;
use tokio::sync::mpsc;

/// A connection that keeps the answer writer's commit from finishing until it is dropped.
enum Holder {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

async fn hold_answers(t: &TestDb) -> Holder {
    match t.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&t.url).await.expect("second connection");
            sqlx::query("BEGIN IMMEDIATE").execute(&mut c).await.expect("write lock");
            Holder::Sqlite(c)
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&t.url).await.expect("second connection");
            sqlx::query("BEGIN").execute(&mut c).await.expect("begin");
            sqlx::query("LOCK TABLE answer_events IN EXCLUSIVE MODE").execute(&mut c).await.expect("table lock");
            Holder::Postgres(c)
        }
    }
}

async fn release(h: Holder) {
    match h {
        Holder::Sqlite(mut c) => sqlx::query("ROLLBACK").execute(&mut c).await.map(|_| ()),
        Holder::Postgres(mut c) => sqlx::query("ROLLBACK").execute(&mut c).await.map(|_| ()),
    }
    .expect("released");
}

async fn no_acknowledgement_before_the_commit(b: Backend) {
    let t = TestDb::new(b).await;
    let state = AppState::with_clock(t.db.clone(), test_settings(&t), Clock::system()).expect("state");
    exam_application::demo::seed(&state.db).await.expect("demo");
    exams::set_required_media(&state.db, 1, &[]).await.expect("no media");
    let (name, id) = DEMO_CANDIDATES[0];
    let ticket = exams::candidates(&state.db, 1).await.expect("roster").into_iter().find(|c| c.name == name).expect("on roster").ticket;
    let login = CandidateLogin { ticket, id_number: id.into(), password: DEMO_PASSWORD.into(), device: None };
    let signed = candidate::login(&state, &login, IpAddr::V4(Ipv4Addr::LOCALHOST)).await.expect("sign in");
    let actor = Actor::new(signed.account.clone());
    candidate::accept_commitment(&state, &actor, "127.0.0.1").await.expect("commitment");
    let paper = candidate::start(&state, &actor).await.expect("start");
    let tf = candidate::paper_copy(&state, &actor).await.expect("copy").questions.iter().find(|q| q.item.item_type == ItemType::TrueFalse).expect("tf").no;
    let c = exams::candidate_by_account(&state.db, signed.account.id).await.expect("read").expect("candidate");

    // The socket's two halves are channels the test holds the other ends of.
    let (to_test, mut from_server) = mpsc::unbounded_channel::<Message>();
    let (to_server, inbox) = mpsc::unbounded_channel::<Message>();
    let sink = Box::pin(sink::unfold(to_test, |tx, msg: Message| async move {
        tx.send(msg).map_err(|_| std::io::Error::other("test gone"))?;
        Ok::<_, std::io::Error>(tx)
    }));
    let incoming = Box::pin(stream::unfold(inbox, |mut rx| async move { rx.recv().await.map(|m| (Ok::<_, std::io::Error>(m), rx)) }));
    let user = CurrentUser { actor, token_hash: token::hash(&signed.token) };
    let socket = tokio::spawn(exam_web::http::api::exam_ws::serve(state.clone(), user, c, Some(paper.clone()), Lang::Zh, sink, incoming));

    let next = async |rx: &mut mpsc::UnboundedReceiver<Message>| -> Option<ServerMessage> {
        loop {
            match rx.recv().await? {
                Message::Text(t) => return Some(serde_json::from_str(&t).expect("server message")),
                _ => continue,
            }
        }
    };
    assert!(matches!(next(&mut from_server).await, Some(ServerMessage::Time { .. })), "the clock comes first");

    let held = hold_answers(&t).await;
    let answer = ClientMessage::Answer { seq: 1, no: tf, response: Response::TrueFalse(true) };
    to_server.send(Message::Text(serde_json::to_string(&answer).expect("json").into())).expect("send");
    // While the commit cannot finish, nothing about answer 1 may arrive (the writer waits up to
    // its busy timeout, longer than this).
    let early = tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            match next(&mut from_server).await {
                Some(ServerMessage::Time { .. }) => continue,
                other => return other,
            }
        }
    })
    .await;
    assert!(early.is_err(), "a reply before the commit: {early:?}");
    assert_eq!(exams::answer_count(&state.db, paper.id).await.expect("count"), 0);

    release(held).await;
    let reply = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match next(&mut from_server).await {
                Some(ServerMessage::Time { .. }) => continue,
                other => return other,
            }
        }
    })
    .await
    .expect("a reply once the commit can finish");
    assert_eq!(reply, Some(ServerMessage::Ack { seq: 1, duplicate: false }));
    assert_eq!(exams::answer_count(&state.db, paper.id).await.expect("count"), 1, "acknowledged means stored");
    drop(to_server);
    tokio::time::timeout(Duration::from_secs(10), socket).await.expect("the loop ends with its stream").expect("no panic");
}

both_backends!(no_acknowledgement_before_the_commit);
