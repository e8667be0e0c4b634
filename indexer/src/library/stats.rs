//! Word statistics per access partition: document frequencies of key-term
//! candidates and the surface words for suggestions. Each partition's are
//! counted once per load (from scratch, corrected from the previous load by
//! the dossiers that changed, or, for the public partition, read back from
//! `data_dir`) and shared by every audience that may see the partition; an
//! audience's counts are the sums over its partitions ([`Words`]). So no
//! audience holds a copy of another's counts, and nothing of a partition an
//! audience may not see can enter its statistics.

use super::saved::SavedStatistics;
use super::suggest::Suggester;
use crate::access::Audience;
use crate::model::{DocWords, Dossier, WordLists};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Word → how many of a partition's dossiers hold it.
pub type Counts = Arc<HashMap<String, u32>>;

/// Where a partition's statistics came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// Counted from every dossier's word lists.
    Counted,
    /// Corrected from the previous load by the dossiers that differ.
    Corrected,
    /// Read back from `data_dir` (`saved.rs`).
    Saved,
}

/// The statistics of one partition's dossiers.
#[derive(Debug)]
pub struct PartitionWords {
    /// The dossiers counted, sorted by id (the next load corrects from them):
    /// this load's, also when the counts are the previous load's.
    members: Vec<Arc<Dossier>>,
    counts: Arc<PartitionCounts>,
}

/// The counts of one partition, kept across loads while its dossiers stay the same.
#[derive(Debug)]
pub struct PartitionCounts {
    /// Candidate term → dossiers holding it.
    df: Counts,
    /// Folded surface word (three letters or more) → dossiers holding it.
    words: Counts,
    /// `words` by length, for suggestions (built on the first one).
    suggester: Suggester,
    source: Source,
}

impl std::ops::Deref for PartitionWords {
    type Target = PartitionCounts;
    fn deref(&self) -> &PartitionCounts {
        &self.counts
    }
}

impl PartitionWords {
    /// The statistics of `members` (sorted by id): the saved ones when they
    /// are those of exactly these dossiers, else corrected from `prev`, else
    /// counted. Either way the counts are exactly those of `members`.
    fn build(members: Vec<Arc<Dossier>>, prev: Option<&PartitionWords>, saved: Option<SavedStatistics>) -> PartitionWords {
        let (df, words, source) = match saved.filter(|s| s.digest == super::saved::digest(&members)) {
            Some(s) => (s.df, s.words, Source::Saved),
            None => match prev.and_then(|p| corrected(&members, p)) {
                Some((df, words)) => (df, words, Source::Corrected),
                None => {
                    let (df, words) = count_words(&members);
                    (df, words, Source::Counted)
                }
            },
        };
        PartitionWords {
            members,
            counts: Arc::new(PartitionCounts {
                df: Arc::new(df),
                words: Arc::new(words),
                suggester: Suggester::default(),
                source,
            }),
        }
    }

    /// The source of the counts (tests).
    #[cfg(test)]
    pub(super) fn source(&self) -> Source {
        self.source
    }

    /// True when `self` and `other` share their counts (tests).
    #[cfg(test)]
    pub(super) fn shares_counts(&self, other: &PartitionWords) -> bool {
        Arc::ptr_eq(&self.counts, &other.counts)
    }

    fn member(&self, id: &str) -> Option<&Arc<Dossier>> {
        self.members
            .binary_search_by(|d| d.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.members[i])
    }
}

/// The statistics of every partition of a load, by partition key.
#[derive(Debug, Clone, Default)]
pub struct WordStats {
    pub(super) parts: BTreeMap<String, Arc<PartitionWords>>,
}

impl WordStats {
    /// Counts every partition of `dossiers` from scratch.
    pub fn count(dossiers: &[Arc<Dossier>]) -> WordStats {
        WordStats::build(dossiers, None, None)
    }

    /// The statistics of `dossiers` per partition: a partition whose dossiers
    /// are those `prev` counted (same ids, same file versions) keeps its
    /// statistics; another is corrected from `prev`'s by the dossiers that
    /// differ, or counted; the public partition takes `saved` when those are
    /// its dossiers' (`saved::digest`).
    pub fn build(dossiers: &[Arc<Dossier>], prev: Option<&WordStats>, saved: Option<SavedStatistics>) -> WordStats {
        use rayon::prelude::*;
        let mut groups: BTreeMap<String, Vec<Arc<Dossier>>> = BTreeMap::new();
        for d in dossiers {
            groups.entry(crate::partition::key_of(d)).or_default().push(Arc::clone(d));
        }
        let mut saved = saved;
        let jobs: Vec<(String, Vec<Arc<Dossier>>, Option<SavedStatistics>)> = groups
            .into_iter()
            .map(|(key, mut members)| {
                members.sort_by(|a, b| a.id.cmp(&b.id));
                let saved = if key == crate::partition::PUBLIC { saved.take() } else { None };
                (key, members, saved)
            })
            .collect();
        let parts = jobs
            .into_par_iter()
            .map(|(key, members, saved)| {
                let before = prev.and_then(|p| p.parts.get(&key));
                let part = match before {
                    // The same dossiers: the counts are kept, the dossiers are this load's.
                    Some(b) if same_members(&b.members, &members) => PartitionWords {
                        members,
                        counts: Arc::clone(&b.counts),
                    },
                    _ => PartitionWords::build(members, before.map(|b| &**b), saved),
                };
                let part = Arc::new(part);
                (key, part)
            })
            .collect();
        WordStats { parts }
    }

