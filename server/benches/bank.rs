//! Question-bank bench: imports a 20,000-item XLSX workbook and a 20,000-item QTI package
//! (parse + all-or-nothing commit) and searches a 50,000-item bank, on SQLite and, when
//! `BENCH_POSTGRES_URL` is set, PostgreSQL. Prints one JSON object per backend.
//!
//! `cargo bench -p exam-server --bench bank` (add `-- --items 2000` for a quick run).
use std::time::Instant;

use exam_application::banks::import as bank_import;
use exam_protocol::Bank;
use exam_records::audit::Actor;
use exam_records::{Db, banks, items};
use question_bank::import::{Format, Limits};
use question_bank::item::choice_letter;
use question_bank::sanitize::escape;
use question_bank::{Choice, Difficulty, ItemDraft, Key};
use serde_json::json;

const WORDS: &[&str] =
    &["电压", "电流", "电阻", "接地", "绝缘", "变压器", "电动机", "断路器", "漏电保护", "安全距离", "导线", "熔断器", "相序", "功率", "频率"];

fn synthetic(n: usize) -> Vec<ItemDraft> {
    (0..n)
        .map(|i| {
            let w = |k: usize| WORDS[(i * 7 + k * 3) % WORDS.len()];
            let stem = format!("第{i}题：关于{}与{}的说法，下列哪一项正确？（{}）", w(0), w(1), w(2));
            let choices: Vec<Choice> =
                (0..4).map(|c| Choice { id: choice_letter(c), content: escape(&format!("{}的选项{c}说明", w(c + 3))), fixed: false }).collect();
            let key = if i % 5 == 0 { Key::Multiple { choices: vec!["A".into(), "C".into()] } } else { Key::Single { choice: choice_letter(i % 4) } };
            let mut d = ItemDraft::new(format!("{i}"), escape(&stem), choices, key);
            d.difficulty = Difficulty::new(((i % 5) + 1) as u8);
            d.outline_point = Some(format!("B-{}-{:03}", ["A", "B", "C"][i % 3], i % 40));
            d.tags = vec![w(4).to_string()];
            d
        })
        .collect()
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

async fn fresh_bank(db: &Db, name: &str) -> i64 {
    let bank = Bank { id: 0, institution_id: None, occupation_code: "6-31-01-03".into(), work_type: "电工".into(), name: name.into(), levels: vec![4] };
    let mut tx = db.writer().begin().await.expect("tx");
    let id = banks::insert(&mut tx, &bank, 1, 0).await.expect("bank");
    tx.commit().await.expect("commit");
    id
}

async fn import_file(db: &Db, bytes: Vec<u8>, format: Format, name: &str) -> serde_json::Value {
    let bank_id = fresh_bank(db, name).await;
    let started = Instant::now();
    let (format, report, bytes) = bank_import::parse(bytes, Some(format), None, Limits::default()).await.expect("parse");
    let parsed = started.elapsed().as_secs_f64();
    let n = bank_import::commit(db, bank_id, Actor { id: Some(1), role: Some("author") }, format, &report, &bytes).await.expect("commit");
    let total = started.elapsed().as_secs_f64();
    json!({
        "items": n,
        "skipped": report.skipped.len(),
        "parse_s": round(parsed),
        "total_s": round(total),
        "items_per_s": (n as f64 / total).round(),
        "peak_rss_mb": round(peak_rss_mb()),
    })
}

fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

async fn run(url: &str, n: usize, search_n: usize) -> serde_json::Value {
    let db = Db::connect(url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let items = synthetic(n);
    let xlsx = question_bank::export::export(Format::Xlsx, &items).expect("xlsx");
    let qti = question_bank::export::export(Format::QtiPackage, &items).expect("qti");
    let xlsx_result = import_file(&db, xlsx, Format::Xlsx, "bench xlsx").await;
    let qti_result = import_file(&db, qti, Format::QtiPackage, "bench qti").await;

    // A 50,000-item bank, then the searches an author runs.
    let big = synthetic(search_n);
    let bank_id = fresh_bank(&db, "bench search").await;
    let report = question_bank::import::ImportReport { items: big, skipped: vec![] };
    bank_import::commit(&db, bank_id, Actor { id: Some(1), role: Some("author") }, Format::Xlsx, &report, b"bench").await.expect("seed");
    let queries = [
        ("text", items::Search { text: Some("漏电保护".into()), ..Default::default() }),
        ("text_rare", items::Search { text: Some("第49999题".into()), ..Default::default() }),
        ("type_difficulty", items::Search { item_type: Some(question_bank::ItemType::MultipleChoice), difficulty: Some(3), ..Default::default() }),
        ("outline_scope", items::Search { outline: Some("B-A".into()), ..Default::default() }),
        ("tag_and_status", items::Search { tag: Some("电压".into()), status: Some(exam_protocol::ItemStatus::InReview), ..Default::default() }),
    ];
    let mut search = serde_json::Map::new();
    for (name, q) in queries {
        let q = items::Search { limit: 50, ..q };
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..7 {
            let t = Instant::now();
            let (count, _) = items::search(&db, bank_id, &q).await.expect("search");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            total = count;
        }
        times.sort_by(f64::total_cmp);
        search.insert(name.into(), json!({ "matches": total, "median_ms": round(times[3]), "max_ms": round(times[6]) }));
    }
    json!({
        "backend": if url.starts_with("sqlite") { "sqlite" } else { "postgres" },
        "import_xlsx": xlsx_result,
        "import_qti_package": qti_result,
        "search_bank_items": search_n,
        "search": search,
        "peak_rss_mb": round(peak_rss_mb()),
    })
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let n = arg("--items", 20_000);
    let search_n = arg("--search-items", 50_000);
    let dir = tempfile::tempdir().expect("dir");
    let sqlite = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
    println!("{}", run(&sqlite, n, search_n).await);
    if let Ok(pg) = std::env::var("BENCH_POSTGRES_URL") {
        println!("{}", run(&pg, n, search_n).await);
    }
}
