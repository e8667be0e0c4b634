//! Bytes a dossier keeps out of memory once they are on disk: its compressed
//! HTML, plain text and word lists, its outline and the details of its front
//! matter start in memory (a file just parsed) and are moved to the per-file cache file (`filecache`) when that
//! file holds them, after which each use reads them back with one positioned
//! read (the page cache keeps what is read often).
//!
//! Files parsed in bulk (a first build of many files) do not wait in memory
//! for that save: their blobs are moved batch by batch to a [`Spill`], an
//! unnamed temporary file beside the cache, and from there to the cache file
//! when it is saved (the spill file is gone once no blob points into it).
//!
//! A blob moves at most to newer files and never changes its bytes, so every
//! reader sees the same content whichever place it reads; the `Arc` of the
//! value holding it stays the same, so moving it changes nothing a load
//! compares by pointer. A cache file that was replaced stays readable while a
//! blob still points into it (its inode lives as long as the open handle).

use serde::{Deserialize, Serialize};
use std::sync::{Arc, RwLock};

/// An open cache file that blobs point into.
pub struct StoreFile {
    file: std::fs::File,
}

impl StoreFile {
    pub(crate) fn new(file: std::fs::File) -> Arc<Self> {
        Arc::new(StoreFile { file })
    }

    /// `len` bytes from `at`.
    pub(crate) fn read(&self, at: u64, len: usize) -> std::io::Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        read_exact_at(&self.file, &mut buf, at)?;
        Ok(buf)
    }
}

/// Fills `buf` from `at` in `file` (a positioned read: no shared cursor).
#[cfg(unix)]
pub(crate) fn read_exact_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
pub(crate) fn read_exact_at(file: &std::fs::File, mut buf: &mut [u8], mut at: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, at)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

/// Writes all of `buf` at `at` in `file` (a positioned write).
#[cfg(unix)]
fn write_all_at(file: &std::fs::File, buf: &[u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, at)
}

#[cfg(windows)]
fn write_all_at(file: &std::fs::File, mut buf: &[u8], mut at: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(file, buf, at)? {
            0 => return Err(std::io::ErrorKind::WriteZero.into()),
            n => {
                buf = &buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

/// An unnamed temporary file (owner-only, gone when the last blob that points
/// into it is dropped or moved on) that blobs are moved to in batches, so that
/// parsing many files holds one batch of texts in memory, not all of them.
pub(crate) struct Spill {
    file: Arc<StoreFile>,
    len: u64,
}

impl Spill {
    /// A new spill file in `dir` (which must exist).
    pub(crate) fn new_in(dir: &std::path::Path) -> std::io::Result<Spill> {
        Ok(Spill {
            file: StoreFile::new(tempfile::tempfile_in(dir)?),
            len: 0,
        })
    }

    /// Writes the bytes of the blobs still in memory, then moves them there.
    pub(crate) fn take<'a>(&mut self, blobs: impl IntoIterator<Item = &'a Blob>) -> std::io::Result<()> {
        let mut buf: Vec<u8> = Vec::new();
        let mut moves: Vec<(&Blob, Spot)> = Vec::new();
        for blob in blobs {
            if let Place::Memory(bytes) = &*blob.0.read().unwrap_or_else(|e| e.into_inner()) {
                moves.push((blob, Spot::of(self.len + buf.len() as u64, bytes)));
                buf.extend_from_slice(bytes);
            }
        }
        write_all_at(&self.file.file, &buf, self.len)?;
        self.len += buf.len() as u64;
        for (blob, spot) in moves {
            // Only from memory: a blob another thread moved meanwhile (to a
            // newer cache file) stays where it is.
            let mut place = blob.0.write().unwrap_or_else(|e| e.into_inner());
            if matches!(&*place, Place::Memory(_)) {
                *place = Place::Disk(Arc::clone(&self.file), spot);
            }
        }
        Ok(())
    }
}

/// Where bytes are in a file: `len` bytes at `at`, whose CRC-32 is `crc`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Spot {
    at: u64,
    len: u32,
    crc: u32,
}

impl Spot {
    /// The spot of `bytes`, written at `at`.
    pub(crate) fn of(at: u64, bytes: &[u8]) -> Self {
        Spot {
            at,
            len: bytes.len() as u32,
            crc: crc32fast::hash(bytes),
        }
    }
}

enum Place {
    Memory(Arc<[u8]>),
    Disk(Arc<StoreFile>, Spot),
}

/// Bytes in memory or in a cache file (see the module documentation).
/// Clones share their place: moving one moves them all, so a copy (a
/// library's copy of a dossier's front matter, say) never keeps an older
/// file alive, or bytes in memory, after the original moved.
#[derive(Clone)]
pub struct Blob(Arc<RwLock<Place>>);

impl Blob {
    pub fn new(bytes: Vec<u8>) -> Self {
        Blob(Arc::new(RwLock::new(Place::Memory(bytes.into()))))
    }

    /// Bytes that are already at `spot` in `file`.
    pub(crate) fn on_disk(file: Arc<StoreFile>, spot: Spot) -> Self {
        Blob(Arc::new(RwLock::new(Place::Disk(file, spot))))
    }

    /// Calls `f` with the bytes. A read that fails (an I/O error on the
    /// cache's disk, or bytes that are no longer those written: the file was
    /// changed in place) is logged and gives no bytes: the caller sees an
    /// empty text, never another one and never a panic.
    pub fn with<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self.try_with(f) {
            Ok(r) => r,
            Err((e, f)) => {
                tracing::error!(error = %e, "cannot read a text from the per-file cache");
                f(&[])
            }
        }
    }

    /// Calls `f` with the bytes, or gives the read's error back with `f`
    /// (for callers that must not take a failed read for an empty text).
    /// The lock is never held while `f` runs.
    pub fn try_with<R, F: FnOnce(&[u8]) -> R>(&self, f: F) -> Result<R, (std::io::Error, F)> {
        let place = {
            let guard = self.0.read().unwrap_or_else(|e| e.into_inner());
            match &*guard {
                Place::Memory(bytes) => Place::Memory(Arc::clone(bytes)),
                Place::Disk(file, spot) => Place::Disk(Arc::clone(file), *spot),
            }
        };
        let bytes = match place {
            Place::Memory(bytes) => return Ok(f(&bytes)),
            Place::Disk(file, spot) => file.read(spot.at, spot.len as usize).and_then(|b| {
                if crc32fast::hash(&b) == spot.crc {
                    Ok(b)
                } else {
                    Err(std::io::Error::other("checksum mismatch"))
                }
            }),
        };
        match bytes {
            Ok(b) => Ok(f(&b)),
            Err(e) => Err((e, f)),
        }
    }

    /// The bytes, copied.
    pub fn to_vec(&self) -> Vec<u8> {
        self.with(<[u8]>::to_vec)
    }

    /// From now on, reads go to `spot` in `file`, where the caller wrote the
    /// same bytes as this blob's. Memory it held is freed.
    pub(crate) fn move_to(&self, file: &Arc<StoreFile>, spot: Spot) {
        let mut place = self.0.write().unwrap_or_else(|e| e.into_inner());
        *place = Place::Disk(Arc::clone(file), spot);
    }

    /// True while the bytes are held in memory.
    pub fn in_memory(&self) -> bool {
        matches!(&*self.0.read().unwrap_or_else(|e| e.into_inner()), Place::Memory(_))
    }
}

