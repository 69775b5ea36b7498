//! Exporting items as a QTI 3.0 package and importing the package gives the same items back:
//! every field but `source_ref`, Chinese text byte for byte, points like 2.5, assets included.
mod common;

use common::item;
use proptest::prelude::*;
use question_bank::export::qti3::write_package;
use question_bank::import::{Format, Limits, import, qti_package};
use question_bank::item::{Asset, Choice, Difficulty, ItemDraft, ItemType, Key, Points};
use question_bank::sanitize::escape;

fn round_trip(items: &[ItemDraft]) -> Vec<ItemDraft> {
    let bytes = write_package(items).expect("export");
    let (format, report) = import(&bytes, None, Some("bank.zip"), &Limits::default()).expect("import");
    assert_eq!(format, Format::QtiPackage);
    assert_eq!(report.skipped, vec![], "nothing exported may be skipped on import");
    report.items
}

fn assert_same(originals: &[ItemDraft], back: &[ItemDraft]) {
    assert_eq!(back.len(), originals.len());
    for (original, back) in originals.iter().zip(back) {
        let mut back = back.clone();
        back.source_ref.clone_from(&original.source_ref);
        assert_eq!(&back, original);
    }
}

fn choices(texts: &[&str]) -> Vec<Choice> {
    texts.iter().enumerate().map(|(i, t)| Choice { id: question_bank::item::choice_letter(i), content: escape(t), fixed: false }).collect()
}

fn with_metadata(mut item: ItemDraft, n: u8) -> ItemDraft {
    item.code = Some(format!("3-A-A-B-E-00{n}"));
    item.difficulty = Difficulty::new(n % 5 + 1);
    item.outline_point = Some(format!("A-B-E-{n}"));
    item.tags = vec!["电工".into(), "安全 & 防护".into()];
    item.source = Some("《低压电工作业》第 3 版 <培训教材>".into());
    item.points = Points(2500);
    item
}

#[test]
fn every_item_type_with_chinese_text_comes_back_identical() {
    let mut single = ItemDraft::new(
        "1",
        "<p>电气设备的保护接地电阻一般不大于多少<b>欧</b>？\"安全\" &amp; 可靠</p>",
        choices(&["4 Ω", "10 Ω", "30 Ω", "以上都不对"]),
        Key::Single { choice: "A".into() },
    );
    single.choices[3].fixed = true;
    let multiple = ItemDraft::new(
        "2",
        escape("下列属于绝缘材料的是（  ）。"),
        choices(&["橡胶", "铜", "陶瓷", "云母"]),
        Key::Multiple { choices: vec!["A".into(), "C".into(), "D".into()] },
    );
    let true_false = ItemDraft::new("3", escape("PE 线可以接入开关。"), vec![], Key::TrueFalse { value: false });
    let true_again = ItemDraft::new("4", "安全电压是 36V&nbsp;以下。", vec![], Key::TrueFalse { value: true });
    let fill_inline = ItemDraft::new(
        "5",
        escape("三相五线制中，PE 线的颜色是____，N 线的颜色是____。"),
        vec![],
        Key::FillIn { blanks: vec![vec!["黄绿双色".into(), "黄绿色".into()], vec!["淡蓝色".into()]] },
    );
    let fill_after =
        ItemDraft::new("6", escape("写出欧姆定律的公式 <I = U / R>"), vec![], Key::FillIn { blanks: vec![vec!["I=U/R".into(), "I = U/R".into()]] });
    let short = ItemDraft::new(
        "7",
        "<p>简述停电作业的安全技术措施。</p><p>（不少于 3 条）</p>",
        vec![],
        Key::ShortAnswer { reference: Some("停电、验电、装设接地线、\n悬挂标示牌和装设遮栏。".into()) },
    );
    let short_no_guide = ItemDraft::new("8", escape("谈谈你对\"安全第一\"的理解。"), vec![], Key::ShortAnswer { reference: None });
    let mut pictured = ItemDraft::new(
        "9",
        r#"<p>如图所示，该标志表示什么？</p><p><img src="images/标志 1.png" alt="警告标志"></p>"#,
        choices(&["当心触电", "禁止合闸"]),
        Key::Single { choice: "B".into() },
    );
    pictured.choices[1].content = r#"禁止合闸<img src="images/b.gif?v=2">"#.into();
    pictured.assets = vec![
        Asset { path: "images/标志 1.png".into(), mime: "image/png".into(), bytes: vec![0x89, b'P', b'N', b'G', 1, 2, 3] },
        Asset { path: "images/b.gif?v=2".into(), mime: "image/gif".into(), bytes: b"GIF89a".to_vec() },
    ];
    // Two options that read as true/false, but the bank says it is a single choice.
    let yes_no = ItemDraft::new("10", escape("是否需要验电？"), choices(&["对", "错"]), Key::Single { choice: "A".into() });
    let items: Vec<ItemDraft> = [single, multiple, true_false, true_again, fill_inline, fill_after, short, short_no_guide, pictured, yes_no]
        .into_iter()
        .zip(1..)
        .map(|(item, n)| with_metadata(item, n))
        .collect();
    for item in &items {
        assert_eq!(item.check(), Ok(()), "{}", item.source_ref);
    }
    let back = round_trip(&items);
    assert_same(&items, &back);
    assert_eq!(back[2].item_type, ItemType::TrueFalse);
    assert_eq!(back[9].item_type, ItemType::SingleChoice);
}

