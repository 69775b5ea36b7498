//! The web layer: the router with each route's access rule (`http/access.rs`), the JSON API
//! (`http/api/`, one file per concept, the exam's WebSocket transport among them), errors as
//! HTTP with their messages in Chinese and English, and the server-rendered pages with their
//! static files. Handlers are thin: they read the request, call the application, and answer.

pub mod http;
pub mod pages;

use std::net::SocketAddr;

use anyhow::Context;
use exam_application::clock::Clock;
use exam_application::config::Settings;
use exam_application::{audit, exams, open_db};
use exam_records::Db;
use tokio::net::TcpListener;

pub use http::AppState;

/// A server bound to its address, ready to serve.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

impl Server {
    pub async fn bind(settings: Settings) -> anyhow::Result<Server> {
        let db = open_db(&settings).await?;
        Self::bind_with_db(settings, db).await
    }

    pub async fn bind_with_db(settings: Settings, db: Db) -> anyhow::Result<Server> {
        Self::bind_with_clock(settings, db, Clock::system()).await
    }

    /// As [`Server::bind_with_db`], with the use cases reading `clock`.
    pub async fn bind_with_clock(settings: Settings, db: Db, clock: Clock) -> anyhow::Result<Server> {
        let listener = TcpListener::bind(settings.listen).await.with_context(|| format!("binding {}", settings.listen))?;
        let state = AppState::with_clock(db, settings, clock)?;
        // What the archive enforces by itself, found with a canary before serving. An archive
        // that is down does not stop the server (files wait in the spool), unless the settings
        // require a backend proved to enforce its locks.
        let require = state.settings.archive.require_enforcing_backend;
        match state.archive.probe(state.clock.now_ms(), require).await {
            Ok(_) => {}
            Err(e) if require => return Err(e),
            Err(e) => tracing::warn!(error = %e, "archive canary failed; files wait in the spool until the archive answers"),
        }
        // Segments a crash left unfinished are closed, kept and logged as recovered.
        let recordings = state.media.config().recordings_dir.clone();
        if let Err(e) = exam_application::evidence::segments::recover(&state.app, &recordings).await {
            tracing::warn!(error = %e, "unfinished recording segments not recovered");
        }
        Ok(Server { listener, state })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes the requests in flight.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let sweeper = exams::sweeper::spawn(self.state.app.clone());
        let heads = audit::heads::spawn(self.state.db.clone(), self.state.settings.data_dir.clone());
        let uploader = self.state.archive.spawn_uploader(self.state.db.clone(), self.state.clock.clone());
        let evidence_jobs = exam_application::evidence::jobs::spawn(self.state.app.clone());
        let state = self.state.clone();
        let app = http::router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        // No Nagle: an acknowledgement is a small message that must leave at once, not wait up
        // to 200 ms for the candidate's delayed TCP ACK of the one before it.
        let listener = axum::serve::ListenerExt::tap_io(self.listener, |tcp: &mut tokio::net::TcpStream| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY not set");
            }
        });
        let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await.context("serving HTTP");
        sweeper.abort();
        heads.abort();
        uploader.abort();
        evidence_jobs.abort();
        // The head as it stands at shutdown, so the last events are anchored too.
        if let Err(e) = audit::heads::record(
            &state.db,
            &state.settings.data_dir,
            exam_application::clock::now_ms(),
            audit::heads::last(&state.settings.data_dir).map(|(s, _)| s),
        )
        .await
        {
            tracing::warn!(error = %e, "audit head not written at shutdown");
        }
        served
    }
}
