//! The real Moodle XML (and Aiken) files in shared/fixtures read through `import::import` with
//! format detection, checked field by field for a sample; hostile and broken Moodle XML.
use question_bank::import::{Format, ImportError, ImportReport, Limits, SkipCode, detect, import, moodle_xml};
use question_bank::item::{ItemType, Key, Points};

const FORMATS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/formats");

fn files(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(format!("{FORMATS}/{dir}"))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| !n.ends_with(".md"))
        .collect();
    names.sort();
    names
}

fn load(dir: &str, name: &str) -> (Format, ImportReport) {
    let bytes = std::fs::read(format!("{FORMATS}/{dir}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"));
    import(&bytes, None, Some(name), &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn moodle(name: &str) -> ImportReport {
    let (format, report) = load("moodlexml", name);
    assert_eq!(format, Format::MoodleXml, "{name}");
    report
}

fn parse(xml: &str) -> Result<ImportReport, ImportError> {
    moodle_xml::parse(xml, &Limits::default())
}

#[test]
fn every_file_is_detected_and_read() {
    let names = files("moodlexml");
    assert_eq!(names.len(), 12, "{names:?}");
    for name in &names {
        let report = moodle(name);
        assert!(!report.items.is_empty() || !report.skipped.is_empty(), "{name}: nothing read");
        for item in &report.items {
            assert_eq!(item.check(), Ok(()), "{name}: {}", item.source_ref);
            assert!(!item.stem.contains("@@PLUGINFILE@@"), "{name}: {}", item.stem);
        }
        for skip in &report.skipped {
            assert!(!skip.detail.is_empty(), "{name}: {skip:?}");
        }
    }
    // Each single-type export of a type we do not deliver is skipped, naming the type.
    for (name, qtype) in [
        ("qas-calculated.moodle.xml", "calculatedmulti"),
        ("qas-calculatedsimple.moodle.xml", "calculatedsimple"),
        ("qas-ddimageortext.moodle.xml", "ddimageortext"),
        ("qas-ddmarker.moodle.xml", "ddmarker"),
        ("qas-ddwtos.moodle.xml", "ddwtos"),
        ("qas-gapselect.moodle.xml", "gapselect"),
        ("qas-numerical.moodle.xml", "numerical"),
        ("qas-randomsamatch.moodle.xml", "randomsamatch"),
    ] {
        let r = moodle(name);
        assert!(r.items.is_empty(), "{name}");
        assert_eq!(r.skipped.len(), 1, "{name}");
        assert_eq!((r.skipped[0].code, r.skipped[0].detail.as_str()), (SkipCode::UnsupportedType, qtype), "{name}");
    }
    let description = moodle("qas-description.moodle.xml");
    assert_eq!(description.skipped[0].item, "ProblemDescription");
    assert_eq!(description.skipped[0].code, SkipCode::UnsupportedType);
}

#[test]
fn aiken_files_are_detected_as_aiken() {
    for name in files("aiken") {
        let (format, report) = load("aiken", &name);
        assert_eq!(format, Format::Aiken, "{name}");
        assert!(!report.items.is_empty(), "{name}");
    }
}

#[test]
fn multichoice_with_images() {
    let r = moodle("qas-multichoice.moodle.xml");
    assert_eq!(r.items.len(), 1);
    let item = &r.items[0];
    assert_eq!(item.source_ref, "html layout");
    assert_eq!(item.item_type, ItemType::SingleChoice);
    assert_eq!(item.key, Key::Single { choice: "A".into() });
    assert_eq!(item.points, Points(1300));
    assert_eq!(item.choices.len(), 5);
    assert_eq!(item.choices[0].content, "<p>This is the good <u>underlined</u> answer.<br></p>");
    assert_eq!(item.choices[1].content, "<p>This is one <i>italic</i> wrong answer.<br></p>");
    let assets: Vec<(&str, &str)> = item.assets.iter().map(|a| (a.path.as_str(), a.mime.as_str())).collect();
    assert_eq!(assets, [("4.png", "image/png"), ("dessin.svg", "image/svg+xml")]);
    assert!(item.assets[0].bytes.starts_with(b"\x89PNG\r\n"));
    assert!(item.assets[1].bytes.starts_with(b"<?xml"));
    assert!(item.stem.contains(r#"<img src="4.png""#), "{}", item.stem);
    // Links are not in the sanitiser's allowlist; their text stays.
    assert!(item.stem.starts_with("<p>a link here and an image"), "{}", item.stem);
}

#[test]
fn true_false_and_the_all_types_export() {
    let tf = moodle("qas-truefalse.moodle.xml");
    let item = &tf.items[0];
    assert_eq!((item.source_ref.as_str(), &item.key, item.points), ("tf", &Key::TrueFalse { value: false }, Points(1140)));
    assert_eq!(item.assets[0].path, "moodlewhich.jpg");
    assert!(item.assets[0].bytes.starts_with(&[0xFF, 0xD8]));

    let all = moodle("qas-all-types.moodle.xml");
    let summary: Vec<(&str, ItemType, u32, Vec<String>)> = all.items.iter().map(|i| (i.source_ref.as_str(), i.item_type, i.points.0, i.tags.clone())).collect();
    let tag = |t: &str| vec![t.to_string()];
    assert_eq!(
        summary,
        [
            ("Essai1", ItemType::ShortAnswer, 1100, tag("qas_editor")),
            ("Essai2", ItemType::ShortAnswer, 1200, tag("qas_editor/second_cat")),
            ("html layout", ItemType::SingleChoice, 1300, tag("qas_editor/second_cat")),
            ("table", ItemType::SingleChoice, 1400, tag("qas_editor/second_cat")),
            ("code", ItemType::SingleChoice, 1500, tag("qas_editor/second_cat")),
            ("markdown", ItemType::SingleChoice, 1000, tag("qas_editor/alternative-format")),
            ("plain text", ItemType::SingleChoice, 1000, tag("qas_editor/alternative-format")),
            ("h3", ItemType::FillIn, 1120, tag("qas_editor/alternative-format")),
            ("tf", ItemType::TrueFalse, 1140, tag("qas_editor/alternative-format")),
        ]
    );
    assert_eq!(all.items[0].key, Key::ShortAnswer { reference: Some("Grader Info test".into()) });
    assert_eq!(all.items[1].key, Key::ShortAnswer { reference: None });
    assert_eq!(all.items[7].key, Key::FillIn { blanks: vec![vec!["Crete".into()]] });
    // Markdown has no renderer here, so its source shows as written (escaped).
    assert_eq!(all.items[5].choices[0].content, "**yes**");
    let skipped: Vec<&str> = all.skipped.iter().map(|s| s.detail.as_str()).collect();
    for qtype in ["ddwtos", "ddmarker", "numerical", "calculated", "calculatedmulti", "calculatedsimple", "matching"] {
        assert!(skipped.contains(&qtype), "{qtype}: {skipped:?}");
    }
    assert!(skipped.contains(&"cloze with a MULTICHOICE blank"), "{skipped:?}");
    assert_eq!(all.skipped.len(), 16);
    assert!(all.skipped.iter().all(|s| s.code == SkipCode::UnsupportedType));
}

#[test]
fn hostile_xml_is_refused_or_cleaned() {
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]><quiz><question type="truefalse"><questiontext><text>&x;</text></questiontext></question></quiz>"#;
    assert!(matches!(parse(xxe), Err(ImportError::Unsafe(_))));
    assert!(matches!(import(xxe.as_bytes(), None, None, &Limits::default()), Err(ImportError::Unsafe(_))));

    let script = r#"<quiz><question type="multichoice"><name><text>坏</text></name>
      <questiontext format="html"><text><![CDATA[<p onclick="steal()">电压<script>alert(1)</script><img src="x.png" onerror="alert(2)"></p>]]></text></questiontext>
      <answer fraction="100"><text><![CDATA[<b onmouseover="x()">甲</b><script>1</script>]]></text></answer>
      <answer fraction="0"><text>乙</text></answer></question></quiz>"#;
    let r = parse(script).expect("parse");
    assert_eq!(r.items[0].stem, r#"<p>电压<img src="x.png"></p>"#);
    assert_eq!(r.items[0].choices[0].content, "<b>甲</b>");

    // A multi-byte character across the 64 KiB safety-check boundary must not panic.
    for pad in 0..3 {
        let mut big = String::from(r#"<quiz><question type="truefalse"><questiontext><text>"#);
        big.push_str(&"a".repeat(64 * 1024 - big.len() - pad));
        big.push_str(&"电".repeat(20));
        big.push_str(r#"</text></questiontext><answer fraction="100"><text>true</text></answer></question></quiz>"#);
        assert_eq!(parse(&big).map(|r| r.items.len()), Ok(1));
        assert!(matches!(parse(&format!("{big}<!ENTITY a 'b'>")), Err(ImportError::Unsafe(_))));
    }
}

#[test]
fn broken_files_and_broken_items() {
    for bad in ["", "not xml at all", "<quiz><question>", "<quiz></wrong>", "<other><question type=\"essay\"/></other>"] {
        assert!(matches!(parse(bad), Err(ImportError::Malformed(_))), "{bad}");
    }
    assert_eq!(detect(b"<?xml version=\"1.0\"?>\n<quiz>\n</quiz>", None), Some(Format::MoodleXml));
    let xml = r#"<quiz>
      <question type="multichoice"><name><text>分数</text></name><questiontext><text>题</text></questiontext>
        <answer fraction="abc"><text>甲</text></answer><answer fraction="0"><text>乙</text></answer></question>
      <question type="truefalse"><name><text>图</text></name><questiontext><text>题</text>
        <file name="a.png" path="/" encoding="base64">!!!</file></questiontext></question>
      <question type="essay"><name><text>分值</text></name><questiontext><text>题</text></questiontext>
        <defaultgrade>-2</defaultgrade></question>
      <question type="multichoice"><name><text>两个对</text></name><questiontext><text>题</text></questiontext>
        <single>true</single><answer fraction="100"><text>甲</text></answer><answer fraction="100"><text>乙</text></answer></question>
      <question type="shortanswer"><name><text>无答案</text></name><questiontext><text>题</text></questiontext>
        <answer fraction="0"><text>甲</text></answer></question>
      <question><name><text>无类型</text></name></question>
      <question type="essay"><questiontext format="plain_text"><text>a &lt; b</text></questiontext></question>
    </quiz>"#;
    let r = parse(xml).expect("a broken item must not fail the file");
    let skipped: Vec<(&str, SkipCode)> = r.skipped.iter().map(|s| (s.item.as_str(), s.code)).collect();
    assert_eq!(
        skipped,
        [
            ("分数", SkipCode::MalformedItem),
            ("图", SkipCode::MalformedItem),
            ("分值", SkipCode::InvalidItem),
            ("两个对", SkipCode::InvalidItem),
            ("无答案", SkipCode::InvalidItem),
            ("无类型", SkipCode::MalformedItem),
        ]
    );
    assert_eq!(r.items.len(), 1);
    assert_eq!((r.items[0].source_ref.as_str(), r.items[0].stem.as_str()), ("question 7", "a &lt; b"));
    let limits = Limits { max_items: 1, ..Limits::default() };
    let two = "<quiz><question type=\"essay\"><questiontext><text>一</text></questiontext></question><question type=\"essay\"><questiontext><text>二</text></questiontext></question></quiz>";
    assert!(matches!(moodle_xml::parse(two, &limits), Err(ImportError::TooManyItems { limit: 1 })));
}
