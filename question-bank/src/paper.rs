//! Paper assembly (组卷): one paper per candidate from the blueprint, the outline and the
//! approved items, reproducible from a stored seed.
//!
//! For each type row of the blueprint, in the blueprint's order:
//! 1. the row's count is split over the top-level scopes with [`apportion`]; these counts and
//!    the type count are hard: a cell that cannot be filled makes the paper infeasible;
//! 2. the items of that type under those scopes are put in a seeded random order;
//! 3. the quota draw (module `draw`) picks items from scopes that still need some, by how
//!    tight their difficulty and X/Y/Z quotas are, then improves the pick by swaps within a
//!    scope while that lowers the total quota shortfall;
//! 4. the chosen items are shuffled, then each choice item's options, fixed options staying put.
//!
//! The same seed gives the same paper for the same blueprint, outline and *set* of pool items:
//! the pool is sorted by version id first, so the order a query returns rows in does not matter.
//! A change to the pool (an item approved or retired) may change the paper, so store the paper.
use std::collections::{BTreeMap, HashSet};

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::blueprint::{Blueprint, Shortfall, apportion};
use crate::item::{ItemType, Points};
use crate::outline::{Importance, Outline};

mod draw;
#[cfg(test)]
mod proptests;
mod shuffle;
#[cfg(test)]
mod tests;

/// An approved item version available to the paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolItem {
    pub version_id: i64,
    pub item_type: ItemType,
    pub outline_point: Option<String>,
    pub difficulty: Option<u8>,
    /// (choice id, fixed) in stored order.
    pub choices: Vec<(String, bool)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PaperQuestion {
    pub version_id: i64,
    pub item_type: ItemType,
    /// The blueprint's `points_each` for the type.
    pub points: Points,
    /// Choice ids in the order this candidate sees them; stored order for non-choice types.
    pub choice_order: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paper {
    pub seed: u64,
    pub questions: Vec<PaperQuestion>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssemblyError {
    /// The blueprint (or the outline weights it relies on) cannot give exact counts.
    #[error("the blueprint cannot be used: {}", .0.join("; "))]
    InvalidBlueprint(Vec<String>),
    /// The type and scope cells the pool cannot fill: [`Blueprint::feasibility`]'s `total` and
    /// `scope …` shortfalls. Difficulty and X/Y/Z shares are met as well as the pool allows and
    /// never make a paper infeasible.
    #[error("not enough approved items for {} cell(s) of the blueprint", .0.len())]
    Infeasible(Vec<Shortfall>),
}

impl AssemblyError {
    pub fn code(&self) -> &'static str {
        match self {
            AssemblyError::InvalidBlueprint(_) => "invalid_blueprint",
            AssemblyError::Infeasible(_) => "blueprint_infeasible",
        }
    }
}

/// A pool item placed in the outline.
struct Placed<'a> {
    item: &'a PoolItem,
    /// Top-level scope code; `None` when the item has no point or one the outline lacks.
    scope: Option<&'a str>,
    importance: Option<Importance>,
}

/// What stops the blueprint from giving exact counts with this outline's weights (empty when
/// usable): the check `assemble` makes first, for refusing a session before anyone starts.
pub fn blueprint_usable(bp: &Blueprint, outline: &Outline) -> Vec<String> {
    blueprint_problems(bp, &bp.effective_scope_weights(outline))
}

pub fn assemble(bp: &Blueprint, outline: &Outline, pool: &[PoolItem], seed: u64) -> Result<Paper, AssemblyError> {
    let weights = bp.effective_scope_weights(outline);
    let problems = blueprint_problems(bp, &weights);
    if !problems.is_empty() {
        return Err(AssemblyError::InvalidBlueprint(problems));
    }
    let placed = place(outline, pool);
    let short = hard_shortfalls(bp, &weights, &placed);
    if !short.is_empty() {
        return Err(AssemblyError::Infeasible(short));
    }

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut questions = Vec::new();
    for row in bp.types.iter().filter(|t| t.count > 0) {
        let needs = apportion(row.count, &weights);
        let scope_codes: Vec<&String> = needs.keys().collect();
        let mut cands: Vec<(&Placed, draw::Facts)> = placed
            .iter()
            .filter(|p| p.item.item_type == row.item_type)
            .filter_map(|p| {
                let scope = scope_codes.iter().position(|c| Some(c.as_str()) == p.scope)?;
                Some((p, draw::Facts { scope, difficulty: p.item.difficulty, importance: p.importance }))
            })
            .collect();
        shuffle::shuffle(&mut rng, &mut cands);
        let facts: Vec<draw::Facts> = cands.iter().map(|c| c.1).collect();
        let need_counts: Vec<u32> = needs.values().copied().collect();
        let mut picked = draw::select(&facts, &need_counts, row.count, &bp.difficulty, &bp.importance);
        shuffle::shuffle(&mut rng, &mut picked);
        for i in picked {
            let Some((p, _)) = cands.get(i) else { continue };
            let choice_order = if p.item.item_type.is_choice() {
                shuffle::shuffle_unfixed(&mut rng, &p.item.choices)
            } else {
                p.item.choices.iter().map(|c| c.0.clone()).collect()
            };
            questions.push(PaperQuestion { version_id: p.item.version_id, item_type: row.item_type, points: row.points_each, choice_order });
        }
    }
    Ok(Paper { seed, questions })
}

