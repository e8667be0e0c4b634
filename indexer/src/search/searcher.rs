//! `SearchIndex`: what one audience searches — the union of its partition
//! indexes (or an index in memory), aligned with its library's ordinals, with
//! the library's playbooks and collections beside it.

use super::pagedocs::PageIndex;
use crate::index::union_dir::UnionDirectory;
use crate::index::{Fields, IndexError, NL, Names, dutch_analyzer, empty_meta, register, schema, stored_ids, sync_index};
use crate::library::Library;
use std::path::PathBuf;
use std::sync::Arc;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, ReloadPolicy};

/// An open index for one audience (the union of its partitions, or an index in
/// memory), aligned with that audience's library.
pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    /// Per segment, per doc id: the dossier's ordinal in the library (`u32::MAX` if unknown).
    pub ordinals: Arc<Vec<Vec<u32>>>,
    /// The library's playbooks and collections, searched beside the dossiers.
    pub pages: Arc<PageIndex>,
    /// A plain baseline: no query expansion (used to measure what the Dutch analysis adds).
    pub plain: bool,
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
        sync_index(&index, &lib.dossiers, &Names::of_library(lib), None)?;
        let mut s = Self::align(index, lib)?;
        s.plain = plain;
        Ok(s)
    }

    /// The union of the partition indexes in `dirs` (those `lib`'s audience may
    /// see), read-only, aligned with `lib`.
    pub fn over(dirs: &[PathBuf], lib: &Library) -> Result<SearchIndex, IndexError> {
        let union = UnionDirectory::open(dirs, &empty_meta()?)?;
        let index = Index::open(union)?;
        register(&index, dutch_analyzer());
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
            for (doc, id, _) in stored_ids(seg)? {
                if let Some(i) = lib.ordinal(&id) {
                    map[doc as usize] = i as u32;
                }
            }
            ordinals.push(map);
        }
        let nl = index.tokenizers().get(NL).expect("analyzer registered");
        let pages = Arc::new(PageIndex::build(lib, nl)?);
        Ok(SearchIndex {
            pages,
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
