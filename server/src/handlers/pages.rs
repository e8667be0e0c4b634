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
    let page = HomePage {
        recent,
        themas,
        regios,
        collecties,
        aantal: lib.dossiers.len(),
        feed: feed("/feed.atom", "Nieuw en bijgewerkt", Some(""), None),
    };
    render(&state, "home.html", Value::from_serialize(&page))
}

/// What `home.html` reads.
#[derive(Serialize)]
struct HomePage<'a> {
    /// The newest dossiers.
    recent: Vec<views::Card>,
    themas: Vec<Named>,
    regios: Vec<RegionCount>,
    collecties: Vec<CollectionItem<'a>>,
    /// How many dossiers the reader may see.
    aantal: usize,
    feed: FeedLink,
}

/// A region with how many of the reader's dossiers it has.
#[derive(Serialize)]
struct RegionCount {
    slug: String,
    naam: String,
    aantal: usize,
    url: String,
}

/// Every region with its number of dossiers.
fn regions(lib: &indexer::Library) -> Vec<RegionCount> {
    lib.vocab
        .regios
        .0
        .iter()
        .map(|(slug, _)| {
            let aantal = lib.dossiers.iter().filter(|d| &d.meta.regio == slug).count();
            RegionCount {
                slug: slug.clone(),
                naam: views::label(&lib.vocab.regios, slug).to_string(),
                aantal,
                url: format!("/regios/{slug}"),
            }
        })
        .collect()
}

/// A collection in a list.
#[derive(Serialize)]
struct CollectionItem<'a> {
    slug: &'a str,
    titel: &'a str,
    samenvatting: &'a str,
    aantal: usize,
    url: String,
}

fn collection_item(c: &indexer::model::Collection) -> CollectionItem<'_> {
    CollectionItem {
        slug: &c.slug,
        titel: &c.meta.titel,
        samenvatting: &c.meta.samenvatting,
        aantal: c.meta.items.len(),
        url: format!("/collecties/{}", c.slug),
    }
}

/// One hit on `zoeken.html`: a dossier, or a page (playbook, collection, site
/// page, region) with its kind.
#[derive(Serialize)]
struct HitView {
    #[serde(skip_serializing_if = "Option::is_none")]
    dossier: Option<views::Card>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pagina: Option<PageLink>,
    /// The highlighted fragment (escaped by the indexer, marked safe).
    snippet: Value,
    /// The playbook the query names, shown first.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    beste: bool,
    /// The first hit with only part of the words.
    deels: bool,
}

#[derive(Serialize)]
struct PageLink {
    soort: &'static str,
    titel: String,
    url: String,
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
    let hits: Vec<HitView> = results
        .hits
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let snippet = Value::from_safe_string(h.snippet.clone());
            // The first hit with only part of the words gets a line above it.
            let deels = Some(i) == first_partial;
            let pagina = |soort, titel: &str, url: String| {
                Some(PageLink {
                    soort,
                    titel: titel.to_string(),
                    url,
                })
            };
            let (dossier, pagina, beste) = match h.kind {
                HitKind::Dossier => (
                    Some(views::card_with(lib, &lib.dossiers[h.ord], h.samenvatting.clone())),
                    None,
                    false,
                ),
                HitKind::Thema => {
                    let p = &lib.playbooks[h.ord];
                    let beste = i == 0 && req.page == 1 && results.best_bet == Some(h.ord);
                    (None, pagina("thema", &p.meta.titel, format!("/themas/{}", p.slug)), beste)
                }
                HitKind::Collectie => {
                    let c = &lib.collections[h.ord];
                    (None, pagina("collectie", &c.meta.titel, format!("/collecties/{}", c.slug)), false)
                }
                HitKind::Pagina => {
                    let p = &lib.pages[h.ord];
                    (None, pagina("pagina", &p.meta.titel, format!("/paginas/{}", p.slug)), false)
                }
                HitKind::Regio => {
                    let r = &lib.regions[h.ord];
                    let naam = views::label(&lib.vocab.regios, &r.slug);
                    (None, pagina("regio", naam, format!("/regios/{}", r.slug)), false)
                }
            };
            HitView {
                dossier,
                pagina,
                snippet,
                beste,
                deels,
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
            facets.push(FacetGroup {
                naam: facet,
                label: views::facet_label(facet),
                waarden: values,
            });
        }
    }
    let actief: Vec<ActiveFilter> = req
        .filters
        .iter()
        .flat_map(|(facet, values)| values.iter().map(move |val| (facet.clone(), val.clone())))
        .map(|(facet, val)| ActiveFilter {
            label: views::facet_label(&facet),
            naam: views::facet_name(lib, &facet, &val),
            url: views::toggle_url(&req, &facet, &val),
            facet,
            waarde: val,
        })
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
    let collecties: Vec<CollectionItem> = if results.total == 0 {
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
        Correction {
            tekst: s,
            url: format!("/zoeken?{}", views::search_query(&r)),
            vervangen: results.replaced,
        }
    });
    // A page past the last one: say so, and link to the last page.
    let voorbij = (req.page > pages && results.total > 0).then(|| views::page_url(&req, pages));
    let page = SearchPage {
        q: &req.q,
        total: results.total,
        hits,
        facets,
        actief,
        filters,
        pagina: req.page,
        paginas: pages,
        vorige,
        volgende,
        sort,
        suggesties,
        collecties,
        bedoelde_u,
        voorbij,
        feed: feed(
            &format!("/zoeken/feed.atom?{}", views::search_query(&req)),
            "Nieuwe resultaten van deze zoekopdracht",
            Some(&views::search_query(&req)),
            None,
        ),
    };
    render(&state, "zoeken.html", Value::from_serialize(&page))
}

