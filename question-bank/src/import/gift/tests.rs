//! Unit tests of the GIFT reader on small Chinese questions; the real files are read in
//! `tests/gift_fixtures.rs`.
use super::*;
use crate::item::{ItemType, Points};

const SAMPLE: &str = r"// 电工基础
$CATEGORY: $course$/top/电工/低压

// [id:3-A-A-B-E-004] [tag:安全] [tag:difficulty:4]
::接地电阻::保护接地电阻一般不大于多少欧？{=4 ~10 ~30}

::判断::三相异步电动机的转子是旋转的。{T}

::多选::下列属于绝对安全电压的有{
    ~%50%12 V # 对
    ~%50%6 V
    ~%-100%220 V
}

我国工频交流电的频率为 {=50 =五十 =%50%60} 赫兹。

::简答::简述触电急救的步骤。{####先断电}

::数值::1+1={#2}

::匹配::配对 {=A -> 1 =B -> 2}

只有说明，没有答案。

::缺括号::这一题{=没有闭合
";

fn sample() -> ImportReport {
    parse(SAMPLE, &Limits::default()).expect("parse")
}

#[test]
fn reads_every_supported_type() {
    let r = sample();
    let types: Vec<ItemType> = r.items.iter().map(|i| i.item_type).collect();
    assert_eq!(types, [ItemType::SingleChoice, ItemType::TrueFalse, ItemType::MultipleChoice, ItemType::FillIn, ItemType::ShortAnswer]);
    let first = &r.items[0];
    assert_eq!(first.source_ref, "接地电阻");
    assert_eq!(first.stem, "保护接地电阻一般不大于多少欧？");
    assert_eq!(first.key, Key::Single { choice: "A".into() });
    assert_eq!(first.code.as_deref(), Some("3-A-A-B-E-004"));
    assert_eq!(first.tags, ["电工/低压", "安全"]);
    assert_eq!(first.difficulty.map(|d| d.value()), Some(4));
    assert_eq!(first.points, Points::ONE);
    assert_eq!(r.items[1].key, Key::TrueFalse { value: true });
    assert_eq!(r.items[2].key, Key::Multiple { choices: vec!["A".into(), "B".into()] });
    assert_eq!(r.items[2].choices[2].content, "220 V");
    let fill = &r.items[3];
    assert_eq!(fill.source_ref, "line 15");
    assert_eq!(fill.stem, "我国工频交流电的频率为 ____ 赫兹。");
    assert_eq!(fill.key, Key::FillIn { blanks: vec![vec!["50".into(), "五十".into()]] });
    assert_eq!(r.items[4].key, Key::ShortAnswer { reference: None });
}

#[test]
fn skips_what_it_cannot_deliver() {
    let r = sample();
    let skipped: Vec<(&str, SkipCode, &str)> = r.skipped.iter().map(|s| (s.item.as_str(), s.code, s.detail.as_str())).collect();
    assert_eq!(
        skipped,
        [
            ("数值", SkipCode::UnsupportedType, "numerical"),
            ("匹配", SkipCode::UnsupportedType, "matching"),
            ("line 23", SkipCode::UnsupportedType, "description (text only, no answer)"),
            ("缺括号", SkipCode::MalformedItem, "the answer block has no closing }"),
        ]
    );
}

#[test]
fn missing_word_choice_and_formats() {
    let text = "电压{~高 =低 ~无}于 36 V 为安全电压。\n\n[html]<p onclick=\"x()\">1 &lt; 2<script>alert(1)</script></p>{T}\n\n[plain]<b>原样</b>\n第二行{F}\n";
    let r = parse(text, &Limits::default()).expect("parse");
    assert_eq!(r.items[0].stem, "电压____于 36 V 为安全电压。");
    assert_eq!(r.items[0].key, Key::Single { choice: "B".into() });
    assert_eq!(r.items[1].stem, "<p>1 &lt; 2</p>");
    assert_eq!(r.items[2].stem, "&lt;b&gt;原样&lt;/b&gt;<br>第二行");
}

#[test]
fn detection_and_broken_input() {
    assert!(looks_like(SAMPLE));
    assert!(looks_like("$CATEGORY: 电工\n"));
    assert!(looks_like("问题{}"));
    assert!(looks_like("地球是圆的。{TRUE#错 #对}"));
    assert!(!looks_like("电压是多少？\nA. 1\nB. 2\nANSWER: A\n"));
    assert!(!looks_like("<?xml version=\"1.0\"?><quiz></quiz>"));
    assert!(!looks_like("int a[] = {1, 2};"));
    assert!(matches!(parse("", &Limits::default()), Err(ImportError::Malformed(_))));
    for junk in ["{", "}", "::", "::a", "{=", "{~%", "{~%5", "\\", "题{~%%}", "::标题::", "{#}", "题{=%100%}"] {
        let _ = parse(junk, &Limits::default());
    }
    let limits = Limits { max_items: 1, ..Limits::default() };
    assert!(matches!(parse("a{T}\n\nb{F}\n", &limits), Err(ImportError::TooManyItems { limit: 1 })));
}

proptest::proptest! {
    #[test]
    fn no_input_makes_it_panic(text in "([{}=~#%:\\\\\\[\\]$/>T-]|[a-z]|电|\n|\n\n| |//|::|\\$CATEGORY:|\\[html\\]|->|####){0,80}") {
        let _ = looks_like(&text);
        if let Ok(report) = parse(&text, &Limits::default()) {
            for item in &report.items {
                proptest::prop_assert_eq!(item.check(), Ok(()));
            }
        }
    }
}
