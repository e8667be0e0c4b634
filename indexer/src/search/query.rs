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
//!
//! Before expansion the builder *reads* the query as a colleague would
//! (`Builder::read`): Dutch function words (`hoe`, `een`, `het`, Snowball's
//! stop list) neither constrain nor match, and an abbreviation that is also a
//! function word (`om` for the Openbaar Ministerie) is read as the abbreviation
//! when it is typed in capitals (`OM`), is the only word, follows `het` or
//! ends the query; it then matches only the written acronym, its expansions
//! as phrases and the partner tag, never the word. Adjacent words also score
//! as a phrase (with as much slop as function words were dropped between
//! them), so an unquoted concept (`permanente bewoning`) ranks the documents
//! that hold it as a phrase first.

use super::SearchIndex;
use crate::library::Library;
use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

/// One unit of a query: a word or a quoted phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Word(String),
    Phrase(Vec<String>),
    /// An abbreviation that is also a function word (`om`), read as the
    /// abbreviation. Made by `Builder::read`, never by `parse`.
    Abbreviation(String),
}

/// A clause: alternatives joined by `OR`, or an exclusion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub alts: Vec<Item>,
    pub negated: bool,
    /// The clause is one word typed in capitals (`OM`).
    pub capitals: bool,
}

/// How many of a query's positive parts a document must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    All,
    /// Of three parts or more, the rarest and at least half of them (rounded
    /// up); of two, either. The first relaxation.
    Most,
    Any,
}

/// A clause as the builder reads it, with how many function words were
/// dropped right before it.
#[derive(Debug, Clone)]
struct Read {
    clause: Clause,
    gap: usize,
}

/// True when a piece of a query was typed in capitals: two letters or more, all capitals.
fn in_capitals(piece: &str) -> bool {
    piece.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !piece.chars().any(char::is_lowercase)
}

/// Most clauses a query may have; the rest is ignored.
pub const MAX_CLAUSES: usize = 32;

