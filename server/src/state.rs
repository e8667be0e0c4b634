//! The application state shared by every request: configuration, theme,
//! templates and the currently served content (swapped whole on update).

use crate::auth::Auth;
use crate::cache::SearchCache;
use crate::config::Config;
use crate::error::Problem;
use crate::hooks::Deliveries;
use crate::metrics::Metrics;
use crate::theme::Theme;
use crate::updater::Updates;
use indexer::search::{SearchRequest, SearchResults};
use indexer::{Audience, Loaded, Shelf};
use minijinja::Environment;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Everything the handlers share.
pub struct App {
    pub config: Config,
    pub theme: Theme,
    pub templates: Environment<'static>,
    pub auth: Auth,
    /// Webhook secrets by source name (only sources with webhooks).
    pub webhook_secrets: HashMap<String, String>,
    pub deliveries: Deliveries,
    /// Email alerts, on the replica that sends them (`[mail] mailer = true`).
    pub alerts: Option<Arc<crate::alerts::Alerts>>,
    /// The other replicas that webhook deliveries are passed on to.
    pub fanout: Arc<crate::fanout::Fanout>,
    pub updates: Updates,
    pub metrics: Metrics,
    pub insight: crate::insight::Insight,
    pub search_cache: SearchCache,
    /// The content being served and its generation (counts loads).
    loaded: RwLock<Option<(u64, Arc<Loaded>)>>,
}

/// Cheap-to-clone handle on the application.
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl AppState {
    /// Builds the state; fails on an invalid `[auth]` section or a missing webhook secret.
    pub fn new(config: Config) -> anyhow::Result<AppState> {
        let theme = Theme::new(config.theme_dir.clone());
        let search_cache = config.search_cache;
        let templates = theme.environment();
        let auth = Auth::new(&config.auth)?;
        let webhook_secrets = config.webhook_secrets(&std::env::vars().collect())?;
        if config.mail.as_ref().is_some_and(|m| m.mailer) {
            // The subscriptions are in the store: never start over without them
            // (insight alone would move an unreadable store aside and begin anew).
            drop(crate::store::open(&config.data_dir).map_err(|e| {
                anyhow::anyhow!(
                    "{e:#}; the email subscriptions are in this file: restore it from a backup, or move it aside to start without them"
                )
            })?);
        }
        let insight = crate::insight::Insight::open(&config.data_dir);
        let fanout = Arc::new(crate::fanout::Fanout::new(config.replicas.clone()));
        let alerts = match (&config.mail, insight.store()) {
            (Some(m), Some(db)) if m.mailer => Some(Arc::new(crate::alerts::Alerts::new(db)?)),
            (Some(m), None) if m.mailer => {
                anyhow::bail!("mail.mailer needs the store in data_dir (tegenkracht.redb), which another process holds")
            }
            _ => None,
        };
        Ok(AppState(Arc::new(App {
            config,
            theme,
            templates,
            auth,
            webhook_secrets,
            deliveries: Deliveries::default(),
            fanout,
            alerts,
            updates: Updates::default(),
            metrics: Metrics::default(),
            insight,
            search_cache: SearchCache::new(search_cache),
            loaded: RwLock::new(None),
        })))
    }

    /// The content being served, once the first load finished.
    pub fn loaded(&self) -> Option<Arc<Loaded>> {
        self.current().map(|(_, l)| l)
    }

    /// The content being served with its generation.
    pub fn current(&self) -> Option<(u64, Arc<Loaded>)> {
        self.loaded.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the served content (and forgets cached results of the old one).
    pub fn swap(&self, loaded: Loaded) {
        let mut current = self.loaded.write().unwrap_or_else(|e| e.into_inner());
        let generation = current.as_ref().map_or(1, |(g, _)| g + 1);
        *current = Some((generation, Arc::new(loaded)));
        self.search_cache.clear_for(generation);
    }
}

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
