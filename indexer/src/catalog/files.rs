//! Reading one file of a source: its text, its front matter split from its
//! body, the line of a key, and where it came from.

use super::spec::{Location, SourceSpec};
use crate::diag::Diagnostic;
use crate::model::frontmatter;
use crate::model::vocab::Vocabulary;
use crate::model::*;
use crate::source::{self, FileKind, RawFile, Snapshot};

pub(super) fn files_of(snap: &Snapshot, kind: FileKind) -> impl Iterator<Item = &RawFile> {
    snap.files.iter().filter(move |f| source::classify(&f.rel) == Some(kind))
}

pub(super) fn text_of(file: &RawFile) -> Result<&str, Diagnostic> {
    std::str::from_utf8(&file.bytes).map_err(|e| {
        let line = file.bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        Diagnostic::error(&file.display, line, "file is not valid UTF-8")
    })
}

/// Checks the file name and splits the front matter.
pub(super) fn prepare<'f>(file: &'f RawFile, diags: &mut Vec<Diagnostic>) -> Option<(String, frontmatter::Split<'f>)> {
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
pub(super) fn thema_names(playbooks: &[Playbook]) -> Vec<(String, String)> {
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
pub(super) fn folder_mismatch(file: &RawFile, meta: &DossierMeta, vocab: &Vocabulary, regio_line: usize) -> Option<Diagnostic> {
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

pub(super) fn line_of_key(file: &RawFile, key: &str) -> usize {
    String::from_utf8_lossy(&file.bytes)
        .lines()
        .position(|l| l.starts_with(&format!("{key}:")))
        .map_or(1, |i| i + 1)
}

pub(super) fn provenance(spec: &SourceSpec, snap: &Snapshot, file: &RawFile) -> Provenance {
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
