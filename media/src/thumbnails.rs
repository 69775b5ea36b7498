//! Thumbnails of a recording, for scanning an hour of video at a glance: one small JPEG
//! every few seconds of a segment, decoded and scaled with FFmpeg (ffmpeg-next). Derived
//! data: made on demand from the recording and never part of the evidence.
use std::path::Path;

use ffmpeg::format::Pixel;
use ffmpeg::software::scaling::{context::Context as Scaler, flag::Flags};
use ffmpeg_next as ffmpeg;

/// One thumbnail: where it is in the segment (ms from its start) and the JPEG's bytes.
#[derive(Debug, Clone)]
pub struct Thumbnail {
    pub at_ms: i64,
    pub jpeg: Vec<u8>,
}

/// The most thumbnails one segment gives (a 10-minute segment at one every 2 s).
pub const MAX_PER_SEGMENT: usize = 300;

pub(crate) fn init() -> Result<(), ffmpeg::Error> {
    static INIT: std::sync::OnceLock<Result<(), ffmpeg::Error>> = std::sync::OnceLock::new();
    *INIT.get_or_init(|| {
        ffmpeg::init()?;
        ffmpeg::util::log::set_level(ffmpeg::util::log::Level::Error);
        Ok(())
    })
}

/// A thumbnail `width` pixels wide (height kept in proportion, even) of the first frame at or
/// after every `every_ms` of the recording at `path`, at most [`MAX_PER_SEGMENT`]. A file
/// with no video track gives none; a file FFmpeg cannot read is an error.
pub fn strip(path: &Path, every_ms: i64, width: u32) -> Result<Vec<Thumbnail>, ffmpeg::Error> {
    init()?;
    let every_ms = every_ms.max(1_000);
    let width = width.clamp(32, 640) & !1;
    let mut input = ffmpeg::format::input(&path)?;
    let Some(stream) = input.streams().best(ffmpeg::media::Type::Video) else { return Ok(Vec::new()) };
    let index = stream.index();
    let time_base = stream.time_base();
    let mut decoder = ffmpeg::codec::context::Context::from_parameters(stream.parameters())?.decoder().video()?;
    let mut out = Vec::new();
    let mut next_ms = 0i64;
    let mut scaler: Option<(Scaler, u32, u32)> = None;
    let mut frame = ffmpeg::frame::Video::empty();
    let mut take = |frame: &ffmpeg::frame::Video, out: &mut Vec<Thumbnail>, next_ms: &mut i64| -> Result<(), ffmpeg::Error> {
        let pts = frame.timestamp().or(frame.pts()).unwrap_or(0);
        let at_ms = pts * 1000 * i64::from(time_base.numerator()) / i64::from(time_base.denominator()).max(1);
        if at_ms < *next_ms || out.len() >= MAX_PER_SEGMENT || frame.width() == 0 {
            return Ok(());
        }
        let height = ((u64::from(width) * u64::from(frame.height()) / u64::from(frame.width())) as u32).max(2) & !1;
        if scaler.as_ref().map(|(_, w, h)| (*w, *h)) != Some((frame.width(), frame.height())) {
            scaler = Some((
                Scaler::get(frame.format(), frame.width(), frame.height(), Pixel::YUVJ420P, width, height, Flags::BILINEAR)?,
                frame.width(),
                frame.height(),
            ));
        }
        let Some((s, _, _)) = scaler.as_mut() else { return Ok(()) };
        let mut small = ffmpeg::frame::Video::empty();
        s.run(frame, &mut small)?;
        out.push(Thumbnail { at_ms, jpeg: jpeg(&small)? });
        *next_ms = (at_ms / every_ms + 1) * every_ms;
        Ok(())
    };
    for (s, packet) in input.packets() {
        if s.index() != index {
            continue;
        }
        if decoder.send_packet(&packet).is_err() {
            continue; // a damaged packet: the next keyframe recovers
        }
        while decoder.receive_frame(&mut frame).is_ok() {
            take(&frame, &mut out, &mut next_ms)?;
        }
        if out.len() >= MAX_PER_SEGMENT {
            break;
        }
    }
    let _ = decoder.send_eof();
    while decoder.receive_frame(&mut frame).is_ok() {
        take(&frame, &mut out, &mut next_ms)?;
    }
    Ok(out)
}

/// One YUVJ420P frame as a JPEG.
fn jpeg(frame: &ffmpeg::frame::Video) -> Result<Vec<u8>, ffmpeg::Error> {
    let codec = ffmpeg::encoder::find(ffmpeg::codec::Id::MJPEG).ok_or(ffmpeg::Error::EncoderNotFound)?;
    let mut enc = ffmpeg::codec::context::Context::new_with_codec(codec).encoder().video()?;
    enc.set_width(frame.width());
    enc.set_height(frame.height());
    enc.set_format(Pixel::YUVJ420P);
    enc.set_time_base(ffmpeg::Rational::new(1, 25));
    let mut enc = enc.open_as(codec)?;
    enc.send_frame(frame)?;
    enc.send_eof()?;
    let mut packet = ffmpeg::Packet::empty();
    let mut bytes = Vec::new();
    while enc.receive_packet(&mut packet).is_ok() {
        if let Some(d) = packet.data() {
            bytes.extend_from_slice(d);
        }
    }
    Ok(bytes)
}
