//! `exam-client bench media`: N headless candidates publish a VP8 + Opus clip over WebRTC, one
//! proctor view each receives it through the server, the server records everything; then the
//! recordings are checked with ffprobe. One JSON object of figures is printed.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use exam_protocol::MediaKind;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::media_peer::{Clip, Publisher, Viewer};
use crate::{Client, ExamSocket};

#[derive(Debug, Clone)]
pub struct MediaBenchOptions {
    pub server: String,
    pub candidates: usize,
    pub seconds: u64,
    pub roster: PathBuf,
    pub video: PathBuf,
    pub audio: PathBuf,
    /// The server's recordings directory (on this machine), checked with ffprobe afterwards.
    pub recordings: Option<PathBuf>,
    pub server_pid: Option<u32>,
    pub concurrency: usize,
}

#[derive(Debug, Deserialize)]
struct Roster {
    password: String,
    candidates: Vec<Entry>,
}

#[derive(Debug, Clone, Deserialize)]
struct Entry {
    ticket: String,
    id_number: String,
    session_id: i64,
    candidate_id: i64,
    proctor: String,
}

/// (utime + stime in seconds, current RSS in MB, peak RSS in MB) of a process.
pub fn proc_figures(pid: Option<u32>) -> Option<(f64, f64, f64)> {
    let pid = pid?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |key: &str| -> Option<f64> { status.lines().find(|l| l.starts_with(key))?.split_whitespace().nth(1)?.parse().ok() };
    Some((ticks / 100.0, kb("VmRSS:")? / 1024.0, kb("VmHWM:")? / 1024.0))
}

/// (duration in seconds, packets) of a recording, as ffprobe reads it.
pub fn probe(path: &Path) -> Option<(f64, u64)> {
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-count_packets", "-show_entries", "stream=nb_read_packets:format=duration", "-of", "json"])
        .arg(path)
        .output()
        .ok()?;
    let v: Value = serde_json::from_slice(&out.stdout).ok()?;
    let duration = v["format"]["duration"].as_str()?.parse().ok()?;
    let packets = v["streams"].as_array()?.iter().filter_map(|s| s["nb_read_packets"].as_str()?.parse::<u64>().ok()).sum();
    Some((duration, packets))
}

/// Per track of a recording: (video packets, video bytes, audio packets, audio bytes), as
/// ffprobe reads them.
pub fn probe_tracks(path: &Path) -> Option<[u64; 4]> {
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "stream=index,codec_type", "-show_entries", "packet=stream_index,size", "-of", "json"])
        .arg(path)
        .output()
        .ok()?;
    let v: Value = serde_json::from_slice(&out.stdout).ok()?;
    let video: Vec<i64> = v["streams"].as_array()?.iter().filter(|s| s["codec_type"] == "video").filter_map(|s| s["index"].as_i64()).collect();
    let mut t = [0u64; 4];
    for p in v["packets"].as_array()? {
        let size: u64 = p["size"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
        let at = if video.contains(&p["stream_index"].as_i64().unwrap_or(-1)) { 0 } else { 2 };
        t[at] += 1;
        t[at + 1] += size;
    }
    Some(t)
}

/// The candidate a recording belongs to, from its directory (`…/candidate-<id>/…`).
fn candidate_of(path: &Path) -> Option<i64> {
    path.parent()?.file_name()?.to_str()?.strip_prefix("candidate-")?.parse().ok()
}

fn recordings_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "webm") {
                out.push(p);
            }
        }
    }
    out
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

