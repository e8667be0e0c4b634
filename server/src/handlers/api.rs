//! The JSON API (`/api/v1`). Every response type derives `ToSchema` and every
//! handler carries `#[utoipa::path]`, so `openapi.json` is generated from
//! this code rather than written by hand.

use crate::auth::Reader;
use crate::error::{ApiError, ErrorBody, Problem};
use crate::json::Json;
use crate::lessons;
use crate::params;
use crate::state::AppState;
use crate::view::View;
use crate::views;
use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use indexer::search::Tier;
use indexer::search::pagedocs::HitKind;
use indexer::search::similar::SimilarOptions;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub mod openapi;
pub mod regios;
pub use regios::{regio, regios};

type ApiResult<T> = Result<Json<T>, ApiError>;

/// One search hit.
#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    /// `{regio}/{slug}` for a dossier, `themas/{slug}` for a playbook,
    /// `collecties/{slug}` for a collection, `paginas/{slug}` for a site page,
    /// `regios/{slug}` for a region's description.
    id: String,
    /// `leerdossier`, `praktijk`, `thema`, `collectie`, `pagina` or `regio`.
    #[serde(rename = "type")]
    kind: String,
    titel: String,
    /// The dossier's region (a region description's own); `null` for other pages.
    regio: Option<String>,
    /// `openbaar`, `netwerk` or `regio` (extension): who may see it; a label
    /// for a reader who could forward it.
    toegang: String,
    themas: Vec<String>,
    samenvatting: String,
    /// HTML: escaped text with `<mark>` around matches.
    snippet: String,
    url: String,
    score: f32,
    /// False when the hit has only part of the query's words: such hits come
    /// after every hit with all of them, and only when those are few.
    alle_woorden: bool,
}

/// Search results.
#[derive(Serialize, ToSchema)]
pub struct SearchResponse {
    query: String,
    total: usize,
    pagina: usize,
    per_pagina: usize,
    hits: Vec<SearchHit>,
    /// Facet name → value → count (each facet counted without its own filter).
    facets: BTreeMap<String, BTreeMap<String, usize>>,
    /// "Bedoelde u ...?": a corrected query that finds more. When the query found
    /// nothing, `hits` are those of this correction.
    #[serde(skip_serializing_if = "Option::is_none")]
    bedoelde_u: Option<String>,
    /// True when `hits` are those of `bedoelde_u` because the query found nothing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    vervangen: bool,
    /// The playbook the query names (`themas/{slug}`), which is then the first hit.
    #[serde(skip_serializing_if = "Option::is_none")]
    beste_antwoord: Option<String>,
}

