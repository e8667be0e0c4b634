//! The server's own small state that must outlive a restart, in one redb
//! database, `data_dir/tegenkracht.redb` (mode 0600): ACID transactions, so a
//! crash leaves the last committed state. It holds the usage aggregates of
//! `insight` (nothing that identifies a reader) and the email alerts'
//! subscriptions and queue (`alerts`: an address, a name and the reader's
//! groups per subscription, deleted with it). `Insight::open` opens it and
//! `Insight::store` shares it.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The database file in `data_dir`.
pub fn path(data_dir: &Path) -> PathBuf {
    indexer::DataDir::new(data_dir).store()
}

/// Opens (or creates) the database, creating `data_dir` if needed.
pub fn open(data_dir: &Path) -> Result<redb::Database> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
    let file = path(data_dir);
    let db = redb::Database::create(&file).with_context(|| format!("cannot open {}", file.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Best effort: some volumes refuse it, and counts are no reason to stop.
        if let Err(e) = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)) {
            tracing::warn!(error = %e, file = %file.display(), "could not make the store owner-only");
        }
    }
    Ok(db)
}
