//! The real GIFT files in shared/fixtures (from Moodle, QAS-Editor and GIFT-grammar-PEG.js)
//! read through `import::import` with format detection; checked against the PEG parser's
//! parse trees where there is one, and field by field for a sample.
use question_bank::import::{Format, ImportReport, Limits, SkipCode, detect, gift, import};
use question_bank::item::{ItemType, Key};
use question_bank::sanitize::text_of;
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/formats/gift");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn gift_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(DIR)
        .expect("fixtures/formats/gift")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".gift"))
        .collect();
    names.sort();
    names
}

fn load(name: &str) -> ImportReport {
    let bytes = read(name);
    let (format, report) = import(&bytes, None, Some(name), &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(format, Format::Gift, "{name}");
    report
}

#[test]
fn every_file_is_detected_as_gift_and_read() {
    let names = gift_files();
    assert_eq!(names.len(), 28, "{names:?}");
    for name in &names {
        assert_eq!(detect(&read(name), Some(name)), Some(Format::Gift), "{name}");
        let report = load(name);
        if name != "categorySpecialCharacter.gift" {
            assert!(!report.items.is_empty() || !report.skipped.is_empty(), "{name}: nothing read");
        }
        for item in &report.items {
            assert_eq!(item.check(), Ok(()), "{name}: {}", item.source_ref);
        }
        for skip in &report.skipped {
            assert!(!skip.item.is_empty() && !skip.detail.is_empty(), "{name}: {skip:?}");
        }
    }
}

/// What our importer must make of one question in the PEG parser's tree.
fn expected(q: &Value) -> Option<Result<ItemType, &'static str>> {
    Some(match q["type"].as_str()? {
        "MC" => Ok(ItemType::SingleChoice),
        "TF" => Ok(ItemType::TrueFalse),
        "Short" => Ok(ItemType::FillIn),
        "Essay" => Ok(ItemType::ShortAnswer),
        "Numerical" => Err("numerical"),
        "Matching" => Err("matching"),
        "Description" => Err("description (text only, no answer)"),
        _ => return None,
    })
}

/// The right answers the PEG tree implies, by Moodle's rules: with any `=`, those at full
/// credit; without, every answer with a positive weight.
fn oracle_key(choices: &[Value]) -> Vec<usize> {
    let any_right = choices.iter().any(|c| c["isCorrect"] == Value::Bool(true));
    let weight = |c: &Value| c["weight"].as_f64();
    (0..choices.len())
        .filter(|&i| {
            let c = &choices[i];
            if any_right { c["isCorrect"] == Value::Bool(true) && weight(c).is_none_or(|w| w >= 99.99) } else { weight(c).is_some_and(|w| w > 0.0) }
        })
        .collect()
}

