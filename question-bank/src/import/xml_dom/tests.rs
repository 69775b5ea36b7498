//! Tests of the shared XML tree: the QTI dialect, then the Moodle one.
use super::*;

#[test]
fn qti3_names_read_like_qti2_and_text_is_escaped_like_the_sanitiser() {
    let xml = r#"<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="x">
        <qti-item-body><p>&quot;甲&quot; &amp; "乙"&#x4E19;</p><qti-choice-interaction response-identifier="R" max-choices="1"/></qti-item-body>
        </qti-assessment-item>"#;
    let root = parse(xml).expect("parse");
    assert_eq!(root.name, "assessmentItem");
    let body = root.child("itemBody").expect("body");
    let inter = body.child("choiceInteraction").expect("interaction");
    assert_eq!(inter.attr("responseIdentifier"), Some("R"));
    assert_eq!(inter.raw, "qti-choice-interaction");
    let p = body.child("p").expect("p");
    assert_eq!(p.text(), "\"甲\" & \"乙\"丙");
    match &p.children[0] {
        Node::Text { html, .. } => assert_eq!(html, "\"甲\" &amp; \"乙\"丙"),
        Node::Element(_) => panic!("text expected"),
    }
}

#[test]
fn broken_xml_is_malformed_not_a_panic() {
    for bad in ["<a><b></a>", "<a>", "", "<a>&nbsp;</a>", "<a/><b/>", "<a x='1' x='2'/>", "<a>&#0;</a>"] {
        assert!(matches!(parse(bad), Err(ImportError::Malformed(_))), "{bad}");
    }
    let deep = "<a>".repeat(MAX_DEPTH + 1);
    assert!(matches!(parse(&deep), Err(ImportError::Malformed(_))));
}

#[test]
fn an_element_with_too_many_attributes_is_refused_by_both_dialects() {
    // quick-xml compares each attribute with every earlier one: 1.25 million took 11 minutes.
    let tag = |n: usize| format!("<a {}/>", (0..n).map(|i| format!("b{i}='' ")).collect::<String>());
    assert_eq!(parse(&tag(MAX_ATTRIBUTES)).expect("at the limit").attrs.len(), MAX_ATTRIBUTES);
    let over = tag(MAX_ATTRIBUTES + 1);
    assert!(matches!(parse(&over), Err(ImportError::Malformed(m)) if m.contains("more than 100 attributes")));
    assert!(parse_moodle(&over).is_err_and(|m| m.contains("more than 100 attributes")));
    let start = std::time::Instant::now();
    assert!(parse(&tag(200_000)).is_err());
    assert!(start.elapsed() < std::time::Duration::from_secs(10), "{:?}", start.elapsed());
}

mod moodle {
    use super::*;
    use crate::import::xml_dom::parse_moodle as parse;

    #[test]
    fn builds_a_tree_and_decodes_references() {
        let root = parse(r#"<quiz><q a="1 &amp; 2"><text>a &lt; b&#x4E2D;<![CDATA[<p>]]>&nbsp;</text></q></quiz>"#).expect("parse");
        assert_eq!(root.name, "quiz");
        let q = root.child("q").expect("q");
        assert_eq!(q.attr("a"), Some("1 & 2"));
        assert_eq!(q.child("text").map(Element::text).as_deref(), Some("a < b中<p>&nbsp;"));
        assert!(parse("<quiz><a></b></quiz>").is_err());
        assert!(parse("<quiz>").is_err());
        assert!(parse(&"<a>".repeat(500)).is_err());
    }
}

mod dialects {
    use super::*;

    #[test]
    fn moodle_reads_names_text_and_unknown_entities_as_written() {
        let xml = "<quiz xmlns:x=\"urn:x\"><qti-question/><x:question/><text>a\r\n<b>b</b>&bogus;</text></quiz><more/>";
        let root = parse_moodle(xml).expect("parse");
        let names: Vec<&str> = root.elements().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["qti-question", "x:question", "text"]);
        let text = root.child("text").expect("text");
        assert_eq!(text.direct_text(), "a\r\n&bogus;");
        assert_eq!(text.text(), "a\r\nb&bogus;");
        // The QTI dialect reads the same document strictly.
        assert!(matches!(parse(xml), Err(ImportError::Malformed(_))));
        let root = parse("<a><qti-b>x\r\ny</qti-b></a>").expect("parse");
        assert_eq!(root.child("b").map(Element::text).as_deref(), Some("x\ny"));
    }
}
