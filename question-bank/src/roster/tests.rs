use super::*;

const TODAY: Date = (2026, 12, 7);

fn limits() -> Limits {
    Limits::default()
}

#[test]
fn a_good_csv_roster_reads_every_row() {
    let csv = "\u{FEFF}姓名,证件类型,证件号码\r\n李明,居民身份证,510105199003071233\r\n\"王, 丽\",身份证,510107199508152461\r\nJohn Smith,护照,E12345678\r\n";
    let r = parse(csv.as_bytes(), &limits(), TODAY).expect("roster");
    assert!(r.bad.is_empty(), "{:?}", r.bad);
    let names: Vec<_> = r.rows.iter().map(|x| (x.row, x.name.as_str(), x.id.kind())).collect();
    assert_eq!(names, [(2, "李明", IdKind::ResidentId), (3, "王, 丽", IdKind::ResidentId), (4, "John Smith", IdKind::Passport)]);
}

#[test]
fn every_bad_row_is_listed_with_its_reason_and_no_number() {
    let csv = "证件号码,姓名\n510105199003071233,李明\n510105199003071234,坏校验\n,无号码\n510105199003071233,重复\n510107199508152461,\n";
    let r = parse(csv.as_bytes(), &limits(), TODAY).expect("roster");
    assert_eq!(r.rows.len(), 1);
    let bad: Vec<_> = r.bad.iter().map(|b| (b.row, b.problem.code())).collect();
    assert_eq!(bad, [(3, "invalid_id_checksum"), (4, "roster_missing_id_number"), (5, "roster_duplicate_id"), (6, "roster_missing_name")]);
    assert_eq!(r.bad[2].problem, RowProblem::DuplicateId { first_row: 2 });
    assert!(!format!("{:?}", r.bad).contains("510105199003071234"), "a refused number is never repeated back");
}

#[test]
fn an_unknown_kind_and_a_future_birth_date_are_refused() {
    let csv = "姓名,证件类型,证件号码\n甲,驾驶证,510105199003071233\n乙,居民身份证,11010120300101001X\n";
    let r = parse(csv.as_bytes(), &limits(), TODAY).expect("roster");
    let codes: Vec<_> = r.bad.iter().map(|b| b.problem.code()).collect();
    assert_eq!(codes[0], "roster_unknown_id_kind");
    assert!(codes[1] == "invalid_birth_date" || codes[1] == "invalid_id_checksum", "{codes:?}");
}

#[test]
fn files_without_the_columns_or_rows_are_refused_whole() {
    assert_eq!(parse("名字,号码\n甲,1\n".as_bytes(), &limits(), TODAY).expect_err("refused").code(), "roster_missing_column");
    assert_eq!(parse("姓名,证件号码\n".as_bytes(), &limits(), TODAY).expect_err("refused").code(), "roster_empty");
    assert_eq!(parse(b"", &limits(), TODAY).expect_err("refused").code(), "roster_empty");
    // GBK bytes for 姓名: what Excel on a Chinese system writes as "CSV".
    assert_eq!(parse(&[0xD0, 0xD5, 0xC3, 0xFB, b'\n'], &limits(), TODAY).expect_err("refused").code(), "roster_not_utf8");
}

#[test]
fn a_csv_past_the_limits_is_refused_before_it_is_held() {
    let small = Limits { max_file_bytes: 64, ..Limits::default() };
    assert_eq!(parse(&[b'a'; 65], &small, TODAY).expect_err("refused").code(), "file_too_large");
    let rows = Limits { max_sheet_rows: 3, ..Limits::default() };
    let csv = "姓名,证件号码\n".to_string() + &"甲,1\n".repeat(10);
    assert_eq!(parse(csv.as_bytes(), &rows, TODAY).expect_err("refused").code(), "sheet_too_large");
    let cols = Limits { max_sheet_columns: 4, ..Limits::default() };
    assert_eq!(parse(",,,,,,,,\n".as_bytes(), &cols, TODAY).expect_err("refused").code(), "sheet_too_large");
}

#[test]
fn an_xlsx_roster_reads_like_the_csv() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in TEMPLATE_HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("write");
    }
    ws.write_string(1, 0, "李明").expect("write");
    ws.write_string(1, 1, "居民身份证").expect("write");
    ws.write_string(1, 2, "510105199003071233").expect("write");
    ws.write_string(2, 0, "王丽").expect("write");
    // A number typed as a number loses nothing for an 18-digit ID only if it is text; a
    // passport number as a plain number is still read as its digits.
    ws.write_string(2, 1, "护照").expect("write");
    ws.write_number(2, 2, 12345678.0).expect("write");
    let bytes = wb.save_to_buffer().expect("xlsx");
    let r = parse(&bytes, &limits(), TODAY).expect("roster");
    assert_eq!(r.rows.len() + r.bad.len(), 2);
    assert_eq!(r.rows[0].name, "李明");
    assert_eq!(r.rows[0].row, 2);
}

#[test]
fn an_unclosed_quote_refuses_the_file_and_numbers_never_come_back() {
    let csv = "姓名,证件号码\n\"张三,110101199003070011\n李四,510105199003071233\n";
    assert_eq!(parse(csv.as_bytes(), &limits(), TODAY).expect_err("refused").code(), "roster_unclosed_quote");
    // Columns the wrong way round: the number typed as a name is masked.
    let swapped = "姓名,证件号码\n510105199003071233,李四\n";
    let r = parse(swapped.as_bytes(), &limits(), TODAY).expect("roster");
    assert_eq!(r.bad.len(), 1);
    assert!(!r.bad[0].name.contains("510105"), "{:?}", r.bad[0].name);
}

#[test]
fn rows_are_numbered_as_a_spreadsheet_shows_them_and_names_must_print() {
    let csv = "姓名,证件号码\n\"张\r\n三\",510105199003071233\n李四,510107199508152461\n\u{200B},510122198811223575\n";
    let r = parse(csv.as_bytes(), &limits(), TODAY).expect("roster");
    let bad: Vec<_> = r.bad.iter().map(|b| (b.row, b.problem.code())).collect();
    assert_eq!(bad, [(2, "roster_invalid_name"), (4, "roster_invalid_name")]);
    assert_eq!(r.rows.iter().map(|x| x.row).collect::<Vec<_>>(), [3]);
}
