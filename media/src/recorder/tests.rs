//! The recorder's byte budget, end to end: synthetic VP8 and Opus streams pushed as RTP packets
//! with simulated arrival times, and the WebM file read back.
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::*;

/// VP8 frames: a keyframe header (with a size) or an interframe one, then the frame's number
/// (bytes 10..14) so the file shows which frames were written, then filler.
fn vp8_frame(n: u32, keyframe: bool, len: usize) -> Vec<u8> {
    let mut f = if keyframe { vec![0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01] } else { vec![0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0] };
    f.extend_from_slice(&n.to_be_bytes());
    f.resize(len.max(f.len()), 0xAB);
    f
}

/// A sender of one track: RTP sequence numbers, and frames cut into packets as RFC 7741 says.
struct Sender {
    track: usize,
    seq: u16,
    asked_keyframe: bool,
}

impl Sender {
    fn send(&mut self, rec: &mut StreamRecorder, at: Instant, ts: u32, frame: &[u8], vp8: bool) {
        // An Opus frame is one packet, whatever its size.
        let chunks: Vec<&[u8]> = frame.chunks(if vp8 { 1200 } else { frame.len().max(1) }).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let mut p = Vec::with_capacity(chunk.len() + 1);
            if vp8 {
                p.push(if i == 0 { 0x10 } else { 0x00 });
            }
            p.extend_from_slice(chunk);
            let marker = i + 1 == chunks.len();
            self.asked_keyframe |= rec.push(self.track, at, self.seq, ts, marker, &p).expect("push");
            self.seq = self.seq.wrapping_add(1);
        }
    }
}

/// A block read back from the file.
#[derive(Debug)]
struct Block {
    track: u8,
    keyframe: bool,
    data: Vec<u8>,
}

/// An EBML variable-length integer at `at`: (value, length); the marker bit kept for ids.
fn vint(b: &[u8], at: usize, keep_marker: bool) -> (u64, usize) {
    let len = b[at].leading_zeros() as usize + 1;
    let mut v = u64::from(if keep_marker { b[at] } else { b[at] & (0xFFu32 >> len) as u8 });
    for k in 1..len {
        v = (v << 8) | u64::from(b[at + k]);
    }
    (v, len)
}

/// The SimpleBlocks of a WebM file as this recorder writes it (Segment and Clusters of unknown
/// size, entered rather than skipped).
fn blocks(bytes: &[u8]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let (id, n) = vint(bytes, at, true);
        let (size, m) = vint(bytes, at + n, false);
        at += n + m;
        match id {
            0x1853_8067 | 0x1F43_B675 => continue,
            0xA3 => {
                let b = &bytes[at..at + size as usize];
                out.push(Block { track: b[0] & 0x7F, keyframe: b[3] & 0x80 != 0, data: b[4..].to_vec() });
            }
            _ => {}
        }
        at += size as usize;
    }
    out
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("media-budget-{}-{name}.webm", std::process::id()))
}

/// What a run sent and what the file holds.
struct Run {
    info: RecordingInfo,
    file_len: u64,
    blocks: Vec<Block>,
    sent_frames: u64,
    sent_bytes: u64,
    video_asked_keyframe: bool,
    audio_asked_keyframe: bool,
}

