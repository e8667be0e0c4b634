//! One audience's view of the catalog: only the documents that audience may
//! see, with collections, related links and term statistics computed from
//! those documents alone, so nothing restricted can leak through them.

use crate::corpus::Catalog;
use crate::facets::FacetTable;
use crate::model::*;
use crate::vocab::Vocabulary;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Who is reading, as far as access is concerned (content model, section 5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Audience {
    /// Anyone, signed in or not: `openbaar` only.
    Public,
    /// A signed-in reader without a region: `openbaar` and `netwerk`.
    Network,
    /// A signed-in reader of these regions (sorted, unique): also their `regio` documents.
    Regions(Vec<String>),
    /// A national (LIEC) reader: everything.
    Liec,
}

impl Audience {
    /// The audience of a signed-in reader with these region slugs (`liec` means national).
    pub fn signed_in(regions: &[String]) -> Audience {
        if regions.iter().any(|r| r == "liec") {
            return Audience::Liec;
        }
        let mut rs: Vec<String> = regions.to_vec();
        rs.sort();
        rs.dedup();
        if rs.is_empty() { Audience::Network } else { Audience::Regions(rs) }
    }

    /// The same audience with former region slugs read as the regions they
    /// merged into (a reader of `oost-brabant` reads `zeeland-brabant`).
    pub fn canonical(&self, vocab: &Vocabulary) -> Audience {
        match self {
            Audience::Regions(rs) => {
                let mut out: Vec<String> = rs.iter().map(|r| vocab.canonical_regio(r).to_string()).collect();
                out.sort();
                out.dedup();
                Audience::Regions(out)
            }
            other => other.clone(),
        }
    }

    /// A stable name, used for index folders and logs (never contains content).
    pub fn key(&self) -> String {
        match self {
            Audience::Public => "openbaar".to_string(),
            Audience::Network => "netwerk".to_string(),
            Audience::Regions(rs) => format!("regio-{}", rs.join("+")),
            Audience::Liec => "liec".to_string(),
        }
    }

    /// True for every audience but the public one.
    pub fn is_signed_in(&self) -> bool {
        *self != Audience::Public
    }

    /// Whether this audience may see a document with `toegang` of `regio`.
    /// Playbooks and collections have no region: `regio` ones are for LIEC readers only.
    pub fn may_see(&self, toegang: Toegang, regio: Option<&str>) -> bool {
        match (self, toegang) {
            (_, Toegang::Openbaar) => true,
            (Audience::Public, _) => false,
            (Audience::Liec, _) => true,
            (_, Toegang::Netwerk) => true,
            (Audience::Network, Toegang::Regio) => false,
            (Audience::Regions(rs), Toegang::Regio) => regio.is_some_and(|r| rs.iter().any(|x| x == r)),
        }
    }
}

/// What `audience` may see in `catalog`, one bit per catalog position (its
/// dossiers, then playbooks, then collections), and whether it may see
/// contacts: two audiences with the same set are served by the same library
/// and index. Sets of one catalog compare.
pub fn visible_set(catalog: &Catalog, audience: &Audience) -> Vec<u64> {
    let flags = (catalog
        .dossiers
        .iter()
        .map(|d| audience.may_see(d.meta.toegang, Some(&d.meta.regio))))
    .chain(catalog.playbooks.iter().map(|p| audience.may_see(p.meta.toegang, None)))
    .chain(catalog.collections.iter().map(|c| audience.may_see(c.meta.toegang, None)));
    let total = catalog.dossiers.len() + catalog.playbooks.len() + catalog.collections.len();
    let mut bits = vec![0u64; total.div_ceil(64)];
    for (i, seen) in flags.enumerate() {
        if seen {
            bits[i / 64] |= 1 << (i % 64);
        }
    }
    // The public library holds no contact: when a public dossier has one,
    // signed-in readers need a library of their own even if they see the
    // same documents.
    if catalog
        .dossiers
        .iter()
        .any(|d| d.meta.contact.is_some() && d.meta.toegang == Toegang::Openbaar)
    {
        bits.push(u64::from(audience.is_signed_in()));
    }
    bits
}

/// The documents one audience may see.
#[derive(Debug, Clone)]
pub struct Library {
    pub audience: Audience,
    pub vocab: Vocabulary,
    /// Sorted by id; a dossier's position is its ordinal.
    pub dossiers: Vec<Arc<Dossier>>,
    pub playbooks: Vec<Playbook>,
    pub collections: Vec<Collection>,
    /// Site pages and region descriptions: public, the same in every library.
    pub pages: Vec<Page>,
    pub regions: Vec<RegionPage>,
    /// Document frequencies of this library's dossiers, and per ordinal its key
    /// terms, computed on first use (see `keyterms`).
    keyterms: KeyTerms,
    /// Folded surface words of this audience's dossiers and how many dossiers hold them
    /// (for "Bedoelde u ...?").
    pub words: Arc<HashMap<String, u32>>,
    /// Folded word or phrase → the other members of its synonym groups (vocabulary
    /// synonyms and each visible playbook's title and `synoniemen`).
    pub synonyms: HashMap<String, Vec<String>>,
    by_id: HashMap<String, usize>,
    /// Facet ids, dates and priors by ordinal, built on first use.
    facet_table: OnceLock<FacetTable>,
    /// `words` by length in characters, as characters, built on the first suggestion.
    by_length: OnceLock<Vec<Vec<Candidate>>>,
}

/// One dossier's key terms, once computed.
type KeyTermCell = OnceLock<Arc<Vec<(String, f32)>>>;

/// A word for suggestions: its characters, its count, itself and its letter mask.
type Candidate = (Box<[char]>, u32, String, u32);

/// One bit per letter (by code point modulo 32). Each edit adds or removes at
/// most one letter, so two words whose masks differ in more than `max` bits on
/// one side are more than `max` edits apart.
fn letter_mask(chars: &[char]) -> u32 {
    chars.iter().fold(0, |m, c| m | 1 << (*c as u32 % 32))
}

/// The term statistics behind key terms: how many of the library's dossiers hold
/// each candidate term, and per ordinal the key terms once computed.
#[derive(Debug, Clone)]
struct KeyTerms {
    df: Arc<HashMap<String, u32>>,
    cells: Arc<[KeyTermCell]>,
}

impl Library {
    /// Builds the view of `catalog` for `audience`, counting its statistics from scratch.
    pub fn new(catalog: &Catalog, audience: Audience) -> Library {
        Library::build(catalog, audience, None)
    }

    /// Like `new`, but takes the statistics of `prev` (an earlier library of the
    /// same audience) and corrects them by the dossiers that differ, instead of
    /// recounting every dossier. The result equals `new`'s: the counts are
    /// exactly those of this library's dossiers, whatever `prev` held.
    pub fn update(catalog: &Catalog, audience: Audience, prev: &Library) -> Library {
        Library::build(catalog, audience, Some(prev))
    }

    fn build(catalog: &Catalog, audience: Audience, prev: Option<&Library>) -> Library {
        // Dossiers are shared with the catalog; one is copied only when this view changes it.
        let mut dossiers: Vec<Arc<Dossier>> = catalog
            .dossiers
            .iter()
            .filter(|d| audience.may_see(d.meta.toegang, Some(&d.meta.regio)))
            .cloned()
            .collect();
        if !audience.is_signed_in() {
            // Contact blocks are for signed-in readers only: the public library never holds them.
            for d in dossiers.iter_mut().filter(|d| d.meta.contact.is_some()) {
                let d = Arc::make_mut(d);
                Arc::make_mut(&mut d.meta).contact = None;
                d.contact_na_inloggen = true;
            }
        }
        dossiers.sort_by(|a, b| a.id.cmp(&b.id));
        let by_id: HashMap<String, usize> = dossiers.iter().enumerate().map(|(i, d)| (d.id.clone(), i)).collect();
        for d in &mut dossiers {
            if d.meta.gerelateerd.iter().any(|g| !by_id.contains_key(g)) {
                Arc::make_mut(&mut Arc::make_mut(d).meta)
                    .gerelateerd
                    .retain(|g| by_id.contains_key(g));
            }
        }
        let playbooks: Vec<Playbook> = catalog
            .playbooks
            .iter()
            .filter(|p| audience.may_see(p.meta.toegang, None))
            .cloned()
            .collect();
        let collections = catalog
            .collections
            .iter()
            .filter(|c| audience.may_see(c.meta.toegang, None))
            .cloned()
            .map(|mut c| {
                c.meta.items.retain(|it| by_id.contains_key(&it.id));
                c
            })
            .collect();
        let t = std::time::Instant::now();
        let (keyterms, words, patched) = statistics(&dossiers, &by_id, prev);
        tracing::debug!(
            ms = t.elapsed().as_millis() as u64,
            patched,
            terms = keyterms.df.len(),
            words = words.len(),
            "library statistics"
        );
        let synonyms = synonym_map(&catalog.vocab, &playbooks);
        Library {
            audience,
            vocab: catalog.vocab.clone(),
            dossiers,
            playbooks,
            collections,
            pages: catalog.pages.clone(),
            regions: catalog.regions.clone(),
            keyterms,
            words,
            synonyms,
            by_id,
            facet_table: OnceLock::new(),
            by_length: OnceLock::new(),
        }
    }

    /// Every finding `check` would report for a new dossier file (`rel`, `text`)
    /// of `source`, against what this library's reader may see: an id taken
    /// by a document they may not see is not reported (the pull request's own
    /// check, run by someone with access to the repository, reports it).
    /// `editing`: the id of the dossier this file replaces (it does not count as taken).
    pub fn check_dossier(
        &self,
        source: &crate::corpus::SourceSpec,
        rel: &str,
        text: &str,
        editing: Option<&str>,
    ) -> Vec<crate::diag::Diagnostic> {
        crate::corpus::check_dossier(&self.vocab, &self.playbooks, &self.dossiers, source, rel, text, editing)
    }

    /// The most common word of this library within edit distance 1 of `word`
    /// (2 for words of 8 letters or more), for "Bedoelde u ...?".
    pub fn suggest(&self, word: &str) -> Option<&str> {
        let w: Vec<char> = crate::text::fold(word).chars().collect();
        let max = if w.len() >= 8 { 2 } else { 1 };
        let by_length = self.by_length.get_or_init(|| {
            let mut out: Vec<Vec<Candidate>> = Vec::new();
            for (c, n) in self.words.iter() {
                let chars: Box<[char]> = c.chars().collect();
                if out.len() <= chars.len() {
                    out.resize_with(chars.len() + 1, Vec::new);
                }
                let mask = letter_mask(&chars);
                out[chars.len()].push((chars, *n, c.clone(), mask));
            }
            out
        });
        let mut rows = (Vec::new(), Vec::new());
        let mask = letter_mask(&w);
        let shortest = w.len().saturating_sub(max);
        by_length
            .iter()
            .skip(shortest)
            .take(w.len() + max + 1 - shortest)
            .flatten()
            .filter(|(c, _, _, m)| (m & !mask).count_ones() as usize <= max && (mask & !m).count_ones() as usize <= max && **c != *w)
            .filter_map(|(c, n, s, _)| {
                let d = edit_distance_within(&w, c, max, &mut rows)?;
                Some((d, std::cmp::Reverse(*n), s.as_str()))
            })
            .min()
            .map(|(_, _, c)| c)
    }

    /// The facet table of this library's dossiers (built on first use).
    pub fn facet_table(&self) -> &FacetTable {
        self.facet_table.get_or_init(|| FacetTable::new(&self.dossiers))
    }

    /// True when a key term is in at most a quarter of the library's dossiers
    /// (and in fewer than all when the library is small): worth naming as a
    /// reason two dossiers are alike.
    pub fn is_distinctive(&self, term: &str) -> bool {
        let n = self.dossiers.len() as u32;
        self.keyterms.df.get(term).is_some_and(|&df| df * 4 <= n.max(8))
    }

    /// The most characteristic words of dossier `ord`, with weights, strongest
    /// first (tf-idf over this library's dossiers; computed once, on first use).
    pub fn keyterms(&self, ord: usize) -> &[(String, f32)] {
        self.keyterms.cells[ord].get_or_init(|| {
            Arc::new(crate::keyterms::of(
                &self.dossiers[ord].words,
                &self.keyterms.df,
                self.dossiers.len(),
            ))
        })
    }

    pub fn ordinal(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn dossier(&self, id: &str) -> Option<&Dossier> {
        self.ordinal(id).map(|i| &*self.dossiers[i])
    }

    pub fn playbook(&self, slug: &str) -> Option<&Playbook> {
        self.playbooks.iter().find(|p| p.slug == slug)
    }

    pub fn collection(&self, slug: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.slug == slug)
    }

    /// The display name of a thema: its playbook's title, or the slug.
    pub fn thema_name<'a>(&'a self, slug: &'a str) -> &'a str {
        self.playbook(slug).map_or(slug, |p| p.meta.titel.as_str())
    }

    /// Dossiers sorted newest first (by last change, then start).
    pub fn recent(&self) -> Vec<&Dossier> {
        let mut v: Vec<&Dossier> = self.dossiers.iter().map(|d| &**d).collect();
        v.sort_by_key(|d| std::cmp::Reverse(date_key(d)));
        v
    }
}

/// In how many of `dossiers` each candidate term occurs (the document
/// frequencies), and each folded surface word (three letters or more): one
/// read of each dossier's word lists, counted in parallel chunks that are
/// then added up (with a fast hasher while counting: some 80 million
/// increments at 100,000 dossiers).
fn count_words(dossiers: &[Arc<Dossier>]) -> (HashMap<String, u32>, HashMap<String, u32>) {
    use rayon::prelude::*;
    type Counts = HashMap<String, u32, foldhash::fast::RandomState>;
    fn bump(counts: &mut Counts, w: &str, by: u32) {
        match counts.get_mut(w) {
            Some(n) => *n += by,
            None => {
                counts.insert(w.to_string(), by);
            }
        }
    }
    fn add(mut a: (Counts, Counts), mut b: (Counts, Counts)) -> (Counts, Counts) {
        for (big, small) in [(&mut a.0, &mut b.0), (&mut a.1, &mut b.1)] {
            if big.len() < small.len() {
                std::mem::swap(big, small);
            }
            for (w, n) in small.drain() {
                *big.entry(w).or_insert(0) += n;
            }
        }
        a
    }
    let (df, surface) = dossiers
        .par_chunks(2048)
        .map(|chunk| {
            let mut counts = (Counts::default(), Counts::default());
            for d in chunk {
                let words = d.words.read();
                for (t, _) in words.terms() {
                    bump(&mut counts.0, t, 1);
                }
                for w in words.surface() {
                    bump(&mut counts.1, w, 1);
                }
            }
            counts
        })
        .reduce(|| (Counts::default(), Counts::default()), add);
    (df.into_iter().collect(), surface.into_iter().collect())
}

/// The document frequencies, key-term cells and surface words of `dossiers`.
/// With `prev`, its counts are corrected by the dossiers that differ (by id and
/// file version: the `words` pointer) rather than recounted, and the key terms
/// it already computed are kept for the dossiers whose terms' frequencies and
/// whose corpus size did not change. Either way the counts are exactly those of
/// `dossiers`: nothing of `prev` that is not in `dossiers` remains.
/// The last value is true when `prev` was used.
fn statistics(
    dossiers: &[Arc<Dossier>],
    by_id: &HashMap<String, usize>,
    prev: Option<&Library>,
) -> (KeyTerms, Arc<HashMap<String, u32>>, bool) {
    let empty_cells = || (0..dossiers.len()).map(|_| OnceLock::new()).collect();
    let fresh = || {
        let (df, surface) = count_words(dossiers);
        let keyterms = KeyTerms {
            df: Arc::new(df),
            cells: empty_cells(),
        };
        (keyterms, Arc::new(surface), false)
    };
    let Some(prev) = prev else { return fresh() };
    // Per new ordinal: the previous ordinal of the same file version.
    let mut same: Vec<Option<usize>> = vec![None; dossiers.len()];
    let mut removed: Vec<&DocWords> = Vec::new();
    let mut added: Vec<&DocWords> = Vec::new();
    for (i, d) in dossiers.iter().enumerate() {
        match prev.ordinal(&d.id) {
            Some(j) if Arc::ptr_eq(&prev.dossiers[j].words, &d.words) => same[i] = Some(j),
            Some(j) => {
                removed.push(&prev.dossiers[j].words);
                added.push(&d.words);
            }
            None => added.push(&d.words),
        }
    }
    removed.extend(prev.dossiers.iter().filter(|d| !by_id.contains_key(&d.id)).map(|d| &*d.words));
    if removed.len() + added.len() > dossiers.len() / 2 {
        // Recounting is cheaper than correcting.
        return fresh();
    }
    let (removed, added): (Vec<WordLists>, Vec<WordLists>) =
        (removed.iter().map(|w| w.read()).collect(), added.iter().map(|w| w.read()).collect());
    let df_delta = delta(&removed, &added, |w| w.terms().map(|(t, _)| t));
    let words_delta = delta(&removed, &added, |w| w.surface());
    let df = apply(&prev.keyterms.df, &df_delta);
    let words = apply(&prev.words, &words_delta);
    // A dossier's key terms depend on its own terms, their frequencies and the
    // number of dossiers: keep them where none of these changed.
    let mut changed: Vec<&str> = df_delta.keys().copied().collect();
    changed.sort_unstable();
    let keep = dossiers.len() == prev.dossiers.len();
    let cells: Arc<[KeyTermCell]> = dossiers
        .iter()
        .zip(&same)
        .map(|(d, j)| {
            let cell = OnceLock::new();
            if let Some(terms) = j.filter(|_| keep).and_then(|j| prev.keyterms.cells[j].get())
                && !holds_any(&d.words, &changed)
            {
                let _ = cell.set(Arc::clone(terms));
            }
            cell
        })
        .collect();
    (KeyTerms { df: Arc::new(df), cells }, Arc::new(words), true)
}

/// Net change per word: +1 for each added dossier holding it, -1 for each removed one.
fn delta<'a, I: Iterator<Item = &'a str>>(
    removed: &'a [WordLists],
    added: &'a [WordLists],
    words: impl Fn(&'a WordLists) -> I,
) -> HashMap<&'a str, i64> {
    let mut out: HashMap<&str, i64> = HashMap::new();
    for (docs, sign) in [(removed, -1), (added, 1)] {
        for d in docs {
            for w in words(d) {
                *out.entry(w).or_insert(0) += sign;
            }
        }
    }
    out.retain(|_, n| *n != 0);
    out
}

/// `counts` corrected by `delta`; words whose count falls to zero are removed.
fn apply(counts: &HashMap<String, u32>, delta: &HashMap<&str, i64>) -> HashMap<String, u32> {
    let mut out = counts.clone();
    for (w, n) in delta {
        let now = out.get(*w).map_or(0, |c| i64::from(*c)) + n;
        debug_assert!(now >= 0, "a count fell below zero: {w}");
        if now <= 0 {
            out.remove(*w);
        } else {
            out.insert((*w).to_string(), now as u32);
        }
    }
    out
}

/// True when the sorted term list of `doc` holds any of the sorted `words`.
fn holds_any(doc: &DocWords, words: &[&str]) -> bool {
    if words.is_empty() {
        return false;
    }
    let doc = doc.read();
    let (mut a, mut b) = (doc.terms().map(|(t, _)| t).peekable(), words.iter().peekable());
    while let (Some(t), Some(w)) = (a.peek(), b.peek()) {
        match t.cmp(w) {
            std::cmp::Ordering::Less => {
                a.next();
            }
            std::cmp::Ordering::Greater => {
                b.next();
            }
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// The edit distance (insertions, deletions, substitutions of characters) of
/// `a` and `b` if it is at most `max`, else `None`: the same as
/// `diag::edit_distance` there, but only the diagonal band of width `max` is
/// computed (values are capped at `max + 1`), and it stops once a whole row
/// exceeds `max`. `rows` are reused buffers.
fn edit_distance_within(a: &[char], b: &[char], max: usize, rows: &mut (Vec<usize>, Vec<usize>)) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let far = max + 1;
    let (prev, cur) = (&mut rows.0, &mut rows.1);
    prev.clear();
    prev.extend((0..=b.len()).map(|j| j.min(far)));
    for (i, ca) in a.iter().enumerate() {
        let i = i + 1;
        let (lo, hi) = (i.saturating_sub(max), (i + max).min(b.len()));
        cur.clear();
        cur.resize(b.len() + 1, far);
        if lo == 0 {
            cur[0] = i.min(far);
        }
        let mut best = cur[0];
        for j in lo.max(1)..=hi {
            let v = (prev[j - 1] + usize::from(*ca != b[j - 1]))
                .min(prev[j] + 1)
                .min(cur[j - 1] + 1)
                .min(far);
            cur[j] = v;
            best = best.min(v);
        }
        if best > max {
            return None;
        }
        std::mem::swap(prev, cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

/// Every synonym group (vocabulary, plus each playbook's title and `synoniemen`),
/// as folded member → the other members.
fn synonym_map(vocab: &Vocabulary, playbooks: &[Playbook]) -> HashMap<String, Vec<String>> {
    let mut groups: Vec<Vec<String>> = vocab
        .synoniemen
        .iter()
        .map(|g| g.iter().map(|w| crate::text::fold(w)).collect())
        .collect();
    for p in playbooks {
        if p.meta.synoniemen.is_empty() {
            continue;
        }
        let mut g = vec![crate::text::fold(&p.meta.titel)];
        g.extend(p.meta.synoniemen.iter().map(|w| crate::text::fold(w)));
        groups.push(g);
    }
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for g in groups {
        for w in &g {
            let others = out.entry(w.clone()).or_default();
            for o in &g {
                if o != w && !others.contains(o) {
                    others.push(o.clone());
                }
            }
        }
    }
    out
}

/// The date a dossier sorts by: its last change, else its start.
pub fn date_key(d: &Dossier) -> u32 {
    d.updated.or(d.meta.eind).or(d.meta.start).map_or(0, |p| p.sort_key())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Toegang::*;

    #[test]
    fn access_rules_of_the_content_model() {
        let limburg = Audience::signed_in(&["limburg".into()]);
        let cases = [
            (Audience::Public, Openbaar, true),
            (Audience::Public, Netwerk, false),
            (Audience::Public, Regio, false),
            (Audience::Network, Netwerk, true),
            (Audience::Network, Regio, false),
            (limburg.clone(), Regio, true),
            (Audience::Liec, Regio, true),
        ];
        for (a, t, want) in cases {
            assert_eq!(a.may_see(t, Some("limburg")), want, "{a:?} {t:?}");
        }
        assert!(!limburg.may_see(Regio, Some("rotterdam")));
        assert!(!limburg.may_see(Regio, None), "regio playbooks are for LIEC readers only");
        assert_eq!(Audience::signed_in(&["liec".into(), "limburg".into()]), Audience::Liec);
        assert_eq!(Audience::signed_in(&[]), Audience::Network);
        assert_eq!(Audience::signed_in(&["b".into(), "a".into(), "b".into()]).key(), "regio-a+b");
    }

    /// Everything `Library::update` may take from a previous library, compared
    /// with a library built from scratch.
    fn assert_same_statistics(updated: &Library, fresh: &Library) {
        let ids = |l: &Library| l.dossiers.iter().map(|d| d.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(updated), ids(fresh));
        assert_eq!(updated.keyterms.df, fresh.keyterms.df, "document frequencies");
        assert_eq!(updated.words, fresh.words, "surface words");
        assert_eq!(updated.synonyms, fresh.synonyms);
        let all = crate::keyterms::compute(&fresh.dossiers);
        for (i, want) in all.iter().enumerate() {
            assert_eq!(updated.keyterms(i), want.as_slice(), "key terms of {}", fresh.dossiers[i].id);
            assert_eq!(fresh.keyterms(i), want.as_slice());
        }
    }

    /// Made-up words (five letters or more), some in many dossiers, most in a few.
    fn body(seed: usize, len: usize) -> String {
        const SYLLABLES: [&str; 8] = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi"];
        (0..len)
            .map(|k| {
                let n = (seed * 7 + k * k * 3 + k) % 90;
                format!("{}{}{}", SYLLABLES[n % 8], SYLLABLES[(n / 8) % 8], SYLLABLES[n / 64 + 2])
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn updated_statistics_equal_statistics_counted_from_scratch() {
        use crate::corpus::RenderCache;
        use crate::testkit::catalog;
        let themas = [("vastgoed", "Vastgoed")];
        let mut cache = RenderCache::default();
        let mut docs: Vec<(String, &str, String)> = (0..24)
            .map(|i| {
                let regio = if i % 3 == 0 { "rotterdam" } else { "limburg" };
                let toegang = ["openbaar", "openbaar", "netwerk", "regio"][i % 4];
                (format!("{regio}/d{i}"), toegang, body(i, 12 + i % 5))
            })
            .collect();
        let audiences = [
            Audience::Public,
            Audience::Network,
            Audience::signed_in(&["limburg".into()]),
            Audience::Liec,
        ];
        let refs = |docs: &[(String, &str, String)]| -> Vec<(String, String, String)> {
            docs.iter().map(|(a, b, c)| (a.clone(), b.to_string(), c.clone())).collect()
        };
        let build = |cache: &mut RenderCache, docs: &[(String, &str, String)]| {
            let owned = refs(docs);
            let r: Vec<(&str, &str, &str)> = owned.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
            catalog(cache, &themas, &r)
        };
        let cat = build(&mut cache, &docs);
        let mut libs: Vec<Library> = audiences.iter().map(|a| Library::new(&cat, a.clone())).collect();
        // Each step: change one body, add, delete, a new word, a mixed update.
        for step in 0..8 {
            match step {
                0 => docs[1].2.push_str(" zqnieuwwoord"),
                // Only new words: the frequencies of the others stay, the number of dossiers does not.
                1 => docs.push(("limburg/nieuw".into(), "openbaar", "zqeerste zqtweede".into())),
                2 => {
                    docs.remove(4);
                }
                3 => docs[2].2 = body(5, 9),
                4 => {
                    docs[0].2.push_str(" cannabis cannabis");
                    docs.remove(7);
                    docs.push(("rotterdam/later".into(), "regio", body(3, 20)));
                }
                5 => docs[3].1 = "openbaar",
                6 => {}
                _ => docs[5].2 = format!("{} zqnieuwwoord", body(8, 10)),
            }
            let cat = build(&mut cache, &docs);
            for (lib, audience) in libs.iter_mut().zip(&audiences) {
                // Key terms computed before the update can be carried over: compute some.
                for i in (0..lib.dossiers.len()).step_by(2) {
                    lib.keyterms(i);
                }
                let updated = Library::update(&cat, audience.clone(), lib);
                if step == 0 || step == 6 {
                    // Nothing but one new word changed: computed key terms were carried over.
                    assert!(updated.keyterms.cells.iter().any(|c| c.get().is_some()), "{audience:?}");
                }
                let fresh = Library::new(&cat, audience.clone());
                assert_same_statistics(&updated, &fresh);
                assert!((0..fresh.dossiers.len()).filter(|i| !fresh.keyterms(*i).is_empty()).count() > fresh.dossiers.len() / 2);
                for d in &updated.dossiers {
                    assert!(audience.may_see(d.meta.toegang, Some(&d.meta.regio)), "{audience:?} got {}", d.id);
                }
                *lib = updated;
            }
        }
    }

    #[test]
    fn statistics_updated_from_another_audience_are_still_this_audiences_own() {
        // Whatever the previous library held, the counts are exactly those of
        // the documents this audience may see: a netwerk-only word never stays.
        use crate::corpus::RenderCache;
        let mut cache = RenderCache::default();
        let cat = crate::testkit::catalog(
            &mut cache,
            &[("vastgoed", "Vastgoed")],
            &[
                ("limburg/a", "openbaar", "vastgoed witwassen horeca"),
                ("limburg/b", "netwerk", "geheimwoord vastgoed witwassen"),
                ("limburg/c", "openbaar", "horeca havens douane"),
            ],
        );
        let network = Library::new(&cat, Audience::Network);
        network.keyterms(0);
        let public = Library::update(&cat, Audience::Public, &network);
        assert!(!public.words.contains_key("geheimwoord"));
        assert!(!public.keyterms.df.contains_key("geheimwoord"));
        assert_same_statistics(&public, &Library::new(&cat, Audience::Public));
    }

    #[test]
    fn banded_edit_distance_equals_the_full_one_up_to_the_bound() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "vastgoed",
            "vastgoedfraude",
            "vastgoedfruade",
            "witwassen",
            "witwasen",
            "wtiwassen",
            "coöperatie",
            "cooperatie",
            "horeca",
            "horec",
            "hoerca",
            "xyz",
            "criminaliteit",
            "crimineliteit",
        ];
        let mut rows = (Vec::new(), Vec::new());
        for a in words {
            for b in words {
                let full = crate::diag::edit_distance(a, b);
                let (ac, bc): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                for max in 0..4 {
                    let want = (full <= max).then_some(full);
                    assert_eq!(edit_distance_within(&ac, &bc, max, &mut rows), want, "{a} {b} {max}");
                }
            }
        }
    }

    #[test]
    fn suggestions_are_those_of_a_scan_of_every_word() {
        let lib = crate::testkit::library(&[
            ("a", "Vastgoedfraude en witwassen in de horeca; criminaliteit rond vakantieparken."),
            ("b", "Witwassen via vastgoed, horecapanden en vakantieparken; criminaliteit."),
            ("c", "Hennepteelt, drugslabs en loodsen; de horeca en huisjesmelkers."),
        ]);
        let scan = |word: &str| {
            let w = crate::text::fold(word);
            let len = w.chars().count();
            let max = if len >= 8 { 2 } else { 1 };
            lib.words
                .iter()
                .filter(|(c, _)| c.chars().count().abs_diff(len) <= max && **c != w)
                .filter_map(|(c, n)| {
                    let d = crate::diag::edit_distance(&w, c);
                    (d <= max).then_some((d, std::cmp::Reverse(*n), c.as_str()))
                })
                .min()
                .map(|(_, _, c)| c)
        };
        for q in [
            "vastgoedfruade",
            "witwasen",
            "horec",
            "Horeca",
            "crimineliteit",
            "loodsn",
            "xyzzy",
            "de",
            "hennep",
        ] {
            assert_eq!(lib.suggest(q), scan(q), "{q}");
        }
        assert_eq!(lib.suggest("witwasen"), Some("witwassen"));
    }
}
