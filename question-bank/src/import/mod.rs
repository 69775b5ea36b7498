//! Reading items from the formats banks come in: IMS QTI 2.1/2.2/3.0 (single items and zipped
//! content packages), Moodle XML, GIFT, Aiken, and the XLSX template Chinese banks use.
//! Every importer returns a per-item report; a file that cannot be read at all is refused
//! whole with an [`ImportError`]. Nothing here panics on bad input, resolves an external
//! entity, expands a custom entity, or inflates a zip or reads a worksheet past the [`Limits`].

pub mod aiken;
pub mod gift;
pub mod moodle_xml;
pub mod qti;
pub mod qti_package;
pub(crate) mod sheet;
#[cfg(test)]
mod wide_tests;
pub mod xlsx;
pub(crate) mod xml_dom;
pub mod xml_safety;
pub mod zip_safety;

use serde::{Deserialize, Serialize};

use crate::item::ItemDraft;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// One QTI 2.x or 3.0 item (or test) XML file.
    Qti,
    /// A zipped IMS content package with `imsmanifest.xml`.
    QtiPackage,
    MoodleXml,
    Gift,
    Aiken,
    Xlsx,
}

impl Format {
    pub const ALL: [Format; 6] = [Format::Qti, Format::QtiPackage, Format::MoodleXml, Format::Gift, Format::Aiken, Format::Xlsx];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Qti => "qti",
            Format::QtiPackage => "qti_package",
            Format::MoodleXml => "moodle_xml",
            Format::Gift => "gift",
            Format::Aiken => "aiken",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// Bounds on what one import may cost. Defaults fit a large real bank with room to spare.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file accepted at all.
    pub max_file_bytes: usize,
    /// Most items one file may hold.
    pub max_items: usize,
    /// Most entries a zip (QTI package or XLSX) may list.
    pub max_zip_entries: usize,
    /// Most bytes all entries of a zip may inflate to.
    pub max_unzipped_bytes: u64,
    /// Largest inflated/compressed ratio of one zip entry (a "zip bomb" has thousands).
    pub max_compression_ratio: u64,
    /// Spreadsheets (item and outline XLSX): no cell may sit at or past this row index, so
    /// a sheet holds at most this many rows.
    pub max_sheet_rows: usize,
    /// Spreadsheets: no cell may sit at or past this column index (64 is A to BL).
    pub max_sheet_columns: usize,
    /// Spreadsheets: most non-empty cells one sheet may hold, and most strings the workbook's
    /// shared-string table may list.
    pub max_sheet_cells: usize,
    /// Spreadsheets: most bytes each of these may take: the text of the sheet's cells (a
    /// shared string counts once per cell showing it), the shared-string table as inflated,
    /// and the style table as estimated when read.
    pub max_sheet_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 50 * 1024 * 1024,
            max_items: 100_000,
            max_zip_entries: 50_000,
            max_unzipped_bytes: 500 * 1024 * 1024,
            max_compression_ratio: 200,
            max_sheet_rows: 20_000,
            max_sheet_columns: 64,
            max_sheet_cells: 200_000,
            max_sheet_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Why one item was not imported. The code is stable; the detail names what was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipCode {
    /// A type the system does not deliver (hotspot, drag and drop, matching, numerical, …).
    UnsupportedType,
    /// Read, but wrong: no key, a key that is not an option, an empty stem, bad points.
    InvalidItem,
    /// Could not be read: broken markup or syntax inside this one item.
    MalformedItem,
}

impl SkipCode {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipCode::UnsupportedType => "unsupported_type",
            SkipCode::InvalidItem => "invalid_item",
            SkipCode::MalformedItem => "malformed_item",
        }
    }

    pub fn message_zh(self) -> &'static str {
        match self {
            SkipCode::UnsupportedType => "不支持的题型",
            SkipCode::InvalidItem => "试题内容有误",
            SkipCode::MalformedItem => "无法解析该题",
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            SkipCode::UnsupportedType => "unsupported item type",
            SkipCode::InvalidItem => "the item is invalid",
            SkipCode::MalformedItem => "the item cannot be read",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The item as the source names it: identifier, title, or line number.
    pub item: String,
    pub code: SkipCode,
    /// What exactly, e.g. "hotspotInteraction" or "the key E is not one of the options".
    pub detail: String,
    /// The same in Chinese, where the importer says it in words rather than the source's own
    /// terms (element names, type names, line numbers).
    #[serde(default)]
    pub detail_zh: Option<String>,
}

impl Skipped {
    pub fn new(item: impl Into<String>, code: SkipCode, detail: impl Into<String>) -> Skipped {
        Skipped { item: item.into(), code, detail: detail.into(), detail_zh: None }
    }

    /// Skipped for a reason said in both languages.
    pub fn said(item: impl Into<String>, code: SkipCode, why: crate::why::Why) -> Skipped {
        Skipped { item: item.into(), code, detail: why.en, detail_zh: Some(why.zh) }
    }

