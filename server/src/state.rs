//! The application state shared by every request: configuration, theme,
//! templates and the currently served content (swapped whole on update).

use crate::auth::Auth;
use crate::config::Config;
use crate::hooks::Deliveries;
use crate::metrics::Metrics;
use crate::theme::Theme;
use crate::updater::Updates;
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
    pub updates: Updates,
    pub metrics: Metrics,
    pub insight: crate::insight::Insight,
    loaded: RwLock<Option<Arc<Loaded>>>,
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
        let templates = theme.environment();
        let auth = Auth::new(&config.auth)?;
        let webhook_secrets = config.webhook_secrets(&std::env::vars().collect())?;
        Ok(AppState(Arc::new(App {
            config,
            theme,
            templates,
            auth,
            webhook_secrets,
            deliveries: Deliveries::default(),
            updates: Updates::default(),
            metrics: Metrics::default(),
            insight: crate::insight::Insight::default(),
            loaded: RwLock::new(None),
        })))
    }

    /// The content being served, once the first load finished.
    pub fn loaded(&self) -> Option<Arc<Loaded>> {
        self.loaded.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the served content.
    pub fn swap(&self, loaded: Loaded) {
        *self.loaded.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(loaded));
    }
}

/// The content one request may see: its audience's shelf.
pub struct View {
    pub loaded: Arc<Loaded>,
    pub audience: Audience,
    shelf: Arc<Shelf>,
}

impl View {
    pub fn new(loaded: Arc<Loaded>, audience: Audience) -> Result<View, indexer::index::IndexError> {
        let shelf = loaded.shelf(&audience)?;
        Ok(View { loaded, audience, shelf })
    }

    pub fn shelf(&self) -> &Shelf {
        &self.shelf
    }
}

impl View {
    /// Runs blocking index work (tantivy) off the async workers.
    pub async fn blocking<T: Send + 'static>(&self, f: impl FnOnce(&Shelf) -> T + Send + 'static) -> Result<T, tokio::task::JoinError> {
        let shelf = Arc::clone(&self.shelf);
        tokio::task::spawn_blocking(move || f(&shelf)).await
    }
}
