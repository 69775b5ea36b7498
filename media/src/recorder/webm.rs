//! A live WebM writer: the header first, then clusters of blocks as frames arrive, flushed at
//! every cluster so a killed process loses at most about a second. The Segment and Clusters
//! have unknown sizes (as live WebM does); closing the file writes the real duration and the
//! video size seen in the first keyframe into places reserved for them.
use std::io::{self, Seek, SeekFrom, Write};

use super::ebml;

/// What a track carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Vp8,
    Opus,
}

/// A new cluster starts at least this often (ms), and at a video keyframe after half of it.
const CLUSTER_MS: i64 = 1000;

/// Places in the file to fill in later.
#[derive(Debug, Default)]
struct Reserved {
    duration: u64,
    /// Per track: where its PixelWidth payload is (PixelHeight follows 3 bytes later).
    size: Vec<Option<u64>>,
}

pub struct WebmWriter<W: Write + Seek> {
    out: W,
    codecs: Vec<Codec>,
    reserved: Reserved,
    size_known: Vec<bool>,
    cluster_start: Option<i64>,
    max_ts: i64,
    blocks: u64,
}

impl<W: Write + Seek> std::fmt::Debug for WebmWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebmWriter").field("codecs", &self.codecs).field("blocks", &self.blocks).finish()
    }
}

/// The OpusHead Matroska wants as CodecPrivate for Opus (RFC 7845): stereo, 48 kHz.
fn opus_head() -> Vec<u8> {
    let mut v = b"OpusHead".to_vec();
    v.push(1); // version
    v.push(2); // channels
    v.extend_from_slice(&0u16.to_le_bytes()); // pre-skip
    v.extend_from_slice(&48_000u32.to_le_bytes());
    v.extend_from_slice(&0i16.to_le_bytes()); // output gain
    v.push(0); // channel mapping family
    v
}

impl<W: Write + Seek> WebmWriter<W> {
    /// Writes the header for these tracks (numbered from 1 in this order).
    pub fn new(mut out: W, codecs: &[Codec], app: &str) -> io::Result<Self> {
        let mut head = Vec::new();
        ebml::master(&mut head, 0x1A45_DFA3, |h| {
            ebml::uint(h, 0x4286, 1);
            ebml::uint(h, 0x42F7, 1);
            ebml::uint(h, 0x42F2, 4);
            ebml::uint(h, 0x42F3, 8);
            ebml::string(h, 0x4282, "webm");
            ebml::uint(h, 0x4287, 4);
            ebml::uint(h, 0x4285, 2);
        });
        ebml::id(&mut head, 0x1853_8067);
        head.extend_from_slice(&ebml::UNKNOWN_SIZE);
        let mut reserved = Reserved::default();
        // Info, with a Duration to fill in at the end (an 8-byte float).
        let mut info = Vec::new();
        ebml::uint(&mut info, 0x2A_D7B1, 1_000_000); // timestamps in milliseconds
        ebml::string(&mut info, 0x4D80, app);
        ebml::string(&mut info, 0x5741, app);
        let duration_in_info = info.len() as u64 + 3; // id (2 bytes) + size (1 byte)
        ebml::float(&mut info, 0x4489, 0.0);
        ebml::id(&mut head, 0x1549_A966);
        ebml::size(&mut head, info.len() as u64);
        reserved.duration = head.len() as u64 + duration_in_info;
        head.extend_from_slice(&info);
        // Tracks; video sizes are reserved as two-byte values.
        let mut tracks = Vec::new();
        let mut size_offsets = Vec::new();
        for (i, codec) in codecs.iter().enumerate() {
            let n = i as u64 + 1;
            let mut entry = Vec::new();
            ebml::uint(&mut entry, 0xD7, n);
            ebml::uint(&mut entry, 0x73C5, n);
            ebml::uint(&mut entry, 0x9C, 0);
            match codec {
                Codec::Vp8 => {
                    ebml::uint(&mut entry, 0x83, 1);
                    ebml::string(&mut entry, 0x86, "V_VP8");
                    // Video { PixelWidth (2 bytes), PixelHeight (2 bytes) }: 0xE0 0x88, then
                    // 0xB0 0x82 w w 0xBA 0x82 h h.
                    entry.extend_from_slice(&[0xE0, 0x88]);
                    let at = entry.len() as u64 + 2;
                    entry.extend_from_slice(&[0xB0, 0x82, 0x02, 0x80, 0xBA, 0x82, 0x01, 0xE0]);
                    size_offsets.push(Some((tracks.len(), at)));
                }
                Codec::Opus => {
                    ebml::uint(&mut entry, 0x83, 2);
                    ebml::string(&mut entry, 0x86, "A_OPUS");
                    ebml::element(&mut entry, 0x63A2, &opus_head());
                    ebml::uint(&mut entry, 0x56AA, 6_500_000); // codec delay, ns
                    ebml::uint(&mut entry, 0x56BB, 80_000_000); // seek pre-roll, ns
                    ebml::master(&mut entry, 0xE1, |a| {
                        ebml::float(a, 0xB5, 48_000.0);
                        ebml::uint(a, 0x9F, 2);
                    });
                    size_offsets.push(None);
                }
            }
            // Each entry: 0xAE, its size, then the entry; remember where the entry starts.
            let mut framed = vec![0xAE];
            ebml::size(&mut framed, entry.len() as u64);
            let entry_start = tracks.len() + framed.len();
            if let Some(Some((_, at))) = size_offsets.last_mut().map(|o| o.as_mut()) {
                *at += entry_start as u64;
            }
            framed.extend_from_slice(&entry);
            tracks.extend_from_slice(&framed);
        }
        ebml::id(&mut head, 0x1654_AE6B);
        ebml::size(&mut head, tracks.len() as u64);
        let tracks_start = head.len() as u64;
        head.extend_from_slice(&tracks);
        reserved.size = size_offsets.into_iter().map(|o| o.map(|(_, at)| tracks_start + at)).collect();
        out.write_all(&head)?;
        out.flush()?;
        Ok(WebmWriter { out, codecs: codecs.to_vec(), reserved, size_known: vec![false; codecs.len()], cluster_start: None, max_ts: 0, blocks: 0 })
    }

