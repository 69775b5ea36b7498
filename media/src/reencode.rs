//! Archival re-encode, for institutions that must save space: a recording segment's VP8 video
//! re-encoded as VP9 at a lower bitrate (libvpx-vp9), its Opus audio copied as it is, into a
//! new WebM. The original and its logged hash are kept; the copy is a second, smaller file
//! that says what it was made from.
use std::path::Path;

use ffmpeg::format::Pixel;
use ffmpeg::software::scaling::{context::Context as Scaler, flag::Flags};
use ffmpeg::{Dictionary, Packet, Rational, codec, encoder, format, frame, media};
use ffmpeg_next as ffmpeg;

/// What a re-encode made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reencoded {
    pub video_frames: u64,
    pub audio_packets: u64,
}

/// Re-encodes the WebM at `input` into `output` (VP9 video at `video_kbps`, audio copied).
pub fn to_vp9(input: &Path, output: &Path, video_kbps: u32) -> Result<Reencoded, ffmpeg::Error> {
    crate::thumbnails::init()?;
    let mut ictx = format::input(&input)?;
    let mut octx = format::output_as(&output, "webm")?;
    let ist = ictx.streams().best(media::Type::Video).ok_or(ffmpeg::Error::StreamNotFound)?;
    let (v_in, v_tb) = (ist.index(), ist.time_base());
    let mut decoder = codec::context::Context::from_parameters(ist.parameters())?.decoder().video()?;
    let vp9 = encoder::find_by_name("libvpx-vp9").ok_or(ffmpeg::Error::EncoderNotFound)?;
    let (width, height) = (decoder.width(), decoder.height());
    let mut enc = codec::context::Context::new_with_codec(vp9).encoder().video()?;
    enc.set_width(width);
    enc.set_height(height);
    enc.set_format(Pixel::YUV420P);
    enc.set_time_base(v_tb);
    enc.set_bit_rate(video_kbps.clamp(50, 5_000) as usize * 1000);
    if octx.format().flags().contains(format::Flags::GLOBAL_HEADER) {
        enc.set_flags(codec::Flags::GLOBAL_HEADER);
    }
    let mut opts = Dictionary::new();
    opts.set("deadline", "good");
    opts.set("cpu-used", "4");
    opts.set("row-mt", "1");
    // One core: the archive's housekeeping must not take the live exams' cores.
    opts.set("threads", "1");
    let mut enc = enc.open_as_with(vp9, opts)?;
    let v_out = {
        let mut ost = octx.add_stream(vp9)?;
        ost.set_parameters(&enc);
        ost.index()
    };
    let audio = ictx.streams().best(media::Type::Audio).map(|a| (a.index(), a.time_base(), a.parameters()));
    let a_out = match &audio {
        Some((_, _, params)) => {
            let mut ost = octx.add_stream(encoder::find(codec::Id::None))?;
            // From WebM to WebM: the input's codec tag (none) is right for the output as it is.
            ost.set_parameters(params.clone());
            Some(ost.index())
        }
        None => None,
    };
    octx.write_header()?;
    let tb = |i: usize, octx: &format::context::Output| octx.stream(i).map(|s| s.time_base()).unwrap_or(Rational(1, 1000));
    let (v_out_tb, a_out_tb) = (tb(v_out, &octx), a_out.map(|i| tb(i, &octx)));
    let mut done = Reencoded { video_frames: 0, audio_packets: 0 };
    let mut scaler: Option<(Scaler, u32, u32, Pixel)> = None;
    let mut decoded = frame::Video::empty();
    let drain = |enc: &mut encoder::Video, octx: &mut format::context::Output| -> Result<(), ffmpeg::Error> {
        let mut out = Packet::empty();
        while enc.receive_packet(&mut out).is_ok() {
            out.set_stream(v_out);
            out.rescale_ts(v_tb, v_out_tb);
            out.write_interleaved(octx)?;
        }
        Ok(())
    };
    let mut encode = |frame: &frame::Video, enc: &mut encoder::Video, octx: &mut format::context::Output, done: &mut Reencoded| -> Result<(), ffmpeg::Error> {
        let pts = frame.timestamp();
        if frame.width() == width && frame.height() == height && frame.format() == Pixel::YUV420P {
            let mut f = frame.clone();
            f.set_pts(pts);
            f.set_kind(ffmpeg::picture::Type::None);
            enc.send_frame(&f)?;
        } else {
            // The camera changed size mid-stream: scaled to the size the file began with.
            let shape = (frame.width(), frame.height(), frame.format());
            if scaler.as_ref().map(|(_, w, h, p)| (*w, *h, *p)) != Some(shape) {
                scaler = Some((Scaler::get(shape.2, shape.0, shape.1, Pixel::YUV420P, width, height, Flags::BILINEAR)?, shape.0, shape.1, shape.2));
            }
            let mut f = frame::Video::empty();
            if let Some((s, ..)) = scaler.as_mut() {
                s.run(frame, &mut f)?;
            }
            f.set_pts(pts);
            enc.send_frame(&f)?;
        }
        done.video_frames += 1;
        drain(enc, octx)
    };
    for (stream, mut packet) in ictx.packets() {
        if stream.index() == v_in {
            if decoder.send_packet(&packet).is_err() {
                continue; // a damaged packet: the next keyframe recovers
            }
            while decoder.receive_frame(&mut decoded).is_ok() {
                encode(&decoded, &mut enc, &mut octx, &mut done)?;
            }
        } else if let (Some((a_in, a_tb, _)), Some(a_out), Some(a_out_tb)) = (&audio, a_out, a_out_tb)
            && stream.index() == *a_in
        {
            packet.rescale_ts(*a_tb, a_out_tb);
            packet.set_position(-1);
            packet.set_stream(a_out);
            packet.write_interleaved(&mut octx)?;
            done.audio_packets += 1;
        }
    }
    decoder.send_eof()?;
    while decoder.receive_frame(&mut decoded).is_ok() {
        encode(&decoded, &mut enc, &mut octx, &mut done)?;
    }
    enc.send_eof()?;
    drain(&mut enc, &mut octx)?;
    octx.write_trailer()?;
    Ok(done)
}
