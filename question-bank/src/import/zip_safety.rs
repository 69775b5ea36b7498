//! Zips (QTI packages, XLSX workbooks) are opened only after their directory passes the
//! [`Limits`]: entry count, names that stay inside the archive, declared sizes and ratios. Entries
//! are then inflated through a reader that stops at the declared size, so a lying header
//! cannot inflate past the limits either; and all reads of one archive together stop at
//! [`Limits::max_unzipped_bytes`], so naming one large entry many times cannot either.
use std::borrow::Cow;
use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::{ImportError, Limits};

/// An opened zip and how many bytes [`read`] may still inflate out of it.
pub struct Archive<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    left: u64,
    limit: u64,
}

impl<'a> Archive<'a> {
    pub fn file_names(&self) -> impl Iterator<Item = zip::result::ZipResult<Cow<'_, str>>> {
        self.zip.file_names()
    }

    /// The zip itself, for a reader that streams each entry once at most.
    pub(crate) fn inner(&mut self) -> &mut ZipArchive<Cursor<&'a [u8]>> {
        &mut self.zip
    }
}

/// Opens a zip and checks every entry's name, size and compression ratio.
pub fn open<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Archive<'a>, ImportError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| ImportError::Malformed(format!("not a readable zip file: {e}")))?;
    if zip.len() > limits.max_zip_entries {
        return Err(ImportError::Unsafe(format!("the zip lists {} entries, more than the limit of {}", zip.len(), limits.max_zip_entries)));
    }
    let mut total: u64 = 0;
    let left = limits.max_unzipped_bytes;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| ImportError::Malformed(format!("zip entry {i}: {e}")))?;
        let name = entry.name().map_err(|e| ImportError::Malformed(format!("zip entry {i} has an unreadable name: {e}")))?.to_string();
        if entry.enclosed_name().is_none() || name.split(['/', '\\']).any(|part| part == "..") || name.starts_with('/') {
            return Err(ImportError::Unsafe(format!("the zip entry {name:?} points outside the archive")));
        }
        total = total.saturating_add(entry.size());
        if total > limits.max_unzipped_bytes {
            return Err(ImportError::Unsafe(format!("the zip would inflate to more than {} bytes", limits.max_unzipped_bytes)));
        }
        let ratio = entry.size() / entry.compressed_size().max(1);
        if entry.size() > 1024 * 1024 && ratio > limits.max_compression_ratio {
            return Err(ImportError::Unsafe(format!("the zip entry {name:?} is compressed {ratio}:1, beyond the limit of {}:1", limits.max_compression_ratio)));
        }
    }
    Ok(Archive { zip, left, limit: left })
}

/// Reads one entry, never more than it declared (the directory was checked by [`open`]).
/// Every read counts against what the archive may still inflate: an item that lists one large
/// image ten thousand times is refused, not copied ten thousand times.
pub fn read(zip: &mut Archive<'_>, name: &str) -> Result<Option<Vec<u8>>, ImportError> {
    let entry = match zip.zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(ImportError::Malformed(format!("zip entry {name:?}: {e}"))),
    };
    let declared = entry.size();
    zip.left =
        zip.left.checked_sub(declared).ok_or_else(|| ImportError::Unsafe(format!("reading the zip's entries would inflate more than {} bytes", zip.limit)))?;
    let mut out = Vec::with_capacity(usize::try_from(declared.min(64 * 1024 * 1024)).unwrap_or(0));
    entry.take(declared.saturating_add(1)).read_to_end(&mut out).map_err(|e| ImportError::Malformed(format!("zip entry {name:?} cannot be inflated: {e}")))?;
    if out.len() as u64 > declared {
        return Err(ImportError::Unsafe(format!("the zip entry {name:?} inflates past its declared size")));
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            w.start_file(*name, SimpleFileOptions::default()).expect("start");
            w.write_all(data).expect("write");
        }
        w.finish().expect("finish").into_inner()
    }

    #[test]
    fn traversal_bombs_and_entry_floods_are_refused() {
        let limits = Limits { max_zip_entries: 3, ..Limits::default() };
        let traversal = zip_of(&[("../evil.xml", b"x".to_vec())]);
        assert!(matches!(open(&traversal, &limits), Err(ImportError::Unsafe(_))));
        let flood = zip_of(&[("a", vec![]), ("b", vec![]), ("c", vec![]), ("d", vec![])]);
        assert!(matches!(open(&flood, &limits), Err(ImportError::Unsafe(_))));
        let bomb = zip_of(&[("zeros.xml", vec![0u8; 20 * 1024 * 1024])]);
        assert!(bomb.len() < 100 * 1024, "the bomb is small on disk");
        assert!(matches!(open(&bomb, &limits), Err(ImportError::Unsafe(_))));
        let fine = zip_of(&[("ok.xml", "<题/>".as_bytes().to_vec())]);
        let mut z = open(&fine, &limits).expect("open");
        assert_eq!(read(&mut z, "ok.xml").expect("read"), Some("<题/>".as_bytes().to_vec()));
        assert_eq!(read(&mut z, "missing.xml").expect("read"), None);
    }

    #[test]
    fn reading_one_entry_again_and_again_stops_at_the_inflation_limit() {
        let zip = zip_of(&[("big.png", vec![7u8; 10_000])]);
        let limits = Limits { max_unzipped_bytes: 25_000, ..Limits::default() };
        let mut z = open(&zip, &limits).expect("the directory is within the limits");
        for _ in 0..2 {
            assert_eq!(read(&mut z, "big.png").expect("read").map(|b| b.len()), Some(10_000));
        }
        assert!(matches!(read(&mut z, "big.png"), Err(ImportError::Unsafe(_))));
        // A missing entry costs nothing.
        assert_eq!(read(&mut z, "missing.png").expect("read"), None);
    }
}
