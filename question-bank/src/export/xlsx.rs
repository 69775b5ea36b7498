//! Writes items into the XLSX template (see [`crate::xlsx_template`]), with a second sheet
//! explaining the columns, so the file can be edited and imported again.
use rust_xlsxwriter::{Format, Workbook};

use super::ExportError;
use crate::item::{ItemDraft, Key};
use crate::sanitize;
use crate::xlsx_template::{self as tpl, Column};

/// Item HTML as a cell: plain text when that reads back the same, else the HTML itself (which
/// then holds a tag or an entity, so the importer reads it as HTML).
fn cell(html: &str) -> String {
    let plain = sanitize::unescape(html);
    if sanitize::looks_like_html(html) || sanitize::looks_like_html(&plain) || sanitize::has_entity(&plain) { html.to_string() } else { plain }
}

fn value(item: &ItemDraft, column: Column) -> String {
    match column {
        Column::Type => item.item_type.name_zh().to_string(),
        Column::Stem => cell(&item.stem),
        Column::Option(i) => item.choices.get(i).map(|c| cell(&c.content)).unwrap_or_default(),
        Column::Answer => match &item.key {
            Key::Single { choice } => choice.clone(),
            Key::Multiple { choices } => choices.concat(),
            Key::TrueFalse { value } => if *value { "对" } else { "错" }.to_string(),
            Key::FillIn { blanks } => tpl::write_blanks(blanks),
            Key::ShortAnswer { reference } => reference.clone().unwrap_or_default(),
        },
        Column::Points => item.points.to_string(),
        Column::Difficulty => item.difficulty.map(|d| d.value().to_string()).unwrap_or_default(),
        Column::OutlinePoint => item.outline_point.clone().unwrap_or_default(),
        Column::Code => item.code.clone().unwrap_or_default(),
        Column::Tags => item.tags.join(","),
        Column::Source => item.source.clone().unwrap_or_default(),
        Column::Fixed => item.choices.iter().filter(|c| c.fixed).map(|c| c.id.as_str()).collect(),
    }
}

pub fn write(items: &[ItemDraft]) -> Result<Vec<u8>, ExportError> {
    let err = |e: rust_xlsxwriter::XlsxError| ExportError::Write(e.to_string());
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet();
    sheet.set_name("试题").map_err(err)?;
    for (col, (_, header, _)) in tpl::COLUMNS.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, col, *header, &bold).map_err(err)?;
        sheet.set_column_width(col, if col == 1 { 60 } else { 14 }).map_err(err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    for (r, item) in items.iter().enumerate() {
        let row = u32::try_from(r + 1).map_err(|_| ExportError::Write("too many rows".into()))?;
        for (col, (column, _, _)) in tpl::COLUMNS.iter().enumerate() {
            let v = value(item, *column);
            if !v.is_empty() {
                // Text format keeps answers like "1" or codes like "3-A-001" as typed.
                sheet.write_string_with_format(row, u16::try_from(col).unwrap_or(u16::MAX), v, &text).map_err(err)?;
            }
        }
    }
    let help = book.add_worksheet();
    help.set_name("说明").map_err(err)?;
    let lines = [
        "每行一道题；第一行为列名，列的顺序可以调整。",
        "题型：单选题、多选题、判断题、填空题、简答题。",
        "答案：单选填字母（如 B）；多选填所有正确字母（如 ACD）；判断填 对 或 错；",
        "填空题多个空用 ## 分隔，同一空的多个可接受答案用 | 分隔（如 电阻|电阻器##欧姆），答案本身含 | 或 # 时在其前加 \\；简答题填参考答案。",
        "分值为数字；难度为 1（易）到 5（难）；鉴定点代码与细目表一致；标签用逗号分隔；固定选项填不参与乱序的选项字母。",
        "题干和选项可写纯文本，也可写 HTML；HTML 中的脚本和事件属性会被删除。",
    ];
    for (i, l) in lines.iter().enumerate() {
        help.write_string(u32::try_from(i).unwrap_or(0), 0, *l).map_err(err)?;
    }
    help.set_column_width(0, 120).map_err(err)?;
    book.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Limits, xlsx as import_xlsx};
    use crate::item::{Choice, Difficulty, Points};

    fn sample() -> Vec<ItemDraft> {
        let abc = |fixed_c: bool| -> Vec<Choice> {
            ["&lt;4 Ω", "10 Ω", "以上都不对"]
                .iter()
                .enumerate()
                .map(|(i, t)| Choice { id: crate::item::choice_letter(i), content: (*t).into(), fixed: fixed_c && i == 2 })
                .collect()
        };
        let mut single = ItemDraft::new("1", "保护接地电阻一般不大于多少？", abc(true), Key::Single { choice: "A".into() });
        single.points = Points(2500);
        single.difficulty = Difficulty::new(3);
        single.outline_point = Some("3-A-A-B".into());
        single.code = Some("3-A-A-B-E-004".into());
        single.tags = vec!["安全".into(), "接地".into()];
        single.source = Some("国家职业技能标准 电工".into());
        let multi = ItemDraft::new("2", "<p>下列属于<b>绝缘</b>材料的是</p>", abc(false), Key::Multiple { choices: vec!["A".into(), "C".into()] });
        let tf = ItemDraft::new("3", "1 &lt; 2 &amp; 3 &gt; 2", vec![], Key::TrueFalse { value: false });
        let fill = ItemDraft::new("4", "欧姆定律：I = ____ / R", vec![], Key::FillIn { blanks: vec![vec!["U".into(), "电压".into()], vec!["１０".into()]] });
        let short = ItemDraft::new("5", "简述触电急救的步骤。", vec![], Key::ShortAnswer { reference: Some("脱离电源，判断，呼救，心肺复苏".into()) });
        vec![single, multi, tf, fill, short]
    }

    #[test]
    fn every_type_round_trips_through_the_template() {
        let items = sample();
        let bytes = write(&items).expect("write");
        let report = import_xlsx::parse(&bytes, &Limits::default()).expect("read back");
        assert!(report.skipped.is_empty(), "{:?}", report.skipped);
        assert_eq!(report.items.len(), items.len());
        for (a, b) in items.iter().zip(&report.items) {
            let mut a = a.clone();
            a.source_ref = b.source_ref.clone();
            assert_eq!(&a, b);
        }
    }
}
