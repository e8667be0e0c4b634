//! The command line: `serve`, `index`, `check` and `nieuw`, with the flags, exit
//! codes and output formats of the interfaces spec.

pub mod check;
pub mod nieuw;
pub mod serve;

use crate::config::Config;
use anyhow::{Result, bail};
use check::Format;
use clap::{Parser, Subcommand};
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
        /// Also serve this working folder (an unmerged branch), before every source,
        /// re-read every two seconds, with its findings shown on the pages.
        #[arg(long, value_name = "DIR")]
        preview: Option<PathBuf>,
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
        /// Also list, for each new or changed dossier, the most similar existing
        /// dossiers in other regions ("this already exists in Limburg").
        #[arg(long)]
        vergelijk: bool,
        /// The language of the messages: nl (default) or en.
        #[arg(long, value_parser = ["nl", "en"], default_value = "nl")]
        taal: String,
        /// Also write the JSON Schema of a dossier's front matter (from the
        /// configuration's vocabulary and themas) to this file.
        #[arg(long, value_name = "FILE")]
        schema: Option<PathBuf>,
    },
    /// Writes the skeleton of a new dossier at dossiers/REGIO/SLUG.md, every field explained.
    Nieuw {
        /// The region that publishes it (a slug of the vocabulary).
        regio: String,
        /// The file name without .md: a-z, 0-9 and -.
        slug: String,
        /// A praktijk (a practice to adopt) instead of a leerdossier.
        #[arg(long)]
        praktijk: bool,
        /// The repository to write in (default: the current folder).
        #[arg(long, value_name = "DIR", default_value = ".")]
        map: PathBuf,
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

/// Parses the command line and runs the command; never panics on bad input.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::cli::serve::init_tracing();
    let result = match cli.command {
        Command::Serve { config, listen, preview } => Config::load(config.as_deref()).and_then(|mut c| {
            if let Some(l) = listen {
                c.listen = l;
            }
            if let Some(dir) = preview {
                if !dir.is_dir() {
                    bail!("--preview {}: not a folder", dir.display());
                }
                c.preview = Some(dir);
                c.poll_interval = std::time::Duration::from_secs(2);
            }
            crate::cli::serve::run(c)
        }),
        Command::Index { config } => Config::load(config.as_deref()).and_then(index),
        Command::Check {
            dirs,
            config,
            source,
            format,
            vergelijk,
            taal,
            schema,
        } => Config::load(config.as_deref()).and_then(|c| {
            if let Some(file) = &schema {
                crate::cli::check::write_schema(&c, file)?;
            }
            crate::cli::check::run(&c, &dirs, source.as_deref(), format, vergelijk, &taal)
        }),
        Command::Nieuw {
            regio,
            slug,
            praktijk,
            map,
            config,
        } => Config::load(config.as_deref()).and_then(|c| crate::cli::nieuw::run(&c, &map, &regio, &slug, praktijk)),
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
    for r in loaded.reports() {
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
    for r in loaded.reports() {
        if let Some(e) = &r.fetch_error {
            failed = true;
            println!("{}: fetch failed, serving the last good commit: {e}", r.name);
        }
    }
    println!(
        "index in {}: {} documents written, {} removed, {} public dossiers, {} files rendered",
        indexer::DataDir::new(&config.data_dir).indexes().display(),
        loaded.stats.added,
        loaded.stats.deleted,
        loaded.public.library.dossiers.len(),
        loaded.rendered
    );
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
