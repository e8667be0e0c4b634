//! The tantivy indexes: the schema, the Dutch analyzer, and keeping the
//! partition indexes on disk in step with the catalog. Every dossier belongs to
//! one access partition (`partition.rs`) and is indexed once, in
//! `data_dir/index/v{SCHEMA_VERSION}/{partition}`; an audience searches the
//! union of the partitions it may see (`union_dir.rs`), so its statistics are
//! those of exactly its documents. The indexes are a disposable cache of git:
//! every document carries a hash of what was indexed, and
//! `IndexStore::sync_partitions` deletes and adds exactly the documents whose
//! hash differs. One tantivy commit per partition and sync makes each update
//! atomic per partition: a crash leaves the old state or the new one, and the
//! next sync converges from either.

pub mod undouble;
pub mod union_dir;

use crate::library::Library;
use crate::model::{Dossier, DossierDetails};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::schema::{FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term, doc};

/// Bump when the schema, the analysis or the content hash (`hash_of`)
/// changes: old indexes are rebuilt (8: the hash reads digests of the details
/// and of the text with its outline).
pub const SCHEMA_VERSION: u32 = 8;
/// Name of the Dutch analyzer.
pub const NL: &str = "nl";
/// Name of the analyzer of the acronyms field: words, lowercased, nothing else.
pub const AFK: &str = "afk";

/// Errors of the index layer.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("cannot use index folder {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// The schema's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    /// Hash of everything indexed for the document, to find what changed.
    pub hash: Field,
    pub titel: Field,
    pub samenvatting: Field,
    /// Trefwoorden, gemeenten and the display names of themas, partners, region.
    pub meta: Field,
    /// The headings of the body.
    pub koppen: Field,
    pub body: Field,
    /// The acronyms written in capitals in the title, summary and body
    /// (`text::acronyms`), so `OM` can match the acronym and never the word `om`.
    pub afkortingen: Field,
}

/// The Dutch analyzer: words, lowercased, diacritics folded, Dutch stems
/// without a doubled final consonant.
pub fn dutch_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::Dutch))
        .filter(crate::index::undouble::Undouble)
        .build()
}

/// Registers the analyzers the schema names, with `nl` as the text analyzer.
pub(crate) fn register(index: &Index, nl: TextAnalyzer) {
    index.tokenizers().register(NL, nl);
    index
        .tokenizers()
        .register(AFK, TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser).build());
}

/// The acronyms of a dossier's title, summary and body (see `Fields::afkortingen`).
fn acronyms_of(d: &Dossier, details: &DossierDetails, text: &str) -> String {
    let mut out = crate::text::acronyms(&d.meta.titel);
    for part in [details.samenvatting.as_str(), text] {
        let more = crate::text::acronyms(part);
        if !more.is_empty() {
            out.push(' ');
            out.push_str(&more);
        }
    }
    out
}

/// Builds the schema.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(NL)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED | FAST),
        hash: b.add_u64_field("hash", FAST),
        titel: b.add_text_field("titel", text.clone()),
        samenvatting: b.add_text_field("samenvatting", text.clone()),
        meta: b.add_text_field("meta", text.clone()),
        koppen: b.add_text_field("koppen", text.clone()),
        body: b.add_text_field("body", text),
        afkortingen: b.add_text_field(
            "afkortingen",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(AFK)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
    };
    (b.build(), fields)
}

/// The names that go into a dossier's meta text: the vocabulary's, and the
/// titles of the themas a partition's own audience may see (so a restricted
/// thema's title never enters a partition that more readers see).
pub struct Names<'a> {
    vocab: &'a crate::model::vocab::Vocabulary,
    themas: HashMap<&'a str, &'a str>,
}

