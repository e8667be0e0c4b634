//! `View`: the content one request may see (its audience's shelf), and the
//! extractor that gives every handler its reader's view.

use crate::auth::Reader;
use crate::cache::SearchCache;
use crate::error::Problem;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use indexer::search::similar::{Similar, SimilarOptions};
use indexer::search::{SearchRequest, SearchResults};
use indexer::{Audience, Loaded, Shelf};
use std::sync::Arc;

/// The content one request may see: its audience's shelf.
pub struct View {
    loaded: Arc<Loaded>,
    pub audience: Audience,
    generation: u64,
    shelf: Arc<Shelf>,
}

impl View {
    /// The view of `audience` on `loaded`. A combination of regions seen for
    /// the first time has its shelf built (a library and an in-RAM index):
    /// that runs on a blocking thread, once, however many requests wait for it.
    pub async fn new(generation: u64, loaded: Arc<Loaded>, audience: Audience) -> Result<View, Problem> {
        // Former region slugs of the reader count as their current region, so
        // both names share one shelf and one cache entry.
        let audience = audience.canonical(loaded.vocab());
        let shelf = match loaded.ready_shelf(&audience) {
            Some(shelf) => shelf,
            None => {
                let (l, a) = (Arc::clone(&loaded), audience.clone());
                tokio::task::spawn_blocking(move || l.shelf(&a))
                    .await
                    .map_err(|_| Problem::Unavailable)??
            }
        };
        Ok(View {
            loaded,
            audience,
            generation,
            shelf,
        })
    }

    pub fn shelf(&self) -> &Shelf {
        &self.shelf
    }

    /// Where a document's source file can be edited, if its source says.
    pub fn edit_link(&self, bron: &indexer::model::Provenance) -> Option<&str> {
        self.loaded.edit_link(bron)
    }

    /// The sources' findings (paths and messages of every file, restricted
    /// ones too): for handlers that show them only to readers entitled to them.
    pub fn reports(&self) -> &[indexer::catalog::SourceReport] {
        self.loaded.reports()
    }
}

impl View {
    /// Runs blocking index work (tantivy) off the async workers.
    pub async fn blocking<T: Send + 'static>(&self, f: impl FnOnce(&Shelf) -> T + Send + 'static) -> Result<T, tokio::task::JoinError> {
        let shelf = Arc::clone(&self.shelf);
        tokio::task::spawn_blocking(move || f(&shelf)).await
    }

    /// The dossiers like dossier `ord` of this view's library (off the async workers).
    pub async fn similar(&self, ord: usize, options: SimilarOptions) -> Result<Vec<Similar>, Problem> {
        Ok(self.blocking(move |s| s.index.similar(&s.library, ord, options)).await??)
    }

    /// Runs a search on this view's shelf, or takes its results from the cache.
    pub async fn search(&self, cache: &SearchCache, req: &SearchRequest) -> Result<Arc<SearchResults>, crate::error::Problem> {
        if let Some(hit) = cache.get(self.generation, &self.audience, req) {
            return Ok(hit);
        }
        let results = {
            let req = req.clone();
            Arc::new(self.blocking(move |s| s.index.search(&s.library, &req)).await??)
        };
        cache.put(self.generation, &self.audience, req, Arc::clone(&results));
        Ok(results)
    }
}

/// A handler that takes a `View` gets the view of the request's reader (set by
/// `middleware::identify`); before the first load it answers 503.
impl FromRequestParts<AppState> for View {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<View, Problem> {
        // Every route is behind `identify`; were one not, it would get the public view.
        let reader = parts.extensions.get::<Reader>();
        debug_assert!(reader.is_some(), "a route outside middleware::identify");
        let audience = reader.map_or(Audience::Public, |r| r.audience.clone());
        View::of(state, audience).await
    }
}

impl View {
    /// The view of `audience` on the content being served (503 before the first load).
    pub async fn of(state: &AppState, audience: Audience) -> Result<View, Problem> {
        let (generation, loaded) = state.current().ok_or(Problem::Unavailable)?;
        View::new(generation, loaded, audience).await
    }
}
