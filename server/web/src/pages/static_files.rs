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
    ("tickets.js", include_str!("../../static/tickets.js")),
    ("files.js", include_str!("../../static/files.js")),
    ("outline.js", include_str!("../../static/outline.js")),
    ("record_words.js", include_str!("../../static/record_words.js")),
    ("playback.js", include_str!("../../static/playback.js")),
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

#[cfg(test)]
mod tests {
    use exam_application::exams::summary::stage_name;
    use exam_application::lang::Lang;
    use exam_protocol::Stage;

    /// The room (proctor.js) and the score summary name a candidate's status with the same words.
    #[test]
    fn the_room_and_the_summary_use_the_same_status_words() {
        let js = include_str!("../../static/proctor.js");
        let all = [Stage::Commitment, Stage::Waiting, Stage::Ready, Stage::InProgress, Stage::Paused, Stage::HandedIn, Stage::Terminated, Stage::EntryClosed];
        for stage in all {
            let key = serde_json::to_value(stage).expect("stage").as_str().expect("name").to_string();
            for lang in [Lang::Zh, Lang::En] {
                let word = stage_name(stage, lang);
                assert!(js.contains(&format!("{key}: t(")) && js.contains(&format!("\"{word}\"")), "{key} is \"{word}\" in the summary but not in the room");
            }
        }
    }
}
