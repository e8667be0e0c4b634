//! Usage insight without personal data: anonymous readers' searches are
//! counted by their normalised text only (no address, no reader, no time),
//! in memory, and shown to LIEC readers on `/beheer/inzicht` as aggregates
//! with small counts suppressed, with suggested synonym groups for the
//! queries that found nothing: the input for curating `vocabulaire.yaml`.
//! Signed-in readers' searches are never counted.

use crate::auth::Reader;
use crate::error::{PageError, Problem};
use crate::pages::{render, view};
use crate::state::AppState;
use axum::Extension;
use axum::extract::State;
use axum::response::Html;
use indexer::Audience;
use minijinja::context;
use std::collections::HashMap;
use std::sync::Mutex;

/// Counts below this are never shown.
pub const MIN_COUNT: u64 = 3;
/// Most distinct queries remembered; beyond it new ones are not counted.
const MAX_QUERIES: usize = 10_000;

#[derive(Default)]
struct Counts {
    /// Normalised query → (searches, searches that found nothing).
    queries: HashMap<String, (u64, u64)>,
}

/// Queries with their counts, most frequent first.
pub type Ranking = Vec<(String, u64)>;

/// The aggregate counts.
#[derive(Default)]
pub struct Insight {
    counts: Mutex<Counts>,
}

/// Lowercase, folded, single spaces; at most 100 characters.
pub fn normalise(q: &str) -> String {
    indexer::text::fold(q)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(100)
        .collect()
}

impl Insight {
    /// Counts one search of an anonymous reader.
    pub fn record(&self, reader: &Reader, q: &str, total: usize) {
        if reader.is_signed_in() || q.trim().is_empty() {
            return;
        }
        let key = normalise(q);
        let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if !c.queries.contains_key(&key) && c.queries.len() >= MAX_QUERIES {
            return;
        }
        let e = c.queries.entry(key).or_insert((0, 0));
        e.0 += 1;
        if total == 0 {
            e.1 += 1;
        }
    }

    /// The most frequent queries and the most frequent ones without results,
    /// each seen at least `MIN_COUNT` times.
    pub fn top(&self, n: usize) -> (Ranking, Ranking) {
        let c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let mut frequent: Ranking = c
            .queries
            .iter()
            .filter(|(_, v)| v.0 >= MIN_COUNT)
            .map(|(k, v)| (k.clone(), v.0))
            .collect();
        let mut empty: Ranking = c
            .queries
            .iter()
            .filter(|(_, v)| v.1 >= MIN_COUNT)
            .map(|(k, v)| (k.clone(), v.1))
            .collect();
        for list in [&mut frequent, &mut empty] {
            list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            list.truncate(n);
        }
        (frequent, empty)
    }
}

/// `/beheer/inzicht`: for LIEC readers only; everyone else gets a 404.
pub async fn page(State(state): State<AppState>, Extension(reader): Extension<Reader>) -> Result<Html<String>, PageError> {
    if reader.audience != Audience::Liec {
        return Err(Problem::NotFound.into());
    }
    let v = view(&state, &reader)?;
    let lib = &v.shelf().library;
    let (frequent, empty) = state.insight.top(50);
    // For each query without results: a synonym group to consider, pairing it
    // with the closest word the knowledge base does know.
    let suggesties: Vec<minijinja::Value> = empty
        .iter()
        .filter_map(|(q, n)| {
            let words: Vec<&str> = q.split(' ').collect();
            let known: Vec<String> = words.iter().filter_map(|w| lib.suggest(w).map(str::to_string)).collect();
            (!known.is_empty()).then(|| context! { query => q, aantal => n, groep => format!("[\"{q}\", \"{}\"]", known.join(" ")) })
        })
        .collect();
    render(
        &state,
        "inzicht.html",
        context! { frequent, empty, suggesties, minimum => MIN_COUNT },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_only_anonymous_searches_and_suppresses_small_counts() {
        let i = Insight::default();
        let anon = Reader::anonymous();
        let signed = Reader {
            name: Some("x".into()),
            audience: Audience::Network,
        };
        for _ in 0..3 {
            i.record(&anon, "  Vastgoed   Witwassen ", 5);
            i.record(&anon, "xyzzy", 0);
            i.record(&signed, "geheime zoekvraag", 0);
        }
        i.record(&anon, "zeldzaam", 0);
        let (frequent, empty) = i.top(10);
        assert_eq!(frequent, vec![("vastgoed witwassen".to_string(), 3), ("xyzzy".to_string(), 3)]);
        assert_eq!(empty, vec![("xyzzy".to_string(), 3)]);
    }
}
