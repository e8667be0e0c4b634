//! The HTML pages: thin handlers that gather one context per template.

use crate::auth::Reader;
use crate::error::{PageError, Problem};
use crate::params;
use crate::render::{Page, render};
use crate::state::AppState;
use crate::view::View;
use crate::views::{self, Named, card};
use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use indexer::search::pagedocs::HitKind;
use indexer::search::similar::SimilarOptions;
use indexer::search::{FACETS, Tier};
use minijinja::{Value, context};
use serde::Serialize;
use std::collections::BTreeMap;

pub async fn home(State(state): State<AppState>, v: View) -> Page {
    let lib = &v.shelf().library;
    let recent: Vec<_> = lib.recent().into_iter().take(6).map(|d| card(lib, d)).collect();
    let themas: Vec<Named> = lib.playbooks.iter().map(|p| views::thema(lib, &p.slug)).collect();
    let regios = regions(lib);
    let collecties: Vec<_> = lib.collections.iter().map(collection_item).collect();
    render(
        &state,
        "home.html",
        context! { recent, themas, regios, collecties, aantal => lib.dossiers.len(), feed => feed("/feed.atom", "Nieuw en bijgewerkt", Some(""), None) },
    )
}

/// Every region with its number of dossiers.
fn regions(lib: &indexer::Library) -> Vec<Value> {
    lib.vocab
        .regios
        .0
        .iter()
        .map(|(slug, _)| {
            let aantal = lib.dossiers.iter().filter(|d| &d.meta.regio == slug).count();
            context! { slug, naam => views::label(&lib.vocab.regios, slug), aantal, url => format!("/regios/{slug}") }
        })
        .collect()
}

fn collection_item(c: &indexer::model::Collection) -> Value {
    context! { slug => c.slug, titel => c.meta.titel, samenvatting => c.meta.samenvatting, aantal => c.meta.items.len(), url => format!("/collecties/{}", c.slug) }
}

#[derive(Serialize)]
struct FacetValue {
    slug: String,
    naam: String,
    aantal: usize,
    gekozen: bool,
    url: String,
}

