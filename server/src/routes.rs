//! The whole URL map on one screen, and the middleware around it.

use crate::state::AppState;
use crate::{api, health, hooks, pages};
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted (webhooks are the only bodies).
const MAX_BODY: usize = 1 << 20;

/// Builds the application: pages, API and health checks.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/search", get(api::search))
        .route("/dossiers/{regio}/{slug}", get(api::dossier))
        .route("/dossiers/{regio}/{slug}/vergelijkbaar", get(api::similar))
        .route("/themas", get(api::themas))
        .route("/themas/{slug}", get(api::thema))
        .route("/collecties", get(api::collecties))
        .route("/collecties/{slug}", get(api::collectie))
        .route("/vocabulaire", get(api::vocabulaire))
        .route("/lessen", get(api::lessen))
        .route("/status", get(api::status))
        .route("/openapi.json", get(api::openapi))
        .fallback(api::not_found);

    let site = Router::new()
        .route("/", get(pages::home))
        .route("/zoeken", get(pages::search))
        .route("/dossiers/{regio}/{slug}", get(pages::dossier))
        .route("/themas", get(pages::themas))
        .route("/themas/{slug}", get(pages::thema))
        .route("/regios", get(pages::regios))
        .route("/regios/{slug}", get(pages::regio))
        .route("/collecties", get(pages::collecties))
        .route("/collecties/{slug}", get(pages::collectie))
        .route("/lessen", get(pages::lessen))
        .route("/static/{*path}", get(pages::static_file))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), pages::render_page_errors));

    // Layers wrap from the inside out: the last added runs first on a request.
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .route("/hooks/{source}", axum::routing::post(hooks::receive))
        .route("/readyz", get(health::readyz))
        .nest("/api/v1", api)
        .merge(site)
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::auth::identify))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::metrics::track))
        .with_state(state)
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
        ))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(15)))
        // Spans name the route pattern, never the raw path or query: those may hold
        // restricted ids or a signed-in reader's search.
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let route = req.extensions().get::<axum::extract::MatchedPath>().map_or("-", |m| m.as_str()).to_string();
            tracing::info_span!("request", method = %req.method(), route)
        }))
}
