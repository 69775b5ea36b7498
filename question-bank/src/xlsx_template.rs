//! The XLSX item template Chinese banks use: one item per row, columns named in the header
//! row (Chinese or English, any order). Shared by the importer and the exporter.

/// Column headers in the order the exporter writes them, with the names the importer accepts.
pub const COLUMNS: &[(Column, &str, &[&str])] = &[
    (Column::Type, "题型", &["题型", "试题类型", "type"]),
    (Column::Stem, "题干", &["题干", "试题内容", "题目", "stem"]),
    (Column::Option(0), "选项A", &["选项a", "a", "option a"]),
    (Column::Option(1), "选项B", &["选项b", "b", "option b"]),
    (Column::Option(2), "选项C", &["选项c", "c", "option c"]),
    (Column::Option(3), "选项D", &["选项d", "d", "option d"]),
    (Column::Option(4), "选项E", &["选项e", "e", "option e"]),
    (Column::Option(5), "选项F", &["选项f", "f", "option f"]),
    (Column::Answer, "答案", &["答案", "正确答案", "标准答案", "answer", "key"]),
    (Column::Points, "分值", &["分值", "分数", "points", "score"]),
    (Column::Difficulty, "难度", &["难度", "difficulty"]),
    (Column::OutlinePoint, "鉴定点代码", &["鉴定点代码", "鉴定点", "outline_point", "outline point"]),
    (Column::Code, "试题代码", &["试题代码", "试题编号", "题号", "code"]),
    (Column::Tags, "标签", &["标签", "tags"]),
    (Column::Source, "来源", &["来源", "出处", "source"]),
    (Column::Fixed, "固定选项", &["固定选项", "fixed"]),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Type,
    Stem,
    Option(usize),
    Answer,
    Points,
    Difficulty,
    OutlinePoint,
    Code,
    Tags,
    Source,
    Fixed,
}

/// Six option columns, A to F.
pub const MAX_OPTIONS: usize = 6;

/// Between the blanks of a fill-in answer: `答案一##答案二`.
pub const BLANK_SEPARATOR: &str = "##";
/// Between accepted answers of one blank: `电阻|电阻器`.
pub const ALTERNATIVE_SEPARATOR: char = '|';
/// Between tags: `安全,接地`.
pub const TAG_SEPARATORS: &[char] = &[',', '，', ';', '；'];

/// A fill-in key as one cell: blanks joined by `##`, alternatives by `|`, and a `\` before any
/// `\`, `|` or `#` inside an answer.
pub fn write_blanks(blanks: &[Vec<String>]) -> String {
    let esc = |a: &String| {
        let mut out = String::with_capacity(a.len());
        for c in a.chars() {
            if matches!(c, '\\' | '|' | '#') {
                out.push('\\');
            }
            out.push(c);
        }
        out
    };
    blanks.iter().map(|b| b.iter().map(esc).collect::<Vec<_>>().join(&ALTERNATIVE_SEPARATOR.to_string())).collect::<Vec<_>>().join(BLANK_SEPARATOR)
}

/// The inverse of [`write_blanks`]; answers are trimmed and empty ones dropped.
pub fn read_blanks(cell: &str) -> Vec<Vec<String>> {
    let mut blanks = vec![Vec::new()];
    let mut current = String::new();
    let mut chars = cell.chars().peekable();
    let finish = |current: &mut String, blanks: &mut Vec<Vec<String>>| {
        let a = current.trim().to_string();
        if !a.is_empty()
            && let Some(b) = blanks.last_mut()
        {
            b.push(a);
        }
        current.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    current.push(n);
                }
            }
            '|' => finish(&mut current, &mut blanks),
            '#' if chars.peek() == Some(&'#') => {
                chars.next();
                finish(&mut current, &mut blanks);
                blanks.push(Vec::new());
            }
            _ => current.push(c),
        }
    }
    finish(&mut current, &mut blanks);
    blanks
}

pub fn column_for_header(header: &str) -> Option<Column> {
    let h = header.trim().to_lowercase();
    COLUMNS.iter().find(|(_, _, names)| names.contains(&h.as_str())).map(|(c, _, _)| *c)
}

/// True/false answers as banks write them.
pub fn parse_true_false(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "对" | "正确" | "是" | "√" | "✓" | "t" | "true" | "y" | "yes" | "1" | "a" => Some(true),
        "错" | "错误" | "否" | "×" | "✗" | "x" | "f" | "false" | "n" | "no" | "0" | "b" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_either_language() {
        assert_eq!(column_for_header(" 题干 "), Some(Column::Stem));
        assert_eq!(column_for_header("Option C"), Some(Column::Option(2)));
        assert_eq!(column_for_header("正确答案"), Some(Column::Answer));
        assert_eq!(column_for_header("备注"), None);
        assert_eq!(parse_true_false("√"), Some(true));
        assert_eq!(parse_true_false("错误"), Some(false));
        let blanks = vec![vec!["a|b".to_string(), "#1".into()], vec!["c\\d".into(), "电阻".into()]];
        assert_eq!(read_blanks(&write_blanks(&blanks)), blanks);
        assert_eq!(read_blanks("电阻|电阻器##欧姆"), vec![vec!["电阻".to_string(), "电阻器".into()], vec!["欧姆".into()]]);
    }
}
