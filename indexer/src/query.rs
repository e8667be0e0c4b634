//! The query language and its Dutch expansion. Anything a user types is
//! accepted: `"phrases"`, `-uitsluiten`, `OR` between words; malformed syntax
//! (an unclosed quote, a lone `-`) falls back to plain words.
//!
//! Each word is expanded into alternatives, all from the audience's own
//! library and index (nothing restricted can influence another audience):
//! - the word itself, analysed (stemmed, folded) over the weighted fields;
//! - its synonyms and abbreviations (vocabulary groups, playbook `synoniemen`),
//!   applied at query time, so a changed list works without re-indexing;
//! - compounds: a rare word is also searched as its parts (`drugscriminaliteit`
//!   → `drugs` + `criminaliteit`, with the linking letters `-s-`, `-e-`, `-en-`),
//!   and two adjacent words also as their compound (`fraude vastgoed` →
//!   `vastgoedfraude`), but only when the parts or the compound occur in the
//!   index, so words are never split into meaningless fragments.

use crate::index::SearchIndex;
use crate::library::Library;
use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

/// One unit of a query: a word or a quoted phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Word(String),
    Phrase(Vec<String>),
}

/// A clause: alternatives joined by `OR`, or an exclusion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub alts: Vec<Item>,
    pub negated: bool,
}

/// Most clauses a query may have; the rest is ignored.
pub const MAX_CLAUSES: usize = 32;

/// Parses user input; never fails.
pub fn parse(q: &str) -> Vec<Clause> {
    let mut clauses: Vec<Clause> = Vec::new();
    let mut join_next = false;
    let mut pending: Vec<Item> = Vec::new();
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    while i < chars.len() && clauses.len() < MAX_CLAUSES {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let negated = c == '-' && chars.get(i + 1).is_some_and(|n| !n.is_whitespace());
        if negated {
            i += 1;
        }
        let item = if chars.get(i) == Some(&'"') {
            match chars[i + 1..].iter().position(|c| *c == '"') {
                Some(end) => {
                    let text: String = chars[i + 1..i + 1 + end].iter().collect();
                    i += end + 2;
                    let words: Vec<String> = crate::text::words(&text).collect();
                    match words.len() {
                        0 => continue,
                        1 => Item::Word(words[0].clone()),
                        _ => Item::Phrase(words),
                    }
                }
                // An unclosed quote: the quote is ignored.
                None => {
                    i += 1;
                    continue;
                }
            }
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '"' {
                i += 1;
            }
            let raw: String = chars[start..i].iter().collect();
            if raw == "OR" && !negated {
                join_next = !clauses.is_empty();
                continue;
            }
            // Punctuation other than a hyphen separates words (`titel:x` is two words);
            // a hyphenated word is a phrase of its parts.
            let mut items: Vec<Item> = raw
                .split(|c: char| !c.is_alphanumeric() && c != '-')
                .filter_map(|piece| {
                    let words: Vec<String> = crate::text::words(piece).collect();
                    match words.len() {
                        0 => None,
                        1 => Some(Item::Word(words[0].clone())),
                        _ => Some(Item::Phrase(words)),
                    }
                })
                .collect();
            if items.is_empty() {
                continue;
            }
            let first = items.remove(0);
            for extra in items.into_iter().rev() {
                pending.push(extra);
            }
            first
        };
        match clauses.last_mut() {
            Some(last) if join_next && !negated && !last.negated => last.alts.push(item),
            _ => clauses.push(Clause { alts: vec![item], negated }),
        }
        while let Some(extra) = pending.pop() {
            clauses.push(Clause {
                alts: vec![extra],
                negated: false,
            });
        }
        join_next = false;
    }
    clauses.truncate(MAX_CLAUSES);
    // A query of exclusions alone finds nothing useful: treat them as words.
    if !clauses.is_empty() && clauses.iter().all(|c| c.negated) {
        for c in &mut clauses {
            c.negated = false;
        }
    }
    clauses
}

/// Builds tantivy queries for one audience's index.
pub struct Builder<'a> {
    index: &'a SearchIndex,
    lib: &'a Library,
    searcher: tantivy::Searcher,
    fields: Vec<(Field, f32)>,
}

