//! The middleware that needs the application state: who is reading
//! (`identify`) and what was served (`track`, `track_refused`). The stack and
//! its order are in `routes.rs`.

use crate::state::AppState;
use axum::extract::State;
use axum::extract::connect_info::ConnectInfo;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// Middleware: identifies the reader, rejects bad tokens with 401, and marks
/// signed-in responses `Cache-Control: private, no-store`.
pub async fn identify(State(state): State<AppState>, mut req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let reader = match state.auth.reader(req.headers(), peer) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let signed_in = reader.is_signed_in();
    if let (Some(alerts), Some(email), false) = (&state.alerts, &reader.email, reader.token)
        && alerts.stale(email, &reader.audience)
    {
        // A proxy reader's groups decide what their alert mails may carry:
        // recorded when they change (at most hourly otherwise), off the workers.
        let (alerts, email, audience) = (std::sync::Arc::clone(alerts), email.clone(), reader.audience.clone());
        tokio::task::spawn_blocking(move || {
            if let Err(e) = alerts.confirm(&email, &audience) {
                tracing::warn!(error = %format!("{e:#}"), "alerts: cannot record a reader's groups");
            }
        });
    }
    req.extensions_mut().insert(reader.clone());
    let mut res = crate::auth::scope(reader, next.run(req)).await;
    let value = if signed_in { "private, no-store" } else { "public, max-age=60" };
    if signed_in || !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    crate::auth::add_vary(res.headers_mut(), "Authorization, Cookie");
    res
}

/// Middleware: counts requests and their latency by route pattern.
pub async fn track(State(state): State<AppState>, req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let start = std::time::Instant::now();
    let mut res = next.run(req).await;
    state
        .metrics
        .record_request(&route, res.status().as_u16(), start.elapsed().as_secs_f64());
    res.extensions_mut().insert(Tracked);
    res
}

/// Marks a response already counted by `track`.
#[derive(Clone, Copy)]
struct Tracked;

/// Middleware outside the limits: counts the responses they produce themselves
/// (413, load-shed 503, timeouts), which never reach `track`, under route `-`.
pub async fn track_refused(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let start = std::time::Instant::now();
    let res = next.run(req).await;
    if res.extensions().get::<Tracked>().is_none() {
        state
            .metrics
            .record_request("-", res.status().as_u16(), start.elapsed().as_secs_f64());
    }
    res
}
