//! `POST /hooks/{source}`: a webhook delivery, verified on the raw body,
//! deduplicated, passed on to the other replicas, and turned into an update
//! request.

use crate::hooks::{Verdict, delivery_id, verify};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

fn json(status: StatusCode, code: &str, message: &str) -> Response {
    (status, crate::json::Json(serde_json::json!({"status": code, "message": message}))).into_response()
}

/// `POST /hooks/{source}`.
pub async fn receive(State(state): State<AppState>, Path(source): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(secret) = state.webhook_secrets.get(&source) else {
        // Unknown source, or a source without webhooks: the same answer.
        state.metrics.record_webhook("-", "unknown_source");
        return crate::error::ApiError(crate::error::Problem::NotFound).into_response();
    };
    match verify(&headers, &body, secret.as_bytes()) {
        Verdict::Valid => {}
        Verdict::Invalid | Verdict::Unsigned => {
            state.metrics.record_webhook(&source, "bad_signature");
            tracing::warn!(source = %source, "webhook delivery with a bad or missing signature");
            return json(
                StatusCode::UNAUTHORIZED,
                "invalid_signature",
                "ongeldige of ontbrekende handtekening",
            );
        }
    }
    // Checked after the signature, so an unsigned request learns nothing.
    if state.fanout.is_own(&headers) {
        return json(StatusCode::ACCEPTED, "own", "deze levering kwam van deze server");
    }
    if let Some(id) = delivery_id(&headers)
        && !state.deliveries.first_time(&format!("{source}:{id}"))
    {
        state.metrics.record_webhook(&source, "duplicate");
        return json(StatusCode::ACCEPTED, "duplicate", "deze levering is al ontvangen");
    }
    let forwarded = headers.contains_key(crate::fanout::FORWARDED);
    state
        .metrics
        .record_webhook(&source, if forwarded { "accepted_from_replica" } else { "accepted" });
    state.updates.request(Some(&source));
    if !forwarded && state.fanout.enabled() {
        let metrics = state.clone();
        let name = source.clone();
        state.fanout.spread(&source, &headers, body, move |outcome| {
            let label = match outcome {
                crate::fanout::Outcome::Forwarded => "passed_on",
                crate::fanout::Outcome::Failed => "pass_on_failed",
            };
            metrics.metrics.record_webhook(&name, label);
        });
    }
    json(StatusCode::ACCEPTED, "accepted", "bron wordt opgehaald")
}
