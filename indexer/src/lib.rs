//! Tegenkracht's content engine: it reads content sources (git or folders),
//! validates them against the content model, renders markdown safely, and
//! builds and queries the Dutch search index. It knows nothing of HTTP.
//!
//! The modules are the pipeline's stages, in order, each importing only
//! earlier ones: `model` (the content model: types and per-document rules) →
//! `source` (files at a commit) → `catalog::Catalog` (every valid document) →
//! `access` and `partition` (who sees which partition) / `library::Library`
//! (what one audience may see) → `index`
//! (the partition indexes on disk) → `search` (`SearchIndex`: queries,
//! snippets, similar initiatives); `engine` runs them and keeps what an
//! update reuses. ARCHITECTURE.md has the map.

pub mod access;
pub mod blob;
pub mod catalog;
pub mod data_dir;
pub mod diag;
pub mod engine;
pub mod index;
pub mod library;
pub mod model;
pub mod partition;
pub mod search;
pub mod source;
#[cfg(test)]
pub(crate) mod testkit;
pub mod text;

pub use access::Audience;
pub use catalog::{Catalog, Location, SourceSpec};
pub use data_dir::DataDir;
pub use diag::{Diagnostic, Severity};
pub use engine::{Engine, Loaded, Shelf, load};
pub use library::Library;
pub use tantivy;
