//! The archive stores as the server uses them: a version written, read back, and kept. An
//! early delete, a delete under legal hold and a shortened retention are refused on the local
//! store and on S3 with Object Lock (a real endpoint on loopback), whatever the backend itself
//! would allow; the canary reports what it does enforce; a stopped endpoint is an error, not a
//! loss.
use media::archive::{Archive, ArchiveError, LocalStore, Lock, S3Mode, S3Settings, S3Store};

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64
}

const YEAR_MS: i64 = 366 * 86_400_000;

/// What every store must do, through our own checks.
async fn keeps_what_it_must(archive: &Archive) {
    let now = now_ms();
    let body = b"segment bytes \x00\x01\x02".to_vec();
    let stored =
        archive.put("recordings/s1/c2/camera/000001.webm", body.clone(), Lock { retain_until_ms: now + 5 * YEAR_MS, legal_hold: false }).await.expect("put");
    assert_eq!(stored.size, body.len() as u64);
    assert_eq!(archive.get(&stored.key, &stored.version_id).await.expect("get"), body);
    let lock = archive.lock_of(&stored.key, &stored.version_id).await.expect("lock");
    // The early delete is refused, and the object is still there.
    let refused = archive.delete(&stored.key, &stored.version_id, None, now).await;
    assert!(matches!(refused, Err(ArchiveError::Refused(_))), "{refused:?}");
    assert_eq!(archive.get(&stored.key, &stored.version_id).await.expect("still there"), body);
    // Our records' date counts even where the backend does not keep one (bucket WORM).
    let refused = archive.delete(&stored.key, &stored.version_id, Some(Lock { retain_until_ms: now + YEAR_MS, legal_hold: false }), now).await;
    assert!(matches!(refused, Err(ArchiveError::Refused(_))), "{refused:?}");
    if archive.kind() != "s3_bucket_worm" {
        assert!(lock.retain_until_ms >= now + 5 * YEAR_MS - 1000, "{lock:?}");
        // A shorter retention is refused; a longer one is kept.
        let shorter = archive.extend(&stored.key, &stored.version_id, now + YEAR_MS).await;
        assert!(matches!(shorter, Err(ArchiveError::Refused(_))), "{shorter:?}");
        archive.extend(&stored.key, &stored.version_id, now + 6 * YEAR_MS).await.expect("extend");
        let lock = archive.lock_of(&stored.key, &stored.version_id).await.expect("lock");
        assert!(lock.retain_until_ms >= now + 6 * YEAR_MS - 1000, "{lock:?}");
        // A legal hold blocks a delete even once the date has passed.
        archive.hold(&stored.key, &stored.version_id, true).await.expect("hold");
        let held = archive.delete(&stored.key, &stored.version_id, None, now + 10 * YEAR_MS).await;
        assert!(matches!(held, Err(ArchiveError::Refused(_))), "{held:?}");
        archive.hold(&stored.key, &stored.version_id, false).await.expect("lift");
    }
    // A key that is not a plain relative path is refused before any I/O.
    assert!(matches!(archive.put("../escape", vec![1], Lock { retain_until_ms: now, legal_hold: false }).await, Err(ArchiveError::BadKey(_))));
    // Versions: a second put of the same key is a second version; the first is unchanged.
    let again = archive.put(&stored.key, b"other".to_vec(), Lock { retain_until_ms: now + 5 * YEAR_MS, legal_hold: false }).await.expect("second version");
    assert_ne!(again.version_id, stored.version_id);
    assert_eq!(archive.get(&stored.key, &stored.version_id).await.expect("first version"), body);
}

#[tokio::test]
async fn the_local_store_refuses_early_deletes_and_shortening_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = Archive::Local(LocalStore::new(dir.path()));
    keeps_what_it_must(&archive).await;
    let e = archive.probe(now_ms()).await.expect("probe");
    assert!(e.enforcing(), "the local store enforces its own locks: {e:?}");
    // Past its date and not held, a version may go.
    let past = archive.put("documents/old.pdf", b"old".to_vec(), Lock { retain_until_ms: now_ms() - 1, legal_hold: false }).await.expect("put");
    archive.delete(&past.key, &past.version_id, None, now_ms()).await.expect("deleted after its date");
    assert!(matches!(archive.get(&past.key, &past.version_id).await, Err(ArchiveError::NotFound(_))));
}

fn s3(endpoint: &str, bucket: &str, mode: S3Mode) -> S3Store {
    S3Store::new(&S3Settings {
        endpoint: endpoint.to_string(),
        region: "us-east-1".into(),
        bucket: bucket.into(),
        access_key: "test".into(),
        secret_key: "test".into(),
        mode,
        path_style: true,
    })
}

#[tokio::test]
async fn s3_with_object_lock_refuses_early_deletes_and_shortening_whatever_the_backend_allows() {
    let Some(mut moto) = e2e_tests::moto::Moto::start() else { return };
    let store = s3(&moto.endpoint, "exam-evidence", S3Mode::ObjectLock);
    store.ensure_bucket().await.expect("bucket");
    let archive = Archive::S3(store);
    keeps_what_it_must(&archive).await;
    let e = archive.probe(now_ms()).await.expect("probe");
    eprintln!("moto enforces: {e:?}");
    // An endpoint that is down is reported as unavailable: nothing is taken as stored.
    moto.stop();
    let down = archive.put("recordings/down.webm", vec![1, 2, 3], Lock { retain_until_ms: now_ms() + YEAR_MS, legal_hold: false }).await;
    assert!(matches!(down, Err(ArchiveError::Unavailable(_))), "{down:?}");
}

#[tokio::test]
async fn a_bucket_level_worm_store_is_held_to_our_records() {
    let Some(moto) = e2e_tests::moto::Moto::start() else { return };
    let store = s3(&moto.endpoint, "exam-worm", S3Mode::BucketWorm);
    store.ensure_bucket().await.expect("bucket");
    let archive = Archive::S3(store);
    keeps_what_it_must(&archive).await;
    // moto does not lock a bucket by policy: the canary says so, and a deployment that asks
    // for an enforcing backend would refuse to start on it.
    let e = archive.probe(now_ms()).await.expect("probe");
    assert!(!e.enforcing(), "{e:?}");
}
