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
use std::sync::Arc;

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

    fn may_publish(&self, regio: &str) -> bool {
        self.regions.iter().any(|r| r == "*" || r == regio)
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

        // 3. Dossiers.
        let ctx = Context {
            vocab: &cat.vocab,
            themas: &themas,
        };
        let mut ids: HashSet<String> = HashSet::new();
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
                let Some((slug, split)) = prepare(file, &mut reports[i].diagnostics) else {
                    continue;
                };
                let meta = match frontmatter::dossier(&file.display, &split, &ctx) {
                    Ok(meta) => meta,
                    Err(errs) => {
                        reports[i].diagnostics.extend(errs);
                        continue;
                    }
                };
                if !spec.may_publish(&meta.regio) {
                    let line = line_of_key(file, "regio");
                    reports[i].diagnostics.push(Diagnostic::error(
                        &file.display,
                        line,
                        format!("source `{}` may not publish for regio `{}`", spec.name, meta.regio),
                    ));
                    continue;
                }
                let id = format!("{}/{}", meta.regio, slug);
                if !ids.insert(id.clone()) {
                    reports[i].diagnostics.push(Diagnostic::error(
                        &file.display,
                        1,
                        format!("duplicate id `{id}`: an earlier source or file already publishes it"),
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
                if meta.kind == DossierType::Leerdossier {
                    if !body.toc.iter().any(|h| h.level == 2 && h.text == "Aanpak") {
                        reports[i].diagnostics.push(Diagnostic::warning(
                            &file.display,
                            1,
                            "a leerdossier should have a `## Aanpak` section",
                        ));
                    }
                    if meta.lessen.is_empty() {
                        reports[i]
                            .diagnostics
                            .push(Diagnostic::warning(&file.display, 1, "a leerdossier should list its `lessen`"));
                    }
                }
                let updated = meta.bijgewerkt.or_else(|| snap.changed.get(&file.rel).copied());
                let words = cache.words(file, &meta, &body);
                cat.dossiers.push(Arc::new(Dossier {
                    id,
                    slug,
                    meta,
                    body,
                    bron: provenance(spec, snap, file),
                    updated,
                    words,
                }));
            }
        }

        // 4. Related links must resolve; unresolved ones are dropped with a warning.
        for d in &mut cat.dossiers {
            let d = Arc::make_mut(d);
            let source = reports.iter_mut().find(|r| r.name == d.bron.source).expect("report per source");
            d.meta.gerelateerd.retain(|g| {
                let ok = ids.contains(g) && *g != d.id;
                if !ok {
                    source.diagnostics.push(Diagnostic::warning(
                        &d.bron.path,
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
                for id in pins.iter().filter(|id| !ids.contains(*id)) {
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
                let meta = match frontmatter::collection(&file.display, &split) {
                    Ok(meta) => meta,
                    Err(errs) => {
                        reports[i].diagnostics.extend(errs);
                        continue;
                    }
                };
                let unresolved: Vec<&CollectionItem> = meta.items.iter().filter(|it| !ids.contains(&it.id)).collect();
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
                + cat.collections.iter().filter(|d| d.bron.source == r.name).count();
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

/// Renderings of markdown bodies by git blob id, kept between loads so an
/// update renders only the files that changed.
#[derive(Debug, Default)]
pub struct RenderCache {
    map: HashMap<String, Rendered>,
    words: HashMap<String, Arc<DocWords>>,
    used: HashSet<String>,
    /// Bodies rendered (not taken from the cache) in the last assembly.
    pub rendered: usize,
}

impl RenderCache {
    fn start(&mut self) {
        self.used.clear();
        self.rendered = 0;
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

    /// The word statistics of a dossier, computed once per file version.
    fn words(&mut self, file: &RawFile, meta: &DossierMeta, body: &Rendered) -> Arc<DocWords> {
        let compute = || Arc::new(crate::keyterms::doc_words(&crate::model::full_text(meta, body)));
        match &file.oid {
            Some(oid) => Arc::clone(self.words.entry(oid.clone()).or_insert_with(compute)),
            None => compute(),
        }
    }

    /// Forgets renderings of files that are gone.
    fn finish(&mut self) {
        let used = std::mem::take(&mut self.used);
        self.map.retain(|k, _| used.contains(k));
        self.words.retain(|k, _| used.contains(k));
        self.used = used;
    }
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
    match frontmatter::split(text) {
        Ok(split) => Some((stem.to_string(), split)),
        Err((line, message)) => {
            diags.push(Diagnostic::error(&file.display, line, message));
            None
        }
    }
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
