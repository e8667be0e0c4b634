//! Assembling sources into one validated catalog: the vocabulary, the
//! themas, ids unique across the federation, region ownership, collection
//! items resolved, and every finding per source.

use crate::diag::Diagnostic;
use crate::frontmatter::{self, Context};
use crate::markdown;
use crate::model::*;
use crate::source::{self, FileKind, RawFile, Snapshot, SourceError};
use crate::vocab::Vocabulary;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

mod texts;

/// Where a source's files are read from.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    /// A git repository (a local path), at a branch, under a root folder.
    Git { repo: PathBuf, branch: String, root: String },
    /// A folder on disk, as it is (for `check` on a pull request's checkout).
    Dir(PathBuf),
}

/// A configured source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSpec {
    pub name: String,
    pub location: Location,
    /// Region slugs this source may publish for; `*` means all.
    pub regions: Vec<String>,
    /// Optional "propose a change" URL template with `{path}`.
    pub edit_url: Option<String>,
}

impl SourceSpec {
    /// Reads the source's files.
    pub fn read(&self) -> Result<Snapshot, SourceError> {
        match &self.location {
            Location::Git { repo, branch, root } => source::read_git(repo, branch, root),
            Location::Dir(dir) => source::read_dir(dir),
        }
    }

    /// Whether this source may publish for `regio` (a current region slug);
    /// a configured former slug counts as the region it merged into.
    pub fn may_publish(&self, regio: &str, vocab: &Vocabulary) -> bool {
        self.regions.iter().any(|r| r == "*" || vocab.canonical_regio(r) == regio)
    }

