//! The quota draw for one type row: exact counts per scope; difficulty and X/Y/Z shares met as
//! well as the candidates allow.
//!
//! 1. Greedy: repeatedly take, from a scope that still needs items, the candidate whose open
//!    buckets are tightest (a bucket's remaining quota over how many items scopes with room
//!    could still give it), the first in the seeded random order on a tie. Tightness makes a
//!    bucket that only one scope can supply (Y points only in scope A) win that scope's places.
//! 2. Local search over classes (scope, difficulty bucket, X/Y/Z bucket), whose items are
//!    interchangeable for the quotas: swap a chosen item for a free one of the same scope while
//!    that lowers the shortfall (the sum over quotas of how many items each still lacks); when no
//!    single swap does, try a neutral swap followed by one that does. Bounded by a work budget.
//!
//! Scope counts are never changed by either step, so they stay exact.
use std::collections::BTreeMap;

use crate::blueprint::apportion;
use crate::outline::Importance;

/// Fixed-point scale for tightness, so the draw is integer arithmetic.
const SCALE: u64 = 1 << 20;
/// Work per type row in the local search (move evaluations plus items scanned by swaps):
/// bounds the time on pathological pools, the same on every machine.
const WORK_BUDGET: usize = 2_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Facts {
    /// Index into the scope needs.
    pub scope: usize,
    pub difficulty: Option<u8>,
    pub importance: Option<Importance>,
}

/// One soft dimension: quota, chosen count and free supply per bucket. A bucket without a quota
/// is folded into `None`, which is never open and never short.
struct Dim<K> {
    quota: BTreeMap<K, u32>,
    count: BTreeMap<K, u32>,
    /// (scope, bucket) → candidates not chosen.
    supply: BTreeMap<(usize, K), u32>,
}

impl<K: Ord + Copy> Dim<K> {
    /// Quotas as [`crate::blueprint::Blueprint::feasibility`] computes them, with the same keys
    /// as text so the largest-remainder ties fall the same way.
    fn new(total: u32, shares: &BTreeMap<K, u32>, name: impl Fn(K) -> String) -> Dim<K> {
        let named: BTreeMap<String, u32> = shares.iter().map(|(k, p)| (name(*k), *p)).collect();
        let parts = apportion(total, &named);
        let quota = shares.keys().filter_map(|k| parts.get(&name(*k)).map(|n| (*k, *n))).collect();
        Dim { quota, count: BTreeMap::new(), supply: BTreeMap::new() }
    }

    fn bucket(&self, k: Option<K>) -> Option<K> {
        k.filter(|k| self.quota.contains_key(k))
    }

    fn get(&self, k: K) -> u32 {
        self.count.get(&k).copied().unwrap_or(0)
    }

    fn open(&self, k: Option<K>) -> bool {
        k.is_some_and(|k| self.quota.get(&k).is_some_and(|q| self.get(k) < *q))
    }

    /// Moves an item of bucket `k` in `scope` between free (`chosen == false`) and chosen.
    fn set(&mut self, scope: usize, k: Option<K>, chosen: bool) {
        let Some(k) = k else { return };
        let count = self.count.entry(k).or_insert(0);
        let supply = self.supply.entry((scope, k)).or_insert(0);
        if chosen {
            *count += 1;
            *supply = supply.saturating_sub(1);
        } else {
            *count = count.saturating_sub(1);
            *supply += 1;
        }
    }

    fn shortfall(&self) -> u64 {
        self.quota.iter().map(|(k, q)| u64::from(q.saturating_sub(self.get(*k)))).sum()
    }

    /// Change in shortfall if a chosen item in bucket `out` is replaced by one in bucket `inn`.
    fn swap_delta(&self, out: Option<K>, inn: Option<K>) -> i64 {
        if out == inn {
            return 0;
        }
        // Taking one out of a bucket at or under its quota opens a gap; putting one into a
        // bucket under its quota closes one.
        let mut d = 0;
        if out.is_some_and(|k| self.quota.get(&k).is_some_and(|q| self.get(k) <= *q)) {
            d += 1;
        }
        if self.open(inn) {
            d -= 1;
        }
        d
    }

    /// Per open bucket: remaining quota × SCALE / what scopes with room can still supply.
    fn tightness(&self, need: &[u32]) -> BTreeMap<K, u64> {
        let mut cap: BTreeMap<K, u64> = BTreeMap::new();
        for ((scope, k), n) in &self.supply {
            let room = need.get(*scope).copied().unwrap_or(0).min(*n);
            *cap.entry(*k).or_insert(0) += u64::from(room);
        }
        self.quota
            .iter()
            .filter_map(|(k, q)| {
                let left = u64::from(q.saturating_sub(self.get(*k)));
                let cap = cap.get(k).copied().filter(|c| *c > 0)?;
                (left > 0).then(|| (*k, left.saturating_mul(SCALE) / cap))
            })
            .collect()
    }
}

