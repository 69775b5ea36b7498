//! Pages for the bank's longer work: importing a file (dry run, then commit), checking a file
//! without a bank, the reviewer's queue, the outline and a blueprint with its feasibility chart.
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use exam_protocol::{Blueprint, CandidateItem, ItemType};

use super::bank_pages::{page_error, type_name};
use super::item_view::candidate_html;
use super::layout::{LangQuery, esc, page_lang, render_with};
use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::i18n::Lang;
use exam_application::banks::scope;
use exam_records::{banks, items};

fn import_form(lang: Lang, target: &str, can_commit: bool) -> String {
    let formats = [
        ("", lang.pick("自动识别", "Detect")),
        ("xlsx", "XLSX"),
        ("qti_package", "QTI (zip)"),
        ("qti", "QTI (xml)"),
        ("moodle_xml", "Moodle XML"),
        ("gift", "GIFT"),
        ("aiken", "Aiken"),
    ];
    let opts: String = formats.iter().map(|(v, t)| format!("<option value=\"{v}\">{t}</option>")).collect();
    let commit = if can_commit {
        format!("<button type=\"button\" id=\"import-commit\" disabled>{}</button>", lang.pick("确认导入", "Import"))
    } else {
        String::new()
    };
    format!(
        "<form id=\"import-form\" data-target=\"{target}\" class=\"toolbar\">\
         <div><label for=\"file\">{file}</label><input id=\"file\" type=\"file\" required></div>\
         <div><label for=\"format\">{fmt}</label><select id=\"format\">{opts}</select></div>\
         <div><button type=\"submit\" id=\"import-check\">{check}</button> {commit}</div></form>\
         <label for=\"upload-progress\">{progress}</label><progress id=\"upload-progress\" max=\"100\" value=\"0\"></progress>\
         <div id=\"import-report\" role=\"status\" aria-live=\"polite\"></div>",
        file = lang.pick("题目文件", "Item file"),
        fmt = lang.pick("格式", "Format"),
        check = lang.pick("检查（试导入）", "Check (dry run)"),
        progress = lang.pick("上传进度", "Upload progress"),
    )
}

pub async fn import(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Query(q): Query<LangQuery>, user: CurrentUser) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    let s = match scope::resolve(&state.db, &user, id).await {
        Ok(s) if s.can_author() => s,
        Ok(_) => return page_error(lang, ApiError::Forbidden),
        Err(e) => return page_error(lang, e),
    };
    let body = format!(
        "<nav class=\"crumbs\"><a href=\"/banks/{id}\">{back}</a></nav><section class=\"card\"><h2>{title}</h2>\
         <p class=\"muted\">{hint}</p>{form}</section>",
        back = lang.pick("返回题库", "Back to the bank"),
        title = esc(&format!("{}{}", lang.pick("导入试题：", "Import items: "), s.bank.name)),
        hint = lang.pick(
            "先检查：逐题列出将导入的和将跳过的（含原因）；确认后全部导入，任何一题失败则全部不导入。导入的试题进入待审状态。",
            "Check first: every item to be imported or skipped, with the reason. Then import all or nothing; imported items await review.",
        ),
        form = import_form(lang, &format!("/api/v1/banks/{id}/import"), true),
    );
    render_with(lang, lang.pick("导入试题", "Import items"), &body, cookie, &["bank.js"])
}

pub async fn check(headers: HeaderMap, Query(q): Query<LangQuery>) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    let body = format!(
        "<nav class=\"crumbs\"><a href=\"/banks\">{back}</a></nav><section class=\"card\"><h2>{title}</h2>{form}</section>",
        back = lang.pick("题库", "Banks"),
        title = lang.pick("检查题目文件（不导入）", "Check an item file (nothing is imported)"),
        form = import_form(lang, "/api/v1/import/check", false),
    );
    render_with(lang, lang.pick("检查题目文件", "Check a file"), &body, cookie, &["bank.js"])
}

