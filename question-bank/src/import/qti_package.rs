//! Zipped IMS content packages of QTI items (2.x and 3.0): `imsmanifest.xml` at the root lists
//! the item files; each is read with the QTI item reader, the images its HTML uses are attached
//! as assets, and the question-bank metadata the exporter writes (code, difficulty, outline
//! point, tags, source, type, asset MIME types) is applied. One broken or missing item file
//! is reported and skipped; an unsafe zip or a missing or broken manifest refuses the package.
use crate::why::Why;
use std::collections::HashSet;

use super::qti::{self, Parsed, xhtml};
use super::xml_dom::{self, Element, Ns};
use super::zip_safety::{self, Archive};
use super::{ImportError, ImportReport, Limits, SkipCode};
use crate::item::{Asset, Difficulty, ItemDraft, ItemType};

pub fn parse(bytes: &[u8], limits: &Limits) -> Result<ImportReport, ImportError> {
    let mut zip = zip_safety::open(bytes, limits)?;
    let manifest_name = find_manifest(&zip)?;
    let manifest = zip_safety::read(&mut zip, &manifest_name)?.ok_or_else(|| ImportError::Malformed("imsmanifest.xml cannot be read".into()))?;
    let text =
        std::str::from_utf8(&manifest).map_err(|e| ImportError::Malformed(format!("imsmanifest.xml is not UTF-8 text: {e}")))?.trim_start_matches('\u{feff}');
    super::xml_safety::check(text)?;
    let root = xml_dom::parse(text).map_err(|e| match e {
        ImportError::Malformed(reason) => ImportError::Malformed(format!("imsmanifest.xml: {reason}")),
        other => other,
    })?;
    if root.name != "manifest" {
        return Err(ImportError::Malformed(format!("imsmanifest.xml has <{}> where <manifest> belongs", root.raw)));
    }
    let mut report = ImportReport::default();
    let mut listed = false;
    let resources = root.child("resources").map(|r| r.children_named("resource").collect::<Vec<_>>()).unwrap_or_default();
    for res in resources {
        listed |= read_resource(&mut zip, res, &mut report)?;
        if report.items.len() > limits.max_items {
            return Err(ImportError::TooManyItems { limit: limits.max_items });
        }
    }
    if !listed && report.items.is_empty() && report.skipped.is_empty() {
        return Err(ImportError::Malformed("the manifest lists no QTI items".into()));
    }
    Ok(report)
}

fn find_manifest(zip: &Archive<'_>) -> Result<String, ImportError> {
    let names: Vec<String> = zip.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
    if let Some(name) = names.iter().find(|n| n.eq_ignore_ascii_case("imsmanifest.xml")) {
        return Ok(name.clone());
    }
    match names.iter().find(|n| n.to_ascii_lowercase().ends_with("/imsmanifest.xml")) {
        Some(nested) => Err(ImportError::Malformed(format!(
            "imsmanifest.xml must be at the root of the package, but it is at {nested}: zip the folder's contents, not the folder"
        ))),
        None => Err(ImportError::Malformed("the zip has no imsmanifest.xml: it is not an IMS content package".into())),
    }
}

