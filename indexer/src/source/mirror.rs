//! Mirrors: each git source is fetched into a bare repository under
//! `data_dir/mirrors/{name}.git`, and read from there. A failed fetch keeps
//! the mirror's last good refs, so the source keeps serving its last good
//! commit. Credentials for private remotes come from the environment
//! (`TK_GIT_USERNAME_<NAME>`, `TK_GIT_PASSWORD_<NAME>`), never from the
//! configuration file, and are never logged.

use crate::data_dir::DataDir;
use std::path::{Path, PathBuf};

/// Why a fetch failed (the message never contains credentials).
#[derive(Debug, Clone, thiserror::Error)]
#[error("fetching {url} failed: {message}")]
pub struct FetchError {
    pub url: String,
    pub message: String,
}

/// The environment variable suffix for a source name: `riec-limburg` → `RIEC_LIMBURG`.
pub fn env_suffix(name: &str) -> String {
    name.to_uppercase().replace('-', "_")
}

/// The URL git should fetch from: local paths become absolute paths.
fn fetch_url(url: &str) -> String {
    if url.contains("://") {
        return url.to_string();
    }
    std::fs::canonicalize(url).map_or_else(|_| url.to_string(), |p| p.to_string_lossy().to_string())
}

/// A URL safe to show: any `user:password@` part removed.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}{}", &url[..scheme + 3], &url[at + 1..]),
        _ => url.to_string(),
    }
}

/// Fetches `url` into the mirror of source `name`; returns the mirror's path.
/// Branches are mirrored as they are (force-pushes included); the remote's
/// `HEAD` is kept as `refs/tk/HEAD`.
pub fn fetch(data_dir: &DataDir, name: &str, url: &str) -> Result<PathBuf, FetchError> {
    let path = data_dir.mirror(name);
    let fail = |e: git2::Error| FetchError {
        url: redact(url),
        message: e.message().to_string(),
    };
    let repo = match git2::Repository::open_bare(&path) {
        Ok(r) => r,
        Err(_) => {
            let _ = std::fs::remove_dir_all(&path);
            // Owner only: the mirrors hold restricted documents.
            DataDir::create_private(&path).map_err(|e| FetchError {
                url: redact(url),
                message: e.to_string(),
            })?;
            git2::Repository::init_bare(&path).map_err(fail)?
        }
    };
    remove_stale_locks(&path);
    if let Some(local) = local_path(url) {
        // libgit2 packs every object when fetching from a local path; a mirror of a
        // repository on this machine borrows its objects instead and copies its refs.
        return sync_local(&repo, &local, &path).map_err(fail);
    }
    let mut remote = repo.remote_anonymous(&fetch_url(url)).map_err(fail)?;
    let mut callbacks = git2::RemoteCallbacks::new();
    let suffix = env_suffix(name);
    let mut tried = false;
    callbacks.credentials(move |_url, username, _allowed| {
        // Give up after one attempt instead of looping on wrong credentials.
        if tried {
            return Err(git2::Error::from_str("authentication failed"));
        }
        tried = true;
        let user = std::env::var(format!("TK_GIT_USERNAME_{suffix}"))
            .ok()
            .or_else(|| username.map(str::to_string))
            .unwrap_or_else(|| "git".into());
        match std::env::var(format!("TK_GIT_PASSWORD_{suffix}")) {
            Ok(password) => git2::Cred::userpass_plaintext(&user, &password),
            Err(_) => Err(git2::Error::from_str("no credentials in the environment")),
        }
    });
    let mut opts = git2::FetchOptions::new();
    opts.remote_callbacks(callbacks);
    opts.prune(git2::FetchPrune::On);
    opts.download_tags(git2::AutotagOption::None);
    remote
        .fetch(&["+refs/heads/*:refs/heads/*", "+HEAD:refs/tk/HEAD"], Some(&mut opts), None)
        .map_err(fail)?;
    Ok(path)
}

/// The repository folder of a local source (a path or a `file://` URL).
fn local_path(url: &str) -> Option<PathBuf> {
    let p = url.strip_prefix("file://").unwrap_or(url);
    (!p.contains("://")).then(|| PathBuf::from(fetch_url(p)))
}

/// Mirrors a repository on this machine: its objects through `objects/info/alternates`,
/// its branches (pruned) and its HEAD as `refs/tk/HEAD`.
fn sync_local(mirror: &git2::Repository, src: &Path, path: &Path) -> Result<PathBuf, git2::Error> {
    let source = git2::Repository::open(src)?;
    let objects = source.path().join("objects");
    let alternates = path.join("objects/info/alternates");
    let line = format!("{}\n", objects.to_string_lossy());
    if std::fs::read_to_string(&alternates).ok().as_deref() != Some(line.as_str()) {
        std::fs::create_dir_all(path.join("objects/info")).map_err(|e| git2::Error::from_str(&e.to_string()))?;
        std::fs::write(&alternates, &line).map_err(|e| git2::Error::from_str(&e.to_string()))?;
    }
    // Reopen so the object database sees the alternate.
    let mirror = git2::Repository::open_bare(mirror.path())?;
    let mut wanted = std::collections::HashSet::new();
    for r in source.references_glob("refs/heads/*")? {
        let r = r?;
        if let (Some(name), Some(target)) = (r.name(), r.resolve()?.target()) {
            mirror.reference(name, target, true, "tegenkracht mirror")?;
            wanted.insert(name.to_string());
        }
    }
    for r in mirror.references_glob("refs/heads/*")? {
        let mut r = r?;
        if r.name().is_some_and(|n| !wanted.contains(n)) {
            r.delete()?;
        }
    }
    if let Some(head) = source.head().ok().and_then(|h| h.resolve().ok()).and_then(|h| h.target()) {
        mirror.reference("refs/tk/HEAD", head, true, "tegenkracht mirror")?;
    }
    Ok(path.to_path_buf())
}

/// A process killed during a fetch can leave `*.lock` files that block the
/// next one; this process is the mirror's only writer, so they are stale.
fn remove_stale_locks(path: &Path) {
    fn walk(dir: &Path, depth: usize) {
        if depth > 8 {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, depth + 1);
            } else if p.extension().is_some_and(|x| x == "lock") {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
    walk(&path.join("refs"), 0);
    for f in ["packed-refs.lock", "HEAD.lock", "config.lock", "index.lock", "shallow.lock"] {
        let _ = std::fs::remove_file(path.join(f));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_credentials_in_urls() {
        assert_eq!(redact("https://user:secret@git.example.nl/a.git"), "https://git.example.nl/a.git");
        assert_eq!(redact("/srv/git/a"), "/srv/git/a");
        assert_eq!(env_suffix("riec-limburg"), "RIEC_LIMBURG");
    }
}
