//! The tantivy index of one audience: the schema, the Dutch analyzer, and
//! keeping an index on disk in step with a library. The index is a
//! disposable cache of git: it lives in `data_dir/index/v{SCHEMA_VERSION}/{audience}`,
//! every document carries a hash of what was indexed, and `IndexStore::sync`
//! deletes and adds exactly the documents whose hash differs. One tantivy
//! commit per sync makes each update atomic: a crash leaves the old state or
//! the new one, never a mix, and the next sync converges from either.

use crate::library::Library;
use crate::model::Dossier;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::schema::{FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term, doc};

/// Bump when the schema or the analysis changes: old indexes are rebuilt.
pub const SCHEMA_VERSION: u32 = 5;
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
        .filter(crate::undouble::Undouble)
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
fn acronyms_of(d: &Dossier) -> String {
    let mut out = crate::text::acronyms(&d.meta.titel);
    for part in [&d.meta.samenvatting, &d.body.text] {
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

/// The hash of what is indexed for a dossier: its title, summary, meta text,
/// headings and body.
fn hash_of(lib: &Library, d: &Dossier) -> u64 {
    let meta = meta_text(lib, d);
    let koppen = koppen(d);
    let mut h = Sha256::new();
    for part in [
        d.meta.titel.as_str(),
        d.meta.samenvatting.as_str(),
        meta.as_str(),
        koppen.as_str(),
        d.body.text.as_str(),
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

fn koppen(d: &Dossier) -> String {
    d.body.toc.iter().map(|h| h.text.as_str()).collect::<Vec<_>>().join(" \n ")
}

/// True when `a` (of library `la`) and `b` (of `lb`) index the same text, so
/// the hash of one is the hash of the other. Bodies are compared by pointer
/// (a rendering is shared for as long as its file is unchanged), the front
/// matter that is indexed by value, and the names that go into the meta text
/// (vocabulary, thema titles) by the caller, once per library.
fn indexes_the_same(a: &Dossier, b: &Dossier) -> bool {
    let (ma, mb) = (&a.meta, &b.meta);
    Arc::ptr_eq(&a.body, &b.body)
        && (Arc::ptr_eq(ma, mb)
            || (ma.titel == mb.titel
                && ma.samenvatting == mb.samenvatting
                && ma.trefwoorden == mb.trefwoorden
                && ma.gemeenten == mb.gemeenten
                && ma.themas == mb.themas
                && ma.partners == mb.partners
                && ma.instrumenten == mb.instrumenten
                && ma.regio == mb.regio))
}

/// True when the names that go into `meta_text` are the same in both libraries.
fn same_names(a: &Library, b: &Library) -> bool {
    a.vocab == b.vocab
        && a.playbooks
            .iter()
            .map(|p| (&p.slug, &p.meta.titel))
            .eq(b.playbooks.iter().map(|p| (&p.slug, &p.meta.titel)))
}

fn meta_text(lib: &Library, d: &Dossier) -> String {
    let v = &lib.vocab;
    let mut parts: Vec<&str> = Vec::new();
    parts.extend(d.meta.trefwoorden.iter().map(String::as_str));
    parts.extend(d.meta.gemeenten.iter().map(String::as_str));
    parts.extend(d.meta.themas.iter().map(|t| lib.thema_name(t)));
    parts.extend(d.meta.partners.iter().map(|p| v.partners.name(p)));
    parts.extend(d.meta.instrumenten.iter().map(|p| v.instrumenten.name(p)));
    parts.push(v.regios.name(&d.meta.regio));
    parts.join(" \n ")
}

/// A library to sync an index folder with, named by its key, with the library
/// and index of the previous sync of that folder, if any.
pub type SyncRequest<'a> = (&'a str, &'a Library, Option<(&'a Library, &'a SearchIndex)>);

/// An open index for one audience, aligned with that audience's library.
pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    /// Per segment, per doc id: the dossier's ordinal in the library (`u32::MAX` if unknown).
    pub ordinals: Arc<Vec<Vec<u32>>>,
    /// The library's playbooks and collections, searched beside the dossiers.
    pub pages: Arc<crate::pagedocs::PageIndex>,
    /// A plain baseline: no query expansion (used to measure what the Dutch analysis adds).
    pub plain: bool,
    /// Per dossier ordinal: the hash of what is indexed for it, so the next sync
    /// hashes only the dossiers that changed.
    hashes: Vec<u64>,
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

impl SearchIndex {
    /// Builds an index for `lib` in memory (for audiences assembled on demand).
    pub fn build_in_ram(lib: &Library) -> Result<SearchIndex, IndexError> {
        Self::build_in_ram_with(lib, dutch_analyzer(), false)
    }

    /// Builds an in-memory index with another analyzer; `plain` turns query expansion off.
    /// The relevance tests use it for the baseline (tantivy's default tokenizer).
    pub fn build_in_ram_with(lib: &Library, analyzer: TextAnalyzer, plain: bool) -> Result<SearchIndex, IndexError> {
        let (schema, _) = schema();
        let index = Index::create_in_ram(schema);
        register(&index, analyzer);
        let (_, hashes) = sync_index(&index, lib, None)?;
        let mut s = Self::align(index, lib, hashes)?;
        s.plain = plain;
        Ok(s)
    }

    /// Maps the index's documents to the library's ordinals.
    fn align(index: Index, lib: &Library, hashes: Vec<u64>) -> Result<SearchIndex, IndexError> {
        let (_, fields) = schema();
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        let mut ordinals = Vec::new();
        for seg in searcher.segment_readers() {
            let mut map = vec![u32::MAX; seg.max_doc() as usize];
            for (doc, id, _) in stored_ids(seg)? {
                if let Some(i) = lib.ordinal(&id) {
                    map[doc as usize] = i as u32;
                }
            }
            ordinals.push(map);
        }
        let nl = index.tokenizers().get(NL).expect("analyzer registered");
        let pages = Arc::new(crate::pagedocs::PageIndex::build(lib, nl)?);
        Ok(SearchIndex {
            pages,
            index,
            reader,
            fields,
            ordinals: Arc::new(ordinals),
            plain: false,
            hashes,
        })
    }

    /// Number of documents in the index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
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

/// Brings `index` in step with `lib`: deletes and adds the documents whose hash
/// differs. `prev` is the library and index of the previous sync of this index:
/// the hash of a dossier that indexes the same text as there is taken from it
/// instead of being computed. Returns the hashes by ordinal.
fn sync_index(index: &Index, lib: &Library, prev: Option<(&Library, &SearchIndex)>) -> Result<(SyncStats, Vec<u64>), IndexError> {
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
        total: lib.dossiers.len(),
        ..SyncStats::default()
    };
    let prev = prev.filter(|(pl, pi)| pi.hashes.len() == pl.dossiers.len() && same_names(pl, lib));
    let mut writer: Option<IndexWriter> = None;
    let mut wanted: HashMap<&str, ()> = HashMap::with_capacity(lib.dossiers.len());
    let mut hashes = Vec::with_capacity(lib.dossiers.len());
    for d in &lib.dossiers {
        wanted.insert(d.id.as_str(), ());
        let known = prev.and_then(|(pl, pi)| {
            let j = pl.ordinal(&d.id)?;
            indexes_the_same(&pl.dossiers[j], d).then(|| pi.hashes[j])
        });
        let hash = known.unwrap_or_else(|| hash_of(lib, d));
        hashes.push(hash);
        match existing.get(&d.id) {
            Some((stored, 1)) if *stored == hash => continue,
            Some(_) => {
                open_writer(index, &mut writer)?.delete_term(Term::from_field_text(f.id, &d.id));
                stats.deleted += 1;
            }
            None => {}
        }
        open_writer(index, &mut writer)?.add_document(doc!(
            f.id => d.id.as_str(),
            f.hash => hash,
            f.titel => d.meta.titel.as_str(),
            f.samenvatting => d.meta.samenvatting.as_str(),
            f.meta => meta_text(lib, d),
            f.koppen => koppen(d),
            f.body => d.body.text.as_str(),
            f.afkortingen => acronyms_of(d),
        ))?;
        stats.added += 1;
    }
    let mut left = false;
    for id in existing.keys().filter(|id| !wanted.contains_key(id.as_str())) {
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
    Ok((stats, hashes))
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
    pub fn new(data_dir: &Path) -> IndexStore {
        IndexStore {
            root: data_dir.join("index"),
        }
    }

    fn version_dir(&self) -> PathBuf {
        self.root.join(format!("v{SCHEMA_VERSION}"))
    }

    /// Opens (or creates) the index of each library, named by `keys`, and brings it
    /// in step. Folders of other schema versions and of audiences no longer
    /// served are removed.
    pub fn sync(&self, libs: &[(&str, &Library)]) -> Result<(Vec<SearchIndex>, SyncStats), IndexError> {
        let libs: Vec<_> = libs.iter().map(|(k, l)| (*k, *l, None)).collect();
        self.sync_after(&libs)
    }

    /// Like `sync`, with each library's previous library and index (of the last
    /// sync of the same folder), from which unchanged dossiers' hashes are taken.
    pub fn sync_after(&self, libs: &[SyncRequest<'_>]) -> Result<(Vec<SearchIndex>, SyncStats), IndexError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| IndexError::Io { path, source }
        };
        let vdir = self.version_dir();
        // Owner only: the indexes hold restricted documents.
        crate::filecache::create_private_dir(&vdir).map_err(io(&vdir))?;
        let mut out = Vec::new();
        let mut stats = SyncStats::default();
        for (key, lib, prev) in libs {
            let dir = vdir.join(key);
            let index = match open_dir(&dir) {
                Ok(index) => index,
                Err(e) => {
                    if dir.exists() {
                        tracing::warn!(audience = key, error = %e, "index unreadable, rebuilding it");
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
                    open_dir(&dir)?
                }
            };
            let started = std::time::Instant::now();
            let (synced, hashes) = sync_index(&index, lib, *prev)?;
            let synced_ms = started.elapsed().as_millis() as u64;
            stats.merge(synced);
            out.push(SearchIndex::align(index, lib, hashes)?);
            tracing::debug!(
                audience = key,
                sync_ms = synced_ms,
                align_ms = started.elapsed().as_millis() as u64 - synced_ms,
                "index synced"
            );
        }
        // Best effort: on Unix, readers of a removed folder keep their open files.
        let keep: Vec<&str> = libs.iter().map(|(k, _, _)| *k).collect();
        if let Ok(entries) = std::fs::read_dir(&vdir) {
            for e in entries.flatten() {
                if !keep.iter().any(|k| e.file_name() == *k) {
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

    #[test]
    fn sync_writes_only_what_changed_and_converges() {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::new(dir.path());
        let lib = library(&[("a", "Panden in Maastricht."), ("b", "Horeca in Venlo."), ("c", "Haven en douane.")]);
        let (idx, stats) = store.sync(&[("openbaar", &lib)]).unwrap();
        assert_eq!((stats.added, stats.deleted), (3, 0));
        assert_eq!(search(&idx[0], &lib, "venlo"), 1);
        drop(idx);
        // Nothing changed: nothing written.
        let (_, stats) = store.sync(&[("openbaar", &lib)]).unwrap();
        assert_eq!((stats.added, stats.deleted), (0, 0));
        // One changed, one deleted, one added.
        let lib2 = library(&[("a", "Panden in Heerlen."), ("c", "Haven en douane."), ("d", "Recreatieparken.")]);
        let (idx, stats) = store.sync(&[("openbaar", &lib2)]).unwrap();
        assert_eq!((stats.added, stats.deleted), (2, 2));
        assert_eq!(idx[0].num_docs(), 3);
        assert_eq!(search(&idx[0], &lib2, "venlo"), 0);
        assert_eq!(search(&idx[0], &lib2, "heerlen"), 1);
        assert_eq!(search(&idx[0], &lib2, "maastricht"), 0);
    }

    #[test]
    fn a_dossier_that_leaves_no_longer_counts_in_the_term_statistics() {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::new(dir.path());
        let texts: Vec<(String, String)> = (0..40)
            .map(|i| (format!("d{i}"), format!("Panden in Maastricht, dossier {i}.")))
            .collect();
        let mut docs: Vec<(&str, &str)> = texts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        docs.push(("weg", "Horeca in Venlo en Maastricht."));
        let (idx, _) = store.sync(&[("openbaar", &library(&docs))]).unwrap();
        let df = |idx: &SearchIndex, word: &str| {
            let term = Term::from_field_text(idx.fields.body, &analyze(word)[0]);
            idx.reader.searcher().doc_freq(&term).unwrap()
        };
        assert_eq!((df(&idx[0], "venlo"), df(&idx[0], "maastricht")), (1, 41));
        drop(idx);
        // One deletion in 41 documents: far below what tantivy's merge policy
        // would take by itself.
        docs.pop();
        let (idx, stats) = store.sync(&[("openbaar", &library(&docs))]).unwrap();
        assert_eq!(stats.deleted, 1);
        assert_eq!(df(&idx[0], "venlo"), 0, "the word of the dossier that left still exists");
        assert_eq!(df(&idx[0], "maastricht"), 40, "the dossier that left still counts");
    }

    #[test]
    fn sync_after_a_previous_sync_hashes_only_what_changed_and_sees_renamed_themas() {
        use crate::corpus::RenderCache;
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::new(dir.path());
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
        let fresh_hashes = |lib: &Library| lib.dossiers.iter().map(|d| hash_of(lib, d)).collect::<Vec<_>>();
        let lib1 = Library::new(&catalog(&mut cache, "Vastgoed", &docs), crate::Audience::Public);
        let (idx1, stats) = store.sync_after(&[("openbaar", &lib1, None)]).unwrap();
        assert_eq!((stats.added, stats.deleted), (3, 0));
        // One body changed: one document replaced, the others' hashes carried over.
        docs[1].2 = "Horeca in Roermond.".into();
        let lib2 = Library::update(&catalog(&mut cache, "Vastgoed", &docs), crate::Audience::Public, &lib1);
        let (idx2, stats) = store.sync_after(&[("openbaar", &lib2, Some((&lib1, &idx1[0])))]).unwrap();
        assert_eq!((stats.added, stats.deleted), (1, 1));
        assert_eq!(idx2[0].hashes, fresh_hashes(&lib2));
        assert_eq!(search(&idx2[0], &lib2, "roermond"), 1);
        // A thema's title is indexed with every dossier on that thema: all change.
        let lib3 = Library::update(&catalog(&mut cache, "Vastgoed en panden", &docs), crate::Audience::Public, &lib2);
        let (idx3, stats) = store.sync_after(&[("openbaar", &lib3, Some((&lib2, &idx2[0])))]).unwrap();
        assert_eq!((stats.added, stats.deleted), (3, 3));
        assert_eq!(idx3[0].hashes, fresh_hashes(&lib3));
        assert_eq!(search(&idx3[0], &lib3, "panden"), 3);
        assert_ne!(idx3[0].hashes, idx2[0].hashes);
    }

    #[test]
    fn similar_works_after_updates_leave_deleted_documents() {
        // Regression (see pitfalls): MoreLikeThis panicked once an index held deleted documents.
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::new(dir.path());
        let docs: Vec<(String, String)> = (0..12)
            .map(|i| (format!("d{i}"), format!("de het en panden witwassen vastgoed nummer{i}")))
            .collect();
        let refs: Vec<(&str, &str)> = docs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let lib = library(&refs);
        store.sync(&[("openbaar", &lib)]).unwrap();
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
            let (idx, _) = store.sync(&[("openbaar", &lib)]).unwrap();
            let out = idx[0]
                .similar(
                    &lib,
                    0,
                    crate::similar::SimilarOptions {
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
        let store = IndexStore::new(dir.path());
        let lib = library(&[("a", "Panden.")]);
        std::fs::create_dir_all(dir.path().join("index/v1/openbaar")).unwrap();
        std::fs::create_dir_all(dir.path().join(format!("index/v{SCHEMA_VERSION}/openbaar"))).unwrap();
        std::fs::write(dir.path().join(format!("index/v{SCHEMA_VERSION}/openbaar/meta.json")), "{kapot").unwrap();
        let (idx, stats) = store.sync(&[("openbaar", &lib)]).unwrap();
        assert_eq!(stats.added, 1);
        assert_eq!(idx[0].num_docs(), 1);
        assert!(!dir.path().join("index/v1").exists(), "old schema versions are removed");
    }
}
