//! The evidence log over HTTP, as a regulator's tool would read it: a hand-in is an entry of
//! the log; the checkpoint is signed by the published key; the tiles prove the entry's
//! inclusion and the log's growth, to our verifier and to an implementation we did not write.
use e2e_tests::{Backend, TestApp, both_backends, call};
use evidence::checkpoint::Checkpoint;
use evidence::merkle::{leaf_hash, verify_consistency, verify_inclusion};
use evidence::note::NoteVerifier;
use evidence::tiles;
use exam_protocol::{CandidatePaper, ExamStatus};
use reqwest::Method;

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    reqwest::get(format!("{}/evidence/log/{path}", app.base)).await.expect("get")
}

async fn bytes(app: &TestApp, path: &str) -> Vec<u8> {
    let resp = get(app, path).await;
    assert_eq!(resp.status(), reqwest::StatusCode::OK, "{path}");
    resp.bytes().await.expect("body").to_vec()
}

async fn hand_in(app: &TestApp, which: usize) {
    let c = app.client().with_token(&e2e_tests::candidate_token(&app.base, app.db(), which).await);
    call::<ExamStatus>(&c, Method::POST, "/api/v1/exam/commitment", None).await.expect("commitment");
    call::<CandidatePaper>(&c, Method::POST, "/api/v1/exam/start", None).await.expect("start");
    call::<ExamStatus>(&c, Method::POST, "/api/v1/exam/hand-in", None).await.expect("hand in");
}

/// The hash tiles a reader fetches, over HTTP, for the independent implementation.
struct HttpTiles {
    base: String,
    runtime: tokio::runtime::Handle,
}

impl tlog_tiles::TileReader for HttpTiles {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, wanted: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        wanted
            .iter()
            .map(|t| {
                let path = t.path().replacen("tile/8/", "tile/", 1);
                let url = format!("{}/evidence/log/{path}", self.base);
                let body = self
                    .runtime
                    .block_on(async move { reqwest::get(url).await?.error_for_status()?.bytes().await })
                    .map_err(|_| tlog_tiles::Error::InvalidTile)?;
                Ok(body.to_vec())
            })
            .collect()
    }

    fn save_tiles(&self, _: &[tlog_tiles::Tile], _: &[Vec<u8>]) {}
}

