//! The application: the use cases (accounts and sign-in, banks, sessions, the candidate's
//! flow, proctoring, marking, the audit trail), the running parts they share ([`App`]: the
//! answer writer, paper cache, event bus, media server and cluster, candidates' channels,
//! background jobs), the acting person ([`Actor`]) and the clock. It knows the records crate
//! and nothing of HTTP: the web crate turns requests into calls here and [`AppError`] into
//! responses.

pub mod accounts;
pub mod actor;
mod app;
pub mod archive;
pub mod audit;
pub mod auth;
pub mod banks;
pub mod clock;
pub mod config;
pub mod demo;
pub mod documents;
pub mod error;
pub mod events;
pub mod evidence;
pub mod exams;
pub mod institutions;
pub mod lang;
pub mod review;
pub mod rules;

pub use actor::Actor;
pub use app::App;
pub use error::AppError;

use config::Settings;
use exam_records::Db;

/// Opens the database and applies any migration not yet applied.
pub async fn open_db(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect_with(&settings.effective_database_url(), settings.database_pool).await?;
    db.migrate().await?;
    Ok(db)
}
