//! Bank pages for authors, reviewers and managers: the list of banks, and one bank with its
//! items, filters and links to import, outline and blueprints.
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use exam_protocol::{ItemStatus, ItemType};
use serde::Deserialize;

use super::layout::{LangQuery, esc, page_lang, render, render_with};
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::i18n::Lang;
use crate::http::{AppState, messages};
use exam_application::banks::scope;
use exam_records::items::{self, Search};

/// An HTML page for an error, with the same stable message the API gives.
pub fn page_error(lang: Lang, e: impl Into<ApiError>) -> Response {
    let e: ApiError = e.into();
    let status = e.status();
    let code = e.code();
    if let ApiError::Internal(err) = &e {
        tracing::error!(error = format!("{err:#}"), "page failed");
    }
    let body = format!(
        "<section class=\"card\"><p class=\"error\" role=\"alert\" data-error=\"{code}\">{}</p><p><a href=\"/home\">{}</a></p></section>",
        esc(messages::message(code, lang)),
        lang.pick("返回首页", "Back to home")
    );
    let mut resp = render(lang, lang.pick("出错了", "Error"), &body, None);
    *resp.status_mut() = status;
    resp
}

pub fn status_badge(status: ItemStatus, lang: Lang) -> String {
    let text = match status {
        ItemStatus::Draft => lang.pick("草稿", "Draft"),
        ItemStatus::InReview => lang.pick("待审", "In review"),
        ItemStatus::Approved => lang.pick("已通过", "Approved"),
        ItemStatus::Rejected => lang.pick("已退回", "Rejected"),
        ItemStatus::Retired => lang.pick("已停用", "Retired"),
    };
    format!("<span class=\"badge {}\">{text}</span>", status.as_str())
}

pub fn type_name(t: ItemType, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => t.name_zh(),
        Lang::En => t.as_str(),
    }
}

pub async fn list(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<LangQuery>, user: CurrentUser) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    let banks = match scope::visible(&state.db, &user).await {
        Ok(b) => b,
        Err(e) => return page_error(lang, e),
    };
    let rows: String = banks
        .iter()
        .map(|b| {
            let levels: Vec<String> = b.levels.iter().map(|l| l.to_string()).collect();
            format!(
                "<tr><td><a href=\"/banks/{id}\">{name}</a></td><td>{code}</td><td>{work}</td><td>{levels}</td></tr>",
                id = b.id,
                name = esc(&b.name),
                code = esc(&b.occupation_code),
                work = esc(&b.work_type),
                levels = levels.join("、")
            )
        })
        .collect();
    let empty = if banks.is_empty() {
        format!("<p class=\"muted\">{}</p>", lang.pick("您还没有被分配到任何题库。", "You are not assigned to any bank yet."))
    } else {
        String::new()
    };
    let body = format!(
        "<nav class=\"crumbs\"><a href=\"/home\">{home}</a><a href=\"/review\">{review}</a><a href=\"/import/check\">{check}</a></nav>\
         <section class=\"card\"><h2>{title}</h2>{empty}<table id=\"banks\"><thead><tr><th>{n}</th><th>{c}</th><th>{w}</th><th>{l}</th></tr></thead><tbody>{rows}</tbody></table></section>",
        home = lang.pick("首页", "Home"),
        review = lang.pick("审题队列", "Review queue"),
        check = lang.pick("检查题目文件", "Check an item file"),
        title = lang.pick("题库", "Question banks"),
        n = lang.pick("名称", "Name"),
        c = lang.pick("职业编码", "Occupation code"),
        w = lang.pick("工种", "Work type"),
        l = lang.pick("等级", "Levels"),
    );
    render(lang, lang.pick("题库", "Question banks"), &body, cookie)
}

#[derive(Debug, Deserialize)]
pub struct BankQuery {
    lang: Option<String>,
    q: Option<String>,
    status: Option<String>,
    #[serde(rename = "type")]
    item_type: Option<String>,
    outline: Option<String>,
    page: Option<i64>,
}

fn select(name: &str, label: &str, current: Option<&str>, options: &[(&str, &str)]) -> String {
    let opts: String = options
        .iter()
        .map(|(v, t)| {
            let sel = if current == Some(*v) { " selected" } else { "" };
            format!("<option value=\"{v}\"{sel}>{}</option>", esc(t))
        })
        .collect();
    format!("<div><label for=\"{name}\">{label}</label><select id=\"{name}\" name=\"{name}\">{opts}</select></div>")
}

