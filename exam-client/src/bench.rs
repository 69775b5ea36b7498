//! `exam-client bench exam`: N candidates sign in for real, start, keep a WebSocket each, answer
//! at a steady rate, hand in, and the final papers are checked against every acknowledgement.
//! One JSON object of figures is printed.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use exam_protocol::{CandidatePaper, ClientMessage, ItemType, Response, ServerMessage};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub server: String,
    pub candidates: usize,
    pub seconds: u64,
    pub answer_every: f64,
    pub roster: std::path::PathBuf,
    pub server_pid: Option<u32>,
    pub concurrency: usize,
}

#[derive(Debug, Deserialize)]
struct Roster {
    password: String,
    candidates: Vec<RosterEntry>,
}

#[derive(Debug, Deserialize)]
struct RosterEntry {
    ticket: String,
    id_number: String,
}

struct Candidate {
    token: String,
    paper: CandidatePaper,
}

#[derive(Default)]
struct Tally {
    lag_us: Vec<u64>,
    latencies_us: Vec<u64>,
    sent: u64,
    acked: u64,
    errors: u64,
    /// Per candidate, in roster order: question → highest acknowledged sequence number.
    acked_max: Vec<HashMap<i64, i64>>,
}

/// What one connection measured.
#[derive(Default)]
struct OneCandidate {
    lag_us: Vec<u64>,
    latencies_us: Vec<u64>,
    sent: u64,
    acked: u64,
    refused: u64,
    acked_max: HashMap<i64, i64>,
}

