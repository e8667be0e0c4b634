//! `tegenkracht check`: validates content as the server would read it, or
//! folders on disk (a pull request's checkout) against the configured
//! sources as context; prints findings as text, GitHub annotations or JSON;
//! with `--vergelijk`, lists similar existing dossiers in other regions for
//! every new or changed dossier, so reviewers see duplicates before merging.

use crate::config::Config;
use anyhow::{Result, bail};
use indexer::search::SearchIndex;
use indexer::search::similar::SimilarOptions;
use indexer::source::{Snapshot, SourceError};
use indexer::{Audience, Catalog, Diagnostic, Library, Location, SourceSpec};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Github,
    Json,
    /// GitLab Code Quality report (JSON), for merge request widgets.
    Gitlab,
}

/// Runs `check`; exit code 1 on any error.
pub fn run(config: &Config, dirs: &[PathBuf], source: Option<&str>, format: Format, vergelijk: bool, taal: &str) -> Result<ExitCode> {
    let (specs, checked) = plan(config, dirs, source)?;
    if dirs.is_empty() && format == Format::Human {
        for s in specs.iter().filter(|s| checked.contains(&s.name)) {
            if let Location::Git { repo, branch, .. } = &s.location {
                eprintln!(
                    "note: `{}` is checked as committed in {} ({branch}); changes not yet committed are not included: name the folder to check it as it is on disk, e.g. `tegenkracht check content`",
                    s.name,
                    repo.display()
                );
            }
        }
    }
    let catalog = Catalog::assemble(specs.iter().map(|s| (s.clone(), read(config, s))).collect());
    let mut findings: Vec<Diagnostic> = Vec::new();
    for r in &catalog.reports {
        if !checked.contains(&r.name) {
            if let Some(e) = &r.read_error {
                eprintln!("warning: context source `{}` could not be read: {e}", r.name);
            }
            continue;
        }
        if let Some(e) = &r.read_error {
            bail!("source `{}` could not be read: {e}", r.name);
        }
        findings.extend(r.diagnostics.iter().cloned());
        if !dirs.is_empty() && r.documents == 0 && r.diagnostics.is_empty() {
            findings.push(nothing_found(&specs, &r.name));
        }
    }
    findings.extend(overdue(&catalog, &specs, &checked));
    if vergelijk {
        let context: Vec<&SourceSpec> = specs.iter().filter(|s| !checked.contains(&s.name)).collect();
        let before = Catalog::assemble(context.into_iter().map(|s| (s.clone(), read(config, s))).collect());
        findings.extend(compare(&catalog, &before, &specs, &checked)?);
    }
    for d in &mut findings {
        d.message = crate::berichten::in_taal(&d.message, taal);
        // `check .` finds `./dossiers/…`: report paths as the repository names them.
        if let Some(p) = d.path.strip_prefix("./") {
            d.path = p.to_string();
        }
    }
    print(&findings, format)?;
    Ok(if findings.iter().any(Diagnostic::is_error) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes the JSON Schema of a dossier's front matter, from the vocabulary and
/// the themas of the configured sources (`check --schema FILE`).
pub fn write_schema(config: &Config, file: &std::path::Path) -> Result<()> {
    let catalog = Catalog::assemble(config.source_specs().iter().map(|s| (s.clone(), read(config, s))).collect());
    let themas: Vec<String> = catalog.playbooks.iter().map(|p| p.slug.clone()).collect();
    let schema = indexer::model::schema::dossier(&catalog.vocab, &themas);
    std::fs::write(file, serde_json::to_string_pretty(&schema)? + "\n").map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display()))
}

