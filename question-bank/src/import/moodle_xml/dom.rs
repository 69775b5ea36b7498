//! A small element tree built from quick-xml events, so the Moodle reader can look fields up
//! by name. Only the event API that quick-xml 0.38 to 0.42 share is used (raw content via
//! `Deref`, references decoded here), so a version bump does not change what is read.
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// Deeper nesting than any Moodle file has; also keeps recursive drops off a deep stack.
const MAX_DEPTH: usize = 128;

#[derive(Debug, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug)]
pub enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.elements().filter(move |e| e.name == name)
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// The text directly inside this element (CDATA included), as written.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    /// `<name><text>…</text></name>`: Moodle's way of holding a string.
    pub fn text_of(&self, name: &str) -> Option<String> {
        let el = self.child(name)?;
        Some(el.child("text").map(Element::text).unwrap_or_default())
    }

    /// A plain field such as `<defaultgrade>1</defaultgrade>`, trimmed.
    pub fn field(&self, name: &str) -> Option<String> {
        self.child(name).map(|e| e.text().trim().to_string())
    }
}

/// The bytes behind an event or name, whichever of `[u8]` or `str` this quick-xml uses.
fn raw<T: AsRef<[u8]> + ?Sized>(t: &T) -> String {
    String::from_utf8_lossy(t.as_ref()).into_owned()
}

/// Decodes the predefined entities and character references. Anything else is left as
/// written: no custom entity is ever expanded.
pub fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let decoded = after.find(';').filter(|&end| end <= 12).and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn element(start: &BytesStart<'_>) -> Result<Element, String> {
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        attrs.push((raw(attr.key.0), unescape(&raw(&*attr.value))));
    }
    Ok(Element {
        name: raw(start.name().0),
        attrs,
        children: Vec::new(),
    })
}

fn push(stack: &mut [Element], node: Node) {
    if let Some(parent) = stack.last_mut() {
        // Adjacent text (text, a reference, CDATA) is merged so `text()` sees one string.
        if let (Node::Text(t), Some(Node::Text(prev))) = (&node, parent.children.last_mut()) {
            prev.push_str(t);
            return;
        }
        parent.children.push(node);
    }
}

/// The root element of an XML document, or why it cannot be read.
pub fn parse(xml: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(xml);
    // The bottom of the stack stands for the document itself.
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Eof => break,
            Event::Start(s) => {
                if stack.len() > MAX_DEPTH {
                    return Err(format!("elements are nested more than {MAX_DEPTH} deep"));
                }
                stack.push(element(&s)?);
            }
            Event::Empty(s) => push(&mut stack, Node::Element(element(&s)?)),
            Event::End(_) => {
                let done = stack
                    .pop()
                    .filter(|_| !stack.is_empty())
                    .ok_or("an end tag without a start tag")?;
                push(&mut stack, Node::Element(done));
            }
            Event::Text(t) => push(&mut stack, Node::Text(unescape(&raw(&*t)))),
            Event::CData(c) => push(&mut stack, Node::Text(raw(&*c))),
            Event::GeneralRef(r) => {
                push(&mut stack, Node::Text(unescape(&format!("&{};", raw(&*r)))))
            }
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err("the document ends inside an element".into());
    }
    let document = stack.pop().unwrap_or_default();
    document
        .children
        .into_iter()
        .find_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
        .ok_or_else(|| "there is no root element".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_tree_and_decodes_references() {
        let root = parse(r#"<quiz><q a="1 &amp; 2"><text>a &lt; b&#x4E2D;<![CDATA[<p>]]>&nbsp;</text></q></quiz>"#)
            .expect("parse");
        assert_eq!(root.name, "quiz");
        let q = root.child("q").expect("q");
        assert_eq!(q.attr("a"), Some("1 & 2"));
        assert_eq!(
            q.child("text").map(Element::text).as_deref(),
            Some("a < b中<p>&nbsp;")
        );
        assert!(parse("<quiz><a></b></quiz>").is_err());
        assert!(parse("<quiz>").is_err());
        assert!(parse(&"<a>".repeat(500)).is_err());
    }
}