impl<'a> Names<'a> {
    /// The names a library's audience sees.
    pub fn of_library(lib: &'a Library) -> Names<'a> {
        Names {
            vocab: &lib.vocab,
            themas: lib.playbooks.iter().map(|p| (p.slug.as_str(), p.meta.titel.as_str())).collect(),
        }
    }

    /// The names `audience` sees in `catalog`.
    pub fn visible(catalog: &'a crate::Catalog, audience: &crate::Audience) -> Names<'a> {
        Names {
            vocab: &catalog.vocab,
            themas: catalog
                .playbooks
                .iter()
                .filter(|p| audience.may_see(p.meta.toegang, None))
                .map(|p| (p.slug.as_str(), p.meta.titel.as_str()))
                .collect(),
        }
    }

    fn thema(&self, slug: &'a str) -> &'a str {
        self.themas.get(slug).copied().unwrap_or(slug)
    }

    /// Changes whenever a name that goes into a meta text changes.
    fn fingerprint(&self) -> u64 {
        let mut themas: Vec<_> = self.themas.iter().collect();
        themas.sort();
        let mut h = Sha256::new();
        h.update(format!("{:?}", self.vocab).as_bytes());
        for (slug, titel) in themas {
            h.update(slug.as_bytes());
            h.update([0]);
            h.update(titel.as_bytes());
            h.update([0]);
        }
        u64::from_le_bytes(h.finalize()[..8].try_into().expect("8 bytes"))
    }
}

/// Recorded for a dossier whose text could not be read: no stored hash equals
/// it (`hash_of` never yields it in practice), so the next sync tries again.
const UNKNOWN_HASH: u64 = 0;

/// The hash of what is indexed for a dossier: its title, the names its
/// facets give it, its details (summary, keywords, municipalities), headings
/// and body. The last three by their digests: they stay where they are (on
/// disk), so a start hashes 100,000 dossiers without reading them.
fn hash_of(names: &Names<'_>, d: &Dossier) -> u64 {
    let named = named_text(names, d);
    let mut h = Sha256::new();
    for part in [d.meta.titel.as_str(), named.as_str()] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.update(d.meta.details.digest().to_le_bytes());
    h.update(d.body.text_digest().to_le_bytes());
    let digest = h.finalize();
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

fn koppen(toc: &[crate::model::Heading]) -> String {
    toc.iter().map(|h| h.text.as_str()).collect::<Vec<_>>().join(" \n ")
}

/// True when `a` and `b` index the same text, so the hash of one is the hash
/// of the other. Bodies are compared by pointer (a rendering is shared for as
/// long as its file is unchanged), the front matter that is indexed by value,
/// and the names that go into the meta text by the caller, once per partition.
fn indexes_the_same(a: &Dossier, b: &Dossier) -> bool {
    let (ma, mb) = (&a.meta, &b.meta);
    Arc::ptr_eq(&a.body, &b.body)
        && (Arc::ptr_eq(ma, mb)
            || (ma.titel == mb.titel
                && ma.details.digest() == mb.details.digest()
                && ma.themas == mb.themas
                && ma.partners == mb.partners
                && ma.instrumenten == mb.instrumenten
                && ma.regio == mb.regio))
}

/// The searchable front matter: keywords, municipalities, and the names of
/// the themas, partners, instruments and region.
fn meta_text(names: &Names<'_>, d: &Dossier, details: &DossierDetails) -> String {
    let mut parts: Vec<&str> = Vec::new();
    parts.extend(details.trefwoorden.iter().map(String::as_str));
    parts.extend(details.gemeenten.iter().map(String::as_str));
    let named = named_text(names, d);
    parts.push(&named);
    parts.join(" \n ")
}

/// The names the vocabulary and the themas give a dossier's facet values.
fn named_text(names: &Names<'_>, d: &Dossier) -> String {
    let v = names.vocab;
    let mut parts: Vec<&str> = Vec::new();
    parts.extend(d.meta.themas.iter().map(|t| names.thema(t)));
    parts.extend(d.meta.partners.iter().map(|p| v.partners.name(p)));
    parts.extend(d.meta.instrumenten.iter().map(|p| v.instrumenten.name(p)));
    parts.push(v.regios.name(&d.meta.regio));
    parts.join(" \n ")
}

/// What a partition's last sync indexed: per dossier id, the dossier and the
/// hash of its text, so the next sync hashes only what changed.
type Indexed = HashMap<String, (Arc<Dossier>, u64)>;

/// The partition indexes of the last sync.
#[derive(Default, Clone)]
pub struct Partitions {
    /// Partition key → its folder.
    dirs: std::collections::BTreeMap<String, PathBuf>,
    /// Partition key → the fingerprint of its names and what it indexed.
    indexed: HashMap<String, (u64, Indexed)>,
}

impl Partitions {
    /// The folders of the partitions `audience` may see.
    pub fn dirs_for(&self, audience: &crate::Audience) -> Vec<PathBuf> {
        self.dirs
            .iter()
            .filter(|(key, _)| crate::partition::visible_to(key, audience))
            .map(|(_, dir)| dir.clone())
            .collect()
    }

    /// The partition keys with an index.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.dirs.keys().map(String::as_str)
    }
}

/// What a sync changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncStats {
    /// Documents written (new or changed).
    pub added: usize,
    /// Documents removed (deleted or changed).
    pub deleted: usize,
    /// Documents in the library.
    pub total: usize,
}

impl SyncStats {
    pub fn merge(&mut self, o: SyncStats) {
        self.added += o.added;
        self.deleted += o.deleted;
        self.total += o.total;
    }
}

/// The live documents of a segment: (doc id, dossier id, hash).
pub(crate) fn stored_ids(seg: &tantivy::SegmentReader) -> Result<Vec<(u32, String, u64)>, IndexError> {
    let mut out = Vec::new();
    let ff = seg.fast_fields();
    let (Some(ids), Ok(hashes)) = (ff.str("id")?, ff.u64("hash")) else {
        return Ok(out);
    };
    // The dictionary in one pass: looking terms up one by one decompresses a
    // block per document.
    let mut terms: Vec<String> = Vec::with_capacity(ids.num_terms());
    let mut stream = ids.dictionary().stream().map_err(tantivy::TantivyError::from)?;
    while stream.advance() {
        terms.push(String::from_utf8_lossy(stream.key()).into_owned());
    }
    for doc in seg.doc_ids_alive() {
        let Some(ord) = ids.term_ords(doc).next() else { continue };
        if let Some(id) = terms.get(ord as usize) {
            out.push((doc, id.clone(), hashes.first(doc).unwrap_or(0)));
        }
    }
    Ok(out)
}

/// The `meta.json` of an empty index with our schema (for a union of no
/// partition: an audience that may see nothing yet).
pub(crate) fn empty_meta() -> Result<Vec<u8>, IndexError> {
    static META: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    if let Some(m) = META.get() {
        return Ok(m.clone());
    }
    let (schema, _) = schema();
    let dir = tantivy::directory::RamDirectory::create();
    drop(Index::create(dir.clone(), schema, tantivy::IndexSettings::default())?);
    let bytes = tantivy::Directory::atomic_read(&dir, Path::new("meta.json")).map_err(tantivy::TantivyError::from)?;
    Ok(META.get_or_init(|| bytes).clone())
}

/// Brings `index` in step with `docs`: deletes and adds the documents whose
/// hash differs. `prev` is what the previous sync of this index indexed (with
/// the same names): the hash of a dossier that indexes the same text as there
/// is taken from it instead of being computed. Returns what is indexed now.
pub(crate) fn sync_index(
    index: &Index,
    docs: &[Arc<Dossier>],
    names: &Names<'_>,
    prev: Option<&Indexed>,
) -> Result<(SyncStats, Indexed), IndexError> {
    let started = std::time::Instant::now();
    let (_, f) = schema();
    let reader: IndexReader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
    let searcher = reader.searcher();
    let mut existing: HashMap<String, (u64, usize)> = HashMap::new();
    for seg in searcher.segment_readers() {
        for (_, id, hash) in stored_ids(seg)? {
            let e = existing.entry(id).or_insert((hash, 0));
            e.1 += 1;
        }
    }
    let mut stats = SyncStats {
        total: docs.len(),
        ..SyncStats::default()
    };
    let mut writer: Option<IndexWriter> = None;
    let mut indexed: Indexed = HashMap::with_capacity(docs.len());
    for d in docs {
        let known = prev
            .and_then(|p| p.get(&d.id))
            .and_then(|(before, hash)| indexes_the_same(before, d).then_some(*hash));
        let hash = known.unwrap_or_else(|| hash_of(names, d));
        if matches!(existing.get(&d.id), Some((stored, 1)) if *stored == hash) {
            indexed.insert(d.id.clone(), (Arc::clone(d), hash));
            continue;
        }
        let (Some(text), Some(details), Some(toc)) = (d.body.try_text(), d.meta.details.try_read(), d.body.try_toc()) else {
            // Its text cannot be read back (logged by the blob): the indexed
            // version stays, and the unknown hash makes the next sync try again.
            tracing::error!(id = %d.id, "not reindexed: its text, details or headings cannot be read");
            indexed.insert(d.id.clone(), (Arc::clone(d), UNKNOWN_HASH));
            continue;
        };
        indexed.insert(d.id.clone(), (Arc::clone(d), hash));
        if existing.contains_key(&d.id) {
            open_writer(index, &mut writer)?.delete_term(Term::from_field_text(f.id, &d.id));
            stats.deleted += 1;
        }
        open_writer(index, &mut writer)?.add_document(doc!(
            f.id => d.id.as_str(),
            f.hash => hash,
            f.titel => d.meta.titel.as_str(),
            f.samenvatting => details.samenvatting.as_str(),
            f.meta => meta_text(names, d, &details),
            f.koppen => koppen(&toc),
            f.afkortingen => acronyms_of(d, &details, &text),
            f.body => text,
        ))?;
        stats.added += 1;
    }
    let mut left = false;
    for id in existing.keys().filter(|id| !indexed.contains_key(id.as_str())) {
        open_writer(index, &mut writer)?.delete_term(Term::from_field_text(f.id, id));
        stats.deleted += 1;
        left = true;
    }
    let compared = started.elapsed().as_millis() as u64;
    if let Some(mut w) = writer {
        w.commit()?;
        w.wait_merging_threads()?;
        if left {
            purge_deleted(index)?;
        }
    }
    tracing::trace!(
        compared_ms = compared,
        committed_ms = started.elapsed().as_millis() as u64 - compared,
        "index sync"
    );
    Ok((stats, indexed))
}

/// Rewrites every segment that holds deleted documents without them.
///
/// tantivy counts a deleted document in its segment's term statistics
/// (document frequencies, field lengths) and keeps its words in the term
/// dictionary until the segment is merged. Left there, a dossier made more
/// restricted (or deleted) would still shape public scores, and its words would
/// still "exist", so no correction or compound split is tried for them: a
/// reader could learn about a text they may no longer see. So a sync in which
/// a dossier left the index ends with this merge, before the new state is
/// served, and its statistics are those of a fresh build. It costs a rewrite of
/// the segments concerned (docs/benchmarks.md). An edit (the same dossier
/// added again) keeps its old version's counts until the merge policy takes
/// the segment (at 10% deleted documents), as in any Lucene-style index: that
/// text was visible to the same readers.
fn purge_deleted(index: &Index) -> Result<(), IndexError> {
    let ids: Vec<tantivy::index::SegmentId> = index
        .searchable_segment_metas()?
        .iter()
        .filter(|m| m.has_deletes())
        .map(|m| m.id())
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    // A writer of its own, after the sync's writer and its policy merges have
    // finished, so no merge already holds one of these segments.
    let mut w: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
    w.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    w.merge(&ids).wait()?;
    w.wait_merging_threads()?;
    Ok(())
}

fn open_writer<'w>(index: &Index, writer: &'w mut Option<IndexWriter>) -> Result<&'w mut IndexWriter, IndexError> {
    if writer.is_none() {
        // One indexing thread per core (at most four), 40 MB of buffer each.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        let w: IndexWriter = index.writer_with_num_threads(threads, 40_000_000 * threads)?;
        // tantivy's default puts every segment under 10,000 documents in one
        // layer, so every eighth one-document update merged the whole index
        // (0.7 s at 10,000 dossiers, inside the sync); small layers merge the
        // small segments of updates among themselves.
        let mut policy = tantivy::indexer::LogMergePolicy::default();
        policy.set_min_layer_size(100);
        // Old versions of edited dossiers count in term statistics until merged.
        policy.set_del_docs_ratio_before_merge(0.1);
        w.set_merge_policy(Box::new(policy));
        // A writer killed between writing a segment's deletes and committing
        // leaves a `.del` file that the next writer would create again under
        // the same name (same opstamps) and fail on: remove what no commit uses.
        if let Err(e) = w.garbage_collect_files().wait() {
            tracing::warn!(error = %e, "cannot remove files of an interrupted index write");
        }
        *writer = Some(w);
    }
    Ok(writer.as_mut().expect("just set"))
}

