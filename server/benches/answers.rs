//! The durable answer path alone, without sockets: N started papers (seeded as the load bench
//! seeds them), each giving an answer every EVERY seconds through the answer writer for S
//! seconds, while paper clocks are read beside it as the server reads them (READS a second: a
//! clock cached for 30-60 s at 19,900 candidates is about 500 reads a second) and the deadline
//! sweep runs every 2 s. Prints one JSON object per backend: answers acknowledged per second,
//! the acknowledgement latency (enqueue to durable) and, on SQLite, the largest the write-ahead
//! log grew. SQLite always; PostgreSQL when `BENCH_POSTGRES_URL` is set (a fresh database).
//!
//! `cargo bench -p exam-server --bench answers -- --papers 19900 --seconds 60 --every 1.99 --reads 500`
use std::time::{Duration, Instant};

use exam_application::exams::answer_writer::{AnswerEvent, AnswerWriter};
use exam_records::Db;
use exam_records::exams::{self, PaperRow};
use serde_json::json;

struct Options {
    papers: usize,
    seconds: f64,
    every: f64,
    reads: f64,
}

fn options() -> Options {
    let mut o = Options { papers: 19_900, seconds: 60.0, every: 1.99, reads: 500.0 };
    let args: Vec<String> = std::env::args().collect();
    for w in args.windows(2) {
        match w[0].as_str() {
            "--papers" => o.papers = w[1].parse().unwrap_or(o.papers),
            "--seconds" => o.seconds = w[1].parse().unwrap_or(o.seconds),
            "--every" => o.every = w[1].parse().unwrap_or(o.every),
            "--reads" => o.reads = w[1].parse().unwrap_or(o.reads),
            _ => {}
        }
    }
    o
}

async fn seed(db: &Db, n: usize, dir: &std::path::Path) -> anyhow::Result<Vec<i64>> {
    db.migrate().await?;
    let inst = exam_application::demo::seed(db).await?;
    exam_application::demo::bench::seed(db, inst, n, dir).await?;
    let candidates: Vec<i64> = sqlx::query_scalar("SELECT id FROM session_candidates ORDER BY id").fetch_all(db.reader()).await?;
    let now = exam_application::clock::now_ms();
    let mut tx = db.writer().begin().await?;
    let mut papers = Vec::with_capacity(n);
    for sc in candidates.into_iter().rev().take(n) {
        let p = PaperRow {
            id: 0,
            session_candidate_id: sc,
            seed: 1,
            questions: "[]".into(),
            started_at_ms: now,
            deadline_ms: now + 5_400_000,
            paused_at_ms: None,
            status: exam_records::exams::PaperStatus::InProgress,
            ended_at_ms: None,
            score: None,
        };
        papers.push(exams::insert_paper(&mut tx, &p).await?);
    }
    tx.commit().await?;
    Ok(papers)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    let i = ((sorted.len().max(1) - 1) as f64 * p).round() as usize;
    sorted.get(i).map(|us| (*us as f64 / 10.0).round() / 100.0).unwrap_or(0.0)
}

/// Reads clocks of papers in turn, `per_s` a second, each read in a task of its own as the
/// server's sockets do; the deadline sweep's query every 2 s. Runs until `until`.
fn readers(db: Db, papers: Vec<i64>, per_s: f64, until: Instant) -> tokio::task::JoinHandle<u64> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / per_s.max(0.1)));
        let mut sweep = tokio::time::interval(Duration::from_secs(2));
        let mut reads = 0u64;
        while Instant::now() < until {
            tokio::select! {
                _ = tick.tick() => {
                    let (db, id) = (db.clone(), papers[reads as usize % papers.len().max(1)]);
                    tokio::spawn(async move { let _ = exams::paper_clock(&db, id).await; });
                    reads += 1;
                }
                _ = sweep.tick() => { let _ = exams::overdue_papers(&db, exam_application::clock::now_ms()).await; }
            }
        }
        reads
    })
}

/// Samples the write-ahead log's size until `until`; the largest, in MB.
fn wal_watch(wal: Option<std::path::PathBuf>, until: Instant) -> tokio::task::JoinHandle<f64> {
    tokio::spawn(async move {
        let mut largest = 0u64;
        while let Some(w) = &wal
            && Instant::now() < until
        {
            largest = largest.max(std::fs::metadata(w).map(|m| m.len()).unwrap_or(0));
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        (largest as f64 / 1e5).round() / 10.0
    })
}

async fn run(backend: &str, db: Db, wal: Option<std::path::PathBuf>, o: &Options) -> anyhow::Result<serde_json::Value> {
    let dir = tempfile::tempdir()?;
    let papers = seed(&db, o.papers, dir.path()).await?;
    let writer = AnswerWriter::spawn(db.clone());
    let every = Duration::from_secs_f64(o.every);
    let until = Instant::now() + Duration::from_secs_f64(o.seconds);
    let reading = readers(db.clone(), papers.clone(), o.reads, until);
    let wal_mb = wal_watch(wal, until);
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for (i, paper_id) in papers.into_iter().enumerate() {
        let writer = writer.clone();
        let offset = every.mul_f64((i % 1000) as f64 / 1000.0);
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + offset, every);
            let mut latencies = Vec::new();
            let mut seq = 0;
            while Instant::now() < until {
                tick.tick().await;
                seq += 1;
                let event = AnswerEvent {
                    paper_id,
                    client_seq: seq,
                    question_no: 1 + seq % 7,
                    response: json!({"kind": "choices", "value": ["A"]}).to_string(),
                    received_at_ms: exam_application::clock::now_ms(),
                };
                let at = Instant::now();
                if writer.write(event).await.is_ok() {
                    latencies.push(at.elapsed().as_micros() as u64);
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await?);
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let (reads, wal_mb) = (reading.await?, wal_mb.await?);
    let (commits, answers) = writer.counts();
    all.sort_unstable();
    Ok(json!({
        "backend": backend,
        "papers": o.papers,
        "answers_acked": all.len(),
        "answers_per_s": (all.len() as f64 / elapsed * 10.0).round() / 10.0,
        "p50_ms": percentile(&all, 0.50),
        "p95_ms": percentile(&all, 0.95),
        "p99_ms": percentile(&all, 0.99),
        "max_ms": percentile(&all, 1.0),
        "commits": commits,
        "answers_per_commit": (answers as f64 / commits.max(1) as f64 * 10.0).round() / 10.0,
        "clock_reads": reads,
        "largest_wal_mb": wal_mb,
    }))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let o = options();
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    println!("{}", run("sqlite", Db::connect(&url).await?, Some(dir.path().join("bench.db-wal")), &o).await?);
    if let Ok(admin) = std::env::var("BENCH_POSTGRES_URL") {
        let name = format!("bench_answers_{}", std::process::id());
        let admin_db = Db::connect(&admin).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(admin_db.writer()).await?;
        let url = format!("{}/{name}", admin.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin));
        let result = run("postgres", Db::connect(&url).await?, None, &o).await;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)"))).execute(admin_db.writer()).await?;
        println!("{}", result?);
    }
    Ok(())
}