pub async fn review_queue(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<LangQuery>, user: CurrentUser) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    let queue = match items::review_queue(&state.db, user.account.id, 200).await {
        Ok(q) => q,
        Err(e) => return page_error(lang, e),
    };
    let cards: String = queue
        .iter()
        .map(|r| {
            format!(
                "<section class=\"card review-item\" data-item=\"{id}\">{preview}<p><a href=\"/items/{id}\">{open}</a> · {ty} · {pts}</p></section>",
                id = r.item_id,
                preview = candidate_html(&CandidateItem::from_content(&r.content), &format!("q{}", r.item_id), true, lang),
                open = lang.pick("查看并审核", "Open and review"),
                ty = type_name(r.content.item_type, lang),
                pts = r.content.points,
            )
        })
        .collect();
    let empty =
        if queue.is_empty() { format!("<p class=\"muted\">{}</p>", lang.pick("没有待审试题。", "Nothing awaits review.")) } else { String::new() };
    let body = format!(
        "<nav class=\"crumbs\"><a href=\"/banks\">{banks}</a></nav><h2>{title}<span id=\"queue-count\" data-count=\"{n}\">（{n}）</span></h2>{empty}{cards}",
        banks = lang.pick("题库", "Banks"),
        title = lang.pick("审题队列", "Review queue"),
        n = queue.len(),
    );
    render_with(lang, lang.pick("审题队列", "Review queue"), &body, cookie, &[])
}

fn outline_rows(scopes: &[question_bank::outline::Scope], depth: usize, level: Option<u8>, out: &mut String) {
    for s in scopes {
        let w = level.and_then(|l| s.weights.get(&l)).map(|w| format!("{w}%")).unwrap_or_default();
        out.push_str(&format!(
            "<tr><td style=\"padding-left:{}rem\">{}</td><td>{}</td><td>{w}</td><td></td></tr>",
            0.5 + depth as f32 * 1.5,
            esc(&s.code),
            esc(&s.name)
        ));
        for p in &s.points {
            out.push_str(&format!(
                "<tr><td style=\"padding-left:{}rem\">{}</td><td>{}</td><td></td><td>{:?}</td></tr>",
                2.0 + depth as f32 * 1.5,
                esc(&p.code),
                esc(&p.name),
                p.importance
            ));
        }
        outline_rows(&s.children, depth + 1, level, out);
    }
}

pub async fn outline(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Query(q): Query<LangQuery>, user: CurrentUser) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    let s = match scope::resolve(&state.db, &user, id).await {
        Ok(s) => s,
        Err(e) => return page_error(lang, e),
    };
    let (version, outline) = match banks::current_outline(&state.db, id).await {
        Ok(o) => (o.version, o.outline),
        Err(e) => return page_error(lang, e),
    };
    let mut rows = String::new();
    outline_rows(&outline.scopes, 0, s.bank.levels.first().copied(), &mut rows);
    let editable = s.can_author() || s.manager;
    let editor = if editable {
        format!(
            "<section class=\"card\"><h2>{}</h2><form id=\"outline-editor\" data-target=\"/api/v1/banks/{id}/outline\">\
             <label for=\"outline-json\">JSON</label><textarea id=\"outline-json\" rows=\"16\">{}</textarea>\
             <div><button type=\"submit\">{}</button></div></form><div id=\"outline-result\" role=\"status\"></div></section>",
            lang.pick("编辑（保存为新版本；同级权重之和须为 100%）", "Edit (saved as a new version; sibling weights must add up to 100%)"),
            esc(&serde_json::to_string_pretty(&outline).unwrap_or_default()),
            lang.pick("校验并保存", "Check and save"),
        )
    } else {
        String::new()
    };
    let body = format!(
        "<nav class=\"crumbs\"><a href=\"/banks/{id}\">{back}</a></nav><section class=\"card\"><h2>{title} <span class=\"muted\">v{version}</span></h2>\
         <table id=\"outline\"><thead><tr><th>{code}</th><th>{name}</th><th>{weight}</th><th>{imp}</th></tr></thead><tbody>{rows}</tbody></table></section>{editor}",
        back = lang.pick("返回题库", "Back to the bank"),
        title = lang.pick("鉴定要素细目表", "Exam outline"),
        code = lang.pick("代码", "Code"),
        name = lang.pick("名称", "Name"),
        weight = lang.pick("权重", "Weight"),
        imp = lang.pick("重要程度", "Importance"),
    );
    render_with(lang, lang.pick("鉴定要素细目表", "Exam outline"), &body, cookie, &["bank.js"])
}

