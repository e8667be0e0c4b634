//! "Vergelijkbare initiatieven": text similarity (a deterministic MoreLikeThis)
//! combined with shared themas, instruments and partners, the author's own
//! `gerelateerd` links first, each hit with reasons a reader can check.

use crate::index::IndexError;
use crate::library::Library;
use crate::library::facets::{INSTRUMENT, PARTNER, REGIO, THEMA};
use crate::search::SearchIndex;
use serde::Serialize;
use std::collections::HashMap;
use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

/// One similar dossier.
#[derive(Debug, Clone, Serialize)]
pub struct Similar {
    pub ord: usize,
    pub score: f32,
    pub waarom: Vec<String>,
    /// Near-duplicates collapsed into this hit: the same practice described by other regions.
    pub also: Vec<usize>,
    /// Chosen by the dossier's author (`gerelateerd`): listed first, from any region.
    pub auteur: bool,
}

/// The least score of a similar dossier that the author did not choose:
/// fewer hits rather than weak ones.
pub const MIN_SCORE: f32 = 0.25;

/// A partner or instrument that more than half of the library's
/// dossiers has says nothing about two of them: it is no reason.
const COMMON_SHARE: f32 = 0.5;

/// Options of a similarity request.
#[derive(Debug, Clone, Copy)]
pub struct SimilarOptions {
    pub k: usize,
    /// Include dossiers of the same region.
    pub zelfde_regio: bool,
    /// List the author's own links of the same region too when `zelfde_regio`
    /// is off (the dossier page does; the API's default follows the spec:
    /// other regions only).
    pub auteur_alle_regios: bool,
}

fn shared<'a>(a: &'a [String], b: &[String]) -> Vec<&'a str> {
    a.iter().filter(|x| b.contains(x)).map(String::as_str).collect()
}

impl SearchIndex {
    /// Text similarity of every dossier to dossier `ord`, normalised to 0..=1, by ordinal.
    fn text_similarity(&self, lib: &Library, ord: usize) -> Result<Vec<f32>, IndexError> {
        let searcher = self.reader.searcher();
        let query = self.more_like_this(&searcher, &lib.dossiers[ord]);
        let collector = crate::search::AllMatches::new(&self.ordinals);
        let found = searcher.search(&query, &collector)?;
        let max = found
            .iter()
            .filter(|(o, _)| *o as usize != ord)
            .map(|(_, s)| *s)
            .fold(0.0f32, f32::max);
        let mut out = vec![0.0; lib.dossiers.len()];
        for (o, s) in found {
            if o as usize != ord && max > 0.0 {
                out[o as usize] = s / max;
            }
        }
        Ok(out)
    }

    /// A "more like this" query for a dossier, as in Lucene and tantivy's
    /// `MoreLikeThisQuery` (the 40 terms of title, summary and body with the
    /// highest tf × idf, each boosted by its score relative to the best), but
    /// with ties broken by the term, so the same dossier always gets the same query.
    fn more_like_this(&self, searcher: &tantivy::Searcher, d: &crate::model::Dossier) -> BooleanQuery {
        const MAX_TERMS: usize = 40;
        const MIN_WORD_CHARS: usize = 4;
        let f = self.fields;
        let mut analyzer = self.index.tokenizers().get(crate::index::NL).expect("analyzer registered");
        let mut freqs: HashMap<Term, usize> = HashMap::new();
        let body = d.body.text();
        let summary = d.meta.details().samenvatting;
        for (field, text) in [(f.titel, d.meta.titel.as_str()), (f.samenvatting, &summary), (f.body, &body)] {
            let mut stream = analyzer.token_stream(text);
            while let Some(tok) = stream.next() {
                if tok.text.chars().count() >= MIN_WORD_CHARS {
                    *freqs.entry(Term::from_field_text(field, &tok.text)).or_insert(0) += 1;
                }
            }
        }
        let docs = searcher.num_docs();
        // Terms in half the dossiers or more say nothing (and, with deleted documents
        // still counted in frequencies, would trip tantivy's BM25 assertion: see pitfalls).
        let max_df = (docs / 2).max(2);
        let mut scored: Vec<(f32, Term)> = freqs
            .into_iter()
            .filter_map(|(term, tf)| {
                let df = searcher.doc_freq(&term).ok()?;
                if !(2..=max_df).contains(&df) {
                    return None;
                }
                let idf = (1.0 + (docs.saturating_sub(df) as f32 + 0.5) / (df as f32 + 0.5)).ln();
                Some((tf as f32 * idf, term))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        scored.truncate(MAX_TERMS);
        let best = scored.first().map_or(1.0, |s| s.0);
        BooleanQuery::new(
            scored
                .into_iter()
                .map(|(score, term)| {
                    let q: Box<dyn Query> = Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                        score / best,
                    ));
                    (Occur::Should, q)
                })
                .collect(),
        )
    }

