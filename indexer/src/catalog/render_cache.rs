//! The per-file cache of a load: what each file yields on its own (a dossier's
//! front matter, rendering, word lists and findings; the renderings of
//! playbooks and collections), kept by git blob id between loads so an update
//! parses and renders only the files that changed.

use super::SourceSpec;
use super::files::{files_of, line_of_key, prepare, text_of};
use crate::blob::{Blob, Spill};
use crate::diag::Diagnostic;
use crate::model::frontmatter::{self, Context};
use crate::model::markdown;
use crate::model::vocab::Vocabulary;
use crate::model::*;
use crate::source::{FileKind, RawFile, Snapshot};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// Restored entries by blob id, with the fingerprint of their context.
pub(crate) type Restored = ([u8; 32], HashMap<String, Vec<Arc<ParsedDossier>>>);

/// Entries to save (blob id and result), with the fingerprint of their context.
pub(crate) type Entries = ([u8; 32], Vec<(String, Arc<ParsedDossier>)>);

/// What files yield on their own, by git blob id, kept between loads so an
/// update parses and renders only the files that changed: renderings of
/// playbook and collection bodies, and for dossiers the whole validated result
/// of the file (front matter, rendering, word statistics and the file's own
/// findings). Dossier results also depend on the vocabulary and the themas:
/// they are dropped when either changes. The dossier results can be saved to
/// and restored from disk (`filecache`), tagged with a fingerprint of the
/// vocabulary and themas they were validated against; restored results are
/// used only when the fingerprint of the current ones is the same.
#[derive(Debug)]
pub struct RenderCache {
    map: HashMap<String, Rendered>,
    used: HashSet<String>,
    /// Dossier files by blob id (a blob may sit at several paths).
    dossiers: HashMap<String, Vec<Slot>>,
    /// The vocabulary and themas the cached dossiers were validated against,
    /// and their fingerprint.
    context: Option<(Vocabulary, BTreeSet<String>, [u8; 32])>,
    /// Dossier results restored from disk, with the fingerprint of their
    /// context, waiting for the first assembly to compare it.
    restored: Option<Restored>,
    /// How many dossier results changed (added, dropped, rendered) since they
    /// were last saved or restored; `usize::MAX` when none were.
    pub(super) unsaved: usize,
    /// Set when the last assembly needed a file that was not read (`RawFile::deferred`):
    /// its catalog is empty and must not be used; read the sources in full and assemble again.
    pub missing_bytes: bool,
    /// Counts assemblies; a slot not used in the last one is dropped.
    generation: u64,
    /// Bodies rendered (not taken from the cache) in the last assembly.
    pub rendered: usize,
    /// Where files parsed in bulk move their texts until the per-file cache
    /// is saved (see `blob::Spill`), and from how many files on; `None`
    /// keeps them in memory.
    spill_dir: Option<(PathBuf, usize)>,
}

/// Files parsed in bulk are parsed and moved to a spill file this many at a time.
const SPILL_BATCH: usize = 2048;

/// Below this many files parsed at once, their texts (about 13 KB a file,
/// so at most some 200 MB) stay in memory until the per-file cache is saved:
/// writing them to a spill file and reading them back for the save made a
/// 10,000-file first build 3% slower (4.33 against 4.20 s) to spare 100 MB.
const SPILL_FROM: usize = 16_384;

#[derive(Debug)]
struct Slot {
    used: u64,
    parsed: Arc<ParsedDossier>,
}

/// What one dossier file yields on its own.
#[derive(Debug)]
pub(crate) struct ParsedDossier {
    pub(crate) rel: String,
    pub(crate) display: String,
    /// The slug, validated front matter and its warnings, or the file's errors.
    pub(crate) front: Result<(String, Arc<DossierMeta>, Vec<Diagnostic>), Vec<Diagnostic>>,
    /// Rendered on first need: a file that is not published (wrong region,
    /// duplicate id) is never rendered, as before the cache.
    pub(crate) body: OnceLock<Result<BodyPart, String>>,
    /// The line of `regio:` (1 when absent), for the findings about the
    /// region, which must not need the file's bytes again.
    pub(crate) regio_line: usize,
}

#[derive(Debug)]
pub(crate) struct BodyPart {
    pub(crate) body: Arc<Rendered>,
    pub(crate) words: Arc<DocWords>,
    pub(crate) warnings: Vec<Diagnostic>,
}

