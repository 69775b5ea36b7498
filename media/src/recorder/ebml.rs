//! Just enough EBML (the binary format under Matroska and WebM) to write a live recording:
//! element ids, sizes as variable-length integers, and the few value kinds WebM uses.

/// The size that says "unknown: until the parent ends" (live Segments and Clusters).
pub const UNKNOWN_SIZE: [u8; 8] = [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

/// An element id as it is written: ids already carry their length marker.
pub fn id(out: &mut Vec<u8>, id: u32) {
    let bytes = id.to_be_bytes();
    let skip = bytes.iter().position(|b| *b != 0).unwrap_or(3);
    out.extend_from_slice(&bytes[skip..]);
}

/// A data size as the shortest EBML variable-length integer (never the all-ones pattern,
/// which means unknown).
pub fn size(out: &mut Vec<u8>, n: u64) {
    for len in 1..=8u32 {
        let max = (1u64 << (7 * len)) - 2;
        if n <= max {
            let marked = n | (1u64 << (7 * len));
            out.extend_from_slice(&marked.to_be_bytes()[(8 - len as usize)..]);
            return;
        }
    }
    // Larger than any recording: written as the 8-byte form anyway.
    out.extend_from_slice(&(n | (1u64 << 56)).to_be_bytes());
}

/// An element with the given payload.
pub fn element(out: &mut Vec<u8>, element_id: u32, payload: &[u8]) {
    id(out, element_id);
    size(out, payload.len() as u64);
    out.extend_from_slice(payload);
}

pub fn uint(out: &mut Vec<u8>, element_id: u32, v: u64) {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().position(|b| *b != 0).unwrap_or(7);
    element(out, element_id, &bytes[skip..]);
}

pub fn float(out: &mut Vec<u8>, element_id: u32, v: f64) {
    element(out, element_id, &v.to_be_bytes());
}

pub fn string(out: &mut Vec<u8>, element_id: u32, v: &str) {
    element(out, element_id, v.as_bytes());
}

/// A master element around what `body` writes.
pub fn master(out: &mut Vec<u8>, element_id: u32, body: impl FnOnce(&mut Vec<u8>)) {
    let mut inner = Vec::new();
    body(&mut inner);
    element(out, element_id, &inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_use_the_shortest_form() {
        let enc = |n| {
            let mut v = Vec::new();
            size(&mut v, n);
            v
        };
        assert_eq!(enc(0), [0x80]);
        assert_eq!(enc(126), [0xFE]);
        // 127 in one byte would be the "unknown" pattern.
        assert_eq!(enc(127), [0x40, 0x7F]);
        assert_eq!(enc(16_382), [0x7F, 0xFE]);
        assert_eq!(enc(16_383), [0x20, 0x3F, 0xFF]);
    }

    #[test]
    fn ids_and_uints_drop_leading_zeros() {
        let mut v = Vec::new();
        uint(&mut v, 0xD7, 1);
        assert_eq!(v, [0xD7, 0x81, 0x01]);
        let mut v = Vec::new();
        uint(&mut v, 0x2AD7B1, 1_000_000);
        assert_eq!(v, [0x2A, 0xD7, 0xB1, 0x83, 0x0F, 0x42, 0x40]);
        let mut v = Vec::new();
        uint(&mut v, 0x83, 0);
        assert_eq!(v, [0x83, 0x81, 0x00]);
    }
}