/// The index folders under `data_dir/index`.
pub struct IndexStore {
    root: PathBuf,
}

impl IndexStore {
    pub fn new(data_dir: &crate::data_dir::DataDir) -> IndexStore {
        IndexStore { root: data_dir.indexes() }
    }

    fn version_dir(&self) -> PathBuf {
        self.root.join(format!("v{SCHEMA_VERSION}"))
    }

    /// Brings one index per access partition in step with `dossiers` (each
    /// dossier in the partition of its own front matter), with the meta texts
    /// of `names` per partition, starting from what `prev` indexed. Folders of
    /// other schema versions and of partitions without dossiers are removed.
    pub fn sync_partitions<'n>(
        &self,
        dossiers: &[Arc<Dossier>],
        names: &dyn Fn(&str) -> Names<'n>,
        prev: &Partitions,
    ) -> Result<(Partitions, SyncStats), IndexError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| IndexError::Io { path, source }
        };
        let vdir = self.version_dir();
        // Owner only: the indexes hold restricted documents.
        crate::data_dir::DataDir::create_private(&vdir).map_err(io(&vdir))?;
        let mut groups: std::collections::BTreeMap<String, Vec<Arc<Dossier>>> = std::collections::BTreeMap::new();
        for d in dossiers {
            groups.entry(crate::partition::key_of(d)).or_default().push(Arc::clone(d));
        }
        let mut out = Partitions::default();
        let mut stats = SyncStats::default();
        for (key, docs) in &groups {
            let dir = vdir.join(key);
            let index = self.open_or_create(&vdir, key)?;
            let names = names(key);
            let fingerprint = names.fingerprint();
            let before = prev.indexed.get(key).filter(|(f, _)| *f == fingerprint).map(|(_, i)| i);
            let started = std::time::Instant::now();
            let (synced, indexed) = sync_index(&index, docs, &names, before)?;
            tracing::debug!(partition = key, sync_ms = started.elapsed().as_millis() as u64, "partition synced");
            stats.merge(synced);
            out.dirs.insert(key.clone(), dir);
            out.indexed.insert(key.clone(), (fingerprint, indexed));
        }
        // Best effort: on Unix, readers of a removed folder keep their open files.
        if let Ok(entries) = std::fs::read_dir(&vdir) {
            for e in entries.flatten() {
                if !groups.keys().any(|k| e.file_name() == k.as_str()) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        if let Ok(entries) = std::fs::read_dir(&self.root) {
            for e in entries.flatten() {
                if e.file_name() != vdir.file_name().unwrap_or_default() {
                    let _ = if e.path().is_dir() {
                        std::fs::remove_dir_all(e.path())
                    } else {
                        std::fs::remove_file(e.path())
                    };
                }
            }
        }
        Ok((out, stats))
    }

    /// The index in `vdir/key`, created (or rebuilt when unreadable) if needed.
    fn open_or_create(&self, vdir: &Path, key: &str) -> Result<Index, IndexError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| IndexError::Io { path, source }
        };
        let dir = vdir.join(key);
        match open_dir(&dir) {
            Ok(index) => Ok(index),
            Err(e) => {
                if dir.exists() {
                    tracing::warn!(partition = key, error = %e, "index unreadable, rebuilding it");
                    std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
                }
                // Made in a sibling folder and renamed into place, so a kill
                // during creation leaves no folder without its meta.json.
                let fresh = vdir.join(format!("{key}.nieuw"));
                if fresh.exists() {
                    std::fs::remove_dir_all(&fresh).map_err(io(&fresh))?;
                }
                std::fs::create_dir_all(&fresh).map_err(io(&fresh))?;
                let (schema, _) = schema();
                drop(Index::create_in_dir(&fresh, schema)?);
                std::fs::rename(&fresh, &dir).map_err(io(&dir))?;
                open_dir(&dir)
            }
        }
    }
}

