//! One item: the candidate's view, the key, the history, and the actions the caller may take;
//! and the editor for a new item or a new version.
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use exam_protocol::{CandidateItem, ItemRecord, ItemStatus, Key};

use super::bank_pages::{page_error, status_badge, type_name};
use super::item_view::{candidate_html, with_asset_base};
use super::layout::{LangQuery, esc, page_lang, render_with};
use crate::http::AppState;
use crate::http::access::CurrentUser;
use crate::http::error::ApiError;
use crate::http::i18n::Lang;
use exam_application::banks::scope;
use exam_records::items;

fn key_text(r: &ItemRecord, lang: Lang) -> String {
    match &r.content.key {
        Key::Single { choice } => choice.clone(),
        Key::Multiple { choices } => choices.concat(),
        Key::TrueFalse { value } => if *value { lang.pick("对", "True") } else { lang.pick("错", "False") }.to_string(),
        Key::FillIn { blanks } => blanks.iter().map(|b| b.join(" / ")).collect::<Vec<_>>().join(" ; "),
        Key::ShortAnswer { reference } => reference.clone().unwrap_or_default(),
    }
}

pub async fn show(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Query(q): Query<LangQuery>, user: CurrentUser) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    let Ok(Some(item)) = items::current(&state.db, id).await else {
        return page_error(lang, ApiError::NotFound);
    };
    let s = match scope::resolve(&state.db, &user, item.bank_id).await {
        Ok(s) if s.can_read_items() => s,
        Ok(_) => return page_error(lang, ApiError::NotFound),
        Err(e) => return page_error(lang, e),
    };
    let history = items::history(&state.db, id).await.unwrap_or_default();
    let mut candidate = CandidateItem::from_content(&item.content);
    let base = format!("/items/{id}/files");
    candidate.stem = with_asset_base(&candidate.stem, &base);
    for c in &mut candidate.choices {
        c.content = with_asset_base(&c.content, &base);
    }
    let preview = candidate_html(&candidate, "preview", true, lang);
    let mut actions = String::new();
    if s.can_author() && matches!(item.status, ItemStatus::Draft | ItemStatus::Rejected) {
        actions
            .push_str(&format!("<button type=\"button\" data-action=\"submit\" id=\"submit-item\">{}</button> ", lang.pick("提交审核", "Submit for review")));
    }
    if s.can_author() && item.status != ItemStatus::Retired {
        actions.push_str(&format!("<a href=\"/items/{id}/edit\">{}</a> ", lang.pick("修改（生成新版本）", "Change (new version)")));
    }
    if s.can_review() && item.status == ItemStatus::InReview {
        actions.push_str(&format!(
            "<label for=\"comment\">{}</label><textarea id=\"comment\"></textarea>\
             <button type=\"button\" data-action=\"approve\" id=\"approve\">{}</button> \
             <button type=\"button\" class=\"secondary\" data-action=\"reject\" id=\"reject\">{}</button>",
            lang.pick("审核意见", "Comment"),
            lang.pick("通过", "Approve"),
            lang.pick("退回", "Reject"),
        ));
    }
    if s.can_review() && item.status == ItemStatus::Approved {
        actions.push_str(&format!("<button type=\"button\" class=\"secondary\" data-action=\"retire\">{}</button>", lang.pick("停用", "Retire")));
    }
    let rows: String = history
        .iter()
        .rev()
        .map(|v| {
            format!("<tr><td>v{}</td><td>{}</td><td>{}</td></tr>", v.version, status_badge(v.status, lang), esc(v.review_comment.as_deref().unwrap_or("")))
        })
        .collect();
    let body = format!(
        "<nav class=\"crumbs\"><a href=\"/banks/{bank}\">{back}</a></nav>\
         <section class=\"card\" aria-labelledby=\"pv\"><h2 id=\"pv\">{pv_title}</h2><div id=\"preview\">{preview}</div></section>\
         <section class=\"card\"><h2>{info}</h2><p>{st_label}<span id=\"status\" data-status=\"{st}\">{badge}</span> · v{ver} · {ty}</p>\
         <p>{key_label}<strong id=\"key\">{key}</strong> · {pts_label}{pts}</p>\
         <p class=\"muted\">{pt_label}{pt}{code}</p>\
         <div id=\"actions\" data-item=\"{id}\">{actions}</div><p id=\"action-result\" role=\"status\"></p></section>\
         <section class=\"card\"><h2>{hist}</h2><table><tbody>{rows}</tbody></table></section>",
        bank = item.bank_id,
        back = lang.pick("返回题库", "Back to the bank"),
        pv_title = lang.pick("考生看到的样子", "As the candidate sees it"),
        info = lang.pick("试题信息", "Item"),
        st_label = lang.pick("状态：", "Status: "),
        st = item.status.as_str(),
        badge = status_badge(item.status, lang),
        ver = item.version,
        ty = type_name(item.content.item_type, lang),
        key_label = lang.pick("答案：", "Key: "),
        key = esc(&key_text(&item, lang)),
        pts_label = lang.pick("分值：", "Points: "),
        pts = item.content.points,
        pt_label = lang.pick("鉴定点：", "Outline point: "),
        pt = esc(item.content.outline_point.as_deref().unwrap_or("—")),
        code = item.content.code.as_deref().map(|c| format!(" · {}{}", lang.pick("试题代码：", "Code: "), esc(c))).unwrap_or_default(),
        hist = lang.pick("版本与审核记录", "Versions and reviews"),
    );
    render_with(lang, lang.pick("试题", "Item"), &body, cookie, &["bank.js"])
}

