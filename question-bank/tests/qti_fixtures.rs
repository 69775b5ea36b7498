//! Real QTI files (IMS examples, ONYX, TAO exports; see `shared/fixtures/formats/SOURCES.md`)
//! and hand-made hostile ones, through format detection and import as an upload would go.
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use question_bank::import::{Format, ImportError, ImportReport, Limits, SkipCode, import};
use question_bank::item::{ItemType, Key, Points};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/formats");

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn read(rel: &str) -> Result<(Format, ImportReport), ImportError> {
    let path = Path::new(FIXTURES).join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().and_then(|n| n.to_str());
    import(&bytes, None, name, &Limits::default())
}

fn report(rel: &str) -> ImportReport {
    read(rel).unwrap_or_else(|e| panic!("{rel}: {e:?}")).1
}

/// (items, skipped) of a file that must import.
fn counts(rel: &str) -> (usize, usize) {
    let r = report(rel);
    (r.items.len(), r.skipped.len())
}

fn skipped_as(rel: &str, code: SkipCode, detail: &str) {
    let r = report(rel);
    assert!(r.items.is_empty(), "{rel}: {:?}", r.items);
    assert_eq!(r.skipped.len(), 1, "{rel}");
    assert_eq!((r.skipped[0].code, r.skipped[0].detail.as_str()), (code, detail), "{rel}");
}

#[test]
fn every_fixture_imports_or_is_refused_with_a_reason() {
    let mut files = Vec::new();
    for dir in ["qti21", "qti22", "qti30", "qti-tests", "qti-packages"] {
        files_under(&Path::new(FIXTURES).join(dir), &mut files);
    }
    files.retain(|f| f.extension().is_some_and(|e| e == "xml" || e == "zip"));
    assert!(files.len() >= 70, "fixtures missing: found {}", files.len());
    for file in files {
        let bytes = std::fs::read(&file).expect("read fixture");
        let name = file.file_name().and_then(|n| n.to_str());
        let expected = if name.is_some_and(|n| n.ends_with(".zip")) { Format::QtiPackage } else { Format::Qti };
        match import(&bytes, None, name, &Limits::default()) {
            Ok((format, r)) => {
                assert_eq!(format, expected, "{}", file.display());
                assert!(!r.items.is_empty() || !r.skipped.is_empty(), "{}: nothing imported and nothing said", file.display());
                assert!(r.skipped.iter().all(|s| !s.detail.trim().is_empty()), "{}: {:?}", file.display(), r.skipped);
                for item in &r.items {
                    assert_eq!(item.check(), Ok(()), "{}", file.display());
                }
            }
            Err(e) => assert!(!e.to_string().trim().is_empty(), "{}", file.display()),
        }
    }
}

