//! Bank pages for authors, reviewers and managers: the list of banks, and one bank with its
//! items, filters and links to import, outline and blueprints.
use axum::extract::{Path, Query, State};
use axum::response::Response;
use exam_protocol::{ItemStatus, ItemType};
use serde::Deserialize;

use askama::Template;

use super::layout::{Frame, PageCtx, fragment};
use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::i18n::Lang;
use exam_application::banks::items as bank_items;
use exam_application::banks::scope;
use exam_records::items::Search;

pub fn status_name(status: ItemStatus, lang: Lang) -> &'static str {
    match status {
        ItemStatus::Draft => lang.pick("草稿", "Draft"),
        ItemStatus::InReview => lang.pick("待审", "In review"),
        ItemStatus::Approved => lang.pick("已通过", "Approved"),
        ItemStatus::Rejected => lang.pick("已退回", "Rejected"),
        ItemStatus::Retired => lang.pick("已停用", "Retired"),
    }
}

pub fn type_name(t: ItemType, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => t.name_zh(),
        Lang::En => t.as_str(),
    }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    q: Result<Query<PageNo>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = ctx.lang;
    let banks = match scope::visible(&state.db, &user).await {
        Ok(b) => b,
        Err(e) => return ctx.error(e),
    };
    // Fifty banks a page.
    const PER_PAGE: usize = 50;
    let total = banks.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page_no = q.ok().and_then(|Query(p)| p.page).unwrap_or(0).min(pages - 1);
    let page = BanksPage {
        f: ctx.frame(lang.pick("题库", "Question banks")),
        total,
        pages,
        page: page_no,
        banks: banks
            .iter()
            .skip(page_no * PER_PAGE)
            .take(PER_PAGE)
            .map(|b| BankRow {
                id: b.id,
                name: b.name.clone(),
                occupation_code: b.occupation_code.clone(),
                work_type: b.work_type.clone(),
                levels: levels_text(&b.levels),
            })
            .collect(),
    };
    ctx.respond(&page)
}

fn levels_text(levels: &[u8]) -> String {
    levels.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("、")
}

struct BankRow {
    id: i64,
    name: String,
    occupation_code: String,
    work_type: String,
    levels: String,
}

#[derive(Debug, Deserialize)]
pub struct PageNo {
    page: Option<usize>,
}

#[derive(Template)]
#[template(path = "banks.html")]
struct BanksPage {
    f: Frame,
    total: usize,
    pages: usize,
    page: usize,
    banks: Vec<BankRow>,
}

#[derive(Debug, Deserialize)]
/// The item search of a bank page (`lang` is read by the page context).
pub struct BankQuery {
    q: Option<String>,
    status: Option<String>,
    #[serde(rename = "type")]
    item_type: Option<String>,
    outline: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "select.html")]
struct Select<'a> {
    name: &'a str,
    label: &'a str,
    current: Option<&'a str>,
    options: Vec<(String, String)>,
}

/// A filter's drop-down, rendered by its template.
fn select(name: &str, label: &str, current: Option<&str>, options: &[(&str, &str)]) -> String {
    let s = Select { name, label, current, options: options.iter().map(|(v, t)| (v.to_string(), t.to_string())).collect() };
    fragment(&s)
}

struct ItemRow {
    id: i64,
    stem: String,
    type_name: &'static str,
    status_code: &'static str,
    status_name: &'static str,
    point: String,
    points: String,
}

struct ItemList {
    text: String,
    outline: String,
    /// Rendered by their own template.
    status_select: String,
    type_select: String,
    total: i64,
    rows: Vec<ItemRow>,
}

#[derive(Template)]
#[template(path = "bank.html")]
struct BankPage {
    f: Frame,
    id: i64,
    can_author: bool,
    can_export: bool,
    levels: Vec<u8>,
    levels_text: String,
    occupation_code: String,
    work_type: String,
    items: Option<ItemList>,
}

pub async fn show(State(state): State<AppState>, ctx: PageCtx, Path(id): Path<i64>, Query(q): Query<BankQuery>, user: CurrentUser) -> Response {
    let lang = ctx.lang;
    let s = match scope::resolve(&state.db, &user, id).await {
        Ok(s) => s,
        Err(e) => return ctx.error(e),
    };
    let mut page = BankPage {
        f: ctx.frame(s.bank.name.clone()),
        id,
        can_author: s.can_author(),
        can_export: s.can_export(),
        levels: s.bank.levels.clone(),
        levels_text: levels_text(&s.bank.levels),
        occupation_code: s.bank.occupation_code.clone(),
        work_type: s.bank.work_type.clone(),
        items: None,
    };
    if !s.can_read_items() {
        return ctx.respond(&page);
    }
    let page_no = q.page.unwrap_or(0).max(0);
    let search = Search {
        status: q.status.as_deref().and_then(ItemStatus::parse),
        item_type: q.item_type.as_deref().and_then(ItemType::parse),
        outline: q.outline.clone().filter(|o| !o.trim().is_empty()),
        text: q.q.clone().filter(|t| !t.trim().is_empty()),
        limit: 50,
        offset: page_no * 50,
        ..Default::default()
    };
    let (total, found) = match bank_items::search(&state, &user, id, &search).await {
        Ok(r) => r,
        Err(e) => return ctx.error(e),
    };
    let any = lang.pick("全部", "Any");
    let statuses: Vec<(&str, &str)> = std::iter::once(("", any)).chain(ItemStatus::ALL.iter().map(|s| (s.as_str(), status_name(*s, lang)))).collect();
    let types: Vec<(&str, &str)> = std::iter::once(("", any)).chain(ItemType::ALL.iter().map(|t| (t.as_str(), type_name(*t, lang)))).collect();
    page.items = Some(ItemList {
        text: q.q.clone().unwrap_or_default(),
        outline: q.outline.clone().unwrap_or_default(),
        status_select: select("status", lang.pick("状态", "Status"), q.status.as_deref(), &statuses),
        type_select: select("type", lang.pick("题型", "Type"), q.item_type.as_deref(), &types),
        total,
        rows: found
            .iter()
            .map(|r| ItemRow {
                id: r.item_id,
                stem: question_bank::sanitize::text_of(&r.content.stem).chars().take(60).collect(),
                type_name: type_name(r.content.item_type, lang),
                status_code: r.status.as_str(),
                status_name: status_name(r.status, lang),
                point: r.content.outline_point.clone().unwrap_or_default(),
                points: r.content.points.to_string(),
            })
            .collect(),
    });
    ctx.respond(&page)
}
