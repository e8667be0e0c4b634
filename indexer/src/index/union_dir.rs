//! One read-only tantivy directory over several partition indexes: its
//! `meta.json` lists the segments of every partition an audience may see, and
//! each segment's files are read from the partition that holds them. tantivy
//! then searches it as one index, so its term statistics (document
//! frequencies, field lengths) are those of exactly the audience's documents,
//! while each document was analysed and indexed once, in its own partition.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::Directory;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr};

const META: &str = "meta.json";

/// The partitions' directories and the combined `meta.json`.
#[derive(Clone, Debug)]
pub struct UnionDirectory {
    parts: Arc<Vec<MmapDirectory>>,
    /// Segment id (32 hex digits, as in file names) → index in `parts`.
    routes: Arc<HashMap<String, usize>>,
    meta: Arc<Vec<u8>>,
}

impl UnionDirectory {
    /// Opens the partition indexes in `dirs` (each with a `meta.json`) as one;
    /// `template` is the `meta.json` of an empty index with the same schema,
    /// used when no partition has one.
    pub fn open(dirs: &[PathBuf], template: &[u8]) -> tantivy::Result<UnionDirectory> {
        let mut parts = Vec::with_capacity(dirs.len());
        let mut routes = HashMap::new();
        let mut combined: serde_json::Value =
            serde_json::from_slice(template).map_err(|e| tantivy::TantivyError::InternalError(format!("meta template: {e}")))?;
        let mut segments: Vec<serde_json::Value> = Vec::new();
        let mut opstamp = 0u64;
        for dir in dirs {
            let d = MmapDirectory::open(dir)?;
            let bytes = d.atomic_read(Path::new(META))?;
            let meta: serde_json::Value = serde_json::from_slice(&bytes)
                .map_err(|e| tantivy::TantivyError::InternalError(format!("{}: meta.json: {e}", dir.display())))?;
            if meta["schema"] != combined["schema"] {
                return Err(tantivy::TantivyError::SchemaError(format!("{}: another schema", dir.display())));
            }
            opstamp = opstamp.max(meta["opstamp"].as_u64().unwrap_or(0));
            for seg in meta["segments"].as_array().into_iter().flatten() {
                let id = seg["segment_id"].as_str().unwrap_or_default().replace('-', "");
                routes.insert(id, parts.len());
                segments.push(seg.clone());
            }
            parts.push(d);
        }
        combined["segments"] = serde_json::Value::Array(segments);
        combined["opstamp"] = opstamp.into();
        let meta = serde_json::to_vec(&combined).map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))?;
        Ok(UnionDirectory {
            parts: Arc::new(parts),
            routes: Arc::new(routes),
            meta: Arc::new(meta),
        })
    }

    /// The partition that holds a segment file (`{segment id}.{ext}`).
    fn part(&self, path: &Path) -> Option<&MmapDirectory> {
        let name = path.file_name()?.to_str()?;
        let id = name.split('.').next()?;
        self.routes.get(id).map(|&i| &self.parts[i])
    }
}

fn read_only() -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, "a union of partition indexes is read-only")
}

impl Directory for UnionDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        match self.part(path) {
            Some(d) => d.get_file_handle(path),
            None => Err(OpenReadError::FileDoesNotExist(path.to_path_buf())),
        }
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(read_only()),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        if path == Path::new(META) {
            return Ok(true);
        }
        match self.part(path) {
            Some(d) => d.exists(path),
            None => Ok(false),
        }
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::wrap_io_error(read_only(), path.to_path_buf()))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        if path == Path::new(META) {
            return Ok(self.meta.to_vec());
        }
        match self.part(path) {
            Some(d) => d.atomic_read(path),
            None => Err(OpenReadError::FileDoesNotExist(path.to_path_buf())),
        }
    }

    fn atomic_write(&self, _path: &Path, _data: &[u8]) -> io::Result<()> {
        Err(read_only())
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    /// Nothing writes here: a reader's lock is a no-op.
    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, _watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}
