//! The blueprint (组卷方案) for a bank and level: how many items of each type and their points,
//! the share of each top-level outline scope, a spread of difficulty and of X/Y/Z points; and
//! the feasibility check that names every cell the approved items cannot fill.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::item::{ItemType, Points};
use crate::outline::{Importance, Outline};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeRow {
    pub item_type: ItemType,
    pub count: u32,
    pub points_each: Points,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blueprint {
    pub level: u8,
    pub types: Vec<TypeRow>,
    /// Top-level scope code → percent of each type's items. Empty: the outline's weights.
    #[serde(default)]
    pub scope_weights: BTreeMap<String, u32>,
    /// Difficulty 1–5 → percent. Empty: any difficulty.
    #[serde(default)]
    pub difficulty: BTreeMap<u8, u32>,
    /// X/Y/Z → percent. Empty: any.
    #[serde(default)]
    pub importance: BTreeMap<Importance, u32>,
}

/// What the feasibility check needs of an approved item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFacts {
    pub item_type: ItemType,
    pub outline_point: Option<String>,
    pub difficulty: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortfall {
    pub item_type: ItemType,
    /// Which cell: `scope A`, `difficulty 4`, `importance X`.
    pub cell: String,
    pub needed: u32,
    pub available: u32,
}

/// Splits `total` by percentages with the largest-remainder method, so the parts sum to it.
pub fn apportion(total: u32, shares: &BTreeMap<String, u32>) -> BTreeMap<String, u32> {
    let sum: u32 = shares.values().sum();
    if sum == 0 {
        return shares.keys().map(|k| (k.clone(), 0)).collect();
    }
    let mut parts: Vec<(String, u32, u64)> = shares
        .iter()
        .map(|(k, s)| {
            let exact = u64::from(total) * u64::from(*s);
            (k.clone(), (exact / u64::from(sum)) as u32, exact % u64::from(sum))
        })
        .collect();
    let given: u32 = parts.iter().map(|p| p.1).sum();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| parts[*b].2.cmp(&parts[*a].2).then(a.cmp(b)));
    for i in order.into_iter().take((total - given) as usize) {
        parts[i].1 += 1;
    }
    parts.into_iter().map(|(k, n, _)| (k, n)).collect()
}

impl Blueprint {
    /// The blueprint's problems: nothing asked for, shares that do not sum to 100; in English.
    pub fn validate(&self) -> Vec<String> {
        self.validate_in(false)
    }

    /// [`Self::validate`] in Chinese (`zh`) or English, for the reader.
    pub fn validate_in(&self, zh: bool) -> Vec<String> {
        let mut out = Vec::new();
        if self.types.iter().all(|t| t.count == 0) {
            out.push(if zh { "组卷方案没有要求任何试题" } else { "the blueprint asks for no items" }.to_string());
        }
        for (name, name_zh, sum) in [
            ("scope weights", "鉴定范围比重", self.scope_weights.values().sum::<u32>()),
            ("difficulty shares", "难度比例", self.difficulty.values().sum()),
            ("X/Y/Z shares", "X/Y/Z 重要程度比例", self.importance.values().sum()),
        ] {
            if sum != 0 && sum != 100 {
                out.push(if zh { format!("{name_zh}合计为 {sum}%，应为 100%") } else { format!("{name} add up to {sum}%, not 100%") });
            }
        }
        out
    }

    /// The scope weights in force: the blueprint's own, else the outline's for this level.
    pub fn effective_scope_weights(&self, outline: &Outline) -> BTreeMap<String, u32> {
        if !self.scope_weights.is_empty() {
            return self.scope_weights.clone();
        }
        outline.scopes.iter().map(|s| (s.code.clone(), s.weights.get(&self.level).copied().unwrap_or(0))).collect()
    }

    pub fn total_points(&self) -> Points {
        Points(self.types.iter().map(|t| t.count * t.points_each.0).sum())
    }

