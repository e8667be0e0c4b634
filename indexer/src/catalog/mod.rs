//! Assembling sources into one validated catalog: the vocabulary, the
//! themas, ids unique across the federation, region ownership, collection
//! items resolved, and every finding per source.

mod assemble;
pub mod filecache;
mod files;
pub mod render_cache;
mod spec;
mod texts;

pub(crate) use assemble::check_dossier;
pub use render_cache::RenderCache;
pub use spec::{Location, SourceSpec};

use crate::diag::Diagnostic;
use crate::model::vocab::Vocabulary;
use crate::model::*;
use crate::source::{Snapshot, SourceError};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// What happened to one source in the last load.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    pub name: String,
    pub commit: Option<String>,
    /// Documents published from this source (all audiences).
    pub documents: usize,
    pub errors: usize,
    pub warnings: usize,
    pub diagnostics: Vec<Diagnostic>,
    /// Why the source could not be read at all.
    pub read_error: Option<String>,
    /// Why the last fetch failed (the source serves its last good commit).
    pub fetch_error: Option<String>,
}

/// Every valid document of the federation, whatever its `toegang`.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub vocab: Vocabulary,
    /// Shared with every library that may see them.
    pub dossiers: Vec<Arc<Dossier>>,
    pub playbooks: Vec<Playbook>,
    pub collections: Vec<Collection>,
    /// Site pages (`paginas/`); public.
    pub pages: Vec<Page>,
    /// Region descriptions (`regios/`), in vocabulary order; public.
    pub regions: Vec<RegionPage>,
    pub reports: Vec<SourceReport>,
    /// Edit links by dossier/playbook/collection path (`source name`, repo path).
    pub edit_links: HashMap<String, String>,
}

impl Catalog {
    /// Reads every source and assembles them.
    pub fn load(specs: &[SourceSpec]) -> Catalog {
        let snaps: Vec<_> = specs.iter().map(|s| (s.clone(), s.read())).collect();
        Catalog::assemble(snaps)
    }

    /// Assembles already-read sources; the first source wins on duplicates.
    pub fn assemble(sources: Vec<(SourceSpec, Result<Snapshot, SourceError>)>) -> Catalog {
        Catalog::assemble_cached(sources, &mut RenderCache::default())
    }

    /// Every finding of every source.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.reports.iter().flat_map(|r| r.diagnostics.iter())
    }

    /// The edit link of a document, if its source has one configured.
    pub fn edit_link(&self, bron: &Provenance) -> Option<&str> {
        self.edit_links.get(&format!("{}:{}", bron.source, bron.path)).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::RawFile;

    fn blob(rel: &str, text: &str) -> RawFile {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut h);
        RawFile {
            rel: rel.into(),
            display: format!("repo/{rel}"),
            bytes: text.as_bytes().into(),
            oid: Some(format!("{:016x}", h.finish())),
            deferred: false,
        }
    }

    fn dossier(regio: &str, kind: &str, partners: &str, body: &str) -> String {
        format!(
            "---\ntitel: Een dossier\ntype: {kind}\nregio: {regio}\nthemas: [vastgoed]\nsamenvatting: Een praktijk voor de test van de cache.\ntoegang: openbaar\npartners: [{partners}]\n---\n{body}\n"
        )
    }

    fn sources(vocab: &str) -> Vec<(SourceSpec, Result<Snapshot, SourceError>)> {
        let spec = |name: &str, regions: &[&str]| SourceSpec {
            name: name.into(),
            location: Location::Dir("x".into()),
            regions: regions.iter().map(|r| r.to_string()).collect(),
            edit_url: None,
        };
        let first = vec![
            blob("vocabulaire.yaml", vocab),
            blob(
                "themas/vastgoed.md",
                "---\ntitel: Vastgoed\ntype: playbook\nsamenvatting: Over vastgoed en ondermijning, voor de test.\ntoegang: openbaar\n---\n",
            ),
            blob("dossiers/limburg/goed.md", &dossier("limburg", "praktijk", "politie", "Panden.")),
            blob(
                "dossiers/limburg/zonder-aanpak.md",
                &dossier("limburg", "leerdossier", "politie", "## Start\n\nTekst."),
            ),
            blob("dossiers/limburg/kapot.md", "---\ntitel: [\n---\n"),
            blob("dossiers/limburg/Fout.md", &dossier("limburg", "praktijk", "politie", "Naam.")),
            blob(
                "dossiers/rotterdam/elders.md",
                &dossier("rotterdam", "praktijk", "politie", "Niet van ons."),
            ),
        ];
        // The same blob at the same path in a second source: a duplicate id there.
        let second = vec![blob(
            "dossiers/limburg/goed.md",
            &dossier("limburg", "praktijk", "politie", "Panden."),
        )];
        let snap = |files| {
            Ok(Snapshot {
                commit: Some("c1".into()),
                files,
                ..Default::default()
            })
        };
        vec![(spec("een", &["limburg"]), snap(first)), (spec("twee", &["*"]), snap(second))]
    }

    fn summary(cat: &Catalog) -> (Vec<String>, Vec<Vec<Diagnostic>>) {
        let docs = cat
            .dossiers
            .iter()
            .map(|d| format!("{} {:?} {:?} {:?}", d.id, d.meta, d.body, d.words))
            .collect();
        (docs, cat.reports.iter().map(|r| r.diagnostics.clone()).collect())
    }

    #[test]
    fn cached_assembly_equals_an_uncached_one_and_follows_the_vocabulary() {
        let vocab = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../content/vocabulaire.yaml"));
        let mut cache = RenderCache::default();
        let fresh = Catalog::assemble(sources(vocab));
        let first = Catalog::assemble_cached(sources(vocab), &mut cache);
        assert!(cache.rendered > 0);
        let again = Catalog::assemble_cached(sources(vocab), &mut cache);
        assert_eq!(cache.rendered, 0, "nothing changed: nothing rendered");
        assert_eq!(summary(&first), summary(&fresh));
        assert_eq!(summary(&again), summary(&fresh));
        let all: Vec<String> = fresh.diagnostics().map(|d| d.to_string()).collect();
        for want in [
            "kapot.md",
            "Fout.md",
            "may not publish for regio `rotterdam`",
            "duplicate id",
            "`## Aanpak`",
        ] {
            assert!(all.iter().any(|d| d.contains(want)), "{want}: {all:?}");
        }
        // Without the partner in the vocabulary the same files no longer validate.
        let fewer = vocab.replace("  politie: {naam: Politie, en: Police}\n", "");
        assert_ne!(fewer, vocab);
        let changed = Catalog::assemble_cached(sources(&fewer), &mut cache);
        assert_eq!(summary(&changed), summary(&Catalog::assemble(sources(&fewer))));
        assert!(changed.dossiers.is_empty());
    }
}
