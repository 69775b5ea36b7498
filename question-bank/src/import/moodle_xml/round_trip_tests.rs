//! Export to Moodle XML and import again: every field but `source_ref` must come back as it
//! was, for hand-picked Chinese items and for generated ones.
use proptest::prelude::*;

use super::parse;
use crate::export::moodle_xml::write;
use crate::import::{Limits, SkipCode};
use crate::item::{Asset, Choice, Difficulty, ItemDraft, Key, Points, choice_letter};
use crate::sanitize::{clean, escape};

fn choices(texts: &[&str], fixed: &[usize]) -> Vec<Choice> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| Choice {
            id: choice_letter(i),
            content: escape(t),
            fixed: fixed.contains(&i),
        })
        .collect()
}

fn png(path: &str) -> Asset {
    Asset {
        path: path.into(),
        mime: "image/png".into(),
        bytes: vec![0x89, b'P', b'N', b'G', 0, 255, 10, 13],
    }
}

fn examples() -> Vec<ItemDraft> {
    let mut single = ItemDraft::new(
        "1",
        r#"<p>保护接地电阻一般不大于多少欧？<img src="图1.png"></p>"#,
        choices(&["4 Ω", "10 Ω", "30 Ω", "以上都不对"], &[3]),
        Key::Single { choice: "A".into() },
    );
    single.code = Some("3-A-A-B-E-004".into());
    single.points = Points(2500);
    single.difficulty = Difficulty::new(3);
    single.outline_point = Some("3-A-A-B-E".into());
    single.tags = vec!["安全用电".into(), "低压 & 高压".into()];
    single.source = Some("GB/T 13869-2017《用电安全导则》".into());
    single.assets = vec![png("图1.png")];
    let mut multiple = ItemDraft::new(
        "2",
        "下列属于绝对安全电压的有：",
        choices(&["12 V", "6 V", "220 V", "36 V <常用>", "380 V"], &[]),
        Key::Multiple {
            choices: vec!["A".into(), "B".into(), "D".into()],
        },
    );
    multiple.choices[1].content = r#"6 V <img src="images/电压.png">"#.into();
    multiple.assets = vec![png("images/电压.png")];
    multiple.points = Points(125);
    let tf = ItemDraft::new(
        "3",
        "三相异步电动机的转子是静止的。",
        vec![],
        Key::TrueFalse { value: false },
    );
    let mut one_blank = ItemDraft::new(
        "4",
        "我国工频交流电的频率为____赫兹。",
        vec![],
        Key::FillIn {
            blanks: vec![vec!["50".into(), "五十".into(), "5*".into()]],
        },
    );
    one_blank.difficulty = Difficulty::new(1);
    let mut blanks = ItemDraft::new(
        "5",
        "<p>电流的单位是____，电压的单位是____。</p>",
        vec![],
        Key::FillIn {
            blanks: vec![
                vec!["安培".into(), "A".into()],
                vec!["伏特".into(), "V~{1}#".into()],
                vec!["欧姆".into()],
            ],
        },
    );
    blanks.tags = vec!["单位".into()];
    let mut essay = ItemDraft::new(
        "6",
        "<p>简述触电急救的步骤。</p>",
        vec![],
        Key::ShortAnswer {
            reference: Some("1. 迅速脱离电源；\n2. 就地抢救 & 呼叫 120。".into()),
        },
    );
    essay.points = Points(10_000);
    essay.source = Some("《维修电工》第 3 章".into());
    let bare = ItemDraft::new(
        "7",
        "简述接零保护的原理。",
        vec![],
        Key::ShortAnswer { reference: None },
    );
    vec![single, multiple, tf, one_blank, blanks, essay, bare]
}

fn assert_round_trip(items: &[ItemDraft]) {
    let xml = write(items);
    let report = parse(&xml, &Limits::default()).expect("our own export must parse");
    assert!(report.skipped.is_empty(), "{:?}\n{xml}", report.skipped);
    assert_eq!(report.items.len(), items.len(), "{xml}");
    for (back, original) in report.items.iter().zip(items) {
        let mut back = back.clone();
        back.source_ref = original.source_ref.clone();
        assert_eq!(&back, original, "{xml}");
    }
}

#[test]
fn every_supported_type_comes_back_whole() {
    assert_round_trip(&examples());
}

