//! Search: free text with phrases over the Dutch index, filters on every
//! facet, facet counts, highlighted snippets, pagination and sorting.
//!
//! The text query runs in tantivy and yields every matching dossier with
//! its score; filters, facet counts (each facet counted without its own
//! filter, so a reader can widen a choice) and sorting then run over the
//! library's metadata in memory.

use crate::index::{IndexError, SearchIndex};
use crate::library::{Library, date_key};
use crate::model::Dossier;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{AllQuery, Query as TQuery};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// The facets of the search API, in display order.
pub const FACETS: [&str; 6] = ["regio", "thema", "type", "partner", "instrument", "status"];

/// Sort order of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevantie,
    Datum,
}

/// A search request.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    pub q: String,
    /// Facet name → accepted values (OR within a facet, AND across facets).
    pub filters: BTreeMap<String, Vec<String>>,
    pub sort: Sort,
    /// 1-based page.
    pub page: usize,
    pub per_page: usize,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            filters: BTreeMap::new(),
            sort: Sort::Relevantie,
            page: 1,
            per_page: 20,
        }
    }
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Ordinal of the dossier in the library.
    pub ord: usize,
    pub score: f32,
    /// HTML with `<mark>` around matches; the text itself is escaped.
    pub snippet: String,
}

/// Results of a search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Facet → value → count.
    pub facets: BTreeMap<String, BTreeMap<String, usize>>,
    /// A corrected query that finds more ("Bedoelde u ...?"). When the query
    /// itself found nothing, the hits are those of the correction.
    pub suggestion: Option<String>,
    /// True when the query itself found nothing and the hits are the suggestion's.
    pub replaced: bool,
}

/// The ranking prior of a dossier: up to +5% for recency (linear over about two
/// years) and +5% for a finished (`afgerond`) dossier with lessons.
fn prior(d: &Dossier, newest: u32) -> f32 {
    let age = newest.saturating_sub(date_key(d)) as f32;
    let recent = 0.05 * (1.0 - (age / 800.0).min(1.0));
    let done = if d.meta.status == Some(crate::model::Status::Afgerond) && !d.meta.lessen.is_empty() {
        0.05
    } else {
        0.0
    };
    recent + done
}

