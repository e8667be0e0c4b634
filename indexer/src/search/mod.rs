//! Search: free text with phrases over the Dutch index, filters on every
//! facet, facet counts, highlighted snippets, pagination and sorting.
//!
//! The text query runs in tantivy and yields every matching dossier with
//! its score; filters, facet counts (each facet counted without its own
//! filter, so a reader can widen a choice) run over the library's facet
//! table (`facets.rs`); only the hits up to the requested page are sorted.

mod matches;
pub mod pagedocs;
pub mod query;
mod searcher;
pub mod similar;
pub mod snippet;

pub use searcher::SearchIndex;

use crate::index::IndexError;
use crate::library::Library;
use crate::search::pagedocs::HitKind;
use crate::search::query::Mode;
use crate::search::snippet::Highlighter;
use crate::text::escape_html;
pub(crate) use matches::AllMatches;
use serde::Serialize;
use std::collections::BTreeMap;
use tantivy::Score;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query as TQuery};

pub use crate::library::facets::{FACETS, facet_values};

/// When every word finds fewer documents than this, documents with part of the words join them.
pub const RELAX_BELOW: usize = 10;

/// A hit with part of the words needs at least this share of the best
/// score of a hit with every word.
const PARTIAL_FLOOR: Score = 0.2;

/// Added to the score of a document that matches every word when part of
/// the words will also do: far above any BM25 score, so those rank first.
const EXACT: Score = 1.0e6;

/// Whether a hit matches every word of the query or only part of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Every word (or no words were asked for).
    Exact,
    /// Only part of the words.
    Partial,
}

impl Tier {
    /// The tier and the plain score of a raw score from [`SearchIndex::matches`].
    fn of(raw: Score, relaxed: bool) -> (Tier, Score) {
        match (relaxed, raw >= EXACT) {
            (false, _) => (Tier::Exact, raw),
            (true, true) => (Tier::Exact, raw - EXACT),
            (true, false) => (Tier::Partial, raw),
        }
    }
}

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
    /// A dossier, a playbook or a collection.
    pub kind: HitKind,
    /// Ordinal in the library's `dossiers`, `playbooks` or `collections` (by `kind`).
    pub ord: usize,
    pub score: f32,
    /// Whether the hit has every word of the query or only part of them.
    pub tier: Tier,
    /// HTML with `<mark>` around matches; the text itself is escaped.
    pub snippet: String,
    /// The hit's summary, as read for the snippet (a dossier's is read from
    /// its details, out of memory: cards take it from here).
    #[serde(skip)]
    pub samenvatting: String,
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
    /// The playbook (ordinal in `Library::playbooks`) the query names, shown first.
    pub best_bet: Option<usize>,
}

/// A hit before it is paged: its kind and ordinal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ref(HitKind, u32);

/// A hit before it is paged, with its tier and plain score.
#[derive(Debug, Clone, Copy)]
struct Scored {
    r: Ref,
    score: Score,
    tier: Tier,
}

impl Scored {
    fn new(r: Ref, raw: Score, relaxed: bool) -> Scored {
        let (tier, score) = Tier::of(raw, relaxed);
        Scored { r, score, tier }
    }
}

fn page_slug(lib: &Library, kind: HitKind, ord: u32) -> &str {
    match kind {
        HitKind::Dossier => &lib.dossiers[ord as usize].slug,
        HitKind::Thema => &lib.playbooks[ord as usize].slug,
        HitKind::Collectie => &lib.collections[ord as usize].slug,
        HitKind::Pagina => &lib.pages[ord as usize].slug,
        HitKind::Regio => &lib.regions[ord as usize].slug,
    }
}

/// A total order of hits for equal dates: dossiers by id, then pages by kind and slug.
fn sort_key(lib: &Library, r: Ref) -> (u8, &str) {
    match r.0 {
        HitKind::Dossier => (0, lib.dossiers[r.1 as usize].id.as_str()),
        HitKind::Thema => (1, page_slug(lib, r.0, r.1)),
        HitKind::Collectie => (2, page_slug(lib, r.0, r.1)),
        HitKind::Pagina => (3, page_slug(lib, r.0, r.1)),
        HitKind::Regio => (4, page_slug(lib, r.0, r.1)),
    }
}

