//! The assembler: order, unwrapping, VP8 reassembly, and the bounds on what it holds.
use super::*;

/// A VP8 frame split into packets with a minimal descriptor.
fn packets(frame: &[u8], chunk: usize) -> Vec<(bool, Vec<u8>)> {
    let parts: Vec<&[u8]> = frame.chunks(chunk).collect();
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let mut p = vec![if i == 0 { 0x10 } else { 0x00 }];
            p.extend_from_slice(part);
            (i + 1 == parts.len(), p)
        })
        .collect()
}

fn key() -> Vec<u8> {
    let mut f = vec![0x10, 0, 0, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01];
    f.extend(0..200u8);
    f
}

fn delta(n: u8) -> Vec<u8> {
    let mut f = vec![0x11, 0, 0];
    f.extend(std::iter::repeat_n(n, 150));
    f
}

#[test]
fn frames_come_back_whole_and_in_order_despite_reordering() {
    let mut a = Assembler::new(Codec::Vp8);
    let mut seq = 65_530u16; // wraps during the test
    let mut all = Vec::new();
    for (i, frame) in [key(), delta(1), delta(2)].iter().enumerate() {
        for (marker, p) in packets(frame, 60) {
            all.push((seq, (3000 * i as u32).wrapping_add(u32::MAX - 4000), marker, p));
            seq = seq.wrapping_add(1);
        }
    }
    all.swap(1, 2);
    all.swap(5, 7);
    let mut frames = Vec::new();
    for (s, ts, m, p) in &all {
        frames.extend(a.push(*s, *ts, *m, p));
    }
    assert_eq!(frames.len(), 3);
    assert_eq!((frames[0].keyframe, frames[0].data.clone()), (true, key()));
    assert_eq!(frames[2].data, delta(2));
    // The 32-bit timestamp wrapped between frames and still goes up by 3000.
    assert_eq!(frames[2].rtp_ts - frames[1].rtp_ts, 3000);
    assert_eq!((a.lost, a.late), (0, 0));
}

#[test]
fn a_lost_packet_drops_its_frame_and_waits_for_a_keyframe() {
    let mut a = Assembler::new(Codec::Vp8);
    let mut seq = 0u16;
    let mut frames = Vec::new();
    let stream = [key(), delta(1), delta(2), key(), delta(3)];
    for (i, frame) in stream.iter().enumerate() {
        for (j, (marker, p)) in packets(frame, 60).into_iter().enumerate() {
            // The second packet of the first delta frame never arrives.
            if !(i == 1 && j == 1) {
                frames.extend(a.push(seq, 3000 * i as u32, marker, &p));
            }
            seq += 1;
        }
        // Enough later packets to give the lost one up.
    }
    for k in 0..60u16 {
        frames.extend(a.push(seq + k, 90_000, false, &[0x00, 0x11]));
    }
    assert_eq!(a.lost, 1);
    assert!(a.want_keyframe);
    let kinds: Vec<bool> = frames.iter().map(|f| f.keyframe).collect();
    assert_eq!(kinds, [true, true, false], "the broken frame and the delta after it are dropped");
}

#[test]
fn opus_packets_are_frames_and_waits_start_without_a_keyframe() {
    let mut a = Assembler::new(Codec::Opus);
    assert_eq!(a.push(10, 960, true, &[1, 2, 3]), vec![Frame { rtp_ts: 960, keyframe: true, data: vec![1, 2, 3] }]);
    assert!(a.push(10, 960, true, &[1, 2, 3]).is_empty(), "a duplicate");
    assert_eq!(a.late, 1);
}

#[test]
fn descriptors_with_extensions_are_skipped() {
    // X set, I set with a 15-bit picture id, then the payload.
    assert_eq!(vp8_descriptor(&[0x90, 0x80, 0x81, 0x23, 0xAA]), Some((true, 4)));
    assert_eq!(vp8_descriptor(&[0x00, 0xAA]), Some((false, 1)));
    assert_eq!(vp8_descriptor(&[0x90]), None);
}

/// Sends `frame` as packets from `seq` on, returning what the assembler gave back.
fn send(a: &mut Assembler, seq: &mut u16, ts: u32, frame: &[u8]) -> Vec<Frame> {
    let mut out = Vec::new();
    for (marker, p) in packets(frame, 1000) {
        out.extend(a.push(*seq, ts, marker, &p));
        *seq = seq.wrapping_add(1);
    }
    out
}

