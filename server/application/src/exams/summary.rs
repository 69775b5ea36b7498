//! The score summary (成绩汇总表) of a session: one row per candidate on the roster, as a
//! table for the page and as CSV and XLSX files.
use exam_protocol::{RoomCandidate, Stage};

use crate::lang::Lang;

/// A candidate's status in words: the same words the proctor's room shows (proctor.js).
pub fn stage_name(stage: Stage, lang: Lang) -> &'static str {
    match stage {
        Stage::Commitment => lang.pick("待签承诺", "Commitment"),
        Stage::Waiting => lang.pick("等待开考", "Waiting"),
        Stage::Ready => lang.pick("未开始", "Not started"),
        Stage::EntryClosed => lang.pick("缺考", "Absent"),
        Stage::InProgress => lang.pick("答题中", "In progress"),
        Stage::Paused => lang.pick("已暂停", "Paused"),
        Stage::HandedIn => lang.pick("已交卷", "Handed in"),
        Stage::Terminated => lang.pick("已终止", "Terminated"),
    }
}

pub fn headers(lang: Lang) -> [&'static str; 7] {
    [
        lang.pick("序号", "No."),
        lang.pick("准考证号", "Ticket"),
        lang.pick("姓名", "Name"),
        lang.pick("证件号码", "ID number"),
        lang.pick("状态", "Status"),
        lang.pick("理论成绩", "Theory score"),
        lang.pick("是否合格", "Result"),
    ]
}

/// The rows as text cells, in roster order.
pub fn rows(room: &[RoomCandidate], pass_mark: i64, lang: Lang) -> Vec<[String; 7]> {
    room.iter()
        .enumerate()
        .map(|(i, r)| {
            let score = r.score.map(|p| p.to_string()).unwrap_or_default();
            let verdict = match r.score {
                Some(p) if i64::from(p.0) >= pass_mark * 1000 => lang.pick("合格", "Pass"),
                Some(_) => lang.pick("不合格", "Fail"),
                None => "",
            };
            [(i + 1).to_string(), r.ticket.clone(), r.name.clone(), r.id_masked.clone(), stage_name(r.stage, lang).to_string(), score, verdict.to_string()]
        })
        .collect()
}

fn csv_cell(s: &str) -> String {
    // Quote always; a leading = + - @ is prefixed so spreadsheets do not run it as a formula.
    let safe = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", safe.replace('"', "\"\""))
}

/// CSV with a byte-order mark, so Excel opens the Chinese text correctly.
pub fn csv(room: &[RoomCandidate], pass_mark: i64, lang: Lang) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out.push_str(&headers(lang).iter().map(|h| csv_cell(h)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
    for row in rows(room, pass_mark, lang) {
        out.push_str(&row.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

pub fn xlsx(title: &str, room: &[RoomCandidate], pass_mark: i64, lang: Lang) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(lang.pick("成绩汇总表", "Score summary")).map_err(err)?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    sheet.write_string_with_format(0, 0, title, &bold).map_err(err)?;
    for (c, h) in headers(lang).iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &bold).map_err(err)?;
    }
    // The number and the score are numbers a spreadsheet can sum and sort; the ticket and ID
    // stay text (18 digits would lose their last ones as numbers).
    let score = Format::new().set_num_format("0.###");
    for (r, row) in rows(room, pass_mark, lang).iter().enumerate() {
        let at = (r + 3) as u32;
        sheet.write_number(at, 0, (r + 1) as f64).map_err(err)?;
        for (c, v) in row.iter().enumerate().skip(1) {
            if c == 5 {
                if let Some(points) = room[r].score {
                    sheet.write_number_with_format(at, 5, f64::from(points.0) / 1000.0, &score).map_err(err)?;
                }
                continue;
            }
            sheet.write_string_with_format(at, c as u16, v, &text).map_err(err)?;
        }
    }
    sheet.set_column_width(1, 22).map_err(err)?;
    sheet.set_column_width(3, 22).map_err(err)?;
    book.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use question_bank::Points;

    /// A handed-in candidate scored 85.5, named and numbered as given.
    fn handed_in(name: &str, ticket: &str) -> RoomCandidate {
        RoomCandidate {
            candidate_id: 1,
            name: name.into(),
            ticket: ticket.into(),
            id_masked: "510***********1233".into(),
            stage: Stage::HandedIn,
            answered: 7,
            questions: 7,
            remaining_ms: None,
            integrity_events: 0,
            score: Some(Points(85_500)),
            device_pending: false,
            media: vec![],
            photo: false,
            roster_photo: false,
            identity_checked: None,
        }
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let room = vec![handed_in("=HYPERLINK(\"x\")", "2026001")];
        let text = String::from_utf8(csv(&room, 60, Lang::Zh)).expect("utf-8");
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
        assert!(text.contains("\"85.5\",\"合格\""), "{text}");
    }

    #[test]
    fn xlsx_scores_are_numbers_and_tickets_text() {
        use calamine::{Data, Reader, Xlsx};
        let mut room = vec![handed_in("李明", "20260000010010001")];
        room.push(RoomCandidate { candidate_id: 2, stage: Stage::Commitment, score: None, ..room[0].clone() });
        let bytes = xlsx("场次", &room, 60, Lang::Zh).expect("xlsx");
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("open");
        let range = book.worksheet_range("成绩汇总表").expect("sheet");
        assert_eq!(range.get_value((3, 0)), Some(&Data::Float(1.0)));
        assert_eq!(range.get_value((3, 5)), Some(&Data::Float(85.5)), "the score is a number");
        assert_eq!(range.get_value((3, 1)), Some(&Data::String("20260000010010001".into())), "the ticket stays text");
        assert_eq!(range.get_value((4, 4)), Some(&Data::String("待签承诺".into())), "the room's word for the status");
    }
}
