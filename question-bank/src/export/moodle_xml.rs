//! Moodle XML export, in the form Moodle's own importer reads: single and multiple choice as
//! `multichoice`, true/false as `truefalse`, a one-blank fill-in as `shortanswer`, a fill-in
//! with several blanks as `cloze` (each blank `{1:SHORTANSWER:=a~=b}` in place of the stem's
//! `____` marks), short answer as `essay` with the reference in `graderinfo`. Fields Moodle
//! lacks travel as reserved tags (see `import::moodle_xml::fields`), images as base64 `<file>`.
use crate::import::moodle_xml::{base64, cloze, fields};
use crate::item::{Asset, ItemDraft, Key};
use crate::sanitize::text_of;

/// Moodle's choice grades for k right options out of a multiple-answer question (100 / k).
const SHARES: [&str; 10] = ["100", "50", "33.33333", "25", "20", "16.66667", "14.28571", "12.5", "11.11111", "10"];

pub fn write(items: &[ItemDraft]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");
    for (i, item) in items.iter().enumerate() {
        question(&mut out, i, item);
    }
    out.push_str("</quiz>\n");
    out
}

fn question(out: &mut String, index: usize, item: &ItemDraft) {
    let mut stem = with_plugin_files(&item.stem, &item.assets);
    let mut appended = 0;
    let kind = match &item.key {
        Key::Single { .. } | Key::Multiple { .. } => "multichoice",
        Key::TrueFalse { .. } => "truefalse",
        Key::FillIn { blanks } if blanks.len() > 1 => {
            (stem, appended) = cloze_text(&stem, blanks);
            "cloze"
        }
        Key::FillIn { .. } => "shortanswer",
        Key::ShortAnswer { .. } => "essay",
    };
    out.push_str(&format!("  <question type=\"{kind}\">\n"));
    out.push_str(&format!("    <name>\n      <text>{}</text>\n    </name>\n", xml(&name(index, item))));
    out.push_str(&format!("    <questiontext format=\"html\">\n      <text>{}</text>\n", xml(&stem)));
    for asset in &item.assets {
        file(out, asset);
    }
    out.push_str("    </questiontext>\n");
    out.push_str("    <generalfeedback format=\"html\">\n      <text></text>\n    </generalfeedback>\n");
    out.push_str(&format!("    <defaultgrade>{}</defaultgrade>\n    <hidden>0</hidden>\n", item.points));
    if let Some(code) = &item.code {
        out.push_str(&format!("    <idnumber>{}</idnumber>\n", xml(code)));
    }
    match &item.key {
        Key::Single { choice } => choices(out, item, true, |id| if id == choice { "100".into() } else { "0".into() }),
        Key::Multiple { choices: right } => {
            let share = SHARES.get(right.len().saturating_sub(1)).map_or_else(|| format!("{:.7}", 100.0 / right.len() as f64), |s| (*s).to_string());
            // A wrong option cancels the credit, as in an all-or-nothing 多选题.
            choices(out, item, false, |id| if right.iter().any(|r| r == id) { share.clone() } else { "-100".into() });
        }
        Key::TrueFalse { value } => {
            let (t, f) = if *value { ("100", "0") } else { ("0", "100") };
            answer(out, t, "moodle_auto_format", "true", &[]);
            answer(out, f, "moodle_auto_format", "false", &[]);
        }
        Key::FillIn { blanks } if blanks.len() > 1 => {}
        Key::FillIn { blanks } => {
            out.push_str("    <usecase>0</usecase>\n");
            for accepted in blanks.iter().flatten() {
                answer(out, "100", "moodle_auto_format", &fields::short_answer_pattern(accepted), &[]);
            }
        }
        Key::ShortAnswer { reference } => {
            out.push_str("    <responseformat>editor</responseformat>\n    <responserequired>1</responserequired>\n");
            out.push_str("    <responsefieldlines>15</responsefieldlines>\n    <attachments>0</attachments>\n");
            out.push_str("    <attachmentsrequired>0</attachmentsrequired>\n");
            let reference = reference.as_deref().unwrap_or_default();
            out.push_str(&format!("    <graderinfo format=\"plain_text\">\n      <text>{}</text>\n    </graderinfo>\n", xml(reference)));
            out.push_str("    <responsetemplate format=\"html\">\n      <text></text>\n    </responsetemplate>\n");
        }
    }
    let tags = fields::tags_for(item, appended);
    if !tags.is_empty() {
        out.push_str("    <tags>\n");
        for tag in tags {
            out.push_str(&format!("      <tag><text>{}</text></tag>\n", xml(&tag)));
        }
        out.push_str("    </tags>\n");
    }
    out.push_str("  </question>\n");
}