pub async fn search(State(state): State<AppState>, v: View, Extension(reader): Extension<Reader>, RawQuery(raw): RawQuery) -> Page {
    let shelf = v.shelf();
    let lib = &shelf.library;
    let pairs = params::page_pairs(raw.as_deref())?;
    let req = params::search(&pairs, lib, &["taal"])?;
    let results = v.search(&state.search_cache, &req).await?;
    // A best bet comes first whatever its words; it is not where partial hits start.
    let best_first = req.page == 1 && results.best_bet.is_some() && results.hits.first().is_some_and(|h| h.kind == HitKind::Thema);
    let first_partial = (usize::from(best_first)..results.hits.len()).find(|&i| results.hits[i].tier == Tier::Partial);
    let hits: Vec<Value> = results
        .hits
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let snippet = Value::from_safe_string(h.snippet.clone());
            // The first hit with only part of the words gets a line above it.
            let deels = Some(i) == first_partial;
            match h.kind {
                HitKind::Dossier => context! { dossier => card(lib, &lib.dossiers[h.ord]), snippet, deels },
                HitKind::Thema => {
                    let p = &lib.playbooks[h.ord];
                    let beste = i == 0 && req.page == 1 && results.best_bet == Some(h.ord);
                    context! { pagina => context! { soort => "thema", titel => p.meta.titel, url => format!("/themas/{}", p.slug) }, snippet, beste, deels }
                }
                HitKind::Collectie => {
                    let c = &lib.collections[h.ord];
                    context! { pagina => context! { soort => "collectie", titel => c.meta.titel, url => format!("/collecties/{}", c.slug) }, snippet, deels }
                }
                HitKind::Pagina => {
                    let p = &lib.pages[h.ord];
                    context! { pagina => context! { soort => "pagina", titel => p.meta.titel, url => format!("/paginas/{}", p.slug) }, snippet, deels }
                }
                HitKind::Regio => {
                    let r = &lib.regions[h.ord];
                    context! { pagina => context! { soort => "regio", titel => views::label(&lib.vocab.regios, &r.slug), url => format!("/regios/{}", r.slug) }, snippet, deels }
                }
            }
        })
        .collect();
    let mut facets = Vec::new();
    for facet in FACETS {
        let counts = results.facets.get(facet).cloned().unwrap_or_default();
        let chosen = req.filters.get(facet).cloned().unwrap_or_default();
        let mut values: Vec<FacetValue> = counts
            .iter()
            .map(|(slug, n)| FacetValue {
                slug: slug.clone(),
                naam: views::facet_name(lib, facet, slug),
                aantal: *n,
                gekozen: chosen.contains(slug),
                url: views::toggle_url(&req, facet, slug),
            })
            .collect();
        for c in &chosen {
            if !counts.contains_key(c) {
                values.push(FacetValue {
                    slug: c.clone(),
                    naam: views::facet_name(lib, facet, c),
                    aantal: 0,
                    gekozen: true,
                    url: views::toggle_url(&req, facet, c),
                });
            }
        }
        values.sort_by(|a, b| b.aantal.cmp(&a.aantal).then_with(|| a.naam.cmp(&b.naam)));
        if !values.is_empty() {
            facets.push(context! { naam => facet, label => views::facet_label(facet), waarden => values });
        }
    }
    let actief: Vec<Value> = req
        .filters
        .iter()
        .flat_map(|(facet, values)| values.iter().map(move |val| (facet.clone(), val.clone())))
        .map(|(facet, val)| context! { label => views::facet_label(&facet), naam => views::facet_name(lib, &facet, &val), facet, waarde => val, url => views::toggle_url(&req, &facet, &val) })
        .collect();
    let pages = results.total.div_ceil(req.per_page).max(1);
    let vorige = (req.page > 1).then(|| views::page_url(&req, req.page - 1));
    let volgende = (req.page < pages).then(|| views::page_url(&req, req.page + 1));
    let sort = if req.sort == indexer::search::Sort::Datum {
        "datum"
    } else {
        "relevantie"
    };
    let suggesties: Vec<Named> = if results.total == 0 {
        lib.playbooks.iter().take(12).map(|p| views::thema(lib, &p.slug)).collect()
    } else {
        Vec::new()
    };
    let collecties: Vec<Value> = if results.total == 0 {
        lib.collections.iter().map(collection_item).collect()
    } else {
        Vec::new()
    };
    let filters: BTreeMap<String, Vec<String>> = req.filters.clone();
    state.metrics.record_search(results.total);
    state.insight.record(&reader, &req.q, results.total == 0 || results.replaced);
    // "Bedoelde u ...?": the corrected query, as a link keeping the filters.
    let bedoelde_u = results.suggestion.as_ref().map(|s| {
        let mut r = req.clone();
        r.q = s.clone();
        r.page = 1;
        context! { tekst => s, url => format!("/zoeken?{}", views::search_query(&r)), vervangen => results.replaced }
    });
    // A page past the last one: say so, and link to the last page.
    let voorbij = (req.page > pages && results.total > 0).then(|| views::page_url(&req, pages));
    render(
        &state,
        "zoeken.html",
        context! { q => req.q, total => results.total, hits, facets, actief, filters, pagina => req.page, paginas => pages, vorige, volgende, sort, suggesties, collecties, bedoelde_u, voorbij, feed => feed(&format!("/zoeken/feed.atom?{}", views::search_query(&req)), "Nieuwe resultaten van deze zoekopdracht", Some(&views::search_query(&req)), None) },
    )
}

pub async fn dossier(
    State(state): State<AppState>,
    v: View,
    Extension(reader): Extension<Reader>,
    Path((regio, slug)): Path<(String, String)>,
) -> Page {
    let shelf = v.shelf();
    let lib = &shelf.library;
    let id = format!("{regio}/{slug}");
    let ord = lib.ordinal(&id).ok_or(Problem::NotFound)?;
    let d = &lib.dossiers[ord];
    let similar = v
        .similar(
            ord,
            SimilarOptions {
                k: 5,
                zelfde_regio: false,
                auteur_alle_regios: true,
            },
        )
        .await?;
    let vergelijkbaar: Vec<Value> = similar
        .iter()
        .map(|s| {
            let ook: Vec<views::Card> = s.also.iter().map(|o| card(lib, &lib.dossiers[*o])).collect();
            context! { dossier => card(lib, &lib.dossiers[s.ord]), waarom => s.waarom, score => s.score, ook, auteur => s.auteur }
        })
        .collect();
    let voc = &lib.vocab;
    let lessen: Vec<Value> = d.meta.lessen.iter().map(|l| context! { uitdaging => views::filter("uitdaging", &l.uitdaging, views::label(&voc.uitdagingen, &l.uitdaging)), les => l.les, url => format!("/lessen?uitdaging={}", l.uitdaging) }).collect();
    let today = indexer::model::PartialDate::today();
    let herzien = d.meta.herzien_voor.is_some_and(|h| h.sort_key() < today.sort_key());
    render(
        &state,
        "dossier.html",
        context! {
            d => card(lib, d),
            titel => d.meta.titel,
            html => Value::from_safe_string(d.body.html()),
            toc => d.body.toc,
            partners => d.meta.partners.iter().map(|p| views::filter("partner", p, views::label(&voc.partners, p))).collect::<Vec<_>>(),
            instrumenten => d.meta.instrumenten.iter().map(|p| views::filter("instrument", p, views::label(&voc.instrumenten, p))).collect::<Vec<_>>(),
            themas => d.meta.themas.iter().map(|t| views::thema(lib, t)).collect::<Vec<_>>(),
            gemeenten => d.meta.gemeenten,
            trefwoorden => d.meta.trefwoorden,
            status => d.meta.status.map(|s| views::filter("status", s.as_str(), &views::capitalize(s.as_str()))),
            lessen,
            vergelijkbaar,
            bron => d.bron,
            bronlijst => d.meta.bronnen,
            bewerk_url => v.edit_link(&d.bron),
            herzien_voor => d.meta.herzien_voor.map(|h| h.to_string()),
            contact => d.meta.contact.as_ref().filter(|_| reader.sees_contacts()),
            contact_na_inloggen => d.contact_na_inloggen,
            kan_bewerken => reader.is_curator(),
            herzien,
        },
    )
}