/// Reads one manifest resource into the report; true if it is declared as a QTI item.
fn read_resource(zip: &mut Archive<'_>, res: &Element, report: &mut ImportReport) -> Result<bool, ImportError> {
    let kind = res.attr("type").unwrap_or("").to_ascii_lowercase();
    let declared = kind.starts_with("imsqti_item");
    let files = || res.children_named("file").filter_map(|f| f.attr("href"));
    let href = res.attr("href").or_else(|| files().find(|h| h.to_ascii_lowercase().ends_with(".xml")));
    let is_xml = href.is_some_and(|h| h.to_ascii_lowercase().ends_with(".xml"));
    if kind.starts_with("imsqti_test") || !(declared || is_xml || kind.starts_with("imsqti_xmlv1")) {
        return Ok(false);
    }
    let item_ref = res.attr("identifier").filter(|i| !i.trim().is_empty()).or(href).unwrap_or("resource").to_owned();
    if kind.starts_with("imsqti_xmlv1") {
        let why = Why::new("QTI 1.x（questestinterop）：请导出为 QTI 2.1 或更新版本", "QTI 1.x (questestinterop): export the items as QTI 2.1 or later");
        report.skip_said(item_ref, SkipCode::UnsupportedType, why);
        return Ok(true);
    }
    let mut skip = |why: Why| {
        if declared {
            report.skip_said(item_ref.clone(), SkipCode::MalformedItem, why);
        }
    };
    let Some(href) = href else {
        skip(Why::new("清单没有为此题指定文件", "the manifest names no file for this item"));
        return Ok(declared);
    };
    let Some(path) = resolve("", href) else {
        skip(Why::new(format!("{href} 指向包外"), format!("{href} points outside the package")));
        return Ok(declared);
    };
    let bytes = match read_entry(zip, &path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            skip(Why::new(format!("包中没有 {href}"), format!("{href} is not in the package")));
            return Ok(declared);
        }
        Err(ImportError::Malformed(reason)) => {
            skip(Why::new(format!("文件无法读取（{reason}）"), reason));
            return Ok(declared);
        }
        Err(e) => return Err(e),
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        skip(Why::new(format!("{href} 不是 UTF-8 文本"), format!("{href} is not UTF-8 text")));
        return Ok(declared);
    };
    let meta = BankMeta::of(res);
    match qti::read_item(text, &item_ref, meta.as_ref().and_then(|m| m.item_type)) {
        Ok(Parsed::Item(mut draft)) => {
            let base = path.rsplit_once('/').map_or("", |(dir, _)| dir);
            draft.assets = assets(zip, &draft, base, meta.as_ref())?;
            if let Some(meta) = meta {
                meta.apply(&mut draft);
            }
            report.push_checked(draft);
        }
        Ok(Parsed::Skipped(skipped)) => report.skipped.push(skipped),
        Ok(Parsed::Test) => {}
        Err(ImportError::Malformed(reason)) => skip(Why::new(format!("{href} 无法读取（{reason}）"), format!("{href}: {reason}"))),
        Err(e) => return Err(e),
    }
    Ok(declared)
}