impl Default for Blob {
    fn default() -> Self {
        Blob::new(Vec::new())
    }
}

impl PartialEq for Blob {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.to_vec() == other.to_vec()
    }
}

impl std::fmt::Debug for Blob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.with(|b| write!(f, "Blob({} bytes)", b.len()))
    }
}

/// Serialised as the bytes themselves (postcard writes a length and the raw
/// bytes, which the per-file cache reads back in place).
/// A blob that cannot be read fails to serialise (the per-file cache is then
/// not saved), rather than being written as no bytes.
impl Serialize for Blob {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.try_with(|b| b.to_vec()) {
            Ok(bytes) => s.serialize_bytes(&bytes),
            Err((e, _)) => Err(serde::ser::Error::custom(format!("cannot read a text to save it: {e}"))),
        }
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Blob::new(serde_bytes::ByteBuf::deserialize(d)?.into_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn can_move_bytes_to_a_file_and_read_them_back() {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(b"xxhalloyy").unwrap();
        let file = StoreFile::new(f);
        let b = Blob::new(b"hallo".to_vec());
        let copy = b.clone();
        assert!(b.in_memory());
        b.move_to(&file, Spot::of(2, b"hallo"));
        assert!(!b.in_memory());
        assert_eq!(b.to_vec(), b"hallo");
        assert_eq!(b, copy);
        assert!(!copy.in_memory(), "a clone moves with its original");
        assert_eq!(Blob::on_disk(file, Spot::of(2, b"hallo")).to_vec(), b"hallo");
    }

    #[test]
    fn a_spill_takes_blobs_out_of_memory_and_leaves_moved_ones_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut spill = Spill::new_in(dir.path()).unwrap();
        let (a, b) = (Blob::new(b"eerste".to_vec()), Blob::new(b"tweede tekst".to_vec()));
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(b"al op schijf").unwrap();
        let elsewhere = Blob::on_disk(StoreFile::new(f), Spot::of(0, b"al op schijf"));
        spill.take([&a, &elsewhere]).unwrap();
        spill.take([&b, &a]).unwrap();
        assert!(!a.in_memory() && !b.in_memory());
        assert_eq!((a.to_vec(), b.to_vec()), (b"eerste".to_vec(), b"tweede tekst".to_vec()));
        assert_eq!(elsewhere.to_vec(), b"al op schijf");
        assert_eq!(spill.len, 18, "each blob written once, a blob on disk not at all");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "the spill file has no name");
    }

    #[test]
    fn a_failed_or_changed_read_gives_no_bytes() {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(b"xxhalloyy").unwrap();
        let file = StoreFile::new(f.try_clone().unwrap());
        assert_eq!(
            Blob::on_disk(Arc::clone(&file), Spot::of(100, b"hallo")).to_vec(),
            b"",
            "past the end"
        );
        let b = Blob::on_disk(file, Spot::of(2, b"hallo"));
        std::os::unix::fs::FileExt::write_all_at(&f, b"j", 2).unwrap();
        assert_eq!(b.to_vec(), b"", "changed in place: not another text");
        assert!(b.try_with(|_| ()).is_err());
        assert!(postcard::to_stdvec(&b).is_err(), "never saved as an empty text");
        assert_eq!(postcard::to_stdvec(&Blob::new(b"ok".to_vec())).unwrap(), [2, b'o', b'k']);
    }
}
