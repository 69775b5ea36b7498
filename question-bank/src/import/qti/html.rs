//! Item content as HTML: the item body without its interactions (prompts kept, text entries
//! shown as blanks), and choice content. QTI's XHTML dialect becomes plain HTML (namespaces
//! and prefixes dropped, unknown vocabularies unwrapped), then goes through the sanitiser.
use super::xhtml::{self, BLANK};
use crate::import::xml_dom::{Element, Node, Ns};
use crate::sanitize;

/// Where the exporter puts blanks that have no place in the stem's text; the importer
/// drops this block instead of showing its blanks twice.
pub(crate) const BLANKS_CLASS: &str = "qb-blanks";
/// The block the exporter wraps a stem in (QTI's item body holds no bare text); unwrapped.
pub(crate) const STEM_CLASS: &str = "qb-stem";

/// QTI elements whose content is not what a candidate reads with the question: feedback,
/// scorer rubrics, template parts, styling and accessibility catalogues.
const DROPPED: [&str; 13] = [
    "feedbackInline",
    "feedbackBlock",
    "modalFeedback",
    "rubricBlock",
    "templateInline",
    "templateBlock",
    "printedVariable",
    "stylesheet",
    "catalogInfo",
    "apipAccessibility",
    "accessibilityInfo",
    "companionMaterialsInfo",
    "simpleChoice",
];

/// The sanitised HTML of an element's content.
pub(crate) fn content(e: &Element) -> String {
    let mut out = String::new();
    render(&e.children, &mut out);
    sanitize::clean(out.trim()).trim().to_owned()
}

fn render(nodes: &[Node], out: &mut String) {
    for n in nodes {
        match n {
            Node::Text { html, .. } => out.push_str(html),
            Node::Element(e) => element(e, out),
        }
    }
}

fn element(e: &Element, out: &mut String) {
    if matches!(e.ns, Ns::Other | Ns::Bank) {
        // SSML, APIP and the like: keep the words, not the markup.
        return render(&e.children, out);
    }
    let name = e.name.as_str();
    if e.ns == Ns::Qti {
        if DROPPED.contains(&name) {
            return;
        }
        match name {
            "textEntryInteraction" => return out.push_str(BLANK),
            "prompt" => return paragraph(e, out),
            _ if name.ends_with("Interaction") => {
                if let Some(prompt) = e.child("prompt") {
                    paragraph(prompt, out);
                }
                return;
            }
            "div" if has_class(e, BLANKS_CLASS) => return,
            "div" if has_class(e, STEM_CLASS) => return render(&e.children, out),
            "object" => return object(e, out),
            _ => {}
        }
    }
    out.push('<');
    out.push_str(name);
    for (key, value) in &e.attrs {
        out.push(' ');
        out.push_str(key);
        out.push_str("=\"");
        push_attr(out, value);
        out.push('"');
    }
    out.push('>');
    if xhtml::is_void(name) {
        return;
    }
    render(&e.children, out);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn has_class(e: &Element, class: &str) -> bool {
    e.attr("class").is_some_and(|c| c.split_whitespace().any(|c| c == class))
}

/// Attribute escaping as the sanitiser writes it.
fn push_attr(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            _ => out.push(c),
        }
    }
}

/// A prompt reads as a paragraph of the stem.
fn paragraph(prompt: &Element, out: &mut String) {
    let mut inner = String::new();
    render(&prompt.children, &mut inner);
    let inner = inner.trim();
    if !inner.is_empty() {
        out.push_str("<p>");
        out.push_str(inner);
        out.push_str("</p>");
    }
}

/// Image types a browser shows in `<img>`; other objects (EPS, HTML pages, media) fall back.
const WEB_IMAGES: [&str; 7] = ["image/png", "image/jpeg", "image/jpg", "image/gif", "image/svg+xml", "image/webp", "image/bmp"];

/// QTI 2 shows images as `<object type="image/…">`; HTML wants `<img>`, with the fallback
/// content as its alternative text. Other objects show their fallback content.
fn object(e: &Element, out: &mut String) {
    match (e.attr("type"), e.attr("data")) {
        (Some(mime), Some(data)) if WEB_IMAGES.contains(&mime.trim()) && !data.is_empty() => {
            out.push_str("<img src=\"");
            push_attr(out, data);
            out.push('"');
            let alt = e.text().split_whitespace().collect::<Vec<_>>().join(" ");
            if !alt.is_empty() {
                out.push_str(" alt=\"");
                push_attr(out, &alt);
                out.push('"');
            }
            out.push('>');
        }
        _ => render(&e.children, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::xml_dom as dom;

    fn body(xml: &str) -> String {
        let root = dom::parse(xml).expect("parse");
        content(root.child("itemBody").expect("itemBody"))
    }

    #[test]
    fn interactions_leave_prompts_and_blanks() {
        let xml = r#"<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" xmlns:s="urn:x"><itemBody>
            <p>电工<s:sub alias="x">作业</s:sub>：<textEntryInteraction responseIdentifier="R"/>。</p>
            <choiceInteraction responseIdentifier="C"><prompt>请选择</prompt><simpleChoice identifier="a">甲</simpleChoice></choiceInteraction>
            <feedbackBlock outcomeIdentifier="F" identifier="x">答对了</feedbackBlock>
            <object type="image/png" data="a.png"><p>图 1</p></object>
            <p onclick="x()">点<script>alert(1)</script></p>
            <div class="qb-blanks"><textEntryInteraction responseIdentifier="R2"/></div>
            </itemBody></assessmentItem>"#;
        assert_eq!(
            body(xml),
            "<p>电工作业：____。</p>\n            <p>请选择</p>\n            \n            \
             <img src=\"a.png\" alt=\"图 1\">\n            <p>点</p>"
        );
    }

    #[test]
    fn qti3_content_and_html5_namespaces() {
        let xml = r#"<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" xmlns:h="http://www.imsglobal.org/xsd/imsqtiv2p2_html5_v1p0">
            <qti-item-body><p>村田<h:ruby>真<h:rt>まこと</h:rt></h:ruby></p><qti-extended-text-interaction response-identifier="R"><qti-prompt>写</qti-prompt></qti-extended-text-interaction></qti-item-body></qti-assessment-item>"#;
        assert_eq!(body(xml), "<p>村田<ruby>真<rt>まこと</rt></ruby></p><p>写</p>");
    }
}
