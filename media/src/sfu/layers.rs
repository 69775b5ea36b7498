//! Thinning a VP8 stream to its lower temporal layers for a proctor's small tiles.
//!
//! The candidate's browser encodes the camera with temporal layers (`L1T2`): every other frame
//! is in layer 1 and no frame refers to one, so dropping layer 1 leaves a stream at half the
//! frame rate that still decodes. What is forwarded must look like a whole stream to the
//! viewer's browser: sequence numbers without gaps (otherwise it asks for the "lost" packets
//! again and waits for them) and picture ids without gaps. A stream without temporal layer
//! information (no T bit in its descriptors) is forwarded whole.
//!
//! RFC 7741 §4.2, the payload descriptor:
//! ```text
//!  X|R|N|S|R|PID      then, when X:  I|L|T|K|RSV
//!  [M + picture id, 7 or 15 bits]    when I
//!  [TL0PICIDX]                       when L
//!  [TID(2)|Y|KEYIDX(5)]              when T or K
//! ```

/// The parts of a descriptor the thinner needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vp8Layering {
    /// S set and partition 0: the packet starts a frame.
    pub starts_frame: bool,
    /// The picture id, its width in bits (7 or 15) and the byte where it starts.
    pub picture_id: Option<(u16, u8, usize)>,
    /// The temporal layer, when the sender gives one.
    pub temporal: Option<u8>,
}

pub fn parse(p: &[u8]) -> Option<Vp8Layering> {
    let first = *p.first()?;
    let starts_frame = first & 0x10 != 0 && first & 0x07 == 0;
    let mut layering = Vp8Layering { starts_frame, picture_id: None, temporal: None };
    if first & 0x80 == 0 {
        return Some(layering);
    }
    let x = *p.get(1)?;
    let mut at = 2;
    if x & 0x80 != 0 {
        let b = *p.get(at)?;
        if b & 0x80 != 0 {
            let id = (u16::from(b & 0x7F) << 8) | u16::from(*p.get(at + 1)?);
            layering.picture_id = Some((id, 15, at));
            at += 2;
        } else {
            layering.picture_id = Some((u16::from(b), 7, at));
            at += 1;
        }
    }
    if x & 0x40 != 0 {
        at += 1;
    }
    if x & 0x20 != 0 {
        layering.temporal = Some(p.get(at)? >> 6);
    }
    Some(layering)
}

/// What to do with one packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Forward it under this sequence number; with a new payload when its picture id changed.
    Forward {
        seq: u16,
        payload: Option<Vec<u8>>,
    },
    Drop,
}

/// Per viewer and track: keeps the highest temporal layer `max_layer` and below.
#[derive(Debug, Clone)]
pub struct TemporalThinner {
    max_layer: u8,
    /// Packets dropped so far: taken off every later sequence number.
    seq_gap: u16,
    /// Frames dropped so far: taken off every later picture id.
    pictures_gap: u16,
    /// Whether the frame being dropped is still arriving (its later packets are dropped too).
    dropping_frame: bool,
}

impl TemporalThinner {
    pub fn new(max_layer: u8) -> TemporalThinner {
        TemporalThinner { max_layer, seq_gap: 0, pictures_gap: 0, dropping_frame: false }
    }

