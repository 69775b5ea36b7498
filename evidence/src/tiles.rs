//! C2SP tlog-tiles: the log as files that never change. Hash tiles `tile/<L>/<N>[.p/<W>]` hold
//! up to 256 hashes of complete subtrees of height 8·L; entry bundles `tile/entries/<N>[.p/<W>]`
//! hold up to 256 entries, each as a big-endian u16 length and its bytes. `N` is written in
//! three-digit groups, all but the last prefixed with `x` (1234067 → `x001/x234/067`).
use crate::merkle::Tree;

/// Hashes (or entries) per full tile: tile height 8.
pub const WIDTH: u64 = 256;
/// Tile height: a level-L tile holds subtree hashes of height 8·L.
pub const HEIGHT: u32 = 8;
/// The largest entry a bundle can carry.
pub const MAX_ENTRY: usize = u16::MAX as usize;

/// Which tile a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileRef {
    /// `None` for an entry bundle, else the hash tile's level.
    pub level: Option<u8>,
    pub index: u64,
    /// A partial tile's width (1–255); `None` for a full tile.
    pub width: Option<u16>,
}

impl TileRef {
    /// The path under the log's prefix.
    pub fn path(&self) -> String {
        let level = match self.level {
            Some(l) => l.to_string(),
            None => "entries".to_string(),
        };
        let partial = self.width.map(|w| format!(".p/{w}")).unwrap_or_default();
        format!("tile/{level}/{}{partial}", encode_index(self.index))
    }

    /// Reads a path (`tile/…`, without the prefix); anything not in the exact form is `None`.
    pub fn parse(path: &str) -> Option<TileRef> {
        let rest = path.strip_prefix("tile/")?;
        let (level_part, rest) = rest.split_once('/')?;
        let level = if level_part == "entries" {
            None
        } else {
            if level_part.is_empty() || (level_part.len() > 1 && level_part.starts_with('0')) || !level_part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let l: u8 = level_part.parse().ok()?;
            if l > 63 {
                return None;
            }
            Some(l)
        };
        let (index_part, width) = match rest.split_once(".p/") {
            Some((i, w)) => {
                if w.is_empty() || w.starts_with('0') || !w.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let w: u16 = w.parse().ok()?;
                if !(1..WIDTH as u16).contains(&w) {
                    return None;
                }
                (i, Some(w))
            }
            None => (rest, None),
        };
        Some(TileRef { level, index: decode_index(index_part)?, width })
    }
}

/// `N` in three-digit groups, all but the last prefixed with `x`.
pub fn encode_index(mut n: u64) -> String {
    let mut groups = vec![format!("{:03}", n % 1000)];
    n /= 1000;
    while n > 0 {
        groups.push(format!("x{:03}", n % 1000));
        n /= 1000;
    }
    groups.reverse();
    groups.join("/")
}

fn decode_index(s: &str) -> Option<u64> {
    let parts: Vec<&str> = s.split('/').collect();
    let (last, head) = parts.split_last()?;
    let mut n: u64 = 0;
    for (i, p) in head.iter().map(|p| p.strip_prefix('x')).chain(std::iter::once(Some(*last))).enumerate() {
        let p = p?;
        if p.len() != 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // A leading group of 000 would be a second spelling of the same index.
        if i == 0 && !head.is_empty() && p == "000" {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(p.parse::<u64>().ok()?)?;
    }
    Some(n)
}

/// How many hashes (or entries) the tile holds in a tree of `size` leaves, whatever width
/// was asked: 0 when it does not exist yet.
pub fn available(level: Option<u8>, index: u64, size: u64) -> u64 {
    let at_height = match level {
        Some(l) => size.checked_shr(HEIGHT * u32::from(l)).unwrap_or(0),
        None => size,
    };
    at_height.saturating_sub(index.saturating_mul(WIDTH)).min(WIDTH)
}

/// The bytes of a hash tile in the tree of its first `size` leaves: `None` when the tile (at
/// the width asked) does not exist in that tree.
pub fn hash_tile(tree: &Tree, size: u64, tile: TileRef) -> Option<Vec<u8>> {
    let level = tile.level?;
    let width = wanted_width(tile, size.min(tree.size()))?;
    let start = (tile.index * WIDTH) as usize;
    let hashes = tree.level(HEIGHT as usize * usize::from(level)).get(start..start + width as usize)?;
    Some(hashes.iter().flatten().copied().collect())
}

/// How many items a tile request wants, if the tree of `size` leaves holds them: a full tile
/// needs all 256; a partial one its width.
pub fn wanted_width(tile: TileRef, size: u64) -> Option<u64> {
    let have = available(tile.level, tile.index, size);
    let want = tile.width.map_or(WIDTH, u64::from);
    (have >= want && want > 0).then_some(want)
}

/// An entry bundle: each entry as a big-endian u16 length and its bytes.
pub fn bundle<'a>(entries: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let len = u16::try_from(e.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&e[..usize::from(len)]);
    }
    out
}

/// The entries of a bundle; `None` when it is cut short.
pub fn unbundle(mut bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = bytes.split_first_chunk::<2>()?;
        let len = usize::from(u16::from_be_bytes(*len));
        if rest.len() < len {
            return None;
        }
        out.push(rest[..len].to_vec());
        bytes = &rest[len..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_are_written_in_groups_of_three() {
        assert_eq!(encode_index(0), "000");
        assert_eq!(encode_index(999), "999");
        assert_eq!(encode_index(1000), "x001/000");
        assert_eq!(encode_index(1_234_067), "x001/x234/067");
        for n in [0, 7, 999, 1000, 1_234_067, u64::MAX] {
            assert_eq!(decode_index(&encode_index(n)), Some(n));
        }
    }

    #[test]
    fn paths_parse_only_in_their_one_spelling() {
        let t = TileRef { level: Some(1), index: 1_234_067, width: Some(5) };
        assert_eq!(t.path(), "tile/1/x001/x234/067.p/5");
        assert_eq!(TileRef::parse(&t.path()), Some(t));
        let e = TileRef { level: None, index: 3, width: None };
        assert_eq!(e.path(), "tile/entries/003");
        assert_eq!(TileRef::parse("tile/entries/003"), Some(e));
        for bad in [
            "tile/01/000",
            "tile/0/3",
            "tile/0/x000/003",
            "tile/0/000.p/0",
            "tile/0/000.p/256",
            "tile/0/000.p/05",
            "tile/64/000",
            "tile/0/../000",
            "tile/0/000/",
        ] {
            assert_eq!(TileRef::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn bundles_round_trip_and_a_cut_one_is_refused() {
        let b = bundle([&b"one"[..], b"", b"three"]);
        assert_eq!(unbundle(&b), Some(vec![b"one".to_vec(), vec![], b"three".to_vec()]));
        assert_eq!(unbundle(&b[..b.len() - 1]), None);
    }
}
