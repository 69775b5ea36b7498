//! Generated items for the export/import property tests of every format: Chinese and ASCII
//! text, every item type, all metadata.
#![allow(dead_code)]

use proptest::prelude::*;
use question_bank::item::{Choice, Difficulty, ItemDraft, Key, Points};
use question_bank::sanitize::escape;

/// Chinese and ASCII text without leading or trailing whitespace.
pub fn text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        3 => prop::char::range(' ', '~'),
        3 => prop::char::range('\u{4e00}', '\u{9fa5}'),
        1 => prop::sample::select(vec!['，', '。', '：', '；', '！', '？', '（', '）', '“', '”', '_', '"', '&', '<']),
    ];
    prop::collection::vec(c, 1..24).prop_map(|cs| cs.into_iter().collect::<String>().trim().to_owned()).prop_filter("not blank", |s| !s.is_empty())
}

fn options() -> impl Strategy<Value = Vec<Choice>> {
    prop::collection::vec((text(), any::<bool>()), 2..6).prop_map(|opts| {
        opts.into_iter().enumerate().map(|(i, (t, fixed))| Choice { id: question_bank::item::choice_letter(i), content: escape(&t), fixed }).collect::<Vec<_>>()
    })
}

fn key_and_choices() -> impl Strategy<Value = (Key, Vec<Choice>, String)> {
    let single = (options(), any::<prop::sample::Index>(), text())
        .prop_map(|(c, i, stem): (Vec<Choice>, prop::sample::Index, String)| (Key::Single { choice: c[i.index(c.len())].id.clone() }, c, escape(&stem)));
    let multiple = (options(), prop::collection::vec(any::<prop::sample::Index>(), 1..4), text()).prop_map(|(c, picks, stem)| {
        let mut keys: Vec<usize> = picks.iter().map(|i| i.index(c.len())).collect();
        keys.sort_unstable();
        keys.dedup();
        (Key::Multiple { choices: keys.into_iter().map(|k| c[k].id.clone()).collect() }, c, escape(&stem))
    });
    let true_false = (any::<bool>(), text()).prop_map(|(value, stem)| (Key::TrueFalse { value }, vec![], escape(&stem)));
    let answers = prop::collection::vec(text(), 1..4).prop_map(|mut a| {
        let mut seen = Vec::new();
        a.retain(|x| {
            if seen.contains(x) {
                false
            } else {
                seen.push(x.clone());
                true
            }
        });
        a
    });
    let fill_in = (prop::collection::vec((text(), answers), 1..4), any::<bool>()).prop_map(|(parts, inline)| {
        let stem: Vec<String> = parts.iter().map(|(t, _)| escape(t)).collect();
        let stem = if inline { stem.join("____") + "____" } else { stem.join("，") };
        (Key::FillIn { blanks: parts.into_iter().map(|(_, a)| a).collect() }, vec![], stem)
    });
    let short = (prop::option::of(text()), text()).prop_map(|(reference, stem)| (Key::ShortAnswer { reference }, vec![], escape(&stem)));
    prop_oneof![single, multiple, true_false, fill_in, short]
}

pub fn item() -> impl Strategy<Value = ItemDraft> {
    (
        key_and_choices(),
        prop::option::of("[0-9A-Z]{1,3}(-[0-9A-Z]{1,3}){0,5}"),
        prop::option::of(1u8..=5),
        prop::option::of(text()),
        prop::collection::vec(text(), 0..3),
        prop::option::of(text()),
        1u32..=1_000_000,
    )
        .prop_map(|((key, choices, stem), code, difficulty, outline_point, tags, source, points)| ItemDraft {
            code,
            difficulty: difficulty.and_then(Difficulty::new),
            outline_point,
            tags,
            source,
            points: Points(points),
            ..ItemDraft::new("generated", stem, choices, key)
        })
}

/// Field-by-field equality except `source_ref`, which names where an item came from.
pub fn same_items(originals: &[ItemDraft], back: &[ItemDraft]) -> Result<(), String> {
    if originals.len() != back.len() {
        return Err(format!("{} items went out, {} came back", originals.len(), back.len()));
    }
    for (original, back) in originals.iter().zip(back) {
        let mut back = back.clone();
        back.source_ref.clone_from(&original.source_ref);
        if &back != original {
            return Err(format!("item differs:\n  out:  {original:?}\n  back: {back:?}"));
        }
    }
    Ok(())
}
