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

    /// Creates (or truncates) a file readable and writable by the owner only.
    pub fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
        let mut o = std::fs::OpenOptions::new();
        o.read(true).write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let f = o.open(path)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(f)
    }

    /// Removes (best effort) the temporary files `.{name}.*.tmp` in `dir`
    /// that writers of `name` left when they were killed before renaming.
    pub fn remove_stale_temporaries(dir: &Path, name: &str) {
        let prefix = format!(".{name}.");
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let file = e.file_name();
                let file = file.to_string_lossy();
                if file.starts_with(&prefix) && file.ends_with(".tmp") {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
}

/// Identifies the running program: a cache written by another build is not read.
/// The executable's contents are part of it (a CRC-32 of the file, computed once),
/// so builds with fixed timestamps and equal sizes (reproducible builds) are still
/// told apart: a fix to rendering or sanitising always applies to cached files.
pub fn program_identity() -> Option<String> {
    static IDENTITY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    IDENTITY
        .get_or_init(|| {
            let exe = std::env::current_exe().ok()?;
            let mut file = std::fs::File::open(&exe).ok()?;
            let mut crc = crc32fast::Hasher::new();
            let mut buf = vec![0u8; 1 << 20];
            let mut len = 0u64;
            loop {
                let n = std::io::Read::read(&mut file, &mut buf).ok()?;
                if n == 0 {
                    break;
                }
                crc.update(&buf[..n]);
                len += n as u64;
            }
            Some(format!("{} {len} {:08x}", env!("CARGO_PKG_VERSION"), crc.finalize()))
        })
        .clone()
}

impl From<&Path> for DataDir {
    fn from(p: &Path) -> DataDir {
        DataDir::new(p)
    }
}