impl<'a> Builder<'a> {
    pub fn new(index: &'a SearchIndex, lib: &'a Library) -> Builder<'a> {
        let f = index.fields;
        let fields = vec![(f.titel, 3.0), (f.samenvatting, 2.0), (f.meta, 1.5), (f.koppen, 1.5), (f.body, 1.0)];
        Builder {
            index,
            lib,
            searcher: index.reader.searcher(),
            fields,
        }
    }

    /// The analysed tokens of a text (stems, folded).
    pub fn tokens(&self, text: &str) -> Vec<String> {
        let mut analyzer = self.index.index.tokenizers().get(crate::index::NL).expect("analyzer registered");
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    /// In how many documents a token occurs, over all text fields.
    pub fn doc_freq(&self, token: &str) -> u64 {
        self.fields
            .iter()
            .map(|(f, _)| self.searcher.doc_freq(&Term::from_field_text(*f, token)).unwrap_or(0))
            .max()
            .unwrap_or(0)
    }

    /// The words or phrase as a query over every weighted field.
    fn text_query(&self, tokens: &[String]) -> Box<dyn Query> {
        if tokens.is_empty() {
            return Box::new(EmptyQuery);
        }
        let per_field: Vec<(Occur, Box<dyn Query>)> = self
            .fields
            .iter()
            .map(|(field, boost)| {
                let q: Box<dyn Query> = if tokens.len() == 1 {
                    Box::new(TermQuery::new(
                        Term::from_field_text(*field, &tokens[0]),
                        IndexRecordOption::WithFreqs,
                    ))
                } else {
                    Box::new(PhraseQuery::new(tokens.iter().map(|t| Term::from_field_text(*field, t)).collect()))
                };
                (Occur::Should, Box::new(BoostQuery::new(q, *boost)) as Box<dyn Query>)
            })
            .collect();
        Box::new(BooleanQuery::new(per_field))
    }

    /// The best split of a word into two parts that both occur in the index.
    pub fn split(&self, word: &str) -> Option<(String, String)> {
        let chars: Vec<char> = word.chars().collect();
        let mut best: Option<(u64, String, String)> = None;
        for cut in 3..chars.len().saturating_sub(2) {
            let head: String = chars[..cut].iter().collect();
            let tail: String = chars[cut..].iter().collect();
            for link in ["", "s", "en", "e"] {
                let Some(tail) = tail.strip_prefix(link) else { continue };
                if tail.chars().count() < 3 || (link.is_empty() && head.ends_with('-')) {
                    continue;
                }
                let (h, t) = (self.tokens(&head), self.tokens(tail));
                if h.len() != 1 || t.len() != 1 {
                    continue;
                }
                let score = self.doc_freq(&h[0]).min(self.doc_freq(&t[0]));
                // On a tie, prefer the reading without a linking letter (`drugs|criminaliteit`).
                if score > 0 && best.as_ref().is_none_or(|(b, _, _)| score > *b || (score == *b && link.is_empty())) {
                    best = Some((score, head.clone(), tail.to_string()));
                }
            }
        }
        best.map(|(_, h, t)| (h, t))
    }

    /// The compound of two words, if it occurs in the index (either order).
    pub fn join(&self, a: &str, b: &str) -> Option<String> {
        for (x, y) in [(a, b), (b, a)] {
            for link in ["", "s", "en", "e"] {
                let c = format!("{x}{link}{y}");
                let t = self.tokens(&c);
                if t.len() == 1 && self.doc_freq(&t[0]) > 0 {
                    return Some(c);
                }
            }
        }
        None
    }

    /// A word or phrase with all its alternatives.
    fn item_query(&self, item: &Item) -> Box<dyn Query> {
        let (surface, tokens) = match item {
            Item::Word(w) => (w.clone(), self.tokens(w)),
            Item::Phrase(ws) => (ws.join(" "), self.tokens(&ws.join(" "))),
        };
        let mut alts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, self.text_query(&tokens))];
        if self.index.plain {
            return alts.pop().expect("one").1;
        }
        if let Some(syns) = self.lib.synonyms.get(&surface) {
            for s in syns.iter().take(12) {
                alts.push((Occur::Should, Box::new(BoostQuery::new(self.text_query(&self.tokens(s)), 0.8))));
            }
        }
        if let (Item::Word(w), [token]) = (item, tokens.as_slice()) {
            // A rare word is also searched as its parts.
            if self.doc_freq(token) <= 1
                && let Some((h, t)) = self.split(w)
            {
                let parts: Vec<(Occur, Box<dyn Query>)> = vec![
                    (Occur::Must, self.text_query(&self.tokens(&h))),
                    (Occur::Must, self.text_query(&self.tokens(&t))),
                ];
                alts.push((Occur::Should, Box::new(BoostQuery::new(Box::new(BooleanQuery::new(parts)), 0.7))));
            }
        }
        if alts.len() == 1 {
            return alts.pop().expect("one").1;
        }
        Box::new(BooleanQuery::new(alts))
    }

    fn clause_query(&self, c: &Clause) -> Box<dyn Query> {
        if c.alts.len() == 1 {
            return self.item_query(&c.alts[0]);
        }
        Box::new(BooleanQuery::new(
            c.alts.iter().map(|a| (Occur::Should, self.item_query(a))).collect(),
        ))
    }

    /// The whole query: clauses required (`conjunction`) or optional, exclusions excluded.
    pub fn build(&self, clauses: &[Clause], conjunction: bool) -> Box<dyn Query> {
        let occur = if conjunction { Occur::Must } else { Occur::Should };
        let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut i = 0;
        while i < clauses.len() {
            let c = &clauses[i];
            if c.negated {
                parts.push((Occur::MustNot, self.clause_query(c)));
                i += 1;
                continue;
            }
            // Two adjacent words may also be written as one compound.
            if !self.index.plain
                && let (Some(Item::Word(a)), Some(next)) = (single_word(c), clauses.get(i + 1))
                && let (false, Some(Item::Word(b))) = (next.negated, single_word(next))
                && let Some(compound) = self.join(a, b)
            {
                let both: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, self.clause_query(c)), (Occur::Must, self.clause_query(next))];
                let alts: Vec<(Occur, Box<dyn Query>)> = vec![
                    (Occur::Should, Box::new(BooleanQuery::new(both))),
                    (Occur::Should, self.item_query(&Item::Word(compound))),
                ];
                parts.push((occur, Box::new(BooleanQuery::new(alts))));
                i += 2;
                continue;
            }
            parts.push((occur, self.clause_query(c)));
            i += 1;
        }
        if parts.iter().all(|(o, _)| *o == Occur::MustNot) {
            return Box::new(EmptyQuery);
        }
        Box::new(BooleanQuery::new(parts))
    }

    /// Corrects words that occur nowhere in this library; `None` when nothing changes.
    pub fn correct(&self, clauses: &[Clause]) -> Option<String> {
        let mut changed = false;
        let mut out = Vec::new();
        for c in clauses {
            let mut alts = Vec::new();
            for a in &c.alts {
                match a {
                    Item::Word(w) => {
                        let known = self.tokens(w).iter().any(|t| self.doc_freq(t) > 0) || self.lib.synonyms.contains_key(w);
                        match (known, self.lib.suggest(w)) {
                            (false, Some(s)) => {
                                changed = true;
                                alts.push(s.to_string());
                            }
                            _ => alts.push(w.clone()),
                        }
                    }
                    Item::Phrase(ws) => alts.push(format!("\"{}\"", ws.join(" "))),
                }
            }
            let text = alts.join(" OR ");
            out.push(if c.negated { format!("-{text}") } else { text });
        }
        changed.then(|| out.join(" "))
    }
}

