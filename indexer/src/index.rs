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
pub const SCHEMA_VERSION: u32 = 3;
/// Name of the Dutch analyzer.
pub const NL: &str = "nl";

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
}

/// The Dutch analyzer: words, lowercased, diacritics folded, Dutch stems.
pub fn dutch_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::Dutch))
        .build()
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
    };
    (b.build(), fields)
}

/// What is indexed for one dossier.
struct Indexed {
    titel: String,
    samenvatting: String,
    meta: String,
    koppen: String,
    body: String,
    hash: u64,
}

fn indexed(lib: &Library, d: &Dossier) -> Indexed {
    let meta = meta_text(lib, d);
    let koppen = d.body.toc.iter().map(|h| h.text.as_str()).collect::<Vec<_>>().join(" \n ");
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
    let hash = u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"));
    Indexed {
        titel: d.meta.titel.clone(),
        samenvatting: d.meta.samenvatting.clone(),
        meta,
        koppen,
        body: d.body.text.clone(),
        hash,
    }
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

/// An open index for one audience, aligned with that audience's library.
pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    /// Per segment, per doc id: the dossier's ordinal in the library (`u32::MAX` if unknown).
    pub ordinals: Arc<Vec<Vec<u32>>>,
    /// A plain baseline: no query expansion (used to measure what the Dutch analysis adds).
    pub plain: bool,
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
        index.tokenizers().register(NL, analyzer);
        sync_index(&index, lib)?;
        let mut s = Self::align(index, lib)?;
        s.plain = plain;
        Ok(s)
    }

    /// Maps the index's documents to the library's ordinals.
    fn align(index: Index, lib: &Library) -> Result<SearchIndex, IndexError> {
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
        Ok(SearchIndex {
            index,
            reader,
            fields,
            ordinals: Arc::new(ordinals),
            plain: false,
        })
    }

    /// Number of documents in the index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

/// The live documents of a segment: (doc id, dossier id, hash).
fn stored_ids(seg: &tantivy::SegmentReader) -> Result<Vec<(u32, String, u64)>, IndexError> {
    let mut out = Vec::new();
    let ff = seg.fast_fields();
    let (Some(ids), Ok(hashes)) = (ff.str("id")?, ff.u64("hash")) else {
        return Ok(out);
    };
    let mut buf = String::new();
    for doc in seg.doc_ids_alive() {
        let Some(ord) = ids.term_ords(doc).next() else { continue };
        buf.clear();
        if ids.ord_to_str(ord, &mut buf).unwrap_or(false) {
            out.push((doc, buf.clone(), hashes.first(doc).unwrap_or(0)));
        }
    }
    Ok(out)
}

/// Brings `index` in step with `lib`: deletes and adds the documents whose hash differs.
fn sync_index(index: &Index, lib: &Library) -> Result<SyncStats, IndexError> {
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
    let mut writer: Option<IndexWriter> = None;
    let mut wanted: HashMap<&str, ()> = HashMap::with_capacity(lib.dossiers.len());
    for d in &lib.dossiers {
        wanted.insert(d.id.as_str(), ());
        let doc = indexed(lib, d);
        match existing.get(&d.id) {
            Some((hash, 1)) if *hash == doc.hash => continue,
            Some(_) => {
                open_writer(index, &mut writer)?.delete_term(Term::from_field_text(f.id, &d.id));
                stats.deleted += 1;
            }
            None => {}
        }
        open_writer(index, &mut writer)?.add_document(doc!(
            f.id => d.id.as_str(),
            f.hash => doc.hash,
            f.titel => doc.titel,
            f.samenvatting => doc.samenvatting,
            f.meta => doc.meta,
            f.koppen => doc.koppen,
            f.body => doc.body,
        ))?;
        stats.added += 1;
    }
    for id in existing.keys().filter(|id| !wanted.contains_key(id.as_str())) {
        open_writer(index, &mut writer)?.delete_term(Term::from_field_text(f.id, id));
        stats.deleted += 1;
    }
    if let Some(mut w) = writer {
        w.commit()?;
        w.wait_merging_threads()?;
    }
    Ok(stats)
}

fn open_writer<'w>(index: &Index, writer: &'w mut Option<IndexWriter>) -> Result<&'w mut IndexWriter, IndexError> {
    if writer.is_none() {
        // One indexing thread per core (at most four), 40 MB of buffer each.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        *writer = Some(index.writer_with_num_threads(threads, 40_000_000 * threads)?);
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
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| IndexError::Io { path, source }
        };
        let vdir = self.version_dir();
        std::fs::create_dir_all(&vdir).map_err(io(&vdir))?;
        let mut out = Vec::new();
        let mut stats = SyncStats::default();
        for (key, lib) in libs {
            let dir = vdir.join(key);
            let index = match open_dir(&dir) {
                Ok(index) => index,
                Err(e) => {
                    if dir.exists() {
                        tracing::warn!(audience = key, error = %e, "index unreadable, rebuilding it");
                        std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
                    }
                    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
                    let (schema, _) = schema();
                    let index = Index::create_in_dir(&dir, schema)?;
                    index.tokenizers().register(NL, dutch_analyzer());
                    index
                }
            };
            stats.merge(sync_index(&index, lib)?);
            out.push(SearchIndex::align(index, lib)?);
        }
        // Best effort: on Unix, readers of a removed folder keep their open files.
        let keep: Vec<&str> = libs.iter().map(|(k, _)| *k).collect();
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
    index.tokenizers().register(NL, dutch_analyzer());
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
    }

    fn library(docs: &[(&str, &str)]) -> Library {
        crate::testkit::library(docs)
    }

    fn search(idx: &SearchIndex, lib: &Library, q: &str) -> usize {
        idx.search(
            lib,
            &crate::search::SearchRequest {
                q: q.into(),
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
                .similar(&lib, 0, crate::similar::SimilarOptions { k: 5, zelfde_regio: true })
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
