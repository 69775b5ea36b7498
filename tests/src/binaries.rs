//! Paths to the workspace's built binaries (`exam-server`, `exam-client`), built on demand.
use std::path::PathBuf;
use std::sync::Mutex;

static BUILD: Mutex<()> = Mutex::new(());

/// `target/<profile>/`, found from this test executable's own location (`…/deps/<test>`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent().and_then(|deps| deps.parent()).expect("target directory").to_path_buf()
}

/// The path of a workspace binary, building its package first if it is not there yet.
pub fn path(bin: &str, package: &str) -> PathBuf {
    let p = target_dir().join(bin);
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    if !p.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "-p", package, "--bin", bin])
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building {bin} failed");
    }
    p
}

pub fn exam_server() -> PathBuf {
    path("exam-server", "exam-server")
}

pub fn exam_client() -> PathBuf {
    path("exam-client", "exam-client")
}