/// The sources to read and the names of those whose findings are reported.
fn plan(config: &Config, dirs: &[PathBuf], source: Option<&str>) -> Result<(Vec<SourceSpec>, Vec<String>)> {
    let mut specs = config.source_specs();
    if dirs.is_empty() {
        let checked = match source {
            Some(name) if !specs.iter().any(|s| s.name == name) => bail!("unknown source `{name}`"),
            Some(name) => vec![name.to_string()],
            None => specs.iter().map(|s| s.name.clone()).collect(),
        };
        return Ok((specs, checked));
    }
    // With `--source`, the folders take that source's place (and priority), so a
    // file whose id an earlier source already publishes is reported as it would
    // be in the federation; without, they come first and replace the context's
    // copies of the same documents.
    let (regions, at) = match source {
        Some(name) => {
            let pos = specs
                .iter()
                .position(|s| s.name == name)
                .ok_or_else(|| anyhow::anyhow!("unknown source `{name}`"))?;
            (specs.remove(pos).regions, pos)
        }
        None => (vec!["*".to_string()], 0),
    };
    let mut local = Vec::new();
    for (i, dir) in dirs.iter().enumerate() {
        if !dir.is_dir() {
            bail!("{} is not a folder", dir.display());
        }
        let name = source.map_or_else(|| format!("check-{i}"), str::to_string);
        local.push(SourceSpec {
            name,
            location: Location::Dir(dir.clone()),
            regions: regions.clone(),
            edit_url: None,
        });
    }
    let checked = local.iter().map(|s| s.name.clone()).collect();
    let rest = specs.split_off(at.min(specs.len()));
    specs.extend(local);
    specs.extend(rest);
    Ok((specs, checked))
}

/// The error for a checked source in which no document was found: nothing was
/// checked, and the editor learns where documents must be.
fn nothing_found(specs: &[SourceSpec], name: &str) -> Diagnostic {
    let place = match specs.iter().find(|s| s.name == name).map(|s| &s.location) {
        Some(Location::Dir(dir)) => dir.display().to_string(),
        Some(Location::Git { repo, root, .. }) => format!("{} ({root})", repo.display()),
        None => name.to_string(),
    };
    let hint = match specs.iter().find(|s| s.name == name).map(|s| &s.location) {
        Some(Location::Dir(dir)) if dir.join("content").join("dossiers").is_dir() => {
            format!(" (try `tegenkracht check {}`)", dir.join("content").display())
        }
        Some(Location::Dir(dir)) if dir.components().any(|c| c.as_os_str() == "dossiers") => {
            " (check the folder that holds `dossiers/`, not a folder inside it)".to_string()
        }
        _ => String::new(),
    };
    Diagnostic::error(
        &place,
        1,
        format!(
            "no documents found, so nothing was checked: dossiers belong in dossiers/{{regio}}/{{slug}}.md, playbooks in themas/, collections in collecties/, under the folder you check{hint}"
        ),
    )
}

/// Warnings for checked dossiers whose `herzien_voor` date has passed.
fn overdue(catalog: &Catalog, specs: &[SourceSpec], checked: &[String]) -> Vec<Diagnostic> {
    let today = indexer::model::PartialDate::today().sort_key();
    catalog
        .dossiers
        .iter()
        .filter(|d| checked.contains(&d.bron.source))
        .filter_map(|d| {
            let due = d.meta.herzien_voor?;
            (due.sort_key() < today).then(|| {
                Diagnostic::warning(
                    &display_path(specs, d),
                    1,
                    format!("`herzien_voor` ({due}) has passed: check that the dossier is still right, then set a new date"),
                )
            })
        })
        .collect()
}

/// The path of a dossier as findings show it: inside a checked folder, with the folder.
fn display_path(specs: &[SourceSpec], d: &indexer::model::Dossier) -> String {
    match specs.iter().find(|s| s.name == d.bron.source).map(|s| &s.location) {
        Some(Location::Dir(dir)) => dir.join(&d.bron.path).to_string_lossy().to_string(),
        _ => d.bron.path.clone(),
    }
}

