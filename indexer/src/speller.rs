//! "Bedoelde u ...?": the closest known word to a misspelt one, from one
//! library's surface words. Words are grouped by length so only those within
//! reach are compared, and the comparison stops as soon as a word is out of
//! reach, so a correction costs a fraction of a millisecond at 10,000 dossiers.

use std::collections::HashMap;

/// One library's surface words, grouped by length in characters.
#[derive(Debug, Clone, Default)]
pub struct Speller {
    /// Word and the number of dossiers holding it.
    words: Vec<(String, u32)>,
    /// Per length in characters: indexes into `words`.
    by_len: Vec<Vec<u32>>,
}

impl Speller {
    pub fn new(words: &HashMap<String, u32>) -> Speller {
        let mut sorted: Vec<(String, u32)> = words.iter().map(|(w, n)| (w.clone(), *n)).collect();
        sorted.sort();
        let mut by_len: Vec<Vec<u32>> = Vec::new();
        for (i, (w, _)) in sorted.iter().enumerate() {
            let len = w.chars().count();
            if by_len.len() <= len {
                by_len.resize(len + 1, Vec::new());
            }
            by_len[len].push(i as u32);
        }
        Speller { words: sorted, by_len }
    }

    /// The most common word within edit distance 1 of `word` (2 for words of 8
    /// letters or more), the closest first, then the most common, then the first
    /// alphabetically. `word` is folded already.
    pub fn suggest(&self, word: &str) -> Option<&str> {
        let w: Vec<char> = word.chars().collect();
        let max = if w.len() >= 8 { 2 } else { 1 };
        let mut best: Option<(usize, std::cmp::Reverse<u32>, &str)> = None;
        let mut cand: Vec<char> = Vec::new();
        let mut rows = (Vec::new(), Vec::new());
        for len in w.len().saturating_sub(max)..=w.len() + max {
            for &i in self.by_len.get(len).map_or(&[][..], Vec::as_slice) {
                let (c, n) = &self.words[i as usize];
                if c == word {
                    continue;
                }
                cand.clear();
                cand.extend(c.chars());
                let Some(d) = bounded_distance(&w, &cand, max, &mut rows) else {
                    continue;
                };
                let key = (d, std::cmp::Reverse(*n), c.as_str());
                if best.is_none_or(|b| key < b) {
                    best = Some(key);
                }
            }
        }
        best.map(|(_, _, c)| c)
    }
}

/// The edit distance (Levenshtein) of `a` and `b` when it is at most `max`.
fn bounded_distance(a: &[char], b: &[char], max: usize, rows: &mut (Vec<usize>, Vec<usize>)) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let (prev, cur) = rows;
    prev.clear();
    prev.extend(0..=b.len());
    for (i, ca) in a.iter().enumerate() {
        cur.clear();
        cur.push(i + 1);
        let mut row_min = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let v = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(v);
            cur.push(v);
        }
        // Every later cell is at least this row's minimum.
        if row_min > max {
            return None;
        }
        std::mem::swap(prev, cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_distance_agrees_with_the_full_one() {
        let words = [
            "",
            "a",
            "ab",
            "horeca",
            "hoerca",
            "horecaa",
            "woning",
            "woningen",
            "vastgoedfraude",
            "vastgoedfruade",
            "één",
        ];
        let mut rows = (Vec::new(), Vec::new());
        for a in words {
            for b in words {
                let (ac, bc): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                let full = crate::diag::edit_distance(a, b);
                for max in 0..4 {
                    let want = (full <= max).then_some(full);
                    assert_eq!(bounded_distance(&ac, &bc, max, &mut rows), want, "{a} {b} {max}");
                }
            }
        }
    }

    #[test]
    fn suggests_the_closest_then_most_common_word() {
        let words: HashMap<String, u32> = [
            ("horeca", 5),
            ("horen", 9),
            ("horel", 1),
            ("vastgoedfraude", 2),
            ("woning", 3),
            ("woninh", 1),
        ]
        .into_iter()
        .map(|(w, n)| (w.to_string(), n))
        .collect();
        let s = Speller::new(&words);
        assert_eq!(s.suggest("horeka"), Some("horeca"));
        assert_eq!(s.suggest("hoerca"), None, "a swap is two edits, too many for a short word");
        assert_eq!(s.suggest("vastgoedfruade"), Some("vastgoedfraude"), "two edits for long words");
        assert_eq!(s.suggest("woning"), Some("woninh"), "never the word itself");
        assert_eq!(s.suggest("xyz"), None);
        assert_eq!(s.suggest("horem"), Some("horen"), "the more common of two at distance 1");
    }
}