/// A fingerprint of what dossier validation depends on besides the file.
fn context_fingerprint(vocab: &Vocabulary, themas: &BTreeSet<String>) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(postcard::to_stdvec(vocab).unwrap_or_default());
    for t in themas {
        h.update((t.len() as u64).to_le_bytes());
        h.update(t.as_bytes());
    }
    h.finalize().into()
}

impl Default for RenderCache {
    fn default() -> RenderCache {
        RenderCache {
            map: HashMap::new(),
            used: HashSet::new(),
            dossiers: HashMap::new(),
            context: None,
            restored: None,
            unsaved: usize::MAX,
            missing_bytes: false,
            generation: 0,
            rendered: 0,
            spill_dir: None,
        }
    }
}

impl RenderCache {
    /// Files parsed in bulk move their texts to a spill file in `dir`
    /// (created owner-only when first needed) instead of holding them in
    /// memory until the per-file cache is saved.
    pub fn spill_in(&mut self, dir: PathBuf) {
        self.spill_dir = Some((dir, SPILL_FROM));
    }

    /// Spill from `from` files on (tests).
    #[cfg(test)]
    pub(crate) fn spill_from(&mut self, from: usize) {
        if let Some((_, n)) = &mut self.spill_dir {
            *n = from;
        }
    }

    /// A new spill file for `files` files parsed at once, or `None` (logged
    /// when it fails) when spilling is off or they are too few to spill.
    fn spill(&self, files: usize) -> Option<Spill> {
        let (dir, _) = self.spill_dir.as_ref().filter(|(_, from)| files >= *from)?;
        match crate::data_dir::DataDir::create_private(dir).and_then(|()| Spill::new_in(dir)) {
            Ok(spill) => Some(spill),
            Err(e) => {
                tracing::warn!(error = %e, "cannot create a spill file: the texts of new files stay in memory until saved");
                None
            }
        }
    }

    pub(super) fn start(&mut self) {
        self.used.clear();
        self.rendered = 0;
        self.generation += 1;
    }

    /// Drops the dossier results when the vocabulary or the themas changed;
    /// takes restored results whose context is the current one.
    pub(super) fn set_context(&mut self, vocab: &Vocabulary, themas: &BTreeSet<String>) {
        let same = self.context.as_ref().is_some_and(|(v, t, _)| v == vocab && t == themas);
        if !same {
            let fingerprint = context_fingerprint(vocab, themas);
            self.dossiers.clear();
            self.unsaved = usize::MAX;
            self.context = Some((vocab.clone(), themas.clone(), fingerprint));
        }
        if let Some((fingerprint, restored)) = self.restored.take() {
            let current = self.context.as_ref().map(|(_, _, f)| *f);
            if current == Some(fingerprint) && self.dossiers.is_empty() {
                let generation = self.generation;
                self.dossiers = restored
                    .into_iter()
                    .map(|(oid, parsed)| (oid, parsed.into_iter().map(|parsed| Slot { used: generation, parsed }).collect()))
                    .collect();
                self.unsaved = 0;
            } else {
                tracing::info!("the saved per-file cache is for another vocabulary or other themas; not used");
            }
        }
    }

    /// True when the results for this dossier file (blob id, paths) are held
    /// and need nothing more from the file (its front matter failed, or it
    /// was rendered: published), so its content need not be read. A file
    /// held but never published is read: its findings need its text, and
    /// deferring it would make the assembly read every source in full. (It
    /// may still be needed, see `missing_bytes`.)
    pub fn knows(&self, oid: &str, rel: &str, display: &str) -> bool {
        self.dossiers
            .get(oid)
            .is_some_and(|slots| slots.iter().any(|s| s.parsed.complete_at(rel, display)))
            || self
                .restored
                .as_ref()
                .and_then(|(_, r)| r.get(oid))
                .is_some_and(|slots| slots.iter().any(|p| p.complete_at(rel, display)))
    }

    /// True when the cached result of dossier file `f` of the source `spec`
    /// needs nothing more from the file: its front matter failed, or it is
    /// published and rendered. (An unpublished file is read again: it may be
    /// rendered when it becomes publishable.) Valid after `set_context`.
    pub(crate) fn needs_nothing_more(&self, spec: &SourceSpec, vocab: &Vocabulary, f: &RawFile) -> bool {
        let Some(slots) = f.oid.as_ref().and_then(|oid| self.dossiers.get(oid)) else {
            return false;
        };
        slots.iter().any(|s| {
            let p = &s.parsed;
            p.complete_at(&f.rel, &f.display) && p.front.as_ref().map_or(true, |(_, meta, _)| spec.may_publish(&meta.regio, vocab))
        })
    }