pub async fn blueprint(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, level)): Path<(i64, u8)>,
    Query(q): Query<LangQuery>,
    user: CurrentUser,
) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    let s = match scope::resolve(&state.db, &user, id).await {
        Ok(s) if s.bank.levels.contains(&level) => s,
        Ok(_) => return page_error(lang, ApiError::NotFound),
        Err(e) => return page_error(lang, e),
    };
    let current: Option<Blueprint> =
        banks::latest_blueprint(&state.db, id, i64::from(level)).await.ok().flatten().and_then(|(_, doc)| serde_json::from_str(&doc).ok());
    let rows: String = ItemType::ALL
        .iter()
        .filter(|t| **t != ItemType::ShortAnswer)
        .map(|t| {
            let row = current.as_ref().and_then(|b| b.types.iter().find(|r| r.item_type == *t));
            format!(
                "<tr data-type=\"{ty}\"><td>{name}</td><td><input type=\"number\" min=\"0\" aria-label=\"{name} {cnt}\" data-field=\"count\" value=\"{count}\"></td>\
                 <td><input type=\"number\" min=\"0\" step=\"0.5\" aria-label=\"{name} {pts}\" data-field=\"points\" value=\"{points}\"></td></tr>",
                ty = t.as_str(),
                name = type_name(*t, lang),
                cnt = lang.pick("题数", "count"),
                pts = lang.pick("每题分值", "points each"),
                count = row.map(|r| r.count).unwrap_or(0),
                points = row.map(|r| r.points_each.to_string()).unwrap_or_else(|| "1".into()),
            )
        })
        .collect();
    let share = |field: &str, key: String, label: String, value: Option<u32>| {
        format!(
            "<div><label for=\"{field}-{key}\">{label}</label><input id=\"{field}-{key}\" type=\"number\" min=\"0\" max=\"100\" size=\"4\" data-share=\"{field}\" data-key=\"{key}\" value=\"{}\"></div>",
            value.map(|v| v.to_string()).unwrap_or_default()
        )
    };
    let difficulty: String = (1u8..=5)
        .map(|d| {
            share(
                "difficulty",
                d.to_string(),
                format!("{}{d}", lang.pick("难度 ", "Difficulty ")),
                current.as_ref().and_then(|b| b.difficulty.get(&d).copied()),
            )
        })
        .collect();
    let importance: String = [exam_protocol::Importance::X, exam_protocol::Importance::Y, exam_protocol::Importance::Z]
        .into_iter()
        .map(|k| share("importance", format!("{k:?}"), format!("{k:?} %"), current.as_ref().and_then(|b| b.importance.get(&k).copied())))
        .collect();
    let editable = s.can_author() || s.can_review() || s.manager;
    let save = if editable { format!("<button type=\"submit\">{}</button>", lang.pick("保存并检查", "Save and check")) } else { String::new() };
    let body = format!(
        "<nav class=\"crumbs\"><a href=\"/banks/{id}\">{back}</a></nav><section class=\"card\"><h2>{title}</h2>\
         <form id=\"blueprint-editor\" data-target=\"/api/v1/banks/{id}/blueprints/{level}\" data-level=\"{level}\">\
         <table><thead><tr><th>{ty}</th><th>{cnt}</th><th>{pts}</th></tr></thead><tbody>{rows}</tbody></table>\
         <fieldset><legend>{dif_legend}</legend><div class=\"toolbar\">{difficulty}</div></fieldset>\
         <fieldset><legend>{imp_legend}</legend><div class=\"toolbar\">{importance}</div></fieldset>\
         <p class=\"muted\">{hint}</p><div>{save} <button type=\"button\" class=\"secondary\" id=\"check-feasibility\">{check}</button></div></form></section>\
         <section class=\"card\"><h2>{feas}</h2><div id=\"feasibility\" role=\"status\" aria-live=\"polite\"></div></section>",
        back = lang.pick("返回题库", "Back to the bank"),
        title = esc(&format!("{}{level}", lang.pick("组卷方案 · 等级 ", "Blueprint · level "))),
        ty = lang.pick("题型", "Type"),
        cnt = lang.pick("题数", "Count"),
        pts = lang.pick("每题分值", "Points each"),
        hint = lang.pick(
            "各鉴定范围的比例默认取细目表中本等级的权重；难度与 X/Y/Z 比例（%）留空表示不限，填写时合计须为 100。",
            "Scope shares default to the outline's weights for this level; leave difficulty and X/Y/Z shares (%) empty for any, or make them add up to 100.",
        ),
        dif_legend = lang.pick("难度分布（%）", "Difficulty spread (%)"),
        imp_legend = lang.pick("核心/一般/辅助要素比例（%）", "Core/general/minor shares (%)"),
        check = lang.pick("检查可行性", "Check feasibility"),
        feas = lang.pick("可行性（已通过的试题能否满足每一格）", "Feasibility (can approved items fill every cell)"),
    );
    render_with(lang, lang.pick("组卷方案", "Blueprint"), &body, cookie, &["bank.js"])
}
