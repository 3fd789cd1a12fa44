//! Health, readiness, metrics and the API documents.

use axum::Json;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use http::{StatusCode, header};
use serde_json::json;

use crate::AppState;

/// The process is up.
pub async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

/// The database answers.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.services.db.ping().await {
        Ok(()) => Json(json!({"status": "ready"})).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "reason": "database unreachable"})),
            )
                .into_response()
        }
    }
}

/// Prometheus text exposition on the main address: behind the bearer token when one is
/// configured; public in development; not served when it has its own address, nor in
/// production without a token.
pub async fn metrics(State(state): State<AppState>, headers: http::HeaderMap) -> Response {
    let config = &state.services.config;
    let not_served = || {
        (
            StatusCode::NOT_FOUND,
            Json(json!({"errors": [{"message": "metrics are not served here", "extensions": {"code": "NOT_FOUND"}}]})),
        )
            .into_response()
    };
    if config.metrics.listen.is_some() {
        return not_served();
    }
    match config.metrics.token.as_deref().filter(|t| !t.is_empty()) {
        Some(expected) => {
            let sent = crate::auth::carried_token(&headers, None).map(|(t, _)| t);
            let matches = sent.is_some_and(|sent| {
                use sha2::Digest;
                // Equal digests, compared whole: no early exit on the first differing byte.
                sha2::Sha256::digest(sent.as_bytes()) == sha2::Sha256::digest(expected.as_bytes())
            });
            if !matches {
                return (
                    StatusCode::UNAUTHORIZED,
                    [(header::WWW_AUTHENTICATE, "Bearer")],
                    Json(json!({"errors": [{"message": "metrics need the bearer token", "extensions": {"code": "UNAUTHENTICATED"}}]})),
                )
                    .into_response();
            }
        }
        None if config.production => return not_served(),
        None => {}
    }
    metrics_text(&state)
}

/// `/metrics` on its own listen address (`metrics.listen`).
pub async fn metrics_only(State(state): State<AppState>) -> Response {
    metrics_text(&state)
}

fn metrics_text(state: &AppState) -> Response {
    crate::db::record_pool_metrics(&state.services.db);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::telemetry::metrics_handle().render(),
    )
        .into_response()
}

/// The OpenAPI 3.1 document of the REST dialects.
pub async fn openapi_json(State(state): State<AppState>) -> Response {
    Json(state.openapi.as_ref().clone()).into_response()
}

/// A browsable page over the OpenAPI document (Redoc, served by this binary).
pub async fn docs(State(state): State<AppState>) -> Response {
    Html(super::assets::redoc_page(
        "medgraph REST dialects",
        state.openapi.as_ref(),
    ))
    .into_response()
}