    /// The dossiers most like dossier `ord`, with reasons: first the ones its
    /// author chose (`gerelateerd`, in the author's order; of the same region
    /// only with `zelfde_regio` or `auteur_alle_regios`),
    /// then the best-scoring others above `MIN_SCORE`.
    pub fn similar(&self, lib: &Library, ord: usize, opts: SimilarOptions) -> Result<Vec<Similar>, IndexError> {
        let authored: Vec<usize> = lib.dossiers[ord]
            .meta
            .gerelateerd
            .iter()
            .filter_map(|id| lib.ordinal(id))
            .filter(|&o| {
                o != ord && (opts.zelfde_regio || opts.auteur_alle_regios || lib.dossiers[o].meta.regio != lib.dossiers[ord].meta.regio)
            })
            .collect();
        let mut rest = self.scored(
            lib,
            ord,
            SimilarOptions {
                k: opts.k + authored.len(),
                ..opts
            },
        )?;
        let terms: HashMap<&str, f32> = lib.keyterms(ord).iter().map(|(t, w)| (t.as_str(), *w)).collect();
        let mut out: Vec<Similar> = authored
            .iter()
            .map(|&o| Similar {
                ord: o,
                score: rest.iter().find(|s| s.ord == o).map_or(1.0, |s| s.score),
                waarom: reasons(lib, ord, o, &terms),
                also: Vec::new(),
                auteur: true,
            })
            .collect();
        rest.retain(|s| !authored.contains(&s.ord) && s.score >= MIN_SCORE);
        for s in &mut rest {
            s.also.retain(|a| !authored.contains(a));
        }
        out.extend(rest);
        out.truncate(opts.k);
        Ok(out)
    }

    /// The dossiers most like dossier `ord` by score alone, best first, with reasons.
    ///
    /// Candidates are the dossiers the text query matched, those on a shared
    /// thema and the linked ones: a dossier with none of these is not similar,
    /// whatever key terms it shares (key terms and the text query are built
    /// differently, so that is a rule, not a shortcut). Each candidate is
    /// scored on text and metadata first; shared key terms (at most +0.05)
    /// are computed only for the candidates that can still reach the top.
    fn scored(&self, lib: &Library, ord: usize, opts: SimilarOptions) -> Result<Vec<Similar>, IndexError> {
        let table = lib.facet_table();
        let text = self.text_similarity(lib, ord)?;
        let region = table.ids(REGIO, ord);
        let jaccard = |facet: usize, i: usize| -> (usize, f32) {
            let (a, b) = (table.ids(facet, ord), table.ids(facet, i));
            let n = a.iter().filter(|x| b.contains(x)).count();
            let j = if a.is_empty() && b.is_empty() {
                0.0
            } else {
                n as f32 / (a.len() + b.len() - n).max(1) as f32
            };
            (n, j)
        };
        // Candidates scored without key terms: (score, ordinal, qualifies without key terms).
        let mut candidates: Vec<Candidate> = Vec::new();
        for (i, &t) in text.iter().enumerate() {
            if i == ord || (!opts.zelfde_regio && table.ids(REGIO, i) == region) {
                continue;
            }
            let (themas, jt) = jaccard(THEMA, i);
            let linked = table.linked(ord, i);
            if t <= 0.0 && themas == 0 && !linked {
                continue;
            }
            let base =
                0.45 * t + 0.30 * jt + 0.10 * jaccard(INSTRUMENT, i).1 + 0.10 * jaccard(PARTNER, i).1 + if linked { 1.0 } else { 0.0 };
            // Something a person can check must be shared: not partners alone.
            candidates.push(Candidate {
                base,
                ord: i,
                qualifies: linked || themas > 0 || t >= 0.25,
                lib,
            });
        }
        let terms: HashMap<&str, f32> = lib.keyterms(ord).iter().map(|(t, w)| (t.as_str(), *w)).collect();
        let keep = opts.k * 4 + 8;
        let mut out: Vec<Similar> = Vec::new();
        // Best first, without sorting them all: most never leave the heap.
        let mut heap = std::collections::BinaryHeap::from(candidates);
        while let Some(Candidate {
            base, ord: i, qualifies, ..
        }) = heap.pop()
        {
            // The rest score at most `base + KEY_TERMS`: stop once that cannot reach the top.
            if out.len() >= keep && out[keep - 1].score > base + KEY_TERMS {
                break;
            }
            let common = lib
                .keyterms(i)
                .iter()
                .filter(|(t, _)| terms.contains_key(t.as_str()))
                .count()
                .min(5);
            if !(qualifies || common >= 2) {
                continue;
            }
            let score = base + KEY_TERMS * (common as f32 / 5.0);
            let at = out.partition_point(|s| rank(lib, s.score, s.ord, score, i).is_lt());
            out.insert(
                at,
                Similar {
                    ord: i,
                    score,
                    waarom: Vec::new(),
                    also: Vec::new(),
                    auteur: false,
                },
            );
            out.truncate(keep);
        }
        let mut out = collapse(lib, out);
        out.truncate(opts.k);
        for s in &mut out {
            s.score = (s.score.min(2.0) * 100.0).round() / 100.0;
            s.waarom = reasons(lib, ord, s.ord, &terms);
        }
        Ok(out)
    }
}

