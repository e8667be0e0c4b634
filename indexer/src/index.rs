//! The tantivy index of one audience: the schema, the Dutch analyzer, and
//! building or reopening the index on disk. The index is a disposable cache
//! of git: a different schema version or different source commits mean a
//! fresh build in a new generation folder, switched to atomically.

use crate::library::Library;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::schema::{FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer};
use tantivy::{Index, IndexReader, ReloadPolicy, doc};

/// Bump when the schema or the analysis changes: old indexes are rebuilt.
pub const SCHEMA_VERSION: u32 = 1;
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
    pub titel: Field,
    pub samenvatting: Field,
    /// Trefwoorden, gemeenten and the display names of themas, partners, region.
    pub meta: Field,
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
        titel: b.add_text_field("titel", text.clone()),
        samenvatting: b.add_text_field("samenvatting", text.clone()),
        meta: b.add_text_field("meta", text.clone()),
        body: b.add_text_field("body", text),
    };
    (b.build(), fields)
}

/// An open index for one audience, aligned with that audience's library.
pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    /// Per segment, per doc id: the dossier's ordinal in the library (`u32::MAX` if unknown).
    pub ordinals: Arc<Vec<Vec<u32>>>,
}

impl SearchIndex {
    /// Writes a fresh index for `lib` into `dir` (which must be empty or absent).
    pub fn build(dir: &Path, lib: &Library) -> Result<SearchIndex, IndexError> {
        std::fs::create_dir_all(dir).map_err(|source| IndexError::Io { path: dir.into(), source })?;
        let (schema, _) = schema();
        Self::fill(Index::create_in_dir(dir, schema)?, lib)
    }

    /// Builds an index for `lib` in memory (for audiences assembled on demand).
    pub fn build_in_ram(lib: &Library) -> Result<SearchIndex, IndexError> {
        let (schema, _) = schema();
        let index = Index::create_in_ram(schema);
        Self::fill(index, lib)
    }

    fn fill(index: Index, lib: &Library) -> Result<SearchIndex, IndexError> {
        index.tokenizers().register(NL, dutch_analyzer());
        let (_, f) = schema();
        let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
        for d in &lib.dossiers {
            writer.add_document(doc!(
                f.id => d.id.as_str(),
                f.titel => d.meta.titel.as_str(),
                f.samenvatting => d.meta.samenvatting.as_str(),
                f.meta => meta_text(lib, d),
                f.body => d.body.text.as_str(),
            ))?;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        Self::align(index, lib)
    }

    /// Opens an index in `dir` and aligns it with `lib`.
    pub fn open(dir: &Path, lib: &Library) -> Result<SearchIndex, IndexError> {
        let index = Index::open_in_dir(dir)?;
        index.tokenizers().register(NL, dutch_analyzer());
        Self::align(index, lib)
    }

    /// Maps the index's documents to the library's ordinals.
    fn align(index: Index, lib: &Library) -> Result<SearchIndex, IndexError> {
        let (_, fields) = schema();
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        let mut ordinals = Vec::new();
        for seg in searcher.segment_readers() {
            let mut map = vec![u32::MAX; seg.max_doc() as usize];
            if let Some(col) = seg.fast_fields().str("id")? {
                let mut buf = String::new();
                for doc in seg.doc_ids_alive() {
                    if let Some(ord) = col.term_ords(doc).next() {
                        buf.clear();
                        if col.ord_to_str(ord, &mut buf).unwrap_or(false)
                            && let Some(i) = lib.ordinal(&buf)
                        {
                            map[doc as usize] = i as u32;
                        }
                    }
                }
            }
            ordinals.push(map);
        }
        Ok(SearchIndex {
            index,
            reader,
            fields,
            ordinals: Arc::new(ordinals),
        })
    }

    /// Number of documents in the index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

fn meta_text(lib: &Library, d: &crate::model::Dossier) -> String {
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

/// What the current index generation was built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    /// Identifies the sources' state (names and commits); `None` for folders, which always rebuild.
    pub fingerprint: Option<String>,
    pub generation: u64,
}

/// The index folders under `data_dir/index`: one generation at a time, switched by
/// rewriting `CURRENT` atomically, so a crash never leaves a half-built index in use.
pub struct IndexStore {
    root: PathBuf,
}

impl IndexStore {
    pub fn new(data_dir: &Path) -> IndexStore {
        IndexStore {
            root: data_dir.join("index"),
        }
    }

    fn manifest(&self) -> Option<Manifest> {
        let text = std::fs::read_to_string(self.root.join("CURRENT")).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Opens the indexes of `libs` when they match `fingerprint`, or builds them anew.
    /// Returns the indexes (in the order of `libs`) and whether they were rebuilt.
    pub fn open_or_build(&self, fingerprint: Option<&str>, libs: &[&Library]) -> Result<(Vec<SearchIndex>, bool), IndexError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| IndexError::Io { path, source }
        };
        if let Some(m) = self.manifest()
            && m.schema_version == SCHEMA_VERSION
            && fingerprint.is_some()
            && m.fingerprint.as_deref() == fingerprint
        {
            let gen_dir = self.root.join(format!("gen-{}", m.generation));
            let opened: Result<Vec<_>, _> = libs.iter().map(|l| SearchIndex::open(&gen_dir.join(l.audience.key()), l)).collect();
            match opened {
                Ok(indexes) => return Ok((indexes, false)),
                Err(e) => tracing::warn!(error = %e, "index generation unreadable, rebuilding"),
            }
        }
        std::fs::create_dir_all(&self.root).map_err(io(&self.root))?;
        let generation = self
            .manifest()
            .map_or(1, |m| m.generation + 1)
            .max(next_free_generation(&self.root));
        let gen_dir = self.root.join(format!("gen-{generation}"));
        let indexes = libs
            .iter()
            .map(|l| SearchIndex::build(&gen_dir.join(l.audience.key()), l))
            .collect::<Result<Vec<_>, _>>()?;
        let manifest = Manifest {
            schema_version: SCHEMA_VERSION,
            fingerprint: fingerprint.map(str::to_string),
            generation,
        };
        let tmp = self.root.join("CURRENT.tmp");
        std::fs::write(&tmp, serde_json::to_vec(&manifest).expect("manifest serialises")).map_err(io(&tmp))?;
        std::fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(io(&tmp))?;
        std::fs::rename(&tmp, self.root.join("CURRENT")).map_err(io(&self.root))?;
        self.remove_old(generation);
        Ok((indexes, true))
    }

    /// Deletes generations other than `keep` (best effort: readers on Unix keep open files alive).
    fn remove_old(&self, keep: u64) {
        let Ok(entries) = std::fs::read_dir(&self.root) else { return };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if let Some(n) = name.strip_prefix("gen-").and_then(|n| n.parse::<u64>().ok())
                && n != keep
            {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

fn next_free_generation(root: &Path) -> u64 {
    std::fs::read_dir(root)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .strip_prefix("gen-")
                        .and_then(|n| n.parse::<u64>().ok())
                })
                .max()
                .map_or(1, |n| n + 1)
        })
        .unwrap_or(1)
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

