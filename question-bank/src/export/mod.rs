//! Writing a bank's items out: QTI 3.0 content packages, Moodle XML and the XLSX template.
//! Every field of an [`ItemDraft`] except `source_ref` survives `import(export(items))`.

pub mod moodle_xml;
pub mod qti3;
pub mod xlsx;

use crate::import::Format;
use crate::item::ItemDraft;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("items cannot be exported as {0}")]
    UnsupportedFormat(&'static str),
    #[error("writing the file failed: {0}")]
    Write(String),
}

/// The formats a bank can be exported to.
pub const FORMATS: [Format; 3] = [Format::QtiPackage, Format::MoodleXml, Format::Xlsx];

pub fn export(format: Format, items: &[ItemDraft]) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::QtiPackage => qti3::write_package(items),
        Format::MoodleXml => Ok(moodle_xml::write(items).into_bytes()),
        Format::Xlsx => xlsx::write(items),
        other => Err(ExportError::UnsupportedFormat(other.as_str())),
    }
}