/// Search dossiers, playbooks, collections, pages and regions
///
/// Full-text search with filters (OR within a facet, AND across facets), facet
/// counts, highlighted snippets and pagination. Without `q` every dossier is
/// listed, newest first.
#[utoipa::path(get, path = "/api/v1/search",
    params(
        ("q" = Option<String>, Query, description = "Free text; phrases in quotes"),
        ("regio" = Option<Vec<String>>, Query, description = "Repeatable"),
        ("thema" = Option<Vec<String>>, Query, description = "Repeatable"),
        ("type" = Option<Vec<String>>, Query, description = "Repeatable"),
        ("partner" = Option<Vec<String>>, Query, description = "Repeatable"),
        ("instrument" = Option<Vec<String>>, Query, description = "Repeatable"),
        ("status" = Option<Vec<String>>, Query, description = "Repeatable"),
        ("sort" = Option<String>, Query, description = "Default `relevantie` with `q`, else `datum`"),
        ("pagina" = Option<usize>, Query, minimum = 1, maximum = 1000, description = "1-based page (default 1)"),
        ("per_pagina" = Option<usize>, Query, minimum = 1, maximum = 100, description = "Hits per page (default 20)"),
    ),
    responses((status = 200, body = SearchResponse), (status = 400, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    v: View,
    Extension(reader): Extension<Reader>,
    RawQuery(raw): RawQuery,
) -> ApiResult<SearchResponse> {
    let lib = &v.shelf().library;
    let pairs = params::pairs(raw.as_deref())?;
    let req = params::search(&pairs, lib, &["per_pagina"])?;
    let results = v.search(&state.search_cache, &req).await?;
    let hits = results
        .hits
        .iter()
        .map(|h| {
            let score = (h.score * 100.0).round() / 100.0;
            let snippet = h.snippet.clone();
            let alle_woorden = h.tier == Tier::Exact;
            match h.kind {
                HitKind::Dossier => {
                    let d = &lib.dossiers[h.ord];
                    SearchHit {
                        id: d.id.clone(),
                        kind: d.meta.kind.as_str().into(),
                        titel: d.meta.titel.clone(),
                        regio: Some(d.meta.regio.clone()),
                        toegang: d.meta.toegang.as_str().into(),
                        themas: d.meta.themas.clone(),
                        samenvatting: h.samenvatting.clone(),
                        snippet,
                        url: views::dossier_url(d),
                        score,
                        alle_woorden,
                    }
                }
                HitKind::Thema => {
                    let p = &lib.playbooks[h.ord];
                    SearchHit {
                        id: format!("themas/{}", p.slug),
                        kind: "thema".into(),
                        titel: p.meta.titel.clone(),
                        regio: None,
                        toegang: p.meta.toegang.as_str().into(),
                        themas: vec![p.slug.clone()],
                        samenvatting: p.meta.samenvatting.clone(),
                        snippet,
                        url: format!("/themas/{}", p.slug),
                        score,
                        alle_woorden,
                    }
                }
                HitKind::Pagina => {
                    let p = &lib.pages[h.ord];
                    SearchHit {
                        id: format!("paginas/{}", p.slug),
                        kind: "pagina".into(),
                        titel: p.meta.titel.clone(),
                        regio: None,
                        toegang: "openbaar".into(),
                        themas: Vec::new(),
                        samenvatting: p.meta.samenvatting.clone(),
                        snippet,
                        url: format!("/paginas/{}", p.slug),
                        score,
                        alle_woorden,
                    }
                }
                HitKind::Regio => {
                    let r = &lib.regions[h.ord];
                    SearchHit {
                        id: format!("regios/{}", r.slug),
                        kind: "regio".into(),
                        titel: lib.vocab.regios.name(&r.slug).to_string(),
                        regio: Some(r.slug.clone()),
                        toegang: "openbaar".into(),
                        themas: Vec::new(),
                        samenvatting: r.meta.samenvatting.clone(),
                        snippet,
                        url: format!("/regios/{}", r.slug),
                        score,
                        alle_woorden,
                    }
                }
                HitKind::Collectie => {
                    let c = &lib.collections[h.ord];
                    SearchHit {
                        id: format!("collecties/{}", c.slug),
                        kind: "collectie".into(),
                        titel: c.meta.titel.clone(),
                        regio: None,
                        toegang: c.meta.toegang.as_str().into(),
                        themas: Vec::new(),
                        samenvatting: c.meta.samenvatting.clone(),
                        snippet,
                        url: format!("/collecties/{}", c.slug),
                        score,
                        alle_woorden,
                    }
                }
            }
        })
        .collect();
    state.metrics.record_search(results.total);
    state.insight.record(&reader, &req.q, results.total == 0 || results.replaced);
    Ok(Json(SearchResponse {
        query: req.q,
        total: results.total,
        pagina: req.page,
        per_pagina: req.per_page,
        hits,
        facets: results.facets.clone(),
        bedoelde_u: results.suggestion.clone(),
        vervangen: results.replaced,
        beste_antwoord: results.best_bet.map(|p| format!("themas/{}", lib.playbooks[p].slug)),
    }))
}

/// Where a document came from.
#[derive(Serialize, ToSchema)]
pub struct Bron {
    /// Source name from the configuration.
    source: String,
    commit: Option<String>,
    path: String,
}

/// A lesson.
#[derive(Serialize, ToSchema)]
pub struct Les {
    uitdaging: String,
    les: String,
}

/// Who to ask about a dossier.
#[derive(Serialize, ToSchema)]
pub struct Contact {
    organisatie: String,
    functie: String,
    email: String,
}

/// A source a text draws on (`bronnen`).
#[derive(Serialize, ToSchema)]
pub struct Bronvermelding {
    titel: String,
    uitgever: String,
    jaar: u16,
    /// Page or section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pagina: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

fn sources_of(bronnen: &[indexer::model::Bron]) -> Vec<Bronvermelding> {
    bronnen
        .iter()
        .map(|b| Bronvermelding {
            titel: b.titel.clone(),
            uitgever: b.uitgever.clone(),
            jaar: b.jaar,
            pagina: b.pagina.clone(),
            url: b.url.clone(),
        })
        .collect()
}

/// A dossier with every front-matter field.
#[derive(Serialize, ToSchema)]
pub struct DossierResponse {
    id: String,
    titel: String,
    #[serde(rename = "type")]
    kind: String,
    regio: String,
    themas: Vec<String>,
    samenvatting: String,
    toegang: String,
    partners: Vec<String>,
    instrumenten: Vec<String>,
    status: Option<String>,
    start: Option<String>,
    eind: Option<String>,
    gemeenten: Vec<String>,
    trefwoorden: Vec<String>,
    lessen: Vec<Les>,
    gerelateerd: Vec<String>,
    herzien_voor: Option<String>,
    /// The sources the dossier draws on.
    bronnen: Vec<Bronvermelding>,
    /// Only for signed-in readers.
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<Contact>,
    /// True when the dossier names a contact that only signed-in readers get
    /// (extension): "contactpersoon zichtbaar na inloggen".
    contact_na_inloggen: bool,
    /// `bijgewerkt`, or the date of the last commit that touched the file.
    bijgewerkt: Option<String>,
    /// The sanitised body.
    html: String,
    bron: Bron,
    url: String,
    bewerk_url: Option<String>,
}

fn dossier_ord(lib: &indexer::Library, regio: &str, slug: &str) -> Result<usize, Problem> {
    lib.ordinal(&format!("{regio}/{slug}")).ok_or(Problem::NotFound)
}

/// One dossier
///
/// Every front-matter field and the sanitised HTML body. The contact is only
/// given to signed-in readers; restricted dossiers answer 404 to others.
#[utoipa::path(get, path = "/api/v1/dossiers/{regio}/{slug}",
    params(("regio" = String, Path), ("slug" = String, Path)),
    responses((status = 200, body = DossierResponse), (status = 404, body = ErrorBody)))]
