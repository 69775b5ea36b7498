//! Recording what candidates stream: each stream (camera with microphone, or screen) goes to
//! its own WebM files as it arrives, timed by the RTP clocks so a recording lasts as long as it
//! was streamed and its audio and video play in sync. A segmented recorder cuts the stream
//! into files of about a minute, each starting on a keyframe (asked of the sender shortly
//! before the cut) and playable on its own; a file being written ends in `.part` and is
//! renamed when closed, so after a crash the unfinished ones are found and recovered. Each
//! track writes within a byte budget (see `budget`), whatever bitrate the browser sends.
pub mod assembler;
pub mod budget;
pub mod ebml;
pub mod webm;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

use assembler::Assembler;
use budget::ByteBudget;
pub use budget::RecorderLimits;
pub use webm::Codec;
use webm::WebmWriter;

/// What a frame costs on disk besides its bytes: its block's header (up to 9 bytes) and, when
/// it opens a cluster, the cluster's (up to 22). Charged to the budget with the frame, so that a
/// stream of tiny frames cannot write many times its cap in headers.
const FRAME_OVERHEAD: usize = 32;

/// The latest point of a file's timeline, in milliseconds (about 49 days, longer than any
/// exam). The sender chooses RTP timestamps and can jump them by 2^31 every packet; clamping
/// keeps the timeline arithmetic, here and in the writer, from overflowing.
const MAX_TIMELINE_MS: i64 = u32::MAX as i64;

/// A track of a stream file as it is being recorded.
#[derive(Debug)]
struct TrackState {
    codec: Codec,
    clock_rate: u32,
    assembler: Assembler,
    /// (unwrapped RTP timestamp, milliseconds on the file's timeline) of its first frame.
    base: Option<(i64, i64)>,
    frames: u64,
    budget: ByteBudget,
    /// A video frame was dropped over budget: later frames depend on it, so nothing is written
    /// until the next keyframe.
    skip_to_keyframe: bool,
    dropped_frames: u64,
    dropped_bytes: u64,
}

/// Figures of a finished (or running) recording.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordingInfo {
    pub path: PathBuf,
    pub duration_ms: i64,
    pub frames: u64,
    pub packets_received: u64,
    pub packets_lost: u64,
    /// Frames not written because their track was over its byte budget (for video, with the
    /// frames after them up to the next keyframe).
    pub frames_dropped_over_budget: u64,
    pub bytes_dropped_over_budget: u64,
    /// Video frames not written because they grew past the assembler's bounds.
    pub frames_dropped_oversized: u64,
}

/// A closed segment: its file, place in the stream and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentInfo {
    pub path: PathBuf,
    pub index: u32,
    /// Wall-clock instants (ms since 1970) of its first and last frame as they arrived.
    pub start_unix_ms: i64,
    pub end_unix_ms: i64,
    pub duration_ms: i64,
    pub bytes: u64,
    /// Found unfinished after a crash and closed at start.
    pub recovered: bool,
}

/// How a segmented recorder names and cuts its files.
#[derive(Debug, Clone)]
struct Segmenting {
    dir: PathBuf,
    stem: String,
    length_ms: i64,
    index: u32,
    /// The stream's timeline (ms) at the current segment's first frame.
    offset_ms: Option<i64>,
    started_unix_ms: i64,
    last_unix_ms: i64,
    /// A keyframe was asked for this cut already.
    asked: bool,
}

fn unix_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// A segment's file name while it is written, and once closed.
pub fn segment_paths(dir: &Path, stem: &str, index: u32) -> (PathBuf, PathBuf) {
    let done = dir.join(format!("{stem}-{index:05}.webm"));
    (done.with_extension("webm.part"), done)
}

/// One stream being written to one WebM file, or to segments of it.
#[derive(Debug)]
pub struct StreamRecorder {
    path: PathBuf,
    writer: Option<WebmWriter<BufWriter<File>>>,
    tracks: Vec<TrackState>,
    started: Option<Instant>,
    /// Whether the cap has dropped anything yet: it is logged once per recording.
    capped: bool,
    codecs: Vec<Codec>,
    segmenting: Option<Segmenting>,
    closed: Vec<SegmentInfo>,
}

fn open_writer(path: &Path, codecs: &[Codec]) -> std::io::Result<WebmWriter<BufWriter<File>>> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = BufWriter::with_capacity(16 * 1024, File::create(path)?);
    WebmWriter::new(file, codecs, concat!("exam-media ", env!("CARGO_PKG_VERSION")))
}

impl StreamRecorder {
    /// Creates the file (and its directory) with one track per codec, in this order, within
    /// the default limits.
    pub fn create(path: &Path, codecs: &[Codec]) -> std::io::Result<StreamRecorder> {
        StreamRecorder::create_with_limits(path, codecs, &RecorderLimits::default())
    }

