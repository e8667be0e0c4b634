//! The per-file cache on disk: what `corpus::RenderCache` keeps per dossier
//! file (validated front matter, rendering, word statistics, the file's own
//! findings, by git blob id and path), saved in `data_dir/cache/v{FORMAT}/dossiers.bin`
//! so that a start does not parse and render every file again.
//!
//! The file holds only what each file yields on its own: no statistics,
//! nothing per audience. It holds restricted content, so it is created with
//! mode 0600 in a folder of mode 0700 (on Unix). It is a cache: a missing,
//! truncated, corrupt or foreign file, or one written by another build of the
//! program (another executable: size and modification time differ) or for
//! another format, is ignored with a warning and written anew. Each chunk
//! carries a CRC-32, and a file is only ever complete: it is written under a
//! temporary name, synced, then renamed. Entries also carry the fingerprint of
//! the vocabulary and themas they were validated against; `RenderCache` uses
//! them only when the current fingerprint is the same.
//!
//! The encoding is postcard over the model's serde implementations; whatever
//! changes those (or anything else about this file) must bump `FORMAT`.

use crate::corpus::{BodyPart, ParsedDossier};
use crate::diag::Diagnostic;
use crate::model::{DocWords, DossierMeta, Rendered};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Bump when the layout or the encoded types change.
pub const FORMAT: u32 = 5;
const MAGIC: &[u8; 8] = b"TKFCACHE";
/// The largest cache file that is read.
const MAX_FILE_BYTES: u64 = 8 << 30;
/// Entries per chunk (chunks are decoded in parallel).
const CHUNK: usize = 512;

/// Restored entries by blob id, with the fingerprint of their context.
pub(crate) type Restored = ([u8; 32], HashMap<String, Vec<Arc<ParsedDossier>>>);
/// Entries to save (blob id and result), with the fingerprint of their context.
pub(crate) type Entries = ([u8; 32], Vec<(String, Arc<ParsedDossier>)>);
/// A rendered body as saved: rendering, word statistics, warnings; or why it failed.
type BodyRef<'a> = Result<(&'a Rendered, &'a DocWords, &'a [Diagnostic]), &'a str>;
type BodyOwned = Result<(Rendered, DocWords, Vec<Diagnostic>), String>;

/// The cache folder of this format.
pub fn cache_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("cache").join(format!("v{FORMAT}"))
}

fn cache_file(data_dir: &Path) -> PathBuf {
    cache_dir(data_dir).join("dossiers.bin")
}

