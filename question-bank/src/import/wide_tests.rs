//! Items with very many options, tags, images, interactions or mapped answers. Each case took
//! minutes or hours when a list was searched once per entry; now every step is near linear.
use std::time::{Duration, Instant};

use super::moodle_xml::fields::{FIXED, apply_reserved_tags};
use super::qti::xhtml::img_sources;
use super::{Limits, qti};
use crate::item::{Choice, ItemDraft, Key, choice_letter};

const N: usize = 100_000;

fn quickly<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(start.elapsed() < Duration::from_secs(20), "{what} took {:?}", start.elapsed());
    out
}

fn wide_draft() -> ItemDraft {
    let choices: Vec<Choice> = (0..N).map(|i| Choice { id: choice_letter(i), content: "x".into(), fixed: false }).collect();
    let key = Key::Multiple { choices: choices.iter().map(|c| c.id.clone()).collect() };
    ItemDraft::new("wide", "题干", choices, key)
}

#[test]
fn a_key_over_many_options_and_a_tag_per_option_are_read_quickly() {
    let mut draft = wide_draft();
    quickly("check", || assert_eq!(draft.check(), Ok(())));
    draft.tags = draft.choices.iter().rev().map(|c| format!("{FIXED}{}", c.id)).collect();
    quickly("reserved tags", || apply_reserved_tags(&mut draft));
    assert!(draft.tags.is_empty() && draft.choices.iter().all(|c| c.fixed));
}

#[test]
fn a_stem_of_many_images_is_read_quickly() {
    let html: String = (0..N).map(|i| format!(r#"<img src="i{}.png">"#, i % (N / 2))).collect();
    let sources = quickly("img_sources", || img_sources(&html));
    assert_eq!(sources.len(), N / 2);
    assert_eq!((sources[0].as_str(), sources[N / 2 - 1].as_str()), ("i0.png", "i49999.png"));
}

#[test]
fn many_interactions_or_mapped_answers_are_read_quickly() {
    let n = N;
    let kinds: String = (0..n).map(|i| format!("<k{i}Interaction/>")).collect();
    let xml = format!("<assessmentItem identifier='k'><itemBody>{kinds}</itemBody></assessmentItem>");
    let report = quickly("interaction kinds", || qti::parse(&xml, &Limits::default())).expect("parse");
    assert!(report.skipped[0].detail.starts_with("mixed interactions in one item: k0Interaction, k1Interaction"));

    let entries: String = (0..n).map(|i| format!("<mapEntry mapKey='a{}' mappedValue='1'/>", i % (n / 2))).collect();
    let xml = format!(
        "<assessmentItem identifier='f'><responseDeclaration identifier='R' cardinality='single' baseType='string'>\
         <correctResponse><value>a0</value></correctResponse><mapping upperBound='1'>{entries}</mapping></responseDeclaration>\
         <itemBody><p>答____<textEntryInteraction responseIdentifier='R'/></p></itemBody></assessmentItem>"
    );
    let report = quickly("mapped answers", || qti::parse(&xml, &Limits::default())).expect("parse");
    match &report.items[0].key {
        Key::FillIn { blanks } => assert_eq!(blanks[0].len(), n / 2),
        other => panic!("expected a fill-in key, got {other:?}"),
    }
}
