//! Query-string parsing shared by the pages and the API: repeatable
//! filters, strict names (an unknown parameter is a 400) and checked values.

use crate::error::Problem;
use indexer::Library;
use indexer::search::{FACETS, SearchRequest, Sort};
use std::collections::BTreeMap;

/// Longest free-text query accepted.
pub const MAX_QUERY_CHARS: usize = 500;
/// Highest page number accepted.
pub const MAX_PAGE: usize = 1000;

/// The `(name, value)` pairs of a query string, in order. Malformed
/// percent-encoding or invalid UTF-8 is a 400, never silently replaced.
pub fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, Problem> {
    let bad = || Problem::BadRequest("de adresregel bevat ongeldige tekens of een ongeldige %-codering".into());
    let decode = |s: &str| -> Result<String, Problem> {
        let b = s.as_bytes();
        for (i, c) in b.iter().enumerate() {
            if *c == b'%' && !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)) {
                return Err(bad());
            }
        }
        let plus = s.replace('+', " ");
        percent_encoding::percent_decode_str(&plus)
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| bad())
    };
    let mut out = Vec::new();
    for part in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        out.push((decode(k)?, decode(v)?));
    }
    Ok(out)
}

/// Fails with a 400 on a parameter not in `allowed`.
/// True for a parameter that link trackers add (`utm_source`, `fbclid`, …):
/// the website ignores them, so a shared link works; the JSON API stays strict.
pub fn is_tracking(key: &str) -> bool {
    const EXACT: [&str; 12] = [
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mkt_tok", "_ga", "_gl", "srsltid",
    ];
    const PREFIXES: [&str; 4] = ["utm_", "mc_", "pk_", "mtm_"];
    let key = key.to_ascii_lowercase();
    EXACT.contains(&key.as_str()) || PREFIXES.iter().any(|p| key.starts_with(p))
}

/// The pairs of a website URL without tracking parameters (see `is_tracking`).
pub fn page_pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, Problem> {
    let mut pairs = pairs(raw)?;
    pairs.retain(|(k, _)| !is_tracking(k));
    Ok(pairs)
}

pub fn only(pairs: &[(String, String)], allowed: &[&str]) -> Result<(), Problem> {
    match pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        Some((k, _)) => Err(Problem::BadRequest(format!(
            "onbekende parameter `{k}` (toegestaan: {})",
            allowed.join(", ")
        ))),
        None => Ok(()),
    }
}

/// The single value of `name`, if given (a repeated one is an error).
pub fn single<'a>(pairs: &'a [(String, String)], name: &str) -> Result<Option<&'a str>, Problem> {
    let mut values = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let first = values.next();
    if values.next().is_some() {
        return Err(Problem::BadRequest(format!("parameter `{name}` mag maar één keer voorkomen")));
    }
    Ok(first)
}

/// A positive integer parameter within `1..=max`.
pub fn number(pairs: &[(String, String)], name: &str, default: usize, max: usize) -> Result<usize, Problem> {
    match single(pairs, name)? {
        None | Some("") => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(Problem::BadRequest(format!(
                "`{name}` moet een geheel getal van 1 tot en met {max} zijn, niet `{v}`"
            ))),
        },
    }
}

/// A boolean parameter (`true`/`false`).
pub fn boolean(pairs: &[(String, String)], name: &str, default: bool) -> Result<bool, Problem> {
    match single(pairs, name)? {
        None | Some("") => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(v) => Err(Problem::BadRequest(format!("`{name}` moet true of false zijn, niet `{v}`"))),
    }
}

/// Checks that every value of a filter facet exists in the vocabulary.
fn check_facet_value(lib: &Library, facet: &str, value: &str) -> Result<(), Problem> {
    let v = &lib.vocab;
    let known = match facet {
        "regio" => v.knows_regio(value),
        "thema" => lib.playbook(value).is_some(),
        "type" => matches!(value, "leerdossier" | "praktijk" | "thema" | "collectie" | "pagina" | "regio"),
        "partner" => v.partners.contains(value),
        "instrument" => v.instrumenten.contains(value),
        "status" => indexer::model::Status::ALL.iter().any(|(n, _)| *n == value),
        _ => false,
    };
    if known {
        Ok(())
    } else {
        Err(Problem::BadRequest(format!("onbekende waarde `{value}` voor `{facet}`")))
    }
}

/// Parses a search query string. `extra` lists further accepted names (such as `per_pagina`).
pub fn search(pairs: &[(String, String)], lib: &Library, extra: &[&str]) -> Result<SearchRequest, Problem> {
    let mut allowed: Vec<&str> = vec!["q", "sort", "pagina"];
    allowed.extend(FACETS);
    allowed.extend(extra);
    only(pairs, &allowed)?;
    let q = single(pairs, "q")?.unwrap_or_default().trim().to_string();
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(Problem::BadRequest(format!("de zoekvraag is langer dan {MAX_QUERY_CHARS} tekens")));
    }
    let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in pairs {
        if FACETS.contains(&k.as_str()) && !v.is_empty() {
            check_facet_value(lib, k, v)?;
            // A former region slug filters on the region it merged into.
            let v = &if k == "regio" {
                lib.vocab.canonical_regio(v).to_string()
            } else {
                v.clone()
            };
            let values = filters.entry(k.clone()).or_default();
            if !values.contains(v) {
                values.push(v.clone());
            }
        }
    }
    let sort = match single(pairs, "sort")? {
        None | Some("") => {
            if q.is_empty() {
                Sort::Datum
            } else {
                Sort::Relevantie
            }
        }
        Some("relevantie") => Sort::Relevantie,
        Some("datum") => Sort::Datum,
        Some(v) => return Err(Problem::BadRequest(format!("`sort` moet relevantie of datum zijn, niet `{v}`"))),
    };
    let page = number(pairs, "pagina", 1, MAX_PAGE)?;
    let per_page = if extra.contains(&"per_pagina") {
        number(pairs, "per_pagina", 20, 100)?
    } else {
        20
    };
    Ok(SearchRequest {
        q,
        filters,
        sort,
        page,
        per_page,
    })
}
