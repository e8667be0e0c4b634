//! Reading many blobs at once straight from a repository's pack files.
//!
//! libgit2 resolves each object's delta chain anew (it keeps only a chain's
//! base), so reading the 10,000 dossiers of a packed repository inflated
//! about twenty deltas per file and took half of a first build. Here each
//! wanted blob is located through the pack indexes, and every object resolved
//! on the way is kept (within a memory budget) for the deltas built on it, so
//! each delta is inflated about once.
//!
//! This is a reader for the common case, not a second git: every blob it
//! returns is checked against its object id (SHA-1 of the content), and
//! whatever it does not handle — loose objects, SHA-256 repositories, an
//! unexpected or malformed pack, a chain that is too deep, an object too
//! large — it simply does not return, and the caller reads that blob with
//! libgit2. git2 stays the library for mirrors and fetches.

use crate::blob::read_exact_at;
use sha1::{Digest, Sha1};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Objects larger than this (inflated) are left to libgit2.
const MAX_OBJECT: usize = 16 << 20;
/// Longer delta chains are left to libgit2 (git itself writes at most 4,095).
const MAX_DEPTH: usize = 5_000;
/// Bytes of resolved objects kept for the deltas that follow.
const CACHE_BYTES: usize = 64 << 20;
/// Bytes of inflated deltas one chain may hold before it is applied.
const MAX_CHAIN_BYTES: usize = 64 << 20;
/// Pack indexes larger than this are not read (about 9 million objects).
const MAX_INDEX_BYTES: u64 = 256 << 20;

/// Reads as many of `wanted` (blob ids) as the packs of the repository at
/// `git_dir` (and of its alternates) hold; the rest are missing from the
/// answer.
pub(crate) fn read_blobs(git_dir: &Path, wanted: &[git2::Oid]) -> HashMap<git2::Oid, Arc<[u8]>> {
    let mut packs: Vec<Pack> = object_dirs(git_dir).iter().flat_map(|d| packs_in(d)).collect();
    let mut out = HashMap::with_capacity(wanted.len());
    // Each wanted blob in the first pack that holds it, read in pack order
    // (a delta's base comes before it in its pack).
    let mut located: Vec<(usize, u64, git2::Oid)> = wanted
        .iter()
        .filter_map(|oid| {
            let id: &[u8; 20] = oid.as_bytes().try_into().ok()?;
            packs.iter().enumerate().find_map(|(p, pack)| Some((p, pack.offset_of(id)?, *oid)))
        })
        .collect();
    located.sort_unstable_by_key(|(p, at, _)| (*p, *at));
    let mut cache = Cache::default();
    for (p, at, oid) in located {
        if let Some(bytes) = packs[p].blob(at, &mut cache, p)
            && oid_of_blob(&bytes) == *oid.as_bytes()
        {
            out.insert(oid, bytes);
        }
    }
    packs.clear();
    out
}

/// The object folder of `git_dir` and those listed in its `info/alternates`
/// (one level, as most alternates are).
fn object_dirs(git_dir: &Path) -> Vec<PathBuf> {
    let objects = git_dir.join("objects");
    let mut dirs = vec![objects.clone()];
    if let Ok(text) = std::fs::read_to_string(objects.join("info/alternates")) {
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            dirs.push(objects.join(line));
        }
    }
    dirs
}

fn packs_in(objects: &Path) -> Vec<Pack> {
    let Ok(entries) = std::fs::read_dir(objects.join("pack")) else {
        return Vec::new();
    };
    let mut idx: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "idx"))
        .collect();
    idx.sort();
    idx.iter().filter_map(|p| Pack::open(p)).collect()
}

/// One pack file with its index (version 2, SHA-1).
struct Pack {
    file: std::fs::File,
    /// Where the objects end: the pack's size less its trailing checksum.
    end: u64,
    fanout: Vec<u32>,
    ids: Vec<u8>,
    offsets: Vec<u64>,
    /// All offsets, sorted: an object extends to the next one.
    sorted: Vec<u64>,
}