#[test]
fn a_frame_that_never_ends_is_bounded_dropped_and_a_keyframe_asked_for() {
    let mut a = Assembler::new(Codec::Vp8);
    let mut seq = 0u16;
    assert_eq!(send(&mut a, &mut seq, 0, &key()).len(), 1);
    a.want_keyframe = false;
    // 10,000 packets of 1,200 bytes, one timestamp, no marker: 12 MB if nothing stopped it.
    let mut p = vec![0x00u8; 1200];
    for i in 0..10_000 {
        p[0] = if i == 0 { 0x10 } else { 0x00 };
        assert!(a.push(seq, 3000, false, &p).is_empty());
        seq = seq.wrapping_add(1);
        assert!(a.buffered_bytes() <= MAX_FRAME_BYTES, "{} bytes held after {i} packets", a.buffered_bytes());
    }
    assert_eq!(a.oversized, 1);
    assert!(a.want_keyframe, "the recorder asks for a keyframe");
    assert_eq!(a.buffered_bytes(), 0, "the partial frame is freed");
    // The next keyframe starts afresh and comes back whole; the stream goes on from it.
    a.want_keyframe = false;
    let frames = send(&mut a, &mut seq, 6000, &key());
    assert_eq!(frames, vec![Frame { rtp_ts: 6000, keyframe: true, data: key() }]);
    assert_eq!(send(&mut a, &mut seq, 9000, &delta(4)).len(), 1);
    assert!(!a.want_keyframe);
    assert_eq!(a.lost, 0);
}

#[test]
fn a_frame_of_too_many_packets_is_dropped_too() {
    let mut a = Assembler::new(Codec::Vp8);
    let mut seq = 0u16;
    send(&mut a, &mut seq, 0, &key());
    a.want_keyframe = false;
    // Tiny packets: far under the byte bound, over the packet bound (4,096).
    for i in 0..5_000 {
        assert!(a.push(seq, 3000, false, &[if i == 0 { 0x10 } else { 0x00 }, 0x11]).is_empty());
        seq = seq.wrapping_add(1);
    }
    // Its marker comes at last: the frame stays dropped.
    assert!(a.push(seq, 3000, true, &[0x00, 0x11]).is_empty());
    seq = seq.wrapping_add(1);
    assert_eq!((a.oversized, a.want_keyframe), (1, true));
    assert!(send(&mut a, &mut seq, 6000, &delta(1)).is_empty(), "deltas wait for a keyframe");
    assert_eq!(send(&mut a, &mut seq, 9000, &key()).len(), 1);
}

#[test]
fn a_new_timestamp_without_a_marker_drops_the_old_frame_instead_of_merging() {
    let mut a = Assembler::new(Codec::Vp8);
    let mut seq = 0u16;
    send(&mut a, &mut seq, 0, &key());
    a.want_keyframe = false;
    // The first half of a delta frame, then a packet of another timestamp, with the marker,
    // that does not start a frame: neither is written, nor the two joined.
    let half = packets(&delta(1), 60);
    for (_, p) in &half[..2] {
        assert!(a.push(seq, 3000, false, p).is_empty());
        seq = seq.wrapping_add(1);
    }
    assert!(a.push(seq, 6000, true, &[0x00, 0x22, 0x22]).is_empty());
    seq = seq.wrapping_add(1);
    assert_eq!((a.unfinished, a.want_keyframe), (1, true));
    // Again, the next frame starting this time: the unfinished one goes, and so does this
    // delta that refers to it.
    a.want_keyframe = false;
    assert!(a.push(seq, 9000, false, &half[0].1).is_empty());
    seq = seq.wrapping_add(1);
    assert!(send(&mut a, &mut seq, 12_000, &delta(2)).is_empty());
    assert_eq!((a.unfinished, a.want_keyframe), (2, true));
    assert_eq!(send(&mut a, &mut seq, 15_000, &key()), vec![Frame { rtp_ts: 15_000, keyframe: true, data: key() }]);
}

#[test]
fn a_lost_last_packet_drops_its_frame_and_waits_for_a_keyframe() {
    let mut a = Assembler::new(Codec::Vp8);
    let mut seq = 0u16;
    let mut frames = send(&mut a, &mut seq, 0, &key());
    // A delta frame whose marker packet never arrives, then enough frames to give it up.
    let parts = packets(&delta(1), 60);
    for (_, p) in &parts[..parts.len() - 1] {
        frames.extend(a.push(seq, 3000, false, p));
        seq = seq.wrapping_add(1);
    }
    seq = seq.wrapping_add(1);
    for n in 0..60u32 {
        frames.extend(send(&mut a, &mut seq, 6000 + 3000 * n, &delta(2)));
    }
    assert_eq!(a.lost, 1);
    assert!(a.want_keyframe);
    assert_eq!(frames.len(), 1, "only the first keyframe: the deltas after the broken frame refer to it");
}

#[test]
fn what_waits_behind_gaps_is_bounded_by_the_window() {
    let mut a = Assembler::new(Codec::Vp8);
    // Every other packet missing, 10,000 large ones: each gap holds packets until the window.
    let p = vec![0x00u8; 1200];
    let mut most = 0;
    for i in 0..10_000u16 {
        a.push(i.wrapping_mul(2), 3000, false, &p);
        most = most.max(a.buffered_bytes());
    }
    assert!(most > 0 && most <= REORDER_WINDOW as usize * p.len(), "{most} bytes held");
    assert!(a.lost > 9_000);
}
