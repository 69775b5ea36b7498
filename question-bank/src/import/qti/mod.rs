//! IMS QTI items: one `assessmentItem` file in QTI 2.1, 2.2 or 3.0 (`qti-assessment-item`).
//!
//! Mapping: a choice interaction is a single choice (cardinality `single`) or a multiple
//! choice (`multiple`/`ordered`); options become A, B, C… and the key is translated to those
//! letters. A single choice with exactly two options whose identifiers are `true`/`false`, or
//! whose texts read as a true/false pair (对/错, 正确/错误, true/false, wahr/falsch,
//! richtig/falsch, ja/nein, yes/no), becomes a true/false item — unless the exporter's manifest
//! says it is a plain single choice. Text entries make a fill-in item (one blank each, shown as
//! `____` in the stem; accepted answers from the correct response plus mapping entries worth
//! points); an extended text makes a short-answer item. Every other interaction, several
//! interactions of different kinds, and template-generated items are skipped as unsupported.
//! Points come from MAXSCORE, else SCORE's normal maximum, else the mapping, else 1.
mod html;
mod item;
pub(crate) mod xhtml;

pub(crate) use html::{BLANKS_CLASS, STEM_CLASS};

use super::{ImportError, ImportReport, Limits, SkipCode, Skipped, xml_dom, xml_safety};
use crate::item::{ItemDraft, ItemType};

/// What one QTI file held.
#[derive(Debug)]
pub(crate) enum Parsed {
    Item(ItemDraft),
    Skipped(Skipped),
    /// An `assessmentTest` or section: it only refers to items kept in other files.
    Test,
}

/// Reads one QTI file. `item_ref` names the item in reports when it has no identifier;
/// `hint` is the type the exporter recorded, if any. Broken XML is `Malformed`.
pub(crate) fn read_item(text: &str, item_ref: &str, hint: Option<ItemType>) -> Result<Parsed, ImportError> {
    let text = text.trim_start_matches('\u{feff}');
    xml_safety::check(text)?;
    let root = xml_dom::parse(text)?;
    match root.name.as_str() {
        "assessmentItem" => Ok(item::build(&root, item_ref, hint)),
        "assessmentTest" | "assessmentSection" => Ok(Parsed::Test),
        "questestinterop" => Err(ImportError::Malformed("QTI 1.x is not read: export the items as QTI 2.1 or later".into())),
        "manifest" => Err(ImportError::Malformed("this is an IMS manifest: import the zipped package instead".into())),
        other => Err(ImportError::Malformed(format!("not a QTI item: the root element is <{other}>"))),
    }
}

