//! `POST /api/v1/chat/completions` (medassist): an OpenAI-style chat-completions proxy to the
//! configured language model, for logged-in callers, within a per-user rate limit.
//!
//! Success is the upstream's answer as it came: its JSON, or (`"stream": true`) its server-sent
//! events. Failures are in the medassist envelope with their HTTP status.

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use http::{HeaderValue, Method, header};
use serde_json::Value;

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::llm::{Forwarded, NOT_CONFIGURED};
use crate::rest::Dialect;

/// The documented path.
pub const PATH: &str = "/api/v1/chat/completions";

/// Forwards one chat-completions request.
pub async fn chat_completions(State(state): State<AppState>, request: Request) -> Response {
    match run(&state, request).await {
        Ok(Forwarded::Json(bytes)) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            bytes,
        )
            .into_response(),
        Ok(Forwarded::Stream(stream)) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/event-stream"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                // Tells a buffering reverse proxy (nginx) to pass events on as they come.
                (
                    header::HeaderName::from_static("x-accel-buffering"),
                    HeaderValue::from_static("no"),
                ),
            ],
            Body::from_stream(stream.map(Ok::<_, Infallible>)),
        )
            .into_response(),
        Err(err) => Dialect::Medassist.error(&err),
    }
}

/// Any other method on the path, in the dialect's envelope.
pub async fn method_not_allowed(method: Method) -> Response {
    Dialect::Medassist.method_not_allowed(format!("{method} is not served at {PATH}"))
}

async fn run(state: &AppState, request: Request) -> AppResult<Forwarded> {
    let services = &state.services;
    let (parts, body) = request.into_parts();
    // An open proxy to a paid model would be abused: unlike the legacy document, a login is
    // required.
    // The Authorization header only, as medassist documents (no session cookie: CSRF).
    let token = crate::auth::carried_token(&parts.headers, None).map(|(token, _)| token);
    let auth = state.authenticate(token.as_deref(), &parts.headers).await?;
    let viewer = auth.require()?;
    if !services.llm.is_configured() {
        return Err(AppError::Unavailable(NOT_CONFIGURED.into()));
    }
    // JSON only: a form or text/plain body could come from another site's page (CSRF with the
    // session cookie).
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !(essence.is_empty() || essence == "application/json" || essence.ends_with("+json")) {
        return Err(AppError::bad_field(
            "body",
            format!("the body must be JSON (application/json), not {essence}"),
        ));
    }
    let limit = services.config.llm.max_request_bytes;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        AppError::bad_field("body", format!("the body is larger than {limit} bytes"))
    })?;
    let body: Value = serde_json::from_slice(&bytes)
        .map_err(|e| AppError::bad_field("body", format!("malformed JSON body: {e}")))?;
    services
        .llm
        .check_rate_limit(&services.db, viewer.user_id)
        .await?;
    tracing::debug!(user_id = viewer.user_id, "forwarding a chat completion");
    services.llm.forward(body).await
}
