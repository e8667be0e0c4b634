//! Highlighted snippets: the fragment of a text with the most distinct query
//! terms (looked for in the few kilobytes from the first match on), escaped,
//! with `<mark>` around every word whose Dutch stem is one of the query's terms.
//!
//! Only words that could match are analysed: a word is stemmed when its first
//! letters (folded) equal the first letters of a query term, since the Dutch
//! stemmer changes only the ends of words. That keeps a snippet to a cheap
//! scan of the text instead of stemming every word (which dominated search).

use crate::text::escape_html;
use std::collections::HashSet;
use tantivy::tokenizer::TextAnalyzer;

/// How many leading letters of a word must equal those of a query term before
/// the word is stemmed.
const HEAD: usize = 3;

/// How far into a text matches are looked for (bodies may be up to 1 MiB), and
/// how far past the first match: the best fragment is looked for near it.
const SCAN: usize = 64 * 1024;
const SCAN_AFTER_FIRST: usize = 1536;

/// Finds and marks the query's terms in texts.
pub struct Highlighter {
    analyzer: TextAnalyzer,
    terms: HashSet<String>,
    /// Terms searched only inside phrases: marked only where the words of
    /// one of `phrases` stand together (`Wet Bibob`, `officier van
    /// justitie`; never `wet` or `en` alone).
    phrase_terms: HashSet<String>,
    phrases: Vec<Vec<String>>,
    /// Acronyms (`om`): marked only where the word is written in capitals.
    acronyms: HashSet<String>,
    /// `head_keys` of the terms, sorted.
    heads: Vec<u64>,
    /// A one-word Bloom filter of `heads`, so most words are passed over with one test.
    bloom: u64,
    /// The bytes a matching word can start with: both cases of the (ASCII)
    /// first letters of the terms, and every non-ASCII byte (a folded letter
    /// may start a term; it is decoded and checked). The scan skips every
    /// other byte in a tight loop.
    stops: [bool; 256],
    /// The folded first letters of the terms.
    firsts: Vec<char>,
}

/// A word of the text that matches a term: byte range and which term.
#[derive(Debug, PartialEq)]
struct Match {
    start: usize,
    end: usize,
    term: usize,
    /// Whether it matched only a phrase term.
    in_phrase: bool,
}

impl Highlighter {
    /// `terms` are analysed tokens (as the index stores them); `analyzer` is the
    /// index's analyzer, used on candidate words.
    pub fn new(analyzer: TextAnalyzer, terms: impl IntoIterator<Item = String>) -> Highlighter {
        let terms: HashSet<String> = terms.into_iter().filter(|t| !t.is_empty()).collect();
        let mut heads: Vec<u64> = terms.iter().map(|t| head_keys(t).0).collect();
        heads.sort_unstable();
        heads.dedup();
        let bloom = heads.iter().fold(0, |b, &h| b | bloom_bit(h));
        Highlighter {
            analyzer,
            terms,
            phrase_terms: HashSet::new(),
            phrases: Vec::new(),
            acronyms: HashSet::new(),
            heads,
            bloom,
            stops: [false; 256],
            firsts: Vec::new(),
        }
        .with_stops()
    }

    /// Fills `stops` and `firsts` from the terms.
    fn with_stops(mut self) -> Highlighter {
        let mut firsts: Vec<char> = (self.terms.iter().chain(&self.phrase_terms).chain(&self.acronyms))
            .filter_map(|t| t.chars().next())
            .flat_map(char::to_lowercase)
            .map(crate::text::fold_char)
            .collect();
        firsts.sort_unstable();
        firsts.dedup();
        let mut stops = [false; 256];
        stops[0x80..].iter_mut().for_each(|s| *s = true);
        for c in firsts.iter().filter(|c| c.is_ascii()) {
            stops[c.to_ascii_lowercase() as usize] = true;
            stops[c.to_ascii_uppercase() as usize] = true;
        }
        self.stops = stops;
        self.firsts = firsts;
        self
    }