impl Tally {
    fn merge(&mut self, one: OneCandidate) {
        self.latencies_us.extend(one.latencies_us);
        self.lag_us.extend(one.lag_us);
        self.sent += one.sent;
        self.acked += one.acked;
        self.errors += one.refused;
        self.acked_max.push(one.acked_max);
    }
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Answers every `every` from `first` until `until`, then waits (at most 10 s) for the last
/// acknowledgements. How late each answer left against its schedule is kept too: the bench's
/// own lag, which the acknowledgement latency includes.
async fn answer_loop(
    mut socket: Socket,
    questions: &[exam_protocol::PaperQuestionView],
    first_seq: i64,
    first: Instant,
    every: Duration,
    until: Instant,
) -> anyhow::Result<OneCandidate> {
    let mut one = OneCandidate::default();
    let mut in_flight: HashMap<i64, (Instant, i64)> = HashMap::new();
    let mut seq = first_seq;
    let mut tick = tokio::time::interval_at(tokio::time::Instant::from_std(first), every);
    let drain_until = tokio::time::Instant::from_std(until + Duration::from_secs(10));
    loop {
        let sending = Instant::now() < until;
        if !sending && in_flight.is_empty() {
            break;
        }
        tokio::select! {
            scheduled = tick.tick(), if sending => {
                one.lag_us.push(scheduled.elapsed().as_micros() as u64);
                seq += 1;
                let q = &questions[(seq as usize) % questions.len().max(1)];
                let msg = ClientMessage::Answer { seq, no: q.no, response: answer_for(q, seq) };
                let text = serde_json::to_string(&msg)?;
                in_flight.insert(seq, (Instant::now(), q.no));
                socket.send(Message::Text(text.into())).await?;
                one.sent += 1;
            }
            incoming = socket.next() => {
                let Some(Ok(Message::Text(t))) = incoming else { break };
                match serde_json::from_str::<ServerMessage>(&t) {
                    Ok(ServerMessage::Ack { seq, .. }) => {
                        if let Some((at, no)) = in_flight.remove(&seq) {
                            one.latencies_us.push(at.elapsed().as_micros() as u64);
                            one.acked += 1;
                            let m = one.acked_max.entry(no).or_insert(0);
                            *m = (*m).max(seq);
                        }
                    }
                    Ok(ServerMessage::Refused { seq, .. }) => {
                        if let Some(seq) = seq {
                            in_flight.remove(&seq);
                        }
                        one.refused += 1;
                    }
                    _ => {}
                }
            }
            _ = tokio::time::sleep_until(drain_until), if !sending => break,
        }
    }
    let _ = socket.close(None).await;
    Ok(one)
}

fn answer_for(q: &exam_protocol::PaperQuestionView, seq: i64) -> Response {
    match q.item.item_type {
        ItemType::SingleChoice | ItemType::MultipleChoice => {
            let n = q.item.choices.len().max(1);
            let pick = q.item.choices.get((seq as usize) % n).map(|c| c.id.clone()).into_iter().collect();
            Response::Choices(pick)
        }
        ItemType::TrueFalse => Response::TrueFalse(seq % 2 == 0),
        ItemType::FillIn => Response::Blanks(vec![format!("答{seq}"); q.item.blanks.max(1)]),
        ItemType::ShortAnswer => Response::Text(format!("作答 {seq}")),
    }
}

async fn sign_in(http: &reqwest::Client, base: &str, password: &str, e: &RosterEntry) -> anyhow::Result<Candidate> {
    let login: Value = http
        .post(format!("{base}/api/v1/exam/login"))
        .json(&json!({"ticket": e.ticket, "id_number": e.id_number, "password": password}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = login["token"].as_str().ok_or_else(|| anyhow::anyhow!("no token"))?.to_string();
    http.post(format!("{base}/api/v1/exam/commitment")).bearer_auth(&token).send().await?.error_for_status()?;
    let paper: CandidatePaper = http.post(format!("{base}/api/v1/exam/start")).bearer_auth(&token).send().await?.error_for_status()?.json().await?;
    Ok(Candidate { token, paper })
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    (sorted[i.min(sorted.len() - 1)] as f64 / 1000.0 * 100.0).round() / 100.0
}

pub async fn run(opts: BenchOptions) -> anyhow::Result<Value> {
    let roster: Roster = serde_json::from_slice(&std::fs::read(&opts.roster)?)?;
    anyhow::ensure!(roster.candidates.len() >= opts.candidates, "the roster holds {} candidates", roster.candidates.len());
    let base = opts.server.trim_end_matches('/').to_string();
    let pooled = || reqwest::Client::builder().pool_max_idle_per_host(opts.concurrency).build();
    let http = pooled()?;
    let gate = Arc::new(Semaphore::new(opts.concurrency));

    // 1. Sign in, commitment, start: each a real request, passwords verified in full.
    let started = Instant::now();
    let mut joins = Vec::new();
    for e in roster.candidates.into_iter().take(opts.candidates) {
        let (http, base, pw, gate) = (http.clone(), base.clone(), roster.password.clone(), gate.clone());
        joins.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await;
            sign_in(&http, &base, &pw, &e).await
        }));
    }
    let mut candidates = Vec::new();
    let mut errors = 0u64;
    for j in joins {
        match j.await {
            Ok(Ok(c)) => candidates.push(c),
            _ => errors += 1,
        }
    }
    let sign_in_s = started.elapsed().as_secs_f64();
    // The sign-in connections close now: kept alive, they would count against the server's
    // open files (at most 20,000 here) while 19,900 sockets connect.
    drop(http);