/// The editor: a new item in a bank, or the next version of an item.
pub async fn editor(state: &AppState, lang: Lang, cookie: Option<axum::http::HeaderValue>, bank_id: i64, current: Option<&ItemRecord>) -> Response {
    let _ = state;
    let c = current.map(|r| &r.content);
    let val = |f: &dyn Fn(&exam_protocol::ItemContent) -> String| c.map(f).unwrap_or_default();
    let options: String = (0..6)
        .map(|i| {
            let letter = question_bank::item::choice_letter(i);
            let v = c.and_then(|c| c.choices.get(i)).map(|ch| esc(&question_bank::sanitize::unescape(&ch.content))).unwrap_or_default();
            format!(
                "<div><label for=\"opt-{letter}\">{} {letter}</label><input id=\"opt-{letter}\" data-option=\"{letter}\" value=\"{v}\"></div>",
                lang.pick("选项", "Option")
            )
        })
        .collect();
    let type_opts: String = exam_protocol::ItemType::ALL
        .iter()
        .map(|t| {
            let sel = if c.map(|c| c.item_type) == Some(*t) { " selected" } else { "" };
            format!("<option value=\"{}\"{sel}>{}</option>", t.as_str(), type_name(*t, lang))
        })
        .collect();
    let key = current.map(|r| key_text(r, lang)).unwrap_or_default();
    let target = match current {
        Some(r) => format!("/api/v1/items/{}/versions", r.item_id),
        None => format!("/api/v1/banks/{bank_id}/items"),
    };
    let body = format!(
        "<nav class=\"crumbs\"><a href=\"/banks/{bank_id}\">{back}</a></nav><section class=\"card\"><h2>{title}</h2>\
         <form id=\"item-editor\" data-target=\"{target}\">\
         <label for=\"item-type\">{ty}</label><select id=\"item-type\">{type_opts}</select>\
         <label for=\"stem\">{stem_l}</label><textarea id=\"stem\" required>{stem}</textarea>{options}\
         <label for=\"answer\">{ans_l}</label><input id=\"answer\" value=\"{key}\" required>\
         <p class=\"muted\">{ans_hint}</p>\
         <label for=\"points\">{pts_l}</label><input id=\"points\" type=\"number\" min=\"0.5\" step=\"0.5\" value=\"{pts}\">\
         <label for=\"difficulty\">{dif_l}</label><input id=\"difficulty\" type=\"number\" min=\"1\" max=\"5\" value=\"{dif}\">\
         <label for=\"outline-point\">{pt_l}</label><input id=\"outline-point\" value=\"{pt}\">\
         <label for=\"tags\">{tags_l}</label><input id=\"tags\" value=\"{tags}\">\
         <div><button type=\"button\" class=\"secondary\" id=\"preview-button\">{preview}</button> <button type=\"submit\">{save}</button></div></form>\
         <p id=\"editor-result\" role=\"status\"></p></section>\
         <section class=\"card\" aria-labelledby=\"pv\"><h2 id=\"pv\">{pv_title}</h2><div id=\"live-preview\" aria-live=\"polite\"></div></section>",
        back = lang.pick("返回题库", "Back to the bank"),
        title = if current.is_some() { lang.pick("修改试题（保存为新版本，需重新审核）", "Change item (saved as a new version, reviewed again)") } else { lang.pick("新建试题", "New item") },
        ty = lang.pick("题型", "Type"),
        stem_l = lang.pick("题干（可用 HTML）", "Stem (HTML allowed)"),
        stem = val(&|c| esc(&c.stem)),
        ans_l = lang.pick("答案", "Key"),
        ans_hint = lang.pick("单选填字母；多选填全部正确字母；判断填 对/错；填空题多个空用 ; 分隔，一空多个答案用 / 分隔；简答题填参考答案。", "Single: a letter; multiple: all right letters; true/false: 对 or 错; fill-in: blanks separated by ; and alternatives by /; short answer: a reference answer."),
        pts_l = lang.pick("分值", "Points"),
        pts = c.map(|c| c.points.to_string()).unwrap_or_else(|| "1".into()),
        dif_l = lang.pick("难度（1–5）", "Difficulty (1–5)"),
        dif = val(&|c| c.difficulty.map(|d| d.value().to_string()).unwrap_or_default()),
        pt_l = lang.pick("鉴定点代码", "Outline point"),
        pt = val(&|c| esc(c.outline_point.as_deref().unwrap_or(""))),
        tags_l = lang.pick("标签（逗号分隔）", "Tags (comma separated)"),
        tags = val(&|c| esc(&c.tags.join(","))),
        save = lang.pick("保存", "Save"),
        preview = lang.pick("预览", "Preview"),
        pv_title = lang.pick("考生看到的样子", "As the candidate sees it"),
    );
    render_with(lang, lang.pick("编辑试题", "Edit item"), &body, cookie, &["bank.js"])
}