    /// Adds the phrases the query searched (analysed tokens) and acronyms (see the fields).
    pub fn with(mut self, phrases: Vec<Vec<String>>, acronyms: Vec<String>) -> Highlighter {
        self.phrase_terms = phrases
            .iter()
            .flatten()
            .filter(|t| !t.is_empty() && !self.terms.contains(*t))
            .cloned()
            .collect();
        self.phrases = phrases;
        self.acronyms = acronyms.into_iter().filter(|t| !t.is_empty()).collect();
        for t in self.phrase_terms.iter().chain(&self.acronyms) {
            self.heads.push(head_keys(t).0);
        }
        self.heads.sort_unstable();
        self.heads.dedup();
        self.bloom = self.heads.iter().fold(0, |b, &h| b | bloom_bit(h));
        self.with_stops()
    }

    /// The best fragment of `text` of about `max` bytes with matches marked, or
    /// `None` when no word of `text` matches a term.
    pub fn snippet(&mut self, text: &str, max: usize) -> Option<String> {
        if self.terms.is_empty() && self.phrase_terms.is_empty() && self.acronyms.is_empty() {
            return None;
        }
        let matches = self.matches(text);
        if matches.is_empty() {
            return None;
        }
        let (first, last) = best_window(&matches, max);
        let (from, to) = (matches[first].start, matches[last].end);
        // Fill the rest of the fragment with context: a third before, the rest after.
        let spare = max.saturating_sub(to - from);
        let start = word_start(text, from.saturating_sub(spare / 3), from);
        let after = spare.saturating_sub(from - start);
        let end = word_end(text, to.saturating_add(after).min(text.len()), to);
        let mut out = String::with_capacity(end - start + 64);
        if start > 0 {
            out.push_str("… ");
        }
        let mut at = start;
        for m in &matches {
            if m.start < at {
                continue;
            }
            if m.end > end {
                break;
            }
            out.push_str(&escape_html(&text[at..m.start]));
            out.push_str("<mark>");
            out.push_str(&escape_html(&text[m.start..m.end]));
            out.push_str("</mark>");
            at = m.end;
        }
        out.push_str(&escape_html(&text[at..end]));
        if end < text.len() {
            out.push_str(" …");
        }
        Some(out)
    }

    /// Every word of `text` (up to `SCAN` bytes) whose stem is a term, in order.
    /// Only words that start with a term's first letter are looked at: the
    /// scan jumps from one such byte to the next.
    fn matches(&mut self, text: &str) -> Vec<Match> {
        let bytes = text.as_bytes();
        let mut found = Found::default();
        let mut i = 0;
        while i < bytes.len() {
            while i < bytes.len() && !self.stops[bytes[i] as usize] {
                i += 1;
            }
            if i >= bytes.len() || i > found.limit {
                break;
            }
            let c = text[i..].chars().next().expect("at a char boundary");
            if !c.is_alphanumeric() {
                i += c.len_utf8();
                continue;
            }
            let end = run_end(text, i);
            let first = c.to_lowercase().next().map_or(c, crate::text::fold_char);
            if alphanumeric_before(text, i) || self.firsts.binary_search(&first).is_err() {
                i = end;
                continue;
            }
            if let Some((term, in_phrase)) = self.term_of(&text[i..end]) {
                found.add(i, end, term, in_phrase);
            }
            i = end;
        }
        keep_phrase_runs(text, found.out, &found.terms, &self.phrases)
    }

    /// The term `word` matches (and whether only as a phrase term), if any.
    fn term_of(&mut self, word: &str) -> Option<(String, bool)> {
        // A term shorter than HEAD letters can only match a word that short or
        // one that starts with it: check both lengths.
        let (full, short) = head_keys(word);
        if self.bloom & (bloom_bit(full) | bloom_bit(short)) == 0
            || (self.heads.binary_search(&full).is_err() && self.heads.binary_search(&short).is_err())
        {
            return None;
        }
        if !self.acronyms.is_empty() && word.chars().count() >= 2 && word.chars().all(char::is_uppercase) {
            let lower = word.to_lowercase();
            if self.acronyms.contains(&lower) {
                return Some((lower, false));
            }
        }
        let mut stream = self.analyzer.token_stream(word);
        while let Some(tok) = stream.next() {
            if self.terms.contains(tok.text.as_str()) {
                return Some((tok.text.clone(), false));
            }
            if self.phrase_terms.contains(tok.text.as_str()) {
                return Some((tok.text.clone(), true));
            }
        }
        None
    }

