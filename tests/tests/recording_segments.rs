//! Recording in segments through the real server binary: a headless candidate streams camera
//! and microphone, the recording is cut every 5 s on a keyframe, the server is SIGKILLed
//! mid-segment and started again. At most about 2 s of the stream is lost, every segment
//! (the recovered one too) plays in ffprobe, and each is an entry of the evidence log, the
//! recovered one marked so.
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use e2e_tests::{Backend, TestDb, binaries, media_clip};
use exam_client::ExamSocket;
use exam_client::media_peer::{Clip, Publisher};
use reqwest::Method;

fn start(t: &TestDb, config: &Path) -> (Child, String) {
    let mut child = Command::new(binaries::exam_server())
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(t.dir.path())
        .arg("--database-url")
        .arg(&t.url)
        .args(["demo", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start exam-server");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    reader.read_line(&mut line).expect("first line");
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).map(|w| w.trim_end_matches('/').to_string()).unwrap_or_else(|| panic!("{line:?}"));
    std::thread::spawn(move || for _ in reader.lines() {});
    (child, url)
}

fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).filter(|p| p.to_string_lossy().ends_with(suffix)).collect()).unwrap_or_default();
    out.sort();
    out
}

/// The last video packet's time in a file, from its packets (a recovered segment has no
/// duration written): how long it plays.
fn plays_for(path: &Path) -> f64 {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe is required");
    assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    let times: Vec<f64> = String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.trim().trim_end_matches(',').parse().ok()).collect();
    assert!(!times.is_empty(), "{} has no video packets", path.display());
    times.iter().cloned().fold(0.0, f64::max) + 1.0 / 15.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_at_most_two_seconds_and_every_segment_plays() {
    let t = TestDb::new(Backend::Sqlite).await;
    let config = t.dir.path().join("config.toml");
    std::fs::write(&config, "[media]\nsegment_secs = 5\nkeyframe_secs = 1\n").expect("config");
    let (mut server, base) = start(&t, &config);
    let clipdir = tempfile::tempdir().expect("tmp");
    let (ivf, ogg) = media_clip(clipdir.path());
    let clip = Arc::new(Clip::load(&ivf, &ogg).expect("clip"));
    let token = e2e_tests::candidate_token(&base, &t.db, 0).await;
    let client = exam_client::Client::new(&base).with_token(&token);
    client.request(Method::POST, "/api/v1/exam/commitment").send().await.expect("commitment");
    let candidate = exam_records::exams::candidates(&t.db, 1).await.expect("roster")[0].id;
    let dir = t.dir.path().join("recordings").join(format!("session-1/candidate-{candidate}"));
    let mut socket = ExamSocket::connect(&base, &token).await.expect("socket");
    let publisher = Publisher::start(&mut socket, clip).await.expect("publish");
    // Until the first file appears, nothing is being recorded yet.
    let began = loop {
        if !files(&dir, ".webm.part").is_empty() {
            break Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // Two segments closed and a third under way, then the plug is pulled mid-segment.
    tokio::time::timeout(Duration::from_secs(60), async {
        while files(&dir, "-camera-00002.webm.part").is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("segments are cut");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    server.kill().expect("SIGKILL");
    let killed = Instant::now();
    server.wait().expect("gone");
    let streamed = killed.duration_since(began).as_secs_f64();
    drop(socket);
    publisher.stop().await;
    assert!(!files(&dir, ".webm.part").is_empty(), "the killed segment is left unfinished");

    // Started again: the unfinished segment is closed, kept and logged as recovered.
    let (mut again, _) = start(&t, &config);
    assert!(files(&dir, ".webm.part").is_empty(), "nothing is left unfinished");
    let camera = files(&dir, ".webm").into_iter().filter(|p| p.to_string_lossy().contains("-camera-")).collect::<Vec<_>>();
    assert!(camera.len() >= 3, "{camera:?}");
    let recorded: f64 = camera.iter().map(|p| plays_for(p)).sum();
    eprintln!("streamed {streamed:.2} s, recorded {recorded:.2} s in {} camera segments", camera.len());
    assert!(recorded >= streamed - 2.0, "at most about 2 s lost: recorded {recorded:.2} s of {streamed:.2} s");
    // Each segment begins on a keyframe, from 0, and plays on its own.
    for p in &camera {
        let out = Command::new("ffprobe")
            .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags", "-read_intervals", "%+#1", "-of", "csv=p=0"])
            .arg(p)
            .output()
            .expect("ffprobe");
        let first = String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or_default().to_string();
        assert!(first.contains('K'), "{} starts on a keyframe: {first}", p.display());
        let pts: f64 = first.split(',').next().and_then(|v| v.trim().parse().ok()).unwrap_or(99.0);
        assert!(pts < 0.5, "{} starts near 0: {first}", p.display());
    }
    // The log holds every segment, the recovered one marked.
    let entries: Vec<(Vec<u8>,)> =
        sqlx::query_as("SELECT data FROM evidence_entries WHERE kind = 'archive_object'").fetch_all(t.db.reader()).await.expect("log");
    let segments: Vec<serde_json::Value> =
        entries.iter().filter_map(|(d,)| serde_json::from_slice::<serde_json::Value>(d).ok()).filter(|v| v["segment"] == true).collect();
    let camera_logged = segments.iter().filter(|v| v["track"] == "camera").count();
    assert_eq!(camera_logged, camera.len(), "{segments:?}");
    assert!(segments.iter().any(|v| v["recovered"] == true), "the recovered segment is logged as such");
    assert!(segments.iter().all(|v| v["sha256"].as_str().is_some_and(|h| h.len() == 64) && v["candidate"] == candidate));
    let _ = again.kill();
    let _ = again.wait();
}
