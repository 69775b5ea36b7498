//! A small element tree read from QTI (and IMS manifest) XML: namespaces resolved, QTI 3.0
//! kebab-case names (`qti-choice-interaction`) mapped to the QTI 2.x camelCase ones
//! (`choiceInteraction`), so one reader serves 2.1, 2.2 and 3.0. Text is kept twice: as
//! HTML, ready to render, and as plain text for values such as correct responses.
use quick_xml::NsReader;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;

use crate::import::ImportError;

/// The namespace of the metadata the exporter writes into the manifest.
pub(crate) const BANK_NS: &str = "urn:exam:question-bank";

/// Deeper nesting than this is no real item; refusing it keeps the recursive walks bounded.
const MAX_DEPTH: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
    /// QTI 2.x / 3.0, or no namespace at all (QTI content mixes HTML elements into it).
    Qti,
    /// XHTML, or the QTI 2.2 HTML5 namespace (ruby, figure, …).
    Html,
    MathMl,
    /// [`BANK_NS`].
    Bank,
    /// Anything else (SSML, APIP, IMS CP, …): elements are unwrapped when rendered.
    Other,
}

#[derive(Debug)]
pub(crate) struct Element {
    pub ns: Ns,
    /// QTI 2.x camelCase for QTI elements, the local name for everything else.
    pub name: String,
    /// The local name as written, for reports.
    pub raw: String,
    /// Local names; `xml:lang` becomes `lang`, other prefixed attributes are dropped.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug)]
pub(crate) enum Node {
    Element(Element),
    /// `html` is escaped the way the HTML sanitiser writes text, so plain text escaped by
    /// [`crate::sanitize::escape`] comes back unchanged.
    Text {
        html: String,
        plain: String,
    },
}

impl Element {
    /// An attribute by its QTI 2.x name, also found under its QTI 3.0 kebab-case name.
    pub fn attr(&self, camel: &str) -> Option<&str> {
        let kebab = kebab_case(camel);
        self.attrs.iter().find(|(k, _)| *k == camel || *k == kebab).map(|(_, v)| v.as_str())
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text { .. } => None,
        })
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    pub fn children_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Element> + 's {
        self.elements().filter(move |e| e.name == name)
    }

    /// Every descendant element in document order; `descend` says whether to look inside one.
    pub fn walk<'s>(&'s self, descend: &dyn Fn(&Element) -> bool, visit: &mut dyn FnMut(&'s Element)) {
        for e in self.elements() {
            visit(e);
            if descend(e) {
                e.walk(descend, visit);
            }
        }
    }

    /// The plain text of everything inside, as written.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        for n in &self.children {
            match n {
                Node::Text { plain, .. } => out.push_str(plain),
                Node::Element(e) => e.collect_text(out),
            }
        }
    }
}

fn kebab_case(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn camel_case(kebab: &str) -> String {
    let mut out = String::with_capacity(kebab.len());
    let mut upper = false;
    for c in kebab.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn classify(ns: &ResolveResult<'_>) -> Ns {
    let uri: &[u8] = match ns {
        ResolveResult::Unbound => return Ns::Qti,
        ResolveResult::Unknown(_) => return Ns::Other,
        ResolveResult::Bound(n) => n.as_ref(),
    };
    let uri = String::from_utf8_lossy(uri);
    if uri.starts_with("http://www.imsglobal.org/xsd/imsqti") && uri.contains("html5") {
        Ns::Html
    } else if uri.starts_with("http://www.imsglobal.org/xsd/imsqti")
        || uri.starts_with("http://www.imsglobal.org/xsd/qti/")
    {
        Ns::Qti
    } else if uri == "http://www.w3.org/1999/xhtml" {
        Ns::Html
    } else if uri == "http://www.w3.org/1998/Math/MathML" {
        Ns::MathMl
    } else if uri == BANK_NS {
        Ns::Bank
    } else {
        Ns::Other
    }
}

fn malformed(reason: impl std::fmt::Display) -> ImportError {
    ImportError::Malformed(reason.to_string())
}

fn element(ns: &ResolveResult<'_>, start: &BytesStart<'_>) -> Result<Element, ImportError> {
    let ns = classify(ns);
    let raw = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let name = match raw.strip_prefix("qti-") {
        Some(rest) if ns == Ns::Qti => camel_case(rest),
        _ => raw.clone(),
    };
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| malformed(format!("a bad attribute on <{raw}>: {e}")))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let key = match key.split_once(':') {
            None if key == "xmlns" => continue,
            None => key,
            Some(("xml", "lang")) => "lang".to_owned(),
            Some(_) => continue,
        };
        let value = attr.unescape_value().map_err(|e| malformed(format!("a bad attribute value on <{raw}>: {e}")))?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element { ns, name, raw, attrs, children: Vec::new() })
}


