//! A session's roster (考生名单) as an institution admin fills it in: the first sheet of an
//! XLSX workbook, or a UTF-8 CSV file, with a header row naming the columns 姓名, 证件类型
//! and 证件号码 (in any order; English names too), then one candidate per row.
//!
//! Every row is checked: a name, a known kind of document and a document number that passes
//! its check (for a resident ID the check character and a real birth date), and no number
//! twice. A bad row is listed with its row number as a spreadsheet user counts it and a
//! stable code, never the number itself. The file is read within the importers' [`Limits`]:
//! the workbook through the same bounded sheet reader, the CSV text by bytes and rows.
use crate::identity::{Date, IdDocument, IdError, IdKind};
use crate::import::{ImportError, Limits, sheet};

/// The columns of the roster template, with the header texts each is known by.
const NAME: &[&str] = &["姓名", "考生姓名", "name"];
const KIND: &[&str] = &["证件类型", "id_kind", "id type", "document type"];
const NUMBER: &[&str] = &["证件号码", "身份证号", "身份证号码", "id_number", "id number", "document number"];

/// The template's header row, in its order.
pub const TEMPLATE_HEADER: [&str; 3] = ["姓名", "证件类型", "证件号码"];

/// Longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 50;

/// A good row: a candidate ready to be placed on a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRow {
    /// The row number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub name: String,
    pub id: IdDocument,
}

/// Why a row was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowProblem {
    MissingName,
    NameTooLong,
    /// Control or direction-changing characters, or nothing visible.
    InvalidName,
    MissingIdNumber,
    UnknownIdKind,
    Id(IdError),
    /// The same document number as an earlier row (that row's number).
    DuplicateId {
        first_row: usize,
    },
}

impl RowProblem {
    /// Stable, for clients and the messages table.
    pub fn code(self) -> &'static str {
        match self {
            RowProblem::MissingName => "roster_missing_name",
            RowProblem::NameTooLong => "roster_name_too_long",
            RowProblem::InvalidName => "roster_invalid_name",
            RowProblem::MissingIdNumber => "roster_missing_id_number",
            RowProblem::UnknownIdKind => "roster_unknown_id_kind",
            RowProblem::Id(e) => e.code(),
            RowProblem::DuplicateId { .. } => "roster_duplicate_id",
        }
    }
}

/// A refused row: where, and why. The name is kept so the admin can find the person; the
/// number never is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub row: usize,
    pub name: String,
    pub problem: RowProblem,
}

/// What a roster file holds: the good rows and the bad ones, each in file order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Roster {
    pub rows: Vec<RosterRow>,
    pub bad: Vec<BadRow>,
}

/// Why the file as a whole was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterError {
    /// Past a limit, unreadable or unsafe: what the importers say of such a file.
    #[error(transparent)]
    File(#[from] ImportError),
    /// CSV that is not UTF-8 (Excel's "CSV" on a Chinese system is GBK).
    #[error("the CSV file is not UTF-8")]
    NotUtf8,
    /// A quoted CSV field that never closes: the rest of the file would be one field.
    #[error("a quoted field is never closed")]
    UnclosedQuote,
    /// No header row naming 姓名 and 证件号码.
    #[error("the header row has no {0} column")]
    MissingColumn(&'static str),
    /// A header row and nothing under it.
    #[error("the roster has no candidates")]
    Empty,
}

impl RosterError {
    pub fn code(&self) -> &'static str {
        match self {
            RosterError::File(e) => e.code(),
            RosterError::NotUtf8 => "roster_not_utf8",
            RosterError::UnclosedQuote => "roster_unclosed_quote",
            RosterError::MissingColumn(_) => "roster_missing_column",
            RosterError::Empty => "roster_empty",
        }
    }
}

/// Reads a roster from an XLSX workbook (recognised by its zip signature) or CSV text, with
/// `today` as the latest birth date a resident ID may carry.
pub fn parse(bytes: &[u8], limits: &Limits, today: Date) -> Result<Roster, RosterError> {
    if bytes.len() > limits.max_file_bytes {
        return Err(ImportError::TooLarge { limit: limits.max_file_bytes }.into());
    }
    let table = if bytes.starts_with(b"PK\x03\x04") { xlsx_rows(bytes, limits)? } else { csv_rows(bytes, limits)? };
    check_rows(table, today)
}

/// Rows of text, each with its spreadsheet row number, the header first.
type Table = Vec<(usize, Vec<String>)>;

fn xlsx_rows(bytes: &[u8], limits: &Limits) -> Result<Table, RosterError> {
    let s = sheet::read_first(bytes, limits)?;
    Ok(s.rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut cells = Vec::new();
            for (c, d) in row.cells() {
                if cells.len() < c {
                    cells.resize(c, String::new());
                }
                cells.push(crate::import::xlsx::cell_text(d));
            }
            (i + 1, cells)
        })
        .collect())
}

