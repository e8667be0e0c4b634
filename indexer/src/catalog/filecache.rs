//! The per-file cache on disk: what `catalog::RenderCache` keeps per dossier
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
//!
//! The file is also where texts live out of memory: a restored entry's
//! compressed HTML and text, its outline, its word lists and its front
//! matter's details are [`Blob`]s pointing into the
//! file (postcard stores bytes as they are, so they are read in place), and
//! after a save the entries saved point into the new file, freeing the memory
//! of files parsed since. Loading reads one chunk at a time, never the whole
//! file.

use crate::blob::{Blob, Spot, StoreFile};
use crate::catalog::render_cache::{BodyPart, ParsedDossier, Restored};
use crate::data_dir::DataDir;
use crate::diag::Diagnostic;
use crate::model::{Details, DocWords, DossierMeta, Rendered};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Bump when the layout or the encoded types change.
pub const FORMAT: u32 = 10;
const MAGIC: &[u8; 8] = b"TKFCACHE";
/// The largest cache file that is read (it is read a chunk at a time; about
/// 13 KB a dossier, so 13 GB at 1,000,000 dossiers).
const MAX_FILE_BYTES: u64 = 64 << 30;
/// Entries per chunk (chunks are decoded in parallel).
const CHUNK: usize = 512;

/// A rendered body as saved: rendering, word statistics, warnings; or why it failed.
type BodyRef<'a> = Result<(&'a Rendered, &'a DocWords, &'a [Diagnostic]), &'a str>;
/// The same as read back, with the bytes of its blobs borrowed from the chunk.
type BodyIn<'a> = Result<(RenderedIn<'a>, &'a [u8], Vec<Diagnostic>), String>;

/// The cache folder of this format.
pub fn cache_dir(data_dir: &DataDir) -> PathBuf {
    data_dir.caches().join(format!("v{FORMAT}"))
}

fn cache_file(data_dir: &DataDir) -> PathBuf {
    cache_dir(data_dir).join("dossiers.bin")
}

#[derive(Serialize)]
struct EntryRef<'a> {
    oid: &'a str,
    rel: &'a str,
    display: &'a str,
    /// The slug, the front matter, its details (out of memory) and notices; or the errors.
    front: Result<(&'a str, &'a DossierMeta, &'a Details, &'a [Diagnostic]), &'a [Diagnostic]>,
    body: Option<BodyRef<'a>>,
    regio_line: usize,
}

#[derive(Deserialize)]
struct Entry<'a> {
    oid: String,
    rel: String,
    display: String,
    #[serde(borrow)]
    front: Result<(String, DossierMeta, DetailsIn<'a>, Vec<Diagnostic>), Vec<Diagnostic>>,
    #[serde(borrow)]
    body: Option<BodyIn<'a>>,
    regio_line: usize,
}

/// A `Details` as serialised: its blob, its digest and the number of lessons.
#[derive(Deserialize)]
struct DetailsIn<'a>(&'a [u8], u64, u32);

/// A `Rendered` as serialised: its three blobs and the digest of its text and outline.
#[derive(Deserialize)]
struct RenderedIn<'a> {
    html: &'a [u8],
    text: &'a [u8],
    toc: &'a [u8],
    digest: u64,
}

/// Where the blobs of one entry's body are in a file: the HTML, the text,
/// the outline and the word lists, in that order.
type Places = [Spot; 4];

/// Where `bytes`, which lie in `chunk`, which starts at `chunk_at`, are in the file.
fn place(bytes: &[u8], chunk: &[u8], chunk_at: u64) -> Spot {
    Spot::of(chunk_at + (bytes.as_ptr() as usize - chunk.as_ptr() as usize) as u64, bytes)
}