fn single_word(c: &Clause) -> Option<&Item> {
    (c.alts.len() == 1 && matches!(c.alts[0], Item::Word(_))).then(|| &c.alts[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(c: &[Clause]) -> Vec<String> {
        c.iter()
            .map(|c| {
                let alts: Vec<String> = c
                    .alts
                    .iter()
                    .map(|a| match a {
                        Item::Word(w) => w.clone(),
                        Item::Phrase(p) => format!("\"{}\"", p.join(" ")),
                    })
                    .collect();
                format!("{}{}", if c.negated { "-" } else { "" }, alts.join("|"))
            })
            .collect()
    }

    #[test]
    fn parses_phrases_exclusions_and_or() {
        assert_eq!(
            words(&parse(r#"vastgoed "jonge aanwas" -horeca"#)),
            ["vastgoed", "\"jonge aanwas\"", "-horeca"]
        );
        assert_eq!(words(&parse("haven OR luchthaven smokkel")), ["haven|luchthaven", "smokkel"]);
        assert_eq!(words(&parse("Coöperatie publiek-private")), ["cooperatie", "\"publiek private\""]);
    }

    #[test]
    fn accepts_anything_a_user_types() {
        assert_eq!(words(&parse(r#""niet gesloten"#)), ["niet", "gesloten"]);
        assert_eq!(words(&parse("- -- OR \"\" ((( titel:x")), ["titel", "x"]);
        assert_eq!(words(&parse("-alleen")), ["alleen"], "only exclusions: treated as words");
        assert!(parse("").is_empty());
        assert!(parse(&"woord ".repeat(100)).len() <= MAX_CLAUSES);
    }

    fn ids(lib: &crate::Library, idx: &SearchIndex, q: &str) -> Vec<String> {
        let res = idx
            .search(
                lib,
                &crate::search::SearchRequest {
                    q: q.into(),
                    ..Default::default()
                },
            )
            .unwrap();
        let mut v: Vec<String> = res.hits.iter().map(|h| lib.dossiers[h.ord].slug.clone()).collect();
        v.sort();
        v
    }

    fn fixture() -> (crate::Library, SearchIndex) {
        let lib = crate::testkit::library(&[
            ("compound", "De drugscriminaliteit in de regio nam toe."),
            ("parts", "Drugs en criminaliteit, los van elkaar genoemd."),
            ("fraude", "Vastgoedfraude met panden."),
            ("kroeg", "Een horeca-ondernemer met een café aan de markt."),
            ("ander", "Iets heel anders over havens en douane."),
            ("criminaliteit", "Criminaliteit in het algemeen."),
        ]);
        let idx = SearchIndex::build_in_ram(&lib).unwrap();
        (lib, idx)
    }

    #[test]
    fn decompounds_with_linking_letters_and_never_into_fragments() {
        let (lib, idx) = fixture();
        let b = Builder::new(&idx, &lib);
        assert_eq!(b.split("drugscriminaliteit"), Some(("drugs".into(), "criminaliteit".into())));
        assert_eq!(b.split("anderszins"), None, "`zins` occurs nowhere: no split into fragments");
        assert_eq!(b.split("xyzabcqrs"), None);
        assert_eq!(b.join("fraude", "vastgoed").as_deref(), Some("vastgoedfraude"));
        assert_eq!(b.join("drugs", "criminaliteit").as_deref(), Some("drugscriminaliteit"));
        // Searching parts finds the compound, and the compound finds the parts.
        assert_eq!(ids(&lib, &idx, "drugs criminaliteit"), ["compound", "parts"]);
        assert_eq!(ids(&lib, &idx, "fraude vastgoed"), ["fraude"]);
    }

    #[test]
    fn expands_synonyms_and_abbreviations_at_query_time() {
        let (lib, idx) = fixture();
        // `kroeg` is a synonym in the horeca playbook; `café` occurs in the text.
        assert_eq!(ids(&lib, &idx, "kroeg"), ["kroeg"]);
        assert!(lib.synonyms.get("13b").is_some_and(|s| s.contains(&"damocles".to_string())));
    }

    #[test]
    fn corrects_typos_and_offers_the_correction() {
        let (lib, idx) = fixture();
        let res = idx
            .search(
                &lib,
                &crate::search::SearchRequest {
                    q: "criminaliteti".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(res.suggestion.as_deref(), Some("criminaliteit"));
        assert!(res.total >= 2);
        let b = Builder::new(&idx, &lib);
        assert_eq!(b.correct(&parse("douanne markt")).as_deref(), Some("douane markt"));
        assert_eq!(b.correct(&parse("douane")), None, "known words are left alone");
        assert_eq!(lib.suggest("vastgoedfruade"), Some("vastgoedfraude"), "two edits for long words");
    }
}
