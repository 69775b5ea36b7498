//! HTTP: the shared state, the router built from the route table, and the layers every
//! request passes (request log, body limit, localised errors).
pub mod access;
pub mod api;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod messages;
pub mod origin;
pub mod session_cookie;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::{from_fn, from_fn_with_state};
use tower_http::trace::TraceLayer;

use access::{Route, RouteRule, authorize};
use exam_application::App;
use exam_application::clock::Clock;
use exam_application::config::Settings;
use exam_records::Db;

/// A file download: its bytes, media type and the name a browser saves it under.
pub fn attachment(bytes: Vec<u8>, mime: &'static str, file_name: &str) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let mut resp = bytes.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// The application's running parts, and what only HTTP needs beside them.
#[derive(Debug, Clone)]
pub struct AppState {
    pub app: App,
    /// Reverse proxies whose client-address header is believed.
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
}

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

impl AppState {
    /// Needs a Tokio runtime (see [`App::new`]).
    pub fn new(db: Db, settings: Settings) -> anyhow::Result<Self> {
        Self::with_clock(db, settings, Clock::system())
    }

    /// As [`AppState::new`], reading the time from `clock`.
    pub fn with_clock(db: Db, settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let trusted_proxies = Arc::new(extract::parse_proxies(&settings.http.trusted_proxies)?);
        Ok(AppState { app: App::new(db, settings, clock)?, trusted_proxies })
    }
}

fn all_routes() -> Vec<Route> {
    let mut routes = api::routes();
    routes.extend(crate::pages::routes());
    routes
}

/// Every route with its access rule: what the role × route test walks.
pub fn rules() -> Vec<RouteRule> {
    all_routes().into_iter().map(|r| r.rule).collect()
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for Route { rule, handler } in all_routes() {
        let path = rule.path;
        let guarded = handler.route_layer(from_fn_with_state((state.clone(), rule), authorize));
        router = router.route(path, guarded);
    }
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request| {
            // The route template, never the raw URI: paths and queries may carry ids or tokens.
            let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
            tracing::info_span!("request", method = %req.method(), route = route.as_deref().unwrap_or("-"))
        })
        .on_request(())
        .on_response(|resp: &axum::response::Response, latency: Duration, _span: &tracing::Span| {
            tracing::info!(status = resp.status().as_u16(), latency_ms = latency.as_millis() as u64, "response");
        });
    router
        .layer(DefaultBodyLimit::max(state.settings.http.max_body_bytes))
        .layer(from_fn_with_state(state.clone(), origin::same_origin))
        .layer(from_fn(no_store))
        .layer(from_fn(error::localize))
        .layer(trace)
        .with_state(state)
}

/// Nothing but the static files may be kept by a browser or a proxy: pages and answers carry
/// papers, names, scores and keys (for authors).
async fn no_store(req: Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let mut resp = next.run(req).await;
    if !resp.headers().contains_key(header::CACHE_CONTROL) {
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}