    /// Like `create`, each track capped by `limits`.
    pub fn create_with_limits(path: &Path, codecs: &[Codec], limits: &RecorderLimits) -> std::io::Result<StreamRecorder> {
        let writer = open_writer(path, codecs)?;
        let tracks = codecs
            .iter()
            .map(|c| TrackState {
                codec: *c,
                clock_rate: match c {
                    Codec::Vp8 => 90_000,
                    Codec::Opus => 48_000,
                },
                assembler: Assembler::new(*c),
                base: None,
                frames: 0,
                budget: ByteBudget::new(
                    match c {
                        Codec::Vp8 => limits.max_video_kbps,
                        Codec::Opus => limits.max_audio_kbps,
                    },
                    limits.burst,
                ),
                skip_to_keyframe: false,
                dropped_frames: 0,
                dropped_bytes: 0,
            })
            .collect();
        Ok(StreamRecorder {
            path: path.to_path_buf(),
            writer: Some(writer),
            tracks,
            started: None,
            capped: false,
            codecs: codecs.to_vec(),
            segmenting: None,
            closed: Vec::new(),
        })
    }

    /// A recorder that cuts the stream into segments of about `length` in `dir`, named
    /// `<stem>-<index>.webm` (`.webm.part` while written). Each segment starts on a video
    /// keyframe (or any frame, without video) and plays on its own from 0.
    pub fn create_segmented(dir: &Path, stem: &str, codecs: &[Codec], limits: &RecorderLimits, length: std::time::Duration) -> std::io::Result<StreamRecorder> {
        let (part, _) = segment_paths(dir, stem, 0);
        let mut r = StreamRecorder::create_with_limits(&part, codecs, limits)?;
        let now = unix_ms();
        r.segmenting = Some(Segmenting {
            dir: dir.to_path_buf(),
            stem: stem.to_string(),
            length_ms: (length.as_millis() as i64).max(1000),
            index: 0,
            offset_ms: None,
            started_unix_ms: now,
            last_unix_ms: now,
            asked: false,
        });
        Ok(r)
    }

    /// The segments closed since the last call.
    pub fn take_closed(&mut self) -> Vec<SegmentInfo> {
        std::mem::take(&mut self.closed)
    }

    /// Closes the current segment (duration written, renamed from `.part`) and records it.
    fn close_segment(&mut self, last_frame_ms: i64) -> std::io::Result<()> {
        let Some(seg) = self.segmenting.as_ref() else { return Ok(()) };
        let Some(w) = self.writer.take() else { return Ok(()) };
        let duration = w.duration_ms() + if w.blocks() > 0 { last_frame_ms } else { 0 };
        let empty = w.blocks() == 0;
        w.finish(last_frame_ms)?.into_inner().map_err(|e| e.into_error())?.sync_data()?;
        let (part, done) = segment_paths(&seg.dir, &seg.stem, seg.index);
        if empty {
            // Nothing arrived in it: no file to keep.
            let _ = std::fs::remove_file(&part);
            return Ok(());
        }
        std::fs::rename(&part, &done)?;
        let bytes = std::fs::metadata(&done)?.len();
        self.closed.push(SegmentInfo {
            path: done,
            index: seg.index,
            start_unix_ms: seg.started_unix_ms,
            end_unix_ms: seg.last_unix_ms,
            duration_ms: duration,
            bytes,
            recovered: false,
        });
        Ok(())
    }

    /// Cuts here: closes the current segment and opens the next, whose timeline starts at `ms`.
    fn rotate(&mut self, ms: i64) -> std::io::Result<()> {
        let last = if self.codecs.contains(&Codec::Vp8) { 50 } else { 20 };
        self.close_segment(last)?;
        let Some(seg) = self.segmenting.as_mut() else { return Ok(()) };
        seg.index += 1;
        seg.offset_ms = Some(ms);
        seg.started_unix_ms = unix_ms();
        seg.last_unix_ms = seg.started_unix_ms;
        seg.asked = false;
        let (part, _) = segment_paths(&seg.dir, &seg.stem, seg.index);
        self.path = part.clone();
        self.writer = Some(open_writer(&part, &self.codecs)?);
        Ok(())
    }

