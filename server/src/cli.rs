//! The command line: `serve`, `index` and `check`, with the flags, exit
//! codes and output formats of the interfaces spec.

use crate::config::Config;
use anyhow::{Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use indexer::{Catalog, Diagnostic, Location, SourceSpec};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Tegenkracht: de kennisbank van de RIEC's en het LIEC.
#[derive(Debug, Parser)]
#[command(name = "tegenkracht", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reads the sources, builds or updates the index, and serves the site and API.
    Serve {
        /// Configuration file (default: ./tegenkracht.toml, else the repository's content/).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Address to listen on, overriding the configuration.
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Brings the index up to date with every source, prints a report per source, exits.
    Index {
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Validates content without serving it; exits 1 on any error.
    Check {
        /// Folders to check as they are on disk (a pull request's checkout).
        dirs: Vec<PathBuf>,
        #[arg(long)]
        config: Option<PathBuf>,
        /// Check the folders as this configured source (applies its region ownership).
        #[arg(long)]
        source: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Github,
    Json,
}

/// Parses the command line and runs the command; never panics on bad input.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::serve::init_tracing();
    let result = match cli.command {
        Command::Serve { config, listen } => Config::load(config.as_deref()).and_then(|mut c| {
            if let Some(l) = listen {
                c.listen = l;
            }
            crate::serve::run(c)
        }),
        Command::Index { config } => Config::load(config.as_deref()).and_then(index),
        Command::Check {
            dirs,
            config,
            source,
            format,
        } => Config::load(config.as_deref()).and_then(|c| check(&c, &dirs, source.as_deref(), format)),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tegenkracht: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

fn index(config: Config) -> Result<ExitCode> {
    let loaded = indexer::load(&config.source_specs(), &config.data_dir)?;
    let mut failed = false;
    for r in &loaded.catalog.reports {
        let commit = r
            .commit
            .as_deref()
            .map_or("(folder)".to_string(), |c| c[..c.len().min(12)].to_string());
        match &r.read_error {
            Some(e) => {
                failed = true;
                println!("{}: could not be read: {e}", r.name);
            }
            None => println!(
                "{}: commit {commit}, {} documents, {} errors, {} warnings",
                r.name, r.documents, r.errors, r.warnings
            ),
        }
        for d in &r.diagnostics {
            println!("  {d}");
        }
    }
    for r in &loaded.catalog.reports {
        if let Some(e) = &r.fetch_error {
            failed = true;
            println!("{}: fetch failed, serving the last good commit: {e}", r.name);
        }
    }
    println!(
        "index in {}: {} documents written, {} removed, {} public dossiers, {} files rendered",
        config.data_dir.join("index").display(),
        loaded.stats.added,
        loaded.stats.deleted,
        loaded.public.library.dossiers.len(),
        loaded.rendered
    );
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Runs `check` and prints the findings; returns exit code 1 on any error.
pub fn check(config: &Config, dirs: &[PathBuf], source: Option<&str>, format: Format) -> Result<ExitCode> {
    let mut specs = config.source_specs();
    let checked: Vec<String>;
    if dirs.is_empty() {
        if let Some(name) = source {
            if !specs.iter().any(|s| s.name == name) {
                bail!("unknown source `{name}`");
            }
            checked = vec![name.to_string()];
        } else {
            checked = specs.iter().map(|s| s.name.clone()).collect();
        }
    } else {
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
        checked = local.iter().map(|s| s.name.clone()).collect();
        // The folders come first: they replace the context's copies of the same documents.
        local.extend(specs);
        specs = local;
    }
    // Local repositories are read in place; remote ones through their mirror in data_dir.
    let sources = specs
        .iter()
        .map(|spec| {
            let read = match &spec.location {
                Location::Git { repo, branch, root } if repo.to_string_lossy().contains("://") => {
                    match indexer::mirror::fetch(&config.data_dir, &spec.name, &repo.to_string_lossy()) {
                        Ok(path) => indexer::source::read_git(&path, branch, root),
                        Err(e) => Err(indexer::source::SourceError::Open {
                            path: repo.clone(),
                            source: git2::Error::from_str(&e.message),
                        }),
                    }
                }
                _ => spec.read(),
            };
            (spec.clone(), read)
        })
        .collect();
    let catalog = Catalog::assemble(sources);
    let mut findings: Vec<&Diagnostic> = Vec::new();
    for r in catalog.reports.iter() {
        if !checked.contains(&r.name) {
            if let Some(e) = &r.read_error {
                eprintln!("warning: context source `{}` could not be read: {e}", r.name);
            }
            continue;
        }
        if let Some(e) = &r.read_error {
            bail!("source `{}` could not be read: {e}", r.name);
        }
        findings.extend(r.diagnostics.iter());
    }
    let errors = findings.iter().filter(|d| d.is_error()).count();
    let warnings = findings.len() - errors;
    match format {
        Format::Human => {
            for d in &findings {
                println!("{d}");
            }
            eprintln!("{errors} errors, {warnings} warnings");
        }
        Format::Github => {
            for d in &findings {
                let level = if d.is_error() { "error" } else { "warning" };
                println!(
                    "::{level} file={},line={}::{}",
                    d.path,
                    d.line,
                    d.message.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
                );
            }
        }
        Format::Json => println!("{}", serde_json::to_string_pretty(&findings)?),
    }
    Ok(if errors > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
