//! Every file under `shared/fixtures/formats/` goes through format detection and import:
//! each yields items or skips with reasons, or is refused whole with a reason; nothing panics.
//! A fixture added later is covered without touching this test.
use std::path::{Path, PathBuf};

use question_bank::import::{Limits, import};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/formats")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            // The GIFT parser's own parse trees are oracles, not inputs.
            if p.file_name().is_some_and(|n| n != "expected-json") {
                walk(&p, out);
            }
        } else {
            out.push(p);
        }
    }
}

#[test]
fn every_fixture_is_imported_or_refused_with_a_reason() {
    let mut files = Vec::new();
    walk(&fixtures(), &mut files);
    files.sort();
    assert!(files.len() >= 90, "the fixtures are beside the checkout ({} found)", files.len());
    let (mut with_items, mut refused, mut skipped_only) = (0, 0, 0);
    for path in &files {
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if matches!(name.as_str(), "SOURCES.md" | "SHA256SUMS" | "IMS-LICENSE.txt") {
            continue;
        }
        let bytes = std::fs::read(path).expect("read fixture");
        match import(&bytes, None, Some(&name), &Limits::default()) {
            Ok((_, report)) => {
                for item in &report.items {
                    assert_eq!(item.check(), Ok(()), "{}: {}", path.display(), item.source_ref);
                }
                for s in &report.skipped {
                    assert!(!s.detail.trim().is_empty() && !s.item.trim().is_empty(), "{}: a skip without a reason", path.display());
                }
                if report.items.is_empty() {
                    skipped_only += 1;
                } else {
                    with_items += 1;
                }
            }
            Err(e) => {
                assert!(!e.to_string().trim().is_empty(), "{}", path.display());
                refused += 1;
            }
        }
    }
    // Invalid packages are refused; most files hold something we deliver.
    assert!(with_items >= 50, "{with_items} files gave items");
    assert!(refused >= 3, "{refused} files refused");
    eprintln!("fixtures: {with_items} with items, {skipped_only} only skipped, {refused} refused");
}
