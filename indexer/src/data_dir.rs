//! `DataDir`: the layout of `data_dir` in one place (where the mirrors, the
//! indexes, the per-file cache and the store live) and its permissions.
//! Everything in it may hold restricted content, so every folder the engine
//! creates in it is readable by the owner only.

use std::path::{Path, PathBuf};

/// The folder a server keeps its state in (`data_dir` in the configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `mirrors/{source}.git`: the bare mirror of a git source.
    pub fn mirror(&self, source: &str) -> PathBuf {
        self.root.join("mirrors").join(format!("{source}.git"))
    }

    /// `index/`: the partition indexes, one folder per schema version.
    pub fn indexes(&self) -> PathBuf {
        self.root.join("index")
    }

    /// `cache/`: the per-file cache, one folder per format.
    pub fn caches(&self) -> PathBuf {
        self.root.join("cache")
    }

    /// `tegenkracht.redb`: the state that must survive a restart (the only
    /// file here that is not derived from git).
    pub fn store(&self) -> PathBuf {
        self.root.join("tegenkracht.redb")
    }

    /// Creates `dir` (and missing parents) readable by the owner only, and
    /// makes `dir` and its parent so if they existed.
    pub fn create_private(dir: &Path) -> std::io::Result<()> {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(dir)?;
        #[cfg(unix)]
        for d in [dir, dir.parent().unwrap_or(dir)] {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
}

impl From<&Path> for DataDir {
    fn from(p: &Path) -> DataDir {
        DataDir::new(p)
    }
}