/// Parses user input; never fails.
pub fn parse(q: &str) -> Vec<Clause> {
    let mut clauses: Vec<Clause> = Vec::new();
    let mut join_next = false;
    let mut pending: Vec<(Item, bool)> = Vec::new();
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
        let mut capitals = false;
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
            let mut items: Vec<(Item, bool)> = raw
                .split(|c: char| !c.is_alphanumeric() && c != '-')
                .filter_map(|piece| {
                    let words: Vec<String> = crate::text::words(piece).collect();
                    match words.len() {
                        0 => None,
                        1 => Some((Item::Word(words[0].clone()), in_capitals(piece))),
                        _ => Some((Item::Phrase(words), false)),
                    }
                })
                .collect();
            if items.is_empty() {
                continue;
            }
            let (first, caps) = items.remove(0);
            capitals = caps;
            for extra in items.into_iter().rev() {
                pending.push(extra);
            }
            first
        };
        match clauses.last_mut() {
            Some(last) if join_next && !negated && !last.negated => {
                last.alts.push(item);
                last.capitals = false;
            }
            _ => clauses.push(Clause {
                alts: vec![item],
                negated,
                capitals,
            }),
        }
        while let Some((extra, capitals)) = pending.pop() {
            clauses.push(Clause {
                alts: vec![extra],
                negated: false,
                capitals,
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
    /// Every phrase (analysed tokens) the built queries search, for highlighting.
    phrases: std::cell::RefCell<Vec<Vec<String>>>,
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
            phrases: Default::default(),
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

    /// In how many documents (dossiers, playbooks, collections) a token occurs,
    /// over all text fields.
    pub fn doc_freq(&self, token: &str) -> u64 {
        self.fields
            .iter()
            .map(|(f, _)| {
                let term = Term::from_field_text(*f, token);
                self.searcher.doc_freq(&term).unwrap_or(0) + self.index.pages.doc_freq(&term)
            })
            .max()
            .unwrap_or(0)
    }

    /// The words or phrase as a query over every weighted field.
    fn text_query(&self, tokens: &[String]) -> Box<dyn Query> {
        self.phrase_query(tokens, 0)
    }

    /// The tokens as a phrase (one token: a term) over every weighted field,
    /// with `slop` other words allowed between them.
    fn phrase_query(&self, tokens: &[String], slop: u32) -> Box<dyn Query> {
        if tokens.is_empty() {
            return Box::new(EmptyQuery);
        }
        if tokens.len() > 1 && slop == 0 {
            let mut phrases = self.phrases.borrow_mut();
            if !phrases.iter().any(|p| p == tokens) {
                phrases.push(tokens.to_vec());
            }
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
                    let mut p = PhraseQuery::new(tokens.iter().map(|t| Term::from_field_text(*field, t)).collect());
                    p.set_slop(slop);
                    Box::new(p)
                };
                (Occur::Should, Box::new(BoostQuery::new(q, *boost)) as Box<dyn Query>)
            })
            .collect();
        Box::new(BooleanQuery::new(per_field))
    }

    /// The phrases (analysed tokens) the queries built so far search.
    pub fn phrases(&self) -> Vec<Vec<String>> {
        self.phrases.borrow().clone()
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

    /// True for an abbreviation of the vocabulary (a synonym or a partner slug)
    /// that is also a Dutch function word, like `om`.
    pub fn is_ambiguous(&self, word: &str) -> bool {
        crate::text::is_function_word(word) && (self.lib.synonyms.contains_key(word) || self.lib.vocab.partners.contains(word))
    }

    /// An abbreviation that is also a word: the written acronym, its expansions
    /// (as phrases) and the partner's name, never the word itself.
    fn abbreviation_query(&self, word: &str) -> Box<dyn Query> {
        let acronym = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(self.index.fields.afkortingen, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        let mut alts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, Box::new(BoostQuery::new(acronym(word), 2.0)))];
        for s in self.lib.synonyms.get(word).into_iter().flatten().take(12) {
            let q = if self.is_ambiguous(s) {
                acronym(s)
            } else {
                self.text_query(&self.tokens(s))
            };
            alts.push((Occur::Should, Box::new(BoostQuery::new(q, 0.8))));
        }
        if let Some(name) = self.lib.vocab.partners.get(word) {
            alts.push((Occur::Should, self.text_query(&self.tokens(name))));
        }
        Box::new(BooleanQuery::new(alts))
    }

    /// A word or phrase with all its alternatives.
    fn item_query(&self, item: &Item) -> Box<dyn Query> {
        let (surface, tokens) = match item {
            Item::Word(w) => (w.clone(), self.tokens(w)),
            Item::Phrase(ws) => (ws.join(" "), self.tokens(&ws.join(" "))),
            Item::Abbreviation(w) => return self.abbreviation_query(w),
        };
        let mut alts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, self.text_query(&tokens))];
        if self.index.plain {
            return alts.pop().expect("one").1;
        }
        if let Some(syns) = self.lib.synonyms.get(&surface) {
            for s in syns.iter().take(12) {
                // A synonym of several words is searched as that phrase (`text_query`);
                // one that is also a function word only as the acronym.
                let q = if self.is_ambiguous(s) {
                    self.abbreviation_query(s)
                } else {
                    self.text_query(&self.tokens(s))
                };
                alts.push((Occur::Should, Box::new(BoostQuery::new(q, 0.8))));
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

    /// Reads the typed clauses as a colleague would: function words are
    /// dropped, an abbreviation that is also a function word is kept as the
    /// abbreviation where it is meant as one (see the module documentation).
    /// A query of function words only is searched as typed.
    fn read(&self, clauses: &[Clause]) -> Vec<Read> {
        let as_typed = || clauses.iter().map(|c| Read { clause: c.clone(), gap: 0 }).collect();
        if self.index.plain {
            return as_typed();
        }
        let positive: Vec<usize> = (0..clauses.len()).filter(|&i| !clauses[i].negated).collect();
        let mut out = Vec::with_capacity(clauses.len());
        let mut gap = 0;
        for (i, c) in clauses.iter().enumerate() {
            if let (false, Some(Item::Word(w))) = (c.negated, single_word(c))
                && crate::text::is_function_word(w)
            {
                let previous = i.checked_sub(1).and_then(|p| single_word(&clauses[p]));
                let meant = c.capitals
                    || positive.len() == 1
                    || positive.last() == Some(&i)
                    || matches!(previous, Some(Item::Word(p)) if p == "het");
                if meant && self.is_ambiguous(w) {
                    out.push(Read {
                        clause: Clause {
                            alts: vec![Item::Abbreviation(w.clone())],
                            negated: false,
                            capitals: c.capitals,
                        },
                        gap,
                    });
                    gap = 0;
                } else {
                    gap += 1;
                }
                continue;
            }
            out.push(Read { clause: c.clone(), gap });
            gap = 0;
        }
        if out.iter().all(|r| r.clause.negated) {
            return as_typed();
        }
        out
    }

    /// How many positive parts the query has once read (a fallback to fewer
    /// required parts only makes sense for more than one).
    pub fn positive_parts(&self, clauses: &[Clause]) -> usize {
        self.read(clauses).iter().filter(|r| !r.clause.negated).count()
    }

    /// The whole query: positive clauses required as `mode` says, exclusions excluded.
    pub fn build(&self, clauses: &[Clause], mode: Mode) -> Box<dyn Query> {
        let read = self.read(clauses);
        let mut parts: Vec<Box<dyn Query>> = Vec::new();
        let mut excluded: Vec<Box<dyn Query>> = Vec::new();
        let mut i = 0;
        while i < read.len() {
            let c = &read[i].clause;
            if c.negated {
                excluded.push(self.clause_query(c));
                i += 1;
                continue;
            }
            // Two adjacent words may also be written as one compound.
            if !self.index.plain
                && let (Some(Item::Word(a)), Some(next)) = (single_word(c), read.get(i + 1))
                && read[i + 1].gap == 0
                && let (false, Some(Item::Word(b))) = (next.clause.negated, single_word(&next.clause))
                && let Some(compound) = self.join(a, b)
            {
                let both: Vec<(Occur, Box<dyn Query>)> =
                    vec![(Occur::Must, self.clause_query(c)), (Occur::Must, self.clause_query(&next.clause))];
                let alts: Vec<(Occur, Box<dyn Query>)> = vec![
                    (Occur::Should, Box::new(BooleanQuery::new(both))),
                    (Occur::Should, self.item_query(&Item::Word(compound))),
                ];
                parts.push(Box::new(BooleanQuery::new(alts)));
                i += 2;
                continue;
            }
            parts.push(self.clause_query(c));
            i += 1;
        }
        if parts.is_empty() {
            return Box::new(EmptyQuery);
        }
        let n = parts.len();
        let matching: Box<dyn Query> = match mode {
            Mode::All => Box::new(BooleanQuery::new(parts.into_iter().map(|q| (Occur::Must, q)).collect())),
            Mode::Most if n > 2 => {
                // The rarest part carries the meaning ("vakantiepark", not "pak"):
                // it is required, and so are at least half of the parts.
                let rarest = (0..n)
                    .min_by_key(|&i| self.searcher.search(&*parts[i], &tantivy::collector::Count).unwrap_or(usize::MAX))
                    .expect("three parts or more");
                let key = parts.remove(rarest);
                let others: Vec<(Occur, Box<dyn Query>)> = parts.into_iter().map(|q| (Occur::Should, q)).collect();
                let rest = BooleanQuery::with_minimum_required_clauses(others, n.div_ceil(2) - 1);
                Box::new(BooleanQuery::new(vec![(Occur::Must, key), (Occur::Must, Box::new(rest))]))
            }
            Mode::Most | Mode::Any => Box::new(BooleanQuery::with_minimum_required_clauses(
                parts.into_iter().map(|q| (Occur::Should, q)).collect(),
                1,
            )),
        };
        let mut top: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, matching)];
        top.extend(self.proximity(&read).into_iter().map(|q| (Occur::Should, q)));
        top.extend(excluded.into_iter().map(|q| (Occur::MustNot, q)));
        if top.len() == 1 {
            return top.pop().expect("one").1;
        }
        Box::new(BooleanQuery::new(top))
    }

    /// Adjacent words also scored as a phrase, with slop for the function
    /// words dropped between them: documents that hold `permanente bewoning`
    /// (or `officier van justitie` for `officier justitie`) rank first.
    fn proximity(&self, read: &[Read]) -> Vec<Box<dyn Query>> {
        if self.index.plain {
            return Vec::new();
        }
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        for pair in read.windows(2) {
            let (Some(Item::Word(a)), Some(Item::Word(b))) = (single_word(&pair[0].clause), single_word(&pair[1].clause)) else {
                continue;
            };
            if pair[0].clause.negated || pair[1].clause.negated {
                continue;
            }
            let (ta, tb) = (self.tokens(a), self.tokens(b));
            if let ([ta], [tb]) = (ta.as_slice(), tb.as_slice()) {
                let q = self.phrase_query(&[ta.clone(), tb.clone()], pair[1].gap as u32);
                out.push(Box::new(BoostQuery::new(q, 2.0)));
            }
        }
        out
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
                        // A known word is left alone: no suggestion is looked for.
                        match (!known).then(|| self.lib.suggest(w)).flatten() {
                            Some(s) => {
                                changed = true;
                                alts.push(s);
                            }
                            _ if c.capitals => alts.push(w.to_uppercase()),
                            _ => alts.push(w.clone()),
                        }
                    }
                    Item::Phrase(ws) => alts.push(format!("\"{}\"", ws.join(" "))),
                    Item::Abbreviation(w) => alts.push(w.clone()),
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
                        Item::Abbreviation(w) => format!("afk:{w}"),
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
        let mut v: Vec<String> = res
            .hits
            .iter()
            .filter(|h| h.kind == crate::search::pagedocs::HitKind::Dossier)
            .map(|h| lib.dossiers[h.ord].slug.clone())
            .collect();
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
        assert_eq!(b.correct(&parse("douabe markt")).as_deref(), Some("douane markt"));
        // A doubled letter is no typo to correct: it stems like the word (`undouble`).
        assert_eq!(b.correct(&parse("douanne")), None);
        assert_eq!(b.correct(&parse("douane")), None, "known words are left alone");
        assert_eq!(
            lib.suggest("vastgoedfruade").as_deref(),
            Some("vastgoedfraude"),
            "two edits for long words"
        );
    }
}
