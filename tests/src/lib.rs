//! Shared harness for the end-to-end tests: a server per test on port 0 with its own fresh
//! database (SQLite file or a new PostgreSQL database), typed clients, the built binaries,
//! and a small WebDriver client for headless Chromium.

pub mod binaries;
pub mod moto;
pub mod postgres;
pub mod webdriver;

use std::net::SocketAddr;
use std::sync::Once;

use exam_application::config::Settings;
use exam_application::demo;
use exam_client::Client;
use exam_records::Db;
use exam_web::Server;

/// The two record stores every conformance test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Logs only when asked for: `TEST_LOG=debug cargo test …`.
pub fn init_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if let Ok(filter) = std::env::var("TEST_LOG") {
            let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
        }
    });
}

/// A fresh, migrated database of the given kind, and the URL it was opened with.
#[derive(Debug)]
pub struct TestDb {
    pub db: Db,
    pub url: String,
    pub backend: Backend,
    /// Keeps the SQLite file's directory alive for the test's duration.
    pub dir: tempfile::TempDir,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        init_logs();
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match backend {
            Backend::Sqlite => {
                format!("sqlite://{}?mode=rwc", dir.path().join("exam.db").display())
            }
            Backend::Postgres => postgres::fresh_database().await,
        };
        let db = Db::connect(&url).await.expect("connect to the test database");
        db.migrate().await.expect("migrate the test database");
        TestDb { db, url, backend, dir }
    }
}

/// A running server on 127.0.0.1:0 with its own database.
#[derive(Debug)]
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub store: TestDb,
    /// The running server's state, for driving background work (the deadline sweep) directly.
    pub state: exam_web::http::AppState,
}

/// Settings for tests: the per-account wrong-password limits stay at their defaults, but the
/// per-address and per-name limits are lifted because every test signs in from 127.0.0.1, often
/// as the same account.
pub fn test_settings(store: &TestDb) -> Settings {
    let mut s = Settings {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: store.dir.path().to_path_buf(),
        database_url: store.url.clone(),
        ..Settings::default()
    };
    s.auth.login_attempts_per_minute = 10_000;
    s.auth.account_attempts_per_minute = 10_000;
    s.auth.login_failures_per_minute = 10_000;
    s
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
        let store = TestDb::new(backend).await;
        let mut settings = test_settings(&store);
        tweak(&mut settings);
        let server = Server::bind_with_db(settings, store.db.clone()).await.expect("bind test server");
        let addr = server.local_addr().expect("local addr");
        let state = server.state().clone();
        tokio::spawn(server.run(std::future::pending()));
        TestApp { addr, base: format!("http://{addr}"), store, state }
    }

    /// Spawns and seeds the demo institution and one account per role.
    /// Demo session 1 starts without media here, as most tests script the theory test alone;
    /// the proctoring tests ask for the tracks again.
    pub async fn spawn_demo(backend: Backend) -> TestApp {
        let app = Self::spawn(backend).await;
        demo::seed(&app.store.db).await.expect("seed demo data");
        exam_records::exams::set_required_media(&app.store.db, 1, &[]).await.expect("demo without media");
        app
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// A client signed in as the named demo account.
    pub async fn signed_in(&self, username: &str) -> Client {
        let mut c = self.client();
        c.login(username, demo::DEMO_PASSWORD).await.unwrap_or_else(|e| panic!("sign in as {username}: {e}"));
        c
    }

    pub fn db(&self) -> &Db {
        &self.store.db
    }

    /// A second server process's worth of state on the same database (PostgreSQL), as another
    /// machine behind the load balancer would be: its own caches, answer writer and event bus.
    pub async fn another_process(&self, tweak: impl FnOnce(&mut Settings)) -> (String, exam_web::http::AppState) {
        let db = Db::connect(&self.store.url).await.expect("connect the second process");
        let mut settings = test_settings(&self.store);
        tweak(&mut settings);
        let server = Server::bind_with_db(settings, db).await.expect("bind the second process");
        let addr = server.local_addr().expect("local addr");
        let state = server.state().clone();
        tokio::spawn(server.run(std::future::pending()));
        (format!("http://{addr}"), state)
    }
}

/// The Redis the event-bus tests use: `EXAM_TEST_REDIS_URL`, else the local one (the test
/// command starts it when missing).
pub fn redis_url() -> String {
    std::env::var("EXAM_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_string())
}

/// Polls `f` until it holds; panics naming `what` after 30 s (a bound against hanging, not a
/// timing assertion).
pub async fn eventually(what: &str, mut f: impl AsyncFnMut() -> bool) {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::time::Instant::now() < end {
        if f().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("timed out waiting for {what}");
}

/// A Redis channel of its own for one test's server processes: tests running at the same time
/// share the Redis server, and their databases number candidates alike.
pub fn redis_channel() -> String {
    format!("exam-test:{:016x}", rand::random::<u64>())
}

/// Settings for one of several processes of a deployment on Redis: the local Redis and the
/// test's own channel.
pub fn on_redis(channel: &str) -> impl Fn(&mut Settings) + Clone + '_ {
    move |s: &mut Settings| {
        s.redis_url = redis_url();
        s.redis_channel = channel.to_string();
        s.redis_secret = BUS_SECRET.to_string();
    }
}

/// The bus secret the test deployments share.
pub const BUS_SECRET: &str = "test-bus-secret-0123456789abcdef";

/// Declares an async test once per backend: `both_backends!(name);` turns `async fn name(b: Backend)`
/// into `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name($crate::Backend::Sqlite).await }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name($crate::Backend::Postgres).await }
            )*
        }
    };
}

