//! Zips (QTI packages, XLSX workbooks) are opened only after their directory passes the
//! [`Limits`]: entry count, names that stay inside the archive, declared sizes and ratios. Entries
//! are then inflated through a reader that stops at the declared size, so a lying header
//! cannot inflate past the limits either.
use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::{ImportError, Limits};

pub type Archive<'a> = ZipArchive<Cursor<&'a [u8]>>;

/// Opens a zip and checks every entry's name, size and compression ratio.
pub fn open<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Archive<'a>, ImportError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ImportError::Malformed(format!("not a readable zip file: {e}")))?;
    if zip.len() > limits.max_zip_entries {
        return Err(ImportError::Unsafe(format!(
            "the zip lists {} entries, more than the limit of {}",
            zip.len(),
            limits.max_zip_entries
        )));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| ImportError::Malformed(format!("zip entry {i}: {e}")))?;
        let name = entry
            .name()
            .map_err(|e| ImportError::Malformed(format!("zip entry {i} has an unreadable name: {e}")))?
            .to_string();
        if entry.enclosed_name().is_none() || name.split(['/', '\\']).any(|part| part == "..") || name.starts_with('/') {
            return Err(ImportError::Unsafe(format!("the zip entry {name:?} points outside the archive")));
        }
        total = total.saturating_add(entry.size());
        if total > limits.max_unzipped_bytes {
            return Err(ImportError::Unsafe(format!(
                "the zip would inflate to more than {} bytes",
                limits.max_unzipped_bytes
            )));
        }
        let ratio = entry.size() / entry.compressed_size().max(1);
        if entry.size() > 1024 * 1024 && ratio > limits.max_compression_ratio {
            return Err(ImportError::Unsafe(format!(
                "the zip entry {name:?} is compressed {ratio}:1, beyond the limit of {}:1",
                limits.max_compression_ratio
            )));
        }
    }
    Ok(zip)
}

/// Reads one entry, never more than it declared (the directory was checked by [`open`]).
pub fn read(zip: &mut Archive<'_>, name: &str) -> Result<Option<Vec<u8>>, ImportError> {
    let entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(ImportError::Malformed(format!("zip entry {name:?}: {e}"))),
    };
    let declared = entry.size();
    let mut out = Vec::with_capacity(usize::try_from(declared.min(64 * 1024 * 1024)).unwrap_or(0));
    entry
        .take(declared.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| ImportError::Malformed(format!("zip entry {name:?} cannot be inflated: {e}")))?;
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
}
