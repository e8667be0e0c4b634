//! The interface language of a request: Dutch by default, English for
//! cross-border partners via `?taal=en` (remembered in a cookie) or an
//! `Accept-Language` that prefers English. Only interface text is translated
//! (the `t` filter of `theme.rs`); content stays in its own language.

use axum::http::{HeaderMap, HeaderValue, header};

tokio::task_local! {
    /// The language of the request being handled (`nl` or `en`).
    pub static TAAL: &'static str;
}

/// The language asked for by the query string, the cookie or the browser.
pub fn negotiate(query: Option<&str>, headers: &HeaderMap) -> (&'static str, bool) {
    let asked = query.unwrap_or_default().split('&').find_map(|p| p.strip_prefix("taal="));
    match asked {
        Some("en") => return ("en", true),
        Some("nl") => return ("nl", true),
        _ => {}
    }
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("taal="));
    match cookie {
        Some("en") => return ("en", false),
        Some("nl") => return ("nl", false),
        _ => {}
    }
    // The first language of Accept-Language that we have decides.
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    for lang in accept.split(',').map(|l| l.split(';').next().unwrap_or("").trim().to_lowercase()) {
        if lang.starts_with("nl") {
            return ("nl", false);
        }
        if lang.starts_with("en") {
            return ("en", false);
        }
    }
    ("nl", false)
}

/// Middleware for pages: sets the language for rendering, remembers an explicit choice.
pub async fn language(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let (taal, explicit) = negotiate(req.uri().query(), req.headers());
    let mut res = TAAL.scope(taal, next.run(req)).await;
    if explicit {
        let cookie = format!("taal={taal}; Path=/; Max-Age=31536000; SameSite=Lax");
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    crate::auth::add_vary(res.headers_mut(), "Accept-Language");
    res.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(taal));
    res
}

/// The language of the request being handled.
pub fn current() -> &'static str {
    TAAL.try_with(|t| *t).unwrap_or("nl")
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::headers as h;

    #[test]
    fn negotiates_dutch_by_default_and_english_on_request() {
        assert_eq!(negotiate(None, &h(&[])), ("nl", false));
        assert_eq!(negotiate(Some("q=x&taal=en"), &h(&[])), ("en", true));
        assert_eq!(negotiate(None, &h(&[("cookie", "a=b; taal=en")])), ("en", false));
        assert_eq!(
            negotiate(None, &h(&[("accept-language", "en-GB,en;q=0.9,nl;q=0.5")])),
            ("en", false)
        );
        assert_eq!(negotiate(None, &h(&[("accept-language", "nl-NL,en;q=0.5")])), ("nl", false));
        assert_eq!(negotiate(Some("taal=nl"), &h(&[("accept-language", "en")])), ("nl", true));
    }
}
