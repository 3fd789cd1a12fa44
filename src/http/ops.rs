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

/// Prometheus text exposition.
pub async fn metrics(State(state): State<AppState>) -> Response {
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
