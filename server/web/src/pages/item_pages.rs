//! One item: the candidate's view, the key, the history, and the actions the caller may take;
//! and the editor for a new item or a new version.
use axum::extract::{Path, Query, State};
use axum::response::Response;
use exam_protocol::{CandidateItem, ItemRecord, ItemStatus, Key};

use super::bank_pages::{status_name, type_name};
use super::item_view::{candidate_html, with_asset_base};
use askama::Template;

use super::layout::{Frame, PageCtx};
use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::i18n::Lang;
use exam_application::banks::items as bank_items;
use exam_application::banks::scope;

fn key_text(r: &ItemRecord, lang: Lang) -> String {
    match &r.content.key {
        Key::Single { choice } => choice.clone(),
        Key::Multiple { choices } => choices.concat(),
        Key::TrueFalse { value } => if *value { lang.pick("对", "True") } else { lang.pick("错", "False") }.to_string(),
        // One syntax everywhere: the XLSX template's (`##` between blanks, `|` between answers).
        Key::FillIn { blanks } => question_bank::xlsx_template::write_blanks(blanks),
        Key::ShortAnswer { reference } => reference.clone().unwrap_or_default(),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct ItemQuery {
    /// Opened from the review queue: show the previous and next items waiting.
    queue: Option<u8>,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    user: CurrentUser,
    q: Result<Query<ItemQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = ctx.lang;
    let (item, s) = match bank_items::in_scope(&state, &user, id).await {
        Ok(found) => found,
        Err(e) => return ctx.error(e),
    };
    let from_queue = q.ok().and_then(|Query(q)| q.queue).is_some() && s.can_review();
    let (prev, next) = if from_queue {
        let ids: Vec<i64> = bank_items::review_queue(&state, &user, 500).await.unwrap_or_default().iter().map(|r| r.item_id).collect();
        match ids.iter().position(|i| *i == id) {
            Some(at) => (at.checked_sub(1).and_then(|p| ids.get(p).copied()), ids.get(at + 1).copied()),
            None => (None, ids.first().copied()),
        }
    } else {
        (None, None)
    };
    let history = bank_items::history(&state, &user, id).await.unwrap_or_default();
    let people = bank_items::people(&state, &user, id).await.unwrap_or_default();
    let mut candidate = CandidateItem::from_content(&item.content);
    let base = format!("/items/{id}/files");
    candidate.stem = with_asset_base(&candidate.stem, &base);
    for c in &mut candidate.choices {
        c.content = with_asset_base(&c.content, &base);
    }
    let page = ItemPage {
        f: ctx.frame(lang.pick("试题", "Item")).scripts(&["bank.js"]),
        id,
        bank_id: item.bank_id,
        preview: candidate_html(&candidate, "preview", true, lang),
        status_code: item.status.as_str(),
        status_name: status_name(item.status, lang),
        version: item.version,
        type_name: type_name(item.content.item_type, lang),
        key: key_text(&item, lang),
        points: item.content.points.to_string(),
        point: item.content.outline_point.clone().unwrap_or_else(|| "—".into()),
        code: item.content.code.clone(),
        can_submit: s.can_author() && matches!(item.status, ItemStatus::Draft | ItemStatus::Rejected),
        can_change: s.can_author() && item.status != ItemStatus::Retired,
        can_review: s.can_review() && item.status == ItemStatus::InReview,
        can_retire: s.can_review() && item.status == ItemStatus::Approved,
        history: history
            .iter()
            .rev()
            .map(|v| VersionRow {
                version: v.version,
                status_code: v.status.as_str(),
                status_name: status_name(v.status, lang),
                comment: v.review_comment.clone().unwrap_or_default(),
                when: super::layout::china_time(v.created_at_ms),
                by: {
                    let name = |id: i64| people.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
                    let written = v
                        .author_id
                        .map(|a| format!("{}{}", lang.pick("命题：", "written by "), name(a)))
                        .unwrap_or_else(|| lang.pick("导入", "imported").to_string());
                    match v.reviewed_by {
                        Some(r) => format!("{written} · {}{}", lang.pick("审核：", "reviewed by "), name(r)),
                        None => written,
                    }
                },
            })
            .collect(),
        from_queue,
        prev,
        next,
    };
    ctx.respond(&page)
}

struct VersionRow {
    version: i64,
    status_code: &'static str,
    status_name: &'static str,
    comment: String,
    when: String,
    by: String,
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    f: Frame,
    id: i64,
    bank_id: i64,
    /// The item as a candidate sees it, rendered by its own template.
    preview: String,
    status_code: &'static str,
    status_name: &'static str,
    version: i64,
    type_name: &'static str,
    key: String,
    points: String,
    point: String,
    code: Option<String>,
    can_submit: bool,
    can_change: bool,
    can_review: bool,
    can_retire: bool,
    history: Vec<VersionRow>,
    from_queue: bool,
    prev: Option<i64>,
    next: Option<i64>,
}

#[derive(Template)]
#[template(path = "item_editor.html")]
struct EditorPage {
    f: Frame,
    bank_id: i64,
    is_new: bool,
    target: String,
    types: Vec<(&'static str, &'static str, bool)>,
    stem: String,
    options: Vec<(String, String)>,
    key: String,
    points: String,
    difficulty: String,
    point: String,
    /// The bank's outline as option groups (a scope's path, its points), for the point picker.
    outline: Vec<(String, Vec<(String, String)>)>,
    tags: String,
}

/// The outline's points grouped under the path of scopes that holds them.
fn outline_groups(outline: &question_bank::outline::Outline) -> Vec<(String, Vec<(String, String)>)> {
    fn walk(scopes: &[question_bank::outline::Scope], path: &str, out: &mut Vec<(String, Vec<(String, String)>)>) {
        for s in scopes {
            let here = if path.is_empty() { format!("{} {}", s.code, s.name) } else { format!("{path} › {} {}", s.code, s.name) };
            if !s.points.is_empty() {
                out.push((here.clone(), s.points.iter().map(|p| (p.code.clone(), format!("{} {}", p.code, p.name))).collect()));
            }
            walk(&s.children, &here, out);
        }
    }
    let mut out = Vec::new();
    walk(&outline.scopes, "", &mut out);
    out
}

/// The editor: a new item in a bank, or the next version of an item.
pub async fn editor(state: &AppState, user: &CurrentUser, ctx: &PageCtx, bank_id: i64, current: Option<&ItemRecord>) -> Response {
    let lang = ctx.lang;
    let outline = match exam_application::banks::manage::outline(state, user, bank_id).await {
        Ok(o) => outline_groups(&o.outline),
        Err(e) => return ctx.error(e),
    };
    let c = current.map(|r| &r.content);
    let val = |f: &dyn Fn(&exam_protocol::ItemContent) -> String| c.map(f).unwrap_or_default();
    let page = EditorPage {
        f: ctx.frame(lang.pick("编辑试题", "Edit item")).scripts(&["bank.js"]),
        bank_id,
        is_new: current.is_none(),
        target: match current {
            Some(r) => format!("/api/v1/items/{}/versions", r.item_id),
            None => format!("/api/v1/banks/{bank_id}/items"),
        },
        types: exam_protocol::ItemType::ALL.iter().map(|t| (t.as_str(), type_name(*t, lang), c.map(|c| c.item_type) == Some(*t))).collect(),
        stem: val(&|c| c.stem.clone()),
        options: (0..6)
            .map(|i| {
                let letter = question_bank::item::choice_letter(i).to_string();
                let v = c.and_then(|c| c.choices.get(i)).map(|ch| question_bank::sanitize::unescape(&ch.content)).unwrap_or_default();
                (letter, v)
            })
            .collect(),
        // The editor's true/false key is the select's 对 or 错, whatever the page's language.
        key: current
            .map(|r| if let Key::TrueFalse { value } = r.content.key { if value { "对" } else { "错" }.to_string() } else { key_text(r, lang) })
            .unwrap_or_default(),
        points: c.map(|c| c.points.to_string()).unwrap_or_else(|| "1".into()),
        difficulty: val(&|c| c.difficulty.map(|d| d.value().to_string()).unwrap_or_default()),
        point: val(&|c| c.outline_point.clone().unwrap_or_default()),
        outline,
        tags: val(&|c| c.tags.join(",")),
    };
    ctx.respond(&page)
}

pub async fn new_item(State(state): State<AppState>, ctx: PageCtx, Path(bank_id): Path<i64>, user: CurrentUser) -> Response {
    let _lang = ctx.lang;
    match scope::resolve(&state.db, &user, bank_id).await {
        Ok(s) if s.can_author() => editor(&state, &user, &ctx, bank_id, None).await,
        Ok(_) => ctx.error(ApiError::Forbidden),
        Err(e) => ctx.error(e),
    }
}

pub async fn edit_item(State(state): State<AppState>, ctx: PageCtx, Path(id): Path<i64>, user: CurrentUser) -> Response {
    let _lang = ctx.lang;
    match bank_items::in_scope(&state, &user, id).await {
        Ok((item, s)) if s.can_author() => editor(&state, &user, &ctx, item.bank_id, Some(&item)).await,
        Ok(_) => ctx.error(ApiError::Forbidden),
        Err(e) => ctx.error(e),
    }
}

/// A file (an image) of the item's current version, for its preview.
pub async fn file(State(state): State<AppState>, Path((id, path)): Path<(i64, String)>, user: CurrentUser) -> Result<Response, ApiError> {
    use axum::response::IntoResponse;
    let asset = bank_items::asset(&state, &user, id, &path).await?;
    let mut resp = asset.bytes.into_response();
    let mime = axum::http::HeaderValue::from_str(&asset.mime).unwrap_or_else(|_| axum::http::HeaderValue::from_static("application/octet-stream"));
    resp.headers_mut().insert(axum::http::header::CONTENT_TYPE, mime);
    // An SVG opened on its own must not run script.
    resp.headers_mut()
        .insert(axum::http::header::CONTENT_SECURITY_POLICY, axum::http::HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"));
    resp.headers_mut().insert(axum::http::header::X_CONTENT_TYPE_OPTIONS, axum::http::HeaderValue::from_static("nosniff"));
    Ok(resp)
}
