//! The application state shared by every request: configuration, theme,
//! templates and the currently served content (swapped whole on update).

use crate::config::Config;
use crate::theme::Theme;
use indexer::{Audience, Loaded, Shelf};
use minijinja::Environment;
use std::sync::{Arc, RwLock};
use std::time::Instant;

/// Everything the handlers share.
pub struct App {
    pub config: Config,
    pub theme: Theme,
    pub templates: Environment<'static>,
    loaded: RwLock<Option<Arc<Loaded>>>,
    pub started: Instant,
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
    pub fn new(config: Config) -> AppState {
        let theme = Theme::new(config.theme_dir.clone());
        let templates = theme.environment();
        AppState(Arc::new(App {
            config,
            theme,
            templates,
            loaded: RwLock::new(None),
            started: Instant::now(),
        }))
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
}

impl View {
    pub fn shelf(&self) -> &Shelf {
        self.loaded.shelf(&self.audience)
    }
}

impl View {
    /// Runs blocking index work (tantivy) off the async workers.
    pub async fn blocking<T: Send + 'static>(&self, f: impl FnOnce(&Shelf) -> T + Send + 'static) -> Result<T, tokio::task::JoinError> {
        let loaded = Arc::clone(&self.loaded);
        let audience = self.audience.clone();
        tokio::task::spawn_blocking(move || f(loaded.shelf(&audience))).await
    }
}
