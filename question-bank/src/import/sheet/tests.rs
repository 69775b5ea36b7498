//! Hostile and sparse workbooks, built here by hand so the test shows exactly what the file
//! holds. calamine's range reader serves only as the reference on small sheets.
use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use calamine::{Data, Reader, Xlsx};
use zip::write::SimpleFileOptions;

use super::{Sheet, read_first};
use crate::import::{self, ImportError, Limits, xlsx};
use crate::outline_xlsx;

const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

/// An inline-string cell, e.g. `cell("XFD1048576", "x")`.
pub(crate) fn cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// The smallest workbook calamine opens: one sheet whose `<sheetData>` holds `rows` as
/// written, with `<dimension ref=…>` when given.
pub(crate) fn workbook(dimension: Option<&str>, rows: &str) -> Vec<u8> {
    workbook_with(dimension, rows, &[])
}

/// [`workbook`] with more parts, e.g. `xl/sharedStrings.xml`.
pub(crate) fn workbook_with(dimension: Option<&str>, rows: &str, extra: &[(&str, String)]) -> Vec<u8> {
    let dimension = dimension.map(|d| format!(r#"<dimension ref="{d}"/>"#)).unwrap_or_default();
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ),
        (
            "xl/workbook.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">{dimension}<sheetData>{rows}</sheetData></worksheet>"#),
        ),
    ];
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in parts.iter().map(|(n, t)| (*n, t)).chain(extra.iter().map(|(n, t)| (*n, t))) {
        w.start_file(name, SimpleFileOptions::default()).expect("start");
        w.write_all(text.as_bytes()).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

/// `(what, limit)` of a refusal, after checking its code.
pub(crate) fn refusal<T: std::fmt::Debug>(r: Result<T, ImportError>) -> (&'static str, usize) {
    match r {
        Err(e @ ImportError::SheetTooLarge { what, limit }) => {
            assert_eq!(e.code(), "sheet_too_large");
            (what, limit)
        }
        other => panic!("expected sheet_too_large, got {other:?}"),
    }
}

/// Both readers, through the public entry points, refuse `bytes` for `what`, fast.
pub(crate) fn both_refuse(bytes: &[u8], limits: &Limits, what: &str) {
    let start = Instant::now();
    let (w, _) = refusal(import::import(bytes, None, Some("bank.xlsx"), limits));
    assert_eq!(w, what);
    assert_eq!(refusal(xlsx::parse(bytes, limits)).0, what);
    assert_eq!(refusal(outline_xlsx::read(bytes, limits)).0, what);
    assert!(start.elapsed() < Duration::from_secs(5), "refused in {:?}", start.elapsed());
}

pub(crate) const MAIN: &str = MAIN_NS;

const HEADER: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>题型</t></is></c><c r="B1" t="inlineStr"><is><t>题干</t></is></c><c r="C1" t="inlineStr"><is><t>答案</t></is></c></row>"#;

#[test]
fn the_bounding_box_bomb_is_refused_by_both_readers() {
    // calamine's range reader would allocate 16384 × 1048576 cells for this.
    let rows = format!(r#"<row r="1">{}</row><row r="1048576">{}</row>"#, cell("A1", "a"), cell("XFD1048576", "b"));
    let bomb = workbook(Some("A1:XFD1048576"), &rows);
    assert!(bomb.len() < 2048, "the bomb is {} bytes", bomb.len());
    both_refuse(&bomb, &Limits::default(), "rows");
    // The same workbook without the far cell is an ordinary one.
    let item = r#"<row r="2"><c r="A2" t="inlineStr"><is><t>判断题</t></is></c><c r="B2" t="inlineStr"><is><t>接地可防触电。</t></is></c><c r="C2" t="inlineStr"><is><t>对</t></is></c></row>"#;
    let fine = workbook(Some("A1:C2"), &format!("{HEADER}{item}"));
    let report = xlsx::parse(&fine, &Limits::default()).expect("a small sheet imports");
    assert_eq!((report.items.len(), report.skipped.len()), (1, 0));
    assert_eq!(report.items[0].source_ref, "row 2");
}

#[test]
fn a_lying_or_missing_dimension_does_not_hide_a_far_cell() {
    let limits = Limits::default();
    for (dimension, far, what) in [
        (Some("A1:B2"), "XFD1048576", "rows"),
        (None, "XFD1048576", "rows"),
        (Some("A1"), "A20001", "rows"),
        (None, "BM1", "columns"),
        (Some("A1:C3"), "XFD2", "columns"),
    ] {
        let rows = format!("{HEADER}<row>{}</row>", cell(far, "x"));
        both_refuse(&workbook(dimension, &rows), &limits, what);
    }
    // An empty cell far out is refused too: only a lying dimension puts it there.
    let empty_far = format!(r#"{HEADER}<row r="30000"><c r="A30000"></c></row>"#);
    both_refuse(&workbook(Some("A1:C1"), &empty_far), &limits, "rows");
    // The last row and column inside the limits are fine.
    let edge = format!("{HEADER}<row>{}{}</row>", cell("A20000", "x"), cell("BL20000", "y"));
    let sheet = read_first(&workbook(None, &edge), &limits).expect("inside the limits");
    assert_eq!(sheet.rows.len(), 20_000);
    assert_eq!(sheet.rows[19_999].get(63), Some(&Data::String("y".into())));
    // A declared dimension past the limits is refused before any cell is read.
    both_refuse(&workbook(Some("A1:BM2"), HEADER), &limits, "columns");
}

#[test]
fn the_filled_cell_budget_is_kept() {
    let limits = Limits { max_sheet_cells: 10, ..Limits::default() };
    let cells = |n: usize| -> String { (0..n).map(|i| cell(&format!("A{}", i + 1), "x")).collect() };
    assert_eq!(read_first(&workbook(None, &cells(10)), &limits).expect("ten cells").rows.len(), 10);
    assert_eq!(refusal(read_first(&workbook(None, &cells(11)), &limits)), ("filled cells", 10));
    both_refuse(&workbook(None, &cells(11)), &limits, "filled cells");
    // Empty cells cost nothing and are not counted.
    let empties: String = (0..50).map(|i| format!(r#"<c r="B{}"></c>"#, i + 1)).collect();
    assert!(read_first(&workbook(None, &format!("{}{empties}", cells(10))), &limits).is_ok());
}

#[test]
fn the_default_budget_refuses_200001_cells() {
    // 200,001 numbers in 64 columns: inside the row and column limits, past the cell budget.
    // They vary, or the sheet would compress past the zip ratio limit and be refused for that.
    let limits = Limits::default();
    assert_eq!(limits.max_sheet_cells, 200_000);
    let mut rows = String::with_capacity(5 * 1024 * 1024);
    let mut n: u32 = 1;
    for i in 0..200_001 {
        if i % 64 == 0 {
            rows.push_str(if i == 0 { "<row>" } else { "</row><row>" });
        }
        n = n.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        rows.push_str(&format!("<c><v>{}</v></c>", n % 100_000));
    }
    rows.push_str("</row>");
    let bytes = workbook(None, &rows);
    assert_eq!(refusal(read_first(&bytes, &limits)), ("filled cells", 200_000));
}

/// The sheet as calamine's range gives it, for comparing on small sheets only.
fn as_range(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("open");
    let range = book.worksheet_range_at(0).expect("a sheet").expect("read");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn same_as_range(sheet: &Sheet, range: &[Vec<Data>]) {
    assert_eq!(sheet.rows.len(), range.len());
    for (row, want) in sheet.rows.iter().zip(range) {
        for (c, d) in want.iter().enumerate() {
            let got = row.get(c);
            assert_eq!(got, (*d != Data::Empty).then_some(d), "column {c}");
        }
        assert!(row.cells().all(|(c, _)| c < want.len()));
    }
}

#[test]
fn sparse_sheets_read_as_calamine_reads_them() {
    let limits = Limits::default();
    for rows in [
        // One cell at C5 only: a one-by-one sheet.
        format!(r#"<row r="5">{}</row>"#, cell("C5", "只有我")),
        // Gaps between rows and columns, an offset start, numbers and an empty cell.
        format!(r#"<row r="2">{}<c r="F2"><v>3.5</v></c></row><row r="4"><c r="B4"></c></row><row r="7">{}</row>"#, cell("D2", "甲"), cell("B7", "乙")),
        // Two cells at one position: the later wins, as in calamine's range.
        format!("<row>{}{}{}</row>", cell("A1", "first"), cell("B1", "b"), cell("A1", "second")),
        // No cells at all.
        String::new(),
    ] {
        let bytes = workbook(None, &rows);
        same_as_range(&read_first(&bytes, &limits).expect("read"), &as_range(&bytes));
    }
    let only = read_first(&workbook(None, &format!(r#"<row r="5">{}</row>"#, cell("C5", "只有我"))), &limits).expect("read");
    assert_eq!(only.rows.len(), 1);
    assert_eq!(only.rows[0].get(0), Some(&Data::String("只有我".into())));
}

#[test]
fn sparse_item_and_outline_sheets_import() {
    // Rows 2 to 4 are empty; the item is reported by its row as the user counts it.
    let item = r#"<row r="5"><c r="A5" t="inlineStr"><is><t>单选题</t></is></c><c r="B5" t="inlineStr"><is><t>安全电压是？</t></is></c><c r="C5" t="inlineStr"><is><t>A</t></is></c><c r="D5" t="inlineStr"><is><t>36V</t></is></c><c r="E5" t="inlineStr"><is><t>220V</t></is></c></row>"#;
    let header = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>题型</t></is></c><c r="B1" t="inlineStr"><is><t>题干</t></is></c><c r="C1" t="inlineStr"><is><t>答案</t></is></c><c r="D1" t="inlineStr"><is><t>选项A</t></is></c><c r="E1" t="inlineStr"><is><t>选项B</t></is></c></row>"#;
    let report = xlsx::parse(&workbook(Some("A1:E5"), &format!("{header}{item}")), &Limits::default()).expect("parse");
    assert_eq!((report.items.len(), report.skipped.len()), (1, 0));
    assert_eq!(report.items[0].source_ref, "row 5");
    assert_eq!(report.items[0].choices[1].content, "220V");

    let outline = format!(
        "<row>{}</row><row r=\"9\">{}{}{}{}</row>",
        cell("A1", "代码"),
        cell("A9", "A"),
        cell("B9", "基础知识"),
        cell("C9", "鉴定范围"),
        cell("F9", "100")
    );
    let read = outline_xlsx::read(&workbook(None, &outline), &Limits::default()).expect("read");
    assert_eq!(read.scopes.len(), 1);
    assert_eq!((read.scopes[0].code.as_str(), read.scopes[0].weights.get(&5)), ("A", Some(&100)));
}

#[test]
fn references_calamine_cannot_count_are_refused_not_a_panic() {
    // calamine subtracts and multiplies these unchecked: a panic under overflow checks.
    for (dimension, at) in [(Some("B2:A1"), "A1"), (Some("A99999999999"), "A1"), (None, "A99999999999")] {
        let r = read_first(&workbook(dimension, &cell(at, "x")), &Limits::default());
        if cfg!(debug_assertions) {
            assert!(matches!(&r, Err(ImportError::Malformed(m)) if m.contains("out of range")), "{r:?}");
        }
    }
}

mod parts;
