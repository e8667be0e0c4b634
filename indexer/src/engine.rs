//! Loading everything a server or command needs in one step: read the
//! sources, validate them into a catalog, build a library per distinct
//! audience and open (or rebuild) its index. A `Loaded` value is immutable
//! apart from caches filled on first use (on-demand shelves, a library's key
//! terms and suggestion tables); updates build a new one, from the engine's
//! per-file cache, its previous word statistics per partition and what each
//! partition indexed, and swap it in. The per-file cache
//! is restored from `data_dir` at the first load (`filecache`) and saved in
//! the background after a load that changed it; dossier files it holds are
//! not even read from git.

use crate::access::Audience;
use crate::catalog::{Catalog, Location, RenderCache, SourceSpec};
use crate::data_dir::DataDir;
use crate::index::{IndexError, IndexStore, Names, Partitions, SyncStats};
use crate::library::{Library, WordStats, visible_set};
use crate::search::SearchIndex;
use crate::source::mirror;
use crate::source::{Snapshot, SourceError};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// One audience's documents and index.
pub struct Shelf {
    pub library: Library,
    pub index: SearchIndex,
}

/// Everything served, as of one load. The catalog itself (every dossier,
/// whoever may see it) is private: the server reaches documents only through
/// a shelf (`shelf`, `public`), and of the catalog only what is no content:
/// the vocabulary, the public site pages, findings, edit links.
pub struct Loaded {
    pub(crate) catalog: Catalog,
    /// The public shelf (always built).
    pub public: Arc<Shelf>,
    /// The standard audiences' shelves (built with the load, on disk);
    /// audiences that see the same documents share one.
    shelves: HashMap<Audience, Arc<Shelf>>,
    /// The standard shelves by visible set, to share them with other audiences.
    by_set: HashMap<Vec<u64>, Arc<Shelf>>,
    /// Shelves of other combinations of regions, built on first use.
    on_demand: Mutex<OnDemand>,
    /// The partition indexes the shelves search (a union per audience).
    partitions: Partitions,
    /// The word statistics of each partition, shared by the libraries.
    words: WordStats,
    pub loaded_at: SystemTime,
    /// What this load wrote to the indexes (all audiences).
    pub stats: SyncStats,
    /// Markdown files rendered in this load (the others were unchanged).
    pub rendered: usize,
}

/// At most this many shelves are built on demand per load; the least recently
/// used one is dropped for a new one (a shelf holds a library and an in-RAM index).
pub const MAX_ON_DEMAND_SHELVES: usize = 16;

/// A shelf that is built once: the first request builds it, others wait for it.
type Slot = Arc<Mutex<Option<Arc<Shelf>>>>;

/// The on-demand shelves of one load, bounded.
#[derive(Default)]
struct OnDemand {
    /// Visible set of each audience seen (cleared when it grows past a bound).
    sets: HashMap<Audience, Vec<u64>>,
    /// Slots by visible set, least recently used first.
    slots: Vec<(Vec<u64>, Slot)>,
}

impl OnDemand {
    /// The slot for `set`, made the most recently used; a new one may push out
    /// the least recently used.
    fn slot(&mut self, set: &[u64]) -> Slot {
        if let Some(slot) = self.touch(set) {
            return slot;
        }
        let slot: Slot = Arc::new(Mutex::new(None));
        self.slots.push((set.to_vec(), Arc::clone(&slot)));
        if self.slots.len() > MAX_ON_DEMAND_SHELVES {
            let (gone, _) = self.slots.remove(0);
            self.sets.retain(|_, s| *s != gone);
        }
        slot
    }

