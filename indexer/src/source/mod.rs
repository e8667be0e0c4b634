//! Reading a source's files: straight from the git object database at a
//! branch (never a checkout, never following symlinks), or from a folder on
//! disk for `check` on a pull request's working tree.

pub mod mirror;

use crate::diag::Diagnostic;
use crate::model::PartialDate;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod pack;

/// Largest file that is ever read.
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// Deepest folder nesting under a source root.
pub const MAX_DEPTH: usize = 16;
/// Most files read from one source.
pub const MAX_FILES: usize = 250_000;
/// Most commits walked to find when files last changed.
const MAX_HISTORY: usize = 5_000;

/// Errors that stop a whole source from being read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot open git repository {path}: {source}")]
    Open { path: PathBuf, source: git2::Error },
    #[error("branch `{branch}` not found in {path}")]
    Branch { path: PathBuf, branch: String },
    #[error("path `{root}` not found in commit {commit}")]
    Root { root: String, commit: String },
    #[error("git error: {0}")]
    Git(#[from] git2::Error),
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// One file of a source.
#[derive(Debug, Clone)]
pub struct RawFile {
    /// Path relative to the source root (`dossiers/limburg/x.md`).
    pub rel: String,
    /// Path as an author sees it: in the repository, or on disk for `check`.
    pub display: String,
    /// Shared: a file unchanged since the previous snapshot is not copied.
    pub bytes: Arc<[u8]>,
    /// The git blob id, when read from git (lets unchanged files be reused).
    pub oid: Option<String>,
    /// True when `bytes` were not read (empty) because the caller already holds
    /// what this blob yields at this path (see `read_git_commit_deferring`).
    pub deferred: bool,
}

/// Tells, by blob id, path relative to the root, and path as shown, whether a
/// dossier file's content is needed (`false`) or already known to the caller.
pub type Known<'a> = &'a dyn Fn(&str, &str, &str) -> bool;

/// The relevant files of a source at one commit.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub commit: Option<String>,
    pub files: Vec<RawFile>,
    /// Files that could not be read (symlinks, submodules, too large).
    pub errors: Vec<Diagnostic>,
    /// When each file (by `rel`) last changed in git history.
    pub changed: HashMap<String, PartialDate>,
}

/// What a path inside a source root holds, by the content model's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Dossier,
    Playbook,
    Collection,
    Vocabulary,
    /// A site page, `paginas/{slug}.md` (extension).
    Page,
    /// A region's description, `regios/{slug}.md` (extension).
    Region,
}

/// Classifies a path relative to the source root; `None` means ignored.
pub fn classify(rel: &str) -> Option<FileKind> {
    if rel == "vocabulaire.yaml" {
        return Some(FileKind::Vocabulary);
    }
    let (dir, rest) = rel.split_once('/')?;
    if !rest.ends_with(".md") {
        return None;
    }
    match dir {
        "dossiers" => Some(FileKind::Dossier),
        "themas" if !rest.contains('/') => Some(FileKind::Playbook),
        "collecties" if !rest.contains('/') => Some(FileKind::Collection),
        "paginas" if !rest.contains('/') => Some(FileKind::Page),
        "regios" if !rest.contains('/') => Some(FileKind::Region),
        _ => None,
    }
}

/// True for folders that may hold relevant files.
fn descend(rel_dir: &str) -> bool {
    rel_dir.is_empty() || matches!(rel_dir, "themas" | "collecties" | "paginas" | "regios" | "dossiers") || rel_dir.starts_with("dossiers/")
}

/// True for entries that would be read if they were regular files.
fn relevant(rel: &str) -> bool {
    classify(rel).is_some() || rel.starts_with("dossiers/")
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
}

/// Resolves a branch name (or `HEAD`) to a commit.
pub fn resolve_commit<'r>(repo: &'r git2::Repository, branch: &str) -> Option<git2::Commit<'r>> {
    let reference = if branch == "HEAD" {
        // A mirror keeps the remote's HEAD as refs/tk/HEAD.
        repo.find_reference("refs/tk/HEAD").ok().or_else(|| repo.head().ok())
    } else {
        ["refs/heads/", "refs/remotes/origin/", "refs/tags/"]
            .iter()
            .find_map(|p| repo.find_reference(&format!("{p}{branch}")).ok())
    };
    reference?.peel_to_commit().ok()
}