fn open_dir(dir: &Path) -> Result<Index, IndexError> {
    let index = Index::open_in_dir(dir)?;
    let (expected, _) = schema();
    if index.schema() != expected {
        return Err(IndexError::Tantivy(tantivy::TantivyError::SchemaError("schema differs".into())));
    }
    register(&index, dutch_analyzer());
    Ok(index)
}

/// Used by tests: the text of a field's tokens after analysis.
pub fn analyze(text: &str) -> Vec<String> {
    let mut a = dutch_analyzer();
    let mut stream = a.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SearchIndex;

    #[test]
    fn analyzer_matches_inflections_and_diacritics() {
        assert_eq!(analyze("woningen"), analyze("woning"));
        assert_eq!(analyze("coöperatie"), analyze("cooperatie"));
        assert_eq!(analyze("Café"), analyze("cafe"));
        assert_eq!(analyze("panden"), analyze("pand"));
        assert_eq!(analyze("rolmodellen"), analyze("rolmodel"));
        assert_eq!(analyze("stoffen"), analyze("stof"));
    }

    fn library(docs: &[(&str, &str)]) -> Library {
        crate::testkit::library(docs)
    }

    /// How many dossiers (not playbooks or collections) a query finds.
    fn search(idx: &SearchIndex, lib: &Library, q: &str) -> usize {
        idx.search(
            lib,
            &crate::search::SearchRequest {
                q: q.into(),
                filters: [("type".to_string(), vec!["leerdossier".to_string(), "praktijk".to_string()])].into(),
                ..Default::default()
            },
        )
        .unwrap()
        .total
    }

    /// Syncs `lib`'s dossiers into partitions (after `prev`) and opens what its audience sees.
    fn sync(store: &IndexStore, lib: &Library, prev: &Partitions) -> (SearchIndex, SyncStats, Partitions) {
        let (parts, stats) = store.sync_partitions(&lib.dossiers, &|_| Names::of_library(lib), prev).unwrap();
        let idx = SearchIndex::over(&parts.dirs_for(&lib.audience), lib).unwrap();
        (idx, stats, parts)
    }

    #[test]
    fn sync_writes_only_what_changed_and_converges() {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::new(&dir.path().into());
        let none = Partitions::default();
        let lib = library(&[("a", "Panden in Maastricht."), ("b", "Horeca in Venlo."), ("c", "Haven en douane.")]);
        let (idx, stats, _) = sync(&store, &lib, &none);
        assert_eq!((stats.added, stats.deleted), (3, 0));
        assert_eq!(search(&idx, &lib, "venlo"), 1);
        drop(idx);
        // Nothing changed: nothing written.
        let (_, stats, _) = sync(&store, &lib, &none);
        assert_eq!((stats.added, stats.deleted), (0, 0));
        // One changed, one deleted, one added.
        let lib2 = library(&[("a", "Panden in Heerlen."), ("c", "Haven en douane."), ("d", "Recreatieparken.")]);
        let (idx, stats, _) = sync(&store, &lib2, &none);
        assert_eq!((stats.added, stats.deleted), (2, 2));
        assert_eq!(idx.num_docs(), 3);
        assert_eq!(search(&idx, &lib2, "venlo"), 0);
        assert_eq!(search(&idx, &lib2, "heerlen"), 1);
        assert_eq!(search(&idx, &lib2, "maastricht"), 0);
    }

    #[test]
    fn a_dossier_that_leaves_no_longer_counts_in_the_term_statistics() {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::new(&dir.path().into());
        let none = Partitions::default();
        let texts: Vec<(String, String)> = (0..40)
            .map(|i| (format!("d{i}"), format!("Panden in Maastricht, dossier {i}.")))
            .collect();
        let mut docs: Vec<(&str, &str)> = texts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        docs.push(("weg", "Horeca in Venlo en Maastricht."));
        let (idx, _, _) = sync(&store, &library(&docs), &none);
        let df = |idx: &SearchIndex, word: &str| {
            let term = Term::from_field_text(idx.fields.body, &analyze(word)[0]);
            idx.reader.searcher().doc_freq(&term).unwrap()
        };
        assert_eq!((df(&idx, "venlo"), df(&idx, "maastricht")), (1, 41));
        drop(idx);
        // One deletion in 41 documents: far below what tantivy's merge policy
        // would take by itself.
        docs.pop();
        let (idx, stats, _) = sync(&store, &library(&docs), &none);
        assert_eq!(stats.deleted, 1);
        assert_eq!(df(&idx, "venlo"), 0, "the word of the dossier that left still exists");
        assert_eq!(df(&idx, "maastricht"), 40, "the dossier that left still counts");
    }

    #[test]
    fn each_dossier_is_indexed_once_and_an_audience_scores_as_over_its_own_documents() {
        use crate::Audience;
        use crate::catalog::RenderCache;
        let mut docs: Vec<(String, &str, String)> = Vec::new();
        for i in 0..12 {
            docs.push((
                format!("limburg/open{i}"),
                "openbaar",
                format!("Panden en witwassen in Maastricht, dossier {i}."),
            ));
        }
        for i in 0..4 {
            docs.push((
                format!("limburg/netwerk{i}"),
                "netwerk",
                format!("Netwerkpanden en vastgoed, dossier {i}."),
            ));
            docs.push((
                format!("limburg/regio{i}"),
                "regio",
                format!("Regiopanden in Limburg en Venlo, dossier {i}."),
            ));
            docs.push((
                format!("rotterdam/regio{i}"),
                "regio",
                format!("Havenpanden in Rotterdam, dossier {i}."),
            ));
        }
        let refs: Vec<(&str, &str, &str)> = docs.iter().map(|(a, b, c)| (a.as_str(), *b, c.as_str())).collect();
        let catalog = crate::testkit::catalog(&mut RenderCache::default(), &[("vastgoed", "Vastgoed")], &refs);
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::new(&dir.path().into());
        let names = |key: &str| Names::visible(&catalog, &crate::partition::own_audience(key));
        let (parts, stats) = store.sync_partitions(&catalog.dossiers, &names, &Partitions::default()).unwrap();
        assert_eq!(stats.added, docs.len(), "every dossier indexed exactly once");
        assert_eq!(
            parts.keys().collect::<Vec<_>>(),
            ["netwerk", "openbaar", "regio-limburg", "regio-rotterdam"]
        );
        for audience in [
            Audience::Public,
            Audience::Network,
            Audience::Regions(vec!["limburg".into()]),
            Audience::Liec,
        ] {
            let lib = Library::new(&catalog, audience.clone());
            let union = SearchIndex::over(&parts.dirs_for(&audience), &lib).unwrap();
            let alone = SearchIndex::build_in_ram(&lib).unwrap();
            assert_eq!(union.num_docs() as usize, lib.dossiers.len(), "{audience:?}: exactly its documents");
            for q in ["panden", "panden maastricht", "regiopanden", "havenpanden", "vastgoed"] {
                let req = crate::search::SearchRequest {
                    q: q.into(),
                    per_page: 100,
                    ..Default::default()
                };
                let hits = |idx: &SearchIndex| -> Vec<(String, String)> {
                    idx.search(&lib, &req)
                        .unwrap()
                        .hits
                        .iter()
                        .filter(|h| h.kind == crate::search::pagedocs::HitKind::Dossier)
                        .map(|h| (lib.dossiers[h.ord].id.clone(), format!("{:.4}", h.score)))
                        .collect()
                };
                assert_eq!(
                    hits(&union),
                    hits(&alone),
                    "{audience:?} `{q}`: the same hits and scores as one index of its documents"
                );
            }
        }
        // The public union never holds a restricted document.
        let public = Library::new(&catalog, Audience::Public);
        let union = SearchIndex::over(&parts.dirs_for(&Audience::Public), &public).unwrap();
        let searcher = union.reader.searcher();
        for seg in searcher.segment_readers() {
            for (_, id, _) in stored_ids(seg).unwrap() {
                assert!(id.contains("/open"), "{id} in the public union");
            }
        }
        let term = Term::from_field_text(union.fields.body, &analyze("havenpanden")[0]);
        assert_eq!(searcher.doc_freq(&term).unwrap(), 0, "no statistic of a restricted word");
    }

    #[test]
    fn a_second_sync_hashes_only_what_changed_and_sees_renamed_themas() {
        use crate::catalog::RenderCache;
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::new(&dir.path().into());
        let mut cache = RenderCache::default();
        let mut docs = vec![
            ("limburg/a", "openbaar", "Panden in Maastricht.".to_string()),
            ("limburg/b", "openbaar", "Horeca in Venlo.".to_string()),
            ("limburg/c", "openbaar", "Haven en douane.".to_string()),
        ];
        let catalog = |cache: &mut RenderCache, titel: &str, docs: &[(&str, &str, String)]| {
            let refs: Vec<(&str, &str, &str)> = docs.iter().map(|(a, b, c)| (*a, *b, c.as_str())).collect();
            crate::testkit::catalog(cache, &[("vastgoed", titel)], &refs)
        };
        let hashes = |parts: &Partitions| -> Vec<u64> {
            let mut h: Vec<(String, u64)> = parts.indexed["openbaar"].1.iter().map(|(id, (_, h))| (id.clone(), *h)).collect();
            h.sort();
            h.into_iter().map(|(_, h)| h).collect()
        };
        let fresh = |lib: &Library| -> Vec<u64> {
            let mut h: Vec<(String, u64)> = lib
                .dossiers
                .iter()
                .map(|d| (d.id.clone(), hash_of(&Names::of_library(lib), d)))
                .collect();
            h.sort();
            h.into_iter().map(|(_, h)| h).collect()
        };
        let lib1 = Library::new(&catalog(&mut cache, "Vastgoed", &docs), crate::Audience::Public);
        let (_, stats, p1) = sync(&store, &lib1, &Partitions::default());
        assert_eq!((stats.added, stats.deleted), (3, 0));
        // One body changed: one document replaced, the others' hashes carried over.
        docs[1].2 = "Horeca in Roermond.".into();
        let lib2 = Library::new(&catalog(&mut cache, "Vastgoed", &docs), crate::Audience::Public);
        let (idx2, stats, p2) = sync(&store, &lib2, &p1);
        assert_eq!((stats.added, stats.deleted), (1, 1));
        assert_eq!(hashes(&p2), fresh(&lib2));
        assert_eq!(search(&idx2, &lib2, "roermond"), 1);
        // A thema's title is indexed with every dossier on that thema: all change.
        let lib3 = Library::new(&catalog(&mut cache, "Vastgoed en panden", &docs), crate::Audience::Public);
        let (idx3, stats, p3) = sync(&store, &lib3, &p2);
        assert_eq!((stats.added, stats.deleted), (3, 3));
        assert_eq!(hashes(&p3), fresh(&lib3));
        assert_eq!(search(&idx3, &lib3, "panden"), 3);
        assert_ne!(hashes(&p3), hashes(&p2));
    }

    #[test]
    fn similar_works_after_updates_leave_deleted_documents() {
        // Regression (see pitfalls): MoreLikeThis panicked once an index held deleted documents.
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::new(&dir.path().into());
        let none = Partitions::default();
        let docs: Vec<(String, String)> = (0..12)
            .map(|i| (format!("d{i}"), format!("de het en panden witwassen vastgoed nummer{i}")))
            .collect();
        let refs: Vec<(&str, &str)> = docs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let lib = library(&refs);
        sync(&store, &lib, &none);
        for round in 0..20 {
            let docs: Vec<(String, String)> = (0..12)
                .map(|i| {
                    (
                        format!("d{i}"),
                        format!("de het en panden witwassen vastgoed nummer{i} ronde{round}"),
                    )
                })
                .collect();
            let refs: Vec<(&str, &str)> = docs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let lib = library(&refs);
            let (idx, _, _) = sync(&store, &lib, &none);
            let out = idx
                .similar(
                    &lib,
                    0,
                    crate::search::similar::SimilarOptions {
                        k: 5,
                        zelfde_regio: true,
                        auteur_alle_regios: false,
                    },
                )
                .unwrap();
            assert!(!out.is_empty());
        }
    }

    #[test]
    fn an_unreadable_or_old_index_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::new(&dir.path().into());
        let lib = library(&[("a", "Panden.")]);
        std::fs::create_dir_all(dir.path().join("index/v1/openbaar")).unwrap();
        std::fs::create_dir_all(dir.path().join(format!("index/v{SCHEMA_VERSION}/openbaar"))).unwrap();
        std::fs::write(dir.path().join(format!("index/v{SCHEMA_VERSION}/openbaar/meta.json")), "{kapot").unwrap();
        let (idx, stats, _) = sync(&store, &lib, &Partitions::default());
        assert_eq!(stats.added, 1);
        assert_eq!(idx.num_docs(), 1);
        assert!(!dir.path().join("index/v1").exists(), "old schema versions are removed");
    }
}
