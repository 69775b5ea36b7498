//! The exam server: configuration, records (SQLite or PostgreSQL), accounts and roles, the
//! audit trail, the JSON API and the server-rendered pages. `main.rs` is only the CLI.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod banks;
pub mod clock;
pub mod config;
pub mod demo;
mod demo_bank;
pub mod demo_bench;
pub mod demo_guard;
mod demo_session;
pub mod events;
pub mod exams;
pub mod http;
pub mod pages;

use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;

use config::Settings;
use exam_records::Db;
use http::AppState;

/// Opens the database and applies any migration not yet applied.
pub async fn open_db(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect_with(&settings.effective_database_url(), settings.database_pool).await?;
    db.migrate().await?;
    Ok(db)
}

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
        let listener = TcpListener::bind(settings.listen).await.with_context(|| format!("binding {}", settings.listen))?;
        Ok(Server { listener, state: AppState::new(db, settings)? })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes the requests in flight.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let sweeper = exams::sweeper::spawn(self.state.clone());
        let heads = audit::heads::spawn(self.state.db.clone(), self.state.settings.data_dir.clone());
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
        // The head as it stands at shutdown, so the last events are anchored too.
        if let Err(e) =
            audit::heads::record(&state.db, &state.settings.data_dir, crate::clock::now_ms(), audit::heads::last(&state.settings.data_dir).map(|(s, _)| s))
                .await
        {
            tracing::warn!(error = %e, "audit head not written at shutdown");
        }
        served
    }
}
