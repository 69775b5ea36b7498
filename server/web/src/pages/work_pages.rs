//! Pages for the bank's longer work: importing a file (dry run, then commit), checking a file
//! without a bank, the reviewer's queue, the outline and a blueprint with its feasibility chart.
use axum::extract::{Path, Query, State};
use axum::response::Response;
use exam_protocol::{Blueprint, ItemType};

use super::bank_pages::type_name;
use askama::Template;

use super::layout::{Frame, PageCtx};
use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use exam_application::banks::items as bank_items;
use exam_application::banks::manage;
use exam_application::banks::scope;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    f: Frame,
    /// The bank imported into (id, name); none for a check without a bank.
    bank: Option<(i64, String)>,
    target: String,
    can_commit: bool,
}

pub async fn import(State(state): State<AppState>, ctx: PageCtx, Path(id): Path<i64>, user: CurrentUser) -> Response {
    let lang = ctx.lang;
    let s = match scope::resolve(&state.db, &user, id).await {
        Ok(s) if s.can_author() => s,
        Ok(_) => return ctx.error(ApiError::Forbidden),
        Err(e) => return ctx.error(e),
    };
    let page = ImportPage {
        f: ctx.frame(lang.pick("导入试题", "Import items")).scripts(&["bank.js"]),
        bank: Some((id, s.bank.name.clone())),
        target: format!("/api/v1/banks/{id}/import"),
        can_commit: true,
    };
    ctx.respond(&page)
}

pub async fn check(ctx: PageCtx) -> Response {
    let lang = ctx.lang;
    let page = ImportPage {
        f: ctx.frame(lang.pick("检查题目文件", "Check a file")).scripts(&["bank.js"]),
        bank: None,
        target: "/api/v1/import/check".into(),
        can_commit: false,
    };
    ctx.respond(&page)
}

#[derive(Debug, serde::Deserialize)]
pub struct QueueFilter {
    /// Empty when the form leaves it at "all".
    bank: Option<String>,
    #[serde(rename = "type")]
    item_type: Option<String>,
}

/// The review queue: a list with filters (bank, type), items opened one at a time with next and
/// previous, and approval of several at once.
pub async fn review_queue(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    filter: Result<Query<QueueFilter>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = ctx.lang;
    let filter = filter.map(|Query(q)| q).unwrap_or(QueueFilter { bank: None, item_type: None });
    let wanted_bank: Option<i64> = filter.bank.as_deref().and_then(|b| b.parse().ok());
    let queue = match bank_items::review_queue(&state, &user, 500).await {
        Ok(q) => q,
        Err(e) => return ctx.error(e),
    };
    let banks = exam_application::banks::scope::visible(&state.db, &user).await.unwrap_or_default();
    let bank_name = |id: i64| banks.iter().find(|b| b.id == id).map(|b| b.name.clone()).unwrap_or_else(|| format!("#{id}"));
    let mut bank_ids: Vec<i64> = queue.iter().map(|r| r.bank_id).collect();
    bank_ids.sort_unstable();
    bank_ids.dedup();
    let wanted_type = filter.item_type.as_deref().filter(|t| !t.is_empty()).and_then(ItemType::parse);
    let shown: Vec<_> = queue.iter().filter(|r| wanted_bank.is_none_or(|b| r.bank_id == b) && wanted_type.is_none_or(|t| r.content.item_type == t)).collect();
    let page = ReviewPage {
        f: ctx.frame(lang.pick("审题队列", "Review queue")).scripts(&["bank.js"]),
        total: queue.len(),
        banks: bank_ids.iter().map(|id| (*id, bank_name(*id), wanted_bank == Some(*id))).collect(),
        types: ItemType::ALL.iter().map(|t| (t.as_str(), type_name(*t, lang), wanted_type == Some(*t))).collect(),
        rows: shown
            .iter()
            .map(|r| ReviewRow {
                id: r.item_id,
                stem: question_bank::sanitize::text_of(&r.content.stem).chars().take(50).collect(),
                bank: bank_name(r.bank_id),
                type_name: type_name(r.content.item_type, lang),
                points: r.content.points.to_string(),
                point: r.content.outline_point.clone().unwrap_or_default(),
                submitted: super::layout::china_time(r.created_at_ms),
            })
            .collect(),
    };
    ctx.respond(&page)
}

struct ReviewRow {
    id: i64,
    stem: String,
    bank: String,
    type_name: &'static str,
    points: String,
    point: String,
    submitted: String,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    f: Frame,
    total: usize,
    banks: Vec<(i64, String, bool)>,
    types: Vec<(&'static str, &'static str, bool)>,
    rows: Vec<ReviewRow>,
}

struct OutlineRow {
    indent_rem: f32,
    code: String,
    name: String,
    /// The scope's weight for each of the bank's levels (empty for points).
    weights: Vec<String>,
    importance: String,
}