pub async fn show(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Query(q): Query<BankQuery>, user: CurrentUser) -> Response {
    let (lang, cookie) = page_lang(&headers, &LangQuery { lang: q.lang.clone() });
    let s = match scope::resolve(&state.db, &user, id).await {
        Ok(s) => s,
        Err(e) => return page_error(lang, e),
    };
    let mut links = vec![format!("<a href=\"/banks\">{}</a>", lang.pick("全部题库", "All banks"))];
    if s.can_author() {
        links.push(format!("<a href=\"/banks/{id}/import\">{}</a>", lang.pick("导入试题", "Import items")));
        links.push(format!("<a href=\"/banks/{id}/items/new\">{}</a>", lang.pick("新建试题", "New item")));
    }
    links.push(format!("<a href=\"/banks/{id}/outline\">{}</a>", lang.pick("鉴定要素细目表", "Exam outline")));
    for level in &s.bank.levels {
        links.push(format!("<a href=\"/banks/{id}/blueprints/{level}\">{}{level}</a>", lang.pick("组卷方案 · 等级 ", "Blueprint · level ")));
    }
    let mut body = format!(
        "<nav class=\"crumbs\">{}</nav><section class=\"card\"><h2>{}</h2><p class=\"muted\">{} {} {}</p></section>",
        links.join(""),
        esc(&s.bank.name),
        esc(&s.bank.occupation_code),
        esc(&s.bank.work_type),
        lang.pick("等级：", "Levels: ").to_string() + &s.bank.levels.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("、"),
    );
    if !s.can_read_items() {
        body.push_str(&format!(
            "<section class=\"card\"><p class=\"muted\">{}</p></section>",
            lang.pick("试题内容仅对本题库的命题和审题人员开放。", "Item content is open only to this bank's authors and reviewers.")
        ));
        return render(lang, &s.bank.name, &body, cookie);
    }
    let page = q.page.unwrap_or(0).max(0);
    let search = Search {
        status: q.status.as_deref().and_then(ItemStatus::parse),
        item_type: q.item_type.as_deref().and_then(ItemType::parse),
        outline: q.outline.clone().filter(|o| !o.trim().is_empty()),
        text: q.q.clone().filter(|t| !t.trim().is_empty()),
        limit: 50,
        offset: page * 50,
        ..Default::default()
    };
    let (total, found) = match items::search(&state.db, id, &search).await {
        Ok(r) => r,
        Err(e) => return page_error(lang, e),
    };
    let any = lang.pick("全部", "Any");
    let statuses: Vec<(&str, &str)> = std::iter::once(("", any))
        .chain(ItemStatus::ALL.iter().map(|s| {
            (
                s.as_str(),
                match s {
                    ItemStatus::Draft => lang.pick("草稿", "Draft"),
                    ItemStatus::InReview => lang.pick("待审", "In review"),
                    ItemStatus::Approved => lang.pick("已通过", "Approved"),
                    ItemStatus::Rejected => lang.pick("已退回", "Rejected"),
                    ItemStatus::Retired => lang.pick("已停用", "Retired"),
                },
            )
        }))
        .collect();
    let types: Vec<(&str, &str)> = std::iter::once(("", any)).chain(ItemType::ALL.iter().map(|t| (t.as_str(), type_name(*t, lang)))).collect();
    let rows: String = found
        .iter()
        .map(|r| {
            let text = question_bank::sanitize::text_of(&r.content.stem);
            let short: String = text.chars().take(60).collect();
            format!(
                "<tr><td><a href=\"/items/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                r.item_id,
                esc(&short),
                type_name(r.content.item_type, lang),
                status_badge(r.status, lang),
                esc(r.content.outline_point.as_deref().unwrap_or("")),
                r.content.points
            )
        })
        .collect();
    body.push_str(&format!(
        "<section class=\"card\"><form method=\"get\" class=\"toolbar\" role=\"search\">\
         <div><label for=\"q\">{search_label}</label><input id=\"q\" name=\"q\" value=\"{qv}\"></div>{status_sel}{type_sel}\
         <div><label for=\"outline\">{outline_label}</label><input id=\"outline\" name=\"outline\" value=\"{ov}\" size=\"10\"></div>\
         <div><button type=\"submit\">{go}</button></div></form>\
         <p id=\"total\" data-total=\"{total}\">{found_label}{total}</p>\
         <table id=\"items\"><thead><tr><th>{stem}</th><th>{ty}</th><th>{st}</th><th>{pt}</th><th>{points}</th></tr></thead><tbody>{rows}</tbody></table></section>",
        search_label = lang.pick("题干关键词", "Text"),
        qv = esc(q.q.as_deref().unwrap_or("")),
        status_sel = select("status", lang.pick("状态", "Status"), q.status.as_deref(), &statuses),
        type_sel = select("type", lang.pick("题型", "Type"), q.item_type.as_deref(), &types),
        outline_label = lang.pick("鉴定点/范围代码", "Outline code"),
        ov = esc(q.outline.as_deref().unwrap_or("")),
        go = lang.pick("筛选", "Filter"),
        found_label = lang.pick("共找到试题：", "Items found: "),
        stem = lang.pick("题干", "Stem"),
        ty = lang.pick("题型", "Type"),
        st = lang.pick("状态", "Status"),
        pt = lang.pick("鉴定点", "Point"),
        points = lang.pick("分值", "Points"),
    ));
    render_with(lang, &s.bank.name, &body, cookie, &[])
}