/// Identifies the running program: a cache written by another build is not read.
/// The executable's contents are part of it (a CRC-32 of the file, computed once),
/// so builds with fixed timestamps and equal sizes (reproducible builds) are still
/// told apart: a fix to rendering or sanitising always applies to cached files.
fn identity() -> Option<String> {
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

#[derive(Serialize)]
struct EntryRef<'a> {
    oid: &'a str,
    rel: &'a str,
    display: &'a str,
    front: Result<(&'a str, &'a DossierMeta, &'a [Diagnostic]), &'a [Diagnostic]>,
    body: Option<BodyRef<'a>>,
}

#[derive(Deserialize)]
struct Entry {
    oid: String,
    rel: String,
    display: String,
    front: Result<(String, DossierMeta, Vec<Diagnostic>), Vec<Diagnostic>>,
    body: Option<BodyOwned>,
}

fn entry_ref<'a>(oid: &'a str, p: &'a ParsedDossier) -> EntryRef<'a> {
    EntryRef {
        oid,
        rel: &p.rel,
        display: &p.display,
        front: match &p.front {
            Ok((slug, meta, notices)) => Ok((slug.as_str(), &**meta, notices.as_slice())),
            Err(errs) => Err(errs.as_slice()),
        },
        body: p.body.get().map(|b| match b {
            Ok(part) => Ok((&*part.body, &*part.words, part.warnings.as_slice())),
            Err(message) => Err(message.as_str()),
        }),
    }
}

fn parsed_of(e: Entry) -> (String, ParsedDossier) {
    let body = OnceLock::new();
    if let Some(b) = e.body {
        let _ = body.set(b.map(|(rendered, words, warnings)| BodyPart {
            body: Arc::new(rendered),
            words: Arc::new(words),
            warnings,
        }));
    }
    let parsed = ParsedDossier {
        rel: e.rel,
        display: e.display,
        front: e.front.map(|(slug, meta, notices)| (slug, Arc::new(meta), notices)),
        body,
    };
    (e.oid, parsed)
}

/// Writes the entries atomically (temporary file, sync, rename).
pub(crate) fn save(data_dir: &Path, fingerprint: [u8; 32], entries: &[(String, Arc<ParsedDossier>)]) -> std::io::Result<()> {
    let Some(identity) = identity() else {
        return Ok(());
    };
    let dir = cache_dir(data_dir);
    create_private_dir(&dir)?;
    remove_other_versions(data_dir);
    let tmp = dir.join(format!(".dossiers.bin.{}.tmp", std::process::id()));
    let written = (|| {
        let mut f = std::io::BufWriter::with_capacity(1 << 20, create_private_file(&tmp)?);
        f.write_all(MAGIC)?;
        f.write_all(&FORMAT.to_le_bytes())?;
        f.write_all(&(identity.len() as u32).to_le_bytes())?;
        f.write_all(identity.as_bytes())?;
        f.write_all(&fingerprint)?;
        // One chunk encoded at a time (in the background: no hurry, little memory).
        f.write_all(&(entries.len().div_ceil(CHUNK) as u32).to_le_bytes())?;
        for chunk in entries.chunks(CHUNK) {
            let refs: Vec<EntryRef<'_>> = chunk.iter().map(|(oid, p)| entry_ref(oid, p)).collect();
            let encoded = postcard::to_stdvec(&refs).map_err(std::io::Error::other)?;
            f.write_all(&(encoded.len() as u64).to_le_bytes())?;
            f.write_all(&crc32fast::hash(&encoded).to_le_bytes())?;
            f.write_all(&encoded)?;
        }
        let f = f.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&tmp, cache_file(data_dir))?;
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Reads the saved entries; `None` (with a warning) when there is no usable file.
pub(crate) fn load(data_dir: &Path) -> Option<Restored> {
    let path = cache_file(data_dir);
    remove_stale_temporaries(&cache_dir(data_dir));
    match read(&path) {
        Ok(restored) => restored,
        Err(why) => {
            tracing::warn!(reason = %why, "the saved per-file cache is not usable; it will be written anew");
            None
        }
    }
}

fn read(path: &Path) -> Result<Option<Restored>, String> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!("larger than {MAX_FILE_BYTES} bytes"));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let mut r = Reader { bytes: &bytes, at: 0 };
    if r.take(8)? != MAGIC {
        return Err("not a cache file".into());
    }
    if r.u32()? != FORMAT {
        return Err("another format".into());
    }
    let len = r.u32()? as usize;
    let written_by = r.take(len)?;
    if Some(written_by) != identity().as_ref().map(String::as_bytes) {
        // An upgrade, or another build: its encoding or its rules may differ.
        tracing::info!("per-file cache written by another build of tegenkracht; rebuilding it");
        return Ok(None);
    }
    let fingerprint: [u8; 32] = r.take(32)?.try_into().map_err(|_| "truncated")?;
    let count = r.u32()? as usize;
    let mut chunks: Vec<&[u8]> = Vec::new();
    for _ in 0..count {
        let len = usize::try_from(r.u64()?).map_err(|_| "chunk too large")?;
        let crc = r.u32()?;
        let chunk = r.take(len)?;
        if crc32fast::hash(chunk) != crc {
            return Err("checksum mismatch".into());
        }
        chunks.push(chunk);
    }
    if r.at != bytes.len() {
        return Err("trailing bytes".into());
    }
    use rayon::prelude::*;
    let decoded: Vec<Vec<Entry>> = chunks
        .par_iter()
        .map(|c| postcard::from_bytes::<Vec<Entry>>(c).map_err(|e| e.to_string()))
        .collect::<Result<_, String>>()?;
    let mut out: HashMap<String, Vec<Arc<ParsedDossier>>> = HashMap::new();
    for e in decoded.into_iter().flatten() {
        let (oid, parsed) = parsed_of(e);
        out.entry(oid).or_default().push(Arc::new(parsed));
    }
    Ok(Some((fingerprint, out)))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len()).ok_or("truncated")?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().map_err(|_| "truncated")?))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().map_err(|_| "truncated")?))
    }
}

/// Folders of other formats are removed (best effort).
fn remove_other_versions(data_dir: &Path) {
    let keep = format!("v{FORMAT}");
    if let Ok(entries) = std::fs::read_dir(data_dir.join("cache")) {
        for e in entries.flatten() {
            if e.file_name() != keep.as_str() {
                let _ = if e.path().is_dir() {
                    std::fs::remove_dir_all(e.path())
                } else {
                    std::fs::remove_file(e.path())
                };
            }
        }
    }
}

/// Temporary files of writers that were killed (best effort).
fn remove_stale_temporaries(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(".dossiers.bin.") && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Creates `dir` (and missing parents) readable by the owner only, and makes
/// `dir` and its parent so if they existed: everything in `data_dir` holds
/// restricted content.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
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

fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
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