#[derive(Template)]
#[template(path = "outline.html")]
struct OutlinePage {
    f: Frame,
    id: i64,
    version: i64,
    rows: Vec<OutlineRow>,
    levels: Vec<u8>,
    levels_json: String,
    /// The outline as JSON, for those who may edit it.
    editor: Option<String>,
}

fn outline_rows(scopes: &[question_bank::outline::Scope], depth: usize, levels: &[u8], out: &mut Vec<OutlineRow>) {
    for s in scopes {
        let weights = levels.iter().map(|l| s.weights.get(l).map(|w| format!("{w}%")).unwrap_or_default()).collect();
        out.push(OutlineRow { indent_rem: 0.5 + depth as f32 * 1.5, code: s.code.clone(), name: s.name.clone(), weights, importance: String::new() });
        for p in &s.points {
            out.push(OutlineRow {
                indent_rem: 2.0 + depth as f32 * 1.5,
                code: p.code.clone(),
                name: p.name.clone(),
                weights: levels.iter().map(|_| String::new()).collect(),
                importance: format!("{:?}", p.importance),
            });
        }
        outline_rows(&s.children, depth + 1, levels, out);
    }
}

pub async fn outline(State(state): State<AppState>, ctx: PageCtx, Path(id): Path<i64>, user: CurrentUser) -> Response {
    let lang = ctx.lang;
    let s = match scope::resolve(&state.db, &user, id).await {
        Ok(s) => s,
        Err(e) => return ctx.error(e),
    };
    let (version, outline) = match manage::outline(&state, &user, id).await {
        Ok(o) => (o.version, o.outline),
        Err(e) => return ctx.error(e),
    };
    let mut rows = Vec::new();
    let levels = s.bank.levels.clone();
    outline_rows(&outline.scopes, 0, &levels, &mut rows);
    let editable = s.can_author() || s.manager;
    let page = OutlinePage {
        f: ctx.frame(lang.pick("鉴定要素细目表", "Exam outline")).scripts(&["outline.js"]),
        id,
        version,
        rows,
        levels_json: serde_json::to_string(&levels).unwrap_or_default(),
        levels,
        editor: editable.then(|| serde_json::to_string_pretty(&outline).unwrap_or_default()),
    };
    ctx.respond(&page)
}

struct TypeRow {
    code: &'static str,
    name: &'static str,
    count: u32,
    points: String,
}

struct Share {
    field: &'static str,
    key: String,
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "blueprint.html")]
struct BlueprintPage {
    f: Frame,
    id: i64,
    level: u8,
    types: Vec<TypeRow>,
    difficulty: Vec<Share>,
    importance: Vec<Share>,
    editable: bool,
}

pub async fn blueprint(State(state): State<AppState>, ctx: PageCtx, Path((id, level)): Path<(i64, u8)>, user: CurrentUser) -> Response {
    let lang = ctx.lang;
    let s = match scope::resolve(&state.db, &user, id).await {
        Ok(s) if s.bank.levels.contains(&level) => s,
        Ok(_) => return ctx.error(ApiError::NotFound),
        Err(e) => return ctx.error(e),
    };
    let current: Option<Blueprint> = manage::blueprint(&state, &user, id, level).await.ok();
    let types: Vec<TypeRow> = ItemType::ALL
        .iter()
        .filter(|t| **t != ItemType::ShortAnswer)
        .map(|t| {
            let row = current.as_ref().and_then(|b| b.types.iter().find(|r| r.item_type == *t));
            TypeRow {
                code: t.as_str(),
                name: type_name(*t, lang),
                count: row.map(|r| r.count).unwrap_or(0),
                points: row.map(|r| r.points_each.to_string()).unwrap_or_else(|| "1".into()),
            }
        })
        .collect();
    let share = |field: &'static str, key: String, label: String, value: Option<u32>| Share {
        field,
        key,
        label,
        value: value.map(|v| v.to_string()).unwrap_or_default(),
    };
    let difficulty: Vec<Share> = (1u8..=5)
        .map(|d| {
            share(
                "difficulty",
                d.to_string(),
                format!("{}{d}", lang.pick("难度 ", "Difficulty ")),
                current.as_ref().and_then(|b| b.difficulty.get(&d).copied()),
            )
        })
        .collect();
    let importance: Vec<Share> = [exam_protocol::Importance::X, exam_protocol::Importance::Y, exam_protocol::Importance::Z]
        .into_iter()
        .map(|k| share("importance", format!("{k:?}"), format!("{k:?} %"), current.as_ref().and_then(|b| b.importance.get(&k).copied())))
        .collect();
    let page = BlueprintPage {
        f: ctx.frame(format!("{}{level}", lang.pick("组卷方案 · 等级 ", "Blueprint · level "))).scripts(&["bank.js"]),
        id,
        level,
        types,
        difficulty,
        importance,
        editable: s.can_author() || s.can_review() || s.manager,
    };
    ctx.respond(&page)
}