/// The places of the blobs of `body`, whose bytes lie in `chunk`, which
/// starts at `chunk_at` in the file.
fn places(body: &(RenderedIn<'_>, &[u8], Vec<Diagnostic>), chunk: &[u8], chunk_at: u64) -> Places {
    [body.0.html, body.0.text, body.0.toc, body.1].map(|b| place(b, chunk, chunk_at))
}

fn entry_ref<'a>(oid: &'a str, p: &'a ParsedDossier) -> EntryRef<'a> {
    EntryRef {
        oid,
        rel: &p.rel,
        display: &p.display,
        front: match &p.front {
            Ok((slug, meta, notices)) => Ok((slug.as_str(), &**meta, &meta.details, notices.as_slice())),
            Err(errs) => Err(errs.as_slice()),
        },
        body: p.body.get().map(|b| match b {
            Ok(part) => Ok((&*part.body, &*part.words, part.warnings.as_slice())),
            Err(message) => Err(message.as_str()),
        }),
        regio_line: p.regio_line,
    }
}

/// A restored entry, its blobs pointing into `file`.
fn parsed_of(e: Entry<'_>, file: &Arc<StoreFile>, chunk: &[u8], chunk_at: u64) -> (String, ParsedDossier) {
    let body = OnceLock::new();
    if let Some(b) = e.body {
        let _ = body.set(b.map(|part| {
            let [html, text, toc, words] = places(&part, chunk, chunk_at).map(|spot| Blob::on_disk(Arc::clone(file), spot));
            BodyPart {
                body: Arc::new(Rendered::from_blobs(html, text, toc, part.0.digest)),
                words: Arc::new(DocWords::from_blob(words)),
                warnings: part.2,
            }
        }));
    }
    let parsed = ParsedDossier {
        rel: e.rel,
        display: e.display,
        front: e.front.map(|(slug, mut meta, DetailsIn(details, digest, lessons), notices)| {
            let spot = place(details, chunk, chunk_at);
            meta.details = Details::from_blob(Blob::on_disk(Arc::clone(file), spot), digest, lessons);
            (slug, Arc::new(meta), notices)
        }),
        body,
        regio_line: e.regio_line,
    };
    (e.oid, parsed)
}

/// Writes the entries atomically (temporary file, sync, rename).
pub(crate) fn save(data_dir: &DataDir, fingerprint: [u8; 32], entries: &[(String, Arc<ParsedDossier>)]) -> std::io::Result<()> {
    let Some(identity) = crate::data_dir::program_identity() else {
        return Ok(());
    };
    let dir = cache_dir(data_dir);
    DataDir::create_private(&dir)?;
    remove_other_versions(data_dir);
    let tmp = dir.join(format!(".dossiers.bin.{}.tmp", std::process::id()));
    // Where each saved entry's blobs land in the new file.
    let mut moves: Vec<(&BodyPart, Places)> = Vec::with_capacity(entries.len());
    let mut detail_moves: Vec<(&Details, Spot)> = Vec::with_capacity(entries.len());
    // The handle the blobs will read through: the file this save writes,
    // whatever another process renames into place later.
    let mut handle: Option<std::fs::File> = None;
    let written = (|| {
        let file = DataDir::create_private_file(&tmp)?;
        handle = Some(file.try_clone()?);
        let mut f = std::io::BufWriter::with_capacity(1 << 20, file);
        let mut at = 0u64;
        let put = |f: &mut std::io::BufWriter<std::fs::File>, at: &mut u64, bytes: &[u8]| {
            *at += bytes.len() as u64;
            f.write_all(bytes)
        };
        put(&mut f, &mut at, MAGIC)?;
        put(&mut f, &mut at, &FORMAT.to_le_bytes())?;
        put(&mut f, &mut at, &(identity.len() as u32).to_le_bytes())?;
        put(&mut f, &mut at, identity.as_bytes())?;
        put(&mut f, &mut at, &fingerprint)?;
        // One chunk encoded at a time (in the background: no hurry, little memory).
        put(&mut f, &mut at, &(entries.len().div_ceil(CHUNK) as u32).to_le_bytes())?;
        for chunk in entries.chunks(CHUNK) {
            let refs: Vec<EntryRef<'_>> = chunk.iter().map(|(oid, p)| entry_ref(oid, p)).collect();
            let encoded = postcard::to_stdvec(&refs).map_err(std::io::Error::other)?;
            put(&mut f, &mut at, &(encoded.len() as u64).to_le_bytes())?;
            put(&mut f, &mut at, &crc32fast::hash(&encoded).to_le_bytes())?;
            // Read back what was encoded, to learn where the blobs are.
            let back = postcard::from_bytes::<Vec<Entry<'_>>>(&encoded).map_err(std::io::Error::other)?;
            for ((_, p), e) in chunk.iter().zip(&back) {
                if let (Some(Ok(part)), Some(Ok(written))) = (p.body.get(), &e.body) {
                    moves.push((part, places(written, &encoded, at)));
                }
                if let (Ok((_, meta, _)), Ok((_, _, DetailsIn(written, ..), _))) = (&p.front, &e.front) {
                    detail_moves.push((&meta.details, place(written, &encoded, at)));
                }
            }
            put(&mut f, &mut at, &encoded)?;
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
        return written;
    }
    // The saved texts are read from the new file from now on: those of files
    // parsed since the start leave memory, and an older file is closed once
    // nothing points into it.
    if let Some(file) = handle {
        let file = StoreFile::new(file);
        for (part, [html, text, toc, words]) in moves {
            let [b_html, b_text, b_toc] = part.body.blobs();
            for (blob, spot) in [(b_html, html), (b_text, text), (b_toc, toc), (part.words.blob(), words)] {
                blob.move_to(&file, spot);
            }
        }
        for (details, spot) in detail_moves {
            details.blob().move_to(&file, spot);
        }
    }
    Ok(())
}

/// Reads the saved entries; `None` (with a warning) when there is no usable file.
pub(crate) fn load(data_dir: &DataDir) -> Option<Restored> {
    let path = cache_file(data_dir);
    DataDir::remove_stale_temporaries(&cache_dir(data_dir), "dossiers.bin");
    match read(&path) {
        Ok(restored) => restored,
        Err(why) => {
            tracing::warn!(reason = %why, "the saved per-file cache is not usable; it will be written anew");
            None
        }
    }
}

fn read(path: &Path) -> Result<Option<Restored>, String> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!("larger than {MAX_FILE_BYTES} bytes"));
    }
    let file = StoreFile::new(file);
    let mut r = Reader { file: &file, at: 0, size };
    if r.take(8)? != MAGIC {
        return Err("not a cache file".into());
    }
    if r.u32()? != FORMAT {
        return Err("another format".into());
    }
    let len = r.u32()? as usize;
    let written_by = r.take(len)?;
    if Some(written_by.as_slice()) != crate::data_dir::program_identity().as_ref().map(String::as_bytes) {
        // An upgrade, or another build: its encoding or its rules may differ.
        tracing::info!("per-file cache written by another build of tegenkracht; rebuilding it");
        return Ok(None);
    }
    let fingerprint: [u8; 32] = r.take(32)?.try_into().map_err(|_| "truncated")?;
    let count = r.u32()? as usize;
    // (offset, length, CRC) of each chunk.
    let mut chunks: Vec<(u64, usize, u32)> = Vec::new();
    for _ in 0..count {
        let len = usize::try_from(r.u64()?).map_err(|_| "chunk too large")?;
        let crc = r.u32()?;
        chunks.push((r.at, len, crc));
        r.skip(len)?;
    }
    if r.at != size {
        return Err("trailing bytes".into());
    }
    use rayon::prelude::*;
    let decoded: Vec<Vec<(String, ParsedDossier)>> = chunks
        .par_iter()
        .map(|&(at, len, crc)| {
            let chunk = file.read(at, len).map_err(|e| e.to_string())?;
            if crc32fast::hash(&chunk) != crc {
                return Err("checksum mismatch".to_string());
            }
            let entries = postcard::from_bytes::<Vec<Entry<'_>>>(&chunk).map_err(|e| e.to_string())?;
            Ok(entries.into_iter().map(|e| parsed_of(e, &file, &chunk, at)).collect())
        })
        .collect::<Result<_, String>>()?;
    let mut out: HashMap<String, Vec<Arc<ParsedDossier>>> = HashMap::new();
    for (oid, parsed) in decoded.into_iter().flatten() {
        out.entry(oid).or_default().push(Arc::new(parsed));
    }
    Ok(Some((fingerprint, out)))
}

/// Reads the file's header and chunk table in order.
struct Reader<'a> {
    file: &'a StoreFile,
    at: u64,
    size: u64,
}

impl Reader<'_> {
    fn skip(&mut self, n: usize) -> Result<u64, String> {
        let start = self.at;
        self.at = start.checked_add(n as u64).filter(|e| *e <= self.size).ok_or("truncated")?;
        Ok(start)
    }
    fn take(&mut self, n: usize) -> Result<Vec<u8>, String> {
        let start = self.skip(n)?;
        self.file.read(start, n).map_err(|e| e.to_string())
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().map_err(|_| "truncated")?))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().map_err(|_| "truncated")?))
    }
}

/// Folders of other formats are removed (best effort).
fn remove_other_versions(data_dir: &DataDir) {
    let keep = format!("v{FORMAT}");
    if let Ok(entries) = std::fs::read_dir(data_dir.caches()) {
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
