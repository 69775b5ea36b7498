//! The layering of DESIGN.md holds: `question-bank` and the protocol crate stay pure (no async
//! runtime, web framework, SQL or Redis anywhere in their dependency trees), and no lower
//! crate depends on a higher one.
use std::collections::{HashMap, HashSet};

use serde_json::Value;

fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let out = std::process::Command::new(cargo).args(["metadata", "--format-version", "1", "--manifest-path", manifest]).output().expect("run cargo metadata");
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("metadata json")
}

/// Package name → names of its normal (non-dev, non-build) dependencies, as resolved.
fn graph(meta: &Value) -> HashMap<String, Vec<String>> {
    let names: HashMap<&str, &str> = meta["packages"].as_array().into_iter().flatten().filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?))).collect();
    let mut g = HashMap::new();
    for node in meta["resolve"]["nodes"].as_array().into_iter().flatten() {
        let Some(name) = node["id"].as_str().and_then(|id| names.get(id)) else {
            continue;
        };
        let deps = node["deps"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["dep_kinds"].as_array().into_iter().flatten().any(|k| k["kind"].is_null()))
            .filter_map(|d| d["pkg"].as_str().and_then(|id| names.get(id)).map(|n| n.to_string()))
            .collect();
        g.insert(name.to_string(), deps);
    }
    g
}

fn closure(g: &HashMap<String, Vec<String>>, root: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    let mut stack = vec![root.to_string()];
    while let Some(n) = stack.pop() {
        for d in g.get(&n).into_iter().flatten() {
            if seen.insert(d.clone()) {
                stack.push(d.clone());
            }
        }
    }
    seen
}

const FORBIDDEN_IN_PURE: &[&str] = &["tokio", "async-std", "smol", "axum", "hyper", "sqlx", "sqlx-core", "redis", "reqwest", "webrtc"];

#[test]
fn pure_crates_have_no_runtime_web_sql_or_redis() {
    let g = graph(&metadata());
    for root in ["question-bank", "evidence", "documents", "exam-protocol"] {
        assert!(g.contains_key(root), "{root} is not in the workspace");
        let deps = closure(&g, root);
        let bad: Vec<_> = FORBIDDEN_IN_PURE.iter().filter(|f| deps.contains(**f)).collect();
        assert!(bad.is_empty(), "{root} must stay pure but depends on {bad:?}");
    }
}

#[test]
fn lower_layers_never_depend_on_higher_ones() {
    let g = graph(&metadata());
    // Each crate and the workspace crates it must never reach.
    let rules: &[(&str, &[&str])] = &[
        // The protocol may carry the pure item types of question-bank, nothing higher.
        ("exam-protocol", &["media", "exam-client", "exam-server"]),
        ("question-bank", &["media", "exam-client", "exam-server"]),
        ("documents", &["question-bank", "exam-protocol", "evidence", "media", "exam-client", "exam-records", "exam-application", "exam-web", "exam-server"]),
        // The evidence formats stand alone: a regulator's verifier can take them without the rest.
        ("evidence", &["question-bank", "exam-protocol", "media", "exam-client", "exam-records", "exam-application", "exam-web", "exam-server"]),
        ("media", &["exam-client", "exam-server"]),
        ("exam-client", &["media", "exam-server", "exam-records"]),
        // Records know SQL, and nothing of HTTP, the event bus, media or the use cases.
        (
            "exam-records",
            &["media", "exam-client", "exam-server", "exam-application", "exam-web", "axum", "axum-core", "tower-http", "hyper", "redis", "webrtc"],
        ),
        // The use cases know records, media and the bus, and nothing of HTTP serving. (An HTTP
        // client such as an object store's SDK may bring hyper in; a server framework may not.)
        ("exam-application", &["exam-client", "exam-server", "exam-web", "axum", "axum-core", "tower-http"]),
        // The web layer sits on the application; the binary on both.
        ("exam-web", &["exam-server", "exam-client"]),
    ];
    for (krate, never) in rules {
        let deps = closure(&g, krate);
        for n in *never {
            assert!(!deps.contains(*n), "{krate} depends on {n}, against DESIGN.md's direction");
        }
    }
    // The binary calls the application (and the web crate that serves it), never the records
    // underneath: its own normal dependencies do not name exam-records. (Its benches may.)
    let direct = g.get("exam-server").expect("exam-server in the workspace");
    assert!(!direct.iter().any(|d| d == "exam-records" || d == "sqlx"), "exam-server must reach the records through the application: {direct:?}");
    // Only the server talks to SQL and Redis.
    for krate in ["media", "exam-client"] {
        let deps = closure(&g, krate);
        assert!(!deps.contains("sqlx") && !deps.contains("redis"), "{krate} must not talk to SQL or Redis");
    }
}

/// No source file of the records or application crates names an HTTP server type, even through
/// a crate that is not a dependency today (the test above sees dependencies, this one sees code).
#[test]
fn records_and_application_name_no_http_type() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../server");
    let mut found = Vec::new();
    for krate in ["records", "application"] {
        let mut stack = vec![root.join(krate).join("src")];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).expect("read dir").flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).expect("read");
                    for word in ["axum", "tower_http", "hyper::", "http::StatusCode", "HeaderMap", "IntoResponse"] {
                        if text.contains(word) {
                            found.push(format!("{}: {word}", p.display()));
                        }
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "HTTP in the lower layers: {found:?}");
}

/// Only the records crate writes SQL: no query text in the application, the web layer or the
/// binary (they call the records crate's functions).
#[test]
fn only_the_records_crate_writes_sql() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../server");
    let mut found = Vec::new();
    for dir in ["application/src", "web/src", "src"] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("read dir").flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).expect("read");
                    for word in ["sqlx::query", "query_scalar(", "query_as("] {
                        if text.contains(word) {
                            found.push(format!("{}: {word}", p.display()));
                        }
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "SQL outside the records crate: {found:?}");
}

#[test]
fn the_check_sees_a_forbidden_dependency_when_there_is_one() {
    // Guards the guard: the server does depend on tokio and sqlx, so the walk must find them.
    let g = graph(&metadata());
    let deps = closure(&g, "exam-server");
    assert!(deps.contains("tokio") && deps.contains("sqlx") && deps.contains("exam-protocol") && deps.contains("exam-records"));
    assert!(deps.contains("axum") && deps.contains("hyper") && deps.contains("exam-web"), "the web side is seen");
    let web = closure(&g, "exam-web");
    assert!(web.contains("exam-application") && web.contains("axum"));
}
