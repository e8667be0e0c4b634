//! The public texts beside the dossiers: site pages (`paginas/`, only from a
//! source that may publish for every region) and region descriptions
//! (`regios/{slug}.md`, from a source that may publish for that region; the
//! file name must be a region of the vocabulary). The first source wins; for
//! a region's description, regional sources come before those that may
//! publish for every region, so a RIEC's own text replaces a starter text.

use super::files::{files_of, prepare, provenance};
use super::{RenderCache, SourceReport, SourceSpec};
use crate::diag::{Diagnostic, closest};
use crate::model::frontmatter;
use crate::model::vocab::Vocabulary;
use crate::model::{Page, RegionPage};
use crate::source::{FileKind, Snapshot};

/// Pages and region descriptions of every source, with their findings in `reports`.
pub(super) fn assemble(
    snaps: &[(SourceSpec, Snapshot)],
    reports: &mut [SourceReport],
    cache: &mut RenderCache,
    vocab: &Vocabulary,
) -> (Vec<Page>, Vec<RegionPage>) {
    let mut pages: Vec<Page> = Vec::new();
    let mut regions: Vec<RegionPage> = Vec::new();
    for (i, (spec, snap)) in snaps.iter().enumerate() {
        let diags = &mut reports[i].diagnostics;
        for file in files_of(snap, FileKind::Page) {
            let Some((slug, split)) = prepare(file, diags) else { continue };
            if !spec.regions.iter().any(|r| r == "*") {
                diags.push(Diagnostic::error(
                    &file.display,
                    1,
                    format!(
                        "source `{}` may not publish pages: only a source with regions = [\"*\"] may",
                        spec.name
                    ),
                ));
                continue;
            }
            let meta = match frontmatter::page(&file.display, &split) {
                Ok(meta) => meta,
                Err(errs) => {
                    diags.extend(errs);
                    continue;
                }
            };
            if pages.iter().any(|p| p.slug == slug) {
                diags.push(Diagnostic::error(
                    &file.display,
                    1,
                    format!("duplicate page `{slug}`: an earlier source already has it"),
                ));
                continue;
            }
            match cache.render(file, split.body) {
                Ok(body) => pages.push(Page {
                    slug,
                    meta,
                    body,
                    bron: provenance(spec, snap, file),
                }),
                Err(message) => diags.push(Diagnostic::error(&file.display, 1, message)),
            }
        }
    }
    // Regional sources first, then those that may publish for every region.
    let mut order: Vec<usize> = (0..snaps.len()).collect();
    order.sort_by_key(|&i| snaps[i].0.regions.iter().any(|r| r == "*"));
    for i in order {
        let (spec, snap) = &snaps[i];
        let diags = &mut reports[i].diagnostics;
        for file in files_of(snap, FileKind::Region) {
            let Some((slug, split)) = prepare(file, diags) else { continue };
            if !vocab.regios.contains(&slug) {
                let hint = if vocab.knows_regio(&slug) {
                    format!(
                        ": `{slug}` is now part of `{}`, name the file after it",
                        vocab.canonical_regio(&slug)
                    )
                } else {
                    closest(&slug, vocab.regios.slugs())
                        .map(|c| format!(" (did you mean `{c}`?)"))
                        .unwrap_or_default()
                };
                diags.push(Diagnostic::error(
                    &file.display,
                    1,
                    format!("`{slug}` is not a region of the vocabulary{hint}"),
                ));
                continue;
            }
            if !spec.may_publish(&slug, vocab) {
                diags.push(Diagnostic::error(
                    &file.display,
                    1,
                    format!("source `{}` may not publish for regio `{slug}`", spec.name),
                ));
                continue;
            }
            let meta = match frontmatter::region(&file.display, &split) {
                Ok(meta) => meta,
                Err(errs) => {
                    diags.extend(errs);
                    continue;
                }
            };
            if regions.iter().any(|r| r.slug == slug) {
                diags.push(Diagnostic::error(
                    &file.display,
                    1,
                    format!("duplicate region description `{slug}`: an earlier source already has it"),
                ));
                continue;
            }
            match cache.render(file, split.body) {
                Ok(body) => regions.push(RegionPage {
                    slug,
                    meta,
                    body,
                    bron: provenance(spec, snap, file),
                }),
                Err(message) => diags.push(Diagnostic::error(&file.display, 1, message)),
            }
        }
    }
    pages.sort_by(|a, b| a.slug.cmp(&b.slug));
    (pages, regions)
}