/// What `zoeken.html` reads (beside the site-wide context of `render`).
#[derive(Serialize)]
struct SearchPage<'a> {
    q: &'a str,
    total: usize,
    hits: Vec<HitView>,
    facets: Vec<FacetGroup>,
    /// The filters in force, each with the link that drops it.
    actief: Vec<ActiveFilter>,
    filters: BTreeMap<String, Vec<String>>,
    pagina: usize,
    paginas: usize,
    vorige: Option<String>,
    volgende: Option<String>,
    sort: &'static str,
    /// Playbooks and collections to try when nothing was found.
    suggesties: Vec<Named>,
    collecties: Vec<CollectionItem<'a>>,
    /// "Bedoelde u …?"
    bedoelde_u: Option<Correction<'a>>,
    /// A page past the last one: the link to the last.
    voorbij: Option<String>,
    feed: FeedLink,
}

/// A filter in force on the search page.
#[derive(Serialize)]
struct ActiveFilter {
    label: &'static str,
    naam: String,
    facet: String,
    waarde: String,
    url: String,
}

/// One facet on the search page, with its values.
#[derive(Serialize)]
struct FacetGroup {
    naam: &'static str,
    label: &'static str,
    waarden: Vec<FacetValue>,
}

/// A corrected query, as a link keeping the filters.
#[derive(Serialize)]
struct Correction<'a> {
    tekst: &'a str,
    url: String,
    /// The correction's hits are shown instead of the query's (it found nothing).
    vervangen: bool,
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
    let vergelijkbaar: Vec<SimilarView> = similar
        .iter()
        .map(|s| SimilarView {
            dossier: card(lib, &lib.dossiers[s.ord]),
            waarom: &s.waarom,
            score: s.score,
            ook: s.also.iter().map(|o| card(lib, &lib.dossiers[*o])).collect(),
            auteur: s.auteur,
        })
        .collect();
    let voc = &lib.vocab;
    let details = d.meta.details();
    let toc = d.body.toc();
    let lessen: Vec<LesView> = (details.lessen.iter())
        .map(|l| LesView {
            uitdaging: views::filter("uitdaging", &l.uitdaging, views::label(&voc.uitdagingen, &l.uitdaging)),
            les: &l.les,
            url: format!("/lessen?uitdaging={}", l.uitdaging),
        })
        .collect();
    let today = indexer::model::PartialDate::today();
    let page = DossierPage {
        d: card(lib, d),
        titel: &d.meta.titel,
        html: Value::from_safe_string(d.body.html()),
        toc: &toc,
        partners: (d.meta.partners.iter())
            .map(|p| views::filter("partner", p, views::label(&voc.partners, p)))
            .collect(),
        instrumenten: (d.meta.instrumenten.iter())
            .map(|p| views::filter("instrument", p, views::label(&voc.instrumenten, p)))
            .collect(),
        themas: d.meta.themas.iter().map(|t| views::thema(lib, t)).collect(),
        gemeenten: &details.gemeenten,
        trefwoorden: &details.trefwoorden,
        status: (d.meta.status).map(|s| views::filter("status", s.as_str(), &views::capitalize(s.as_str()))),
        lessen,
        vergelijkbaar,
        bron: &d.bron,
        bronlijst: &details.bronnen,
        bewerk_url: v.edit_link(&d.bron),
        herzien_voor: d.meta.herzien_voor.map(|h| h.to_string()),
        contact: d.meta.contact.as_ref().filter(|_| reader.sees_contacts()),
        contact_na_inloggen: d.contact_na_inloggen,
        kan_bewerken: reader.is_curator(),
        herzien: d.meta.herzien_voor.is_some_and(|h| h.sort_key() < today.sort_key()),
    };
    render(&state, "dossier.html", Value::from_serialize(&page))
}

