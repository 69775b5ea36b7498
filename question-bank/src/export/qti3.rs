//! QTI 3.0 content packages: `imsmanifest.xml`, one `qti-assessment-item` per item in its own
//! folder, and the item's assets beside it. What QTI has no place for (code, difficulty,
//! outline point, tags, source, the item type, asset MIME types) goes into each resource's
//! manifest metadata in the `urn:exam:question-bank` namespace, which
//! [`crate::import::qti_package`] reads back, so export and import round-trip exactly.
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::ExportError;
use crate::import::qti::xhtml::{self, xml_attr, xml_text};
use crate::import::qti::{BLANKS_CLASS, STEM_CLASS};
use crate::import::xml_dom::BANK_NS;
use crate::item::{ItemDraft, Key, choice_letter};
use crate::sanitize;

const ITEM_NS: &str = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0";
const ITEM_XSD: &str = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd";
const CP_NS: &str = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1";
const CP_XSD: &str = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd";

/// One item's place in the package.
struct Entry<'a> {
    item: &'a ItemDraft,
    id: String,
    href: String,
    /// Zip entry names of the assets, in `item.assets` order.
    assets: Vec<String>,
}

pub fn write_package(items: &[ItemDraft]) -> Result<Vec<u8>, ExportError> {
    let mut entries = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let id = format!("item-{:04}", i + 1);
        let dir = format!("items/{id}");
        let mut assets = Vec::with_capacity(item.assets.len());
        for asset in &item.assets {
            let path = asset_entry(&asset.path)
                .ok_or_else(|| ExportError::Write(format!("item {}: the asset path {:?} cannot be stored in a package", i + 1, asset.path)))?;
            assets.push(format!("{dir}/{path}"));
        }
        entries.push(Entry { item, href: format!("{dir}/{id}.xml"), id, assets });
    }
    let failed = |e: zip::result::ZipError| ExportError::Write(e.to_string());
    let io_failed = |e: std::io::Error| ExportError::Write(e.to_string());
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("imsmanifest.xml", options).map_err(failed)?;
    zip.write_all(manifest(&entries).as_bytes()).map_err(io_failed)?;
    for entry in &entries {
        let mut written: Vec<&str> = Vec::new();
        zip.start_file(entry.href.as_str(), options).map_err(failed)?;
        zip.write_all(item_xml(entry.item, &entry.id).as_bytes()).map_err(io_failed)?;
        for (name, asset) in entry.assets.iter().zip(&entry.item.assets) {
            // The same path twice in one item: the first one is what the HTML shows.
            if written.contains(&name.as_str()) {
                continue;
            }
            written.push(name);
            zip.start_file(name.as_str(), options).map_err(failed)?;
            zip.write_all(&asset.bytes).map_err(io_failed)?;
        }
    }
    Ok(zip.finish().map_err(failed)?.into_inner())
}

/// An asset's path as a zip entry below its item's folder, if it is a plain relative path
/// (a query or fragment, which the importer ignores too, is left off).
fn asset_entry(path: &str) -> Option<String> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    if path.is_empty() || path.starts_with('/') || path.contains(['\\', ':']) {
        return None;
    }
    let parts: Vec<&str> = path.split('/').filter(|p| *p != ".").collect();
    if parts.is_empty() || parts.iter().any(|p| p.is_empty() || *p == "..") {
        return None;
    }
    Some(parts.join("/"))
}

