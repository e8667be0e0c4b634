//! "Vergelijkbare initiatieven": text similarity (tantivy's MoreLikeThis)
//! combined with shared themas, instruments and partners, the author's own
//! `gerelateerd` links first, each hit with reasons a reader can check.

use crate::index::{IndexError, SearchIndex};
use crate::library::Library;
use serde::Serialize;
use std::collections::HashMap;
use tantivy::query::MoreLikeThisQuery;
use tantivy::schema::OwnedValue;

/// One similar dossier.
#[derive(Debug, Clone, Serialize)]
pub struct Similar {
    pub ord: usize,
    pub score: f32,
    pub waarom: Vec<String>,
    /// Near-duplicates collapsed into this hit: the same practice described by other regions.
    pub also: Vec<usize>,
}

/// Options of a similarity request.
#[derive(Debug, Clone, Copy)]
pub struct SimilarOptions {
    pub k: usize,
    /// Include dossiers of the same region.
    pub zelfde_regio: bool,
}

fn shared<'a>(a: &'a [String], b: &[String]) -> Vec<&'a str> {
    a.iter().filter(|x| b.contains(x)).map(String::as_str).collect()
}

impl SearchIndex {
    /// Text similarity of every dossier to dossier `ord`, normalised to 0..=1.
    fn text_similarity(&self, lib: &Library, ord: usize) -> Result<HashMap<usize, f32>, IndexError> {
        let d = &lib.dossiers[ord];
        let searcher = self.reader.searcher();
        let n = searcher.num_docs().max(1);
        let f = self.fields;
        let fields = vec![
            (f.titel, vec![OwnedValue::Str(d.meta.titel.clone())]),
            (f.samenvatting, vec![OwnedValue::Str(d.meta.samenvatting.clone())]),
            (f.body, vec![OwnedValue::Str(d.body.text.clone())]),
        ];
        // max_doc_frequency avoids tantivy's BM25 assertion on near-universal
        // terms once the index holds deleted documents (see pitfalls).
        let query = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(2)
            .with_max_doc_frequency((n / 2).max(2))
            .with_min_term_frequency(1)
            .with_min_word_length(4)
            .with_max_query_terms(40)
            .with_document_fields(fields);
        let collector = crate::search::AllMatches::new(&self.ordinals);
        let found = searcher.search(&query, &collector)?;
        let max = found
            .iter()
            .filter(|(o, _)| *o as usize != ord)
            .map(|(_, s)| *s)
            .fold(0.0f32, f32::max);
        Ok(found
            .into_iter()
            .filter(|(o, _)| *o as usize != ord)
            .map(|(o, s)| (o as usize, if max > 0.0 { s / max } else { 0.0 }))
            .collect())
    }

    /// The dossiers most like dossier `ord`, best first, with reasons.
    pub fn similar(&self, lib: &Library, ord: usize, opts: SimilarOptions) -> Result<Vec<Similar>, IndexError> {
        let d = &lib.dossiers[ord];
        let text = self.text_similarity(lib, ord)?;
        let terms: HashMap<&str, f32> = lib.keyterms(ord).iter().map(|(t, w)| (t.as_str(), *w)).collect();
        // Score every candidate cheaply; reasons are written for the few kept.
        let mut out = Vec::new();
        for (i, other) in lib.dossiers.iter().enumerate() {
            if i == ord || (!opts.zelfde_regio && other.meta.regio == d.meta.regio) {
                continue;
            }
            let linked = d.meta.gerelateerd.contains(&other.id) || other.meta.gerelateerd.contains(&d.id);
            let themas = shared(&d.meta.themas, &other.meta.themas).len();
            let instr = shared(&d.meta.instrumenten, &other.meta.instrumenten).len();
            let partners = shared(&d.meta.partners, &other.meta.partners).len();
            let common = lib
                .keyterms(i)
                .iter()
                .filter(|(t, _)| terms.contains_key(t.as_str()))
                .count()
                .min(5);
            let t = text.get(&i).copied().unwrap_or(0.0);
            let jaccard = |a: &[String], b: &[String], n: usize| {
                if a.is_empty() && b.is_empty() {
                    0.0
                } else {
                    n as f32 / (a.len() + b.len() - n).max(1) as f32
                }
            };
            let score = 0.45 * t
                + 0.30 * jaccard(&d.meta.themas, &other.meta.themas, themas)
                + 0.10 * jaccard(&d.meta.instrumenten, &other.meta.instrumenten, instr)
                + 0.10 * jaccard(&d.meta.partners, &other.meta.partners, partners)
                + 0.05 * (common as f32 / 5.0)
                + if linked { 1.0 } else { 0.0 };
            // Something a person can check must be shared: not partners alone.
            if linked || themas > 0 || t >= 0.25 || common >= 2 {
                out.push(Similar {
                    ord: i,
                    score,
                    waarom: Vec::new(),
                    also: Vec::new(),
                });
            }
        }
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| lib.dossiers[a.ord].id.cmp(&lib.dossiers[b.ord].id))
        });
        out.truncate(opts.k * 4 + 8);
        let mut out = collapse(lib, out);
        out.truncate(opts.k);
        for s in &mut out {
            s.score = (s.score.min(2.0) * 100.0).round() / 100.0;
            s.waarom = reasons(lib, ord, s.ord, &terms);
        }
        Ok(out)
    }
}