    /// `matches` as it was before the jumping scan: every word, in order (the
    /// reference the tests hold it against).
    #[cfg(test)]
    fn matches_word_by_word(&mut self, text: &str) -> Vec<Match> {
        let mut found = Found::default();
        for (start, word) in words(text) {
            if start > found.limit {
                break;
            }
            if let Some((term, in_phrase)) = self.term_of(word) {
                found.add(start, start + word.len(), term, in_phrase);
            }
        }
        keep_phrase_runs(text, found.out, &found.terms, &self.phrases)
    }
}

/// The matches of a scan so far: each distinct term once, and how far the
/// scan goes (`SCAN`, then `SCAN_AFTER_FIRST` past the first full match).
struct Found {
    terms: Vec<String>,
    out: Vec<Match>,
    limit: usize,
}

impl Default for Found {
    fn default() -> Found {
        Found {
            terms: Vec::new(),
            out: Vec::new(),
            limit: SCAN,
        }
    }
}

impl Found {
    /// A word at `start..end` that matches `term`.
    fn add(&mut self, start: usize, end: usize, term: String, in_phrase: bool) {
        let idx = match self.terms.iter().position(|t| *t == term) {
            Some(n) => n,
            None => {
                self.terms.push(term);
                self.terms.len() - 1
            }
        };
        if self.out.is_empty() && !in_phrase {
            self.limit = self.limit.min(start + SCAN_AFTER_FIRST);
        }
        self.out.push(Match {
            start,
            end,
            term: idx,
            in_phrase,
        });
    }
}

/// The end of the run of letters and digits that starts at `at`.
fn run_end(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = at;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            if !b.is_ascii_alphanumeric() {
                break;
            }
            i += 1;
        } else {
            let c = text[i..].chars().next().expect("at a char boundary");
            if !c.is_alphanumeric() {
                break;
            }
            i += c.len_utf8();
        }
    }
    i
}

/// True when the character before byte `at` is a letter or digit (`at` is
/// then inside a word, not at its start).
fn alphanumeric_before(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_some_and(char::is_alphanumeric)
}

/// Keeps the matches of phrase terms only where they spell one of `phrases`
/// as adjacent words (`terms` names each match's term).
fn keep_phrase_runs(text: &str, matches: Vec<Match>, terms: &[String], phrases: &[Vec<String>]) -> Vec<Match> {
    if !matches.iter().any(|m| m.in_phrase) {
        return matches;
    }
    let mut keep: Vec<bool> = matches.iter().map(|m| !m.in_phrase).collect();
    for p in phrases.iter().filter(|p| p.len() > 1) {
        for start in 0..matches.len() {
            let fits = (0..p.len()).all(|k| {
                matches
                    .get(start + k)
                    .is_some_and(|m| terms[m.term] == p[k] && (k == 0 || adjacent(text, &matches[start + k - 1], m)))
            });
            if fits {
                keep[start..start + p.len()].iter_mut().for_each(|x| *x = true);
            }
        }
    }
    matches.into_iter().zip(keep).filter_map(|(m, k)| k.then_some(m)).collect()
}

/// True when no letter or digit stands between two matches: their words are neighbours.
fn adjacent(text: &str, a: &Match, b: &Match) -> bool {
    !text[a.end..b.start].chars().any(char::is_alphanumeric)
}

/// The first `HEAD` letters of a word, folded, with doubled vowels written
/// once (the stemmer undoubles them: `buurt` → `burt`), packed into a number;
/// and the same for its first `HEAD - 1` letters. Compared with the heads of
/// the terms without allocating.
fn head_keys(word: &str) -> (u64, u64) {
    let mut key = 0u64;
    let mut n = 0;
    let mut short = 0u64;
    let mut prev = '\0';
    let mut push = |c: char| {
        if n == HEAD || (c == prev && matches!(c, 'a' | 'e' | 'o' | 'u')) {
            return n < HEAD;
        }
        prev = c;
        key = (key << 21) | c as u64;
        n += 1;
        if n == HEAD - 1 {
            short = key;
        }
        n < HEAD
    };
    if word.is_ascii() {
        // The common case, without Unicode tables.
        for b in word.bytes() {
            if !push(b.to_ascii_lowercase() as char) {
                break;
            }
        }
    } else {
        for c in word.chars().flat_map(char::to_lowercase).map(crate::text::fold_char) {
            if !push(c) {
                break;
            }
        }
    }
    if n < HEAD - 1 {
        short = key;
    }
    (key, short)
}