/// The text of one file as it is in `commit` of a repository: a regular file
/// (never a symlink or submodule) of at most `MAX_FILE_BYTES`. For the
/// writing form's "Bewerk", which needs the markdown the server does not keep.
pub fn read_file_at(repo_path: &Path, commit: &str, path: &str) -> Result<String, String> {
    let repo = git2::Repository::open(repo_path).map_err(|e| e.message().to_string())?;
    let oid = git2::Oid::from_str(commit).map_err(|e| e.message().to_string())?;
    let tree = repo.find_commit(oid).and_then(|c| c.tree()).map_err(|e| e.message().to_string())?;
    let entry = tree.get_path(Path::new(path)).map_err(|e| e.message().to_string())?;
    if entry.filemode() != i32::from(git2::FileMode::Blob) && entry.filemode() != i32::from(git2::FileMode::BlobExecutable) {
        return Err(format!("{path} is not a regular file"));
    }
    let blob = repo.find_blob(entry.id()).map_err(|e| e.message().to_string())?;
    if blob.size() as u64 > MAX_FILE_BYTES {
        return Err(format!("{path} is larger than 1 MiB"));
    }
    String::from_utf8(blob.content().to_vec()).map_err(|_| format!("{path} is not UTF-8"))
}

/// Reads a source from a git repository at `branch`, under `root`.
pub fn read_git(repo_path: &Path, branch: &str, root: &str) -> Result<Snapshot, SourceError> {
    let repo = git2::Repository::open(repo_path).map_err(|source| SourceError::Open {
        path: repo_path.into(),
        source,
    })?;
    let commit = resolve_commit(&repo, branch).ok_or_else(|| SourceError::Branch {
        path: repo_path.into(),
        branch: branch.into(),
    })?;
    read_git_commit(&repo, &commit, root, None)
}

/// Reads a source from one commit of an open repository. Files whose blob is
/// unchanged since `prev` are taken from it instead of being read again.
pub fn read_git_commit(
    repo: &git2::Repository,
    commit: &git2::Commit<'_>,
    root: &str,
    prev: Option<&Snapshot>,
) -> Result<Snapshot, SourceError> {
    read_git_commit_deferring(repo, commit, root, prev, &|_, _, _| false)
}

/// Like `read_git_commit`, but dossier files for which `known` says yes are
/// not read: they come with empty `bytes` and `deferred` set. (Reading blobs
/// is most of the cost of reading a source: libgit2 resolves every delta
/// chain anew.) A caller that finds it needs such a file after all reads the
/// source again with `read_git_commit`.
pub fn read_git_commit_deferring(
    repo: &git2::Repository,
    commit: &git2::Commit<'_>,
    root: &str,
    prev: Option<&Snapshot>,
    known: Known<'_>,
) -> Result<Snapshot, SourceError> {
    let root = root.trim_matches('/');
    let mut tree = commit.tree()?;
    if !root.is_empty() {
        let entry = tree.get_path(Path::new(root)).map_err(|_| SourceError::Root {
            root: root.into(),
            commit: commit.id().to_string(),
        })?;
        tree = entry.to_object(repo)?.peel_to_tree().map_err(|_| SourceError::Root {
            root: root.into(),
            commit: commit.id().to_string(),
        })?;
    }
    let mut snap = Snapshot {
        commit: Some(commit.id().to_string()),
        ..Snapshot::default()
    };
    let previous: HashMap<&str, &RawFile> = prev
        .map(|p| {
            p.files
                .iter()
                .filter(|f| !f.deferred)
                .filter_map(|f| f.oid.as_deref().map(|o| (o, f)))
                .collect()
        })
        .unwrap_or_default();
    let mut pending = Vec::new();
    walk_tree(repo, &tree, "", root, (&previous, known), &mut snap, &mut pending)?;
    for (i, bytes) in read_blobs(repo, &pending)? {
        snap.files[i].bytes = bytes;
    }
    match prev {
        Some(p) if !p.changed.is_empty() => {
            // Unchanged blobs keep their date; changed ones date from the new commit.
            let date = commit_date(commit);
            let before: HashMap<&str, Option<&str>> = p.files.iter().map(|o| (o.rel.as_str(), o.oid.as_deref())).collect();
            for f in &snap.files {
                let old = before
                    .get(f.rel.as_str())
                    .filter(|oid| **oid == f.oid.as_deref())
                    .and_then(|_| p.changed.get(&f.rel))
                    .copied();
                if let Some(d) = old.or(date) {
                    snap.changed.insert(f.rel.clone(), d);
                }
            }
        }
        _ => snap.changed = last_changes(repo, commit, root, &snap.files),
    }
    Ok(snap)
}