#[test]
fn moodle_reads_our_multiple_answer_grades() {
    let xml = write(&examples()[1..2]);
    assert_eq!(xml.matches("fraction=\"33.33333\"").count(), 3, "{xml}");
    assert_eq!(xml.matches("fraction=\"-100\"").count(), 2, "{xml}");
    assert!(
        xml.contains("src=&quot;@@PLUGINFILE@@/images/电压.png&quot;"),
        "{xml}"
    );
    assert!(xml.contains(r#"<file name="电压.png" path="/images/" encoding="base64">"#));
    let cloze = write(&examples()[4..5]);
    assert!(cloze.contains("<question type=\"cloze\">"), "{cloze}");
    assert!(
        cloze.contains("{1:SHORTANSWER:=伏特~=V\\~{1\\}\\#}"),
        "{cloze}"
    );
    assert!(
        cloze.contains("<tag><text>cloze-appended:1</text></tag>"),
        "{cloze}"
    );
}

#[test]
fn cloze_from_moodle_is_read_or_skipped_by_blank_type() {
    let xml = r#"<quiz>
      <question type="cloze"><name><text>c1</text></name>
        <questiontext format="html"><text><![CDATA[<p>首都是{1:SHORTANSWER:=北京~%50%北平#近了}，{2:SA:=*上海*}</p>]]></text></questiontext>
      </question>
      <question type="cloze"><name><text>c2</text></name>
        <questiontext format="html"><text>{1:MULTICHOICE:=a~b}</text></questiontext>
      </question></quiz>"#;
    let r = parse(xml, &Limits::default()).expect("parse");
    assert_eq!(r.items.len(), 1);
    assert_eq!(r.items[0].stem, "<p>首都是____，____</p>");
    assert_eq!(
        r.items[0].key,
        Key::FillIn {
            blanks: vec![vec!["北京".into()], vec!["上海".into()]]
        }
    );
    assert_eq!(r.skipped[0].code, SkipCode::UnsupportedType);
    assert_eq!(r.skipped[0].detail, "cloze with a MULTICHOICE blank");
}

/// Words of Chinese, ASCII and the characters the formats treat specially.
fn text(max_words: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        "[a-zA-Z0-9电压接地安全三相异步题干选项<>&\"'#~{}=*%:_/\\\\-]{1,6}",
        1..=max_words,
    )
    .prop_map(|w| w.join(" "))
}

fn html(max_words: usize) -> impl Strategy<Value = String> {
    // Stored stems are sanitised HTML, so the originals are what the sanitiser makes of them.
    text(max_words).prop_map(|t| clean(&escape(&t)))
}

fn key_and_choices() -> impl Strategy<Value = (Key, Vec<Choice>)> {
    let choice_item = (
        prop::collection::vec((html(3), any::<bool>()), 2..6),
        any::<prop::sample::Index>(),
        any::<u8>(),
    )
        .prop_map(|(opts, pick, mask)| {
            let choices: Vec<Choice> = opts
                .into_iter()
                .enumerate()
                .map(|(i, (content, fixed))| Choice {
                    id: choice_letter(i),
                    content,
                    fixed,
                })
                .collect();
            let mut right: Vec<String> = choices
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, c)| c.id.clone())
                .collect();
            if mask & 0x80 == 0 {
                (
                    Key::Single {
                        choice: choices[pick.index(choices.len())].id.clone(),
                    },
                    choices,
                )
            } else {
                if right.is_empty() {
                    right.push(choices[pick.index(choices.len())].id.clone());
                }
                (Key::Multiple { choices: right }, choices)
            }
        });
    prop_oneof![
        choice_item,
        any::<bool>().prop_map(|value| (Key::TrueFalse { value }, vec![])),
        prop::collection::vec(prop::collection::vec(text(2), 1..3), 1..4)
            .prop_map(|blanks| (Key::FillIn { blanks }, vec![])),
        prop::option::of(prop::collection::vec(text(4), 1..3).prop_map(|l| l.join("\n")))
            .prop_map(|reference| (Key::ShortAnswer { reference }, vec![])),
    ]
}

prop_compose! {
    fn item()(
        (key, choices) in key_and_choices(),
        stem in html(8),
        marks in 0usize..4,
        image in any::<bool>(),
        bytes in prop::collection::vec(any::<u8>(), 0..40),
        code in prop::option::of("[A-Z0-9-]{1,12}"),
        points in 1u32..=1_000_000,
        difficulty in prop::option::of(1u8..=5),
        outline in prop::option::of("[0-9A-Z-]{1,10}"),
        tags in prop::collection::vec("[a-z电工安全]([a-z电工安全 ]{0,3}[a-z电工安全])?", 0..3),
        source in prop::option::of(text(3)),
    ) -> ItemDraft {
        let mut stem = stem;
        if matches!(key, Key::FillIn { .. }) {
            stem.push_str(&" ____".repeat(marks));
        }
        if image {
            stem.push_str(r#"<img src="图.png">"#);
        }
        let mut item = ItemDraft::new("generated", stem, choices, key);
        if image {
            item.assets.push(Asset { path: "图.png".into(), mime: "image/png".into(), bytes });
        }
        item.code = code;
        item.points = Points(points);
        item.difficulty = difficulty.and_then(Difficulty::new);
        item.outline_point = outline;
        item.tags = tags;
        item.source = source;
        item
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn generated_items_round_trip(items in prop::collection::vec(item(), 1..5)) {
        for item in &items {
            prop_assert_eq!(item.check(), Ok(()));
        }
        assert_round_trip(&items);
    }
}

proptest! {
    #[test]
    fn no_input_makes_it_panic(
        text in "(<quiz>|<question type=\"(multichoice|truefalse|shortanswer|essay|cloze)\">|</question>|<text>|</text>|<answer fraction=\"(100|0|x)\">|</answer>|<questiontext>|</questiontext>|<file name=\"a.png\">|</file>|\\{1:SA:=|\\}|&amp;|&#x4E2D;|&bad;|<!\\[CDATA\\[|\\]\\]>|[a-z电~#=\\\\]){0,60}",
        cut in any::<prop::sample::Index>(),
    ) {
        let _ = parse(&text, &Limits::default());
        // A real export cut short anywhere is refused or read, never a panic.
        let xml = write(&examples());
        let mut at = cut.index(xml.len());
        while !xml.is_char_boundary(at) {
            at -= 1;
        }
        let _ = parse(&xml[..at], &Limits::default());
    }
}
