//! Keeping the served content up to date. One task owns the `Engine`;
//! webhooks and the poll timer only *request* an update of a source. Requests
//! coalesce: while an update runs, new requests collect in one pending set,
//! so each source has at most one update running and one pending.

use crate::state::AppState;
use indexer::Engine;
use indexer::engine::Refresh;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Runs forever: the first full load, then every requested or periodic update.
pub async fn run(state: AppState) {
    let engine = Arc::new(Mutex::new(Engine::new(state.config.source_specs(), &state.config.data_dir)));
    let updates = state.updates.clone();
    updates.request(None);
    let poll = state.config.poll_interval;
    let mut next_poll = Instant::now() + poll;
    loop {
        let wait = next_poll.saturating_duration_since(Instant::now());
        tokio::select! {
            _ = updates.requested() => {}
            _ = tokio::time::sleep(wait) => {
                next_poll = Instant::now() + poll;
                updates.request(None);
            }
        }
        let pending = updates.take();
        if !pending.all && pending.sources.is_empty() {
            continue;
        }
        let which: Option<Vec<String>> = (!pending.all).then(|| pending.sources.into_iter().collect());
        update(&state, &engine, which).await;
    }
}

/// Fetches, and reloads when a source moved (or nothing is loaded yet).
async fn update(state: &AppState, engine: &Arc<Mutex<Engine>>, which: Option<Vec<String>>) {
    let engine = Arc::clone(engine);
    let since = state.loaded();
    let started = Instant::now();
    let result = tokio::task::spawn_blocking(move || {
        let mut engine = engine.lock().unwrap_or_else(|e| e.into_inner());
        engine.refresh(which.as_deref(), since.as_deref())
    })
    .await;
    match result {
        Ok(Ok(Refresh::Loaded(loaded))) => {
            for r in loaded.reports() {
                if let Some(e) = &r.read_error {
                    tracing::error!(source = %r.name, error = %e, "source could not be read");
                }
                tracing::info!(source = %r.name, commit = ?r.commit, documents = r.documents, errors = r.errors, warnings = r.warnings, "source loaded");
            }
            tracing::info!(
                dossiers = loaded.public.library.dossiers.len(),
                rendered = loaded.rendered,
                indexed = loaded.stats.added,
                removed = loaded.stats.deleted,
                ms = started.elapsed().as_millis() as u64,
                "content updated"
            );
            state.metrics.record_update(&loaded);
            state.swap(*loaded);
        }
        // Nothing moved: the fetches that worked still count as successes.
        Ok(Ok(Refresh::Unchanged { fetched })) => state.metrics.record_fetch_ok(&fetched),
        Ok(Err(e)) => tracing::error!(error = %e, "updating failed; still serving the previous state"),
        Err(e) => tracing::error!(error = %e, "updating panicked; still serving the previous state"),
    }
}