pub async fn new_item(State(state): State<AppState>, headers: HeaderMap, Path(bank_id): Path<i64>, Query(q): Query<LangQuery>, user: CurrentUser) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    match scope::resolve(&state.db, &user, bank_id).await {
        Ok(s) if s.can_author() => editor(&state, lang, cookie, bank_id, None).await,
        Ok(_) => page_error(lang, ApiError::Forbidden),
        Err(e) => page_error(lang, e),
    }
}

pub async fn edit_item(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Query(q): Query<LangQuery>, user: CurrentUser) -> Response {
    let (lang, cookie) = page_lang(&headers, &q);
    let Ok(Some(item)) = items::current(&state.db, id).await else {
        return page_error(lang, ApiError::NotFound);
    };
    match scope::resolve(&state.db, &user, item.bank_id).await {
        Ok(s) if s.can_author() => editor(&state, lang, cookie, item.bank_id, Some(&item)).await,
        Ok(s) if s.can_read_items() => page_error(lang, ApiError::Forbidden),
        Ok(_) => page_error(lang, ApiError::NotFound),
        Err(e) => page_error(lang, e),
    }
}

/// A file (an image) of the item's current version, for its preview.
pub async fn file(State(state): State<AppState>, Path((id, path)): Path<(i64, String)>, user: CurrentUser) -> Result<Response, ApiError> {
    use axum::response::IntoResponse;
    let item = items::current(&state.db, id).await?.ok_or(ApiError::NotFound)?;
    let s = scope::resolve(&state.db, &user, item.bank_id).await?;
    if !s.can_read_items() {
        return Err(ApiError::NotFound);
    }
    let asset = items::asset(&state.db, item.version_id, &path).await?.ok_or(ApiError::NotFound)?;
    let mut resp = asset.bytes.into_response();
    let mime = axum::http::HeaderValue::from_str(&asset.mime).unwrap_or_else(|_| axum::http::HeaderValue::from_static("application/octet-stream"));
    resp.headers_mut().insert(axum::http::header::CONTENT_TYPE, mime);
    // An SVG opened on its own must not run script.
    resp.headers_mut()
        .insert(axum::http::header::CONTENT_SECURITY_POLICY, axum::http::HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"));
    resp.headers_mut().insert(axum::http::header::X_CONTENT_TYPE_OPTIONS, axum::http::HeaderValue::from_static("nosniff"));
    Ok(resp)
}