/// The Atom feed that follows a page: announced in its head (autodiscovery)
/// and linked as "Volg" on the page; `titel` is interface text (translated).
/// A page's feed, and what "Volg per e-mail" there follows: a search's query
/// string (`""` for every dossier) or a collection.
fn feed(url: &str, titel: &str, zoek: Option<&str>, collectie: Option<&str>) -> Value {
    context! { url, titel, zoek, collectie }
}

/// Dossiers grouped by region, in vocabulary order.
fn by_region<'a>(lib: &'a indexer::Library, dossiers: impl Iterator<Item = &'a indexer::model::Dossier>) -> Vec<Value> {
    let mut groups: BTreeMap<usize, Vec<views::Card>> = BTreeMap::new();
    for d in dossiers {
        let pos = lib
            .vocab
            .regios
            .0
            .iter()
            .position(|(s, _)| *s == d.meta.regio)
            .unwrap_or(usize::MAX);
        groups.entry(pos).or_default().push(card(lib, d));
    }
    groups
        .into_values()
        .map(|cards| {
            let r = cards[0].regio.clone();
            context! { regio => r, dossiers => cards }
        })
        .collect()
}

pub async fn thema(State(state): State<AppState>, v: View, Path(slug): Path<String>) -> Page {
    let lib = &v.shelf().library;
    let p = lib.playbook(&slug).ok_or(Problem::NotFound)?;
    let groepen = by_region(lib, lib.dossiers.iter().map(|d| &**d).filter(|d| d.meta.themas.contains(&slug)));
    let collecties: Vec<Value> = lib
        .collections
        .iter()
        .filter(|c| {
            c.meta
                .items
                .iter()
                .any(|it| lib.dossier(&it.id).is_some_and(|d| d.meta.themas.contains(&slug)))
        })
        .map(collection_item)
        .collect();
    render(
        &state,
        "thema.html",
        context! {
            slug, titel => p.meta.titel, samenvatting => p.meta.samenvatting, fase => p.meta.fase,
            synoniemen => p.meta.synoniemen, html => Value::from_safe_string(p.body.html()), toc => p.body.toc,
            groepen, collecties, bewerk_url => v.edit_link(&p.bron),
            feed => feed(&format!("/themas/{slug}/feed.atom"), "Nieuwe dossiers op dit thema", Some(&format!("thema={slug}")), None),
            redactie => p.meta.redactie, bronlijst => p.meta.bronnen,
        },
    )
}

/// `/paginas/{slug}`: a site page (Over, Contact, Privacyverklaring, ...).
pub async fn pagina(State(state): State<AppState>, v: View, Path(slug): Path<String>) -> Page {
    let lib = &v.shelf().library;
    let p = lib.pages.iter().find(|p| p.slug == slug).ok_or(Problem::NotFound)?;
    render(
        &state,
        "pagina.html",
        context! {
            slug, titel => p.meta.titel, samenvatting => p.meta.samenvatting, redactie => p.meta.redactie,
            html => Value::from_safe_string(p.body.html()), toc => p.body.toc, bronlijst => p.meta.bronnen,
            bewerk_url => v.edit_link(&p.bron),
        },
    )
}

pub async fn themas(State(state): State<AppState>, v: View) -> Page {
    let lib = &v.shelf().library;
    let themas: Vec<Value> = lib
        .playbooks
        .iter()
        .map(|p| context! { slug => p.slug, titel => p.meta.titel, samenvatting => p.meta.samenvatting, fase => p.meta.fase, url => format!("/themas/{}", p.slug), aantal => lib.dossiers.iter().filter(|d| d.meta.themas.contains(&p.slug)).count() })
        .collect();
    render(&state, "themas.html", context! { themas })
}