    /// Every cell (type × scope, type × difficulty, type × importance) needing more approved
    /// items than there are.
    pub fn feasibility(&self, outline: &Outline, items: &[ItemFacts]) -> Vec<Shortfall> {
        let scopes = self.effective_scope_weights(outline);
        let top_scope = |item: &ItemFacts| -> Option<String> {
            let point = item.outline_point.as_deref()?;
            outline.path_to_point(point)?.first().map(|s| s.code.clone())
        };
        let importance = |item: &ItemFacts| -> Option<Importance> { outline.point(item.outline_point.as_deref()?).map(|p| p.importance) };
        let mut out = Vec::new();
        for row in self.types.iter().filter(|t| t.count > 0) {
            let of_type: Vec<&ItemFacts> = items.iter().filter(|i| i.item_type == row.item_type).collect();
            if (of_type.len() as u32) < row.count {
                out.push(Shortfall { item_type: row.item_type, cell: "total".into(), needed: row.count, available: of_type.len() as u32 });
            }
            for (scope, needed) in apportion(row.count, &scopes) {
                let available = of_type.iter().filter(|i| top_scope(i).as_deref() == Some(scope.as_str())).count() as u32;
                if available < needed {
                    out.push(Shortfall { item_type: row.item_type, cell: format!("scope {scope}"), needed, available });
                }
            }
            let diff: BTreeMap<String, u32> = self.difficulty.iter().map(|(d, p)| (d.to_string(), *p)).collect();
            for (d, needed) in apportion(row.count, &diff) {
                let available = of_type.iter().filter(|i| i.difficulty.map(|x| x.to_string()) == Some(d.clone())).count() as u32;
                if available < needed {
                    out.push(Shortfall { item_type: row.item_type, cell: format!("difficulty {d}"), needed, available });
                }
            }
            let imp: BTreeMap<String, u32> = self.importance.iter().map(|(k, p)| (format!("{k:?}"), *p)).collect();
            for (k, needed) in apportion(row.count, &imp) {
                let available = of_type.iter().filter(|i| importance(i).map(|x| format!("{x:?}")) == Some(k.clone())).count() as u32;
                if available < needed {
                    out.push(Shortfall { item_type: row.item_type, cell: format!("importance {k}"), needed, available });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outline::tests::sample;

    #[test]
    fn apportion_sums_to_the_total() {
        let shares = BTreeMap::from([("A".to_string(), 30), ("B".to_string(), 70)]);
        assert_eq!(apportion(10, &shares), BTreeMap::from([("A".into(), 3), ("B".into(), 7)]));
        let thirds = BTreeMap::from([("a".to_string(), 1), ("b".to_string(), 1), ("c".to_string(), 1)]);
        assert_eq!(apportion(10, &thirds).values().sum::<u32>(), 10);
    }

    #[test]
    fn feasibility_names_the_cells_that_cannot_be_filled() {
        let outline = sample();
        let bp = Blueprint {
            level: 4,
            types: vec![TypeRow { item_type: ItemType::SingleChoice, count: 10, points_each: Points(1000) }],
            scope_weights: BTreeMap::new(),
            difficulty: BTreeMap::new(),
            importance: BTreeMap::from([(Importance::X, 50), (Importance::Y, 30), (Importance::Z, 20)]),
        };
        assert!(bp.validate().is_empty());
        let fact = |p: &str| ItemFacts { item_type: ItemType::SingleChoice, outline_point: Some(p.into()), difficulty: Some(3) };
        // 3 needed in A, 7 in B; 5 X, 3 Y, 2 Z. Give A 3 items (X, Y, Y) and B 5 (X×4, Z).
        let mut items = vec![fact("A-001"), fact("A-002"), fact("A-002")];
        items.extend(std::iter::repeat_n(fact("B-A-001"), 4));
        items.push(fact("B-B-001"));
        let short = bp.feasibility(&outline, &items);
        let cells: Vec<(&str, u32, u32)> = short.iter().map(|s| (s.cell.as_str(), s.needed, s.available)).collect();
        assert_eq!(cells, vec![("total", 10, 8), ("scope B", 7, 5), ("importance Y", 3, 2), ("importance Z", 2, 1)]);
        assert_eq!(bp.total_points(), Points(10_000));
    }
}
