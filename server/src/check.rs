//! `tegenkracht check`: validates content as the server would read it, or
//! folders on disk (a pull request's checkout) against the configured
//! sources as context; prints findings as text, GitHub annotations or JSON;
//! with `--vergelijk`, lists similar existing dossiers in other regions for
//! every new or changed dossier, so reviewers see duplicates before merging.

use crate::cli::Format;
use crate::config::Config;
use anyhow::{Result, bail};
use indexer::index::SearchIndex;
use indexer::similar::SimilarOptions;
use indexer::source::{Snapshot, SourceError};
use indexer::{Audience, Catalog, Diagnostic, Library, Location, SourceSpec};
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs `check`; exit code 1 on any error.
pub fn run(config: &Config, dirs: &[PathBuf], source: Option<&str>, format: Format, vergelijk: bool) -> Result<ExitCode> {
    let (specs, checked) = plan(config, dirs, source)?;
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
    }
    if vergelijk {
        let context: Vec<&SourceSpec> = specs.iter().filter(|s| !checked.contains(&s.name)).collect();
        let before = Catalog::assemble(context.into_iter().map(|s| (s.clone(), read(config, s))).collect());
        findings.extend(compare(&catalog, &before, &specs, &checked)?);
    }
    print(&findings, format)?;
    Ok(if findings.iter().any(Diagnostic::is_error) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
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
    let regions = match source {
        Some(name) => {
            let pos = specs
                .iter()
                .position(|s| s.name == name)
                .ok_or_else(|| anyhow::anyhow!("unknown source `{name}`"))?;
            specs.remove(pos).regions
        }
        None => vec!["*".to_string()],
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
    // The folders come first: they replace the context's copies of the same documents.
    local.extend(specs);
    Ok((local, checked))
}

/// Reads a source: local repositories in place, remote ones through their mirror in data_dir.
fn read(config: &Config, spec: &SourceSpec) -> Result<Snapshot, SourceError> {
    match &spec.location {
        Location::Git { repo, branch, root } if repo.to_string_lossy().contains("://") => {
            match indexer::mirror::fetch(&config.data_dir, &spec.name, &repo.to_string_lossy()) {
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
            b.id == d.id && b.meta.titel == d.meta.titel && b.meta.samenvatting == d.meta.samenvatting && b.body.text == d.body.text
        });
        if unchanged {
            continue;
        }
        let path = match specs.iter().find(|s| s.name == d.bron.source).map(|s| &s.location) {
            Some(Location::Dir(dir)) => dir.join(&d.bron.path).to_string_lossy().to_string(),
            _ => d.bron.path.clone(),
        };
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
    match format {
        Format::Human => {
            for d in findings {
                println!("{d}");
            }
            eprintln!("{errors} errors, {warnings} warnings");
        }
        Format::Github => {
            for d in findings {
                let level = match d.severity {
                    indexer::Severity::Error => "error",
                    indexer::Severity::Warning => "warning",
                    indexer::Severity::Notice => "notice",
                };
                let message = d.message.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
                println!("::{level} file={},line={}::{message}", d.path, d.line);
            }
        }
        Format::Json => println!("{}", serde_json::to_string_pretty(findings)?),
    }
    Ok(())
}
