//! The durable answer path on both databases: every acknowledged answer is stored exactly once,
//! resends are acknowledged as duplicates, and the current answer to a question is the one
//! with the highest client sequence number whatever order they arrived in.
use e2e_tests::{Backend, TestDb, both_backends};
use exam_application::exams::answer_writer::{Ack, AnswerEvent, AnswerWriter};
use exam_records::exams::{self, CandidateRow, PaperRow, SessionRow};

/// A session with one candidate and a paper, on the demo institution and bank.
async fn paper(t: &TestDb) -> i64 {
    let inst = exam_application::demo::seed(&t.db).await.expect("seed");
    let candidate = exam_records::accounts::credentials(&t.db, "candidate").await.expect("creds").expect("demo candidate");
    let mut tx = t.db.writer().begin().await.expect("tx");
    let session = SessionRow {
        id: 0,
        institution_id: inst,
        bank_id: 1,
        level: 4,
        batch: "2026-12".into(),
        name: "电工四级理论".into(),
        room: "第一考场".into(),
        starts_at_ms: 0,
        ends_at_ms: 10_000_000,
        duration_secs: 5_400,
        late_entry_secs: 1_800,
        earliest_hand_in_secs: 1_800,
        capacity: 30,
        multiple_partial: false,
        pass_mark: 60,
        device_approval: false,
        marking_threshold_pct: 20,
        required_media: Vec::new(),
        blueprint: "{}".into(),
        cancelled_at_ms: None,
    };
    let session_id = exams::insert_session(&mut tx, &session, 1, 1).await.expect("session");
    let cand = CandidateRow {
        id: 0,
        session_id,
        account_id: candidate.account.id,
        ticket: "2026000001001".into(),
        name: "李明".into(),
        id_kind: "resident_id".into(),
        id_number: "11010519491231002X".into(),
        commitment_at_ms: None,
        signed_in_at_ms: None,
    };
    let sc = exams::insert_candidate(&mut tx, &cand).await.expect("candidate");
    let p = PaperRow {
        id: 0,
        session_candidate_id: sc,
        seed: 42,
        questions: "[]".into(),
        started_at_ms: 1,
        deadline_ms: 5_400_000,
        paused_at_ms: None,
        status: exam_records::exams::PaperStatus::InProgress,
        ended_at_ms: None,
        score: None,
    };
    let id = exams::insert_paper(&mut tx, &p).await.expect("paper");
    tx.commit().await.expect("commit");
    id
}

fn answer(paper_id: i64, seq: i64, question: i64) -> AnswerEvent {
    AnswerEvent {
        paper_id,
        client_seq: seq,
        question_no: question,
        response: format!("{{\"kind\":\"choices\",\"ids\":[\"{}\"]}}", ["A", "B", "C", "D"][(seq % 4) as usize]),
        received_at_ms: seq,
    }
}

async fn concurrent_answers_are_stored_once_each(b: Backend) {
    let t = TestDb::new(b).await;
    let paper_id = paper(&t).await;
    let writer = AnswerWriter::spawn(t.db.clone());
    // 600 answers to 20 questions from 12 tasks at once, each sent twice.
    let mut tasks = Vec::new();
    for task in 0..12_i64 {
        let w = writer.clone();
        tasks.push(tokio::spawn(async move {
            let mut acks = Vec::new();
            for i in 0..50 {
                let seq = task * 50 + i + 1;
                let a = answer(paper_id, seq, seq % 20);
                acks.push(w.write(a.clone()).await.expect("write"));
                acks.push(w.write(a).await.expect("resend"));
            }
            acks
        }));
    }
    let mut stored = 0;
    let mut duplicates = 0;
    for task in tasks {
        for ack in task.await.expect("task") {
            match ack {
                Ack::Stored => stored += 1,
                Ack::Duplicate => duplicates += 1,
            }
        }
    }
    assert_eq!((stored, duplicates), (600, 600));
    assert_eq!(exams::answer_count(&t.db, paper_id).await.expect("count"), 600, "every acknowledged answer is stored once");
    let current = exams::current_answers(&t.db, paper_id).await.expect("current");
    assert_eq!(current.len(), 20);
    for (q, _, seq) in &current {
        // The highest sequence number given to question q.
        let highest = (1..=600).filter(|s| s % 20 == *q).max().unwrap_or(0);
        assert_eq!(*seq, highest, "question {q}");
    }
}

async fn an_older_answer_arriving_late_does_not_win(b: Backend) {
    let t = TestDb::new(b).await;
    let paper_id = paper(&t).await;
    let writer = AnswerWriter::spawn(t.db.clone());
    let newer = AnswerEvent { response: "{\"kind\":\"true_false\",\"value\":true}".into(), ..answer(paper_id, 7, 3) };
    let older = AnswerEvent { response: "{\"kind\":\"true_false\",\"value\":false}".into(), ..answer(paper_id, 5, 3) };
    assert_eq!(writer.write(newer.clone()).await.expect("newer"), Ack::Stored);
    assert_eq!(writer.write(older).await.expect("older"), Ack::Stored, "kept in the log as evidence");
    let current = exams::current_answers(&t.db, paper_id).await.expect("current");
    assert_eq!(current, vec![(3, newer.response.clone(), 7)]);
    // A resend with a different body under a used sequence number changes nothing.
    let forged = AnswerEvent { response: "{\"kind\":\"true_false\",\"value\":false}".into(), ..answer(paper_id, 7, 3) };
    assert_eq!(writer.write(forged).await.expect("replay"), Ack::Duplicate);
    assert_eq!(exams::current_answers(&t.db, paper_id).await.expect("current")[0].1, newer.response);
}

both_backends!(concurrent_answers_are_stored_once_each, an_older_answer_arriving_late_does_not_win);
