//! A library's word statistics: document frequencies of key-term candidates
//! and the surface words for suggestions, counted from scratch or corrected
//! from the previous library by the dossiers that changed.

use super::Library;
use super::saved::SavedStatistics;
use crate::model::{DocWords, Dossier, WordLists};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Where a library's statistics came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Counted from every dossier's word lists.
    Counted,
    /// Corrected from an earlier library by the dossiers that differ.
    Corrected,
    /// Read back from `data_dir` (`saved.rs`).
    Saved,
}

/// One dossier's key terms, once computed.
pub(super) type KeyTermCell = OnceLock<Arc<Vec<(String, f32)>>>;

/// The term statistics behind key terms: how many of the library's dossiers hold
/// each candidate term, and per ordinal the key terms once computed.
#[derive(Debug, Clone)]
pub(super) struct KeyTerms {
    pub(super) df: Arc<HashMap<String, u32>>,
    pub(super) cells: Arc<[KeyTermCell]>,
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
/// With `saved` (and no `prev`), the saved statistics are taken when they
/// are those of exactly `dossiers` (`saved::digest`). The last value says
/// where the counts came from.
pub(super) fn statistics(
    dossiers: &[Arc<Dossier>],
    by_id: &HashMap<String, usize>,
    prev: Option<&Library>,
    saved: Option<SavedStatistics>,
) -> (KeyTerms, Arc<HashMap<String, u32>>, Source) {
    let empty_cells = || (0..dossiers.len()).map(|_| OnceLock::new()).collect();
    let fresh = || {
        let (df, surface) = count_words(dossiers);
        let keyterms = KeyTerms {
            df: Arc::new(df),
            cells: empty_cells(),
        };
        (keyterms, Arc::new(surface), Source::Counted)
    };
    let Some(prev) = prev else {
        if let Some(s) = saved
            && s.digest == super::saved::digest(dossiers)
        {
            let keyterms = KeyTerms {
                df: Arc::new(s.df),
                cells: empty_cells(),
            };
            return (keyterms, Arc::new(s.words), Source::Saved);
        }
        return fresh();
    };
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
    (KeyTerms { df: Arc::new(df), cells }, Arc::new(words), Source::Corrected)
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
