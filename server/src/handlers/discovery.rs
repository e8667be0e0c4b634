//! Being found and followed: Atom feeds (everything, per thema, per region,
//! per collection, and any search as a saved-search feed), `sitemap.xml`, `robots.txt` and
//! `/.well-known/security.txt` (RFC 9116). Absolute URLs come from
//! `site_url` only, never from the Host header. Feeds show what the reader
//! may see, like every other view.

use crate::error::{PageError, Problem};
use crate::params;
use crate::state::AppState;
use crate::view::View;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use indexer::model::{Dossier, PartialDate};
use indexer::text::escape_html as esc;
use std::fmt::Write;

/// Most entries in a feed.
const FEED_ENTRIES: usize = 50;

fn base(state: &AppState) -> &str {
    state.config.site_url.trim_end_matches('/')
}

fn rfc3339(d: Option<PartialDate>) -> String {
    let d = d.unwrap_or(PartialDate {
        year: 2020,
        month: Some(1),
        day: Some(1),
    });
    format!("{:04}-{:02}-{:02}T00:00:00Z", d.year, d.month.unwrap_or(1), d.day.unwrap_or(1))
}

fn xml(body: String, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// Renders an Atom feed of `dossiers` (newest first).
fn atom(state: &AppState, lib: &indexer::Library, title: &str, self_path: &str, html_path: &str, dossiers: &[&Dossier]) -> Response {
    let base = base(state);
    let updated = dossiers.iter().filter_map(|d| d.updated).max();
    let mut o = String::new();
    let _ = write!(
        o,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"nl\">\n<title>{}</title>\n<id>{}</id>\n<link rel=\"self\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<updated>{}</updated>\n<author><name>Tegenkracht</name></author>\n",
        esc(title),
        esc(&format!("{base}{self_path}")),
        esc(&format!("{base}{self_path}")),
        esc(&format!("{base}{html_path}")),
        rfc3339(updated)
    );
    for d in dossiers.iter().take(FEED_ENTRIES) {
        let url = format!("{base}/dossiers/{}", d.id);
        let _ = write!(
            o,
            "<entry>\n<title>{}</title>\n<id>{}</id>\n<link href=\"{}\"/>\n<updated>{}</updated>\n<summary>{}</summary>\n",
            esc(&d.meta.titel),
            esc(&url),
            esc(&url),
            rfc3339(d.updated),
            esc(&d.meta.samenvatting)
        );
        let _ = writeln!(
            o,
            "<category term=\"{}\" label=\"{}\"/>",
            esc(&d.meta.regio),
            esc(lib.vocab.regios.name(&d.meta.regio))
        );
        for t in &d.meta.themas {
            let _ = writeln!(o, "<category term=\"{}\" label=\"{}\"/>", esc(t), esc(lib.thema_name(t)));
        }
        o.push_str("</entry>\n");
    }
    o.push_str("</feed>\n");
    xml(o, "application/atom+xml; charset=utf-8")
}

/// `/feed.atom`: every dossier, newest first.
pub async fn feed(State(state): State<AppState>, v: View) -> Result<Response, PageError> {
    let lib = &v.shelf().library;
    Ok(atom(
        &state,
        lib,
        "Tegenkracht: nieuw en bijgewerkt",
        "/feed.atom",
        "/",
        &lib.recent(),
    ))
}

/// `/themas/{slug}/feed.atom`.
pub async fn thema_feed(State(state): State<AppState>, v: View, Path(slug): Path<String>) -> Result<Response, PageError> {
    let lib = &v.shelf().library;
    let p = lib.playbook(&slug).ok_or(Problem::NotFound)?;
    let ds: Vec<&Dossier> = lib.recent().into_iter().filter(|d| d.meta.themas.contains(&slug)).collect();
    Ok(atom(
        &state,
        lib,
        &format!("Tegenkracht: {}", p.meta.titel),
        &format!("/themas/{slug}/feed.atom"),
        &format!("/themas/{slug}"),
        &ds,
    ))
}

/// `/regios/{slug}/feed.atom`.
pub async fn regio_feed(State(state): State<AppState>, v: View, Path(slug): Path<String>) -> Result<Response, PageError> {
    let lib = &v.shelf().library;
    let naam = lib.vocab.regios.get(&slug).ok_or(Problem::NotFound)?.to_string();
    let ds: Vec<&Dossier> = lib.recent().into_iter().filter(|d| d.meta.regio == slug).collect();
    Ok(atom(
        &state,
        lib,
        &format!("Tegenkracht: {naam}"),
        &format!("/regios/{slug}/feed.atom"),
        &format!("/regios/{slug}"),
        &ds,
    ))
}

/// `/collecties/{slug}/feed.atom`: the collection's dossiers the reader may
/// see, newest first.
pub async fn collectie_feed(State(state): State<AppState>, v: View, Path(slug): Path<String>) -> Result<Response, PageError> {
    let lib = &v.shelf().library;
    let c = lib.collection(&slug).ok_or(Problem::NotFound)?;
    let ds: Vec<&Dossier> = lib
        .recent()
        .into_iter()
        .filter(|d| c.meta.items.iter().any(|it| it.id == d.id))
        .collect();
    Ok(atom(
        &state,
        lib,
        &format!("Tegenkracht: {}", c.meta.titel),
        &format!("/collecties/{slug}/feed.atom"),
        &format!("/collecties/{slug}"),
        &ds,
    ))
}

/// `/zoeken/feed.atom?q=...`: the newest matches of any search, to follow in a feed reader.
pub async fn search_feed(State(state): State<AppState>, v: View, RawQuery(raw): RawQuery) -> Result<Response, PageError> {
    let lib = &v.shelf().library;
    let pairs = params::page_pairs(raw.as_deref())?;
    let mut req = params::search(&pairs, lib, &[])?;
    req.sort = indexer::search::Sort::Datum;
    req.page = 1;
    req.per_page = FEED_ENTRIES;
    let results = v.search(&state.search_cache, &req).await?;
    // A feed lists dossiers; playbooks and collections have no date to follow.
    let ds: Vec<&Dossier> = results
        .hits
        .iter()
        .filter(|h| h.kind == indexer::search::pagedocs::HitKind::Dossier)
        .map(|h| &*lib.dossiers[h.ord])
        .collect();
    let query = crate::views::search_query(&req);
    let title = if req.q.is_empty() {
        "Tegenkracht: zoekopdracht".to_string()
    } else {
        format!("Tegenkracht: {}", req.q)
    };
    Ok(atom(
        &state,
        lib,
        &title,
        &format!("/zoeken/feed.atom?{query}"),
        &format!("/zoeken?{query}"),
        &ds,
    ))
}

/// `/sitemap.xml`: every page the reader may see.
pub async fn sitemap(State(state): State<AppState>, v: View) -> Result<Response, PageError> {
    let lib = &v.shelf().library;
    let base = base(&state);
    let mut o =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let mut url = |path: &str, lastmod: Option<PartialDate>| {
        let _ = write!(o, "<url><loc>{}</loc>", esc(&format!("{base}{path}")));
        if let Some(d) = lastmod.filter(PartialDate::is_full) {
            let _ = write!(o, "<lastmod>{d}</lastmod>");
        }
        o.push_str("</url>\n");
    };
    for p in ["/", "/themas", "/regios", "/collecties", "/lessen"] {
        url(p, None);
    }
    for p in &lib.playbooks {
        url(&format!("/themas/{}", p.slug), None);
    }
    for (slug, _) in &lib.vocab.regios.0 {
        url(&format!("/regios/{slug}"), None);
    }
    for c in &lib.collections {
        url(&format!("/collecties/{}", c.slug), None);
    }
    for p in &lib.pages {
        url(&format!("/paginas/{}", p.slug), None);
    }
    for d in &lib.dossiers {
        url(&format!("/dossiers/{}", d.id), d.updated);
    }
    o.push_str("</urlset>\n");
    Ok(xml(o, "application/xml; charset=utf-8"))
}

/// `/robots.txt`.
pub async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /api/\nDisallow: /zoeken\nDisallow: /hooks/\n\nSitemap: {}/sitemap.xml\n",
        base(&state)
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// `/.well-known/security.txt` (RFC 9116), from `security_contact` and `security_expires`.
pub async fn security_txt(State(state): State<AppState>) -> Result<Response, PageError> {
    let c = &state.config;
    let (Some(contact), Some(expires)) = (&c.security_contact, &c.security_expires) else {
        return Err(Problem::NotFound.into());
    };
    let body = format!(
        "Contact: {contact}\nExpires: {expires}\nPreferred-Languages: nl, en\nCanonical: {}/.well-known/security.txt\n",
        base(&state)
    );
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response())
}
