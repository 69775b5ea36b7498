//! The small element tree the XML importers read: QTI items, IMS manifests and Moodle XML.
//! [`parse`] resolves namespaces and maps QTI 3.0 kebab-case names (`qti-choice-interaction`)
//! to the QTI 2.x camelCase ones (`choiceInteraction`), so one reader serves 2.1, 2.2 and 3.0.
//! [`parse_moodle`] keeps names, text and unknown entities as written, as Moodle's importer
//! always has. Text is kept twice: as HTML, ready to render, and as plain text for values.
use std::borrow::Cow;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, Reader};

use crate::import::ImportError;
use crate::import::xml_safety::unescape;
use crate::sanitize;

/// The namespace of the metadata the exporter writes into the manifest.
pub(crate) const BANK_NS: &str = "urn:exam:question-bank";

/// Deeper nesting than this is no real item; refusing it keeps the recursive walks bounded.
const MAX_DEPTH: usize = 200;
/// Moodle's bound has always been lower; kept so the same files are refused as before.
const MOODLE_MAX_DEPTH: usize = 128;
/// No real element has more; quick-xml's duplicate check compares each attribute with every
/// earlier one, so an element with a million took minutes.
const MAX_ATTRIBUTES: usize = 100;

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
    /// Read by [`parse_moodle`], which does not resolve namespaces.
    Unresolved,
}

/// How a document is read. The importers have always differed in these rules (see [`parse`]
/// and [`parse_moodle`]); each keeps its own so that no file reads differently than before.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Qti,
    Moodle,
}

#[derive(Debug)]
pub(crate) struct Element {
    pub ns: Ns,
    /// QTI 2.x camelCase for QTI elements, the local name for everything else; for Moodle,
    /// the name as written (prefix included).
    pub name: String,
    /// The name as written (QTI: the local name), for reports.
    pub raw: String,
    /// Local names; `xml:lang` becomes `lang`, `xmlns` and other prefixed attributes are dropped.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug)]
pub(crate) enum Node {
    Element(Element),
    /// `html` is `plain` escaped the way the HTML sanitiser writes text, so plain text escaped
    /// by [`crate::sanitize::escape`] comes back unchanged.
    Text {
        html: String,
        plain: String,
    },
}

impl Element {
    /// An attribute by its QTI 2.x name, also found under its QTI 3.0 kebab-case name. A name
    /// without capitals (all of Moodle's) is its own kebab-case: a plain lookup.
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

    /// The plain text of everything inside, child elements included, as written (QTI).
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

    /// Only the text directly inside this element, not inside its child elements (Moodle:
    /// unescaped HTML in a `<text>` has always lost its tags' content).
    pub fn direct_text(&self) -> String {
        let texts = self.children.iter().filter_map(|n| match n {
            Node::Text { plain, .. } => Some(plain.as_str()),
            Node::Element(_) => None,
        });
        texts.collect()
    }

    /// `<name><text>…</text></name>`: Moodle's way of holding a string.
    pub fn text_of(&self, name: &str) -> Option<String> {
        let el = self.child(name)?;
        Some(el.child("text").map(Element::direct_text).unwrap_or_default())
    }

