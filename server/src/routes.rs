//! The whole URL map on one screen, and the middleware around it.

use crate::handlers::alerts;
use crate::handlers::{api, discovery, health, pages, webhook};
use crate::state::AppState;
use axum::BoxError;
use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::http::StatusCode;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use std::time::Duration;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};

/// The header carrying a request's id (set here unless a proxy already did).
const REQUEST_ID: axum::http::HeaderName = axum::http::HeaderName::from_static("x-request-id");

/// Request ids: a per-process counter, unique within one run.
#[derive(Clone, Default)]
struct Counter(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl MakeRequestId for Counter {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        HeaderValue::from_str(&format!("{n:x}")).ok().map(RequestId::new)
    }
}
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted (webhooks are the only bodies).
const MAX_BODY: usize = 1 << 20;
/// Requests handled at once; more are shed with 503 and `Retry-After` instead of queueing.
pub const MAX_IN_FLIGHT: usize = 256;

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
        .route("/regios", get(api::regios))
        .route("/regios/{slug}", get(api::regio))
        .route("/lessen", get(api::lessen))
        .route("/status", get(api::status))
        .route("/schrijven/controle", axum::routing::post(crate::handlers::schrijven::api_check))
        .route("/abonnementen", get(alerts::api_list).post(alerts::api_subscribe))
        .route("/abonnementen/{id}", axum::routing::delete(alerts::api_delete))
        .route("/openapi.json", get(crate::handlers::api::openapi::document))
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
        .route("/paginas/{slug}", get(pages::pagina))
        .route("/api", get(crate::handlers::api::openapi::page))
        .route(
            "/schrijven",
            get(crate::handlers::schrijven::form).post(crate::handlers::schrijven::submit),
        )
        .route(
            "/samenstellen",
            get(crate::handlers::samenstellen::form).post(crate::handlers::samenstellen::form),
        )
        .route("/abonnementen", get(alerts::list).post(alerts::subscribe))
        .route("/abonnementen/{id}/opzeggen", axum::routing::post(alerts::delete))
        .route(
            "/abonnementen/afmelden/{key}",
            get(alerts::unsubscribe_page).post(alerts::unsubscribe),
        )
        .route("/beheer", get(crate::handlers::beheer::page))
        .route("/beheer/inzicht", get(crate::handlers::insight::page))
        .route("/feed.atom", get(discovery::feed))
        .route("/themas/{slug}/feed.atom", get(discovery::thema_feed))
        .route("/regios/{slug}/feed.atom", get(discovery::regio_feed))
        .route("/collecties/{slug}/feed.atom", get(discovery::collectie_feed))
        .route("/zoeken/feed.atom", get(discovery::search_feed))
        .route("/schema/dossier.json", get(crate::handlers::schrijven::schema))
        .route("/static/{*path}", get(pages::static_file))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::render::render_page_errors,
        ))
        .layer(axum::middleware::from_fn(crate::i18n::language));

    let hsts = state.config.site_url.starts_with("https://");
    let refused_state = state.clone();
    // Layers wrap from the inside out: the last added is the outermost, so the
    // security headers reach every response, errors and shed requests included.
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .route("/robots.txt", get(discovery::robots))
        .route("/sitemap.xml", get(discovery::sitemap))
        .route("/.well-known/security.txt", get(discovery::security_txt))
        .route("/hooks/{source}", axum::routing::post(webhook::receive))
        .route("/readyz", get(health::readyz))
        .nest("/api/v1", api)
        .merge(site)
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::moved::former_regions))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::middleware::identify))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::middleware::track))
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(15),
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(|_: BoxError| async {
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        [(header::RETRY_AFTER, "1")],
                        "Te druk: probeer het zo opnieuw.\n",
                    )
                }))
                .load_shed()
                // Global: `Router::layer` would otherwise give every route its own limit.
                .layer(GlobalConcurrencyLimitLayer::new(MAX_IN_FLIGHT)),
        )
        .layer(axum::middleware::from_fn_with_state(
            refused_state,
            crate::middleware::track_refused,
        ))
        // The fastest level: at the default, gzip cost more CPU than the whole search
        // (the benchmark: 1,860 against 4,560 responses/s); the size differs little.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        // Spans name the route pattern, never the raw path or query: those may hold
        // restricted ids or a signed-in reader's search.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    let route = req
                        .extensions()
                        .get::<axum::extract::MatchedPath>()
                        .map_or("-", |m| m.as_str())
                        .to_string();
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-")
                        .to_string();
                    tracing::info_span!("request", method = %req.method(), route, request_id = %id)
                })
                // 503 means "not yet" (content still loading: `/readyz` answers it to every
                // probe during a start), so it is a warning; other 5xx answers are errors.
                .on_failure(|class: ServerErrorsFailureClass, latency: std::time::Duration, _: &tracing::Span| {
                    let ms = latency.as_millis() as u64;
                    match class {
                        ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE) => {
                            tracing::warn!(ms, "response failed: 503 service unavailable")
                        }
                        other => tracing::error!(ms, classification = %other, "response failed"),
                    }
                }),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, Counter::default()))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ));
    if hsts {
        router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        router
    }
}

/// No inline script or style, nothing embedded, no framing, no base or form tricks.
pub const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