    /// The counts of the partitions `audience` may see.
    pub fn visible_to(&self, audience: &Audience) -> Words {
        Words {
            parts: (self.parts.iter())
                .filter(|(key, _)| crate::partition::visible_to(key, audience))
                .map(|(_, p)| Arc::clone(p))
                .collect(),
        }
    }
}

/// True when `a` and `b` are the same dossiers in the same file versions.
fn same_members(a: &[Arc<Dossier>], b: &[Arc<Dossier>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.id == y.id && Arc::ptr_eq(&x.words, &y.words))
}

/// The word counts one audience sees: the sums over the partitions it may see.
#[derive(Debug, Clone, Default)]
pub struct Words {
    parts: Vec<Arc<PartitionWords>>,
}

impl Words {
    /// In how many of the audience's dossiers a candidate term occurs.
    pub fn df(&self, term: &str) -> u32 {
        self.parts.iter().filter_map(|p| p.df.get(term)).sum()
    }

    /// In how many of the audience's dossiers a folded surface word occurs.
    pub fn count(&self, word: &str) -> u32 {
        self.parts.iter().filter_map(|p| p.words.get(word)).sum()
    }

    /// The most common word within edit distance 1 of `word` (2 for words of
    /// 8 letters or more), counted over the audience's dossiers; ties go to
    /// the word that sorts first.
    pub fn suggest(&self, word: &str) -> Option<String> {
        if let [only] = self.parts.as_slice() {
            return only.suggester.suggest(&only.words, word).map(str::to_string);
        }
        let mut found: Vec<(usize, &str)> = Vec::new();
        for p in &self.parts {
            found.extend(p.suggester.within(&p.words, word).into_iter().map(|(d, _, w)| (d, w)));
        }
        (found.into_iter())
            .map(|(d, w)| (d, std::cmp::Reverse(self.count(w)), w))
            .min()
            .map(|(_, _, w)| w.to_string())
    }

    /// The term and word counts when they are those of one partition (the
    /// public library's, which `saved.rs` keeps).
    pub fn single(&self) -> Option<(Counts, Counts)> {
        match self.parts.as_slice() {
            [only] => Some((Arc::clone(&only.df), Arc::clone(&only.words))),
            _ => None,
        }
    }

    /// Where the counts came from: the least reused of the partitions' sources.
    pub fn source(&self) -> Source {
        self.parts.iter().map(|p| p.source).min().unwrap_or(Source::Counted)
    }

    /// The summed counts as maps (tests compare them with a count from scratch).
    #[cfg(test)]
    pub(crate) fn flatten(&self) -> (HashMap<String, u32>, HashMap<String, u32>) {
        let mut out = (HashMap::new(), HashMap::new());
        for p in &self.parts {
            for (from, to) in [(&p.df, &mut out.0), (&p.words, &mut out.1)] {
                for (w, n) in from.iter() {
                    *to.entry(w.clone()).or_insert(0) += n;
                }
            }
        }
        out
    }
}

/// In how many of `dossiers` each candidate term occurs (the document
/// frequencies), and each folded surface word (three letters or more): one
/// read of each dossier's word lists, counted in parallel chunks that are
/// then added up (with a fast hasher while counting: some 80 million
/// increments at 100,000 dossiers).
fn count_words(dossiers: &[Arc<Dossier>]) -> (HashMap<String, u32>, HashMap<String, u32>) {
    use rayon::prelude::*;
    type Fast = HashMap<String, u32, foldhash::fast::RandomState>;
    fn bump(counts: &mut Fast, w: &str, by: u32) {
        match counts.get_mut(w) {
            Some(n) => *n += by,
            None => {
                counts.insert(w.to_string(), by);
            }
        }
    }
    fn add(mut a: (Fast, Fast), mut b: (Fast, Fast)) -> (Fast, Fast) {
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
            let mut counts = (Fast::default(), Fast::default());
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
        .reduce(|| (Fast::default(), Fast::default()), add);
    (df.into_iter().collect(), surface.into_iter().collect())
}

/// `prev`'s counts corrected by the dossiers that differ (by id and file
/// version: the `words` pointer), or `None` when recounting is cheaper.
fn corrected(members: &[Arc<Dossier>], prev: &PartitionWords) -> Option<(HashMap<String, u32>, HashMap<String, u32>)> {
    let mut removed: Vec<&DocWords> = Vec::new();
    let mut added: Vec<&DocWords> = Vec::new();
    for d in members {
        match prev.member(&d.id) {
            Some(p) if Arc::ptr_eq(&p.words, &d.words) => {}
            Some(p) => {
                removed.push(&p.words);
                added.push(&d.words);
            }
            None => added.push(&d.words),
        }
    }
    let kept = |id: &str| members.binary_search_by(|d| d.id.as_str().cmp(id)).is_ok();
    removed.extend(prev.members.iter().filter(|d| !kept(&d.id)).map(|d| &*d.words));
    if removed.len() + added.len() > members.len() / 2 {
        return None;
    }
    let (removed, added): (Vec<WordLists>, Vec<WordLists>) =
        (removed.iter().map(|w| w.read()).collect(), added.iter().map(|w| w.read()).collect());
    let df = apply(&prev.df, &delta(&removed, &added, |w| w.terms().map(|(t, _)| t)));
    let words = apply(&prev.words, &delta(&removed, &added, |w| w.surface()));
    Some((df, words))
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