/// Reads a source: local repositories in place, remote ones through their mirror in data_dir.
fn read(config: &Config, spec: &SourceSpec) -> Result<Snapshot, SourceError> {
    match &spec.location {
        Location::Git { repo, branch, root } if repo.to_string_lossy().contains("://") => {
            match indexer::source::mirror::fetch(&config.data_dir.as_path().into(), &spec.name, &repo.to_string_lossy()) {
                Ok(path) => indexer::source::read_git(&path, branch, root),
                Err(e) => Err(SourceError::Open {
                    path: repo.clone(),
                    source: git2::Error::from_str(&e.message),
                }),
            }
        }
        _ => spec.read(),
    }
}

/// Notices naming the most similar public dossiers in other regions, for each
/// checked dossier that is new or changed compared with `before`.
fn compare(catalog: &Catalog, before: &Catalog, specs: &[SourceSpec], checked: &[String]) -> Result<Vec<Diagnostic>> {
    let lib = Library::new(catalog, Audience::Public);
    let index = SearchIndex::build_in_ram(&lib)?;
    let mut out = Vec::new();
    for (ord, d) in lib.dossiers.iter().enumerate() {
        if !checked.contains(&d.bron.source) {
            continue;
        }
        let unchanged = before.dossiers.iter().any(|b| {
            b.id == d.id
                && b.meta.titel == d.meta.titel
                && b.meta.details.digest() == d.meta.details.digest()
                && b.body.text() == d.body.text()
        });
        if unchanged {
            continue;
        }
        let path = display_path(specs, d);
        for s in index.similar(
            &lib,
            ord,
            SimilarOptions {
                k: 3,
                zelfde_regio: false,
                auteur_alle_regios: false,
            },
        )? {
            let o = &lib.dossiers[s.ord];
            out.push(Diagnostic::notice(
                &path,
                1,
                format!(
                    "lijkt op {} ({}, {}): {}",
                    o.id,
                    o.meta.titel,
                    lib.vocab.regios.name(&o.meta.regio),
                    s.waarom.join("; ")
                ),
            ));
        }
    }
    Ok(out)
}

fn print(findings: &[Diagnostic], format: Format) -> Result<()> {
    let errors = findings.iter().filter(|d| d.is_error()).count();
    let warnings = findings.iter().filter(|d| d.severity == indexer::Severity::Warning).count();
    let mut out = std::io::stdout().lock();
    let written = write_findings(&mut out, findings, format).and_then(|()| out.flush());
    match written {
        // A reader that stopped reading (`check | head`) is not an error of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        other => other?,
    }
    if format == Format::Human {
        eprintln!("{errors} errors, {warnings} warnings");
    }
    Ok(())
}

fn write_findings(out: &mut impl Write, findings: &[Diagnostic], format: Format) -> std::io::Result<()> {
    match format {
        Format::Human => {
            for d in findings {
                writeln!(out, "{d}")?;
            }
        }
        Format::Github => {
            for d in findings {
                let level = match d.severity {
                    indexer::Severity::Error => "error",
                    indexer::Severity::Warning => "warning",
                    indexer::Severity::Notice => "notice",
                };
                let message = d.message.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
                writeln!(out, "::{level} file={},line={}::{message}", d.path, d.line)?;
            }
        }
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(findings)?)?,
        Format::Gitlab => writeln!(out, "{}", serde_json::to_string_pretty(&code_quality(findings))?)?,
    }
    Ok(())
}

/// GitLab Code Quality issues: errors are `major`, warnings `minor`, notices
/// `info`; the fingerprint is stable for the same finding at the same place.
fn code_quality(findings: &[Diagnostic]) -> Vec<serde_json::Value> {
    use sha2::{Digest, Sha256};
    findings
        .iter()
        .map(|d| {
            let severity = match d.severity {
                indexer::Severity::Error => "major",
                indexer::Severity::Warning => "minor",
                indexer::Severity::Notice => "info",
            };
            let fingerprint = hex::encode(Sha256::digest(format!("{}\0{}\0{}", d.path, d.line, d.message)));
            serde_json::json!({
                "description": d.message,
                "check_name": "tegenkracht",
                "fingerprint": fingerprint,
                "severity": severity,
                "location": {"path": d.path, "lines": {"begin": d.line}},
            })
        })
        .collect()
}