fn bloom_bit(key: u64) -> u64 {
    1 << (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
}

/// The runs of letters and digits of `text` with their byte offsets (the words
/// the index's tokenizer sees), with a fast path for ASCII.
#[cfg(test)]
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let alnum_at = move |i: usize| -> (bool, usize) {
        let b = bytes[i];
        if b.is_ascii() {
            (b.is_ascii_alphanumeric(), 1)
        } else {
            let c = text[i..].chars().next().expect("at a char boundary");
            (c.is_alphanumeric(), c.len_utf8())
        }
    };
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let (alnum, len) = alnum_at(at);
            if alnum {
                break;
            }
            at += len;
        }
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        while at < bytes.len() {
            let (alnum, len) = alnum_at(at);
            if !alnum {
                break;
            }
            at += len;
        }
        Some((start, &text[start..at]))
    })
}

/// The run of matches (first, last index) that fits in `max` bytes with the most
/// distinct terms, then the most matches; the earliest on a tie.
fn best_window(matches: &[Match], max: usize) -> (usize, usize) {
    let mut best = (0, 0, 0, 0);
    for i in 0..matches.len() {
        let mut seen = 0u64;
        let mut last = i;
        for (j, m) in matches.iter().enumerate().skip(i) {
            if m.end - matches[i].start > max {
                break;
            }
            seen |= 1 << (m.term % 64);
            last = j;
        }
        let score = (seen.count_ones() as usize, last - i + 1);
        if score > (best.0, best.1) {
            best = (score.0, score.1, i, last);
        }
    }
    (best.2, best.3)
}

/// The start of the first whole word at or after `at`, never after `max` (a
/// word start itself).
fn word_start(text: &str, at: usize, max: usize) -> usize {
    let mut at = at.min(max);
    while !text.is_char_boundary(at) {
        at += 1;
    }
    if at == 0 || text[..at].ends_with(char::is_whitespace) {
        return at;
    }
    // Skip the partial word up to the next space (which may be more than one
    // byte: a no-break space from `&nbsp;`, a thin space).
    match text[at..max].char_indices().find(|(_, c)| c.is_whitespace()) {
        Some((i, c)) => at + i + c.len_utf8(),
        None => max,
    }
}

