//! The pages' own scripts (ES modules), built into the binary (no separate front-end build).
use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str)] = &[
    ("common.js", include_str!("../../static/common.js")),
    ("bank.js", include_str!("../../static/bank.js")),
    ("exam.js", include_str!("../../static/exam.js")),
    ("exam_state.js", include_str!("../../static/exam_state.js")),
    ("proctor.js", include_str!("../../static/proctor.js")),
    ("marking.js", include_str!("../../static/marking.js")),
    ("exam_media.js", include_str!("../../static/exam_media.js")),
    ("proctor_media.js", include_str!("../../static/proctor_media.js")),
    ("console.js", include_str!("../../static/console.js")),
    ("audit.js", include_str!("../../static/audit.js")),
    ("users.js", include_str!("../../static/users.js")),
    ("print.js", include_str!("../../static/print.js")),
    ("favicon.svg", include_str!("../../static/favicon.svg")),
];

/// Browsers ask for `/favicon.ico` whatever the page says; they get the same SVG.
pub async fn favicon() -> Response {
    serve(Path("favicon.svg".to_string())).await
}

pub async fn serve(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _)| *n == name) {
        Some((_, body)) => {
            let mut resp = (*body).into_response();
            let mime = if name.ends_with(".svg") { "image/svg+xml" } else { "text/javascript; charset=utf-8" };
            resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(mime));
            resp.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            resp
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
