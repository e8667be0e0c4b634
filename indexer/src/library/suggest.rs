//! "Bedoelde u ...?": the most common word of a library within a small edit
//! distance of a query word, over the library's words grouped by length.

use crate::text::{edit_distance_within, fold};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A word for suggestions: its characters, its count, itself and its letter mask.
type Candidate = (Box<[char]>, u32, String, u32);

/// One bit per letter (by code point modulo 32). Each edit adds or removes at
/// most one letter, so two words whose masks differ in more than `max` bits on
/// one side are more than `max` edits apart.
fn letter_mask(chars: &[char]) -> u32 {
    chars.iter().fold(0, |m, c| m | 1 << (*c as u32 % 32))
}

/// A library's words by length in characters, as characters, built on the
/// first suggestion.
#[derive(Debug, Clone, Default)]
pub(super) struct Suggester {
    by_length: OnceLock<Vec<Vec<Candidate>>>,
}

impl Suggester {
    /// The most common of `words` within edit distance 1 of `word` (2 for
    /// words of 8 letters or more), for "Bedoelde u ...?".
    pub(super) fn suggest<'a>(&'a self, words: &'a HashMap<String, u32>, word: &str) -> Option<&'a str> {
        (self.within(words, word).into_iter())
            .map(|(d, n, s)| (d, std::cmp::Reverse(n), s))
            .min()
            .map(|(_, _, s)| s)
    }

    /// Every one of `words` within that distance of `word` (itself excepted),
    /// with the distance and its count in `words`.
    pub(super) fn within<'a>(&'a self, words: &'a HashMap<String, u32>, word: &str) -> Vec<(usize, u32, &'a str)> {
        let w: Vec<char> = fold(word).chars().collect();
        let max = if w.len() >= 8 { 2 } else { 1 };
        let by_length = self.by_length.get_or_init(|| {
            let mut out: Vec<Vec<Candidate>> = Vec::new();
            for (c, n) in words.iter() {
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
            .filter_map(|(c, n, s, _)| Some((edit_distance_within(&w, c, max, &mut rows)?, *n, s.as_str())))
            .collect()
    }
}