pub async fn dossier(
    State(_state): State<AppState>,
    v: View,
    Extension(reader): Extension<Reader>,
    Path((regio, slug)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<DossierResponse> {
    params::only(&params::pairs(raw.as_deref())?, &[])?;
    let lib = &v.shelf().library;
    let d = &lib.dossiers[dossier_ord(lib, &regio, &slug)?];
    let m = &d.meta;
    let details = (m.details.try_read()).ok_or_else(|| Problem::Internal("the dossier's details cannot be read".into()))?;
    Ok(Json(DossierResponse {
        id: d.id.clone(),
        titel: m.titel.clone(),
        kind: m.kind.as_str().into(),
        regio: m.regio.clone(),
        themas: m.themas.clone(),
        samenvatting: details.samenvatting,
        toegang: m.toegang.as_str().into(),
        partners: m.partners.clone(),
        instrumenten: m.instrumenten.clone(),
        status: m.status.map(|s| s.as_str().into()),
        start: m.start.map(|d| d.to_string()),
        eind: m.eind.map(|d| d.to_string()),
        gemeenten: details.gemeenten,
        trefwoorden: details.trefwoorden,
        lessen: (details.lessen.into_iter())
            .map(|l| Les {
                uitdaging: l.uitdaging,
                les: l.les,
            })
            .collect(),
        gerelateerd: m.gerelateerd.clone(),
        herzien_voor: m.herzien_voor.map(|d| d.to_string()),
        bronnen: sources_of(&details.bronnen),
        contact_na_inloggen: d.contact_na_inloggen,
        contact: m.contact.as_ref().filter(|_| reader.sees_contacts()).map(|c| Contact {
            organisatie: c.organisatie.clone(),
            functie: c.functie.clone(),
            email: c.email.clone(),
        }),
        bijgewerkt: d.updated.map(|d| d.to_string()),
        html: d.body.html(),
        bron: Bron {
            source: d.bron.source.clone(),
            commit: d.bron.commit.clone(),
            path: d.bron.path.clone(),
        },
        url: views::dossier_url(d),
        bewerk_url: v.edit_link(&d.bron).map(str::to_string),
    }))
}

/// One similar initiative.
#[derive(Serialize, ToSchema)]
pub struct SimilarHit {
    id: String,
    titel: String,
    regio: String,
    score: f32,
    /// Reasons a reader can check, in Dutch.
    waarom: Vec<String>,
    /// The same practice as described by other regions (near-duplicates folded into this hit).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ook: Vec<SimilarAlso>,
    /// Chosen by the dossier's author (`gerelateerd`); these come first, from any region.
    auteur: bool,
}

/// A near-duplicate of a similar initiative.
#[derive(Serialize, ToSchema)]
pub struct SimilarAlso {
    id: String,
    titel: String,
    regio: String,
}

/// Similar initiatives of a dossier.
#[derive(Serialize, ToSchema)]
pub struct SimilarResponse {
    id: String,
    hits: Vec<SimilarHit>,
}

/// Similar initiatives in other regions
///
/// The author's own links first, then dossiers that share words, thema's,
/// partners or instruments, each with the reasons.
#[utoipa::path(get, path = "/api/v1/dossiers/{regio}/{slug}/vergelijkbaar",
    params(("regio" = String, Path), ("slug" = String, Path),
        ("k" = Option<usize>, Query, minimum = 1, maximum = 50, description = "How many (default 5)"),
        ("zelfde_regio" = Option<bool>, Query, description = "Include the dossier's own region (default false)"),
        ("auteur_alle_regios" = Option<bool>, Query, description = "List the author's own links (`gerelateerd`) of the same region too, first (default false)")),
    responses((status = 200, body = SimilarResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn similar(
    State(_state): State<AppState>,
    v: View,
    Path((regio, slug)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<SimilarResponse> {
    let pairs = params::pairs(raw.as_deref())?;
    params::only(&pairs, &["k", "zelfde_regio", "auteur_alle_regios"])?;
    let k = params::number(&pairs, "k", 5, 50)?;
    let zelfde_regio = params::boolean(&pairs, "zelfde_regio", false)?;
    let auteur_alle_regios = params::boolean(&pairs, "auteur_alle_regios", false)?;
    let lib = &v.shelf().library;
    let ord = dossier_ord(lib, &regio, &slug)?;
    let found = v
        .similar(
            ord,
            SimilarOptions {
                k,
                zelfde_regio,
                auteur_alle_regios,
            },
        )
        .await?;
    let hits = found
        .into_iter()
        .map(|s| {
            let d = &lib.dossiers[s.ord];
            SimilarHit {
                id: d.id.clone(),
                titel: d.meta.titel.clone(),
                regio: d.meta.regio.clone(),
                score: s.score,
                waarom: s.waarom,
                auteur: s.auteur,
                ook: s
                    .also
                    .iter()
                    .map(|o| {
                        let a = &lib.dossiers[*o];
                        SimilarAlso {
                            id: a.id.clone(),
                            titel: a.meta.titel.clone(),
                            regio: a.meta.regio.clone(),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(Json(SimilarResponse {
        id: lib.dossiers[ord].id.clone(),
        hits,
    }))
}

/// A thema.
#[derive(Serialize, ToSchema)]
pub struct Thema {
    slug: String,
    titel: String,
    samenvatting: String,
    /// `doe`, `ontwikkel` or `beide`.
    fase: Option<String>,
    synoniemen: Vec<String>,
    /// Who wrote the playbook.
    #[serde(skip_serializing_if = "Option::is_none")]
    redactie: Option<String>,
    bronnen: Vec<Bronvermelding>,
    /// Number of dossiers on this thema.
    dossiers: usize,
    url: String,
}

/// A thema with its playbook and dossiers.
#[derive(Serialize, ToSchema)]
pub struct ThemaDetail {
    #[serde(flatten)]
    thema: Thema,
    html: String,
    dossier_ids: Vec<String>,
}

fn thema_of(lib: &indexer::Library, p: &indexer::model::Playbook) -> Thema {
    Thema {
        slug: p.slug.clone(),
        titel: p.meta.titel.clone(),
        samenvatting: p.meta.samenvatting.clone(),
        fase: p
            .meta
            .fase
            .and_then(|f| serde_json::to_value(f).ok())
            .and_then(|v| v.as_str().map(str::to_string)),
        synoniemen: p.meta.synoniemen.clone(),
        redactie: p.meta.redactie.clone(),
        bronnen: sources_of(&p.meta.bronnen),
        dossiers: lib.dossiers.iter().filter(|d| d.meta.themas.contains(&p.slug)).count(),
        url: format!("/themas/{}", p.slug),
    }
}

/// All thema playbooks
#[utoipa::path(get, path = "/api/v1/themas", responses((status = 200, body = Vec<Thema>)))]
pub async fn themas(State(_state): State<AppState>, v: View, RawQuery(raw): RawQuery) -> ApiResult<Vec<Thema>> {
    params::only(&params::pairs(raw.as_deref())?, &[])?;
    let lib = &v.shelf().library;
    Ok(Json(lib.playbooks.iter().map(|p| thema_of(lib, p)).collect()))
}

/// One thema playbook with its dossiers
#[utoipa::path(get, path = "/api/v1/themas/{slug}", params(("slug" = String, Path)),
    responses((status = 200, body = ThemaDetail), (status = 404, body = ErrorBody)))]
pub async fn thema(State(_state): State<AppState>, v: View, Path(slug): Path<String>, RawQuery(raw): RawQuery) -> ApiResult<ThemaDetail> {
    params::only(&params::pairs(raw.as_deref())?, &[])?;
    let lib = &v.shelf().library;
    let p = lib.playbook(&slug).ok_or(Problem::NotFound)?;
    let dossier_ids = lib
        .dossiers
        .iter()
        .filter(|d| d.meta.themas.contains(&slug))
        .map(|d| d.id.clone())
        .collect();
    Ok(Json(ThemaDetail {
        thema: thema_of(lib, p),
        html: p.body.html(),
        dossier_ids,
    }))
}

/// A collection.
#[derive(Serialize, ToSchema)]
pub struct Collectie {
    slug: String,
    titel: String,
    samenvatting: String,
    curator: String,
    /// Who wrote the collection's texts.
    #[serde(skip_serializing_if = "Option::is_none")]
    redactie: Option<String>,
    bronnen: Vec<Bronvermelding>,
    items: Vec<CollectieItem>,
    url: String,
}

/// One item of a collection.
#[derive(Serialize, ToSchema)]
pub struct CollectieItem {
    id: String,
    titel: String,
    notitie: Option<String>,
    url: String,
}

/// A collection with its introduction.
#[derive(Serialize, ToSchema)]
pub struct CollectieDetail {
    #[serde(flatten)]
    collectie: Collectie,
    html: String,
}

fn collectie_of(lib: &indexer::Library, c: &indexer::model::Collection) -> Collectie {
    Collectie {
        slug: c.slug.clone(),
        titel: c.meta.titel.clone(),
        samenvatting: c.meta.samenvatting.clone(),
        curator: c.meta.curator.clone(),
        redactie: c.meta.redactie.clone(),
        bronnen: sources_of(&c.meta.bronnen),
        items: c
            .meta
            .items
            .iter()
            .filter_map(|it| {
                lib.dossier(&it.id).map(|d| CollectieItem {
                    id: d.id.clone(),
                    titel: d.meta.titel.clone(),
                    notitie: it.notitie.clone(),
                    url: views::dossier_url(d),
                })
            })
            .collect(),
        url: format!("/collecties/{}", c.slug),
    }
}

/// All collections
#[utoipa::path(get, path = "/api/v1/collecties", responses((status = 200, body = Vec<Collectie>)))]
pub async fn collecties(State(_state): State<AppState>, v: View, RawQuery(raw): RawQuery) -> ApiResult<Vec<Collectie>> {
    params::only(&params::pairs(raw.as_deref())?, &[])?;
    let lib = &v.shelf().library;
    Ok(Json(lib.collections.iter().map(|c| collectie_of(lib, c)).collect()))
}

/// One collection with its items
#[utoipa::path(get, path = "/api/v1/collecties/{slug}", params(("slug" = String, Path)),
    responses((status = 200, body = CollectieDetail), (status = 404, body = ErrorBody)))]
pub async fn collectie(
    State(_state): State<AppState>,
    v: View,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<CollectieDetail> {
    params::only(&params::pairs(raw.as_deref())?, &[])?;
    let lib = &v.shelf().library;
    let c = lib.collection(&slug).ok_or(Problem::NotFound)?;
    Ok(Json(CollectieDetail {
        collectie: collectie_of(lib, c),
        html: c.body.html(),
    }))
}

/// The controlled vocabularies: slug → display name per section.
#[derive(Serialize, ToSchema)]
pub struct VocabulaireResponse {
    regios: BTreeMap<String, String>,
    /// Former region slug → the region it merged into (extension); accepted
    /// wherever a region slug is.
    regio_aliassen: BTreeMap<String, String>,
    themas: BTreeMap<String, String>,
    partners: BTreeMap<String, String>,
    instrumenten: BTreeMap<String, String>,
    uitdagingen: BTreeMap<String, String>,
    synoniemen: Vec<Vec<String>>,
}

/// The controlled vocabularies
///
/// Slug to display name for regions, thema's, partners, instruments and
/// challenges; synonym groups and former region slugs.
#[utoipa::path(get, path = "/api/v1/vocabulaire", responses((status = 200, body = VocabulaireResponse)))]
pub async fn vocabulaire(State(_state): State<AppState>, v: View, RawQuery(raw): RawQuery) -> ApiResult<VocabulaireResponse> {
    params::only(&params::pairs(raw.as_deref())?, &[])?;
    let lib = &v.shelf().library;
    let map = |n: &indexer::model::vocab::Names| n.0.iter().cloned().collect::<BTreeMap<_, _>>();
    let voc = &lib.vocab;
    Ok(Json(VocabulaireResponse {
        regios: map(&voc.regios),
        regio_aliassen: voc.regio_aliassen.iter().cloned().collect(),
        themas: lib.playbooks.iter().map(|p| (p.slug.clone(), p.meta.titel.clone())).collect(),
        partners: map(&voc.partners),
        instrumenten: map(&voc.instrumenten),
        uitdagingen: map(&voc.uitdagingen),
        synoniemen: voc.synoniemen.clone(),
    }))
}

/// One lesson with where it comes from.
#[derive(Serialize, ToSchema)]
pub struct LesHit {
    uitdaging: String,
    les: String,
    dossier: String,
    titel: String,
    regio: String,
    url: String,
}

/// Lessons learned across all dossiers
///
/// Grouped by challenge, optionally filtered by challenge, thema and region.
#[utoipa::path(get, path = "/api/v1/lessen",
    params(("uitdaging" = Option<String>, Query), ("thema" = Option<String>, Query), ("regio" = Option<String>, Query)),
    responses((status = 200, body = Vec<LesHit>), (status = 400, body = ErrorBody)))]
pub async fn lessen(State(_state): State<AppState>, v: View, RawQuery(raw): RawQuery) -> ApiResult<Vec<LesHit>> {
    let lib = &v.shelf().library;
    let filter = lessons::Filter::parse(&params::pairs(raw.as_deref())?, lib)?;
    let out = lessons::grouped(lib, &filter)
        .into_iter()
        .flat_map(|g| {
            let u = g.uitdaging.slug.clone();
            g.lessen.into_iter().map(move |l| LesHit {
                uitdaging: u.clone(),
                les: l.les,
                dossier: l.dossier.id,
                titel: l.dossier.titel,
                regio: l.dossier.regio.slug,
                url: l.dossier.url,
            })
        })
        .collect();
    Ok(Json(out))
}

/// The state of one source.
#[derive(Serialize, ToSchema)]
pub struct SourceStatus {
    name: String,
    /// Last indexed commit.
    commit: Option<String>,
    /// When this state was loaded (RFC 3339).
    geladen: String,
    documenten: usize,
    fouten: usize,
    waarschuwingen: usize,
    /// Findings as `path:line: severity: message`.
    meldingen: Vec<String>,
    /// Why the source could not be read, if it could not.
    leesfout: Option<String>,
    /// Why the last fetch failed; the source then serves its last good commit.
    ophaalfout: Option<String>,
}

/// What the last update wrote (signed-in readers only).
#[derive(Serialize, ToSchema)]
pub struct UpdateStatus {
    /// Documents written to the indexes, over all partitions (each dossier once).
    geschreven: usize,
    /// Documents removed from the indexes, over all partitions.
    verwijderd: usize,
    /// Markdown files rendered (the others were unchanged and reused).
    gerenderd: usize,
}

/// The state of the knowledge base.
#[derive(Serialize, ToSchema)]
pub struct StatusResponse {
    klaar: bool,
    dossiers: usize,
    bronnen: Vec<SourceStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    laatste_update: Option<UpdateStatus>,
    /// Warnings about the configuration (extension), such as an unset `site_url`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    configuratie: Vec<String>,
}

/// The state of the knowledge base
///
/// Per source: commit, documents, errors and warnings; findings and the last
/// update only for signed-in readers.
#[utoipa::path(get, path = "/api/v1/status", responses((status = 200, body = StatusResponse)))]
pub async fn status(
    State(state): State<AppState>,
    Extension(reader): Extension<Reader>,
    RawQuery(raw): RawQuery,
) -> ApiResult<StatusResponse> {
    params::only(&params::pairs(raw.as_deref())?, &[])?;
    // Before the first load the status says so (200, `klaar: false`): no `View` extractor here.
    let Some((generation, loaded)) = state.current() else {
        return Ok(Json(StatusResponse {
            klaar: false,
            dossiers: 0,
            bronnen: Vec::new(),
            laatste_update: None,
            configuratie: state.config.site_url_warning().into_iter().collect(),
        }));
    };
    let geladen = time::OffsetDateTime::from(loaded.loaded_at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let v = View::new(generation, std::sync::Arc::clone(&loaded), reader.audience.clone()).await?;
    let lib = &v.shelf().library;
    // Counts are of what this reader may see; findings (paths and messages) only for signed-in readers.
    let bronnen = loaded
        .reports()
        .iter()
        .map(|r| SourceStatus {
            name: r.name.clone(),
            commit: r.commit.clone(),
            geladen: geladen.clone(),
            documenten: lib.dossiers.iter().filter(|d| d.bron.source == r.name).count()
                + lib.playbooks.iter().filter(|d| d.bron.source == r.name).count()
                + lib.collections.iter().filter(|d| d.bron.source == r.name).count(),
            fouten: r.errors,
            waarschuwingen: r.warnings,
            meldingen: if reader.sees_findings() {
                r.diagnostics.iter().map(ToString::to_string).collect()
            } else {
                Vec::new()
            },
            leesfout: r.read_error.clone(),
            ophaalfout: r.fetch_error.clone(),
        })
        .collect();
    let laatste_update = reader.sees_findings().then(|| UpdateStatus {
        geschreven: loaded.stats.added,
        verwijderd: loaded.stats.deleted,
        gerenderd: loaded.rendered,
    });
    Ok(Json(StatusResponse {
        klaar: true,
        dossiers: lib.dossiers.len(),
        bronnen,
        laatste_update,
        configuratie: state.config.site_url_warning().into_iter().collect(),
    }))
}

/// The OpenAPI description of this API.
/// Unknown API paths answer in JSON too.
pub async fn not_found() -> ApiError {
    ApiError(Problem::NotFound)
}