type Class = (usize, Option<u8>, Option<Importance>);

struct Draw {
    facts: Vec<Facts>,
    taken: Vec<bool>,
    diff: Dim<u8>,
    imp: Dim<Importance>,
    /// Class → (chosen, free).
    classes: BTreeMap<Class, (u32, u32)>,
}

/// Picks candidates meeting `needs` (per scope) exactly when the candidates allow; returns
/// their indices in `cands`, ascending.
pub(super) fn select(cands: &[Facts], needs: &[u32], total: u32, difficulty: &BTreeMap<u8, u32>, importance: &BTreeMap<Importance, u32>) -> Vec<usize> {
    let mut d = Draw::new(cands, total, difficulty, importance);
    d.greedy(needs);
    d.improve();
    d.taken.iter().enumerate().filter(|(_, t)| **t).map(|(i, _)| i).collect()
}

impl Draw {
    fn new(cands: &[Facts], total: u32, difficulty: &BTreeMap<u8, u32>, importance: &BTreeMap<Importance, u32>) -> Draw {
        let mut diff = Dim::new(total, difficulty, |d| d.to_string());
        let mut imp = Dim::new(total, importance, |k| format!("{k:?}"));
        let facts: Vec<Facts> =
            cands.iter().map(|c| Facts { scope: c.scope, difficulty: diff.bucket(c.difficulty), importance: imp.bucket(c.importance) }).collect();
        let mut classes = BTreeMap::new();
        for f in &facts {
            diff.set(f.scope, f.difficulty, false);
            imp.set(f.scope, f.importance, false);
            classes.entry(class(f)).or_insert((0, 0)).1 += 1;
        }
        Draw { taken: vec![false; facts.len()], facts, diff, imp, classes }
    }

    fn take(&mut self, i: usize, chosen: bool) {
        let (Some(f), Some(t)) = (self.facts.get(i).copied(), self.taken.get_mut(i)) else {
            return;
        };
        if *t == chosen {
            return;
        }
        *t = chosen;
        self.diff.set(f.scope, f.difficulty, chosen);
        self.imp.set(f.scope, f.importance, chosen);
        let c = self.classes.entry(class(&f)).or_insert((0, 0));
        if chosen {
            *c = (c.0 + 1, c.1.saturating_sub(1));
        } else {
            *c = (c.0.saturating_sub(1), c.1 + 1);
        }
    }

    fn greedy(&mut self, needs: &[u32]) {
        let mut need = needs.to_vec();
        loop {
            let (td, ti) = (self.diff.tightness(&need), self.imp.tightness(&need));
            let mut best: Option<(usize, u64)> = None;
            for (i, f) in self.facts.iter().enumerate() {
                if self.taken.get(i).copied().unwrap_or(true) || need.get(f.scope).is_none_or(|n| *n == 0) {
                    continue;
                }
                let score = f.difficulty.and_then(|k| td.get(&k)).copied().unwrap_or(0) + f.importance.and_then(|k| ti.get(&k)).copied().unwrap_or(0);
                if best.is_none_or(|(_, s)| score > s) {
                    best = Some((i, score));
                }
            }
            // None: every scope is full (or, had the caller skipped the shortfall check, dry).
            let Some((i, _)) = best else { break };
            if let Some(n) = self.facts.get(i).and_then(|f| need.get_mut(f.scope)) {
                *n = n.saturating_sub(1);
            }
            self.take(i, true);
        }
    }

    fn cost(&self) -> u64 {
        self.diff.shortfall() + self.imp.shortfall()
    }

    fn delta(&self, (from, to): (Class, Class)) -> i64 {
        self.diff.swap_delta(from.1, to.1) + self.imp.swap_delta(from.2, to.2)
    }

    /// Every (from, to) pair of classes in one scope with a chosen item in `from` and a free
    /// one in `to`.
    fn moves(&self) -> Vec<(Class, Class)> {
        let mut out = Vec::new();
        for (from, _) in self.classes.iter().filter(|(_, n)| n.0 > 0) {
            let same_scope = self.classes.range((from.0, None, None)..).take_while(|(c, _)| c.0 == from.0);
            out.extend(same_scope.filter(|(to, n)| n.1 > 0 && *to != from).map(|(to, _)| (*from, *to)));
        }
        out
    }

    /// Swaps the last chosen item of `from` for the first free one of `to`; returns them.
    fn apply(&mut self, (from, to): (Class, Class)) -> Option<(usize, usize)> {
        let is = |d: &Draw, i: usize, c: Class, chosen: bool| d.taken.get(i) == Some(&chosen) && d.facts.get(i).is_some_and(|f| class(f) == c);
        let out = (0..self.facts.len()).rev().find(|&i| is(self, i, from, true))?;
        let inn = (0..self.facts.len()).find(|&i| is(self, i, to, false))?;
        self.take(out, false);
        self.take(inn, true);
        Some((out, inn))
    }