/// CSV as spreadsheets write it: comma-separated, fields in double quotes when they hold a
/// comma, a quote (doubled) or a line break; a UTF-8 byte-order mark is dropped.
fn csv_rows(bytes: &[u8], limits: &Limits) -> Result<Table, RosterError> {
    let text = std::str::from_utf8(bytes).map_err(|_| RosterError::NotUtf8)?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    // A row is numbered as a spreadsheet shows it: one per record, whatever line breaks sit
    // inside its quoted cells.
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => {
                push_field(&mut row, &mut field, limits)?;
            }
            (false, '\r') => {}
            (false, '\n') => {
                push_field(&mut row, &mut field, limits)?;
                rows.push((rows.len() + 1, std::mem::take(&mut row)));
                if rows.len() > limits.max_sheet_rows {
                    return Err(ImportError::SheetTooLarge { what: "rows", limit: limits.max_sheet_rows }.into());
                }
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(RosterError::UnclosedQuote);
    }
    if !field.is_empty() || !row.is_empty() {
        push_field(&mut row, &mut field, limits)?;
        rows.push((rows.len() + 1, row));
    }
    Ok(rows)
}

fn push_field(row: &mut Vec<String>, field: &mut String, limits: &Limits) -> Result<(), RosterError> {
    if row.len() >= limits.max_sheet_columns {
        return Err(ImportError::SheetTooLarge { what: "columns", limit: limits.max_sheet_columns }.into());
    }
    row.push(std::mem::take(field));
    Ok(())
}

fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| {
        let h = h.trim().to_lowercase();
        names.iter().any(|n| h == *n)
    })
}

/// A refused row's name as it is shown back: cut to the longest name, with control characters
/// dropped and any run of six or more digits masked, so a number typed in the wrong column (or
/// swallowed into the name) is never repeated back.
fn shown_name(name: &str) -> String {
    let kept: Vec<char> = name.chars().filter(|c| !c.is_control()).take(MAX_NAME_CHARS).collect();
    let mut out = String::new();
    let mut i = 0;
    while i < kept.len() {
        let digit = |c: char| c.is_ascii_digit() || c == 'X' || c == 'x';
        let run = kept[i..].iter().take_while(|c| digit(**c)).count();
        if run >= 6 {
            out.extend(std::iter::repeat_n('*', run));
            i += run;
        } else {
            out.push(kept[i]);
            i += 1;
        }
    }
    out
}

/// The kind of document a cell names; empty means a resident ID card.
pub fn id_kind(text: &str) -> Option<IdKind> {
    let t = text.trim();
    if t.is_empty() {
        return Some(IdKind::ResidentId);
    }
    if let Some(k) = IdKind::parse(t) {
        return Some(k);
    }
    Some(match t {
        "居民身份证" | "身份证" | "二代身份证" => IdKind::ResidentId,
        "护照" => IdKind::Passport,
        "港澳居民来往内地通行证" | "港澳通行证" | "回乡证" => IdKind::HongKongMacauPermit,
        "台湾居民来往大陆通行证" | "台胞证" => IdKind::TaiwanPermit,
        "外国人永久居留身份证" | "外国人永久居留证" => IdKind::ForeignPermanentResident,
        _ => return None,
    })
}

fn check_rows(table: Table, today: Date) -> Result<Roster, RosterError> {
    let mut rows = table.into_iter().filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let (_, header) = rows.next().ok_or(RosterError::Empty)?;
    let name_col = column(&header, NAME).ok_or(RosterError::MissingColumn(TEMPLATE_HEADER[0]))?;
    let number_col = column(&header, NUMBER).ok_or(RosterError::MissingColumn(TEMPLATE_HEADER[2]))?;
    let kind_col = column(&header, KIND);
    let mut roster = Roster::default();
    let mut seen: std::collections::HashMap<(IdKind, String), usize> = std::collections::HashMap::new();
    for (row, cells) in rows {
        let cell = |c: usize| cells.get(c).map(|s| s.trim()).unwrap_or("");
        let name = cell(name_col).to_string();
        let problem = if name.is_empty() {
            Some(RowProblem::MissingName)
        } else if name.chars().count() > MAX_NAME_CHARS {
            Some(RowProblem::NameTooLong)
        } else if !crate::names::is_plain(&name) {
            Some(RowProblem::InvalidName)
        } else {
            None
        };
        let id = match (problem, kind_col.map_or(Some(IdKind::ResidentId), |c| id_kind(cell(c)))) {
            (Some(p), _) => Err(p),
            (None, None) => Err(RowProblem::UnknownIdKind),
            (None, Some(_)) if cell(number_col).is_empty() => Err(RowProblem::MissingIdNumber),
            (None, Some(kind)) => IdDocument::parse_at(kind, cell(number_col), today).map_err(RowProblem::Id),
        };
        let id = id.and_then(|doc| match seen.get(&(doc.kind(), doc.number().to_string())) {
            Some(first) => Err(RowProblem::DuplicateId { first_row: *first }),
            None => {
                seen.insert((doc.kind(), doc.number().to_string()), row);
                Ok(doc)
            }
        });
        match id {
            Ok(id) => roster.rows.push(RosterRow { row, name, id }),
            Err(problem) => roster.bad.push(BadRow { row, name: shown_name(&name), problem }),
        }
    }
    if roster.rows.is_empty() && roster.bad.is_empty() {
        return Err(RosterError::Empty);
    }
    Ok(roster)
}

#[cfg(test)]
mod tests;