/// The weight of shared key terms in the similarity score (at five or more).
const KEY_TERMS: f32 = 0.05;

/// The order of similar dossiers: higher score first, then by id.
fn rank(lib: &Library, sa: f32, a: usize, sb: f32, b: usize) -> std::cmp::Ordering {
    sb.total_cmp(&sa).then_with(|| lib.dossiers[a].id.cmp(&lib.dossiers[b].id))
}

/// A candidate scored without key terms, ordered for a max-heap (best = greatest).
struct Candidate<'l> {
    base: f32,
    ord: usize,
    qualifies: bool,
    lib: &'l Library,
}

impl PartialEq for Candidate<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Candidate<'_> {}

impl PartialOrd for Candidate<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // `rank` puts the better one first (Less); the heap pops the greatest.
        rank(self.lib, self.base, self.ord, other.base, other.ord).reverse()
    }
}

/// The reasons, in Dutch, why dossier `i` is like dossier `ord`.
fn reasons(lib: &Library, ord: usize, i: usize, terms: &HashMap<&str, f32>) -> Vec<String> {
    let (d, other) = (&lib.dossiers[ord], &lib.dossiers[i]);
    let v = &lib.vocab;
    let mut waarom = Vec::new();
    if d.meta.gerelateerd.contains(&other.id) {
        waarom.push("gekozen door de auteur".to_string());
    } else if other.meta.gerelateerd.contains(&d.id) {
        waarom.push("door de auteur gekoppeld".to_string());
    }
    // A value that most of the library's dossiers have is no reason.
    let table = lib.facet_table();
    let informative = |facet: usize, value: &str| table.share(facet, value) <= COMMON_SHARE;
    let themas = shared(&d.meta.themas, &other.meta.themas);
    if !themas.is_empty() {
        let names: Vec<&str> = themas.iter().map(|t| lib.thema_name(t)).collect();
        let label = if names.len() == 1 { "zelfde thema" } else { "zelfde thema's" };
        waarom.push(format!("{label}: {}", names.join(", ").to_lowercase()));
    }
    // Partner names are proper names: their case is kept.
    for (label, facet, mine, theirs, names, lower) in [
        (
            "gedeelde instrumenten",
            INSTRUMENT,
            &d.meta.instrumenten,
            &other.meta.instrumenten,
            &v.instrumenten,
            true,
        ),
        (
            "gedeelde partners",
            PARTNER,
            &d.meta.partners,
            &other.meta.partners,
            &v.partners,
            false,
        ),
    ] {
        let names: Vec<&str> = (shared(mine, theirs).into_iter())
            .filter(|s| informative(facet, s))
            .map(|s| names.name(s))
            .collect();
        if !names.is_empty() {
            let list = names.join(", ");
            waarom.push(format!("{label}: {}", if lower { list.to_lowercase() } else { list }));
        }
    }
    let mut common: Vec<(&str, f32)> = lib
        .keyterms(i)
        .iter()
        .filter_map(|(t, w)| terms.get(t.as_str()).map(|w2| (t.as_str(), w + w2)))
        .filter(|(t, _)| lib.is_distinctive(t))
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

    /// The ranking as defined: every candidate scored with all its parts, sorted.
    fn reference(idx: &SearchIndex, lib: &Library, ord: usize, opts: SimilarOptions) -> Vec<(usize, f32)> {
        let d = &lib.dossiers[ord];
        let text = idx.text_similarity(lib, ord).unwrap();
        let terms: HashMap<&str, f32> = lib.keyterms(ord).iter().map(|(t, w)| (t.as_str(), *w)).collect();
        let jaccard = |a: &[String], b: &[String]| {
            let n = shared(a, b).len();
            if a.is_empty() && b.is_empty() {
                0.0
            } else {
                n as f32 / (a.len() + b.len() - n).max(1) as f32
            }
        };
        let mut out: Vec<Similar> = Vec::new();
        for (i, o) in lib.dossiers.iter().enumerate() {
            if i == ord || (!opts.zelfde_regio && o.meta.regio == d.meta.regio) {
                continue;
            }
            let linked = d.meta.gerelateerd.contains(&o.id) || o.meta.gerelateerd.contains(&d.id);
            let themas = shared(&d.meta.themas, &o.meta.themas).len();
            let common = lib
                .keyterms(i)
                .iter()
                .filter(|(t, _)| terms.contains_key(t.as_str()))
                .count()
                .min(5);
            let t = text[i];
            let score = 0.45 * t
                + 0.30 * jaccard(&d.meta.themas, &o.meta.themas)
                + 0.10 * jaccard(&d.meta.instrumenten, &o.meta.instrumenten)
                + 0.10 * jaccard(&d.meta.partners, &o.meta.partners)
                + if linked { 1.0 } else { 0.0 }
                + 0.05 * (common as f32 / 5.0);
            // The candidate rule of `similar`: text, a thema or a link in common.
            if t <= 0.0 && themas == 0 && !linked {
                continue;
            }
            if linked || themas > 0 || t >= 0.25 || common >= 2 {
                out.push(Similar {
                    ord: i,
                    score,
                    waarom: Vec::new(),
                    also: Vec::new(),
                    auteur: false,
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
        out.into_iter()
            .map(|s| (s.ord, (s.score.min(2.0) * 100.0).round() / 100.0))
            .collect()
    }

    #[test]
    fn pruned_ranking_equals_the_full_one_for_every_starter_dossier() {
        let lib = crate::testkit::starter(crate::Audience::Liec);
        let idx = SearchIndex::build_in_ram(&lib).unwrap();
        let mut nonempty = 0;
        for ord in 0..lib.dossiers.len() {
            for opts in [
                SimilarOptions {
                    k: 1,
                    zelfde_regio: false,
                    auteur_alle_regios: false,
                },
                SimilarOptions {
                    k: 5,
                    zelfde_regio: true,
                    auteur_alle_regios: false,
                },
            ] {
                let got: Vec<(usize, f32)> = idx.scored(&lib, ord, opts).unwrap().iter().map(|s| (s.ord, s.score)).collect();
                assert_eq!(got, reference(&idx, &lib, ord, opts), "{}", lib.dossiers[ord].id);
                nonempty += usize::from(!got.is_empty());
            }
        }
        assert!(nonempty > lib.dossiers.len(), "most dossiers have similar ones");
    }

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
        let idx = crate::search::SearchIndex::build_in_ram(&lib).unwrap();
        let x = lib.ordinal("limburg/x").unwrap();
        let out = idx
            .similar(
                &lib,
                x,
                SimilarOptions {
                    k: 5,
                    zelfde_regio: true,
                    auteur_alle_regios: false,
                },
            )
            .unwrap();
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