/// Streams VP8 at 30 fps (a keyframe every second) and Opus at 50 packets/s, each at about
/// the given bytes per second, for `secs` simulated seconds.
fn run(name: &str, limits: &RecorderLimits, video_bps: usize, audio_bps: usize, secs: u32) -> Run {
    let path = temp_path(name);
    let mut rec = StreamRecorder::create_with_limits(&path, &[Codec::Vp8, Codec::Opus], limits).expect("create");
    let t0 = Instant::now();
    let (mut video, mut audio) = (Sender { track: 0, seq: 60_000, asked_keyframe: false }, Sender { track: 1, seq: 7, asked_keyframe: false });
    let (mut sent_frames, mut sent_bytes, mut next_video) = (0, 0, 0u32);
    // Both tracks on one 10 ms tick, so packets arrive interleaved as they would.
    for tick in 0..secs * 100 {
        let at = t0 + Duration::from_millis(u64::from(tick) * 10);
        if tick % 2 == 0 {
            let n = tick / 2;
            let mut frame = vec![0xFC];
            frame.extend_from_slice(&n.to_be_bytes());
            frame.resize((audio_bps / 50).max(frame.len()), 0x5A);
            audio.send(&mut rec, at, 960 * n, &frame, false);
            sent_frames += 1;
            sent_bytes += frame.len() as u64;
        }
        // 30 fps: frame n is due at tick n × 10 / 3 (rounded down).
        if next_video * 10 / 3 == tick {
            let n = next_video;
            let frame = vp8_frame(n, n % 30 == 0, video_bps / 30);
            video.send(&mut rec, at, 3000 * n, &frame, true);
            sent_frames += 1;
            sent_bytes += frame.len() as u64;
            next_video += 1;
        }
    }
    let info = rec.finish().expect("finish");
    drop(rec);
    let bytes = std::fs::read(&path).expect("read back");
    let _ = std::fs::remove_file(&path);
    Run {
        info,
        file_len: bytes.len() as u64,
        blocks: blocks(&bytes),
        sent_frames,
        sent_bytes,
        video_asked_keyframe: video.asked_keyframe,
        audio_asked_keyframe: audio.asked_keyframe,
    }
}

fn frame_number(b: &Block) -> u32 {
    u32::from_be_bytes(b.data[10..14].try_into().expect("4 bytes"))
}

fn payload(run: &Run, track: u8) -> u64 {
    run.blocks.iter().filter(|b| b.track == track).map(|b| b.data.len() as u64).sum()
}

/// A file's header, cluster and block headers: far less than this for these runs.
const CONTAINER_MARGIN: u64 = 64 * 1024;

/// Bytes per second of a kbit/s cap.
fn bps(kbps: u32) -> u64 {
    u64::from(kbps) * 1000 / 8
}

/// Checks a run at ten times `limits` stayed within them and kept the video decodable.
fn assert_capped(run: &Run, limits: &RecorderLimits, secs: u64) {
    let burst = limits.burst.as_secs();
    let (video_cap, audio_cap) = (bps(limits.max_video_kbps) * (secs + burst), bps(limits.max_audio_kbps) * (secs + burst));
    assert!(payload(run, 1) <= video_cap, "video wrote {} bytes, cap {video_cap}", payload(run, 1));
    assert!(payload(run, 2) <= audio_cap, "audio wrote {} bytes, cap {audio_cap}", payload(run, 2));
    assert!(run.file_len <= video_cap + audio_cap + CONTAINER_MARGIN, "file of {} bytes", run.file_len);
    // The cap is used, not just everything dropped.
    assert!(payload(run, 1) >= bps(limits.max_video_kbps) * secs / 2, "video wrote only {} bytes", payload(run, 1));
    assert!(payload(run, 2) >= bps(limits.max_audio_kbps) * secs / 2, "audio wrote only {} bytes", payload(run, 2));

    // Every frame sent is either written or counted as dropped.
    assert!(run.info.frames_dropped_over_budget > 0);
    assert_eq!(run.info.frames + run.info.frames_dropped_over_budget, run.sent_frames);
    assert_eq!(run.info.frames, run.blocks.len() as u64);
    assert_eq!(payload(run, 1) + payload(run, 2) + run.info.bytes_dropped_over_budget, run.sent_bytes);

    // Video: it starts on a keyframe, and after every gap it resumes on one.
    let video: Vec<&Block> = run.blocks.iter().filter(|b| b.track == 1).collect();
    assert!(video[0].keyframe);
    let mut resumed = 0;
    for pair in video.windows(2) {
        assert_eq!(pair[1].keyframe, pair[1].data[0] & 1 == 0, "the block's key flag is the frame's");
        if frame_number(pair[1]) != frame_number(pair[0]) + 1 {
            assert!(pair[1].keyframe, "frame {} follows {} after a drop", frame_number(pair[1]), frame_number(pair[0]));
            resumed += 1;
        }
    }
    assert!(resumed as u64 >= secs / 2, "writing resumed {resumed} times");
    assert!(run.video_asked_keyframe, "a keyframe is asked for after a drop");
    assert!(!run.audio_asked_keyframe, "Opus needs no keyframe");
}