/// The reasons, in Dutch, why dossier `i` is like dossier `ord`.
fn reasons(lib: &Library, ord: usize, i: usize, terms: &HashMap<&str, f32>) -> Vec<String> {
    let (d, other) = (&lib.dossiers[ord], &lib.dossiers[i]);
    let v = &lib.vocab;
    let mut waarom = Vec::new();
    if d.meta.gerelateerd.contains(&other.id) || other.meta.gerelateerd.contains(&d.id) {
        waarom.push("door de auteur gekoppeld".to_string());
    }
    let themas = shared(&d.meta.themas, &other.meta.themas);
    if !themas.is_empty() {
        let names: Vec<&str> = themas.iter().map(|t| lib.thema_name(t)).collect();
        let label = if names.len() == 1 { "zelfde thema" } else { "zelfde thema's" };
        waarom.push(format!("{label}: {}", names.join(", ").to_lowercase()));
    }
    let instr = shared(&d.meta.instrumenten, &other.meta.instrumenten);
    if !instr.is_empty() {
        let names: Vec<&str> = instr.iter().map(|s| v.instrumenten.name(s)).collect();
        waarom.push(format!("gedeelde instrumenten: {}", names.join(", ").to_lowercase()));
    }
    let partners = shared(&d.meta.partners, &other.meta.partners);
    if partners.len() >= 2 {
        let names: Vec<&str> = partners.iter().map(|s| v.partners.name(s)).collect();
        waarom.push(format!("gedeelde partners: {}", names.join(", ")));
    }
    let mut common: Vec<(&str, f32)> = lib
        .keyterms(i)
        .iter()
        .filter_map(|(t, w)| terms.get(t.as_str()).map(|w2| (t.as_str(), w + w2)))
        .collect();
    common.sort_by(|a, b| b.1.total_cmp(&a.1));
    common.truncate(5);
    if !common.is_empty() {
        waarom.push(format!(
            "gedeelde termen: {}",
            common.iter().map(|(t, _)| *t).collect::<Vec<_>>().join(", ")
        ));
    }
    waarom
}

/// True when two dossiers describe the same thing: equal titles, or the same
/// themas and most characteristic words in common.
fn near_duplicate(lib: &Library, a: usize, b: usize) -> bool {
    let (da, db) = (&lib.dossiers[a], &lib.dossiers[b]);
    if crate::text::fold(&da.meta.titel) == crate::text::fold(&db.meta.titel) {
        return true;
    }
    let (ka, kb) = (lib.keyterms(a), lib.keyterms(b));
    if ka.len() < 5 || kb.len() < 5 {
        return false;
    }
    let shared = ka.iter().filter(|(t, _)| kb.iter().any(|(u, _)| u == t)).count();
    let mut ta = da.meta.themas.clone();
    let mut tb = db.meta.themas.clone();
    ta.sort();
    tb.sort();
    ta == tb && shared as f32 / (ka.len() + kb.len() - shared) as f32 >= 0.6
}

/// Folds near-duplicates into the better-ranked hit (its `also`).
fn collapse(lib: &Library, hits: Vec<Similar>) -> Vec<Similar> {
    let mut out: Vec<Similar> = Vec::new();
    for h in hits {
        match out.iter_mut().find(|k| near_duplicate(lib, k.ord, h.ord)) {
            Some(kept) => kept.also.push(h.ord),
            None => out.push(h),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_the_same_practice_described_twice() {
        let same = "Wijkagenten en jongerenwerkers organiseren weerbaarheidstrainingen, ouderavonden, sportclinics, voorlichtingslessen, rolmodellen en straatcoaches tegen ronselpraktijken.";
        let lib = crate::testkit::library(&[
            ("a", same),
            ("b", same),
            (
                "x",
                "Jongerenwerkers, weerbaarheidstrainingen, ouderavonden, sportclinics en straatcoaches tegen ronselpraktijken.",
            ),
            ("c", "Havens en douane."),
            ("d", "Recreatieparken en campings."),
            ("e", "Motorbendes en clubhuizen."),
            ("f", "Bedrijventerreinen en loodsen."),
        ]);
        let idx = crate::index::SearchIndex::build_in_ram(&lib).unwrap();
        let x = lib.ordinal("limburg/x").unwrap();
        let out = idx.similar(&lib, x, SimilarOptions { k: 5, zelfde_regio: true }).unwrap();
        let first = &out[0];
        let ids: Vec<&str> = std::iter::once(first.ord)
            .chain(first.also.iter().copied())
            .map(|o| lib.dossiers[o].slug.as_str())
            .collect();
        assert_eq!(ids.len(), 2, "{ids:?}");
        assert!(ids.contains(&"a") && ids.contains(&"b"), "{ids:?}");
        assert!(!out[1..].iter().any(|s| ["a", "b"].contains(&lib.dossiers[s.ord].slug.as_str())));
    }
}