    /// The edit link for a file at `repo_path`, if configured.
    pub fn edit_link(&self, repo_path: &str) -> Option<String> {
        self.edit_url.as_ref().map(|u| u.replace("{path}", repo_path))
    }
}

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

    /// Like `assemble`, reusing renderings of unchanged files from `cache`.
    pub fn assemble_cached(sources: Vec<(SourceSpec, Result<Snapshot, SourceError>)>, cache: &mut RenderCache) -> Catalog {
        cache.start();
        let mut cat = Catalog::default();
        let mut reports: Vec<SourceReport> = Vec::new();
        let mut snaps: Vec<(SourceSpec, Snapshot)> = Vec::new();
        for (spec, snap) in sources {
            let mut report = SourceReport {
                name: spec.name.clone(),
                commit: None,
                documents: 0,
                errors: 0,
                warnings: 0,
                diagnostics: Vec::new(),
                read_error: None,
                fetch_error: None,
            };
            match snap {
                Ok(snap) => {
                    report.commit = snap.commit.clone();
                    report.diagnostics.extend(snap.errors.iter().cloned());
                    snaps.push((spec, snap));
                }
                Err(e) => {
                    report.read_error = Some(e.to_string());
                    snaps.push((spec, Snapshot::default()));
                }
            }
            reports.push(report);
        }

        // 1. The vocabulary: the first vocabulaire.yaml in source order.
        let mut vocab: Option<Vocabulary> = None;
        for (i, (_, snap)) in snaps.iter().enumerate() {
            for file in snap.files.iter().filter(|f| source::classify(&f.rel) == Some(FileKind::Vocabulary)) {
                if vocab.is_some() {
                    reports[i].diagnostics.push(Diagnostic::warning(
                        &file.display,
                        1,
                        "ignored: the vocabulary of an earlier source is used",
                    ));
                    continue;
                }
                match text_of(file) {
                    Ok(text) => match Vocabulary::parse(&file.display, text) {
                        Ok(v) => vocab = Some(v),
                        Err(errs) => reports[i].diagnostics.extend(errs),
                    },
                    Err(d) => reports[i].diagnostics.push(d),
                }
            }
        }
        let vocab_found = vocab.is_some();
        cat.vocab = vocab.unwrap_or_default();

        // 2. Playbooks: their slugs are the thema vocabulary.
        let mut themas = BTreeSet::new();
        for (i, (spec, snap)) in snaps.iter().enumerate() {
            for file in files_of(snap, FileKind::Playbook) {
                let Some((slug, split)) = prepare(file, &mut reports[i].diagnostics) else {
                    continue;
                };
                match frontmatter::playbook(&file.display, &split) {
                    Ok(meta) => {
                        if !themas.insert(slug.clone()) {
                            reports[i].diagnostics.push(Diagnostic::error(
                                &file.display,
                                1,
                                format!("duplicate thema `{slug}`: an earlier source already has this playbook"),
                            ));
                            continue;
                        }
                        let body = match cache.render(file, split.body) {
                            Ok(b) => b,
                            Err(message) => {
                                reports[i].diagnostics.push(Diagnostic::error(&file.display, 1, message));
                                continue;
                            }
                        };
                        cat.playbooks.push(Playbook {
                            slug,
                            meta,
                            body,
                            bron: provenance(spec, snap, file),
                        });
                    }
                    Err(errs) => reports[i].diagnostics.extend(errs),
                }
            }
        }

        // 3. Dossiers. What a file yields on its own (front matter, rendering, word
        // statistics, its own findings) is cached by blob id; the rules that involve
        // the source or other files (region ownership, unique ids) run every time.
        cache.set_context(&cat.vocab, &themas);
        let thema_namen = thema_names(&cat.playbooks);
        let ctx = Context {
            vocab: &cat.vocab,
            themas: &themas,
            thema_namen: &thema_namen,
        };
        cache.missing_bytes = false;
        if !cache.has_all_deferred(&snaps, &cat.vocab) {
            // A file that was not read is needed after all: the caller reads again.
            cache.missing_bytes = true;
            return Catalog::default();
        }
        if vocab_found {
            let files: Vec<(&SourceSpec, &RawFile)> = snaps
                .iter()
                .flat_map(|(spec, snap)| files_of(snap, FileKind::Dossier).map(move |f| (spec, f)))
                .collect();
            cache.prefetch(&files, &ctx);
        }
        // Published ids → the source and file that publish them.
        let mut ids: HashMap<String, (String, String)> = HashMap::new();
        for (i, (spec, snap)) in snaps.iter().enumerate() {
            let files: Vec<&RawFile> = files_of(snap, FileKind::Dossier).collect();
            if !vocab_found && !files.is_empty() {
                reports[i].diagnostics.push(Diagnostic::error(
                    &files[0].display,
                    1,
                    "no vocabulaire.yaml in any source: dossiers cannot be checked",
                ));
                continue;
            }
            for file in files {
                let parsed = cache.dossier(file, &ctx);
                let (slug, meta, notices) = match &parsed.front {
                    Ok(front) => front,
                    Err(errs) => {
                        reports[i].diagnostics.extend(errs.iter().cloned());
                        continue;
                    }
                };
                if let Some(d) = folder_mismatch(file, meta, &cat.vocab, parsed.regio_line) {
                    reports[i].diagnostics.push(d);
                    continue;
                }
                if !spec.may_publish(&meta.regio, &cat.vocab) {
                    let line = parsed.regio_line;
                    reports[i].diagnostics.push(Diagnostic::error(
                        &file.display,
                        line,
                        format!("source `{}` may not publish for regio `{}`", spec.name, meta.regio),
                    ));
                    continue;
                }
                let id = format!("{}/{}", meta.regio, slug);
                if let Some((source, path)) = ids.get(&id) {
                    let by = if *source == spec.name {
                        format!("{path} in this source has the same id")
                    } else {
                        format!(
                            "source `{source}` already publishes it from {path}, and the first source wins, so this file is never published"
                        )
                    };
                    reports[i]
                        .diagnostics
                        .push(Diagnostic::error(&file.display, 1, format!("duplicate id `{id}`: {by}")));
                    continue;
                }
                ids.insert(id.clone(), (spec.name.clone(), file.display.clone()));
                let part = match parsed.body.get() {
                    Some(part) => part,
                    None => {
                        cache.rendered += 1;
                        cache.unsaved = cache.unsaved.saturating_add(1);
                        parsed.body.get_or_init(|| body_part(file, meta))
                    }
                };
                let part = match part {
                    Ok(part) => part,
                    Err(message) => {
                        reports[i].diagnostics.push(Diagnostic::error(&file.display, 1, message.clone()));
                        continue;
                    }
                };
                reports[i].diagnostics.extend(notices.iter().chain(&part.warnings).cloned());
                let updated = meta.bijgewerkt.or_else(|| snap.changed.get(&file.rel).copied());
                cat.dossiers.push(Arc::new(Dossier {
                    id,
                    slug: slug.clone(),
                    meta: Arc::clone(meta),
                    body: Arc::clone(&part.body),
                    bron: provenance(spec, snap, file),
                    updated,
                    words: Arc::clone(&part.words),
                    contact_na_inloggen: false,
                }));
            }
        }

        // 4. Related links must resolve; unresolved ones are dropped with a warning.
        for d in &mut cat.dossiers {
            if d.meta.gerelateerd.iter().all(|g| ids.contains_key(g) && *g != d.id) {
                continue;
            }
            let d = Arc::make_mut(d);
            let source = reports.iter_mut().find(|r| r.name == d.bron.source).expect("report per source");
            let (id, path) = (&d.id, &d.bron.path);
            Arc::make_mut(&mut d.meta).gerelateerd.retain(|g| {
                let ok = ids.contains_key(g) && g != id;
                if !ok {
                    source.diagnostics.push(Diagnostic::warning(
                        path,
                        1,
                        format!("`gerelateerd` links to `{g}`, which is not a published dossier"),
                    ));
                }
                ok
            });
        }

        // Pins must name published dossiers.
        let vocab_source = snaps
            .iter()
            .enumerate()
            .find_map(|(i, (_, s))| s.files.iter().find(|f| f.rel == "vocabulaire.yaml").map(|f| (i, f.display.clone())));
        if let Some((i, vpath)) = vocab_source {
            for (query, pins, line) in &cat.vocab.vastgezet {
                for id in pins.iter().filter(|id| !ids.contains_key(*id)) {
                    reports[i].diagnostics.push(Diagnostic::warning(
                        &vpath,
                        *line,
                        format!("pin for `{query}`: `{id}` is not a published dossier"),
                    ));
                }
            }
        }

        // 5. Collections: every item must resolve.
        let mut collection_slugs = HashSet::new();
        for (i, (spec, snap)) in snaps.iter().enumerate() {
            for file in files_of(snap, FileKind::Collection) {
                let Some((slug, split)) = prepare(file, &mut reports[i].diagnostics) else {
                    continue;
                };
                let meta = match frontmatter::collection(&file.display, &split, &cat.vocab) {
                    Ok(meta) => meta,
                    Err(errs) => {
                        reports[i].diagnostics.extend(errs);
                        continue;
                    }
                };
                let unresolved: Vec<&CollectionItem> = meta.items.iter().filter(|it| !ids.contains_key(&it.id)).collect();
                if !unresolved.is_empty() {
                    for it in unresolved {
                        reports[i].diagnostics.push(Diagnostic::error(
                            &file.display,
                            it.line,
                            format!("item `{}` is not a published dossier", it.id),
                        ));
                    }
                    continue;
                }
                if !collection_slugs.insert(slug.clone()) {
                    reports[i]
                        .diagnostics
                        .push(Diagnostic::error(&file.display, 1, format!("duplicate collection `{slug}`")));
                    continue;
                }
                let body = match cache.render(file, split.body) {
                    Ok(b) => b,
                    Err(message) => {
                        reports[i].diagnostics.push(Diagnostic::error(&file.display, 1, message));
                        continue;
                    }
                };
                cat.collections.push(Collection {
                    slug,
                    meta,
                    body,
                    bron: provenance(spec, snap, file),
                });
            }
        }

        // 5. Site pages and region descriptions.
        let (pages, mut regions) = texts::assemble(&snaps, &mut reports, cache, &cat.vocab);
        regions.sort_by_key(|r| cat.vocab.regios.slugs().position(|s| s == r.slug));
        (cat.pages, cat.regions) = (pages, regions);

        for (spec, _) in &snaps {
            for (path, link) in [
                cat.dossiers
                    .iter()
                    .filter(|d| d.bron.source == spec.name)
                    .map(|d| d.bron.path.clone())
                    .collect::<Vec<_>>(),
                cat.playbooks
                    .iter()
                    .filter(|d| d.bron.source == spec.name)
                    .map(|d| d.bron.path.clone())
                    .collect(),
                cat.collections
                    .iter()
                    .filter(|d| d.bron.source == spec.name)
                    .map(|d| d.bron.path.clone())
                    .collect(),
                cat.pages
                    .iter()
                    .filter(|d| d.bron.source == spec.name)
                    .map(|d| d.bron.path.clone())
                    .collect(),
                cat.regions
                    .iter()
                    .filter(|d| d.bron.source == spec.name)
                    .map(|d| d.bron.path.clone())
                    .collect(),
            ]
            .into_iter()
            .flatten()
            .filter_map(|p| spec.edit_link(&p).map(|l| (p, l)))
            {
                cat.edit_links.insert(format!("{}:{path}", spec.name), link);
            }
        }

        cat.dossiers.sort_by(|a, b| a.id.cmp(&b.id));
        cat.playbooks.sort_by(|a, b| a.slug.cmp(&b.slug));
        cat.collections.sort_by(|a, b| a.slug.cmp(&b.slug));
        for r in &mut reports {
            r.diagnostics.sort();
            r.diagnostics.dedup();
            r.errors = r.diagnostics.iter().filter(|d| d.is_error()).count();
            r.warnings = r.diagnostics.len() - r.errors;
            r.documents = cat.dossiers.iter().filter(|d| d.bron.source == r.name).count()
                + cat.playbooks.iter().filter(|d| d.bron.source == r.name).count()
                + cat.collections.iter().filter(|d| d.bron.source == r.name).count()
                + cat.pages.iter().filter(|d| d.bron.source == r.name).count()
                + cat.regions.iter().filter(|d| d.bron.source == r.name).count();
        }
        cat.reports = reports;
        cache.finish();
        cat
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
    restored: Option<crate::filecache::Restored>,
    /// How many dossier results changed (added, dropped, rendered) since they
    /// were last saved or restored; `usize::MAX` when none were.
    unsaved: usize,
    /// Set when the last assembly needed a file that was not read (`RawFile::deferred`):
    /// its catalog is empty and must not be used; read the sources in full and assemble again.
    pub missing_bytes: bool,
    /// Counts assemblies; a slot not used in the last one is dropped.
    generation: u64,
    /// Bodies rendered (not taken from the cache) in the last assembly.
    pub rendered: usize,
}

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
        }
    }
}

