//! The store layer behaves the same on SQLite and PostgreSQL: every query, each on a fresh
//! database.
use e2e_tests::{Backend, TestDb, both_backends};
use exam_protocol::{InstitutionKind, Role};
use exam_records::accounts::{self, NewAccountRow};
use exam_records::audit::{self, Actor, Entry};
use exam_records::sessions::{self, Lookup};
use exam_records::{StoreError, institutions};

async fn new_account(t: &TestDb, username: &str, role: Role, inst: Option<i64>) -> i64 {
    let mut conn = t.db.writer().acquire().await.expect("conn");
    accounts::insert(
        &mut conn,
        &NewAccountRow { username, display_name: "测试 用户", role, institution_id: inst, password_hash: "$argon2id$not-a-real-hash", now_ms: 1 },
    )
    .await
    .expect("insert account")
}

async fn migrations_are_applied_once_and_ready(b: Backend) {
    let t = TestDb::new(b).await;
    assert!(t.db.ready().await.expect("ready query"));
    t.db.migrate().await.expect("running migrations again is a no-op");
    assert!(t.db.ready().await.expect("ready query"));
}

async fn accounts_round_trip_and_usernames_are_unique(b: Backend) {
    let t = TestDb::new(b).await;
    let mut conn = t.db.writer().acquire().await.expect("conn");
    let inst = institutions::insert(&mut conn, "Y000051001064", "成都示例技师学院", InstitutionKind::College, 5).await.expect("institution");
    drop(conn);
    let id = new_account(&t, "li.ming", Role::Proctor, Some(inst)).await;
    new_account(&t, "op", Role::Operator, None).await;
    let got = accounts::get(&t.db, id).await.expect("get").expect("exists");
    assert_eq!((got.username.as_str(), got.display_name.as_str(), got.role), ("li.ming", "测试 用户", Role::Proctor));
    assert_eq!(got.institution_id, Some(inst));
    assert_eq!(accounts::list(&t.db, Some(inst)).await.expect("list").len(), 1);
    assert_eq!(accounts::list(&t.db, None).await.expect("list").len(), 2);
    assert!(accounts::get(&t.db, id + 100).await.expect("get").is_none());

    let mut conn = t.db.writer().acquire().await.expect("conn");
    let dup = accounts::insert(
        &mut conn,
        &NewAccountRow { username: "li.ming", display_name: "x", role: Role::Candidate, institution_id: Some(inst), password_hash: "h", now_ms: 2 },
    )
    .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "duplicate username must be a conflict: {dup:?}");
    let dup_inst = institutions::insert(&mut conn, "Y000051001064", "重复", InstitutionKind::College, 6).await;
    assert!(matches!(dup_inst, Err(StoreError::Conflict(_))));
}

async fn failed_logins_slow_down_at_the_threshold_and_clear(b: Backend) {
    let t = TestDb::new(b).await;
    let id = new_account(&t, "op", Role::Operator, None).await;
    let mut conn = t.db.writer().acquire().await.expect("conn");
    // Three free tries at t=100; the third sets the next try at 9,999.
    for expected in 1..=3 {
        let n = accounts::take_attempt(&mut conn, id, 3, 100, 9_999).await.expect("take");
        assert_eq!(n, Some(expected));
    }
    let c = accounts::credentials(&t.db, "op").await.expect("creds").expect("exists");
    assert_eq!((c.failed_logins, c.locked_until_ms), (3, 9_999), "slowed at the threshold");
    assert_eq!(accounts::take_attempt(&mut conn, id, 3, 9_998, 20_000).await.expect("take"), None, "must wait");
    assert_eq!(accounts::take_attempt(&mut conn, id, 3, 9_999, 20_000).await.expect("take"), Some(4), "one try when the wait is over");
    assert_eq!(accounts::take_attempt(&mut conn, id, 3, 10_000, 30_000).await.expect("take"), None, "and then wait again");
    accounts::clear_failed_logins(&mut conn, id).await.expect("clear");
    let c = accounts::credentials(&t.db, "op").await.expect("creds").expect("exists");
    assert_eq!((c.failed_logins, c.locked_until_ms), (0, 0));
}

async fn sessions_expire_and_revoke(b: Backend) {
    let t = TestDb::new(b).await;
    let id = new_account(&t, "op", Role::Operator, None).await;
    let mut conn = t.db.writer().acquire().await.expect("conn");
    sessions::insert(&mut conn, "live", id, 100, 1_000).await.expect("insert");
    sessions::insert(&mut conn, "old", id, 100, 500).await.expect("insert");
    assert!(matches!(sessions::lookup(&t.db, "live", 600).await.expect("lookup"), Lookup::Valid(a) if a.id == id));
    assert!(matches!(sessions::lookup(&t.db, "old", 600).await.expect("lookup"), Lookup::Expired));
    assert!(matches!(sessions::lookup(&t.db, "nope", 600).await.expect("lookup"), Lookup::Unknown));
    assert!(sessions::revoke(&mut conn, "live", 700).await.expect("revoke"));
    assert!(!sessions::revoke(&mut conn, "live", 800).await.expect("revoke twice"), "second revoke changes nothing");
    assert!(matches!(sessions::lookup(&t.db, "live", 750).await.expect("lookup"), Lookup::Unknown));
}