    /// The existing slot for `set`, made the most recently used.
    fn touch(&mut self, set: &[u64]) -> Option<Slot> {
        let i = self.slots.iter().position(|(s, _)| s == set)?;
        let entry = self.slots.remove(i);
        let slot = Arc::clone(&entry.1);
        self.slots.push(entry);
        Some(slot)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Loaded {
    /// The vocabulary of this load.
    pub fn vocab(&self) -> &crate::model::vocab::Vocabulary {
        &self.catalog.vocab
    }

    /// Each source's state and findings (paths and messages; show them only to
    /// readers who may see findings).
    pub fn reports(&self) -> &[crate::catalog::SourceReport] {
        &self.catalog.reports
    }

    /// The site pages (`paginas/`): public by construction.
    pub fn pages(&self) -> &[crate::model::Page] {
        &self.catalog.pages
    }

    /// Where a document's source file can be edited, if its source says.
    pub fn edit_link(&self, bron: &crate::model::Provenance) -> Option<&str> {
        self.catalog.edit_link(bron)
    }

    /// The commits this state was read at.
    pub fn heads(&self) -> Heads {
        Heads(
            self.catalog
                .reports
                .iter()
                .map(|r| (r.name.clone(), r.commit.clone().unwrap_or_else(|| "-".into())))
                .collect(),
        )
    }

    /// The sources whose last fetch had failed when this state was read, with the reason.
    pub fn fetch_errors(&self) -> HashMap<String, String> {
        self.catalog
            .reports
            .iter()
            .filter_map(|r| r.fetch_error.clone().map(|e| (r.name.clone(), e)))
            .collect()
    }

    /// Every dossier's id with its `bijgewerkt` date, whoever may see it: for
    /// bookkeeping of what changed between loads (email alerts), never to be
    /// shown. Documents themselves come from a shelf.
    pub fn dossier_dates(&self) -> impl Iterator<Item = (&str, Option<crate::model::PartialDate>)> {
        self.catalog.dossiers.iter().map(|d| (d.id.as_str(), d.meta.bijgewerkt))
    }

    /// The shelf for an audience if it needs no building: a standard audience's,
    /// or one built on demand before. Cheap; safe on an async worker.
    pub fn ready_shelf(&self, audience: &Audience) -> Option<Arc<Shelf>> {
        let audience = &audience.canonical(&self.catalog.vocab);
        if let Some(s) = self.shelves.get(audience) {
            return Some(Arc::clone(s));
        }
        let mut od = lock(&self.on_demand);
        let set = od.sets.get(audience)?.clone();
        if let Some(s) = self.by_set.get(&set) {
            return Some(Arc::clone(s));
        }
        let slot = od.touch(&set)?;
        drop(od);
        // Being built by another request: not ready (the caller waits off the
        // async workers).
        slot.try_lock().ok().and_then(|built| built.clone())
    }

    /// The shelf for an audience: built at load time for the standard audiences,
    /// or on first use (in memory, once, however many requests ask at the same
    /// time) for other combinations of regions. Building blocks: call it off
    /// the async workers.
    pub fn shelf(&self, audience: &Audience) -> Result<Arc<Shelf>, IndexError> {
        let audience = &audience.canonical(&self.catalog.vocab);
        if let Some(s) = self.shelves.get(audience) {
            return Ok(Arc::clone(s));
        }
        let known = lock(&self.on_demand).sets.get(audience).cloned();
        let set = match known {
            Some(set) => set,
            None => {
                let set = visible_set(&self.catalog, audience);
                let mut od = lock(&self.on_demand);
                if od.sets.len() >= 64 * MAX_ON_DEMAND_SHELVES {
                    od.sets.clear();
                }
                od.sets.insert(audience.clone(), set.clone());
                set
            }
        };
        if let Some(s) = self.by_set.get(&set) {
            return Ok(Arc::clone(s));
        }
        let slot = lock(&self.on_demand).slot(&set);
        let mut built = lock(&slot);
        if let Some(s) = &*built {
            return Ok(Arc::clone(s));
        }
        let library = Library::with_words(&self.catalog, audience.clone(), &self.words);
        let index = SearchIndex::over(&self.partitions.dirs_for(audience), &library)?;
        let shelf = Arc::new(Shelf { library, index });
        *built = Some(Arc::clone(&shelf));
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

/// The commit of every source by name, in source order (`-` for a source
/// without one): two equal `Heads` mean no source moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heads(Vec<(String, String)>);

/// What `Engine::refresh` came to.
pub enum Refresh {
    /// No source moved and no fetch failure came or went: these sources were
    /// fetched without error.
    Unchanged { fetched: Vec<String> },
    /// The new state (with every source's report: read errors in
    /// `read_error`, fetch failures in `fetch_error`).
    Loaded(Box<Loaded>),
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
    data_dir: DataDir,
    store: IndexStore,
    snapshots: HashMap<String, Snapshot>,
    cache: RenderCache,
    fetch_errors: HashMap<String, String>,
    /// The word statistics of the last update per partition: the next update
    /// corrects them instead of counting again (`None` before the first).
    words: Option<WordStats>,
    /// What the last update indexed per partition.
    partitions: Partitions,
    /// Whether the per-file cache saved in `data_dir` was read (at the first update).
    restored: bool,
    /// The thread saving the per-file cache, if one runs.
    saving: Option<std::thread::JoinHandle<bool>>,
    /// The digest of the public word statistics saved in `data_dir`
    /// (`library::saved`), and the thread saving newer ones, if one runs.
    words_saved: Arc<Mutex<Option<[u8; 32]>>>,
    words_saving: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Engine {
    /// Waits for the per-file cache to be saved (`tegenkracht index` exits after).
    fn drop(&mut self) {
        if let Some(h) = self.words_saving.take() {
            let _ = h.join();
        }
        if let Some(h) = self.saving.take() {
            let _ = h.join();
        }
    }
}

impl Engine {
    pub fn new(specs: Vec<SourceSpec>, data_dir: &Path) -> Engine {
        let data_dir = DataDir::new(data_dir);
        let mut cache = RenderCache::default();
        cache.spill_in(crate::catalog::filecache::cache_dir(&data_dir));
        Engine {
            specs,
            store: IndexStore::new(&data_dir),
            data_dir,
            snapshots: HashMap::new(),
            cache,
            fetch_errors: HashMap::new(),
            words: None,
            partitions: Partitions::default(),
            restored: false,
            saving: None,
            words_saved: Arc::new(Mutex::new(None)),
            words_saving: None,
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

    /// Fetches the named sources (all when `None`), and reads everything again
    /// unless nothing moved since `since` (the state being served).
    pub fn refresh(&mut self, which: Option<&[String]>, since: Option<&Loaded>) -> Result<Refresh, IndexError> {
        self.fetch(which);
        if let Some(prev) = since
            && self.heads().is_some_and(|h| h == prev.heads())
            && self.fetch_errors == prev.fetch_errors()
        {
            let fetched = (self.specs.iter())
                .map(|s| s.name.clone())
                .filter(|n| !self.fetch_errors.contains_key(n))
                .collect();
            return Ok(Refresh::Unchanged { fetched });
        }
        Ok(Refresh::Loaded(Box::new(self.update()?)))
    }

    /// The commits the mirrors are at now (cheap); `None` when a source is a
    /// folder, which has no commit and is always read again.
    pub fn heads(&self) -> Option<Heads> {
        let mut parts = Vec::new();
        for s in &self.specs {
            // Folders have no commit: they are always re-read.
            let Location::Git { branch, .. } = &s.location else { return None };
            let commit = git2::Repository::open_bare(self.data_dir.mirror(&s.name))
                .ok()
                .and_then(|repo| crate::source::resolve_commit(&repo, branch).map(|c| c.id().to_string()))
                .unwrap_or_else(|| "-".into());
            parts.push((s.name.clone(), commit));
        }
        Some(Heads(parts))
    }

    /// Reads every source from its mirror (reusing unchanged files), validates,
    /// and brings every audience's index in step.
    pub fn update(&mut self) -> Result<Loaded, IndexError> {
        let started = std::time::Instant::now();
        let catalog = self.read_catalog();
        tracing::debug!(ms = started.elapsed().as_millis() as u64, "sources read and validated");
        let rendered = self.cache.rendered;
        // Saved in the background while the libraries and indexes are built.
        self.save_cache();
        // At the first load: the public library's word statistics as saved.
        let saved = if self.words.is_none() {
            crate::library::saved::load(&crate::library::saved::path(&self.data_dir))
        } else {
            None
        };
        let saved_digest = saved.as_ref().map(|s| s.digest());
        let mut loaded = assemble_after(catalog, &self.store, self.words.as_ref(), &self.partitions, saved)?;
        if loaded.public.library.statistics_source() == crate::library::Source::Saved {
            *self.words_saved.lock().unwrap_or_else(|e| e.into_inner()) = saved_digest;
        }
        self.words = Some(loaded.words.clone());
        self.partitions = loaded.partitions.clone();
        loaded.rendered = rendered;
        self.save_public_words(&loaded);
        Ok(loaded)
    }

    /// Saves the public library's word statistics in the background when they
    /// are not those saved (after the previous save finished).
    fn save_public_words(&mut self, loaded: &Loaded) {
        if let Some(h) = self.words_saving.take() {
            let _ = h.join();
        }
        let public = Arc::clone(&loaded.public);
        let saved = Arc::clone(&self.words_saved);
        let path = crate::library::saved::path(&self.data_dir);
        let spawned = std::thread::Builder::new().name("tk-words-save".into()).spawn(move || {
            let lib = &public.library;
            let digest = crate::library::saved::digest(&lib.dossiers);
            let mut saved = saved.lock().unwrap_or_else(|e| e.into_inner());
            if *saved == Some(digest) {
                return;
            }
            let Some((df, words)) = lib.words.single() else { return };
            match crate::library::saved::save(&path, digest, &df, &words) {
                Ok(()) => *saved = Some(digest),
                Err(e) => tracing::warn!(error = %e, "cannot save the public word statistics"),
            }
        });
        match spawned {
            Ok(h) => self.words_saving = Some(h),
            Err(e) => tracing::warn!(error = %e, "cannot start saving the public word statistics"),
        }
    }

    /// Saves the per-file cache in the background when it changed and no save
    /// is running (a change made meanwhile is saved after a later update).
    fn save_cache(&mut self) {
        if let Some(h) = self.saving.take_if(|h| h.is_finished())
            && !h.join().unwrap_or(false)
        {
            self.cache.mark_unsaved();
        }
        if self.saving.is_some() {
            return;
        }
        let Some((fingerprint, entries)) = self.cache.take_unsaved() else {
            return;
        };
        let data_dir = self.data_dir.clone();
        let spawned = std::thread::Builder::new().name("tk-cache-save".into()).spawn(move || {
            let started = std::time::Instant::now();
            match crate::catalog::filecache::save(&data_dir, fingerprint, &entries) {
                Ok(()) => {
                    tracing::debug!(
                        files = entries.len(),
                        ms = started.elapsed().as_millis() as u64,
                        "per-file cache saved"
                    );
                    true
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot save the per-file cache");
                    false
                }
            }
        });
        match spawned {
            Ok(h) => self.saving = Some(h),
            Err(_) => self.cache.mark_unsaved(),
        }
    }

    /// Waits until the per-file cache is saved (tests; `Drop` does the same).
    pub fn wait_for_cache(&mut self) {
        if let Some(h) = self.saving.take()
            && !h.join().unwrap_or(false)
        {
            self.cache.mark_unsaved();
        }
    }

    /// Reads and validates every source, without touching the indexes.
    pub fn read_catalog(&mut self) -> Catalog {
        if !self.restored {
            self.restored = true;
            let started = std::time::Instant::now();
            if let Some((fingerprint, entries)) = crate::catalog::filecache::load(&self.data_dir) {
                tracing::debug!(
                    files = entries.len(),
                    ms = started.elapsed().as_millis() as u64,
                    "per-file cache read"
                );
                self.cache.restore(fingerprint, entries);
            }
        }
        // Dossier files whose results the cache holds are not read from git; if
        // the assembly needs one after all (the vocabulary or themas changed, a
        // file is no longer published), every source is read again in full.
        let catalog = match self.assemble_sources(true) {
            Some(catalog) => catalog,
            None => {
                tracing::debug!("a file that was not read is needed: reading the sources in full");
                self.assemble_sources(false).unwrap_or_default()
            }
        };
        self.forget_known_bytes(&catalog.vocab);
        let mut catalog = catalog;
        for r in &mut catalog.reports {
            r.fetch_error = self.fetch_errors.get(&r.name).cloned();
        }
        catalog
    }

    /// The snapshots drop the bytes of the dossier files whose results the
    /// cache holds in full (rendered, or refused), as if they had been
    /// skipped: a file is not kept twice (at 100,000 dossiers the markdown
    /// alone is 730 MB). Files not published keep their bytes, so that the
    /// next load does not need to read the sources in full.
    fn forget_known_bytes(&mut self, vocab: &crate::model::vocab::Vocabulary) {
        let cache = &self.cache;
        for spec in &self.specs {
            let Some(snap) = self.snapshots.get_mut(&spec.name) else { continue };
            for f in &mut snap.files {
                if !f.deferred
                    && crate::source::classify(&f.rel) == Some(crate::source::FileKind::Dossier)
                    && cache.needs_nothing_more(spec, vocab, f)
                {
                    f.bytes = Arc::from(&[][..]);
                    f.deferred = true;
                }
            }
        }
    }

    /// Reads every source (skipping dossier files the cache knows when `defer`)
    /// and assembles them; `None` when a skipped file was needed.
    fn assemble_sources(&mut self, defer: bool) -> Option<Catalog> {
        let mut sources = Vec::new();
        for spec in &self.specs {
            let started = std::time::Instant::now();
            let cache = &self.cache;
            let known = |oid: &str, rel: &str, display: &str| defer && cache.knows(oid, rel, display);
            let read = match &spec.location {
                Location::Git { branch, root, .. } => {
                    let path = self.data_dir.mirror(&spec.name);
                    read_mirror(&path, branch, root, self.snapshots.get(&spec.name), &known)
                }
                Location::Dir(dir) => crate::source::read_dir(dir),
            };
            tracing::debug!(source = %spec.name, ms = started.elapsed().as_millis() as u64, "source read");
            let read = match read {
                Ok(snap) => {
                    self.snapshots.insert(spec.name.clone(), snap.clone());
                    Ok(snap)
                }
                // Keep serving the last good state of this source (in full: a
                // snapshot whose files were not all read cannot serve it twice).
                Err(e) => match self
                    .snapshots
                    .get(&spec.name)
                    .filter(|p| defer || !p.files.iter().any(|f| f.deferred))
                {
                    Some(prev) => {
                        self.fetch_errors.entry(spec.name.clone()).or_insert_with(|| e.to_string());
                        Ok(prev.clone())
                    }
                    None => Err(e),
                },
            };
            sources.push((spec.clone(), read));
        }
        let catalog = Catalog::assemble_cached(sources, &mut self.cache);
        (!self.cache.missing_bytes).then_some(catalog)
    }
}

fn read_mirror(
    path: &Path,
    branch: &str,
    root: &str,
    prev: Option<&Snapshot>,
    known: crate::source::Known<'_>,
) -> Result<Snapshot, SourceError> {
    let repo = git2::Repository::open_bare(path).map_err(|source| SourceError::Open { path: path.into(), source })?;
    let commit = crate::source::resolve_commit(&repo, branch).ok_or_else(|| SourceError::Branch {
        path: path.into(),
        branch: branch.into(),
    })?;
    crate::source::read_git_commit_deferring(&repo, &commit, root, prev, known)
}

/// Builds libraries for an assembled catalog and brings their indexes in step
/// (tests; the engine keeps the previous state: `assemble_after`).
#[cfg(test)]
fn assemble(catalog: Catalog, store: &IndexStore) -> Result<Loaded, IndexError> {
    assemble_after(catalog, store, None, &Partitions::default(), None)
}

/// Like `assemble`, starting from the word statistics of the previous load
/// (each partition's are corrected by the dossiers that changed, see
/// `WordStats::build`) and from what the previous load indexed per partition.
fn assemble_after(
    catalog: Catalog,
    store: &IndexStore,
    prev_words: Option<&WordStats>,
    prev_partitions: &Partitions,
    saved: Option<crate::library::saved::SavedStatistics>,
) -> Result<Loaded, IndexError> {
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
    // The word statistics and libraries (per partition and audience, in
    // memory) and the partition indexes (on disk) are independent: built side
    // by side.
    let names = |key: &str| Names::visible(&catalog, &crate::partition::own_audience(key));
    let ((words, libraries), synced) = rayon::join(
        || {
            use rayon::prelude::*;
            let words = WordStats::build(&catalog.dossiers, prev_words, saved);
            let libraries: Vec<Library> = (distinct.par_iter())
                .map(|(_, auds)| Library::with_words(&catalog, auds[0].clone(), &words))
                .collect();
            (words, libraries)
        },
        || store.sync_partitions(&catalog.dossiers, &names, prev_partitions),
    );
    let (partitions, stats) = synced?;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        libraries = libraries.len(),
        "libraries built and partitions in step"
    );
    let indexes: Vec<SearchIndex> = libraries
        .iter()
        .map(|lib| SearchIndex::over(&partitions.dirs_for(&lib.audience), lib))
        .collect::<Result<_, _>>()?;
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
    let loaded = Loaded {
        catalog,
        public: public.expect("the public audience is always standard"),
        shelves,
        by_set,
        on_demand: Mutex::new(OnDemand::default()),
        partitions,
        words,
        loaded_at: SystemTime::now(),
        stats,
        rendered: 0,
    };
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Commits `files` (path, text) as the whole tree of branch `main`.
    fn commit(repo: &git2::Repository, files: &[(String, String)]) {
        let mut index = git2::Index::new().unwrap();
        for (path, text) in files {
            let oid = repo.blob(text.as_bytes()).unwrap();
            let entry = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100644,
                uid: 0,
                gid: 0,
                file_size: text.len() as u32,
                id: oid,
                flags: 0,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            index.add(&entry).unwrap();
        }
        let tree = repo.find_tree(index.write_tree_to(repo).unwrap()).unwrap();
        let sig = git2::Signature::now("t", "t@example.nl").unwrap();
        let parent = repo.find_reference("refs/heads/main").ok().and_then(|r| r.peel_to_commit().ok());
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        repo.commit(Some("refs/heads/main"), &sig, &sig, "content", &tree, &parents)
            .unwrap();
    }

    fn files(vocab: &str) -> Vec<(String, String)> {
        let mut out = vec![
            ("vocabulaire.yaml".to_string(), vocab.to_string()),
            (
                "themas/vastgoed.md".into(),
                "---\ntitel: Vastgoed\ntype: playbook\nsamenvatting: Over vastgoed en ondermijning, voor de test.\ntoegang: openbaar\n---\nTekst.\n".into(),
            ),
            ("dossiers/limburg/kapot.md".into(), "---\ntitel: [\n---\n".into()),
        ];
        // More than one thread's worth, so the first load parses in parallel.
        for i in 0..80 {
            let (toegang, partner) = match i % 4 {
                0 => ("regio", "politie"),
                1 => ("netwerk", "extra"),
                _ => ("openbaar", "politie"),
            };
            out.push((
                format!("dossiers/limburg/d{i}.md"),
                format!(
                    "---\ntitel: Dossier {i}\ntype: praktijk\nregio: limburg\nthemas: [vastgoed]\nsamenvatting: Een praktijk voor de test van de cache, nummer {i}.\ntoegang: {toegang}\npartners: [{partner}]\n---\n## Aanpak\n\nPanden en horeca in ronde{i}, met woord{} en vastgoed.\n",
                    i % 7
                ),
            ));
        }
        out
    }

    /// The starter vocabulary with one more partner, `extra`.
    fn with_extra() -> String {
        let vocab = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../content/vocabulaire.yaml"));
        let out = vocab.replace(
            "  bewoners: {naam: Bewoners, en: Residents}\n",
            "  bewoners: Bewoners\n  extra: Extra\n",
        );
        assert_ne!(out, vocab);
        out
    }

    fn specs(repo: &Path) -> Vec<SourceSpec> {
        vec![SourceSpec {
            name: "bron".into(),
            location: Location::Git {
                repo: repo.to_path_buf(),
                branch: "main".into(),
                root: String::new(),
            },
            regions: vec!["*".into()],
            edit_url: None,
        }]
    }

    /// Everything a load serves, as text: catalog, findings, per-audience statistics and index sizes.
    fn summary(l: &Loaded) -> Vec<String> {
        let mut out: Vec<String> = l
            .catalog
            .dossiers
            .iter()
            .map(|d| format!("{} {:?} {:?} {:?} {:?} {:?}", d.id, d.meta, d.body, d.words, d.bron, d.updated))
            .collect();
        out.extend(l.catalog.reports.iter().map(|r| format!("{:?}", r.diagnostics)));
        for a in [
            Audience::Public,
            Audience::Network,
            Audience::Liec,
            Audience::Regions(vec!["limburg".into()]),
        ] {
            let shelf = l.shelf(&a).unwrap();
            let mut words: Vec<_> = shelf.library.words.flatten().1.into_iter().collect();
            words.sort();
            let keyterms = (!shelf.library.dossiers.is_empty()).then(|| shelf.library.keyterms(0).to_vec());
            out.push(format!("{a:?} {} {words:?} {keyterms:?}", shelf.index.num_docs()));
        }
        out
    }

    #[test]
    fn a_first_build_spills_its_texts_and_reads_them_back_unchanged() {
        let vocab = &with_extra();
        let src = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(src.path()).unwrap();
        commit(&repo, &files(vocab));
        let read = |spill: bool| {
            let data = tempfile::tempdir().unwrap();
            let mut e = Engine::new(specs(src.path()), data.path());
            if spill {
                e.cache.spill_from(1);
            } else {
                e.cache.spill_from(usize::MAX);
            }
            e.fetch(None);
            // The catalog before any save of the per-file cache.
            let catalog = e.read_catalog();
            assert!(catalog.dossiers.len() >= 64, "{}", catalog.dossiers.len());
            let blobs = |d: &crate::model::Dossier| {
                let [html, text, toc] = d.body.blobs();
                [html, text, toc, d.words.blob(), d.meta.details.blob()].map(|b| b.in_memory())
            };
            let in_memory: Vec<bool> = catalog.dossiers.iter().flat_map(|d| blobs(d)).collect();
            let texts: Vec<_> = (catalog.dossiers.iter())
                .map(|d| {
                    (
                        d.id.clone(),
                        d.body.html(),
                        d.body.text(),
                        d.body.toc(),
                        d.meta.details(),
                        d.words.read().surface().count(),
                    )
                })
                .collect();
            (in_memory, texts)
        };
        let (spilled, with_spill) = read(true);
        let (kept, without) = read(false);
        assert!(spilled.iter().all(|m| !m), "every text of a bulk parse left memory");
        assert!(kept.iter().all(|m| *m), "below the threshold they stay");
        assert_eq!(with_spill, without, "and read back the same");
    }

    fn load_with(repo: &Path, data: &Path) -> Loaded {
        let mut e = Engine::new(specs(repo), data);
        e.fetch(None);
        let l = e.update().unwrap();
        e.wait_for_cache();
        l
    }

    #[test]
    fn shelves_of_other_region_combinations_are_built_once_and_bounded() {
        let regions = [
            "amsterdam-amstelland",
            "den-haag",
            "limburg",
            "midden-nederland",
            "noord-holland",
            "rotterdam",
            "zeeland-brabant",
        ];
        let ids: Vec<String> = regions.iter().map(|r| format!("{r}/eigen")).collect();
        let mut docs: Vec<(&str, &str, &str)> = ids.iter().map(|id| (id.as_str(), "regio", "Alleen voor de eigen regio.")).collect();
        docs.push(("limburg/open", "openbaar", "Voor iedereen."));
        let catalog = crate::testkit::catalog(&mut RenderCache::default(), &[("vastgoed", "Vastgoed")], &docs);
        let data = tempfile::tempdir().unwrap();
        let loaded = Arc::new(assemble(catalog, &IndexStore::new(&data.path().into())).unwrap());
        let pair = |a: usize, b: usize| Audience::Regions(vec![regions[a].to_string(), regions[b].to_string()]);
        // A single region with `regio` documents is standard: ready at once.
        assert!(loaded.ready_shelf(&Audience::Regions(vec!["limburg".into()])).is_some());
        // A pair is not, until it was built; then it sees both regions' dossiers.
        assert!(loaded.ready_shelf(&pair(0, 1)).is_none());
        let first = loaded.shelf(&pair(0, 1)).unwrap();
        assert_eq!(first.library.dossiers.len(), 3);
        assert!(Arc::ptr_eq(&loaded.ready_shelf(&pair(0, 1)).unwrap(), &first));
        // Many requests for a new combination at once: one build, one shelf.
        let built: Vec<Arc<Shelf>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8).map(|_| s.spawn(|| loaded.shelf(&pair(2, 3)).unwrap())).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(built.iter().all(|b| Arc::ptr_eq(b, &built[0])), "built more than once");
        // More combinations than the bound: the least recently used goes.
        let mut n = 2;
        'fill: for a in 0..regions.len() {
            for b in a + 1..regions.len() {
                if (a, b) == (0, 1) || (a, b) == (2, 3) {
                    continue;
                }
                if n == MAX_ON_DEMAND_SHELVES + 1 {
                    break 'fill;
                }
                // Keep (2, 3) recently used.
                loaded.shelf(&pair(2, 3)).unwrap();
                loaded.shelf(&pair(a, b)).unwrap();
                n += 1;
            }
        }
        assert_eq!(lock(&loaded.on_demand).slots.len(), MAX_ON_DEMAND_SHELVES);
        assert!(
            loaded.ready_shelf(&pair(0, 1)).is_none(),
            "the least recently used shelf was dropped"
        );
        assert!(Arc::ptr_eq(&loaded.ready_shelf(&pair(2, 3)).unwrap(), &built[0]));
        let again = loaded.shelf(&pair(0, 1)).unwrap();
        assert!(!Arc::ptr_eq(&again, &first));
        assert_eq!(again.library.dossiers.len(), 3);
    }

    #[test]
    fn the_public_word_statistics_are_read_back_only_for_the_same_public_dossiers() {
        use crate::library::Source;
        let vocab = &with_extra();
        let src = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(src.path()).unwrap();
        let mut fs = files(vocab);
        commit(&repo, &fs);
        let data = tempfile::tempdir().unwrap();
        let counted_as = |l: &Loaded| {
            let fresh = Library::new(&l.catalog, Audience::Public);
            let ((df, words), (fresh_df, fresh_words)) = (l.public.library.words.single().unwrap(), fresh.words.single().unwrap());
            assert!(!words.is_empty());
            assert_eq!((*df).clone(), (*fresh_df).clone(), "document frequencies as counted");
            assert_eq!((*words).clone(), (*fresh_words).clone(), "surface words as counted");
            l.public.library.statistics_source()
        };
        assert_eq!(counted_as(&load_with(src.path(), data.path())), Source::Counted);
        let path = crate::library::saved::path(&data.path().into());
        assert!(path.exists(), "saved after the first load");
        assert_eq!(
            counted_as(&load_with(src.path(), data.path())),
            Source::Saved,
            "read back at a start"
        );
        // A public dossier's text changes: the saved statistics are not its, so they are counted.
        let (_, text) = fs
            .iter_mut()
            .find(|(p, t)| p.starts_with("dossiers/") && t.contains("toegang: openbaar"))
            .unwrap();
        text.push_str("\nEen nieuw woord: zeldzaamheidsonderzoek.\n");
        commit(&repo, &fs);
        let changed = load_with(src.path(), data.path());
        assert_eq!(counted_as(&changed), Source::Counted);
        assert!(changed.public.library.words.count("zeldzaamheidsonderzoek") > 0);
        assert_eq!(counted_as(&load_with(src.path(), data.path())), Source::Saved, "saved again");
        // Restricted dossiers never count: a change to one leaves the public statistics as saved.
        let (_, text) = fs.iter_mut().find(|(_, t)| t.contains("toegang: regio")).unwrap();
        text.push_str("\nGeheimhoudingsverklaring.\n");
        commit(&repo, &fs);
        let l = load_with(src.path(), data.path());
        assert_eq!(counted_as(&l), Source::Saved);
        assert_eq!(l.public.library.words.count("geheimhoudingsverklaring"), 0);
        // A damaged file is not used.
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x55;
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(counted_as(&load_with(src.path(), data.path())), Source::Counted);
    }

    #[test]
    fn a_start_with_the_saved_cache_serves_what_a_start_without_it_serves() {
        let vocab = &with_extra();
        let src = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(src.path()).unwrap();
        commit(&repo, &files(vocab));
        let data = tempfile::tempdir().unwrap();
        let first = load_with(src.path(), data.path());
        assert!(first.rendered > 80);
        let file = crate::catalog::filecache::cache_dir(&data.path().into()).join("dossiers.bin");
        assert!(file.exists());
        // Once saved, the texts and word lists leave memory and read the same from the file.
        let on_disk = |l: &Loaded| {
            l.catalog.dossiers.iter().all(|d| {
                let [html, text, toc] = d.body.blobs();
                [html, text, toc, d.words.blob(), d.meta.details.blob()]
                    .iter()
                    .all(|b| !b.in_memory())
            })
        };
        assert!(on_disk(&first), "saved texts are read from the file");
        let d = &first.catalog.dossiers[0];
        assert!(d.body.html().contains("<h2") && !d.body.text().is_empty() && d.words.read().surface().count() > 10);
        assert!(!d.body.toc().is_empty() && d.meta.details().samenvatting.len() > 20);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&file), 0o600);
            assert_eq!(mode(&crate::catalog::filecache::cache_dir(&data.path().into())), 0o700);
            assert_eq!(mode(&data.path().join("cache")), 0o700);
            // The indexes and mirrors hold restricted documents too.
            assert_eq!(mode(&data.path().join("index")), 0o700);
            assert_eq!(mode(&data.path().join(format!("index/v{}", crate::index::SCHEMA_VERSION))), 0o700);
            assert_eq!(mode(&data.path().join("mirrors")), 0o700);
        }
        // A restart: nothing parsed or rendered but the playbook, the same result.
        let mut engine = Engine::new(specs(src.path()), data.path());
        engine.fetch(None);
        let again = engine.update().unwrap();
        assert_eq!(again.rendered, 1, "only the playbook's body is not saved");
        let deferred = engine.snapshots["bron"].files.iter().filter(|f| f.deferred).count();
        assert_eq!(deferred, 81, "the dossier files were not read from git");
        drop(engine);
        assert_eq!(summary(&again), summary(&first));
        assert!(on_disk(&again), "restored texts are read from the file");
        assert_eq!(again.stats.added, 0);
        // Without the saved cache: the same.
        let fresh = load_with(src.path(), tempfile::tempdir().unwrap().path());
        assert_eq!(summary(&fresh), summary(&first));

        // A truncated, a corrupted, a foreign and an other-format file are ignored
        // and written anew. (They are written in place, so the texts of the loads
        // above, which point into the file, are no longer readable: a blob reads
        // nothing rather than other bytes. The expected summary is taken first.)
        let expected = summary(&first);
        drop((first, again, fresh));
        let good = std::fs::read(&file).unwrap();
        let mut flipped = good.clone();
        let at = flipped.len() / 2;
        flipped[at] ^= 0x55;
        let mut other_format = good.clone();
        other_format[8] = other_format[8].wrapping_add(1);
        for (what, bytes) in [
            ("truncated", good[..good.len() / 3].to_vec()),
            ("corrupt", flipped),
            ("foreign", b"not a cache at all".to_vec()),
            ("other format", other_format),
            ("empty", Vec::new()),
        ] {
            std::fs::write(&file, &bytes).unwrap();
            let l = load_with(src.path(), data.path());
            assert!(l.rendered > 80, "{what}: not used");
            assert_eq!(summary(&l), expected, "{what}");
            assert_eq!(std::fs::read(&file).unwrap().len(), good.len(), "{what}: written anew");
        }
    }

    #[test]
    fn a_saved_cache_from_before_a_vocabulary_change_is_not_used() {
        let vocab = &with_extra();
        let src = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(src.path()).unwrap();
        commit(&repo, &files(vocab));
        let data = tempfile::tempdir().unwrap();
        load_with(src.path(), data.path());
        // The partner `extra` leaves the vocabulary: its dossiers no longer validate.
        let fewer = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../content/vocabulaire.yaml"));
        commit(&repo, &files(fewer));
        let changed = load_with(src.path(), data.path());
        let fresh = load_with(src.path(), tempfile::tempdir().unwrap().path());
        assert_eq!(summary(&changed), summary(&fresh));
        // The same in one running engine, whose snapshot forgot the bytes of
        // the files the cache holds: the files needed again are read again.
        let (src2, data2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let repo2 = git2::Repository::init_bare(src2.path()).unwrap();
        commit(&repo2, &files(vocab));
        let mut engine = Engine::new(specs(src2.path()), data2.path());
        engine.fetch(None);
        engine.update().unwrap();
        let dossier_files = || engine.snapshots["bron"].files.iter().filter(|f| f.rel.starts_with("dossiers/"));
        assert!(dossier_files().all(|f| f.deferred && f.bytes.is_empty()), "bytes not kept twice");
        commit(&repo2, &files(fewer));
        engine.fetch(None);
        let running = engine.update().unwrap();
        let fresh2 = load_with(src2.path(), tempfile::tempdir().unwrap().path());
        assert_eq!(summary(&running), summary(&fresh2));
        assert_eq!(running.catalog.dossiers.len(), 60);
        assert_eq!(changed.catalog.dossiers.len(), 60, "{:?}", changed.catalog.reports);
        assert!(changed.rendered >= 60, "re-validated and rendered: {}", changed.rendered);
    }
}