    /// True when every deferred dossier file has a result that needs nothing
    /// more from the file (`needs_nothing_more`).
    pub(super) fn has_all_deferred(&self, snaps: &[(SourceSpec, Snapshot)], vocab: &Vocabulary) -> bool {
        snaps.iter().all(|(spec, snap)| {
            files_of(snap, FileKind::Dossier)
                .filter(|f| f.deferred)
                .all(|f| self.needs_nothing_more(spec, vocab, f))
        })
    }

    /// Dossier results read from disk, validated against the context with
    /// this fingerprint (used by the next assembly if its context is the same).
    pub(crate) fn restore(&mut self, fingerprint: [u8; 32], entries: HashMap<String, Vec<Arc<ParsedDossier>>>) {
        self.restored = Some((fingerprint, entries));
    }

    /// The dossier results to save, with their context's fingerprint, when
    /// they were never saved, or at least one in fifty changed since they were
    /// last saved or restored. (Saving writes them all; a start after a few
    /// unsaved changes just parses those few files again.)
    pub(crate) fn take_unsaved(&mut self) -> Option<Entries> {
        let total: usize = self.dossiers.values().map(Vec::len).sum();
        if self.unsaved == 0 || self.unsaved < (total / 50).max(1) {
            return None;
        }
        let (_, _, fingerprint) = self.context.as_ref()?;
        let mut entries: Vec<(String, Arc<ParsedDossier>)> = self
            .dossiers
            .iter()
            .flat_map(|(oid, slots)| slots.iter().map(move |s| (oid.clone(), Arc::clone(&s.parsed))))
            .collect();
        entries.sort_by(|a, b| (&a.0, &a.1.rel, &a.1.display).cmp(&(&b.0, &b.1.rel, &b.1.display)));
        self.unsaved = 0;
        Some((*fingerprint, entries))
    }

    /// Marks the results as not saved (a save failed).
    pub(crate) fn mark_unsaved(&mut self) {
        self.unsaved = usize::MAX;
    }

    /// Parses (and, for files their source may publish, renders) the dossier
    /// files that are not cached yet, on all cores; results are in file order.
    pub(super) fn prefetch(&mut self, files: &[(&SourceSpec, &RawFile)], ctx: &Context<'_>) {
        let missing: Vec<(&SourceSpec, &RawFile)> = files
            .iter()
            .filter(|(_, f)| {
                f.oid.as_ref().is_some_and(|oid| {
                    !self
                        .dossiers
                        .get(oid)
                        .is_some_and(|slots| slots.iter().any(|s| s.parsed.rel == f.rel && s.parsed.display == f.display))
                })
            })
            .copied()
            .collect();
        if missing.len() < 64 {
            return;
        }
        use rayon::prelude::*;
        let mut spill = self.spill(missing.len());
        for batch in missing.chunks(SPILL_BATCH) {
            let results: Vec<(ParsedDossier, bool)> = batch
                .par_iter()
                .map(|(spec, file)| {
                    let parsed = parse_dossier(file, ctx);
                    let mut rendered = false;
                    if let Ok((_, meta, _)) = &parsed.front
                        && spec.may_publish(&meta.regio, ctx.vocab)
                    {
                        let _ = parsed.body.set(body_part(file, meta));
                        rendered = true;
                    }
                    (parsed, rendered)
                })
                .collect();
            if let Some(s) = &mut spill
                && let Err(e) = s.take(results.iter().flat_map(|(p, _)| p.blobs()))
            {
                tracing::warn!(error = %e, "cannot write to the spill file: the texts of new files stay in memory until saved");
                spill = None;
            }
            let generation = self.generation;
            for ((_, file), (parsed, rendered)) in batch.iter().zip(results) {
                let Some(oid) = &file.oid else { continue };
                self.rendered += usize::from(rendered);
                self.unsaved = self.unsaved.saturating_add(1);
                self.dossiers.entry(oid.clone()).or_default().push(Slot {
                    used: generation,
                    parsed: Arc::new(parsed),
                });
            }
        }
    }