async fn a_hand_in_is_proved_in_the_published_log(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    let key = String::from_utf8(bytes(&app, "key").await).expect("utf-8");
    let verifier = NoteVerifier::from_text(key.trim()).expect("the key is in the signed-note form");
    hand_in(&app, 0).await;
    let first_note = String::from_utf8(bytes(&app, "checkpoint").await).expect("utf-8");
    let first = Checkpoint::open(&first_note, &verifier).expect("signed by the published key");
    assert!(first.size >= 1);
    // The entry bundle holds the hand-in (the audit chain's heads may be there too), without a
    // name or an answer in clear.
    let all = |size: u64| format!("tile/entries/000{}", if size == 256 { String::new() } else { format!(".p/{size}") });
    let entries = tiles::unbundle(&bytes(&app, &all(first.size)).await).expect("bundle");
    let hand_ins: Vec<serde_json::Value> =
        entries.iter().map(|e| serde_json::from_slice::<serde_json::Value>(e).expect("json")).filter(|e| e["kind"] == "hand_in").collect();
    assert_eq!(hand_ins.len(), 1);
    assert_eq!(hand_ins[0]["status"], "handed_in");
    assert!(hand_ins[0]["sha256"].as_str().is_some_and(|h| h.len() == 64));
    assert!(entries.iter().all(|e| !String::from_utf8_lossy(e).contains(exam_application::demo::DEMO_CANDIDATES[0].0)), "no name in the public log");

    // Two more hand-ins: the log grows, consistently, and each entry is proved from the tiles.
    hand_in(&app, 1).await;
    hand_in(&app, 2).await;
    let note = String::from_utf8(bytes(&app, "checkpoint").await).expect("utf-8");
    let second = Checkpoint::open(&note, &verifier).expect("signed");
    let n = second.size;
    assert!(n >= first.size + 2 && n < 256, "{n}");
    let level0 = bytes(&app, &format!("tile/0/000.p/{n}")).await;
    assert_eq!(level0.len() as u64, n * 32);
    let leaves: Vec<[u8; 32]> = level0.chunks(32).map(|c| c.try_into().expect("32")).collect();
    let tree = evidence::merkle::Tree::from_leaf_hashes(leaves.iter().copied());
    assert_eq!(tree.root(), second.root, "the tiles make the signed root");
    let bundle = tiles::unbundle(&bytes(&app, &all(n)).await).expect("bundle");
    assert_eq!(bundle.iter().filter(|e| String::from_utf8_lossy(e).contains("\"hand_in\"")).count(), 3);
    for (i, e) in bundle.iter().enumerate() {
        let proof = tree.inclusion_proof(i as u64, n).expect("proof");
        verify_inclusion(&leaf_hash(e), i as u64, n, &proof, &second.root).expect("included");
    }
    verify_consistency(first.size, &first.root, n, &second.root, &tree.consistency_proof(first.size, n).expect("proof")).expect("grown, not rewritten");
    // A tile that does not exist yet is not found, and a malformed path too.
    assert_eq!(get(&app, &format!("tile/0/000.p/{}", n + 1)).await.status(), reqwest::StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "tile/0/000").await.status(), reqwest::StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "tile/0/0").await.status(), reqwest::StatusCode::NOT_FOUND);

    // Someone else's verifier, reading only what we publish.
    let theirs = signed_note::StandardVerifier::new(key.trim()).expect("their key parser");
    let parsed = signed_note::Note::from_bytes(note.as_bytes()).expect("their note parser");
    parsed.verify(&signed_note::VerifierList::new(vec![Box::new(theirs)])).expect("their signature check");
    let cp = tlog_tiles::Checkpoint::from_bytes(parsed.text()).expect("their checkpoint parser");
    let reader = HttpTiles { base: app.base.clone(), runtime: tokio::runtime::Handle::current() };
    let root = *cp.hash();
    let (size, last) = (cp.size(), bundle.len() as u64 - 1);
    assert_eq!(size, n);
    let entry = bundle[last as usize].clone();
    tokio::task::spawn_blocking(move || {
        let hashes = tlog_tiles::TileHashReader::new(size, root, &reader);
        let proof = tlog_tiles::prove_record(size, last, &hashes).expect("their proof from our tiles");
        tlog_tiles::check_record(&proof, size, root, last, tlog_tiles::Hash(leaf_hash(&entry))).expect("they find the entry in the log");
    })
    .await
    .expect("blocking");

    // The log's own files go into the archive under their tlog-tiles paths, once each, and
    // read back from it as the server serves them.
    use exam_application::evidence::log_files;
    let (size, note) = exam_records::evidence::latest_checkpoint(app.db()).await.expect("read").expect("a checkpoint");
    let made = log_files::archive_new(&app.state).await.expect("archived");
    assert!(made >= 3, "the checkpoint, a hash tile and an entry bundle at least: {made}");
    assert_eq!(log_files::archive_new(&app.state).await.expect("again"), 0, "each file once");
    app.state.archive.upload_pending(app.db(), app.state.clock.now_ms()).await;
    let read = async |key: &str| {
        let o = exam_records::archive::of_key(app.db(), key).await.expect("row").unwrap_or_else(|| panic!("{key} is kept"));
        assert_eq!(o.class, "key_document", "kept permanently");
        assert!(o.legal_hold);
        app.state.archive.store.get(&o.object_key, o.version_id.as_deref().expect("archived")).await.expect("read back")
    };
    assert_eq!(read(&format!("evidence-log/checkpoint/{size:020}")).await, note.as_bytes());
    for path in [format!("tile/0/000.p/{size}"), format!("tile/entries/000.p/{size}")] {
        assert_eq!(read(&format!("evidence-log/{path}")).await, bytes(&app, &path).await, "{path}");
    }
}

both_backends!(a_hand_in_is_proved_in_the_published_log);
