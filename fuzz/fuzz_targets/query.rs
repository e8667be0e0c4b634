//! The search query language: anything a user types parses, into at most
//! `MAX_CLAUSES` clauses of non-empty words and phrases.
#![no_main]

use indexer::search::query::{self, Item, MAX_CLAUSES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let clauses = query::parse(&text);
    assert!(clauses.len() <= MAX_CLAUSES, "{} clauses", clauses.len());
    for c in &clauses {
        assert!(!c.alts.is_empty());
        for item in &c.alts {
            match item {
                Item::Word(w) => assert!(!w.is_empty()),
                Item::Phrase(ws) => assert!(ws.len() >= 2 && ws.iter().all(|w| !w.is_empty()), "{ws:?}"),
                Item::Abbreviation(w) => panic!("only the builder reads abbreviations: {w}"),
            }
        }
    }
    if !clauses.is_empty() {
        assert!(clauses.iter().any(|c| !c.negated), "a query of exclusions alone");
    }
});