    fn tiny_library() -> Library {
        let snap = crate::source::Snapshot {
            commit: Some("abc".into()),
            files: vec![
                crate::source::RawFile { rel: "vocabulaire.yaml".into(), display: "vocabulaire.yaml".into(), bytes: include_bytes!("../../content/vocabulaire.yaml").to_vec() },
                crate::source::RawFile {
                    rel: "themas/vastgoed.md".into(),
                    display: "themas/vastgoed.md".into(),
                    bytes: b"---\ntitel: Vastgoed\ntype: playbook\nsamenvatting: Over vastgoed en ondermijning, voor de test.\ntoegang: openbaar\n---\n".to_vec(),
                },
                crate::source::RawFile {
                    rel: "dossiers/limburg/a.md".into(),
                    display: "dossiers/limburg/a.md".into(),
                    bytes: b"---\ntitel: Woningen in Maastricht\ntype: praktijk\nregio: limburg\nthemas: [vastgoed]\nsamenvatting: Een praktijk over woningen, voor de test van de index.\ntoegang: openbaar\n---\nTekst.\n".to_vec(),
                },
            ],
            ..Default::default()
        };
        let spec = crate::SourceSpec {
            name: "t".into(),
            location: crate::Location::Dir("x".into()),
            regions: vec!["*".into()],
            edit_url: None,
        };
        let cat = crate::Catalog::assemble(vec![(spec, Ok(snap))]);
        assert_eq!(cat.dossiers.len(), 1, "{:?}", cat.reports);
        Library::new(&cat, crate::Audience::Public)
    }

    #[test]
    fn reopens_a_matching_index_and_rebuilds_on_schema_or_commit_change() {
        let dir = tempfile::tempdir().unwrap();
        let lib = tiny_library();
        let store = IndexStore::new(dir.path());
        let (idx, rebuilt) = store.open_or_build(Some("t=abc"), &[&lib]).unwrap();
        assert!(rebuilt);
        assert_eq!(idx[0].num_docs(), 1);
        drop(idx);
        let (_, rebuilt) = store.open_or_build(Some("t=abc"), &[&lib]).unwrap();
        assert!(!rebuilt, "same commits and schema: reopened");
        let (_, rebuilt) = store.open_or_build(Some("t=def"), &[&lib]).unwrap();
        assert!(rebuilt, "new commit: rebuilt");
        let mut m = store.manifest().unwrap();
        m.schema_version = 0;
        std::fs::write(dir.path().join("index/CURRENT"), serde_json::to_vec(&m).unwrap()).unwrap();
        let (idx, rebuilt) = store.open_or_build(Some("t=def"), &[&lib]).unwrap();
        assert!(rebuilt, "old schema: rebuilt");
        let gens = std::fs::read_dir(dir.path().join("index"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("gen-"))
            .count();
        assert_eq!(gens, 1, "old generations are removed");
        let found = idx[0]
            .search(
                &lib,
                &crate::search::SearchRequest {
                    q: "woning".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(found.total, 1);
    }
}