/// The end of the last whole word before `at`, never before `min` (a word end itself).
fn word_end(text: &str, at: usize, min: usize) -> usize {
    let mut at = at.max(min);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    if at >= text.len() || text[at..].starts_with(char::is_whitespace) {
        return at;
    }
    // Drop the partial word back to the previous space.
    match text[min..at].rfind(char::is_whitespace) {
        Some(i) => min + i,
        None => min,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hl(terms: &[&str]) -> Highlighter {
        Highlighter::new(crate::index::dutch_analyzer(), terms.iter().map(|t| t.to_string()))
    }

    fn stems(text: &str) -> Vec<String> {
        crate::index::analyze(text)
    }

    #[test]
    fn marks_inflections_and_diacritics_of_the_query_terms() {
        let mut h = hl(&stems("woning coöperatie").iter().map(String::as_str).collect::<Vec<_>>());
        let s = h.snippet("De woningen van de Cooperatie en één woning.", 200).unwrap();
        assert_eq!(
            s,
            "De <mark>woningen</mark> van de <mark>Cooperatie</mark> en één <mark>woning</mark>."
        );
        assert!(h.snippet("Niets hierover.", 200).is_none());
        assert!(hl(&[]).snippet("woning", 200).is_none());
    }

    #[test]
    fn escapes_the_text_around_and_inside_marks() {
        let mut h = hl(&["horeca"]);
        let s = h.snippet("<b>horeca</b> & \"meer\"", 200).unwrap();
        assert_eq!(s, "&lt;b&gt;<mark>horeca</mark>&lt;/b&gt; &amp; &quot;meer&quot;");
    }

    #[test]
    fn picks_the_fragment_with_the_most_distinct_terms() {
        let filler = "tekst zonder iets bijzonders erin ".repeat(40);
        let text = format!("Over vastgoed alleen. {filler} Hier staan vastgoed en horeca samen. {filler}");
        let mut h = hl(&["vastgoed", "horeca"]);
        let s = h.snippet(&text, 120).unwrap();
        assert!(s.contains("<mark>vastgoed</mark> en <mark>horeca</mark>"), "{s}");
        assert!(s.starts_with("… ") && s.ends_with(" …"), "{s}");
        // About the size asked for, cut at word boundaries.
        let plain = s.replace("<mark>", "").replace("</mark>", "");
        assert!(plain.len() <= 120 + 2 * "… ".len(), "{}", plain.len());
        assert!(
            !plain.contains(" erin…") && plain.trim_start_matches("… ").starts_with(|c: char| c.is_alphabetic()),
            "{plain}"
        );
    }

    proptest::proptest! {
        /// The fast word splitter finds exactly the runs of letters and digits.
        #[test]
        fn words_are_the_alphanumeric_runs(text in "\\PC{0,80}") {
            let fast: Vec<(usize, &str)> = words(&text).collect();
            let slow: Vec<(usize, &str)> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(|w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
                .collect();
            proptest::prop_assert_eq!(fast, slow);
        }

        /// The jumping scan finds exactly the matches of a word-by-word scan.
        #[test]
        fn the_jumping_scan_finds_what_a_word_by_word_scan_finds(
            text in "([A-Za-z]{1,9}|[éÉëïöüÜçĳ]|[ .,;\n\u{a0}\u{2019}-]|woning|Woningen|coöperatie|Cooperatie|OM|om|één|wet|Bibob|officier|van|justitie|13b){0,60}",
        ) {
            let mut h = hl(&["woning", "cooperatie", "wet", "bibob", "13b", "een", "e"])
                .with(vec![vec!["officier".into(), "van".into(), "justitie".into()]], vec!["om".into()]);
            let fast = h.matches(&text);
            let slow = h.matches_word_by_word(&text);
            proptest::prop_assert_eq!(fast, slow);
        }

        /// Whatever the text: the snippet is the escaped text of one piece of it,
        /// with nothing but `<mark>` added.
        #[test]
        fn output_is_an_escaped_piece_of_the_text(text in "[a-zé<>&\"' .,\n\u{a0}\u{2009}\u{202f}]{0,300}", max in 0usize..200) {
            let mut h = hl(&["hor", "e", "a"]);
            if let Some(s) = h.snippet(&text, max) {
                let plain = s.replace("<mark>", "").replace("</mark>", "");
                proptest::prop_assert!(!plain.contains('<') && !plain.contains('>') && !plain.contains('"'));
                let piece = plain.trim_start_matches("… ").trim_end_matches(" …");
                let unescaped = piece.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
                proptest::prop_assert!(text.contains(&unescaped), "{:?} not in {:?}", unescaped, text);
            }
        }
    }

    #[test]
    fn multi_byte_spaces_before_the_fragment_are_no_problem() {
        // Found in review: a skip past a 2-byte no-break space landed inside it.
        let mut h = hl(&["horeca"]);
        for max in 0..60 {
            let s = h.snippet("aaaaaaaaaa\u{a0}bbbb horeca en\u{2009}meer\u{202f}tekst", max).unwrap();
            assert!(s.contains("<mark>horeca</mark>"), "{s}");
        }
    }

    #[test]
    fn never_splits_a_character_and_handles_every_length() {
        let mut h = hl(&["uiteenzet"]);
        for n in 0..40 {
            let text = format!("{} uiteenzetting, {}", "é".repeat(n), "ë".repeat(n));
            for max in [0, 1, 5, 13, 30, 200] {
                let s = h.snippet(&text, max).unwrap();
                assert!(s.contains("<mark>uiteenzetting</mark>"), "{s}");
            }
        }
    }
}