#[test]
fn agrees_with_the_peg_parse_trees() {
    for name in gift_files() {
        let json_path = format!("{DIR}/expected-json/{}", name.replace(".gift", ".json"));
        let Ok(json) = std::fs::read_to_string(&json_path) else {
            continue;
        };
        let tree: Vec<Value> = serde_json::from_str(&json).expect("oracle json");
        let report = load(&name);
        let (mut items, mut skips) = (report.items.iter(), report.skipped.iter());
        for q in &tree {
            let Some(outcome) = expected(q) else { continue };
            match outcome {
                Err(detail) => {
                    let skip = skips.next().unwrap_or_else(|| panic!("{name}: missing skip for {q}"));
                    assert_eq!((skip.code, skip.detail.as_str()), (SkipCode::UnsupportedType, detail), "{name}");
                }
                Ok(kind) => {
                    let item = items.next().unwrap_or_else(|| panic!("{name}: missing item for {q}"));
                    if let Some(title) = q["title"].as_str() {
                        assert_eq!(item.source_ref, title, "{name}");
                    }
                    let choices = q["choices"].as_array().map(Vec::as_slice).unwrap_or_default();
                    let right = oracle_key(choices);
                    match &item.key {
                        Key::Single { .. } | Key::Multiple { .. } => {
                            assert_eq!(kind, ItemType::SingleChoice, "{name}: {}", item.source_ref);
                            let texts: Vec<String> = choices.iter().map(|c| text_of(c["text"]["text"].as_str().unwrap_or_default())).collect();
                            let ours: Vec<String> = item.choices.iter().map(|c| text_of(&c.content)).collect();
                            assert_eq!(ours, texts, "{name}: {}", item.source_ref);
                            let ids: Vec<String> = right.iter().map(|&i| item.choices[i].id.clone()).collect();
                            let key: Vec<String> = match &item.key {
                                Key::Single { choice } => vec![choice.clone()],
                                Key::Multiple { choices } => choices.clone(),
                                _ => vec![],
                            };
                            assert_eq!(key, ids, "{name}: {}", item.source_ref);
                        }
                        Key::TrueFalse { value } => {
                            assert_eq!(kind, ItemType::TrueFalse, "{name}");
                            assert_eq!(Some(*value), q["isTrue"].as_bool(), "{name}");
                        }
                        Key::FillIn { blanks } => {
                            assert_eq!(kind, ItemType::FillIn, "{name}");
                            let accepted: Vec<String> = right.iter().map(|&i| choices[i]["text"]["text"].as_str().unwrap_or_default().to_string()).collect();
                            assert_eq!(blanks, &vec![accepted], "{name}: {}", item.source_ref);
                        }
                        Key::ShortAnswer { .. } => {
                            assert_eq!(kind, ItemType::ShortAnswer, "{name}")
                        }
                    }
                }
            }
        }
        assert!(items.next().is_none() && skips.next().is_none(), "{name}: more read than the PEG parser found");
    }
}

