//! Paths to the workspace's built binaries (`exam-server`, `exam-client`), built on demand.
use std::path::PathBuf;
use std::sync::Mutex;

static BUILD: Mutex<()> = Mutex::new(());

/// `target/<profile>/`, found from this test executable's own location (`…/deps/<test>`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent().and_then(|deps| deps.parent()).expect("target directory").to_path_buf()
}

/// The path of a workspace binary, built (or brought up to date) once per test process:
/// cargo builds only the test's own package's binaries by itself.
pub fn path(bin: &str, package: &str) -> PathBuf {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let p = target_dir().join(bin);
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !built.iter().any(|b| b == bin) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let profile = if target_dir().ends_with("release") { vec!["--release"] } else { vec![] };
        let status = std::process::Command::new(cargo).args(["build", "-q", "-p", package, "--bin", bin]).args(profile).status().expect("run cargo build");
        assert!(status.success(), "building {bin} failed");
        built.push(bin.to_string());
    }
    p
}

pub fn exam_server() -> PathBuf {
    path("exam-server", "exam-server")
}

pub fn exam_client() -> PathBuf {
    path("exam-client", "exam-client")
}