    /// A plain Moodle field such as `<defaultgrade>1</defaultgrade>`, trimmed.
    pub fn field(&self, name: &str) -> Option<String> {
        self.child(name).map(|e| e.direct_text().trim().to_string())
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
    } else if uri.starts_with("http://www.imsglobal.org/xsd/imsqti") || uri.starts_with("http://www.imsglobal.org/xsd/qti/") {
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

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn element(dialect: Dialect, ns: Ns, start: &BytesStart<'_>) -> Result<Element, String> {
    let (name, raw) = match dialect {
        Dialect::Qti => {
            let raw = lossy(start.local_name().as_ref());
            let name = match raw.strip_prefix("qti-") {
                Some(rest) if ns == Ns::Qti => camel_case(rest),
                _ => raw.clone(),
            };
            (name, raw)
        }
        // No renaming: a `<qti-question>` or `<x:question>` is no Moodle question.
        Dialect::Moodle => {
            let raw = lossy(start.name().as_ref());
            (raw.clone(), raw)
        }
    };
    let mut attrs = Vec::new();
    for (n, attr) in start.attributes().enumerate() {
        if n == MAX_ATTRIBUTES {
            return Err(format!("<{raw}> has more than {MAX_ATTRIBUTES} attributes"));
        }
        let attr = attr.map_err(|e| match dialect {
            Dialect::Qti => format!("a bad attribute on <{raw}>: {e}"),
            Dialect::Moodle => e.to_string(),
        })?;
        // Moodle looks up only plain names, so dropping the rest changes nothing it reads.
        let key = lossy(attr.key.as_ref());
        let key = match key.split_once(':') {
            None if key == "xmlns" => continue,
            None => key,
            Some(("xml", "lang")) => "lang".to_owned(),
            Some(_) => continue,
        };
        let value = match dialect {
            Dialect::Qti => attr.unescape_value().map_err(|e| format!("a bad attribute value on <{raw}>: {e}"))?.into(),
            Dialect::Moodle => unescape(&lossy(&attr.value)),
        };
        attrs.push((key, value));
    }
    Ok(Element { ns, name, raw, attrs, children: Vec::new() })
}

/// A reference in QTI text: the five XML entities and character references, nothing else.
fn strict_reference(r: &BytesRef<'_>) -> Result<String, String> {
    if let Some(c) = r.resolve_char_ref().map_err(|e| format!("a bad character reference: {e}"))? {
        return Ok(c.to_string());
    }
    let name = lossy(r);
    let plain = match name.as_str() {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "quot" => "\"",
        "apos" => "'",
        _ => return Err(format!("the entity &{name}; is not defined")),
    };
    Ok(plain.to_owned())
}

/// Appends text to the open element, merged with text just before it; text outside the root
/// element is whitespace or junk and is dropped.
fn push_text(stack: &mut [Element], plain: &str) {
    let Some(top) = stack.last_mut() else { return };
    let html = sanitize::escape(plain);
    if let Some(Node::Text { html: h, plain: p }) = top.children.last_mut() {
        h.push_str(&html);
        p.push_str(plain);
    } else {
        top.children.push(Node::Text { html, plain: plain.to_owned() });
    }
}

/// A finished top-level element. QTI refuses a second one; Moodle has always kept the first.
fn set_root(dialect: Dialect, root: &mut Option<Element>, done: Element) -> Result<(), String> {
    match (root.is_some(), dialect) {
        (false, _) => *root = Some(done),
        (true, Dialect::Moodle) => {}
        (true, Dialect::Qti) => return Err("more than one root element".into()),
    }
    Ok(())
}

/// Builds the tree from `next`, which yields each event with the namespace of its element.
fn build<'i>(dialect: Dialect, mut next: impl FnMut() -> Result<(Ns, Event<'i>), String>) -> Result<Element, String> {
    let max_depth = if dialect == Dialect::Qti { MAX_DEPTH } else { MOODLE_MAX_DEPTH };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let (ns, event) = next()?;
        match event {
            Event::Start(start) => {
                if root.is_some() && dialect == Dialect::Qti {
                    return Err("more than one root element".into());
                }
                if stack.len() >= max_depth {
                    return Err(format!("elements are nested more than {max_depth} deep"));
                }
                stack.push(element(dialect, ns, &start)?);
            }
            Event::Empty(start) => {
                let e = element(dialect, ns, &start)?;
                match stack.last_mut() {
                    Some(top) => top.children.push(Node::Element(e)),
                    None => set_root(dialect, &mut root, e)?,
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err("an end tag without a start tag".into());
                };
                match stack.last_mut() {
                    Some(top) => top.children.push(Node::Element(done)),
                    None => set_root(dialect, &mut root, done)?,
                }
            }
            // QTI normalises line ends as XML 1.0 says; Moodle has always kept them as written.
            Event::Text(t) => {
                let plain = match dialect {
                    Dialect::Qti => t.xml10_content().map_err(|e| format!("bad text: {e}"))?,
                    Dialect::Moodle => Cow::Owned(unescape(&lossy(&t))),
                };
                push_text(&mut stack, &plain);
            }
            Event::CData(t) => {
                let plain = match dialect {
                    Dialect::Qti => t.xml10_content().map_err(|e| format!("bad CDATA: {e}"))?,
                    Dialect::Moodle => Cow::Owned(lossy(&t)),
                };
                push_text(&mut stack, &plain);
            }
            // QTI refuses an unknown entity; Moodle keeps it as written (`&nbsp;` stays).
            Event::GeneralRef(r) => {
                let plain = match dialect {
                    Dialect::Qti => strict_reference(&r)?,
                    Dialect::Moodle => unescape(&format!("&{};", lossy(&r))),
                };
                push_text(&mut stack, &plain);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(match dialect {
            Dialect::Qti => format!("the XML ends before <{}> is closed", open.raw),
            Dialect::Moodle => "the document ends inside an element".into(),
        });
    }
    root.ok_or_else(|| match dialect {
        Dialect::Qti => "no XML element found".into(),
        Dialect::Moodle => "there is no root element".into(),
    })
}

/// Reads a QTI item or IMS manifest into its root element: namespaces resolved, QTI 3.0 names
/// mapped, only the five XML entities, one root element. Call [`crate::import::xml_safety`]
/// first.
pub(crate) fn parse(text: &str) -> Result<Element, ImportError> {
    let mut reader = NsReader::from_str(text);
    let next = || match reader.read_resolved_event() {
        Ok((ns, event)) => {
            let ns = match event {
                Event::Start(_) | Event::Empty(_) => classify(&ns),
                _ => Ns::Other,
            };
            Ok((ns, event))
        }
        Err(e) => Err(format!("{e} (near byte {})", reader.error_position())),
    };
    build(Dialect::Qti, next).map_err(ImportError::Malformed)
}

/// Reads Moodle XML into its first root element: names and text as written, unknown
/// entities kept as text. A plain reader, as before: it never refuses a namespace declaration.
pub(crate) fn parse_moodle(xml: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(xml);
    let next = || match reader.read_event() {
        Ok(event) => Ok((Ns::Unresolved, event)),
        Err(e) => Err(format!("at byte {}: {e}", reader.buffer_position())),
    };
    build(Dialect::Moodle, next)
}

#[cfg(test)]
mod tests;