/// A path inside the package, `href` taken relative to the folder `base`; `None` if it is a
/// URL, absolute, or climbs out of the package.
fn resolve(base: &str, href: &str) -> Option<String> {
    let href = href.split(['?', '#']).next().unwrap_or("");
    if href.is_empty() || href.starts_with(['/', '\\']) || href.split('/').next().is_some_and(|first| first.contains(':')) {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in href.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// `%20` and friends decoded; `None` when there is nothing to decode or it is not UTF-8.
fn percent_decoded(s: &str) -> Option<String> {
    if !s.contains('%') {
        return None;
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// An entry by its path as written, else URL-decoded.
fn read_entry(zip: &mut Archive<'_>, path: &str) -> Result<Option<Vec<u8>>, ImportError> {
    if let Some(bytes) = zip_safety::read(zip, path)? {
        return Ok(Some(bytes));
    }
    match percent_decoded(path) {
        Some(decoded) => zip_safety::read(zip, &decoded),
        None => Ok(None),
    }
}

/// The files the exporter listed for the item, else the images its stem and options show.
fn assets(zip: &mut Archive<'_>, draft: &ItemDraft, base: &str, meta: Option<&BankMeta>) -> Result<Vec<Asset>, ImportError> {
    let wanted: Vec<(String, String)> = match meta {
        Some(m) => m.assets.clone(),
        None => {
            let mut sources = xhtml::img_sources(&draft.stem);
            // A set beside the list: `sources.contains` was quadratic in the images.
            let mut seen: HashSet<String> = sources.iter().cloned().collect();
            for c in &draft.choices {
                sources.extend(xhtml::img_sources(&c.content).into_iter().filter(|s| seen.insert(s.clone())));
            }
            sources
                .into_iter()
                .map(|path| {
                    let mime = crate::item::mime_of(&path).to_owned();
                    (path, mime)
                })
                .collect()
        }
    };
    let mut out = Vec::new();
    for (path, mime) in wanted {
        let Some(entry) = resolve(base, &path) else {
            continue;
        };
        match read_entry(zip, &entry) {
            Ok(Some(bytes)) => out.push(Asset { path, mime, bytes }),
            // A missing or broken image leaves the item readable; the stem still names it.
            Ok(None) | Err(ImportError::Malformed(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The `qb:item` metadata the exporter writes into a resource.
struct BankMeta {
    item_type: Option<ItemType>,
    code: Option<String>,
    difficulty: Option<Difficulty>,
    outline_point: Option<String>,
    tags: Vec<String>,
    source: Option<String>,
    /// Path and MIME type of every asset, in order.
    assets: Vec<(String, String)>,
}

impl BankMeta {
    fn of(res: &Element) -> Option<BankMeta> {
        let bank = |e: &Element, name: &str| e.ns == Ns::Bank && e.name == name;
        let item = res.child("metadata")?.elements().find(|e| bank(e, "item"))?;
        let all = |name: &'static str| item.elements().filter(move |e| bank(e, name));
        let one = |name: &'static str| all(name).next().map(Element::text);
        Some(BankMeta {
            item_type: one("type").and_then(|t| ItemType::parse(t.trim())),
            code: one("code"),
            difficulty: one("difficulty").and_then(|d| d.trim().parse().ok()).and_then(Difficulty::new),
            outline_point: one("outline-point"),
            tags: all("tag").map(Element::text).collect(),
            source: one("source"),
            assets: all("asset")
                .filter_map(|a| {
                    let path = a.attr("path")?.to_owned();
                    let mime = a.attr("mime").map_or_else(|| crate::item::mime_of(&path).to_owned(), str::to_owned);
                    Some((path, mime))
                })
                .collect(),
        })
    }

    fn apply(self, draft: &mut ItemDraft) {
        draft.code = self.code;
        draft.difficulty = self.difficulty;
        draft.outline_point = self.outline_point;
        draft.tags = self.tags;
        draft.source = self.source;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    #[test]
    fn one_image_listed_many_times_is_not_copied_past_the_limit() {
        // 100 × 10 KB from a 10 KB entry: each copy is memory the import holds.
        let assets = r#"<qb:asset path="a.png" mime="image/png"/>"#.repeat(100);
        let manifest = format!(
            r#"<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:qb="urn:exam:question-bank"><resources>
            <resource identifier="r1" type="imsqti_item_xmlv2p1" href="1.xml"><metadata><qb:item>{assets}</qb:item></metadata></resource></resources></manifest>"#
        );
        let item = r#"<assessmentItem identifier="x"><responseDeclaration identifier="R" cardinality="single" baseType="identifier">
            <correctResponse><value>b</value></correctResponse></responseDeclaration><itemBody><p>题<img src="a.png"/></p>
            <choiceInteraction responseIdentifier="R" maxChoices="1"><simpleChoice identifier="a">甲</simpleChoice>
            <simpleChoice identifier="b">乙</simpleChoice></choiceInteraction></itemBody></assessmentItem>"#;
        let png: Vec<u8> = (0..10_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in [("imsmanifest.xml", manifest.as_bytes()), ("1.xml", item.as_bytes()), ("a.png", &png)] {
            w.start_file(name, zip::write::SimpleFileOptions::default()).expect("start");
            w.write_all(data).expect("write");
        }
        let bytes = w.finish().expect("finish").into_inner();
        let limits = Limits { max_unzipped_bytes: 200_000, ..Limits::default() };
        assert!(matches!(parse(&bytes, &limits), Err(ImportError::Unsafe(_))));
        let report = parse(&bytes, &Limits::default()).expect("within the default limit");
        assert_eq!(report.items[0].assets.len(), 100);
    }

    #[test]
    fn hrefs_resolve_inside_the_package_only() {
        assert_eq!(resolve("items/i1", "images/a.png").as_deref(), Some("items/i1/images/a.png"));
        assert_eq!(resolve("items/i1", "../shared/./b.png?v=2").as_deref(), Some("items/shared/b.png"));
        assert_eq!(resolve("", "../x.xml"), None);
        assert_eq!(resolve("a", "/etc/passwd"), None);
        assert_eq!(resolve("a", "https://example.com/x.png"), None);
        assert_eq!(resolve("a", "data:image/png;base64,xx"), None);
        assert_eq!(percent_decoded("my%20pic%E5%9B%BE.png").as_deref(), Some("my pic图.png"));
        assert_eq!(percent_decoded("100%"), Some("100%".into()));
        assert_eq!(crate::item::mime_of("a/B.JPG"), "image/jpeg");
    }
}
