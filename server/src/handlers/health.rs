//! Liveness and readiness for orchestrators.

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// The index is loaded and requests can be served.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    if state.loaded().is_none() {
        return (StatusCode::SERVICE_UNAVAILABLE, "loading\n".into());
    }
    match state.config.site_url_warning() {
        Some(w) => (StatusCode::OK, format!("ready\nwarning: {w}\n")),
        None => (StatusCode::OK, "ready\n".into()),
    }
}

/// Prometheus metrics.
pub async fn metrics(State(state): State<AppState>) -> impl axum::response::IntoResponse {
    let size = crate::metrics::dir_size(&indexer::DataDir::new(&state.config.data_dir).indexes());
    let docs = state.loaded().map_or(0, |l| l.public.index.num_docs());
    let body = state.metrics.render(size, docs, &state.search_cache.counters());
    (
        [(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        body,
    )
}
