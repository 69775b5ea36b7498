//! The binaries as an operator uses them: `exam-server migrate | user add | audit verify |
//! serve` and `exam-client login`, on both databases.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use e2e_tests::{Backend, TestDb, binaries, both_backends};
use serde_json::Value;

fn server(t: &TestDb) -> Command {
    let mut c = Command::new(binaries::exam_server());
    c.arg("--data-dir").arg(t.dir.path()).arg("--database-url").arg(&t.url);
    c.env_remove("EXAM_PASSWORD").env("RUST_LOG", "warn");
    c
}

fn add_user(t: &TestDb, role: &str, username: &str, institution: Option<i64>) -> std::process::Output {
    let mut c = server(t);
    c.args(["user", "add", "--role", role, "--username", username, "--display-name", "命令行用户"]);
    if let Some(i) = institution {
        c.args(["--institution", &i.to_string()]);
    }
    c.env("EXAM_PASSWORD", "cli-password-1").output().expect("run exam-server user add")
}

async fn audit_verify_names_the_first_broken_link(b: Backend) {
    let t = TestDb::new(b).await;
    let out = server(&t).arg("migrate").output().expect("migrate");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for name in ["ops.one", "ops.two", "ops.three"] {
        let out = add_user(&t, "operator", name, None);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let account: Value = serde_json::from_slice(&out.stdout).expect("account json");
        assert_eq!((account["username"].as_str(), account["role"].as_str()), (Some(name), Some("operator")));
    }
    let out = server(&t).args(["audit", "verify"]).output().expect("verify");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("report");
    assert_eq!((report["ok"].as_bool(), report["events_checked"].as_i64()), (Some(true), Some(3)));

    // Someone with database access rewrites who the second account was made for.
    sqlx::query("UPDATE audit_events SET target = 'account:999' WHERE seq = 2").execute(t.db.writer()).await.expect("tamper");
    let out = server(&t).args(["audit", "verify"]).output().expect("verify");
    assert_eq!(out.status.code(), Some(1), "a broken chain exits 1");
    let report: Value = serde_json::from_slice(&out.stdout).expect("report");
    assert_eq!(report["first_broken_seq"].as_i64(), Some(2), "{report}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken at event 2"));
}