/// A JSON call as the typed client would make it, for routes it does not wrap: the decoded body
/// on success, else the status and the error body.
pub async fn call<T: serde::de::DeserializeOwned>(
    c: &Client,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> Result<T, (reqwest::StatusCode, serde_json::Value)> {
    let mut rb = c.request(method, path);
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let resp = rb.send().await.expect("send");
    let status = resp.status();
    let text = resp.text().await.expect("body");
    if status.is_success() {
        Ok(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}")))
    } else {
        Err((status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)))
    }
}

/// Signs demo candidate `which` (of `demo::DEMO_CANDIDATES`, on demo session 1) in through the
/// real API at `base`, and returns the session token.
pub async fn candidate_token(base: &str, db: &Db, which: usize) -> String {
    let (name, id) = demo::DEMO_CANDIDATES[which];
    let roster = exam_records::exams::candidates(db, 1).await.expect("demo roster");
    let ticket = roster.into_iter().find(|c| c.name == name).expect("on the demo roster").ticket;
    let resp: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/exam/login"))
        .json(&serde_json::json!({"ticket": ticket, "id_number": id, "password": demo::DEMO_PASSWORD}))
        .send()
        .await
        .expect("candidate sign-in")
        .json()
        .await
        .expect("sign-in body");
    resp["token"].as_str().unwrap_or_else(|| panic!("no token: {resp}")).to_string()
}

/// A checksum-valid resident ID number, different for each `n` (born 1 Jan 1990, Beijing).
pub fn resident_id(n: u32) -> String {
    let first17 = format!("11010519900101{:03}", n % 1000);
    let check = question_bank::identity::resident_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// Creates a session through the API as the demo admin, open from now, on demo bank 1 with the
/// demo proctors; `extra` overrides or adds fields. Returns the created session with its roster.
pub async fn open_session(app: &TestApp, extra: serde_json::Value, candidates: &[(&str, String)]) -> serde_json::Value {
    let admin = app.signed_in("admin").await;
    let proctors: Vec<i64> = admin.users().await.expect("users").into_iter().filter(|u| u.role == exam_protocol::Role::Proctor).map(|u| u.id).collect();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64;
    let mut body = serde_json::json!({
        "bank_id": 1, "level": 4, "batch": "测试批次", "name": "测试场次", "room": "测试考场",
        "starts_at_ms": now - 60_000, "earliest_hand_in_minutes": 0, "proctor_ids": proctors, "required_media": [],
        "candidates": candidates.iter().map(|(name, id)| serde_json::json!({
            "name": name, "id_kind": "resident_id", "id_number": id, "password": demo::DEMO_PASSWORD
        })).collect::<Vec<_>>(),
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    call(&admin, reqwest::Method::POST, "/api/v1/sessions", Some(body)).await.unwrap_or_else(|e| panic!("create session: {e:?}"))
}

/// A candidate's photo as the device check takes it: a 320×240 JPEG made with ffmpeg.
pub fn photo_jpeg(dir: &std::path::Path) -> Vec<u8> {
    let path = dir.join("photo.jpg");
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1"])
        .arg(&path)
        .output()
        .expect("ffmpeg is required (run scripts/test.sh)");
    assert!(out.status.success(), "ffmpeg: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read(&path).expect("photo")
}

/// Sends a candidate's photo (the device check's JPEG) for the identity check; the status.
pub async fn send_photo(candidate: &Client, dir: &std::path::Path) -> reqwest::StatusCode {
    candidate
        .request(reqwest::Method::POST, "/api/v1/exam/photo")
        .header("content-type", "image/jpeg")
        .body(photo_jpeg(dir))
        .send()
        .await
        .expect("photo")
        .status()
}

/// A short test clip made with ffmpeg, as candidates' media: VP8 in IVF (320x240, 15 fps) and
/// Opus in Ogg (one 20 ms packet per page). Returns (video, audio).
pub fn media_clip(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (video, audio) = (dir.join("clip.ivf"), dir.join("clip.ogg"));
    let run = |args: &[&str]| {
        let out = std::process::Command::new("ffmpeg").args(["-v", "error", "-y"]).args(args).output().expect("ffmpeg is required (run scripts/test.sh)");
        assert!(out.status.success(), "ffmpeg {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let v = video.to_string_lossy().to_string();
    let a = audio.to_string_lossy().to_string();
    run(&["-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-t", "4", "-c:v", "libvpx", "-b:v", "200k", "-g", "15", "-deadline", "realtime", &v]);
    run(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000",
        "-t",
        "4",
        "-ac",
        "2",
        "-c:a",
        "libopus",
        "-b:a",
        "32k",
        "-frame_duration",
        "20",
        "-page_duration",
        "20000",
        &a,
    ]);
    (video, audio)
}
