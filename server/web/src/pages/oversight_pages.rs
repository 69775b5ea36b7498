//! Pages for oversight: the audit trail (filter by action, follow one object, run the chain
//! check) and the filed institutions with their occupations and levels.
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use exam_protocol::{InstitutionKind, Role};
use serde::Deserialize;

use super::layout::{Frame, PageCtx};
use crate::http::AppState;
use crate::http::access::CurrentUser;
use exam_application::{audit, institutions};

const PAGE: i64 = 100;

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    after: i64,
    #[serde(default)]
    action: String,
    #[serde(default)]
    target: String,
}

struct EventRow {
    seq: i64,
    at_ms: i64,
    actor: String,
    action: String,
    target: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    f: Frame,
    can_verify: bool,
    actions: Vec<(&'static str, &'static str)>,
    filter_action: String,
    filter_target: String,
    events: Vec<EventRow>,
    next: Option<i64>,
}

pub async fn audit_trail(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = ctx.lang;
    let Ok(Query(q)) = query else {
        return ctx.error(crate::http::error::ApiError::Validation("invalid_query"));
    };
    let filter = audit::Filter {
        after: q.after.max(0),
        limit: PAGE,
        action: Some(q.action.trim()).filter(|a| !a.is_empty()).map(str::to_string),
        target: Some(q.target.trim()).filter(|t| !t.is_empty()).map(|t| t.chars().take(100).collect()),
    };
    let events = match audit::search(&state, &user, &filter).await {
        Ok(e) => e,
        Err(e) => return ctx.error(e),
    };
    let next = (events.len() as i64 == PAGE).then(|| events.last().map(|e| e.seq)).flatten();
    let page = AuditPage {
        f: ctx.frame(lang.pick("审计记录", "Audit trail")).scripts(&["audit.js"]),
        can_verify: matches!(user.role(), Role::Regulator | Role::Operator),
        actions: audit::ACTIONS.iter().map(|(a, zh, en)| (*a, lang.pick(zh, en))).collect(),
        filter_action: filter.action.clone().unwrap_or_default(),
        filter_target: filter.target.clone().unwrap_or_default(),
        events: events
            .into_iter()
            .map(|e| EventRow {
                seq: e.seq,
                at_ms: e.at_ms,
                actor: match (e.actor_role.as_deref().and_then(Role::parse), e.actor_id) {
                    (Some(r), Some(id)) => format!("{} #{id}", super::layout::role_name(r, lang)),
                    _ => lang.pick("系统", "System").to_string(),
                },
                action: audit::action_name(&e.action, lang),
                target: e.target,
                detail: e.detail,
            })
            .collect(),
        next,
    };
    ctx.respond(&page)
}

struct InstitutionRow {
    id: i64,
    inspectors: Vec<String>,
    filing_number: String,
    name: String,
    kind: &'static str,
    filings: Vec<String>,
}

#[derive(Template)]
#[template(path = "institutions.html")]
struct InstitutionsPage {
    f: Frame,
    can_audit: bool,
    can_file: bool,
    kinds: Vec<(&'static str, &'static str)>,
    /// For regulators: the supervisors to choose from.
    supervisors: Vec<(i64, String)>,
    institutions: Vec<InstitutionRow>,
}

pub async fn institutions(State(state): State<AppState>, ctx: PageCtx, user: CurrentUser) -> Response {
    let lang = ctx.lang;
    let list = match institutions::with_filings(&state, &user).await {
        Ok(l) => l,
        Err(e) => return ctx.error(e),
    };
    let (supervisors, mut assigned) =
        if user.role() == Role::Regulator { institutions::inspection_choices(&state, &user).await.unwrap_or_default() } else { Default::default() };
    let page = InstitutionsPage {
        f: ctx.frame(lang.pick("评价机构与备案", "Institutions and filings")).scripts(&["users.js"]),
        supervisors,
        can_audit: matches!(user.role(), Role::Regulator | Role::Supervisor | Role::Operator),
        can_file: matches!(user.role(), Role::Regulator | Role::Operator),
        kinds: [InstitutionKind::SocialOrganisation, InstitutionKind::Enterprise, InstitutionKind::College]
            .into_iter()
            .map(|k| (k.as_str(), super::layout::institution_kind(k, lang)))
            .collect(),
        institutions: list
            .into_iter()
            .map(|(i, filings)| InstitutionRow {
                id: i.id,
                inspectors: assigned.remove(&i.id).unwrap_or_default().into_iter().map(|(_, n)| n).collect(),
                filing_number: i.filing_number,
                name: i.name,
                kind: super::layout::institution_kind(i.kind, lang),
                filings: filings.into_iter().map(|(occ, level)| format!("{occ} · {}{level}", lang.pick("等级 ", "level "))).collect(),
            })
            .collect(),
    };
    ctx.respond(&page)
}
