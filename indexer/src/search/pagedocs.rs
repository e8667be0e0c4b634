//! Playbooks, collections, site pages and region descriptions as search
//! hits: a small in-RAM index of one library's pages beside its dossier index, with the
//! same schema and analysis. A query runs on it with the dossier index's BM25
//! statistics, so a playbook and a dossier rank on one scale and the dossier
//! ranking is unchanged by the pages' text.
//!
//! Which playbook a query *names* (its title, slug or a `synoniemen` entry,
//! compared as analysed words) is the "best bet" shown first.

use super::matches::AllMatches;
use crate::index::{IndexError, register, schema};
use crate::library::Library;
use serde::Serialize;
use std::sync::Arc;
use tantivy::query::Query;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, ReloadPolicy, Score, Searcher, Term, doc};

/// What kind of document a search hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HitKind {
    /// A leerdossier or praktijk: `Hit::ord` indexes `Library::dossiers`.
    Dossier,
    /// A thema playbook: `Hit::ord` indexes `Library::playbooks`.
    Thema,
    /// A collection: `Hit::ord` indexes `Library::collections`.
    Collectie,
    /// A site page: `Hit::ord` indexes `Library::pages`.
    Pagina,
    /// A region's description: `Hit::ord` indexes `Library::regions`.
    Regio,
}

impl HitKind {
    /// The value of the `type` facet for pages (dossiers have their own type).
    pub fn type_value(self) -> Option<&'static str> {
        match self {
            HitKind::Dossier => None,
            HitKind::Thema => Some("thema"),
            HitKind::Collectie => Some("collectie"),
            HitKind::Pagina => Some("pagina"),
            HitKind::Regio => Some("regio"),
        }
    }
}

/// A library's playbooks and collections, indexed.
pub struct PageIndex {
    reader: IndexReader,
    /// Per segment, document → position in `refs`.
    ordinals: Arc<Vec<Vec<u32>>>,
    refs: Vec<(HitKind, u32)>,
    /// Per playbook, the analysed names a query may name it by.
    names: Vec<Vec<Vec<String>>>,
}