/// What makes exact counts impossible whatever the pool: [`Blueprint::validate`]'s checks (done
/// here in u64 so absurd percentages cannot overflow), a type listed twice, and scope weights
/// that do not add up to 100 (an outline without weights for the level gives 0).
fn blueprint_problems(bp: &Blueprint, weights: &BTreeMap<String, u32>) -> Vec<String> {
    let mut out = Vec::new();
    if bp.types.iter().all(|t| t.count == 0) {
        out.push("the blueprint asks for no items".to_string());
    }
    let mut seen = HashSet::new();
    for t in &bp.types {
        if !seen.insert(t.item_type) {
            out.push(format!("{} is listed twice", t.item_type.as_str()));
        }
    }
    let sum = |v: &mut dyn Iterator<Item = u32>| v.map(u64::from).sum::<u64>();
    for (name, total) in [("difficulty shares", sum(&mut bp.difficulty.values().copied())), ("X/Y/Z shares", sum(&mut bp.importance.values().copied()))] {
        if total != 0 && total != 100 {
            out.push(format!("{name} add up to {total}%, not 100%"));
        }
    }
    let scopes = sum(&mut weights.values().copied());
    if scopes != 100 {
        if bp.scope_weights.is_empty() {
            out.push(format!("the outline's top-level weights for level {} add up to {scopes}%, not 100%", bp.level));
        } else {
            out.push(format!("scope weights add up to {scopes}%, not 100%"));
        }
    }
    out
}

/// The pool sorted by version id, each id once (the first row given wins), placed in the outline.
fn place<'a>(outline: &'a Outline, pool: &'a [PoolItem]) -> Vec<Placed<'a>> {
    let mut items: Vec<&PoolItem> = pool.iter().collect();
    items.sort_by_key(|i| i.version_id);
    items.dedup_by_key(|i| i.version_id);
    items
        .into_iter()
        .map(|item| {
            let path = item.outline_point.as_deref().and_then(|p| outline.path_to_point(p));
            let scope = path.as_ref().and_then(|p| p.first()).map(|s| s.code.as_str());
            let importance = path
                .as_ref()
                .and_then(|p| p.last())
                .and_then(|s| s.points.iter().find(|pt| Some(pt.code.as_str()) == item.outline_point.as_deref()).map(|pt| pt.importance));
            Placed { item, scope, importance }
        })
        .collect()
}

/// The `total` and `scope …` cells of [`Blueprint::feasibility`], computed once per item rather
/// than once per cell (it runs for every candidate). A test holds the two in agreement.
fn hard_shortfalls(bp: &Blueprint, weights: &BTreeMap<String, u32>, placed: &[Placed]) -> Vec<Shortfall> {
    let mut out = Vec::new();
    for row in bp.types.iter().filter(|t| t.count > 0) {
        let of_type: Vec<&Placed> = placed.iter().filter(|p| p.item.item_type == row.item_type).collect();
        let available = u32::try_from(of_type.len()).unwrap_or(u32::MAX);
        if available < row.count {
            out.push(Shortfall { item_type: row.item_type, cell: "total".into(), needed: row.count, available });
        }
        for (scope, needed) in apportion(row.count, weights) {
            let n = of_type.iter().filter(|p| p.scope == Some(scope.as_str())).count();
            let available = u32::try_from(n).unwrap_or(u32::MAX);
            if available < needed {
                out.push(Shortfall { item_type: row.item_type, cell: format!("scope {scope}"), needed, available });
            }
        }
    }
    out
}