/// What `dossier.html` reads (beside the site-wide context of `render`).
#[derive(Serialize)]
struct DossierPage<'a> {
    /// The dossier as a card (id, type, region, themas, period, …).
    d: views::Card,
    titel: &'a str,
    /// The rendered and sanitised body (marked safe).
    html: Value,
    toc: &'a [indexer::model::Heading],
    partners: Vec<Named>,
    instrumenten: Vec<Named>,
    themas: Vec<Named>,
    gemeenten: &'a [String],
    trefwoorden: &'a [String],
    status: Option<Named>,
    lessen: Vec<LesView<'a>>,
    vergelijkbaar: Vec<SimilarView<'a>>,
    bron: &'a indexer::model::Provenance,
    bronlijst: &'a [indexer::model::Bron],
    /// Where its source file can be edited, if the source says.
    bewerk_url: Option<&'a str>,
    herzien_voor: Option<String>,
    /// Only for readers who may see contacts.
    contact: Option<&'a indexer::model::Contact>,
    /// A contact exists but the reader must sign in to see it.
    contact_na_inloggen: bool,
    kan_bewerken: bool,
    /// The review date has passed.
    herzien: bool,
}

/// A lesson of the dossier, linked to the lessons of the same challenge.
#[derive(Serialize)]
struct LesView<'a> {
    uitdaging: Named,
    les: &'a str,
    url: String,
}

/// A similar initiative with the reasons it is shown.
#[derive(Serialize)]
struct SimilarView<'a> {
    dossier: views::Card,
    waarom: &'a [String],
    score: f32,
    /// Near-duplicates folded into this one.
    ook: Vec<views::Card>,
    /// Linked by the dossier's author.
    auteur: bool,
}

/// The Atom feed that follows a page: announced in its head (autodiscovery)
/// and linked as "Volg" on the page; `titel` is interface text (translated).
/// A page's feed, and what "Volg per e-mail" there follows: a search's query
/// string (`""` for every dossier) or a collection.
fn feed(url: &str, titel: &'static str, zoek: Option<&str>, collectie: Option<&str>) -> FeedLink {
    FeedLink {
        url: url.to_string(),
        titel,
        zoek: zoek.map(str::to_string),
        collectie: collectie.map(str::to_string),
    }
}

/// A page's feed (see `feed`).
#[derive(Serialize)]
struct FeedLink {
    url: String,
    titel: &'static str,
    zoek: Option<String>,
    collectie: Option<String>,
}

/// Dossiers grouped by region, in vocabulary order.
fn by_region<'a>(lib: &'a indexer::Library, dossiers: impl Iterator<Item = &'a indexer::model::Dossier>) -> Vec<RegionGroup> {
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
        .map(|cards| RegionGroup {
            regio: cards[0].regio.clone(),
            dossiers: cards,
        })
        .collect()
}

pub async fn thema(State(state): State<AppState>, v: View, Path(slug): Path<String>) -> Page {
    let lib = &v.shelf().library;
    let p = lib.playbook(&slug).ok_or(Problem::NotFound)?;
    let groepen = by_region(lib, lib.dossiers.iter().map(|d| &**d).filter(|d| d.meta.themas.contains(&slug)));
    let collecties: Vec<CollectionItem> = lib
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
    let page = ThemaPage {
        slug: &slug,
        titel: &p.meta.titel,
        samenvatting: &p.meta.samenvatting,
        fase: p.meta.fase,
        synoniemen: &p.meta.synoniemen,
        html: Value::from_safe_string(p.body.html()),
        toc: &p.body.toc(),
        groepen,
        collecties,
        bewerk_url: v.edit_link(&p.bron),
        feed: feed(
            &format!("/themas/{slug}/feed.atom"),
            "Nieuwe dossiers op dit thema",
            Some(&format!("thema={slug}")),
            None,
        ),
        redactie: p.meta.redactie.as_deref(),
        bronlijst: &p.meta.bronnen,
    };
    render(&state, "thema.html", Value::from_serialize(&page))
}

/// What `thema.html` reads: the playbook and the reader's dossiers on its thema.
#[derive(Serialize)]
struct ThemaPage<'a> {
    slug: &'a str,
    titel: &'a str,
    samenvatting: &'a str,
    fase: Option<indexer::model::Fase>,
    synoniemen: &'a [String],
    /// The rendered and sanitised body (marked safe).
    html: Value,
    toc: &'a [indexer::model::Heading],
    /// The dossiers on this thema, by region.
    groepen: Vec<RegionGroup>,
    collecties: Vec<CollectionItem<'a>>,
    bewerk_url: Option<&'a str>,
    feed: FeedLink,
    redactie: Option<&'a str>,
    bronlijst: &'a [indexer::model::Bron],
}

/// Dossiers of one region.
#[derive(Serialize)]
struct RegionGroup {
    regio: Named,
    dossiers: Vec<views::Card>,
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
            html => Value::from_safe_string(p.body.html()), toc => p.body.toc(), bronlijst => p.meta.bronnen,
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
    let collecties: Vec<CollectionItem> = lib.collections.iter().map(collection_item).collect();
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
