//! Every error code the server can send has a message of its own, in Chinese and English: no
//! client ever reads "internal error" for a refusal we meant. The codes are collected from the
//! source, where they are written: `ApiError::Validation("…")` and its kin, `code: "…"`, the
//! socket's `refused(…, "…", …)`, and every `fn code(&self)` of the crates the server uses.
use std::collections::BTreeSet;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The snake_case literal starting right after `at` in `line`, if any.
fn literal_at(line: &str, at: usize) -> Option<String> {
    let rest = line.get(at..)?.strip_prefix('"')?;
    let end = rest.find('"')?;
    let lit = &rest[..end];
    (!lit.is_empty() && lit.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')).then(|| lit.to_string())
}

fn codes_in(text: &str) -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        for marker in ["Validation(", "Conflict(", "Refused(", "TooMany(", "code: ", "Detailed { code: "] {
            let mut from = 0;
            while let Some(p) = line[from..].find(marker) {
                let at = from + p + marker.len();
                if let Some(c) = literal_at(line, at) {
                    codes.insert(c);
                }
                from = at;
            }
        }
        if let Some(p) = line.find("refused(") {
            for (q, _) in line[p..].match_indices(", \"") {
                if let Some(c) = literal_at(line, p + q + 2) {
                    codes.insert(c);
                }
            }
        }
        if line.contains("fn code(&self) -> &'static str") {
            for body in lines.iter().skip(i + 1).take(40) {
                if body.trim() == "}" && body.starts_with("    }") {
                    break;
                }
                if let Some(p) = body.find("=> \"")
                    && let Some(c) = literal_at(body, p + 3)
                {
                    codes.insert(c);
                }
            }
        }
    }
    codes
}

#[test]
fn every_error_code_has_a_message() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["server", "question-bank/src", "media/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut codes = BTreeSet::new();
    for f in &files {
        codes.extend(codes_in(&std::fs::read_to_string(f).expect("read")));
    }
    assert!(codes.len() > 80, "the scan finds the codes: {codes:?}");
    // Codes that are not errors a client reads.
    let not_errors = ["theory", "handed_in", "terminated", "in_progress"];
    let missing: Vec<&String> = codes.iter().filter(|c| !not_errors.contains(&c.as_str())).filter(|c| exam_web::http::messages::known(c).is_none()).collect();
    assert!(missing.is_empty(), "codes without a message: {missing:?}");
}
