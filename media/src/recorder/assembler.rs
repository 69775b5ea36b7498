//! From RTP packets to whole frames: packets put back in order (a small window), sequence
//! numbers and timestamps unwrapped past their 16- and 32-bit limits, VP8 frames rebuilt from
//! their fragments (RFC 7741), Opus packets passed as they are. Frames broken by a lost packet
//! are dropped, and VP8 waits for the next keyframe after one, asking for it.
use std::collections::BTreeMap;

use super::webm::Codec;

/// How many packets may wait for a missing one before it is given up as lost.
const REORDER_WINDOW: u64 = 48;

/// One frame ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// RTP timestamp, unwrapped (continues past 2^32).
    pub rtp_ts: i64,
    pub keyframe: bool,
    pub data: Vec<u8>,
}

#[derive(Debug)]
pub struct Assembler {
    codec: Codec,
    pending: BTreeMap<u64, (u32, bool, Vec<u8>)>,
    next_seq: Option<u64>,
    highest_seq: Option<u64>,
    last_ts: Option<(u32, i64)>,
    frame: Vec<u8>,
    frame_ts: Option<u32>,
    frame_ok: bool,
    waiting_for_keyframe: bool,
    /// Packets never received (given up after the window).
    pub lost: u64,
    /// Packets that came after their place was given up, or twice.
    pub late: u64,
    pub received: u64,
    /// Set when a keyframe should be asked for (a VP8 frame was lost); the caller clears it.
    pub want_keyframe: bool,
}

impl Assembler {
    pub fn new(codec: Codec) -> Assembler {
        Assembler {
            codec,
            pending: BTreeMap::new(),
            next_seq: None,
            highest_seq: None,
            last_ts: None,
            frame: Vec::new(),
            frame_ts: None,
            frame_ok: false,
            waiting_for_keyframe: codec == Codec::Vp8,
            lost: 0,
            late: 0,
            received: 0,
            want_keyframe: false,
        }
    }

    fn extend_seq(&mut self, seq: u16) -> u64 {
        let Some(high) = self.highest_seq else {
            // Start high enough that a packet reordered before the first does not underflow.
            let ext = (1u64 << 16) + u64::from(seq);
            self.highest_seq = Some(ext);
            return ext;
        };
        let cycle = high & !0xFFFF;
        let candidates = [cycle.wrapping_sub(1 << 16) | u64::from(seq), cycle | u64::from(seq), (cycle + (1 << 16)) | u64::from(seq)];
        let ext = candidates.into_iter().min_by_key(|c| c.abs_diff(high)).unwrap_or(cycle | u64::from(seq));
        if ext > high {
            self.highest_seq = Some(ext);
        }
        ext
    }

    fn extend_ts(&mut self, ts: u32) -> i64 {
        let ext = match self.last_ts {
            None => i64::from(ts),
            Some((last, last_ext)) => last_ext + i64::from(ts.wrapping_sub(last) as i32),
        };
        self.last_ts = Some((ts, ext));
        ext
    }

    /// Takes one packet; returns the frames it completes, in order.
    pub fn push(&mut self, seq: u16, ts: u32, marker: bool, payload: &[u8]) -> Vec<Frame> {
        self.received += 1;
        let ext = self.extend_seq(seq);
        let next = *self.next_seq.get_or_insert(ext);
        if ext < next || self.pending.contains_key(&ext) {
            self.late += 1;
            return Vec::new();
        }
        self.pending.insert(ext, (ts, marker, payload.to_vec()));
        let mut out = Vec::new();
        loop {
            let Some(next) = self.next_seq else { break };
            if let Some((ts, marker, payload)) = self.pending.remove(&next) {
                self.next_seq = Some(next + 1);
                self.take(ts, marker, &payload, &mut out);
                continue;
            }
            // A gap: wait, unless too much is waiting behind it.
            let Some((&first, _)) = self.pending.iter().next() else { break };
            if self.highest_seq.unwrap_or(first) - next < REORDER_WINDOW {
                break;
            }
            self.lost += first - next;
            self.next_seq = Some(first);
            self.frame_ok = false;
        }
        out
    }

    fn take(&mut self, ts: u32, marker: bool, payload: &[u8], out: &mut Vec<Frame>) {
        match self.codec {
            Codec::Opus => {
                let rtp_ts = self.extend_ts(ts);
                out.push(Frame { rtp_ts, keyframe: true, data: payload.to_vec() });
            }
            Codec::Vp8 => {
                let Some((start, header)) = vp8_descriptor(payload) else { return };
                if start {
                    self.frame.clear();
                    self.frame_ts = Some(ts);
                    self.frame_ok = true;
                } else if self.frame_ts != Some(ts) {
                    // The frame's first packet is gone.
                    self.frame_ok = false;
                }
                if self.frame_ok {
                    self.frame.extend_from_slice(&payload[header..]);
                }
                if marker {
                    let complete = self.frame_ok && self.frame_ts == Some(ts) && !self.frame.is_empty();
                    let data = std::mem::take(&mut self.frame);
                    self.frame_ts = None;
                    self.frame_ok = false;
                    if !complete {
                        self.waiting_for_keyframe = true;
                        self.want_keyframe = true;
                        return;
                    }
                    let keyframe = data[0] & 1 == 0;
                    if keyframe {
                        self.waiting_for_keyframe = false;
                    }
                    if self.waiting_for_keyframe {
                        self.want_keyframe = true;
                        return;
                    }
                    let rtp_ts = self.extend_ts(ts);
                    out.push(Frame { rtp_ts, keyframe, data });
                }
            }
        }
    }
}

/// The VP8 payload descriptor (RFC 7741 §4.2): whether this packet starts a frame (S set and
/// partition 0), and the descriptor's length.
pub fn vp8_descriptor(p: &[u8]) -> Option<(bool, usize)> {
    let first = *p.first()?;
    let mut len = 1;
    if first & 0x80 != 0 {
        let x = *p.get(1)?;
        len += 1;
        if x & 0x80 != 0 {
            // PictureID: 7 or 15 bits.
            len += if p.get(len)? & 0x80 != 0 { 2 } else { 1 };
        }
        if x & 0x40 != 0 {
            len += 1;
        }
        if x & 0x30 != 0 {
            len += 1;
        }
    }
    if len >= p.len() {
        return None;
    }
    Some((first & 0x10 != 0 && first & 0x0F == 0, len))
}

#[cfg(test)]
mod tests {
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
}