#[test]
fn the_package_is_qti_3_with_blanks_in_place_and_points_as_scores() {
    let item = ItemDraft::new("1", escape("PE 线的颜色是____。"), vec![], Key::FillIn { blanks: vec![vec!["黄绿双色".into()]] });
    let item = ItemDraft { points: Points(2500), ..item };
    let bytes = write_package(&[item]).expect("export");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let read = |zip: &mut zip::ZipArchive<_>, name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).expect(name), &mut s).expect("utf-8");
        s
    };
    let manifest = read(&mut zip, "imsmanifest.xml");
    assert!(manifest.contains(r#"type="imsqti_item_xmlv3p0""#), "{manifest}");
    let xml = read(&mut zip, "items/item-0001/item-0001.xml");
    assert!(xml.contains("<qti-assessment-item"), "{xml}");
    assert!(xml.contains(r#"PE 线的颜色是<qti-text-entry-interaction response-identifier="RESPONSE_1"/>。"#), "{xml}");
    assert!(xml.contains("<qti-value>2.5</qti-value>"), "{xml}");
}

#[test]
fn an_asset_path_that_leaves_the_package_is_refused() {
    let mut item = ItemDraft::new("1", "<p>图</p>", vec![], Key::ShortAnswer { reference: None });
    item.assets = vec![Asset { path: "../etc/passwd".into(), mime: "image/png".into(), bytes: vec![1] }];
    assert!(write_package(&[item]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn generated_items_survive_export_and_import(items in prop::collection::vec(item(), 1..5)) {
        for item in &items {
            prop_assert_eq!(item.check(), Ok(()));
        }
        let bytes = write_package(&items).expect("export");
        let report = qti_package::parse(&bytes, &Limits::default()).expect("import");
        prop_assert_eq!(report.skipped.len(), 0, "{:?}", report.skipped);
        prop_assert_eq!(report.items.len(), items.len());
        for (original, back) in items.iter().zip(&report.items) {
            let mut back = back.clone();
            back.source_ref.clone_from(&original.source_ref);
            prop_assert_eq!(&back, original);
        }
    }
}

/// Bits of HTML, entities and text, well-formed or not.
fn html_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "<[a-z/!?]{0,5}( [a-z:]{1,6}(=(\"[^\"]{0,6}\"|'[^']{0,4}'|[a-z&;]{0,4}))?){0,2}/?>?",
        "&[a-z#0-9x]{0,6};?",
        "[ -~\u{4e00}-\u{4e20}\u{a0}\u{1}\u{ffff}]{0,8}",
        Just("____".to_owned()),
        Just("]]>".to_owned()),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever HTML a stem or option holds, the package is well-formed XML that reads back.
    #[test]
    fn any_html_exports_to_a_readable_package(stem in html_soup(), option in html_soup(), blanks in 1usize..3) {
        let choice = Choice { id: "A".into(), content: option.clone(), fixed: false };
        let other = Choice { id: "B".into(), content: "乙".into(), fixed: true };
        let items = vec![
            ItemDraft::new("1", format!("题{stem}"), vec![choice, other], Key::Single { choice: "B".into() }),
            ItemDraft::new("2", format!("题{stem}"), vec![], Key::FillIn { blanks: vec![vec![format!("答{option}")]; blanks] }),
        ];
        let bytes = write_package(&items).expect("export");
        let report = qti_package::parse(&bytes, &Limits::default()).expect("a readable package");
        prop_assert_eq!(report.items.len() + report.skipped.len(), 2);
        prop_assert!(report.skipped.iter().all(|s| s.code != question_bank::import::SkipCode::MalformedItem), "{:?}", report.skipped);
    }

    /// A damaged package never panics: it is refused or its items reported.
    #[test]
    fn damaged_packages_never_panic(at in any::<prop::sample::Index>(), bytes in prop::collection::vec(any::<u8>(), 1..8)) {
        let item = ItemDraft::new("1", "<p>接地</p>", vec![], Key::ShortAnswer { reference: Some("答".into()) });
        let mut package = write_package(&[item]).expect("export");
        let start = at.index(package.len());
        for (i, b) in bytes.iter().enumerate() {
            if let Some(slot) = package.get_mut(start + i) {
                *slot = *b;
            }
        }
        let _ = qti_package::parse(&package, &Limits::default());
    }

    /// Broken QTI never panics: it is refused or reported.
    #[test]
    fn mangled_qti_never_panics(cut in 0usize..2000, insert in html_soup()) {
        let xml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/formats/qti21/choice_fixed.xml"))
            .expect("fixture");
        let mut at = cut.min(xml.len());
        while !xml.is_char_boundary(at) {
            at -= 1;
        }
        let mangled = format!("{}{insert}{}", &xml[..at], &xml[at..]);
        let _ = import(mangled.as_bytes(), Some(Format::Qti), Some("x.xml"), &Limits::default());
        let _ = import(&xml.as_bytes()[..at], Some(Format::Qti), Some("x.xml"), &Limits::default());
    }
}
