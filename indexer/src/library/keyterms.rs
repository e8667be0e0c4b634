//! Characteristic words per dossier (tf-idf over one audience's dossiers),
//! used to explain similarity with "gedeelde termen" a reader can check.

/// How many terms are kept per dossier.
const KEEP: usize = 25;

/// In how many of `dossiers` each candidate term occurs (the document
/// frequencies), counted the plain way: the reference the tests hold a
/// library's own counts (`stats::count_words`, corrections) against.
#[cfg(test)]
pub(crate) fn document_frequencies(dossiers: &[std::sync::Arc<crate::model::Dossier>]) -> std::collections::HashMap<String, u32> {
    let mut df = std::collections::HashMap::new();
    for d in dossiers {
        for (w, _) in d.words.read().terms() {
            match df.get_mut(w) {
                Some(n) => *n += 1,
                None => {
                    df.insert(w.to_string(), 1);
                }
            }
        }
    }
    df
}

/// The characteristic words of one dossier with term counts `tf`, among `n`
/// dossiers with document frequencies `df`, strongest first.
pub fn of(tf: &crate::model::DocWords, df: impl Fn(&str) -> u32, n: usize) -> Vec<(String, f32)> {
    let n = n as f32;
    let tf = tf.read();
    let mut terms: Vec<(&str, f32)> = tf
        .terms()
        .filter_map(|(w, c)| {
            let d = df(w).max(1) as f32;
            // A word in only one dossier cannot be shared; one in most explains nothing.
            (d >= 2.0 && d <= (n / 2.0).max(2.0)).then(|| (w, (1.0 + (c as f32).ln()) * (n / d).ln().max(0.01)))
        })
        .collect();
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    terms.truncate(KEEP);
    terms.into_iter().map(|(w, s)| (w.to_string(), s)).collect()
}

/// Computes the characteristic words of each dossier, strongest first (all at
/// once, for tests; a library computes them one dossier at a time, on first use).
#[cfg(test)]
pub(crate) fn compute(dossiers: &[std::sync::Arc<crate::model::Dossier>]) -> Vec<Vec<(String, f32)>> {
    let df = document_frequencies(dossiers);
    dossiers
        .iter()
        .map(|d| of(&d.words, |t| df.get(t).copied().unwrap_or(0), dossiers.len()))
        .collect()
}
