//! Usage insight without personal data: anonymous readers' searches are
//! counted by their normalised text only (no address, no reader, no time);
//! signed-in readers' searches only as a number per kind of reader (netwerk,
//! regio, landelijk), never their text. The counts live in memory, are saved
//! to the server's store (`store.rs`) every `FLUSH_EVERY` and at shutdown, and
//! are read back at start, so they survive a restart (a crash loses at most
//! the last interval). LIEC readers see them on `/beheer/inzicht` as
//! aggregates with small counts suppressed, with suggested synonym groups for
//! the queries that found nothing: the input for curating `vocabulaire.yaml`.

use crate::auth::Reader;
use indexer::Audience;
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

/// Counts below this are never shown.
pub const MIN_COUNT: u64 = 3;
/// Most distinct queries remembered; a new one beyond it replaces the one
/// searched least (so a flood of one-off queries cannot freeze the counts).
const MAX_QUERIES: usize = 10_000;
/// How often changed counts are saved.
pub const FLUSH_EVERY: Duration = Duration::from_secs(30);

/// Normalised query → (searches, searches that found nothing as typed).
const QUERIES: TableDefinition<&str, (u64, u64)> = TableDefinition::new("zoekvragen");
/// Kind of signed-in reader → searches.
const SIGNED_IN: TableDefinition<&str, u64> = TableDefinition::new("zoekopdrachten_ingelogd");

#[derive(Default)]
struct Counts {
    queries: HashMap<String, (u64, u64)>,
    signed_in: BTreeMap<&'static str, u64>,
    /// Keys changed since the last save.
    changed: HashSet<String>,
    /// Keys dropped to make room since the last save.
    removed: HashSet<String>,
    signed_in_changed: bool,
}

/// Queries with their counts, most frequent first.
pub type Ranking = Vec<(String, u64)>;

/// The aggregate counts, and where they are saved (none in tests).
#[derive(Default)]
pub struct Insight {
    counts: Mutex<Counts>,
    db: Option<std::sync::Arc<redb::Database>>,
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
    /// The counts saved in `data_dir`. A store that cannot be read is moved
    /// aside (`.onleesbaar`) with a warning and a new one is started: insight
    /// never stops the server.
    pub fn open(data_dir: &std::path::Path) -> Insight {
        let opened = crate::store::open(data_dir).and_then(|db| {
            let counts = load(&db)?;
            Ok((db, counts))
        });
        let (db, counts) = match opened {
            Ok(ok) => ok,
            Err(e)
                if e.chain().any(|c| {
                    matches!(
                        c.downcast_ref::<redb::DatabaseError>(),
                        Some(redb::DatabaseError::DatabaseAlreadyOpen)
                    )
                }) =>
            {
                // Another process (a second server on the same data_dir) has it:
                // never touch its file.
                tracing::warn!("the insight store is in use by another process; counts are kept in memory only");
                return Insight::default();
            }
            Err(e) => {
                let file = crate::store::path(data_dir);
                // Never over an earlier unreadable file: each keeps its own name.
                let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
                let aside = file.with_extension(format!("redb.onleesbaar-{stamp}"));
                tracing::warn!(error = %format!("{e:#}"), moved_to = %aside.display(), "the insight store could not be read; starting a new one");
                let _ = std::fs::rename(&file, &aside);
                match crate::store::open(data_dir) {
                    Ok(db) => (db, Counts::default()),
                    Err(e) => {
                        tracing::error!(error = %format!("{e:#}"), "insight is kept in memory only");
                        return Insight::default();
                    }
                }
            }
        };
        Insight {
            counts: Mutex::new(counts),
            db: Some(std::sync::Arc::new(db)),
        }
    }

    /// The server's store, opened (and recovered if unreadable) here; shared
    /// with the email alerts. `None` when another process holds it.
    pub fn store(&self) -> Option<std::sync::Arc<redb::Database>> {
        self.db.clone()
    }

    /// Counts one search: an anonymous reader's by its text (`found_nothing`:
    /// nothing was found for the query as typed, even if a correction was
    /// shown), a signed-in reader's only as one more search of their kind.
    pub fn record(&self, reader: &Reader, q: &str, found_nothing: bool) {
        if q.trim().is_empty() {
            return;
        }
        let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(kind) = kind_of(&reader.audience) {
            *c.signed_in.entry(kind).or_insert(0) += 1;
            c.signed_in_changed = true;
            return;
        }
        let key = normalise(q);
        if !c.queries.contains_key(&key) && c.queries.len() >= MAX_QUERIES {
            let least = c.queries.iter().min_by_key(|(_, v)| v.0).map(|(k, _)| k.clone());
            if let Some(least) = least {
                c.queries.remove(&least);
                c.changed.remove(&least);
                c.removed.insert(least);
            }
        }
        c.removed.remove(&key);
        let e = c.queries.entry(key.clone()).or_insert((0, 0));
        e.0 += 1;
        if found_nothing {
            e.1 += 1;
        }
        c.changed.insert(key);
    }