#[test]
fn moodle_exports_true_false_and_choices() {
    let tf = load("qas-true_false.gift");
    let values: Vec<(&str, &Key)> = tf.items.iter().map(|i| (i.source_ref.as_str(), &i.key)).collect();
    assert_eq!(
        values,
        [
            ("TrueFalse 1", &Key::TrueFalse { value: true }),
            ("TrueFalse 2", &Key::TrueFalse { value: false }),
            ("TrueFalse 3", &Key::TrueFalse { value: true }),
            ("TrueFalse 4", &Key::TrueFalse { value: false }),
        ]
    );
    // The [html] stem keeps its formatting; the feedback after # is not part of it.
    assert!(tf.items[0].stem.starts_with("<p>This <em>True/False</em> question"), "{}", tf.items[0].stem);
    assert!(!tf.items[0].stem.contains("Your answer is"));
    // GIFT carries no files: the image keeps its plain name for an asset uploaded later.
    assert!(tf.items[2].stem.contains(r#"<img src="moodlewhich.jpg""#), "{}", tf.items[2].stem);

    let mc = load("qas-multichoice.gift");
    let summary: Vec<(&str, Option<&str>, &Key, usize)> =
        mc.items.iter().map(|i| (i.source_ref.as_str(), i.code.as_deref(), &i.key, i.choices.len())).collect();
    let abc = Key::Multiple { choices: vec!["A".into(), "B".into(), "C".into()] };
    let acf = Key::Multiple { choices: vec!["A".into(), "C".into(), "F".into()] };
    assert_eq!(
        summary,
        [
            ("Multichoice1", Some("108"), &abc, 3),
            ("Multichoice2", None, &Key::Single { choice: "A".into() }, 3),
            ("Multichoice3", Some("1015"), &Key::Single { choice: "B".into() }, 3),
            ("Multichoice4", None, &acf, 6),
        ]
    );
    assert_eq!(mc.items[1].choices[0].content, "<p>Teaching with Moodle</p>");
    assert!(mc.items.iter().all(|i| i.points.0 == 1000 && i.item_type.is_choice()));
}

#[test]
fn short_answers_essays_and_skips() {
    let shorts = load("qas-shorts.gift");
    let keys: Vec<&Key> = shorts.items.iter().map(|i| &i.key).collect();
    let fill = |a: &[&str]| Key::FillIn { blanks: vec![a.iter().map(|s| s.to_string()).collect()] };
    // `*manually*` is Moodle's wildcard; the 0% answers are not accepted.
    assert_eq!(keys, [&fill(&["manually"]), &fill(&["four", "4"]), &fill(&["Crete"]), &fill(&["Grant", "Ulysses S. Grant", "Ulysses Grant"])]);
    assert_eq!(shorts.items[1].stem, "Two plus two equals");

    let essays = load("qas-essay.gift");
    assert_eq!(essays.items.len(), 2);
    assert!(essays.items.iter().all(|i| i.key == Key::ShortAnswer { reference: None }));
    assert_eq!(essays.items[0].code.as_deref(), Some("432"));

    let tagged = load("tag_id_and_two_tags.gift");
    assert_eq!(tagged.items[0].code.as_deref(), Some("393"));
    assert_eq!(tagged.items[0].tags, ["fred", "barney-wilma"]);

    for (file, detail, count) in [("numerical1.gift", "numerical", 10), ("matching1.gift", "matching", 2), ("qas-matching.gift", "matching", 2)] {
        let r = load(file);
        assert!(r.items.is_empty(), "{file}");
        assert_eq!(r.skipped.len(), count, "{file}");
        assert!(r.skipped.iter().all(|s| s.code == SkipCode::UnsupportedType && s.detail == detail), "{file}");
    }
}

#[test]
fn escapes_missing_words_and_categories() {
    let esc = load("escapeAll.gift");
    let contents: Vec<&str> = esc.items[0].choices.iter().map(|c| c.content.as_str()).collect();
    assert_eq!(contents, ["~", "=", "#", "{", "}", ":", "\\"]);
    assert_eq!(esc.items[0].key, Key::Single { choice: "G".into() });
    assert_eq!(esc.items[0].source_ref, "GIFT Control Characters");

    let symbols = load("symbolsAll.gift");
    assert_eq!(symbols.items[0].stem, "Here's a question that has symbols inside, <br>such as `-=[];',./~!@#$%^&amp;*()_+{}|:\"&lt;&gt;?");

    let missing = load("qas-missing_words.gift");
    assert_eq!(missing.items[0].stem, "Moodle costs ____ to download from moodle.org.");
    assert_eq!(missing.items[0].key, Key::Single { choice: "B".into() });

    // A file with only a category holds no question; the category tags what follows it.
    let only = String::from_utf8(read("categorySpecialCharacter.gift")).expect("utf-8");
    assert!(load("categorySpecialCharacter.gift").items.is_empty());
    let with_question = format!("{only}\n电压的单位是伏特。{{T}}\n");
    let r = gift::parse(&with_question, &Limits::default()).expect("parse");
    assert_eq!(r.items[0].tags, ["Default for Unit 1: Topic"]);

    let all = load("qas-all.gift");
    let essay = all.items.iter().find(|i| i.source_ref == "Essay 1").expect("Essay 1");
    assert_eq!(essay.tags, ["qas editor/Essays", "Advanced", "ad"]);
    assert_eq!(essay.code.as_deref(), Some("432"));
    assert!(all.items.iter().filter(|i| i.item_type == ItemType::FillIn).all(|i| i.tags == ["qas editor/Shorts"]));
}

#[test]
fn other_formats_are_not_taken_for_gift() {
    let aiken = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/formats/aiken/qas-aiken_1.txt")).expect("aiken fixture");
    assert!(!gift::looks_like(&aiken));
    assert_eq!(detect(aiken.as_bytes(), Some("qas-aiken_1.txt")), Some(Format::Aiken));
    let xml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/formats/moodlexml/qas-truefalse.moodle.xml"))
        .expect("moodle fixture");
    assert!(!gift::looks_like(&xml));
}