    /// The front matter of a dossier file, parsed and validated once per blob.
    pub(super) fn dossier(&mut self, file: &RawFile, ctx: &Context<'_>) -> Arc<ParsedDossier> {
        let Some(oid) = &file.oid else {
            return Arc::new(parse_dossier(file, ctx));
        };
        let generation = self.generation;
        let slots = self.dossiers.entry(oid.clone()).or_default();
        if let Some(slot) = slots
            .iter_mut()
            .find(|s| s.parsed.rel == file.rel && s.parsed.display == file.display)
        {
            slot.used = generation;
            return Arc::clone(&slot.parsed);
        }
        let parsed = Arc::new(parse_dossier(file, ctx));
        self.unsaved = self.unsaved.saturating_add(1);
        slots.push(Slot {
            used: generation,
            parsed: Arc::clone(&parsed),
        });
        parsed
    }

    pub(super) fn render(&mut self, file: &RawFile, body: &str) -> Result<Rendered, String> {
        let Some(oid) = &file.oid else {
            self.rendered += 1;
            return markdown::render(body);
        };
        self.used.insert(oid.clone());
        if let Some(r) = self.map.get(oid) {
            return Ok(r.clone());
        }
        self.rendered += 1;
        let r = markdown::render(body)?;
        self.map.insert(oid.clone(), r.clone());
        Ok(r)
    }

    /// Forgets what belongs to files that are gone.
    pub(super) fn finish(&mut self) {
        let used = std::mem::take(&mut self.used);
        self.map.retain(|k, _| used.contains(k));
        self.used = used;
        let generation = self.generation;
        let before: usize = self.dossiers.values().map(Vec::len).sum();
        self.dossiers.retain(|_, slots| {
            slots.retain(|s| s.used == generation);
            !slots.is_empty()
        });
        let after: usize = self.dossiers.values().map(Vec::len).sum();
        self.unsaved = self.unsaved.saturating_add(before - after);
    }
}

/// The first stage of a dossier file: name, front matter and its validation.
impl ParsedDossier {
    /// True for `rel`/`display` when nothing more is needed from the file:
    /// its front matter failed, or it was rendered (published).
    fn complete_at(&self, rel: &str, display: &str) -> bool {
        self.rel == rel && self.display == display && (self.front.is_err() || self.body.get().is_some())
    }

    /// The blobs of the result: the details of its front matter, and its
    /// rendering and word lists once rendered.
    fn blobs(&self) -> impl Iterator<Item = &Blob> {
        let details = self.front.as_ref().ok().map(|(_, meta, _)| meta.details.blob());
        let body = self.body.get().and_then(|b| b.as_ref().ok());
        let body = body.into_iter().flat_map(|b| b.body.blobs().into_iter().chain([b.words.blob()]));
        details.into_iter().chain(body)
    }
}

pub(crate) fn parse_dossier(file: &RawFile, ctx: &Context<'_>) -> ParsedDossier {
    let mut diags = Vec::new();
    let front = match prepare(file, &mut diags) {
        Some((slug, split)) => frontmatter::dossier(&file.display, &split, ctx).map(|(meta, notices)| (slug, Arc::new(meta), notices)),
        None => Err(diags),
    };
    ParsedDossier {
        rel: file.rel.clone(),
        display: file.display.clone(),
        front,
        body: OnceLock::new(),
        regio_line: line_of_key(file, "regio"),
    }
}

/// The second stage: the rendered body, its word statistics and the warnings
/// that need the body.
pub(super) fn body_part(file: &RawFile, meta: &DossierMeta) -> Result<BodyPart, String> {
    // The first stage split this file already, so neither step fails here.
    let text = text_of(file).map_err(|d| d.message)?;
    let split = frontmatter::split(text).map_err(|(_, message)| message)?;
    let body = markdown::render(split.body)?;
    let mut warnings = Vec::new();
    if meta.kind == DossierType::Leerdossier {
        if !body.toc().iter().any(|h| h.level == 2 && h.text == "Aanpak") {
            warnings.push(Diagnostic::warning(
                &file.display,
                1,
                "a leerdossier should have a `## Aanpak` section",
            ));
        }
        if meta.details.lessons() == 0 {
            warnings.push(Diagnostic::warning(&file.display, 1, "a leerdossier should list its `lessen`"));
        }
    }
    let words = Arc::new(crate::model::words::doc_words(&crate::model::full_text(meta, &body)));
    Ok(BodyPart {
        body: Arc::new(body),
        words,
        warnings,
    })
}
