//! Recording what candidates stream: each stream (camera with microphone, or screen) goes to
//! its own WebM file as it arrives, timed by the RTP clocks so a recording lasts as long as it
//! was streamed and its audio and video play in sync. The archive issue will cut these into
//! hashed segments; `StreamRecorder` is the seam where that grows.
pub mod assembler;
pub mod ebml;
pub mod webm;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

use assembler::Assembler;
pub use webm::Codec;
use webm::WebmWriter;

/// A track of a stream file as it is being recorded.
#[derive(Debug)]
struct TrackState {
    codec: Codec,
    clock_rate: u32,
    assembler: Assembler,
    /// (unwrapped RTP timestamp, milliseconds on the file's timeline) of its first frame.
    base: Option<(i64, i64)>,
    frames: u64,
}

/// Figures of a finished (or running) recording.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordingInfo {
    pub path: PathBuf,
    pub duration_ms: i64,
    pub frames: u64,
    pub packets_received: u64,
    pub packets_lost: u64,
}

/// One stream being written to one WebM file.
#[derive(Debug)]
pub struct StreamRecorder {
    path: PathBuf,
    writer: Option<WebmWriter<BufWriter<File>>>,
    tracks: Vec<TrackState>,
    started: Option<Instant>,
}

impl StreamRecorder {
    /// Creates the file (and its directory) with one track per codec, in this order.
    pub fn create(path: &Path, codecs: &[Codec]) -> std::io::Result<StreamRecorder> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = BufWriter::with_capacity(16 * 1024, File::create(path)?);
        let writer = WebmWriter::new(file, codecs, concat!("exam-media ", env!("CARGO_PKG_VERSION")))?;
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
            })
            .collect();
        Ok(StreamRecorder { path: path.to_path_buf(), writer: Some(writer), tracks, started: None })
    }

    /// Takes one RTP packet of track `track` (from 0) that arrived at `arrival`. Returns whether
    /// a keyframe should be asked of the sender (a video frame was lost).
    pub fn push(&mut self, track: usize, arrival: Instant, seq: u16, rtp_ts: u32, marker: bool, payload: &[u8]) -> std::io::Result<bool> {
        let started = *self.started.get_or_insert(arrival);
        let Some(t) = self.tracks.get_mut(track) else { return Ok(false) };
        let frames = t.assembler.push(seq, rtp_ts, marker, payload);
        let want = std::mem::take(&mut t.assembler.want_keyframe);
        let Some(writer) = self.writer.as_mut() else { return Ok(want) };
        for f in frames {
            let arrival_ms = arrival.saturating_duration_since(started).as_millis() as i64;
            let (base_ts, base_ms) = *t.base.get_or_insert((f.rtp_ts, arrival_ms));
            let ms = base_ms + (f.rtp_ts - base_ts) * 1000 / i64::from(t.clock_rate);
            writer.write_frame(track, ms, f.keyframe, &f.data)?;
            t.frames += 1;
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
        }
    }

    /// Writes the duration and closes the file. Also done on drop, as well as it can be.
    pub fn finish(&mut self) -> std::io::Result<RecordingInfo> {
        let info = self.info();
        // The last frame lasts about one frame interval.
        let last = if self.tracks.iter().any(|t| t.codec == Codec::Vp8) { 50 } else { 20 };
        if let Some(w) = self.writer.take() {
            w.finish(last)?;
        }
        Ok(RecordingInfo { duration_ms: info.duration_ms + if info.frames > 0 { last } else { 0 }, ..info })
    }
}

impl Drop for StreamRecorder {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}
