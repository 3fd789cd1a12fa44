//! Request spans with the request id, HTTP metrics, and the panic answer.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use tracing::Span;

/// Span of one request, carrying its id so every log line inside names it.
pub fn make_span(request: &Request) -> Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}

/// Counts requests by route template and status, and times them.
pub async fn record_metrics(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("medgraph_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("medgraph_http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}

/// A panic becomes a plain `INTERNAL` error; the detail goes to the log only.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = %detail, "request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        axum::Json(serde_json::json!({
            "errors": [{"message": "internal error", "extensions": {"code": "INTERNAL"}}]
        })),
    )
        .into_response()
}

/// Replaces any client-sent `x-medgraph-client-ip` with the address the per-IP limits use: the
/// connection's peer, or the first `X-Forwarded-For` hop when the proxy is trusted.
pub async fn client_ip(
    axum::extract::State(trust_forwarded_for): axum::extract::State<bool>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0);
    let ip = crate::auth::client_ip(request.headers(), peer, trust_forwarded_for);
    let headers = request.headers_mut();
    headers.remove(crate::auth::CLIENT_IP_HEADER);
    if let Some(value) = ip.and_then(|ip| http::HeaderValue::from_str(&ip.to_string()).ok()) {
        headers.insert(crate::auth::CLIENT_IP_HEADER, value);
    }
    next.run(request).await
}
