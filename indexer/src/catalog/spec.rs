//! A configured source: where its files are read from, which regions it may
//! publish for, and its edit links.

use crate::model::vocab::Vocabulary;
use crate::source::{self, Snapshot, SourceError};
use std::path::PathBuf;

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
