//! The first worksheet of an XLSX workbook, read within the [`Limits`]. calamine's
//! `worksheet_range` allocates a cell for every position of the sheet's bounding box, so a
//! 2 KB workbook with cells at A1 and XFD1048576 asks for 1.7×10^10 of them. Here the cells
//! are streamed and only the non-empty ones are kept. The declared `<dimension>` is checked
//! first for a quick refusal, then every cell, because the declaration may lie or be missing.
//!
//! Before calamine opens the workbook, the parts it reads whole are checked ([`parts`]); the
//! text kept from the cells is budgeted too, since one long shared string may fill every cell.
//!
//! Rows and columns are numbered as calamine's `Range` numbers them, so the readers see a
//! sheet exactly as before: counted from the first non-empty row and column, empty cells
//! dropped, and a later cell at the same position replacing an earlier one.
use std::io::Cursor;

use calamine::{Data, DataRef, Reader, Xlsx, XlsxError};

use super::{ImportError, Limits, zip_safety};

/// The non-empty cells of one row, by column.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Row(Vec<(usize, Data)>);

impl Row {
    pub fn get(&self, col: usize) -> Option<&Data> {
        let i = self.0.binary_search_by_key(&col, |(c, _)| *c).ok()?;
        self.0.get(i).map(|(_, d)| d)
    }

    /// The cells in column order.
    pub fn cells(&self) -> impl Iterator<Item = (usize, &Data)> {
        self.0.iter().map(|(c, d)| (*c, d))
    }
}

/// From the first row holding a value to the last; rows between without one are empty.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Sheet {
    pub rows: Vec<Row>,
}

fn too_large(what: &'static str, limit: usize) -> ImportError {
    ImportError::SheetTooLarge { what, limit }
}

/// Refuses a position at or past the row or column limit (zero-based, as calamine gives them).
fn check(pos: (u32, u32), limits: &Limits) -> Result<(), ImportError> {
    if pos.0 as usize >= limits.max_sheet_rows {
        return Err(too_large("rows", limits.max_sheet_rows));
    }
    if pos.1 as usize >= limits.max_sheet_columns {
        return Err(too_large("columns", limits.max_sheet_columns));
    }
    Ok(())
}

/// The bytes of text a cell's value will hold once owned.
fn text_len(d: &DataRef<'_>) -> usize {
    match d {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
        DataRef::SharedString(s) => s.len(),
        _ => 0,
    }
}

/// Checks the zip and the parts calamine reads whole, then reads the workbook's first sheet.
pub(crate) fn read_first(bytes: &[u8], limits: &Limits) -> Result<Sheet, ImportError> {
    let mut zip = zip_safety::open(bytes, limits)?;
    parts::check(&mut zip, limits)?;
    // calamine's cell-reference arithmetic overflows on references such as "B2:A1" or row
    // 99999999999: a panic where overflow checks are on (debug builds), wrapped numbers where
    // they are off, which the limits below then catch. Nothing is shared with the closure
    // but the input, so unwinding out of it leaves nothing half-done.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_cells(bytes, limits)))
        .unwrap_or_else(|_| Err(ImportError::Malformed("the first sheet cannot be read: a cell reference is out of range".into())))
}

fn read_cells(bytes: &[u8], limits: &Limits) -> Result<Sheet, ImportError> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| ImportError::Malformed(format!("not a readable XLSX workbook: {e}")))?;
    let name = book.sheet_names().first().cloned().ok_or_else(|| ImportError::Malformed("the workbook has no sheet".into()))?;
    let unreadable = |e: XlsxError| ImportError::Malformed(format!("the first sheet cannot be read: {e}"));
    let mut reader = match book.worksheet_cells_reader(&name) {
        Ok(reader) => reader,
        // A chart sheet: calamine's range reader returned an empty range for it.
        Err(XlsxError::NotAWorksheet(_)) => return Ok(Sheet::default()),
        Err(e) => return Err(unreadable(e)),
    };
    let declared = reader.dimensions();
    check(declared.start, limits)?;
    check(declared.end, limits)?;
    let mut cells: Vec<((u32, u32), Data)> = Vec::new();
    let mut text: usize = 0;
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        // Empty cells too: one far out means the declared dimension lied.
        check(cell.get_position(), limits)?;
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        if cells.len() >= limits.max_sheet_cells {
            return Err(too_large("filled cells", limits.max_sheet_cells));
        }
        text = text.saturating_add(text_len(cell.get_value()));
        if text > limits.max_sheet_bytes {
            return Err(too_large("bytes of text", limits.max_sheet_bytes));
        }
        cells.push((cell.get_position(), Data::from(cell.get_value().clone())));
    }
    Ok(assemble(cells))
}

/// Lays the cells out in rows, relative to the first row and column holding a value. Every
/// position is inside the limits, so the row vector is too.
fn assemble(cells: Vec<((u32, u32), Data)>) -> Sheet {
    let (Some(top), Some(bottom), Some(left)) =
        (cells.iter().map(|((r, _), _)| *r).min(), cells.iter().map(|((r, _), _)| *r).max(), cells.iter().map(|((_, c), _)| *c).min())
    else {
        return Sheet::default();
    };
    let mut rows: Vec<Row> = (top..=bottom).map(|_| Row::default()).collect();
    for ((r, c), d) in cells {
        if let Some(row) = rows.get_mut((r - top) as usize) {
            row.0.push(((c - left) as usize, d));
        }
    }
    for row in &mut rows {
        // Stable, so cells at one position stay in file order; of those the last one wins,
        // as in calamine's range: `dedup_by` drops the later `a`, so it first hands its
        // value to the kept `b`.
        row.0.sort_by_key(|(c, _)| *c);
        row.0.dedup_by(|a, b| {
            let same = a.0 == b.0;
            if same {
                std::mem::swap(&mut a.1, &mut b.1);
            }
            same
        });
    }
    Sheet { rows }
}

mod parts;
#[cfg(test)]
pub(crate) mod tests;
