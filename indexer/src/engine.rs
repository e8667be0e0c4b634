//! Loading everything a server or command needs in one step: read the
//! sources, validate them into a catalog, build a library per distinct
//! audience and open (or rebuild) its index. A `Loaded` value is immutable
//! apart from caches filled on first use (on-demand shelves, a library's key
//! terms and suggestion table); updates build a new one, from the engine's
//! per-file cache and its previous shelves, and swap it in.

use crate::corpus::{Catalog, Location, RenderCache, SourceSpec};
use crate::index::{IndexError, IndexStore, SearchIndex, SyncStats};
use crate::library::{Audience, Library, visible_set};
use crate::mirror;
use crate::source::{Snapshot, SourceError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
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
    by_set: Mutex<HashMap<Vec<u64>, Arc<Shelf>>>,
    pub loaded_at: SystemTime,
    /// What this load wrote to the indexes (all audiences).
    pub stats: SyncStats,
    /// Markdown files rendered in this load (the others were unchanged).
    pub rendered: usize,
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

/// A fingerprint of the sources' state (`-` for a source without a commit).
pub fn fingerprint(catalog: &Catalog) -> Option<String> {
    let parts: Vec<String> = catalog
        .reports
        .iter()
        .map(|r| format!("{}={}", r.name, r.commit.as_deref().unwrap_or("-")))
        .collect();
    Some(parts.join(";"))
}

/// Reads the sources once (fetching git sources into mirrors) and opens the indexes.
pub fn load(specs: &[SourceSpec], data_dir: &Path) -> Result<Loaded, IndexError> {
    let mut engine = Engine::new(specs.to_vec(), data_dir);
    engine.fetch(None);
    engine.update()
}

/// The stateful loader a server keeps: mirrors, the last good snapshot of
/// each source, renderings of unchanged files and the on-disk indexes.
/// All of it blocks: run it off the async workers.
pub struct Engine {
    specs: Vec<SourceSpec>,
    data_dir: PathBuf,
    store: IndexStore,
    snapshots: HashMap<String, Snapshot>,
    cache: RenderCache,
    fetch_errors: HashMap<String, String>,
    /// The shelves of the last update by index key: the next update corrects
    /// their statistics and index hashes instead of recomputing them.
    shelves: HashMap<String, Arc<Shelf>>,
}

impl Engine {
    pub fn new(specs: Vec<SourceSpec>, data_dir: &Path) -> Engine {
        Engine {
            specs,
            data_dir: data_dir.to_path_buf(),
            store: IndexStore::new(data_dir),
            snapshots: HashMap::new(),
            cache: RenderCache::default(),
            fetch_errors: HashMap::new(),
            shelves: HashMap::new(),
        }
    }

    pub fn specs(&self) -> &[SourceSpec] {
        &self.specs
    }

    /// The sources whose last fetch failed, with the reason.
    pub fn fetch_errors(&self) -> &HashMap<String, String> {
        &self.fetch_errors
    }

    /// Fetches the named git sources (all when `None`) into their mirrors.
    /// A failure is remembered and reported; the mirror keeps its last good refs.
    pub fn fetch(&mut self, which: Option<&[String]>) {
        for spec in &self.specs {
            if which.is_some_and(|w| !w.contains(&spec.name)) {
                continue;
            }
            let Location::Git { repo, .. } = &spec.location else { continue };
            let started = std::time::Instant::now();
            let fetched = mirror::fetch(&self.data_dir, &spec.name, &repo.to_string_lossy());
            tracing::debug!(source = %spec.name, ms = started.elapsed().as_millis() as u64, "fetched");
            match fetched {
                Ok(_) => {
                    self.fetch_errors.remove(&spec.name);
                }
                Err(e) => {
                    tracing::warn!(source = %spec.name, error = %e, "fetch failed; serving the last good commit");
                    self.fetch_errors.insert(spec.name.clone(), e.to_string());
                }
            }
        }
    }

    /// The commits the mirrors are at now, as a fingerprint (cheap).
    pub fn heads(&self) -> Option<String> {
        let mut parts = Vec::new();
        for s in &self.specs {
            // Folders have no commit: they are always re-read.
            let Location::Git { branch, .. } = &s.location else { return None };
            let commit = git2::Repository::open_bare(mirror::mirror_path(&self.data_dir, &s.name))
                .ok()
                .and_then(|repo| crate::source::resolve_commit(&repo, branch).map(|c| c.id().to_string()))
                .unwrap_or_else(|| "-".into());
            parts.push(format!("{}={commit}", s.name));
        }
        Some(parts.join(";"))
    }

    /// Reads every source from its mirror (reusing unchanged files), validates,
    /// and brings every audience's index in step.
    pub fn update(&mut self) -> Result<Loaded, IndexError> {
        let started = std::time::Instant::now();
        let catalog = self.read_catalog();
        tracing::debug!(ms = started.elapsed().as_millis() as u64, "sources read and validated");
        let rendered = self.cache.rendered;
        let (mut loaded, shelves) = assemble_after(catalog, &self.store, &self.shelves)?;
        self.shelves = shelves;
        loaded.rendered = rendered;
        Ok(loaded)
    }

    /// Reads and validates every source, without touching the indexes.
    pub fn read_catalog(&mut self) -> Catalog {
        let mut sources = Vec::new();
        for spec in &self.specs {
            let read = match &spec.location {
                Location::Git { branch, root, .. } => {
                    let path = mirror::mirror_path(&self.data_dir, &spec.name);
                    read_mirror(&path, branch, root, self.snapshots.get(&spec.name))
                }
                Location::Dir(dir) => crate::source::read_dir(dir),
            };
            let read = match read {
                Ok(snap) => {
                    self.snapshots.insert(spec.name.clone(), snap.clone());
                    Ok(snap)
                }
                // Keep serving the last good state of this source.
                Err(e) => match self.snapshots.get(&spec.name) {
                    Some(prev) => {
                        self.fetch_errors.entry(spec.name.clone()).or_insert_with(|| e.to_string());
                        Ok(prev.clone())
                    }
                    None => Err(e),
                },
            };
            sources.push((spec.clone(), read));
        }
        let mut catalog = Catalog::assemble_cached(sources, &mut self.cache);
        for r in &mut catalog.reports {
            r.fetch_error = self.fetch_errors.get(&r.name).cloned();
        }
        catalog
    }
}

fn read_mirror(path: &Path, branch: &str, root: &str, prev: Option<&Snapshot>) -> Result<Snapshot, SourceError> {
    let repo = git2::Repository::open_bare(path).map_err(|source| SourceError::Open { path: path.into(), source })?;
    let commit = crate::source::resolve_commit(&repo, branch).ok_or_else(|| SourceError::Branch {
        path: path.into(),
        branch: branch.into(),
    })?;
    crate::source::read_git_commit(&repo, &commit, root, prev)
}

/// Builds libraries for an assembled catalog and brings their indexes in step.
pub fn assemble(catalog: Catalog, store: &IndexStore) -> Result<Loaded, IndexError> {
    assemble_after(catalog, store, &HashMap::new()).map(|(loaded, _)| loaded)
}

/// Like `assemble`, starting from the shelves of the previous load by index key
/// (a library's statistics are corrected by the dossiers that changed, see
/// `Library::update`). Returns the new shelves by index key as well.
fn assemble_after(
    catalog: Catalog,
    store: &IndexStore,
    prev: &HashMap<String, Arc<Shelf>>,
) -> Result<(Loaded, HashMap<String, Arc<Shelf>>), IndexError> {
    // One library per distinct visible set, named after the first audience that has it.
    let mut distinct: Vec<(Vec<u64>, Vec<Audience>)> = Vec::new();
    for audience in standard_audiences(&catalog) {
        let set = visible_set(&catalog, &audience);
        match distinct.iter_mut().find(|(s, _)| *s == set) {
            Some((_, auds)) => auds.push(audience),
            None => distinct.push((set, vec![audience])),
        }
    }
    let started = std::time::Instant::now();
    let keys: Vec<String> = distinct.iter().map(|(_, auds)| auds[0].key()).collect();
    // A library is updated only from the previous library of its own index (its
    // own audience's documents); the counts it ends with are its own either way.
    let libraries: Vec<Library> = distinct
        .iter()
        .zip(&keys)
        .map(|((_, auds), key)| match prev.get(key) {
            Some(p) => Library::update(&catalog, auds[0].clone(), &p.library),
            None => Library::new(&catalog, auds[0].clone()),
        })
        .collect();
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        libraries = libraries.len(),
        "libraries built"
    );
    let refs: Vec<crate::index::SyncRequest<'_>> = keys
        .iter()
        .zip(libraries.iter())
        .map(|(k, l)| (k.as_str(), l, prev.get(k).map(|p| (&p.library, &p.index))))
        .collect();
    let started = std::time::Instant::now();
    let (indexes, stats) = store.sync_after(&refs)?;
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "indexes in step");
    let mut shelves = HashMap::new();
    let mut by_set = HashMap::new();
    let mut by_key = HashMap::new();
    let mut public = None;
    for (((library, index), (set, auds)), key) in libraries.into_iter().zip(indexes).zip(distinct).zip(keys) {
        let shelf = Arc::new(Shelf { library, index });
        by_key.insert(key, Arc::clone(&shelf));
        for a in auds {
            if a == Audience::Public {
                public = Some(Arc::clone(&shelf));
            }
            shelves.insert(a, Arc::clone(&shelf));
        }
        by_set.insert(set, shelf);
    }
    let loaded = Loaded {
        catalog,
        public: public.expect("the public audience is always standard"),
        shelves: Mutex::new(shelves),
        by_set: Mutex::new(by_set),
        loaded_at: SystemTime::now(),
        stats,
        rendered: 0,
    };
    Ok((loaded, by_key))
}
