//! The exam outline (鉴定要素细目表): a tree of scopes (鉴定范围), each with a code and a weight
//! per level, ending in assessment points (鉴定点) marked X (core), Y (general) or Z (minor).
use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Importance {
    /// 核心要素
    X,
    /// 一般要素
    Y,
    /// 辅助要素
    Z,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentPoint {
    pub code: String,
    pub name: String,
    pub importance: Importance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    pub code: String,
    pub name: String,
    /// Level code (5 … 1) → weight in percent among its siblings at that level.
    #[serde(default)]
    pub weights: BTreeMap<u8, u32>,
    #[serde(default)]
    pub children: Vec<Scope>,
    #[serde(default)]
    pub points: Vec<AssessmentPoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outline {
    pub scopes: Vec<Scope>,
}

/// One thing wrong with an outline, with the code of the scope or point where it is, said in
/// English (`problem`) and in Chinese (`problem_zh`): a reader is shown one of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutlineProblem {
    pub at: String,
    pub problem: String,
    #[serde(default)]
    pub problem_zh: String,
}

impl OutlineProblem {
    fn new(at: impl Into<String>, en: impl Into<String>, zh: impl Into<String>) -> OutlineProblem {
        OutlineProblem { at: at.into(), problem: en.into(), problem_zh: zh.into() }
    }

    /// The problem in Chinese (`zh`) or English.
    pub fn text(&self, zh: bool) -> &str {
        if zh && !self.problem_zh.is_empty() { &self.problem_zh } else { &self.problem }
    }
}

impl Outline {
    /// Every problem at once, so an editor can show them all: codes unique and non-empty,
    /// sibling weights summing to 100 % for each level, depth at most 6, points only under scopes.
    pub fn validate(&self) -> Vec<OutlineProblem> {
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        check_siblings("(root)", &self.scopes, 1, &mut seen, &mut problems);
        if self.scopes.is_empty() {
            problems.push(OutlineProblem::new("(root)", "the outline has no scopes", "细目表中没有任何鉴定范围"));
        }
        problems
    }

    /// The scope codes from the top down to the one holding this point, e.g. `["A", "A-B"]`.
    pub fn path_to_point(&self, point_code: &str) -> Option<Vec<&Scope>> {
        fn walk<'a>(scopes: &'a [Scope], code: &str, path: &mut Vec<&'a Scope>) -> bool {
            for s in scopes {
                path.push(s);
                if s.points.iter().any(|p| p.code == code) || walk(&s.children, code, path) {
                    return true;
                }
                path.pop();
            }
            false
        }
        let mut path = Vec::new();
        walk(&self.scopes, point_code, &mut path).then_some(path)
    }

    pub fn point(&self, code: &str) -> Option<&AssessmentPoint> {
        self.path_to_point(code)?.last()?.points.iter().find(|p| p.code == code)
    }

    /// The levels any weight is given for.
    pub fn levels(&self) -> Vec<u8> {
        let mut set: Vec<u8> = self.scopes.iter().flat_map(|s| s.weights.keys().copied()).collect();
        set.sort_unstable();
        set.dedup();
        set
    }
}

fn check_siblings(parent: &str, scopes: &[Scope], depth: usize, seen: &mut HashSet<String>, problems: &mut Vec<OutlineProblem>) {
    if scopes.is_empty() {
        return;
    }
    if depth > 6 {
        problems.push(OutlineProblem::new(parent, "scopes nest deeper than 6 levels", "鉴定范围的层级超过 6 级"));
        return;
    }
    let levels: HashSet<u8> = scopes.iter().flat_map(|s| s.weights.keys().copied()).collect();
    let mut levels: Vec<u8> = levels.into_iter().collect();
    levels.sort_unstable();
    for level in levels {
        if !(1..=5).contains(&level) {
            problems.push(OutlineProblem::new(parent, format!("level {level} is not 1 to 5"), format!("等级 {level} 不在 1 至 5 之间")));
            continue;
        }
        let sum: u32 = scopes.iter().map(|s| s.weights.get(&level).copied().unwrap_or(0)).sum();
        if sum != 100 {
            problems.push(OutlineProblem::new(
                parent,
                format!("weights under {parent} for level {level} add up to {sum}%, not 100%"),
                format!("{parent} 下等级 {level} 的比重合计为 {sum}%，应为 100%"),
            ));
        }
    }
    for s in scopes {
        if s.code.trim().is_empty() {
            problems.push(OutlineProblem::new(parent, "a scope has no code", "有鉴定范围缺少代码"));
        } else if !seen.insert(s.code.clone()) {
            problems.push(OutlineProblem::new(s.code.clone(), format!("the code {} is used twice", s.code), format!("代码 {} 重复使用", s.code)));
        }
        for p in &s.points {
            if p.code.trim().is_empty() {
                problems.push(OutlineProblem::new(s.code.clone(), "an assessment point has no code", "有鉴定点缺少代码"));
            } else if !seen.insert(p.code.clone()) {
                problems.push(OutlineProblem::new(p.code.clone(), format!("the code {} is used twice", p.code), format!("代码 {} 重复使用", p.code)));
            }
        }
        if s.children.is_empty() && s.points.is_empty() {
            problems.push(OutlineProblem::new(s.code.clone(), "a scope without sub-scopes needs assessment points", "没有下级范围的鉴定范围必须包含鉴定点"));
        }
        check_siblings(&s.code, &s.children, depth + 1, seen, problems);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn sample() -> Outline {
        let point = |code: &str, imp| AssessmentPoint { code: code.into(), name: format!("鉴定点{code}"), importance: imp };
        let w = |a: u32| BTreeMap::from([(4u8, a)]);
        Outline {
            scopes: vec![
                Scope {
                    code: "A".into(),
                    name: "基本要求".into(),
                    weights: w(30),
                    children: vec![],
                    points: vec![point("A-001", Importance::X), point("A-002", Importance::Y)],
                },
                Scope {
                    code: "B".into(),
                    name: "相关知识".into(),
                    weights: w(70),
                    children: vec![
                        Scope {
                            code: "B-A".into(), name: "电工基础".into(), weights: w(60), children: vec![], points: vec![point("B-A-001", Importance::X)]
                        },
                        Scope {
                            code: "B-B".into(), name: "安全用电".into(), weights: w(40), children: vec![], points: vec![point("B-B-001", Importance::Z)]
                        },
                    ],
                    points: vec![],
                },
            ],
        }
    }

    #[test]
    fn a_good_outline_has_no_problems() {
        let o = sample();
        assert_eq!(o.validate(), vec![]);
        let path: Vec<&str> = o.path_to_point("B-B-001").expect("path").iter().map(|s| s.code.as_str()).collect();
        assert_eq!(path, vec!["B", "B-B"]);
        assert_eq!(o.point("A-002").map(|p| p.importance), Some(Importance::Y));
        assert_eq!(o.levels(), vec![4]);
    }

    #[test]
    fn weights_that_do_not_sum_and_duplicate_codes_are_named() {
        let mut o = sample();
        o.scopes[1].children[1].weights.insert(4, 30);
        o.scopes[0].points[1].code = "B-A-001".into();
        let problems = o.validate();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|p| p.at == "B" && p.problem.contains("90%")));
        assert!(problems.iter().any(|p| p.problem.contains("B-A-001 is used twice")));
    }
}