impl Pack {
    fn open(idx_path: &Path) -> Option<Pack> {
        if std::fs::metadata(idx_path).ok()?.len() > MAX_INDEX_BYTES {
            return None;
        }
        let idx = std::fs::read(idx_path).ok()?;
        if idx.get(..8)? != [0xff, b't', b'O', b'c', 0, 0, 0, 2] {
            return None;
        }
        let be32 = |at: usize| Some(u32::from_be_bytes(idx.get(at..at + 4)?.try_into().ok()?));
        let fanout: Vec<u32> = (0..256).map(|i| be32(8 + 4 * i)).collect::<Option<_>>()?;
        if fanout.windows(2).any(|w| w[0] > w[1]) {
            return None;
        }
        let n = *fanout.last()? as usize;
        let ids_at = 8 + 1024;
        let small_at = ids_at + 20 * n + 4 * n;
        let large_at = small_at + 4 * n;
        let ids = idx.get(ids_at..ids_at + 20 * n)?.to_vec();
        let mut offsets = Vec::with_capacity(n);
        for i in 0..n {
            let small = be32(small_at + 4 * i)?;
            offsets.push(if small & 0x8000_0000 == 0 {
                u64::from(small)
            } else {
                let at = large_at + 8 * (small & 0x7fff_ffff) as usize;
                u64::from_be_bytes(idx.get(at..at + 8)?.try_into().ok()?)
            });
        }
        let pack_path = idx_path.with_extension("pack");
        let file = std::fs::File::open(pack_path).ok()?;
        let size = file.metadata().ok()?.len();
        let mut head = [0u8; 12];
        read_exact_at(&file, &mut head, 0).ok()?;
        if &head[..4] != b"PACK" || !matches!(head[4..8], [0, 0, 0, 2] | [0, 0, 0, 3]) {
            return None;
        }
        let mut sorted = offsets.clone();
        sorted.sort_unstable();
        let end = size.checked_sub(20)?;
        if sorted.first().is_some_and(|&o| o < 12) || sorted.last().is_some_and(|&o| o >= end) {
            return None;
        }
        Some(Pack {
            file,
            end,
            fanout,
            ids,
            offsets,
            sorted,
        })
    }

    /// The offset of the object `id`, if this pack holds it.
    fn offset_of(&self, id: &[u8; 20]) -> Option<u64> {
        let first = id[0] as usize;
        let lo = if first == 0 { 0 } else { self.fanout[first - 1] as usize };
        let hi = self.fanout[first] as usize;
        let (mut lo, mut hi) = (lo, hi);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.ids[20 * mid..20 * mid + 20].cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(self.offsets[mid]),
            }
        }
        None
    }

    /// The blob at `at`, its deltas applied; objects resolved on the way are
    /// kept in `cache` (under the key `(pack, offset)`).
    fn blob(&self, at: u64, cache: &mut Cache, pack: usize) -> Option<Arc<[u8]>> {
        // Walk back to an object already resolved, or to a whole one.
        let mut chain: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut chain_bytes = 0usize;
        let mut here = at;
        let (kind, mut data) = loop {
            if let Some(hit) = cache.get(pack, here) {
                break hit;
            }
            if chain.len() > MAX_DEPTH {
                return None;
            }
            match self.raw(here)? {
                Raw::Whole(kind, data) => {
                    let data: Arc<[u8]> = data.into();
                    cache.put(pack, here, kind, Arc::clone(&data));
                    break (kind, data);
                }
                Raw::OfsDelta(base, delta) => {
                    chain_bytes += delta.len();
                    chain.push((here, delta));
                    here = base;
                }
                Raw::RefDelta(id, delta) => {
                    chain_bytes += delta.len();
                    chain.push((here, delta));
                    here = self.offset_of(&id)?;
                }
            }
            if chain_bytes > MAX_CHAIN_BYTES {
                return None;
            }
        };
        for (at, delta) in chain.into_iter().rev() {
            data = apply_delta(&data, &delta)?.into();
            cache.put(pack, at, kind, Arc::clone(&data));
        }
        (kind == BLOB).then_some(data)
    }

    /// The object at `at` as stored: whole, or a delta with where its base is.
    fn raw(&self, at: u64) -> Option<Raw> {
        let next = self.sorted.partition_point(|&o| o <= at);
        let end = self.sorted.get(next).copied().unwrap_or(self.end);
        let len = usize::try_from(end.checked_sub(at)?).ok()?;
        if len > MAX_OBJECT + 1024 {
            return None;
        }
        let mut buf = vec![0u8; len];
        read_exact_at(&self.file, &mut buf, at).ok()?;
        // Type and inflated size: 3 bits and 4 bits, then 7 bits a byte.
        let mut i = 0;
        let first = *buf.first()?;
        let kind = (first >> 4) & 7;
        let mut size = u64::from(first & 15);
        let mut shift = 4;
        let mut byte = first;
        while byte & 0x80 != 0 {
            i += 1;
            byte = *buf.get(i)?;
            if shift > 56 {
                return None;
            }
            size |= u64::from(byte & 0x7f) << shift;
            shift += 7;
        }
        i += 1;
        let size = usize::try_from(size).ok().filter(|&s| s <= MAX_OBJECT)?;
        match kind {
            1..=4 => Some(Raw::Whole(kind, inflate(buf.get(i..)?, size)?)),
            OFS_DELTA => {
                let mut byte = *buf.get(i)?;
                let mut back = u64::from(byte & 0x7f);
                while byte & 0x80 != 0 {
                    i += 1;
                    byte = *buf.get(i)?;
                    back = back.checked_add(1)?.checked_mul(128)? | u64::from(byte & 0x7f);
                }
                i += 1;
                let base = at.checked_sub(back).filter(|&b| back > 0 && b >= 12)?;
                Some(Raw::OfsDelta(base, inflate(buf.get(i..)?, size)?))
            }
            REF_DELTA => {
                let id: [u8; 20] = buf.get(i..i + 20)?.try_into().ok()?;
                Some(Raw::RefDelta(id, inflate(buf.get(i + 20..)?, size)?))
            }
            _ => None,
        }
    }
}