/// A reference in text: the five XML entities and character references, nothing else.
fn reference(r: &BytesRef<'_>) -> Result<(String, String), ImportError> {
    if let Some(c) = r.resolve_char_ref().map_err(|e| malformed(format!("a bad character reference: {e}")))? {
        let mut html = String::new();
        html.push_str(&crate::sanitize::escape(c.encode_utf8(&mut [0; 4])));
        return Ok((html, c.to_string()));
    }
    let name = String::from_utf8_lossy(r.as_ref()).into_owned();
    let (html, plain) = match name.as_str() {
        "lt" => ("&lt;", "<"),
        "gt" => ("&gt;", ">"),
        "amp" => ("&amp;", "&"),
        "quot" => ("\"", "\""),
        "apos" => ("'", "'"),
        _ => return Err(malformed(format!("the entity &{name}; is not defined"))),
    };
    Ok((html.to_owned(), plain.to_owned()))
}

fn push_text(stack: &mut [Element], html: &str, plain: &str) {
    let Some(top) = stack.last_mut() else { return };
    if let Some(Node::Text { html: h, plain: p }) = top.children.last_mut() {
        h.push_str(html);
        p.push_str(plain);
    } else {
        top.children.push(Node::Text { html: html.to_owned(), plain: plain.to_owned() });
    }
}

/// Reads a whole document into its root element. Call [`crate::import::xml_safety`] first.
pub(crate) fn parse(text: &str) -> Result<Element, ImportError> {
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok(read) => read,
            Err(e) => return Err(malformed(format!("{e} (near byte {})", reader.error_position()))),
        };
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(malformed("more than one root element"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(malformed(format!("elements are nested more than {MAX_DEPTH} deep")));
                }
                stack.push(element(&ns, &start)?);
            }
            Event::Empty(start) => {
                let e = element(&ns, &start)?;
                match stack.last_mut() {
                    Some(top) => top.children.push(Node::Element(e)),
                    None if root.is_none() => root = Some(e),
                    None => return Err(malformed("more than one root element")),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else { return Err(malformed("an end tag without a start tag")) };
                match stack.last_mut() {
                    Some(top) => top.children.push(Node::Element(done)),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let plain = t.xml10_content().map_err(|e| malformed(format!("bad text: {e}")))?;
                let mut html = String::with_capacity(plain.len());
                html.push_str(&crate::sanitize::escape(&plain));
                push_text(&mut stack, &html, &plain);
            }
            Event::CData(t) => {
                let plain = t.xml10_content().map_err(|e| malformed(format!("bad CDATA: {e}")))?;
                let mut html = String::with_capacity(plain.len());
                html.push_str(&crate::sanitize::escape(&plain));
                push_text(&mut stack, &html, &plain);
            }
            Event::GeneralRef(r) => {
                let (html, plain) = reference(&r)?;
                push_text(&mut stack, &html, &plain);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(malformed(format!("the XML ends before <{}> is closed", open.raw)));
    }
    root.ok_or_else(|| malformed("no XML element found"))
}

#[cfg(test)]
mod tests {
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
}