#[test]
fn qti21_choice_items() {
    let item = &report("qti21/choice.xml").items[0];
    assert_eq!(item.item_type, ItemType::SingleChoice);
    assert_eq!(item.key, Key::Single { choice: "A".into() }, "ChoiceA is the first option");
    assert_eq!(item.points, Points::ONE);
    assert_eq!(item.source_ref, "choice");
    let options: Vec<&str> = item.choices.iter().map(|c| c.content.as_str()).collect();
    assert_eq!(
        options,
        ["You must stay with your luggage at all times.", "Do not let someone else look after your luggage.", "Remember your luggage when you leave."]
    );
    assert!(item.stem.starts_with("<p>Look at the text in the picture.</p>"), "{}", item.stem);
    assert!(item.stem.contains(r#"<img src="images/sign.png" alt="NEVER LEAVE LUGGAGE UNATTENDED">"#), "{}", item.stem);
    assert!(item.stem.ends_with("<p>What does it say?</p>"), "the prompt is part of the stem: {}", item.stem);

    let multiple = &report("qti21/choice_multiple.xml").items[0];
    assert_eq!(multiple.item_type, ItemType::MultipleChoice);
    // H(ydrogen) and O(xygen) are options 1 and 4 of six.
    assert_eq!(multiple.key, Key::Multiple { choices: vec!["A".into(), "D".into()] });
    assert_eq!(multiple.choices.len(), 6);
    assert_eq!(multiple.points, Points(2000), "two mapped points, upper bound 2");

    let fixed = &report("qti21/choice_fixed.xml").items[0];
    let fixed_flags: Vec<bool> = fixed.choices.iter().map(|c| c.fixed).collect();
    assert_eq!(fixed_flags, [false, false, false, true]);
    assert_eq!(fixed.choices[3].content, "None of the above.");
}

#[test]
fn qti21_text_entry_and_essay() {
    let item = &report("qti21/text_entry.xml").items[0];
    assert_eq!(item.item_type, ItemType::FillIn);
    assert_eq!(item.key, Key::FillIn { blanks: vec![vec!["York".into(), "york".into()]] });
    assert_eq!(item.points, Points::ONE);
    assert!(item.stem.contains("Made glorious summer by this sun of\n\t\t\t\t\t____;"), "{}", item.stem);

    let essay = &report("qti21/extended_text.xml").items[0];
    assert_eq!(essay.item_type, ItemType::ShortAnswer);
    assert_eq!(essay.key, Key::ShortAnswer { reference: None });
    assert!(essay.stem.contains(r#"<img src="images/postcard.png" alt="Here is a postcard of my town."#), "{}", essay.stem);
    assert!(essay.stem.ends_with("<p>Write Sam a postcard. Answer the questions. Write 25-35 words.</p>"), "{}", essay.stem);

    // Several blanks, points from MAXSCORE; a blank without any answer is refused.
    let two = &report("qti21/onyx-sachsen/TextEntrynumeric_2040297025.xml").items[0];
    assert_eq!(two.key, Key::FillIn { blanks: vec![vec!["4.0".into()], vec!["2.0".into()]] });
    assert_eq!(two.points, Points(2000));
    skipped_as("qti21/tao-synonym_group_scoring.xml", SkipCode::InvalidItem, "every blank needs at least one accepted answer");
    let special = &report("qti21/tao-textentry_response_special_chars.xml").items[0];
    assert_eq!(special.key, Key::FillIn { blanks: vec![vec![r#"This is <strong>"bold"</strong> & this is <em>'italic'</em>"#.into()]] });
}

#[test]
fn true_false_pairs_become_true_false_items() {
    let onyx = &report("qti21/onyx-sachsen/Choicetruefalse_176040516.xml").items[0];
    assert_eq!((onyx.item_type, &onyx.key), (ItemType::TrueFalse, &Key::TrueFalse { value: true }), "Richtig/Falsch");
    assert!(onyx.choices.is_empty());
    let ims = &report("qti21/modalFeedback.xml").items[0];
    assert_eq!(ims.key, Key::TrueFalse { value: true });
    assert_eq!(ims.points, Points(10_000), "MAXSCORE 10.0");
    // Correct/Incorrect is not one of the pairs: it stays a single choice.
    assert_eq!(report("qti21/orkney1.xml").items[0].item_type, ItemType::SingleChoice);
}

#[test]
fn unsupported_interactions_are_named() {
    skipped_as("qti21/hotspot.xml", SkipCode::UnsupportedType, "hotspotInteraction");
    skipped_as("qti21/gap_match.xml", SkipCode::UnsupportedType, "gapMatchInteraction");
    skipped_as("qti21/inline_choice.xml", SkipCode::UnsupportedType, "inlineChoiceInteraction");
    skipped_as("qti21/match.xml", SkipCode::UnsupportedType, "matchInteraction");
    skipped_as("qti21/order.xml", SkipCode::UnsupportedType, "orderInteraction");
    skipped_as("qti21/associate.xml", SkipCode::UnsupportedType, "associateInteraction");
    skipped_as("qti22/slider.xml", SkipCode::UnsupportedType, "sliderInteraction");
    skipped_as("qti22/uploadinteraction-with-multiple-mime-types.xml", SkipCode::UnsupportedType, "uploadInteraction");
    skipped_as("qti21/tao-tableInteractions.xml", SkipCode::UnsupportedType, "mixed interactions in one item: textEntryInteraction, choiceInteraction");
    skipped_as("qti21/mc_calc3.xml", SkipCode::UnsupportedType, "templateDeclaration (an item generated from template variables)");
    skipped_as("qti22/ruby_html5.xml", SkipCode::InvalidItem, "no correct response is declared");
}

#[test]
fn qti30_items() {
    for n in 1..=3 {
        let item = &report(&format!("qti30/aqti_tmh_sample_{n}.xml")).items[0];
        assert_eq!(item.source_ref, format!("aqti_tmh_sample_{n}"));
        assert_eq!(item.key, Key::Single { choice: "A".into() });
        let options: Vec<(&str, bool)> = item.choices.iter().map(|c| (c.content.as_str(), c.fixed)).collect();
        assert_eq!(options, [("<p>About 200</p>", true), ("<p>About 100</p>", true), ("<p>About 50</p>", true)]);
        assert!(item.stem.contains("harmonica</span> lessons once a week"), "{}", item.stem);
        assert!(item.stem.ends_with("for his harmonica lessons?</p>") || item.stem.ends_with("for her harmonica lessons?</p>"));
        assert!(!item.stem.contains("data-catalog") && !item.stem.contains("mouth organ"), "{}", item.stem);
    }
    // SSML markup is unwrapped, its text kept.
    assert!(report("qti30/aqti_tmh_sample_2.xml").items[0].stem.contains("Maple\n    Dr. is"));
}

#[test]
fn assessment_tests_point_to_the_package() {
    for name in ["basic_statistics_as_outcomes", "ordering_basic", "selection_and_ordering_with_replacement"] {
        let r = report(&format!("qti-tests/{name}.xml"));
        assert!(r.items.is_empty());
        assert_eq!(r.skipped.len(), 1);
        assert!(r.skipped[0].detail.contains("import the content package"), "{:?}", r.skipped);
    }
}

#[test]
fn packages() {
    assert_eq!(counts("qti-packages/qti22.zip"), (3, 0));
    assert_eq!(counts("qti-packages/qti221.zip"), (3, 0));
    let tao = report("qti-packages/qti22.zip");
    let keys: Vec<&Key> = tao.items.iter().map(|i| &i.key).collect();
    assert_eq!(keys, [&Key::Single { choice: "B".into() }, &Key::Single { choice: "A".into() }, &Key::Single { choice: "C".into() }]);

    // The item's image comes along, found relative to the item file.
    let package = report("qti-packages/package.zip");
    assert_eq!((package.items.len(), package.skipped.len()), (1, 0));
    let asset = &package.items[0].assets[0];
    assert_eq!((asset.path.as_str(), asset.mime.as_str(), asset.bytes.len()), ("images/sign.png", "image/png", 4029));
    assert!(asset.bytes.starts_with(b"\x89PNG"));

    // 5 entry-profile items; the manifest also lists two files the zip does not have.
    let entry = report("qti-packages/ims-qti2v1-entrytest-package.zip");
    let types: Vec<ItemType> = entry.items.iter().map(|i| i.item_type).collect();
    use ItemType::*;
    assert_eq!(types, [TrueFalse, SingleChoice, MultipleChoice, FillIn, ShortAnswer]);
    assert_eq!(entry.items[4].assets.len(), 3);
    assert_eq!(entry.skipped.len(), 2);
    assert!(entry.skipped.iter().all(|s| s.code == SkipCode::MalformedItem && s.detail.ends_with("is not in the package")));

    // The IMS 2.2 examples: 20 items of our types, 37 others skipped with a reason.
    let examples = report("qti-packages/ims-qti2v2-examples-package.zip");
    assert_eq!((examples.items.len(), examples.skipped.len()), (20, 37));
    assert_eq!(examples.skipped.iter().filter(|s| s.code == SkipCode::UnsupportedType).count(), 35);

    assert_eq!(counts("qti-packages/qti20.zip"), (1, 1), "a choice item and an associate item");
    let scaled = report("qti-packages/scaledscoring.zip");
    assert_eq!(scaled.skipped[0].detail, "mixed interactions in one item: choiceInteraction, sliderInteraction");
    // A file name with & in it; the item is a hotspot, the test resource is not an item.
    let ampersand = report("qti-packages/package_with_ampersand.zip");
    assert!(ampersand.items.is_empty());
    assert_eq!((ampersand.skipped[0].code, ampersand.skipped[0].detail.as_str()), (SkipCode::UnsupportedType, "hotspotInteraction"));
}

#[test]
fn invalid_packages_are_refused_or_their_item_skipped() {
    let malformed = |rel: &str| match read(rel) {
        Err(ImportError::Malformed(reason)) => reason,
        other => panic!("{rel}: {other:?}"),
    };
    assert!(malformed("qti-packages/invalid-MissingManifest.zip").contains("no imsmanifest.xml"));
    assert!(malformed("qti-packages/invalid-NestedRootFolder.zip").contains("must be at the root"));
    assert!(malformed("qti-packages/invalid-MalformedManifest.zip").starts_with("imsmanifest.xml: "));
    let broken_item = report("qti-packages/invalid-MalformedItemXml.zip");
    assert!(broken_item.items.is_empty());
    assert_eq!(broken_item.skipped[0].code, SkipCode::MalformedItem);
    assert!(broken_item.skipped[0].detail.starts_with("qti.xml: "), "{:?}", broken_item.skipped);
    let wrong_href = report("qti-packages/invalid-WrongManifestFileItemHref.zip");
    assert_eq!(wrong_href.skipped[0].code, SkipCode::MalformedItem);
    assert_eq!(wrong_href.skipped[0].detail, "wrong/path/to/qti.xml is not in the package");
}

const ITEM: &str = r#"<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="x" title="x">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>b</value></correctResponse></responseDeclaration>
  <itemBody><p onmouseover="steal()">下列哪个<script>alert(1)</script>是导体？<img src="x.png" onerror="alert(2)"></img></p>
    <choiceInteraction responseIdentifier="RESPONSE" maxChoices="1">
      <simpleChoice identifier="a"><a href="javascript:alert(3)">橡胶</a></simpleChoice>
      <simpleChoice identifier="b">铜<iframe src="https://evil.example"></iframe></simpleChoice>
    </choiceInteraction></itemBody></assessmentItem>"#;

#[test]
fn scripts_and_handlers_in_stems_and_options_are_stripped() {
    let (_, r) = import(ITEM.as_bytes(), None, Some("x.xml"), &Limits::default()).expect("import");
    let item = &r.items[0];
    assert_eq!(item.stem, r#"<p>下列哪个是导体？<img src="x.png"></p>"#);
    assert_eq!(item.key, Key::Single { choice: "B".into() });
    for html in std::iter::once(&item.stem).chain(item.choices.iter().map(|c| &c.content)) {
        for bad in ["script", "onerror", "onmouseover", "javascript", "iframe"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }
}

#[test]
fn entity_declarations_are_refused() {
    let xxe = format!(r#"<?xml version="1.0"?><!DOCTYPE assessmentItem [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>{}"#, ITEM.replace("下列", "&xxe;"));
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
        <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><assessmentItem identifier="x">&lol3;</assessmentItem>"#;
    for xml in [xxe.as_str(), laughs] {
        let result = import(xml.as_bytes(), None, Some("x.xml"), &Limits::default());
        assert!(matches!(result, Err(ImportError::Unsafe(_))), "{result:?}");
    }
    // The same inside a package refuses the whole package.
    let package = zip_of(&[("imsmanifest.xml", manifest("item.xml").into_bytes()), ("item.xml", xxe.into_bytes())]);
    assert!(matches!(import(&package, None, Some("p.zip"), &Limits::default()), Err(ImportError::Unsafe(_))));
}

fn manifest(href: &str) -> String {
    format!(
        r#"<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m"><organizations/><resources>
        <resource identifier="r1" type="imsqti_item_xmlv2p1" href="{href}"><file href="{href}"/></resource></resources></manifest>"#
    )
}

fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, options).expect("start");
        w.write_all(data).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

#[test]
fn a_hand_made_package_imports() {
    let package =
        zip_of(&[("imsmanifest.xml", manifest("items/1.xml").into_bytes()), ("items/1.xml", ITEM.as_bytes().to_vec()), ("items/x.png", vec![1, 2, 3])]);
    let r = import(&package, None, Some("p.zip"), &Limits::default()).expect("import").1;
    assert_eq!(r.items.len(), 1);
    assert_eq!(r.items[0].assets.len(), 1);
    assert_eq!(r.items[0].assets[0].bytes, vec![1, 2, 3]);

    let qti12 = manifest("q.xml").replace("imsqti_item_xmlv2p1", "imsqti_xmlv1p2");
    let old = zip_of(&[("imsmanifest.xml", qti12.into_bytes()), ("q.xml", b"<questestinterop/>".to_vec())]);
    let r = import(&old, None, Some("old.zip"), &Limits::default()).expect("import").1;
    assert_eq!((r.skipped[0].code, r.skipped[0].item.as_str()), (SkipCode::UnsupportedType, "r1"));
}

#[test]
fn hostile_zips_are_refused() {
    let unsafe_zip = |bytes: &[u8], limits: &Limits| {
        let result = import(bytes, None, Some("p.zip"), limits);
        assert!(matches!(result, Err(ImportError::Unsafe(_))), "{result:?}");
    };
    let item = ITEM.as_bytes().to_vec();
    let traversal = zip_of(&[("imsmanifest.xml", manifest("../evil.xml").into_bytes()), ("../evil.xml", item.clone())]);
    unsafe_zip(&traversal, &Limits::default());
    let absolute = zip_of(&[("imsmanifest.xml", manifest("x.xml").into_bytes()), ("/etc/x.xml", item.clone())]);
    unsafe_zip(&absolute, &Limits::default());

    let many: Vec<(String, Vec<u8>)> = (0..10).map(|i| (format!("f{i}.xml"), item.clone())).collect();
    let mut entries: Vec<(&str, Vec<u8>)> = many.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    entries.push(("imsmanifest.xml", manifest("f0.xml").into_bytes()));
    let flood = zip_of(&entries);
    unsafe_zip(&flood, &Limits { max_zip_entries: 5, ..Limits::default() });
    assert_eq!(import(&flood, None, Some("p.zip"), &Limits::default()).expect("within limits").1.items.len(), 1);

    // 50 MB of zeros in about 50 KB.
    let bomb = zip_of(&[("imsmanifest.xml", vec![0; 50 * 1024 * 1024])]);
    assert!(bomb.len() < 200 * 1024);
    unsafe_zip(&bomb, &Limits { max_compression_ratio: 200, ..Limits::default() });
    unsafe_zip(&bomb, &Limits { max_unzipped_bytes: 10 * 1024 * 1024, max_compression_ratio: 10_000, ..Limits::default() });

    // The same bomb with headers that claim 1 KB: reading stops at the claim, it does not inflate.
    let mut liar = bomb.clone();
    for sig in [&b"PK\x03\x04"[..], &b"PK\x01\x02"[..]] {
        let at = liar.windows(4).position(|w| w == sig).expect("header");
        let size_at = at + if sig[2] == 3 { 22 } else { 24 };
        liar[size_at..size_at + 4].copy_from_slice(&1024u32.to_le_bytes());
    }
    let result = import(&liar, None, Some("p.zip"), &Limits::default());
    assert!(matches!(result, Err(ImportError::Unsafe(_) | ImportError::Malformed(_))), "{result:?}");
}
