//! Tegenkracht's content engine: it reads content sources (git or folders),
//! validates them against the content model, renders markdown safely, and
//! builds and queries the Dutch search index. It knows nothing of HTTP.
//!
//! The flow is `source` → `corpus::Catalog` (every valid document) →
//! `library::Library` (what one audience may see) → `index::SearchIndex`
//! (that audience's tantivy index) → `search` and `similar`.

pub mod blob;
pub mod corpus;
pub mod diag;
pub mod engine;
pub mod facets;
pub mod filecache;
pub mod frontmatter;
pub mod index;
pub mod keyterms;
pub mod library;
pub mod markdown;
pub mod mirror;
pub mod model;
pub mod pagedocs;
pub mod partition;
pub mod query;
pub mod schema;
pub mod search;
pub mod similar;
pub mod snippet;
pub mod source;
#[cfg(test)]
pub(crate) mod testkit;
pub mod text;
pub mod undouble;
pub mod union_dir;
pub mod vocab;
pub mod yaml;

pub use corpus::{Catalog, Location, SourceSpec};
pub use diag::{Diagnostic, Severity};
pub use engine::{Engine, Loaded, Shelf, load};
pub use library::{Audience, Library};
pub use tantivy;