pub fn parse(text: &str, _limits: &Limits) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    match read_item(text, "item", None)? {
        Parsed::Item(draft) => report.push_checked(draft),
        Parsed::Skipped(skipped) => report.skipped.push(skipped),
        Parsed::Test => report.skip(
            "assessment test",
            SkipCode::UnsupportedType,
            "an assessment test holds no items itself, only references to item files: import the content package instead",
        ),
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::{Key, Points};

    fn one(xml: &str) -> ImportReport {
        parse(xml, &Limits::default()).expect("parse")
    }

    const QTI21: &str = r#"xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1""#;

    #[test]
    fn chinese_true_false_and_points_from_maxscore() {
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><assessmentItem {QTI21} identifier="tf1" title="判断">
            <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
              <correctResponse><value>c2</value></correctResponse></responseDeclaration>
            <outcomeDeclaration identifier="MAXSCORE" cardinality="single" baseType="float">
              <defaultValue><value>0.5</value></defaultValue></outcomeDeclaration>
            <itemBody><p>接地电阻不大于 4Ω。</p><choiceInteraction responseIdentifier="RESPONSE" maxChoices="1">
              <simpleChoice identifier="c1">错误</simpleChoice><simpleChoice identifier="c2">正确</simpleChoice>
            </choiceInteraction></itemBody></assessmentItem>"#
        );
        let r = one(&xml);
        assert_eq!(r.skipped, vec![]);
        let item = &r.items[0];
        assert_eq!(item.key, Key::TrueFalse { value: true });
        assert_eq!(item.choices, vec![]);
        assert_eq!(item.points, Points(500));
        assert_eq!(item.stem, "<p>接地电阻不大于 4Ω。</p>");
        assert_eq!(item.source_ref, "tf1");
    }

    #[test]
    fn multiple_choice_key_follows_choice_order() {
        let xml = format!(
            r#"<assessmentItem {QTI21} identifier="m"><responseDeclaration identifier="R" cardinality="multiple" baseType="identifier">
              <correctResponse><value> z </value><value>x</value></correctResponse></responseDeclaration>
            <itemBody><choiceInteraction responseIdentifier="R" maxChoices="0"><prompt>选出<b>导体</b></prompt>
              <simpleChoice identifier="x">铜</simpleChoice><simpleChoice identifier="y">橡胶</simpleChoice>
              <simpleChoice identifier="z" fixed="true">铝<feedbackInline identifier="z" outcomeIdentifier="F">对</feedbackInline></simpleChoice>
            </choiceInteraction></itemBody></assessmentItem>"#
        );
        let item = &one(&xml).items[0];
        assert_eq!(item.key, Key::Multiple { choices: vec!["A".into(), "C".into()] });
        assert_eq!(item.stem, "<p>选出<b>导体</b></p>");
        assert_eq!(item.choices[2].content, "铝");
        assert!(item.choices[2].fixed && !item.choices[0].fixed);
        assert_eq!(item.points, Points::ONE);
    }

    #[test]
    fn tests_unsupported_and_invalid_items_are_reported_not_failed() {
        let test = format!(r#"<assessmentTest {QTI21} identifier="t"><testPart identifier="p"/></assessmentTest>"#);
        let r = one(&test);
        assert!(r.items.is_empty() && r.skipped.len() == 1 && r.skipped[0].detail.contains("content package"));
        let qti3 = r#"<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="h">
            <qti-item-body><qti-hotspot-interaction response-identifier="R"/></qti-item-body></qti-assessment-item>"#;
        let r = one(qti3);
        assert_eq!((r.skipped[0].code, r.skipped[0].detail.as_str()), (SkipCode::UnsupportedType, "qti-hotspot-interaction"));
        let no_key = format!(
            r#"<assessmentItem {QTI21} identifier="k"><itemBody><choiceInteraction responseIdentifier="R">
            <simpleChoice identifier="a">甲</simpleChoice><simpleChoice identifier="b">乙</simpleChoice></choiceInteraction></itemBody></assessmentItem>"#
        );
        assert_eq!(one(&no_key).skipped[0].code, SkipCode::InvalidItem);
        assert!(matches!(parse("<assessmentItem><itemBody>", &Limits::default()), Err(ImportError::Malformed(_))));
        let xxe = r#"<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><assessmentItem>&x;</assessmentItem>"#;
        assert!(matches!(parse(xxe, &Limits::default()), Err(ImportError::Unsafe(_))));
    }

    #[test]
    fn a_multibyte_character_at_the_safety_check_boundary_does_not_panic() {
        for pad in 0..3 {
            let mut xml = format!(r#"<assessmentItem {QTI21} identifier="big"><itemBody><p>"#);
            xml.push_str(&"a".repeat(64 * 1024 - xml.len() - pad));
            xml.push_str(&"中".repeat(10));
            xml.push_str("</p></itemBody></assessmentItem>");
            assert!(parse(&xml, &Limits::default()).is_ok());
            let mut hostile = xml.clone();
            hostile.push_str("<!ENTITY a 'b'>");
            assert!(matches!(parse(&hostile, &Limits::default()), Err(ImportError::Unsafe(_))));
        }
    }
}