    /// The detail in the reader's language: the Chinese where there is one.
    pub fn detail_in(&self, zh: bool) -> &str {
        match (&self.detail_zh, zh) {
            (Some(d), true) => d,
            _ => &self.detail,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub items: Vec<ItemDraft>,
    pub skipped: Vec<Skipped>,
}

impl ImportReport {
    /// Keeps a draft if [`ItemDraft::check`] passes, else records why it was skipped.
    pub fn push_checked(&mut self, draft: ItemDraft) {
        match draft.check() {
            Ok(()) => self.items.push(draft),
            Err(why) => self.skipped.push(Skipped::said(draft.source_ref.clone(), SkipCode::InvalidItem, why)),
        }
    }

    pub fn skip(&mut self, item: impl Into<String>, code: SkipCode, detail: impl Into<String>) {
        self.skipped.push(Skipped::new(item, code, detail));
    }

    /// Records a skip whose reason is said in both languages.
    pub fn skip_said(&mut self, item: impl Into<String>, code: SkipCode, why: crate::why::Why) {
        self.skipped.push(Skipped::said(item, code, why));
    }
}

/// Why a whole file was refused. Nothing from it is imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the file's format could not be recognised")]
    UnknownFormat,
    #[error("the file cannot be read: {0}")]
    Malformed(String),
    /// Entity declarations, path traversal, zip bombs and the like.
    #[error("the file was refused as unsafe: {0}")]
    Unsafe(String),
    #[error("the file holds more than {limit} items")]
    TooManyItems { limit: usize },
    /// A spreadsheet past one of the `max_sheet_*` [`Limits`]; `what` names which: "rows",
    /// "columns", "filled cells", "shared strings", "bytes of text", "bytes of shared strings"
    /// or "bytes of cell styles".
    #[error("the spreadsheet has more than {limit} {what}")]
    SheetTooLarge { what: &'static str, limit: usize },
}

impl ImportError {
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::TooLarge { .. } => "file_too_large",
            ImportError::UnknownFormat => "unknown_format",
            ImportError::Malformed(_) => "malformed_file",
            ImportError::Unsafe(_) => "unsafe_file",
            ImportError::TooManyItems { .. } => "too_many_items",
            ImportError::SheetTooLarge { .. } => "sheet_too_large",
        }
    }
}

/// Guesses the format from the content (and the file name, when there is one).
pub fn detect(bytes: &[u8], file_name: Option<&str>) -> Option<Format> {
    if bytes.starts_with(b"PK\x03\x04") {
        // Both QTI packages and XLSX workbooks are zips; an XLSX has xl/workbook.xml.
        let is_xlsx =
            file_name.is_some_and(|n| n.to_ascii_lowercase().ends_with(".xlsx")) || bytes.windows(b"xl/workbook.xml".len()).any(|w| w == b"xl/workbook.xml");
        return Some(if is_xlsx { Format::Xlsx } else { Format::QtiPackage });
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.trim_start_matches('\u{feff}');
    let head: String = text.chars().take(4096).collect();
    if head.trim_start().starts_with('<') {
        if head.contains("<quiz") {
            return Some(Format::MoodleXml);
        }
        if head.contains("assessmentItem") || head.contains("assessmentTest") || head.contains("qti-assessment") {
            return Some(Format::Qti);
        }
        return None;
    }
    if aiken::looks_like(text) {
        return Some(Format::Aiken);
    }
    if gift::looks_like(text) {
        return Some(Format::Gift);
    }
    None
}

/// Reads a file in the given format, or the detected one.
pub fn import(bytes: &[u8], format: Option<Format>, file_name: Option<&str>, limits: &Limits) -> Result<(Format, ImportReport), ImportError> {
    if bytes.len() > limits.max_file_bytes {
        return Err(ImportError::TooLarge { limit: limits.max_file_bytes });
    }
    let format = match format {
        Some(f) => f,
        None => detect(bytes, file_name).ok_or(ImportError::UnknownFormat)?,
    };
    let text = || std::str::from_utf8(bytes).map(|t| t.trim_start_matches('\u{feff}')).map_err(|e| ImportError::Malformed(format!("not UTF-8 text: {e}")));
    let report = match format {
        Format::Qti => qti::parse(text()?, limits)?,
        Format::QtiPackage => qti_package::parse(bytes, limits)?,
        Format::MoodleXml => moodle_xml::parse(text()?, limits)?,
        Format::Gift => gift::parse(text()?, limits)?,
        Format::Aiken => aiken::parse(text()?, limits)?,
        Format::Xlsx => xlsx::parse(bytes, limits)?,
    };
    if report.items.len() > limits.max_items {
        return Err(ImportError::TooManyItems { limit: limits.max_items });
    }
    Ok((format, report))
}