fn manifest(entries: &[Entry<'_>]) -> String {
    let mut x = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="{CP_NS}" xmlns:qb="{BANK_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="{CP_NS} {CP_XSD}" identifier="MANIFEST-question-bank">
  <metadata><schema>QTI Package</schema><schemaversion>3.0.0</schemaversion></metadata>
  <organizations/>
  <resources>
"#
    );
    for e in entries {
        let item = e.item;
        x.push_str(&format!("    <resource identifier=\"{}\" type=\"imsqti_item_xmlv3p0\" href=\"{}\">\n      <metadata><qb:item>", e.id, xml_attr(&e.href)));
        let mut field = |name: &str, value: &str| x.push_str(&format!("<qb:{name}>{}</qb:{name}>", xml_text(value)));
        field("type", item.key.item_type().as_str());
        if let Some(code) = &item.code {
            field("code", code);
        }
        if let Some(d) = item.difficulty {
            field("difficulty", &d.value().to_string());
        }
        if let Some(point) = &item.outline_point {
            field("outline-point", point);
        }
        for tag in &item.tags {
            field("tag", tag);
        }
        if let Some(source) = &item.source {
            field("source", source);
        }
        for asset in &item.assets {
            x.push_str(&format!(r#"<qb:asset path="{}" mime="{}"/>"#, xml_attr(&asset.path), xml_attr(&asset.mime)));
        }
        x.push_str("</qb:item></metadata>\n");
        x.push_str(&format!("      <file href=\"{}\"/>\n", xml_attr(&e.href)));
        for name in &e.assets {
            x.push_str(&format!("      <file href=\"{}\"/>\n", xml_attr(name)));
        }
        x.push_str("    </resource>\n");
    }
    x.push_str("  </resources>\n</manifest>\n");
    x
}

/// A title for lists in other tools: the code, else the start of the stem.
fn title(item: &ItemDraft, id: &str) -> String {
    if let Some(code) = item.code.as_deref().filter(|c| !c.trim().is_empty()) {
        return code.to_owned();
    }
    let text: String = sanitize::text_of(&item.stem).chars().take(60).collect();
    if text.is_empty() { id.to_owned() } else { text }
}

fn value(v: &str) -> String {
    format!("<qti-value>{}</qti-value>", xml_text(v))
}

fn declaration(id: &str, cardinality: &str, base_type: &str, inner: &str) -> String {
    format!("  <qti-response-declaration identifier=\"{id}\" cardinality=\"{cardinality}\" base-type=\"{base_type}\">{inner}</qti-response-declaration>\n")
}

fn correct(values: &[String]) -> String {
    if values.is_empty() {
        return String::new();
    }
    let values: String = values.iter().map(|v| value(v)).collect();
    format!("<qti-correct-response>{values}</qti-correct-response>")
}

/// The stem as item-body XHTML, wrapped in a block (QTI's item body holds no bare text)
/// that the importer unwraps again.
fn stem(html: &str, blanks: Option<&[String]>) -> String {
    format!(r#"<div class="{STEM_CLASS}">{}</div>"#, xhtml::html_to_xml(&sanitize::clean(html), blanks))
}

fn choice_interaction(choices: &[(String, String, bool)], shuffle: bool, max: u32) -> String {
    let mut x = format!(r#"<qti-choice-interaction response-identifier="RESPONSE" shuffle="{shuffle}" max-choices="{max}">"#);
    for (id, content, fixed) in choices {
        let fixed = if *fixed { r#" fixed="true""# } else { "" };
        x.push_str(&format!(r#"<qti-simple-choice identifier="{id}"{fixed}>{content}</qti-simple-choice>"#));
    }
    x.push_str("</qti-choice-interaction>");
    x
}

/// Full marks when `condition` holds.
fn scoring(condition: &str) -> String {
    format!(
        "  <qti-response-processing><qti-response-condition><qti-response-if>{condition}\
         <qti-set-outcome-value identifier=\"SCORE\"><qti-variable identifier=\"MAXSCORE\"/></qti-set-outcome-value>\
         </qti-response-if></qti-response-condition></qti-response-processing>\n"
    )
}

const MATCH_CORRECT: &str = r#"<qti-match><qti-variable identifier="RESPONSE"/><qti-correct identifier="RESPONSE"/></qti-match>"#;

fn item_xml(item: &ItemDraft, id: &str) -> String {
    let letter_of = |choice: &str| item.choices.iter().position(|c| c.id == choice).map(choice_letter);
    let options = || -> Vec<(String, String, bool)> {
        let content = |html: &str| xhtml::html_to_xml(&sanitize::clean(html), None);
        item.choices.iter().enumerate().map(|(i, c)| (choice_letter(i), content(&c.content), c.fixed)).collect()
    };
    let (declarations, body, processing) = match &item.key {
        Key::Single { choice } => (
            declaration("RESPONSE", "single", "identifier", &correct(&letter_of(choice).into_iter().collect::<Vec<_>>())),
            stem(&item.stem, None) + &choice_interaction(&options(), true, 1),
            scoring(MATCH_CORRECT),
        ),
        Key::Multiple { choices } => (
            declaration("RESPONSE", "multiple", "identifier", &correct(&choices.iter().filter_map(|c| letter_of(c)).collect::<Vec<_>>())),
            stem(&item.stem, None) + &choice_interaction(&options(), true, 0),
            scoring(MATCH_CORRECT),
        ),
        Key::TrueFalse { value } => {
            let options = [("true".to_owned(), "正确".to_owned(), false), ("false".to_owned(), "错误".to_owned(), false)];
            (
                declaration("RESPONSE", "single", "identifier", &correct(&[value.to_string()])),
                stem(&item.stem, None) + &choice_interaction(&options, false, 1),
                scoring(MATCH_CORRECT),
            )
        }
        Key::FillIn { blanks } => fill_in(&item.stem, blanks),
        Key::ShortAnswer { reference } => {
            let reference: Vec<String> = reference.iter().filter(|r| !r.trim().is_empty()).cloned().collect();
            (
                declaration("RESPONSE", "single", "string", &correct(&reference)),
                stem(&item.stem, None) + r#"<qti-extended-text-interaction response-identifier="RESPONSE"/>"#,
                String::new(),
            )
        }
    };
    let score = item.points.to_string();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="{ITEM_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="{ITEM_NS} {ITEM_XSD}" identifier="{id}" title="{title}" adaptive="false" time-dependent="false">
{declarations}  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float" normal-maximum="{score}"><qti-default-value>{zero}</qti-default-value></qti-outcome-declaration>
  <qti-outcome-declaration identifier="MAXSCORE" cardinality="single" base-type="float"><qti-default-value>{max}</qti-default-value></qti-outcome-declaration>
  <qti-item-body>{body}</qti-item-body>
{processing}</qti-assessment-item>
"#,
        title = xml_attr(&title(item, id)),
        zero = value("0"),
        max = value(&score),
    )
}

/// One text entry per blank, in the stem's `____` runs when there is one for each, else in
/// a block after it; every accepted answer is a mapping entry, the first also the correct
/// response. Full marks when every blank gets an accepted answer.
fn fill_in(stem_html: &str, blanks: &[Vec<String>]) -> (String, String, String) {
    let mut declarations = String::new();
    let mut interactions = Vec::with_capacity(blanks.len());
    let mut conditions = String::new();
    for (i, answers) in blanks.iter().enumerate() {
        let id = format!("RESPONSE_{}", i + 1);
        let mut inner = correct(&answers.iter().take(1).cloned().collect::<Vec<_>>());
        if !answers.is_empty() {
            inner.push_str(r#"<qti-mapping default-value="0">"#);
            for a in answers {
                inner.push_str(&format!(r#"<qti-map-entry map-key="{}" mapped-value="1" case-sensitive="false"/>"#, xml_attr(a)));
            }
            inner.push_str("</qti-mapping>");
        }
        declarations.push_str(&declaration(&id, "single", "string", &inner));
        interactions.push(format!(r#"<qti-text-entry-interaction response-identifier="{id}"/>"#));
        conditions.push_str(&format!(r#"<qti-gt><qti-map-response identifier="{id}"/><qti-base-value base-type="float">0</qti-base-value></qti-gt>"#));
    }
    let body = if !blanks.is_empty() && xhtml::count_blanks(&sanitize::clean(stem_html)) == blanks.len() {
        stem(stem_html, Some(&interactions))
    } else {
        let trailing: String = interactions.iter().map(|i| format!("<p>{i}</p>")).collect();
        stem(stem_html, None) + &format!(r#"<div class="{BLANKS_CLASS}">{trailing}</div>"#)
    };
    (declarations, body, scoring(&format!("<qti-and>{conditions}</qti-and>")))
}
