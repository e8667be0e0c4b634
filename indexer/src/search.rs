//! Search: free text with phrases over the Dutch index, filters on every
//! facet, facet counts, highlighted snippets, pagination and sorting.
//!
//! The text query runs in tantivy and yields every matching dossier with
//! its score; filters, facet counts (each facet counted without its own
//! filter, so a reader can widen a choice) run over the library's facet
//! table (`facets.rs`); only the hits up to the requested page are sorted.

use crate::index::{IndexError, SearchIndex};
use crate::library::Library;
use crate::model::Dossier;
use crate::snippet::Highlighter;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{AllQuery, Query as TQuery};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

pub use crate::facets::{FACETS, facet_values};

/// About how long a snippet is, in bytes of text.
const SNIPPET_BYTES: usize = 220;

/// Sort order of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevantie,
    Datum,
}

/// A search request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
        // Filter and count facets over every match with the library's facet table
        // (integer ids per dossier, no hashing or string comparison per match).
        let table = lib.facet_table();
        let filters = table.filters(&req.filters);
        let mut counts = table.counts();
        let mut hits: Vec<(u32, Score)> = Vec::with_capacity(found.len());
        for &(ord, score) in &found {
            let failed = table.failures(&filters, ord as usize);
            table.count(&mut counts, ord as usize, failed);
            if failed == 0 {
                hits.push((ord, score));
            }
        }
        let facets = table.named(counts);
        // Newest first, then by id: a total order, so a partial sort gives the same page.
        let by_date = |a: &(u32, Score), b: &(u32, Score)| {
            let (da, db) = (table.dates[a.0 as usize], table.dates[b.0 as usize]);
            db.cmp(&da)
                .then_with(|| lib.dossiers[a.0 as usize].id.cmp(&lib.dossiers[b.0 as usize].id))
        };
        let by_score = |a: &(u32, Score), b: &(u32, Score)| b.1.total_cmp(&a.1).then_with(|| by_date(a, b));
        // Only the hits up to the end of the requested page need to be in order.
        let end = req.page.saturating_mul(req.per_page);
        match (req.sort, query.is_some()) {
            (Sort::Relevantie, true) => {
                // A small boost for recent dossiers and finished ones with lessons.
                for h in &mut hits {
                    h.1 *= 1.0 + table.priors[h.0 as usize];
                }
                // Curated pins come first, when they pass the filters.
                let mut first = Vec::new();
                for id in lib.vocab.pinned(&req.q) {
                    let Some(ord) = lib.ordinal(id) else { continue };
                    if table.failures(&filters, ord) != 0 {
                        continue;
                    }
                    let pos = hits.iter().position(|h| h.0 as usize == ord);
                    let score = pos.map_or(0.0, |p| hits.swap_remove(p).1);
                    first.push((ord as u32, score));
                }
                top(&mut hits, end.saturating_sub(first.len()), by_score);
                if !first.is_empty() {
                    first.extend(hits);
                    hits = first;
                }
            }
            _ => top(&mut hits, end, by_date),
        }
        let total = hits.len();
        let start = req.page.saturating_sub(1).saturating_mul(req.per_page);
        let page: Vec<(u32, Score)> = hits.into_iter().skip(start).take(req.per_page).collect();
        // Highlight the terms the query searched the text fields for (synonyms and
        // compound parts included). Negated terms are visited too, but a hit never
        // holds one in these fields.
        let mut highlighter = query.as_ref().map(|q| {
            let mut terms = Vec::new();
            q.query_terms(&mut |term, _| {
                if (term.field() == self.fields.body || term.field() == self.fields.samenvatting)
                    && let Some(t) = term.value().as_str()
                {
                    terms.push(t.to_string());
                }
            });
            let analyzer = self.index.tokenizers().get(crate::index::NL).expect("analyzer registered");
            Highlighter::new(analyzer, terms)
        });
        let hits = page
            .into_iter()
            .map(|(ord, score)| {
                let d = &lib.dossiers[ord as usize];
                Hit {
                    ord: ord as usize,
                    score,
                    snippet: snippet(highlighter.as_mut(), d),
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

/// Puts the first `k` items of `v` in order (the rest stay behind them, unordered).
fn top<T>(v: &mut [T], k: usize, cmp: impl Fn(&T, &T) -> std::cmp::Ordering) {
    if k == 0 {
        return;
    }
    if k < v.len() {
        v.select_nth_unstable_by(k - 1, &cmp);
        v[..k].sort_unstable_by(&cmp);
    } else {
        v.sort_unstable_by(&cmp);
    }
}

/// The snippet of a hit: the best fragment of the body with the query's terms
/// marked, else of the summary, else the start of the summary.
fn snippet(highlighter: Option<&mut Highlighter>, d: &Dossier) -> String {
    if let Some(h) = highlighter
        && let Some(s) = h
            .snippet(&d.body.text, SNIPPET_BYTES)
            .or_else(|| h.snippet(&d.meta.samenvatting, SNIPPET_BYTES))
    {
        return s;
    }
    escape_html(&truncate_words(&d.meta.samenvatting, SNIPPET_BYTES))
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