    // 2. One socket each; once every candidate has connected (or failed to), all answer at the
    // given rate, and acknowledgement latency is measured. Each connection is one task that
    // keeps its own figures: no lock is shared while measuring.
    let ws_base = base.replacen("http", "ws", 1);
    let run_for = Duration::from_secs(opts.seconds);
    let every = Duration::from_secs_f64(opts.answer_every.max(0.01));
    let connecting = Instant::now();
    let connected = Arc::new(Semaphore::new(0));
    let (go, start) = tokio::sync::watch::channel::<Option<Instant>>(None);
    let mut tasks = Vec::new();
    for (idx, c) in candidates.iter().enumerate() {
        let (ws_base, gate) = (ws_base.clone(), gate.clone());
        let token = c.token.clone();
        let questions = c.paper.questions.clone();
        let first_seq = c.paper.last_seq;
        // Spread the candidates over the interval so the load is steady.
        let offset = every.mul_f64((idx % 1000) as f64 / 1000.0);
        let (connected, mut start) = (connected.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            let socket = async {
                let _permit = gate.acquire_owned().await;
                let mut req = format!("{ws_base}/api/v1/exam/ws").into_client_request()?;
                req.headers_mut().insert("authorization", format!("Bearer {token}").parse()?);
                anyhow::Ok(tokio_tungstenite::connect_async_with_config(req, Some(crate::exam_socket::config()), true).await?.0)
            }
            .await;
            connected.add_permits(1);
            let socket = socket?;
            let t0 = *start.wait_for(Option::is_some).await?;
            let t0 = t0.ok_or_else(|| anyhow::anyhow!("no start"))?;
            answer_loop(socket, &questions, first_seq, t0 + offset, every, t0 + run_for).await
        }));
    }
    let all = u32::try_from(tasks.len()).unwrap_or(u32::MAX);
    let _ = connected.acquire_many(all).await;
    let connect_s = connecting.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let _ = go.send(Some(t0));
    let mut tl = Tally::default();
    for t in tasks {
        match t.await {
            Ok(Ok(one)) => tl.merge(one),
            _ => {
                tl.errors += 1;
                tl.acked_max.push(HashMap::new());
            }
        }
    }
    let elapsed = t0.elapsed().as_secs_f64();

    let mut lat = tl.latencies_us.clone();
    lat.sort_unstable();
    let mut lag = std::mem::take(&mut tl.lag_us);
    lag.sort_unstable();
    // The answering figures, before the hand-ins: kept on the terminal even if checking fails.
    eprintln!(
        "bench: answering done: {} acknowledged in {elapsed:.1} s, p50 {} ms, p95 {} ms, p99 {} ms; the bench's own lag p99 {} ms",
        tl.acked,
        percentile(&lat, 0.50),
        percentile(&lat, 0.95),
        percentile(&lat, 0.99),
        percentile(&lag, 0.99)
    );

    let http = pooled()?;
    // 3. Hand in, then compare every final paper with what was acknowledged (many at once).
    let acked_max = std::mem::take(&mut tl.acked_max);
    let acked_counts: Vec<u64> = acked_max.iter().map(|m| m.len() as u64).collect();
    let mut checks = Vec::new();
    for (c, acked) in candidates.iter().zip(acked_max) {
        let (http, base, gate, token) = (http.clone(), base.clone(), gate.clone(), c.token.clone());
        checks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await;
            let _ = http.post(format!("{base}/api/v1/exam/hand-in")).bearer_auth(&token).send().await;
            let resp = http.get(format!("{base}/api/v1/exam/paper")).bearer_auth(&token).send().await?;
            let status = resp.status();
            if !status.is_success() {
                anyhow::bail!("GET /api/v1/exam/paper: {status}: {}", resp.text().await.unwrap_or_default());
            }
            let stored: CandidatePaper = resp.json().await?;
            let lost =
                acked.iter().filter(|(no, max_acked)| stored.answers.iter().find(|a| a.no == **no).map(|a| a.seq).unwrap_or(0) < **max_acked).count() as u64;
            anyhow::Ok(lost)
        }));
    }
    // A paper that cannot be read back is an error, and its acknowledged answers count as lost.
    let (mut lost, mut check_errors) = (0u64, 0u64);
    for (c, acked) in checks.into_iter().zip(acked_counts) {
        match c.await {
            Ok(Ok(n)) => lost += n,
            Ok(Err(e)) => {
                if check_errors == 0 {
                    eprintln!("bench: {e}");
                }
                check_errors += 1;
                lost += acked;
            }
            Err(_) => {
                check_errors += 1;
                lost += acked;
            }
        }
    }
    Ok(json!({
        "candidates": candidates.len(),
        "sign_in_s": (sign_in_s * 10.0).round() / 10.0,
        "connect_s": (connect_s * 10.0).round() / 10.0,
        "seconds": (elapsed * 10.0).round() / 10.0,
        "answers_sent": tl.sent,
        "answers_acked": tl.acked,
        "answers_per_s": ((tl.acked as f64 / elapsed.max(0.001)) * 10.0).round() / 10.0,
        "p50_ms": percentile(&lat, 0.50),
        "p95_ms": percentile(&lat, 0.95),
        "p99_ms": percentile(&lat, 0.99),
        "max_ms": percentile(&lat, 1.0),
        // How late the bench itself sent answers against their schedule (its share of the
        // machine): acknowledgements are read just as late.
        "client_lag_p99_ms": percentile(&lag, 0.99),
        "errors": errors + tl.errors + check_errors,
        "lost": lost,
        "server_peak_rss_mb": crate::media_bench::proc_figures(opts.server_pid).map(|(_, _, peak)| (peak * 10.0).round() / 10.0),
    }))
}
