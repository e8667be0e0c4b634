//! Being found and followed: Atom feeds (everything, per thema, per region,
//! per collection, and any search as a saved-search feed), `sitemap.xml`, `robots.txt` and
//! `/.well-known/security.txt` (RFC 9116). Absolute URLs come from
//! `site_url` only, never from the Host header. Feeds show what the reader
//! may see, like every other view.

use crate::auth::Reader;
use crate::error::{PageError, Problem};
use crate::params;
use crate::state::AppState;
use crate::view::View;
use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use indexer::model::{Dossier, PartialDate};
use serde::Serialize;

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

/// An Atom feed as `feed.xml` reads it.
#[derive(Serialize)]
struct Feed<'a> {
    titel: &'a str,
    self_url: String,
    html_url: String,
    bijgewerkt: String,
    entries: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    titel: &'a str,
    url: String,
    bijgewerkt: String,
    samenvatting: String,
    categorieen: Vec<Category<'a>>,
}

#[derive(Serialize)]
struct Category<'a> {
    term: &'a str,
    label: &'a str,
}

/// One `<url>` of `sitemap.xml`.
#[derive(Serialize)]
struct SitemapUrl {
    loc: String,
    lastmod: Option<String>,
}

/// Renders an XML template of the theme (auto-escaped like HTML).
fn xml(state: &AppState, template: &str, ctx: impl Serialize, content_type: &'static str) -> Result<Response, PageError> {
    let body = state.templates.get_template(template)?.render(ctx)?;
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}

/// Renders an Atom feed of `dossiers` (newest first).
fn atom(
    state: &AppState,
    lib: &indexer::Library,
    title: &str,
    self_path: &str,
    html_path: &str,
    dossiers: &[&Dossier],
) -> Result<Response, PageError> {
    let base = base(state);
    let entries = (dossiers.iter().take(FEED_ENTRIES))
        .map(|d| Entry {
            titel: &d.meta.titel,
            url: format!("{base}/dossiers/{}", d.id),
            bijgewerkt: rfc3339(d.updated),
            samenvatting: d.meta.details().samenvatting,
            categorieen: std::iter::once(Category {
                term: &d.meta.regio,
                label: lib.vocab.regios.name(&d.meta.regio),
            })
            .chain(d.meta.themas.iter().map(|t| Category {
                term: t,
                label: lib.thema_name(t),
            }))
            .collect(),
        })
        .collect();
    let feed = Feed {
        titel: title,
        self_url: format!("{base}{self_path}"),
        html_url: format!("{base}{html_path}"),
        bijgewerkt: rfc3339(dossiers.iter().filter_map(|d| d.updated).max()),
        entries,
    };
    xml(state, "feed.xml", feed, "application/atom+xml; charset=utf-8")
}

/// `/feed.atom`: every dossier, newest first.
pub async fn feed(State(state): State<AppState>, v: View) -> Result<Response, PageError> {
    let lib = &v.shelf().library;
    atom(&state, lib, "Tegenkracht: nieuw en bijgewerkt", "/feed.atom", "/", &lib.recent())
}

/// `/themas/{slug}/feed.atom`.
pub async fn thema_feed(State(state): State<AppState>, v: View, Path(slug): Path<String>) -> Result<Response, PageError> {
    let lib = &v.shelf().library;
    let p = lib.playbook(&slug).ok_or(Problem::NotFound)?;
    let ds: Vec<&Dossier> = lib.recent().into_iter().filter(|d| d.meta.themas.contains(&slug)).collect();
    atom(
        &state,
        lib,
        &format!("Tegenkracht: {}", p.meta.titel),
        &format!("/themas/{slug}/feed.atom"),
        &format!("/themas/{slug}"),
        &ds,
    )
}

/// `/regios/{slug}/feed.atom`.
pub async fn regio_feed(State(state): State<AppState>, v: View, Path(slug): Path<String>) -> Result<Response, PageError> {
    let lib = &v.shelf().library;
    let naam = lib.vocab.regios.get(&slug).ok_or(Problem::NotFound)?.to_string();
    let ds: Vec<&Dossier> = lib.recent().into_iter().filter(|d| d.meta.regio == slug).collect();
    atom(
        &state,
        lib,
        &format!("Tegenkracht: {naam}"),
        &format!("/regios/{slug}/feed.atom"),
        &format!("/regios/{slug}"),
        &ds,
    )
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
    atom(
        &state,
        lib,
        &format!("Tegenkracht: {}", c.meta.titel),
        &format!("/collecties/{slug}/feed.atom"),
        &format!("/collecties/{slug}"),
        &ds,
    )
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
    atom(
        &state,
        lib,
        &title,
        &format!("/zoeken/feed.atom?{query}"),
        &format!("/zoeken?{query}"),
        &ds,
    )
}

/// `/sitemap.xml`: every page the reader may see.
pub async fn sitemap(State(state): State<AppState>, Extension(reader): Extension<Reader>) -> Result<Response, PageError> {
    // Outside the themed pages: a 503 before the first load is plain text, not JSON.
    let v = View::of(&state, reader.audience.clone()).await?;
    let lib = &v.shelf().library;
    let base = base(&state);
    let mut urls = Vec::new();
    let mut url = |path: &str, lastmod: Option<PartialDate>| {
        urls.push(SitemapUrl {
            loc: format!("{base}{path}"),
            lastmod: lastmod.filter(PartialDate::is_full).map(|d| d.to_string()),
        })
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
    xml(
        &state,
        "sitemap.xml",
        minijinja::context! { urls },
        "application/xml; charset=utf-8",
    )
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
