//! Property tests of paper assembly: on random pools it agrees with the feasibility check and,
//! when it succeeds, keeps every count; on any input at all it returns rather than panics.
use std::collections::{BTreeMap, HashMap, HashSet};

use proptest::prelude::*;

use super::tests::{POINTS, blueprint, facts, row};
use super::*;
use crate::blueprint::TypeRow;
use crate::item::ItemType;
use crate::outline::tests::sample;

const TYPES: [ItemType; 3] = [ItemType::SingleChoice, ItemType::MultipleChoice, ItemType::TrueFalse];
/// The sample outline's points, plus none and one the outline lacks.
const POINT_CHOICES: [Option<&str>; 6] = [Some("A-001"), Some("A-002"), Some("B-A-001"), Some("B-B-001"), None, Some("Q-9")];

fn pool_item(all_types: bool) -> impl Strategy<Value = PoolItem> {
    let types = if all_types { ItemType::ALL.len() } else { TYPES.len() };
    (0i64..60, 0..types, 0..POINT_CHOICES.len(), prop::option::of(0u8..7), 0usize..6, any::<u8>()).prop_map(move |(version_id, t, p, difficulty, n, fixed)| {
        let item_type = if all_types { ItemType::ALL[t] } else { TYPES[t] };
        PoolItem {
            version_id,
            item_type,
            outline_point: POINT_CHOICES[p].map(String::from),
            difficulty,
            choices: (0..n).map(|i| (crate::item::choice_letter(i), fixed & (1 << i) != 0)).collect(),
        }
    })
}

fn valid_blueprint() -> impl Strategy<Value = Blueprint> {
    let difficulty = prop::sample::select(vec![
        BTreeMap::new(),
        BTreeMap::from([(3u8, 100u32)]),
        BTreeMap::from([(1, 20), (3, 50), (5, 30)]),
        BTreeMap::from([(2, 50), (4, 50)]),
    ]);
    let importance = prop::sample::select(vec![
        BTreeMap::new(),
        BTreeMap::from([(Importance::X, 100u32)]),
        BTreeMap::from([(Importance::X, 50), (Importance::Y, 30), (Importance::Z, 20)]),
        BTreeMap::from([(Importance::Y, 70), (Importance::Z, 30)]),
    ]);
    let scopes = prop::option::of(0u32..=100);
    let counts = (0u32..8, 0u32..8, 0u32..8);
    (counts, Just(TYPES.to_vec()).prop_shuffle(), difficulty, importance, scopes).prop_map(|(c, order, d, i, s)| {
        let counts = [c.0, c.1, c.2];
        let mut bp = blueprint(order.iter().zip(counts).map(|(t, n)| row(*t, n)).collect());
        bp.difficulty = d;
        bp.importance = i;
        if let Some(a) = s {
            bp.scope_weights = BTreeMap::from([("A".into(), a), ("B".into(), 100 - a)]);
        }
        bp
    })
}

/// The pool as assembly sees it: one row per version id, the first one given.
fn distinct(pool: &[PoolItem]) -> Vec<PoolItem> {
    let mut seen = HashSet::new();
    pool.iter().filter(|i| seen.insert(i.version_id)).cloned().collect()
}

fn top_scope(point: Option<&str>) -> Option<&'static str> {
    POINTS.iter().find(|p| Some(p.0) == point).map(|p| p.1)
}