/// The body text and summary of a hit, for its snippet.
fn page_texts(lib: &Library, kind: HitKind, ord: u32) -> (String, String) {
    let ord = ord as usize;
    match kind {
        HitKind::Dossier => {
            let d = &lib.dossiers[ord];
            (d.body.text(), d.meta.details().samenvatting)
        }
        HitKind::Thema => (lib.playbooks[ord].body.text(), lib.playbooks[ord].meta.samenvatting.clone()),
        HitKind::Collectie => (lib.collections[ord].body.text(), lib.collections[ord].meta.samenvatting.clone()),
        HitKind::Pagina => (lib.pages[ord].body.text(), lib.pages[ord].meta.samenvatting.clone()),
        HitKind::Regio => (lib.regions[ord].body.text(), lib.regions[ord].meta.samenvatting.clone()),
    }
}

/// True when a page passes the request's filters (but `ignore`): pages have a
/// `type` (`thema`, `collectie`, `pagina`, `regio`), a playbook has its own
/// slug as `thema` and a region description its own as `regio`; any other
/// filter leaves pages out.
fn page_passes(filters: &BTreeMap<String, Vec<String>>, kind: HitKind, slug: &str, ignore: Option<&str>) -> bool {
    filters.iter().all(|(facet, values)| {
        values.is_empty()
            || Some(facet.as_str()) == ignore
            || match facet.as_str() {
                "type" => kind.type_value().is_some_and(|t| values.iter().any(|v| v == t)),
                "thema" => kind == HitKind::Thema && values.iter().any(|v| v == slug),
                "regio" => kind == HitKind::Regio && values.iter().any(|v| v == slug),
                _ => false,
            }
    })
}

/// What a text query matched.
pub(crate) struct Matches {
    /// Every matching dossier, with its plain score and tier.
    found: Vec<Scored>,
    /// Every matching playbook and collection (none without words).
    pages: Vec<Scored>,
    /// The query that matched (none for "everything").
    query: Option<Box<dyn TQuery>>,
    /// The phrases (analysed tokens) that query searches, for highlighting.
    phrases: Vec<Vec<String>>,
}

impl Matches {
    /// How many hits have every word.
    fn exact(&self) -> usize {
        self.found.iter().chain(&self.pages).filter(|h| h.tier == Tier::Exact).count()
    }
}

impl SearchIndex {
    /// Every dossier matching the free text, with scores (all dossiers when `q` is empty).
    ///
    /// Every word is required. When that finds fewer than [`RELAX_BELOW`]
    /// dossiers, documents with at least half of the words (else any word)
    /// join them, ranked below every document that has them all: the query
    /// then adds [`EXACT`] to the score of documents that match every word
    /// ([`Tier::of`] takes it off again). Function words never count
    /// (`query::Builder::read`).
    pub(crate) fn matches(&self, lib: &Library, q: &str) -> Result<Matches, IndexError> {
        let searcher = self.reader.searcher();
        let collector = AllMatches::new(&self.ordinals);
        let clauses = crate::search::query::parse(q);
        if clauses.is_empty() {
            let found = searcher.search(&AllQuery, &collector)?;
            return Ok(Matches {
                found: found
                    .into_iter()
                    .map(|(ord, s)| Scored::new(Ref(HitKind::Dossier, ord), s, false))
                    .collect(),
                pages: Vec::new(),
                query: None,
                phrases: Vec::new(),
            });
        }
        let builder = crate::search::query::Builder::new(self, lib);
        let all = builder.build(&clauses, Mode::All);
        let mut found = searcher.search(&*all, &collector)?;
        let mut query = all.box_clone();
        let mut relaxed = false;
        let pages_of = |q: &dyn TQuery| {
            if self.plain {
                Ok(Vec::new())
            } else {
                self.pages.matches(q, &searcher)
            }
        };
        let mut pages = pages_of(&*all)?;
        if found.len() + pages.len() < RELAX_BELOW && builder.positive_parts(&clauses) > 1 {
            for mode in [Mode::Most, Mode::Any] {
                let tiered: Box<dyn TQuery> = Box::new(BooleanQuery::new(vec![
                    (Occur::Must, builder.build(&clauses, mode)),
                    (Occur::Should, Box::new(ConstScoreQuery::new(all.box_clone(), EXACT))),
                ]));
                let more = searcher.search(&*tiered, &collector)?;
                if more.len() > found.len() {
                    pages = pages_of(&*tiered)?;
                    (found, query, relaxed) = (more, tiered, true);
                    break;
                }
            }
        }
        Ok(Matches {
            found: found
                .into_iter()
                .map(|(ord, s)| Scored::new(Ref(HitKind::Dossier, ord), s, relaxed))
                .collect(),
            pages: pages
                .into_iter()
                .map(|(kind, ord, s)| Scored::new(Ref(kind, ord), s, relaxed))
                .collect(),
            query: Some(query),
            phrases: builder.phrases(),
        })
    }

