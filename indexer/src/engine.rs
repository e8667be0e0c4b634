//! Loading everything a server or command needs in one step: read the
//! sources, validate them into a catalog, build a library per distinct
//! audience and open (or rebuild) its index. A `Loaded` value is immutable
//! apart from a cache of on-demand shelves; updates build a new one and
//! swap it in.

use crate::corpus::{Catalog, SourceSpec};
use crate::index::{IndexError, IndexStore, SearchIndex};
use crate::library::{Audience, Library, visible_set};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// One audience's documents and index.
pub struct Shelf {
    pub library: Library,
    pub index: SearchIndex,
}

/// Everything served, as of one load.
pub struct Loaded {
    pub catalog: Catalog,
    /// The public shelf (always built).
    pub public: Arc<Shelf>,
    /// Shelves by audience; audiences that see the same documents share one.
    shelves: Mutex<HashMap<Audience, Arc<Shelf>>>,
    /// Shelves by visible set, to share them between audiences.
    by_set: Mutex<HashMap<Vec<String>, Arc<Shelf>>>,
    pub loaded_at: SystemTime,
    /// Whether the indexes were rebuilt in this load (rather than reopened).
    pub rebuilt: bool,
}

impl Loaded {
    /// The shelf for an audience: built at load time for the standard audiences,
    /// or on first use (in memory) for other combinations of regions.
    pub fn shelf(&self, audience: &Audience) -> Result<Arc<Shelf>, IndexError> {
        if *audience == Audience::Public {
            return Ok(Arc::clone(&self.public));
        }
        if let Some(s) = self.shelves.lock().unwrap_or_else(|e| e.into_inner()).get(audience) {
            return Ok(Arc::clone(s));
        }
        let set = visible_set(&self.catalog, audience);
        let existing = self.by_set.lock().unwrap_or_else(|e| e.into_inner()).get(&set).cloned();
        let shelf = match existing {
            Some(s) => s,
            None => {
                let library = Library::new(&self.catalog, audience.clone());
                let index = SearchIndex::build_in_ram(&library)?;
                let s = Arc::new(Shelf { library, index });
                self.by_set.lock().unwrap_or_else(|e| e.into_inner()).insert(set, Arc::clone(&s));
                s
            }
        };
        self.shelves
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(audience.clone(), Arc::clone(&shelf));
        Ok(shelf)
    }

    /// The number of distinct shelves currently held.
    pub fn shelf_count(&self) -> usize {
        self.by_set.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// The audiences whose indexes are built on disk at every load: public,
/// network, LIEC, and each region that has `regio` documents.
pub fn standard_audiences(catalog: &Catalog) -> Vec<Audience> {
    let mut out = vec![Audience::Public, Audience::Network, Audience::Liec];
    let mut regions: Vec<&str> = catalog
        .dossiers
        .iter()
        .filter(|d| d.meta.toegang == crate::model::Toegang::Regio)
        .map(|d| d.meta.regio.as_str())
        .collect();
    regions.sort();
    regions.dedup();
    out.extend(regions.into_iter().map(|r| Audience::Regions(vec![r.to_string()])));
    out
}

/// A fingerprint of the sources' state, or `None` when a source has no commit.
pub fn fingerprint(catalog: &Catalog) -> Option<String> {
    let mut parts = Vec::new();
    for r in &catalog.reports {
        parts.push(format!("{}={}", r.name, r.commit.as_deref()?));
    }
    Some(parts.join(";"))
}

/// Reads the sources and opens or builds the indexes in `data_dir`.
pub fn load(specs: &[SourceSpec], data_dir: &Path) -> Result<Loaded, IndexError> {
    let catalog = Catalog::load(specs);
    assemble(catalog, data_dir)
}

/// Builds libraries and indexes for an already assembled catalog.
pub fn assemble(catalog: Catalog, data_dir: &Path) -> Result<Loaded, IndexError> {
    // One library per distinct visible set, named after the first audience that has it.
    let mut distinct: Vec<(Vec<String>, Vec<Audience>)> = Vec::new();
    for audience in standard_audiences(&catalog) {
        let set = visible_set(&catalog, &audience);
        match distinct.iter_mut().find(|(s, _)| *s == set) {
            Some((_, auds)) => auds.push(audience),
            None => distinct.push((set, vec![audience])),
        }
    }
    let libraries: Vec<Library> = distinct.iter().map(|(_, auds)| Library::new(&catalog, auds[0].clone())).collect();
    let store = IndexStore::new(data_dir);
    let refs: Vec<&Library> = libraries.iter().collect();
    let (indexes, rebuilt) = store.open_or_build(fingerprint(&catalog).as_deref(), &refs)?;
    let mut shelves = HashMap::new();
    let mut by_set = HashMap::new();
    let mut public = None;
    for ((library, index), (set, auds)) in libraries.into_iter().zip(indexes).zip(distinct) {
        let shelf = Arc::new(Shelf { library, index });
        for a in auds {
            if a == Audience::Public {
                public = Some(Arc::clone(&shelf));
            }
            shelves.insert(a, Arc::clone(&shelf));
        }
        by_set.insert(set, shelf);
    }
    Ok(Loaded {
        catalog,
        public: public.expect("the public audience is always standard"),
        shelves: Mutex::new(shelves),
        by_set: Mutex::new(by_set),
        loaded_at: SystemTime::now(),
        rebuilt,
    })
}

/// The fingerprint the sources would have if loaded now (cheap: resolves heads only).
pub fn head_fingerprint(specs: &[SourceSpec]) -> Option<String> {
    let mut parts = Vec::new();
    for s in specs {
        let crate::corpus::Location::Git { repo, branch, .. } = &s.location else {
            return None;
        };
        let repo = git2::Repository::open(repo).ok()?;
        let commit = crate::source::resolve_commit(&repo, branch)?;
        parts.push(format!("{}={}", s.name, commit.id()));
    }
    Some(parts.join(";"))
}
