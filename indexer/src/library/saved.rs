//! The public partition's word statistics kept in `data_dir`, so that a start
//! need not read every dossier's word lists back and count them again (at
//! 100,000 dossiers that was half of a cold start). Only the public
//! partition's are kept: they hold public words only (the other partitions
//! are small and counted at a start; see `stats.rs`). The file is used only
//! when it was written by this program for exactly these public dossiers (a
//! digest of what their word lists are made of), and checked by CRC; anything
//! else and the statistics are counted as before.

use crate::data_dir::DataDir;
use crate::model::Dossier;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The file, beside the per-file cache of the same format.
pub fn path(data_dir: &DataDir) -> PathBuf {
    crate::catalog::filecache::cache_dir(data_dir).join("openbaar-woorden.bin")
}

/// Saved statistics: document frequencies of key-term candidates and surface
/// words, for the dossiers whose digest is `digest`.
#[derive(Debug, Serialize, Deserialize)]
pub struct SavedStatistics {
    pub(super) digest: [u8; 32],
    pub(super) df: HashMap<String, u32>,
    pub(super) words: HashMap<String, u32>,
}

impl SavedStatistics {
    /// The digest of the dossiers these are the statistics of.
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }
}

/// A digest of what the word lists of `dossiers` (sorted by id) are made of:
/// id, title, the digests of the details (summary, keywords, …) and of the
/// body's text per dossier, and the program that made the lists.
pub fn digest(dossiers: &[Arc<Dossier>]) -> [u8; 32] {
    use rayon::prelude::*;
    let parts: Vec<[u8; 32]> = dossiers
        .par_chunks(4096)
        .map(|chunk| {
            let mut h = Sha256::new();
            for d in chunk {
                for part in [&d.id, &d.meta.titel] {
                    h.update((part.len() as u64).to_le_bytes());
                    h.update(part.as_bytes());
                }
                h.update(d.meta.details.digest().to_le_bytes());
                h.update(d.body.text_digest().to_le_bytes());
            }
            h.finalize().into()
        })
        .collect();
    let mut h = Sha256::new();
    h.update(crate::data_dir::program_identity().unwrap_or_default().as_bytes());
    h.update((dossiers.len() as u64).to_le_bytes());
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// Reads the saved statistics; `None` when there are none, or they cannot be
/// read or are damaged (then they are counted, and saved again).
pub fn load(path: &Path) -> Option<SavedStatistics> {
    let bytes = std::fs::read(path).ok()?;
    let (crc, body) = bytes.split_at_checked(4)?;
    if u32::from_le_bytes(crc.try_into().ok()?) != crc32fast::hash(body) {
        tracing::warn!(path = %path.display(), "saved word statistics are damaged: counting them again");
        return None;
    }
    postcard::from_bytes(body).ok()
}

/// Saves `df` and `words` as the statistics of the dossiers with `digest`
/// (under a temporary name, then renamed).
pub fn save(path: &Path, digest: [u8; 32], df: &HashMap<String, u32>, words: &HashMap<String, u32>) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Out<'a> {
        digest: [u8; 32],
        df: &'a HashMap<String, u32>,
        words: &'a HashMap<String, u32>,
    }
    let body = postcard::to_stdvec(&Out { digest, df, words }).map_err(std::io::Error::other)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    DataDir::create_private(dir)?;
    // What a writer that was killed left behind (one engine writes here).
    DataDir::remove_stale_temporaries(dir, "openbaar-woorden");
    let tmp = dir.join(format!(".openbaar-woorden.{}.tmp", std::process::id()));
    let mut f = DataDir::create_private_file(&tmp)?;
    f.write_all(&crc32fast::hash(&body).to_le_bytes())?;
    f.write_all(&body)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}
