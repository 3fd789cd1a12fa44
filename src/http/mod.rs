//! The HTTP surface: router, middleware, the GraphQL endpoint (HTTP and WebSocket), GraphiQL,
//! files, health, readiness and metrics, and the language-model proxy.

mod assets;
mod captcha;
mod files;
mod graphql;
mod introspection;
mod llm;
mod middleware;
mod ops;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::AppState;
use crate::config::Config;

pub use graphql::graphiql_html;

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let config = state.services.config.clone();
    let upload_limit = config.storage.max_upload_bytes;
    let routes = crate::rest::all_routes();
    let graphql_route = axum::routing::get(graphql::get_handler)
        .post(graphql::post_handler)
        .layer(DefaultBodyLimit::max(upload_limit + 64 * 1024));

    Router::new()
        .route("/graphql", graphql_route)
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/files/{hash}", get(files::serve))
        .route("/openapi.json", get(ops::openapi_json))
        .route("/docs", get(ops::docs))
        .route("/assets/vendor/{name}", get(assets::serve))
        .route("/captcha/app", get(captcha::image))
        .route(
            crate::rest::counseling::download::PATH,
            post(crate::rest::counseling::download::download),
        )
        .route(
            llm::PATH,
            post(llm::chat_completions).fallback(llm::method_not_allowed),
        )
        .merge(crate::rest::router(&routes, upload_limit))
        .merge(crate::payments::routes::router())
        .fallback(crate::rest::dialect_fallback)
        .layer(DefaultBodyLimit::max(config.http.body_limit_bytes))
        .layer(axum::middleware::from_fn(middleware::record_metrics))
        .layer(axum::middleware::from_fn_with_state(
            config.http.trust_forwarded_for,
            middleware::client_ip,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(middleware::make_span))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(CatchPanicLayer::custom(middleware::panic_response))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::GATEWAY_TIMEOUT,
                    Duration::from_secs(config.http.request_timeout_secs),
                ))
                .layer(CompressionLayer::new())
                .option_layer(cors_layer(&config)),
        )
        .with_state(state)
}

/// The router of the separate metrics address (`metrics.listen`): `/metrics` only.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(ops::metrics_only))
        .with_state(state)
}

fn cors_layer(config: &Config) -> Option<CorsLayer> {
    let origins = &config.http.cors_origins;
    if origins.is_empty() {
        return None;
    }
    let layer = CorsLayer::new()
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers(Any)
        .max_age(Duration::from_secs(3600));
    if origins.iter().any(|o| o == "*") {
        Some(layer.allow_origin(Any))
    } else {
        let list: Vec<HeaderValue> = origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        Some(layer.allow_origin(AllowOrigin::list(list)))
    }
}

/// Base URL of this server as the caller reached it: `public_url` when configured, else the
/// scheme (`X-Forwarded-Proto`) and `Host` of the request.
pub fn public_url(config: &Config, headers: &HeaderMap) -> String {
    if let Some(url) = &config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| config.listen.to_string());
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https" || *p == "http")
        .unwrap_or("http");
    format!("{scheme}://{host}")
}