/// The values of a facet for a dossier.
pub fn facet_values<'a>(d: &'a Dossier, facet: &str) -> Vec<&'a str> {
    match facet {
        "regio" => vec![d.meta.regio.as_str()],
        "thema" => d.meta.themas.iter().map(String::as_str).collect(),
        "type" => vec![d.meta.kind.as_str()],
        "partner" => d.meta.partners.iter().map(String::as_str).collect(),
        "instrument" => d.meta.instrumenten.iter().map(String::as_str).collect(),
        "status" => d.meta.status.map(|s| s.as_str()).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// Every matching dossier ordinal with its score, and the query that matched (none for "everything").
pub type Matches = (Vec<(u32, Score)>, Option<Box<dyn TQuery>>);

/// Collects every matching dossier ordinal with its score.
pub(crate) struct AllMatches {
    ordinals: Arc<Vec<Vec<u32>>>,
}

impl AllMatches {
    pub(crate) fn new(ordinals: &Arc<Vec<Vec<u32>>>) -> Self {
        AllMatches {
            ordinals: Arc::clone(ordinals),
        }
    }
}

pub(crate) struct SegmentMatches {
    ordinals: Arc<Vec<Vec<u32>>>,
    segment: usize,
    out: Vec<(u32, Score)>,
}

impl Collector for AllMatches {
    type Fruit = Vec<(u32, Score)>;
    type Child = SegmentMatches;

    fn for_segment(&self, seg: SegmentOrdinal, _reader: &SegmentReader) -> tantivy::Result<Self::Child> {
        Ok(SegmentMatches {
            ordinals: Arc::clone(&self.ordinals),
            segment: seg as usize,
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u32, Score)>>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentMatches {
    type Fruit = Vec<(u32, Score)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let ord = self
            .ordinals
            .get(self.segment)
            .and_then(|m| m.get(doc as usize))
            .copied()
            .unwrap_or(u32::MAX);
        if ord != u32::MAX {
            self.out.push((ord, score));
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.out
    }
}

impl SearchIndex {
    /// Every dossier matching the free text, with scores (all dossiers when `q` is empty).
    /// Words are required; when that finds nothing, any word will do.
    pub fn matches(&self, lib: &Library, q: &str) -> Result<Matches, IndexError> {
        let searcher = self.reader.searcher();
        let collector = AllMatches::new(&self.ordinals);
        let clauses = crate::query::parse(q);
        if clauses.is_empty() {
            return Ok((searcher.search(&AllQuery, &collector)?, None));
        }
        let builder = crate::query::Builder::new(self, lib);
        let query = builder.build(&clauses, true);
        let found = searcher.search(&*query, &collector)?;
        if found.is_empty() && clauses.iter().filter(|c| !c.negated).count() > 1 {
            let any = builder.build(&clauses, false);
            return Ok((searcher.search(&*any, &collector)?, Some(any)));
        }
        Ok((found, Some(query)))
    }

    /// Runs a search request against the library it was built from.
    pub fn search(&self, lib: &Library, req: &SearchRequest) -> Result<SearchResults, IndexError> {
        let (mut found, mut query) = self.matches(lib, &req.q)?;
        // Little found: retry with corrected spelling, and offer the correction.
        let mut suggestion = None;
        let mut replaced = false;
        if found.len() < 3 && !self.plain {
            let clauses = crate::query::parse(&req.q);
            if let Some(corrected) = crate::query::Builder::new(self, lib).correct(&clauses) {
                let (again, q2) = self.matches(lib, &corrected)?;
                if again.len() > found.len() {
                    if found.is_empty() {
                        found = again;
                        query = q2;
                        replaced = true;
                    }
                    suggestion = Some(corrected);
                }
            }
        }
        let passes = |d: &Dossier, skip: Option<&str>| {
            req.filters.iter().all(|(facet, wanted)| {
                Some(facet.as_str()) == skip || wanted.is_empty() || facet_values(d, facet).iter().any(|v| wanted.iter().any(|w| w == v))
            })
        };
        // Count with borrowed keys (no allocation per increment); most dossiers pass
        // every filter, so check the whole set once and per facet only when it fails.
        let mut counts: [HashMap<&str, usize>; FACETS.len()] = Default::default();
        let mut hits: Vec<(u32, Score)> = Vec::new();
        for &(ord, score) in &found {
            let d = &lib.dossiers[ord as usize];
            let all = passes(d, None);
            for (i, facet) in FACETS.iter().enumerate() {
                if all || passes(d, Some(facet)) {
                    for v in facet_values(d, facet) {
                        *counts[i].entry(v).or_insert(0) += 1;
                    }
                }
            }
            if all {
                hits.push((ord, score));
            }
        }
        let facets: BTreeMap<String, BTreeMap<String, usize>> = FACETS
            .iter()
            .zip(counts)
            .map(|(f, c)| (f.to_string(), c.into_iter().map(|(k, n)| (k.to_string(), n)).collect()))
            .collect();
        let by_date = |a: &(u32, Score), b: &(u32, Score)| {
            let (da, db) = (&lib.dossiers[a.0 as usize], &lib.dossiers[b.0 as usize]);
            date_key(db).cmp(&date_key(da)).then_with(|| da.id.cmp(&db.id))
        };
        match (req.sort, query.is_some()) {
            (Sort::Relevantie, true) => {
                // A small boost for recent dossiers and finished ones with lessons.
                let newest = lib.dossiers.iter().map(|d| date_key(d)).max().unwrap_or(0);
                for h in &mut hits {
                    h.1 *= 1.0 + prior(&lib.dossiers[h.0 as usize], newest);
                }
                hits.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| by_date(a, b)));
                // Curated pins come first, when they pass the filters.
                let pinned = lib.vocab.pinned(&req.q);
                if !pinned.is_empty() {
                    let mut first = Vec::new();
                    for id in pinned {
                        let Some(ord) = lib.ordinal(id) else { continue };
                        if !passes(&lib.dossiers[ord], None) {
                            continue;
                        }
                        let pos = hits.iter().position(|h| h.0 as usize == ord);
                        let score = pos.map_or(0.0, |p| hits.remove(p).1);
                        first.push((ord as u32, score));
                    }
                    first.extend(hits);
                    hits = first;
                }
            }
            _ => hits.sort_by(by_date),
        }
        let total = hits.len();
        let start = req.page.saturating_sub(1).saturating_mul(req.per_page);
        let page: Vec<(u32, Score)> = hits.into_iter().skip(start).take(req.per_page).collect();
        let searcher = self.reader.searcher();
        let shown_q = if replaced {
            suggestion.as_deref().unwrap_or(&req.q)
        } else {
            &req.q
        };
        let builder = crate::query::Builder::new(self, lib);
        let stems: Vec<String> = crate::query::parse(shown_q)
            .iter()
            .flat_map(|c| c.alts.iter())
            .flat_map(|item| match item {
                crate::query::Item::Word(w) => builder.tokens(w),
                crate::query::Item::Phrase(ws) => builder.tokens(&ws.join(" ")),
            })
            .collect();
        let generators = match &query {
            Some(q) => {
                let mut gens = Vec::new();
                for field in [self.fields.body, self.fields.samenvatting] {
                    let mut g = SnippetGenerator::create(&searcher, &**q, field)?;
                    g.set_max_num_chars(220);
                    gens.push(g);
                }
                Some(gens)
            }
            None => None,
        };
        let hits = page
            .into_iter()
            .map(|(ord, score)| {
                let d = &lib.dossiers[ord as usize];
                Hit {
                    ord: ord as usize,
                    score,
                    snippet: snippet(generators.as_deref(), &stems, d),
                }
            })
            .collect();
        Ok(SearchResults {
            total,
            hits,
            facets,
            suggestion,
            replaced,
        })
    }
}

fn snippet(generators: Option<&[SnippetGenerator]>, stems: &[String], d: &Dossier) -> String {
    if let Some(gens) = generators {
        for (g, text) in gens.iter().zip([d.body.text.as_str(), d.meta.samenvatting.as_str()]) {
            // Highlighting re-analyses the text it is given: give it only a window
            // around the first likely match instead of the whole body.
            let mut s = g.snippet(window(text, stems));
            if !s.highlighted().is_empty() {
                s.set_snippet_prefix_postfix("<mark>", "</mark>");
                return s.to_html();
            }
        }
    }
    escape_html(&truncate_words(&d.meta.samenvatting, 220))
}

/// About 800 bytes of `text` around the first word that starts with one of the
/// query's stems (the start of the text when none does).
fn window<'t>(text: &'t str, stems: &[String]) -> &'t str {
    const BEFORE: usize = 200;
    const AFTER: usize = 600;
    if text.len() <= BEFORE + AFTER {
        return text;
    }
    let stems: Vec<&String> = stems.iter().filter(|s| s.len() >= 2).collect();
    let base = text.as_ptr() as usize;
    let at = text
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| {
            !w.is_empty() && {
                let f = crate::text::fold(w);
                stems.iter().any(|s| f.starts_with(s.as_str()))
            }
        })
        .map_or(0, |w| w.as_ptr() as usize - base);
    let mut start = at.saturating_sub(BEFORE).min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + AFTER).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[start..end]
}

fn truncate_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut} …")
}

/// Escapes text for HTML.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
