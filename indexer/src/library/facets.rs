//! The facet table of one library: every dossier's facet values as small
//! integer ids, its date key, its ranking prior and its `gerelateerd` links as
//! ordinals, laid out so a search can filter and count facets (and similar
//! initiatives compare metadata) over thousands of dossiers with array lookups
//! instead of string comparisons and hashing.

use crate::model::{Dossier, Status};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The facets of the search API, in display order.
pub const FACETS: [&str; 6] = ["regio", "thema", "type", "partner", "instrument", "status"];

/// Positions of some facets in `FACETS`.
pub const REGIO: usize = 0;
pub const THEMA: usize = 1;
pub const PARTNER: usize = 3;
pub const INSTRUMENT: usize = 4;

/// The values of a facet for a dossier.
pub fn facet_values<'a>(d: &'a Dossier, facet: &str) -> Vec<&'a str> {
    match facet {
        "regio" => vec![d.meta.regio.as_str()],
        "thema" => d.meta.themas.iter().map(String::as_str).collect(),
        "type" => vec![d.meta.kind.as_str()],
        "partner" => d.meta.partners.iter().map(String::as_str).collect(),
        "instrument" => d.meta.instrumenten.iter().map(String::as_str).collect(),
        "status" => d.meta.status.map(|s| s.as_str()).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// One facet: its distinct values and, per dossier ordinal, the ids of its values.
#[derive(Debug, Clone, Default)]
struct Column {
    names: Vec<String>,
    ids: HashMap<String, u32>,
    /// `values[starts[ord]..starts[ord + 1]]` are the value ids of dossier `ord`.
    starts: Vec<u32>,
    values: Vec<u32>,
    /// Per value id, how many dossiers have it.
    totals: Vec<u32>,
}

impl Column {
    fn of(&self, ord: usize) -> &[u32] {
        &self.values[self.starts[ord] as usize..self.starts[ord + 1] as usize]
    }
}

/// Facet ids, dates and priors of a library's dossiers, by ordinal.
#[derive(Debug, Clone)]
pub struct FacetTable {
    columns: [Column; FACETS.len()],
    /// `Dossier::date_key` per ordinal.
    pub dates: Vec<u32>,
    /// Ranking prior per ordinal (see `prior`).
    pub priors: Vec<f32>,
    /// Per ordinal: the ordinals it is linked with by `gerelateerd`, either way, sorted.
    links: Vec<Vec<u32>>,
}

/// The filters of a request, resolved to value ids: per facet, which ids pass
/// (`None`: the facet is not filtered).
pub struct Filters {
    wanted: [Option<Vec<bool>>; FACETS.len()],
}

/// Facet counts of one search, before they are named.
pub struct Counts {
    counts: [Vec<u32>; FACETS.len()],
}

impl FacetTable {
    pub fn new(dossiers: &[Arc<Dossier>]) -> FacetTable {
        let mut columns: [Column; FACETS.len()] = Default::default();
        for (facet, col) in FACETS.iter().zip(columns.iter_mut()) {
            col.starts.reserve(dossiers.len() + 1);
            col.starts.push(0);
            for d in dossiers {
                for v in facet_values(d, facet) {
                    let next = col.names.len() as u32;
                    let id = *col.ids.entry(v.to_string()).or_insert(next);
                    if id == next {
                        col.names.push(v.to_string());
                        col.totals.push(0);
                    }
                    col.totals[id as usize] += 1;
                    col.values.push(id);
                }
                col.starts.push(col.values.len() as u32);
            }
        }
        let dates: Vec<u32> = dossiers.iter().map(|d| d.date_key()).collect();
        let newest = dates.iter().copied().max().unwrap_or(0);
        let priors = dossiers.iter().zip(&dates).map(|(d, &date)| prior(d, date, newest)).collect();
        let by_id: HashMap<&str, u32> = dossiers.iter().enumerate().map(|(i, d)| (d.id.as_str(), i as u32)).collect();
        let mut links: Vec<Vec<u32>> = vec![Vec::new(); dossiers.len()];
        for (i, d) in dossiers.iter().enumerate() {
            for target in d.meta.gerelateerd.iter().filter_map(|g| by_id.get(g.as_str())) {
                links[i].push(*target);
                links[*target as usize].push(i as u32);
            }
        }
        for l in &mut links {
            l.sort_unstable();
            l.dedup();
        }
        FacetTable {
            columns,
            dates,
            priors,
            links,
        }
    }

    /// Resolves a request's filters (facet name → accepted values). A value no
    /// dossier has matches nothing; an unknown facet name matches nothing either.
    pub fn filters(&self, filters: &BTreeMap<String, Vec<String>>) -> Filters {
        let mut wanted: [Option<Vec<bool>>; FACETS.len()] = Default::default();
        for (facet, values) in filters {
            if values.is_empty() {
                continue;
            }
            match FACETS.iter().position(|f| f == facet) {
                Some(i) => {
                    let col = &self.columns[i];
                    let slot = wanted[i].get_or_insert_with(|| vec![false; col.names.len()]);
                    for v in values {
                        if let Some(&id) = col.ids.get(v) {
                            slot[id as usize] = true;
                        }
                    }
                }
                // Nothing has a value for a facet that does not exist.
                None => {
                    return Filters {
                        wanted: std::array::from_fn(|_| Some(Vec::new())),
                    };
                }
            }
        }
        Filters { wanted }
    }

    /// A bit per facet whose filter dossier `ord` fails (0: it passes every filter).
    pub fn failures(&self, filters: &Filters, ord: usize) -> u32 {
        let mut failed = 0;
        for (i, wanted) in filters.wanted.iter().enumerate() {
            if let Some(wanted) = wanted
                && !self.columns[i]
                    .of(ord)
                    .iter()
                    .any(|&id| wanted.get(id as usize).copied().unwrap_or(false))
            {
                failed |= 1 << i;
            }
        }
        failed
    }

    /// Whether dossiers `a` and `b` are linked by `gerelateerd` (either way).
    pub fn linked(&self, a: usize, b: usize) -> bool {
        self.links[a].binary_search(&(b as u32)).is_ok()
    }

    /// The share of the library's dossiers that have `value` for facet number `facet`.
    pub fn share(&self, facet: usize, value: &str) -> f32 {
        let col = &self.columns[facet];
        let n = col.ids.get(value).map_or(0, |&id| col.totals[id as usize]);
        n as f32 / (self.dates.len().max(1)) as f32
    }

    /// The value ids of dossier `ord` for facet number `facet` (an index into `FACETS`).
    pub fn ids(&self, facet: usize, ord: usize) -> &[u32] {
        self.columns[facet].of(ord)
    }

    pub fn counts(&self) -> Counts {
        Counts {
            counts: std::array::from_fn(|i| vec![0; self.columns[i].names.len()]),
        }
    }

    /// Counts dossier `ord` in every facet whose count it belongs to: a facet is
    /// counted without its own filter, so a reader can widen a choice.
    pub fn count(&self, counts: &mut Counts, ord: usize, failed: u32) {
        for (i, col) in self.columns.iter().enumerate() {
            if failed & !(1 << i) == 0 {
                for &id in col.of(ord) {
                    counts.counts[i][id as usize] += 1;
                }
            }
        }
    }

    /// The counts by facet and value name (values with a count of zero left out).
    pub fn named(&self, counts: Counts) -> BTreeMap<String, BTreeMap<String, usize>> {
        FACETS
            .iter()
            .zip(self.columns.iter().zip(counts.counts))
            .map(|(facet, (col, counts))| {
                let named = counts
                    .into_iter()
                    .enumerate()
                    .filter(|&(_, n)| n > 0)
                    .map(|(id, n)| (col.names[id].clone(), n as usize))
                    .collect();
                (facet.to_string(), named)
            })
            .collect()
    }
}

/// The ranking prior of a dossier: up to +5% for recency (linear over about two
/// years) and +5% for a finished (`afgerond`) dossier with lessons.
fn prior(d: &Dossier, date: u32, newest: u32) -> f32 {
    let age = newest.saturating_sub(date) as f32;
    let recent = 0.05 * (1.0 - (age / 800.0).min(1.0));
    let done = if d.meta.status == Some(Status::Afgerond) && d.meta.details.lessons() > 0 {
        0.05
    } else {
        0.0
    };
    recent + done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Library;

    fn starter() -> Library {
        crate::testkit::starter(crate::Audience::Liec)
    }

    /// The counts as the search API defines them, computed the slow way.
    fn naive(lib: &Library, filters: &BTreeMap<String, Vec<String>>) -> (Vec<usize>, BTreeMap<String, BTreeMap<String, usize>>) {
        let passes = |d: &Dossier, skip: Option<&str>| {
            filters.iter().all(|(facet, wanted)| {
                Some(facet.as_str()) == skip || wanted.is_empty() || facet_values(d, facet).iter().any(|v| wanted.contains(&v.to_string()))
            })
        };
        let mut counts: BTreeMap<String, BTreeMap<String, usize>> = FACETS.iter().map(|f| (f.to_string(), BTreeMap::new())).collect();
        let mut hits = Vec::new();
        for (ord, d) in lib.dossiers.iter().enumerate() {
            for facet in FACETS {
                if passes(d, Some(facet)) {
                    for v in facet_values(d, facet) {
                        *counts.get_mut(facet).unwrap().entry(v.to_string()).or_default() += 1;
                    }
                }
            }
            if passes(d, None) {
                hits.push(ord);
            }
        }
        (hits, counts)
    }

    #[test]
    fn table_counts_and_filters_equal_the_definition() {
        let lib = starter();
        assert!(lib.dossiers.len() > 20, "the starter content has dossiers");
        let table = FacetTable::new(&lib.dossiers);
        let f = |pairs: &[(&str, &[&str])]| -> BTreeMap<String, Vec<String>> {
            pairs
                .iter()
                .map(|(k, vs)| (k.to_string(), vs.iter().map(|v| v.to_string()).collect()))
                .collect()
        };
        let cases = [
            f(&[]),
            f(&[("thema", &["horeca"])]),
            f(&[("thema", &["horeca", "vastgoed"]), ("type", &["praktijk"])]),
            f(&[
                ("regio", &["limburg", "rotterdam"]),
                ("status", &["afgerond"]),
                ("partner", &["politie"]),
            ]),
            f(&[("thema", &["bestaat-niet"])]),
            f(&[("onbekend", &["x"])]),
            f(&[("thema", &[])]),
        ];
        for filters in cases {
            let (want_hits, want_counts) = naive(&lib, &filters);
            let resolved = table.filters(&filters);
            let mut counts = table.counts();
            let mut hits = Vec::new();
            for ord in 0..lib.dossiers.len() {
                let failed = table.failures(&resolved, ord);
                table.count(&mut counts, ord, failed);
                if failed == 0 {
                    hits.push(ord);
                }
            }
            assert_eq!(hits, want_hits, "{filters:?}");
            assert_eq!(table.named(counts), want_counts, "{filters:?}");
        }
        let filtered = naive(&lib, &f(&[("thema", &["horeca"])])).0.len();
        assert!(filtered > 0 && filtered < lib.dossiers.len(), "the cases exercise real filtering");
    }

    #[test]
    fn links_go_both_ways_and_only_where_gerelateerd_says() {
        let lib = starter();
        let table = FacetTable::new(&lib.dossiers);
        let mut n = 0;
        for (a, da) in lib.dossiers.iter().enumerate() {
            for (b, db) in lib.dossiers.iter().enumerate() {
                let want = da.meta.gerelateerd.contains(&db.id) || db.meta.gerelateerd.contains(&da.id);
                assert_eq!(table.linked(a, b), want, "{} {}", da.id, db.id);
                n += usize::from(want);
            }
        }
        assert!(n > 0, "the starter content links dossiers");
    }

    #[test]
    fn dates_and_priors_follow_the_dossiers() {
        let lib = starter();
        let table = FacetTable::new(&lib.dossiers);
        for (ord, d) in lib.dossiers.iter().enumerate() {
            assert_eq!(table.dates[ord], d.date_key());
            assert!((0.0..=0.1).contains(&table.priors[ord]));
        }
        let newest = (0..lib.dossiers.len()).max_by_key(|&o| table.dates[o]).unwrap();
        assert!(table.priors[newest] >= 0.05, "the newest dossier gets the full recency bonus");
        // A finished dossier with lessons gets the other 5%.
        let mut done = (*lib.dossiers[0]).clone();
        let meta = Arc::make_mut(&mut done.meta);
        meta.status = Some(Status::Afgerond);
        let mut details = meta.details();
        details.lessen = vec![crate::model::Les {
            uitdaging: "x".into(),
            les: "y".into(),
        }];
        meta.details = crate::model::Details::new(&details);
        let oldest = table.dates.iter().copied().min().unwrap();
        assert_eq!(prior(&lib.dossiers[0], oldest, oldest + 10_000), 0.0);
        assert_eq!(prior(&done, oldest, oldest + 10_000), 0.05);
    }
}
