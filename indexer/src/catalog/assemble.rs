//! The federation rules: how the files of every source become one catalog.
//! The first vocabulary wins; playbook slugs are the themas; a source
//! publishes only for its regions; ids are unique across the federation (the
//! first source wins); related links and pins must name published dossiers;
//! collection items must resolve. Every finding is reported per source.

use super::files::{files_of, folder_mismatch, line_of_key, prepare, provenance, text_of, thema_names};
use super::render_cache::RenderCache;
use super::render_cache::{body_part, parse_dossier};
use super::{Catalog, SourceReport, SourceSpec};
use crate::diag::Diagnostic;
use crate::model::frontmatter::{self, Context};
use crate::model::vocab::Vocabulary;
use crate::model::*;
use crate::source::{self, FileKind, RawFile, Snapshot, SourceError};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

impl Catalog {
    /// Like `assemble`, reusing renderings of unchanged files from `cache`.
    pub fn assemble_cached(sources: Vec<(SourceSpec, Result<Snapshot, SourceError>)>, cache: &mut RenderCache) -> Catalog {
        cache.start();
        let mut a = Assembly::open(sources, cache);
        let vocab_found = a.vocabulary();
        let themas = a.playbooks();
        if !a.dossiers(&themas, vocab_found) {
            // A file that was not read is needed after all: the caller reads again.
            return Catalog::default();
        }
        a.related_links();
        a.pins();
        a.collections();
        a.texts();
        a.edit_links();
        a.finish()
    }
}

/// The rendering of a playbook's or collection's body (cached by blob id), or
/// the reason it failed as a finding.
fn rendered(cache: &mut RenderCache, file: &RawFile, body: &str, diags: &mut Vec<Diagnostic>) -> Option<Rendered> {
    match cache.render(file, body) {
        Ok(b) => Some(b),
        Err(message) => {
            diags.push(Diagnostic::error(&file.display, 1, message));
            None
        }
    }
}

/// One assembly in progress.
struct Assembly<'c> {
    /// Every source's snapshot (empty for a source that could not be read).
    snaps: Vec<(SourceSpec, Snapshot)>,
    /// One report per source, in the order of `snaps`.
    reports: Vec<SourceReport>,
    cat: Catalog,
    cache: &'c mut RenderCache,
    /// Published dossier ids → the source and file that publish them.
    ids: HashMap<String, (String, String)>,
}

impl<'c> Assembly<'c> {
    fn open(sources: Vec<(SourceSpec, Result<Snapshot, SourceError>)>, cache: &'c mut RenderCache) -> Assembly<'c> {
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
        Assembly {
            snaps,
            reports,
            cat: Catalog::default(),
            cache,
            ids: HashMap::new(),
        }
    }

    /// The vocabulary: true when a source has one.
    fn vocabulary(&mut self) -> bool {
        let Assembly { snaps, reports, cat, .. } = self;
        // The vocabulary: the first vocabulaire.yaml in source order.
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
        let found = vocab.is_some();
        cat.vocab = vocab.unwrap_or_default();
        found
    }

    /// The playbooks, and the themas they define.
    fn playbooks(&mut self) -> BTreeSet<String> {
        let Assembly {
            snaps,
            reports,
            cat,
            cache,
            ..
        } = self;
        // Playbooks: their slugs are the thema vocabulary.
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
                        let Some(body) = rendered(cache, file, split.body, &mut reports[i].diagnostics) else {
                            continue;
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
        themas
    }

    /// The dossiers; false when a file that was not read is needed.
    fn dossiers(&mut self, themas: &BTreeSet<String>, vocab_found: bool) -> bool {
        let Assembly {
            snaps,
            reports,
            cat,
            cache,
            ids,
        } = self;
        // Dossiers. What a file yields on its own (front matter, rendering, word
        // statistics, its own findings) is cached by blob id; the rules that involve
        // the source or other files (region ownership, unique ids) run every time.
        cache.set_context(&cat.vocab, themas);
        let thema_namen = thema_names(&cat.playbooks);
        let ctx = Context {
            vocab: &cat.vocab,
            themas,
            thema_namen: &thema_namen,
        };
        cache.missing_bytes = false;
        if !cache.has_all_deferred(snaps, &cat.vocab) {
            // A file that was not read is needed after all: the caller reads again.
            cache.missing_bytes = true;
            return false;
        }
        if vocab_found {
            let files: Vec<(&SourceSpec, &RawFile)> = snaps
                .iter()
                .flat_map(|(spec, snap)| files_of(snap, FileKind::Dossier).map(move |f| (spec, f)))
                .collect();
            cache.prefetch(&files, &ctx);
        }
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
        true
    }

    fn related_links(&mut self) {
        let Assembly { reports, cat, ids, .. } = self;
        // Related links must resolve; unresolved ones are dropped with a warning.
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
    }

    fn pins(&mut self) {
        let Assembly {
            snaps, reports, cat, ids, ..
        } = self;
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
    }

    fn collections(&mut self) {
        let Assembly {
            snaps,
            reports,
            cat,
            cache,
            ids,
        } = self;
        // Collections: every item must resolve.
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
                let Some(body) = rendered(cache, file, split.body, &mut reports[i].diagnostics) else {
                    continue;
                };
                cat.collections.push(Collection {
                    slug,
                    meta,
                    body,
                    bron: provenance(spec, snap, file),
                });
            }
        }
    }

    fn texts(&mut self) {
        let Assembly {
            snaps,
            reports,
            cat,
            cache,
            ..
        } = self;
        // Site pages and region descriptions.
        let (pages, mut regions) = super::texts::assemble(snaps, reports, cache, &cat.vocab);
        regions.sort_by_key(|r| cat.vocab.regios.slugs().position(|s| s == r.slug));
        (cat.pages, cat.regions) = (pages, regions);
    }

    /// The edit link of every published file whose source has an `edit_url`.
    fn edit_links(&mut self) {
        let Assembly { snaps, cat, .. } = self;
        for (spec, _) in snaps.iter() {
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
    }

    /// Sorted documents and the reports' counts.
    fn finish(mut self) -> Catalog {
        let Assembly { reports, cat, cache, .. } = &mut self;
        cat.dossiers.sort_by(|a, b| a.id.cmp(&b.id));
        cat.playbooks.sort_by(|a, b| a.slug.cmp(&b.slug));
        cat.collections.sort_by(|a, b| a.slug.cmp(&b.slug));
        for r in reports.iter_mut() {
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
        cat.reports = std::mem::take(reports);
        cache.finish();
        std::mem::take(cat)
    }
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