    /// Writes one frame of `track` (from 0) at `ts_ms` on the file's timeline.
    pub fn write_frame(&mut self, track: usize, ts_ms: i64, keyframe: bool, data: &[u8]) -> io::Result<()> {
        let Some(codec) = self.codecs.get(track).copied() else {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "no such track"));
        };
        let ts_ms = ts_ms.max(0);
        if codec == Codec::Vp8
            && keyframe
            && !self.size_known[track]
            && let Some((w, h)) = vp8_keyframe_size(data)
        {
            self.patch_size(track, w, h)?;
        }
        let rel = self.cluster_start.map(|c| ts_ms - c);
        let new_cluster = match rel {
            None => true,
            Some(r) => r < i64::from(i16::MIN) || r > CLUSTER_MS || (codec == Codec::Vp8 && keyframe && r > CLUSTER_MS / 2),
        };
        if new_cluster {
            // What is written so far reaches the disk before the next cluster begins.
            self.out.flush()?;
            let mut c = Vec::new();
            ebml::id(&mut c, 0x1F43_B675);
            c.extend_from_slice(&ebml::UNKNOWN_SIZE);
            ebml::uint(&mut c, 0xE7, ts_ms as u64);
            self.out.write_all(&c)?;
            self.cluster_start = Some(ts_ms);
        }
        let rel = (ts_ms - self.cluster_start.unwrap_or(ts_ms)) as i16;
        let mut block = Vec::with_capacity(data.len() + 16);
        ebml::id(&mut block, 0xA3);
        ebml::size(&mut block, data.len() as u64 + 4);
        block.push(0x80 | (track as u8 + 1));
        block.extend_from_slice(&rel.to_be_bytes());
        block.push(if keyframe || codec == Codec::Opus { 0x80 } else { 0x00 });
        block.extend_from_slice(data);
        self.out.write_all(&block)?;
        self.max_ts = self.max_ts.max(ts_ms);
        self.blocks += 1;
        Ok(())
    }

    fn patch_size(&mut self, track: usize, w: u16, h: u16) -> io::Result<()> {
        let Some(Some(at)) = self.reserved.size.get(track).copied() else {
            return Ok(());
        };
        self.out.flush()?;
        let end = self.out.stream_position()?;
        self.out.seek(SeekFrom::Start(at))?;
        self.out.write_all(&w.to_be_bytes())?;
        self.out.seek(SeekFrom::Start(at + 4))?;
        self.out.write_all(&h.to_be_bytes())?;
        self.out.seek(SeekFrom::Start(end))?;
        self.size_known[track] = true;
        Ok(())
    }

    /// Milliseconds from the first to the last frame written.
    pub fn duration_ms(&self) -> i64 {
        self.max_ts
    }

    pub fn blocks(&self) -> u64 {
        self.blocks
    }

    /// Writes the duration (the last frame's time plus `last_frame_ms`) and flushes.
    pub fn finish(mut self, last_frame_ms: i64) -> io::Result<W> {
        self.out.flush()?;
        let end = self.out.stream_position()?;
        self.out.seek(SeekFrom::Start(self.reserved.duration))?;
        self.out.write_all(&((self.max_ts + last_frame_ms) as f64).to_be_bytes())?;
        self.out.seek(SeekFrom::Start(end))?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Width and height from a VP8 keyframe's header (RFC 6386 §9.1), scaling bits dropped.
pub fn vp8_keyframe_size(frame: &[u8]) -> Option<(u16, u16)> {
    if frame.len() < 10 || frame[0] & 1 != 0 || frame[3..6] != [0x9D, 0x01, 0x2A] {
        return None;
    }
    let w = u16::from_le_bytes([frame[6], frame[7]]) & 0x3FFF;
    let h = u16::from_le_bytes([frame[8], frame[9]]) & 0x3FFF;
    Some((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn keyframe(w: u16, h: u16) -> Vec<u8> {
        let mut f = vec![0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A];
        f.extend_from_slice(&w.to_le_bytes());
        f.extend_from_slice(&h.to_le_bytes());
        f.extend_from_slice(&[0; 20]);
        f
    }

    #[test]
    fn the_header_reserves_size_and_duration_and_they_are_filled_in() {
        let mut w = WebmWriter::new(Cursor::new(Vec::new()), &[Codec::Vp8, Codec::Opus], "test").expect("header");
        w.write_frame(0, 0, true, &keyframe(320, 240)).expect("frame");
        w.write_frame(1, 10, true, &[0xFC, 0x01]).expect("audio");
        w.write_frame(0, 1500, false, &[0x11, 0, 0]).expect("delta");
        let bytes = w.finish(40).expect("finish").into_inner();
        assert_eq!(&bytes[..4], &[0x1A, 0x45, 0xDF, 0xA3]);
        let find = |pat: &[u8]| bytes.windows(pat.len()).position(|x| x == pat);
        assert!(find(b"V_VP8").is_some() && find(b"A_OPUS").is_some() && find(b"OpusHead").is_some());
        assert!(find(&[0xB0, 0x82, 0x01, 0x40, 0xBA, 0x82, 0x00, 0xF0]).is_some(), "320x240 written over the placeholder");
        let d = find(&[0x44, 0x89, 0x88]).expect("duration element") + 3;
        let duration = f64::from_be_bytes(bytes[d..d + 8].try_into().expect("8 bytes"));
        assert_eq!(duration, 1540.0);
        // Two clusters: the second starts after a second.
        assert_eq!(bytes.windows(4).filter(|x| *x == [0x1F, 0x43, 0xB6, 0x75]).count(), 2);
    }

    #[test]
    fn keyframe_sizes_are_read_and_others_ignored() {
        assert_eq!(vp8_keyframe_size(&keyframe(640, 480)), Some((640, 480)));
        assert_eq!(vp8_keyframe_size(&[0x11, 0, 0, 0x9D, 0x01, 0x2A, 0, 0, 0, 0]), None, "an interframe");
        assert_eq!(vp8_keyframe_size(&[0x10]), None);
    }
}
