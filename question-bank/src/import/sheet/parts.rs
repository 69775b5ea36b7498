//! The workbook parts calamine reads whole as it opens a workbook, checked before it does:
//! - the shared-string table: calamine reserves room for as many strings as
//!   `<sst uniqueCount=…>` claims, so a 1 KB file claiming 10^14 aborts the process;
//! - the style table: calamine gives every `<xf>` record its own copy of the font and number
//!   format it names, so one 1 MB font name and 20,000 records of 16 bytes ask for 20 GB.
//!
//! Parts are found by name as calamine finds them (any folder, any case, `\` as `/`), over
//! every zip entry, so a duplicate or an unusual folder cannot slip past.
use std::io::BufReader;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::too_large;
use crate::import::zip_safety::Archive;
use crate::import::{ImportError, Limits};

/// What one style record may cost beyond its strings: calamine's `Style`, plus allocation.
const STYLE_RECORD_BYTES: usize = std::mem::size_of::<calamine::Style>() + 64;

#[derive(Clone, Copy, PartialEq)]
enum Part {
    SharedStrings,
    Styles,
}

/// What a scan of one part found.
#[derive(Default)]
struct Tally {
    elements: usize,
    /// The longest start tag: no attribute value, hence no font name or format code, is longer.
    longest_tag: usize,
    /// `<si>` elements: one shared string each.
    strings: usize,
    /// The first `<sst>`'s `uniqueCount`, which calamine reserves for.
    declared_strings: Option<u128>,
}

pub(super) fn check(zip: &mut Archive<'_>, limits: &Limits) -> Result<(), ImportError> {
    // Each part is streamed once, so this does not draw on the archive's read budget.
    let zip = zip.inner();
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| ImportError::Malformed(format!("zip entry {i}: {e}")))?;
        let name =
            entry.name().map_err(|e| ImportError::Malformed(format!("zip entry {i} has an unreadable name: {e}")))?.replace('\\', "/").to_ascii_lowercase();
        let part = if name.ends_with("sharedstrings.xml") {
            Part::SharedStrings
        } else if name.ends_with("styles.xml") {
            Part::Styles
        } else {
            continue;
        };
        let max = limits.max_sheet_bytes;
        if part == Part::SharedStrings && entry.size() > max as u64 {
            return Err(too_large("bytes of shared strings", max));
        }
        let t = scan(Reader::from_reader(BufReader::new(entry)), part, limits).map_err(|e| ImportError::Malformed(format!("{name} cannot be read: {e}")))??;
        match part {
            Part::SharedStrings => {
                let cells = limits.max_sheet_cells;
                if t.strings > cells || t.declared_strings.is_some_and(|n| n > cells as u128) {
                    return Err(too_large("shared strings", cells));
                }
            }
            Part::Styles => {
                let per_record = STYLE_RECORD_BYTES.saturating_add(t.longest_tag.saturating_mul(2));
                if t.elements.saturating_mul(per_record) > max {
                    return Err(too_large("bytes of cell styles", max));
                }
            }
        }
    }
    Ok(())
}

/// Streams the part, stopping as soon as a count is past its limit. The outer error is the
/// XML's, the inner one a refusal.
fn scan<R: std::io::BufRead>(mut xml: Reader<R>, part: Part, limits: &Limits) -> Result<Result<Tally, ImportError>, quick_xml::Error> {
    // As calamine reads: mismatched end tags are not its concern, nor ours.
    xml.config_mut().check_end_names = false;
    let mut t = Tally::default();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf)? {
            Event::Start(e) | Event::Empty(e) => {
                t.elements += 1;
                t.longest_tag = t.longest_tag.max(e.len());
                match e.local_name().as_ref() {
                    b"si" => t.strings += 1,
                    b"sst" if t.declared_strings.is_none() => t.declared_strings = Some(unique_count(&e)),
                    _ => {}
                }
            }
            Event::Eof => return Ok(Ok(t)),
            _ => {}
        }
        let over = match part {
            Part::SharedStrings => t.strings > limits.max_sheet_cells,
            Part::Styles => t.elements.saturating_mul(STYLE_RECORD_BYTES) > limits.max_sheet_bytes,
        };
        if over {
            return Ok(Ok(t));
        }
    }
}

/// The digits of `uniqueCount`, read as one number: never less than what calamine parses.
fn unique_count(e: &BytesStart<'_>) -> u128 {
    e.attributes().with_checks(false).map_while(Result::ok).find(|a| a.key.as_ref() == b"uniqueCount").map_or(0, |a| {
        let digits = a.value.iter().filter(|b| b.is_ascii_digit());
        digits.fold(0u128, |n, d| n.saturating_mul(10).saturating_add(u128::from(d - b'0')))
    })
}
