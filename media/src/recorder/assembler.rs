//! From RTP packets to whole frames: packets put back in order (a small window), sequence
//! numbers and timestamps unwrapped past their 16- and 32-bit limits, VP8 frames rebuilt from
//! their fragments (RFC 7741), Opus packets passed as they are. Frames broken by a lost packet,
//! left without their marker, or grown past `MAX_FRAME_BYTES`/`MAX_FRAME_PACKETS` are dropped,
//! and VP8 waits for the next keyframe after one, asking for it. What is held at any time is
//! bounded whatever the sender does: the reorder window plus one frame.
use std::collections::BTreeMap;

use super::webm::Codec;

/// How many packets may wait for a missing one before it is given up as lost. This also bounds
/// what waits: at most this many packets (each at most one datagram) are held out of order.
const REORDER_WINDOW: u64 = 48;

/// The most payload one frame may gather. The sender decides where a frame ends (the marker
/// bit), so without a limit packets that never set it would grow the frame, and the server's
/// memory, for as long as they come. A 1080p VP8 keyframe is a few hundred kilobytes; 4 MiB is
/// far above any honest frame, and more than the recorder's default burst could write anyway.
pub const MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;

/// The most packets one frame may span, for the same reason: 4,096 packets of a typical
/// 1,200-byte payload are about 4.7 MB, in line with `MAX_FRAME_BYTES`.
pub const MAX_FRAME_PACKETS: usize = 4096;

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
    /// Payload bytes held in `pending`, so `buffered_bytes` need not walk it.
    pending_bytes: usize,
    next_seq: Option<u64>,
    highest_seq: Option<u64>,
    last_ts: Option<(u32, i64)>,
    frame: Vec<u8>,
    frame_packets: usize,
    /// The timestamp of the VP8 frame in progress (whole so far or not), from its first packet
    /// until its marker, or until a packet of another frame shows the marker was never coming.
    frame_ts: Option<u32>,
    /// Whether `frame` holds the frame in progress from its first packet without a hole.
    frame_ok: bool,
    waiting_for_keyframe: bool,
    /// Packets never received (given up after the window).
    pub lost: u64,
    /// Packets that came after their place was given up, or twice.
    pub late: u64,
    pub received: u64,
    /// Frames dropped for going over `MAX_FRAME_BYTES` or `MAX_FRAME_PACKETS`.
    pub oversized: u64,
    /// Frames dropped whole so far because the next frame began before their marker.
    pub unfinished: u64,
    /// Set when a keyframe should be asked for (a VP8 frame was lost); the caller clears it.
    pub want_keyframe: bool,
}

impl Assembler {
    pub fn new(codec: Codec) -> Assembler {
        Assembler {
            codec,
            pending: BTreeMap::new(),
            pending_bytes: 0,
            next_seq: None,
            highest_seq: None,
            last_ts: None,
            frame: Vec::new(),
            frame_packets: 0,
            frame_ts: None,
            frame_ok: false,
            waiting_for_keyframe: codec == Codec::Vp8,
            lost: 0,
            late: 0,
            received: 0,
            oversized: 0,
            unfinished: 0,
            want_keyframe: false,
        }
    }

    /// Memory held for packets and the frame in progress (allocated, not just used).
    pub fn buffered_bytes(&self) -> usize {
        self.frame.capacity() + self.pending_bytes
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
            // Saturating: a sender jumping by 2^31 every packet would otherwise overflow in time.
            Some((last, last_ext)) => last_ext.saturating_add(i64::from(ts.wrapping_sub(last) as i32)),
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
        self.pending_bytes += payload.len();
        let mut out = Vec::new();
        while let Some(next) = self.next_seq {
            if let Some((ts, marker, payload)) = self.pending.remove(&next) {
                self.pending_bytes -= payload.len();
                self.next_seq = Some(next + 1);
                self.take(ts, marker, &payload, &mut out);
                continue;
            }
            // A gap: wait, unless too much is waiting behind it.
            let Some((&first, _)) = self.pending.iter().next() else {
                break;
            };
            if self.highest_seq.unwrap_or(first) - next < REORDER_WINDOW {
                break;
            }
            self.lost += first - next;
            self.next_seq = Some(first);
            // A frame in progress now has a hole: it is dropped, its later packets ignored.
            if self.frame_ok {
                self.drop_frame();
            }
        }
        out
    }

    /// Drops the VP8 frame in progress: its bytes are freed, and since later frames refer to
    /// it, nothing is written until a keyframe, which is asked for. Its later packets are
    /// ignored until the next frame starts (`frame_ts` still says which frame it was, and with
    /// `frame_ok` false that it is already given up, so it is not asked for twice).
    fn drop_frame(&mut self) {
        self.frame = Vec::new();
        self.frame_packets = 0;
        self.frame_ok = false;
        self.waiting_for_keyframe = true;
        self.want_keyframe = true;
    }

    /// Adds a packet's share to the frame in progress, within the bounds.
    fn append(&mut self, part: &[u8]) {
        let len = self.frame.len() + part.len();
        if len > MAX_FRAME_BYTES || self.frame_packets >= MAX_FRAME_PACKETS {
            self.oversized += 1;
            self.drop_frame();
            return;
        }
        if len > self.frame.capacity() {
            // Grow by doubling as `Vec` would, but never past the bound.
            let target = len.max(self.frame.capacity() * 2).min(MAX_FRAME_BYTES);
            self.frame.reserve_exact(target - self.frame.len());
        }
        self.frame.extend_from_slice(part);
        self.frame_packets += 1;
    }

    fn take(&mut self, ts: u32, marker: bool, payload: &[u8], out: &mut Vec<Frame>) {
        match self.codec {
            Codec::Opus => {
                let rtp_ts = self.extend_ts(ts);
                out.push(Frame { rtp_ts, keyframe: true, data: payload.to_vec() });
            }
            Codec::Vp8 => {
                let Some((start, header)) = vp8_descriptor(payload) else {
                    return;
                };
                // A packet of another frame while one is in progress: that one's marker never
                // came (lost, or never sent). It is dropped, not merged into the next.
                if let Some(open) = self.frame_ts
                    && (start || open != ts)
                {
                    if self.frame_ok {
                        self.unfinished += 1;
                        self.drop_frame();
                    }
                    self.frame_ts = None;
                }
                if start {
                    self.frame.clear();
                    self.frame_packets = 0;
                    self.frame_ts = Some(ts);
                    self.frame_ok = true;
                } else if self.frame_ts.is_none() {
                    // The frame's first packet is gone.
                    self.frame_ok = false;
                }
                if self.frame_ok {
                    self.append(&payload[header..]);
                }
                if marker {
                    let complete = self.frame_ok && self.frame_ts == Some(ts) && !self.frame.is_empty();
                    let given_up = !self.frame_ok && self.frame_ts == Some(ts);
                    let data = std::mem::take(&mut self.frame);
                    self.frame_packets = 0;
                    self.frame_ts = None;
                    self.frame_ok = false;
                    if !complete {
                        // Its first packet was lost; or it was dropped already, and asked for.
                        if !given_up {
                            self.drop_frame();
                        }
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
mod tests;
