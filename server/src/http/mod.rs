//! HTTP: the shared state, the router built from the route table, and the layers every
//! request passes (request log, body limit, localised errors).
pub mod access;
mod api;
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

use crate::auth::rate_limit::RateLimiter;
use crate::config::Settings;
use crate::events::{Event, EventBus};
use crate::exams::answer_writer::AnswerWriter;
use crate::exams::paper_view::{CLOCK_TTL_ANNOUNCED, CLOCK_TTL_UNANNOUNCED, PaperCache};
use access::{Route, RouteRule, authorize};
use anyhow::Context;
use exam_records::{Backend, Db};

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

#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    /// Per-minute counters of what clients repeat (sign-ins, integrity events), in Redis when
    /// configured.
    pub limiter: Arc<RateLimiter>,
    /// Reverse proxies whose client-address header is believed.
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
    /// The one writer of answers for this database.
    pub answers: AnswerWriter,
    pub papers: Arc<PaperCache>,
    /// Live events, between processes too when Redis is configured.
    pub events: EventBus,
    /// Candidates' camera, microphone and screen: received, recorded, forwarded to proctors.
    pub media: media::sfu::MediaServer,
    /// Which candidates' tracks flow into any process, and watching them from this one.
    pub media_cluster: Arc<crate::exams::media_cluster::MediaCluster>,
    /// Candidates' open sockets, for notices and media changes meant for one of them.
    pub candidate_channels: Arc<crate::exams::candidate_channels::CandidateChannels>,
    /// Where every use case reads the time: the system's, or a test clock.
    pub clock: crate::clock::Clock,
}

impl AppState {
    /// Needs a Tokio runtime: it starts the answer writer and the event listeners. Fails only on
    /// a Redis URL that cannot be parsed; an unreachable Redis is retried in the background.
    pub fn new(db: Db, settings: Settings) -> anyhow::Result<Self> {
        Self::with_clock(db, settings, crate::clock::Clock::system())
    }

    /// As [`AppState::new`], reading the time from `clock`.
    pub fn with_clock(db: Db, settings: Settings, clock: crate::clock::Clock) -> anyhow::Result<Self> {
        let limiter = RateLimiter::new(&settings.redis_url, &settings.redis_channel).context("EXAM_REDIS_URL / redis_url is not a Redis URL")?;
        let trusted_proxies = Arc::new(extract::parse_proxies(&settings.http.trusted_proxies)?);
        let answers = AnswerWriter::spawn(db.clone());
        let events = EventBus::from_settings(&settings)?;
        // Several processes may share a PostgreSQL database; without Redis they cannot tell each
        // other about clock changes, so each trusts its cached clocks only briefly.
        let shared_db_unannounced = !events.is_shared() && db.backend == Backend::Postgres;
        let papers = Arc::new(PaperCache::new(if shared_db_unannounced { CLOCK_TTL_UNANNOUNCED } else { CLOCK_TTL_ANNOUNCED }));
        papers.follow(&events);
        let media = media::sfu::MediaServer::new(settings.media_config()?);
        // What a recording writes per track is capped: a browser sending more fills no disk.
        media.set_recorder_limits(media::sfu::RecorderLimits {
            max_video_kbps: settings.media.max_video_kbps,
            max_audio_kbps: settings.media.max_audio_kbps,
            ..Default::default()
        });
        let candidate_channels = Arc::new(crate::exams::candidate_channels::CandidateChannels::default());
        candidate_channels.dispatch(&events, &media);
        let media_cluster = crate::exams::media_cluster::MediaCluster::start(media.clone(), events.clone());
        let state = Self {
            db,
            settings: Arc::new(settings),
            limiter: Arc::new(limiter),
            trusted_proxies,
            answers,
            papers,
            events,
            media,
            media_cluster,
            candidate_channels,
            clock,
        };
        crate::exams::media_log::spawn(state.clone());
        Ok(state)
    }

    /// A paper's status or clock changed: forget it here at once, and tell the candidate's
    /// sockets and the other processes.
    pub fn paper_changed(&self, paper_id: i64, candidate_id: i64) {
        self.papers.invalidate(paper_id);
        self.events.publish(Event::PaperChanged { paper_id, candidate_id });
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