async fn append(t: &TestDb, action: &str, n: i64) -> i64 {
    let mut tx = t.db.writer().begin().await.expect("tx");
    let seq = audit::append(
        &mut tx,
        t.db.backend,
        &Entry {
            actor: Actor { id: Some(n), role: Some("operator") },
            action,
            target: format!("thing:{n}"),
            detail: format!("{{\"n\":{n},\"说明\":\"中文\"}}"),
            at_ms: 1_700_000_000_000 + n,
        },
    )
    .await
    .expect("append");
    tx.commit().await.expect("commit");
    seq
}

async fn audit_chain_verifies_and_catches_an_edit(b: Backend) {
    let t = TestDb::new(b).await;
    assert!(audit::verify(&t.db).await.expect("verify").ok, "an empty trail verifies");
    for n in 1..=5 {
        assert_eq!(append(&t, "thing.create", n).await, n);
    }
    let events = audit::list(&t.db, 0, 100).await.expect("list");
    assert_eq!(events.len(), 5);
    assert_eq!(events[2].detail, "{\"n\":3,\"说明\":\"中文\"}");
    assert_eq!(audit::list(&t.db, 3, 100).await.expect("list").len(), 2);
    let report = audit::verify(&t.db).await.expect("verify");
    assert!(report.ok && report.events_checked == 5, "{report:?}");

    sqlx::query("UPDATE audit_events SET action = 'thing.delete' WHERE seq = 3").execute(t.db.writer()).await.expect("tamper");
    let report = audit::verify(&t.db).await.expect("verify");
    assert!(!report.ok);
    assert_eq!(report.first_broken_seq, Some(3), "{report:?}");
}

async fn audit_chain_catches_a_removed_event(b: Backend) {
    let t = TestDb::new(b).await;
    for n in 1..=4 {
        append(&t, "thing.create", n).await;
    }
    sqlx::query("DELETE FROM audit_events WHERE seq = 2").execute(t.db.writer()).await.expect("tamper");
    let report = audit::verify(&t.db).await.expect("verify");
    assert_eq!((report.ok, report.first_broken_seq), (false, Some(2)), "{report:?}");
}

async fn concurrent_appends_keep_one_chain(b: Backend) {
    let t = TestDb::new(b).await;
    let mut tasks = Vec::new();
    for n in 0..16 {
        let db = t.db.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.writer().begin().await.expect("tx");
            audit::append(&mut tx, db.backend, &Entry { actor: Actor::default(), action: "race", target: format!("n:{n}"), detail: "{}".into(), at_ms: n })
                .await
                .expect("append");
            tx.commit().await.expect("commit");
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let report = audit::verify(&t.db).await.expect("verify");
    assert!(report.ok && report.events_checked == 16, "{report:?}");
}

async fn bulk_item_inserts_keep_their_order(b: Backend) {
    use exam_protocol::{Bank, ItemContent, ItemStatus, ItemType, Key, Points};
    use exam_records::{banks, items};
    let t = TestDb::new(b).await;
    let author = new_account(&t, "author", Role::Author, None).await;
    let mut tx = t.db.writer().begin().await.expect("tx");
    let bank = Bank { id: 0, institution_id: None, occupation_code: "6-31-01-03".into(), work_type: String::new(), name: "批量".into(), levels: vec![4] };
    let bank_id = banks::insert(&mut tx, &bank, author, 1).await.expect("bank");
    let contents: Vec<ItemContent> = (0..450)
        .map(|i| ItemContent {
            code: Some(format!("C-{i:03}")),
            item_type: ItemType::TrueFalse,
            stem: format!("第{i}题"),
            choices: vec![],
            key: Key::TrueFalse { value: i % 2 == 0 },
            points: Points(1000 + i),
            difficulty: None,
            outline_point: None,
            tags: vec!["批量".into()],
            source: None,
        })
        .collect();
    let ids = items::insert_items_bulk(&mut tx, bank_id, ItemStatus::InReview, &contents, author, 2).await.expect("bulk");
    tx.commit().await.expect("commit");
    assert_eq!(ids.len(), 450);
    for (i, (item_id, version_id)) in ids.iter().enumerate().step_by(37) {
        let r = items::current(&t.db, *item_id).await.expect("get").expect("exists");
        assert_eq!((r.version_id, r.content.stem.as_str(), r.content.points), (*version_id, format!("第{i}题").as_str(), Points(1000 + i as u32)));
    }
    let (total, page) = items::search(&t.db, bank_id, &items::Search { text: Some("第44".into()), limit: 50, ..Default::default() }).await.expect("search");
    assert_eq!((total, page.len()), (11, 11), "第44 and 第440–449");
    assert_eq!(page[0].content.stem, "第44题");
}

both_backends!(
    bulk_item_inserts_keep_their_order,
    migrations_are_applied_once_and_ready,
    accounts_round_trip_and_usernames_are_unique,
    failed_logins_slow_down_at_the_threshold_and_clear,
    sessions_expire_and_revoke,
    audit_chain_verifies_and_catches_an_edit,
    audit_chain_catches_a_removed_event,
    concurrent_appends_keep_one_chain,
);
