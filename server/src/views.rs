//! View models: the library's documents turned into what pages and the API
//! show (display names resolved, URLs built). One place for each shape.

use indexer::Library;
use indexer::model::Dossier;
use indexer::search::SearchRequest;
use serde::Serialize;

/// A slug with its display name and page.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub slug: String,
    pub naam: String,
    pub url: String,
}

/// A dossier in a list.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub titel: String,
    pub regio: Named,
    pub themas: Vec<Named>,
    pub samenvatting: String,
    /// `openbaar`, `netwerk` or `regio`: lists label the restricted ones.
    pub toegang: &'static str,
    pub status: Option<&'static str>,
    pub periode: Option<String>,
    pub bijgewerkt: Option<String>,
    pub url: String,
}

/// What a signed-in reader may see, for the page header: `soort` is
/// `netwerk`, `regio` or `landelijk`; `regios` names the reader's regions.
pub fn access_of(audience: &indexer::Audience, vocab: Option<&indexer::model::vocab::Vocabulary>) -> minijinja::Value {
    use indexer::Audience;
    let (soort, regios): (&str, Vec<String>) = match audience {
        Audience::Public | Audience::Network => ("netwerk", Vec::new()),
        Audience::Liec => ("landelijk", Vec::new()),
        Audience::Regions(rs) => {
            // Groups that are no region (of this vocabulary) grant nothing: not shown.
            let mut names: Vec<String> = rs
                .iter()
                .filter_map(|r| match vocab {
                    Some(v) => v
                        .regios
                        .contains(v.canonical_regio(r))
                        .then(|| label(&v.regios, v.canonical_regio(r)).to_string()),
                    None => Some(r.clone()),
                })
                .collect();
            names.dedup();
            (if names.is_empty() { "netwerk" } else { "regio" }, names)
        }
    };
    minijinja::context! { soort, regios }
}

/// A vocabulary name in the interface language of the request being handled
/// (its English name on an English page, when the vocabulary gives one; the
/// API and feeds, outside a page, get the Dutch name).
pub fn label<'a>(names: &'a indexer::model::vocab::Names, slug: &'a str) -> &'a str {
    names.name_in(slug, crate::i18n::current())
}

pub fn regio(lib: &Library, slug: &str) -> Named {
    Named {
        slug: slug.into(),
        naam: label(&lib.vocab.regios, slug).into(),
        url: format!("/regios/{slug}"),
    }
}

pub fn thema(lib: &Library, slug: &str) -> Named {
    Named {
        slug: slug.into(),
        naam: lib.thema_name(slug).into(),
        url: format!("/themas/{slug}"),
    }
}

/// A filter link: the search page filtered on one facet value.
pub fn filter(facet: &str, slug: &str, naam: &str) -> Named {
    Named {
        slug: slug.into(),
        naam: naam.into(),
        url: format!("/zoeken?{facet}={}", urlencode(slug)),
    }
}

pub fn dossier_url(d: &Dossier) -> String {
    format!("/dossiers/{}", d.id)
}

/// The period of a dossier, as "2019 – 2022" or "sinds 2019".
pub fn periode(d: &Dossier) -> Option<String> {
    match (d.meta.start, d.meta.eind) {
        (Some(s), Some(e)) => Some(format!("{s} – {e}")),
        (Some(s), None) => Some(format!("sinds {s}")),
        (None, Some(e)) => Some(format!("tot {e}")),
        (None, None) => None,
    }
}

pub fn card(lib: &Library, d: &Dossier) -> Card {
    card_with(lib, d, d.meta.details().samenvatting)
}

/// A dossier's card with its summary already read (from its details, which
/// live out of memory).
pub fn card_with(lib: &Library, d: &Dossier, samenvatting: String) -> Card {
    Card {
        id: d.id.clone(),
        kind: d.meta.kind.as_str(),
        titel: d.meta.titel.clone(),
        regio: regio(lib, &d.meta.regio),
        themas: d.meta.themas.iter().map(|t| thema(lib, t)).collect(),
        samenvatting,
        toegang: d.meta.toegang.as_str(),
        status: d.meta.status.map(|s| s.as_str()),
        periode: periode(d),
        bijgewerkt: d.updated.map(|u| u.to_string()),
        url: dossier_url(d),
    }
}

/// The display name of a facet value.
pub fn facet_name(lib: &Library, facet: &str, slug: &str) -> String {
    let v = &lib.vocab;
    match facet {
        "regio" => label(&v.regios, slug).into(),
        "thema" => lib.thema_name(slug).into(),
        "partner" => label(&v.partners, slug).into(),
        "instrument" => label(&v.instrumenten, slug).into(),
        "type" => match slug {
            "leerdossier" => "Leerdossier".into(),
            "praktijk" => "Praktijk".into(),
            "thema" => "Thema".into(),
            "collectie" => "Collectie".into(),
            "pagina" => "Pagina".into(),
            "regio" => "Regiobeschrijving".into(),
            s => s.into(),
        },
        _ => capitalize(slug),
    }
}

/// The Dutch label of a facet.
pub fn facet_label(facet: &str) -> &'static str {
    match facet {
        "regio" => "Regio",
        "thema" => "Thema",
        "type" => "Soort",
        "partner" => "Partner",
        "instrument" => "Instrument",
        "status" => "Status",
        _ => "",
    }
}

pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The query string of a search request (without `pagina` when it is 1).
pub fn search_query(req: &SearchRequest) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    if !req.q.is_empty() {
        ser.append_pair("q", &req.q);
    }
    for (facet, values) in &req.filters {
        for v in values {
            ser.append_pair(facet, v);
        }
    }
    let default_sort = if req.q.is_empty() {
        indexer::search::Sort::Datum
    } else {
        indexer::search::Sort::Relevantie
    };
    if req.sort != default_sort {
        ser.append_pair(
            "sort",
            if req.sort == indexer::search::Sort::Datum {
                "datum"
            } else {
                "relevantie"
            },
        );
    }
    if req.page > 1 {
        ser.append_pair("pagina", &req.page.to_string());
    }
    ser.finish()
}

/// A search URL with one facet value toggled (added or removed), back on page 1.
pub fn toggle_url(req: &SearchRequest, facet: &str, value: &str) -> String {
    let mut r = req.clone();
    r.page = 1;
    let values = r.filters.entry(facet.to_string()).or_default();
    if let Some(i) = values.iter().position(|v| v == value) {
        values.remove(i);
    } else {
        values.push(value.to_string());
    }
    format!("/zoeken?{}", search_query(&r))
}

/// A search URL for another page.
pub fn page_url(req: &SearchRequest, page: usize) -> String {
    let mut r = req.clone();
    r.page = page;
    format!("/zoeken?{}", search_query(&r))
}
