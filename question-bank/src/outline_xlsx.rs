//! The exam outline as a spreadsheet, one row per scope or assessment point, the layout
//! 鉴定要素细目表 are kept in: code, name, kind, importance, parent code, then a weight column
//! per level. Rows may come in any order as long as every parent code exists.
use std::collections::{BTreeMap, HashMap};

use calamine::Data;
use rust_xlsxwriter::{Format, Workbook};

use crate::import::{ImportError, Limits, sheet};
use crate::outline::{AssessmentPoint, Importance, Outline, Scope};

const HEADERS: [&str; 10] = ["代码", "名称", "类别", "重要程度", "上级代码", "五级权重", "四级权重", "三级权重", "二级权重", "一级权重"];
const SCOPE: &str = "鉴定范围";
const POINT: &str = "鉴定点";

fn flatten(scopes: &[Scope], parent: &str, rows: &mut Vec<[String; 10]>) {
    for s in scopes {
        let w = |l: u8| s.weights.get(&l).map(u32::to_string).unwrap_or_default();
        rows.push([s.code.clone(), s.name.clone(), SCOPE.into(), String::new(), parent.into(), w(5), w(4), w(3), w(2), w(1)]);
        for p in &s.points {
            let imp = format!("{:?}", p.importance);
            rows.push([
                p.code.clone(),
                p.name.clone(),
                POINT.into(),
                imp,
                s.code.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        flatten(&s.children, &s.code, rows);
    }
}

pub fn write(outline: &Outline) -> Result<Vec<u8>, String> {
    let mut rows = Vec::new();
    flatten(&outline.scopes, "", &mut rows);
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet();
    sheet.set_name("鉴定要素细目表").map_err(|e| e.to_string())?;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(|e| e.to_string())?;
    }
    sheet.set_column_width(1, 40).map_err(|e| e.to_string())?;
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string_with_format((r + 1) as u32, c as u16, v, &text).map_err(|e| e.to_string())?;
            }
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

fn cell(d: &Data) -> String {
    match d {
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Empty => String::new(),
        other => other.to_string().trim().to_string(),
    }
}

/// Reads the sheet back into a tree. The result is not yet validated: call
/// [`Outline::validate`] for weights and codes.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Outline, ImportError> {
    let sheet = sheet::read_first(bytes, limits)?;
    let mut rows = sheet.rows.iter();
    rows.next();
    // code → (parent, scope) in file order, then assembled bottom-up.
    let mut scopes: Vec<(String, Scope)> = Vec::new();
    let mut points: Vec<(String, AssessmentPoint)> = Vec::new();
    for (i, row) in rows.enumerate() {
        let line = i + 2;
        let get = |c: usize| row.get(c).map(cell).unwrap_or_default();
        let (code, name, kind, imp, parent) = (get(0), get(1), get(2), get(3), get(4));
        if code.is_empty() && name.is_empty() {
            continue;
        }
        if kind == POINT {
            let importance = match imp.to_uppercase().as_str() {
                "X" => Importance::X,
                "Y" => Importance::Y,
                "Z" => Importance::Z,
                _ => {
                    return Err(ImportError::Malformed(format!("row {line}: importance must be X, Y or Z, got {imp:?}")));
                }
            };
            points.push((parent, AssessmentPoint { code, name, importance }));
        } else {
            let mut weights = BTreeMap::new();
            for (c, level) in (5..=9).zip([5u8, 4, 3, 2, 1]) {
                let v = get(c);
                if !v.is_empty() {
                    let w: u32 = v.parse().map_err(|_| ImportError::Malformed(format!("row {line}: weight {v:?} is not a whole percent")))?;
                    weights.insert(level, w);
                }
            }
            scopes.push((parent, Scope { code, name, weights, children: vec![], points: vec![] }));
        }
    }
    let known: HashMap<String, usize> = scopes.iter().enumerate().map(|(i, (_, s))| (s.code.clone(), i)).collect();
    for (parent, p) in points {
        let i = *known.get(&parent).ok_or_else(|| ImportError::Malformed(format!("point {} names an unknown scope {parent:?}", p.code)))?;
        scopes[i].1.points.push(p);
    }
    for (parent, s) in &scopes {
        if !parent.is_empty() && !known.contains_key(parent) {
            return Err(ImportError::Malformed(format!("scope {} names an unknown parent {parent:?}", s.code)));
        }
    }
    // Attach children deepest-first: a scope's children are complete before it moves.
    let parent_of: HashMap<String, String> = scopes.iter().map(|(p, s)| (s.code.clone(), p.clone())).collect();
    let depth = |code: &str| {
        let (mut d, mut at) = (0, code.to_string());
        while let Some(p) = parent_of.get(&at).filter(|p| !p.is_empty() && d < 16) {
            at = p.clone();
            d += 1;
        }
        d
    };
    let mut order: Vec<(usize, usize)> = scopes.iter().enumerate().map(|(i, (_, s))| (depth(&s.code), i)).collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut slots: Vec<Option<(String, Scope)>> = scopes.into_iter().map(Some).collect();
    let mut roots = Vec::new();
    for (_, i) in order {
        let Some((parent, mut scope)) = slots[i].take() else {
            continue;
        };
        // Its children came last-first (pushed: inserting each at the front was quadratic in
        // a wide outline), and all have come, since a child sorts before its parent or its
        // placement fails below.
        scope.children.reverse();
        if parent.is_empty() {
            roots.push((i, scope));
        } else if let Some(Some((_, p))) = known.get(&parent).map(|j| slots[*j].as_mut()) {
            p.children.push(scope);
        } else {
            return Err(ImportError::Malformed(format!("scope {} cannot be placed under {parent:?}", scope.code)));
        }
    }
    roots.sort_by_key(|(i, _)| *i);
    Ok(Outline { scopes: roots.into_iter().map(|(_, s)| s).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_round_trips_through_the_sheet() {
        let o = crate::outline::tests::sample();
        let bytes = write(&o).expect("write");
        let back = read(&bytes, &Limits::default()).expect("read");
        assert_eq!(back, o);
        assert!(back.validate().is_empty());
    }

    #[test]
    fn a_wide_outline_keeps_its_order() {
        // Siblings were inserted at the front one by one: quadratic in a wide outline.
        let scope = |code: String, children: Vec<Scope>| Scope { name: format!("范围{code}"), code, weights: BTreeMap::new(), children, points: vec![] };
        let children = (0..3000).map(|n| scope(format!("R-{n:04}"), vec![scope(format!("R-{n:04}-A"), vec![])])).collect();
        let o = Outline { scopes: vec![scope("R".into(), children), scope("S".into(), vec![])] };
        assert_eq!(read(&write(&o).expect("write"), &Limits::default()).expect("read"), o);
    }
}