const BLOB: u8 = 3;
const OFS_DELTA: u8 = 6;
const REF_DELTA: u8 = 7;

enum Raw {
    Whole(u8, Vec<u8>),
    OfsDelta(u64, Vec<u8>),
    RefDelta([u8; 20], Vec<u8>),
}

/// An object's type and its inflated bytes.
type Object = (u8, Arc<[u8]>);

/// Resolved objects by (pack, offset), the oldest dropped first beyond the budget.
#[derive(Default)]
struct Cache {
    map: HashMap<(usize, u64), Object>,
    order: VecDeque<(usize, u64)>,
    bytes: usize,
}

impl Cache {
    fn get(&self, pack: usize, at: u64) -> Option<Object> {
        self.map.get(&(pack, at)).map(|(k, d)| (*k, Arc::clone(d)))
    }

    fn put(&mut self, pack: usize, at: u64, kind: u8, data: Arc<[u8]>) {
        self.bytes += data.len();
        match self.map.insert((pack, at), (kind, data)) {
            Some((_, old)) => self.bytes -= old.len(),
            None => self.order.push_back((pack, at)),
        }
        while self.bytes > CACHE_BYTES {
            let Some(old) = self.order.pop_front() else { break };
            if let Some((_, d)) = self.map.remove(&old) {
                self.bytes -= d.len();
            }
        }
    }
}

/// `size` bytes inflated from the zlib stream at the start of `input`.
fn inflate(input: &[u8], size: usize) -> Option<Vec<u8>> {
    let mut z = flate2::Decompress::new(true);
    let mut out = Vec::with_capacity(size + 1);
    let status = z.decompress_vec(input, &mut out, flate2::FlushDecompress::Finish).ok()?;
    (status == flate2::Status::StreamEnd && out.len() == size).then_some(out)
}