pub async fn run(opts: MediaBenchOptions) -> anyhow::Result<Value> {
    let roster: Roster = serde_json::from_slice(&std::fs::read(&opts.roster)?)?;
    anyhow::ensure!(roster.candidates.len() >= opts.candidates, "the roster holds {} candidates", roster.candidates.len());
    let clip = Arc::new(Clip::load(&opts.video, &opts.audio)?);
    let base = opts.server.trim_end_matches('/').to_string();
    let before = proc_figures(opts.server_pid);
    let gate = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let entries: Vec<Entry> = roster.candidates.into_iter().take(opts.candidates).collect();

    // Candidates: sign in, open the exam socket, publish camera and microphone.
    let mut joins = Vec::new();
    for e in entries.clone() {
        let (base, pw, clip, gate) = (base.clone(), roster.password.clone(), clip.clone(), gate.clone());
        joins.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await;
            let token = sign_in(&base, &e, &pw).await?;
            let mut socket = ExamSocket::connect(&base, &token).await?;
            let publisher = Publisher::start(&mut socket, clip).await?;
            anyhow::Ok((e, socket, publisher))
        }));
    }
    let mut publishers = Vec::new();
    let mut errors = 0u64;
    for j in joins {
        match j.await {
            Ok(Ok(p)) => publishers.push(p),
            Ok(Err(e)) => {
                errors += 1;
                eprintln!("publisher: {e:#}");
            }
            Err(_) => errors += 1,
        }
    }
    // One proctor view per candidate, signed in once per proctor.
    let mut proctors: std::collections::HashMap<String, Arc<Client>> = std::collections::HashMap::new();
    let mut viewers = Vec::new();
    for (e, _, _) in &publishers {
        if !proctors.contains_key(&e.proctor) {
            let mut c = Client::new(&base);
            c.login(&e.proctor, &roster.password).await?;
            proctors.insert(e.proctor.clone(), Arc::new(c));
        }
        match Viewer::start(&proctors[&e.proctor], e.session_id, e.candidate_id, &[MediaKind::Camera, MediaKind::Microphone]).await {
            Ok(v) => viewers.push(v),
            Err(err) => {
                errors += 1;
                eprintln!("viewer: {err:#}");
            }
        }
    }
    // Stream.
    let cpu_start = proc_figures(opts.server_pid);
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs(opts.seconds)).await;
    let wall = t0.elapsed().as_secs_f64();
    let cpu_end = proc_figures(opts.server_pid);
    // Each publisher streams from its start until it is stopped below.
    let mut streamed = f64::INFINITY;
    let packets_received: u64 = viewers.iter().map(|v| v.packets.load(Ordering::Relaxed)).sum();
    let n = publishers.len().max(1) as f64;
    for v in viewers {
        v.stop().await;
    }
    // What each publisher sent is read once it has stopped, so it is compared with everything
    // the server recorded of it, per track.
    let mut sent_by_candidate = std::collections::HashMap::new();
    let (mut packets_sent, mut samples_sent) = (0u64, 0u64);
    // All stopped at once; each lets its last frames leave before closing.
    let mut stopping = tokio::task::JoinSet::new();
    for (e, socket, p) in publishers {
        streamed = streamed.min(p.streamed().as_secs_f64());
        stopping.spawn(async move {
            let counters = (p.video_samples.clone(), p.audio_samples.clone(), p.packets_sent.clone(), p.samples_sent.clone());
            p.stop().await;
            socket.close().await;
            (e.candidate_id, counters)
        });
    }
    while let Some(done) = stopping.join_next().await {
        let Ok((candidate, (video, audio, packets, samples))) = done else {
            errors += 1;
            continue;
        };
        packets_sent += packets.load(Ordering::Relaxed);
        samples_sent += samples.load(Ordering::Relaxed);
        sent_by_candidate.insert(candidate, (video.load(Ordering::Relaxed), audio.load(Ordering::Relaxed)));
    }
    // The server notices the peers leave (at the latest when ICE gives up) and closes the
    // recordings; a closed recording states its duration.
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let Some(dir) = &opts.recordings else { break };
        if recordings_in(dir).iter().all(|f| probe(f).is_some()) {
            break;
        }
    }
    // Freed memory goes back to the system after the allocator's decay time (about 10 s).
    tokio::time::sleep(Duration::from_secs(12)).await;
    let after = proc_figures(opts.server_pid);

    let mut recorded_packets = 0u64;
    let mut recorded_bytes = 0u64;
    let mut files = 0usize;
    // Per candidate: recorded seconds, video packets and bytes, audio packets and bytes.
    let mut by_candidate: std::collections::HashMap<i64, (f64, [u64; 4])> = std::collections::HashMap::new();
    if let Some(dir) = &opts.recordings {
        for f in recordings_in(dir) {
            files += 1;
            recorded_bytes += std::fs::metadata(&f).map(|m| m.len()).unwrap_or(0);
            match (probe(&f), probe_tracks(&f), candidate_of(&f)) {
                (Some((d, p)), Some(t), Some(c)) => {
                    recorded_packets += p;
                    let entry = by_candidate.entry(c).or_insert((0.0, [0; 4]));
                    entry.0 += d;
                    for (sum, v) in entry.1.iter_mut().zip(t) {
                        *sum += v;
                    }
                }
                _ => errors += 1,
            }
        }
    }
    let recorded_min = by_candidate.values().map(|(d, _)| *d).fold(f64::INFINITY, f64::min);
    // Loss per candidate and track, after the publishers stopped: the worst track counts.
    let mut worst_lost_pct: f64 = 0.0;
    let mut worst_track = Value::Null;
    for (c, (video_sent, audio_sent)) in &sent_by_candidate {
        let t = by_candidate.get(c).map(|(_, t)| *t).unwrap_or([0; 4]);
        for (track, sent, got) in [("video", *video_sent, t[0]), ("audio", *audio_sent, t[2])] {
            let lost = if sent == 0 { 0.0 } else { (1.0 - got as f64 / sent as f64).max(0.0) * 100.0 };
            if lost > worst_lost_pct || worst_track.is_null() {
                worst_lost_pct = worst_lost_pct.max(lost);
                worst_track = json!({ "candidate": c, "track": track, "sent": sent, "recorded": got });
            }
        }
    }
    let video_bytes: u64 = by_candidate.values().map(|(_, t)| t[1]).sum();
    let audio_bytes: u64 = by_candidate.values().map(|(_, t)| t[3]).sum();
    let per_hour = |bytes: u64| if streamed > 0.0 { round1(bytes as f64 / n / (streamed / 3600.0) / 1_000_000.0) } else { 0.0 };
    let lost_pct = if samples_sent == 0 { 100.0 } else { (1.0 - recorded_packets as f64 / samples_sent as f64).max(0.0) * 100.0 };
    let cpu_pct = match (cpu_start, cpu_end) {
        (Some(a), Some(b)) => Some((b.0 - a.0) / wall * 100.0),
        _ => None,
    };
    Ok(json!({
        "candidates": n as u64,
        "seconds": round1(wall),
        "streamed_seconds": round1(streamed),
        "packets_sent": packets_sent,
        "packets_received": packets_received,
        "samples_sent": samples_sent,
        "samples_recorded": recorded_packets,
        "recordings": files,
        "media_lost_pct": (lost_pct * 1000.0).round() / 1000.0,
        "worst_track_lost_pct": (worst_lost_pct * 1000.0).round() / 1000.0,
        "worst_track": worst_track,
        "mb_per_candidate_hour": { "video": per_hour(video_bytes), "audio": per_hour(audio_bytes), "files": per_hour(recorded_bytes) },
        "recorded_seconds_min": if recorded_min.is_finite() { round1(recorded_min) } else { 0.0 },
        "bytes_per_candidate_hour": if streamed > 0.0 { (recorded_bytes as f64 / n / (streamed / 3600.0)).round() } else { 0.0 },
        "server_cpu_pct": cpu_pct.map(round1),
        "server_cpu_pct_per_candidate": cpu_pct.map(|c| (c / n * 1000.0).round() / 1000.0),
        "server_rss_before_mb": before.map(|b| round1(b.1)),
        "server_rss_after_mb": after.map(|a| round1(a.1)),
        "server_peak_rss_mb": after.map(|a| round1(a.2)),
        "errors": errors,
    }))
}

async fn sign_in(base: &str, e: &Entry, password: &str) -> anyhow::Result<String> {
    candidate_token(base, &e.ticket, &e.id_number, password).await
}

/// Signs a candidate in with ticket, ID number and password; their session token.
pub async fn candidate_token(base: &str, ticket: &str, id_number: &str, password: &str) -> anyhow::Result<String> {
    let v: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/exam/login"))
        .json(&json!({"ticket": ticket, "id_number": id_number, "password": password}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(v["token"].as_str().ok_or_else(|| anyhow::anyhow!("no token"))?.to_string())
}