fn walk_tree(
    repo: &git2::Repository,
    tree: &git2::Tree<'_>,
    rel_dir: &str,
    root: &str,
    (previous, known): (&HashMap<&str, &RawFile>, Known<'_>),
    snap: &mut Snapshot,
    pending: &mut Vec<(usize, git2::Oid)>,
) -> Result<(), SourceError> {
    for entry in tree.iter() {
        let Some(name) = entry.name() else {
            // A name that is not UTF-8 cannot be a slug; say where it is instead of skipping it silently.
            if descend(rel_dir) {
                let shown = String::from_utf8_lossy(entry.name_bytes()).to_string();
                snap.errors.push(Diagnostic::error(
                    &join(root, &join(rel_dir, &shown)),
                    1,
                    "file name is not valid UTF-8",
                ));
            }
            continue;
        };
        let rel = join(rel_dir, name);
        let display = join(root, &rel);
        let mode = entry.filemode();
        match entry.kind() {
            Some(git2::ObjectType::Tree) => {
                if descend(&rel) && rel.split('/').count() <= MAX_DEPTH {
                    let sub = entry.to_object(repo)?.peel_to_tree()?;
                    walk_tree(repo, &sub, &rel, root, (previous, known), snap, pending)?;
                } else if descend(&rel) {
                    snap.errors.push(Diagnostic::error(
                        &display,
                        1,
                        format!("folder nested deeper than {MAX_DEPTH} levels is not read"),
                    ));
                }
            }
            Some(git2::ObjectType::Blob) if mode == 0o120000 && relevant(&rel) => {
                snap.errors.push(Diagnostic::error(&display, 1, "symbolic links are never read"));
            }
            Some(git2::ObjectType::Blob) => {
                if classify(&rel).is_none() {
                    continue;
                }
                if snap.files.len() >= MAX_FILES {
                    snap.errors
                        .push(Diagnostic::error(&display, 1, format!("more than {MAX_FILES} files in one source")));
                    return Ok(());
                }
                let oid = entry.id().to_string();
                // What the caller knows was read (and its size checked) before.
                if classify(&rel) == Some(FileKind::Dossier) && known(&oid, &rel, &display) {
                    snap.files.push(RawFile {
                        rel,
                        display,
                        bytes: Arc::from(&[][..]),
                        oid: Some(oid),
                        deferred: true,
                    });
                    continue;
                }
                // A blob of the previous snapshot was read (and its size checked) then.
                let bytes = match previous.get(oid.as_str()) {
                    Some(f) => Arc::clone(&f.bytes),
                    None => {
                        let size = repo.odb()?.read_header(entry.id())?.0 as u64;
                        if size > MAX_FILE_BYTES {
                            snap.errors.push(Diagnostic::error(
                                &display,
                                1,
                                format!("file is {size} bytes, over the 1 MiB limit"),
                            ));
                            continue;
                        }
                        // Read after the walk, on all cores.
                        pending.push((snap.files.len(), entry.id()));
                        Arc::from(&[][..])
                    }
                };
                snap.files.push(RawFile {
                    rel,
                    display,
                    bytes,
                    oid: Some(oid),
                    deferred: false,
                });
            }
            Some(git2::ObjectType::Commit) if (relevant(&rel) || descend(&rel)) => {
                snap.errors.push(Diagnostic::error(&display, 1, "submodules are never read"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// File contents by position in a snapshot's files.
type Blobs = Vec<(usize, Arc<[u8]>)>;

/// Reads blobs (by position in the snapshot's files): many at once from the
/// pack files (`pack.rs`), the rest with libgit2, on several threads with a
/// repository handle each when there are many (libgit2 resolves each delta
/// chain anew, so reading is CPU-bound).
fn read_blobs(repo: &git2::Repository, pending: &[(usize, git2::Oid)]) -> Result<Blobs, SourceError> {
    if pending.len() < BULK {
        return read_blobs_git(repo, pending);
    }
    let oids: Vec<git2::Oid> = pending.iter().map(|(_, oid)| *oid).collect();
    let packed = pack::read_blobs(repo.path(), &oids);
    let rest: Vec<(usize, git2::Oid)> = pending.iter().filter(|(_, oid)| !packed.contains_key(oid)).copied().collect();
    let mut out = read_blobs_git(repo, &rest)?;
    out.extend(pending.iter().filter_map(|(i, oid)| Some((*i, Arc::clone(packed.get(oid)?)))));
    Ok(out)
}

/// From this many blobs on, reading the pack files is worth opening them.
const BULK: usize = 64;

fn read_blobs_git(repo: &git2::Repository, pending: &[(usize, git2::Oid)]) -> Result<Blobs, SourceError> {
    let read = |repo: &git2::Repository, part: &[(usize, git2::Oid)]| -> Result<Blobs, SourceError> {
        part.iter()
            .map(|(i, oid)| Ok((*i, Arc::from(repo.find_blob(*oid)?.content()))))
            .collect()
    };
    if pending.len() < 256 || rayon::current_num_threads() == 1 {
        return read(repo, pending);
    }
    use rayon::prelude::*;
    let path = repo.path().to_path_buf();
    // A repository handle per worker (libgit2 handles are not shared between threads).
    let chunk = pending.len().div_ceil(rayon::current_num_threads() * 4).max(64);
    let parts: Vec<Blobs> = pending
        .par_chunks(chunk)
        .map(|part| {
            let repo = git2::Repository::open_bare(&path).map_err(|source| SourceError::Open {
                path: path.clone(),
                source,
            })?;
            read(&repo, part)
        })
        .collect::<Result<_, SourceError>>()?;
    Ok(parts.into_iter().flatten().collect())
}

/// Finds, for each file, the date of the newest commit that changed it.
fn last_changes(repo: &git2::Repository, head: &git2::Commit<'_>, root: &str, files: &[RawFile]) -> HashMap<String, PartialDate> {
    let mut wanted: HashSet<String> = files.iter().map(|f| join(root, &f.rel)).collect();
    let mut out = HashMap::new();
    let Ok(mut walk) = repo.revwalk() else { return out };
    if walk.push(head.id()).is_err() || walk.set_sorting(git2::Sort::TIME).is_err() {
        return out;
    }
    let prefix = if root.is_empty() { String::new() } else { format!("{root}/") };
    for oid in walk.take(MAX_HISTORY).flatten() {
        if wanted.is_empty() {
            break;
        }
        let Ok(commit) = repo.find_commit(oid) else { continue };
        let Ok(tree) = commit.tree() else { continue };
        let parent_tree = commit.parent(0).ok().and_then(|p| p.tree().ok());
        let mut opts = git2::DiffOptions::new();
        if !root.is_empty() {
            opts.pathspec(root);
        }
        let Ok(diff) = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts)) else {
            continue;
        };
        let date = commit_date(&commit);
        for delta in diff.deltas() {
            let Some(path) = delta.new_file().path().and_then(Path::to_str) else {
                continue;
            };
            if wanted.remove(path)
                && let (Some(date), Some(rel)) = (date, path.strip_prefix(&prefix).or(Some(path)))
            {
                out.insert(rel.to_string(), date);
            }
        }
    }
    out
}

fn commit_date(commit: &git2::Commit<'_>) -> Option<PartialDate> {
    let t = time::OffsetDateTime::from_unix_timestamp(commit.time().seconds()).ok()?;
    Some(PartialDate {
        year: u16::try_from(t.year()).ok()?,
        month: Some(u8::from(t.month())),
        day: Some(t.day()),
    })
}

/// Reads a source from a folder on disk; symbolic links are reported, never followed.
pub fn read_dir(dir: &Path) -> Result<Snapshot, SourceError> {
    let mut snap = Snapshot::default();
    let meta = std::fs::symlink_metadata(dir).map_err(|source| SourceError::Io { path: dir.into(), source })?;
    if !meta.is_dir() {
        return Err(SourceError::Io {
            path: dir.into(),
            source: std::io::Error::other("not a folder"),
        });
    }
    walk_dir(dir, dir, "", &mut snap)?;
    Ok(snap)
}

fn walk_dir(base: &Path, dir: &Path, rel_dir: &str, snap: &mut Snapshot) -> Result<(), SourceError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SourceError::Io { path, source }
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .collect::<Result<_, _>>()
        .map_err(io(dir))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        let rel = join(rel_dir, &name);
        let path = entry.path();
        let display = path.to_string_lossy().to_string();
        let meta = std::fs::symlink_metadata(&path).map_err(io(&path))?;
        if meta.file_type().is_symlink() {
            if relevant(&rel) || descend(&rel) {
                snap.errors.push(Diagnostic::error(&display, 1, "symbolic links are never read"));
            }
        } else if meta.is_dir() {
            if descend(&rel) && rel.split('/').count() <= MAX_DEPTH {
                walk_dir(base, &path, &rel, snap)?;
            }
        } else if meta.is_file() && classify(&rel).is_some() {
            if meta.len() > MAX_FILE_BYTES {
                snap.errors.push(Diagnostic::error(
                    &display,
                    1,
                    format!("file is {} bytes, over the 1 MiB limit", meta.len()),
                ));
                continue;
            }
            if snap.files.len() >= MAX_FILES {
                snap.errors
                    .push(Diagnostic::error(&display, 1, format!("more than {MAX_FILES} files in one source")));
                return Ok(());
            }
            let bytes = std::fs::read(&path).map_err(io(&path))?.into();
            snap.files.push(RawFile {
                rel,
                display,
                bytes,
                oid: None,
                deferred: false,
            });
        }
    }
    let _ = base;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn can_classify_paths() {
        assert_eq!(classify("dossiers/limburg/a.md"), Some(FileKind::Dossier));
        assert_eq!(classify("dossiers/a/b/c.md"), Some(FileKind::Dossier));
        assert_eq!(classify("themas/horeca.md"), Some(FileKind::Playbook));
        assert_eq!(classify("themas/sub/horeca.md"), None);
        assert_eq!(classify("collecties/x.md"), Some(FileKind::Collection));
        assert_eq!(classify("vocabulaire.yaml"), Some(FileKind::Vocabulary));
        assert_eq!(classify("README.md"), None);
        assert_eq!(classify("dossiers/a.txt"), None);
    }

    #[cfg(unix)]
    #[test]
    fn reports_symlinks_and_big_files_in_folders() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("dossiers")).unwrap();
        std::fs::write(dir.path().join("dossiers/a.md"), "x").unwrap();
        std::fs::write(dir.path().join("dossiers/big.md"), vec![b'a'; (MAX_FILE_BYTES + 1) as usize]).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("dossiers/link.md")).unwrap();
        let snap = read_dir(dir.path()).unwrap();
        assert_eq!(snap.files.iter().map(|f| f.rel.as_str()).collect::<Vec<_>>(), ["dossiers/a.md"]);
        let errs: Vec<String> = snap.errors.iter().map(|d| d.message.clone()).collect();
        assert!(errs.iter().any(|e| e.contains("over the 1 MiB limit")), "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("symbolic links")), "{errs:?}");
    }

    #[cfg(unix)]
    #[test]
    fn reports_symlinks_submodule_like_and_odd_names_in_git_trees() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let blob = repo.blob(b"---\ntitel: x\n---\n").unwrap();
        let mut sub = repo.treebuilder(None).unwrap();
        sub.insert(std::ffi::OsStr::from_bytes(b"\xffkapot.md"), blob, 0o100644).unwrap();
        sub.insert("link.md", blob, 0o120000).unwrap();
        sub.insert("goed.md", blob, 0o100644).unwrap();
        let sub_id = sub.write().unwrap();
        let mut root = repo.treebuilder(None).unwrap();
        root.insert("dossiers", sub_id, 0o040000).unwrap();
        let tree = repo.find_tree(root.write().unwrap()).unwrap();
        let sig = git2::Signature::now("t", "t@example.nl").unwrap();
        repo.commit(Some("HEAD"), &sig, &sig, "odd", &tree, &[]).unwrap();
        let snap = read_git(dir.path(), "HEAD", "").unwrap();
        assert_eq!(snap.files.iter().map(|f| f.rel.as_str()).collect::<Vec<_>>(), ["dossiers/goed.md"]);
        let errs: Vec<String> = snap.errors.iter().map(ToString::to_string).collect();
        assert!(errs.iter().any(|e| e.contains("not valid UTF-8")), "{errs:?}");
        assert!(
            errs.iter().any(|e| e.starts_with("dossiers/link.md:1: error: symbolic links")),
            "{errs:?}"
        );
    }
}
