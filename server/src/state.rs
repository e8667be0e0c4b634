//! The application state shared by every request: configuration, theme,
//! templates and the currently served content (swapped whole on update).

use crate::auth::Auth;
use crate::cache::SearchCache;
use crate::config::Config;
use crate::hooks::Deliveries;
use crate::metrics::Metrics;
use crate::theme::Theme;
use crate::updates::Updates;
use indexer::Loaded;
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