async fn user_add_refuses_bad_input_with_a_reason(b: Backend) {
    let t = TestDb::new(b).await;
    let out = add_user(&t, "wizard", "x.y", None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role wizard"));
    let out = add_user(&t, "proctor", "no.institution", None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("institution_required"));
    let out = add_user(&t, "proctor", "ghost.institution", Some(4242));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such institution"));
    assert!(add_user(&t, "regulator", "reg", None).status.success());
    let out = add_user(&t, "regulator", "reg", None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("username taken"));
}

async fn serve_then_client_login(b: Backend) {
    let t = TestDb::new(b).await;
    assert!(add_user(&t, "supervisor", "du.dao", None).status.success());
    let mut child = server(&t).args(["serve", "--listen", "127.0.0.1:0"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("serve");
    let stdout = child.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("join")
    .expect("read first line");
    let url = line.trim().rsplit(' ').next().unwrap_or_default().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "serve prints its address: {line}");

    let ok = Command::new(binaries::exam_client())
        .args(["login", "--server", &url, "--user", "du.dao"])
        .env("EXAM_PASSWORD", "cli-password-1")
        .output()
        .expect("exam-client login");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let account: Value = serde_json::from_slice(&ok.stdout).expect("account json");
    assert_eq!((account["username"].as_str(), account["role"].as_str()), (Some("du.dao"), Some("supervisor")));

    let bad = Command::new(binaries::exam_client())
        .args(["login", "--server", &url, "--user", "du.dao"])
        .env("EXAM_PASSWORD", "wrong-password")
        .output()
        .expect("exam-client login");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid_credentials"));
    let _ = child.kill();
    let _ = child.wait();
}

async fn serve_refuses_a_database_with_the_demo_accounts(b: Backend) {
    let t = TestDb::new(b).await;
    exam_application::demo::seed(&t.db).await.expect("seed as `demo` would");
    let refused = server(&t).args(["serve", "--listen", "127.0.0.1:0"]).output().expect("serve");
    assert_eq!(refused.status.code(), Some(2), "the published password must not go live");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--disable-demo-accounts"));
    let mut child =
        server(&t).args(["serve", "--listen", "127.0.0.1:0", "--disable-demo-accounts"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("serve");
    let stdout = child.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("join")
    .expect("read first line");
    let url = line.trim().rsplit(' ').next().unwrap_or_default().to_string();
    let mut c = exam_client::Client::new(&url);
    let e = c.login("operator", exam_application::demo::DEMO_PASSWORD).await.expect_err("disabled");
    assert_eq!(e.code(), Some("invalid_credentials"));
    let _ = child.kill();
    let _ = child.wait();
}

fn fixture(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/formats").join(rel)
}

async fn bank_import_reports_and_refuses(b: Backend) {
    let t = TestDb::new(b).await;
    // Anyone can check a file: no bank, no database needed beyond the config.
    let out = server(&t).args(["bank", "import", "--dry-run"]).arg(fixture("aiken/qas-aiken_1.txt")).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("report json");
    assert_eq!((report["format"].as_str(), report["imported"].as_u64()), (Some("aiken"), Some(5)), "{report}");
    assert!(report["skipped"].as_array().is_some());

    // A file refused as a whole exits non-zero with the reason.
    let out = server(&t).args(["bank", "import", "--dry-run"]).arg(fixture("qti-packages/invalid-MissingManifest.zip")).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&out.stdout).expect("error json");
    assert_eq!(err["error"].as_str(), Some("malformed_file"), "{err}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("imsmanifest"), "{}", String::from_utf8_lossy(&out.stderr));

    // Into a bank: needs an author who is a member; the items then await review.
    exam_application::demo::seed(&t.db).await.expect("seed");
    let out = server(&t).args(["bank", "import", "--bank", "1"]).arg(fixture("gift/qas-true_false.gift")).output().expect("run");
    assert!(!out.status.success(), "no --author");
    let out = server(&t).args(["bank", "import", "--bank", "1", "--author", "reviewer"]).arg(fixture("gift/qas-true_false.gift")).output().expect("run");
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("not an author"));
    let out = server(&t)
        .args(["bank", "import", "--bank", "1", "--author", "author", "--lang", "en", "--format", "gift"])
        .arg(fixture("gift/qas-true_false.gift"))
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("report json");
    assert_eq!((report["imported"].as_u64(), report["dry_run"].as_bool()), (Some(4), Some(false)), "{report}");
    let (total, _) = exam_records::items::search(
        &t.db,
        1,
        &exam_records::items::Search {
            status: Some(exam_protocol::ItemStatus::InReview),
            item_type: Some(exam_protocol::ItemType::TrueFalse),
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .expect("search");
    assert_eq!(total, 4);
}

/// A rule out of range in the configuration stops every command at start, naming the setting;
/// a rule in range is the one sessions are checked against.
#[test]
fn a_rule_out_of_range_stops_the_server_with_its_name() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("exam.toml");
    std::fs::write(&config, "[rules]\npass_mark = 150\n").expect("write config");
    let out = Command::new(binaries::exam_server()).arg("--config").arg(&config).arg("--data-dir").arg(dir.path()).arg("migrate").output().expect("run");
    assert!(!out.status.success(), "started with pass_mark 150");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rules.pass_mark must be 0..=100"), "{err}");
    std::fs::write(&config, "[rules]\nmin_proctors = 3\n").expect("write config");
    let out = Command::new(binaries::exam_server()).arg("--config").arg(&config).arg("--data-dir").arg(dir.path()).arg("migrate").output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

both_backends!(
    audit_verify_names_the_first_broken_link,
    user_add_refuses_bad_input_with_a_reason,
    serve_then_client_login,
    serve_refuses_a_database_with_the_demo_accounts,
    bank_import_reports_and_refuses,
);