/// Applies a git delta to `base`: copy and insert instructions after the
/// sizes of the base and the result.
fn apply_delta(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    fn size(d: &mut &[u8]) -> Option<usize> {
        let mut n = 0usize;
        let mut shift = 0;
        loop {
            let (&b, rest) = d.split_first()?;
            *d = rest;
            if shift > 56 {
                return None;
            }
            n |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
    }
    let mut d = delta;
    if size(&mut d)? != base.len() {
        return None;
    }
    let want = size(&mut d).filter(|&s| s <= MAX_OBJECT)?;
    let mut out = Vec::with_capacity(want);
    while let Some((&cmd, rest)) = d.split_first() {
        d = rest;
        if cmd & 0x80 != 0 {
            // Offset bytes flagged by bits 0-3, length bytes by bits 4-6, little-endian.
            let mut field = |first_flag: u8, bytes: usize| -> Option<usize> {
                let mut v = 0usize;
                for i in 0..bytes {
                    if cmd & (first_flag << i) != 0 {
                        let (&b, rest) = d.split_first()?;
                        d = rest;
                        v |= usize::from(b) << (8 * i);
                    }
                }
                Some(v)
            };
            let offset = field(0x01, 4)?;
            let len = match field(0x10, 3)? {
                0 => 0x10000,
                n => n,
            };
            out.extend_from_slice(base.get(offset..offset.checked_add(len)?)?);
        } else if cmd != 0 {
            let n = usize::from(cmd);
            out.extend_from_slice(d.get(..n)?);
            d = &d[n..];
        } else {
            return None;
        }
        if out.len() > want {
            return None;
        }
    }
    (out.len() == want).then_some(out)
}

/// The object id of a blob with these contents.
fn oid_of_blob(content: &[u8]) -> [u8; 20] {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", content.len()).as_bytes());
    h.update(content);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bare repository with `n` similar files in three commits, packed by
    /// git with deltas; returns its path and every blob id with its content.
    fn packed_repo(n: usize) -> (tempfile::TempDir, Vec<(git2::Oid, Vec<u8>)>) {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path()).unwrap();
        let sig = git2::Signature::now("t", "t@example.org").unwrap();
        let mut parent: Option<git2::Oid> = None;
        let mut blobs = Vec::new();
        for version in 0..3 {
            let mut tree = repo.treebuilder(None).unwrap();
            for i in 0..n {
                let text = format!(
                    "---\ntitel: Dossier {i}\n---\n\n## Aanpak\n\n{}\n\nVersie {version}, regel {i}.\n",
                    "De gemeente en haar partners pakken ondermijning samen aan. ".repeat(20 + i % 7)
                );
                let oid = repo.blob(text.as_bytes()).unwrap();
                blobs.push((oid, text.into_bytes()));
                tree.insert(format!("d{i}.md"), oid, 0o100644).unwrap();
            }
            let tree = repo.find_tree(tree.write().unwrap()).unwrap();
            let parents: Vec<git2::Commit<'_>> = parent.iter().map(|p| repo.find_commit(*p).unwrap()).collect();
            let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
            parent = Some(repo.commit(Some("HEAD"), &sig, &sig, "v", &tree, &refs).unwrap());
        }
        let status = std::process::Command::new("git")
            .args(["repack", "-a", "-d", "-f", "--depth=50", "--window=50", "-q"])
            .current_dir(dir.path())
            .status()
            .expect("git is installed");
        assert!(status.success());
        blobs.sort();
        blobs.dedup();
        (dir, blobs)
    }

    /// The one pack file of the repository at `git_dir`.
    fn pack_file(git_dir: &Path) -> PathBuf {
        std::fs::read_dir(git_dir.join("objects/pack"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "pack"))
            .unwrap()
    }

    #[test]
    fn reads_every_packed_blob_as_git_does_with_its_deltas() {
        let (dir, blobs) = packed_repo(120);
        let packs = packs_in(&dir.path().join("objects"));
        assert_eq!(packs.len(), 1, "git repack wrote one pack");
        let deltas = blobs
            .iter()
            .filter(|(oid, _)| {
                let at = packs[0].offset_of(oid.as_bytes().try_into().unwrap()).unwrap();
                matches!(packs[0].raw(at), Some(Raw::OfsDelta(..) | Raw::RefDelta(..)))
            })
            .count();
        assert!(deltas > blobs.len() / 2, "the test must read deltas: {deltas} of {}", blobs.len());
        let oids: Vec<git2::Oid> = blobs.iter().map(|(o, _)| *o).collect();
        let read = read_blobs(dir.path(), &oids);
        assert_eq!(read.len(), blobs.len(), "every blob read from the pack");
        let repo = git2::Repository::open_bare(dir.path()).unwrap();
        for (oid, content) in &blobs {
            assert_eq!(&*read[oid], content.as_slice());
            assert_eq!(repo.find_blob(*oid).unwrap().content(), content.as_slice());
        }
    }

    #[test]
    fn a_damaged_pack_yields_only_blobs_that_match_their_ids() {
        let (dir, blobs) = packed_repo(60);
        let pack = pack_file(dir.path());
        let mut bytes = std::fs::read(&pack).unwrap();
        for at in (100..bytes.len() - 20).step_by(997) {
            bytes[at] ^= 0x5a;
        }
        std::fs::write(&pack, &bytes).unwrap();
        let oids: Vec<git2::Oid> = blobs.iter().map(|(o, _)| *o).collect();
        let read = read_blobs(dir.path(), &oids);
        assert!(read.len() < blobs.len(), "damage was noticed");
        for (oid, content) in &blobs {
            if let Some(got) = read.get(oid) {
                assert_eq!(&**got, content.as_slice());
            }
        }
    }

    #[test]
    fn loose_objects_are_left_to_libgit2() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path()).unwrap();
        let oid = repo.blob(b"los").unwrap();
        assert!(read_blobs(dir.path(), &[oid]).is_empty());
    }

    #[test]
    fn deltas_that_do_not_fit_their_base_are_refused() {
        // base "abcdef": copy 3 bytes at 1, insert "xy" -> "bcdxy"
        let good = [6, 5, 0x80 | 0x01 | 0x10, 1, 3, 2, b'x', b'y'];
        assert_eq!(apply_delta(b"abcdef", &good).as_deref(), Some(&b"bcdxy"[..]));
        assert_eq!(apply_delta(b"abcde", &good), None, "base size differs");
        assert_eq!(
            apply_delta(b"abcdef", &[6, 5, 0x80 | 0x01 | 0x10, 5, 3]),
            None,
            "copy past the base"
        );
        assert_eq!(apply_delta(b"abcdef", &[6, 1, 0]), None, "reserved instruction");
        assert_eq!(apply_delta(b"abcdef", &[6, 9, 2, b'x', b'y']), None, "shorter than announced");
        assert_eq!(apply_delta(b"abcdef", &[6, 1, 5, b'x']), None, "insert past the end of the delta");
        assert_eq!(apply_delta(b"abcdef", &[6]), None, "truncated");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Any bytes as a delta: refused or applied within bounds, never a panic.
        #[test]
        fn any_delta_is_refused_or_fits(
            base in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            delta in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
        ) {
            if let Some(out) = apply_delta(&base, &delta) {
                let mut d = delta.as_slice();
                // The announced result size is the second varint.
                let mut sizes = [0usize; 2];
                for size in &mut sizes {
                    let mut shift = 0;
                    loop {
                        let (&b, rest) = d.split_first().unwrap();
                        d = rest;
                        *size |= usize::from(b & 0x7f) << shift;
                        shift += 7;
                        if b & 0x80 == 0 { break; }
                    }
                }
                proptest::prop_assert_eq!(sizes[0], base.len());
                proptest::prop_assert_eq!(out.len(), sizes[1]);
            }
        }
    }

    /// Any one byte of a real pack changed: whatever is returned is right.
    #[test]
    fn a_pack_with_any_byte_changed_returns_only_right_blobs() {
        let (dir, blobs) = packed_repo(12);
        let oids: Vec<git2::Oid> = blobs.iter().map(|(o, _)| *o).collect();
        let pack = pack_file(dir.path());
        let good = std::fs::read(&pack).unwrap();
        let mut seen_fewer = false;
        for at in (12..good.len() - 20).step_by((good.len() / 97).max(1)) {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bytes = good.clone();
                bytes[at] ^= flip;
                std::fs::write(&pack, &bytes).unwrap();
                let read = read_blobs(dir.path(), &oids);
                seen_fewer |= read.len() < blobs.len();
                for (oid, content) in &blobs {
                    if let Some(got) = read.get(oid) {
                        assert_eq!(&**got, content.as_slice(), "byte {at} ^ {flip:#x}");
                    }
                }
            }
        }
        assert!(seen_fewer, "some change was noticed");
    }
}