    /// Takes one RTP packet of track `track` (from 0) that arrived at `arrival`. Returns whether
    /// a keyframe should be asked of the sender (a video frame was lost, or dropped over the
    /// track's budget).
    pub fn push(&mut self, track: usize, arrival: Instant, seq: u16, rtp_ts: u32, marker: bool, payload: &[u8]) -> std::io::Result<bool> {
        let started = *self.started.get_or_insert(arrival);
        let Some(t) = self.tracks.get_mut(track) else {
            return Ok(false);
        };
        let frames = t.assembler.push(seq, rtp_ts, marker, payload);
        let mut want = std::mem::take(&mut t.assembler.want_keyframe);
        if self.writer.is_none() {
            return Ok(want);
        }
        let has_video = self.codecs.contains(&Codec::Vp8);
        for f in frames {
            let Some(t) = self.tracks.get_mut(track) else {
                return Ok(want);
            };
            let arrival_ms = arrival.saturating_duration_since(started).as_millis() as i64;
            let (base_ts, base_ms) = *t.base.get_or_insert((f.rtp_ts, arrival_ms));
            // Frames skipped while waiting for a keyframe take nothing from the bucket, so it
            // refills in time for the keyframe.
            let fits = (f.keyframe || !t.skip_to_keyframe) && t.budget.take(arrival, f.data.len() + FRAME_OVERHEAD);
            if !fits {
                t.dropped_frames += 1;
                t.dropped_bytes += f.data.len() as u64;
                if t.codec == Codec::Vp8 {
                    t.skip_to_keyframe = true;
                    want = true;
                }
                if !std::mem::replace(&mut self.capped, true) {
                    let kbps = t.budget.kbps();
                    tracing::warn!(track, codec = ?t.codec, kbps, "a recorded track is over its bitrate cap; frames are dropped");
                }
                continue;
            }
            t.skip_to_keyframe = false;
            let ms = timeline_ms(base_ms, base_ts, f.rtp_ts, t.clock_rate);
            t.frames += 1;
            let codec = t.codec;
            let mut write_ms = ms;
            if let Some(seg) = self.segmenting.as_mut() {
                let offset = *seg.offset_ms.get_or_insert(ms);
                let elapsed = ms - offset;
                // Ask the sender for a keyframe shortly before the cut, once.
                if has_video && !seg.asked && elapsed >= seg.length_ms - 1500 {
                    seg.asked = true;
                    want = true;
                }
                let cut_here = elapsed >= seg.length_ms && (if has_video { codec == Codec::Vp8 && f.keyframe } else { true });
                seg.last_unix_ms = unix_ms();
                if cut_here {
                    self.rotate(ms)?;
                    write_ms = 0;
                } else {
                    write_ms = elapsed.max(0);
                }
            }
            if let Some(writer) = self.writer.as_mut() {
                writer.write_frame(track, write_ms, f.keyframe, &f.data)?;
            }
        }
        Ok(want)
    }

    pub fn info(&self) -> RecordingInfo {
        RecordingInfo {
            path: self.path.clone(),
            duration_ms: self.writer.as_ref().map(|w| w.duration_ms()).unwrap_or(0),
            frames: self.tracks.iter().map(|t| t.frames).sum(),
            packets_received: self.tracks.iter().map(|t| t.assembler.received).sum(),
            packets_lost: self.tracks.iter().map(|t| t.assembler.lost).sum(),
            frames_dropped_over_budget: self.tracks.iter().map(|t| t.dropped_frames).sum(),
            bytes_dropped_over_budget: self.tracks.iter().map(|t| t.dropped_bytes).sum(),
            frames_dropped_oversized: self.tracks.iter().map(|t| t.assembler.oversized).sum(),
        }
    }

    /// Writes the duration and closes the file (a segmented recorder: its last segment, then
    /// in [`StreamRecorder::take_closed`]). Also done on drop, as well as it can be.
    pub fn finish(&mut self) -> std::io::Result<RecordingInfo> {
        let info = self.info();
        // The last frame lasts about one frame interval.
        let last = if self.tracks.iter().any(|t| t.codec == Codec::Vp8) { 50 } else { 20 };
        if self.segmenting.is_some() {
            self.close_segment(last)?;
            return Ok(RecordingInfo { duration_ms: info.duration_ms + if info.frames > 0 { last } else { 0 }, ..info });
        }
        if let Some(w) = self.writer.take() {
            w.finish(last)?;
        }
        Ok(RecordingInfo { duration_ms: info.duration_ms + if info.frames > 0 { last } else { 0 }, ..info })
    }
}

/// Where the frame at RTP time `rtp_ts` falls on the file's timeline, the track's first frame
/// (at `base_ts`) being at `base_ms`; within 0..=`MAX_TIMELINE_MS`.
fn timeline_ms(base_ms: i64, base_ts: i64, rtp_ts: i64, clock_rate: u32) -> i64 {
    let ticks = i128::from(rtp_ts) - i128::from(base_ts);
    let ms = i128::from(base_ms) + ticks * 1000 / i128::from(clock_rate.max(1));
    ms.clamp(0, i128::from(MAX_TIMELINE_MS)) as i64
}

impl Drop for StreamRecorder {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests;