/// The options of a choice item, each with the fraction `grade` gives its id.
fn choices(out: &mut String, item: &ItemDraft, single: bool, grade: impl Fn(&str) -> String) {
    out.push_str(&format!("    <single>{single}</single>\n"));
    // Moodle cannot pin single options, so a question with pinned ones is not shuffled.
    let shuffle = !item.choices.iter().any(|c| c.fixed);
    out.push_str(&format!("    <shuffleanswers>{shuffle}</shuffleanswers>\n    <answernumbering>ABCD</answernumbering>\n"));
    for c in &item.choices {
        let content = with_plugin_files(&c.content, &item.assets);
        // Moodle shows an answer's images only from the answer's own file area.
        let used: Vec<&Asset> = item.assets.iter().filter(|a| content.contains(&plugin_src(&a.path))).collect();
        answer(out, &grade(&c.id), "html", &content, &used);
    }
}

fn answer(out: &mut String, fraction: &str, format: &str, text: &str, assets: &[&Asset]) {
    out.push_str(&format!("    <answer fraction=\"{fraction}\" format=\"{format}\">\n      <text>{}</text>\n", xml(text)));
    out.push_str("      <feedback format=\"html\">\n        <text></text>\n      </feedback>\n");
    for asset in assets {
        file(out, asset);
    }
    out.push_str("    </answer>\n");
}

fn file(out: &mut String, asset: &Asset) {
    let (dir, name) = asset.path.rsplit_once('/').map_or(("/".to_string(), asset.path.as_str()), |(d, n)| (format!("/{d}/"), n));
    out.push_str(&format!("      <file name=\"{}\" path=\"{}\" encoding=\"base64\">{}</file>\n", xml(name), xml(&dir), base64::encode(&asset.bytes)));
}

/// A name for Moodle's question bank: the item code, else the start of the stem.
fn name(index: usize, item: &ItemDraft) -> String {
    if let Some(code) = item.code.as_ref().filter(|c| !c.trim().is_empty()) {
        return code.clone();
    }
    let text: String = text_of(&item.stem).chars().take(40).collect();
    if text.is_empty() { format!("item {}", index + 1) } else { text }
}

fn plugin_src(path: &str) -> String {
    format!("src=\"@@PLUGINFILE@@/{}\"", attr_escape(path))
}

/// Points `src` attributes that name an asset into Moodle's file area.
fn with_plugin_files(html: &str, assets: &[Asset]) -> String {
    let mut out = html.to_string();
    for a in assets {
        out = out.replace(&format!("src=\"{}\"", attr_escape(&a.path)), &plugin_src(&a.path));
    }
    out
}

/// How the sanitiser writes an attribute value.
fn attr_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;")
}

/// A cloze question text: the stem's `____` marks replaced by the blanks in order; blanks
/// beyond the marks are appended, each after one space, and counted for a reserved tag.
fn cloze_text(stem: &str, blanks: &[Vec<String>]) -> (String, usize) {
    let mut out = String::with_capacity(stem.len() + 64 * blanks.len());
    let mut rest = stem;
    let mut placed = 0;
    while let (Some(blank), Some(pos)) = (blanks.get(placed), rest.find("____")) {
        out.push_str(&rest[..pos]);
        out.push_str(&cloze::write_blank(blank));
        rest = &rest[pos + 4..];
        placed += 1;
    }
    out.push_str(rest);
    for blank in &blanks[placed..] {
        out.push(' ');
        out.push_str(&cloze::write_blank(blank));
    }
    (out, blanks.len() - placed)
}

/// Text for XML content or attributes (one escaping serves both here).
fn xml(s: &str) -> String {
    crate::xml_escape::attr(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::{Choice, Points};

    #[test]
    fn writes_moodle_fields() {
        let ab =
            vec![Choice { id: "A".into(), content: "<p>甲 &amp; 乙</p>".into(), fixed: false }, Choice { id: "B".into(), content: "丙".into(), fixed: true }];
        let mut item = ItemDraft::new("x", "<p>题干</p>", ab, Key::Multiple { choices: vec!["A".into(), "B".into()] });
        item.points = Points(2500);
        item.code = Some("3-A-A-B-E-004".into());
        let xml = write(&[item]);
        assert!(xml.contains("<question type=\"multichoice\">"), "{xml}");
        assert!(xml.contains("<single>false</single>") && xml.contains("<shuffleanswers>false</shuffleanswers>"));
        assert!(xml.contains("<answer fraction=\"50\" format=\"html\">\n      <text>&lt;p&gt;甲 &amp;amp; 乙&lt;/p&gt;</text>"));
        assert!(xml.contains("<defaultgrade>2.5</defaultgrade>") && xml.contains("<idnumber>3-A-A-B-E-004</idnumber>"));
        assert!(xml.contains("<tag><text>fixed:B</text></tag>"));
        assert_eq!(cloze_text("甲____乙", &[vec!["1".into()], vec!["2".into()]]), ("甲{1:SHORTANSWER:=1}乙 {1:SHORTANSWER:=2}".into(), 1));
    }
}
