//! Permanent redirects from a former region slug (`regio-aliassen` in the
//! vocabulary) to the region it merged into, for every URL that names a region:
//! dossier pages and their API, region pages, their API and region feeds.

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// How long a client may remember a redirect: aliases are meant to last, but a
/// vocabulary can still be corrected.
const REMEMBER: &str = "public, max-age=86400";

/// Middleware: answers `301 Moved Permanently` when the path's region segment is
/// a former region slug; passes every other request on.
pub async fn former_regions(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(loaded) = state.loaded()
        && let Some(to) = moved_path(req.uri().path(), |r| {
            let c = loaded.vocab().canonical_regio(r);
            (c != r).then(|| c.to_string())
        })
    {
        let location = match req.uri().query() {
            Some(q) => format!("{to}?{q}"),
            None => to,
        };
        if let Ok(value) = HeaderValue::from_str(&location) {
            return (
                StatusCode::MOVED_PERMANENTLY,
                [
                    (header::LOCATION, value),
                    (header::CACHE_CONTROL, HeaderValue::from_static(REMEMBER)),
                ],
            )
                .into_response();
        }
    }
    next.run(req).await
}

/// The path with its region segment replaced, when `rename` renames it.
fn moved_path(path: &str, rename: impl Fn(&str) -> Option<String>) -> Option<String> {
    let mut parts: Vec<&str> = path.split('/').collect();
    let at = match parts.as_slice() {
        ["", "dossiers", _, _, ..] | ["", "regios", _, ..] => 2,
        ["", "api", "v1", "dossiers", _, _, ..] | ["", "api", "v1", "regios", _, ..] => 4,
        _ => return None,
    };
    // `oost%2Dbrabant` names the same region as `oost-brabant`.
    let segment = percent_encoding::percent_decode_str(parts[at]).decode_utf8().ok()?;
    let to = rename(&segment)?;
    parts[at] = &to;
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::moved_path;

    fn rename(r: &str) -> Option<String> {
        (r == "oost-brabant").then(|| "zeeland-brabant".to_string())
    }

    #[test]
    fn only_the_region_segment_of_region_urls_is_renamed() {
        for (from, to) in [
            ("/dossiers/oost-brabant/x", Some("/dossiers/zeeland-brabant/x")),
            ("/regios/oost-brabant", Some("/regios/zeeland-brabant")),
            ("/regios/oost%2Dbrabant", Some("/regios/zeeland-brabant")),
            ("/regios/oost-brabant/feed.atom", Some("/regios/zeeland-brabant/feed.atom")),
            (
                "/api/v1/dossiers/oost-brabant/x/vergelijkbaar",
                Some("/api/v1/dossiers/zeeland-brabant/x/vergelijkbaar"),
            ),
            ("/dossiers/oost-brabant", None),
            ("/dossiers/limburg/oost-brabant", None),
            ("/themas/oost-brabant", None),
            ("/regios", None),
            ("/api/v1/dossiers/oost-brabant", None),
            ("/api/v1/regios/oost-brabant", Some("/api/v1/regios/zeeland-brabant")),
        ] {
            assert_eq!(moved_path(from, rename).as_deref(), to, "{from}");
        }
    }
}