    /// Runs a search request against the library it was built from.
    ///
    /// Dossiers, playbooks and collections are hits; pages (playbooks and
    /// collections) are scored with the dossier index's statistics and pass
    /// only the `type` and `thema` filters (a playbook has its own thema).
    /// A playbook the query names comes first (`best_bet`).
    /// The dossiers among `ords` (library ordinals) that `req` finds with every
    /// word of its query and that pass its filters: no spelling correction, no
    /// hits with part of the words, no pages. What an email alert for this
    /// search reports. Sorted ordinals.
    pub fn matching(&self, lib: &Library, req: &SearchRequest, ords: &[usize]) -> Result<Vec<usize>, IndexError> {
        let m = self.matches(lib, &req.q)?;
        let table = lib.facet_table();
        let filters = table.filters(&req.filters);
        let wanted: std::collections::HashSet<usize> = ords.iter().copied().collect();
        let mut out: Vec<usize> = m
            .found
            .iter()
            .filter(|h| h.tier == Tier::Exact && h.r.0 == HitKind::Dossier)
            .map(|h| h.r.1 as usize)
            .filter(|o| wanted.contains(o) && table.failures(&filters, *o) == 0)
            .collect();
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    pub fn search(&self, lib: &Library, req: &SearchRequest) -> Result<SearchResults, IndexError> {
        let mut m = self.matches(lib, &req.q)?;
        // Little found with every word: retry with corrected spelling, and offer the correction.
        let mut suggestion = None;
        let mut replaced = false;
        let before = m.exact();
        if before < 3 && !self.plain {
            let clauses = crate::search::query::parse(&req.q);
            if let Some(corrected) = crate::search::query::Builder::new(self, lib).correct(&clauses) {
                let again = self.matches(lib, &corrected)?;
                if again.exact() > before {
                    // The correction's hits replace the query's only when it found nothing at
                    // all: a word that occurs nowhere may be no typo (`herken`), and the hits
                    // with the other words are then the better answer.
                    if m.found.is_empty() && m.pages.is_empty() {
                        m = again;
                        replaced = true;
                    }
                    suggestion = Some(corrected);
                }
            }
        }
        let Matches {
            mut found,
            mut pages,
            query,
            phrases,
        } = m;
        // Filter and count facets over every match with the library's facet table
        // (integer ids per dossier, no hashing or string comparison per match).
        let table = lib.facet_table();
        let filters = table.filters(&req.filters);
        let mut counts = table.counts();
        let passes = |h: &Scored| match h.r {
            Ref(HitKind::Dossier, ord) => table.failures(&filters, ord as usize) == 0,
            Ref(kind, ord) => page_passes(&req.filters, kind, page_slug(lib, kind, ord), None),
        };
        // Hits with part of the words only when they score near the best hit
        // with all of them that passes the filters.
        let best_exact = found
            .iter()
            .chain(&pages)
            .filter(|h| h.tier == Tier::Exact && passes(h))
            .map(|h| h.score)
            .fold(0.0, Score::max);
        let floor = PARTIAL_FLOOR * best_exact;
        let kept = |h: &Scored| h.tier == Tier::Exact || h.score >= floor;
        found.retain(kept);
        pages.retain(kept);
        let mut hits: Vec<Scored> = Vec::with_capacity(found.len() + pages.len());
        for h in found {
            let ord = h.r.1 as usize;
            let failed = table.failures(&filters, ord);
            table.count(&mut counts, ord, failed);
            if failed == 0 {
                hits.push(h);
            }
        }
        let mut facets = table.named(counts);
        for h in pages {
            let Ref(kind, ord) = h.r;
            if page_passes(&req.filters, kind, page_slug(lib, kind, ord), Some("type"))
                && let Some(t) = kind.type_value()
            {
                *facets.entry("type".into()).or_default().entry(t.into()).or_default() += 1;
            }
            if passes(&h) {
                hits.push(h);
            }
        }
        // Newest first, then by id: a total order, so a partial sort gives the same page.
        // Pages have no date: they sort after the dossiers, by kind and slug.
        let date = |r: Ref| if r.0 == HitKind::Dossier { table.dates[r.1 as usize] } else { 0 };
        let by_date = |a: &Scored, b: &Scored| date(b.r).cmp(&date(a.r)).then_with(|| sort_key(lib, a.r).cmp(&sort_key(lib, b.r)));
        // Every word before part of them, then by score.
        let by_score = |a: &Scored, b: &Scored| {
            a.tier
                .cmp(&b.tier)
                .then_with(|| b.score.total_cmp(&a.score))
                .then_with(|| by_date(a, b))
        };
        // Only the hits up to the end of the requested page need to be in order.
        let end = req.page.saturating_mul(req.per_page);
        let mut best_bet = None;
        match (req.sort, query.is_some()) {
            (Sort::Relevantie, true) => {
                // A small boost for recent dossiers and finished ones with lessons.
                for h in &mut hits {
                    if h.r.0 == HitKind::Dossier {
                        h.score *= 1.0 + table.priors[h.r.1 as usize];
                    }
                }
                // The playbook the query names, then curated pins, when they pass the filters.
                let mut first: Vec<Scored> = Vec::new();
                if !self.plain
                    && let Some(p) = self.pages.named(&self.query_tokens(lib, &req.q))
                    && let Some(pos) = hits.iter().position(|h| h.r == Ref(HitKind::Thema, p as u32))
                {
                    first.push(hits.swap_remove(pos));
                    best_bet = Some(p);
                }
                for id in lib.vocab.pinned(&req.q) {
                    let Some(ord) = lib.ordinal(id) else { continue };
                    if table.failures(&filters, ord) != 0 {
                        continue;
                    }
                    let r = Ref(HitKind::Dossier, ord as u32);
                    let pinned = match hits.iter().position(|h| h.r == r) {
                        Some(p) => hits.swap_remove(p),
                        None => Scored::new(r, 0.0, false),
                    };
                    first.push(pinned);
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
        let page: Vec<Scored> = hits.into_iter().skip(start).take(req.per_page).collect();
        // Highlight the terms the query searched the text fields for (synonyms and
        // compound parts included); words of a phrase only where the phrase occurs.
        let mut highlighter = query.as_ref().map(|q| {
            let (mut terms, mut acronyms) = (Vec::new(), Vec::new());
            q.query_terms(&mut |term, positions| {
                let value = term.value();
                let Some(t) = value.as_str() else { return };
                if term.field() == self.fields.afkortingen {
                    acronyms.push(t.to_string());
                } else if !positions && (term.field() == self.fields.body || term.field() == self.fields.samenvatting) {
                    terms.push(t.to_string());
                }
            });
            let analyzer = self.index.tokenizers().get(crate::index::NL).expect("analyzer registered");
            Highlighter::new(analyzer, terms).with(phrases, acronyms)
        });
        let hits = page
            .into_iter()
            .map(
                |Scored {
                     r: Ref(kind, ord),
                     score,
                     tier,
                 }| {
                    let (text, summary) = page_texts(lib, kind, ord);
                    Hit {
                        kind,
                        ord: ord as usize,
                        score,
                        tier,
                        snippet: snippet(highlighter.as_mut(), &text, &summary),
                        samenvatting: summary,
                    }
                },
            )
            .collect();
        Ok(SearchResults {
            total,
            hits,
            facets,
            suggestion,
            replaced,
            best_bet,
        })
    }

    /// The analysed tokens of a query's positive words, function words left out.
    fn query_tokens(&self, lib: &Library, q: &str) -> Vec<String> {
        let mut text = String::new();
        for c in crate::search::query::parse(q).iter().filter(|c| !c.negated) {
            for item in &c.alts {
                if let crate::search::query::Item::Word(w) = item
                    && crate::text::is_function_word(w)
                {
                    continue;
                }
                match item {
                    crate::search::query::Item::Word(w) | crate::search::query::Item::Abbreviation(w) => text.push_str(w),
                    crate::search::query::Item::Phrase(ws) => text.push_str(&ws.join(" ")),
                }
                text.push(' ');
            }
        }
        crate::search::query::Builder::new(self, lib).tokens(&text)
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
fn snippet(highlighter: Option<&mut Highlighter>, body: &str, summary: &str) -> String {
    if let Some(h) = highlighter
        && let Some(s) = h.snippet(body, SNIPPET_BYTES).or_else(|| h.snippet(summary, SNIPPET_BYTES))
    {
        return s;
    }
    escape_html(&truncate_words(summary, SNIPPET_BYTES))
}

fn truncate_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut} …")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(idx: &SearchIndex, lib: &Library, q: &str) -> Vec<(String, Tier)> {
        let req = SearchRequest {
            q: q.into(),
            filters: [("type".to_string(), vec!["praktijk".to_string()])].into(),
            ..Default::default()
        };
        idx.search(lib, &req)
            .unwrap()
            .hits
            .iter()
            .map(|h| (lib.dossiers[h.ord].slug.clone(), h.tier))
            .collect()
    }

    /// Four dossiers: all three words, two of them, another two, none.
    fn park_and_waste() -> Library {
        crate::testkit::library(&[
            ("alles", "Een vakantiepark met een schuur vol drugsafval."),
            ("park", "Op het vakantiepark werd streng gecontroleerd."),
            ("afval", "Drugsafval in een schuur, gedumpt in de nacht."),
            ("niets", "Een haven met containers."),
        ])
    }

    #[test]
    fn matching_reports_only_the_given_dossiers_with_every_word_that_pass_the_filters() {
        let lib = park_and_waste();
        let idx = SearchIndex::build_in_ram(&lib).unwrap();
        let ord = |slug: &str| lib.dossiers.iter().position(|d| d.slug == slug).unwrap();
        let all: Vec<usize> = (0..lib.dossiers.len()).collect();
        let req = |q: &str| SearchRequest {
            q: q.into(),
            ..Default::default()
        };
        // Every word, no partial hits (search would add `park` and `afval` below).
        assert_eq!(
            idx.matching(&lib, &req("vakantiepark drugsafval"), &all).unwrap(),
            vec![ord("alles")]
        );
        // Only among the given ordinals.
        assert_eq!(idx.matching(&lib, &req("schuur"), &[ord("afval")]).unwrap(), vec![ord("afval")]);
        // No words: every given dossier that passes the filters.
        let mut filtered = req("");
        filtered.filters.insert("regio".into(), vec!["rotterdam".into()]);
        assert!(idx.matching(&lib, &filtered, &all).unwrap().is_empty());
        assert_eq!(idx.matching(&lib, &req(""), &all).unwrap().len(), 4);
    }

    #[test]
    fn part_of_the_words_ranks_below_all_of_them_and_only_when_little_is_found() {
        let lib = park_and_waste();
        let idx = SearchIndex::build_in_ram(&lib).unwrap();
        let found = search(&idx, &lib, "drugsafval vakantiepark schuur");
        // `afval` has two words of three; `park` only one, too few; `niets` none.
        assert_eq!(found, [("alles".to_string(), Tier::Exact), ("afval".to_string(), Tier::Partial)]);

        // Enough hits with every word: no partial hits.
        let many: Vec<(String, String)> = (0..12)
            .map(|i| (format!("d{i}"), "Drugsafval op een vakantiepark.".to_string()))
            .chain([("half".to_string(), "Alleen drugsafval.".to_string())])
            .collect();
        let refs: Vec<(&str, &str)> = many.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let lib = crate::testkit::library(&refs);
        let idx = SearchIndex::build_in_ram(&lib).unwrap();
        let found = search(&idx, &lib, "drugsafval vakantiepark");
        assert_eq!(found.len(), 12);
        assert!(found.iter().all(|h| h.1 == Tier::Exact));
    }
}
