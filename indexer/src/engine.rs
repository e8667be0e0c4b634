//! Loading everything a server or command needs in one step: read the
//! sources, validate them into a catalog, build each audience's library and
//! open (or rebuild) its index. A `Loaded` value is immutable; updates
//! build a new one and swap it in.

use crate::corpus::{Catalog, SourceSpec};
use crate::index::{IndexError, IndexStore, SearchIndex};
use crate::library::{Audience, Library};
use std::path::Path;
use std::time::SystemTime;

/// One audience's documents and index.
pub struct Shelf {
    pub library: Library,
    pub index: SearchIndex,
}

/// Everything served, as of one load.
pub struct Loaded {
    pub catalog: Catalog,
    pub public: Shelf,
    pub loaded_at: SystemTime,
    /// Whether the index was rebuilt in this load (rather than reopened).
    pub rebuilt: bool,
}

impl Loaded {
    /// The shelf for an audience.
    pub fn shelf(&self, audience: &Audience) -> &Shelf {
        match audience {
            Audience::Public => &self.public,
        }
    }
}

/// A fingerprint of the sources' state, or `None` when a source has no commit.
pub fn fingerprint(catalog: &Catalog) -> Option<String> {
    let mut parts = Vec::new();
    for r in &catalog.reports {
        parts.push(format!("{}={}", r.name, r.commit.as_deref()?));
    }
    Some(parts.join(";"))
}

/// Reads the sources and opens or builds the indexes in `data_dir`.
pub fn load(specs: &[SourceSpec], data_dir: &Path) -> Result<Loaded, IndexError> {
    let catalog = Catalog::load(specs);
    let library = Library::new(&catalog, Audience::Public);
    let store = IndexStore::new(data_dir);
    let (mut indexes, rebuilt) = store.open_or_build(fingerprint(&catalog).as_deref(), &[&library])?;
    let index = indexes.remove(0);
    Ok(Loaded {
        catalog,
        public: Shelf { library, index },
        loaded_at: SystemTime::now(),
        rebuilt,
    })
}

/// The fingerprint the sources would have if loaded now (cheap: resolves heads only).
pub fn head_fingerprint(specs: &[SourceSpec]) -> Option<String> {
    let mut parts = Vec::new();
    for s in specs {
        let crate::corpus::Location::Git { repo, branch, .. } = &s.location else {
            return None;
        };
        let repo = git2::Repository::open(repo).ok()?;
        let commit = crate::source::resolve_commit(&repo, branch)?;
        parts.push(format!("{}={}", s.name, commit.id()));
    }
    Some(parts.join(";"))
}
