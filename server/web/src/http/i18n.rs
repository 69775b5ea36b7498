//! The user's language: Simplified Chinese unless the `lang` cookie or `Accept-Language` asks
//! for English.
use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};

pub use exam_application::lang::Lang;

/// The page cookie wins (the user pressed the switch), then `Accept-Language`.
pub fn from_headers(headers: &HeaderMap) -> Lang {
    if let Some(l) = cookie(headers, "lang").and_then(|v| Lang::parse_tag(&v)) {
        return l;
    }
    headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(best_accept_language).unwrap_or_default()
}

/// Pages are Simplified Chinese unless the user pressed the English switch (the cookie);
/// a browser's English `Accept-Language` alone does not turn them.
pub fn for_page(headers: &HeaderMap) -> Lang {
    cookie(headers, "lang").and_then(|v| Lang::parse_tag(&v)).unwrap_or_default()
}

/// The supported language with the highest q-value in an `Accept-Language` header.
fn best_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for part in header.split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or("");
        let q = pieces.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
        if let Some(lang) = Lang::parse_tag(tag)
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l)
}

/// A cookie's value from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_by_quality() {
        assert_eq!(best_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(best_accept_language("fr, en;q=0.5, zh-CN;q=0.8"), Some(Lang::Zh));
        assert_eq!(best_accept_language("fr"), None);
    }

    #[test]
    fn cookie_wins_over_header() {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT_LANGUAGE, "en".parse().expect("header"));
        assert_eq!(from_headers(&h), Lang::En);
        h.insert(COOKIE, "a=b; lang=zh-CN".parse().expect("header"));
        assert_eq!(from_headers(&h), Lang::Zh);
        assert_eq!(from_headers(&HeaderMap::new()), Lang::Zh);
    }
}