#[test]
fn a_stream_at_ten_times_the_default_cap_writes_no_more_than_the_cap() {
    let limits = RecorderLimits::default();
    let r = run("hostile", &limits, bps(limits.max_video_kbps) as usize * 10, bps(limits.max_audio_kbps) as usize * 10, 20);
    assert_capped(&r, &limits, 20);
}

#[test]
fn configured_limits_are_the_ones_applied() {
    let limits = RecorderLimits { max_video_kbps: 400, max_audio_kbps: 32, burst: Duration::from_secs(2) };
    let r = run("custom", &limits, bps(400) as usize * 10, bps(32) as usize * 10, 20);
    assert_capped(&r, &limits, 20);
}

#[test]
fn a_stream_under_the_cap_loses_nothing() {
    // 2,000 and 200 kbit/s against caps of 2,500 and 256.
    let r = run("honest", &RecorderLimits::default(), 250_000, 25_000, 20);
    assert_eq!((r.info.frames_dropped_over_budget, r.info.bytes_dropped_over_budget), (0, 0));
    assert_eq!(r.info.frames, r.sent_frames);
    assert_eq!(r.blocks.len() as u64, r.sent_frames);
    assert_eq!(payload(&r, 1) + payload(&r, 2), r.sent_bytes);
    assert!(!r.video_asked_keyframe && !r.audio_asked_keyframe);
    let video: Vec<u32> = r.blocks.iter().filter(|b| b.track == 1).map(frame_number).collect();
    assert_eq!(video, (0..600).collect::<Vec<u32>>());
}

#[test]
fn zero_turns_a_cap_off() {
    let limits = RecorderLimits { max_video_kbps: 0, max_audio_kbps: 0, burst: Duration::from_secs(4) };
    // Far over the defaults, for a short while.
    let r = run("uncapped", &limits, bps(2_500) as usize * 10, bps(256) as usize * 10, 2);
    assert_eq!(r.info.frames_dropped_over_budget, 0);
    assert_eq!(payload(&r, 1) + payload(&r, 2), r.sent_bytes);
}

#[test]
fn a_video_frame_that_never_ends_is_not_written_and_a_keyframe_is_asked_for() {
    let path = temp_path("endless");
    let mut rec = StreamRecorder::create(&path, &[Codec::Vp8]).expect("create");
    let t0 = Instant::now();
    let mut video = Sender { track: 0, seq: 1, asked_keyframe: false };
    video.send(&mut rec, t0, 0, &vp8_frame(0, true, 5_000), true);
    assert!(!video.asked_keyframe);
    // 10,000 packets of one frame, none with the marker.
    let mut p = vec![0x00u8; 1200];
    for i in 0..10_000u32 {
        p[0] = if i == 0 { 0x10 } else { 0x00 };
        let at = t0 + Duration::from_micros(u64::from(i) * 100);
        video.asked_keyframe |= rec.push(0, at, video.seq, 3000, false, &p).expect("push");
        video.seq = video.seq.wrapping_add(1);
    }
    assert!(video.asked_keyframe);
    video.send(&mut rec, t0 + Duration::from_secs(1), 90_000, &vp8_frame(1, true, 5_000), true);
    let info = rec.finish().expect("finish");
    drop(rec);
    let bytes = std::fs::read(&path).expect("read back");
    let _ = std::fs::remove_file(&path);
    assert_eq!((info.frames, info.frames_dropped_oversized), (2, 1));
    let written: Vec<(bool, u32)> = blocks(&bytes).iter().map(|b| (b.keyframe, frame_number(b))).collect();
    assert_eq!(written, [(true, 0), (true, 1)]);
}