    fn improve(&mut self) {
        let mut budget = WORK_BUDGET;
        while self.cost() > 0 && budget > 0 {
            let moves = self.moves();
            budget = budget.saturating_sub(moves.len());
            if let Some(m) = moves.iter().find(|m| self.delta(**m) < 0) {
                self.apply(*m);
                budget = budget.saturating_sub(self.facts.len());
                continue;
            }
            // No single swap helps: try a neutral one that opens the way for one that does
            // (Y only in scope A, Z only in B: A's X→Y is neutral until B's Z→X follows).
            let mut found = false;
            for m1 in &moves {
                if budget == 0 {
                    break;
                }
                if self.delta(*m1) != 0 {
                    continue;
                }
                let Some((out, inn)) = self.apply(*m1) else {
                    continue;
                };
                let next = self.moves();
                budget = budget.saturating_sub(next.len() + self.facts.len());
                if let Some(m2) = next.iter().find(|m| self.delta(**m) < 0) {
                    self.apply(*m2);
                    found = true;
                    break;
                }
                self.take(inn, false);
                self.take(out, true);
            }
            if !found {
                break;
            }
        }
    }
}

fn class(f: &Facts) -> Class {
    (f.scope, f.difficulty, f.importance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(scope: usize, d: u8) -> Facts {
        Facts { scope, difficulty: Some(d), importance: None }
    }

    fn g(scope: usize, i: Importance) -> Facts {
        Facts { scope, difficulty: None, importance: Some(i) }
    }

    #[test]
    fn greedy_fills_every_scope_exactly() {
        let cands = [f(0, 1), f(1, 1), f(0, 2), f(1, 2), f(1, 3)];
        let picked = select(&cands, &[1, 3], 4, &BTreeMap::new(), &BTreeMap::new());
        let per_scope = |s| picked.iter().filter(|&&i| cands[i].scope == s).count();
        assert_eq!((per_scope(0), per_scope(1)), (1, 3));
    }

    #[test]
    fn greedy_gives_a_scarce_bucket_to_the_scope_that_can_supply_it() {
        // Scope 0 has only difficulty 1; scope 1 has 1 and 2; quota 1 each. Taking scope 1's
        // difficulty-1 item first (it comes first) would leave scope 0 to add a second 1.
        let cands = [f(1, 1), f(0, 1), f(1, 2)];
        let shares = BTreeMap::from([(1u8, 50), (2u8, 50)]);
        let mut d = Draw::new(&cands, 2, &shares, &BTreeMap::new());
        d.greedy(&[1, 1]);
        assert_eq!(d.taken, vec![false, true, true]);
        assert_eq!(d.cost(), 0);
    }

    #[test]
    fn a_neutral_swap_then_an_improving_one_repairs_a_stuck_pick() {
        // A (1 place) has X and Y, B (2 places) has X and two Z; one each of X, Y, Z wanted.
        // From A:X + B:Z,Z no single swap helps; A:X→Y then B:Z→X does.
        let cands = [g(0, Importance::X), g(0, Importance::Y), g(1, Importance::X), g(1, Importance::Z), g(1, Importance::Z)];
        let shares = BTreeMap::from([(Importance::X, 34), (Importance::Y, 33), (Importance::Z, 33)]);
        let mut d = Draw::new(&cands, 3, &BTreeMap::new(), &shares);
        for i in [0, 3, 4] {
            d.take(i, true);
        }
        assert_eq!(d.cost(), 1);
        assert!(d.moves().iter().all(|m| d.delta(*m) >= 0));
        d.improve();
        assert_eq!(d.cost(), 0);
        assert_eq!(d.taken, vec![false, true, true, true, false]);
    }

    #[test]
    fn swap_delta_counts_shortfall_changes() {
        let mut d = Dim::new(4, &BTreeMap::from([(1u8, 50), (2u8, 50)]), |k| k.to_string());
        for _ in 0..3 {
            d.set(0, Some(1), true);
        }
        assert_eq!(d.shortfall(), 2);
        // Over quota in 1, short in 2: moving one from 1 to 2 helps; the reverse hurts.
        assert_eq!(d.swap_delta(Some(1), Some(2)), -1);
        assert_eq!(d.swap_delta(Some(2), Some(1)), 1);
        assert_eq!(d.swap_delta(None, Some(2)), -1);
        assert_eq!(d.swap_delta(Some(1), Some(1)), 0);
        d.set(0, Some(1), false);
        assert_eq!(d.swap_delta(Some(1), None), 1);
        assert_eq!(d.bucket(Some(3)), None);
    }
}