    pub fn thin(&mut self, seq: u16, payload: &[u8]) -> Verdict {
        let Some(layering) = parse(payload) else {
            // Not a VP8 descriptor we can read: pass it on rather than guess.
            return Verdict::Forward { seq: seq.wrapping_sub(self.seq_gap), payload: None };
        };
        let drop = match layering.temporal {
            Some(t) => t > self.max_layer,
            // Continuation packets of a frame need not repeat T; they follow their frame.
            None => !layering.starts_frame && self.dropping_frame,
        };
        if layering.starts_frame {
            self.dropping_frame = drop;
            if drop {
                self.pictures_gap = self.pictures_gap.wrapping_add(1);
            }
        }
        if drop {
            self.seq_gap = self.seq_gap.wrapping_add(1);
            return Verdict::Drop;
        }
        let payload = match layering.picture_id {
            Some((id, bits, at)) if self.pictures_gap != 0 => {
                let mut out = payload.to_vec();
                if bits == 15 {
                    let new = id.wrapping_sub(self.pictures_gap) & 0x7FFF;
                    out[at] = 0x80 | (new >> 8) as u8;
                    out[at + 1] = (new & 0xFF) as u8;
                } else {
                    out[at] = (id.wrapping_sub(self.pictures_gap) & 0x7F) as u8;
                }
                Some(out)
            }
            _ => None,
        };
        Verdict::Forward { seq: seq.wrapping_sub(self.seq_gap), payload }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A packet as Chrome sends VP8 with temporal layers: 15-bit picture id, TL0PICIDX, TID.
    fn packet(start: bool, picture: u16, tl0: u8, tid: u8) -> Vec<u8> {
        vec![0x80 | if start { 0x10 } else { 0 }, 0xE0, 0x80 | (picture >> 8) as u8, picture as u8, tl0, tid << 6, 0xAA]
    }

    #[test]
    fn descriptors_are_read() {
        let l = parse(&packet(true, 300, 9, 1)).unwrap_or_else(|| panic!("parses"));
        assert_eq!(l, Vp8Layering { starts_frame: true, picture_id: Some((300, 15, 2)), temporal: Some(1) });
        let short = parse(&[0x90, 0xA0, 0x05, 0x40, 0xAA]).unwrap_or_else(|| panic!("parses"));
        assert_eq!(short, Vp8Layering { starts_frame: true, picture_id: Some((5, 7, 2)), temporal: Some(1) });
        assert_eq!(parse(&[0x10, 0xAA]).map(|l| (l.starts_frame, l.temporal)), Some((true, None)));
        assert_eq!(parse(&[0x80]), None);
        assert_eq!(parse(&[0x80, 0x80, 0x85]), None, "a 15-bit picture id cut short");
    }

    #[test]
    fn the_upper_layer_is_dropped_and_what_is_left_has_no_gaps() {
        let mut thin = TemporalThinner::new(0);
        let mut seq = 65_530u16;
        let (mut seqs, mut pictures) = (Vec::new(), Vec::new());
        // Ten frames of two packets each, alternating layers 0 and 1; sequence numbers wrap.
        for frame in 0..10u16 {
            for part in 0..2 {
                let p = packet(part == 0, 32_765 + frame, (frame / 2) as u8, (frame % 2) as u8);
                if let Verdict::Forward { seq: out, payload } = thin.thin(seq, &p) {
                    let p = payload.unwrap_or(p);
                    seqs.push(out);
                    if part == 0 {
                        pictures.push(parse(&p).and_then(|l| l.picture_id).map(|(id, _, _)| id));
                    }
                }
                seq = seq.wrapping_add(1);
            }
        }
        assert_eq!(seqs, (0..10u16).map(|i| 65_530u16.wrapping_add(i)).collect::<Vec<_>>());
        // Picture ids count on by one per forwarded frame, wrapping at 15 bits.
        assert_eq!(pictures, vec![Some(32_765), Some(32_766), Some(32_767), Some(0), Some(1)]);
    }

    #[test]
    fn continuation_packets_without_t_follow_their_frame() {
        let mut thin = TemporalThinner::new(0);
        let upper_start = packet(true, 1, 0, 1);
        assert_eq!(thin.thin(10, &upper_start), Verdict::Drop);
        assert_eq!(thin.thin(11, &[0x00, 0xAA]), Verdict::Drop);
        assert_eq!(thin.thin(12, &packet(true, 2, 1, 0)), Verdict::Forward { seq: 10, payload: Some(packet(true, 1, 1, 0)) });
        assert_eq!(thin.thin(13, &[0x00, 0xAA]), Verdict::Forward { seq: 11, payload: None });
    }

    #[test]
    fn a_stream_without_layers_is_forwarded_whole() {
        let mut thin = TemporalThinner::new(0);
        for seq in 0..20u16 {
            let p = if seq % 3 == 0 { vec![0x10, 0xAA] } else { vec![0x00, 0xAA] };
            assert_eq!(thin.thin(seq, &p), Verdict::Forward { seq, payload: None });
        }
        let mut all = TemporalThinner::new(2);
        assert_eq!(all.thin(5, &packet(true, 7, 0, 1)), Verdict::Forward { seq: 5, payload: None });
    }
}