pub async fn regio(State(state): State<AppState>, v: View, Path(slug): Path<String>) -> Page {
    let lib = &v.shelf().library;
    lib.vocab.regios.get(&slug).ok_or(Problem::NotFound)?;
    let naam = views::label(&lib.vocab.regios, &slug);
    let beschrijving = lib.regions.iter().find(|r| r.slug == slug);
    let mut dossiers: Vec<&indexer::model::Dossier> = lib.dossiers.iter().map(|d| &**d).filter(|d| d.meta.regio == slug).collect();
    dossiers.sort_by(|a, b| a.meta.titel.cmp(&b.meta.titel));
    let leerdossiers: Vec<_> = dossiers
        .iter()
        .filter(|d| d.meta.kind == indexer::model::DossierType::Leerdossier)
        .map(|d| card(lib, d))
        .collect();
    let praktijken: Vec<_> = dossiers
        .iter()
        .filter(|d| d.meta.kind == indexer::model::DossierType::Praktijk)
        .map(|d| card(lib, d))
        .collect();
    render(
        &state,
        "regio.html",
        context! {
            slug, naam, leerdossiers, praktijken, regios => regions(lib),
            feed => feed(&format!("/regios/{slug}/feed.atom"), "Nieuwe dossiers uit deze regio", Some(&format!("regio={slug}")), None),
            beschrijving => beschrijving.map(|r| &r.meta),
            beschrijving_html => beschrijving.map(|r| Value::from_safe_string(r.body.html())),
            bewerk_url => beschrijving.and_then(|r| v.edit_link(&r.bron)),
        },
    )
}

pub async fn regios(State(state): State<AppState>, v: View) -> Page {
    let lib = &v.shelf().library;
    render(&state, "regios.html", context! { regios => regions(lib) })
}

pub async fn collectie(State(state): State<AppState>, v: View, Path(slug): Path<String>) -> Page {
    let lib = &v.shelf().library;
    let c = lib.collection(&slug).ok_or(Problem::NotFound)?;
    let items: Vec<Value> = c
        .meta
        .items
        .iter()
        .filter_map(|it| {
            lib.dossier(&it.id)
                .map(|d| context! { dossier => card(lib, d), notitie => it.notitie })
        })
        .collect();
    render(
        &state,
        "collectie.html",
        context! { slug, titel => c.meta.titel, samenvatting => c.meta.samenvatting, curator => c.meta.curator, redactie => c.meta.redactie, bronlijst => c.meta.bronnen, html => Value::from_safe_string(c.body.html()), items, bewerk_url => v.edit_link(&c.bron), feed => feed(&format!("/collecties/{slug}/feed.atom"), "Nieuw in deze collectie", None, Some(&slug)) },
    )
}

pub async fn collecties(State(state): State<AppState>, v: View) -> Page {
    let lib = &v.shelf().library;
    let collecties: Vec<Value> = lib.collections.iter().map(collection_item).collect();
    render(&state, "collecties.html", context! { collecties })
}

pub async fn lessen(State(state): State<AppState>, v: View, RawQuery(raw): RawQuery) -> Page {
    let lib = &v.shelf().library;
    let pairs = params::page_pairs(raw.as_deref())?;
    let filter = crate::lessons::Filter::parse(&pairs, lib)?;
    let groepen = crate::lessons::grouped(lib, &filter);
    let themas: Vec<Named> = lib.playbooks.iter().map(|p| views::thema(lib, &p.slug)).collect();
    let regios: Vec<Named> = lib.vocab.regios.0.iter().map(|(s, _)| views::regio(lib, s)).collect();
    let uitdagingen: Vec<Named> = lib
        .vocab
        .uitdagingen
        .0
        .iter()
        .map(|(s, _)| views::filter("uitdaging", s, views::label(&lib.vocab.uitdagingen, s)))
        .collect();
    render(
        &state,
        "lessen.html",
        context! { groepen, themas, regios, uitdagingen, gekozen => filter },
    )
}

/// The themed 404 for unknown URLs.
pub async fn not_found() -> PageError {
    PageError(Problem::NotFound)
}

/// Serves a static theme file.
pub async fn static_file(State(state): State<AppState>, Path(rel): Path<String>) -> Response {
    match state.theme.file(&format!("static/{rel}")) {
        Some(bytes) => (
            [
                (header::CONTENT_TYPE, crate::theme::content_type(&rel)),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            bytes,
        )
            .into_response(),
        None => PageError(Problem::NotFound).into_response(),
    }
}
