//! The archival re-encode: a recording segment of an ended session is also kept as VP9 (audio
//! copied), smaller, playable, logged with the SHA-256 of the original it was made from; the
//! original stays as it was, and playback keeps showing the original.
use std::process::Command;

use e2e_tests::{Backend, TestApp};
use exam_application::archive::reencode;
use exam_application::{Actor, demo};
use exam_records::accounts;
use media::recorder::SegmentInfo;

fn probe(path: &std::path::Path) -> String {
    let out =
        Command::new("ffprobe").args(["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0"]).arg(path).output().expect("ffprobe is required");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_segment_is_kept_as_vp9_beside_its_original() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.archive.reencode = true).await;
    demo::seed(app.db()).await.expect("demo");
    let dir = tempfile::tempdir().expect("tmp");
    let src = dir.path().join("1700000000000-camera-00000.webm");
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=640x480:rate=15", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"])
        .args(["-t", "6", "-c:v", "libvpx", "-b:v", "600k", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus", "-b:a", "32k"])
        .arg(&src)
        .status()
        .expect("ffmpeg is required");
    assert!(made.success());
    let size = std::fs::metadata(&src).expect("made").len();
    let cid = exam_records::exams::candidates(app.db(), 1).await.expect("roster")[0].id;
    let seg = SegmentInfo {
        path: src.clone(),
        index: 0,
        start_unix_ms: 1_700_000_000_000,
        end_unix_ms: 1_700_000_006_000,
        duration_ms: 6000,
        bytes: size,
        recovered: false,
    };
    let original_id = exam_application::evidence::segments::keep(&app.state, cid, "camera", &seg).await.expect("kept");
    let original = exam_records::archive::get(app.db(), original_id).await.expect("row").expect("original");

    // The demo session is still running: nothing is re-encoded yet.
    assert_eq!(reencode::due(&app.state, 4).await.expect("due"), 0);

    let regulator = Actor::new(accounts::credentials(app.db(), "regulator").await.expect("read").expect("demo account").account);
    let session = exam_records::exams::get_session(app.db(), 1).await.expect("session").expect("one");
    let copy_id = reencode::once(&app.state, &original, &session).await.expect("re-encoded");
    let copy = exam_records::archive::get(app.db(), copy_id).await.expect("row").expect("copy");
    assert_eq!(copy.name, format!("{}.vp9", original.name));
    assert_eq!(copy.class, "video");
    eprintln!("original {} bytes, VP9 copy {} bytes", original.size, copy.size);
    assert!(copy.size < original.size, "the copy is smaller: {} of {}", copy.size, original.size);
    assert!(copy.retain_until_ms >= original.retain_until_ms - 86_400_000, "kept as long as the original");
    // It plays: VP9 video and the original's Opus audio.
    let path = dir.path().join("copy.webm");
    let bytes = exam_application::archive::files::download(&app.state, &regulator, copy_id).await.expect("download").1;
    std::fs::write(&path, &bytes).expect("write");
    let codecs = probe(&path);
    assert!(codecs.contains("vp9") && codecs.contains("opus"), "{codecs}");
    // Logged with the original's hash; the original is as it was.
    let entry = exam_records::review::evidence_entry(app.db(), copy.evidence_idx.expect("logged")).await.expect("entry").expect("bytes");
    let entry: serde_json::Value = serde_json::from_slice(&entry).expect("json");
    assert_eq!(entry["derived_from"], original.sha256.as_str());
    assert_eq!(entry["original"], original_id);
    let again = exam_records::archive::get(app.db(), original_id).await.expect("row").expect("original");
    assert_eq!((again.sha256, again.size, again.deleted_at_ms), (original.sha256.clone(), original.size, None));
    // Playback shows the original only.
    let view = exam_application::review::playback::of_candidate(&app.state, &regulator, cid).await.expect("playback");
    assert_eq!(view.segments.iter().map(|s| s.id).collect::<Vec<_>>(), vec![original_id]);
}
