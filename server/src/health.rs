//! Liveness and readiness for orchestrators.

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// The index is loaded and requests can be served.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.loaded().is_some() {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "loading\n")
    }
}
