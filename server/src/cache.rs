//! A bounded cache of search results, keyed by the content generation, the
//! reader's audience and the whole request. An entry is only ever returned
//! for the same audience and the same load of the content it was computed
//! from, so it cannot leak across audiences or outlive an update; a new load
//! empties it.

use indexer::Audience;
use indexer::search::{SearchRequest, SearchResults};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    generation: u64,
    audience: Audience,
    request: SearchRequest,
}

struct Entry {
    results: Arc<SearchResults>,
    used: u64,
}

/// The cache; `capacity` 0 turns it off.
pub struct SearchCache {
    capacity: usize,
    entries: Mutex<HashMap<Key, Entry>>,
    clock: AtomicU64,
    /// The newest generation whose results were put (changed under the lock).
    newest: AtomicU64,
    pub hits: AtomicU64,
    pub misses: AtomicU64,
}

impl SearchCache {
    pub fn new(capacity: usize) -> SearchCache {
        SearchCache {
            capacity,
            entries: Mutex::new(HashMap::new()),
            clock: AtomicU64::new(0),
            newest: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The cached results of `request` for `audience` in content `generation`.
    pub fn get(&self, generation: u64, audience: &Audience, request: &SearchRequest) -> Option<Arc<SearchResults>> {
        if self.capacity == 0 {
            return None;
        }
        let key = Key {
            generation,
            audience: audience.clone(),
            request: request.clone(),
        };
        let now = self.clock.fetch_add(1, Ordering::Relaxed);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get_mut(&key) {
            Some(e) => {
                e.used = now;
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(Arc::clone(&e.results))
            }
            None => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Remembers results; when full, the least recently used eighth is dropped.
    pub fn put(&self, generation: u64, audience: &Audience, request: &SearchRequest, results: Arc<SearchResults>) {
        if self.capacity == 0 {
            return;
        }
        let now = self.clock.fetch_add(1, Ordering::Relaxed);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        // Results of an older load that finished after an update are not kept; the
        // first results of a newer load drop everything older.
        let newest = self.newest.load(Ordering::Relaxed);
        if generation < newest {
            return;
        }
        if generation > newest {
            entries.clear();
            self.newest.store(generation, Ordering::Relaxed);
        }
        if entries.len() >= self.capacity {
            let mut ages: Vec<u64> = entries.values().map(|e| e.used).collect();
            let cut = (self.capacity / 8).max(1).min(ages.len() - 1);
            let (_, oldest, _) = ages.select_nth_unstable(cut);
            let oldest = *oldest;
            entries.retain(|_, e| e.used > oldest);
        }
        entries.insert(
            Key {
                generation,
                audience: audience.clone(),
                request: request.clone(),
            },
            Entry { results, used: now },
        );
    }

    /// Forgets everything: content `generation` is now served, so results of
    /// older ones still being computed are not kept when they finish.
    pub fn clear_for(&self, generation: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.clear();
        self.newest.fetch_max(generation, Ordering::Relaxed);
    }

    /// The cache's counters for `/metrics`: (name, help, value).
    pub fn counters(&self) -> [(&'static str, &'static str, u64); 2] {
        [
            (
                "tegenkracht_search_cache_hits_total",
                "Searches answered from the result cache.",
                self.hits.load(Ordering::Relaxed),
            ),
            (
                "tegenkracht_search_cache_misses_total",
                "Searches not in the result cache.",
                self.misses.load(Ordering::Relaxed),
            ),
        ]
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(total: usize) -> Arc<SearchResults> {
        Arc::new(SearchResults {
            total,
            hits: Vec::new(),
            facets: Default::default(),
            suggestion: None,
            replaced: false,
            best_bet: None,
        })
    }

    fn req(q: &str) -> SearchRequest {
        SearchRequest {
            q: q.into(),
            ..Default::default()
        }
    }

    #[test]
    fn entries_are_per_audience_and_generation() {
        let c = SearchCache::new(16);
        let limburg = Audience::Regions(vec!["limburg".into()]);
        c.put(1, &limburg, &req("horeca"), results(7));
        assert_eq!(c.get(1, &limburg, &req("horeca")).unwrap().total, 7);
        assert!(c.get(1, &Audience::Public, &req("horeca")).is_none(), "never across audiences");
        assert!(c.get(1, &Audience::Network, &req("horeca")).is_none());
        assert!(c.get(2, &limburg, &req("horeca")).is_none(), "never across loads");
        assert!(c.get(1, &limburg, &req("vastgoed")).is_none());
        let mut paged = req("horeca");
        paged.page = 2;
        assert!(c.get(1, &limburg, &paged).is_none(), "the whole request is the key");
        c.clear_for(2);
        assert!(c.get(1, &limburg, &req("horeca")).is_none());
        // A search of the old load that finishes after the swap is not kept.
        c.put(1, &limburg, &req("laat"), results(3));
        assert!(c.get(1, &limburg, &req("laat")).is_none());
        assert_eq!(c.hits.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn stays_within_capacity_and_keeps_what_is_used() {
        let c = SearchCache::new(16);
        c.put(1, &Audience::Public, &req("vaak"), results(1));
        for i in 0..100 {
            c.put(1, &Audience::Public, &req(&format!("q{i}")), results(i));
            assert!(c.get(1, &Audience::Public, &req("vaak")).is_some(), "a hot entry stays");
            assert!(c.len() <= 16);
        }
        // An older load's results never enter once a newer one is cached.
        c.put(2, &Audience::Public, &req("nieuw"), results(1));
        c.put(1, &Audience::Public, &req("oud"), results(1));
        assert!(c.get(1, &Audience::Public, &req("oud")).is_none());
        let off = SearchCache::new(0);
        off.put(1, &Audience::Public, &req("x"), results(1));
        assert!(off.get(1, &Audience::Public, &req("x")).is_none());
    }
}
