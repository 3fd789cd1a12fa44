//! `GET /files/{hash}`: stored files with their sniffed type and long caching (content
//! addresses never change).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::AppState;
use crate::domain::files;
use crate::error::AppError;

/// Serves one file.
pub async fn serve(
    State(state): State<AppState>,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> Response {
    match serve_inner(&state, &hash.to_ascii_lowercase(), &headers).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

async fn serve_inner(
    state: &AppState,
    hash: &str,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    let meta = files::find(&state.services.db, hash)
        .await?
        .ok_or_else(|| AppError::NotFound("no such file".into()))?;
    let etag = format!("\"{hash}\"");
    let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (
                    header::CACHE_CONTROL,
                    cache.to_str().unwrap_or_default().to_owned(),
                ),
            ],
        )
            .into_response());
    }
    let stream = state.services.files.get(hash).await?;
    let mut response = Body::from_stream(stream).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&meta.content_type).map_err(AppError::internal)?,
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(meta.size));
    h.insert(header::CACHE_CONTROL, cache);
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).map_err(AppError::internal)?,
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    if !meta.content_type.starts_with("image/") {
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment"),
        );
    }
    Ok(response)
}