impl PageIndex {
    /// Indexes `lib`'s playbooks and collections with `nl` as the text analyzer.
    pub fn build(lib: &Library, nl: TextAnalyzer) -> Result<PageIndex, IndexError> {
        let (schema, f) = schema();
        let index = Index::create_in_ram(schema);
        register(&index, nl.clone());
        let mut refs = Vec::new();
        let mut writer = index.writer_with_num_threads(1, 15_000_000)?;
        for (i, p) in lib.playbooks.iter().enumerate() {
            let text = [p.meta.titel.as_str(), &p.meta.samenvatting, &p.body.text()].join(" \n ");
            writer.add_document(doc!(
                f.id => format!("themas/{}", p.slug),
                f.hash => 0u64,
                f.titel => p.meta.titel.as_str(),
                f.samenvatting => p.meta.samenvatting.as_str(),
                f.meta => p.meta.synoniemen.join(" \n "),
                f.koppen => headings(&p.body),
                f.body => p.body.text(),
                f.afkortingen => crate::text::acronyms(&text),
            ))?;
            refs.push((format!("themas/{}", p.slug), (HitKind::Thema, i as u32)));
        }
        for (i, c) in lib.collections.iter().enumerate() {
            let notes: Vec<&str> = c.meta.items.iter().filter_map(|it| it.notitie.as_deref()).collect();
            let body = format!("{} \n {}", c.body.text(), notes.join(" \n "));
            let text = [c.meta.titel.as_str(), &c.meta.samenvatting, &body].join(" \n ");
            writer.add_document(doc!(
                f.id => format!("collecties/{}", c.slug),
                f.hash => 0u64,
                f.titel => c.meta.titel.as_str(),
                f.samenvatting => c.meta.samenvatting.as_str(),
                f.koppen => headings(&c.body),
                f.body => body,
                f.afkortingen => crate::text::acronyms(&text),
            ))?;
            refs.push((format!("collecties/{}", c.slug), (HitKind::Collectie, i as u32)));
        }
        // Site pages by their title and summary only, so that their general
        // words (dossier, regio, RIEC) do not push them into topical searches.
        for (i, p) in lib.pages.iter().enumerate() {
            writer.add_document(doc!(
                f.id => format!("paginas/{}", p.slug),
                f.hash => 0u64,
                f.titel => p.meta.titel.as_str(),
                f.samenvatting => p.meta.samenvatting.as_str(),
            ))?;
            refs.push((format!("paginas/{}", p.slug), (HitKind::Pagina, i as u32)));
        }
        // Regions by their name, area and municipalities: a search for a
        // municipality finds its region; their description stays out (it
        // retells the region's dossiers, which are found themselves).
        for (i, r) in lib.regions.iter().enumerate() {
            let places = r
                .meta
                .werkgebied
                .iter()
                .chain(&r.meta.gemeenten)
                .cloned()
                .collect::<Vec<_>>()
                .join(" \n ");
            writer.add_document(doc!(
                f.id => format!("regios/{}", r.slug),
                f.hash => 0u64,
                f.titel => lib.vocab.regios.name(&r.slug),
                f.meta => places,
            ))?;
            refs.push((format!("regios/{}", r.slug), (HitKind::Regio, i as u32)));
        }
        writer.commit()?;
        drop(writer);
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        let mut ordinals = Vec::new();
        for seg in searcher.segment_readers() {
            let mut map = vec![u32::MAX; seg.max_doc() as usize];
            for (doc, id, _) in crate::index::stored_ids(seg)? {
                if let Some(pos) = refs.iter().position(|(r, _)| *r == id) {
                    map[doc as usize] = pos as u32;
                }
            }
            ordinals.push(map);
        }
        let mut analyzer = nl;
        let mut analyse = |text: &str| -> Vec<String> {
            let mut stream = analyzer.token_stream(text);
            let mut out = Vec::new();
            while let Some(t) = stream.next() {
                out.push(t.text.clone());
            }
            out
        };
        let names = lib
            .playbooks
            .iter()
            .map(|p| {
                let mut n: Vec<Vec<String>> = std::iter::once(p.meta.titel.as_str())
                    .chain(std::iter::once(p.slug.as_str()))
                    .chain(p.meta.synoniemen.iter().map(String::as_str))
                    .map(&mut analyse)
                    .filter(|t| !t.is_empty())
                    .collect();
                n.sort();
                n.dedup();
                n
            })
            .collect();
        Ok(PageIndex {
            reader,
            ordinals: Arc::new(ordinals),
            refs: refs.into_iter().map(|(_, r)| r).collect(),
            names,
        })
    }

    /// Every page matching `query`, scored with `stats` (the dossier index's searcher).
    pub fn matches(&self, query: &dyn Query, stats: &Searcher) -> Result<Vec<(HitKind, u32, Score)>, IndexError> {
        let searcher = self.reader.searcher();
        let found = searcher.search_with_statistics_provider(query, &AllMatches::new(&self.ordinals), stats)?;
        Ok(found
            .into_iter()
            .filter_map(|(pos, score)| self.refs.get(pos as usize).map(|&(k, o)| (k, o, score)))
            .collect())
    }

    /// In how many pages a term occurs.
    pub fn doc_freq(&self, term: &Term) -> u64 {
        self.reader.searcher().doc_freq(term).unwrap_or(0)
    }

    /// The playbook the analysed query names, if any: the one whose longest
    /// name occurs as consecutive words of the query.
    pub fn named(&self, query_tokens: &[String]) -> Option<usize> {
        let mut best: Option<(usize, usize)> = None;
        for (i, names) in self.names.iter().enumerate() {
            for n in names {
                let found = query_tokens.windows(n.len()).any(|w| w == n.as_slice());
                if found && best.is_none_or(|(len, _)| n.len() > len) {
                    best = Some((n.len(), i));
                }
            }
        }
        best.map(|(_, i)| i)
    }
}

fn headings(r: &crate::model::Rendered) -> String {
    r.toc().iter().map(|h| h.text.as_str()).collect::<Vec<_>>().join(" \n ")
}