    /// Saves what changed since the last save, in one transaction.
    pub fn flush(&self) -> anyhow::Result<()> {
        let Some(db) = &self.db else { return Ok(()) };
        let (queries, signed_in, removed) = {
            let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
            if c.changed.is_empty() && c.removed.is_empty() && !c.signed_in_changed {
                return Ok(());
            }
            let removed = std::mem::take(&mut c.removed);
            let changed = std::mem::take(&mut c.changed);
            let queries: Vec<(String, (u64, u64))> = changed.into_iter().filter_map(|k| c.queries.get(&k).map(|v| (k, *v))).collect();
            c.signed_in_changed = false;
            (queries, c.signed_in.clone(), removed)
        };
        let write = || -> anyhow::Result<()> {
            let txn = db.begin_write()?;
            {
                let mut t = txn.open_table(QUERIES)?;
                for k in &removed {
                    t.remove(k.as_str())?;
                }
                for (k, v) in &queries {
                    t.insert(k.as_str(), *v)?;
                }
                let mut t = txn.open_table(SIGNED_IN)?;
                for (k, v) in &signed_in {
                    t.insert(*k, *v)?;
                }
            }
            txn.commit()?;
            Ok(())
        };
        let result = write();
        if result.is_err() {
            // Not saved: the next save tries these again.
            let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
            c.changed.extend(queries.into_iter().map(|(k, _)| k));
            c.removed.extend(removed);
            c.signed_in_changed = true;
        }
        result
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

    /// Searches by signed-in readers per kind, each at least `MIN_COUNT`.
    pub fn signed_in(&self) -> Ranking {
        let c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        c.signed_in
            .iter()
            .filter(|(_, n)| **n >= MIN_COUNT)
            .map(|(k, n)| (k.to_string(), *n))
            .collect()
    }
}

/// The kind of a signed-in reader, as counted; `None` for anonymous readers.
fn kind_of(audience: &Audience) -> Option<&'static str> {
    match audience {
        Audience::Public => None,
        Audience::Network => Some("netwerk"),
        Audience::Regions(_) => Some("regio"),
        Audience::Liec => Some("landelijk"),
    }
}

/// Reads the saved counts.
fn load(db: &redb::Database) -> anyhow::Result<Counts> {
    let mut c = Counts::default();
    let txn = db.begin_read()?;
    match txn.open_table(QUERIES) {
        Ok(t) => {
            for entry in t.iter()? {
                let (k, v) = entry?;
                if c.queries.len() < MAX_QUERIES {
                    c.queries.insert(k.value().to_string(), v.value());
                }
            }
        }
        Err(redb::TableError::TableDoesNotExist(_)) => {}
        Err(e) => return Err(e.into()),
    }
    match txn.open_table(SIGNED_IN) {
        Ok(t) => {
            for entry in t.iter()? {
                let (k, v) = entry?;
                if let Some(kind) = ["netwerk", "regio", "landelijk"].into_iter().find(|x| *x == k.value()) {
                    c.signed_in.insert(kind, v.value());
                }
            }
        }
        Err(redb::TableError::TableDoesNotExist(_)) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_anonymous_texts_and_signed_in_kinds_and_suppresses_small_counts() {
        let i = Insight::default();
        let anon = Reader::anonymous();
        let signed = Reader {
            name: Some("x".into()),
            audience: Audience::Network,
            ..Reader::anonymous()
        };
        for _ in 0..3 {
            i.record(&anon, "  Vastgoed   Witwassen ", false);
            i.record(&anon, "xyzzy", true);
            i.record(&signed, "geheime zoekvraag", true);
        }
        i.record(&anon, "zeldzaam", true);
        let (frequent, empty) = i.top(10);
        assert_eq!(frequent, vec![("vastgoed witwassen".to_string(), 3), ("xyzzy".to_string(), 3)]);
        assert_eq!(empty, vec![("xyzzy".to_string(), 3)]);
        assert_eq!(i.signed_in(), vec![("netwerk".to_string(), 3)]);
    }

    #[test]
    fn a_flood_of_new_queries_replaces_the_least_searched_not_the_frequent() {
        let i = Insight::default();
        let anon = Reader::anonymous();
        for _ in 0..5 {
            i.record(&anon, "vastgoed", false);
        }
        for n in 0..MAX_QUERIES + 10 {
            i.record(&anon, &format!("eenmalig {n}"), true);
        }
        for _ in 0..3 {
            i.record(&anon, "nieuw na de vloed", true);
        }
        let (frequent, _) = i.top(3);
        assert_eq!(frequent[0], ("vastgoed".to_string(), 5), "{frequent:?}");
        assert!(
            frequent.iter().any(|(q, n)| q == "nieuw na de vloed" && *n == 3),
            "still counting: {frequent:?}"
        );
    }

    #[test]
    fn saved_counts_are_read_back_and_an_unreadable_store_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let anon = Reader::anonymous();
        {
            let i = Insight::open(dir.path());
            for _ in 0..3 {
                i.record(&anon, "drugslab", true);
            }
            i.flush().unwrap();
            i.record(&anon, "drugslab", false);
            i.flush().unwrap();
        }
        let i = Insight::open(dir.path());
        assert_eq!(i.top(5).0, vec![("drugslab".to_string(), 4)]);
        assert_eq!(i.top(5).1, vec![("drugslab".to_string(), 3)]);
        drop(i);
        std::fs::write(crate::store::path(dir.path()), b"geen database").unwrap();
        let i = Insight::open(dir.path());
        assert!(i.top(5).0.is_empty());
        assert!(
            std::fs::read_dir(dir.path()).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("tegenkracht.redb.onleesbaar-")),
            "the unreadable file is kept"
        );
        i.record(&anon, "x", false);
        i.flush().unwrap();
    }
}
