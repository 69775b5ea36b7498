//! Workbooks that kill a process through the parts calamine reads whole, not the sheet.
use super::{MAIN, both_refuse, refusal, workbook_with};
use crate::import::Limits;
use crate::import::sheet::read_first;

fn strings(sst: &str) -> (&'static str, String) {
    ("xl/sharedStrings.xml", sst.to_string())
}

/// A cell showing shared string 0.
const SHARED_A1: &str = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;

#[test]
fn a_claimed_shared_string_count_is_refused_before_calamine_reserves_it() {
    // calamine would reserve 10^14 strings (2.4 PB) for this 1 KB file and abort.
    let claim = r#"uniqueCount="100000000000000" count="1""#;
    let padding = format!("<!--{}-->", " ".repeat(70_000));
    for (name, sst) in [
        ("xl/sharedStrings.xml", format!(r#"<sst xmlns="{MAIN}" {claim}><si><t>x</t></si></sst>"#)),
        ("xl/sharedStrings.xml", format!(r#"<sst xmlns="{MAIN}" {claim}/>"#)),
        // Not in the first bytes of the part, nor under the expected name's case.
        ("XL/SharedStrings.XML", format!(r#"<?xml version="1.0"?>{padding}<sst xmlns="{MAIN}" {claim}><si><t>x</t></si></sst>"#)),
    ] {
        let bytes = workbook_with(None, SHARED_A1, &[(name, sst)]);
        both_refuse(&bytes, &Limits::default(), "shared strings");
    }
    let fine = workbook_with(None, SHARED_A1, &[strings(&format!(r#"<sst xmlns="{MAIN}" uniqueCount="1"><si><t>甲</t></si></sst>"#))]);
    let sheet = read_first(&fine, &Limits::default()).expect("one shared string");
    assert_eq!(sheet.rows[0].get(0), Some(&calamine::Data::String("甲".into())));
}

#[test]
fn the_shared_string_table_is_bounded_by_count_and_size() {
    let four = format!(r#"<sst xmlns="{MAIN}">{}</sst>"#, "<si><t>x</t></si>".repeat(4));
    let bytes = workbook_with(None, SHARED_A1, &[strings(&four)]);
    let few_cells = Limits { max_sheet_cells: 3, ..Limits::default() };
    assert_eq!(refusal(read_first(&bytes, &few_cells)), ("shared strings", 3));
    let few_bytes = Limits { max_sheet_bytes: 64, ..Limits::default() };
    both_refuse(&bytes, &few_bytes, "bytes of shared strings");
    assert!(read_first(&bytes, &Limits { max_sheet_cells: 4, ..Limits::default() }).is_ok());
}

#[test]
fn one_long_shared_string_cannot_fill_every_cell() {
    // 1 MB of text, shown in 100 cells: 100 MB once every cell owns its copy.
    let sst = format!(r#"<sst xmlns="{MAIN}" uniqueCount="1"><si><t>{}</t></si></sst>"#, "x".repeat(1_000_000));
    let cells = |n: usize| -> String { (1..=n).map(|r| format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#)).collect() };
    let bytes = workbook_with(None, &cells(100), &[strings(&sst)]);
    assert!(bytes.len() < 16 * 1024, "{} bytes", bytes.len());
    both_refuse(&bytes, &Limits::default(), "bytes of text");
    let ten = Limits { max_sheet_bytes: 10_000_000, ..Limits::default() };
    assert_eq!(read_first(&workbook_with(None, &cells(10), &[strings(&sst)]), &ten).expect("ten copies").rows.len(), 10);
}

#[test]
fn the_style_table_cannot_multiply_a_long_font_name() {
    // Every <xf> gets its own copy of font 0: 30,000 × 500 KB = 15 GB, from a few KB.
    let name = "A".repeat(500_000);
    let xfs = r#"<xf fontId="0"/>"#.repeat(30_000);
    let styles = format!(r#"<styleSheet xmlns="{MAIN}"><fonts count="1"><font><name val="{name}"/></font></fonts><cellXfs>{xfs}</cellXfs></styleSheet>"#);
    let bytes = workbook_with(None, SHARED_A1, &[("xl/styles.xml", styles)]);
    assert!(bytes.len() < 16 * 1024, "{} bytes", bytes.len());
    both_refuse(&bytes, &Limits::default(), "bytes of cell styles");
    // An ordinary style table passes.
    let plain = format!(
        r#"<styleSheet xmlns="{MAIN}"><fonts count="1"><font><name val="宋体"/></font></fonts><cellXfs>{}</cellXfs></styleSheet>"#,
        r#"<xf fontId="0"/>"#.repeat(100)
    );
    let cell = r#"<row r="1"><c r="A1"><v>1</v></c></row>"#;
    assert!(read_first(&workbook_with(None, cell, &[("xl/styles.xml", plain)]), &Limits::default()).is_ok());
}
