//! The JSON API under `/api/v1`, one file per concept.
mod archive_files;
mod audit;
mod auth;
mod bank_io;
mod banks;
mod evidence_log;
mod exam;
mod exam_sessions;
pub mod exam_ws;
mod health;
mod institutions;
mod items;
mod marking;
mod me;
mod proctoring;
mod review;
mod users;

use axum::http::Method;
use axum::routing::{get, post, put};
use exam_protocol::Role::{self, *};

use super::access::{Access, Route};

const OVERSIGHT: &[Role] = &[Regulator, Supervisor, Operator];
/// Everyone who works with banks in some way; each handler then checks the bank's scope.
const BANK_ROLES: &[Role] = &[Author, Reviewer, InstitutionAdmin, Supervisor, Regulator, Operator];
const BANK_MANAGERS: &[Role] = &[Operator, Regulator, InstitutionAdmin];
/// Who reviews recordings after the fact; each handler then checks the institution's scope.
const REVIEWERS: &[Role] = &[InstitutionAdmin, Supervisor, Regulator];
const ITEM_READERS: &[Role] = &[Author, Reviewer, Regulator];

pub fn routes() -> Vec<Route> {
    vec![
        Route::api(Method::GET, "/healthz", Access::Public, get(health::healthz)),
        Route::api(Method::GET, "/readyz", Access::Public, get(health::readyz)),
        Route::api(Method::GET, "/evidence/log/checkpoint", Access::Public, get(evidence_log::checkpoint)),
        Route::api(Method::GET, "/evidence/log/key", Access::Public, get(evidence_log::key)),
        Route::api(Method::GET, "/evidence/log/tile/{*path}", Access::Public, get(evidence_log::tile)),
        Route::api(Method::POST, "/api/v1/auth/login", Access::Public, post(auth::login)),
        Route::api(Method::POST, "/api/v1/auth/logout", Access::Authenticated, post(auth::logout)),
        Route::api(Method::GET, "/api/v1/me", Access::Authenticated, get(me::me)),
        Route::api(Method::GET, "/api/v1/institutions", Access::Roles(&[Regulator, Supervisor, Operator, InstitutionAdmin]), get(institutions::list)),
        Route::api(Method::POST, "/api/v1/institutions", Access::Roles(&[Regulator, Operator]), post(institutions::create)),
        Route::api(Method::GET, "/api/v1/institutions/{id}", Access::Roles(&[Regulator, Supervisor, Operator, InstitutionAdmin]), get(institutions::get_one)),
        Route::api(Method::POST, "/api/v1/institutions/{id}/inspectors", Access::Roles(&[Regulator]), post(institutions::add_inspector)),
        Route::api(Method::GET, "/api/v1/users", Access::Roles(&[Operator, InstitutionAdmin]), get(users::list)),
        Route::api(Method::POST, "/api/v1/users", Access::Roles(&[Operator, InstitutionAdmin]), post(users::create)),
        Route::api(Method::GET, "/api/v1/users/{id}", Access::Roles(&[Operator, InstitutionAdmin]), get(users::get_one)),
        Route::api(Method::POST, "/api/v1/users/{id}/disable", Access::Roles(&[Operator, InstitutionAdmin]), post(users::disable)),
        Route::api(Method::POST, "/api/v1/users/{id}/password", Access::Roles(&[Operator, InstitutionAdmin]), post(users::reset_password)),
        Route::api(Method::GET, "/api/v1/audit/events", Access::Roles(OVERSIGHT), get(audit::events)),
        Route::api(Method::GET, "/api/v1/audit/verify", Access::Roles(&[Regulator, Operator]), get(audit::verify)),
        Route::api(Method::GET, "/api/v1/banks", Access::Roles(BANK_ROLES), get(banks::list)),
        Route::api(Method::POST, "/api/v1/banks", Access::Roles(BANK_MANAGERS), post(banks::create)),
        Route::api(Method::GET, "/api/v1/banks/{id}", Access::Roles(BANK_ROLES), get(banks::get_one)),
        Route::api(Method::POST, "/api/v1/banks/{id}/members", Access::Roles(BANK_MANAGERS), post(banks::add_member)),
        Route::api(Method::GET, "/api/v1/banks/{id}/outline", Access::Roles(BANK_ROLES), get(banks::get_outline)),
        Route::api(Method::PUT, "/api/v1/banks/{id}/outline", Access::Roles(&[Author, Operator, Regulator, InstitutionAdmin]), put(banks::put_outline)),
        Route::api(Method::GET, "/api/v1/banks/{id}/outline/export", Access::Roles(BANK_ROLES), get(banks::export_outline)),
        Route::api(
            Method::POST,
            "/api/v1/banks/{id}/outline/import",
            Access::Roles(&[Author, Operator, Regulator, InstitutionAdmin]),
            post(banks::import_outline),
        ),
        Route::api(Method::GET, "/api/v1/banks/{id}/blueprints/{level}", Access::Roles(BANK_ROLES), get(banks::get_blueprint)),
        Route::api(
            Method::PUT,
            "/api/v1/banks/{id}/blueprints/{level}",
            Access::Roles(&[Author, Reviewer, Operator, Regulator, InstitutionAdmin]),
            put(banks::put_blueprint),
        ),
        Route::api(Method::GET, "/api/v1/banks/{id}/blueprints/{level}/feasibility", Access::Roles(BANK_ROLES), get(banks::feasibility)),
        Route::api(Method::GET, "/api/v1/banks/{id}/items", Access::Roles(ITEM_READERS), get(items::search)),
        Route::api(Method::POST, "/api/v1/banks/{id}/items", Access::Roles(&[Author]), post(items::create)),
        Route::api(Method::POST, "/api/v1/banks/{id}/import", Access::Roles(&[Author]), post(bank_io::import)),
        Route::api(Method::GET, "/api/v1/banks/{id}/export", Access::Roles(&[Reviewer, Regulator]), get(bank_io::export)),
        Route::api(Method::POST, "/api/v1/import/check", Access::Roles(BANK_ROLES), post(bank_io::check)),
        Route::api(Method::POST, "/api/v1/items/preview", Access::Roles(&[Author, Reviewer]), post(items::preview)),
        Route::api(Method::GET, "/api/v1/items/{id}", Access::Roles(ITEM_READERS), get(items::get_one)),
        Route::api(Method::GET, "/api/v1/items/{id}/history", Access::Roles(ITEM_READERS), get(items::history)),
        Route::api(Method::POST, "/api/v1/items/{id}/versions", Access::Roles(&[Author]), post(items::revise)),
        Route::api(Method::POST, "/api/v1/items/{id}/images", Access::Roles(&[Author]), post(items::add_image)),
        Route::api(Method::POST, "/api/v1/items/{id}/submit", Access::Roles(&[Author]), post(items::submit)),
        Route::api(Method::POST, "/api/v1/items/{id}/review", Access::Roles(&[Reviewer]), post(items::review)),
        Route::api(Method::POST, "/api/v1/items/{id}/retire", Access::Roles(&[Reviewer]), post(items::retire)),
        Route::api(Method::GET, "/api/v1/review-queue", Access::Roles(&[Reviewer]), get(items::review_queue)),
        Route::api(Method::POST, "/api/v1/sessions", Access::Roles(&[InstitutionAdmin]), post(exam_sessions::create)),
        Route::api(Method::GET, "/api/v1/sessions", Access::Roles(&[InstitutionAdmin]), get(exam_sessions::list)),
        Route::api(Method::POST, "/api/v1/sessions/{id}/names", Access::Roles(&[InstitutionAdmin]), post(exam_sessions::rename)),
        Route::api(Method::POST, "/api/v1/sessions/{id}/cancel", Access::Roles(&[InstitutionAdmin]), post(exam_sessions::cancel)),
        Route::api(Method::POST, "/api/v1/sessions/{id}/schedule", Access::Roles(&[InstitutionAdmin]), post(exam_sessions::reschedule)),
        Route::api(Method::POST, "/api/v1/batches/rename", Access::Roles(&[InstitutionAdmin]), post(exam_sessions::rename_batch)),
        Route::api(Method::POST, "/api/v1/batches/cancel", Access::Roles(&[InstitutionAdmin]), post(exam_sessions::cancel_batch)),
        Route::api(Method::POST, "/api/v1/rosters/check", Access::Roles(&[InstitutionAdmin]), post(exam_sessions::check_roster)),
        Route::api(Method::GET, "/api/v1/sessions/{id}", Access::Roles(&[InstitutionAdmin]), get(exam_sessions::get_one)),
        Route::api(Method::GET, "/api/v1/sessions/{id}/room", Access::Roles(&[Proctor, InstitutionAdmin, Supervisor]), get(proctoring::room)),
        Route::api(Method::GET, "/api/v1/sessions/{id}/events", Access::Roles(&[Proctor, InstitutionAdmin, Supervisor]), get(proctoring::feed)),
        Route::api(Method::GET, "/api/v1/sessions/{id}/summary", Access::Roles(&[Proctor, InstitutionAdmin]), get(proctoring::summary)),
        Route::api(Method::POST, "/api/v1/sessions/{id}/candidates/{candidate_id}/actions", Access::Roles(&[Proctor]), post(proctoring::act)),
        Route::api(
            Method::GET,
            "/api/v1/sessions/{id}/candidates/{candidate_id}/photo",
            Access::Roles(&[Proctor, InstitutionAdmin, Supervisor]),
            get(proctoring::photo),
        ),
        Route::api(
            Method::GET,
            "/api/v1/sessions/{id}/candidates/{candidate_id}/roster-photo",
            Access::Roles(&[Proctor, InstitutionAdmin, Supervisor]),
            get(proctoring::roster_photo),
        ),
        Route::api(
            Method::POST,
            "/api/v1/sessions/{id}/candidates/{candidate_id}/roster-photo",
            Access::Roles(&[InstitutionAdmin]),
            post(proctoring::upload_roster_photo),
        ),
        Route::api(Method::POST, "/api/v1/sessions/{id}/candidates/{candidate_id}/watch", Access::Roles(&[Proctor, Supervisor]), post(proctoring::watch)),
        Route::api(Method::GET, "/api/v1/sessions/{id}/marking", Access::Roles(&[Proctor, InstitutionAdmin]), get(marking::progress)),
        Route::api(Method::GET, "/api/v1/marking/next", Access::Roles(&[Proctor]), get(marking::next)),
        Route::api(Method::POST, "/api/v1/marking/{id}", Access::Roles(&[Proctor]), post(marking::mark)),
        Route::api(Method::POST, "/api/v1/exam/login", Access::Public, post(exam::login)),
        Route::api(Method::GET, "/api/v1/exam/status", Access::Roles(&[Candidate]), get(exam::status)),
        Route::api(Method::POST, "/api/v1/exam/commitment", Access::Roles(&[Candidate]), post(exam::commitment)),
        Route::api(Method::POST, "/api/v1/exam/start", Access::Roles(&[Candidate]), post(exam::start)),
        Route::api(Method::GET, "/api/v1/exam/paper", Access::Roles(&[Candidate]), get(exam::paper)),
        Route::api(Method::POST, "/api/v1/exam/answers", Access::Roles(&[Candidate]), post(exam::answer)),
        Route::api(Method::POST, "/api/v1/exam/hand-in", Access::Roles(&[Candidate]), post(exam::hand_in)),
        Route::api(Method::POST, "/api/v1/exam/events", Access::Roles(&[Candidate]), post(exam::integrity)),
        Route::api(Method::GET, "/api/v1/exam/ws", Access::Roles(&[Candidate]), get(exam_ws::upgrade)),
        Route::api(Method::POST, "/api/v1/exam/photo", Access::Roles(&[Candidate]), post(exam::photo)),
        Route::api(Method::GET, "/api/v1/exam/receipt", Access::Roles(&[Candidate]), get(exam::receipt)),
        Route::api(Method::POST, "/api/v1/sessions/{id}/scans", Access::Roles(&[InstitutionAdmin]), post(archive_files::upload_scan)),
        Route::api(Method::POST, "/api/v1/sessions/{id}/documents", Access::Roles(&[InstitutionAdmin]), post(archive_files::generate_documents)),
        Route::api(Method::GET, "/api/v1/sessions/{id}/files", Access::Roles(&[InstitutionAdmin, Supervisor, Regulator]), get(archive_files::of_session)),
        Route::api(Method::GET, "/api/v1/archive/{id}", Access::Roles(&[InstitutionAdmin, Supervisor, Regulator]), get(archive_files::download)),
        Route::api(Method::POST, "/api/v1/archive/{id}/hold", Access::Roles(&[Regulator]), post(archive_files::hold)),
        Route::api(Method::GET, "/api/v1/archive/{id}/play", Access::Roles(REVIEWERS), get(review::play_segment)),
        Route::api(Method::GET, "/api/v1/archive/{id}/thumbnails", Access::Roles(REVIEWERS), get(review::segment_thumbnails)),
        Route::api(Method::GET, "/api/v1/playback/{id}", Access::Roles(REVIEWERS), get(review::of_candidate)),
        Route::api(Method::POST, "/api/v1/playback/{id}/findings", Access::Roles(REVIEWERS), post(review::add_finding)),
        Route::api(Method::GET, "/api/v1/exam/media", Access::Roles(&[Candidate]), get(exam::media)),
    ]
}