fn check_paper(bp: &Blueprint, pool: &[PoolItem], paper: &Paper) -> Result<(), TestCaseError> {
    let by_id: HashMap<i64, &PoolItem> = pool.iter().map(|i| (i.version_id, i)).collect();
    let ids: HashSet<i64> = paper.questions.iter().map(|q| q.version_id).collect();
    prop_assert_eq!(ids.len(), paper.questions.len(), "an item appears twice");
    let weights = bp.effective_scope_weights(&sample());
    let mut at = 0;
    for r in bp.types.iter().filter(|r| r.count > 0) {
        let block = paper.questions.get(at..at + r.count as usize).ok_or_else(|| TestCaseError::fail("too few questions"))?;
        at += r.count as usize;
        let mut per_scope: BTreeMap<String, u32> = weights.keys().map(|k| (k.clone(), 0)).collect();
        for q in block {
            prop_assert_eq!(q.item_type, r.item_type);
            prop_assert_eq!(q.points, r.points_each);
            let it = by_id.get(&q.version_id).ok_or_else(|| TestCaseError::fail("not from the pool"))?;
            prop_assert_eq!(it.item_type, q.item_type);
            let scope = top_scope(it.outline_point.as_deref()).ok_or_else(|| TestCaseError::fail("unplaced item"))?;
            *per_scope.entry(scope.into()).or_insert(0) += 1;
            prop_assert_eq!(q.choice_order.len(), it.choices.len());
            let mut got = q.choice_order.clone();
            let mut want: Vec<String> = it.choices.iter().map(|c| c.0.clone()).collect();
            for ((id, fixed), shown) in it.choices.iter().zip(&q.choice_order) {
                if *fixed || !it.item_type.is_choice() {
                    prop_assert_eq!(id, shown);
                }
            }
            got.sort();
            want.sort();
            prop_assert_eq!(got, want);
        }
        prop_assert_eq!(per_scope, apportion(r.count, &weights));
    }
    prop_assert_eq!(at, paper.questions.len());
    Ok(())
}

proptest! {
    #[test]
    fn assembly_agrees_with_feasibility_and_keeps_every_count(
        bp in valid_blueprint(),
        pool in prop::collection::vec(pool_item(false), 0..60),
        seed in any::<u64>(),
    ) {
        let outline = sample();
        let items = distinct(&pool);
        let hard: Vec<Shortfall> = bp
            .feasibility(&outline, &facts(&items))
            .into_iter()
            .filter(|s| s.cell == "total" || s.cell.starts_with("scope "))
            .collect();
        match assemble(&bp, &outline, &pool, seed) {
            Ok(paper) => {
                prop_assert!(hard.is_empty(), "assembled despite {:?}", hard);
                check_paper(&bp, &items, &paper)?;
                prop_assert_eq!(&assemble(&bp, &outline, &pool, seed), &Ok(paper));
            }
            Err(AssemblyError::Infeasible(short)) => {
                prop_assert!(!short.is_empty());
                prop_assert_eq!(short, hard);
            }
            Err(AssemblyError::InvalidBlueprint(why)) => {
                prop_assert!(bp.types.iter().all(|t| t.count == 0), "{:?}", why);
            }
        }
    }

    #[test]
    fn assembly_never_panics(
        level in any::<u8>(),
        rows in prop::collection::vec((0..ItemType::ALL.len(), 0u32..30, any::<u32>()), 0..7),
        scope_weights in prop::collection::btree_map(prop::sample::select(vec!["A", "B", "C", ""]), any::<u32>(), 0..4),
        difficulty in prop::collection::btree_map(any::<u8>(), any::<u32>(), 0..4),
        importance in prop::collection::btree_map(
            prop::sample::select(vec![Importance::X, Importance::Y, Importance::Z]), any::<u32>(), 0..3),
        outline_weights in (any::<u32>(), any::<u32>()),
        pool in prop::collection::vec(pool_item(true), 0..60),
        seed in any::<u64>(),
    ) {
        let mut outline = sample();
        outline.scopes[0].weights.insert(level, outline_weights.0);
        outline.scopes[1].weights.insert(level, outline_weights.1);
        let bp = Blueprint {
            level,
            types: rows.into_iter().map(|(t, count, p)| TypeRow { item_type: ItemType::ALL[t], count, points_each: Points(p) }).collect(),
            scope_weights: scope_weights.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            difficulty,
            importance,
        };
        if let Ok(paper) = assemble(&bp, &outline, &pool, seed) {
            let ids: HashSet<i64> = paper.questions.iter().map(|q| q.version_id).collect();
            prop_assert_eq!(ids.len(), paper.questions.len());
        }
    }
}