#[test]
fn tiny_frames_opening_a_cluster_each_stay_within_the_cap_on_disk() {
    let path = temp_path("tiny");
    // 1,000 bytes a second, 1 s of burst.
    let limits = RecorderLimits { max_video_kbps: 0, max_audio_kbps: 8, burst: Duration::from_secs(1) };
    let mut rec = StreamRecorder::create_with_limits(&path, &[Codec::Opus], &limits).expect("create");
    let t0 = Instant::now();
    let mut audio = Sender { track: 0, seq: 0, asked_keyframe: false };
    // One-byte frames every millisecond for 2 s, each 2 s of RTP time after the last, so each
    // opens a cluster: some 30 bytes on disk per byte of frame.
    for n in 0..2_000u32 {
        audio.send(&mut rec, t0 + Duration::from_millis(u64::from(n)), n.wrapping_mul(96_000), &[0xFC], false);
    }
    rec.finish().expect("finish");
    drop(rec);
    let len = std::fs::metadata(&path).expect("written").len();
    let _ = std::fs::remove_file(&path);
    // Rate × (time + burst), and the file's header.
    assert!(len <= 1_000 * 3 + 1_024, "{len} bytes on disk");
}

#[test]
fn timestamps_far_apart_stay_on_a_bounded_timeline() {
    assert_eq!(timeline_ms(10, 0, 90_000, 90_000), 1_010);
    assert_eq!(timeline_ms(0, i64::MIN, i64::MAX, 48_000), MAX_TIMELINE_MS);
    assert_eq!(timeline_ms(i64::MAX, 0, i64::MAX, 1), MAX_TIMELINE_MS);
    assert_eq!(timeline_ms(0, i64::MAX, i64::MIN, 90_000), 0);
}

#[test]
fn a_segmented_recording_is_cut_on_keyframes_and_each_segment_starts_at_zero() {
    let dir = std::env::temp_dir().join(format!("media-segments-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut rec =
        StreamRecorder::create_segmented(&dir, "cam", &[Codec::Vp8, Codec::Opus], &RecorderLimits::default(), Duration::from_secs(5)).expect("create");
    let t0 = Instant::now();
    let (mut video, mut audio) = (Sender { track: 0, seq: 1, asked_keyframe: false }, Sender { track: 1, seq: 1, asked_keyframe: false });
    let mut closed = Vec::new();
    // 17 s: VP8 at 30 fps with a keyframe every second, Opus every 20 ms.
    for tick in 0..1700u32 {
        let at = t0 + Duration::from_millis(u64::from(tick) * 10);
        if tick % 2 == 0 {
            let n = tick / 2;
            audio.send(&mut rec, at, 960 * n, &[0xFC, 1, 2, 3], false);
        }
        if (tick * 3) % 10 == 0 {
            let n = tick * 3 / 10;
            video.send(&mut rec, at, 3000 * n, &vp8_frame(n, n % 30 == 0, 500), true);
        }
        closed.extend(rec.take_closed());
    }
    assert!(video.asked_keyframe || audio.asked_keyframe, "a keyframe is asked for before each cut");
    rec.finish().expect("finish");
    closed.extend(rec.take_closed());
    assert_eq!(closed.len(), 4, "{closed:?}");
    for (i, s) in closed.iter().enumerate() {
        assert_eq!(s.index as usize, i);
        assert!(s.path.to_string_lossy().ends_with(&format!("cam-{i:05}.webm")));
        let bytes = std::fs::read(&s.path).expect("segment");
        assert_eq!(bytes.len() as u64, s.bytes);
        let blocks = blocks(&bytes);
        let first_video = blocks.iter().find(|b| b.track == 1).expect("video");
        assert!(first_video.keyframe, "segment {i} starts on a keyframe");
        if i < 3 {
            assert!((4_900..=6_100).contains(&s.duration_ms), "segment {i}: {} ms", s.duration_ms);
        }
    }
    assert!(!dir.join("cam-00003.webm.part").exists(), "closed segments are renamed");
    let _ = std::fs::remove_dir_all(&dir);
}