impl RenderCache {
    fn start(&mut self) {
        self.used.clear();
        self.rendered = 0;
        self.generation += 1;
    }

    /// Drops the dossier results when the vocabulary or the themas changed;
    /// takes restored results whose context is the current one.
    fn set_context(&mut self, vocab: &Vocabulary, themas: &BTreeSet<String>) {
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
    fn has_all_deferred(&self, snaps: &[(SourceSpec, Snapshot)], vocab: &Vocabulary) -> bool {
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
    pub(crate) fn take_unsaved(&mut self) -> Option<crate::filecache::Entries> {
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
    fn prefetch(&mut self, files: &[(&SourceSpec, &RawFile)], ctx: &Context<'_>) {
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
        let results: Vec<(ParsedDossier, bool)> = missing
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
        let generation = self.generation;
        for ((_, file), (parsed, rendered)) in missing.iter().zip(results) {
            let Some(oid) = &file.oid else { continue };
            self.rendered += usize::from(rendered);
            self.unsaved = self.unsaved.saturating_add(1);
            self.dossiers.entry(oid.clone()).or_default().push(Slot {
                used: generation,
                parsed: Arc::new(parsed),
            });
        }
    }

    /// The front matter of a dossier file, parsed and validated once per blob.
    fn dossier(&mut self, file: &RawFile, ctx: &Context<'_>) -> Arc<ParsedDossier> {
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

    fn render(&mut self, file: &RawFile, body: &str) -> Result<Rendered, String> {
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
    fn finish(&mut self) {
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
fn body_part(file: &RawFile, meta: &DossierMeta) -> Result<BodyPart, String> {
    // The first stage split this file already, so neither step fails here.
    let text = text_of(file).map_err(|d| d.message)?;
    let split = frontmatter::split(text).map_err(|(_, message)| message)?;
    let body = markdown::render(split.body)?;
    let mut warnings = Vec::new();
    if meta.kind == DossierType::Leerdossier {
        if !body.toc.iter().any(|h| h.level == 2 && h.text == "Aanpak") {
            warnings.push(Diagnostic::warning(
                &file.display,
                1,
                "a leerdossier should have a `## Aanpak` section",
            ));
        }
        if meta.lessen.is_empty() {
            warnings.push(Diagnostic::warning(&file.display, 1, "a leerdossier should list its `lessen`"));
        }
    }
    let words = Arc::new(crate::keyterms::doc_words(&crate::model::full_text(meta, &body)));
    Ok(BodyPart {
        body: Arc::new(body),
        words,
        warnings,
    })
}

fn files_of(snap: &Snapshot, kind: FileKind) -> impl Iterator<Item = &RawFile> {
    snap.files.iter().filter(move |f| source::classify(&f.rel) == Some(kind))
}

fn text_of(file: &RawFile) -> Result<&str, Diagnostic> {
    std::str::from_utf8(&file.bytes).map_err(|e| {
        let line = file.bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        Diagnostic::error(&file.display, line, "file is not valid UTF-8")
    })
}

/// Checks the file name and splits the front matter.
fn prepare<'f>(file: &'f RawFile, diags: &mut Vec<Diagnostic>) -> Option<(String, frontmatter::Split<'f>)> {
    let stem = file.rel.rsplit('/').next().unwrap_or_default().trim_end_matches(".md");
    if !is_slug(stem) {
        diags.push(Diagnostic::error(
            &file.display,
            1,
            format!("file name `{stem}.md` is not a slug: use a-z, 0-9 and -, at most 80 characters"),
        ));
        return None;
    }
    let text = match text_of(file) {
        Ok(t) => t,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    // Every line still holding a skeleton's placeholder, so all are found in one run.
    let unwritten: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(frontmatter::PLACEHOLDER))
        .map(|(i, _)| i + 1)
        .take(100)
        .collect();
    if !unwritten.is_empty() {
        for line in unwritten {
            diags.push(Diagnostic::error(
                &file.display,
                line,
                format!("`{}` is still here: write this part, or remove it", frontmatter::PLACEHOLDER),
            ));
        }
        return None;
    }
    match frontmatter::split(text) {
        Ok(split) => Some((stem.to_string(), split)),
        Err((line, message)) => {
            diags.push(Diagnostic::error(&file.display, line, message));
            None
        }
    }
}

/// Other names of each thema (its title, lowercase, and its `synoniemen`) → its slug.
fn thema_names(playbooks: &[Playbook]) -> Vec<(String, String)> {
    playbooks
        .iter()
        .flat_map(|p| {
            std::iter::once(p.meta.titel.to_lowercase())
                .chain(p.meta.synoniemen.iter().cloned())
                .map(|n| (n, p.slug.clone()))
        })
        .collect()
}

/// A dossier in a folder named after a region (`dossiers/limburg/…`) must say that region.
fn folder_mismatch(file: &RawFile, meta: &DossierMeta, vocab: &Vocabulary, regio_line: usize) -> Option<Diagnostic> {
    let (folder, _) = file.rel.strip_prefix("dossiers/")?.split_once('/')?;
    (vocab.knows_regio(folder) && vocab.canonical_regio(folder) != meta.regio).then(|| {
        Diagnostic::error(
            &file.display,
            regio_line,
            format!(
                "the file is in dossiers/{folder}/ but its `regio` is `{}`: move it to dossiers/{}/ or correct `regio`",
                meta.regio, meta.regio
            ),
        )
    })
}

/// Every finding `check` would report for one dossier file `rel` (relative
/// to its source root) with `text`, published by `source`, against these
/// playbooks and dossiers: its own rules, region ownership, the folder rule
/// and ids (or the path) already taken. For the writing form of new dossiers
/// (`Library::check_dossier`, so a reader learns nothing of documents they
/// may not see); the file itself is not added.
pub(crate) fn check_dossier(
    vocab: &Vocabulary,
    playbooks: &[Playbook],
    dossiers: &[Arc<Dossier>],
    source: &SourceSpec,
    rel: &str,
    text: &str,
    editing: Option<&str>,
) -> Vec<Diagnostic> {
    let file = RawFile {
        rel: rel.to_string(),
        display: rel.to_string(),
        bytes: Arc::from(text.as_bytes()),
        oid: None,
        deferred: false,
    };
    let themas: BTreeSet<String> = playbooks.iter().map(|p| p.slug.clone()).collect();
    let thema_namen = thema_names(playbooks);
    let ctx = Context {
        vocab,
        themas: &themas,
        thema_namen: &thema_namen,
    };
    let parsed = parse_dossier(&file, &ctx);
    let (slug, meta, notices) = match parsed.front {
        Ok(front) => front,
        Err(errs) => return errs,
    };
    let mut out = notices;
    if let Some(d) = folder_mismatch(&file, &meta, vocab, line_of_key(&file, "regio")) {
        out.push(d);
    }
    if !source.may_publish(&meta.regio, vocab) {
        out.push(Diagnostic::error(
            rel,
            line_of_key(&file, "regio"),
            format!("source `{}` may not publish for regio `{}`", source.name, meta.regio),
        ));
    }
    let id = format!("{}/{}", meta.regio, slug);
    if let Some(other) = dossiers.iter().find(|d| d.id == id && Some(d.id.as_str()) != editing) {
        let message = if other.bron.source == source.name && other.bron.path.ends_with(rel) {
            format!(
                "{} already exists in source `{}`: choose another file name (slug)",
                other.bron.path, other.bron.source
            )
        } else {
            format!(
                "duplicate id `{id}`: source `{}` already publishes it from {}",
                other.bron.source, other.bron.path
            )
        };
        out.push(Diagnostic::error(rel, 1, message));
    }
    match body_part(&file, &meta) {
        Ok(part) => out.extend(part.warnings),
        Err(message) => out.push(Diagnostic::error(rel, 1, message)),
    }
    out
}

fn line_of_key(file: &RawFile, key: &str) -> usize {
    String::from_utf8_lossy(&file.bytes)
        .lines()
        .position(|l| l.starts_with(&format!("{key}:")))
        .map_or(1, |i| i + 1)
}

fn provenance(spec: &SourceSpec, snap: &Snapshot, file: &RawFile) -> Provenance {
    let path = match &spec.location {
        Location::Git { root, .. } if !root.trim_matches('/').is_empty() => format!("{}/{}", root.trim_matches('/'), file.rel),
        _ => file.rel.clone(),
    };
    Provenance {
        source: spec.name.clone(),
        commit: snap.commit.clone(),
        path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let vocab = include_str!("../../content/vocabulaire.yaml");
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
